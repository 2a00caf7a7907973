//! SQLite: an in-memory database per test, foreign keys enforced.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use crate::{StatementLog, TestDb};

/// A connection to an in-memory SQLite database: Diesel's, or `diesel-async`'s wrapper driven
/// through the blocking interface the tests read the database with.
pub trait SqliteFamily:
    deletable::DeleteConnection<Backend = diesel::sqlite::Sqlite> + SimpleConnection
where
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, Self, Pair>,
{
    /// A new in-memory database with foreign keys enforced.
    fn memory() -> Self;

    /// A connection to the database in the file at `path`, with foreign keys enforced.
    fn file(path: &str) -> Self;
}

impl SqliteFamily for SqliteConnection {
    fn memory() -> Self {
        connect()
    }

    fn file(path: &str) -> Self {
        connect_to(path)
    }
}

/// A test database on SQLite, through the connection type `C`.
pub struct SqliteLikeDb<C> {
    conn: C,
    log: StatementLog,
    /// The file of a database other connections reach ([`TestDb::open_shared`]).
    file: Option<std::path::PathBuf>,
}

/// A test database on SQLite through Diesel's `SqliteConnection`.
pub type SqliteDb = SqliteLikeDb<SqliteConnection>;

impl<C: SimpleConnection + diesel::Connection> SqliteLikeDb<C> {
    /// The test database on `conn`, with `schema` created and its statements logged; `file`,
    /// where other connections reach it.
    fn with_schema(mut conn: C, schema: &str, file: Option<std::path::PathBuf>) -> Self {
        conn.batch_execute(schema).expect("create the test schema");
        let log = StatementLog::default();
        conn.set_instrumentation(log.clone());
        SqliteLikeDb { conn, log, file }
    }
}

impl SqliteDb {
    /// A database in the file at `path`, created anew with `schema`, for a test that reaches it
    /// from another process too.
    pub fn open_file(path: &std::path::Path, schema: &str) -> Self {
        let _ = std::fs::remove_file(path);
        let url = path.to_str().expect("a UTF-8 path");
        let conn = SqliteConnection::establish(url).expect("open the SQLite file");
        SqliteLikeDb::with_schema(conn, schema, Some(path.to_owned()))
    }
}

impl<C> Drop for SqliteLikeDb<C> {
    fn drop(&mut self) {
        if let Some(path) = &self.file {
            let _ = std::fs::remove_file(path);
        }
    }
}

/// A row of two integers, `a` and `b`, read by [`TestDb::pairs`](crate::TestDb::pairs).
#[derive(QueryableByName)]
pub struct Pair {
    #[diesel(sql_type = BigInt)]
    pub a: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub b: Option<i64>,
}

pub(crate) fn connect() -> SqliteConnection {
    connect_to(":memory:")
}

/// A connection to the database at `path` (or `:memory:`), foreign keys enforced; one that
/// finds the database locked waits for it.
pub(crate) fn connect_to(path: &str) -> SqliteConnection {
    let mut conn = SqliteConnection::establish(path)
        .unwrap_or_else(|error| panic!("open SQLite at {path}: {error}"));
    conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")
        .expect("enable foreign keys");
    conn
}

impl<C> TestDb for SqliteLikeDb<C>
where
    C: SqliteFamily,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Pair>,
{
    type Conn = C;
    const BACKEND: &'static str = "sqlite";

    fn open(schema: &str) -> Option<Self> {
        Some(SqliteLikeDb::with_schema(C::memory(), schema, None))
    }

    fn open_shared(schema: &str) -> Option<Self> {
        let path = std::env::temp_dir().join(format!("{}.sqlite", crate::unique_name()));
        let conn = C::file(path.to_str().expect("a UTF-8 path"));
        Some(SqliteLikeDb::with_schema(conn, schema, Some(path)))
    }

    fn connect_again(&self) -> C {
        match &self.file {
            Some(path) => C::file(path.to_str().expect("a UTF-8 path")),
            None => panic!("an in-memory SQLite database has one connection"),
        }
    }

    fn conn(&mut self) -> &mut C {
        &mut self.conn
    }

    fn log(&self) -> &StatementLog {
        &self.log
    }

    fn exec(&mut self, sql: &str) {
        self.conn
            .batch_execute(sql)
            .unwrap_or_else(|error| panic!("{error}: {sql}"));
    }

    fn pairs(&mut self, sql: &str) -> Vec<(i64, Option<i64>)> {
        diesel::sql_query(sql)
            .load::<Pair>(&mut self.conn)
            .unwrap_or_else(|error| panic!("{error}: {sql}"))
            .into_iter()
            .map(|pair| (pair.a, pair.b))
            .collect()
    }
}
