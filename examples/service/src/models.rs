//! The service's tables and models: users own posts (cascade), posts own comments (cascade),
//! invoices protect their user, and users and posts are soft-deletable. A user's hooks refuse to
//! delete the admin account and write every delete and archive to the audit log, inside the
//! operation's transaction.

use chrono::NaiveDateTime;
use deletable::{AsyncDeleteHooks, Deletable, HookError};
use diesel::prelude::*;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncPgConnection, RunQueryDsl};

pub mod schema {
    diesel::table! {
        users (id) {
            id -> Integer,
            name -> Text,
            deleted_at -> Nullable<Timestamp>,
        }
    }
    diesel::table! {
        posts (id) {
            id -> Integer,
            user_id -> Integer,
            title -> Text,
            deleted_at -> Nullable<Timestamp>,
        }
    }
    diesel::table! {
        comments (id) {
            id -> Integer,
            post_id -> Integer,
            body -> Text,
        }
    }
    diesel::table! {
        invoices (id) {
            id -> Integer,
            user_id -> Integer,
            cents -> Integer,
        }
    }
    diesel::table! {
        audit_log (id) {
            id -> Integer,
            event -> Text,
        }
    }
    diesel::allow_tables_to_appear_in_same_query!(users, posts, comments, invoices, audit_log);
}
use schema::*;

#[derive(Debug, Queryable, Selectable, Identifiable, Deletable)]
#[diesel(table_name = users)]
#[deletable(hooks)]
pub struct User {
    pub id: i32,
    pub name: String,
    #[soft_delete]
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Queryable, Selectable, Identifiable, Associations, Deletable)]
#[diesel(table_name = posts, belongs_to(User))]
pub struct Post {
    pub id: i32,
    #[on_delete(cascade)]
    pub user_id: i32,
    pub title: String,
    #[soft_delete]
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(Debug, Queryable, Selectable, Identifiable, Associations, Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
pub struct Comment {
    pub id: i32,
    #[on_delete(cascade)]
    pub post_id: i32,
    pub body: String,
}

/// Invoices outlive a deletion request: a user with invoices cannot be deleted.
#[derive(Debug, Queryable, Selectable, Identifiable, Associations, Deletable)]
#[diesel(table_name = invoices, belongs_to(User))]
pub struct Invoice {
    pub id: i32,
    #[on_delete(protect)]
    pub user_id: i32,
    pub cents: i32,
}

deletable::schema!(User, Post, Comment, Invoice);

/// The name of the account no request may delete.
pub const ADMIN: &str = "admin";

fn refuse_admin(rows: &[User]) -> Result<(), HookError> {
    match rows.iter().find(|user| user.name == ADMIN) {
        Some(user) => Err(format!("user {} is the {ADMIN} account", user.id).into()),
        None => Ok(()),
    }
}

fn events(what: &str, rows: &[User]) -> Vec<String> {
    rows.iter()
        .map(|user| format!("{what} user {} ({})", user.id, user.name))
        .collect()
}

/// Appends the events to the audit log, in the operation's transaction (a row per statement:
/// SQLite's connection wrapper has no multi-row insert).
macro_rules! audit {
    ($conn:expr, $events:expr) => {{
        for event in $events {
            diesel::insert_into(audit_log::table)
                .values(audit_log::event.eq(event))
                .execute(&mut *$conn)
                .await?;
        }
        Ok(())
    }};
}

/// A user's hooks, for each connection type the service runs on; the pooled connections of
/// deadpool get them too. Hooks name their connection type: write them once per backend.
macro_rules! user_hooks {
    ($conn:ty) => {
        impl AsyncDeleteHooks<$conn> for User {
            async fn before_delete(_: &mut $conn, rows: &[User]) -> Result<(), HookError> {
                refuse_admin(rows)
            }

            async fn after_delete(conn: &mut $conn, rows: &[User]) -> Result<(), HookError> {
                audit!(conn, events("deleted", rows))
            }

            async fn before_soft_delete(_: &mut $conn, rows: &[User]) -> Result<(), HookError> {
                refuse_admin(rows)
            }

            async fn after_soft_delete(conn: &mut $conn, rows: &[User]) -> Result<(), HookError> {
                audit!(conn, events("archived", rows))
            }

            async fn after_restore(conn: &mut $conn, rows: &[User]) -> Result<(), HookError> {
                audit!(conn, events("restored", rows))
            }
        }
    };
}

user_hooks!(AsyncPgConnection);
user_hooks!(SyncConnectionWrapper<SqliteConnection>);
