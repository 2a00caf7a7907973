//! Values that travel as bind parameters: primary keys given to `delete_by_ids` or taken from a
//! row, and `set_default` values. Each backend binds them in `sql::dialect`.

use std::fmt;

/// A value bound into a generated statement.
#[derive(Debug, Clone, PartialEq, Eq)]
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
    /// A UUID (PostgreSQL's `uuid`).
    #[cfg(feature = "uuid")]
    Uuid(uuid::Uuid),
}

/// A Rust value that can be bound as one SQL value: the types Diesel maps to the key and default
/// columns this crate supports.
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

#[cfg(feature = "uuid")]
into_sql_value!(uuid::Uuid => Uuid);

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

/// A primary key value, as given to [`Deletable::delete_by_ids`](crate::Deletable::delete_by_ids):
/// one column (`i32`, `i64`, `String`, ...) or a tuple for a composite key.
pub trait PrimaryKeyValue {
    /// Appends the key's column values, in key order.
    fn push_values(&self, values: &mut Vec<SqlValue>);
}

impl<T: Clone + IntoSqlValue> PrimaryKeyValue for T {
    fn push_values(&self, values: &mut Vec<SqlValue>) {
        values.push(self.clone().into_sql_value());
    }
}

/// A key that stands for a model's primary key of type `K` in
/// [`delete_by_ids`](crate::Deletable::delete_by_ids): `K` itself, or a borrowed form of it
/// (`&str` for a `String` key), so a list of keys need not be copied into owned values first.
///
/// ```ignore
/// Handle::delete_by_ids(&["alice", "bob"], &mut conn)?;
/// ```
pub trait KeyFor<K>: PrimaryKeyValue {}

impl<K: PrimaryKeyValue> KeyFor<K> for K {}

impl KeyFor<String> for &str {}

impl KeyFor<String> for &String {}

/// The column values of a list of keys, flattened in order.
pub(crate) fn key_values<K: PrimaryKeyValue>(ids: &[K]) -> Vec<SqlValue> {
    let mut values = Vec::with_capacity(ids.len());
    for id in ids {
        id.push_values(&mut values);
    }
    values
}

macro_rules! tuple_key {
    ($($name:ident . $index:tt),+) => {
        impl<$($name: Clone + IntoSqlValue),+> PrimaryKeyValue for ($($name,)+) {
            fn push_values(&self, values: &mut Vec<SqlValue>) {
                $(values.push(self.$index.clone().into_sql_value());)+
            }
        }
    };
}

tuple_key!(A.0, B.1);
tuple_key!(A.0, B.1, C.2);
tuple_key!(A.0, B.1, C.2, D.3);

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
            #[cfg(feature = "uuid")]
            SqlValue::Uuid(value) => write!(f, "{value}"),
        }
    }
}
