//! Concurrency on PostgreSQL and MySQL/MariaDB: while a cascade delete of a root runs, other
//! connections keep inserting children of that root and of other roots. The delete must neither
//! deadlock nor fail, no row may be left referencing a missing parent, and every insert either
//! committed against a live parent or failed cleanly on its foreign key.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use std::sync::{Arc, Barrier};
use std::thread;

use deletable::Deletable;
use deletable_tests::{backends, TestDb};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

mod schema {
    diesel::table! { owners (id) { id -> Integer, } }
    diesel::table! { projects (id) { id -> Integer, owner_id -> Integer, } }
    diesel::table! { tasks (id) { id -> Integer, project_id -> Integer, } }
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

deletable::schema!(Owner, Project, Task);

const SCHEMA: &str = "
    CREATE TABLE owners (id INTEGER PRIMARY KEY);
    CREATE TABLE projects (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL,
        FOREIGN KEY (owner_id) REFERENCES owners (id));
    CREATE TABLE tasks (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL,
        FOREIGN KEY (project_id) REFERENCES projects (id));
";

const ROUNDS: i32 = 20;
const INSERTERS: i32 = 3;
const INSERTS_PER_INSERTER: i32 = 60;
const OWNERS: i32 = 4;
const PROJECTS_PER_OWNER: i32 = 50;

/// What one attempted insert did.
struct Attempt {
    id: i32,
    owner_id: i32,
    committed: bool,
}

backends! {
    #[test]
    fn a_cascade_delete_racing_inserts_neither_deadlocks_nor_orphans() {
        if Db::BACKEND == "sqlite" {
            println!("skipped: an in-memory SQLite database has a single connection");
            return;
        }
        let Some(mut db) = Db::open(SCHEMA) else { return };
        for round in 0..ROUNDS {
            db.exec("DELETE FROM tasks");
            db.exec("DELETE FROM projects");
            db.exec("DELETE FROM owners");
            db.insert_many("owners (id)", OWNERS as usize, |id| format!("({id})"));
            db.insert_many("projects (id, owner_id)", (OWNERS * PROJECTS_PER_OWNER) as usize, |id| {
                format!("({id}, {})", 1 + (id as i32 - 1) % OWNERS)
            });
            db.insert_many("tasks (id, project_id)", (OWNERS * PROJECTS_PER_OWNER * 2) as usize, |id| {
                format!("({id}, {})", 1 + (id as i32 - 1) / 2)
            });

            let start = Arc::new(Barrier::new(INSERTERS as usize + 1));
            let inserters: Vec<_> = (0..INSERTERS)
                .map(|inserter| {
                    let mut conn = db.connect_again();
                    let start = Arc::clone(&start);
                    thread::spawn(move || {
                        start.wait();
                        (0..INSERTS_PER_INSERTER)
                            .map(|i| {
                                let id = 100_000 * (inserter + 1) + 1_000 * round + i;
                                // Half the inserts target the root being deleted.
                                let owner_id = if i % 2 == 0 { 1 } else { 2 + i % (OWNERS - 1) };
                                let result = diesel::insert_into(projects::table)
                                    .values((projects::id.eq(id), projects::owner_id.eq(owner_id)))
                                    .execute(&mut conn);
                                let committed = match result {
                                    Ok(_) => true,
                                    Err(Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _)) => {
                                        false
                                    }
                                    // InnoDB writes the row before it checks the foreign key: an
                                    // insert under the root being deleted can deadlock with the
                                    // delete's scan, and InnoDB rolls the insert back.
                                    Err(Error::DatabaseError(_, info))
                                        if matches!(Db::BACKEND, "mysql" | "mariadb")
                                            && owner_id == 1
                                            && info.message().starts_with("Deadlock found") =>
                                    {
                                        false
                                    }
                                    Err(error) => panic!("round {round}: insert {id} into owner {owner_id} failed uncleanly: {error}"),
                                };
                                Attempt { id, owner_id, committed }
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();

            start.wait();
            let report = Owner::delete_by_ids(&[1], db.conn())
                .unwrap_or_else(|error| panic!("round {round}: the delete failed: {error}"));
            assert_eq!(report.count("owners"), 1, "round {round}");

            let attempts: Vec<Attempt> = inserters
                .into_iter()
                .flat_map(|inserter| inserter.join().expect("an inserter panicked"))
                .collect();

            assert_eq!(db.ids("owners"), (2..=OWNERS as i64).collect::<Vec<_>>(), "round {round}");
            let orphans = db.pairs(
                "SELECT COUNT(*) AS a, NULL AS b FROM projects \
                 WHERE NOT EXISTS (SELECT 1 FROM owners WHERE owners.id = projects.owner_id)",
            );
            assert_eq!(orphans[0].0, 0, "round {round}: orphan projects");
            let orphans = db.pairs(
                "SELECT COUNT(*) AS a, NULL AS b FROM tasks \
                 WHERE NOT EXISTS (SELECT 1 FROM projects WHERE projects.id = tasks.project_id)",
            );
            assert_eq!(orphans[0].0, 0, "round {round}: orphan tasks");
            let projects: Vec<i64> = db.ids("projects");
            for attempt in &attempts {
                let present = projects.binary_search(&i64::from(attempt.id)).is_ok();
                // A committed insert survives unless its parent was the deleted root (then the
                // cascade took it); a failed one left nothing behind.
                let expected = attempt.committed && attempt.owner_id != 1;
                assert_eq!(present, expected, "round {round}: insert {} into owner {}", attempt.id, attempt.owner_id);
                if attempt.owner_id != 1 {
                    assert!(attempt.committed, "round {round}: insert {} into a live owner failed", attempt.id);
                }
            }
        }
    }
}
