//! The asynchronous API: [`AsyncDeletable`] and [`AsyncSoftDelete`], the methods of
//! [`Deletable`] and [`SoftDelete`] by the same names for `diesel-async` connections, as
//! `diesel_async::RunQueryDsl` mirrors Diesel's `RunQueryDsl`. Every future is `Send` when the
//! connection is, so a delete can be awaited in an axum handler or `tokio::spawn`ed.
//!
//! Import these traits instead of the synchronous ones (`#[derive(deletable::Deletable)]`
//! needs no import): with both in scope, `row.delete(conn)` is ambiguous.

use std::future::Future;

use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::{IntoUpdateTarget, QueryFragment};
use diesel::sql_types::BoolOrNullableBool;

use crate::api::{key_values, BindKey, Deletable, KeyFor, Registered};
use crate::async_connection::AsyncDeleteConnection;
use crate::error::DeleteError;
use crate::migration::Migration;
use crate::operation::Previewed;
use crate::options::DeleteOptions;
use crate::plan::Plan;
use crate::preview::Preview;
use crate::query::InQuery;
use crate::report::DeleteReport;
use crate::runner::async_hooks::AsyncSchemaHooks;
use crate::runner::asynchronous;
use crate::soft_delete::SoftDelete;
use crate::sql::statement::{Mode, NoFilter, Roots};
use crate::verify::Finding;

type Backend<C> = <C as diesel_async::AsyncConnectionCore>::Backend;

/// [`Deletable`]'s methods on `diesel-async` connections: implemented for every `Deletable`
/// model. Each runs in one transaction (a savepoint inside a caller's) and returns a
/// [`DeleteReport`]; on any error nothing changes.
///
/// A future dropped before it completes (a timeout, a client gone) leaves the database
/// unchanged: its transaction stays open and uncommitted on the connection, which
/// `diesel-async`'s pools then discard as broken. An unpooled connection in that state should
/// be dropped too.
///
/// ```
/// # #[cfg(all(feature = "sqlite", feature = "deadpool"))]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use deletable::AsyncDeletable;
/// use diesel::sqlite::SqliteConnection;
/// use diesel_async::pooled_connection::deadpool::Pool;
/// use diesel_async::pooled_connection::AsyncDieselConnectionManager;
/// use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
/// # use diesel_async::SimpleAsyncConnection;
/// # mod schema {
/// #     diesel::table! { users (id) { id -> Integer, } }
/// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
/// # }
/// # use schema::*;
/// # #[derive(deletable::Deletable)]
/// # #[diesel(table_name = users)]
/// # pub struct User { pub id: i32 }
/// # #[derive(deletable::Deletable)]
/// # #[diesel(table_name = posts)]
/// # pub struct Post {
/// #     pub id: i32,
/// #     #[on_delete(cascade, references = User)]
/// #     pub user_id: i32,
/// # }
/// # deletable::schema!(User, Post);
///
/// type Conn = SyncConnectionWrapper<SqliteConnection>; // or AsyncPgConnection, ...
/// # let runtime = tokio::runtime::Builder::new_current_thread().build()?;
/// # runtime.block_on(async {
/// let pool: Pool<Conn> = Pool::builder(AsyncDieselConnectionManager::new(":memory:"))
///     .max_size(1)
///     .build()?;
/// # pool.get().await?.batch_execute(
/// #     "CREATE TABLE users (id INTEGER PRIMARY KEY);
/// #      CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
/// #      INSERT INTO users VALUES (1), (2);
/// #      INSERT INTO posts VALUES (10, 1), (11, 2);",
/// # ).await?;
///
/// // In a handler: the pooled connection as it is.
/// let mut conn = pool.get().await?;
/// let report = User::delete_by_ids(&[1], &mut conn).await?;
/// assert_eq!(report.to_string(), "2 rows deleted (posts: 1, users: 1)");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// # })?;
/// # Ok(())
/// # }
/// # #[cfg(not(all(feature = "sqlite", feature = "deadpool")))]
/// # fn main() {}
/// ```
pub trait AsyncDeletable: Deletable {
    /// [`Deletable::delete`]: deletes this row and, by their rules, the rows that depend on
    /// it.
    fn delete<'a, C>(
        &'a self,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncDeletable>::delete_with(self, DeleteOptions::default(), conn)
    }

    /// [`Deletable::delete_with`]: [`delete`](AsyncDeletable::delete) with options.
    fn delete_with<'a, C>(
        &'a self,
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        async move {
            asynchronous::run::<C, NoFilter, <Self as Registered>::Schema>(
                Self::plan(),
                Roots::Keys(&keys),
                &options,
                Mode::Delete,
                conn,
            )
            .await
        }
    }

    /// [`Deletable::delete_by_ids`]: deletes the rows with these primary keys and, by their
    /// rules, the rows that depend on them.
    fn delete_by_ids<'a, K, C>(
        ids: &[K],
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncDeletable>::delete_by_ids_with(ids, DeleteOptions::default(), conn)
    }

    /// [`Deletable::delete_by_ids_with`]: [`delete_by_ids`](AsyncDeletable::delete_by_ids)
    /// with options.
    fn delete_by_ids_with<'a, K, C>(
        ids: &[K],
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let keys = key_values::<Self, Backend<C>, K>(ids);
        async move {
            asynchronous::run::<C, NoFilter, <Self as Registered>::Schema>(
                Self::plan(),
                Roots::Keys(&keys),
                &options,
                Mode::Delete,
                conn,
            )
            .await
        }
    }

    /// [`Deletable::delete_where`]: deletes the rows a typed Diesel filter on the model's
    /// table selects and, by their rules, the rows that depend on them. The filter is
    /// evaluated once, before anything is deleted.
    fn delete_where<'a, F, C>(
        filter: F,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncDeletable>::delete_where_with(filter, DeleteOptions::default(), conn)
    }

    /// [`Deletable::delete_matching`]: deletes the rows a Diesel query selects (the table, a
    /// filtered table, `Post::belonging_to(&user)`) and the rows that depend on them.
    fn delete_matching<'a, Q, C>(
        query: Q,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Q: IntoUpdateTarget<Table = Self::Table>,
        Q::WhereClause: QueryFragment<Backend<C>> + Send + Sync + 'a,
        Self::Table: Default + QueryFragment<Backend<C>> + Send + Sync,
        <Self::Table as diesel::Table>::PrimaryKey: QueryFragment<Backend<C>> + Send + Sync,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncDeletable>::delete_matching_with(query, DeleteOptions::default(), conn)
    }

    /// [`Deletable::delete_matching_with`]: [`delete_matching`](AsyncDeletable::delete_matching)
    /// with options.
    fn delete_matching_with<'a, Q, C>(
        query: Q,
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Q: IntoUpdateTarget<Table = Self::Table>,
        Q::WhereClause: QueryFragment<Backend<C>> + Send + Sync + 'a,
        Self::Table: Default + QueryFragment<Backend<C>> + Send + Sync,
        <Self::Table as diesel::Table>::PrimaryKey: QueryFragment<Backend<C>> + Send + Sync,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let roots = InQuery::new(query.into_update_target().where_clause);
        <Self as AsyncDeletable>::delete_where_with(roots, options, conn)
    }

    /// [`Deletable::delete_where_with`]: [`delete_where`](AsyncDeletable::delete_where) with
    /// options.
    fn delete_where_with<'a, F, C>(
        filter: F,
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        async move {
            asynchronous::run::<C, F, <Self as Registered>::Schema>(
                Self::plan(),
                Roots::Filter(&filter),
                &options,
                Mode::Delete,
                conn,
            )
            .await
        }
    }

    /// What [`delete`](AsyncDeletable::delete) would do, changing nothing:
    /// [`Deletable::preview_delete`].
    fn preview_delete<'a, C>(
        &'a self,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<Preview, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        preview::<Self, C, NoFilter>(RootsOwned::Keys(keys), Previewed::Delete, conn)
    }

    /// What [`delete_by_ids`](AsyncDeletable::delete_by_ids) would do, changing nothing:
    /// [`Deletable::preview_delete_by_ids`].
    fn preview_delete_by_ids<'a, K, C>(
        ids: &[K],
        conn: &'a mut C,
    ) -> impl Future<Output = Result<Preview, DeleteError>> + Send + 'a
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let keys = key_values::<Self, Backend<C>, K>(ids);
        preview::<Self, C, NoFilter>(RootsOwned::Keys(keys), Previewed::Delete, conn)
    }

    /// What [`delete_where`](AsyncDeletable::delete_where) would do, changing nothing:
    /// [`Deletable::preview_delete_where`].
    fn preview_delete_where<'a, F, C>(
        filter: F,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<Preview, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        preview::<Self, C, F>(RootsOwned::Filter(filter), Previewed::Delete, conn)
    }
}

impl<M: Deletable> AsyncDeletable for M {}

impl Plan {
    /// [`Plan::verify`] on a `diesel-async` connection: the live database's foreign keys held
    /// against the rules of every model of this plan's schema.
    pub fn verify_async<'a, C: AsyncDeleteConnection>(
        &'a self,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<Vec<Finding>, DeleteError>> + Send + 'a {
        asynchronous::verify(self, conn)
    }

    /// [`Plan::migration`] on a `diesel-async` connection: SQL that declares the rules of
    /// every model of this plan's schema in the database.
    pub fn migration_async<'a, C: AsyncDeleteConnection>(
        &'a self,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<Migration, DeleteError>> + Send + 'a {
        asynchronous::migration(self, conn)
    }
}

/// [`SoftDelete`]'s methods on `diesel-async` connections: implemented for every model with a
/// `#[soft_delete]` column.
pub trait AsyncSoftDelete: SoftDelete {
    /// [`SoftDelete::active`]: the rows that are not soft-deleted, as a typed query to run
    /// with `diesel_async::RunQueryDsl`.
    fn active() -> Self::Active {
        <Self as SoftDelete>::active()
    }

    /// [`SoftDelete::only_deleted`]: the soft-deleted rows.
    fn only_deleted() -> Self::OnlyDeleted {
        <Self as SoftDelete>::only_deleted()
    }

    /// [`SoftDelete::soft_delete`]: soft-deletes this row and its soft-deletable descendants.
    fn soft_delete<'a, C>(
        &'a self,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncSoftDelete>::soft_delete_with(self, DeleteOptions::default(), conn)
    }

    /// [`soft_delete`](AsyncSoftDelete::soft_delete) with options.
    fn soft_delete_with<'a, C>(
        &'a self,
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        soft::<Self, C, NoFilter>(RootsOwned::Keys(keys), options, Mode::SoftDelete, conn)
    }

    /// [`SoftDelete::soft_delete_by_ids`]: soft-deletes the rows with these keys and their
    /// soft-deletable descendants.
    fn soft_delete_by_ids<'a, K, C>(
        ids: &[K],
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncSoftDelete>::soft_delete_by_ids_with(ids, DeleteOptions::default(), conn)
    }

    /// [`soft_delete_by_ids`](AsyncSoftDelete::soft_delete_by_ids) with options.
    fn soft_delete_by_ids_with<'a, K, C>(
        ids: &[K],
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let keys = key_values::<Self, Backend<C>, K>(ids);
        soft::<Self, C, NoFilter>(RootsOwned::Keys(keys), options, Mode::SoftDelete, conn)
    }

    /// [`SoftDelete::soft_delete_where`]: soft-deletes the rows a typed filter selects and
    /// their soft-deletable descendants.
    fn soft_delete_where<'a, F, C>(
        filter: F,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncSoftDelete>::soft_delete_where_with(filter, DeleteOptions::default(), conn)
    }

    /// [`soft_delete_where`](AsyncSoftDelete::soft_delete_where) with options.
    fn soft_delete_where_with<'a, F, C>(
        filter: F,
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        soft::<Self, C, F>(RootsOwned::Filter(filter), options, Mode::SoftDelete, conn)
    }

    /// [`SoftDelete::restore`]: restores this row and the descendants its soft delete marked.
    fn restore<'a, C>(
        &'a self,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncSoftDelete>::restore_with(self, DeleteOptions::default(), conn)
    }

    /// [`restore`](AsyncSoftDelete::restore) with options.
    fn restore_with<'a, C>(
        &'a self,
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        soft::<Self, C, NoFilter>(RootsOwned::Keys(keys), options, Mode::Restore, conn)
    }

    /// [`SoftDelete::restore_by_ids`]: restores the rows with these keys, each with the
    /// descendants its soft delete marked.
    fn restore_by_ids<'a, K, C>(
        ids: &[K],
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncSoftDelete>::restore_by_ids_with(ids, DeleteOptions::default(), conn)
    }

    /// [`restore_by_ids`](AsyncSoftDelete::restore_by_ids) with options.
    fn restore_by_ids_with<'a, K, C>(
        ids: &[K],
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let keys = key_values::<Self, Backend<C>, K>(ids);
        soft::<Self, C, NoFilter>(RootsOwned::Keys(keys), options, Mode::Restore, conn)
    }

    /// [`SoftDelete::restore_where`]: restores the soft-deleted rows a typed filter selects,
    /// each with the descendants its own soft delete marked.
    fn restore_where<'a, F, C>(
        filter: F,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncSoftDelete>::restore_where_with(filter, DeleteOptions::default(), conn)
    }

    /// [`restore_where`](AsyncSoftDelete::restore_where) with options.
    fn restore_where_with<'a, F, C>(
        filter: F,
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        soft::<Self, C, F>(RootsOwned::Filter(filter), options, Mode::Restore, conn)
    }

    /// [`SoftDelete::purge_deleted`]: hard-deletes the rows soft-deleted before `older_than`,
    /// with their full delete plan and hooks.
    fn purge_deleted<'a, C>(
        older_than: Self::Cutoff,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self::PurgeFilter:
            Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        <Self::PurgeFilter as Expression>::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncDeletable>::delete_where(Self::purge_filter(older_than), conn)
    }

    /// [`SoftDelete::purge_deleted_with`]: the purge with options.
    fn purge_deleted_with<'a, C>(
        older_than: Self::Cutoff,
        options: DeleteOptions,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<DeleteReport, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self::PurgeFilter:
            Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        <Self::PurgeFilter as Expression>::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        <Self as AsyncDeletable>::delete_where_with(Self::purge_filter(older_than), options, conn)
    }

    /// What [`soft_delete`](AsyncSoftDelete::soft_delete) would do, changing nothing:
    /// [`SoftDelete::preview_soft_delete`].
    fn preview_soft_delete<'a, C>(
        &'a self,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<Preview, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        preview::<Self, C, NoFilter>(RootsOwned::Keys(keys), Previewed::SoftDelete, conn)
    }

    /// What [`soft_delete_by_ids`](AsyncSoftDelete::soft_delete_by_ids) would do, changing
    /// nothing: [`SoftDelete::preview_soft_delete_by_ids`].
    fn preview_soft_delete_by_ids<'a, K, C>(
        ids: &[K],
        conn: &'a mut C,
    ) -> impl Future<Output = Result<Preview, DeleteError>> + Send + 'a
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        let keys = key_values::<Self, Backend<C>, K>(ids);
        preview::<Self, C, NoFilter>(RootsOwned::Keys(keys), Previewed::SoftDelete, conn)
    }

    /// What [`soft_delete_where`](AsyncSoftDelete::soft_delete_where) would do, changing
    /// nothing: [`SoftDelete::preview_soft_delete_where`].
    fn preview_soft_delete_where<'a, F, C>(
        filter: F,
        conn: &'a mut C,
    ) -> impl Future<Output = Result<Preview, DeleteError>> + Send + 'a
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync + 'a,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        preview::<Self, C, F>(RootsOwned::Filter(filter), Previewed::SoftDelete, conn)
    }
}

impl<M: SoftDelete> AsyncSoftDelete for M {}

/// The roots of a soft operation or a preview, owned by its future.
enum RootsOwned<F> {
    Keys(Vec<crate::value::SqlValue>),
    Filter(F),
}

async fn soft<M, C, F>(
    roots: RootsOwned<F>,
    options: DeleteOptions,
    mode: Mode,
    conn: &mut C,
) -> Result<DeleteReport, DeleteError>
where
    M: Deletable + Registered,
    C: AsyncDeleteConnection,
    F: QueryFragment<Backend<C>> + Send + Sync,
    M::Schema: AsyncSchemaHooks<C>,
{
    let roots = match &roots {
        RootsOwned::Keys(keys) => Roots::Keys(keys),
        RootsOwned::Filter(filter) => Roots::Filter(filter),
    };
    asynchronous::run::<C, F, M::Schema>(M::plan(), roots, &options, mode, conn).await
}

async fn preview<M, C, F>(
    roots: RootsOwned<F>,
    previewed: Previewed,
    conn: &mut C,
) -> Result<Preview, DeleteError>
where
    M: Deletable + Registered,
    C: AsyncDeleteConnection,
    F: QueryFragment<Backend<C>> + Send + Sync,
    M::Schema: AsyncSchemaHooks<C>,
{
    let roots = match &roots {
        RootsOwned::Keys(keys) => Roots::Keys(keys),
        RootsOwned::Filter(filter) => Roots::Filter(filter),
    };
    asynchronous::preview::<C, F, M::Schema>(M::plan(), roots, previewed, conn).await
}
