//! Hooks written once for both runners: [`hooks!`](crate::hooks) implements a model's
//! `DeleteHooks` and `AsyncDeleteHooks` from one body, an `async` block that reaches the
//! database through [`HookConnection`] or [`AsyncHookConnection`] (the same method names, so
//! the same body compiles against either). On a synchronous connection every await is ready
//! at once and the body runs to its end where the hook is called. Both traits are implemented
//! for named connection types: `deletable` gives each model's hooks to the pooled connections
//! of those types, which a model's hooks for any connection would overlap.

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use diesel::connection::{LoadConnection, SimpleConnection};
use diesel::query_builder::SqlQuery;
use diesel::{Connection, QueryResult, QueryableByName, RunQueryDsl};

/// One count, read by [`HookConnection::count`].
#[derive(QueryableByName)]
pub struct Counted {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    n: i64,
}

/// What a test hook does with a synchronous connection.
pub trait HookConnection {
    /// Runs SQL: one statement or several separated by `;`.
    fn exec(&mut self, sql: &str) -> impl Future<Output = QueryResult<()>>;
    /// The count a query returns in a column named `n`.
    fn count(&mut self, sql: &str) -> impl Future<Output = QueryResult<i64>>;
}

/// Implements [`HookConnection`] for synchronous connection types, each named: a model's hooks
/// for any connection would overlap those `deletable` gives pooled connections.
macro_rules! hook_connection {
    ($([$($generics:tt)*] $conn:ty $(where [$($bounds:tt)*])?;)*) => {$(
        impl<$($generics)*> HookConnection for $conn
        where
            $conn: Connection + SimpleConnection + LoadConnection,
            SqlQuery: diesel::query_dsl::LoadQuery<'static, $conn, Counted>,
            $($($bounds)*)?
        {
            async fn exec(&mut self, sql: &str) -> QueryResult<()> {
                self.batch_execute(sql)
            }

            async fn count(&mut self, sql: &str) -> QueryResult<i64> {
                diesel::sql_query(sql)
                    .get_result::<Counted>(self)
                    .map(|row| row.n)
            }
        }
    )*};
}

hook_connection! {
    [] diesel::SqliteConnection;
    ['a, C] crate::FaultyConnection<'a, C> where [C: HookConnection];
}
#[cfg(feature = "postgres")]
hook_connection! { [] diesel::PgConnection; }
#[cfg(feature = "mysql")]
hook_connection! { [] diesel::MysqlConnection; }
#[cfg(feature = "mariadb")]
hook_connection! { [] diesel::mariadb::MariadbConnection; }

/// What a test hook does with a `diesel-async` connection.
pub trait AsyncHookConnection: Send {
    /// Runs SQL: one statement or several separated by `;`.
    fn exec(&mut self, sql: &str) -> impl Future<Output = QueryResult<()>> + Send;
    /// The count a query returns in a column named `n`.
    fn count(&mut self, sql: &str) -> impl Future<Output = QueryResult<i64>> + Send;
}

impl<C> AsyncHookConnection for C
where
    C: diesel_async::AsyncConnection + Send,
    for<'a> SqlQuery: diesel_async::methods::LoadQuery<'a, C, Counted>,
{
    async fn exec(&mut self, sql: &str) -> QueryResult<()> {
        diesel_async::SimpleAsyncConnection::batch_execute(self, sql).await
    }

    async fn count(&mut self, sql: &str) -> QueryResult<i64> {
        let row: Counted =
            diesel_async::RunQueryDsl::get_result(diesel::sql_query(sql.to_owned()), self).await?;
        Ok(row.n)
    }
}

/// The value of a hook body on a synchronous connection, whose every await is ready at once.
pub fn now<T>(body: impl Future<Output = T>) -> T {
    let mut body = pin!(body);
    let mut context = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(value) = body.as_mut().poll(&mut context) {
            return value;
        }
    }
}

/// Implements `deletable::DeleteHooks` and `deletable::AsyncDeleteHooks` for a model from one
/// body per hook, for each connection type of the suites (named, as `deletable`'s pool impls
/// require), the fault-injecting wrappers of both runners included:
///
/// ```ignore
/// hooks! {
///     impl for Order {
///         fn before_delete(conn, rows: &[Order]) {
///             conn.exec("INSERT INTO audit ...").await?;
///             Ok(())
///         }
///     }
/// }
/// ```
#[macro_export]
macro_rules! hooks {
    (@sync [$($generics:tt)*] $conn:ty, $model:ty, {
        $(fn $stage:ident($c:tt, $rows:tt: &[$row:ty]) $body:block)*
    }) => {
        impl<$($generics)*> ::deletable::DeleteHooks<$conn> for $model
        where
            $conn: $crate::HookConnection,
        {
            $(
                #[allow(unused_variables)]
                fn $stage(
                    conn: &mut $conn,
                    rows: &[$row],
                ) -> ::core::result::Result<(), ::deletable::HookError> {
                    #[allow(unused_imports)]
                    use $crate::HookConnection as _;
                    #[allow(unused_variables)]
                    let $c = conn;
                    let $rows = rows;
                    $crate::now(async move {
                        let outcome: ::core::result::Result<(), ::deletable::HookError> = $body;
                        outcome
                    })
                }
            )*
        }
    };
    (@async [$($generics:tt)*] $conn:ty $(where [$($bounds:tt)*])?, $model:ty, {
        $(fn $stage:ident($c:tt, $rows:tt: &[$row:ty]) $body:block)*
    }) => {
        impl<$($generics)*> ::deletable::AsyncDeleteHooks<$conn> for $model
        $(where $($bounds)*)?
        {
            $(
                #[allow(unused_variables)]
                async fn $stage(
                    conn: &mut $conn,
                    rows: &[$row],
                ) -> ::core::result::Result<(), ::deletable::HookError> {
                    #[allow(unused_imports)]
                    use $crate::AsyncHookConnection as _;
                    #[allow(unused_variables)]
                    let $c = conn;
                    let $rows = rows;
                    $body
                }
            )*
        }
    };
    (impl for $model:ty { $($hooks:tt)* }) => {
        $crate::hooks!(@sync [] ::diesel::SqliteConnection, $model, { $($hooks)* });
        $crate::hooks!(@sync ['__a, __C]
            $crate::FaultyConnection<'__a, __C>, $model, { $($hooks)* });
        #[cfg(feature = "postgres")]
        $crate::hooks!(@sync [] ::diesel::PgConnection, $model, { $($hooks)* });
        #[cfg(feature = "mysql")]
        $crate::hooks!(@sync [] ::diesel::MysqlConnection, $model, { $($hooks)* });
        #[cfg(feature = "mariadb")]
        $crate::hooks!(@sync [] ::diesel::mariadb::MariadbConnection, $model, { $($hooks)* });
        $crate::hooks!(@async [] $crate::asynchronous::AsyncSqlite, $model, { $($hooks)* });
        // Whatever the wrapper's lifetime: a hook's future is `Send` for any of them.
        $crate::hooks!(@async ['__a, __C] $crate::AsyncFaultyConnection<'__a, __C>
            where [for<'__b> $crate::AsyncFaultyConnection<'__b, __C>: $crate::AsyncHookConnection],
            $model, { $($hooks)* });
        #[cfg(feature = "postgres")]
        $crate::hooks!(@async [] ::diesel_async::AsyncPgConnection, $model, { $($hooks)* });
        #[cfg(feature = "mysql")]
        $crate::hooks!(@async [] ::diesel_async::AsyncMysqlConnection, $model, { $($hooks)* });
        #[cfg(feature = "mariadb")]
        $crate::hooks!(@async [] ::diesel_async::AsyncMariadbConnection, $model, { $($hooks)* });
    };
}
