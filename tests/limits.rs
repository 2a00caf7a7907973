//! Limits: every operation takes as many keys as the backend can bind in one statement, and one
//! more, whatever else its statements bind (a soft-delete mark, a `set_default` value, a keyset
//! cursor); a batch larger than one statement can bind is split.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use std::cell::RefCell;

use deletable::{Deletable, DeleteOptions, Dialect, SoftDelete};
use deletable_tests::{backends, TestDb};
use diesel::prelude::*;

mod schema {
    diesel::table! { groups (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { members (id) { id -> Integer, group_id -> Integer, } }
    diesel::table! { notes (id) { id -> Integer, group_id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = groups)]
struct Group {
    id: i32,
    #[soft_delete]
    deleted_at: Option<chrono::NaiveDateTime>,
}

/// A member of a deleted group moves to group 0.
#[derive(Deletable)]
#[diesel(table_name = members)]
struct Member {
    id: i32,
    #[on_delete(set_default = 0, references = Group)]
    group_id: i32,
}

/// Hooked with keys: the hook records every batch's size.
#[derive(Deletable)]
#[diesel(table_name = notes)]
#[deletable(hooks = keys)]
struct Note {
    id: i32,
    #[on_delete(cascade, references = Group)]
    group_id: i32,
}

thread_local! {
    static NOTE_BATCHES: RefCell<Vec<usize>> = const { RefCell::new(Vec::new()) };
}

deletable_tests::hooks! {
    impl for Note {
        fn before_delete(_, keys: &[i32]) {
            NOTE_BATCHES.with(|batches| batches.borrow_mut().push(keys.len()));
            Ok(())
        }
    }
}

deletable::schema!(Group, Member, Note);

fn open<D: TestDb>() -> Option<D> {
    let timestamp = D::timestamp_type();
    D::open(&format!(
        "CREATE TABLE groups (id INTEGER PRIMARY KEY, deleted_at {timestamp});
         CREATE TABLE members (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL,
             FOREIGN KEY (group_id) REFERENCES groups (id));
         CREATE TABLE notes (id INTEGER PRIMARY KEY, group_id INTEGER NOT NULL,
             FOREIGN KEY (group_id) REFERENCES groups (id));
         INSERT INTO groups (id) VALUES (0), (1), (2), (3);
         INSERT INTO members (id, group_id) VALUES (1, 1), (2, 2), (3, 3), (4, 0);
         INSERT INTO notes (id, group_id) VALUES (1, 1), (2, 3);"
    ))
}

backends! {
    /// The most bind parameters one statement of this backend takes.
    fn bind_limit() -> usize {
        <<<Db as TestDb>::Conn as Connection>::Backend as Dialect>::MAX_BIND_PARAMS
    }

    #[test]
    fn a_delete_takes_the_bind_limit_of_keys_and_one_more_with_a_set_default_child() {
        for extra in [0, 1] {
            let Some(mut db) = open::<Db>() else { return };
            // Groups 1 and 3 exist; the rest of the keys match nothing.
            let ids: Vec<i32> = (1..=(bind_limit() + extra) as i32).filter(|id| *id != 2).collect();
            let report = Group::delete_by_ids(&ids, db.conn()).unwrap();
            assert_eq!(report.count("groups"), 2, "{} keys", ids.len());
            assert_eq!(report.count("notes"), 2);
            assert_eq!(db.ids("groups"), [0, 2]);
            assert_eq!(
                db.pairs("SELECT id AS a, group_id AS b FROM members ORDER BY id"),
                [(1, Some(0)), (2, Some(2)), (3, Some(0)), (4, Some(0))]
            );
        }
    }

    #[test]
    fn a_soft_delete_takes_the_bind_limit_of_keys_and_one_more() {
        for extra in [0, 1] {
            let Some(mut db) = open::<Db>() else { return };
            let ids: Vec<i32> = (1..=(bind_limit() + extra) as i32).filter(|id| *id != 2).collect();
            let report = Group::soft_delete_by_ids(&ids, db.conn()).unwrap();
            assert_eq!(report.count("groups"), 2, "{} keys", ids.len());
            assert_eq!(
                db.ids("groups"),
                [0, 1, 2, 3],
                "a soft delete removes nothing"
            );
            let marked =
                db.pairs("SELECT id AS a, NULL AS b FROM groups WHERE deleted_at IS NOT NULL ORDER BY id");
            assert_eq!(marked, [(1, None), (3, None)]);
        }
    }

    #[test]
    fn a_batch_larger_than_a_statement_can_bind_is_split() {
        let Some(mut db) = open::<Db>() else { return };
        let notes = bind_limit() + 10;
        db.insert_many("notes (id, group_id)", notes, |i| format!("({}, 2)", 100 + i));
        NOTE_BATCHES.with(|batches| batches.borrow_mut().clear());

        let report =
            Group::delete_by_ids_with(&[2], &DeleteOptions::batch_size(10 * notes), db.conn())
                .unwrap();

        assert_eq!(report.count("notes"), notes as u64);
        assert_eq!(db.count("notes"), 2);
        let batches = NOTE_BATCHES.with(|batches| batches.borrow().clone());
        assert_eq!(batches.iter().sum::<usize>(), notes);
        assert!(batches.iter().all(|size| *size <= bind_limit()), "{batches:?}");
    }
}
