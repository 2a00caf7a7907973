use deletable::Deletable;

mod schema {
    diesel::table! { posts (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, hidden -> Bool, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i32,
    #[soft_delete]
    pub deleted_at: Option<chrono::NaiveDateTime>,
    #[soft_delete]
    pub hidden: bool,
}

deletable::schema!(Post);

fn main() {}
