//! Differential test against the database's own referential actions: the same random data is
//! loaded three times, once under native `ON DELETE CASCADE / SET NULL` constraints (deleted with
//! a plain `DELETE` of the roots), once under plain constraints (deleted by `deletable`), and once
//! under the native constraints again but deleted by `deletable` (which, on PostgreSQL, leaves the
//! declared cascades to the database), and once more under plain constraints deleted by
//! `deletable` in chunked mode, with a random chunk size of 1 to 4 rows; and twice under plain
//! constraints mended by the SQL of `Plan::migration`, once deleted by `deletable` and once by a
//! plain `DELETE`. After each case every table must hold exactly the same rows in all six, and
//! the `deletable` deletes must report the same counts.
//!
//! The seed is random per run and printed; set `DELETABLE_SEED` to replay one.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use deletable::{Deletable, DeleteOptions};
use deletable_tests::rng::Rng;
use deletable_tests::{backends, run_migration, TestDb};
use diesel::prelude::*;

mod schema {
    diesel::table! { owners (id) { id -> Integer, } }
    diesel::table! { projects (id) { id -> Integer, owner_id -> Integer, } }
    diesel::table! { tasks (id) { id -> Integer, project_id -> Integer, assignee_id -> Nullable<Integer>, parent_id -> Nullable<Integer>, } }
    diesel::table! { notes (id) { id -> Integer, task_id -> Integer, } }
    diesel::table! { reviews (id) { id -> Integer, project_id -> Integer, reviewer_id -> Integer, } }
    diesel::table! { watchers (owner_id, task_id) { owner_id -> Integer, task_id -> Integer, } }
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

/// A chain below projects, a `set_null` edge straight to owners, and a tree of subtasks.
#[derive(Deletable)]
#[diesel(table_name = tasks, belongs_to(Project))]
struct Task {
    id: i32,
    #[on_delete(cascade)]
    project_id: i32,
    #[on_delete(set_null, references = Owner)]
    assignee_id: Option<i32>,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = notes, belongs_to(Task))]
struct Note {
    id: i32,
    #[on_delete(cascade)]
    task_id: i32,
}

/// A diamond: reached from owners directly and through projects.
#[derive(Deletable)]
#[diesel(table_name = reviews, belongs_to(Project))]
struct Review {
    id: i32,
    #[on_delete(cascade)]
    project_id: i32,
    #[on_delete(cascade, references = Owner)]
    reviewer_id: i32,
}

/// A join table with a composite key, cascaded from both sides.
#[derive(Deletable)]
#[diesel(table_name = watchers, primary_key(owner_id, task_id), belongs_to(Owner), belongs_to(Task))]
struct Watcher {
    #[on_delete(cascade)]
    owner_id: i32,
    #[on_delete(cascade)]
    task_id: i32,
}

deletable::schema!(Owner, Project, Task, Note, Review, Watcher);

/// The schema, with `{cascade}` and `{set_null}` standing for each foreign key's native action.
const SCHEMA_TEMPLATE: &str = "
    CREATE TABLE owners (id INTEGER PRIMARY KEY);
    CREATE TABLE projects (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL,
        FOREIGN KEY (owner_id) REFERENCES owners (id) {cascade});
    CREATE TABLE tasks (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, assignee_id INTEGER,
        parent_id INTEGER,
        FOREIGN KEY (project_id) REFERENCES projects (id) {cascade},
        FOREIGN KEY (assignee_id) REFERENCES owners (id) {set_null},
        FOREIGN KEY (parent_id) REFERENCES tasks (id) {cascade});
    CREATE TABLE notes (id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL,
        FOREIGN KEY (task_id) REFERENCES tasks (id) {cascade});
    CREATE TABLE reviews (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, reviewer_id INTEGER NOT NULL,
        FOREIGN KEY (project_id) REFERENCES projects (id) {cascade},
        FOREIGN KEY (reviewer_id) REFERENCES owners (id) {cascade});
    CREATE TABLE watchers (owner_id INTEGER NOT NULL, task_id INTEGER NOT NULL,
        PRIMARY KEY (owner_id, task_id),
        FOREIGN KEY (owner_id) REFERENCES owners (id) {cascade},
        FOREIGN KEY (task_id) REFERENCES tasks (id) {cascade});
";

fn schema(native: bool) -> String {
    let (cascade, set_null) = if native {
        ("ON DELETE CASCADE", "ON DELETE SET NULL")
    } else {
        ("", "")
    };
    SCHEMA_TEMPLATE
        .replace("{cascade}", cascade)
        .replace("{set_null}", set_null)
}

/// Children first, so a plain `DELETE` empties each table.
const TABLES: &[&str] = &[
    "watchers", "reviews", "notes", "tasks", "projects", "owners",
];

/// What each table holds, as (key, column) pairs, one query per foreign key.
const SNAPSHOT: &[&str] = &[
    "SELECT id AS a, NULL AS b FROM owners ORDER BY id",
    "SELECT id AS a, owner_id AS b FROM projects ORDER BY id",
    "SELECT id AS a, project_id AS b FROM tasks ORDER BY id",
    "SELECT id AS a, assignee_id AS b FROM tasks ORDER BY id",
    "SELECT id AS a, parent_id AS b FROM tasks ORDER BY id",
    "SELECT id AS a, task_id AS b FROM notes ORDER BY id",
    "SELECT id AS a, project_id AS b FROM reviews ORDER BY id",
    "SELECT id AS a, reviewer_id AS b FROM reviews ORDER BY id",
    "SELECT owner_id AS a, task_id AS b FROM watchers ORDER BY owner_id, task_id",
];

/// One random case: the fixture SQL, and which rows to delete.
struct Case {
    fixtures: Vec<String>,
    root: Root,
    keys: Vec<i32>,
    /// Delete through `delete_where` (a typed filter) instead of `delete_by_ids`.
    by_filter: bool,
}

enum Root {
    Owners,
    Projects,
    Tasks,
}

fn random_case(rng: &mut Rng) -> Case {
    let owners = 1 + rng.below(6) as i32;
    let projects = rng.below(10) as i32;
    let tasks = if projects == 0 {
        0
    } else {
        rng.below(20) as i32
    };
    let pick = |rng: &mut Rng, n: i32| 1 + rng.below(n as u64) as i32;
    let mut fixtures = Vec::new();
    let values: Vec<String> = (1..=owners).map(|id| format!("({id})")).collect();
    fixtures.push(format!(
        "INSERT INTO owners (id) VALUES {}",
        values.join(", ")
    ));
    let mut insert = |table: &str, rows: Vec<String>| {
        if !rows.is_empty() {
            fixtures.push(format!("INSERT INTO {table} VALUES {}", rows.join(", ")));
        }
    };
    insert(
        "projects (id, owner_id)",
        (1..=projects)
            .map(|id| format!("({id}, {})", pick(rng, owners)))
            .collect(),
    );
    // Subtasks hang under earlier tasks, at most 8 deep (InnoDB's own cascade stops at 15).
    let mut depth = vec![0; tasks as usize + 1];
    insert(
        "tasks (id, project_id, assignee_id, parent_id)",
        (1..=tasks)
            .map(|id| {
                let assignee = if rng.chance(60) {
                    pick(rng, owners).to_string()
                } else {
                    "NULL".to_owned()
                };
                let parent = if id > 1 && rng.chance(50) {
                    let parent = pick(rng, id - 1);
                    (depth[parent as usize] < 8).then_some(parent)
                } else {
                    None
                };
                depth[id as usize] = parent.map_or(0, |parent| depth[parent as usize] + 1);
                let parent = parent.map_or_else(|| "NULL".to_owned(), |parent| parent.to_string());
                format!("({id}, {}, {assignee}, {parent})", pick(rng, projects))
            })
            .collect(),
    );
    if tasks > 0 {
        let notes = rng.below(25) as i32;
        insert(
            "notes (id, task_id)",
            (1..=notes)
                .map(|id| format!("({id}, {})", pick(rng, tasks)))
                .collect(),
        );
        let mut pairs: Vec<(i32, i32)> = (0..rng.below(15))
            .map(|_| (pick(rng, owners), pick(rng, tasks)))
            .collect();
        pairs.sort_unstable();
        pairs.dedup();
        insert(
            "watchers (owner_id, task_id)",
            pairs.iter().map(|(o, t)| format!("({o}, {t})")).collect(),
        );
    }
    if projects > 0 {
        let reviews = rng.below(12) as i32;
        insert(
            "reviews (id, project_id, reviewer_id)",
            (1..=reviews)
                .map(|id| format!("({id}, {}, {})", pick(rng, projects), pick(rng, owners)))
                .collect(),
        );
    }
    let (root, count) = match rng.below(4) {
        0 if projects > 0 => (Root::Projects, projects),
        1 if tasks > 0 => (Root::Tasks, tasks),
        _ => (Root::Owners, owners),
    };
    // Some keys, occasionally one that does not exist.
    let mut keys: Vec<i32> = (0..1 + rng.below(3))
        .map(|_| pick(rng, count + 1))
        .collect();
    keys.sort_unstable();
    keys.dedup();
    Case {
        fixtures,
        root,
        keys,
        by_filter: rng.chance(40),
    }
}

fn base_seed() -> u64 {
    match std::env::var("DELETABLE_SEED") {
        Ok(seed) => seed.parse().expect("DELETABLE_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |elapsed| elapsed.as_nanos() as u64),
    }
}

const CASES: u64 = 200;

backends! {
    #[test]
    fn deletable_matches_the_databases_own_referential_actions() {
        let Some(mut native) = Db::open(&schema(true)) else { return };
        let Some(mut plain) = Db::open(&schema(false)) else { return };
        let Some(mut declared) = Db::open(&schema(true)) else { return };
        let Some(mut chunked) = Db::open(&schema(false)) else { return };
        let Some(mut migrated) = Db::open(&schema(false)) else { return };
        let Some(mut migrated_raw) = Db::open(&schema(false)) else { return };
        for db in [&mut migrated, &mut migrated_raw] {
            let migration = Owner::plan().migration(db.conn()).unwrap();
            run_migration(db, &migration, migration.up());
            assert_eq!(Owner::plan().verify(db.conn()).unwrap(), [], "{migration}");
        }
        let base = base_seed();
        println!("{}: {CASES} cases from DELETABLE_SEED={base}", Db::BACKEND);
        for case in 0..CASES {
            let seed = base.wrapping_add(case);
            let mut rng = Rng::new(seed);
            let Case { fixtures, root, keys, by_filter } = random_case(&mut rng);
            let chunk_size = 1 + rng.below(4) as usize;
            for db in [&mut native, &mut plain, &mut declared, &mut chunked, &mut migrated, &mut migrated_raw] {
                // InnoDB checks a self-reference row by row: detach the subtasks first.
                db.exec("UPDATE tasks SET parent_id = NULL");
                for table in TABLES {
                    db.exec(&format!("DELETE FROM {table}"));
                }
                for sql in &fixtures {
                    db.exec(sql);
                }
            }
            let list: Vec<String> = keys.iter().map(i32::to_string).collect();
            let table = match root {
                Root::Owners => "owners",
                Root::Projects => "projects",
                Root::Tasks => "tasks",
            };
            let raw_delete = format!("DELETE FROM {table} WHERE id IN ({})", list.join(", "));
            native.exec(&raw_delete);
            migrated_raw.exec(&raw_delete);
            let delete = |conn: &mut <Db as TestDb>::Conn, options: &DeleteOptions| match (&root, by_filter) {
                (Root::Owners, false) => Owner::delete_by_ids_with(&keys, options, conn),
                (Root::Owners, true) => {
                    Owner::delete_where_with(owners::id.eq_any(keys.clone()), options, conn)
                }
                (Root::Projects, false) => Project::delete_by_ids_with(&keys, options, conn),
                (Root::Projects, true) => {
                    Project::delete_where_with(projects::id.eq_any(keys.clone()), options, conn)
                }
                (Root::Tasks, false) => Task::delete_by_ids_with(&keys, options, conn),
                (Root::Tasks, true) => {
                    Task::delete_where_with(tasks::id.eq_any(keys.clone()), options, conn)
                }
            };
            let one_transaction = DeleteOptions::default();
            let reports = [
                delete(plain.conn(), &one_transaction),
                delete(declared.conn(), &one_transaction),
                delete(chunked.conn(), &DeleteOptions::chunked(chunk_size)),
                delete(migrated.conn(), &one_transaction),
            ];
            let [plain_report, declared_report, chunked_report, migrated_report] = reports.map(|result| {
                result.unwrap_or_else(|error| {
                    panic!("case seed {seed} (replay with DELETABLE_SEED={seed}): {error}\n{fixtures:#?}")
                })
            });
            assert_eq!(
                declared_report, plain_report,
                "case seed {seed} (replay with DELETABLE_SEED={seed}): reports differ"
            );
            assert_eq!(
                migrated_report, plain_report,
                "case seed {seed} (replay with DELETABLE_SEED={seed}): reports differ after the migration"
            );
            assert_eq!(
                chunked_report, plain_report,
                "case seed {seed} (replay with DELETABLE_SEED={seed}): chunks of {chunk_size} \
                 report otherwise than one transaction"
            );
            for query in SNAPSHOT {
                let expected = native.pairs(query);
                assert_eq!(
                    declared.pairs(query),
                    expected,
                    "case seed {seed} (replay with DELETABLE_SEED={seed}), deleting {table} {keys:?} \
                     under declared actions: {query}\n{fixtures:#?}"
                );
                assert_eq!(
                    plain.pairs(query),
                    expected,
                    "case seed {seed} (replay with DELETABLE_SEED={seed}), deleting {table} {keys:?}: {query}\n{fixtures:#?}"
                );
                for (db, how) in [(&mut migrated, "deletable"), (&mut migrated_raw, "a plain DELETE")] {
                    assert_eq!(
                        db.pairs(query),
                        expected,
                        "case seed {seed} (replay with DELETABLE_SEED={seed}), deleting {table} {keys:?} \
                         by {how} after the migration: {query}\n{fixtures:#?}"
                    );
                }
                assert_eq!(
                    chunked.pairs(query),
                    expected,
                    "case seed {seed} (replay with DELETABLE_SEED={seed}), deleting {table} {keys:?} \
                     in chunks of {chunk_size}: {query}\n{fixtures:#?}"
                );
            }
        }
    }
}
