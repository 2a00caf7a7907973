//! Trees, with the parent named as `Self`, by name, or by `belongs_to`.
use deletable::Deletable;

mod schema {
    diesel::table! { categories (id) { id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { folders (id) { id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { comments (id) { id -> Integer, reply_to -> Nullable<Integer>, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = categories)]
pub struct Category {
    pub id: i32,
    #[on_delete(cascade, tree, references = Self)]
    pub parent_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = folders)]
pub struct Folder {
    pub id: i32,
    #[on_delete(cascade, tree, references = Folder)]
    pub parent_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Comment, foreign_key = reply_to))]
pub struct Comment {
    pub id: i32,
    #[on_delete(cascade, tree)]
    pub reply_to: Option<i32>,
}

deletable::schema!(Category, Folder, Comment);

fn main() {
    let _ = Category::plan().to_string();
}
