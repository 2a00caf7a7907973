//! The asynchronous runner: an operation over a `diesel-async` connection, each request
//! awaited. Every future it returns is `Send` when the connection is.

use std::any::Any;
use std::future::{poll_fn, Future};
use std::marker::PhantomData;
use std::num::NonZeroU32;
use std::panic::{self, AssertUnwindSafe};
use std::pin::pin;
use std::task::Poll;

use diesel::query_builder::QueryFragment;
use diesel::QueryResult;
use diesel_async::{AsyncConnection, TransactionManager};

use crate::async_connection::AsyncDeleteConnection;
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

use super::async_hooks::{AsyncRows, AsyncSchemaHooks};

/// Runs one operation on `conn`; `S` reaches the schema's asynchronous hooks.
///
/// Dropped at any await, the operation leaves its transaction open and unfinished on the
/// connection, and marks the connection's transaction manager as failed: nothing it did can be
/// committed, neither by a later operation on the same connection nor by a caller's
/// surrounding transaction (both get an error), and `diesel-async`'s pools discard the
/// connection as broken.
pub(crate) async fn run<C, F, S>(
    plan: &Plan,
    roots: Roots<'_, F>,
    options: &DeleteOptions,
    mode: Mode,
    conn: &mut C,
) -> Result<DeleteReport, DeleteError>
where
    C: AsyncDeleteConnection,
    F: QueryFragment<C::Backend> + Send + Sync,
    S: AsyncSchemaHooks<C>,
{
    let depth = transaction_depth(conn);
    let mut port = AsyncPort::<C, S> {
        conn,
        depth,
        batch: Box::new(()),
        schema: PhantomData,
    };
    operation::finish(operation::run(plan, roots, options, mode, &mut port).await)
}

/// Previews one operation on `conn`: what it would change, and what would stop it. Dropped at
/// any await, it leaves the connection as [`run`] does.
pub(crate) async fn preview<C, F, S>(
    plan: &Plan,
    roots: Roots<'_, F>,
    previewed: Previewed,
    conn: &mut C,
) -> Result<Preview, DeleteError>
where
    C: AsyncDeleteConnection,
    F: QueryFragment<C::Backend> + Send + Sync,
    S: AsyncSchemaHooks<C>,
{
    let depth = transaction_depth(conn);
    let mut port = AsyncPort::<C, S> {
        conn,
        depth,
        batch: Box::new(()),
        schema: PhantomData,
    };
    operation::finish(operation::preview(plan, roots, previewed, &mut port).await)
}

/// The findings of [`Plan::verify`] on `conn`.
pub(crate) async fn verify<C: AsyncDeleteConnection>(
    plan: &Plan,
    conn: &mut C,
) -> Result<Vec<Finding>, DeleteError> {
    verify_schema(plan, &mut AsyncCatalog(conn)).await
}

/// The migration of [`Plan::migration`] on `conn`.
pub(crate) async fn migration<C: AsyncDeleteConnection>(
    plan: &Plan,
    conn: &mut C,
) -> Result<Migration, DeleteError> {
    let ddl = conn.dialect().key_ddl;
    write_migration(plan, &mut AsyncCatalog(conn), ddl).await
}

/// A connection answering catalog statements when the database replies.
struct AsyncCatalog<'c, C>(&'c mut C);

impl<C: AsyncDeleteConnection> Catalog for AsyncCatalog<'_, C> {
    async fn rows(&mut self, statement: Statement<'_, NoFilter>) -> QueryResult<Vec<String>> {
        self.0.load_keys(Returning(statement, PhantomData)).await
    }
}

struct AsyncPort<'c, C: AsyncConnection, S> {
    conn: &'c mut C,
    /// The transaction depth the operation found on the connection (its caller's).
    depth: Option<u32>,
    /// The rows of the batch last loaded, for its hooks.
    batch: AsyncRows,
    schema: PhantomData<fn() -> S>,
}

/// Dropped deeper in transactions than it began (the operation's future was dropped with its
/// transaction or savepoint open), the port marks the transaction manager as failed. Without
/// the mark, the open transaction would pass for a caller's: the next operation on the
/// connection would run in a savepoint of it and report success with nothing committed, and a
/// caller's transaction around a dropped operation would commit its half-done work.
impl<C: AsyncConnection, S> Drop for AsyncPort<'_, C, S> {
    fn drop(&mut self) {
        let depth = transaction_depth(self.conn);
        if depth.is_some() && depth != self.depth {
            Manager::<C>::transaction_manager_status_mut(self.conn).set_in_error();
        }
    }
}

/// How many transactions are open on `conn` (0 outside any); `None` once its transaction
/// manager has failed.
fn transaction_depth<C: AsyncConnection>(conn: &mut C) -> Option<u32> {
    Manager::<C>::transaction_manager_status_mut(conn)
        .transaction_depth()
        .ok()
        .map(|depth| depth.map_or(0, NonZeroU32::get))
}

/// Awaits `request`, turning a panic inside it (a hook's, a row type's) into an [`Abort`].
async fn caught<T>(request: impl Future<Output = Result<T, Abort>>) -> Result<T, Abort> {
    let mut request = pin!(request);
    poll_fn(|context| {
        panic::catch_unwind(AssertUnwindSafe(|| request.as_mut().poll(context)))
            .unwrap_or_else(|payload| Poll::Ready(Err(Abort::Panic(payload))))
    })
    .await
}

type Manager<C> = <C as AsyncConnection>::TransactionManager;

impl<C, F, S> Port<F> for AsyncPort<'_, C, S>
where
    C: AsyncDeleteConnection,
    F: QueryFragment<C::Backend> + Send + Sync,
    S: AsyncSchemaHooks<C>,
{
    fn dialect(&self) -> DialectInfo {
        self.conn.dialect()
    }

    fn transaction_depth(&mut self) -> Option<u32> {
        transaction_depth(self.conn)
    }

    fn fail_transactions(&mut self) {
        Manager::<C>::transaction_manager_status_mut(self.conn).set_in_error();
    }

    async fn begin(&mut self) -> QueryResult<()> {
        Manager::<C>::begin_transaction(self.conn).await
    }

    async fn commit(&mut self) -> QueryResult<()> {
        Manager::<C>::commit_transaction(self.conn).await
    }

    async fn rollback(&mut self) -> QueryResult<()> {
        Manager::<C>::rollback_transaction(self.conn).await
    }

    async fn execute(&mut self, statement: Statement<'_, F>) -> Result<usize, Abort> {
        caught(async { Ok(self.conn.execute_statement(statement).await?) }).await
    }

    async fn count(&mut self, statement: Statement<'_, F>) -> Result<i64, Abort> {
        let query = Returning(statement, PhantomData);
        caught(async { Ok(self.conn.count_rows(query).await?) }).await
    }

    async fn texts(&mut self, statement: Statement<'_, F>) -> Result<Vec<String>, Abort> {
        let query = Returning(statement, PhantomData);
        caught(async { Ok(self.conn.load_keys(query).await?) }).await
    }

    async fn load_batch(
        &mut self,
        table: &'static str,
        statement: Statement<'_, F>,
    ) -> Result<(Vec<SqlValue>, usize), Abort> {
        let batch = caught(async { Ok(S::load(table, self.conn, statement).await?) }).await?;
        self.batch = batch.rows;
        Ok((batch.keys, batch.len))
    }

    async fn hook(
        &mut self,
        table: &'static str,
        stage: HookStage,
    ) -> Result<Result<(), HookError>, Abort> {
        let rows: &(dyn Any + Send + Sync) = &*self.batch;
        caught(async { Ok(S::hook(table, stage, self.conn, rows).await) }).await
    }

    async fn pause(&mut self, duration: std::time::Duration) {
        super::pause::pause(duration).await;
    }
}
