//! MySQL and MariaDB: a database per test on the server of `MYSQL_DATABASE_URL`, dropped
//! afterwards.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::sqlite::Pair;
use crate::{unique_name, StatementLog, TestDb};

/// A test database on MySQL or MariaDB.
pub struct MysqlDb {
    url: String,
    database: String,
    conn: MysqlConnection,
    log: StatementLog,
}

fn connect(url: &str, database: &str) -> MysqlConnection {
    let mut conn = MysqlConnection::establish(url).unwrap_or_else(|error| panic!("{error}: {url}"));
    conn.batch_execute(&format!("USE {database}"))
        .expect("use the test database");
    conn
}

impl TestDb for MysqlDb {
    type Conn = MysqlConnection;
    const BACKEND: &'static str = "mysql";

    fn open(schema_sql: &str) -> Option<Self> {
        let Ok(url) = std::env::var("MYSQL_DATABASE_URL") else {
            println!(
                "skipped: MYSQL_DATABASE_URL is not set (e.g. mysql://root@127.0.0.1:3306/test)"
            );
            return None;
        };
        let database = unique_name();
        let mut conn =
            MysqlConnection::establish(&url).unwrap_or_else(|error| panic!("{error}: {url}"));
        conn.batch_execute(&format!("CREATE DATABASE {database}; USE {database};"))
            .expect("create the test database");
        conn.batch_execute(schema_sql)
            .expect("create the test tables");
        let log = StatementLog::default();
        conn.set_instrumentation(log.clone());
        Some(MysqlDb {
            url,
            database,
            conn,
            log,
        })
    }

    fn connect_again(&self) -> MysqlConnection {
        connect(&self.url, &self.database)
    }

    fn conn(&mut self) -> &mut MysqlConnection {
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

impl Drop for MysqlDb {
    fn drop(&mut self) {
        let _ = self
            .conn
            .batch_execute(&format!("DROP DATABASE IF EXISTS {}", self.database));
    }
}
