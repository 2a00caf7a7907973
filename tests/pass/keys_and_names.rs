//! Key types, composite keys, renamed columns, a table named by path, and Diesel's own derives
//! and options beside `Deletable`.
use deletable::Deletable;
use diesel::prelude::*;

pub mod schema {
    diesel::table! { accounts (id) { id -> BigInt, } }
    diesel::table! { sessions (id) { id -> BigInt, account -> BigInt, } }
    diesel::table! { memberships (account_id, group_id) { account_id -> BigInt, group_id -> Integer, } }
    diesel::allow_tables_to_appear_in_same_query!(accounts, sessions, memberships);
}

#[derive(Queryable, Selectable, Identifiable, Deletable)]
#[diesel(table_name = crate::schema::accounts)]
#[diesel(check_for_backend(diesel::sqlite::Sqlite))]
pub struct Account {
    pub id: i64,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Insertable, Deletable)]
#[diesel(table_name = crate::schema::sessions, belongs_to(Account, foreign_key = account))]
pub struct Session {
    pub id: i64,
    #[diesel(column_name = account)]
    #[on_delete(cascade)]
    pub account_id: i64,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Deletable)]
#[diesel(table_name = crate::schema::memberships, primary_key(account_id, group_id))]
#[diesel(belongs_to(Account))]
pub struct Membership {
    #[on_delete(cascade)]
    pub account_id: i64,
    pub group_id: i32,
}

deletable::schema!(Account, Session, Membership);

fn main() {
    let _ = Account::plan().to_string();
    let _: &[(i64, i32)] = &[(1, 2)];
    fn takes_composite<M: Deletable<PrimaryKey = (i64, i32)>>() {}
    takes_composite::<Membership>();
}
