//! Races made deterministic: another connection writes at an exact point of a delete (from the
//! deleting connection's statement instrumentation, or a thread holding a lock), and the delete
//! must still do exactly its plan, or fail cleanly and change nothing.
//!
//! - A task inserted under a project after the tasks' step and before the projects' step: the
//!   delete runs again in a new transaction (PostgreSQL; InnoDB's gap locks make the insert
//!   wait instead), with hooks only when the call allows them to run again.
//! - A PostgreSQL deadlock (40P01) between the delete and another transaction: retried.
//! - SQLite in WAL mode with a second writer: the delete waits for the write lock instead of
//!   failing with `SQLITE_BUSY` after it has read.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use std::sync::{Arc, Mutex};

use deletable::{Deletable, DeleteError, DeleteOptions};
use deletable_tests::{backends, TestDb, WriteBefore};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

mod schema {
    diesel::table! { owners (id) { id -> Integer, } }
    diesel::table! { projects (id) { id -> Integer, owner_id -> Integer, } }
    diesel::table! { tasks (id) { id -> Integer, project_id -> Integer, } }
    diesel::table! { boards (id) { id -> Integer, } }
    diesel::table! { lists (id) { id -> Integer, board_id -> Integer, } }
    diesel::table! { cards (id) { id -> Integer, list_id -> Integer, } }
    diesel::table! { stickers (id) { id -> Integer, card_id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = owners)]
struct Owner {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = projects, belongs_to(Owner))]
struct Project {
    id: i32,
    #[on_delete(cascade)]
    owner_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = tasks, belongs_to(Project))]
struct Task {
    id: i32,
    #[on_delete(cascade)]
    project_id: i32,
}

/// The same chain with hooks on the middle table.
#[derive(Deletable)]
#[diesel(table_name = boards)]
struct Board {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = lists, belongs_to(Board))]
#[deletable(hooks = keys)]
struct List {
    id: i32,
    #[on_delete(cascade)]
    board_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = cards, belongs_to(List))]
struct Card {
    id: i32,
    #[on_delete(cascade)]
    list_id: i32,
}

/// A sticker protects its card: a delete of boards reads (checks) before it writes.
#[derive(Deletable)]
#[diesel(table_name = stickers, belongs_to(Card))]
struct Sticker {
    id: i32,
    #[on_delete(protect)]
    card_id: i32,
}

thread_local! {
    /// The batches `List`'s before hook saw on this thread.
    static LIST_BATCHES: std::cell::RefCell<Vec<Vec<i32>>> = const { std::cell::RefCell::new(Vec::new()) };
}

deletable_tests::hooks! {
    impl for List {
        fn before_delete(_, keys: &[i32]) {
            LIST_BATCHES.with(|batches| batches.borrow_mut().push(keys.to_vec()));
            Ok(())
        }
    }
}

deletable::schema!(Owner, Project, Task, Board, List, Card, Sticker);

const SCHEMA: &str = "
    CREATE TABLE owners (id INTEGER PRIMARY KEY);
    CREATE TABLE projects (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL,
        FOREIGN KEY (owner_id) REFERENCES owners (id));
    CREATE TABLE tasks (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL,
        FOREIGN KEY (project_id) REFERENCES projects (id));
    CREATE TABLE boards (id INTEGER PRIMARY KEY);
    CREATE TABLE lists (id INTEGER PRIMARY KEY, board_id INTEGER NOT NULL,
        FOREIGN KEY (board_id) REFERENCES boards (id));
    CREATE TABLE cards (id INTEGER PRIMARY KEY, list_id INTEGER NOT NULL,
        FOREIGN KEY (list_id) REFERENCES lists (id));
    CREATE TABLE stickers (id INTEGER PRIMARY KEY, card_id INTEGER NOT NULL,
        FOREIGN KEY (card_id) REFERENCES cards (id));
    INSERT INTO owners (id) VALUES (1), (2);
    INSERT INTO projects (id, owner_id) VALUES (1, 1), (2, 1), (3, 2);
    INSERT INTO tasks (id, project_id) VALUES (1, 1), (2, 2), (3, 3);
    INSERT INTO boards (id) VALUES (1), (2);
    INSERT INTO lists (id, board_id) VALUES (1, 1), (2, 1), (3, 2);
    INSERT INTO cards (id, list_id) VALUES (1, 1), (2, 2), (3, 3);
";

backends! {
    /// Makes `db`'s next delete of `table` first run `sql` on another connection; returns
    /// where that insert's outcome will be.
    fn write_before_delete_of(
        db: &mut Db,
        table: &'static str,
        sql: &str,
    ) -> Arc<Mutex<Option<Result<(), String>>>> {
        let mut other = db.connect_again();
        if matches!(Db::BACKEND, "mysql" | "mariadb") {
            // InnoDB's next-key locks of the delete make the insert wait for it: give up soon.
            diesel::sql_query("SET innodb_lock_wait_timeout = 1").execute(&mut other).unwrap();
        }
        let (write, outcome) = WriteBefore::new(table, sql, other);
        db.conn().set_instrumentation(write);
        outcome
    }

    /// The racing insert's outcome: on PostgreSQL it must have committed (so the race really
    /// happened); on MySQL and MariaDB it may have timed out on the delete's locks.
    fn raced(outcome: &Mutex<Option<Result<(), String>>>) -> bool {
        let outcome = outcome.lock().unwrap().clone().expect("the racing insert never ran");
        if Db::BACKEND == "postgres" {
            assert_eq!(outcome, Ok(()), "the racing insert");
        }
        outcome.is_ok()
    }

    #[test]
    fn a_row_inserted_under_a_child_between_steps_is_deleted_by_a_retry() {
        if Db::BACKEND == "sqlite" {
            println!("skipped: an in-memory SQLite database has a single connection");
            return;
        }
        let Some(mut db) = Db::open(SCHEMA) else { return };
        let outcome = write_before_delete_of(
            &mut db,
            "projects",
            "INSERT INTO tasks (id, project_id) VALUES (99, 1)",
        );
        let report = Owner::delete_by_ids(&[1], db.conn()).unwrap();
        let raced = raced(&outcome);
        assert_eq!(report.count("projects"), 2, "{report:?}");
        assert_eq!(report.count("tasks"), if raced { 3 } else { 2 }, "{report:?}");
        assert_eq!(db.ids("owners"), vec![2]);
        assert_eq!(db.ids("projects"), vec![3]);
        assert_eq!(db.ids("tasks"), vec![3]);
    }

    #[test]
    fn a_race_inside_a_callers_transaction_is_the_callers_error() {
        if Db::BACKEND != "postgres" {
            println!("skipped: only PostgreSQL lets the insert through (InnoDB's gap locks hold it)");
            return;
        }
        let Some(mut db) = Db::open(SCHEMA) else { return };
        let outcome = write_before_delete_of(
            &mut db,
            "projects",
            "INSERT INTO tasks (id, project_id) VALUES (99, 1)",
        );
        let result = db.conn().transaction(|conn| {
            Owner::delete_by_ids(&[1], conn).map_err(|error| {
                assert!(matches!(error, DeleteError::Database(_)), "{error:?}");
                diesel::result::Error::RollbackTransaction
            })
        });
        assert!(result.is_err());
        assert!(raced(&outcome));
        assert_eq!(db.ids("projects"), vec![1, 2, 3]);
        assert_eq!(db.ids("tasks"), vec![1, 2, 3, 99]);
    }

    #[test]
    fn a_hooked_plan_is_not_run_again_unless_the_call_allows_it() {
        if Db::BACKEND != "postgres" {
            println!("skipped: only PostgreSQL lets the insert through (InnoDB's gap locks hold it)");
            return;
        }
        let Some(mut db) = Db::open(SCHEMA) else { return };
        LIST_BATCHES.with(|batches| batches.borrow_mut().clear());
        let outcome = write_before_delete_of(
            &mut db,
            "lists",
            "INSERT INTO cards (id, list_id) VALUES (99, 1)",
        );
        let error = Board::delete_by_ids(&[1], db.conn()).unwrap_err();
        assert!(raced(&outcome));
        assert!(
            matches!(&error, DeleteError::Database(diesel::result::Error::DatabaseError(
                diesel::result::DatabaseErrorKind::ForeignKeyViolation, _))),
            "{error:?}"
        );
        assert_eq!(LIST_BATCHES.with(|batches| batches.borrow().len()), 1);
        assert_eq!(db.ids("lists"), vec![1, 2, 3]);
        assert_eq!(db.ids("cards"), vec![1, 2, 3, 99]);

        LIST_BATCHES.with(|batches| batches.borrow_mut().clear());
        let outcome = write_before_delete_of(
            &mut db,
            "lists",
            "INSERT INTO cards (id, list_id) VALUES (98, 2)",
        );
        let options = DeleteOptions::default().with_retried_hooks(true);
        let report = Board::delete_by_ids_with(&[1], &options, db.conn()).unwrap();
        assert!(raced(&outcome));
        assert_eq!(report.count("cards"), 4, "{report:?}");
        // The first attempt's batch, then the retry's.
        assert_eq!(
            LIST_BATCHES.with(|batches| batches.borrow().clone()),
            vec![vec![1, 2], vec![1, 2]]
        );
        assert_eq!(db.ids("lists"), vec![3]);
        assert_eq!(db.ids("cards"), vec![3]);
    }
}

/// A PostgreSQL deadlock: the delete waits on a task another transaction locked, which then
/// waits on the delete's root. PostgreSQL aborts the transaction whose wait it checks first:
/// the delete's, which began waiting first. A delete that owns its transaction runs again.
#[cfg(feature = "postgres")]
#[test]
fn a_postgres_deadlock_is_retried() {
    use deletable_tests::PgDb;
    use std::time::Duration;

    let Some(mut db) = PgDb::open(SCHEMA) else {
        return;
    };
    let mut other = db.connect_again();
    let locked = Arc::new(std::sync::Barrier::new(2));
    let holder = {
        let locked = Arc::clone(&locked);
        std::thread::spawn(move || {
            other
                .transaction(|conn| {
                    conn.batch_execute("SELECT id FROM tasks WHERE id = 2 FOR UPDATE")?;
                    locked.wait();
                    // Let the delete lock its root and wait on task 2, then close the loop.
                    std::thread::sleep(Duration::from_millis(300));
                    conn.batch_execute("SELECT id FROM owners WHERE id = 1 FOR UPDATE")?;
                    std::thread::sleep(Duration::from_millis(100));
                    Err::<(), _>(diesel::result::Error::RollbackTransaction)
                })
                .unwrap_err()
        })
    };
    locked.wait();
    let report = Owner::delete_by_ids(&[1], db.conn()).unwrap();
    let holder_error = holder.join().unwrap();
    assert!(
        matches!(holder_error, diesel::result::Error::RollbackTransaction),
        "the other transaction was the one aborted: {holder_error}"
    );
    assert_eq!(report.count("tasks"), 2, "{report:?}");
    assert_eq!(db.ids("owners"), vec![2]);
    assert_eq!(db.ids("tasks"), vec![3]);
}

/// SQLite in WAL mode, in a file, with a second writer: a delete that reads first (the check of
/// a `protect` key) must not fail with `SQLITE_BUSY` once the other writer commits.
#[test]
fn a_sqlite_delete_waits_for_another_writer_instead_of_failing_busy() {
    use std::time::Duration;

    let path = std::env::temp_dir().join(format!("{}.sqlite", deletable_tests::unique_name()));
    let url = path.to_string_lossy().into_owned();
    let connect = || {
        let mut conn = SqliteConnection::establish(&url).unwrap();
        conn.batch_execute("PRAGMA busy_timeout = 10000; PRAGMA foreign_keys = ON;")
            .unwrap();
        conn
    };
    let mut conn = connect();
    conn.batch_execute("PRAGMA journal_mode = WAL;").unwrap();
    conn.batch_execute(SCHEMA).unwrap();

    let mut writer = connect();
    writer
        .batch_execute("BEGIN IMMEDIATE; INSERT INTO owners (id) VALUES (3);")
        .unwrap();
    let committer = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(300));
        writer.batch_execute("COMMIT").unwrap();
    });
    // The writer holds the lock: a delete that read before it committed could never write.
    let report = Board::delete_by_ids(&[1], &mut conn);
    committer.join().unwrap();
    let _ = std::fs::remove_file(&path);
    let report = report.unwrap();
    assert_eq!(report.total(), 5, "{report:?}");
}
