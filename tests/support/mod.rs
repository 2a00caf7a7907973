//! Shared test support: a fresh database per test, a statement log, and row-count helpers.
//!
//! Every test opens its own in-memory SQLite database with `PRAGMA foreign_keys = ON`, so tests
//! own their data and run in parallel, and plain `REFERENCES` constraints check the order of the
//! generated statements.

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};
use diesel::prelude::*;
use diesel::sql_types::BigInt;

/// The SQL of every statement a connection started, in order.
#[derive(Clone, Default)]
pub struct StatementLog(Arc<Mutex<Vec<String>>>);

impl StatementLog {
    /// The statements logged so far.
    pub fn statements(&self) -> Vec<String> {
        self.0.lock().map(|log| log.clone()).unwrap_or_default()
    }

    /// How many statements were logged.
    pub fn len(&self) -> usize {
        self.statements().len()
    }

    /// Whether nothing was logged.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets what was logged (e.g. the setup's statements).
    pub fn clear(&self) {
        if let Ok(mut log) = self.0.lock() {
            log.clear();
        }
    }
}

impl Instrumentation for StatementLog {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            if let Ok(mut log) = self.0.lock() {
                log.push(query.to_string());
            }
        }
    }
}

/// A fresh in-memory SQLite database with foreign keys enforced, the given schema created, and
/// a statement log that starts empty.
pub fn sqlite(schema: &str) -> (SqliteConnection, StatementLog) {
    let mut conn = SqliteConnection::establish(":memory:").expect("open in-memory SQLite");
    conn.batch_execute("PRAGMA foreign_keys = ON;")
        .expect("enable foreign keys");
    conn.batch_execute(schema).expect("create the test schema");
    let log = StatementLog::default();
    conn.set_instrumentation(log.clone());
    (conn, log)
}

/// Runs SQL (fixtures) on the connection.
pub fn exec(conn: &mut SqliteConnection, sql: &str) {
    conn.batch_execute(sql)
        .unwrap_or_else(|error| panic!("{error}: {sql}"));
}

#[derive(QueryableByName)]
struct Count {
    #[diesel(sql_type = BigInt)]
    n: i64,
}

#[derive(QueryableByName)]
struct Key {
    #[diesel(sql_type = BigInt)]
    id: i64,
}

/// The number of rows of `table`.
pub fn count(conn: &mut SqliteConnection, table: &str) -> i64 {
    diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
        .get_result::<Count>(conn)
        .expect("count rows")
        .n
}

/// The integer `id`s of `table`, ascending.
pub fn ids(conn: &mut SqliteConnection, table: &str) -> Vec<i64> {
    diesel::sql_query(format!("SELECT id FROM {table} ORDER BY id"))
        .load::<Key>(conn)
        .expect("load ids")
        .into_iter()
        .map(|key| key.id)
        .collect()
}

/// The row count of each table, to compare a database before and after a failed delete.
pub fn counts(conn: &mut SqliteConnection, tables: &[&str]) -> Vec<(String, i64)> {
    tables
        .iter()
        .map(|table| (table.to_string(), count(conn, table)))
        .collect()
}

/// Inserts `rows` rows with `sql_for(i)` for i in 1..=rows, in one statement per 500 rows.
pub fn insert_many(
    conn: &mut SqliteConnection,
    table_and_columns: &str,
    rows: usize,
    values_for: impl Fn(usize) -> String,
) {
    let all: Vec<String> = (1..=rows).map(values_for).collect();
    for chunk in all.chunks(500) {
        exec(
            conn,
            &format!(
                "INSERT INTO {table_and_columns} VALUES {}",
                chunk.join(", ")
            ),
        );
    }
}
