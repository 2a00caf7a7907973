//! A Diesel query as the roots of a delete: what `diesel::delete(query)` takes (a table, a
//! filtered table, `Post::belonging_to(&user)`), turned into a filter on the model's table,
//! `(key) IN (SELECT key FROM table WHERE ...)`, for [`delete_where`](crate::Deletable::delete_where).

use diesel::backend::Backend;
use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::{AstPass, QueryFragment};
use diesel::sql_types::Bool;
use diesel::{QueryResult, Table};

/// The rows of table `T` that a query's `WHERE` clause `W` selects, as a boolean expression on
/// `T`: its primary key in the query's keys.
#[derive(Debug, Clone, Copy)]
pub struct InQuery<T: Table, W> {
    table: T,
    key: T::PrimaryKey,
    where_clause: W,
}

impl<T: Table + Default, W> InQuery<T, W> {
    pub(crate) fn new(where_clause: W) -> Self {
        let table = T::default();
        InQuery {
            key: table.primary_key(),
            table,
            where_clause,
        }
    }
}

impl<T: Table, W> Expression for InQuery<T, W> {
    type SqlType = Bool;
}

impl<T: Table, W> AppearsOnTable<T> for InQuery<T, W> where Self: Expression {}

impl<T, W, DB> QueryFragment<DB> for InQuery<T, W>
where
    DB: Backend,
    T: Table + QueryFragment<DB>,
    T::PrimaryKey: QueryFragment<DB>,
    W: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("(");
        self.key.walk_ast(out.reborrow())?;
        out.push_sql(") IN (SELECT ");
        self.key.walk_ast(out.reborrow())?;
        out.push_sql(" FROM ");
        self.table.walk_ast(out.reborrow())?;
        self.where_clause.walk_ast(out.reborrow())?;
        out.push_sql(")");
        Ok(())
    }
}
