use deletable::Deletable;

mod schema {
    diesel::table! { posts (id) { id -> Integer, deleted_at -> Nullable<Text>, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i32,
    #[soft_delete]
    pub deleted_at: Option<String>,
}

deletable::schema!(Post);

fn main() {}
