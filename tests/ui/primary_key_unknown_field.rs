use deletable::Deletable;

mod schema {
    diesel::table! { tags (name) { name -> Text, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = tags, primary_key(code))]
pub struct Tag {
    pub name: String,
}

deletable::schema!(Tag);

fn main() {}
