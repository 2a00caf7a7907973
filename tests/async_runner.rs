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

use chrono::NaiveDateTime;
use deletable::{AsyncDeletable, AsyncSoftDelete, DeleteError, DeleteReport, HookError};
use diesel::prelude::*;

mod schema {
    diesel::table! { owners (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { folders (id) { id -> Integer, owner_id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { files (id) { id -> Integer, folder_id -> Integer, name -> Text, } }
    diesel::table! { shares (id) { id -> Integer, file_id -> Nullable<Integer>, } }
    diesel::table! { nodes (id) { id -> Integer, owner_id -> Integer, parent_id -> Nullable<Integer>, } }
}
use schema::*;

#[derive(deletable::Deletable)]
#[diesel(table_name = owners)]
pub struct Owner {
    pub id: i32,
    #[soft_delete]
    pub deleted_at: Option<NaiveDateTime>,
}

#[derive(deletable::Deletable)]
#[diesel(table_name = folders)]
pub struct Folder {
    pub id: i32,
    #[on_delete(cascade, references = Owner)]
    pub owner_id: i32,
    #[soft_delete]
    pub deleted_at: Option<NaiveDateTime>,
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

/// A tree under the owners: a subtree goes by a recursive query, across owners.
#[derive(deletable::Deletable)]
#[diesel(table_name = nodes)]
pub struct Node {
    pub id: i32,
    #[on_delete(cascade, references = Owner)]
    pub owner_id: i32,
    #[on_delete(cascade, tree, references = Self)]
    pub parent_id: Option<i32>,
}

deletable::schema!(Owner, Folder, File, Share, Node);

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

/// The tables, with the backend's type for a timestamp.
fn schema(timestamp: &str) -> String {
    format!(
        "CREATE TABLE owners (id INTEGER PRIMARY KEY, deleted_at {timestamp});
         CREATE TABLE folders (id INTEGER PRIMARY KEY,
             owner_id INTEGER NOT NULL REFERENCES owners (id), deleted_at {timestamp});
         CREATE TABLE files (id INTEGER PRIMARY KEY,
             folder_id INTEGER NOT NULL REFERENCES folders (id), name VARCHAR(50) NOT NULL);
         CREATE TABLE shares (id INTEGER PRIMARY KEY, file_id INTEGER REFERENCES files (id));
         CREATE TABLE nodes (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES owners (id),
             parent_id INTEGER REFERENCES nodes (id));"
    )
}

/// Two owners; owner 1 has 2 folders of 3 files each, every file shared once, and a tree of 4
/// nodes, one of which is the parent of a node of owner 2.
const DATA: &str = "
    INSERT INTO owners (id) VALUES (1), (2);
    INSERT INTO folders (id, owner_id) VALUES (1, 1), (2, 1), (3, 2);
    INSERT INTO files (id, folder_id, name) VALUES
        (1, 1, 'a'), (2, 1, 'b'), (3, 1, 'c'), (4, 2, 'd'), (5, 2, 'e'), (6, 2, 'f'), (7, 3, 'g');
    INSERT INTO shares (id, file_id) VALUES (1, 1), (2, 4), (3, 7);
    INSERT INTO nodes (id, owner_id, parent_id) VALUES
        (1, 1, NULL), (2, 1, 1), (3, 1, 2), (4, 1, 1), (5, 2, NULL), (6, 2, 3);
";

/// What a snapshot counts, each (expression, table): the rows of every table, the shares
/// still linked to a file, the soft-deleted owners and folders.
const COUNTED: [(&str, &str); 8] = [
    ("COUNT(*)", "owners"),
    ("COUNT(*)", "folders"),
    ("COUNT(*)", "files"),
    ("COUNT(*)", "shares"),
    ("COUNT(file_id)", "shares"),
    ("COUNT(*)", "nodes"),
    ("COUNT(deleted_at)", "owners"),
    ("COUNT(deleted_at)", "folders"),
];

/// The snapshot of [`DATA`].
const INITIAL: [i64; 8] = [2, 3, 7, 3, 3, 6, 0, 0];

/// The snapshot once owner 1 is soft-deleted (and the folders with it).
const SOFT_DELETED: [i64; 8] = [2, 3, 7, 3, 3, 6, 1, 2];

/// Owner 1 and its folders soft-deleted by one operation (one mark), for a restore.
const MARK_OWNER_1: &str = "
    UPDATE owners SET deleted_at = '2026-01-02 03:04:05' WHERE id = 1;
    UPDATE folders SET deleted_at = '2026-01-02 03:04:05' WHERE owner_id = 1;
";

/// An operation on owner 1 that the cancellation tests drop at each of its awaits.
#[derive(Debug, Clone, Copy)]
enum Operation {
    /// A filter read into a temporary table, a cascade, a `set_null`, hooked batches, a tree.
    Delete,
    /// The mark along the cascades.
    SoftDelete,
    /// The marks taken back.
    Restore,
}

impl Operation {
    /// What brings fresh data to where the operation starts.
    fn setup(self) -> &'static str {
        match self {
            Operation::Restore => MARK_OWNER_1,
            Operation::Delete | Operation::SoftDelete => "",
        }
    }

    /// The snapshot it starts from, and the one it ends at.
    fn snapshots(self) -> ([i64; 8], [i64; 8]) {
        match self {
            Operation::Delete => (INITIAL, [1, 1, 1, 3, 1, 1, 0, 0]),
            Operation::SoftDelete => (INITIAL, SOFT_DELETED),
            Operation::Restore => (SOFT_DELETED, INITIAL),
        }
    }
}

/// Defines `run`: `operation` on a connection of type `$conn`, dropped once it has returned
/// `Pending` `pendings` times; its output if it completed first.
macro_rules! runner_of {
    ($conn:ty) => {
        async fn run(
            operation: Operation,
            pendings: usize,
            conn: &mut $conn,
        ) -> Option<Result<DeleteReport, DeleteError>> {
            let owner = owners::id.eq(1);
            match operation {
                Operation::Delete => cancel_after(pendings, Owner::delete_where(owner, conn)).await,
                Operation::SoftDelete => {
                    cancel_after(pendings, Owner::soft_delete_where(owner, conn)).await
                }
                Operation::Restore => {
                    cancel_after(pendings, Owner::restore_where(owner, conn)).await
                }
            }
        }
    };
}

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

#[cfg(any(feature = "postgres", feature = "mysql", feature = "mariadb"))]
/// Awaits `future`; `None` if it panicked (`diesel-async` panics on a transaction begun on a
/// connection whose last transaction statement was cancelled).
async fn unless_panicked<T>(future: impl Future<Output = T>) -> Option<T> {
    let mut future = pin!(future);
    poll_fn(|context| {
        match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            future.as_mut().poll(context)
        })) {
            Ok(Poll::Ready(output)) => Poll::Ready(Some(output)),
            Ok(Poll::Pending) => Poll::Pending,
            Err(_) => Poll::Ready(None),
        }
    })
    .await
}

fn assert_send<T: Send>(value: T) -> T {
    value
}

#[cfg(any(feature = "postgres", feature = "mysql", feature = "mariadb"))]
/// The snapshot of [`COUNTED`], read in one statement: one instant, even while a dropped
/// operation's `COMMIT` is still on its way to the server.
fn counts(db: &mut impl deletable_tests::TestDb) -> Vec<i64> {
    let sum: Vec<String> = COUNTED
        .iter()
        .enumerate()
        .map(|(index, (expression, table))| {
            format!(
                "(SELECT {expression} FROM {table}) * {}",
                100_i64.pow(index as u32)
            )
        })
        .collect();
    let encoded = db.pairs(&format!("SELECT {} AS a, NULL AS b", sum.join(" + ")))[0].0;
    (0..COUNTED.len())
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

            runner_of!(Conn);

            fn open() -> Option<(Db, String)> {
                let timestamp = if matches!(Db::BACKEND, "mysql" | "mariadb") {
                    "DATETIME(6)"
                } else {
                    "TIMESTAMP"
                };
                let mut db = Db::open(&schema(timestamp))?;
                db.exec(DATA);
                let url = db.url().expect("a server database has a URL");
                Some((db, url))
            }

            /// Dropped at each of its awaits in turn, an operation leaves every table as it
            /// was and its connection marked for a pool to discard; dropped once its `COMMIT`
            /// is sent, it is committed whole or not at all; let run, it completes.
            fn dropped_at_every_await(operation: Operation) {
                let (start, end) = operation.snapshots();
                let mut completed = false;
                for pendings in 0..10_000 {
                    let Some((mut db, url)) = open() else { return };
                    if !operation.setup().is_empty() {
                        db.exec(operation.setup());
                    }
                    assert_eq!(counts(&mut db), start);
                    let log = deletable_tests::StatementLog::default();
                    let outcome = deletable_tests::asynchronous::block_on(async {
                        let mut conn = Conn::establish(&url).await.unwrap();
                        conn.set_instrumentation(log.clone());
                        let outcome = run(operation, pendings, &mut conn).await;
                        let broken = broken(&mut conn);
                        // Used again, a broken connection refuses: it does not run the next
                        // delete in the stale transaction and report a success never committed.
                        if broken {
                            let reused =
                                unless_panicked(Owner::delete_by_ids(&[2], &mut conn)).await;
                            assert!(
                                !matches!(reused, Some(Ok(_))),
                                "{operation:?} after {pendings}: {reused:?}"
                            );
                        }
                        (outcome, broken)
                    });
                    let committing = log
                        .statements()
                        .iter()
                        .any(|sql| sql.trim().eq_ignore_ascii_case("COMMIT"));
                    let after = counts(&mut db);
                    match outcome {
                        (Some(report), _) => {
                            report.unwrap();
                            assert_eq!(after, end, "{operation:?}");
                            completed = true;
                            println!("{operation:?} completed after {pendings} pendings");
                            break;
                        }
                        (None, _) if committing => {
                            assert!(
                                after == start || after == end,
                                "{operation:?} dropped during its commit after {pendings} pendings: {after:?}\n{:#?}",
                                log.statements()
                            );
                        }
                        (None, broken) => {
                            assert_eq!(after, start, "{operation:?} dropped after {pendings} pendings");
                            assert!(
                                broken || pendings == 0,
                                "{operation:?} dropped after {pendings} pendings, the connection looks usable"
                            );
                        }
                    }
                }
                assert!(completed, "{operation:?} never completed");
            }

            #[test]
            fn a_delete_dropped_at_any_await_changes_nothing() {
                dropped_at_every_await(Operation::Delete);
            }

            /// A delete dropped inside a caller's transaction (a timeout around it) leaves its
            /// savepoint open: the caller's commit must fail, taking the caller's own row back
            /// with it, rather than commit half a delete.
            #[test]
            fn a_callers_transaction_cannot_commit_a_dropped_delete() {
                let (start, mut end) = Operation::Delete.snapshots();
                end[0] += 1;
                for pendings in 0..10_000 {
                    let Some((mut db, url)) = open() else { return };
                    let committed = deletable_tests::asynchronous::block_on(async {
                        let mut conn = Conn::establish(&url).await.unwrap();
                        let transaction = conn.transaction::<_, diesel::result::Error, _>(async move |conn| {
                            let caller = diesel::insert_into(owners::table).values(owners::id.eq(3));
                            diesel_async::RunQueryDsl::execute(caller, conn).await?;
                            let filter = owners::id.eq(1);
                            let outcome =
                                cancel_after(pendings, Owner::delete_where(filter, conn)).await;
                            Ok(outcome.map(|report| report.unwrap().count("files")))
                        });
                        unless_panicked(transaction).await
                    });
                    match committed {
                        Some(Ok(Some(files))) => {
                            assert_eq!(files, 6);
                            assert_eq!(counts(&mut db), end);
                            return;
                        }
                        Some(Ok(None)) => panic!("the caller committed around a delete dropped after {pendings} pendings"),
                        Some(Err(_)) | None => assert_eq!(counts(&mut db), start, "dropped after {pendings} pendings"),
                    }
                }
                panic!("the delete never completed");
            }

            #[test]
            fn a_soft_delete_dropped_at_any_await_changes_nothing() {
                dropped_at_every_await(Operation::SoftDelete);
            }

            #[test]
            fn a_restore_dropped_at_any_await_changes_nothing() {
                dropped_at_every_await(Operation::Restore);
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
                assert_eq!(counts(&mut db), [1, 1, 3, 3, 1, 4, 0, 0]);

                // Diesel's r2d2 pool, with the synchronous hooks for the connection inside.
                let manager = diesel::r2d2::ConnectionManager::<$sync>::new(url);
                let pool = diesel::r2d2::Pool::builder().max_size(1).build(manager).unwrap();
                let mut conn = pool.get().unwrap();
                let report = <Owner as deletable::Deletable>::delete_by_ids(&[1], &mut *conn).unwrap();
                assert_eq!(report.count("files"), 3);
                assert_eq!(counts(&mut db), [0, 0, 0, 3, 0, 0, 0, 0]);
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
                // Owner 2 went: its folder, its file, that file's share link, its two nodes.
                assert_eq!(before, INITIAL);
                assert_eq!(counts(&mut db), [1, 2, 6, 3, 2, 4, 0, 0]);
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

    runner_of!(AsyncSqlite);

    /// A SQLite file with the tables and rows, at `path`.
    fn create(path: &str) -> diesel::SqliteConnection {
        let mut check = connect(path);
        check.batch_execute(&schema("TIMESTAMP")).unwrap();
        check.batch_execute(DATA).unwrap();
        check
    }

    fn counts(conn: &mut diesel::SqliteConnection) -> Vec<i64> {
        #[derive(QueryableByName)]
        struct Count {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        COUNTED
            .iter()
            .map(|(expression, table)| {
                diesel::sql_query(format!("SELECT {expression} AS n FROM {table}"))
                    .get_result::<Count>(conn)
                    .unwrap()
                    .n
            })
            .collect()
    }

    fn dropped_at_every_await(operation: Operation) {
        let (start, end) = operation.snapshots();
        let dir = std::env::temp_dir().join(deletable_tests::unique_name());
        std::fs::create_dir_all(&dir).unwrap();
        let mut completed = false;
        for pendings in 0..10_000 {
            let path = dir.join(format!("{pendings}.db")).display().to_string();
            let mut check = create(&path);
            check.batch_execute(operation.setup()).unwrap();
            assert_eq!(counts(&mut check), start);
            let async_path = path.clone();
            // On a worker of the runtime: the wrapper's blocking tasks need one when dropped.
            let outcome = deletable_tests::asynchronous::block_on(async move {
                tokio::spawn(async move {
                    let mut conn: AsyncSqlite = SyncConnectionWrapper::new(connect(&async_path));
                    let outcome = run(operation, pendings, &mut conn).await;
                    let broken = broken(&mut conn);
                    (outcome.map(|report| report.map(|_| ())), broken)
                })
                .await
                .unwrap()
            });
            let after = counts(&mut check);
            match outcome {
                (Some(report), _) => {
                    report.unwrap();
                    assert_eq!(after, end, "{operation:?}");
                    completed = true;
                    println!("{operation:?} completed after {pendings} pendings");
                    break;
                }
                (None, broken) => {
                    // SQLite commits in the call that runs `COMMIT`: a drop there may come after.
                    assert!(
                        after == start || after == end,
                        "{operation:?} dropped after {pendings} pendings: {after:?}"
                    );
                    if after == start {
                        assert!(
                            broken || pendings == 0,
                            "{operation:?} dropped after {pendings} pendings"
                        );
                    }
                }
            }
        }
        let _ = std::fs::remove_dir_all(&dir);
        assert!(completed, "{operation:?} never completed");
    }

    #[test]
    fn a_delete_dropped_at_any_await_changes_nothing() {
        dropped_at_every_await(Operation::Delete);
    }

    #[test]
    fn a_soft_delete_dropped_at_any_await_changes_nothing() {
        dropped_at_every_await(Operation::SoftDelete);
    }

    #[test]
    fn a_restore_dropped_at_any_await_changes_nothing() {
        dropped_at_every_await(Operation::Restore);
    }

    /// The same deletes through a deadpool pool of wrapped SQLite connections on one file.
    #[test]
    fn pooled_connections_delete_with_their_connections_hooks() {
        use diesel_async::pooled_connection::{deadpool, AsyncDieselConnectionManager};
        let dir = std::env::temp_dir().join(deletable_tests::unique_name());
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("pool.db").display().to_string();
        let mut check = create(&path);
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
        assert_eq!(counts(&mut check), Operation::Delete.snapshots().1);
        let _ = std::fs::remove_dir_all(&dir);
    }
}
