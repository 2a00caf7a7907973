use deletable::Deletable;

#[derive(Deletable)]
pub union Bits {
    int: u32,
    float: f32,
}

fn main() {}
