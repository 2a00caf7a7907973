use deletable::AsyncDeletable;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;

mod schema {
    diesel::table! { posts (id) { id -> Integer, } }
}
use schema::*;

#[derive(diesel::Queryable, diesel::Selectable, deletable::Deletable)]
#[diesel(table_name = posts)]
#[deletable(hooks)]
pub struct Post {
    pub id: i32,
}

deletable::schema!(Post);

async fn delete(conn: &mut SyncConnectionWrapper<diesel::SqliteConnection>) {
    let _ = Post::delete_by_ids(&[1], conn).await;
}

fn main() {
    let _ = delete;
}
