//! Inputs a second adversarial review tried, on keys bound by Diesel, the planner's order in
//! loops and which loops are refused (its tree-restore case is in `review_findings.rs`). Each
//! module is one scenario. Failed before their fixes: the loop error for a race (A3, now
//! retried), for another key of the same table (A1), for a same-named table in another schema
//! (A4), for a SQLite key the database does not declare or declares deferred over two lines (A2);
//! and `hooks = keys` with a key listed in another order than the table's, which deleted the
//! wrong row (K3).

#![allow(dead_code)]

use std::cell::RefCell;

use deletable::{Deletable, DeleteError};
use deletable_tests::TestDb;

/// Creates `tables` (name, columns) with `fks` (table, column, parent, extra): inline on SQLite,
/// added after the rows elsewhere; then runs `rows` with the keys not yet checked.
fn build<Db: TestDb>(
    tables: &[(&str, &str)],
    fks: &[(&str, &str, &str, &str)],
    rows: &[&str],
) -> Option<Db> {
    let sqlite = Db::BACKEND == "sqlite";
    let mut schema = String::new();
    for (table, columns) in tables {
        let mut body = columns.to_string();
        if sqlite {
            for (t, column, parent, extra) in fks {
                if t == table {
                    body.push_str(&format!(
                        ", FOREIGN KEY ({column}) REFERENCES {}{extra}",
                        target(parent)
                    ));
                }
            }
        }
        schema.push_str(&format!("CREATE TABLE {table} ({body});\n"));
    }
    let mut db = Db::open(&schema)?;
    if sqlite {
        db.exec("PRAGMA foreign_keys = OFF");
    }
    for row in rows {
        db.exec(row);
    }
    if sqlite {
        db.exec("PRAGMA foreign_keys = ON");
    } else {
        for (i, (table, column, parent, extra)) in fks.iter().enumerate() {
            db.exec(&format!(
                "ALTER TABLE {table} ADD CONSTRAINT rv_fk_{i} FOREIGN KEY ({column}) \
                 REFERENCES {}{extra}",
                target(parent)
            ));
        }
    }
    db.log().clear();
    Some(db)
}

fn target(parent: &str) -> String {
    if parent.contains('(') {
        parent.to_owned()
    } else {
        format!("{parent} (id)")
    }
}

fn timestamp<Db: TestDb>() -> &'static str {
    if matches!(Db::BACKEND, "mysql" | "mariadb") {
        "DATETIME(6)"
    } else {
        "TIMESTAMP"
    }
}

// ---------------------------------------------------------------------------------------------
// K1: a composite key of mixed types (i32, String), hooked with whole rows in batches of 2,
// soft-deletable; roots given as keys, as rows, and past the bind limit.
mod mixed_composite {
    use super::*;
    use chrono::NaiveDateTime;
    use deletable::SoftDelete;
    use deletable_tests::backends;
    use diesel::prelude::*;

    mod schema {
        diesel::table! { groups (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
        diesel::table! { memberships (group_id, name) { group_id -> Integer, name -> Text, deleted_at -> Nullable<Timestamp>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = groups)]
    pub struct Group {
        pub id: i32,
        #[soft_delete]
        pub deleted_at: Option<NaiveDateTime>,
    }

    #[derive(Queryable, Selectable, Deletable, Debug, Clone)]
    #[diesel(table_name = memberships, primary_key(group_id, name))]
    #[deletable(hooks, batch_size = 2)]
    pub struct Membership {
        #[on_delete(cascade, references = Group)]
        pub group_id: i32,
        pub name: String,
        #[soft_delete]
        pub deleted_at: Option<NaiveDateTime>,
    }

    thread_local! {
        pub static SEEN: RefCell<Vec<(i32, String)>> = const { RefCell::new(Vec::new()) };
    }

    deletable_tests::hooks! {
        impl for Membership {
            fn before_delete(_, rows: &[Membership]) {
                assert!(rows.len() <= 2);
                SEEN.with(|seen| {
                    seen.borrow_mut()
                        .extend(rows.iter().map(|r| (r.group_id, r.name.clone())))
                });
                Ok(())
            }
        }
    }

    deletable::schema!(Group, Membership);

    fn open_db<Db: TestDb>() -> Option<Db> {
        let ts = timestamp::<Db>();
        let mut db = Db::open(&format!(
            "CREATE TABLE groups (id INTEGER PRIMARY KEY, deleted_at {ts});
             CREATE TABLE memberships (group_id INTEGER NOT NULL REFERENCES groups (id),
                 name VARCHAR(40) NOT NULL, deleted_at {ts}, PRIMARY KEY (group_id, name));"
        ))?;
        db.exec("INSERT INTO groups (id) VALUES (1), (2), (3)");
        db.exec(
            "INSERT INTO memberships (group_id, name) VALUES (1, 'a'), (1, 'B'), (1, 'c'), \
             (1, 'D'), (1, 'e'), (2, 'a'), (2, 'b'), (3, 'x')",
        );
        Some(db)
    }

    fn count_live<Db: TestDb>(db: &mut Db) -> i64 {
        db.pairs("SELECT COUNT(*) AS a, NULL AS b FROM memberships WHERE deleted_at IS NULL")[0].0
    }

    backends! {
        #[test]
        fn k1_mixed_composite_by_ids_rows_and_cascade() {
            let Some(mut db) = open_db::<Db>() else { return };
            SEEN.with(|s| s.borrow_mut().clear());
            let report = Membership::delete_by_ids(
                &[(2, "a".to_string()), (2, "b".to_string()), (9, "a".to_string())],
                db.conn(),
            )
            .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.total(), 2);
            let report = Group::delete_by_ids(&[1], db.conn())
                .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.per_table(), &[("memberships", 5), ("groups", 1)]);
            let mut seen = SEEN.with(|s| s.borrow().clone());
            seen.sort();
            assert_eq!(seen.len(), 7, "{seen:?}");
            assert_eq!(db.count("memberships"), 1);
        }

        #[test]
        fn k1_mixed_composite_row_soft_delete_restore_delete() {
            let Some(mut db) = open_db::<Db>() else { return };
            let row = Membership { group_id: 1, name: "B".into(), deleted_at: None };
            assert_eq!(row.soft_delete(db.conn()).unwrap().total(), 1);
            assert_eq!(count_live(&mut db), 7);
            assert_eq!(row.restore(db.conn()).unwrap().total(), 1);
            assert_eq!(count_live(&mut db), 8);
            let report = Group::soft_delete_by_ids(&[1], db.conn()).unwrap();
            assert_eq!(report.total(), 6, "{report:?}");
            let group = Group { id: 1, deleted_at: None };
            let report = group.restore(db.conn()).unwrap();
            assert_eq!(report.total(), 6, "{report:?}");
            assert_eq!(count_live(&mut db), 8);
            assert_eq!(row.delete(db.conn()).unwrap().total(), 1);
            assert_eq!(db.count("memberships"), 7);
        }

        #[test]
        fn k1_mixed_composite_past_the_bind_limit() {
            let Some(mut db) = open_db::<Db>() else { return };
            let limit = if Db::BACKEND == "sqlite" { 32_766 } else { 65_535 };
            let mut ids: Vec<(i32, String)> = (0..limit / 2 + 10).map(|i| (100 + i, format!("n{i}"))).collect();
            ids.push((1, "a".into()));
            ids.push((1, "D".into()));
            let report = Membership::soft_delete_by_ids(&ids, db.conn())
                .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.total(), 2);
            let report = Membership::delete_by_ids(&ids, db.conn())
                .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.total(), 2);
            assert_eq!(db.count("memberships"), 6);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K2: a String key whose field is not `id` and is renamed to its column, hooked with keys only,
// borrowed keys, a cascade child referencing it, past the bind limit.
mod renamed_string_key {
    use super::*;
    use deletable_tests::backends;

    mod schema {
        diesel::table! { owners (id) { id -> Integer, } }
        diesel::table! { handles (code) { code -> Text, owner_id -> Integer, } }
        diesel::table! { aliases (id) { id -> Integer, handle_code -> Text, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = owners)]
    pub struct Owner {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = handles, primary_key(name))]
    #[deletable(hooks = keys, batch_size = 1)]
    pub struct Handle {
        #[diesel(column_name = code)]
        pub name: String,
        #[on_delete(cascade, references = Owner)]
        pub owner_id: i32,
    }

    thread_local! {
        pub static KEYS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
    }

    deletable_tests::hooks! {
        impl for Handle {
            fn after_delete(_, keys: &[String]) {
                KEYS.with(|k| k.borrow_mut().extend(keys.iter().cloned()));
                Ok(())
            }
        }
    }

    #[derive(Deletable)]
    #[diesel(table_name = aliases)]
    pub struct Alias {
        pub id: i32,
        #[on_delete(cascade, references = Handle)]
        pub handle_code: String,
    }

    deletable::schema!(Owner, Handle, Alias);

    backends! {
        #[test]
        fn k2_renamed_string_key_hooked_keys() {
            let Some(mut db) = build::<Db>(
                &[
                    ("owners", "id INTEGER PRIMARY KEY"),
                    ("handles", "code VARCHAR(40) PRIMARY KEY, owner_id INTEGER NOT NULL"),
                    ("aliases", "id INTEGER PRIMARY KEY, handle_code VARCHAR(40) NOT NULL"),
                ],
                &[("handles", "owner_id", "owners", ""), ("aliases", "handle_code", "handles (code)", "")],
                &[
                    "INSERT INTO owners (id) VALUES (1), (2)",
                    "INSERT INTO handles (code, owner_id) VALUES ('ada', 1), ('bob', 1), ('cy', 1), ('dee', 2), ('eve', 2)",
                    "INSERT INTO aliases (id, handle_code) VALUES (1, 'ada'), (2, 'bob'), (3, 'dee'), (4, 'eve')",
                ],
            ) else { return };
            KEYS.with(|k| k.borrow_mut().clear());
            let report = Handle::delete_by_ids(&["dee"], db.conn())
                .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.per_table(), &[("aliases", 1), ("handles", 1)]);
            let report = Owner::delete_by_ids(&[1], db.conn())
                .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.per_table(), &[("aliases", 2), ("handles", 3), ("owners", 1)]);
            let mut keys = KEYS.with(|k| k.borrow().clone());
            keys.sort();
            assert_eq!(keys, ["ada", "bob", "cy", "dee"]);
            let limit = if Db::BACKEND == "sqlite" { 32_766 } else { 65_535 };
            let mut many: Vec<String> = (0..limit).map(|i| format!("h{i}")).collect();
            many.push("eve".into());
            let borrowed: Vec<&str> = many.iter().map(String::as_str).collect();
            let report = Handle::delete_by_ids(&borrowed, db.conn())
                .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.per_table(), &[("aliases", 1), ("handles", 1)]);
            assert_eq!(db.count("handles"), 0);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// K3: a composite key declared in the model in another order than the table's: hooks with keys
// get the table's order; are they bound as the model's?
mod key_order {
    use super::*;
    use deletable_tests::backends;

    mod schema {
        diesel::table! { things (id) { id -> Integer, } }
        diesel::table! { links (a, b) { a -> Integer, b -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = things)]
    pub struct Thing {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = links, primary_key(b, a))]
    #[deletable(hooks = keys)]
    pub struct Link {
        #[on_delete(cascade, references = Thing)]
        pub a: i32,
        pub b: i32,
    }

    deletable_tests::hooks! {
        impl for Link {}
    }

    deletable::schema!(Thing, Link);

    backends! {
        #[test]
        fn k3_model_key_order_differs_from_table() {
            let Some(mut db) = build::<Db>(
                &[
                    ("things", "id INTEGER PRIMARY KEY"),
                    ("links", "a INTEGER NOT NULL, b INTEGER NOT NULL, PRIMARY KEY (a, b)"),
                ],
                &[],
                &[
                    "INSERT INTO things (id) VALUES (1), (2)",
                    "INSERT INTO links (a, b) VALUES (1, 2), (2, 1)",
                ],
            ) else { return };
            let report = Thing::delete_by_ids(&[1], db.conn())
                .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            let left = db.pairs("SELECT a AS a, b AS b FROM links ORDER BY a");
            assert_eq!(left, [(2, Some(1))], "{}: report {report:?}", Db::BACKEND);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// P1: a loop of three siblings: a -> b and b -> c NOT NULL do_nothing, c -> a nullable restrict;
// hooks on c. The order must give way on c.a_id only.
mod loop3_nullable {
    use super::*;
    use deletable_tests::backends;

    mod schema {
        diesel::table! { r (id) { id -> Integer, } }
        diesel::table! { a (id) { id -> Integer, r_id -> Integer, b_id -> Integer, } }
        diesel::table! { b (id) { id -> Integer, r_id -> Integer, c_id -> Integer, } }
        diesel::table! { c (id) { id -> Integer, r_id -> Integer, a_id -> Nullable<Integer>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = r)]
    pub struct R {
        id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = a)]
    pub struct A {
        id: i32,
        #[on_delete(cascade, references = R)]
        r_id: i32,
        #[on_delete(do_nothing, references = B)]
        b_id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = b)]
    pub struct B {
        id: i32,
        #[on_delete(cascade, references = R)]
        r_id: i32,
        #[on_delete(do_nothing, references = C)]
        c_id: i32,
    }
    #[derive(diesel::Queryable, diesel::Selectable, Deletable, Debug)]
    #[diesel(table_name = c)]
    #[deletable(hooks, batch_size = 1)]
    pub struct C {
        id: i32,
        #[on_delete(cascade, references = R)]
        r_id: i32,
        #[on_delete(restrict, references = A)]
        a_id: Option<i32>,
    }
    deletable_tests::hooks! {
        impl for C {}
    }
    deletable::schema!(C, B, A, R);

    backends! {
        #[test]
        fn p1_three_table_loop_gives_way_on_the_nullable_key() {
            println!("{:#}", R::plan());
            let Some(mut db) = build::<Db>(
                &[
                    ("r", "id INTEGER PRIMARY KEY"),
                    ("a", "id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL, b_id INTEGER NOT NULL"),
                    ("b", "id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL, c_id INTEGER NOT NULL"),
                    ("c", "id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL, a_id INTEGER"),
                ],
                &[
                    ("a", "r_id", "r", ""), ("b", "r_id", "r", ""), ("c", "r_id", "r", ""),
                    ("a", "b_id", "b", ""), ("b", "c_id", "c", ""), ("c", "a_id", "a", ""),
                ],
                &[
                    "INSERT INTO r (id) VALUES (1), (2)",
                    "INSERT INTO a (id, r_id, b_id) VALUES (1, 1, 1), (2, 2, 2)",
                    "INSERT INTO b (id, r_id, c_id) VALUES (1, 1, 1), (2, 2, 2)",
                    "INSERT INTO c (id, r_id, a_id) VALUES (1, 1, 1), (2, 2, 2)",
                ],
            ) else { return };
            let report = R::delete_by_ids(&[1], db.conn())
                .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.total(), 4);
            assert_eq!(db.ids("c"), [2]);
        }
    }
}

// P2: a loop with set_null: a.b_id -> b set_null, b.c_id -> c NOT NULL do_nothing, c.a_id -> a
// NOT NULL restrict, and a second key between a and b (nullable do_nothing).
mod loop3_set_null {
    use super::*;
    use deletable_tests::backends;

    mod schema {
        diesel::table! { r (id) { id -> Integer, } }
        diesel::table! { a (id) { id -> Integer, r_id -> Integer, b_id -> Nullable<Integer>, b2_id -> Nullable<Integer>, } }
        diesel::table! { b (id) { id -> Integer, r_id -> Integer, c_id -> Integer, } }
        diesel::table! { c (id) { id -> Integer, r_id -> Integer, a_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = r)]
    pub struct R {
        id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = a)]
    pub struct A {
        id: i32,
        #[on_delete(cascade, references = R)]
        r_id: i32,
        #[on_delete(set_null, references = B)]
        b_id: Option<i32>,
        #[on_delete(do_nothing, references = B)]
        b2_id: Option<i32>,
    }
    #[derive(Deletable)]
    #[diesel(table_name = b)]
    #[deletable(hooks = keys)]
    pub struct B {
        id: i32,
        #[on_delete(cascade, references = R)]
        r_id: i32,
        #[on_delete(do_nothing, references = C)]
        c_id: i32,
    }
    deletable_tests::hooks! {
        impl for B {}
    }
    #[derive(Deletable)]
    #[diesel(table_name = c)]
    pub struct C {
        id: i32,
        #[on_delete(cascade, references = R)]
        r_id: i32,
        #[on_delete(restrict, references = A)]
        a_id: i32,
    }
    deletable::schema!(A, B, C, R);

    backends! {
        #[test]
        fn p2_three_table_loop_with_set_null_and_two_keys() {
            println!("{:#}", R::plan());
            let Some(mut db) = build::<Db>(
                &[
                    ("r", "id INTEGER PRIMARY KEY"),
                    ("a", "id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL, b_id INTEGER, b2_id INTEGER"),
                    ("b", "id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL, c_id INTEGER NOT NULL"),
                    ("c", "id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL, a_id INTEGER NOT NULL"),
                ],
                &[
                    ("a", "r_id", "r", ""), ("b", "r_id", "r", ""), ("c", "r_id", "r", ""),
                    ("a", "b_id", "b", ""), ("a", "b2_id", "b", ""), ("b", "c_id", "c", ""), ("c", "a_id", "a", ""),
                ],
                &[
                    "INSERT INTO r (id) VALUES (1), (2)",
                    "INSERT INTO a (id, r_id, b_id, b2_id) VALUES (1, 1, 1, 1), (2, 2, 2, 2)",
                    "INSERT INTO b (id, r_id, c_id) VALUES (1, 1, 1), (2, 2, 2)",
                    "INSERT INTO c (id, r_id, a_id) VALUES (1, 1, 1), (2, 2, 2)",
                ],
            ) else { return };
            let report = R::delete_by_ids(&[1], db.conn())
                .unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.total(), 4);
            assert_eq!(db.ids("a"), [2]);
        }
    }
}

// ---------------------------------------------------------------------------------------------
// A1: two NOT NULL loop keys from `users` into `comments`: `pinned_comment_id` (restrict,
// deferred where possible) and `alt_comment_id` (do_nothing, immediate). The failure is
// `alt_comment_id`'s; the error must name it, not the deferred key.
mod loop_two_keys_same_table {
    use super::*;
    use deletable_tests::backends;

    mod schema {
        diesel::table! { users (id) { id -> Integer, pinned_comment_id -> Integer, alt_comment_id -> Integer, } }
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
        #[on_delete(do_nothing, references = Comment)]
        alt_comment_id: i32,
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

    backends! {
        #[test]
        fn a1_loop_error_names_the_key_that_failed() {
            if !matches!(Db::BACKEND, "sqlite" | "postgres") {
                return;
            }
            let Some(mut db) = build::<Db>(
                &[
                    ("users", "id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL, alt_comment_id INTEGER NOT NULL"),
                    ("posts", "id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL"),
                    ("comments", "id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL"),
                ],
                &[
                    ("posts", "user_id", "users", ""),
                    ("comments", "post_id", "posts", ""),
                    ("users", "pinned_comment_id", "comments", " DEFERRABLE INITIALLY DEFERRED"),
                    ("users", "alt_comment_id", "comments", ""),
                ],
                &[
                    "INSERT INTO users (id, pinned_comment_id, alt_comment_id) VALUES (1, 1, 1)",
                    "INSERT INTO posts (id, user_id) VALUES (1, 1)",
                    "INSERT INTO comments (id, post_id) VALUES (1, 1)",
                ],
            ) else { return };
            let result = User::delete_by_ids(&[1], db.conn());
            match result {
                Err(DeleteError::ReferenceLoop { column, .. }) => {
                    assert_eq!(column, "alt_comment_id", "{}", Db::BACKEND)
                }
                Err(DeleteError::Database(_)) => {}
                other => panic!("{}: {other:?}", Db::BACKEND),
            }
        }
    }
}

// A2: SQLite reads the loop key's CREATE TABLE text. A loop key the database does not declare at
// all (or declares deferred over several lines) is blamed for another table's immediate key.
mod sqlite_loop_text {
    use super::*;

    mod schema {
        diesel::table! { users (id) { id -> Integer, pinned_comment_id -> Integer, } }
        diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
        diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
        diesel::table! { flags (id) { id -> Integer, comment_id -> Integer, } }
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
    #[derive(Deletable)]
    #[diesel(table_name = flags)]
    pub struct Flag {
        id: i32,
        #[on_delete(do_nothing, references = Comment)]
        comment_id: i32,
    }
    deletable::schema!(User, Post, Comment, Flag);

    fn run(users_ddl: &str) -> Result<deletable::DeleteReport, DeleteError> {
        let Some(mut db) = <deletable_tests::SqliteDb as TestDb>::open(&format!(
            "{users_ddl};
             CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
             CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));
             CREATE TABLE flags (id INTEGER PRIMARY KEY, comment_id INTEGER NOT NULL REFERENCES comments (id));"
        )) else {
            panic!("sqlite")
        };
        db.exec("PRAGMA foreign_keys = OFF");
        db.exec("INSERT INTO users (id, pinned_comment_id) VALUES (1, 1)");
        db.exec("INSERT INTO posts (id, user_id) VALUES (1, 1)");
        db.exec("INSERT INTO comments (id, post_id) VALUES (1, 1)");
        db.exec("INSERT INTO flags (id, comment_id) VALUES (1, 1)");
        db.exec("PRAGMA foreign_keys = ON");
        User::delete_by_ids(&[1], db.conn())
    }

    #[test]
    fn a2_undeclared_loop_key_is_not_blamed() {
        let result =
            run("CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL)");
        assert!(
            matches!(result, Err(DeleteError::Database(_))),
            "{result:?}"
        );
    }

    #[test]
    fn a2_deferred_over_two_lines_is_not_blamed() {
        let result = run(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL
                 REFERENCES comments (id) DEFERRABLE
                 INITIALLY DEFERRED)",
        );
        assert!(
            matches!(result, Err(DeleteError::Database(_))),
            "{result:?}"
        );
    }

    #[test]
    fn a2_defer_foreign_keys_pragma() {
        // The whole loop deleted at once, every key deferred by the session.
        let Some(mut db) = <deletable_tests::SqliteDb as TestDb>::open(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL REFERENCES comments (id));
             CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
             CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));
             CREATE TABLE flags (id INTEGER PRIMARY KEY, comment_id INTEGER NOT NULL REFERENCES comments (id));",
        ) else {
            panic!("sqlite")
        };
        db.exec("PRAGMA foreign_keys = OFF");
        db.exec("INSERT INTO users (id, pinned_comment_id) VALUES (1, 1)");
        db.exec("INSERT INTO posts (id, user_id) VALUES (1, 1)");
        db.exec("INSERT INTO comments (id, post_id) VALUES (1, 1)");
        db.exec("PRAGMA foreign_keys = ON");
        db.exec("PRAGMA defer_foreign_keys = ON");
        let result = User::delete_by_ids(&[1], db.conn());
        assert!(result.is_ok(), "{result:?}");
        assert_eq!(db.count("comments"), 0);
    }
}

/// The issue's loop with a `NOT NULL` `restrict` key, `users.pinned_comment_id -> comments`: the
/// models of A3 and A4.
mod pinned {
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
}

// A3: a race under a NOT NULL immediate loop key: another connection inserts a user pinning a
// comment being deleted, between the checks and the comments' delete. That is a race (retried,
// then restricted by the new user), not a loop of the data.
mod race_on_loop_key {
    use super::*;
    use deletable_tests::backends;
    use diesel::prelude::*;

    use super::pinned::User;

    backends! {
        #[test]
        fn a3_race_on_a_not_null_loop_key_is_retried() {
            if Db::BACKEND == "sqlite" {
                return;
            }
            let Some(mut db) = build::<Db>(
                &[
                    ("users", "id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL"),
                    ("posts", "id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL"),
                    ("comments", "id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL"),
                ],
                &[
                    ("posts", "user_id", "users", ""),
                    ("comments", "post_id", "posts", ""),
                    ("users", "pinned_comment_id", "comments", ""),
                ],
                &[
                    "INSERT INTO users (id, pinned_comment_id) VALUES (1, 2), (2, 2)",
                    "INSERT INTO posts (id, user_id) VALUES (1, 1), (2, 2)",
                    "INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 2)",
                ],
            ) else { return };
            let mut other = db.connect_again();
            if matches!(Db::BACKEND, "mysql" | "mariadb") {
                diesel::sql_query("SET innodb_lock_wait_timeout = 1").execute(&mut other).unwrap();
            }
            let (write, outcome) = deletable_tests::WriteBefore::new(
                "comments",
                "INSERT INTO users (id, pinned_comment_id) VALUES (3, 1)",
                other,
            );
            db.conn().set_instrumentation(write);
            let result = User::delete_by_ids(&[1], db.conn());
            let raced = outcome.lock().unwrap().clone();
            println!("{}: raced {raced:?}", Db::BACKEND);
            if raced == Some(Ok(())) {
                assert!(
                    matches!(result, Err(DeleteError::Restricted { .. })),
                    "{}: {result:?}",
                    Db::BACKEND
                );
            }
        }
    }
}

// A4: PostgreSQL: a table of the same name in another schema, with an immediate key to a
// comment being deleted; the loop key is deferred. The error is that table's, not a loop.
mod other_schema_same_name {
    use super::*;
    use deletable_tests::backends;

    use super::pinned::User;

    backends! {
        #[test]
        fn a4_same_name_in_another_schema_is_not_the_loop() {
            if Db::BACKEND != "postgres" {
                return;
            }
            let Some(mut db) = build::<Db>(
                &[
                    ("users", "id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL"),
                    ("posts", "id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL"),
                    ("comments", "id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL"),
                ],
                &[
                    ("posts", "user_id", "users", ""),
                    ("comments", "post_id", "posts", ""),
                    ("users", "pinned_comment_id", "comments", " DEFERRABLE INITIALLY DEFERRED"),
                ],
                &[
                    "INSERT INTO users (id, pinned_comment_id) VALUES (1, 1)",
                    "INSERT INTO posts (id, user_id) VALUES (1, 1)",
                    "INSERT INTO comments (id, post_id) VALUES (1, 1)",
                ],
            ) else { return };
            let other = deletable_tests::unique_name();
            db.exec(&format!(
                "CREATE SCHEMA {other}; \
                 CREATE TABLE {other}.users (id INTEGER PRIMARY KEY, comment_id INTEGER REFERENCES comments (id)); \
                 INSERT INTO {other}.users VALUES (1, 1)"
            ));
            let result = User::delete_by_ids(&[1], db.conn());
            db.exec(&format!("DROP SCHEMA {other} CASCADE"));
            assert!(matches!(result, Err(DeleteError::Database(_))), "{result:?}");
        }
    }
}
