//! The per-backend seam: what differs between SQLite, PostgreSQL and MySQL in the statements a
//! plan generates. Everything else is written once, through Diesel's `AstPass`, which already
//! quotes identifiers and numbers bind parameters the backend's way.

use diesel::backend::Backend;
use diesel::query_builder::AstPass;
use diesel::sql_types::{BigInt, Bool, Integer, SmallInt, Text};
use diesel::QueryResult;

use crate::value::SqlValue;

/// A Diesel backend this crate generates SQL for.
pub trait Dialect: Backend + Sized + 'static {
    /// The type a key column is cast to when blocking keys are listed in an error.
    const TEXT_TYPE: &'static str;

    /// The most bind parameters one statement may carry.
    const MAX_BIND_PARAMS: usize;

    /// Whether deletes and updates reach their rows by joining a derived table of keys
    /// (`DELETE t FROM t JOIN (SELECT ...) AS k ON ...`), one cascade edge per statement, rather
    /// than by `WHERE t.fk IN (SELECT ...)`. MySQL and MariaDB run an `IN` subquery of a
    /// single-table `DELETE` once per row of the table (a full scan), and refuse one that reads
    /// the table being changed.
    const DELETE_BY_JOIN: bool = false;

    /// Whether `SELECT ... FOR UPDATE` locks rows. Where it does, a delete locks its root rows
    /// first, in key order, so concurrent inserts of their children wait and then fail cleanly
    /// instead of breaking the delete halfway. (SQLite locks the whole database on write.)
    const LOCKS_ROWS: bool = true;

    /// Whether foreign keys are checked row by row as a statement runs (InnoDB) rather than at
    /// its end: then a statement deleting a subtree must not meet a child after its parent, so
    /// the subtree's tree foreign keys are cleared first.
    const FOREIGN_KEYS_CHECKED_PER_ROW: bool = false;

    /// Written before each statement of a plan that walks a tree. MariaDB stops a recursive
    /// query after `max_recursive_iterations` (1,000 by default) levels; its executable comment
    /// lifts that for the statement alone, and MySQL reads it as a plain comment.
    const TREE_STATEMENT_PREFIX: &'static str = "";

    /// Whether a rollback drops the temporary tables created in its transaction (MySQL keeps
    /// them).
    const TEMP_TABLES_TRANSACTIONAL: bool = true;

    /// Whether one statement may read the same temporary table twice (MySQL cannot: "Can't
    /// reopen table").
    const TEMP_TABLE_REOPENS: bool = true;

    /// Binds one value.
    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()>;

    /// Binds a soft-delete mark, a timestamp given as `YYYY-MM-DD HH:MM:SS.ffffff` text, so the
    /// column gets it as a timestamp.
    fn push_timestamp<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        Self::push_value(out, value)
    }
}

/// A dialect's facts as values, for the executor (which sees the connection, not the backend).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct DialectInfo {
    pub max_bind_params: usize,
    pub locks_rows: bool,
    pub delete_by_join: bool,
    pub temp_table_reopens: bool,
    pub temp_tables_transactional: bool,
    pub foreign_keys_checked_per_row: bool,
}

impl DialectInfo {
    /// The facts of `DB`.
    pub fn of<DB: Dialect>() -> Self {
        DialectInfo {
            max_bind_params: DB::MAX_BIND_PARAMS,
            locks_rows: DB::LOCKS_ROWS,
            delete_by_join: DB::DELETE_BY_JOIN,
            temp_table_reopens: DB::TEMP_TABLE_REOPENS,
            temp_tables_transactional: DB::TEMP_TABLES_TRANSACTIONAL,
            foreign_keys_checked_per_row: DB::FOREIGN_KEYS_CHECKED_PER_ROW,
        }
    }
}

/// Binds a [`SqlValue`] on any backend that maps Diesel's basic types; each [`Dialect`] impl
/// forwards here.
macro_rules! push_basic_value {
    ($backend:ty, $out:expr, $value:expr) => {{
        let out: &mut AstPass<'_, '_, $backend> = $out;
        match $value {
            SqlValue::Null => {
                out.push_sql("NULL");
                Ok(())
            }
            SqlValue::Bool(value) => out.push_bind_param::<Bool, _>(value),
            SqlValue::SmallInt(value) => out.push_bind_param::<SmallInt, _>(value),
            SqlValue::Integer(value) => out.push_bind_param::<Integer, _>(value),
            SqlValue::BigInt(value) => out.push_bind_param::<BigInt, _>(value),
            SqlValue::Text(value) => out.push_bind_param::<Text, _>(value),
        }
    }};
}

#[cfg(feature = "sqlite")]
impl Dialect for diesel::sqlite::Sqlite {
    const TEXT_TYPE: &'static str = "TEXT";
    const LOCKS_ROWS: bool = false;
    // SQLITE_MAX_VARIABLE_NUMBER of the bundled SQLite (3.32 and later).
    const MAX_BIND_PARAMS: usize = 32_766;

    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        push_basic_value!(Self, out, value)
    }
}

#[cfg(feature = "postgres")]
impl Dialect for diesel::pg::Pg {
    const TEXT_TYPE: &'static str = "TEXT";
    const MAX_BIND_PARAMS: usize = 65_535;

    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        push_basic_value!(Self, out, value)
    }

    fn push_timestamp<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        // A text parameter is not a timestamp to PostgreSQL until it is cast.
        out.push_sql("CAST(");
        Self::push_value(out, value)?;
        out.push_sql(" AS TIMESTAMP)");
        Ok(())
    }
}

#[cfg(feature = "mysql")]
impl Dialect for diesel::mysql::Mysql {
    const TEXT_TYPE: &'static str = "CHAR";
    const MAX_BIND_PARAMS: usize = 65_535;
    const DELETE_BY_JOIN: bool = true;
    const TEMP_TABLE_REOPENS: bool = false;
    const TEMP_TABLES_TRANSACTIONAL: bool = false;
    const FOREIGN_KEYS_CHECKED_PER_ROW: bool = true;
    const TREE_STATEMENT_PREFIX: &'static str =
        "/*M! SET STATEMENT max_recursive_iterations = 4294967295 FOR */ ";

    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        push_basic_value!(Self, out, value)
    }
}
