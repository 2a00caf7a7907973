use deletable::Deletable;

mod schema {
    diesel::table! { comments (id) { id -> Integer, parent_id -> Nullable<Integer>, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = comments)]
pub struct Comment {
    pub id: i32,
    #[on_delete(cascade, references = Comment)]
    pub parent_id: Option<i32>,
}

deletable::schema!(Comment);

fn main() {}
