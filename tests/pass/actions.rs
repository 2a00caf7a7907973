//! Every action, with the parent from `belongs_to` (default and explicit foreign key) or from
//! `references`.
use deletable::Deletable;

mod schema {
    diesel::table! { users (id) { id -> Integer, } }
    diesel::table! { categories (id) { id -> Integer, } }
    diesel::table! { labels (code) { code -> Text, } }
    diesel::table! {
        posts (id) {
            id -> Integer,
            user_id -> Integer,
            author_id -> Integer,
            editor_id -> Nullable<Integer>,
            reviewer_id -> Nullable<Integer>,
            category_id -> Integer,
            label_code -> Text,
            approver_id -> Integer,
            owner_id -> Integer,
        }
    }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = categories)]
pub struct Category {
    pub id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = labels, primary_key(code))]
pub struct Label {
    pub code: String,
}

#[derive(Deletable)]
#[diesel(table_name = posts, belongs_to(User), belongs_to(Category))]
pub struct Post {
    pub id: i32,
    #[on_delete(cascade)]
    pub user_id: i32,
    #[on_delete(protect, references = User)]
    pub author_id: i32,
    #[on_delete(set_null, references = User)]
    pub editor_id: Option<i32>,
    #[on_delete(set_default = None, references = User)]
    pub reviewer_id: Option<i32>,
    #[on_delete(set_default = 1)]
    pub category_id: i32,
    #[on_delete(set_default = "general", references = Label)]
    pub label_code: String,
    #[on_delete(restrict, references = User)]
    pub approver_id: i32,
    #[on_delete(do_nothing, references = User)]
    pub owner_id: i32,
}

deletable::schema!(User, Category, Label, Post);

fn main() {
    let _ = User::plan().to_string();
    let _ = Label::plan().to_string();
}
