//! Self-references that are not trees (`restrict`, `do_nothing` to the model itself): rows that
//! reference each other and are deleted together go in one call on every backend, as in Django,
//! although InnoDB checks foreign keys row by row within a statement; a row left behind that
//! references a deleted one still blocks, and nothing changes.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use deletable::{Deletable, DeleteError};
use deletable_tests::{backends, open, TestDb};
use diesel::prelude::*;

mod schema {
    diesel::table! { shelves (id) { id -> Integer, } }
    diesel::table! { labels (id) { id -> Integer, shelf_id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { notes (id) { id -> Integer, next_id -> Nullable<Integer>, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = shelves)]
struct Shelf {
    id: i32,
}

/// Labels on a shelf, each under another label by a `restrict` key.
#[derive(Deletable)]
#[diesel(table_name = labels, belongs_to(Shelf))]
struct Label {
    id: i32,
    #[on_delete(cascade)]
    shelf_id: i32,
    #[on_delete(restrict, references = Self)]
    parent_id: Option<i32>,
}

/// Notes linked in a list by a `do_nothing` key: the database's constraint decides.
#[derive(Deletable)]
#[diesel(table_name = notes)]
struct Note {
    id: i32,
    #[on_delete(do_nothing, references = Self)]
    next_id: Option<i32>,
}

deletable::schema!(Shelf, Label, Note);

const SCHEMA: &str = "
    CREATE TABLE shelves (id INTEGER PRIMARY KEY);
    CREATE TABLE labels (id INTEGER PRIMARY KEY, shelf_id INTEGER NOT NULL, parent_id INTEGER,
        FOREIGN KEY (shelf_id) REFERENCES shelves (id),
        FOREIGN KEY (parent_id) REFERENCES labels (id));
    CREATE TABLE notes (id INTEGER PRIMARY KEY, next_id INTEGER,
        FOREIGN KEY (next_id) REFERENCES notes (id));
    INSERT INTO shelves (id) VALUES (1), (2);
";

const TABLES: &[&str] = &["shelves", "labels", "notes"];

/// The chain 1 <- 2 <- 3 on shelf 1 (3 under 2 under 1), and label 4 alone on shelf 2.
fn labels_chain(db: &mut impl TestDb) {
    db.exec(
        "INSERT INTO labels (id, shelf_id, parent_id) VALUES (1, 1, NULL);
         INSERT INTO labels (id, shelf_id, parent_id) VALUES (2, 1, 1);
         INSERT INTO labels (id, shelf_id, parent_id) VALUES (3, 1, 2);
         INSERT INTO labels (id, shelf_id, parent_id) VALUES (4, 2, NULL);",
    );
}

backends! {
    #[test]
    fn a_restrict_chain_deleted_together_goes_in_one_call() {
        let mut db = open!(SCHEMA);
        labels_chain(&mut db);
        let report = Label::delete_by_ids(&[1, 2, 3], db.conn()).unwrap();
        assert_eq!(report.total(), 3, "{report:?}");
        assert_eq!(db.ids("labels"), vec![4]);
    }

    #[test]
    fn a_restrict_chain_deleted_in_reverse_key_order_goes_in_one_call() {
        let mut db = open!(SCHEMA);
        // The parent has the highest key: a delete in key order meets it first.
        db.exec(
            "INSERT INTO labels (id, shelf_id, parent_id) VALUES (9, 1, NULL);
             INSERT INTO labels (id, shelf_id, parent_id) VALUES (5, 1, 9);
             INSERT INTO labels (id, shelf_id, parent_id) VALUES (1, 1, 5);",
        );
        let report = Label::delete_where(labels::shelf_id.eq(1), db.conn()).unwrap();
        assert_eq!(report.total(), 3, "{report:?}");
        assert_eq!(db.count("labels"), 0);
    }

    #[test]
    fn a_restrict_chain_cascaded_from_its_shelf_goes_with_it() {
        let mut db = open!(SCHEMA);
        labels_chain(&mut db);
        let report = Shelf::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.count("labels"), 3, "{report:?}");
        assert_eq!(db.ids("shelves"), vec![2]);
        assert_eq!(db.ids("labels"), vec![4]);
    }

    #[test]
    fn rows_that_reference_each_other_in_a_loop_go_together() {
        let mut db = open!(SCHEMA);
        db.exec(
            "INSERT INTO labels (id, shelf_id, parent_id) VALUES (1, 1, NULL);
             INSERT INTO labels (id, shelf_id, parent_id) VALUES (2, 1, 1);
             UPDATE labels SET parent_id = 2 WHERE id = 1;
             INSERT INTO labels (id, shelf_id, parent_id) VALUES (3, 1, 3);",
        );
        let report = Label::delete_by_ids(&[1, 2, 3], db.conn()).unwrap();
        assert_eq!(report.total(), 3, "{report:?}");
        assert_eq!(db.count("labels"), 0);
    }

    #[test]
    fn a_row_left_behind_still_restricts_and_nothing_changes() {
        let mut db = open!(SCHEMA);
        labels_chain(&mut db);
        let before = db.counts(TABLES);
        let error = Label::delete_by_ids(&[1, 2], db.conn()).unwrap_err();
        assert!(
            matches!(&error, DeleteError::Restricted { blockers, .. } if blockers[0].keys == ["3"]),
            "{error:?}"
        );
        assert_eq!(db.counts(TABLES), before);
        assert_eq!(
            db.pairs("SELECT id AS a, parent_id AS b FROM labels ORDER BY id"),
            vec![(1, None), (2, Some(1)), (3, Some(2)), (4, None)]
        );
    }

    #[test]
    fn a_do_nothing_list_deleted_together_goes_in_one_call() {
        let mut db = open!(SCHEMA);
        // 3 -> 2 -> 1: a delete in key order meets each note before the one pointing at it.
        db.exec(
            "INSERT INTO notes (id, next_id) VALUES (1, NULL);
             INSERT INTO notes (id, next_id) VALUES (2, 1);
             INSERT INTO notes (id, next_id) VALUES (3, 2);
             INSERT INTO notes (id, next_id) VALUES (4, NULL);",
        );
        let report = Note::delete_by_ids(&[3, 2, 1], db.conn()).unwrap();
        assert_eq!(report.total(), 3, "{report:?}");
        assert_eq!(db.ids("notes"), vec![4]);
    }

    #[test]
    fn a_do_nothing_row_left_behind_fails_on_the_constraint_and_nothing_changes() {
        let mut db = open!(SCHEMA);
        db.exec(
            "INSERT INTO notes (id, next_id) VALUES (3, NULL);
             INSERT INTO notes (id, next_id) VALUES (2, 3);
             INSERT INTO notes (id, next_id) VALUES (1, 2);",
        );
        let error = Note::delete_by_ids(&[3, 2], db.conn()).unwrap_err();
        assert!(matches!(error, DeleteError::Database(_)), "{error:?}");
        assert_eq!(
            db.pairs("SELECT id AS a, next_id AS b FROM notes ORDER BY id"),
            vec![(1, Some(2)), (2, Some(3)), (3, None)]
        );
    }
}
