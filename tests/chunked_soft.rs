//! Chunked soft delete and restore: the same marks and reports as one transaction, a run stopped
//! at every chunk (a hook's veto) leaving no live row under a soft-deleted parent, its rerun
//! finishing with the operation's mark so that a restore brings back exactly those rows, and
//! the call refused without a mark. Every backend, both runners.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use std::cell::RefCell;
use std::time::{Duration, SystemTime};

use chrono::NaiveDateTime;
use deletable::{Deletable, DeleteError, DeleteOptions, DeleteReport, SoftDelete};
use deletable_tests::{backends, Armable, Fault, FaultInjection, TestDb};

mod schema {
    diesel::table! { projects (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! {
        tasks (id) {
            id -> Integer,
            project_id -> Integer,
            parent_id -> Nullable<Integer>,
            deleted_at -> Nullable<Timestamp>,
        }
    }
    diesel::table! {
        notes (id) { id -> Integer, task_id -> Integer, deleted_at -> Nullable<Timestamp>, }
    }
    diesel::table! { boxes (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { items (id) { id -> Integer, box_id -> Integer, hidden -> Bool, } }
    diesel::table! {
        parts (id) { id -> Integer, item_id -> Integer, deleted_at -> Nullable<Timestamp>, }
    }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = projects)]
struct Project {
    id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

/// A tree inside each project, hooked (keys, three a batch): more than a chunk of two.
#[derive(Deletable)]
#[diesel(table_name = tasks)]
#[deletable(hooks = keys, batch_size = 3)]
struct Task {
    id: i32,
    #[on_delete(cascade, references = Project)]
    project_id: i32,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Deletable)]
#[diesel(table_name = notes)]
struct Note {
    id: i32,
    #[on_delete(cascade, references = Task)]
    task_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

/// A flag between two timestamps: a plan whose marks are not all instants.
#[derive(Deletable)]
#[diesel(table_name = boxes)]
struct Crate {
    id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Deletable)]
#[diesel(table_name = items)]
struct Item {
    id: i32,
    #[on_delete(cascade, references = Crate)]
    box_id: i32,
    #[soft_delete]
    hidden: bool,
}

#[derive(Deletable)]
#[diesel(table_name = parts)]
struct Part {
    id: i32,
    #[on_delete(cascade, references = Item)]
    item_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

deletable::schema!(Project, Task, Note, Crate, Item, Part);

/// The hook calls of this thread's test, and the call to refuse.
#[derive(Default)]
struct Script {
    calls: usize,
    refuse_call: Option<usize>,
    seen: Vec<(&'static str, i32)>,
}

thread_local! {
    static SCRIPT: RefCell<Script> = RefCell::new(Script::default());
}

fn script<T>(f: impl FnOnce(&mut Script) -> T) -> T {
    SCRIPT.with(|script| f(&mut script.borrow_mut()))
}

/// Records a hook's rows; refuses the scripted call.
fn hook(stage: &'static str, rows: &[i32]) -> Result<(), deletable::HookError> {
    let call = script(|s| {
        s.calls += 1;
        s.seen.extend(rows.iter().map(|id| (stage, *id)));
        s.calls
    });
    if script(|s| s.refuse_call) == Some(call) {
        return Err(format!("call {call} refused").into());
    }
    Ok(())
}

deletable_tests::hooks! {
impl for Task {
    fn before_soft_delete(_, rows: &[i32]) {
        hook("soft_delete", rows)
    }
    fn before_restore(_, rows: &[i32]) {
        hook("restore", rows)
    }
}
}

const TABLES: [&str; 3] = ["projects", "tasks", "notes"];

/// The operation's mark, and a mark from an earlier operation.
const MARK: &str = "2026-01-02 03:04:05.123456";
const EARLIER: &str = "2025-05-05 05:05:05";

fn mark() -> SystemTime {
    // 2026-01-02 03:04:05.123456 UTC
    SystemTime::UNIX_EPOCH + Duration::from_micros(1_767_323_045_123_456)
}

fn open<D: TestDb>() -> Option<D> {
    let timestamp = D::timestamp_type();
    D::open(&format!(
        "CREATE TABLE projects (id INTEGER PRIMARY KEY, deleted_at {timestamp});
         CREATE TABLE tasks (id INTEGER PRIMARY KEY,
             project_id INTEGER NOT NULL REFERENCES projects (id),
             parent_id INTEGER REFERENCES tasks (id), deleted_at {timestamp});
         CREATE TABLE notes (id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL REFERENCES tasks (id),
             deleted_at {timestamp});
         CREATE TABLE boxes (id INTEGER PRIMARY KEY, deleted_at {timestamp});
         CREATE TABLE items (id INTEGER PRIMARY KEY, box_id INTEGER NOT NULL REFERENCES boxes (id),
             hidden BOOLEAN NOT NULL DEFAULT FALSE);
         CREATE TABLE parts (id INTEGER PRIMARY KEY, item_id INTEGER NOT NULL REFERENCES items (id),
             deleted_at {timestamp});"
    ))
}

/// Project 1 with `tasks` tasks (1 to `tasks`, task `i` under task `i / 2`, a tree of
/// depth log2), each with a note of its id; note 2000 under task 3 soft-deleted earlier by
/// another operation; project 2 with task 1000 and note 1000, which stay.
fn load<D: TestDb>(db: &mut D, tasks: i32) {
    db.exec("INSERT INTO projects (id) VALUES (1), (2)");
    let mut rows: Vec<String> = (1..=tasks)
        .map(|id| match id / 2 {
            0 => format!("({id}, 1, NULL)"),
            parent => format!("({id}, 1, {parent})"),
        })
        .collect();
    rows.push("(1000, 2, NULL)".to_owned());
    db.exec(&format!(
        "INSERT INTO tasks (id, project_id, parent_id) VALUES {}",
        rows.join(", ")
    ));
    let mut notes: Vec<String> = (1..=tasks).map(|id| format!("({id}, {id})")).collect();
    notes.push("(1000, 1000)".to_owned());
    db.exec(&format!(
        "INSERT INTO notes (id, task_id) VALUES {}",
        notes.join(", ")
    ));
    if tasks >= 3 {
        db.exec(&format!(
            "INSERT INTO notes (id, task_id, deleted_at) VALUES (2000, 3, '{EARLIER}')"
        ));
    }
}

/// Each table's rows: (id, 0 live, 1 marked with `MARK`, 2 marked otherwise).
fn state<D: TestDb>(db: &mut D) -> Vec<Vec<(i64, Option<i64>)>> {
    TABLES
        .iter()
        .map(|table| {
            db.pairs(&format!(
                "SELECT id AS a, CASE WHEN deleted_at IS NULL THEN 0 \
                 WHEN deleted_at = '{MARK}' THEN 1 ELSE 2 END AS b FROM {table} ORDER BY id"
            ))
        })
        .collect()
}

/// Live rows whose parent along a cascade is soft-deleted: none, in any committed state.
fn live_under_deleted<D: TestDb>(db: &mut D) -> i64 {
    let rows = db.pairs(
        "SELECT (SELECT COUNT(*) FROM tasks t, projects p WHERE t.project_id = p.id \
             AND t.deleted_at IS NULL AND p.deleted_at IS NOT NULL) \
         + (SELECT COUNT(*) FROM tasks t, tasks p WHERE t.parent_id = p.id \
             AND t.deleted_at IS NULL AND p.deleted_at IS NOT NULL) \
         + (SELECT COUNT(*) FROM notes n, tasks t WHERE n.task_id = t.id \
             AND n.deleted_at IS NULL AND t.deleted_at IS NOT NULL) AS a, NULL AS b",
    );
    rows[0].0
}

/// A test database's connection in its runner's fault-injecting wrapper.
type Faulty<'c, D> = <<D as TestDb>::Conn as FaultInjection>::Faulty<'c>;

fn chunked(size: usize) -> DeleteOptions {
    DeleteOptions::chunked(size).marked_at(mark())
}

backends! {
    /// A chunked soft delete and then a chunked restore, against the same two done in one
    /// transaction on a twin database: the same marks in every table, the same reports, and
    /// each task shown to each hook once. 1 task, exactly a chunk, one past it, and a tree of
    /// 11.
    #[test]
    fn soft_delete_and_restore_in_chunks_match_one_transaction() {
        for tasks in [1, 2, 3, 11] {
            let Some(mut db) = open::<Db>() else { return };
            let Some(mut twin) = open::<Db>() else { return };
            load(&mut db, tasks);
            load(&mut twin, tasks);
            let before = state(&mut db);
            let one = DeleteOptions::default().marked_at(mark());

            script(|s| *s = Script::default());
            let report = Project::soft_delete_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
            let seen = script(|s| std::mem::take(&mut s.seen));
            let expected = Project::soft_delete_by_ids_with(&[1], &one, twin.conn()).unwrap();
            assert_eq!(report, expected, "{tasks} tasks");
            assert_eq!(state(&mut db), state(&mut twin), "{tasks} tasks");
            let tasks_seen = |seen: Vec<(&str, i32)>, stage| -> Vec<i32> {
                let mut ids: Vec<i32> = seen
                    .into_iter()
                    .filter(|(seen, _)| *seen == stage)
                    .map(|(_, id)| id)
                    .collect();
                ids.sort();
                ids
            };
            assert_eq!(tasks_seen(seen, "soft_delete"), (1..=tasks).collect::<Vec<_>>());
            assert_eq!(report.count_of::<Note>(), tasks as u64);
            // The earlier mark stays.
            assert!(state(&mut db)[2].iter().all(|&(id, mark)| (id == 2000) == (mark == Some(2))));

            let report = Project::restore_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
            let seen = script(|s| std::mem::take(&mut s.seen));
            let expected = Project::restore_by_ids_with(&[1], &one, twin.conn()).unwrap();
            assert_eq!(report, expected, "{tasks} tasks");
            assert_eq!(state(&mut db), before, "{tasks} tasks: everything back, note 2000 not");
            assert_eq!(tasks_seen(seen, "restore"), (1..=tasks).collect::<Vec<_>>());
        }
    }

    /// A hook refusing its k-th call, for every k until none is refused, in a soft delete and
    /// then in a restore: after each stop no live row is under a soft-deleted parent, and the
    /// same call again (the same mark) finishes with every row marked alike; the restore then
    /// brings back exactly what the soft delete marked.
    #[test]
    fn a_stop_at_every_chunk_leaves_a_consistent_state_and_the_rerun_finishes() {
        let tasks = 11;
        for k in 1.. {
            let Some(mut db) = open::<Db>() else { return };
            load(&mut db, tasks);
            let before = state(&mut db);
            script(|s| *s = Script { refuse_call: Some(k), ..Script::default() });
            let stopped = Project::soft_delete_by_ids_with(&[1], &chunked(2), db.conn()).is_err();
            assert_eq!(live_under_deleted(&mut db), 0, "soft delete stopped at call {k}");
            if stopped {
                assert_eq!(state(&mut db)[0][0], (1, Some(0)), "the project goes last");
                script(|s| s.refuse_call = None);
                Project::soft_delete_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
            }
            let marked = state(&mut db);
            for (table, rows) in TABLES.iter().zip(&marked) {
                for &(id, mark) in rows {
                    let others = (*table == "projects" && id == 2) || id == 1000;
                    let expected = if id == 2000 { 2 } else if others { 0 } else { 1 };
                    assert_eq!(mark, Some(expected), "{table} {id}, stopped at {k}");
                }
            }

            script(|s| *s = Script { refuse_call: Some(k), ..Script::default() });
            let stopped_restore =
                Project::restore_by_ids_with(&[1], &chunked(2), db.conn()).is_err();
            assert_eq!(live_under_deleted(&mut db), 0, "restore stopped at call {k}");
            if stopped_restore {
                script(|s| s.refuse_call = None);
                Project::restore_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
            }
            assert_eq!(state(&mut db), before, "stopped at call {k}");
            if !stopped && !stopped_restore {
                assert!(k > 2, "the hooks were called");
                break;
            }
        }
    }

    /// Without a mark a chunked soft delete or restore is refused before anything changes; a
    /// hard delete in chunks needs none.
    #[test]
    fn a_chunked_soft_delete_without_a_mark_is_refused() {
        let Some(mut db) = open::<Db>() else { return };
        load(&mut db, 3);
        let before = state(&mut db);
        let options = DeleteOptions::chunked(2);
        let error = Project::soft_delete_by_ids_with(&[1], &options, db.conn()).unwrap_err();
        assert!(
            matches!(error, DeleteError::MarkNeeded { operation: "soft delete", table: "projects", .. }),
            "{error:?}"
        );
        assert_eq!(state(&mut db), before);
        Project::soft_delete_by_ids(&[1], db.conn()).unwrap();
        let marked = state(&mut db);
        let error = Project::restore_by_ids_with(&[1], &options, db.conn()).unwrap_err();
        assert!(
            matches!(error, DeleteError::MarkNeeded { operation: "restore", .. }),
            "{error:?}"
        );
        assert_eq!(state(&mut db), marked);
        let report: DeleteReport = Project::delete_by_ids_with(&[1], &options, db.conn()).unwrap();
        assert_eq!(report.count_of::<Task>(), 3);
    }

    /// A restore in chunks brings back only rows with its mark: a project soft-deleted at
    /// another instant is not restored, and a task of the project soft-deleted before it (its
    /// own mark) stays soft-deleted with its note.
    #[test]
    fn a_chunked_restore_brings_back_only_its_mark() {
        let Some(mut db) = open::<Db>() else { return };
        load(&mut db, 7);
        let task_mark = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        let earlier = DeleteOptions::default().marked_at(task_mark);
        Task::soft_delete_by_ids_with(&[3], &earlier, db.conn()).unwrap();
        Project::soft_delete_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
        let other = DeleteOptions::chunked(2).marked_at(task_mark);
        let error = Project::restore_by_ids_with(&[1], &other, db.conn()).unwrap_err();
        assert!(matches!(error, DeleteError::OtherMark { rows: 1, .. }), "{error:?}");
        let report = Project::restore_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
        // Tasks 3, 6 and 7 and their notes (and note 2000) stay soft-deleted.
        assert_eq!(report.count_of::<Task>(), 4, "{report}");
        assert_eq!(report.count_of::<Note>(), 4, "{report}");
        let deleted = |db: &mut Db, table: &str| -> Vec<i64> {
            db.pairs(&format!(
                "SELECT id AS a, NULL AS b FROM {table} WHERE deleted_at IS NOT NULL ORDER BY id"
            ))
            .into_iter()
            .map(|(id, _)| id)
            .collect()
        };
        assert_eq!(deleted(&mut db, "tasks"), vec![3, 6, 7]);
        assert_eq!(deleted(&mut db, "notes"), vec![3, 6, 7, 2000]);
        assert_eq!(live_under_deleted(&mut db), 0);
    }

    /// Marks compare as instants: soft-deleted in a session at +05:00, stopped, rerun and
    /// restored from one at another offset, everything comes back. On MySQL and MariaDB a
    /// `DATETIME` holds the session's wall time, whose instant only a session in the same zone
    /// knows: there every session of the test is at the first offset (not UTC).
    #[test]
    fn a_mark_matches_whatever_the_session_time_zone() {
        let zone = |db: &mut Db, offset: &str| match Db::BACKEND {
            "mysql" | "mariadb" => db.exec(&format!("SET time_zone = '{offset}'")),
            "postgres" => db.exec(&format!("SET TIME ZONE INTERVAL '{offset}' HOUR TO MINUTE")),
            _ => {}
        };
        for (first, second) in [("+05:00", "+00:00"), ("-03:30", "+05:00")] {
            let Some(mut db) = open::<Db>() else { return };
            load(&mut db, 5);
            zone(&mut db, "+00:00");
            let before = state(&mut db);
            zone(&mut db, first);
            // Stopped after its first chunk, rerun in the other zone: the same mark.
            script(|s| *s = Script { refuse_call: Some(2), ..Script::default() });
            Project::soft_delete_by_ids_with(&[1], &chunked(2), db.conn()).unwrap_err();
            script(|s| *s = Script::default());
            let second = match Db::BACKEND {
                "mysql" | "mariadb" => first,
                _ => second,
            };
            zone(&mut db, second);
            Project::soft_delete_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
            let report = Project::restore_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
            assert_eq!(report.count_of::<Task>(), 5, "{first} then {second}: {report}");
            zone(&mut db, "+00:00");
            assert_eq!(state(&mut db), before, "{first} then {second}");
        }
    }

    /// Roots soft-deleted with another mark than the restore's are refused before anything
    /// changes, not skipped: one transaction would have brought them back.
    #[test]
    fn a_chunked_restore_refuses_roots_with_another_mark() {
        let Some(mut db) = open::<Db>() else { return };
        load(&mut db, 3);
        Project::soft_delete_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
        let other = SystemTime::UNIX_EPOCH + Duration::from_secs(1_700_000_000);
        Project::soft_delete_by_ids_with(&[2], &chunked(2).marked_at(other), db.conn()).unwrap();
        let marked = state(&mut db);
        let error = Project::restore_by_ids_with(&[1, 2], &chunked(2), db.conn()).unwrap_err();
        assert!(
            matches!(error, DeleteError::OtherMark { table: "projects", rows: 1, .. }),
            "{error:?}"
        );
        assert_eq!(state(&mut db), marked);
        let report = Project::restore_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
        assert_eq!(report.count_of::<Project>(), 1);
        let other = DeleteOptions::chunked(2).marked_at(other);
        let report = Project::restore_by_ids_with(&[2], &other, db.conn()).unwrap();
        assert_eq!(report.total(), 3, "project 2, task 1000, note 1000: {report}");
    }

    /// A flag between timestamps: one transaction's restore brings back the flagged items
    /// under the box and their parts with the box's mark (it compared a flag with an instant,
    /// and failed, before), and chunked mode does the same.
    #[test]
    fn a_restore_through_a_flag_between_timestamps() {
        for chunks in [None, Some(1)] {
            let Some(mut db) = open::<Db>() else { return };
            db.exec(
                "INSERT INTO boxes (id) VALUES (1), (2);
                 INSERT INTO items (id, box_id) VALUES (1, 1), (2, 1), (3, 2);
                 INSERT INTO parts (id, item_id) VALUES (1, 1), (2, 2), (3, 2), (4, 3);",
            );
            let before = |db: &mut Db| {
                (
                    db.pairs("SELECT id AS a, CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END AS b FROM boxes ORDER BY id"),
                    db.pairs("SELECT id AS a, CASE WHEN hidden THEN 1 ELSE 0 END AS b FROM items ORDER BY id"),
                    db.pairs("SELECT id AS a, CASE WHEN deleted_at IS NULL THEN 0 ELSE 1 END AS b FROM parts ORDER BY id"),
                )
            };
            let live = before(&mut db);
            let options = match chunks {
                Some(size) => chunked(size),
                None => DeleteOptions::default().marked_at(mark()),
            };
            let report = Crate::soft_delete_by_ids_with(&[1], &options, db.conn()).unwrap();
            assert_eq!(report.total(), 6, "{chunks:?}: {report}");
            let report = Crate::restore_by_ids_with(&[1], &options, db.conn()).unwrap();
            assert_eq!(report.total(), 6, "{chunks:?}: {report}");
            assert_eq!(before(&mut db), live, "{chunks:?}");
        }
    }

    /// A database error at every statement of a chunked soft delete, then of a chunked
    /// restore, in turn: after each failure no live row is under a soft-deleted parent, and
    /// the same call again finishes with the state of an uninterrupted run.
    #[test]
    fn a_failure_at_every_statement_leaves_a_consistent_state_and_the_rerun_finishes() {
        let tasks = 7;
        let Some(mut twin) = open::<Db>() else { return };
        load(&mut twin, tasks);
        let before = state(&mut twin);
        Project::soft_delete_by_ids_with(&[1], &chunked(2), twin.conn()).unwrap();
        let marked = state(&mut twin);
        for restore in [false, true] {
            for k in 1.. {
                let Some(mut db) = open::<Db>() else { return };
                load(&mut db, tasks);
                if restore {
                    Project::soft_delete_by_ids_with(&[1], &chunked(2), db.conn()).unwrap();
                }
                let run = |conn: &mut Faulty<'_, Db>| match restore {
                    false => Project::soft_delete_by_ids_with(&[1], &chunked(2), conn),
                    true => Project::restore_by_ids_with(&[1], &chunked(2), conn),
                };
                let injection = {
                    let mut faulty = db.conn().faulty();
                    faulty.arm(Some((k, Fault::Database)));
                    let outcome = run(&mut faulty);
                    let injection = faulty.disarm();
                    if injection.failed_statement.is_some() {
                        assert!(outcome.is_err(), "statement {k}: {injection:?}");
                    }
                    injection
                };
                assert_eq!(live_under_deleted(&mut db), 0, "restore {restore}, statement {k}");
                // Unarmed, the wrapper only forwards.
                run(&mut db.conn().faulty()).unwrap();
                let expected = if restore { &before } else { &marked };
                assert_eq!(&state(&mut db), expected, "restore {restore}, statement {k}");
                if injection.failed_statement.is_none() {
                    assert!(k > 10, "the statements were counted: {injection:?}");
                    break;
                }
            }
        }
    }
}
