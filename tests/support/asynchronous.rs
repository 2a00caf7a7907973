//! The asynchronous runner under the same suites: each backend's `diesel-async` connection,
//! wrapped in `diesel-async`'s `AsyncConnectionWrapper` so the tests read the database through
//! Diesel's blocking interface as everywhere else, and [`Deletable`] and [`SoftDelete`], which
//! take that wrapper and run `deletable`'s asynchronous methods on the connection inside it.
//!
//! [`backends!`](crate::backends) stamps each suite out again in modules named `*_async`, where
//! these traits shadow `deletable`'s synchronous ones: `ada.delete(db.conn())` there awaits
//! `AsyncDeletable::delete` on one shared multi-threaded tokio runtime.

use std::future::Future;
use std::sync::LazyLock;

use deletable::__private::{AsyncSchemaHooks, BindKey, Registered};
use deletable::{
    AsyncDeletable, AsyncDeleteConnection, AsyncSoftDelete, DeleteError, DeleteOptions,
    DeleteReport, KeyFor, Plan, Preview,
};
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;
use diesel::sql_types::BoolOrNullableBool;
use diesel_async::async_connection_wrapper::AsyncConnectionWrapper;
use diesel_async::sync_connection_wrapper::SyncConnectionWrapper;
use diesel_async::AsyncConnectionCore;

/// The runtime every asynchronous test connection lives on and every asynchronous call runs on.
pub fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: LazyLock<tokio::runtime::Runtime> = LazyLock::new(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .enable_all()
            .build()
            .expect("start the tokio runtime of the asynchronous tests")
    });
    &RUNTIME
}

/// Runs a future to completion on [`runtime`], from a test's thread.
pub fn block_on<T>(future: impl Future<Output = T>) -> T {
    runtime().block_on(future)
}

/// An asynchronous connection behind Diesel's blocking interface, on [`runtime`].
pub type Blocking<C> = AsyncConnectionWrapper<C>;

/// Opens a connection inside [`runtime`], so that the wrapper blocks on it (and a PostgreSQL
/// connection's task runs there) rather than on a runtime of its own.
#[cfg(any(feature = "postgres", feature = "mysql", feature = "mariadb"))]
fn establish<C: diesel_async::AsyncConnection>(url: &str) -> Blocking<C> {
    let _entered = runtime().enter();
    <Blocking<C> as diesel::Connection>::establish(url)
        .unwrap_or_else(|error| panic!("{error}: {url}"))
}

/// SQLite through `diesel-async`'s `SyncConnectionWrapper`.
pub type AsyncSqlite = SyncConnectionWrapper<diesel::SqliteConnection>;

impl crate::sqlite::SqliteFamily for Blocking<AsyncSqlite> {
    fn memory() -> Self {
        let _entered = runtime().enter();
        Blocking::from(SyncConnectionWrapper::new(crate::sqlite::connect()))
    }

    fn file(path: &str) -> Self {
        let _entered = runtime().enter();
        Blocking::from(SyncConnectionWrapper::new(crate::sqlite::connect_to(path)))
    }
}

/// A test database on SQLite through the asynchronous runner.
pub type SqliteAsyncDb = crate::sqlite::SqliteLikeDb<Blocking<AsyncSqlite>>;

#[cfg(feature = "postgres")]
impl crate::postgres::PgFamily for Blocking<diesel_async::AsyncPgConnection> {
    fn connect(url: &str) -> Self {
        establish(url)
    }
}

/// A test database on PostgreSQL through the asynchronous runner.
#[cfg(feature = "postgres")]
pub type PgAsyncDb = crate::postgres::PgLikeDb<Blocking<diesel_async::AsyncPgConnection>>;

/// A MySQL-family server through `diesel-async`'s connection `$conn`: found as Diesel's `$sync`
/// finds it.
macro_rules! async_mysql_family {
    ($feature:literal, $conn:ty, $sync:ty, $(#[$doc:meta])* $db:ident) => {
        #[cfg(feature = $feature)]
        impl crate::MysqlFamily for Blocking<$conn> {
            const BACKEND: &'static str = <$sync as crate::MysqlFamily>::BACKEND;
            const URL_VARIABLE: &'static str = <$sync as crate::MysqlFamily>::URL_VARIABLE;
            const URL_EXAMPLE: &'static str = <$sync as crate::MysqlFamily>::URL_EXAMPLE;

            fn connect(url: &str) -> Self {
                establish(url)
            }
        }

        $(#[$doc])*
        #[cfg(feature = $feature)]
        pub type $db = crate::MysqlLikeDb<Blocking<$conn>>;
    };
}

async_mysql_family!(
    "mysql",
    diesel_async::AsyncMysqlConnection,
    diesel::MysqlConnection,
    /// A test database through `diesel-async`'s `mysql` backend.
    MysqlAsyncDb
);
async_mysql_family!(
    "mariadb",
    diesel_async::AsyncMariadbConnection,
    diesel::mariadb::MariadbConnection,
    /// A test database through `diesel-async`'s `mariadb` backend.
    MariadbAsyncDb
);

type Backend<C> = <C as AsyncConnectionCore>::Backend;
type Outcome = Result<DeleteReport, DeleteError>;

/// `deletable::Deletable`'s methods, run by the asynchronous runner on the connection inside a
/// [`Blocking`] wrapper: in the `*_async` test modules, this trait stands where
/// `deletable::Deletable` stands in the others.
pub trait Deletable: deletable::Deletable {
    /// [`deletable::Deletable::plan`].
    fn plan() -> &'static Plan {
        <Self as deletable::Deletable>::plan()
    }

    /// [`AsyncDeletable::delete`].
    fn delete<C>(&self, conn: &mut Blocking<C>) -> Outcome
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(AsyncDeletable::delete(self, &mut **conn))
    }

    /// [`AsyncDeletable::delete_with`].
    fn delete_with<C>(&self, options: &DeleteOptions, conn: &mut Blocking<C>) -> Outcome
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(AsyncDeletable::delete_with(
            self,
            options.clone(),
            &mut **conn,
        ))
    }

    /// [`AsyncDeletable::delete_by_ids`].
    fn delete_by_ids<K, C>(ids: &[K], conn: &mut Blocking<C>) -> Outcome
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncDeletable>::delete_by_ids(ids, &mut **conn))
    }

    /// [`AsyncDeletable::delete_by_ids_with`].
    fn delete_by_ids_with<K, C>(
        ids: &[K],
        options: &DeleteOptions,
        conn: &mut Blocking<C>,
    ) -> Outcome
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncDeletable>::delete_by_ids_with(
            ids,
            options.clone(),
            &mut **conn,
        ))
    }

    /// [`AsyncDeletable::delete_matching`].
    fn delete_matching<Q, C>(query: Q, conn: &mut Blocking<C>) -> Outcome
    where
        C: AsyncDeleteConnection,
        Q: diesel::query_builder::IntoUpdateTarget<Table = Self::Table>,
        Q::WhereClause: QueryFragment<Backend<C>> + Send + Sync,
        Self::Table: Default + QueryFragment<Backend<C>> + Send + Sync,
        <Self::Table as diesel::Table>::PrimaryKey: QueryFragment<Backend<C>> + Send + Sync,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncDeletable>::delete_matching(
            query,
            &mut **conn,
        ))
    }

    /// [`AsyncDeletable::delete_matching_with`].
    fn delete_matching_with<Q, C>(
        query: Q,
        options: &DeleteOptions,
        conn: &mut Blocking<C>,
    ) -> Outcome
    where
        C: AsyncDeleteConnection,
        Q: diesel::query_builder::IntoUpdateTarget<Table = Self::Table>,
        Q::WhereClause: QueryFragment<Backend<C>> + Send + Sync,
        Self::Table: Default + QueryFragment<Backend<C>> + Send + Sync,
        <Self::Table as diesel::Table>::PrimaryKey: QueryFragment<Backend<C>> + Send + Sync,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncDeletable>::delete_matching_with(
            query,
            options.clone(),
            &mut **conn,
        ))
    }

    /// [`AsyncDeletable::delete_where`].
    fn delete_where<F, C>(filter: F, conn: &mut Blocking<C>) -> Outcome
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncDeletable>::delete_where(filter, &mut **conn))
    }

    /// [`AsyncDeletable::delete_where_with`].
    fn delete_where_with<F, C>(
        filter: F,
        options: &DeleteOptions,
        conn: &mut Blocking<C>,
    ) -> Outcome
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncDeletable>::delete_where_with(
            filter,
            options.clone(),
            &mut **conn,
        ))
    }

    /// [`AsyncDeletable::preview_delete`].
    fn preview_delete<C>(&self, conn: &mut Blocking<C>) -> Result<Preview, DeleteError>
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(AsyncDeletable::preview_delete(self, &mut **conn))
    }

    /// [`AsyncDeletable::preview_delete_by_ids`].
    fn preview_delete_by_ids<K, C>(
        ids: &[K],
        conn: &mut Blocking<C>,
    ) -> Result<Preview, DeleteError>
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncDeletable>::preview_delete_by_ids(
            ids,
            &mut **conn,
        ))
    }

    /// [`AsyncDeletable::preview_delete_where`].
    fn preview_delete_where<F, C>(filter: F, conn: &mut Blocking<C>) -> Result<Preview, DeleteError>
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncDeletable>::preview_delete_where(
            filter,
            &mut **conn,
        ))
    }
}

impl<M: deletable::Deletable> Deletable for M {}

/// `deletable::SoftDelete`'s methods, run by the asynchronous runner: in the `*_async` test
/// modules, this trait stands where `deletable::SoftDelete` stands in the others.
pub trait SoftDelete: deletable::SoftDelete {
    /// [`AsyncSoftDelete::active`].
    fn active() -> Self::Active {
        <Self as AsyncSoftDelete>::active()
    }

    /// [`AsyncSoftDelete::only_deleted`].
    fn only_deleted() -> Self::OnlyDeleted {
        <Self as AsyncSoftDelete>::only_deleted()
    }

    /// [`AsyncSoftDelete::soft_delete`].
    fn soft_delete<C>(&self, conn: &mut Blocking<C>) -> Outcome
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(AsyncSoftDelete::soft_delete(self, &mut **conn))
    }

    /// [`AsyncSoftDelete::soft_delete_by_ids`].
    fn soft_delete_by_ids<K, C>(ids: &[K], conn: &mut Blocking<C>) -> Outcome
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::soft_delete_by_ids(
            ids,
            &mut **conn,
        ))
    }

    /// [`AsyncSoftDelete::soft_delete_where`].
    fn soft_delete_where<F, C>(filter: F, conn: &mut Blocking<C>) -> Outcome
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::soft_delete_where(
            filter,
            &mut **conn,
        ))
    }

    /// [`AsyncSoftDelete::restore`].
    fn restore<C>(&self, conn: &mut Blocking<C>) -> Outcome
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(AsyncSoftDelete::restore(self, &mut **conn))
    }

    /// [`AsyncSoftDelete::soft_delete_by_ids_with`].
    fn soft_delete_by_ids_with<K, C>(
        ids: &[K],
        options: &DeleteOptions,
        conn: &mut Blocking<C>,
    ) -> Outcome
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::soft_delete_by_ids_with(
            ids,
            options.clone(),
            &mut **conn,
        ))
    }

    /// [`AsyncSoftDelete::restore_by_ids_with`].
    fn restore_by_ids_with<K, C>(
        ids: &[K],
        options: &DeleteOptions,
        conn: &mut Blocking<C>,
    ) -> Outcome
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::restore_by_ids_with(
            ids,
            options.clone(),
            &mut **conn,
        ))
    }

    /// [`AsyncSoftDelete::restore_by_ids`].
    fn restore_by_ids<K, C>(ids: &[K], conn: &mut Blocking<C>) -> Outcome
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::restore_by_ids(ids, &mut **conn))
    }

    /// [`AsyncSoftDelete::restore_where`].
    fn restore_where<F, C>(filter: F, conn: &mut Blocking<C>) -> Outcome
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::restore_where(
            filter,
            &mut **conn,
        ))
    }

    /// [`AsyncSoftDelete::purge_deleted`].
    fn purge_deleted<C>(older_than: Self::Cutoff, conn: &mut Blocking<C>) -> Outcome
    where
        C: AsyncDeleteConnection,
        Self::PurgeFilter:
            Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync,
        <Self::PurgeFilter as Expression>::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::purge_deleted(
            older_than,
            &mut **conn,
        ))
    }

    /// [`AsyncSoftDelete::purge_deleted_with`].
    fn purge_deleted_with<C>(
        older_than: Self::Cutoff,
        options: &DeleteOptions,
        conn: &mut Blocking<C>,
    ) -> Outcome
    where
        C: AsyncDeleteConnection,
        Self::PurgeFilter:
            Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync,
        <Self::PurgeFilter as Expression>::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::purge_deleted_with(
            older_than,
            options.clone(),
            &mut **conn,
        ))
    }

    /// [`AsyncSoftDelete::preview_soft_delete`].
    fn preview_soft_delete<C>(&self, conn: &mut Blocking<C>) -> Result<Preview, DeleteError>
    where
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>> + Sync,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(AsyncSoftDelete::preview_soft_delete(self, &mut **conn))
    }

    /// [`AsyncSoftDelete::preview_soft_delete_by_ids`].
    fn preview_soft_delete_by_ids<K, C>(
        ids: &[K],
        conn: &mut Blocking<C>,
    ) -> Result<Preview, DeleteError>
    where
        K: KeyFor<Self::PrimaryKey>,
        C: AsyncDeleteConnection,
        Self: Registered + BindKey<Backend<C>>,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::preview_soft_delete_by_ids(
            ids,
            &mut **conn,
        ))
    }

    /// [`AsyncSoftDelete::preview_soft_delete_where`].
    fn preview_soft_delete_where<F, C>(
        filter: F,
        conn: &mut Blocking<C>,
    ) -> Result<Preview, DeleteError>
    where
        C: AsyncDeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<Backend<C>> + Send + Sync,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: AsyncSchemaHooks<C>,
    {
        block_on(<Self as AsyncSoftDelete>::preview_soft_delete_where(
            filter,
            &mut **conn,
        ))
    }
}

impl<M: deletable::SoftDelete> SoftDelete for M {}
