//! Previews: what a delete would change, told without changing anything. Each preview is held
//! against the delete run right after it on the same data (the same counts, in the same order,
//! or the same blockers), and against the statements it ran (reads only, its transaction
//! rolled back). The random cases of `django_oracle.rs` hold previews against Django's
//! collector.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use deletable::{Deletable, DeleteError, DeleteReport, Preview};
use deletable_tests::{backends, TestDb};
use diesel::prelude::*;

mod schema {
    diesel::table! { users (id) { id -> Integer, } }
    diesel::table! { categories (id) { id -> Integer, } }
    diesel::table! { posts (id) { id -> Integer, user_id -> Integer, editor_id -> Nullable<Integer>, category_id -> Integer, } }
    diesel::table! { comments (id) { id -> Integer, post_id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { invoices (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { pins (id) { id -> Integer, post_id -> Integer, user_id -> Integer, } }
}
use schema::*;

#[derive(Queryable, Selectable, Identifiable, Deletable)]
#[diesel(table_name = users)]
struct User {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = categories)]
struct Category {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = posts, belongs_to(User), belongs_to(Category))]
struct Post {
    id: i32,
    #[on_delete(cascade)]
    user_id: i32,
    #[on_delete(set_null, references = User)]
    editor_id: Option<i32>,
    #[on_delete(set_default = 1)]
    category_id: i32,
}

/// Threaded comments: a tree under each post.
#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
struct Comment {
    id: i32,
    #[on_delete(cascade)]
    post_id: i32,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = invoices, belongs_to(User))]
struct Invoice {
    id: i32,
    #[on_delete(protect)]
    user_id: i32,
}

/// A pin holds its post back, unless the pin itself goes by a cascade of the same delete:
/// with the user who pinned it (Django's `RESTRICT`).
#[derive(Deletable)]
#[diesel(table_name = pins, belongs_to(Post), belongs_to(User))]
struct Pin {
    id: i32,
    #[on_delete(restrict)]
    post_id: i32,
    #[on_delete(cascade)]
    user_id: i32,
}

deletable::schema!(User, Category, Post, Comment, Invoice, Pin);

const SCHEMA: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY);
    CREATE TABLE categories (id INTEGER PRIMARY KEY);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, editor_id INTEGER,
        category_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id),
        FOREIGN KEY (editor_id) REFERENCES users (id),
        FOREIGN KEY (category_id) REFERENCES categories (id));
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, parent_id INTEGER,
        FOREIGN KEY (post_id) REFERENCES posts (id),
        FOREIGN KEY (parent_id) REFERENCES comments (id));
    CREATE TABLE invoices (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id));
    CREATE TABLE pins (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, user_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id),
        FOREIGN KEY (user_id) REFERENCES users (id));
    INSERT INTO users (id) VALUES (1), (2), (3);
    INSERT INTO categories (id) VALUES (1), (2), (3);
    -- Posts of user 1 (one edited by user 2); posts of user 2, one edited by user 1, in
    -- categories 2 and 3.
    INSERT INTO posts (id, user_id, editor_id, category_id) VALUES
        (10, 1, NULL, 2), (11, 1, 2, 1), (20, 2, 1, 2), (21, 2, NULL, 3), (30, 3, 1, 1);
    -- A thread under post 10 whose reply sits under post 20's comment; a thread under post 20.
    INSERT INTO comments (id, post_id, parent_id) VALUES
        (100, 10, NULL), (101, 10, 100), (200, 20, NULL), (102, 20, 101), (201, 20, 200);
    INSERT INTO pins (id, post_id, user_id) VALUES (1, 11, 1);
";

const TABLES: &[&str] = &[
    "users",
    "categories",
    "posts",
    "comments",
    "invoices",
    "pins",
];

/// Every table's rows, as pairs of a table's index and `id`, and the posts' keys.
fn snapshot(db: &mut impl TestDb) -> Vec<(usize, i64, Option<i64>)> {
    let mut rows = Vec::new();
    for (index, table) in TABLES.iter().enumerate() {
        for (id, _) in db.pairs(&format!(
            "SELECT id AS a, NULL AS b FROM {table} ORDER BY id"
        )) {
            rows.push((index, id, None));
        }
    }
    for column in ["editor_id", "category_id"] {
        let query = format!("SELECT id AS a, {column} AS b FROM posts ORDER BY id");
        rows.extend(
            db.pairs(&query)
                .into_iter()
                .map(|(id, value)| (99, id, value)),
        );
    }
    rows
}

/// The statements a preview ran, checked: reads and transaction control only (and, past the
/// bind limit, the temporary table of its keys).
fn assert_reads_only(db: &impl TestDb) {
    for sql in db.log().statements() {
        let mut upper = sql.trim_start().to_ascii_uppercase();
        // MariaDB's recursion limit, before a statement that walks a tree.
        for (prefix, end) in [
            ("/*M! SET STATEMENT", "*/ "),
            ("SET STATEMENT MAX_RECURSIVE", " FOR "),
        ] {
            if upper.starts_with(prefix) {
                let after = upper.find(end).map_or(0, |at| at + end.len());
                upper = upper[after..].to_owned();
            }
        }
        // MySQL's optimizer hint, after a statement's first word.
        while let (Some(start), Some(end)) = (upper.find("/*+ "), upper.find("*/ ")) {
            if end < start {
                break;
            }
            upper.replace_range(start..end + 3, "");
        }
        let allowed = [
            "SELECT",
            "BEGIN",
            "ROLLBACK",
            "SAVEPOINT",
            "RELEASE",
            "START TRANSACTION",
            "SET TRANSACTION READ ONLY",
            "CREATE TEMPORARY TABLE",
            "INSERT INTO \"DELETABLE_ROOTS_",
            "INSERT INTO `DELETABLE_ROOTS_",
            "DROP TEMPORARY TABLE",
        ];
        let start: String = sql.chars().take(200).collect();
        assert!(
            allowed.iter().any(|allowed| upper.starts_with(allowed)),
            "a preview ran {start}"
        );
    }
}

/// `(table, column, rows)` of each update a preview tells.
fn updates(preview: &Preview) -> Vec<(&'static str, &'static str, u64)> {
    preview
        .updates()
        .iter()
        .map(|update| (update.table, update.column, update.rows))
        .collect()
}

backends! {
    #[test]
    fn a_preview_tells_what_the_delete_then_does_and_changes_nothing() {
        let Some(mut db) = Db::open(SCHEMA) else { return };
        db.exec("DELETE FROM pins");
        let before = snapshot(&mut db);
        db.log().clear();

        let preview = User::preview_delete_by_ids(&[1], db.conn()).unwrap();

        assert_reads_only(&db);
        assert_eq!(snapshot(&mut db), before, "the preview changed a row");
        // Comment 102 is post 20's, but a reply in post 10's thread: it goes with the tree.
        assert_eq!(
            preview.rows().per_table(),
            &[("comments", 3), ("posts", 2), ("users", 1)]
        );
        // Posts 20 and 30 keep their rows and lose their editor; post 11's editor goes with
        // the post.
        assert_eq!(updates(&preview), [("posts", "editor_id", 2)]);
        assert!(!preview.is_blocked());
        assert!(preview.blocking_error().is_none());

        let report = User::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.per_table(), preview.rows().per_table());
        assert_eq!(
            db.pairs("SELECT id AS a, editor_id AS b FROM posts ORDER BY id"),
            [(20, None), (21, None), (30, None)]
        );
    }

    #[test]
    fn a_preview_lists_every_blocker_and_still_counts() {
        let Some(mut db) = Db::open(SCHEMA) else { return };
        db.exec("INSERT INTO invoices (id, user_id) VALUES (7, 2), (8, 2)");
        // Pin 2, user 3's, holds user 2's post 21 back; pin 3, user 2's own, goes with it.
        db.exec("INSERT INTO pins (id, post_id, user_id) VALUES (2, 21, 3), (3, 20, 2)");

        // User 2: its invoices protect it, pin 2 restricts it, pin 3 does not (it goes by the
        // user's cascade); still the preview counts what would go.
        let preview = User::preview_delete_by_ids(&[2], db.conn()).unwrap();
        assert!(preview.is_blocked());
        assert_eq!(preview.protected().len(), 1, "{preview}");
        assert_eq!(preview.protected()[0].keys, ["7", "8"]);
        assert_eq!(preview.restricted().len(), 1, "{preview}");
        assert_eq!(preview.restricted()[0].keys, ["2"]);
        assert_eq!(preview.rows().count("pins"), 1);
        assert_eq!(preview.rows().count("comments"), 3);
        assert_eq!(preview.rows().count("posts"), 2);
        let error = User::delete_by_ids(&[2], db.conn()).unwrap_err();
        match (&error, preview.blocking_error()) {
            (
                DeleteError::Protected { blockers, .. },
                Some(DeleteError::Protected { blockers: previewed, .. }),
            ) => assert_eq!(blockers, &previewed),
            other => panic!("{other:?}"),
        }

        // Post 11 alone: pin 1 restricts it, nothing clears it.
        let preview = Post::preview_delete_by_ids(&[11], db.conn()).unwrap();
        assert_eq!(preview.restricted().len(), 1, "{preview}");
        assert_eq!(preview.restricted()[0].keys, ["1"]);
        assert!(matches!(
            Post::delete_by_ids(&[11], db.conn()),
            Err(DeleteError::Restricted { .. })
        ));

        // Pin 1 goes with its user, who deletes post 11 too: user 1 is free to go.
        let preview = User::preview_delete_by_ids(&[1], db.conn()).unwrap();
        assert!(!preview.is_blocked(), "{preview}");
        let report = User::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.per_table(), preview.rows().per_table());
    }

    #[test]
    fn a_preview_counts_set_default_rows_that_change_only() {
        let Some(mut db) = Db::open(SCHEMA) else { return };
        // Category 2's posts go to the default category 1; post 30 already is in it, and
        // category 1's own posts would be set to what they hold.
        let preview = Category::preview_delete_by_ids(&[2, 1], db.conn()).unwrap();
        assert_eq!(updates(&preview), [("posts", "category_id", 2)]);
        assert_eq!(preview.rows().per_table(), &[("categories", 2)]);
        let preview = Category::preview_delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(updates(&preview), [("posts", "category_id", 2)]);
        let report = Category::delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(report.per_table(), preview.rows().per_table());
        assert_eq!(
            db.pairs("SELECT id AS a, category_id AS b FROM posts ORDER BY id"),
            [(10, Some(1)), (11, Some(1)), (20, Some(1)), (21, Some(3)), (30, Some(1))]
        );
    }

    #[test]
    fn a_preview_by_row_and_by_filter_agree_with_by_ids() {
        let Some(mut db) = Db::open(SCHEMA) else { return };
        let by_ids = User::preview_delete_by_ids(&[1, 3], db.conn()).unwrap();
        let by_filter =
            User::preview_delete_where(users::id.eq_any([1, 3]).or(users::id.eq(99)), db.conn())
                .unwrap();
        assert_eq!(by_filter, by_ids);
        let by_row = User { id: 3 }.preview_delete(db.conn()).unwrap();
        assert_eq!(by_row.rows().per_table(), &[("posts", 1), ("users", 1)]);
        // Nothing for keys with no row, and no statement for none.
        let none = User::preview_delete_by_ids(&[404], db.conn()).unwrap();
        assert_eq!(none.rows(), &DeleteReport::default());
        db.log().clear();
        let empty = User::preview_delete_by_ids::<i32, _>(&[], db.conn()).unwrap();
        assert_eq!(empty.rows().total(), 0);
        assert!(db.log().is_empty(), "{:?}", db.log().statements());
    }

    /// More keys than a statement can bind: the keys go into a temporary table, which the
    /// preview's rollback (or, on MySQL, its drop) takes away.
    #[test]
    fn a_preview_of_more_keys_than_binds() {
        let Some(mut db) = Db::open(SCHEMA) else { return };
        db.exec("DELETE FROM pins");
        let mut keys: Vec<i32> = (1_000..71_000).collect();
        keys.extend([1, 2]);
        let before = snapshot(&mut db);
        db.log().clear();
        let preview = User::preview_delete_by_ids(&keys, db.conn()).unwrap();
        assert_reads_only(&db);
        assert_eq!(snapshot(&mut db), before);
        assert_eq!(
            preview.rows().per_table(),
            &[("comments", 5), ("posts", 4), ("users", 2)]
        );
        assert_eq!(updates(&preview), [("posts", "editor_id", 1)]);
        let report = User::delete_by_ids(&keys, db.conn()).unwrap();
        assert_eq!(report.per_table(), preview.rows().per_table());
    }

    /// Inside a caller's transaction the preview is a savepoint: the caller's transaction goes
    /// on, writable (on PostgreSQL the read-only mode ends with the savepoint).
    #[test]
    fn a_preview_inside_a_callers_transaction_leaves_it_writable() {
        let Some(mut db) = Db::open(SCHEMA) else { return };
        let preview = db
            .conn()
            .transaction::<_, diesel::result::Error, _>(|conn| {
                diesel::insert_into(users::table).values(users::id.eq(4)).execute(conn)?;
                let preview = User::preview_delete_by_ids(&[1, 4], conn).expect("the preview");
                diesel::insert_into(users::table).values(users::id.eq(5)).execute(conn)?;
                Ok(preview)
            })
            .unwrap();
        assert_eq!(preview.rows().count("users"), 2);
        assert_eq!(db.ids("users"), [1, 2, 3, 4, 5]);
    }
}
