//! Values that travel as bind parameters: primary keys, bound by Diesel as their column's own SQL
//! type, and the literals the crate writes itself (`set_default` values, soft-delete marks).
//! Each backend binds them in `sql::dialect`.

use std::any::Any;
use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use diesel::backend::Backend;
use diesel::query_builder::AstPass;
use diesel::serialize::ToSql;
use diesel::sql_types::HasSqlType;
use diesel::QueryResult;

/// A value bound into a generated statement.
#[derive(Debug, Clone)]
pub enum SqlValue {
    /// SQL `NULL`, written as a literal (it needs no type).
    Null,
    /// A boolean.
    Bool(bool),
    /// A 16-bit integer.
    SmallInt(i16),
    /// A 32-bit integer.
    Integer(i32),
    /// A 64-bit integer.
    BigInt(i64),
    /// A string.
    Text(String),
    /// An unsigned 16-bit integer (MySQL's `SMALLINT UNSIGNED`).
    UnsignedSmallInt(u16),
    /// An unsigned 32-bit integer (MySQL's `INT UNSIGNED`).
    UnsignedInteger(u32),
    /// An unsigned 64-bit integer (MySQL's `BIGINT UNSIGNED`).
    UnsignedBigInt(u64),
    /// A key column's value, bound by Diesel as the column's SQL type: any type Diesel binds.
    Typed(TypedValue),
}

/// A Rust value with the SQL type Diesel binds it as, for one backend `DB`, behind a type that
/// does not name either: what [`TypedValue`] holds.
trait BindOn<DB: Backend>: Send + Sync {
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>;
}

struct Typed<ST, T>(T, PhantomData<fn() -> ST>);

impl<DB, ST, T> BindOn<DB> for Typed<ST, T>
where
    DB: Backend + HasSqlType<ST>,
    T: ToSql<ST, DB> + Send + Sync,
{
    fn push<'b>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_bind_param::<ST, T>(&self.0)
    }
}

/// A key column's value as Diesel binds it on one backend: built where the backend and the
/// column's SQL type are known (the derive's `BindKey` impl), bound where only the backend is.
#[derive(Clone)]
pub struct TypedValue {
    /// An `Arc<dyn BindOn<DB>>` for the backend it was made for.
    bind: Arc<dyn Any + Send + Sync>,
}

impl TypedValue {
    /// `value`, to be bound as SQL type `ST` on backend `DB`.
    pub fn new<DB, ST, T>(value: T) -> Self
    where
        DB: Backend + HasSqlType<ST> + 'static,
        ST: 'static,
        T: ToSql<ST, DB> + Send + Sync + 'static,
    {
        let bind: Arc<dyn BindOn<DB>> = Arc::new(Typed::<ST, T>(value, PhantomData));
        TypedValue {
            bind: Arc::new(bind),
        }
    }

    /// Binds the value on backend `DB`; an error if it was made for another backend.
    pub fn push<'b, DB: Backend + 'static>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        match self.bind.downcast_ref::<Arc<dyn BindOn<DB>>>() {
            Some(bind) => bind.push(out),
            None => Err(diesel::result::Error::QueryBuilderError(
                "deletable: a key value made for another backend".into(),
            )),
        }
    }
}

impl fmt::Debug for TypedValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("TypedValue")
    }
}

/// A literal the crate binds itself (a `set_default` value): the types Diesel maps to the foreign
/// key columns this crate supports.
pub trait IntoSqlValue {
    /// Converts the value.
    fn into_sql_value(self) -> SqlValue;
}

macro_rules! into_sql_value {
    ($($ty:ty => $variant:ident),* $(,)?) => {$(
        impl IntoSqlValue for $ty {
            fn into_sql_value(self) -> SqlValue {
                SqlValue::$variant(self)
            }
        }
    )*};
}

into_sql_value!(
    bool => Bool,
    i16 => SmallInt,
    i32 => Integer,
    i64 => BigInt,
    String => Text,
    u16 => UnsignedSmallInt,
    u32 => UnsignedInteger,
    u64 => UnsignedBigInt,
);

impl IntoSqlValue for &str {
    fn into_sql_value(self) -> SqlValue {
        SqlValue::Text(self.to_owned())
    }
}

impl IntoSqlValue for &String {
    fn into_sql_value(self) -> SqlValue {
        SqlValue::Text(self.clone())
    }
}

impl<T: IntoSqlValue> IntoSqlValue for Option<T> {
    fn into_sql_value(self) -> SqlValue {
        self.map_or(SqlValue::Null, IntoSqlValue::into_sql_value)
    }
}

impl fmt::Display for SqlValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SqlValue::Null => f.write_str("NULL"),
            SqlValue::Bool(value) => write!(f, "{value}"),
            SqlValue::SmallInt(value) => write!(f, "{value}"),
            SqlValue::Integer(value) => write!(f, "{value}"),
            SqlValue::BigInt(value) => write!(f, "{value}"),
            SqlValue::Text(value) => write!(f, "{value:?}"),
            SqlValue::UnsignedSmallInt(value) => write!(f, "{value}"),
            SqlValue::UnsignedInteger(value) => write!(f, "{value}"),
            SqlValue::UnsignedBigInt(value) => write!(f, "{value}"),
            SqlValue::Typed(_) => f.write_str("?"),
        }
    }
}
