//! The `deletable-async` method: the delete of `deletable`, through `diesel-async`'s connection
//! and the asynchronous runner, awaited on a current-thread tokio runtime as a service would.
//! The rows are counted before and after over a synchronous connection, outside the timing.

use std::future::Future;
use std::sync::atomic::Ordering;
use std::time::Instant;

use deletable::{AsyncDeletable, DeleteError, DeleteReport};
use diesel::SqliteConnection;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::AsyncConnection;

use crate::methods::{self, Backend, Counter, Outcome};
use crate::scenario::plain;

/// Runs `deletable-async` on prepared data and measures it.
pub fn measure(backend: Backend, target: &str) -> Outcome {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    match backend {
        Backend::Sqlite => {
            let before = methods::count_rows(&mut methods::sqlite(target));
            let mut conn: SyncConnectionWrapper<SqliteConnection> =
                SyncConnectionWrapper::new(methods::sqlite(target));
            let counter = Counter::default();
            conn.set_instrumentation(counter.clone());
            let mut outcome =
                runtime.block_on(timed(counter, || plain::A::delete_by_ids(&[1], &mut conn)));
            outcome.deleted = before - methods::count_rows(&mut methods::sqlite(target));
            outcome
        }
        Backend::Postgres => postgres(&runtime, target),
    }
}

/// Times one delete; `deleted` is left for the caller to count.
async fn timed<F>(counter: Counter, delete: impl FnOnce() -> F) -> Outcome
where
    F: Future<Output = Result<DeleteReport, DeleteError>>,
{
    let started = Instant::now();
    delete().await.expect("deletable through the async runner");
    let seconds = started.elapsed().as_secs_f64();
    Outcome {
        seconds,
        statements: counter.0.load(Ordering::Relaxed),
        peak_kb: methods::peak_rss_kb(),
        deleted: 0,
        longest: counter.longest(),
        longest_read: counter.longest_read(),
        writer_wait: None,
    }
}

#[cfg(feature = "postgres")]
fn postgres(runtime: &tokio::runtime::Runtime, url: &str) -> Outcome {
    use diesel_async::{AsyncPgConnection, SimpleAsyncConnection};

    let before = methods::count_rows_postgres(&mut methods::postgres(url));
    let mut outcome = runtime.block_on(async {
        let mut conn = AsyncPgConnection::establish(url)
            .await
            .expect("connect to PostgreSQL");
        conn.batch_execute(&format!("SET search_path TO {}", methods::PG_SCHEMA))
            .await
            .expect("set the search path");
        let counter = Counter::default();
        conn.set_instrumentation(counter.clone());
        timed(counter, || plain::A::delete_by_ids(&[1], &mut conn)).await
    });
    outcome.deleted = before - methods::count_rows_postgres(&mut methods::postgres(url));
    outcome
}

#[cfg(not(feature = "postgres"))]
fn postgres(_: &tokio::runtime::Runtime, _: &str) -> Outcome {
    panic!("built without the postgres feature");
}
