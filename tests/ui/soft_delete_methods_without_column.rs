use deletable::{Deletable, SoftDelete};

mod schema {
    diesel::table! { posts (id) { id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i32,
}

deletable::schema!(Post);

fn main() {
    let mut conn = <diesel::SqliteConnection as diesel::Connection>::establish(":memory:").unwrap();
    let _ = Post::soft_delete_by_ids(&[1], &mut conn);
}
