use deletable::Deletable;

mod schema {
    diesel::table! { users (id) { id -> Integer, } }
    diesel::table! { posts (id) { id -> Integer, user_id -> Integer, editor_id -> Nullable<Integer>, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i32,
    #[on_delete(cascade, frobnicate, references = User)]
    pub user_id: i32,
    #[on_delete(set_null)]
    pub editor_id: Option<i32>,
}

deletable::schema!(User, Post);

fn main() {}
