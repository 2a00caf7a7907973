//! users -> posts -> comments on SQLite: prints the plan, previews and deletes a user, prints
//! the report, and shows the preview and the error of a delete a `protect` rule stops.
//!
//! Run with `cargo run --example quickstart`.

use deletable::Deletable;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

mod schema {
    diesel::table! {
        users (id) {
            id -> Integer,
            name -> Text,
        }
    }
    diesel::table! {
        posts (id) {
            id -> Integer,
            user_id -> Integer,
            editor_id -> Nullable<Integer>,
            title -> Text,
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
        }
    }
}
use schema::*;

#[derive(Queryable, Selectable, Identifiable, Deletable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
    pub name: String,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Deletable)]
#[diesel(table_name = posts, belongs_to(User))]
pub struct Post {
    pub id: i32,
    #[on_delete(cascade)]
    pub user_id: i32,
    #[on_delete(set_null, references = User)]
    pub editor_id: Option<i32>,
    pub title: String,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
pub struct Comment {
    pub id: i32,
    #[on_delete(cascade)]
    pub post_id: i32,
    pub body: String,
}

/// Invoices must outlive a user's deletion request: they protect the user.
#[derive(Queryable, Selectable, Identifiable, Associations, Deletable)]
#[diesel(table_name = invoices, belongs_to(User))]
pub struct Invoice {
    pub id: i32,
    #[on_delete(protect)]
    pub user_id: i32,
}

deletable::schema!(User, Post, Comment, Invoice);

const SCHEMA: &str = "
    PRAGMA foreign_keys = ON;
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        editor_id INTEGER REFERENCES users (id),
        title TEXT NOT NULL
    );
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        post_id INTEGER NOT NULL REFERENCES posts (id),
        body TEXT NOT NULL
    );
    CREATE TABLE invoices (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
    INSERT INTO users (id, name) VALUES (1, 'ada'), (2, 'grace'), (3, 'linus');
    INSERT INTO posts (id, user_id, editor_id, title) VALUES
        (1, 1, NULL, 'notes'), (2, 1, 2, 'compilers'), (3, 2, 1, 'cobol');
    INSERT INTO comments (id, post_id, body) VALUES (1, 1, 'nice'), (2, 2, 'ok'), (3, 3, 'wow');
    INSERT INTO invoices (id, user_id) VALUES (1, 3), (2, 3);
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut conn = SqliteConnection::establish(":memory:")?;
    conn.batch_execute(SCHEMA)?;

    println!("The plan of a user delete, computed at compile time:\n");
    println!("{:#}", User::plan());

    let ada: User = users::table
        .find(1)
        .select(User::as_select())
        .first(&mut conn)?;
    // Django admin's confirmation page, as data: counted, nothing changed.
    println!(
        "Before deleting {}, the preview:\n  {}",
        ada.name,
        ada.preview_delete(&mut conn)?
    );
    let report = ada.delete(&mut conn)?;
    println!("Deleting {}: {report}", ada.name);
    for (table, count) in report.per_table() {
        println!("  {table:<10} {count}");
    }
    let edited_by_nobody: Option<i32> = posts::table
        .find(3)
        .select(posts::editor_id)
        .first(&mut conn)?;
    println!("post 3 was edited by ada; its editor_id is now {edited_by_nobody:?}\n");

    let preview = User::preview_delete_by_ids(&[3], &mut conn)?;
    println!(
        "The preview of deleting linus:\n  {}",
        preview.to_string().replace('\n', "\n  ")
    );
    match User::delete_by_ids(&[3], &mut conn) {
        Err(error) => println!("Deleting linus fails, and nothing changes:\n  {error}"),
        Ok(report) => println!("unexpected: {report}"),
    }
    let users_left: i64 = users::table.count().get_result(&mut conn)?;
    println!("users left: {users_left}");
    Ok(())
}
