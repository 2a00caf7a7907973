//! Review probes for chunked mode (temporary; removed after the review).
#![allow(dead_code)]

use deletable::{Deletable, DeleteOptions};
use deletable_tests::{backends, open, TestDb};
use diesel::prelude::*;

mod basic {
    use super::*;

    pub mod schema {
        diesel::table! { owners (id) { id -> Integer, } }
        diesel::table! { posts (id) { id -> Integer, owner_id -> Integer, } }
        diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
        diesel::table! { likes (id) { id -> Integer, post_id -> Nullable<Integer>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = owners)]
    pub struct Owner {
        id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = posts, belongs_to(Owner))]
    pub struct Post {
        id: i32,
        #[on_delete(cascade)]
        owner_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = comments, belongs_to(Post))]
    pub struct Comment {
        id: i32,
        #[on_delete(cascade)]
        post_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = likes, belongs_to(Post))]
    pub struct Like {
        id: i32,
        #[on_delete(set_null)]
        post_id: Option<i32>,
    }

    deletable::schema!(Owner, Post, Comment, Like);

    pub const SCHEMA: &str = "
        CREATE TABLE owners (id INTEGER PRIMARY KEY);
        CREATE TABLE posts (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES owners (id));
        CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));
        CREATE TABLE likes (id INTEGER PRIMARY KEY, post_id INTEGER REFERENCES posts (id));
    ";

    pub fn load<D: TestDb>(db: &mut D) {
        db.exec("INSERT INTO owners (id) VALUES (1), (2)");
        db.exec("INSERT INTO posts (id, owner_id) VALUES (1, 1), (2, 1), (3, 1), (10, 2)");
        db.exec("INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 1), (3, 2), (10, 10)");
        db.exec("INSERT INTO likes (id, post_id) VALUES (1, 1), (2, 2), (3, 3), (10, 10)");
    }

    backends! {
        #[test]
        fn probe_usize_max() {
            let mut db = open!(SCHEMA);
            load(&mut db);
            let result = Owner::delete_by_ids_with(&[1], &DeleteOptions::chunked(usize::MAX), db.conn());
            assert!(result.is_ok(), "chunked(usize::MAX): {result:?}");
            assert_eq!(db.ids("owners"), [2]);
        }

        #[test]
        fn probe_i64_max_plus() {
            let mut db = open!(SCHEMA);
            load(&mut db);
            let result = Owner::delete_by_ids_with(&[1], &DeleteOptions::chunked(i64::MAX as usize), db.conn());
            assert!(result.is_ok(), "chunked(i64::MAX): {result:?}");
            assert_eq!(db.ids("owners"), [2]);
        }
    }

    mod txn {
    use super::*;
    backends! {
        @runner sync;
        #[test]
        fn probe_callers_transaction_rollback() {
            let mut db = open!(SCHEMA);
            load(&mut db);
            let outcome = db.conn().transaction::<(), diesel::result::Error, _>(|conn| {
                diesel::insert_into(owners::table).values(owners::id.eq(3)).execute(conn)?;
                let result = Owner::delete_by_ids_with(&[1], &DeleteOptions::chunked(2), conn);
                assert!(result.is_ok(), "in a caller's transaction: {result:?}");
                Err(diesel::result::Error::RollbackTransaction)
            });
            assert!(matches!(outcome, Err(diesel::result::Error::RollbackTransaction)), "{outcome:?}");
            assert_eq!(db.ids("owners"), [1, 2], "the caller's rollback undid everything");
            assert_eq!(db.count("posts"), 4);
        }

        #[test]
        fn probe_callers_transaction_commit_filter() {
            let mut db = open!(SCHEMA);
            load(&mut db);
            let outcome = db.conn().transaction::<(), diesel::result::Error, _>(|conn| {
                diesel::insert_into(owners::table).values(owners::id.eq(3)).execute(conn)?;
                let result = Owner::delete_where_with(owners::id.eq(1), &DeleteOptions::chunked(2), conn);
                assert!(result.is_ok(), "in a caller's transaction: {result:?}");
                Err(diesel::result::Error::RollbackTransaction)
            });
            assert!(matches!(outcome, Err(diesel::result::Error::RollbackTransaction)), "{outcome:?}");
            assert_eq!(db.ids("owners"), [1, 2], "the caller's rollback undid everything");
        }
    }
    }
}

mod loops_deferred {
    use super::*;

    pub mod schema {
        diesel::table! { users (id) { id -> Integer, pinned_comment_id -> Integer, } }
        diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
        diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = users)]
    pub struct User {
        id: i32,
        #[on_delete(restrict, references = Comment)]
        pinned_comment_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = posts)]
    pub struct Post {
        id: i32,
        #[on_delete(cascade, references = User)]
        user_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = comments)]
    pub struct Comment {
        id: i32,
        #[on_delete(cascade, references = Post)]
        post_id: i32,
    }

    deletable::schema!(User, Post, Comment);

    fn open_filled<Db: TestDb>() -> Option<Db> {
        if !matches!(Db::BACKEND, "sqlite" | "postgres") {
            return None;
        }
        let sqlite = Db::BACKEND == "sqlite";
        let inline = if sqlite { " REFERENCES comments (id) DEFERRABLE INITIALLY DEFERRED" } else { "" };
        let mut db = Db::open(&format!(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL{inline});
             CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
             CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));"
        ))?;
        if sqlite {
            db.exec("PRAGMA foreign_keys = OFF");
        }
        db.exec("INSERT INTO users (id, pinned_comment_id) VALUES (1, 1), (2, 3)");
        db.exec("INSERT INTO posts (id, user_id) VALUES (1, 1), (2, 2)");
        db.exec("INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 1), (3, 2)");
        if sqlite {
            db.exec("PRAGMA foreign_keys = ON");
        } else {
            db.exec("ALTER TABLE users ADD CONSTRAINT users_pinned FOREIGN KEY (pinned_comment_id) REFERENCES comments (id) DEFERRABLE INITIALLY DEFERRED");
        }
        Some(db)
    }

    backends! {
        #[test]
        fn probe_deferred_not_null_restrict_loop() {
            let Some(mut whole) = open_filled::<Db>() else { return };
            let one = User::delete_by_ids(&[1], whole.conn());
            assert!(one.is_ok(), "one transaction: {one:?}");
            let Some(mut db) = open_filled::<Db>() else { return };
            let chunked = User::delete_by_ids_with(&[1], &DeleteOptions::chunked(1), db.conn());
            let state = (db.ids("users"), db.ids("posts"), db.ids("comments"));
            assert!(chunked.is_ok(), "chunked: {chunked:?}; state after: {state:?}");
            assert_eq!(state, (vec![2], vec![2], vec![3]));
        }
    }
}

mod loops_deferred_do_nothing {
    use super::*;

    pub mod schema {
        diesel::table! { users (id) { id -> Integer, pinned_comment_id -> Integer, } }
        diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
        diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = users)]
    pub struct User {
        id: i32,
        #[on_delete(do_nothing, references = Comment)]
        pinned_comment_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = posts)]
    pub struct Post {
        id: i32,
        #[on_delete(cascade, references = User)]
        user_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = comments)]
    pub struct Comment {
        id: i32,
        #[on_delete(cascade, references = Post)]
        post_id: i32,
    }

    deletable::schema!(User, Post, Comment);

    fn open_filled<Db: TestDb>() -> Option<Db> {
        if !matches!(Db::BACKEND, "sqlite" | "postgres") {
            return None;
        }
        let sqlite = Db::BACKEND == "sqlite";
        let inline = if sqlite { " REFERENCES comments (id) DEFERRABLE INITIALLY DEFERRED" } else { "" };
        let mut db = Db::open(&format!(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL{inline});
             CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
             CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));"
        ))?;
        if sqlite {
            db.exec("PRAGMA foreign_keys = OFF");
        }
        db.exec("INSERT INTO users (id, pinned_comment_id) VALUES (1, 1), (2, 3)");
        db.exec("INSERT INTO posts (id, user_id) VALUES (1, 1), (2, 2)");
        db.exec("INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 1), (3, 2)");
        if sqlite {
            db.exec("PRAGMA foreign_keys = ON");
        } else {
            db.exec("ALTER TABLE users ADD CONSTRAINT users_pinned FOREIGN KEY (pinned_comment_id) REFERENCES comments (id) DEFERRABLE INITIALLY DEFERRED");
        }
        Some(db)
    }

    backends! {
        #[test]
        fn probe_deferred_not_null_do_nothing_loop() {
            let Some(mut whole) = open_filled::<Db>() else { return };
            let one = User::delete_by_ids(&[1], whole.conn());
            assert!(one.is_ok(), "one transaction: {one:?}");
            let Some(mut db) = open_filled::<Db>() else { return };
            let chunked = User::delete_by_ids_with(&[1], &DeleteOptions::chunked(1), db.conn());
            let state = (db.ids("users"), db.ids("posts"), db.ids("comments"));
            assert!(chunked.is_ok(), "chunked: {chunked:?}; state after: {state:?}");
            assert_eq!(state, (vec![2], vec![2], vec![3]));
        }
    }
}

mod tree_filter {
    use super::*;

    pub mod schema {
        diesel::table! { categories (id) { id -> Integer, parent_id -> Nullable<Integer>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = categories)]
    pub struct Category {
        id: i32,
        #[on_delete(cascade, tree, references = Self)]
        parent_id: Option<i32>,
    }

    deletable::schema!(Category);

    const SCHEMA: &str = "
        CREATE TABLE categories (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES categories (id));
    ";

    fn filter() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
        // The parent of category 3: a filter that reads the children.
        diesel::dsl::sql::<diesel::sql_types::Bool>(
            "categories.id IN (SELECT c2.parent_id FROM categories AS c2 WHERE c2.id = 3)",
        )
    }

    backends! {
        #[test]
        fn probe_tree_filter_reading_children() {
            for chunked in [false, true] {
                let mut db = open!(SCHEMA);
                db.exec("INSERT INTO categories (id, parent_id) VALUES (1, NULL), (2, 1), (3, 2), (4, 2)");
                let options = if chunked { DeleteOptions::chunked(1) } else { DeleteOptions::default() };
                let report = Category::delete_where_with(filter(), &options, db.conn());
                let ids = db.ids("categories");
                assert_eq!(ids, [1], "chunked={chunked}: {report:?}");
            }
        }
    }
}

mod composite {
    use super::*;

    pub mod schema {
        diesel::table! { parents (id) { id -> Integer, } }
        diesel::table! { links (a_id, b_id) { a_id -> Integer, b_id -> Integer, c_id -> Nullable<Integer>, } }
        diesel::table! { others (x, y) { x -> Integer, y -> Integer, link_a -> Nullable<Integer>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = parents)]
    pub struct Parent {
        id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = links, primary_key(a_id, b_id))]
    pub struct Link {
        #[on_delete(cascade, references = Parent)]
        a_id: i32,
        b_id: i32,
        #[on_delete(set_null, references = Parent)]
        c_id: Option<i32>,
    }

    #[derive(Deletable)]
    #[diesel(table_name = others, primary_key(x, y))]
    pub struct Other {
        x: i32,
        y: i32,
        #[on_delete(set_null, references = Parent)]
        link_a: Option<i32>,
    }

    deletable::schema!(Parent, Link, Other);

    const SCHEMA: &str = "
        CREATE TABLE parents (id INTEGER PRIMARY KEY);
        CREATE TABLE links (a_id INTEGER NOT NULL REFERENCES parents (id), b_id INTEGER NOT NULL,
            c_id INTEGER REFERENCES parents (id), PRIMARY KEY (a_id, b_id));
        CREATE TABLE others (x INTEGER NOT NULL, y INTEGER NOT NULL, link_a INTEGER REFERENCES parents (id),
            PRIMARY KEY (x, y));
    ";

    backends! {
        #[test]
        fn probe_composite_keys_chunk_1() {
            for size in [1usize, 2, 3, 100] {
                let mut db = open!(SCHEMA);
                db.exec("INSERT INTO parents (id) VALUES (1), (2), (3)");
                db.exec("INSERT INTO links (a_id, b_id, c_id) VALUES (1, 1, 2), (1, 2, 1), (1, 3, 3), (2, 1, 1), (2, 2, 1), (3, 1, 1)");
                db.exec("INSERT INTO others (x, y, link_a) VALUES (1, 1, 1), (1, 2, 1), (2, 1, 2), (2, 2, 1)");
                let report = Parent::delete_by_ids_with(&[1, 2], &DeleteOptions::chunked(size), db.conn()).unwrap();
                assert_eq!(report.per_table(), &[("links", 5), ("parents", 2)], "size {size}");
                assert_eq!(db.pairs("SELECT a_id AS a, c_id AS b FROM links"), [(3, None)], "size {size}");
                assert_eq!(db.count("others"), 4);
                assert_eq!(db.pairs("SELECT x AS a, link_a AS b FROM others WHERE link_a IS NOT NULL"), []);
            }
        }
    }
}
