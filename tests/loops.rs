//! Loops through a non-acting key (issue 13, bug 14): `users` ← `posts` (cascade) ← `comments`
//! (cascade), and `users.pinned_comment_id → comments` with `restrict`, `do_nothing` or
//! `set_default`. Deleting a user deletes its comments before the user, so a user that pins one of
//! its own comments references a row that is already gone while it waits for its own delete.
//!
//! What must hold, on every backend, under immediate and deferred constraints:
//! - a nullable key is cleared on the users being deleted before their comments go: the delete
//!   succeeds everywhere, with Django's result;
//! - `set_default` moves the reference first: succeeds everywhere;
//! - a `NOT NULL` `restrict`/`do_nothing` key succeeds where the constraint is deferred
//!   (PostgreSQL and SQLite `DEFERRABLE INITIALLY DEFERRED`, Django's own DDL); where it is checked
//!   immediately, the delete fails with [`DeleteError::ReferenceLoop`] naming the loop, and no row
//!   has changed;
//! - the loop does not hide real blockers: a user outside the delete that pins a deleted comment
//!   still blocks a `restrict` key, and still fails a `do_nothing` key's constraint.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use deletable::{DeleteError, DeleteReport};
use deletable_tests::TestDb;

/// How the database declares `users.pinned_comment_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Checked {
    Immediately,
    Deferred,
}

/// The tables, filled, with `users.pinned_comment_id` declared `checked` (added after the rows,
/// which reference each other in a loop). `None` when the backend has no such constraint
/// (MySQL and MariaDB have no deferred foreign keys).
///
/// Users 0-3 (and 4 with no pin, when the key is nullable); user 1 has posts 1 and 2 with
/// comments 1, 2 (post 1) and 3 (post 2), user 2 post 3 with comment 4, user 3 post 4 with
/// comment 5, user 0 post 0 with comment 0 (the `set_default` value). Users 0, 1 and 2 pin their
/// own comment (0, 2, 4); user 3 pins `user_3_pins`.
fn open_filled<Db: TestDb>(nullable: bool, checked: Checked, user_3_pins: i32) -> Option<Db> {
    let deferred = match checked {
        Checked::Immediately => "",
        Checked::Deferred => " DEFERRABLE INITIALLY DEFERRED",
    };
    if checked == Checked::Deferred && !matches!(Db::BACKEND, "sqlite" | "postgres") {
        return None;
    }
    let null = if nullable { "" } else { " NOT NULL" };
    let sqlite = Db::BACKEND == "sqlite";
    // SQLite cannot add a constraint to a table: it is declared up front, and the rows go in
    // with foreign keys off.
    let inline_key = if sqlite {
        format!(" REFERENCES comments (id){deferred}")
    } else {
        String::new()
    };
    let mut db = Db::open(&format!(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER{null}{inline_key});
         CREATE TABLE posts (id INTEGER PRIMARY KEY,
             user_id INTEGER NOT NULL REFERENCES users (id));
         CREATE TABLE comments (id INTEGER PRIMARY KEY,
             post_id INTEGER NOT NULL REFERENCES posts (id));"
    ))?;
    if sqlite {
        db.exec("PRAGMA foreign_keys = OFF");
    }
    let mut users = format!("(0, 0), (1, 2), (2, 4), (3, {user_3_pins})");
    if nullable {
        users.push_str(", (4, NULL)");
    }
    db.exec(&format!(
        "INSERT INTO users (id, pinned_comment_id) VALUES {users}"
    ));
    let mut posts = "(0, 0), (1, 1), (2, 1), (3, 2), (4, 3)".to_string();
    let mut comments = "(0, 0), (1, 1), (2, 1), (3, 2), (4, 3), (5, 4)".to_string();
    if nullable {
        posts.push_str(", (5, 4)");
        comments.push_str(", (6, 5)");
    }
    db.exec(&format!("INSERT INTO posts (id, user_id) VALUES {posts}"));
    db.exec(&format!(
        "INSERT INTO comments (id, post_id) VALUES {comments}"
    ));
    if sqlite {
        db.exec("PRAGMA foreign_keys = ON");
    } else {
        db.exec(&format!(
            "ALTER TABLE users ADD CONSTRAINT users_pinned FOREIGN KEY (pinned_comment_id) \
             REFERENCES comments (id){deferred}"
        ));
    }
    db.log().clear();
    Some(db)
}

/// Every row of the three tables, to compare before and after.
fn rows<Db: TestDb>(db: &mut Db) -> Vec<Vec<(i64, Option<i64>)>> {
    vec![
        db.pairs("SELECT id AS a, pinned_comment_id AS b FROM users ORDER BY id"),
        db.pairs("SELECT id AS a, user_id AS b FROM posts ORDER BY id"),
        db.pairs("SELECT id AS a, post_id AS b FROM comments ORDER BY id"),
    ]
}

/// User 1 and exactly what it reaches are gone; the others are as they were, `set_default` aside.
fn assert_user_1_deleted<Db: TestDb>(db: &mut Db, report: &DeleteReport, nullable: bool) {
    assert_eq!(
        report.per_table(),
        &[("comments", 3), ("posts", 2), ("users", 1)]
    );
    let (users, posts, comments): (&[i64], &[i64], &[i64]) = if nullable {
        (&[0, 2, 3, 4], &[0, 3, 4, 5], &[0, 4, 5, 6])
    } else {
        (&[0, 2, 3], &[0, 3, 4], &[0, 4, 5])
    };
    assert_eq!(db.ids("users"), users);
    assert_eq!(db.ids("posts"), posts);
    assert_eq!(db.ids("comments"), comments);
}

/// The error of a `NOT NULL` loop checked immediately: it names the key and the loop, and says
/// what to change.
fn assert_reference_loop(error: &DeleteError, action: &str) {
    match error {
        DeleteError::ReferenceLoop {
            table,
            column,
            action: rule,
            parent_table,
            path,
            ..
        } => {
            assert_eq!(
                (*table, *column, rule.name(), *parent_table),
                ("users", "pinned_comment_id", action, "comments")
            );
            assert_eq!(path, &["users", "posts", "comments"]);
            let message = error.to_string();
            for advice in ["DEFERRABLE INITIALLY DEFERRED", "nullable", "set_null"] {
                assert!(message.contains(advice), "{message}");
            }
        }
        other => panic!("expected a reference loop, got {other:?}"),
    }
}

macro_rules! loop_suite {
    ($module:ident, $rule:ident $(= $default:literal)?, $pinned_sql:ty, $pinned:ty, $nullable:expr) => {
        mod $module {
            use super::*;
            use deletable::Deletable;
            use deletable_tests::backends;

            mod schema {
                diesel::table! { users (id) { id -> Integer, pinned_comment_id -> $pinned_sql, } }
                diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
                diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
            }
            use schema::*;

            #[derive(Deletable)]
            #[diesel(table_name = users)]
            pub struct User {
                id: i32,
                #[on_delete($rule $(= $default)?, references = Comment)]
                pinned_comment_id: $pinned,
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

            const RULE: &str = stringify!($rule);
            const NULLABLE: bool = $nullable;

            /// Whether deleting a user that pins its own comment fails as a loop.
            fn fails_as_a_loop(checked: Checked) -> bool {
                RULE != "set_default" && !NULLABLE && checked == Checked::Immediately
            }

            backends! {
                #[test]
                fn a_user_pinning_its_own_comment_is_deleted_or_refused_whole() {
                    for checked in [Checked::Immediately, Checked::Deferred] {
                        let Some(mut db) = open_filled::<Db>(NULLABLE, checked, 0) else {
                            continue;
                        };
                        let before = rows(&mut db);
                        // The preview foresees the loop, or counts what the delete then does.
                        let preview = User::preview_delete_by_ids(&[1], db.conn()).unwrap();
                        assert_eq!(rows(&mut db), before, "the preview changed a row");
                        let result = User::delete_by_ids(&[1], db.conn());
                        if fails_as_a_loop(checked) {
                            let error = result.unwrap_err();
                            assert_reference_loop(&error, RULE);
                            assert_eq!(preview.loops().len(), 1, "{checked:?}: {preview}");
                            let previewed = preview.blocking_error().expect("a blocked preview");
                            assert_eq!(previewed.to_string(), error.to_string());
                            assert_eq!(rows(&mut db), before, "{checked:?}");
                        } else {
                            let report = result.unwrap_or_else(|e| panic!("{checked:?}: {e}"));
                            assert!(!preview.is_blocked(), "{checked:?}: {preview}");
                            assert_eq!(report.per_table(), preview.rows().per_table());
                            assert_user_1_deleted(&mut db, &report, NULLABLE);
                            if RULE == "set_default" {
                                // Only users still pinning a deleted comment moved: none remain.
                                assert_eq!(
                                    db.pairs("SELECT id AS a, pinned_comment_id AS b FROM users WHERE id IN (2, 3) ORDER BY id"),
                                    [(2, Some(4)), (3, Some(0))]
                                );
                            }
                        }
                    }
                }

                #[test]
                fn several_users_each_in_a_loop_go_together() {
                    // By keys, and by a filter (its roots in a temporary table: on MySQL one copy
                    // per reference, the loop's count included).
                    for (checked, by_filter) in [
                        (Checked::Immediately, false),
                        (Checked::Deferred, false),
                        (Checked::Immediately, true),
                        (Checked::Deferred, true),
                    ] {
                        let Some(mut db) = open_filled::<Db>(NULLABLE, checked, 5) else {
                            continue;
                        };
                        let before = rows(&mut db);
                        let result = if by_filter {
                            use diesel::ExpressionMethods;
                            User::delete_where(users::id.between(1, 3), db.conn())
                        } else {
                            User::delete_by_ids(&[1, 2, 3], db.conn())
                        };
                        if fails_as_a_loop(checked) {
                            assert!(
                                matches!(result, Err(DeleteError::ReferenceLoop { .. })),
                                "{result:?}"
                            );
                            assert_eq!(rows(&mut db), before, "{checked:?}");
                        } else {
                            let report = result.unwrap_or_else(|e| panic!("{checked:?}: {e}"));
                            assert_eq!(
                                report.per_table(),
                                &[("comments", 5), ("posts", 4), ("users", 3)]
                            );
                            assert_eq!(db.ids("comments"), if NULLABLE { vec![0, 6] } else { vec![0] });
                            assert_eq!(db.ids("users"), if NULLABLE { vec![0, 4] } else { vec![0] });
                        }
                    }
                }

                /// User 3, which the delete does not reach, pins user 1's comment 1: the loop
                /// handling must not let that reference through.
                #[test]
                fn a_user_outside_the_delete_still_counts() {
                    for checked in [Checked::Immediately, Checked::Deferred] {
                        let Some(mut db) = open_filled::<Db>(NULLABLE, checked, 1) else {
                            continue;
                        };
                        let before = rows(&mut db);
                        let result = User::delete_by_ids(&[1], db.conn());
                        match RULE {
                            "restrict" => match &result {
                                Err(DeleteError::Restricted { blockers, .. }) => {
                                    assert_eq!(blockers.len(), 1, "{blockers:?}");
                                    assert_eq!(blockers[0].table, "users");
                                    assert_eq!(blockers[0].keys, ["3"]);
                                }
                                other => panic!("{checked:?}: expected restricted, got {other:?}"),
                            },
                            "do_nothing" => assert!(result.is_err(), "{checked:?}: {result:?}"),
                            _ => {
                                let report = result.unwrap_or_else(|e| panic!("{checked:?}: {e}"));
                                assert_user_1_deleted(&mut db, &report, NULLABLE);
                                assert_eq!(
                                    db.pairs("SELECT id AS a, pinned_comment_id AS b FROM users WHERE id = 3"),
                                    [(3, Some(0))]
                                );
                                continue;
                            }
                        }
                        assert_eq!(rows(&mut db), before, "{checked:?}");
                    }
                }
            }
        }
    };
}

loop_suite!(
    nullable_restrict,
    restrict,
    Nullable<Integer>,
    Option<i32>,
    true
);
loop_suite!(
    nullable_do_nothing,
    do_nothing,
    Nullable<Integer>,
    Option<i32>,
    true
);
loop_suite!(
    nullable_set_default,
    set_default = 0,
    Nullable<Integer>,
    Option<i32>,
    true
);
loop_suite!(not_null_restrict, restrict, Integer, i32, false);
loop_suite!(not_null_do_nothing, do_nothing, Integer, i32, false);
loop_suite!(not_null_set_default, set_default = 0, Integer, i32, false);

/// A `NOT NULL` key of a table to itself, rows deleted together (category 1 is its own parent,
/// 2 and 3 hang below it): one statement on SQLite and PostgreSQL, which check at its end; on
/// MySQL and MariaDB, which check each row as it goes, a reference loop, and nothing changes.
mod not_null_self_reference {
    use deletable::{Deletable, DeleteError};
    use deletable_tests::{backends, open, TestDb};

    mod schema {
        diesel::table! { categories (id) { id -> Integer, parent_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = categories)]
    pub struct Category {
        id: i32,
        #[on_delete(restrict, references = Self)]
        parent_id: i32,
    }

    deletable::schema!(Category);

    backends! {
        #[test]
        fn a_chain_deleted_together_goes_or_is_refused_whole() {
            let mut db = open!(
                "CREATE TABLE categories (id INTEGER PRIMARY KEY, parent_id INTEGER NOT NULL,
                     FOREIGN KEY (parent_id) REFERENCES categories (id))"
            );
            db.exec("INSERT INTO categories (id, parent_id) VALUES (1, 1), (2, 1), (3, 2), (4, 4)");
            let result = Category::delete_by_ids(&[1, 2, 3], db.conn());
            if matches!(Db::BACKEND, "sqlite" | "postgres") {
                assert_eq!(result.unwrap().per_table(), &[("categories", 3)]);
                assert_eq!(db.ids("categories"), [4]);
            } else {
                match result {
                    Err(DeleteError::ReferenceLoop { table, column, parent_table, path, .. }) => {
                        assert_eq!((table, column, parent_table), ("categories", "parent_id", "categories"));
                        assert_eq!(path, ["categories", "categories"]);
                    }
                    other => panic!("expected a reference loop, got {other:?}"),
                }
                assert_eq!(db.ids("categories"), [1, 2, 3, 4]);
            }
        }
    }
}

/// PostgreSQL: a `NOT NULL` loop key declared `DEFERRABLE INITIALLY IMMEDIATE` is the session's
/// to defer. Left immediate, the database refuses the delete (its own error, nothing changed);
/// deferred by `SET CONSTRAINTS ALL DEFERRED` in the caller's transaction, the delete goes.
#[cfg(feature = "postgres")]
mod postgres_deferrable_initially_immediate {
    use super::not_null_restrict::User;
    use super::rows;
    use deletable::{Deletable, DeleteError};
    use deletable_tests::{PgDb, TestDb};
    use diesel::connection::SimpleConnection;
    use diesel::Connection;

    fn open() -> Option<PgDb> {
        let db = PgDb::open(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL);
             CREATE TABLE posts (id INTEGER PRIMARY KEY,
                 user_id INTEGER NOT NULL REFERENCES users (id));
             CREATE TABLE comments (id INTEGER PRIMARY KEY,
                 post_id INTEGER NOT NULL REFERENCES posts (id));
             INSERT INTO users (id, pinned_comment_id) VALUES (1, 1);
             INSERT INTO posts (id, user_id) VALUES (1, 1);
             INSERT INTO comments (id, post_id) VALUES (1, 1);
             ALTER TABLE users ADD CONSTRAINT users_pinned FOREIGN KEY (pinned_comment_id)
                 REFERENCES comments (id) DEFERRABLE INITIALLY IMMEDIATE;",
        )?;
        db.log().clear();
        Some(db)
    }

    #[test]
    fn left_immediate_the_database_refuses() {
        let Some(mut db) = open() else { return };
        let before = rows(&mut db);
        let result = User::delete_by_ids(&[1], db.conn());
        assert!(
            matches!(result, Err(DeleteError::Database(_))),
            "{result:?}"
        );
        assert_eq!(rows(&mut db), before);
    }

    #[test]
    fn deferred_by_the_session_the_delete_goes() {
        let Some(mut db) = open() else { return };
        let report = db
            .conn()
            .transaction(|conn| {
                conn.batch_execute("SET CONSTRAINTS ALL DEFERRED")?;
                User::delete_by_ids(&[1], conn)
            })
            .unwrap();
        assert_eq!(
            report.per_table(),
            &[("comments", 1), ("posts", 1), ("users", 1)]
        );
        assert_eq!(db.count("users"), 0);
    }
}
