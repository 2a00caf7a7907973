//! The synchronous runner: an operation over a Diesel [`Connection`](diesel::Connection),
//! each request answered at once, so the operation's future is ready whenever it is polled.

use std::any::Any;
use std::future::Future;
use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::panic::{self, AssertUnwindSafe};
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use diesel::connection::TransactionManager;
use diesel::query_builder::QueryFragment;
use diesel::QueryResult;

use crate::connection::DeleteConnection;
use crate::declared::Catalog;
use crate::error::{DeleteError, HookError, HookStage};
use crate::migration::{write_migration, Migration};
use crate::operation::{self, Abort, Port, Previewed};
use crate::options::DeleteOptions;
use crate::plan::Plan;
use crate::preview::Preview;
use crate::report::DeleteReport;
use crate::sql::dialect::DialectInfo;
use crate::sql::statement::{Mode, NoFilter, Returning, Roots, Statement};
use crate::value::SqlValue;
use crate::verify::{verify_schema, Finding};

use super::sync_hooks::SchemaHooks;

/// Runs one operation on `conn`; `S` reaches the schema's hooks.
pub(crate) fn run<C, F, S>(
    plan: &Plan,
    roots: Roots<'_, F>,
    options: &DeleteOptions,
    mode: Mode,
    conn: &mut C,
) -> Result<DeleteReport, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
    S: SchemaHooks<C>,
{
    let mut port = SyncPort::<C, S> {
        conn,
        batch: Box::new(()),
        schema: PhantomData,
    };
    operation::finish(ready(operation::run(plan, roots, options, mode, &mut port)))
}

/// Previews one operation on `conn`: what it would change, and what would stop it.
pub(crate) fn preview<C, F, S>(
    plan: &Plan,
    roots: Roots<'_, F>,
    previewed: Previewed,
    conn: &mut C,
) -> Result<Preview, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
    S: SchemaHooks<C>,
{
    let mut port = SyncPort::<C, S> {
        conn,
        batch: Box::new(()),
        schema: PhantomData,
    };
    operation::finish(ready(operation::preview(plan, roots, previewed, &mut port)))
}

/// The findings of [`Plan::verify`] on `conn`.
pub(crate) fn verify<C: DeleteConnection>(
    plan: &Plan,
    conn: &mut C,
) -> Result<Vec<Finding>, DeleteError> {
    ready(verify_schema(plan, &mut SyncCatalog(conn)))
}

/// The migration of [`Plan::migration`] on `conn`.
pub(crate) fn migration<C: DeleteConnection>(
    plan: &Plan,
    conn: &mut C,
) -> Result<Migration, DeleteError> {
    let ddl = conn.dialect().key_ddl;
    ready(write_migration(plan, &mut SyncCatalog(conn), ddl))
}

/// A connection answering catalog statements at once.
struct SyncCatalog<'c, C>(&'c mut C);

impl<C: DeleteConnection> Catalog for SyncCatalog<'_, C> {
    async fn rows(&mut self, statement: Statement<'_, NoFilter>) -> QueryResult<Vec<String>> {
        self.0.load_keys(Returning(statement, PhantomData))
    }
}

/// The value of a future whose every await is ready at once, as all of this runner's are.
fn ready<T>(future: impl Future<Output = T>) -> T {
    let mut future = pin!(future);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = future.as_mut().poll(&mut context) {
            return value;
        }
    }
}

struct SyncPort<'c, C, S> {
    conn: &'c mut C,
    /// The rows of the batch last loaded, for its hooks.
    batch: Box<dyn Any>,
    schema: PhantomData<S>,
}

/// Runs `request`, turning a panic inside it (a hook's, a row type's) into an [`Abort`].
fn caught<T>(request: impl FnOnce() -> Result<T, Abort>) -> Result<T, Abort> {
    panic::catch_unwind(AssertUnwindSafe(request))
        .unwrap_or_else(|payload| Err(Abort::Panic(payload)))
}

impl<C, F, S> Port<F> for SyncPort<'_, C, S>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
    S: SchemaHooks<C>,
{
    fn dialect(&self) -> DialectInfo {
        self.conn.dialect()
    }

    fn transaction_depth(&mut self) -> Option<u32> {
        <C::TransactionManager as TransactionManager<C>>::transaction_manager_status_mut(self.conn)
            .transaction_depth()
            .ok()
            .map(|depth| depth.map_or(0, NonZeroU32::get))
    }

    fn fail_transactions(&mut self) {
        <C::TransactionManager as TransactionManager<C>>::transaction_manager_status_mut(self.conn)
            .set_in_error();
    }

    async fn begin(&mut self) -> QueryResult<()> {
        <C::TransactionManager as TransactionManager<C>>::begin_transaction(self.conn)
    }

    async fn commit(&mut self) -> QueryResult<()> {
        <C::TransactionManager as TransactionManager<C>>::commit_transaction(self.conn)
    }

    async fn rollback(&mut self) -> QueryResult<()> {
        <C::TransactionManager as TransactionManager<C>>::rollback_transaction(self.conn)
    }

    async fn execute(&mut self, statement: Statement<'_, F>) -> Result<usize, Abort> {
        caught(|| Ok(self.conn.execute_statement(&statement)?))
    }

    async fn count(&mut self, statement: Statement<'_, F>) -> Result<i64, Abort> {
        caught(|| Ok(self.conn.count_rows(Returning(statement, PhantomData))?))
    }

    async fn texts(&mut self, statement: Statement<'_, F>) -> Result<Vec<String>, Abort> {
        caught(|| Ok(self.conn.load_keys(Returning(statement, PhantomData))?))
    }

    async fn load_batch(
        &mut self,
        table: &'static str,
        statement: Statement<'_, F>,
    ) -> Result<(Vec<SqlValue>, usize), Abort> {
        let batch = caught(|| Ok(S::load(table, self.conn, statement)?))?;
        self.batch = batch.rows;
        Ok((batch.keys, batch.len))
    }

    async fn hook(
        &mut self,
        table: &'static str,
        stage: HookStage,
    ) -> Result<Result<(), HookError>, Abort> {
        caught(|| Ok(S::hook(table, stage, self.conn, &*self.batch)))
    }

    async fn pause(&mut self, duration: std::time::Duration) {
        std::thread::sleep(duration);
    }
}
