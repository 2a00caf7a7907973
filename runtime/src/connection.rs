//! The connections a delete runs through: what `deletable` asks of a Diesel connection (run a
//! statement, count, load keys as text) and the backend's dialect, for any synchronous
//! connection to a backend this crate's features enable.

use diesel::connection::LoadConnection;
use diesel::deserialize::FromSqlRow;
use diesel::query_builder::QueryFragment;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryResult, RunQueryDsl};

use crate::sql::dialect::{Dialect, DialectInfo};
use crate::sql::statement::{CountQuery, KeysQuery, Statement};

/// What a delete asks of a connection. Public in a module users cannot reach, so that
/// [`DeleteConnection`], which requires it, is sealed and shows no methods.
pub(crate) mod sealed {
    use super::*;

    pub trait Executor: Connection {
        fn dialect(&self) -> DialectInfo;

        fn execute_statement<F>(&mut self, statement: &Statement<'_, F>) -> QueryResult<usize>
        where
            F: QueryFragment<Self::Backend>;

        fn count_rows<F>(&mut self, query: CountQuery<'_, F>) -> QueryResult<i64>
        where
            F: QueryFragment<Self::Backend>;

        fn load_keys<F>(&mut self, query: KeysQuery<'_, F>) -> QueryResult<Vec<String>>
        where
            F: QueryFragment<Self::Backend>;
    }
}

impl<C> sealed::Executor for C
where
    C: Connection + LoadConnection,
    C::Backend: Dialect,
    i64: FromSqlRow<BigInt, C::Backend>,
    String: FromSqlRow<Text, C::Backend>,
{
    fn dialect(&self) -> DialectInfo {
        DialectInfo::of::<C::Backend>()
    }

    fn execute_statement<F>(&mut self, statement: &Statement<'_, F>) -> QueryResult<usize>
    where
        F: QueryFragment<Self::Backend>,
    {
        self.execute_returning_count(statement)
    }

    fn count_rows<F>(&mut self, query: CountQuery<'_, F>) -> QueryResult<i64>
    where
        F: QueryFragment<Self::Backend>,
    {
        query.get_result(self)
    }

    fn load_keys<F>(&mut self, query: KeysQuery<'_, F>) -> QueryResult<Vec<String>>
    where
        F: QueryFragment<Self::Backend>,
    {
        query.load(self)
    }
}

/// A Diesel connection `deletable` can delete through: any synchronous connection to a backend
/// enabled by this crate's features (`SqliteConnection`, `PgConnection`, `MysqlConnection`,
/// `MariadbConnection`, and wrappers of them such as r2d2's pooled connections). Implemented for
/// every such connection, and sealed: it cannot be implemented outside `deletable`. The methods
/// of its supertrait, which generic code can reach through this bound, are not part of the API.
pub trait DeleteConnection: sealed::Executor {}

impl<C: sealed::Executor> DeleteConnection for C {}
