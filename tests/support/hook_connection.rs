//! Hooks written once for both runners: [`hooks!`](crate::hooks) implements a model's
//! `DeleteHooks` and `AsyncDeleteHooks` from one body, an `async` block that reaches the
//! database through [`HookConnection`] or [`AsyncHookConnection`] (the same method names, so
//! the same body compiles against either). On a synchronous connection every await is ready
//! at once and the body runs to its end where the hook is called.

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

impl<C> HookConnection for C
where
    C: Connection + SimpleConnection + LoadConnection,
    SqlQuery: diesel::query_dsl::LoadQuery<'static, C, Counted>,
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
/// body per hook, for every connection:
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
    (impl for $model:ty { $(fn $stage:ident($conn:tt, $rows:tt: &[$row:ty]) $body:block)* }) => {
        impl<__Conn: $crate::HookConnection> ::deletable::DeleteHooks<__Conn> for $model {
            $(
                #[allow(unused_variables)]
                fn $stage(
                    conn: &mut __Conn,
                    rows: &[$row],
                ) -> ::core::result::Result<(), ::deletable::HookError> {
                    #[allow(unused_variables)]
                    let $conn = conn;
                    let $rows = rows;
                    $crate::now(async move {
                        let outcome: ::core::result::Result<(), ::deletable::HookError> = $body;
                        outcome
                    })
                }
            )*
        }
        impl<__Conn: $crate::AsyncHookConnection> ::deletable::AsyncDeleteHooks<__Conn> for $model {
            $(
                #[allow(unused_variables)]
                async fn $stage(
                    conn: &mut __Conn,
                    rows: &[$row],
                ) -> ::core::result::Result<(), ::deletable::HookError> {
                    #[allow(unused_variables)]
                    let $conn = conn;
                    let $rows = rows;
                    $body
                }
            )*
        }
    };
}
