//! An adversarial review of the asynchronous runner (issue 14): inputs that break what the
//! product contract promises for `AsyncDeletable` on `diesel-async` connections and pools.
//!
//! Each backend module opens its own database with the suite's helpers and reaches it with
//! `diesel-async` connections of its own; SQLite uses a file of the test's own.
//!
//! Each test states the contract. Those marked "Found in review" failed before the fix named
//! there; the others held from the start.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::Poll;
use std::time::Duration;

use chrono::NaiveDateTime;
use deletable::{AsyncDeletable, DeleteError, HookError};
use diesel::prelude::*;
use diesel_async::{AsyncConnection, RunQueryDsl};

mod schema {
    diesel::table! { accounts (id) { id -> Integer, name -> Text, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { entries (id) { id -> Integer, account_id -> Integer, } }
    diesel::table! { tags (id) { id -> Integer, } }
    diesel::table! { tag_pins (id) { id -> Integer, tag_id -> Integer, } }
}
use schema::*;

/// Hooked: what its hooks do depends on the account's name (see `account_hooks!`).
#[derive(deletable::Deletable, Queryable, Selectable, Clone)]
#[diesel(table_name = accounts)]
#[deletable(hooks)]
pub struct Account {
    pub id: i32,
    pub name: String,
    #[soft_delete]
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(deletable::Deletable)]
#[diesel(table_name = entries)]
pub struct Entry {
    pub id: i32,
    #[on_delete(cascade, references = Account)]
    pub account_id: i32,
}

/// No hooks: its deletes are retried after a transient error (a foreign-key violation is one).
#[derive(deletable::Deletable)]
#[diesel(table_name = tags)]
pub struct Tag {
    pub id: i32,
}

/// Left to the database's own constraint: deleting a pinned tag is a foreign-key violation.
#[derive(deletable::Deletable)]
#[diesel(table_name = tag_pins)]
pub struct TagPin {
    pub id: i32,
    #[on_delete(do_nothing, references = Tag)]
    pub tag_id: i32,
}

deletable::schema!(Account, Entry, Tag, TagPin);

fn schema_sql(timestamp: &str) -> String {
    format!(
        "CREATE TABLE accounts (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL, deleted_at {timestamp});
         CREATE TABLE entries (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL,
             FOREIGN KEY (account_id) REFERENCES accounts (id));
         CREATE TABLE audit (id INTEGER PRIMARY KEY, note VARCHAR(50) NOT NULL);
         CREATE TABLE tags (id INTEGER PRIMARY KEY);
         CREATE TABLE tag_pins (id INTEGER PRIMARY KEY, tag_id INTEGER NOT NULL,
             FOREIGN KEY (tag_id) REFERENCES tags (id));"
    )
}

/// One account per hook behaviour, one entry each; tag 1 pinned, tag 2 free.
const DATA: &str = "
    INSERT INTO accounts (id, name) VALUES
        (1, 'plain'), (2, 'swallow'), (3, 'dangle'), (4, 'panic_tx'), (5, 'stall');
    INSERT INTO entries (id, account_id) VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5);
    INSERT INTO tags (id) VALUES (1), (2);
    INSERT INTO tag_pins (id, tag_id) VALUES (1, 1);
";

/// Polls `future` until `reached` is set, then drops it (as a `tokio::time::timeout` firing
/// while the future waits would): its output if it completed first.
async fn drop_when<F: Future>(future: F, reached: &AtomicBool) -> Option<F::Output> {
    let mut future = pin!(future);
    poll_fn(|context| match future.as_mut().poll(context) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending if reached.load(Ordering::SeqCst) => Poll::Ready(None),
        Poll::Pending => Poll::Pending,
    })
    .await
}

/// `Account`'s hooks on a connection type, by the account's name:
/// - `swallow`: `after_delete` runs a query that fails, ignores the error, returns `Ok`;
/// - `dangle`: `before_delete` writes an audit row in its own `conn.transaction(...)` and gives
///   up on it (drops it, as a timeout would) while it waits, then returns `Ok`;
/// - `panic_tx`: `before_delete` panics inside its own `conn.transaction(...)`;
/// - `stall`: `before_delete` never finishes (a slow hook: the caller's timeout or a client gone
///   drops the delete there).
macro_rules! account_hooks {
    ($conn:ty) => {
        impl deletable::AsyncDeleteHooks<$conn> for Account {
            async fn before_delete(conn: &mut $conn, rows: &[Account]) -> Result<(), HookError> {
                for row in rows {
                    match row.name.as_str() {
                        "dangle" => {
                            let reached = Arc::new(AtomicBool::new(false));
                            let flag = reached.clone();
                            let audit = conn.transaction::<(), diesel::result::Error, _>(
                                async move |conn| {
                                    diesel::sql_query(
                                        "INSERT INTO audit (id, note) VALUES (30, 'dangle')",
                                    )
                                    .execute(conn)
                                    .await?;
                                    flag.store(true, Ordering::SeqCst);
                                    std::future::pending::<()>().await;
                                    Ok(())
                                },
                            );
                            // Best effort: an audit that hangs is given up on.
                            let _ = drop_when(audit, &reached).await;
                        }
                        "panic_tx" => {
                            let _ = conn
                                .transaction::<(), diesel::result::Error, _>(async |conn| {
                                    diesel::sql_query(
                                        "INSERT INTO audit (id, note) VALUES (40, 'panic_tx')",
                                    )
                                    .execute(conn)
                                    .await?;
                                    if row_panics() {
                                        panic!("a hook panicked inside its own transaction");
                                    }
                                    Ok(())
                                })
                                .await;
                        }
                        "stall" => std::future::pending::<()>().await,
                        _ => {}
                    }
                }
                Ok(())
            }

            async fn after_delete(conn: &mut $conn, rows: &[Account]) -> Result<(), HookError> {
                if rows.iter().any(|row| row.name == "swallow") {
                    // A best-effort query whose error the hook ignores.
                    let _ = diesel::sql_query("UPDATE no_such_table SET x = 1")
                        .execute(conn)
                        .await;
                }
                Ok(())
            }
        }
    };
}

/// Always true: keeps the panic's `Ok(())` after it reachable for the type checker.
fn row_panics() -> bool {
    std::hint::black_box(true)
}

/// Whether a pool would discard the connection.
fn broken<C: AsyncConnection>(conn: &mut C) -> bool {
    use diesel_async::TransactionManager;
    C::TransactionManager::is_broken_transaction_manager(conn)
}

/// Awaits `future`; `Err(message)` if it panicked.
async fn unless_panicked<T>(future: impl Future<Output = T>) -> Result<T, String> {
    let mut future = pin!(future);
    poll_fn(|context| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            future.as_mut().poll(context)
        })) {
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(payload) => Poll::Ready(Err(panic_message(&*payload))),
        }
    })
    .await
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|text| text.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(a panic)".to_string())
}

/// Runs `future` on a worker of the suite's runtime (`SyncConnectionWrapper`'s blocking tasks
/// need one when dropped).
fn run<T: Send + 'static>(future: impl Future<Output = T> + Send + 'static) -> T {
    deletable_tests::asynchronous::block_on(async move { tokio::spawn(future).await.unwrap() })
}

/// What the tests compare: (accounts, entries, audit, tags) row counts.
type Snapshot = [i64; 4];
const INITIAL: Snapshot = [5, 5, 0, 2];

/// The tests of one backend: `$open` gives `(checker, url)` and `$snapshot` reads it, `$conn`
/// is the `diesel-async` connection type, `$lock_wait` a session setting that turns a wait on
/// a lock into an error after about 2 seconds.
macro_rules! backend_tests {
    ($conn:ty, $lock_wait:expr) => {
        type Conn = $conn;

        account_hooks!(Conn);

        async fn connect(url: &str) -> Conn {
            let mut conn = Conn::establish(url).await.unwrap();
            diesel_async::SimpleAsyncConnection::batch_execute(&mut conn, SETUP)
                .await
                .unwrap();
            conn
        }

        /// Found in review. A hook that gives up on its own `conn.transaction(...)` (a timeout
        /// around an audit write) and returns `Ok` leaves a savepoint open: the delete then
        /// "committed" by releasing that savepoint and reported success, while its own
        /// transaction stayed open, never committed. Fixed: a hook that changes the transaction
        /// depth fails the delete and marks the transaction manager failed.
        #[test]
        fn a_hook_that_gives_up_on_its_transaction_does_not_fake_a_delete() {
            let Some((mut db, url)) = open() else { return };
            let (outcome, broken) = run(async move {
                let mut conn = connect(&url).await;
                let outcome = Account::delete_by_ids(&[3], &mut conn).await;
                let broken = broken(&mut conn);
                (outcome.map(|report| report.total()), broken)
            });
            let after = snapshot(&mut db);
            match outcome {
                Ok(total) => assert_eq!(
                    after,
                    [4, 4, 1, 2],
                    "the delete reported {total} rows deleted (connection broken: {broken}), \
                     yet the database is unchanged"
                ),
                Err(error) => assert_eq!(after, INITIAL, "{error}"),
            }
        }

        /// Found in review, on PostgreSQL. An `after_delete` hook whose query fails (the error
        /// ignored) leaves PostgreSQL's transaction aborted; the `COMMIT` that followed was a
        /// silent `ROLLBACK`, and the delete reported success having changed nothing. Fixed: a
        /// plan with hooks runs `SELECT 1` before committing on PostgreSQL.
        #[test]
        fn a_hook_that_swallows_a_database_error_does_not_fake_a_delete() {
            let Some((mut db, url)) = open() else { return };
            let (outcome, broken) = run(async move {
                let mut conn = connect(&url).await;
                let outcome = Account::delete_by_ids(&[2], &mut conn).await;
                let broken = broken(&mut conn);
                (outcome.map(|report| report.total()), broken)
            });
            let after = snapshot(&mut db);
            match outcome {
                Ok(total) => assert_eq!(
                    after,
                    [4, 4, 0, 2],
                    "the delete reported {total} rows deleted (connection broken: {broken}), \
                     yet the database is unchanged"
                ),
                Err(error) => assert_eq!(after, INITIAL, "{error}"),
            }
        }

        /// The same hook inside a caller's transaction: whatever the delete answers, the
        /// caller's transaction stays intact, goes on and commits its own rows.
        #[test]
        fn a_hook_that_swallows_a_database_error_leaves_the_callers_transaction_intact() {
            let Some((mut db, url)) = open() else { return };
            let (outcome, committed) = run(async move {
                let mut conn = connect(&url).await;
                let mut outcome = None;
                let committed = conn
                    .transaction::<_, diesel::result::Error, _>(async |conn| {
                        diesel::sql_query("INSERT INTO audit (id, note) VALUES (90, 'caller')")
                            .execute(conn)
                            .await?;
                        outcome = Some(
                            Account::delete_by_ids(&[2], conn)
                                .await
                                .map(|report| report.total())
                                .map_err(|error| error.to_string()),
                        );
                        diesel::sql_query("INSERT INTO audit (id, note) VALUES (91, 'caller')")
                            .execute(conn)
                            .await?;
                        Ok(())
                    })
                    .await;
                (outcome, committed.map_err(|error| error.to_string()))
            });
            let after = snapshot(&mut db);
            assert!(
                committed.is_ok(),
                "the delete answered {outcome:?}; the caller's own next statement or commit then \
                 failed: {committed:?}"
            );
            match outcome {
                Some(Ok(_)) => assert_eq!(after, [4, 4, 2, 2]),
                _ => assert_eq!(after, [5, 5, 2, 2]),
            }
        }

        /// Held: a hook that panics inside its own transaction: nothing changes, the panic
        /// reaches the caller, and the connection is reported broken (or is usable).
        #[test]
        fn a_hook_panicking_inside_its_own_transaction_changes_nothing() {
            let Some((mut db, url)) = open() else { return };
            let (outcome, broken, reused) = run(async move {
                let mut conn = connect(&url).await;
                let outcome = unless_panicked(Account::delete_by_ids(&[4], &mut conn)).await;
                let broken = broken(&mut conn);
                let reused = unless_panicked(Account::delete_by_ids(&[1], &mut conn))
                    .await
                    .map(|outcome| {
                        outcome
                            .map(|report| report.total())
                            .map_err(|e| e.to_string())
                    });
                (outcome.map(|outcome| outcome.is_ok()), broken, reused)
            });
            assert!(
                outcome.is_err(),
                "the hook's panic was not surfaced: {outcome:?}"
            );
            let after = snapshot(&mut db);
            if broken {
                assert!(
                    !matches!(reused, Ok(Ok(_))),
                    "a broken connection ran a delete: {reused:?}"
                );
                assert_eq!(after, INITIAL);
            } else {
                assert_eq!(reused, Ok(Ok(2)));
                assert_eq!(after, [4, 4, 0, 2]);
            }
        }

        /// Held: a delete that fails (a foreign-key violation of a `do_nothing` key) inside a
        /// caller's transaction: the caller goes on and commits its own rows, the delete's
        /// work is gone.
        #[test]
        fn a_failed_delete_inside_a_callers_transaction_keeps_the_callers_work() {
            let Some((mut db, url)) = open() else { return };
            let (outcome, committed) = run(async move {
                let mut conn = connect(&url).await;
                let mut outcome = None;
                let committed = conn
                    .transaction::<_, diesel::result::Error, _>(async |conn| {
                        diesel::sql_query("INSERT INTO audit (id, note) VALUES (90, 'caller')")
                            .execute(conn)
                            .await?;
                        outcome = Some(Tag::delete_by_ids(&[1, 2], conn).await.is_ok());
                        diesel::sql_query("INSERT INTO audit (id, note) VALUES (91, 'caller')")
                            .execute(conn)
                            .await?;
                        Ok(())
                    })
                    .await;
                (outcome, committed.map_err(|error| error.to_string()))
            });
            assert_eq!(outcome, Some(false));
            assert_eq!(committed, Ok(()));
            assert_eq!(snapshot(&mut db), [5, 5, 2, 2]);
        }

        /// A delete dropped in a slow hook (a timeout) on a bb8 pooled connection: bb8 checks
        /// `has_broken` as the connection comes back and closes it, so its open transaction
        /// releases its locks at once, and the next request on the other pooled connection goes
        /// through. (deadpool checks only when it next hands the connection out: the README
        /// says so and how to keep a delete from being dropped, which
        /// `examples/service/tests/http.rs` proves over HTTP.)
        #[test]
        fn a_cancelled_delete_does_not_keep_its_locks_in_the_bb8_pool() {
            use diesel_async::pooled_connection::{bb8, AsyncDieselConnectionManager};
            let Some((mut db, url)) = open() else { return };
            let outcome = run(async move {
                let manager = AsyncDieselConnectionManager::<Conn>::new(url);
                let pool = bb8::Pool::builder()
                    .max_size(2)
                    .build(manager)
                    .await
                    .unwrap();
                let mut first = pool.get_owned().await.unwrap();
                let mut second = pool.get_owned().await.unwrap();
                for conn in [&mut first, &mut second] {
                    diesel_async::SimpleAsyncConnection::batch_execute(&mut **conn, SETUP)
                        .await
                        .unwrap();
                }
                diesel_async::SimpleAsyncConnection::batch_execute(&mut *second, $lock_wait)
                    .await
                    .unwrap();
                drop(second);
                let cancelled = tokio::time::timeout(
                    Duration::from_millis(300),
                    Account::delete_by_ids(&[5], &mut first),
                )
                .await;
                assert!(cancelled.is_err(), "the stalled delete completed");
                drop(first);
                let mut conn = pool.get().await.unwrap();
                Entry::delete_by_ids(&[5], &mut conn)
                    .await
                    .map(|report| report.total())
                    .map_err(|error| error.to_string())
            });
            assert_eq!(outcome, Ok(1));
            assert_eq!(snapshot(&mut db), [5, 4, 0, 2]);
        }

        /// Compile-time: every method's future, hooks in the plan, on the connection, a
        /// deadpool `Object` and a bb8 `PooledConnection`, can be `tokio::spawn`ed.
        #[allow(dead_code)]
        fn every_future_spawns(
            mut raw: Conn,
            deadpool: diesel_async::pooled_connection::deadpool::Pool<Conn>,
            bb8: diesel_async::pooled_connection::bb8::Pool<Conn>,
            account: Account,
        ) {
            use deletable::AsyncSoftDelete;
            let row = account.clone();
            tokio::spawn(async move {
                row.delete(&mut raw).await.ok();
                row.delete_with(deletable::DeleteOptions::batch_size(2), &mut raw)
                    .await
                    .ok();
                Account::delete_by_ids(&[1], &mut raw).await.ok();
                Account::delete_by_ids_with(&[1], Default::default(), &mut raw)
                    .await
                    .ok();
                Account::delete_where(accounts::id.eq(1), &mut raw)
                    .await
                    .ok();
                Account::delete_where_with(accounts::id.eq(1), Default::default(), &mut raw)
                    .await
                    .ok();
                row.soft_delete(&mut raw).await.ok();
                Account::soft_delete_by_ids(&[1], &mut raw).await.ok();
                Account::soft_delete_where(accounts::id.eq(1), &mut raw)
                    .await
                    .ok();
                row.restore(&mut raw).await.ok();
                Account::restore_where(accounts::id.eq(1), &mut raw)
                    .await
                    .ok();
                Account::purge_deleted(chrono::DateTime::UNIX_EPOCH.naive_utc(), &mut raw)
                    .await
                    .ok();
            });
            let row = account.clone();
            tokio::spawn(async move {
                let mut conn = deadpool.get().await.unwrap();
                row.delete(&mut conn).await.ok();
                Account::delete_where(accounts::id.eq(1), &mut conn)
                    .await
                    .ok();
                row.soft_delete(&mut conn).await.ok();
                Account::restore_where(accounts::id.eq(1), &mut conn)
                    .await
                    .ok();
            });
            tokio::spawn(async move {
                let mut conn = bb8.get_owned().await.unwrap();
                account.delete(&mut conn).await.ok();
                Account::delete_where(accounts::id.eq(1), &mut conn)
                    .await
                    .ok();
                account.soft_delete(&mut conn).await.ok();
                Account::restore_where(accounts::id.eq(1), &mut conn)
                    .await
                    .ok();
            });
        }
    };
}

/// The server backends: a test database of the suite, reached by its URL.
macro_rules! server_backend {
    ($module:ident, $feature:literal, $db:ty, $conn:ty, $timestamp:literal, $setup:literal, $lock_wait:literal) => {
        #[cfg(feature = $feature)]
        mod $module {
            use super::*;
            use deletable_tests::TestDb;

            const SETUP: &str = $setup;

            fn open() -> Option<($db, String)> {
                let mut db = <$db>::open(&schema_sql($timestamp))?;
                db.exec(DATA);
                let url = db.url().expect("a server database has a URL");
                Some((db, url))
            }

            fn snapshot(db: &mut $db) -> Snapshot {
                let [a, e] = count_pair(db, "accounts", "entries");
                let [u, t] = count_pair(db, "audit", "tags");
                [a, e, u, t]
            }

            fn count_pair(db: &mut $db, first: &str, second: &str) -> [i64; 2] {
                let (a, b) = db.pairs(&format!(
                    "SELECT (SELECT COUNT(*) FROM {first}) AS a, (SELECT COUNT(*) FROM {second}) AS b"
                ))[0];
                [a, b.unwrap()]
            }

            backend_tests!($conn, $lock_wait);
        }
    };
}

server_backend!(
    postgres,
    "postgres",
    deletable_tests::PgDb,
    diesel_async::AsyncPgConnection,
    "TIMESTAMP",
    "SET client_min_messages TO WARNING",
    "SET lock_timeout = '2s'"
);
server_backend!(
    mysql,
    "mysql",
    deletable_tests::MysqlDb,
    diesel_async::AsyncMysqlConnection,
    "DATETIME(6)",
    "SET @deletable_review = 1",
    "SET SESSION innodb_lock_wait_timeout = 2"
);
server_backend!(
    mariadb,
    "mariadb",
    deletable_tests::MariadbDb,
    diesel_async::AsyncMariadbConnection,
    "DATETIME(6)",
    "SET @deletable_review = 1",
    "SET SESSION innodb_lock_wait_timeout = 2"
);

/// SQLite through `diesel-async`'s `SyncConnectionWrapper`, on a file of the test's own.
mod sqlite {
    use super::*;
    use diesel::connection::SimpleConnection;

    const SETUP: &str = "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;";

    /// The database file of a test and a connection that reads it.
    pub struct Checker {
        conn: diesel::SqliteConnection,
        dir: std::path::PathBuf,
    }

    impl Drop for Checker {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }

    pub fn open() -> Option<(Checker, String)> {
        let dir = std::env::temp_dir().join(deletable_tests::unique_name());
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("review.db").display().to_string();
        let mut conn = diesel::SqliteConnection::establish(&path).unwrap();
        conn.batch_execute(&format!(
            "PRAGMA journal_mode = WAL; {SETUP} {} {DATA}",
            schema_sql("TIMESTAMP")
        ))
        .unwrap();
        Some((Checker { conn, dir }, path))
    }

    pub fn snapshot(checker: &mut Checker) -> Snapshot {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        ["accounts", "entries", "audit", "tags"].map(|table| {
            let query = diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"));
            diesel::RunQueryDsl::get_result::<Count>(query, &mut checker.conn)
                .unwrap()
                .n
        })
    }

    backend_tests!(
        deletable_tests::asynchronous::AsyncSqlite,
        "PRAGMA busy_timeout = 2000"
    );
}

/// Found in review. A delete that owns its transaction retries after a foreign-key violation
/// (as after a deadlock): the pause was `tokio::time::sleep`, which panics on a runtime
/// without its timer, so a plain `do_nothing` blocker on a current-thread runtime built with
/// `enable_io()` only panicked instead of returning `DeleteError::Database`. Fixed: the pause
/// sleeps on a thread of its own.
#[cfg(feature = "postgres")]
#[test]
fn a_retried_delete_on_a_runtime_without_a_timer_returns_its_error() {
    use deletable_tests::TestDb;
    let Some(mut db) = deletable_tests::PgDb::open(&schema_sql("TIMESTAMP")) else {
        return;
    };
    db.exec(DATA);
    let url = db.url().unwrap();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
        .unwrap();
    let outcome = runtime.block_on(async {
        let mut conn = diesel_async::AsyncPgConnection::establish(&url)
            .await
            .unwrap();
        unless_panicked(Tag::delete_by_ids(&[1], &mut conn)).await
    });
    match outcome {
        Ok(Err(DeleteError::Database(diesel::result::Error::DatabaseError(kind, _)))) => {
            assert!(matches!(
                kind,
                diesel::result::DatabaseErrorKind::ForeignKeyViolation
            ));
        }
        Ok(other) => panic!("{:?}", other.map(|report| report.total())),
        Err(panic) => panic!("the delete panicked instead of returning its error: {panic}"),
    }
    assert_eq!(db.count("tags"), 2);
}

/// A `SpawnBlocking` of `diesel-async`'s `SyncConnectionWrapper` without tokio: each task on a
/// thread of its own, for an executor other than tokio's.
mod thread_spawner {
    use std::error::Error;
    use std::future::Future;
    use std::pin::Pin;
    use std::sync::{Arc, Mutex};
    use std::task::{Context, Poll, Waker};

    pub struct Threads;

    struct Slot<R> {
        value: Option<R>,
        waker: Option<Waker>,
    }

    struct Joined<R>(Arc<Mutex<Slot<R>>>);

    impl<R> Future for Joined<R> {
        type Output = Result<R, Box<dyn Error + Send + Sync>>;
        fn poll(self: Pin<&mut Self>, context: &mut Context<'_>) -> Poll<Self::Output> {
            let mut slot = self.0.lock().unwrap();
            match slot.value.take() {
                Some(value) => Poll::Ready(Ok(value)),
                None => {
                    slot.waker = Some(context.waker().clone());
                    Poll::Pending
                }
            }
        }
    }

    impl diesel_async::sync_connection_wrapper::SpawnBlocking for Threads {
        fn spawn_blocking<'a, R>(
            &mut self,
            task: impl FnOnce() -> R + Send + 'static,
        ) -> Pin<
            Box<dyn Future<Output = Result<R, Box<dyn Error + Send + Sync + 'static>>> + Send + 'a>,
        >
        where
            R: Send + 'static,
        {
            let slot = Arc::new(Mutex::new(Slot {
                value: None,
                waker: None,
            }));
            let writer = slot.clone();
            std::thread::spawn(move || {
                let value = task();
                let mut slot = writer.lock().unwrap();
                slot.value = Some(value);
                if let Some(waker) = slot.waker.take() {
                    waker.wake();
                }
            });
            Box::pin(Joined(slot))
        }

        fn get_runtime() -> Self {
            Threads
        }
    }

    /// Runs `future` to completion on this thread.
    pub fn block_on<T>(future: impl Future<Output = T>) -> T {
        struct Unpark(std::thread::Thread);
        impl std::task::Wake for Unpark {
            fn wake(self: Arc<Self>) {
                self.0.unpark();
            }
        }
        let waker = Waker::from(Arc::new(Unpark(std::thread::current())));
        let mut context = Context::from_waker(&waker);
        let mut future = std::pin::pin!(future);
        loop {
            if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
                return value;
            }
            std::thread::park();
        }
    }
}

type ThreadSqlite = diesel_async::sync_connection_wrapper::SyncConnectionWrapper<
    diesel::SqliteConnection,
    thread_spawner::Threads,
>;

account_hooks!(ThreadSqlite);

/// Found in review. `diesel-async`'s `SyncConnectionWrapper` takes any `SpawnBlocking` (an
/// executor other than tokio); a delete through it worked until its first retry, whose
/// `tokio::time::sleep` panicked outside a tokio runtime. Fixed with the pause above.
#[test]
fn a_retried_delete_without_tokio_returns_its_error() {
    use diesel::connection::SimpleConnection;
    let (mut checker, path) = sqlite::open().unwrap();
    let mut inner = diesel::SqliteConnection::establish(&path).unwrap();
    inner.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    let mut conn = ThreadSqlite::new(inner);
    // Works without tokio when nothing is retried.
    let free = thread_spawner::block_on(Tag::delete_by_ids(&[2], &mut conn));
    assert_eq!(free.unwrap().total(), 1);
    let outcome = thread_spawner::block_on(unless_panicked(Tag::delete_by_ids(&[1], &mut conn)));
    match outcome {
        Ok(Err(error @ DeleteError::Database(_))) => {
            // The cause once, as `source()`: an error chain prints each message once.
            assert_eq!(error.to_string(), "database error during delete");
            let cause = std::error::Error::source(&error).expect("Diesel's error");
            assert!(
                cause.to_string().to_lowercase().contains("foreign key"),
                "{cause}"
            );
        }
        Ok(other) => panic!("{:?}", other.map(|report| report.total())),
        Err(panic) => panic!("the delete panicked instead of returning its error: {panic}"),
    }
    assert_eq!(sqlite::snapshot(&mut checker), [5, 5, 0, 1]);
}

/// The same `swallow` hook for Diesel's synchronous `PgConnection`.
#[cfg(feature = "postgres")]
impl deletable::DeleteHooks<diesel::PgConnection> for Account {
    fn after_delete(conn: &mut diesel::PgConnection, rows: &[Account]) -> Result<(), HookError> {
        if rows.iter().any(|row| row.name == "swallow") {
            let _ = diesel::RunQueryDsl::execute(
                diesel::sql_query("UPDATE no_such_table SET x = 1"),
                conn,
            );
        }
        Ok(())
    }
}

/// Found in review, shared by the synchronous runner (so the fix lives in `operation/`): the
/// `swallow` hook on PostgreSQL through Diesel's `PgConnection` reported the delete too, and
/// committed nothing.
#[cfg(feature = "postgres")]
#[test]
fn sync_a_hook_that_swallows_a_database_error_does_not_fake_a_delete() {
    use deletable_tests::TestDb;
    let Some(mut db) = deletable_tests::PgDb::open(&schema_sql("TIMESTAMP")) else {
        return;
    };
    db.exec(DATA);
    let mut conn = db.connect_again();
    let outcome = <Account as deletable::Deletable>::delete_by_ids(&[2], &mut conn);
    let accounts = db.count("accounts");
    match outcome {
        Ok(report) => assert_eq!(
            accounts,
            4,
            "the delete reported {} rows deleted, yet account 2 is still there",
            report.total()
        ),
        Err(error) => assert_eq!(accounts, 5, "{error}"),
    }
}

/// The `panic_tx` hook for Diesel's synchronous `SqliteConnection`.
impl deletable::DeleteHooks<diesel::SqliteConnection> for Account {
    fn before_delete(
        conn: &mut diesel::SqliteConnection,
        rows: &[Account],
    ) -> Result<(), HookError> {
        if rows.iter().any(|row| row.name == "panic_tx") {
            let _ = conn.transaction::<(), diesel::result::Error, _>(|conn| {
                diesel::RunQueryDsl::execute(
                    diesel::sql_query("INSERT INTO audit (id, note) VALUES (40, 'panic_tx')"),
                    conn,
                )?;
                if row_panics() {
                    panic!("a hook panicked inside its own transaction");
                }
                Ok(())
            });
        }
        Ok(())
    }
}

/// The synchronous runner: a hook that panics inside its own `conn.transaction` leaves that
/// savepoint open (Diesel does not catch the panic). Rolling back "the delete's" transaction
/// then rolled back the hook's savepoint only, and the next delete on the same connection ran
/// inside the stale transaction, reported success, and was never committed. The connection
/// must refuse instead, or the next delete must be committed.
#[test]
fn sync_a_hook_panicking_in_its_own_transaction_leaves_no_stale_transaction() {
    let (mut checker, path) = sqlite::open().unwrap();
    let mut conn = diesel::SqliteConnection::establish(&path).unwrap();
    let panicked = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        <Account as deletable::Deletable>::delete_by_ids(&[4], &mut conn)
    }));
    assert!(panicked.is_err(), "the hook's panic goes on");
    let next = <Account as deletable::Deletable>::delete_by_ids(&[1], &mut conn);
    drop(conn);
    let after = sqlite::snapshot(&mut checker);
    match next {
        Ok(report) => assert_eq!(after, [4, 4, 0, 2], "reported {}", report.total()),
        Err(error) => assert_eq!(after, INITIAL, "{error}"),
    }
}
