//! The per-backend seam: what differs between SQLite, PostgreSQL, MySQL and MariaDB in the
//! statements a plan generates. Everything else is written once, through Diesel's `AstPass`,
//! which already quotes identifiers and numbers bind parameters the backend's way.

use std::borrow::Cow;

use diesel::backend::Backend;
use diesel::query_builder::AstPass;
use diesel::result::DatabaseErrorInformation;
#[cfg(any(feature = "mysql", feature = "mariadb"))]
use diesel::sql_types::Unsigned;
use diesel::sql_types::{BigInt, Bool, Integer, SmallInt, Text};
use diesel::QueryResult;

use crate::model::TimestampType;
use crate::value::SqlValue;

/// A Diesel backend `deletable` generates SQL for: SQLite, PostgreSQL, MySQL and MariaDB, each
/// with its feature.
///
/// Sealed: it cannot be implemented outside `deletable`, whose SQL generator lives in a
/// supertrait that users cannot name. Generic code can still reach that supertrait's items
/// through this bound; they are not part of the API, and change without notice.
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// use deletable::Dialect;
///
/// assert_eq!(<diesel::sqlite::Sqlite as Dialect>::MAX_BIND_PARAMS, 32_766);
/// # }
/// ```
pub trait Dialect: SqlDialect {
    /// The most bind parameters one statement may carry. A delete given more keys than its
    /// statements can bind puts them in a temporary table first, in chunks of this size.
    const MAX_BIND_PARAMS: usize;
}

/// What differs between the backends in the SQL a plan generates. Public in a private module:
/// [`Dialect`] requires it, and no one outside this crate can name it, which seals both.
pub trait SqlDialect: Backend + Sized + 'static {
    /// The type a key column is cast to when blocking keys are listed in an error.
    const TEXT_TYPE: &'static str;

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

    /// Whether an operation's transaction writes before it reads. SQLite's `BEGIN` takes the
    /// write lock at the first write, and in WAL mode a transaction that has read can no longer
    /// take it once another connection has committed (`SQLITE_BUSY` at once, whatever the busy
    /// timeout): a first statement that changes nothing takes the lock, waiting as the busy
    /// timeout allows.
    const WRITE_LOCK_FIRST: bool = false;

    /// Whether foreign keys are checked (InnoDB) or their `ON DELETE` actions run (SQLite) row by
    /// row as a statement runs, rather than at its end: then a statement deleting a subtree must
    /// not meet a child after its parent (the database would refuse the parent, or cascade to the
    /// child behind the statement's back and out of its row count), so the subtree's tree foreign
    /// keys are cleared first.
    const FOREIGN_KEYS_ACT_PER_ROW: bool = false;

    /// Whether a `NO ACTION`/`RESTRICT` foreign key is checked for each row as a statement deletes
    /// it (InnoDB), rather than at the statement's end: then rows of one table that reference
    /// each other cannot go in one `DELETE` unless their references are cleared first.
    const FOREIGN_KEYS_CHECKED_PER_ROW: bool = false;

    /// Written before each statement of a plan that walks a tree. MariaDB stops a recursive
    /// query after `max_recursive_iterations` (1,000 by default) levels; `SET STATEMENT ... FOR`
    /// lifts that for the statement alone.
    const TREE_STATEMENT_PREFIX: &'static str = "";

    /// Written after the first keyword (`SELECT`, `UPDATE`, `DELETE`, `INSERT`) of each
    /// statement of a plan that walks a tree. MySQL stops a recursive query after
    /// `cte_max_recursion_depth` (1,000 by default) levels; its `SET_VAR` hint lifts that for the
    /// statement alone, where the statement begins with one of those keywords.
    const TREE_STATEMENT_HINT: &'static str = "";

    /// Whether Diesel's `Timestamp` is a column that takes and gives wall time in the session's
    /// time zone and stores the instant (MySQL's and MariaDB's `TIMESTAMP`; their `DATETIME` is
    /// zoneless). A UTC mark then goes to it through `CONVERT_TZ` to the session's zone, which
    /// takes offsets, `SYSTEM` and, where the zone tables are loaded, the named zones a session
    /// can be set to.
    const TIMESTAMP_IN_SESSION_ZONE: bool = false;

    /// Whether a `DELETE` or `UPDATE` may read the table it changes in a subquery (MySQL refuses
    /// it, error 1093): where it may not, a filter's roots always go through a temporary table.
    const CHANGED_TABLE_READABLE: bool = true;

    /// Written before the rows of `(a, b) IN (<rows>)`: SQLite takes only a subquery there,
    /// so `VALUES (1, 2), (3, 4)`; the others take the list of rows itself.
    const ROW_LIST_PREFIX: &'static str = "";

    /// How a temporary table is dropped. MySQL and MariaDB commit the open transaction on a plain
    /// `DROP TABLE`, even of a temporary table; `DROP TEMPORARY TABLE` does not.
    const DROP_TEMPORARY_TABLE: &'static str = "DROP TABLE ";

    /// Whether a rollback drops the temporary tables created in its transaction (MySQL and
    /// MariaDB keep them).
    const TEMP_TABLES_TRANSACTIONAL: bool = true;

    /// Whether one statement may read the same temporary table twice (MySQL cannot: "Can't
    /// reopen table"; MariaDB can since 10.2).
    const TEMP_TABLE_REOPENS: bool = true;

    /// Whether a delete may leave a table to the database's own `ON DELETE CASCADE`: the database
    /// can report, inside the delete's transaction, whether a foreign key cascades right now and
    /// how many rows a table lost. PostgreSQL can; SQLite runs our statements faster than its own
    /// cascade, and MySQL neither fires triggers on cascaded rows nor counts them.
    const DATABASE_CASCADES: bool = false;

    /// Whether an error inside a transaction aborts it (PostgreSQL): every later statement
    /// fails, and its `COMMIT` rolls back without an error.
    const ERROR_ABORTS_TRANSACTION: bool = false;

    /// The column that numbers a new table's rows in the order they were inserted, if the
    /// backend has one (SQLite's `rowid`): a table of keys is then numbered by inserting them
    /// in key order, with no window function and no index of its own, which on SQLite, in the
    /// process's memory, costs less.
    const INSERTION_NUMBER: Option<&'static str> = None;

    /// The join that reads its left table first: a key table, then each key's rows by the
    /// referencing column's index. SQLite's planner, which knows no statistics of a temporary
    /// table, may otherwise scan the whole referencing table; `CROSS JOIN` keeps the order.
    const JOIN_IN_ORDER: &'static str = "INNER JOIN";

    /// The page cache, in KiB, that the temporary schema keeps while a chunked operation's key
    /// tables exist, if the backend caches them in the process (SQLite: by default up to 2 MB,
    /// which at a million keys is most of the operation's memory). The tables are written and
    /// read in order, so a small cache costs no time.
    const KEY_TABLE_CACHE_KIB: Option<i64> = None;

    /// Whether a table's indexes are declared in its `CREATE TABLE`: MySQL and MariaDB commit
    /// the open transaction on `CREATE INDEX`, even on a temporary table.
    const INDEX_IN_CREATE_TABLE: bool = false;

    /// Whether an open transaction, or a savepoint in it, can be made read-only from then on
    /// (PostgreSQL's `SET TRANSACTION READ ONLY`, undone with the savepoint). MySQL and MariaDB
    /// take it only before a transaction begins; SQLite has no such mode.
    const READ_ONLY_IN_TRANSACTION: bool = false;

    /// A boolean expression: whether the database's referential actions fire in this session and
    /// their deletes are counted per table.
    fn push_cascades_counted(out: &mut AstPass<'_, '_, Self>) -> QueryResult<()> {
        let _ = out;
        Err(unsupported())
    }

    /// A boolean expression: whether deleting rows of `edge.parent_table` makes the database
    /// delete, right now, the rows of `edge.table` whose `edge.column` references them
    /// (`edge.parent_column`), and nothing else of the user's runs on either table meanwhile (a
    /// trigger of theirs could delete rows of `edge.table` that the count would then include).
    fn push_declares_cascade<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        edge: &'b CascadeEdge,
    ) -> QueryResult<()> {
        let _ = (out, edge);
        Err(unsupported())
    }

    /// The table (and, where the error names it, the column) of the foreign key a violation
    /// reports; `None` where the database does not say which key failed (SQLite).
    fn violated_reference(info: &dyn DatabaseErrorInformation) -> Option<(String, Option<String>)> {
        let _ = info;
        None
    }

    /// A query answering with one text that [`SqlDialect::key_declaration`] reads: how the database
    /// declares the foreign key from `key.table`'s `key.column` to `key.parent_table`.
    fn push_key_declaration<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b KeyColumn,
    ) -> QueryResult<()>;

    /// A query answering with one text: what the database says of the foreign key of one column
    /// from `key.table`'s `key.column` to `key.parent_table`'s `parent_column`, enforced (on
    /// PostgreSQL, its triggers enabled), as five fields separated by `|`:
    /// whether the table exists (`1`/`0`), whether the column does, whether the column is
    /// nullable (`1`/`0`, empty without a column), the `ON DELETE` actions of the keys declared
    /// on it (PostgreSQL's letters `a r c n d`, or the SQL standard's names, separated by
    /// commas), and whether the session enforces foreign keys (`1`/`0`). Read by
    /// [`verify`](crate::Plan::verify).
    fn push_key_description<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        described: &'b DescribedKey,
    ) -> QueryResult<()>;

    /// A query answering with one row per foreign key of `table` the database declares
    /// `ON DELETE CASCADE` (enforced, as [`push_key_description`](SqlDialect) counts them):
    /// its column, its parent table and the referenced column (empty on SQLite for the
    /// parent's key), separated by `char(31)`. Read by
    /// [`verify`](crate::Plan::verify) for the tables with hooks.
    fn push_cascading_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        table: &'b &'static str,
    ) -> QueryResult<()>;

    /// How [`migration`](crate::Plan::migration) alters this backend's foreign keys.
    const KEY_DDL: KeyDdl;

    /// A query answering with one row per foreign key of one column from `key.column` to
    /// `key.parent_table` (to its `parent_column`, if given), whether or not it is enforced:
    /// the keys [`migration`](crate::Plan::migration) replaces. Each row's fields are
    /// separated by `char(31)`: on PostgreSQL the key's name, its deferral clause, its
    /// `ON UPDATE` letter, its definition (`pg_get_constraintdef`), the referenced column and
    /// its `ON DELETE` letter; on MySQL and MariaDB its name, `UPDATE_RULE`, `DELETE_RULE` and
    /// referenced column; on SQLite, which names no key, its number, `on_update`, `on_delete`
    /// and `to`. Then, where the backend needs them, a row of an empty field and an index's
    /// name for each index the column leads (InnoDB), and a row of two empty fields and a name
    /// for each name a new key cannot take.
    fn push_existing_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b ReplacedKey,
    ) -> QueryResult<()> {
        let _ = (out, key);
        Err(no_key_ddl())
    }

    /// A query answering with the rows a SQLite table is rebuilt from: `T` and its
    /// `CREATE TABLE` text, `I` and the text of each of its indexes and triggers, `C` and the
    /// name of each column a row is copied by (generated columns left out). Only SQLite, which
    /// cannot alter a key, rebuilds a table.
    fn push_table_definition<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        table: &'b &'static str,
    ) -> QueryResult<()> {
        let _ = (out, table);
        Err(no_key_ddl())
    }

    /// Reads the answer of [`SqlDialect::push_key_declaration`]: `0` no such key, `1` checked at
    /// once, `2` deferrable.
    fn key_declaration(answer: &str, key: &KeyColumn) -> KeyDeclaration {
        let _ = key;
        match answer.trim() {
            "1" => KeyDeclaration::Immediate,
            "2" => KeyDeclaration::Deferrable,
            _ => KeyDeclaration::Absent,
        }
    }

    /// An integer expression: the rows deleted from `table` so far in this transaction, by
    /// statements and referential actions alike.
    fn push_deleted_in_transaction<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        table: &'b &'static str,
    ) -> QueryResult<()> {
        let _ = (out, table);
        Err(unsupported())
    }

    /// Binds one value.
    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()>;

    /// Binds a soft-delete mark, an instant given as UTC text (`YYYY-MM-DD HH:MM:SS.ffffff`), as
    /// a value of a column of `column` type that holds that instant whatever the session's time
    /// zone. Where a type is zoneless, it holds UTC.
    fn push_timestamp<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        value: &'b SqlValue,
        column: TimestampType,
    ) -> QueryResult<()> {
        if !(Self::TIMESTAMP_IN_SESSION_ZONE && column == TimestampType::Timestamp) {
            return Self::push_value(out, value);
        }
        out.push_sql("CONVERT_TZ(");
        Self::push_value(out, value)?;
        out.push_sql(", '+00:00', @@session.time_zone)");
        Ok(())
    }

    /// A mark (UTC wall time, as text) as a value that compares with
    /// [`push_timestamp_as_utc`](SqlDialect::push_timestamp_as_utc).
    fn push_utc_instant<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        value: &'b SqlValue,
    ) -> QueryResult<()> {
        Self::push_value(out, value)
    }

    /// A column of soft-delete marks, as UTC wall time (so marks of columns of different types
    /// compare as instants).
    fn push_timestamp_as_utc(
        out: &mut AstPass<'_, '_, Self>,
        table: &str,
        column: &str,
        column_type: TimestampType,
    ) -> QueryResult<()> {
        if !(Self::TIMESTAMP_IN_SESSION_ZONE && column_type == TimestampType::Timestamp) {
            return push_column(out, table, column);
        }
        out.push_sql("CONVERT_TZ(");
        push_column(out, table, column)?;
        out.push_sql(", @@session.time_zone, '+00:00')");
        Ok(())
    }
}

/// A cascade edge of a plan, as the database's catalog names it.
#[derive(Debug, Clone, Copy)]
pub struct CascadeEdge {
    /// The child table.
    pub table: &'static str,
    /// Its foreign key column.
    pub column: &'static str,
    /// The parent table.
    pub parent_table: &'static str,
    /// The parent's key column.
    pub parent_column: &'static str,
}

/// A foreign key column, as [`SqlDialect::push_key_declaration`] asks about it.
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct KeyColumn {
    /// The referencing table.
    pub table: &'static str,
    /// Its foreign key column.
    pub column: &'static str,
    /// The referenced table.
    pub parent_table: &'static str,
}

/// A foreign key as [`verify`](crate::Plan::verify) asks the database of it: the key, and the
/// referenced column (the parent's primary key).
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct DescribedKey {
    /// The key.
    pub key: KeyColumn,
    /// The referenced column.
    pub parent_column: &'static str,
}

/// A foreign key a [`migration`](crate::Plan::migration) replaces: from `table.column` to
/// `parent_table`, a rule's (to the parent's key) or one the models have no rule for, read from
/// the database (to whichever column it references).
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct ReplacedKey {
    /// The referencing table.
    pub table: &'static str,
    /// Its column.
    pub column: Cow<'static, str>,
    /// The referenced table.
    pub parent_table: Cow<'static, str>,
    /// The referenced column: the parent's key for a rule; for a key no rule covers, the one
    /// the database names (`None` for the parent's key, on SQLite, or before it is read).
    pub parent_column: Option<Cow<'static, str>>,
}

/// How the database declares a foreign key.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDeclaration {
    /// No such foreign key: nothing checks it.
    Absent,
    /// Checked at once: at the end of each statement, or row by row.
    Immediate,
    /// Deferrable: checked at commit, or at once if the session says so.
    Deferrable,
}

/// How a backend's foreign keys are altered, as [`migration`](crate::Plan::migration) writes it.
#[doc(hidden)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyDdl {
    /// `ALTER TABLE ... DROP CONSTRAINT` and `ADD CONSTRAINT`, in double quotes.
    Postgres,
    /// `ALTER TABLE ... DROP FOREIGN KEY` and `ADD CONSTRAINT`, in backquotes; InnoDB takes no
    /// `SET DEFAULT` (MySQL refuses it, MariaDB drops it).
    InnoDb,
    /// No way to alter a key: the table is rebuilt from its own text, SQLite's way.
    SqliteRebuild,
}

fn no_key_ddl() -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        "this backend does not read its keys this way for a migration".into(),
    )
}

fn unsupported() -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        "this backend does not leave cascades to the database".into(),
    )
}

/// A dialect's facts as values, for the executor (which sees the connection, not the backend).
#[doc(hidden)]
#[derive(Debug, Clone, Copy)]
pub struct DialectInfo {
    pub max_bind_params: usize,
    pub locks_rows: bool,
    pub write_lock_first: bool,
    pub delete_by_join: bool,
    pub temp_table_reopens: bool,
    pub temp_tables_transactional: bool,
    pub foreign_keys_act_per_row: bool,
    pub foreign_keys_checked_per_row: bool,
    pub database_cascades: bool,
    pub changed_table_readable: bool,
    pub error_aborts_transaction: bool,
    pub numbers_by_insertion: bool,
    pub index_in_create_table: bool,
    pub key_table_cache_kib: Option<i64>,
    pub read_only_in_transaction: bool,
    pub key_ddl: KeyDdl,
    /// [`SqlDialect::violated_reference`].
    pub violated_reference: ViolatedReference,
    /// [`SqlDialect::key_declaration`].
    pub key_declaration: fn(&str, &KeyColumn) -> KeyDeclaration,
}

/// Reads the table (and column) of a violated foreign key from a database error.
pub type ViolatedReference = fn(&dyn DatabaseErrorInformation) -> Option<(String, Option<String>)>;

impl DialectInfo {
    /// The facts of `DB`.
    pub fn of<DB: Dialect>() -> Self {
        DialectInfo {
            max_bind_params: DB::MAX_BIND_PARAMS,
            locks_rows: DB::LOCKS_ROWS,
            write_lock_first: DB::WRITE_LOCK_FIRST,
            delete_by_join: DB::DELETE_BY_JOIN,
            temp_table_reopens: DB::TEMP_TABLE_REOPENS,
            temp_tables_transactional: DB::TEMP_TABLES_TRANSACTIONAL,
            foreign_keys_act_per_row: DB::FOREIGN_KEYS_ACT_PER_ROW,
            foreign_keys_checked_per_row: DB::FOREIGN_KEYS_CHECKED_PER_ROW,
            database_cascades: DB::DATABASE_CASCADES,
            changed_table_readable: DB::CHANGED_TABLE_READABLE,
            error_aborts_transaction: DB::ERROR_ABORTS_TRANSACTION,
            numbers_by_insertion: DB::INSERTION_NUMBER.is_some(),
            index_in_create_table: DB::INDEX_IN_CREATE_TABLE,
            key_table_cache_kib: DB::KEY_TABLE_CACHE_KIB,
            read_only_in_transaction: DB::READ_ONLY_IN_TRANSACTION,
            key_ddl: DB::KEY_DDL,
            violated_reference: DB::violated_reference,
            key_declaration: DB::key_declaration,
        }
    }
}

/// Binds a [`SqlValue`] on any backend that maps Diesel's basic types; each [`Dialect`] impl
/// forwards here, and binds the rest (unsigned integers) itself where Diesel maps them for it.
macro_rules! push_basic_value {
    ($backend:ty, $out:expr, $value:expr, $other:pat => $otherwise:expr) => {{
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
            SqlValue::Typed(value) => value.push(out),
            $other => $otherwise,
        }
    }};
}

/// A `set_default` value of a type Diesel does not map for this backend (unsigned integers
/// outside MySQL and MariaDB): no model of this backend can hold one.
fn unbindable(backend: &str, value: &SqlValue) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("{backend} has no column type for the value {value}").into(),
    )
}

/// The table and column of the foreign key an InnoDB violation names: "... a foreign key
/// constraint fails (`db`.`flags`, CONSTRAINT `name` FOREIGN KEY (`comment_id`) REFERENCES ...".
#[cfg(any(feature = "mysql", feature = "mariadb"))]
fn innodb_violated_reference(message: &str) -> Option<(String, Option<String>)> {
    let unquote = |name: &str| name.trim().trim_matches('`').to_owned();
    let (_, rest) = message.split_once("constraint fails (")?;
    let (qualified, rest) = rest.split_once(", CONSTRAINT ")?;
    let table = unquote(
        qualified
            .rsplit_once("`.`")
            .map_or(qualified, |(_, table)| table),
    );
    let column = rest
        .split_once("FOREIGN KEY (")
        .and_then(|(_, columns)| columns.split_once(')'))
        .map(|(columns, _)| unquote(columns));
    Some((table, column))
}

/// InnoDB checks every foreign key at once: `1` when the key is declared, else `0`.
#[cfg(any(feature = "mysql", feature = "mariadb"))]
fn push_innodb_key_declaration<'b, DB>(
    out: &mut AstPass<'_, 'b, DB>,
    key: &'b KeyColumn,
) -> QueryResult<()>
where
    DB: Dialect,
    str: diesel::serialize::ToSql<Text, DB>,
{
    out.push_sql(
        "SELECT CAST(COUNT(*) > 0 AS CHAR) FROM information_schema.KEY_COLUMN_USAGE \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(key.table)?;
    out.push_sql(" AND COLUMN_NAME = ");
    out.push_bind_param::<Text, str>(key.column)?;
    out.push_sql(" AND REFERENCED_TABLE_NAME = ");
    out.push_bind_param::<Text, str>(key.parent_table)
}

/// [`SqlDialect::push_key_description`] on MySQL and MariaDB, from `information_schema`.
#[cfg(any(feature = "mysql", feature = "mariadb"))]
fn push_innodb_key_description<'b, DB>(
    out: &mut AstPass<'_, 'b, DB>,
    described: &'b DescribedKey,
) -> QueryResult<()>
where
    DB: Dialect,
    str: diesel::serialize::ToSql<Text, DB>,
{
    let key = &described.key;
    out.push_sql(
        "SELECT CONCAT_WS('|', \
         (SELECT COUNT(*) FROM information_schema.TABLES \
          WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(key.table)?;
    out.push_sql(
        "), (SELECT COUNT(*) FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(key.table)?;
    out.push_sql(" AND COLUMN_NAME = ");
    out.push_bind_param::<Text, str>(key.column)?;
    out.push_sql(
        "), COALESCE((SELECT MAX(IF(IS_NULLABLE = 'YES', 1, 0)) FROM information_schema.COLUMNS \
         WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(key.table)?;
    out.push_sql(" AND COLUMN_NAME = ");
    out.push_bind_param::<Text, str>(key.column)?;
    out.push_sql(
        "), ''), COALESCE((SELECT GROUP_CONCAT(r.DELETE_RULE SEPARATOR ',') \
         FROM information_schema.REFERENTIAL_CONSTRAINTS r \
         JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA \
         AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND k.TABLE_NAME = r.TABLE_NAME \
         WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(key.table)?;
    out.push_sql(" AND k.COLUMN_NAME = ");
    out.push_bind_param::<Text, str>(key.column)?;
    out.push_sql(" AND k.REFERENCED_TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME = ");
    out.push_bind_param::<Text, str>(key.parent_table)?;
    out.push_sql(" AND k.REFERENCED_COLUMN_NAME = ");
    out.push_bind_param::<Text, str>(described.parent_column)?;
    // Keys of one column only.
    out.push_sql(
        " AND (SELECT COUNT(*) FROM information_schema.KEY_COLUMN_USAGE k2 \
         WHERE k2.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND k2.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
         AND k2.TABLE_NAME = k.TABLE_NAME) = 1",
    );
    // As text the variable reads `ON` or `OFF`.
    out.push_sql("), ''), CAST(@@foreign_key_checks AS SIGNED))");
    Ok(())
}

/// [`SqlDialect::push_existing_keys`] on MySQL and MariaDB.
#[cfg(any(feature = "mysql", feature = "mariadb"))]
fn push_innodb_existing_keys<'b, DB>(
    out: &mut AstPass<'_, 'b, DB>,
    key: &'b ReplacedKey,
) -> QueryResult<()>
where
    DB: Dialect,
    str: diesel::serialize::ToSql<Text, DB>,
{
    out.push_sql(
        "SELECT CONCAT_WS(CHAR(31 USING utf8mb4), k.CONSTRAINT_NAME, r.UPDATE_RULE, \
         r.DELETE_RULE, k.REFERENCED_COLUMN_NAME) \
         FROM information_schema.REFERENTIAL_CONSTRAINTS r \
         JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA \
         AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND k.TABLE_NAME = r.TABLE_NAME \
         WHERE k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(key.table)?;
    out.push_sql(" AND k.COLUMN_NAME = ");
    out.push_bind_param::<Text, str>(&key.column)?;
    out.push_sql(" AND k.REFERENCED_TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME = ");
    out.push_bind_param::<Text, str>(&key.parent_table)?;
    if let Some(parent_column) = &key.parent_column {
        out.push_sql(" AND k.REFERENCED_COLUMN_NAME = ");
        out.push_bind_param::<Text, str>(parent_column)?;
    }
    out.push_sql(
        " AND (SELECT COUNT(*) FROM information_schema.KEY_COLUMN_USAGE k2 \
         WHERE k2.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND k2.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
         AND k2.TABLE_NAME = k.TABLE_NAME) = 1",
    );
    // An index the column leads, as a row of an empty name and the index's: without one,
    // adding the key creates one, which the down migration then drops.
    out.push_sql(
        " UNION ALL SELECT CONCAT(CHAR(31 USING utf8mb4), INDEX_NAME) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(key.table)?;
    out.push_sql(" AND COLUMN_NAME = ");
    out.push_bind_param::<Text, str>(&key.column)?;
    out.push_sql(" AND SEQ_IN_INDEX = 1");
    // The names a new key's must differ from: every foreign key's of the database (InnoDB
    // names them per database), and every constraint's and index's of the table.
    out.push_sql(
        " UNION ALL SELECT CONCAT(CHAR(31 USING utf8mb4), CHAR(31 USING utf8mb4), CONSTRAINT_NAME) \
         FROM information_schema.TABLE_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE() \
         AND (CONSTRAINT_TYPE = 'FOREIGN KEY' OR TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(key.table)?;
    out.push_sql(
        ") UNION ALL SELECT CONCAT(CHAR(31 USING utf8mb4), CHAR(31 USING utf8mb4), INDEX_NAME) \
         FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(key.table)?;
    out.push_sql(" ORDER BY 1");
    Ok(())
}

/// [`SqlDialect::push_cascading_keys`] on MySQL and MariaDB.
#[cfg(any(feature = "mysql", feature = "mariadb"))]
fn push_innodb_cascading_keys<'b, DB>(
    out: &mut AstPass<'_, 'b, DB>,
    table: &'b &'static str,
) -> QueryResult<()>
where
    DB: Dialect,
    str: diesel::serialize::ToSql<Text, DB>,
{
    out.push_sql(
        "SELECT CONCAT_WS(CHAR(31 USING utf8mb4), k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, \
         k.REFERENCED_COLUMN_NAME) \
         FROM information_schema.REFERENTIAL_CONSTRAINTS r \
         JOIN information_schema.KEY_COLUMN_USAGE k ON k.CONSTRAINT_SCHEMA = r.CONSTRAINT_SCHEMA \
         AND k.CONSTRAINT_NAME = r.CONSTRAINT_NAME AND k.TABLE_NAME = r.TABLE_NAME \
         WHERE r.DELETE_RULE = 'CASCADE' AND @@foreign_key_checks = 1 \
         AND k.TABLE_SCHEMA = DATABASE() AND k.TABLE_NAME = ",
    );
    out.push_bind_param::<Text, str>(table)
}

/// Unsigned integers, as Diesel binds them for MySQL and MariaDB.
#[cfg(any(feature = "mysql", feature = "mariadb"))]
fn push_unsigned<'b, DB>(
    out: &mut AstPass<'_, 'b, DB>,
    value: &'b SqlValue,
    backend: &str,
) -> QueryResult<()>
where
    DB: Dialect
        + diesel::sql_types::HasSqlType<Unsigned<SmallInt>>
        + diesel::sql_types::HasSqlType<Unsigned<Integer>>
        + diesel::sql_types::HasSqlType<Unsigned<BigInt>>,
    u16: diesel::serialize::ToSql<Unsigned<SmallInt>, DB>,
    u32: diesel::serialize::ToSql<Unsigned<Integer>, DB>,
    u64: diesel::serialize::ToSql<Unsigned<BigInt>, DB>,
{
    match value {
        SqlValue::UnsignedSmallInt(value) => out.push_bind_param::<Unsigned<SmallInt>, _>(value),
        SqlValue::UnsignedInteger(value) => out.push_bind_param::<Unsigned<Integer>, _>(value),
        SqlValue::UnsignedBigInt(value) => out.push_bind_param::<Unsigned<BigInt>, _>(value),
        other => Err(unbindable(backend, other)),
    }
}

#[cfg(feature = "sqlite")]
impl Dialect for diesel::sqlite::Sqlite {
    // SQLITE_MAX_VARIABLE_NUMBER of the bundled SQLite (3.32 and later).
    const MAX_BIND_PARAMS: usize = 32_766;
}

#[cfg(feature = "sqlite")]
impl SqlDialect for diesel::sqlite::Sqlite {
    const TEXT_TYPE: &'static str = "TEXT";
    const LOCKS_ROWS: bool = false;
    const WRITE_LOCK_FIRST: bool = true;
    const FOREIGN_KEYS_ACT_PER_ROW: bool = true;
    const ROW_LIST_PREFIX: &'static str = "VALUES ";
    const INSERTION_NUMBER: Option<&'static str> = Some("rowid");
    const JOIN_IN_ORDER: &'static str = "CROSS JOIN";
    const KEY_TABLE_CACHE_KIB: Option<i64> = Some(256);

    fn push_key_declaration<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b KeyColumn,
    ) -> QueryResult<()> {
        // SQLite keeps no column for deferral: the table's own text says it, unless the session
        // defers every key (`PRAGMA defer_foreign_keys`).
        out.push_sql(
            "SELECT (SELECT defer_foreign_keys FROM pragma_defer_foreign_keys) || char(10) || \
             COALESCE((SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ",
        );
        out.push_bind_param::<Text, _>(&key.table)?;
        out.push_sql(" COLLATE NOCASE), '')");
        Ok(())
    }

    fn push_key_description<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        described: &'b DescribedKey,
    ) -> QueryResult<()> {
        let key = &described.key;
        out.push_sql("SELECT (SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = ");
        out.push_bind_param::<Text, _>(&key.table)?;
        out.push_sql(" COLLATE NOCASE) || '|' || (SELECT COUNT(*) FROM pragma_table_info(");
        out.push_bind_param::<Text, _>(&key.table)?;
        out.push_sql(") WHERE name = ");
        out.push_bind_param::<Text, _>(&key.column)?;
        out.push_sql(" COLLATE NOCASE) || '|' || COALESCE((SELECT MAX(1 - \"notnull\") FROM pragma_table_info(");
        out.push_bind_param::<Text, _>(&key.table)?;
        out.push_sql(") WHERE name = ");
        out.push_bind_param::<Text, _>(&key.column)?;
        out.push_sql(
            " COLLATE NOCASE), '') || '|' || COALESCE((SELECT group_concat(on_delete, ',') \
             FROM pragma_foreign_key_list(",
        );
        out.push_bind_param::<Text, _>(&key.table)?;
        out.push_sql(") WHERE \"from\" = ");
        out.push_bind_param::<Text, _>(&key.column)?;
        out.push_sql(" COLLATE NOCASE AND \"table\" = ");
        out.push_bind_param::<Text, _>(&key.parent_table)?;
        // No `to`: the parent's primary key. Keys of one column only.
        out.push_sql(" COLLATE NOCASE AND (\"to\" IS NULL OR \"to\" = ");
        out.push_bind_param::<Text, _>(&described.parent_column)?;
        out.push_sql(" COLLATE NOCASE) AND id IN (SELECT id FROM pragma_foreign_key_list(");
        out.push_bind_param::<Text, _>(&key.table)?;
        out.push_sql(
            ") GROUP BY id HAVING COUNT(*) = 1)), '') || '|' || \
             (SELECT foreign_keys FROM pragma_foreign_keys)",
        );
        Ok(())
    }

    fn push_cascading_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        table: &'b &'static str,
    ) -> QueryResult<()> {
        out.push_sql(
            "SELECT \"from\" || char(31) || \"table\" || char(31) || COALESCE(\"to\", '') \
             FROM pragma_foreign_key_list(",
        );
        out.push_bind_param::<Text, _>(table)?;
        out.push_sql(
            ") WHERE on_delete = 'CASCADE' AND (SELECT foreign_keys FROM pragma_foreign_keys) = 1",
        );
        Ok(())
    }

    const KEY_DDL: KeyDdl = KeyDdl::SqliteRebuild;

    fn push_existing_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b ReplacedKey,
    ) -> QueryResult<()> {
        // SQLite names no key: its number stands for the name.
        out.push_sql(
            "SELECT id || char(31) || on_update || char(31) || on_delete || char(31) || \
             COALESCE(\"to\", '') FROM pragma_foreign_key_list(",
        );
        out.push_bind_param::<Text, str>(key.table)?;
        out.push_sql(") WHERE \"from\" = ");
        out.push_bind_param::<Text, str>(&key.column)?;
        out.push_sql(" COLLATE NOCASE AND \"table\" = ");
        out.push_bind_param::<Text, str>(&key.parent_table)?;
        out.push_sql(" COLLATE NOCASE AND id IN (SELECT id FROM pragma_foreign_key_list(");
        out.push_bind_param::<Text, str>(key.table)?;
        out.push_sql(") GROUP BY id HAVING COUNT(*) = 1)");
        if let Some(parent_column) = &key.parent_column {
            out.push_sql(" AND \"to\" = ");
            out.push_bind_param::<Text, str>(parent_column)?;
            out.push_sql(" COLLATE NOCASE");
        }
        Ok(())
    }

    fn push_table_definition<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        table: &'b &'static str,
    ) -> QueryResult<()> {
        out.push_sql("SELECT 'T' || sql FROM sqlite_master WHERE type = 'table' AND name = ");
        out.push_bind_param::<Text, _>(table)?;
        out.push_sql(
            " COLLATE NOCASE UNION ALL SELECT 'I' || sql FROM sqlite_master \
             WHERE type IN ('index', 'trigger') AND sql IS NOT NULL AND tbl_name = ",
        );
        out.push_bind_param::<Text, _>(table)?;
        // `hidden`: 0 a stored column, 1 a virtual table's hidden one, 2 and 3 generated.
        // The main schema's table, even when a temporary table of the same name hides it.
        out.push_sql(" COLLATE NOCASE UNION ALL SELECT 'C' || name FROM pragma_table_xinfo(");
        out.push_bind_param::<Text, _>(table)?;
        out.push_sql(", 'main') WHERE hidden = 0");
        Ok(())
    }

    fn key_declaration(answer: &str, key: &KeyColumn) -> KeyDeclaration {
        let (deferred_session, create_table) = answer.split_once('\n').unwrap_or((answer, ""));
        if deferred_session.trim() == "1" {
            return KeyDeclaration::Deferrable;
        }
        crate::sql::key_deferral::declaration(create_table, key.column, key.parent_table)
    }

    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        push_basic_value!(Self, out, value, other => Err(unbindable("SQLite", other)))
    }
}

/// The condition on `pg_constraint k` (joined with the referencing column's `pg_attribute a`)
/// that selects the single-column foreign key from `table.column` to `parent`, both resolved as
/// the session's statements resolve them (by the `search_path`).
#[cfg(feature = "postgres")]
fn push_pg_key_match<'b>(
    out: &mut AstPass<'_, 'b, diesel::pg::Pg>,
    table: &'b &'static str,
    column: &'b &'static str,
    parent: &'b &'static str,
) -> QueryResult<()> {
    out.push_sql(
        "k.contype = 'f' AND cardinality(k.conkey) = 1 AND k.conrelid = to_regclass(quote_ident(",
    );
    out.push_bind_param::<Text, _>(table)?;
    out.push_sql(")) AND a.attname = ");
    out.push_bind_param::<Text, _>(column)?;
    out.push_sql(" AND k.confrelid = to_regclass(quote_ident(");
    out.push_bind_param::<Text, _>(parent)?;
    out.push_sql("))");
    Ok(())
}

#[cfg(feature = "postgres")]
impl Dialect for diesel::pg::Pg {
    const MAX_BIND_PARAMS: usize = 65_535;
}

#[cfg(feature = "postgres")]
impl SqlDialect for diesel::pg::Pg {
    const TEXT_TYPE: &'static str = "TEXT";
    const DATABASE_CASCADES: bool = true;
    const ERROR_ABORTS_TRANSACTION: bool = true;
    const READ_ONLY_IN_TRANSACTION: bool = true;

    fn push_cascades_counted(out: &mut AstPass<'_, '_, Self>) -> QueryResult<()> {
        // In the `replica` role only `ENABLE REPLICA`/`ALWAYS` triggers fire, and the
        // referential actions are ordinary ones; without `track_counts` nothing is counted.
        out.push_sql(
            "(current_setting('session_replication_role') <> 'replica' \
             AND CAST(current_setting('track_counts') AS BOOLEAN))",
        );
        Ok(())
    }

    fn push_declares_cascade<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        edge: &'b CascadeEdge,
    ) -> QueryResult<()> {
        // A single-column `ON DELETE CASCADE` key from the column to the parent's key, between
        // plain tables (a partitioned or inherited table counts its deletes elsewhere), none of
        // whose triggers is disabled, and neither table with an enabled trigger of the user's.
        out.push_sql(
            "EXISTS (SELECT 1 FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
             JOIN pg_catalog.pg_attribute p ON p.attrelid = k.confrelid AND p.attnum = k.confkey[1] \
             JOIN pg_catalog.pg_class c ON c.oid = k.conrelid \
             WHERE k.confdeltype = 'c' AND c.relkind = 'r' AND NOT c.relhassubclass AND ",
        );
        push_pg_key_match(out, &edge.table, &edge.column, &edge.parent_table)?;
        out.push_sql(" AND p.attname = ");
        out.push_bind_param::<Text, _>(&edge.parent_column)?;
        out.push_sql(
            " AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t \
             WHERE t.tgconstraint = k.oid AND t.tgenabled = 'D') \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t \
             WHERE t.tgrelid IN (k.conrelid, k.confrelid) AND NOT t.tgisinternal \
             AND t.tgenabled <> 'D'))",
        );
        Ok(())
    }

    fn push_key_declaration<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b KeyColumn,
    ) -> QueryResult<()> {
        // A key that is not deferrable is checked at once whatever the session says.
        out.push_sql(
            "SELECT CAST(COALESCE((SELECT MIN(CASE WHEN k.condeferrable THEN 2 ELSE 1 END) \
             FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
             WHERE ",
        );
        push_pg_key_match(out, &key.table, &key.column, &key.parent_table)?;
        out.push_sql("), 0) AS TEXT)");
        Ok(())
    }

    fn push_key_description<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        described: &'b DescribedKey,
    ) -> QueryResult<()> {
        let key = &described.key;
        // concat_ws skips NULLs: every field is given a value.
        out.push_sql("SELECT concat_ws('|', CAST(to_regclass(quote_ident(");
        out.push_bind_param::<Text, _>(&key.table)?;
        out.push_sql(
            ")) IS NOT NULL AS INTEGER), (SELECT COUNT(*) FROM pg_catalog.pg_attribute a \
             WHERE a.attrelid = to_regclass(quote_ident(",
        );
        out.push_bind_param::<Text, _>(&key.table)?;
        out.push_sql(")) AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ");
        out.push_bind_param::<Text, _>(&key.column)?;
        out.push_sql(
            "), COALESCE((SELECT CAST(NOT a.attnotnull AS INTEGER) FROM pg_catalog.pg_attribute a \
             WHERE a.attrelid = to_regclass(quote_ident(",
        );
        out.push_bind_param::<Text, _>(&key.table)?;
        out.push_sql(")) AND a.attnum > 0 AND NOT a.attisdropped AND a.attname = ");
        out.push_bind_param::<Text, _>(&key.column)?;
        out.push_sql(
            ")::text, ''), COALESCE((SELECT string_agg(CAST(k.confdeltype AS TEXT), ',') \
             FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
             WHERE ",
        );
        push_pg_key_match(out, &key.table, &key.column, &key.parent_table)?;
        out.push_sql(
            " AND EXISTS (SELECT 1 FROM pg_catalog.pg_attribute p \
             WHERE p.attrelid = k.confrelid AND p.attnum = k.confkey[1] AND p.attname = ",
        );
        out.push_bind_param::<Text, _>(&described.parent_column)?;
        // A key whose triggers are disabled (`ALTER TABLE ... DISABLE TRIGGER ALL`) is not
        // enforced.
        out.push_sql(
            ") AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t \
             WHERE t.tgconstraint = k.oid AND t.tgenabled = 'D')), ''), \
             CAST(current_setting('session_replication_role') <> 'replica' AS INTEGER))",
        );
        Ok(())
    }

    fn push_cascading_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        table: &'b &'static str,
    ) -> QueryResult<()> {
        out.push_sql(
            "SELECT a.attname || chr(31) || c.relname || chr(31) || p.attname \
             FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
             JOIN pg_catalog.pg_attribute p ON p.attrelid = k.confrelid AND p.attnum = k.confkey[1] \
             JOIN pg_catalog.pg_class c ON c.oid = k.confrelid \
             WHERE k.contype = 'f' AND k.confdeltype = 'c' \
             AND current_setting('session_replication_role') <> 'replica' \
             AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_trigger t \
             WHERE t.tgconstraint = k.oid AND t.tgenabled = 'D') \
             AND k.conrelid = to_regclass(quote_ident(",
        );
        out.push_bind_param::<Text, _>(table)?;
        out.push_sql("))");
        Ok(())
    }

    const KEY_DDL: KeyDdl = KeyDdl::Postgres;

    fn push_existing_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b ReplacedKey,
    ) -> QueryResult<()> {
        out.push_sql(
            "SELECT concat_ws(chr(31), k.conname, CASE WHEN NOT k.condeferrable THEN '' \
             WHEN k.condeferred THEN 'DEFERRABLE INITIALLY DEFERRED' ELSE 'DEFERRABLE' END, \
             CAST(k.confupdtype AS TEXT), pg_catalog.pg_get_constraintdef(k.oid), p.attname, \
             CAST(k.confdeltype AS TEXT)) \
             FROM pg_catalog.pg_constraint k \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.conkey[1] \
             JOIN pg_catalog.pg_attribute p ON p.attrelid = k.confrelid AND p.attnum = k.confkey[1] \
             WHERE k.contype = 'f' AND cardinality(k.conkey) = 1 \
             AND k.conrelid = to_regclass(quote_ident(",
        );
        out.push_bind_param::<Text, str>(key.table)?;
        out.push_sql(")) AND a.attname = ");
        out.push_bind_param::<Text, str>(&key.column)?;
        out.push_sql(" AND k.confrelid = to_regclass(quote_ident(");
        out.push_bind_param::<Text, str>(&key.parent_table)?;
        out.push_sql("))");
        if let Some(parent_column) = &key.parent_column {
            out.push_sql(" AND p.attname = ");
            out.push_bind_param::<Text, str>(parent_column)?;
        }
        // Every constraint name of the table, which a new key's must differ from.
        out.push_sql(
            " UNION ALL SELECT chr(31) || chr(31) || conname FROM pg_catalog.pg_constraint \
             WHERE conrelid = to_regclass(quote_ident(",
        );
        out.push_bind_param::<Text, str>(key.table)?;
        out.push_sql(")) ORDER BY 1");
        Ok(())
    }

    fn push_deleted_in_transaction<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        table: &'b &'static str,
    ) -> QueryResult<()> {
        out.push_sql("pg_catalog.pg_stat_get_xact_tuples_deleted(to_regclass(quote_ident(");
        out.push_bind_param::<Text, _>(table)?;
        out.push_sql(")))");
        Ok(())
    }

    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        push_basic_value!(Self, out, value, other => Err(unbindable("PostgreSQL", other)))
    }

    fn push_timestamp<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        value: &'b SqlValue,
        column: TimestampType,
    ) -> QueryResult<()> {
        // A text parameter is not a timestamp to PostgreSQL until it is cast; a zoneless
        // timestamp given to a `timestamptz` would be read in the session's time zone.
        out.push_sql("(CAST(");
        Self::push_value(out, value)?;
        out.push_sql(" AS TIMESTAMP)");
        if column == TimestampType::Timestamptz {
            out.push_sql(" AT TIME ZONE 'UTC'");
        }
        out.push_sql(")");
        Ok(())
    }

    fn push_utc_instant<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        value: &'b SqlValue,
    ) -> QueryResult<()> {
        out.push_sql("CAST(");
        Self::push_value(out, value)?;
        out.push_sql(" AS TIMESTAMP)");
        Ok(())
    }

    fn push_timestamp_as_utc(
        out: &mut AstPass<'_, '_, Self>,
        table: &str,
        column: &str,
        column_type: TimestampType,
    ) -> QueryResult<()> {
        out.push_sql("(");
        push_column(out, table, column)?;
        if column_type == TimestampType::Timestamptz {
            out.push_sql(" AT TIME ZONE 'UTC'");
        }
        out.push_sql(")");
        Ok(())
    }
}

#[cfg(feature = "mysql")]
impl Dialect for diesel::mysql::Mysql {
    const MAX_BIND_PARAMS: usize = 65_535;
}

#[cfg(feature = "mysql")]
impl SqlDialect for diesel::mysql::Mysql {
    const TEXT_TYPE: &'static str = "CHAR";
    const DELETE_BY_JOIN: bool = true;
    const TEMP_TABLE_REOPENS: bool = false;
    const TEMP_TABLES_TRANSACTIONAL: bool = false;
    const FOREIGN_KEYS_ACT_PER_ROW: bool = true;
    const FOREIGN_KEYS_CHECKED_PER_ROW: bool = true;
    const DROP_TEMPORARY_TABLE: &'static str = "DROP TEMPORARY TABLE ";
    const INDEX_IN_CREATE_TABLE: bool = true;
    const TIMESTAMP_IN_SESSION_ZONE: bool = true;
    const CHANGED_TABLE_READABLE: bool = false;
    // `MysqlConnection` also reaches MariaDB servers: MariaDB runs this executable comment,
    // MySQL reads a comment.
    const TREE_STATEMENT_PREFIX: &'static str =
        "/*M! SET STATEMENT max_recursive_iterations = 4294967295 FOR */ ";
    const TREE_STATEMENT_HINT: &'static str =
        "/*+ SET_VAR(cte_max_recursion_depth = 4294967295) */ ";

    fn violated_reference(info: &dyn DatabaseErrorInformation) -> Option<(String, Option<String>)> {
        innodb_violated_reference(info.message())
    }

    fn push_key_declaration<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b KeyColumn,
    ) -> QueryResult<()> {
        push_innodb_key_declaration(out, key)
    }

    fn push_key_description<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        described: &'b DescribedKey,
    ) -> QueryResult<()> {
        push_innodb_key_description(out, described)
    }

    fn push_cascading_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        table: &'b &'static str,
    ) -> QueryResult<()> {
        push_innodb_cascading_keys(out, table)
    }

    const KEY_DDL: KeyDdl = KeyDdl::InnoDb;

    fn push_existing_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b ReplacedKey,
    ) -> QueryResult<()> {
        push_innodb_existing_keys(out, key)
    }

    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        push_basic_value!(Self, out, value, other => push_unsigned(out, other, "MySQL"))
    }
}

#[cfg(feature = "mariadb")]
impl Dialect for diesel::mariadb::Mariadb {
    const MAX_BIND_PARAMS: usize = 65_535;
}

/// MariaDB, through Diesel's own backend: InnoDB's foreign keys and temporary tables as MySQL's,
/// but one statement may read a temporary table twice, and recursion is limited by
/// `max_recursive_iterations`.
#[cfg(feature = "mariadb")]
impl SqlDialect for diesel::mariadb::Mariadb {
    const TEXT_TYPE: &'static str = "CHAR";
    // MariaDB before 11.1 runs an `IN` subquery of a single-table DELETE or UPDATE once per row.
    const DELETE_BY_JOIN: bool = true;
    const TEMP_TABLES_TRANSACTIONAL: bool = false;
    const FOREIGN_KEYS_ACT_PER_ROW: bool = true;
    const FOREIGN_KEYS_CHECKED_PER_ROW: bool = true;
    const DROP_TEMPORARY_TABLE: &'static str = "DROP TEMPORARY TABLE ";
    const INDEX_IN_CREATE_TABLE: bool = true;
    const TIMESTAMP_IN_SESSION_ZONE: bool = true;
    const TREE_STATEMENT_PREFIX: &'static str =
        "SET STATEMENT max_recursive_iterations = 4294967295 FOR ";

    fn violated_reference(info: &dyn DatabaseErrorInformation) -> Option<(String, Option<String>)> {
        innodb_violated_reference(info.message())
    }

    fn push_key_declaration<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b KeyColumn,
    ) -> QueryResult<()> {
        push_innodb_key_declaration(out, key)
    }

    fn push_key_description<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        described: &'b DescribedKey,
    ) -> QueryResult<()> {
        push_innodb_key_description(out, described)
    }

    fn push_cascading_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        table: &'b &'static str,
    ) -> QueryResult<()> {
        push_innodb_cascading_keys(out, table)
    }

    const KEY_DDL: KeyDdl = KeyDdl::InnoDb;

    fn push_existing_keys<'b>(
        out: &mut AstPass<'_, 'b, Self>,
        key: &'b ReplacedKey,
    ) -> QueryResult<()> {
        push_innodb_existing_keys(out, key)
    }

    fn push_value<'b>(out: &mut AstPass<'_, 'b, Self>, value: &'b SqlValue) -> QueryResult<()> {
        push_basic_value!(Self, out, value, other => push_unsigned(out, other, "MariaDB"))
    }
}

/// `t.c`, quoted the backend's way.
pub(crate) fn push_column<DB: SqlDialect>(
    out: &mut AstPass<'_, '_, DB>,
    table: &str,
    column: &str,
) -> QueryResult<()> {
    out.push_identifier(table)?;
    out.push_sql(".");
    out.push_identifier(column)
}
