use deletable::Deletable;
use diesel::sqlite::SqliteConnection;
use diesel::Connection;

mod schema {
    diesel::table! { counters (id) { id -> Integer, } }
}
use schema::*;

/// A key type with no `ToSql` for SQLite.
#[derive(Debug, Clone)]
pub struct Code(pub i32);

#[derive(Deletable)]
#[diesel(table_name = counters)]
pub struct Counter {
    pub id: Code,
}

deletable::schema!(Counter);

fn main() {
    let mut conn = SqliteConnection::establish(":memory:").unwrap();
    let _ = Counter::delete_by_ids(&[Code(1)], &mut conn);
}
