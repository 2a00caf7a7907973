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

    /// Binds one value.
    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()>;
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
}

#[cfg(feature = "mysql")]
impl Dialect for diesel::mysql::Mysql {
    const TEXT_TYPE: &'static str = "CHAR";
    const MAX_BIND_PARAMS: usize = 65_535;

    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        push_basic_value!(Self, out, value)
    }
}
