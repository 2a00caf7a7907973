//! Inputs an adversarial review of the data-safety work (issue 13) tried: each module is one
//! scenario, and each of R1-R4 and R6 failed before its fix (a table left to PostgreSQL's cascade
//! beside a key to a sibling; a loop error pinned on the wrong key; siblings whose keys give way in
//! the wrong order; a tree's restore reviving a row under a soft-deleted parent).

#![allow(dead_code)]

use deletable::{Deletable, DeleteError};
use deletable_tests::TestDb;

/// Adds a foreign key after the rows are in (PostgreSQL, MySQL, MariaDB); SQLite declares it
/// inline instead.
fn add_fk<Db: TestDb>(db: &mut Db, table: &str, column: &str, parent: &str, extra: &str) {
    if Db::BACKEND != "sqlite" {
        db.exec(&format!(
            "ALTER TABLE {table} ADD CONSTRAINT {table}_{column}_fk FOREIGN KEY ({column}) \
             REFERENCES {parent} (id){extra}"
        ));
    }
}

/// R1/R2: PostgreSQL leaves `l` to its own `ON DELETE CASCADE` (via `p`), but `l` has a second,
/// non-cascading key to `q`, a sibling of `p`. The schema lists `Q` before `P`, so `q` goes before
/// `p`: `l`'s rows still exist (the database only deletes them with `p`).
mod db_cascade_sibling {
    use super::*;
    use deletable_tests::backends;

    mod schema {
        diesel::table! { r (id) { id -> Integer, } }
        diesel::table! { q (id) { id -> Integer, r_id -> Integer, } }
        diesel::table! { p (id) { id -> Integer, r_id -> Integer, } }
        diesel::table! { l (id) { id -> Integer, p_id -> Integer, q_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = r)]
    pub struct R {
        id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = q)]
    pub struct Q {
        id: i32,
        #[on_delete(cascade, references = R)]
        r_id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = p)]
    pub struct P {
        id: i32,
        #[on_delete(cascade, references = R)]
        r_id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = l)]
    pub struct L {
        id: i32,
        #[on_delete(cascade, references = P)]
        p_id: i32,
        #[on_delete(do_nothing, references = Q)]
        q_id: i32,
    }
    deletable::schema!(R, Q, P, L);

    fn open_with<Db: TestDb>(l_p: &str, l_q: &str) -> Option<Db> {
        let mut db = Db::open(&format!(
            "CREATE TABLE r (id INTEGER PRIMARY KEY);
             CREATE TABLE q (id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL REFERENCES r (id));
             CREATE TABLE p (id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL REFERENCES r (id));
             CREATE TABLE l (id INTEGER PRIMARY KEY,
                 p_id INTEGER NOT NULL REFERENCES p (id) {l_p},
                 q_id INTEGER NOT NULL REFERENCES q (id) {l_q});"
        ))?;
        db.exec("INSERT INTO r (id) VALUES (1), (2)");
        db.exec("INSERT INTO q (id, r_id) VALUES (1, 1), (2, 2)");
        db.exec("INSERT INTO p (id, r_id) VALUES (1, 1), (2, 2)");
        db.exec("INSERT INTO l (id, p_id, q_id) VALUES (1, 1, 1), (2, 2, 2)");
        db.log().clear();
        Some(db)
    }

    backends! {
        /// R1: `l.p_id ON DELETE CASCADE`, `l.q_id` plain. Without the declared cascade this
        /// delete works on every backend; with it, PostgreSQL deletes `q` while `l` still points
        /// at it.
        #[test]
        fn a_declared_cascade_beside_a_key_to_a_sibling_deletes() {
            println!("{:#}", R::plan());
            let Some(mut db) = open_with::<Db>("ON DELETE CASCADE", "") else { return };
            let result = R::delete_by_ids(&[1], db.conn());
            let report = result.unwrap_or_else(|e| panic!("{}: {e:?}", Db::BACKEND));
            assert_eq!(report.per_table(), &[("l", 1), ("q", 1), ("p", 1), ("r", 1)]);
            assert_eq!(db.ids("l"), [2]);
        }

        /// Control for R1: the same with no declared cascade.
        #[test]
        fn the_same_delete_without_a_declared_cascade() {
            let Some(mut db) = open_with::<Db>("", "") else { return };
            let report = R::delete_by_ids(&[1], db.conn()).unwrap();
            assert_eq!(report.per_table(), &[("l", 1), ("q", 1), ("p", 1), ("r", 1)]);
        }

        /// R2: both keys of `l` declared `ON DELETE CASCADE` in the database (the model says
        /// `do_nothing` on `q_id`: left to the database). Row l1 is reached through p1: the
        /// report must count it, but PostgreSQL deletes it in `q`'s statement, which is not
        /// counted.
        #[test]
        fn a_table_also_cascaded_from_a_sibling_is_counted() {
            let Some(mut db) =
                open_with::<Db>("ON DELETE CASCADE", "ON DELETE CASCADE") else { return };
            let report = R::delete_by_ids(&[1], db.conn()).unwrap();
            assert_eq!(db.ids("l"), [2]);
            assert_eq!(report.count("l"), 1, "{:?}", report.per_table());
        }
    }
}

/// R3a: a deferred `NOT NULL` loop key (`users.pinned_comment_id -> comments`, restrict) and an
/// unrelated immediate `do_nothing` key (`flags.comment_id -> comments`) that really fails the
/// delete: the error must be the database's, not a `ReferenceLoop` blaming the deferred key.
mod loop_misattribution {
    use super::*;
    use deletable_tests::{backends, open};

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

    backends! {
        #[test]
        fn an_unrelated_key_failure_is_not_a_reference_loop() {
            if !matches!(Db::BACKEND, "sqlite" | "postgres") {
                return; // no deferred keys
            }
            let sqlite = Db::BACKEND == "sqlite";
            let inline = if sqlite {
                " REFERENCES comments (id) DEFERRABLE INITIALLY DEFERRED"
            } else {
                ""
            };
            let mut db = open!(&format!(
                "CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER NOT NULL{inline});
                 CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id));
                 CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));
                 CREATE TABLE flags (id INTEGER PRIMARY KEY, comment_id INTEGER NOT NULL REFERENCES comments (id));"
            ));
            if sqlite {
                db.exec("PRAGMA foreign_keys = OFF");
            }
            db.exec("INSERT INTO users (id, pinned_comment_id) VALUES (1, 1)");
            db.exec("INSERT INTO posts (id, user_id) VALUES (1, 1)");
            db.exec("INSERT INTO comments (id, post_id) VALUES (1, 1)");
            db.exec("INSERT INTO flags (id, comment_id) VALUES (1, 1)");
            if sqlite {
                db.exec("PRAGMA foreign_keys = ON");
            }
            add_fk(&mut db, "users", "pinned_comment_id", "comments", " DEFERRABLE INITIALLY DEFERRED");
            let result = User::delete_by_ids(&[1], db.conn());
            match result {
                Err(DeleteError::Database(_)) => {}
                other => panic!("expected the database's own FK error (flags.comment_id), got {other:?}"),
            }
        }
    }
}

/// R3b: MySQL/MariaDB: a `NOT NULL` self-referencing restrict key makes every foreign-key failure
/// of the table a `ReferenceLoop`, even one caused by another table's `do_nothing` key.
mod self_loop_misattribution {
    use super::*;
    use deletable_tests::{backends, open};

    mod schema {
        diesel::table! { nodes (id) { id -> Integer, anchor_id -> Integer, } }
        diesel::table! { tags (id) { id -> Integer, node_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = nodes)]
    pub struct Node {
        id: i32,
        #[on_delete(restrict, references = Self)]
        anchor_id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = tags)]
    pub struct Tag {
        id: i32,
        #[on_delete(do_nothing, references = Node)]
        node_id: i32,
    }
    deletable::schema!(Node, Tag);

    backends! {
        #[test]
        fn another_tables_key_failure_is_not_a_self_reference_loop() {
            let sqlite = Db::BACKEND == "sqlite";
            let inline = if sqlite { " REFERENCES nodes (id)" } else { "" };
            let mut db = open!(&format!(
                "CREATE TABLE nodes (id INTEGER PRIMARY KEY, anchor_id INTEGER NOT NULL{inline});
                 CREATE TABLE tags (id INTEGER PRIMARY KEY, node_id INTEGER NOT NULL REFERENCES nodes (id));"
            ));
            db.exec("INSERT INTO nodes (id, anchor_id) VALUES (2, 2)");
            db.exec("INSERT INTO nodes (id, anchor_id) VALUES (1, 2)");
            db.exec("INSERT INTO tags (id, node_id) VALUES (1, 1)");
            add_fk(&mut db, "nodes", "anchor_id", "nodes", "");
            // Node 1 is referenced by nobody through anchor_id; tag 1 (do_nothing) blocks it.
            let result = Node::delete_by_ids(&[1], db.conn());
            match result {
                Err(DeleteError::Database(_)) => {}
                other => panic!("expected the database's own FK error (tags.node_id), got {other:?}"),
            }
            assert_eq!(db.ids("nodes"), [1, 2]);
        }
    }
}

/// R4: two cascade siblings referencing each other, one key nullable and one `NOT NULL`: an order
/// exists (b before a, clearing a.b_id), no row references another in a loop, yet the planner
/// deletes `a` first.
macro_rules! sibling_suite {
    ($module:ident, $a_rule:ident) => {
        mod $module {
            use super::*;
            use deletable_tests::{backends, open};

            mod schema {
                diesel::table! { r (id) { id -> Integer, } }
                diesel::table! { a (id) { id -> Integer, r_id -> Integer, b_id -> Nullable<Integer>, } }
                diesel::table! { b (id) { id -> Integer, r_id -> Integer, a_id -> Integer, } }
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
                #[on_delete($a_rule, references = B)]
                b_id: Option<i32>,
            }
            #[derive(Deletable)]
            #[diesel(table_name = b)]
            pub struct B {
                id: i32,
                #[on_delete(cascade, references = R)]
                r_id: i32,
                #[on_delete(do_nothing, references = A)]
                a_id: i32,
            }
            deletable::schema!(R, A, B);

            backends! {
                #[test]
                fn siblings_give_way_on_the_nullable_key() {
                    println!("{:#}", R::plan());
                    let sqlite = Db::BACKEND == "sqlite";
                    let inline = if sqlite { " REFERENCES b (id)" } else { "" };
                    let mut db = open!(&format!(
                        "CREATE TABLE r (id INTEGER PRIMARY KEY);
                         CREATE TABLE a (id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL REFERENCES r (id), b_id INTEGER{inline});
                         CREATE TABLE b (id INTEGER PRIMARY KEY, r_id INTEGER NOT NULL REFERENCES r (id),
                             a_id INTEGER NOT NULL REFERENCES a (id));"
                    ));
                    add_fk(&mut db, "a", "b_id", "b", "");
                    db.exec("INSERT INTO r (id) VALUES (1)");
                    db.exec("INSERT INTO a (id, r_id, b_id) VALUES (1, 1, NULL)");
                    db.exec("INSERT INTO b (id, r_id, a_id) VALUES (1, 1, 1)");
                    let result = R::delete_by_ids(&[1], db.conn());
                    let report = result.unwrap_or_else(|e| panic!("{}: {e}", Db::BACKEND));
                    assert_eq!(report.total(), 3);
                    assert_eq!(db.count("a") + db.count("b") + db.count("r"), 0);
                }
            }
        }
    };
}

sibling_suite!(sibling_do_nothing, do_nothing);
sibling_suite!(sibling_restrict, restrict);

/// R5: a `tree` table with a nullable restrict key to its own cascade child (`Detach` on a tree
/// node): categories 1 > 2 > 3, items under each, each category featuring an item of another
/// category of the same subtree; category 4 outside features its own item.
mod tree_detach {
    use super::*;
    use deletable_tests::{backends, open};

    mod schema {
        diesel::table! { categories (id) { id -> Integer, parent_id -> Nullable<Integer>, featured_item_id -> Nullable<Integer>, } }
        diesel::table! { items (id) { id -> Integer, category_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = categories)]
    pub struct Category {
        id: i32,
        #[on_delete(cascade, tree, references = Self)]
        parent_id: Option<i32>,
        #[on_delete(restrict, references = Item)]
        featured_item_id: Option<i32>,
    }
    #[derive(Deletable)]
    #[diesel(table_name = items)]
    pub struct Item {
        id: i32,
        #[on_delete(cascade, references = Category)]
        category_id: i32,
    }
    deletable::schema!(Category, Item);

    backends! {
        #[test]
        fn a_tree_with_a_detached_restrict_key() {
            println!("{:#}", Category::plan());
            let sqlite = Db::BACKEND == "sqlite";
            let inline = if sqlite { " REFERENCES items (id)" } else { "" };
            let mut db = open!(&format!(
                "CREATE TABLE categories (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES categories (id),
                     featured_item_id INTEGER{inline});
                 CREATE TABLE items (id INTEGER PRIMARY KEY, category_id INTEGER NOT NULL REFERENCES categories (id));"
            ));
            add_fk(&mut db, "categories", "featured_item_id", "items", "");
            db.exec("INSERT INTO categories (id, parent_id) VALUES (1, NULL)");
            db.exec("INSERT INTO categories (id, parent_id) VALUES (2, 1)");
            db.exec("INSERT INTO categories (id, parent_id) VALUES (3, 2)");
            db.exec("INSERT INTO categories (id, parent_id) VALUES (4, NULL)");
            db.exec("INSERT INTO items (id, category_id) VALUES (1, 1), (2, 2), (3, 3), (4, 4)");
            db.exec("UPDATE categories SET featured_item_id = 3 WHERE id = 1");
            db.exec("UPDATE categories SET featured_item_id = 1 WHERE id = 2");
            db.exec("UPDATE categories SET featured_item_id = 2 WHERE id = 3");
            db.exec("UPDATE categories SET featured_item_id = 4 WHERE id = 4");
            let report = Category::delete_by_ids(&[1], db.conn())
                .unwrap_or_else(|e| panic!("{}: {e}", Db::BACKEND));
            assert_eq!(report.per_table(), &[("items", 3), ("categories", 3)]);
            assert_eq!(db.ids("categories"), [4]);
            assert_eq!(db.pairs("SELECT id AS a, featured_item_id AS b FROM categories"), [(4, Some(4))]);
        }
    }
}

/// R6: issue 13 bug 6 in a tree: a restore walks a tree's subtree by a recursive query, but the
/// check for soft-deleted other parents reads only the rows the restore reaches directly, not
/// their subtrees.
mod tree_restore_other_parent {
    use super::*;
    use chrono::NaiveDateTime;
    use deletable::SoftDelete;
    use deletable_tests::{backends, open};
    use diesel::prelude::*;

    mod schema {
        diesel::table! { people (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
        diesel::table! { notes (id) { id -> Integer, author_id -> Integer, parent_id -> Nullable<Integer>, deleted_at -> Nullable<Timestamp>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = people)]
    pub struct Person {
        id: i32,
        #[soft_delete]
        deleted_at: Option<NaiveDateTime>,
    }
    #[derive(Deletable)]
    #[diesel(table_name = notes)]
    pub struct Note {
        id: i32,
        #[on_delete(cascade, references = Person)]
        author_id: i32,
        #[on_delete(cascade, tree, references = Self)]
        parent_id: Option<i32>,
        #[soft_delete]
        deleted_at: Option<NaiveDateTime>,
    }
    deletable::schema!(Person, Note);

    backends! {
        #[test]
        fn a_tree_restore_refuses_a_descendant_under_a_deleted_parent() {
            let timestamp = if matches!(Db::BACKEND, "mysql" | "mariadb") { "DATETIME(6)" } else { "TIMESTAMP" };
            let mut db = open!(&format!(
                "CREATE TABLE people (id INTEGER PRIMARY KEY, deleted_at {timestamp});
                 CREATE TABLE notes (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES people (id),
                     parent_id INTEGER REFERENCES notes (id), deleted_at {timestamp});"
            ));
            db.exec("INSERT INTO people (id) VALUES (1), (2)");
            db.exec("INSERT INTO notes (id, author_id, parent_id) VALUES (1, 1, NULL)");
            db.exec("INSERT INTO notes (id, author_id, parent_id) VALUES (2, 2, 1)");
            // Note 1's soft delete marks its reply 2; person 2's, later, finds note 2 marked.
            Note::soft_delete_by_ids(&[1], db.conn()).unwrap();
            Person::soft_delete_by_ids(&[2], db.conn()).unwrap();
            let result = Note::restore_where(notes::id.eq(1), db.conn());
            let live_notes = db.pairs("SELECT id AS a, NULL AS b FROM notes WHERE deleted_at IS NULL ORDER BY id");
            let deleted_people = db.pairs("SELECT id AS a, NULL AS b FROM people WHERE deleted_at IS NOT NULL");
            assert!(
                matches!(result, Err(DeleteError::ParentSoftDeleted { .. })),
                "{}: restore gave {result:?}; live notes {live_notes:?}, soft-deleted people {deleted_people:?}",
                Db::BACKEND
            );
        }

        /// The other side (from the second review): a reply soft-deleted by an earlier
        /// operation, whose author is soft-deleted too, is not part of its parent's restore and
        /// does not block it.
        #[test]
        fn a_tree_restore_ignores_rows_of_another_operation() {
            let timestamp = if matches!(Db::BACKEND, "mysql" | "mariadb") { "DATETIME(6)" } else { "TIMESTAMP" };
            let mut db = open!(&format!(
                "CREATE TABLE people (id INTEGER PRIMARY KEY, deleted_at {timestamp});
                 CREATE TABLE notes (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL REFERENCES people (id),
                     parent_id INTEGER REFERENCES notes (id), deleted_at {timestamp});"
            ));
            db.exec("INSERT INTO people (id) VALUES (1), (2)");
            db.exec("INSERT INTO notes (id, author_id, parent_id) VALUES (1, 1, NULL), (2, 2, 1), (3, 1, 1)");
            Note::soft_delete_by_ids(&[2], db.conn()).unwrap();
            Person::soft_delete_by_ids(&[2], db.conn()).unwrap();
            Note::soft_delete_by_ids(&[1], db.conn()).unwrap();
            let result = Note::restore_where(notes::id.eq(1), db.conn());
            assert!(result.is_ok(), "{}: {result:?}", Db::BACKEND);
            assert_eq!(
                db.pairs("SELECT id AS a, NULL AS b FROM notes WHERE deleted_at IS NULL ORDER BY id"),
                [(1, None), (3, None)]
            );
        }
    }
}

/// R7/R8: the issue's loop schema with a nullable restrict key, through `delete_where` (temporary
/// root table; copies on MySQL) and, on PostgreSQL, with both cascades declared in the database.
mod loop_paths {
    use super::*;
    use deletable_tests::backends;
    use diesel::prelude::*;

    mod schema {
        diesel::table! { users (id) { id -> Integer, pinned_comment_id -> Nullable<Integer>, } }
        diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
        diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = users)]
    pub struct User {
        id: i32,
        #[on_delete(restrict, references = Comment)]
        pinned_comment_id: Option<i32>,
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

    fn filled<Db: TestDb>(action: &str) -> Option<Db> {
        let sqlite = Db::BACKEND == "sqlite";
        let inline = if sqlite {
            " REFERENCES comments (id)"
        } else {
            ""
        };
        let mut db = Db::open(&format!(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, pinned_comment_id INTEGER{inline});
             CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users (id) {action});
             CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id) {action});"
        ))?;
        add_fk(&mut db, "users", "pinned_comment_id", "comments", "");
        db.exec("INSERT INTO users (id) VALUES (1), (2), (3)");
        db.exec("INSERT INTO posts (id, user_id) VALUES (1, 1), (2, 2), (3, 3)");
        db.exec("INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 2), (3, 3), (4, 1)");
        db.exec("UPDATE users SET pinned_comment_id = 4 WHERE id = 1");
        db.exec("UPDATE users SET pinned_comment_id = 2 WHERE id = 2");
        db.exec("UPDATE users SET pinned_comment_id = 1 WHERE id = 3");
        Some(db)
    }

    backends! {
        /// Users 1 and 2 go; user 3 pins comment 1 of user 1: restricted, nothing changes.
        #[test]
        fn delete_where_through_a_loop_is_restricted_by_an_outside_row() {
            let Some(mut db) = filled::<Db>("") else { return };
            let result = User::delete_where(users::id.le(2), db.conn());
            assert!(matches!(result, Err(DeleteError::Restricted { .. })), "{result:?}");
            assert_eq!(db.ids("comments"), [1, 2, 3, 4]);
            db.exec("UPDATE users SET pinned_comment_id = 3 WHERE id = 3");
            let report = User::delete_where(users::id.le(2), db.conn()).unwrap();
            assert_eq!(report.per_table(), &[("comments", 3), ("posts", 2), ("users", 2)]);
            assert_eq!(db.pairs("SELECT id AS a, pinned_comment_id AS b FROM users"), [(3, Some(3))]);
        }

        #[test]
        fn declared_cascades_with_a_detached_key() {
            let Some(mut db) = filled::<Db>("ON DELETE CASCADE") else { return };
            db.exec("UPDATE users SET pinned_comment_id = 3 WHERE id = 3");
            let report = User::delete_by_ids(&[1, 2], db.conn()).unwrap();
            assert_eq!(report.per_table(), &[("comments", 3), ("posts", 2), ("users", 2)]);
            assert_eq!(db.ids("comments"), [3]);
        }
    }
}
