//! SQLite: an in-memory database per test, foreign keys enforced.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable};

use crate::{StatementLog, TestDb};

/// A test database on SQLite.
pub struct SqliteDb {
    conn: SqliteConnection,
    log: StatementLog,
}

#[derive(QueryableByName)]
pub(crate) struct Pair {
    #[diesel(sql_type = BigInt)]
    pub(crate) a: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub(crate) b: Option<i64>,
}

fn connect() -> SqliteConnection {
    let mut conn = SqliteConnection::establish(":memory:").expect("open in-memory SQLite");
    conn.batch_execute("PRAGMA foreign_keys = ON;")
        .expect("enable foreign keys");
    conn
}

impl TestDb for SqliteDb {
    type Conn = SqliteConnection;
    const BACKEND: &'static str = "sqlite";

    fn open(schema: &str) -> Option<Self> {
        let mut conn = connect();
        conn.batch_execute(schema).expect("create the test schema");
        let log = StatementLog::default();
        conn.set_instrumentation(log.clone());
        Some(SqliteDb { conn, log })
    }

    fn connect_again(&self) -> SqliteConnection {
        panic!("an in-memory SQLite database has one connection")
    }

    fn conn(&mut self) -> &mut SqliteConnection {
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
