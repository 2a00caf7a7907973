//! The methods under test, the data they run on, and the child process that runs one of them.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use deletable::{Deletable, DeleteOptions};
use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::prelude::*;

use crate::scenario::{self, hooked, keyed, plain, schema::*};

/// Rows per page or per `IN` list of the hand-written methods (Django deletes in batches too).
const PAGE: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl Backend {
    pub fn parse(name: &str) -> Result<Self, String> {
        match name {
            "sqlite" => Ok(Backend::Sqlite),
            "postgres" => Ok(Backend::Postgres),
            other => Err(format!("unknown backend {other} (sqlite, postgres)")),
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Sqlite => "sqlite",
            Backend::Postgres => "postgres",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    Native,
    Naive,
    Pages,
    Deletable,
    DeletableHook,
    DeletableHookKeys,
    DeletableDeclared,
    DeletableAsync,
    DeletableChunked,
    Django,
    DjangoReceiver,
}

impl Method {
    pub const ALL: [Method; 11] = [
        Method::Native,
        Method::Naive,
        Method::Pages,
        Method::Deletable,
        Method::DeletableHook,
        Method::DeletableHookKeys,
        Method::DeletableDeclared,
        Method::DeletableAsync,
        Method::DeletableChunked,
        Method::Django,
        Method::DjangoReceiver,
    ];

    /// The methods run when none are named: every Rust method this build can run
    /// (`deletable-async` needs the `async` feature); Django's when asked for.
    pub fn available() -> Vec<Method> {
        Method::ALL
            .into_iter()
            .filter(|&method| method != Method::DeletableAsync || cfg!(feature = "async"))
            .filter(|method| !method.is_django())
            .collect()
    }

    pub fn parse(name: &str) -> Result<Self, String> {
        Method::ALL
            .into_iter()
            .find(|method| method.name() == name)
            .ok_or_else(|| format!("unknown method {name}"))
    }

    pub fn name(self) -> &'static str {
        match self {
            Method::Native => "native",
            Method::Naive => "naive",
            Method::Pages => "pages",
            Method::Deletable => "deletable",
            Method::DeletableHook => "deletable-hook",
            Method::DeletableHookKeys => "deletable-hook-keys",
            Method::DeletableDeclared => "deletable-declared",
            Method::DeletableAsync => "deletable-async",
            Method::DeletableChunked => "deletable-chunked",
            Method::Django => "django",
            Method::DjangoReceiver => "django-receiver",
        }
    }

    /// Whether a Python child (Django) runs the method rather than this binary.
    pub fn is_django(self) -> bool {
        matches!(self, Method::Django | Method::DjangoReceiver)
    }
}

/// What one child measured.
#[derive(Debug, Clone, Copy)]
pub struct Outcome {
    pub seconds: f64,
    pub statements: usize,
    pub peak_kb: u64,
    pub deleted: i64,
    /// The longest transaction (or statement outside one) that wrote, in seconds.
    pub longest: f64,
    /// The longest that only read, in seconds.
    pub longest_read: f64,
    /// The worst wait of the concurrent writer's inserts, in seconds, when one ran.
    pub writer_wait: Option<f64>,
}

impl Outcome {
    pub fn to_line(self) -> String {
        format!(
            "{} {} {} {} {} {}",
            self.seconds,
            self.statements,
            self.peak_kb,
            self.deleted,
            self.longest,
            self.longest_read
        )
    }

    pub fn from_line(line: &str) -> Option<Self> {
        let mut parts = line.split_whitespace();
        Some(Outcome {
            seconds: parts.next()?.parse().ok()?,
            statements: parts.next()?.parse().ok()?,
            peak_kb: parts.next()?.parse().ok()?,
            deleted: parts.next()?.parse().ok()?,
            longest: parts.next()?.parse().ok()?,
            longest_read: parts.next()?.parse().ok()?,
            writer_wait: None,
        })
    }

    /// The run with the median wall time (its memory and statements with it).
    pub fn median(outcomes: &mut [Outcome]) -> Outcome {
        outcomes.sort_by(|x, y| x.seconds.total_cmp(&y.seconds));
        outcomes[outcomes.len() / 2]
    }
}

/// Counts the statements a connection starts, and times its transactions (from `BEGIN` to
/// `COMMIT` or `ROLLBACK`, or a statement outside any): the longest that writes to the
/// scenario's tables (or takes SQLite's write lock), and the longest that only reads them
/// (and writes the library's own temporary tables, named `deletable_...`).
#[derive(Clone, Default)]
pub struct Counter(pub Arc<AtomicUsize>, Arc<Mutex<Clock>>);

#[derive(Default)]
struct Clock {
    depth: u32,
    started: Option<Instant>,
    writes: bool,
    longest_write: f64,
    longest_read: f64,
    /// With `DELETABLE_BENCH_TRACE` set: each statement's start and text, to print its time.
    trace: Option<(Instant, String)>,
}

impl Clock {
    fn close(&mut self) {
        if let Some(started) = self.started.take() {
            let elapsed = started.elapsed().as_secs_f64();
            let longest = match self.writes {
                true => &mut self.longest_write,
                false => &mut self.longest_read,
            };
            *longest = longest.max(elapsed);
        }
        self.writes = false;
    }
}

/// Whether a statement writes to a table of the scenario.
fn writes(sql: &str) -> bool {
    let sql = sql.trim_start();
    let temporary = sql.contains("\"deletable_") || sql.contains("`deletable_");
    sql.starts_with("DELETE")
        || sql.starts_with("UPDATE")
        || (sql.starts_with("INSERT") && !temporary)
}

impl Counter {
    /// The longest transaction that wrote, in seconds.
    pub fn longest(&self) -> f64 {
        self.1.lock().expect("the clock").longest_write
    }

    /// The longest transaction or statement that only read, in seconds.
    pub fn longest_read(&self) -> f64 {
        self.1.lock().expect("the clock").longest_read
    }
}

impl Instrumentation for Counter {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        let mut clock = self.1.lock().expect("the clock");
        match event {
            InstrumentationEvent::StartQuery { query, .. } => {
                self.0.fetch_add(1, Ordering::Relaxed);
                if clock.depth == 0 {
                    clock.started = Some(Instant::now());
                }
                let sql = query.to_string();
                if writes(&sql) {
                    clock.writes = true;
                }
                if std::env::var_os("DELETABLE_BENCH_TRACE").is_some() {
                    clock.trace = Some((Instant::now(), sql));
                }
            }
            InstrumentationEvent::FinishQuery { .. } => {
                if let Some((started, sql)) = clock.trace.take() {
                    let text: String = sql.chars().take(150).collect();
                    eprintln!("{:8.1} ms  {text}", started.elapsed().as_secs_f64() * 1e3);
                }
                if clock.depth == 0 {
                    clock.close();
                }
            }
            InstrumentationEvent::BeginTransaction { depth, .. } => {
                if depth.get() == 1 {
                    clock.started = Some(Instant::now());
                    clock.writes = false;
                }
                clock.depth = depth.get();
            }
            InstrumentationEvent::CommitTransaction { depth, .. }
            | InstrumentationEvent::RollbackTransaction { depth, .. } => {
                clock.depth = depth.get() - 1;
                if clock.depth == 0 {
                    clock.close();
                }
            }
            _ => {}
        }
    }
}

#[cfg(feature = "postgres")]
pub const PG_SCHEMA: &str = "deletable_bench";

pub fn sqlite(path: &str) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(path).expect("open the SQLite file");
    conn.batch_execute(
        // A writer waits for the lock rather than fail, as an application sets it: between
        // two chunks another writer may hold it.
        "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL; \
         PRAGMA busy_timeout = 600000;",
    )
    .expect("configure SQLite");
    conn
}

/// The version of the SQLite the Rust methods bundle.
pub fn sqlite_version() -> String {
    #[derive(QueryableByName)]
    struct Version {
        #[diesel(sql_type = diesel::sql_types::Text)]
        version: String,
    }
    let mut conn = SqliteConnection::establish(":memory:").expect("open SQLite");
    diesel::sql_query("SELECT sqlite_version() AS version")
        .get_result::<Version>(&mut conn)
        .map_or_else(|error| error.to_string(), |row| row.version)
}

#[cfg(feature = "postgres")]
pub fn postgres(url: &str) -> PgConnection {
    let mut conn = PgConnection::establish(url).expect("connect to PostgreSQL");
    conn.batch_execute(&format!("SET search_path TO {PG_SCHEMA}"))
        .expect("set the search path");
    conn
}

/// Builds the scenario for one run: the constraints of `native` and `deletable-declared` cascade,
/// the others' do not.
pub fn prepare(backend: Backend, method: Method, target: &str, n: usize, k: usize) {
    let action = if matches!(method, Method::Native | Method::DeletableDeclared) {
        "ON DELETE CASCADE"
    } else {
        ""
    };
    let ddl = scenario::ddl(action);
    match backend {
        Backend::Sqlite => {
            for suffix in ["", "-wal", "-shm"] {
                let _ = std::fs::remove_file(format!("{target}{suffix}"));
            }
            let mut conn = sqlite(target);
            conn.batch_execute(&ddl).expect("create the tables");
            let seq = |count: usize| {
                format!(
                    "(WITH RECURSIVE seq(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM seq WHERE x < {count}) SELECT x FROM seq)"
                )
            };
            conn.batch_execute("BEGIN").expect("begin");
            scenario::insert_documents!(&mut conn);
            for sql in scenario::fill_sql(n, k, seq) {
                conn.batch_execute(&sql).expect("fill");
            }
            conn.batch_execute("COMMIT; PRAGMA wal_checkpoint(TRUNCATE); ANALYZE;")
                .expect("commit");
        }
        Backend::Postgres => prepare_postgres(target, &ddl, n, k),
    }
}

#[cfg(feature = "postgres")]
fn prepare_postgres(url: &str, ddl: &str, n: usize, k: usize) {
    let mut conn = PgConnection::establish(url).expect("connect to PostgreSQL");
    conn.batch_execute(&format!(
        "SET client_min_messages TO WARNING; DROP SCHEMA IF EXISTS {PG_SCHEMA} CASCADE; CREATE SCHEMA {PG_SCHEMA}; SET search_path TO {PG_SCHEMA};"
    ))
    .expect("create the schema");
    conn.batch_execute(ddl).expect("create the tables");
    let seq = |count: usize| format!("generate_series(1, {count}) AS seq(x)");
    scenario::insert_documents!(&mut conn);
    for sql in scenario::fill_sql(n, k, seq) {
        conn.batch_execute(&sql).expect("fill");
    }
    conn.batch_execute("VACUUM ANALYZE").expect("analyze");
    // Start every run with no dirty pages left to write, so no run pays for the last one's.
    conn.batch_execute("CHECKPOINT").expect("checkpoint");
}

#[cfg(not(feature = "postgres"))]
fn prepare_postgres(_: &str, _: &str, _: usize, _: usize) {
    panic!("built without the postgres feature: cargo run --release -p deletable-bench --features postgres");
}

/// What the prepared `b` rows' `data` takes: its length as text and what the database stores.
#[derive(QueryableByName)]
struct Stored {
    #[diesel(sql_type = diesel::sql_types::Double)]
    text_bytes: f64,
    #[diesel(sql_type = diesel::sql_types::Double)]
    stored_bytes: f64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    total_bytes: i64,
}

/// One line on the prepared data's size, for the table's caption.
pub fn stored_size(backend: Backend, target: &str) -> String {
    match backend {
        Backend::Sqlite => {
            let stored: Stored = diesel::sql_query(
                "SELECT avg(length(CAST(data AS BLOB))) AS text_bytes, \
                 avg(length(CAST(data AS BLOB))) AS stored_bytes, \
                 (SELECT page_count * page_size FROM pragma_page_count(), pragma_page_size()) \
                 AS total_bytes FROM b",
            )
            .get_result(&mut sqlite(target))
            .expect("measure the data");
            format!(
                "`b.data`: {:.0} bytes of JSON a row, stored in {:.0} (SQLite does not compress); the database file: {:.1} MB",
                stored.text_bytes,
                stored.stored_bytes,
                stored.total_bytes as f64 / 1e6
            )
        }
        Backend::Postgres => stored_size_postgres(target),
    }
}

#[cfg(feature = "postgres")]
fn stored_size_postgres(url: &str) -> String {
    let stored: Stored = diesel::sql_query(
        "SELECT avg(octet_length(data))::float8 AS text_bytes, \
         avg(pg_column_size(data))::float8 AS stored_bytes, \
         pg_total_relation_size('b') AS total_bytes FROM b",
    )
    .get_result(&mut postgres(url))
    .expect("measure the data");
    format!(
        "`b.data`: {:.0} bytes of JSON a row, stored in {:.0} bytes (`pg_column_size`, compressed: {:.1}×); table `b` with its TOAST and indexes: {:.1} MB",
        stored.text_bytes,
        stored.stored_bytes,
        stored.text_bytes / stored.stored_bytes,
        stored.total_bytes as f64 / 1e6
    )
}

#[cfg(not(feature = "postgres"))]
fn stored_size_postgres(_: &str) -> String {
    unreachable!("a PostgreSQL run needs the postgres feature")
}

/// The process's peak resident set, from the kernel.
pub fn peak_rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| line.split_whitespace().nth(1))
                .and_then(|kb| kb.parse().ok())
        })
        .unwrap_or(0)
}

/// The chunk size of `deletable-chunked`: `--chunk`, passed on by the parent, or the default.
pub fn chunk_size() -> usize {
    std::env::var("DELETABLE_BENCH_CHUNK")
        .ok()
        .and_then(|size| size.parse().ok())
        .unwrap_or(DeleteOptions::DEFAULT_CHUNK_SIZE)
}

/// The pause between chunks of `deletable-chunked`: `--pause` (in ms), passed on by the parent.
pub fn chunk_pause() -> Option<std::time::Duration> {
    std::env::var("DELETABLE_BENCH_PAUSE")
        .ok()
        .and_then(|ms| ms.parse().ok())
        .map(std::time::Duration::from_millis)
}

/// The rows of `a`, `b` and `c` together, on any backend's synchronous connection.
macro_rules! rows_of {
    ($conn:expr) => {{
        let conn = $conn;
        let a: i64 = a::table.count().get_result(conn).expect("count a");
        let b: i64 = b::table
            .filter(b::id.lt(crate::writer::FIRST_ID))
            .count()
            .get_result(conn)
            .expect("count b");
        let c: i64 = c::table.count().get_result(conn).expect("count c");
        a + b + c
    }};
}

macro_rules! measure {
    ($conn:expr, $method:expr) => {{
        let mut connection = $conn;
        let conn = &mut connection;
        let before = rows_of!(&mut *conn);
        let counter = Counter::default();
        conn.set_instrumentation(counter.clone());
        let started = Instant::now();
        match $method {
            Method::Native => {
                diesel::delete(a::table.filter(a::id.eq(1)))
                    .execute(conn)
                    .expect("native delete");
            }
            Method::Naive => naive!(&mut *conn),
            Method::Pages => pages!(&mut *conn),
            Method::Deletable | Method::DeletableDeclared => {
                plain::A::delete_by_ids(&[1], conn).expect("deletable");
            }
            Method::DeletableHook => {
                hooked::A::delete_by_ids(&[1], conn).expect("deletable with a hook");
            }
            Method::DeletableHookKeys => {
                keyed::A::delete_by_ids(&[1], conn).expect("deletable with a keys-only hook");
            }
            Method::DeletableChunked => {
                let mut options = DeleteOptions::chunked(chunk_size());
                if let Some(pause) = chunk_pause() {
                    options = options.pausing_between_chunks(pause);
                }
                plain::A::delete_by_ids_with(&[1], &options, conn).expect("deletable, chunked");
            }
            Method::DeletableAsync => {
                panic!("built without the async feature: cargo run --release -p deletable-bench --features async")
            }
            Method::Django | Method::DjangoReceiver => {
                unreachable!("Django runs in a Python child")
            }
        }
        let seconds = started.elapsed().as_secs_f64();
        let statements = counter.0.load(Ordering::Relaxed);
        let peak_kb = peak_rss_kb();
        let (longest, longest_read) = (counter.longest(), counter.longest_read());
        conn.set_instrumentation(Counter::default());
        Outcome {
            seconds,
            statements,
            peak_kb,
            deleted: before - rows_of!(&mut *conn),
            longest,
            longest_read,
            writer_wait: None,
        }
    }};
}

/// What Django and Rails do: every dependent row loaded whole, then deleted by ids.
macro_rules! naive {
    ($conn:expr) => {{
        let conn = $conn;
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            let bs: Vec<plain::B> = b::table
                .filter(b::a_id.eq(1))
                .select(plain::B::as_select())
                .load(conn)?;
            let b_ids: Vec<i32> = bs.iter().map(|row| row.id).collect();
            let mut cs: Vec<plain::C> = Vec::new();
            for chunk in b_ids.chunks(PAGE) {
                cs.extend(
                    c::table
                        .filter(c::b_id.eq_any(chunk))
                        .select(plain::C::as_select())
                        .load(conn)?,
                );
            }
            let c_ids: Vec<i32> = cs.iter().map(|row| row.id).collect();
            for chunk in c_ids.chunks(PAGE) {
                diesel::delete(c::table.filter(c::id.eq_any(chunk))).execute(conn)?;
            }
            for chunk in b_ids.chunks(PAGE) {
                diesel::delete(b::table.filter(b::id.eq_any(chunk))).execute(conn)?;
            }
            diesel::delete(a::table.filter(a::id.eq(1))).execute(conn)?;
            std::hint::black_box((bs, cs));
            Ok(())
        })
        .expect("naive delete");
    }};
}

/// The seed article's workaround: ids only, a page at a time, leaves first.
macro_rules! pages {
    ($conn:expr) => {{
        let conn = $conn;
        conn.transaction::<_, diesel::result::Error, _>(|conn| {
            loop {
                let page: Vec<i32> = b::table
                    .filter(b::a_id.eq(1))
                    .select(b::id)
                    .order(b::id)
                    .limit(PAGE as i64)
                    .load(conn)?;
                if page.is_empty() {
                    break;
                }
                diesel::delete(c::table.filter(c::b_id.eq_any(&page))).execute(conn)?;
                diesel::delete(b::table.filter(b::id.eq_any(&page))).execute(conn)?;
            }
            diesel::delete(a::table.filter(a::id.eq(1))).execute(conn)?;
            Ok(())
        })
        .expect("paged delete");
    }};
}

/// The rows of `a`, `b` and `c` together.
#[cfg(feature = "async")]
pub fn count_rows(conn: &mut SqliteConnection) -> i64 {
    rows_of!(conn)
}

/// Runs one method in this (child) process and measures it.
pub fn run_child(backend: Backend, method: Method, target: &str) -> Outcome {
    #[cfg(feature = "async")]
    if method == Method::DeletableAsync {
        return crate::asynchronous::measure(backend, target);
    }
    match backend {
        Backend::Sqlite => measure!(sqlite(target), method),
        Backend::Postgres => child_postgres(method, target),
    }
}

/// The rows of `a`, `b` and `c` together.
#[cfg(all(feature = "postgres", feature = "async"))]
pub fn count_rows_postgres(conn: &mut PgConnection) -> i64 {
    rows_of!(conn)
}

#[cfg(feature = "postgres")]
fn child_postgres(method: Method, url: &str) -> Outcome {
    measure!(postgres(url), method)
}

#[cfg(not(feature = "postgres"))]
fn child_postgres(_: Method, _: &str) -> Outcome {
    panic!("built without the postgres feature");
}
