//! A chunked delete killed with SIGKILL at random points, on every backend: after each kill the
//! database is consistent, and running the same call again finishes the job with the same
//! result as a delete in one transaction.
//!
//! The delete runs in a child process (this binary again, told what to do by
//! `DELETABLE_CRASH_CHILD`), which prints a line after each chunk it commits; the parent reads a
//! random number of lines, waits a random fraction of a chunk, and kills it. The tables declare
//! no foreign key constraints, so nothing but the library keeps them consistent, and after each
//! kill the parent checks, over every table:
//! - no row references a row that is gone;
//! - a `set_null` key was cleared only on rows whose parent is one of the rows being deleted;
//! - every row outside the delete is there, unchanged;
//! - the hook (which writes an audit row per task it is shown, in the chunk's transaction) saw
//!   each task that went exactly once, and no task that is still there.
//!
//! When a run finishes before its kill, the data is loaded anew and the kills go on, until at
//! least [`KILLS`] have landed. Each finished run is compared with a twin database deleted in
//! one transaction: the same rows left, the same audit.
//!
//! The seed is random per run and printed; set `DELETABLE_SEED` to replay one.

// The models mirror their tables; the test reads none of their fields.
#![allow(dead_code)]

use std::collections::BTreeSet;
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::Duration;

use deletable::{Deletable, DeleteConnection, DeleteHooks, DeleteOptions, HookError};
use deletable_tests::rng::Rng;
use deletable_tests::TestDb;
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

mod schema {
    diesel::table! { tenants (id) { id -> Integer, } }
    diesel::table! { projects (id) { id -> Integer, tenant_id -> Integer, } }
    diesel::table! { tasks (id) { id -> Integer, project_id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { comments (id) { id -> Integer, task_id -> Integer, } }
    diesel::table! { watchers (id) { id -> Integer, task_id -> Nullable<Integer>, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = tenants)]
struct Tenant {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = projects, belongs_to(Tenant))]
struct Project {
    id: i32,
    #[on_delete(cascade)]
    tenant_id: i32,
}

/// A tree of tasks under each project, hooked: the hook writes the audit.
#[derive(Deletable)]
#[diesel(table_name = tasks, belongs_to(Project))]
#[deletable(hooks = keys, batch_size = 7)]
struct Task {
    id: i32,
    #[on_delete(cascade)]
    project_id: i32,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Task))]
struct Comment {
    id: i32,
    #[on_delete(cascade)]
    task_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = watchers, belongs_to(Task))]
struct Watcher {
    id: i32,
    #[on_delete(set_null)]
    task_id: Option<i32>,
}

deletable::schema!(Tenant, Project, Task, Comment, Watcher);

impl<C: DeleteConnection + SimpleConnection> DeleteHooks<C> for Task {
    fn before_delete(conn: &mut C, rows: &[i32]) -> Result<(), HookError> {
        let values: Vec<String> = rows.iter().map(|id| format!("({id})")).collect();
        conn.batch_execute(&format!(
            "INSERT INTO audit (task_id) VALUES {}",
            values.join(", ")
        ))?;
        Ok(())
    }
}

/// No foreign key constraint: the library alone keeps the tables consistent.
const SCHEMA: &str = "
    CREATE TABLE tenants (id INTEGER PRIMARY KEY);
    CREATE TABLE projects (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL);
    CREATE TABLE tasks (id INTEGER PRIMARY KEY, project_id INTEGER NOT NULL, parent_id INTEGER);
    CREATE TABLE comments (id INTEGER PRIMARY KEY, task_id INTEGER NOT NULL);
    CREATE TABLE watchers (id INTEGER PRIMARY KEY, task_id INTEGER);
    CREATE TABLE audit (task_id INTEGER NOT NULL);
    CREATE INDEX projects_tenant ON projects (tenant_id);
    CREATE INDEX tasks_project ON tasks (project_id);
    CREATE INDEX tasks_parent ON tasks (parent_id);
    CREATE INDEX comments_task ON comments (task_id);
    CREATE INDEX watchers_task ON watchers (task_id);
";

/// Kills that must land (each while the child is still deleting) on each backend.
const KILLS: usize = 20;
/// Rows a chunk.
const CHUNK: usize = 16;
/// The tenants deleted; tenant 3 stays.
const ROOTS: [i32; 2] = [1, 2];
const PROJECTS: i32 = 60;
const TASKS: i32 = 600;
const COMMENTS: i32 = 1_200;
const WATCHERS: i32 = 300;

fn tenant_of_project(project: i32) -> i32 {
    (project - 1) / 20 + 1
}

fn project_of_task(task: i32) -> i32 {
    (task - 1) / 10 + 1
}

/// Whether the delete of [`ROOTS`] removes a task.
fn task_goes(task: i32) -> bool {
    ROOTS.contains(&tenant_of_project(project_of_task(task)))
}

/// The rows, as SQL: tasks form trees inside their project, one in two watchers follows a task
/// of tenant 3 (and stays), the others one that goes (and is cleared).
fn fixtures(rng: &mut Rng) -> Vec<String> {
    let tenants = "INSERT INTO tenants (id) VALUES (1), (2), (3)".to_owned();
    let projects: Vec<String> = (1..=PROJECTS)
        .map(|id| format!("({id}, {})", tenant_of_project(id)))
        .collect();
    let tasks: Vec<String> = (1..=TASKS)
        .map(|id| {
            let first = (project_of_task(id) - 1) * 10 + 1;
            let parent = if id > first && rng.chance(60) {
                (first + rng.below((id - first) as u64) as i32).to_string()
            } else {
                "NULL".to_owned()
            };
            format!("({id}, {}, {parent})", project_of_task(id))
        })
        .collect();
    let comments: Vec<String> = (1..=COMMENTS)
        .map(|id| format!("({id}, {})", (id + 1) / 2))
        .collect();
    let watchers: Vec<String> = (1..=WATCHERS)
        .map(|id| format!("({id}, {})", 2 * id))
        .collect();
    vec![
        tenants,
        format!(
            "INSERT INTO projects (id, tenant_id) VALUES {}",
            projects.join(", ")
        ),
        format!(
            "INSERT INTO tasks (id, project_id, parent_id) VALUES {}",
            tasks.join(", ")
        ),
        format!(
            "INSERT INTO comments (id, task_id) VALUES {}",
            comments.join(", ")
        ),
        format!(
            "INSERT INTO watchers (id, task_id) VALUES {}",
            watchers.join(", ")
        ),
    ]
}

fn load<D: TestDb>(db: &mut D, fixtures: &[String]) {
    for table in [
        "audit", "watchers", "comments", "tasks", "projects", "tenants",
    ] {
        db.exec(&format!("DELETE FROM {table}"));
    }
    for sql in fixtures {
        db.exec(sql);
    }
}

/// The first violation of the invariants, if any, in a database a chunked delete of
/// [`ROOTS`] was killed in (or finished).
fn violation<D: TestDb>(db: &mut D) -> Option<String> {
    let dangling = [
        ("projects", "tenant_id", "tenants"),
        ("tasks", "project_id", "projects"),
        ("tasks", "parent_id", "tasks"),
        ("comments", "task_id", "tasks"),
        ("watchers", "task_id", "tasks"),
    ];
    for (table, column, parent) in dangling {
        let rows = db.pairs(&format!(
            "SELECT c.id AS a, c.{column} AS b FROM {table} c WHERE c.{column} IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE p.id = c.{column}) ORDER BY c.id"
        ));
        if !rows.is_empty() {
            return Some(format!(
                "{table}.{column} references rows that are gone: {rows:?}"
            ));
        }
    }
    let cleared = db.pairs("SELECT id AS a, task_id AS b FROM watchers ORDER BY id");
    for (watcher, task) in cleared {
        let original = 2 * watcher as i32;
        match task {
            None if !task_goes(original) => {
                return Some(format!(
                    "watcher {watcher} cleared, but task {original} stays"
                ));
            }
            Some(task) if task != i64::from(original) => {
                return Some(format!(
                    "watcher {watcher} points at {task}, not {original}"
                ));
            }
            _ => {}
        }
    }
    let kept = [
        (
            "SELECT COUNT(*) AS a, NULL AS b FROM tenants WHERE id = 3",
            1,
        ),
        (
            "SELECT COUNT(*) AS a, NULL AS b FROM projects WHERE tenant_id = 3",
            20,
        ),
        (
            "SELECT COUNT(*) AS a, NULL AS b FROM tasks WHERE project_id > 40",
            200,
        ),
        (
            "SELECT COUNT(*) AS a, NULL AS b FROM comments WHERE task_id > 400",
            400,
        ),
        (
            "SELECT COUNT(*) AS a, NULL AS b FROM watchers WHERE task_id > 400",
            100,
        ),
        (
            "SELECT COUNT(*) AS a, NULL AS b FROM watchers",
            i64::from(WATCHERS),
        ),
    ];
    for (query, want) in kept {
        let got = db.pairs(query)[0].0;
        if got != want {
            return Some(format!("{query}: {got}, not {want}"));
        }
    }
    let audited = db.pairs("SELECT task_id AS a, COUNT(*) AS b FROM audit GROUP BY task_id");
    if let Some((task, times)) = audited.iter().find(|(_, times)| *times != Some(1)) {
        return Some(format!("the hook saw task {task} {times:?} times"));
    }
    let audited: BTreeSet<i64> = audited.iter().map(|(task, _)| *task).collect();
    let present: BTreeSet<i64> = db
        .pairs("SELECT id AS a, NULL AS b FROM tasks")
        .iter()
        .map(|(task, _)| *task)
        .collect();
    let gone: BTreeSet<i64> = (1..=i64::from(TASKS))
        .filter(|task| !present.contains(task))
        .collect();
    if audited != gone {
        return Some(format!(
            "the hook saw tasks {:?} that are there, and missed {:?} that are gone",
            audited.difference(&gone).collect::<Vec<_>>(),
            gone.difference(&audited).collect::<Vec<_>>()
        ));
    }
    None
}

/// Everything a table snapshot compares.
fn snapshot<D: TestDb>(db: &mut D) -> Vec<Vec<(i64, Option<i64>)>> {
    [
        "SELECT id AS a, NULL AS b FROM tenants ORDER BY id",
        "SELECT id AS a, tenant_id AS b FROM projects ORDER BY id",
        "SELECT id AS a, project_id AS b FROM tasks ORDER BY id",
        "SELECT id AS a, parent_id AS b FROM tasks ORDER BY id",
        "SELECT id AS a, task_id AS b FROM comments ORDER BY id",
        "SELECT id AS a, task_id AS b FROM watchers ORDER BY id",
        "SELECT task_id AS a, NULL AS b FROM audit ORDER BY task_id",
    ]
    .iter()
    .map(|query| db.pairs(query))
    .collect()
}

/// The child's side: connect to `target` and delete [`ROOTS`] in chunks, a line after each.
fn child(backend: &str, target: &str) {
    let options = DeleteOptions::chunked(CHUNK).on_progress(|progress| {
        let mut out = std::io::stdout().lock();
        let _ = writeln!(
            out,
            "chunk {} {}/{}",
            progress.chunks,
            progress.done(),
            progress.total()
        );
        let _ = out.flush();
    });
    let report = match backend {
        "sqlite" => {
            let mut conn = SqliteConnection::establish(target).expect("open the SQLite file");
            Tenant::delete_by_ids_with(&ROOTS, &options, &mut conn)
        }
        #[cfg(feature = "postgres")]
        "postgres" => {
            let mut conn = PgConnection::establish(target).expect("connect to PostgreSQL");
            Tenant::delete_by_ids_with(&ROOTS, &options, &mut conn)
        }
        #[cfg(feature = "mysql")]
        "mysql" => {
            let mut conn = MysqlConnection::establish(target).expect("connect to MySQL");
            Tenant::delete_by_ids_with(&ROOTS, &options, &mut conn)
        }
        #[cfg(feature = "mariadb")]
        "mariadb" => {
            let mut conn =
                diesel::mariadb::MariadbConnection::establish(target).expect("connect to MariaDB");
            Tenant::delete_by_ids_with(&ROOTS, &options, &mut conn)
        }
        other => panic!("no backend {other} in this build"),
    };
    let report = report.expect("the chunked delete");
    println!("done {report}");
}

/// The parent's side on one backend: `db` and `twin` hold the same schema, the child reaches
/// `db` through `target`, and `one_transaction` deletes [`ROOTS`] from the twin.
fn kill_repeatedly<D: TestDb>(
    backend: &str,
    (mut db, mut twin): (D, D),
    target: &str,
    one_transaction: fn(&mut D::Conn),
    seed: u64,
) {
    let mut rng = Rng::new(seed);
    let mut kills = 0;
    let mut finished = 0;
    let mut runs = 0;
    let mut round = 0;
    while kills < KILLS {
        round += 1;
        let data = fixtures(&mut Rng::new(seed.wrapping_add(round)));
        load(&mut db, &data);
        load(&mut twin, &data);
        one_transaction(twin.conn());
        let expected = snapshot(&mut twin);
        loop {
            runs += 1;
            assert!(
                runs < 10 * KILLS,
                "{backend}: {runs} runs and only {kills} kills"
            );
            let mut process = Command::new(std::env::current_exe().expect("own path"))
                .env("DELETABLE_CRASH_CHILD", format!("{backend} {target}"))
                .stdout(Stdio::piped())
                .spawn()
                .expect("start the child");
            let lines = 1 + rng.below(4);
            let delay = Duration::from_micros(rng.below(4_000));
            let mut stdout = BufReader::new(process.stdout.take().expect("piped"));
            let mut seen = 0;
            let mut done = false;
            let mut line = String::new();
            while seen < lines {
                line.clear();
                if stdout.read_line(&mut line).expect("read the child") == 0 {
                    break;
                }
                done |= line.starts_with("done");
                seen += 1;
            }
            if !done {
                std::thread::sleep(delay);
            }
            // SIGKILL: no destructor, no rollback from the process.
            let _ = process.kill();
            let status = process.wait().expect("wait for the child");
            let killed = status.code().is_none();
            if let Some(problem) = violation(&mut db) {
                panic!(
                    "{backend}: after run {runs} ({}), DELETABLE_SEED={seed}: {problem}",
                    if killed { "killed" } else { "exited" }
                );
            }
            if killed {
                kills += 1;
                continue;
            }
            assert!(status.success(), "{backend}: the child failed: {status}");
            assert_eq!(
                snapshot(&mut db),
                expected,
                "{backend}: the killed and resumed delete left other rows than one transaction \
                 (DELETABLE_SEED={seed})"
            );
            finished += 1;
            break;
        }
    }
    println!("{backend}: {kills} kills in {runs} runs, {finished} deletes finished and compared");
}

fn seed() -> u64 {
    match std::env::var("DELETABLE_SEED") {
        Ok(seed) => seed.parse().expect("DELETABLE_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |elapsed| elapsed.as_nanos() as u64),
    }
}

/// The delete of [`ROOTS`] in one transaction, as a closure for a concrete connection type.
macro_rules! one_transaction {
    () => {
        |conn| {
            Tenant::delete_by_ids(&ROOTS, conn).expect("the one-transaction delete");
        }
    };
}

/// The test on a database server, when its URL is set.
#[cfg(any(feature = "postgres", feature = "mysql", feature = "mariadb"))]
macro_rules! on_server {
    ($db:ty, $backend:literal, $seed:expr) => {
        if let (Some(db), Some(twin)) = (<$db>::open(SCHEMA), <$db>::open(SCHEMA)) {
            let target = db.url().expect("a server database has a URL");
            kill_repeatedly($backend, (db, twin), &target, one_transaction!(), $seed);
        }
    };
}

/// The tests of the backends configured (each skipped with its reason otherwise).
fn main() {
    if let Ok(child_of) = std::env::var("DELETABLE_CRASH_CHILD") {
        let (backend, target) = child_of.split_once(' ').expect("backend and target");
        child(backend, target);
        return;
    }
    let seed = seed();
    println!("crash: DELETABLE_SEED={seed}");
    let directory = std::env::temp_dir().join(deletable_tests::unique_name());
    std::fs::create_dir_all(&directory).expect("a temporary directory");
    let file = directory.join("crash.sqlite");
    let db = deletable_tests::SqliteDb::open_file(&file, SCHEMA);
    let twin = deletable_tests::SqliteDb::open_file(&directory.join("twin.sqlite"), SCHEMA);
    let target = file.to_str().expect("a UTF-8 path").to_owned();
    kill_repeatedly("sqlite", (db, twin), &target, one_transaction!(), seed);
    let _ = std::fs::remove_dir_all(&directory);
    #[cfg(feature = "postgres")]
    on_server!(deletable_tests::PgDb, "postgres", seed);
    #[cfg(feature = "mysql")]
    on_server!(deletable_tests::MysqlDb, "mysql", seed);
    #[cfg(feature = "mariadb")]
    on_server!(deletable_tests::MariadbDb, "mariadb", seed);
}
