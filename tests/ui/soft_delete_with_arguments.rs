use deletable::Deletable;

mod schema {
    diesel::table! { posts (id) { id -> Integer, hidden -> Bool, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i32,
    #[soft_delete(flag)]
    pub hidden: bool,
}

deletable::schema!(Post);

fn main() {}
