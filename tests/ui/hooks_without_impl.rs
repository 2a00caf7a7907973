use deletable::Deletable;

mod schema {
    diesel::table! { posts (id) { id -> Integer, } }
}
use schema::*;

#[derive(diesel::Queryable, diesel::Selectable, Deletable)]
#[diesel(table_name = posts)]
#[deletable(hooks)]
pub struct Post {
    pub id: i32,
}

deletable::schema!(Post);

fn main() {
    let mut conn = <diesel::SqliteConnection as diesel::Connection>::establish(":memory:").unwrap();
    let _ = Post::delete_by_ids(&[1], &mut conn);
}
