//! The quickstart's schema as hand-written migrations often leave it: foreign keys with no
//! `ON DELETE` action, and one that drifted. Prints what `verify` finds, the Diesel migration
//! that declares the models' rules in the database, and what a raw SQL `DELETE` does once it is
//! applied.
//!
//! Run with `cargo run --example migration`.

use deletable::Deletable;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

mod schema {
    diesel::table! { users (id) { id -> Integer, name -> Text, } }
    diesel::table! { posts (id) { id -> Integer, user_id -> Integer, editor_id -> Nullable<Integer>, } }
    diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    diesel::table! { invoices (id) { id -> Integer, user_id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = users)]
pub struct User {
    pub id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = posts, belongs_to(User))]
pub struct Post {
    pub id: i32,
    #[on_delete(cascade)]
    pub user_id: i32,
    #[on_delete(set_null, references = User)]
    pub editor_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
pub struct Comment {
    pub id: i32,
    #[on_delete(cascade)]
    pub post_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = invoices, belongs_to(User))]
pub struct Invoice {
    pub id: i32,
    #[on_delete(protect)]
    pub user_id: i32,
}

deletable::schema!(User, Post, Comment, Invoice);

const SCHEMA: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id),
        editor_id INTEGER REFERENCES users (id));
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));
    CREATE TABLE invoices (id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id) ON DELETE CASCADE);
    INSERT INTO users (id, name) VALUES (1, 'ada'), (2, 'grace'), (3, 'linus');
    INSERT INTO posts (id, user_id, editor_id) VALUES (1, 1, NULL), (2, 1, 2), (3, 2, 1);
    INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 2), (3, 3);
    INSERT INTO invoices (id, user_id) VALUES (1, 3);
";

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // Diesel's SQLite connection turns foreign keys on.
    let mut conn = SqliteConnection::establish(":memory:")?;
    conn.batch_execute(SCHEMA)?;

    println!("verify finds:");
    for finding in User::plan().verify(&mut conn)? {
        println!("  {finding}");
    }

    let migration = User::plan().migration(&mut conn)?;
    println!("\n{migration}");
    if let Some(metadata) = migration.metadata_toml() {
        println!("-- metadata.toml\n{metadata}");
    }

    // What `diesel migration run` does with `up.sql` under that `metadata.toml`.
    conn.batch_execute(migration.up())?;
    let findings = User::plan().verify(&mut conn)?;
    println!(
        "after the migration, verify finds {} findings",
        findings.len()
    );
    assert!(findings.is_empty(), "{findings:?}");

    // Raw SQL now follows the rules: linus's invoice protects him; ada's posts and their
    // comments go with her, and grace's post loses its editor.
    let refused = conn
        .batch_execute("DELETE FROM users WHERE id = 3")
        .is_err();
    println!("a raw DELETE of linus is refused: {refused}");
    assert!(refused);
    conn.batch_execute("DELETE FROM users WHERE id = 1")?;
    let posts_left: Vec<(i32, Option<i32>)> = posts::table
        .select((posts::id, posts::editor_id))
        .load(&mut conn)?;
    let comments_left: i64 = comments::table.count().get_result(&mut conn)?;
    println!(
        "a raw DELETE of ada leaves posts (id, editor_id) {posts_left:?} and {comments_left} comment"
    );
    assert_eq!((posts_left, comments_left), (vec![(3, None)], 1));
    Ok(())
}
