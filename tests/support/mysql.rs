//! MySQL and MariaDB: a database per test on the server of `MYSQL_DATABASE_URL` (Diesel's
//! `mysql` backend) or `MARIADB_DATABASE_URL` (its `mariadb` backend), dropped afterwards.

use diesel::connection::{LoadConnection, SimpleConnection};
use diesel::prelude::*;
use diesel::query_builder::QueryFragment;
use diesel::sql_query;

use crate::sqlite::Pair;
use crate::{unique_name, StatementLog, TestDb};

/// A Diesel connection to a MySQL-family server, and where the tests find that server.
pub trait MysqlFamily: deletable::DeleteConnection + LoadConnection + SimpleConnection {
    /// The backend's name, for messages and for tests that differ by backend.
    const BACKEND: &'static str;
    /// The environment variable holding the server's URL.
    const URL_VARIABLE: &'static str;
    /// An example of that URL.
    const URL_EXAMPLE: &'static str;

    /// Connects to `url`.
    fn connect(url: &str) -> Self {
        Self::establish(url).unwrap_or_else(|error| panic!("{error}: {url}"))
    }
}

#[cfg(feature = "mysql")]
impl MysqlFamily for MysqlConnection {
    const BACKEND: &'static str = "mysql";
    const URL_VARIABLE: &'static str = "MYSQL_DATABASE_URL";
    const URL_EXAMPLE: &'static str = "mysql://root@127.0.0.1:3306/test";
}

#[cfg(feature = "mariadb")]
impl MysqlFamily for diesel::mariadb::MariadbConnection {
    const BACKEND: &'static str = "mariadb";
    const URL_VARIABLE: &'static str = "MARIADB_DATABASE_URL";
    const URL_EXAMPLE: &'static str = "mariadb://root@127.0.0.1:3306/test";
}

/// A test database on MySQL or MariaDB, through the connection type `C`.
pub struct MysqlLikeDb<C: SimpleConnection> {
    url: String,
    database: String,
    conn: C,
    log: StatementLog,
}

/// A test database through Diesel's `mysql` backend.
#[cfg(feature = "mysql")]
pub type MysqlDb = MysqlLikeDb<MysqlConnection>;

/// A test database through Diesel's `mariadb` backend.
#[cfg(feature = "mariadb")]
pub type MariadbDb = MysqlLikeDb<diesel::mariadb::MariadbConnection>;

fn connect<C: MysqlFamily>(url: &str, database: &str) -> C {
    let mut conn = C::connect(url);
    conn.batch_execute(&format!("USE {database}"))
        .expect("use the test database");
    conn
}

impl<C> TestDb for MysqlLikeDb<C>
where
    C: MysqlFamily,
    diesel::query_builder::SqlQuery: QueryFragment<C::Backend>,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Pair>,
{
    type Conn = C;
    const BACKEND: &'static str = C::BACKEND;

    fn open(schema_sql: &str) -> Option<Self> {
        let Ok(url) = std::env::var(C::URL_VARIABLE) else {
            println!(
                "skipped: {} is not set (e.g. {})",
                C::URL_VARIABLE,
                C::URL_EXAMPLE
            );
            return None;
        };
        let database = unique_name();
        let mut conn = C::connect(&url);
        conn.batch_execute(&format!("CREATE DATABASE {database}; USE {database};"))
            .expect("create the test database");
        conn.batch_execute(schema_sql)
            .expect("create the test tables");
        let log = StatementLog::default();
        conn.set_instrumentation(log.clone());
        Some(MysqlLikeDb {
            url,
            database,
            conn,
            log,
        })
    }

    fn url(&self) -> Option<String> {
        let base = self.url.split('?').next().unwrap_or_default();
        let server = base.rsplit_once('/').map_or(base, |(server, _)| server);
        Some(format!("{server}/{}", self.database))
    }

    fn connect_again(&self) -> C {
        connect(&self.url, &self.database)
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

    fn open_prepared_statements(&mut self) -> Option<i64> {
        // The session's own counters (MariaDB; MySQL 8 has them in performance_schema).
        Some(
            self.pairs(
                "SELECT CAST(p.VARIABLE_VALUE AS SIGNED) - CAST(c.VARIABLE_VALUE AS SIGNED) AS a, \
                 NULL AS b FROM information_schema.SESSION_STATUS p, \
                 information_schema.SESSION_STATUS c \
                 WHERE p.VARIABLE_NAME = 'COM_STMT_PREPARE' AND c.VARIABLE_NAME = 'COM_STMT_CLOSE'",
            )[0]
            .0,
        )
    }

    fn pairs(&mut self, sql: &str) -> Vec<(i64, Option<i64>)> {
        sql_query(sql)
            .load::<Pair>(&mut self.conn)
            .unwrap_or_else(|error| panic!("{error}: {sql}"))
            .into_iter()
            .map(|pair| (pair.a, pair.b))
            .collect()
    }
}

impl<C: SimpleConnection> Drop for MysqlLikeDb<C> {
    fn drop(&mut self) {
        let _ = self
            .conn
            .batch_execute(&format!("DROP DATABASE IF EXISTS {}", self.database));
    }
}
