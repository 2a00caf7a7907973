//! PostgreSQL: a schema per test in the database of `PG_DATABASE_URL`, dropped afterwards.

use diesel::connection::SimpleConnection;
use diesel::prelude::*;

use crate::sqlite::Pair;
use crate::{unique_name, StatementLog, TestDb};

/// A connection to PostgreSQL: Diesel's, or `diesel-async`'s driven through the blocking
/// interface the tests read the database with.
pub trait PgFamily:
    deletable::DeleteConnection<Backend = diesel::pg::Pg> + SimpleConnection
{
    /// Connects to `url`.
    fn connect(url: &str) -> Self {
        Self::establish(url).unwrap_or_else(|error| panic!("{error}: {url}"))
    }
}

impl PgFamily for PgConnection {}

/// A test database on PostgreSQL: its own schema, first on the `search_path`.
pub struct PgLikeDb<C: SimpleConnection> {
    url: String,
    schema: String,
    conn: C,
    log: StatementLog,
}

/// A test database on PostgreSQL through Diesel's `PgConnection`.
pub type PgDb = PgLikeDb<PgConnection>;

fn connect<C: PgFamily>(url: &str, schema: &str) -> C {
    let mut conn = C::connect(url);
    conn.batch_execute(&format!("SET search_path TO {schema}"))
        .expect("set the search path");
    conn
}

impl<C> TestDb for PgLikeDb<C>
where
    C: PgFamily,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Pair>,
{
    type Conn = C;
    const BACKEND: &'static str = "postgres";

    fn open(schema_sql: &str) -> Option<Self> {
        let Ok(url) = std::env::var("PG_DATABASE_URL") else {
            println!("skipped: PG_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test)");
            return None;
        };
        let schema = unique_name();
        let mut conn = C::connect(&url);
        conn.batch_execute(&format!(
            "SET client_min_messages TO WARNING; CREATE SCHEMA {schema}; SET search_path TO {schema};"
        ))
        .expect("create the test schema");
        conn.batch_execute(schema_sql)
            .expect("create the test tables");
        let log = StatementLog::default();
        conn.set_instrumentation(log.clone());
        Some(PgLikeDb {
            url,
            schema,
            conn,
            log,
        })
    }

    fn url(&self) -> Option<String> {
        let separator = if self.url.contains('?') { '&' } else { '?' };
        Some(format!(
            "{}{separator}options=-csearch_path%3D{}",
            self.url, self.schema
        ))
    }

    fn connect_again(&self) -> C {
        connect(&self.url, &self.schema)
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
        Some(self.pairs("SELECT COUNT(*) AS a, NULL AS b FROM pg_prepared_statements")[0].0)
    }

    fn pairs(&mut self, sql: &str) -> Vec<(i64, Option<i64>)> {
        // PostgreSQL types results strictly: widen both columns to BIGINT.
        let wrapped =
            format!("SELECT CAST(a AS BIGINT) AS a, CAST(b AS BIGINT) AS b FROM ({sql}) AS q");
        diesel::sql_query(&wrapped)
            .load::<Pair>(&mut self.conn)
            .unwrap_or_else(|error| panic!("{error}: {wrapped}"))
            .into_iter()
            .map(|pair| (pair.a, pair.b))
            .collect()
    }
}

impl<C: SimpleConnection> Drop for PgLikeDb<C> {
    fn drop(&mut self) {
        let _ = self
            .conn
            .batch_execute(&format!("DROP SCHEMA IF EXISTS {} CASCADE", self.schema));
    }
}
