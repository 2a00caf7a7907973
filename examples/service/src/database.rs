//! The service's database: a deadpool of `diesel-async` connections to PostgreSQL when
//! `PG_DATABASE_URL` is set, else to a SQLite file; its tables, and the demo rows.

use diesel::SqliteConnection;
use diesel_async::pooled_connection::deadpool::Pool;
use diesel_async::pooled_connection::{AsyncDieselConnectionManager, ManagerConfig};
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::{AsyncConnection, AsyncPgConnection, SimpleAsyncConnection};

/// The SQLite connection of `diesel-async`: Diesel's own, run on tokio's blocking threads.
pub type AsyncSqliteConnection = SyncConnectionWrapper<SqliteConnection>;

/// A pool of connections to the service's database.
#[derive(Clone)]
pub enum Database {
    /// PostgreSQL, with every connection's `search_path` set to the service's schema.
    Postgres(Pool<AsyncPgConnection>),
    /// A SQLite file.
    Sqlite(Pool<AsyncSqliteConnection>),
}

type Error = Box<dyn std::error::Error + Send + Sync>;

const TABLES: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL, deleted_at TIMESTAMP);
    CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        title TEXT NOT NULL,
        deleted_at TIMESTAMP
    );
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY,
        post_id INTEGER NOT NULL REFERENCES posts (id),
        body TEXT NOT NULL
    );
    CREATE TABLE invoices (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL REFERENCES users (id),
        cents INTEGER NOT NULL
    );
";

/// The demo rows: ada has posts and comments, grace an invoice, admin is refused by the hooks.
pub const DEMO_ROWS: &str = "
    INSERT INTO users (id, name) VALUES (1, 'ada'), (2, 'grace'), (3, 'admin'), (4, 'linus');
    INSERT INTO posts (id, user_id, title) VALUES
        (1, 1, 'notes'), (2, 1, 'compilers'), (3, 2, 'cobol'), (4, 4, 'kernels');
    INSERT INTO comments (id, post_id, body) VALUES
        (1, 1, 'nice'), (2, 1, 'agreed'), (3, 2, 'ok'), (4, 3, 'wow'), (5, 4, 'patches welcome');
    INSERT INTO invoices (id, user_id, cents) VALUES (1, 2, 4200);
";

impl Database {
    /// Connects to PostgreSQL at `url`, in `schema` (created afresh, with the tables and no
    /// rows).
    pub async fn postgres(url: &str, schema: &str) -> Result<Database, Error> {
        let mut conn = AsyncPgConnection::establish(url).await?;
        conn.batch_execute(&format!(
            "SET client_min_messages TO WARNING;
             DROP SCHEMA IF EXISTS {schema} CASCADE;
             CREATE SCHEMA {schema};
             SET search_path TO {schema};
             {TABLES}
             CREATE TABLE audit_log (id SERIAL PRIMARY KEY, event TEXT NOT NULL);"
        ))
        .await?;
        let search_path = format!("SET search_path TO {schema}");
        let mut config = ManagerConfig::<AsyncPgConnection>::default();
        config.custom_setup = Box::new(move |url| {
            let search_path = search_path.clone();
            Box::pin(async move {
                let mut conn = AsyncPgConnection::establish(url).await?;
                conn.batch_execute(&search_path)
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(conn)
            })
        });
        let manager = AsyncDieselConnectionManager::new_with_config(url, config);
        Ok(Database::Postgres(Pool::builder(manager).build()?))
    }

    /// Opens the SQLite file at `path` (created afresh, with the tables and no rows).
    pub async fn sqlite(path: &str) -> Result<Database, Error> {
        for suffix in ["", "-wal", "-shm"] {
            let _ = std::fs::remove_file(format!("{path}{suffix}"));
        }
        let mut config = ManagerConfig::<AsyncSqliteConnection>::default();
        config.custom_setup = Box::new(|path| {
            Box::pin(async move {
                let mut conn = AsyncSqliteConnection::establish(path).await?;
                // Concurrent requests wait for each other's write transactions.
                conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 5000;")
                    .await
                    .map_err(diesel::ConnectionError::CouldntSetupConfiguration)?;
                Ok(conn)
            })
        });
        let manager = AsyncDieselConnectionManager::new_with_config(path, config);
        let pool = Pool::builder(manager).build()?;
        pool.get()
            .await?
            .batch_execute(&format!(
                "PRAGMA journal_mode = WAL; {TABLES}
                 CREATE TABLE audit_log (id INTEGER PRIMARY KEY AUTOINCREMENT, event TEXT NOT NULL);"
            ))
            .await?;
        Ok(Database::Sqlite(pool))
    }

    /// Runs `sql` (several statements) on a pooled connection.
    pub async fn batch_execute(&self, sql: &str) -> Result<(), Error> {
        match self {
            Database::Postgres(pool) => pool.get().await?.batch_execute(sql).await?,
            Database::Sqlite(pool) => pool.get().await?.batch_execute(sql).await?,
        }
        Ok(())
    }

    /// The backend's name, for the logs.
    pub fn backend(&self) -> &'static str {
        match self {
            Database::Postgres(_) => "PostgreSQL",
            Database::Sqlite(_) => "SQLite",
        }
    }
}
