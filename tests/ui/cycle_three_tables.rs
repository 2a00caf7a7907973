use deletable::Deletable;

mod schema {
    diesel::table! { a (id) { id -> Integer, c_id -> Integer, } }
    diesel::table! { b (id) { id -> Integer, a_id -> Integer, } }
    diesel::table! { c (id) { id -> Integer, b_id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = a)]
pub struct A {
    pub id: i32,
    #[on_delete(cascade, references = C)]
    pub c_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = b)]
pub struct B {
    pub id: i32,
    #[on_delete(cascade, references = A)]
    pub a_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = c)]
pub struct C {
    pub id: i32,
    #[on_delete(cascade, references = B)]
    pub b_id: i32,
}

deletable::schema!(A, B, C);

fn main() {}
