use deletable::Deletable;

mod schema {
    diesel::table! { posts (id) { id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = posts)]
#[deletable(hooks, batch = 10)]
pub struct Post {
    pub id: i32,
}

deletable::schema!(Post);

fn main() {}
