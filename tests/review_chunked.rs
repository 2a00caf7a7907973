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
        let inline = if sqlite {
            " REFERENCES comments (id) DEFERRABLE INITIALLY DEFERRED"
        } else {
            ""
        };
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
        let inline = if sqlite {
            " REFERENCES comments (id) DEFERRABLE INITIALLY DEFERRED"
        } else {
            ""
        };
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

mod txn_state {
    use super::basic::schema::*;
    use super::basic::*;
    use super::*;
    backends! {
        @runner sync;
        #[test]
        fn probe_callers_transaction_state() {
            let mut db = open!(SCHEMA);
            load(&mut db);
            let mut got = None;
            let outcome = db.conn().transaction::<(), diesel::result::Error, _>(|conn| {
                diesel::insert_into(owners::table).values(owners::id.eq(3)).execute(conn)?;
                got = Some(Owner::delete_by_ids_with(&[1], &DeleteOptions::chunked(2), conn));
                Err(diesel::result::Error::RollbackTransaction)
            });
            let state = (db.ids("owners"), db.ids("posts"), db.ids("comments"),
                db.pairs("SELECT id AS a, post_id AS b FROM likes ORDER BY id"));
            panic!("delete: {got:?}\ncaller's outcome: {outcome:?}\nafter the caller's rollback: {state:?}");
        }
    }
}

mod loops_immediate {
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
        let sqlite = Db::BACKEND == "sqlite";
        let inline = if sqlite {
            " REFERENCES comments (id)"
        } else {
            ""
        };
        let mut db = Db::open(&format!(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL{inline});
             CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
             CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));"
        ))?;
        if sqlite {
            db.exec("PRAGMA foreign_keys = OFF");
        }
        // User 1 pins its own comment 2; comment 1 (same post) is not pinned.
        db.exec("INSERT INTO users (id, pinned_comment_id) VALUES (1, 2), (2, 3)");
        db.exec("INSERT INTO posts (id, user_id) VALUES (1, 1), (2, 2)");
        db.exec("INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 1), (3, 2)");
        if sqlite {
            db.exec("PRAGMA foreign_keys = ON");
        } else {
            db.exec("ALTER TABLE users ADD CONSTRAINT users_pinned FOREIGN KEY (pinned_comment_id) REFERENCES comments (id)");
        }
        Some(db)
    }

    backends! {
        #[test]
        fn probe_immediate_not_null_loop() {
            let Some(mut whole) = open_filled::<Db>() else { return };
            let one = User::delete_by_ids(&[1], whole.conn());
            let one_state = (whole.ids("users"), whole.ids("posts"), whole.ids("comments"));
            let Some(mut db) = open_filled::<Db>() else { return };
            let chunked = User::delete_by_ids_with(&[1], &DeleteOptions::chunked(1), db.conn());
            let state = (db.ids("users"), db.ids("posts"), db.ids("comments"));
            assert!(
                format!("{one:?}") == format!("{chunked:?}") && one_state == state,
                "one transaction: {one:?} -> {one_state:?}\nchunked: {chunked:?} -> {state:?}"
            );
        }
    }
}

mod tree_filter_leaves {
    use super::tree_filter_model::*;
    use super::*;

    fn leaves() -> diesel::expression::SqlLiteral<diesel::sql_types::Bool> {
        diesel::dsl::sql::<diesel::sql_types::Bool>(
            "NOT EXISTS (SELECT 1 FROM categories AS c2 WHERE c2.parent_id = categories.id)",
        )
    }

    backends! {
        #[test]
        fn probe_tree_filter_leaves() {
            let mut results = Vec::new();
            for chunked in [false, true] {
                let mut db = open!(SCHEMA);
                db.exec("INSERT INTO categories (id, parent_id) VALUES (1, NULL), (2, 1), (3, 2), (4, 1), (5, NULL)");
                let options = if chunked { DeleteOptions::chunked(1) } else { DeleteOptions::default() };
                let report = Category::delete_where_with(leaves(), &options, db.conn());
                results.push((format!("{report:?}"), db.ids("categories")));
            }
            assert_eq!(results[0], results[1], "one transaction vs chunked(1)");
        }
    }
}

mod tree_filter_model {
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

    pub const SCHEMA: &str = "
        CREATE TABLE categories (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES categories (id));
    ";
}

mod progress_panic {
    use super::basic::*;
    use super::*;

    fn temp_tables<D: TestDb>(db: &mut D) -> Option<i64> {
        match D::BACKEND {
            "sqlite" => Some(db.pairs("SELECT COUNT(*) AS a, NULL AS b FROM sqlite_temp_master WHERE type = 'table'")[0].0),
            "postgres" => Some(db.pairs("SELECT COUNT(*) AS a, NULL AS b FROM pg_tables WHERE schemaname = (SELECT nspname FROM pg_namespace WHERE oid = pg_my_temp_schema())")[0].0),
            _ => None,
        }
    }

    backends! {
        @runner sync;
        #[test]
        fn probe_progress_callback_panics() {
            let mut db = open!(SCHEMA);
            load(&mut db);
            let before = temp_tables(&mut db);
            let options = DeleteOptions::chunked(1).on_progress(|p| {
                if p.chunks == 2 {
                    panic!("progress callback panics");
                }
            });
            let conn = db.conn();
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                Owner::delete_where_with(super::basic::schema::owners::id.eq(1), &options, conn)
            }));
            assert!(caught.is_err());
            let after = temp_tables(&mut db);
            assert_eq!(before, after, "temporary tables left behind after a progress callback's panic");
        }
    }
}

mod progress_totals {
    use super::*;
    use std::sync::{Arc, Mutex};

    pub mod schema {
        diesel::table! { owners (id) { id -> Integer, } }
        diesel::table! { posts (id) { id -> Integer, owner_id -> Integer, } }
        diesel::table! { likes (id) { id -> Integer, owner_id -> Integer, post_id -> Nullable<Integer>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = owners)]
    pub struct Owner {
        id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = posts)]
    pub struct Post {
        id: i32,
        #[on_delete(cascade, references = Owner)]
        owner_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = likes)]
    pub struct Like {
        id: i32,
        #[on_delete(cascade, references = Owner)]
        owner_id: i32,
        #[on_delete(set_null, references = Post)]
        post_id: Option<i32>,
    }

    deletable::schema!(Owner, Post, Like);

    const SCHEMA: &str = "
        CREATE TABLE owners (id INTEGER PRIMARY KEY);
        CREATE TABLE posts (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES owners (id));
        CREATE TABLE likes (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES owners (id),
            post_id INTEGER REFERENCES posts (id));
    ";

    backends! {
        #[test]
        fn probe_progress_ends_done() {
            let mut db = open!(SCHEMA);
            db.exec("INSERT INTO owners (id) VALUES (1), (2)");
            db.exec("INSERT INTO posts (id, owner_id) VALUES (1, 1), (2, 1)");
            db.exec("INSERT INTO likes (id, owner_id, post_id) VALUES (1, 1, 1), (2, 2, 1), (3, 1, 2), (4, 1, 1)");
            let seen = Arc::new(Mutex::new(Vec::new()));
            let sink = Arc::clone(&seen);
            let options = DeleteOptions::chunked(1).on_progress(move |p| sink.lock().unwrap().push(p.clone()));
            let report = Owner::delete_by_ids_with(&[1], &options, db.conn()).unwrap();
            let seen = seen.lock().unwrap();
            let last = seen.last().unwrap();
            assert_eq!(last.done(), last.total(),
                "plan:\n{:#}\nreport {report:?}\nfirst {:?}\nlast {:?}", Owner::plan(), seen[0], last);
        }
    }
}

mod hooked_diamond {
    use super::*;
    use std::cell::RefCell;

    pub mod schema {
        diesel::table! { owners (id) { id -> Integer, } }
        diesel::table! { projects (id) { id -> Integer, owner_id -> Integer, } }
        diesel::table! { reviews (id) { id -> Integer, project_id -> Integer, reviewer_id -> Integer, } }
        diesel::table! { nodes (id) { id -> Integer, review_id -> Integer, parent_id -> Nullable<Integer>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = owners)]
    #[deletable(hooks = keys, batch_size = 2)]
    pub struct Owner {
        id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = projects)]
    #[deletable(hooks = keys, batch_size = 2)]
    pub struct Project {
        id: i32,
        #[on_delete(cascade, references = Owner)]
        owner_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = reviews)]
    #[deletable(hooks = keys, batch_size = 2)]
    pub struct Review {
        id: i32,
        #[on_delete(cascade, references = Project)]
        project_id: i32,
        #[on_delete(cascade, references = Owner)]
        reviewer_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = nodes)]
    #[deletable(hooks = keys, batch_size = 2)]
    pub struct Node {
        id: i32,
        #[on_delete(cascade, references = Review)]
        review_id: i32,
        #[on_delete(cascade, tree, references = Self)]
        parent_id: Option<i32>,
    }

    deletable::schema!(Owner, Project, Review, Node);

    thread_local! {
        static LOG: RefCell<Vec<(&'static str, i32)>> = RefCell::new(Vec::new());
    }

    deletable_tests::hooks! {
    impl for Owner {
        fn before_delete(conn, rows: &[i32]) {
            LOG.with(|l| l.borrow_mut().extend(rows.iter().map(|r| ("owners", *r))));
            Ok(())
        }
    }
    }
    deletable_tests::hooks! {
    impl for Project {
        fn before_delete(conn, rows: &[i32]) {
            LOG.with(|l| l.borrow_mut().extend(rows.iter().map(|r| ("projects", *r))));
            Ok(())
        }
    }
    }
    deletable_tests::hooks! {
    impl for Review {
        fn before_delete(conn, rows: &[i32]) {
            LOG.with(|l| l.borrow_mut().extend(rows.iter().map(|r| ("reviews", *r))));
            Ok(())
        }
    }
    }
    deletable_tests::hooks! {
    impl for Node {
        fn before_delete(conn, rows: &[i32]) {
            LOG.with(|l| l.borrow_mut().extend(rows.iter().map(|r| ("nodes", *r))));
            Ok(())
        }
    }
    }

    const SCHEMA: &str = "
        CREATE TABLE owners (id INTEGER PRIMARY KEY);
        CREATE TABLE projects (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES owners (id));
        CREATE TABLE reviews (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL REFERENCES projects (id),
            reviewer_id INTEGER NOT NULL REFERENCES owners (id));
        CREATE TABLE nodes (id INTEGER PRIMARY KEY, review_id INTEGER NOT NULL REFERENCES reviews (id),
            parent_id INTEGER REFERENCES nodes (id));
    ";

    fn fill<D: TestDb>(db: &mut D) {
        db.exec("INSERT INTO owners (id) VALUES (1), (2), (3)");
        db.exec("INSERT INTO projects (id, owner_id) VALUES (1, 1), (2, 1), (3, 2), (4, 3)");
        db.exec("INSERT INTO reviews (id, project_id, reviewer_id) VALUES (1, 1, 3), (2, 4, 1), (3, 4, 3), (4, 3, 2), (5, 2, 1), (6, 4, 2)");
        db.exec("INSERT INTO nodes (id, review_id, parent_id) VALUES (1, 1, NULL), (2, 1, 1), (3, 3, 2), (4, 3, NULL), (5, 6, 4), (6, 5, 5), (7, 2, NULL), (8, 3, 7)");
    }

    backends! {
        #[test]
        fn probe_hooks_once_each() {
            let mut expected = None;
            for size in [0usize, 1, 2, 3, 5] {
                let mut db = open!(SCHEMA);
                fill(&mut db);
                LOG.with(|l| l.borrow_mut().clear());
                let options = if size == 0 { DeleteOptions::default() } else { DeleteOptions::chunked(size) };
                let report = Owner::delete_by_ids_with(&[1, 2], &options, db.conn()).unwrap();
                let mut log = LOG.with(|l| l.borrow().clone());
                let calls = log.len();
                log.sort();
                log.dedup();
                assert_eq!(calls, log.len(), "size {size}: a row hooked twice");
                let state = (db.ids("owners"), db.ids("projects"), db.ids("reviews"), db.ids("nodes"));
                let got = (log, state, report.total());
                match &expected {
                    None => expected = Some(got),
                    Some(e) => assert_eq!(e, &got, "size {size}"),
                }
            }
        }
    }
}

mod set_default_deleted {
    use super::*;

    pub mod schema {
        diesel::table! { parents (id) { id -> Integer, } }
        diesel::table! { kids (id) { id -> Integer, parent_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = parents)]
    pub struct Parent {
        id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = kids)]
    pub struct Kid {
        id: i32,
        #[on_delete(set_default = 1, references = Parent)]
        parent_id: i32,
    }

    deletable::schema!(Parent, Kid);

    const SCHEMA: &str = "
        CREATE TABLE parents (id INTEGER PRIMARY KEY);
        CREATE TABLE kids (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL DEFAULT 1 REFERENCES parents (id));
    ";

    backends! {
        #[test]
        fn probe_set_default_to_deleted_row() {
            let mut out = Vec::new();
            for chunked in [false, true] {
                let mut db = open!(SCHEMA);
                db.exec("INSERT INTO parents (id) VALUES (1), (2), (3)");
                db.exec("INSERT INTO kids (id, parent_id) VALUES (1, 1), (2, 2), (3, 2), (4, 3)");
                let options = if chunked { DeleteOptions::chunked(1) } else { DeleteOptions::default() };
                let result = Parent::delete_by_ids_with(&[1, 2], &options, db.conn());
                out.push((format!("{:?}", result.map(|r| r.total())), db.ids("parents"),
                    db.pairs("SELECT id AS a, parent_id AS b FROM kids ORDER BY id")));
            }
            assert_eq!(out[0], out[1]);
        }
    }
}

mod filter_resume {
    use super::basic::schema::*;
    use super::basic::*;
    use super::*;

    backends! {
        @runner sync;
        #[test]
        fn probe_filter_reading_children_resume() {
            let mut db = open!(SCHEMA);
            load(&mut db);
            // Owners that have a post.
            let filter = || diesel::dsl::sql::<diesel::sql_types::Bool>("owners.id IN (SELECT owner_id FROM posts)");
            let options = DeleteOptions::chunked(10).on_progress(|p| {
                let posts_done = p.tables.iter().any(|t| t.table == "posts" && t.column.is_none() && t.done > 0);
                if posts_done {
                    panic!("interrupted");
                }
            });
            let conn = db.conn();
            let caught = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                Owner::delete_where_with(filter(), &options, conn)
            }));
            assert!(caught.is_err());
            let mid = (db.ids("owners"), db.ids("posts"));
            let again = Owner::delete_where_with(filter(), &DeleteOptions::chunked(10), db.conn());
            assert_eq!(db.ids("owners"), Vec::<i64>::new(), "after the interruption {mid:?}; the same call again: {again:?}");
        }
    }
}

mod bind_limit {
    use super::basic::*;
    use super::*;

    backends! {
        #[test]
        fn probe_many_keys() {
            let mut db = open!(SCHEMA);
            db.insert_many("owners (id)", 70_000, |id| format!("({id})"));
            db.insert_many("posts (id, owner_id)", 70_000, |id| format!("({id}, {id})"));
            db.insert_many("likes (id, post_id)", 70_000, |id| format!("({id}, {id})"));
            let ids: Vec<i32> = (1..=69_990).collect();
            let report = Owner::delete_by_ids_with(&ids, &DeleteOptions::chunked(20_000), db.conn()).unwrap();
            assert_eq!(report.total(), 2 * 69_990);
            assert_eq!(db.count("owners"), 10);
            assert_eq!(db.count("likes"), 70_000);
            assert_eq!(db.pairs("SELECT COUNT(*) AS a, NULL AS b FROM likes WHERE post_id IS NOT NULL")[0].0, 10);
        }
    }
}
