//! What `#[derive(Deletable)]` tells the planner about one model: its table, its primary key and
//! the rule on each of its foreign keys. This is compile-time data (`const`), read by the planner
//! and by the statement builder; nothing here runs SQL.

use std::fmt;

use crate::value::SqlValue;

/// The facts the derive records about one model.
#[derive(Debug, Clone, Copy)]
pub struct ModelMeta {
    /// The Rust type's name, for messages (`Post`).
    pub name: &'static str,
    /// The SQL name of the model's table (`posts`).
    pub table: &'static str,
    /// The SQL names of the primary key's columns, in key order.
    pub primary_key: &'static [&'static str],
    /// The model's foreign keys that carry an `#[on_delete(...)]` rule.
    pub foreign_keys: &'static [ForeignKey],
    /// With `#[deletable(hooks)]`: the model's batch size. Its rows then go in batches through
    /// its hooks instead of in one statement.
    pub hooks: Option<usize>,
    /// With `#[soft_delete]`: the column that marks a row as soft-deleted.
    pub soft_delete: Option<SoftDeleteColumn>,
}

/// The column of `#[soft_delete]`.
#[derive(Debug, Clone, Copy)]
pub struct SoftDeleteColumn {
    /// Its SQL name.
    pub column: &'static str,
    /// What it holds.
    pub kind: SoftDeleteKind,
}

/// What a soft-delete column holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SoftDeleteKind {
    /// A nullable timestamp: `NULL` while the row lives, then the time of the operation that
    /// soft-deleted it (the same value for every row that operation marked).
    Timestamp(TimestampType),
    /// A boolean flag: `false` while the row lives.
    Flag,
}

/// The SQL type of a soft-delete timestamp column, as Diesel's `table!` declares it: it decides
/// how the mark (an instant) is written so that it means the same instant whatever the session's
/// time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimestampType {
    /// `Timestamp`: PostgreSQL's and SQLite's zoneless timestamp, which holds UTC; MySQL's
    /// `TIMESTAMP`, which the server converts from the session's time zone.
    Timestamp,
    /// PostgreSQL's `timestamptz` (Diesel's `Timestamptz`): an instant.
    Timestamptz,
    /// MySQL's and MariaDB's `DATETIME` (Diesel's `Datetime`): zoneless, holds UTC.
    Datetime,
}

/// The SQL type of a `#[soft_delete]` timestamp column: a nullable timestamp type whose marks
/// `deletable` knows how to write as correct instants.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot hold a `#[soft_delete]` timestamp",
    label = "the column's SQL type in `diesel::table!`",
    note = "a soft-delete timestamp column is `Nullable<Timestamp>`, `Nullable<Timestamptz>` \
            (PostgreSQL) or `Nullable<Datetime>` (MySQL, MariaDB)"
)]
pub trait SoftDeleteTimestamp {
    /// How the mark is written to the column.
    const TYPE: TimestampType;
}

impl SoftDeleteTimestamp for diesel::sql_types::Nullable<diesel::sql_types::Timestamp> {
    const TYPE: TimestampType = TimestampType::Timestamp;
}

#[cfg(feature = "postgres")]
impl SoftDeleteTimestamp for diesel::sql_types::Nullable<diesel::sql_types::Timestamptz> {
    const TYPE: TimestampType = TimestampType::Timestamptz;
}

#[cfg(any(feature = "mysql", feature = "mariadb"))]
impl SoftDeleteTimestamp for diesel::sql_types::Nullable<diesel::sql_types::Datetime> {
    const TYPE: TimestampType = TimestampType::Datetime;
}

/// One foreign key column and what happens to it when its parent row is deleted.
#[derive(Debug, Clone, Copy)]
pub struct ForeignKey {
    /// The SQL name of the foreign key column (`user_id`).
    pub column: &'static str,
    /// The SQL name of the parent's table (`users`).
    pub parent_table: &'static str,
    /// What a delete of the parent does to the rows that reference it.
    pub rule: Rule,
    /// A self-reference marked `tree`: a cascade along it deletes whole subtrees, found with a
    /// recursive query, and is not a cycle.
    pub tree: bool,
    /// Whether the column may be set to `NULL` (the field is an `Option`).
    pub nullable: bool,
}

/// An `on_delete` rule as the plan carries it: the [`Action`], with a `set_default`'s value.
#[derive(Debug, Clone, Copy)]
pub enum Rule {
    /// The referencing rows are deleted too, and their own dependents by their own rules.
    Cascade,
    /// The delete fails with [`DeleteError::Protected`](crate::DeleteError::Protected).
    Protect,
    /// Like `Protect`, unless every referencing row is itself deleted by another cascade path of
    /// the same operation.
    Restrict,
    /// The foreign key is set to `NULL`.
    SetNull,
    /// The foreign key is set to the declared default, computed when the statement is built.
    SetDefault(fn() -> SqlValue),
    /// Nothing: the database's own constraint decides.
    DoNothing,
}

impl Rule {
    /// The action, without a `set_default`'s value.
    pub const fn action(&self) -> Action {
        match self {
            Rule::Cascade => Action::Cascade,
            Rule::Protect => Action::Protect,
            Rule::Restrict => Action::Restrict,
            Rule::SetNull => Action::SetNull,
            Rule::SetDefault(_) => Action::SetDefault,
            Rule::DoNothing => Action::DoNothing,
        }
    }

    /// The attribute spelling of the rule (`cascade`, `set_null`, ...).
    pub const fn name(&self) -> &'static str {
        self.action().name()
    }

    pub(crate) const fn is_cascade(&self) -> bool {
        matches!(self, Rule::Cascade)
    }

    pub(crate) const fn is_restrict(&self) -> bool {
        matches!(self, Rule::Restrict)
    }
}

/// An `on_delete` action, with Django's meaning: what a delete of a parent row does to the rows
/// whose foreign key references it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Action {
    /// The referencing rows are deleted too, and their own dependents by their own rules.
    Cascade,
    /// The delete fails with [`DeleteError::Protected`](crate::DeleteError::Protected).
    Protect,
    /// Like `Protect`, unless every referencing row is itself deleted by another cascade path of
    /// the same operation.
    Restrict,
    /// The foreign key is set to `NULL`.
    SetNull,
    /// The foreign key is set to the declared default (`set_default = <value>`).
    SetDefault,
    /// Nothing: the database's own constraint decides.
    DoNothing,
}

impl Action {
    /// The attribute spelling of the action (`cascade`, `set_null`, ...).
    ///
    /// ```
    /// assert_eq!(deletable::Action::SetNull.name(), "set_null");
    /// ```
    pub const fn name(&self) -> &'static str {
        match self {
            Action::Cascade => "cascade",
            Action::Protect => "protect",
            Action::Restrict => "restrict",
            Action::SetNull => "set_null",
            Action::SetDefault => "set_default",
            Action::DoNothing => "do_nothing",
        }
    }
}

/// Prints the attribute spelling, as [`Action::name`].
impl fmt::Display for Action {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The SQL name Diesel's `table!` gives a table (its `#[sql_name]`, or the name as written),
/// read at compile time. A schema-qualified table (`archive.people`) has none here: `deletable`
/// would name it without its schema, and so reach another table, so it does not compile.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is a schema-qualified table, which `deletable` does not support yet",
    label = "declared as `schema.table` in `diesel::table!`",
    note = "without its schema, the table's name could reach a table of the same name elsewhere"
)]
pub trait SqlTableName {
    /// The table's name in SQL.
    const NAME: &'static str;
}

impl<T> SqlTableName for T
where
    T: diesel::internal::table_macro::StaticQueryFragment<
        Component = diesel::internal::table_macro::Identifier<'static>,
    >,
{
    const NAME: &'static str = T::STATIC_COMPONENT.0;
}
