//! The asynchronous connections a delete runs through: any `diesel-async` connection to a
//! backend this crate's features enable, pooled or not, and what `deletable` asks of it (run
//! a statement, count, load keys as text).

use std::future::Future;

use diesel::deserialize::FromSqlRow;
use diesel::query_builder::QueryFragment;
use diesel::sql_types::{BigInt, Text};
use diesel::QueryResult;
use diesel_async::{AsyncConnection, AsyncConnectionCore, RunQueryDsl};

use crate::sql::dialect::{Dialect, DialectInfo};
use crate::sql::statement::{CountQuery, KeysQuery, Statement};

/// What a delete asks of an asynchronous connection. Public in a module users cannot reach, so
/// that [`AsyncDeleteConnection`], which requires it, is sealed and shows no methods.
pub(crate) mod sealed {
    use super::*;

    pub trait AsyncExecutor:
        AsyncConnection + AsyncConnectionCore<Backend: Dialect> + Send
    {
        fn dialect(&self) -> DialectInfo {
            DialectInfo::of::<Self::Backend>()
        }

        fn execute_statement<'a, F>(
            &'a mut self,
            statement: Statement<'a, F>,
        ) -> impl Future<Output = QueryResult<usize>> + Send + 'a
        where
            F: QueryFragment<Self::Backend> + Send + Sync + 'a;

        fn count_rows<'a, F>(
            &'a mut self,
            query: CountQuery<'a, F>,
        ) -> impl Future<Output = QueryResult<i64>> + Send + 'a
        where
            F: QueryFragment<Self::Backend> + Send + Sync + 'a;

        fn load_keys<'a, F>(
            &'a mut self,
            query: KeysQuery<'a, F>,
        ) -> impl Future<Output = QueryResult<Vec<String>>> + Send + 'a
        where
            F: QueryFragment<Self::Backend> + Send + Sync + 'a;
    }
}

/// A `diesel-async` connection `deletable` can delete through: `AsyncPgConnection`,
/// `AsyncMysqlConnection`, `AsyncMariadbConnection`, `SyncConnectionWrapper<SqliteConnection>`,
/// and the pooled connections of `diesel-async`'s deadpool, bb8 and mobc pools, which deref to
/// them. Implemented for every such connection, and sealed: it cannot be implemented outside
/// `deletable`. The methods of its supertrait, which generic code can reach through this bound,
/// are not part of the API.
pub trait AsyncDeleteConnection: sealed::AsyncExecutor {}

impl<C: sealed::AsyncExecutor> AsyncDeleteConnection for C {}

impl<C> sealed::AsyncExecutor for C
where
    C: AsyncConnection + Send,
    C::Backend: Dialect,
    i64: FromSqlRow<BigInt, C::Backend>,
    String: FromSqlRow<Text, C::Backend>,
{
    fn execute_statement<'a, F>(
        &'a mut self,
        statement: Statement<'a, F>,
    ) -> impl Future<Output = QueryResult<usize>> + Send + 'a
    where
        F: QueryFragment<Self::Backend> + Send + Sync + 'a,
    {
        statement.execute(self)
    }

    fn count_rows<'a, F>(
        &'a mut self,
        query: CountQuery<'a, F>,
    ) -> impl Future<Output = QueryResult<i64>> + Send + 'a
    where
        F: QueryFragment<Self::Backend> + Send + Sync + 'a,
    {
        query.get_result(self)
    }

    fn load_keys<'a, F>(
        &'a mut self,
        query: KeysQuery<'a, F>,
    ) -> impl Future<Output = QueryResult<Vec<String>>> + Send + 'a
    where
        F: QueryFragment<Self::Backend> + Send + Sync + 'a,
    {
        query.load(self)
    }
}
