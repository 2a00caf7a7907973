//! `#[soft_delete]` on a chrono timestamp, a `time` one, `SystemTime`, and a flag.
use deletable::{Deletable, SoftDelete};
use diesel::prelude::*;

mod schema {
    diesel::table! { posts (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { comments (id) { id -> Integer, post_id -> Integer, removed -> Bool, } }
}
use schema::*;

#[derive(Queryable, Selectable, Deletable)]
#[diesel(table_name = posts)]
pub struct Post {
    pub id: i32,
    #[soft_delete]
    pub deleted_at: Option<chrono::NaiveDateTime>,
}

#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
pub struct Comment {
    pub id: i32,
    #[on_delete(cascade)]
    pub post_id: i32,
    #[soft_delete]
    #[diesel(column_name = removed)]
    pub is_removed: bool,
}

deletable::schema!(Post, Comment);

fn main() {
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    let _: QueryResult<Vec<i32>> = Post::active().select(posts::id).load(&mut conn);
    let _: QueryResult<Vec<i32>> = Comment::only_deleted().select(comments::id).load(&mut conn);
    let _ = Post::soft_delete_by_ids(&[1], &mut conn);
    let _ = Comment::purge_deleted((), &mut conn);
    println!("{:#}", Post::plan());
}
