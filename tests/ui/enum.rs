use deletable::Deletable;

#[derive(Deletable)]
pub enum Status {
    Active,
    Deleted,
}

fn main() {}
