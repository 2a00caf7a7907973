//! Generated code names nothing the user might: models called `C`, `F` or `Schema`, hooked or
//! not, compile, with no import beyond the derive.
mod schema {
    diesel::table! { c (id) { id -> Integer, } }
    diesel::table! { f (id) { id -> Integer, c_id -> Integer, } }
    diesel::table! { schemas (id) { id -> Integer, f_id -> Integer, } }
}
use schema::*;

#[derive(deletable::Deletable)]
#[diesel(table_name = c)]
pub struct C {
    pub id: i32,
}

#[derive(diesel::Queryable, diesel::Selectable, deletable::Deletable)]
#[diesel(table_name = f)]
#[deletable(hooks)]
pub struct F {
    pub id: i32,
    #[on_delete(cascade, references = C)]
    pub c_id: i32,
}

impl deletable::DeleteHooks<diesel::SqliteConnection> for F {}

#[derive(deletable::Deletable)]
#[diesel(table_name = schemas)]
pub struct Schema {
    pub id: i32,
    #[on_delete(cascade, references = F)]
    pub f_id: i32,
}

deletable::schema!(C, F, Schema);

fn main() {
    use deletable::Deletable;
    let mut conn = <diesel::SqliteConnection as diesel::Connection>::establish(":memory:").unwrap();
    let _ = C::delete_by_ids(&[] as &[i32], &mut conn);
}
