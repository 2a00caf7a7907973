use deletable::Deletable;

mod schema {
    diesel::table! { users (id) { id -> Integer, } }
}

#[derive(Deletable)]
#[diesel(table_name = schema::users)]
pub struct User(pub i32);

fn main() {}
