//! What only the asynchronous runner has: futures that are `Send` and may be dropped at any
//! await, pooled connections (deadpool and bb8 of `diesel-async`) with hooks written for the
//! connection inside them. The behaviour both runners share is tested by every
//! other suite, stamped out for each runner by `backends!`.
//!
//! Each backend module opens its own database (schema, database or file) with the suite's
//! blocking helpers, and reaches it with `diesel-async` connections of its own.

use std::future::{poll_fn, Future};
use std::pin::pin;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::Poll;

use deletable::{AsyncDeletable, HookError};
use diesel::prelude::*;

mod schema {
    diesel::table! { owners (id) { id -> Integer, } }
    diesel::table! { folders (id) { id -> Integer, owner_id -> Integer, } }
    diesel::table! { files (id) { id -> Integer, folder_id -> Integer, name -> Text, } }
    diesel::table! { shares (id) { id -> Integer, file_id -> Nullable<Integer>, } }
}
use schema::*;

#[derive(deletable::Deletable)]
#[diesel(table_name = owners)]
pub struct Owner {
    pub id: i32,
}

#[derive(deletable::Deletable)]
#[diesel(table_name = folders)]
pub struct Folder {
    pub id: i32,
    #[on_delete(cascade, references = Owner)]
    pub owner_id: i32,
}

/// Hooked: its rows go in batches of 2, each batch seen by `before_delete`.
#[derive(deletable::Deletable, Queryable, Selectable)]
#[diesel(table_name = files)]
#[deletable(hooks, batch_size = 2)]
pub struct File {
    pub id: i32,
    #[on_delete(cascade, references = Folder)]
    pub folder_id: i32,
    pub name: String,
}

#[derive(deletable::Deletable)]
#[diesel(table_name = shares)]
pub struct Share {
    pub id: i32,
    #[on_delete(set_null, references = File)]
    pub file_id: Option<i32>,
}

deletable::schema!(Owner, Folder, File, Share);

/// How many files the hooks have seen, across threads (a spawned delete runs on a worker).
static FILES_SEEN: AtomicUsize = AtomicUsize::new(0);

/// `File`'s hooks, for the named connection types only (asynchronous and synchronous): pooled connections of that type reach
/// them through `deletable`'s pool impls.
macro_rules! file_hooks {
    ($conn:ty, $sync:ty) => {
        impl deletable::AsyncDeleteHooks<$conn> for File {
            async fn before_delete(_: &mut $conn, rows: &[File]) -> Result<(), HookError> {
                FILES_SEEN.fetch_add(rows.len(), Ordering::Relaxed);
                if rows.iter().any(|file| file.name == "refused") {
                    return Err("a refused file".into());
                }
                Ok(())
            }
        }
        impl deletable::DeleteHooks<$sync> for File {
            fn before_delete(_: &mut $sync, rows: &[File]) -> Result<(), HookError> {
                FILES_SEEN.fetch_add(rows.len(), Ordering::Relaxed);
                Ok(())
            }
        }
    };
}

const SCHEMA: &str = "
    CREATE TABLE owners (id INTEGER PRIMARY KEY);
    CREATE TABLE folders (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES owners (id));
    CREATE TABLE files (id INTEGER PRIMARY KEY, folder_id INTEGER NOT NULL REFERENCES folders (id),
        name VARCHAR(50) NOT NULL);
    CREATE TABLE shares (id INTEGER PRIMARY KEY, file_id INTEGER REFERENCES files (id));
";

const TABLES: &[&str] = &["owners", "folders", "files", "shares"];

/// Two owners; owner 1 has 2 folders of 3 files each, every file shared once.
const DATA: &str = "
    INSERT INTO owners (id) VALUES (1), (2);
    INSERT INTO folders (id, owner_id) VALUES (1, 1), (2, 1), (3, 2);
    INSERT INTO files (id, folder_id, name) VALUES
        (1, 1, 'a'), (2, 1, 'b'), (3, 1, 'c'), (4, 2, 'd'), (5, 2, 'e'), (6, 2, 'f'), (7, 3, 'g');
    INSERT INTO shares (id, file_id) VALUES (1, 1), (2, 4), (3, 7);
";

/// The row counts after owner 1 is deleted.
const AFTER: [i64; 4] = [1, 1, 1, 3];

/// Polls `future` until it has returned `Pending` `pendings` times, then drops it; whether it
/// completed first, and its output if so.
async fn cancel_after<T>(pendings: usize, future: impl Future<Output = T>) -> Option<T> {
    let mut future = pin!(future);
    let mut left = pendings;
    poll_fn(|context| match future.as_mut().poll(context) {
        Poll::Ready(output) => Poll::Ready(Some(output)),
        Poll::Pending if left == 0 => Poll::Ready(None),
        Poll::Pending => {
            left -= 1;
            Poll::Pending
        }
    })
    .await
}

/// Whether the connection would be discarded by a pool: a transaction left open, or its
/// transaction manager broken.
fn broken<C: diesel_async::AsyncConnection>(conn: &mut C) -> bool {
    use diesel_async::TransactionManager;
    C::TransactionManager::is_broken_transaction_manager(conn)
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[cfg(any(feature = "postgres", feature = "mysql", feature = "mariadb"))]
/// The counts of [`TABLES`], read in one statement: one snapshot, even while a dropped
/// delete's `COMMIT` is still on its way to the server.
fn counts(db: &mut impl deletable_tests::TestDb) -> Vec<i64> {
    let sum: Vec<String> = TABLES
        .iter()
        .enumerate()
        .map(|(index, table)| {
            format!(
                "(SELECT COUNT(*) FROM {table}) * {}",
                100_i64.pow(index as u32)
            )
        })
        .collect();
    let encoded = db.pairs(&format!("SELECT {} AS a, NULL AS b", sum.join(" + ")))[0].0;
    (0..TABLES.len())
        .map(|index| encoded / 100_i64.pow(index as u32) % 100)
        .collect()
}

macro_rules! async_backend {
    ($module:ident, $feature:literal, $db:ty, $conn:ty, $sync:ty) => {
        #[cfg(feature = $feature)]
        mod $module {
            use super::*;
            use deletable::DeleteError;
            use deletable_tests::TestDb;
            use diesel_async::AsyncConnection;

            type Db = $db;
            type Conn = $conn;

            file_hooks!(Conn, $sync);

            fn open() -> Option<(Db, String)> {
                let mut db = Db::open(SCHEMA)?;
                db.exec(DATA);
                let url = db.url().expect("a server database has a URL");
                Some((db, url))
            }

            /// Dropped at each of its awaits in turn, the delete leaves every table as it was
            /// and its connection marked for a pool to discard; dropped once its `COMMIT` is
            /// sent, it is committed whole or not at all; let run, it deletes the lot.
            #[test]
            fn a_delete_dropped_at_any_await_changes_nothing() {
                let mut completed = false;
                for pendings in 0..10_000 {
                    let Some((mut db, url)) = open() else { return };
                    let before = counts(&mut db);
                    let log = deletable_tests::StatementLog::default();
                    let outcome = deletable_tests::asynchronous::block_on(async {
                        let mut conn = Conn::establish(&url).await.unwrap();
                        conn.set_instrumentation(log.clone());
                        let filter = owners::id.eq(1);
                        let outcome =
                            cancel_after(pendings, Owner::delete_where(filter, &mut conn)).await;
                        let broken = broken(&mut conn);
                        (outcome, broken)
                    });
                    let committing = log
                        .statements()
                        .iter()
                        .any(|sql| sql.trim().eq_ignore_ascii_case("COMMIT"));
                    match outcome {
                        (Some(report), _) => {
                            let report = report.unwrap();
                            assert_eq!(report.count("files"), 6);
                            assert_eq!(counts(&mut db), AFTER);
                            completed = true;
                            println!("completed after {pendings} pendings");
                            break;
                        }
                        (None, _) if committing => {
                            let after = counts(&mut db);
                            assert!(
                                after == before || after == AFTER,
                                "dropped during its commit after {pendings} pendings: {after:?}\n{:#?}",
                                log.statements()
                            );
                        }
                        (None, broken) => {
                            assert_eq!(counts(&mut db), before, "dropped after {pendings} pendings");
                            assert!(
                                broken || pendings == 0,
                                "dropped after {pendings} pendings, the connection looks usable"
                            );
                        }
                    }
                }
                assert!(completed);
            }

            /// A pooled connection as it comes out of the pool, with hooks written for the
            /// connection inside; the future is `Send`, so the delete can be spawned.
            #[test]
            fn pooled_connections_delete_with_their_connections_hooks() {
                use diesel_async::pooled_connection::{bb8, deadpool, AsyncDieselConnectionManager};
                let Some((mut db, url)) = open() else { return };
                deletable_tests::asynchronous::block_on(async {
                    let manager = AsyncDieselConnectionManager::<Conn>::new(url.clone());
                    let pool = deadpool::Pool::builder(manager).max_size(1).build().unwrap();
                    let spawned = tokio::spawn(assert_send(async move {
                        let mut conn = pool.get().await.unwrap();
                        Owner::delete_by_ids(&[2], &mut conn).await
                    }));
                    assert_eq!(spawned.await.unwrap().unwrap().count("files"), 1);

                    let manager = AsyncDieselConnectionManager::<Conn>::new(url.clone());
                    let pool = bb8::Pool::builder().max_size(1).build(manager).await.unwrap();
                    let mut conn = pool.get().await.unwrap();
                    let report = Folder::delete_by_ids(&[1], &mut conn).await.unwrap();
                    assert_eq!(report.count("files"), 3);
                });
                assert_eq!(counts(&mut db), [1, 1, 3, 3]);

                // Diesel's r2d2 pool, with the synchronous hooks for the connection inside.
                let manager = diesel::r2d2::ConnectionManager::<$sync>::new(url);
                let pool = diesel::r2d2::Pool::builder().max_size(1).build(manager).unwrap();
                let mut conn = pool.get().unwrap();
                let report = <Owner as deletable::Deletable>::delete_by_ids(&[1], &mut *conn).unwrap();
                assert_eq!(report.count("files"), 3);
                assert_eq!(counts(&mut db), [0, 0, 0, 3]);
            }

            /// A hook's error through a pooled connection rolls everything back, and the pool
            /// gives the connection out again, usable.
            #[test]
            fn a_refusing_hook_rolls_back_and_the_pooled_connection_is_reused() {
                use diesel_async::pooled_connection::{deadpool, AsyncDieselConnectionManager};
                let Some((mut db, url)) = open() else { return };
                db.exec("UPDATE files SET name = 'refused' WHERE id = 5");
                let before = counts(&mut db);
                deletable_tests::asynchronous::block_on(async {
                    let manager = AsyncDieselConnectionManager::<Conn>::new(url);
                    let pool = deadpool::Pool::builder(manager).max_size(1).build().unwrap();
                    let mut conn = pool.get().await.unwrap();
                    let error = Owner::delete_by_ids(&[1], &mut conn).await.unwrap_err();
                    assert!(matches!(error, DeleteError::Hook { .. }), "{error:?}");
                    assert!(!broken(&mut *conn));
                    drop(conn);
                    let mut conn = pool.get().await.unwrap();
                    let report = Owner::delete_by_ids(&[2], &mut conn).await.unwrap();
                    assert_eq!(report.count("files"), 1);
                });
                let mut expected = before;
                expected[0] -= 1;
                expected[1] -= 1;
                expected[2] -= 1;
                assert_eq!(counts(&mut db), expected);
            }
        }
    };
}

async_backend!(
    postgres,
    "postgres",
    deletable_tests::PgDb,
    diesel_async::AsyncPgConnection,
    diesel::PgConnection
);
async_backend!(
    mysql,
    "mysql",
    deletable_tests::MysqlDb,
    diesel_async::AsyncMysqlConnection,
    diesel::MysqlConnection
);
async_backend!(
    mariadb,
    "mariadb",
    deletable_tests::MariadbDb,
    diesel_async::AsyncMariadbConnection,
    diesel::mariadb::MariadbConnection
);

/// SQLite through `diesel-async`'s `SyncConnectionWrapper`, on a file of the test's own (an
/// in-memory database would not outlive the connection whose delete is dropped).
mod sqlite {
    use super::*;
    use deletable_tests::asynchronous::AsyncSqlite;
    use diesel::connection::SimpleConnection;
    use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;

    file_hooks!(AsyncSqlite, diesel::SqliteConnection);

    fn connect(path: &str) -> diesel::SqliteConnection {
        let mut conn = diesel::SqliteConnection::establish(path).unwrap();
        conn.batch_execute("PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000;")
            .unwrap();
        conn
    }

    fn counts(conn: &mut diesel::SqliteConnection) -> Vec<i64> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        TABLES
            .iter()
            .map(|table| {
                diesel::sql_query(format!("SELECT COUNT(*) AS n FROM {table}"))
                    .get_result::<Count>(conn)
                    .unwrap()
                    .n
            })
            .collect()
    }

    #[test]
    fn a_delete_dropped_at_any_await_changes_nothing() {
        let dir = std::env::temp_dir().join(deletable_tests::unique_name());
        std::fs::create_dir_all(&dir).unwrap();
        let mut completed = false;
        for pendings in 0..10_000 {
            let path = dir.join(format!("{pendings}.db")).display().to_string();
            let mut check = connect(&path);
            check.batch_execute(SCHEMA).unwrap();
            check.batch_execute(DATA).unwrap();
            let before = counts(&mut check);
            let async_path = path.clone();
            // On a worker of the runtime: the wrapper's blocking tasks need one when dropped.
            let outcome = deletable_tests::asynchronous::block_on(async move {
                tokio::spawn(async move {
                    let mut conn: AsyncSqlite = SyncConnectionWrapper::new(connect(&async_path));
                    let filter = owners::id.eq(1);
                    let outcome =
                        cancel_after(pendings, Owner::delete_where(filter, &mut conn)).await;
                    let broken = broken(&mut conn);
                    (
                        outcome.map(|report| report.map(|report| report.count("files"))),
                        broken,
                    )
                })
                .await
                .unwrap()
            });
            match outcome {
                (Some(files), _) => {
                    assert_eq!(files.unwrap(), 6);
                    assert_eq!(counts(&mut check), AFTER);
                    completed = true;
                    println!("completed after {pendings} pendings");
                    break;
                }
                (None, broken) => {
                    let after = counts(&mut check);
                    // SQLite commits in the call that runs `COMMIT`: a drop there may come after.
                    assert!(
                        after == before || after == AFTER,
                        "dropped after {pendings} pendings: {after:?}"
                    );
                    if after == before {
                        assert!(broken || pendings == 0, "dropped after {pendings} pendings");
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(completed);
    }

    /// The same deletes through a deadpool pool of wrapped SQLite connections on one file.
    #[test]
    fn pooled_connections_delete_with_their_connections_hooks() {
        use diesel_async::pooled_connection::{deadpool, AsyncDieselConnectionManager};
        let dir = std::env::temp_dir().join(deletable_tests::unique_name());
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pool.db").display().to_string();
        let mut check = connect(&path);
        check.batch_execute(SCHEMA).unwrap();
        check.batch_execute(DATA).unwrap();
        let url = path.clone();
        deletable_tests::asynchronous::block_on(async move {
            let manager = AsyncDieselConnectionManager::<AsyncSqlite>::new(url);
            let pool = deadpool::Pool::builder(manager)
                .max_size(1)
                .build()
                .unwrap();
            let spawned = tokio::spawn(assert_send(async move {
                let mut conn = pool.get().await.unwrap();
                // Each pooled connection enforces foreign keys as the test's own do.
                diesel_async::SimpleAsyncConnection::batch_execute(
                    &mut *conn,
                    "PRAGMA foreign_keys = ON",
                )
                .await
                .unwrap();
                Owner::delete_by_ids(&[1], &mut conn).await
            }));
            assert_eq!(spawned.await.unwrap().unwrap().count("files"), 6);
        });
        assert_eq!(counts(&mut check), AFTER);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
