//! Asynchronous delete hooks: the public trait a model implements to see its rows before and
//! after they go on a `diesel-async` connection, and how its batches are loaded for it.

use std::any::Any;
use std::future::Future;

use diesel::query_builder::QueryFragment;
use diesel::QueryResult;
use diesel_async::methods::LoadQuery;
use diesel_async::RunQueryDsl;

use crate::api::{BindKey, Deletable};
use crate::async_connection::AsyncDeleteConnection;
use crate::error::{HookError, HookStage};
use crate::hooks::{KeysOnly, WholeRows};
use crate::runner::async_hooks::{AsyncModelHooks, AsyncRows};
use crate::runner::{LoadedBatch, WithHooks};
use crate::sql::statement::{BatchQuery, Statement, TypedQuery};
use crate::value::SqlValue;

/// The asynchronous counterpart of [`DeleteHooks`](crate::DeleteHooks): hooks of a model with
/// `#[deletable(hooks)]` or `#[deletable(hooks = keys)]` for `diesel-async` connections of type
/// `C`, run by the methods of [`AsyncDeletable`](crate::AsyncDeletable) and
/// [`AsyncSoftDelete`](crate::AsyncSoftDelete).
///
/// Batches, order, transaction and retries are as for `DeleteHooks`. Each hook returns a
/// `Send` future, so the delete that runs it can be awaited in a handler or spawned; write the
/// methods as `async fn`. A model may implement this trait, [`DeleteHooks`](crate::DeleteHooks),
/// or both, each for the connection types it is deleted through. Implemented for the
/// connection itself (`AsyncPgConnection`), the hooks also serve its pooled connections
/// (with the `deadpool` and `bb8` features: `Object<C>` and `PooledConnection<'_, C>`).
///
/// ```
/// # #[cfg(all(feature = "sqlite", feature = "async"))]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use deletable::{AsyncDeletable, AsyncDeleteHooks, HookError};
/// use diesel::prelude::*;
/// use diesel::sqlite::SqliteConnection;
/// use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
/// use diesel_async::{AsyncConnection, RunQueryDsl, SimpleAsyncConnection};
/// # mod schema {
/// #     diesel::table! { posts (id) { id -> Integer, title -> Text, } }
/// #     diesel::table! { audit (id) { id -> Integer, post_id -> Integer, } }
/// # }
/// # use schema::*;
///
/// type Conn = SyncConnectionWrapper<SqliteConnection>; // or AsyncPgConnection, ...
///
/// #[derive(Queryable, Selectable, deletable::Deletable)]
/// #[diesel(table_name = posts)]
/// #[deletable(hooks)]
/// pub struct Post {
///     pub id: i32,
///     pub title: String,
/// }
///
/// impl AsyncDeleteHooks<Conn> for Post {
///     async fn before_delete(conn: &mut Conn, rows: &[Post]) -> Result<(), HookError> {
///         for post in rows {
///             diesel::insert_into(audit::table)
///                 .values(audit::post_id.eq(post.id))
///                 .execute(conn)
///                 .await?;
///         }
///         Ok(())
///     }
/// }
/// # deletable::schema!(Post);
/// # let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// # runtime.block_on(async {
/// # let mut conn = Conn::establish(":memory:").await?;
/// # conn.batch_execute(
/// #     "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
/// #      CREATE TABLE audit (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL);
/// #      INSERT INTO posts VALUES (1, 'hello'), (2, 'world');",
/// # ).await?;
///
/// Post::delete_by_ids(&[1, 2], &mut conn).await?;
/// let logged: i64 = audit::table.count().get_result(&mut conn).await?;
/// assert_eq!(logged, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok(())
/// # }
/// # #[cfg(not(all(feature = "sqlite", feature = "async")))]
/// # fn main() {}
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has `#[deletable(hooks)]` but no `AsyncDeleteHooks<{C}>`",
    label = "deleting it through a `{C}` needs its asynchronous hooks for that connection",
    note = "add `impl deletable::AsyncDeleteHooks<{C}> for {Self} {{ ... }}`"
)]
pub trait AsyncDeleteHooks<C>: Deletable {
    /// Called with each batch before it is deleted; an error vetoes the whole operation.
    fn before_delete(
        conn: &mut C,
        rows: &[Self::HookRow],
    ) -> impl Future<Output = Result<(), HookError>> + Send {
        let _ = (conn, rows);
        std::future::ready(Ok(()))
    }

    /// Called with each batch after it is deleted, in the same transaction.
    fn after_delete(
        conn: &mut C,
        rows: &[Self::HookRow],
    ) -> impl Future<Output = Result<(), HookError>> + Send {
        let _ = (conn, rows);
        std::future::ready(Ok(()))
    }

    /// Called with each batch before a soft delete marks it; an error vetoes the operation.
    fn before_soft_delete(
        conn: &mut C,
        rows: &[Self::HookRow],
    ) -> impl Future<Output = Result<(), HookError>> + Send {
        let _ = (conn, rows);
        std::future::ready(Ok(()))
    }

    /// Called with each batch after a soft delete marked it.
    fn after_soft_delete(
        conn: &mut C,
        rows: &[Self::HookRow],
    ) -> impl Future<Output = Result<(), HookError>> + Send {
        let _ = (conn, rows);
        std::future::ready(Ok(()))
    }

    /// Called with each batch before a restore unmarks it; an error vetoes the operation.
    fn before_restore(
        conn: &mut C,
        rows: &[Self::HookRow],
    ) -> impl Future<Output = Result<(), HookError>> + Send {
        let _ = (conn, rows);
        std::future::ready(Ok(()))
    }

    /// Called with each batch after a restore unmarked it.
    fn after_restore(
        conn: &mut C,
        rows: &[Self::HookRow],
    ) -> impl Future<Output = Result<(), HookError>> + Send {
        let _ = (conn, rows);
        std::future::ready(Ok(()))
    }
}

/// Runs `M`'s hook of `stage` on a batch.
async fn call<M: AsyncDeleteHooks<C>, C>(
    stage: HookStage,
    conn: &mut C,
    rows: &[M::HookRow],
) -> Result<(), HookError> {
    match stage {
        HookStage::BeforeDelete => M::before_delete(conn, rows).await,
        HookStage::AfterDelete => M::after_delete(conn, rows).await,
        HookStage::BeforeSoftDelete => M::before_soft_delete(conn, rows).await,
        HookStage::AfterSoftDelete => M::after_soft_delete(conn, rows).await,
        HookStage::BeforeRestore => M::before_restore(conn, rows).await,
        HookStage::AfterRestore => M::after_restore(conn, rows).await,
    }
}

impl<M, L, C> AsyncModelHooks<C> for WithHooks<M, L>
where
    M: AsyncDeleteHooks<C>,
    M::HookRow: Send + Sync + 'static,
    L: AsyncHookLoader<M, C> + 'static,
    C: AsyncDeleteConnection,
{
    async fn load<'a, F>(
        conn: &'a mut C,
        statement: Statement<'a, F>,
    ) -> QueryResult<LoadedBatch<AsyncRows>>
    where
        F: QueryFragment<C::Backend> + Send + Sync + 'a,
    {
        let rows = L::load(conn, statement).await?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            L::key(row, &mut keys);
        }
        let len = rows.len();
        let rows: AsyncRows = Box::new(rows);
        Ok(LoadedBatch { len, keys, rows })
    }

    async fn hook<'a>(
        stage: HookStage,
        conn: &'a mut C,
        rows: &'a (dyn Any + Send + Sync),
    ) -> Result<(), HookError> {
        match rows.downcast_ref::<Vec<M::HookRow>>() {
            Some(rows) => call::<M, C>(stage, conn, rows).await,
            None => Err(format!(
                "deletable: a batch of another model reached the hooks of `{}`",
                std::any::type_name::<M>()
            )
            .into()),
        }
    }
}

/// How a hooked model's batches are loaded on an asynchronous connection: whole rows, or keys
/// only.
#[doc(hidden)]
pub trait AsyncHookLoader<M: Deletable, C: AsyncDeleteConnection> {
    /// Loads the batch a `LoadBatch` statement selects.
    fn load<'a, F>(
        conn: &'a mut C,
        statement: Statement<'a, F>,
    ) -> impl Future<Output = QueryResult<Vec<M::HookRow>>> + Send + 'a
    where
        F: QueryFragment<C::Backend> + Send + Sync + 'a;

    /// The key of a loaded row.
    fn key(row: &M::HookRow, values: &mut Vec<SqlValue>);
}

/// The fragment a batch is read through: `Send + Sync`, so the load's future is `Send`.
type Fragment<'a, C> =
    dyn QueryFragment<<C as diesel_async::AsyncConnectionCore>::Backend> + Send + Sync + 'a;

impl<M, C> AsyncHookLoader<M, C> for WholeRows
where
    M: Deletable<HookRow = M> + diesel::Selectable<C::Backend> + BindKey<C::Backend> + Send,
    C: AsyncDeleteConnection,
    diesel::dsl::AsSelect<M, C::Backend>: QueryFragment<C::Backend> + Send + Sync,
    for<'a> TypedQuery<'a, Fragment<'a, C>, diesel::dsl::AsSelect<M, C::Backend>>:
        LoadQuery<'a, C, M>,
{
    async fn load<'a, F>(conn: &'a mut C, statement: Statement<'a, F>) -> QueryResult<Vec<M>>
    where
        F: QueryFragment<C::Backend> + Send + Sync + 'a,
    {
        let batch = BatchQuery {
            statement,
            selection: <M as diesel::SelectableHelper<C::Backend>>::as_select(),
        };
        TypedQuery::<Fragment<'_, C>, diesel::dsl::AsSelect<M, C::Backend>>::new(&batch)
            .load(conn)
            .await
    }

    fn key(row: &M, values: &mut Vec<SqlValue>) {
        M::bind_key(&row.__primary_key(), values);
    }
}

type KeySqlType<M> = <<M as Deletable>::KeyColumns as diesel::Expression>::SqlType;

impl<M, C> AsyncHookLoader<M, C> for KeysOnly
where
    M: Deletable<HookRow = <M as Deletable>::PrimaryKey> + BindKey<C::Backend>,
    M::PrimaryKey: Send,
    M::KeyColumns: QueryFragment<C::Backend> + diesel::Expression + Send + Sync,
    C: AsyncDeleteConnection,
    for<'a> TypedQuery<'a, Fragment<'a, C>, KeySqlType<M>>: LoadQuery<'a, C, M::PrimaryKey>,
{
    async fn load<'a, F>(
        conn: &'a mut C,
        statement: Statement<'a, F>,
    ) -> QueryResult<Vec<M::PrimaryKey>>
    where
        F: QueryFragment<C::Backend> + Send + Sync + 'a,
    {
        // The model's key columns in the model's order, which may not be the table's.
        let batch = BatchQuery {
            statement,
            selection: M::KeyColumns::default(),
        };
        TypedQuery::<Fragment<'_, C>, KeySqlType<M>>::new(&batch)
            .load(conn)
            .await
    }

    fn key(row: &M::PrimaryKey, values: &mut Vec<SqlValue>) {
        M::bind_key(row, values);
    }
}
