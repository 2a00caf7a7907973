use deletable::Deletable;

mod schema {
    diesel::table! { archive.people (id) { id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = people)]
pub struct Person {
    pub id: i32,
}

deletable::schema!(Person);

fn main() {}
