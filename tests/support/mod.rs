//! Shared test support: one suite, written once, run on every backend.
//!
//! [`backends!`] stamps a test module out per backend (`sqlite`, and with this crate's features
//! `postgres`, `mysql` and `mariadb`); inside it, `Db` is that backend's [`TestDb`]. Every test
//! opens its own database: an in-memory SQLite database, a PostgreSQL schema or a MySQL/MariaDB
//! database created for it and dropped after it, so tests run in parallel. The servers are found
//! through `PG_DATABASE_URL`, `MYSQL_DATABASE_URL` (Diesel's `mysql` backend; a MySQL or MariaDB
//! server) and `MARIADB_DATABASE_URL` (Diesel's `mariadb` backend); without one, its tests print
//! why and pass.

pub mod asynchronous;
mod catalog;
mod decoys;
mod faulty;
mod faulty_async;
mod hook_connection;
mod log;
#[cfg(any(feature = "mysql", feature = "mariadb"))]
mod mysql;
#[cfg(feature = "postgres")]
mod postgres;
pub mod rng;
mod sqlite;
mod write_before;

pub use catalog::{Catalog, Column, Labeled, Snapshot};
pub use decoys::{add_lookalike, Decoyed};
pub use faulty::{
    Armable, Fault, FaultInjection, FaultyConnection, FaultyTransactionManager, Injected,
    Injection, Injector, MISSING_TABLE,
};
pub use faulty_async::{
    AsyncFaultyConnection, AsyncFaultyStatement, AsyncFaultyTransactionManager, NoRows,
};
pub use hook_connection::{now, AsyncHookConnection, Counted, HookConnection};
pub use log::StatementLog;
#[cfg(feature = "mariadb")]
pub use mysql::MariadbDb;
#[cfg(feature = "mysql")]
pub use mysql::MysqlDb;
#[cfg(any(feature = "mysql", feature = "mariadb"))]
pub use mysql::{MysqlFamily, MysqlLikeDb};
#[cfg(feature = "postgres")]
pub use postgres::{PgDb, PgFamily, PgLikeDb};
pub use sqlite::{SqliteDb, SqliteFamily, SqliteLikeDb};
pub use write_before::{WriteBefore, WriteOutcome};

use std::sync::atomic::{AtomicU64, Ordering};

use deletable::DeleteConnection;

/// A test database on one backend, with plain-SQL helpers that read it back.
pub trait TestDb: Sized {
    /// The Diesel connection type.
    type Conn: DeleteConnection;

    /// The backend's name, for messages.
    const BACKEND: &'static str;

    /// The column type of a zoneless timestamp to the microsecond: MySQL's and MariaDB's
    /// `TIMESTAMP` is another type (and `DATETIME` alone drops the fraction).
    fn timestamp_type() -> &'static str {
        if matches!(Self::BACKEND, "mysql" | "mariadb") {
            "DATETIME(6)"
        } else {
            "TIMESTAMP"
        }
    }

    /// A fresh database with `schema` created in it; `None` (having printed why) when the backend
    /// is not configured on this machine.
    fn open(schema: &str) -> Option<Self>;

    /// A fresh database with `schema`, which [`connect_again`](TestDb::connect_again) reaches
    /// on every backend (on SQLite, a file instead of memory).
    fn open_shared(schema: &str) -> Option<Self> {
        Self::open(schema)
    }

    /// Another connection to the same database (for concurrency tests).
    fn connect_again(&self) -> Self::Conn;

    /// The connection.
    fn conn(&mut self) -> &mut Self::Conn;

    /// A URL that reaches this test's own database (and schema), for connections a test opens
    /// itself (`diesel-async`'s, a pool's); `None` for an in-memory SQLite database.
    fn url(&self) -> Option<String> {
        None
    }

    /// The statements the connection ran since the schema was created (or the last `clear`).
    fn log(&self) -> &StatementLog;

    /// Runs SQL: one statement or several separated by `;`.
    fn exec(&mut self, sql: &str);

    /// The integer pairs a query returns in columns named `a` and `b` (`b` may be NULL).
    fn pairs(&mut self, sql: &str) -> Vec<(i64, Option<i64>)>;

    /// The number of rows of `table`.
    fn count(&mut self, table: &str) -> i64 {
        self.pairs(&format!("SELECT COUNT(*) AS a, NULL AS b FROM {table}"))[0].0
    }

    /// The `id`s of `table`, ascending.
    fn ids(&mut self, table: &str) -> Vec<i64> {
        self.pairs(&format!(
            "SELECT id AS a, NULL AS b FROM {table} ORDER BY id"
        ))
        .into_iter()
        .map(|(id, _)| id)
        .collect()
    }

    /// How many statements the connection has prepared on the server and not closed; `None`
    /// where the server cannot tell (SQLite's statements live in the process).
    fn open_prepared_statements(&mut self) -> Option<i64> {
        None
    }

    /// The row count of each table, to compare a database before and after a failed delete.
    fn counts(&mut self, tables: &[&str]) -> Vec<(String, i64)> {
        tables
            .iter()
            .map(|table| (table.to_string(), self.count(table)))
            .collect()
    }

    /// Inserts rows `values_for(1..=rows)` into `table_and_columns`, 500 rows per statement.
    fn insert_many(
        &mut self,
        table_and_columns: &str,
        rows: usize,
        values_for: impl Fn(usize) -> String,
    ) {
        let all: Vec<String> = (1..=rows).map(values_for).collect();
        for chunk in all.chunks(500) {
            self.exec(&format!(
                "INSERT INTO {table_and_columns} VALUES {}",
                chunk.join(", ")
            ));
        }
    }
}

/// Runs one file of a [`Plan::migration`](deletable::Plan::migration) as `diesel migration run`
/// does: in a transaction, unless its `metadata.toml` says otherwise.
pub fn run_migration<D: TestDb>(db: &mut D, migration: &deletable::Migration, sql: &str) {
    match migration.metadata_toml() {
        Some(_) => db.exec(sql),
        None => db.exec(&format!("BEGIN; {sql} COMMIT;")),
    }
}

/// A name no other test of any running process uses, for a schema or database.
pub fn unique_name() -> String {
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!(
        "deletable_{}_{}",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    )
}

/// Writes the test items once for every backend and runner: a module `sqlite`, and with the
/// crate features `postgres`, `mysql` and `mariadb` modules of those names, each with `type Db`
/// set to its [`TestDb`]; then the same again through the asynchronous runner, in modules
/// `sqlite_async`, `postgres_async`, `mysql_async` and `mariadb_async`, where
/// [`asynchronous::Deletable`] and [`asynchronous::SoftDelete`] stand for `deletable`'s traits.
#[macro_export]
macro_rules! backends {
    (@runner sync; $($item:item)*) => {
        $crate::backends!(@module sqlite, "sqlite", $crate::SqliteDb, {}; $($item)*);
        $crate::backends!(@module postgres, "postgres", $crate::PgDb, {}; $($item)*);
        $crate::backends!(@module mysql, "mysql", $crate::MysqlDb, {}; $($item)*);
        $crate::backends!(@module mariadb, "mariadb", $crate::MariadbDb, {}; $($item)*);
    };
    (@runner async; $($item:item)*) => {
        $crate::backends!(@module sqlite_async, "sqlite", $crate::asynchronous::SqliteAsyncDb, {
            #[allow(unused_imports)]
            use $crate::asynchronous::{Deletable, SoftDelete};
        }; $($item)*);
        $crate::backends!(@module postgres_async, "postgres", $crate::asynchronous::PgAsyncDb, {
            #[allow(unused_imports)]
            use $crate::asynchronous::{Deletable, SoftDelete};
        }; $($item)*);
        $crate::backends!(@module mysql_async, "mysql", $crate::asynchronous::MysqlAsyncDb, {
            #[allow(unused_imports)]
            use $crate::asynchronous::{Deletable, SoftDelete};
        }; $($item)*);
        $crate::backends!(@module mariadb_async, "mariadb", $crate::asynchronous::MariadbAsyncDb, {
            #[allow(unused_imports)]
            use $crate::asynchronous::{Deletable, SoftDelete};
        }; $($item)*);
    };
    (@module $name:ident, "sqlite", $db:ty, { $($runner:item)* }; $($item:item)*) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $($runner)*
            #[allow(dead_code)]
            type Db = $db;
            $($item)*
        }
    };
    (@module $name:ident, $feature:literal, $db:ty, { $($runner:item)* }; $($item:item)*) => {
        #[cfg(feature = $feature)]
        mod $name {
            #[allow(unused_imports)]
            use super::*;
            $($runner)*
            #[allow(dead_code)]
            type Db = $db;
            $($item)*
        }
    };
    ($($item:item)*) => {
        $crate::backends!(@runner sync; $($item)*);
        $crate::backends!(@runner async; $($item)*);
    };
}

/// Opens `Db` with `schema`, or returns from the test when the backend is not configured.
#[macro_export]
macro_rules! open {
    ($schema:expr) => {
        match <Db as $crate::TestDb>::open($schema) {
            Some(db) => db,
            None => return,
        }
    };
}
