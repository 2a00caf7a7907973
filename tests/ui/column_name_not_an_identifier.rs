use deletable::Deletable;

mod schema {
    diesel::table! { kinds (id) { id -> Integer, } }
    diesel::table! { things (id) { id -> Integer, kind -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = kinds)]
pub struct Kind {
    pub id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = things)]
pub struct Thing {
    pub id: i32,
    #[diesel(column_name = "kind of thing")]
    #[on_delete(cascade, references = Kind)]
    pub kind: i32,
}

deletable::schema!(Kind, Thing);

fn main() {}
