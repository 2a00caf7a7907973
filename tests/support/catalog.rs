//! Reading a whole test database back: every table the session can see (its own namespace,
//! others beside it, its temporary tables) with every row as text, so that two moments can be
//! compared row for row.

use std::collections::BTreeMap;

use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::Text;

use crate::TestDb;

/// One row of a catalog or dump query: a label and a text.
#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct Labeled {
    /// What the row belongs to (a namespace, or `namespace.table`).
    #[diesel(sql_type = Text)]
    pub label: String,
    /// The value (a table or column name, or a row rendered as text).
    #[diesel(sql_type = Text)]
    pub text: String,
}

/// One column of a table the session sees, from the catalog.
#[derive(QueryableByName, Debug, Clone, PartialEq, Eq)]
pub struct Column {
    /// The table's namespace (schema, database, or attached or temporary SQLite database).
    #[diesel(sql_type = Text)]
    pub namespace: String,
    /// The table.
    #[diesel(sql_type = Text)]
    pub table_name: String,
    /// The column.
    #[diesel(sql_type = Text)]
    pub column_name: String,
    /// The column's position in its table.
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    pub position: i64,
}

/// A test database whose catalog can be read: the backend's SQL for listing tables and columns,
/// rendering rows as text, and creating other namespaces beside the test's own.
pub trait Catalog: TestDb {
    /// The SQL type a value is cast to for its text.
    const TEXT_TYPE: &'static str;

    /// The namespace of the test's own tables: SQLite's `main`, the PostgreSQL schema or the
    /// MySQL database.
    fn own_namespace(&mut self) -> String;

    /// SQL listing every [`Column`] of the tables of `namespaces` and of the session's
    /// temporary tables.
    fn columns_sql(namespaces: &[String]) -> String;

    /// `identifier` quoted for SQL.
    fn quote(identifier: &str) -> String;

    /// SQL joining text expressions with `|`.
    fn join(parts: &[String]) -> String;

    /// Runs a query of `label` and `text` columns.
    fn labeled(&mut self, sql: &str) -> QueryResult<Vec<Labeled>>;

    /// Runs a [`columns_sql`](Catalog::columns_sql) query.
    fn columns(&mut self, sql: &str) -> QueryResult<Vec<Column>>;

    /// Creates a namespace beside the test's own (a PostgreSQL schema, a MySQL database, an
    /// attached SQLite database), runs `ddl` inside it, and returns its name. It is visible to
    /// the test's connection, after the test's own namespace where names are looked up.
    fn create_namespace(&mut self, ddl: &str) -> String;

    /// Drops a namespace [`create_namespace`](Catalog::create_namespace) made (errors ignored:
    /// it runs while a test is dropped, perhaps while it panics).
    fn drop_namespace(&mut self, name: &str);

    /// Runs `sql` (which fills the namespace `name` just created); on an error, drops the
    /// namespace before panicking, so that no failed test leaves it behind.
    fn fill_namespace(&mut self, name: &str, sql: &str) {
        if let Err(error) = self.conn().batch_execute(sql) {
            self.drop_namespace(name);
            panic!("fill the namespace {name}: {error}: {sql}");
        }
    }

    /// `namespace.table` quoted for SQL.
    fn qualified(namespace: &str, table: &str) -> String {
        format!("{}.{}", Self::quote(namespace), Self::quote(table))
    }

    /// SQL rendering one column's value as text, `NULL` as `NULL`; a masked column only says
    /// whether it is set.
    fn value_text(column: &str, masked: bool) -> String {
        let column = Self::quote(column);
        if masked {
            format!("CASE WHEN {column} IS NULL THEN 'NULL' ELSE 'SET' END")
        } else {
            format!("COALESCE(CAST({column} AS {}), 'NULL')", Self::TEXT_TYPE)
        }
    }
}

/// Every row of every table a session sees, as text: `namespace.table` to its rows, sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Snapshot(pub BTreeMap<String, Vec<String>>);

impl Snapshot {
    /// Reads the tables of `namespaces` (and the session's temporary tables); the columns named
    /// in `masked` only say whether they are set (for values that differ from run to run, such
    /// as a soft delete's timestamp).
    pub fn take<D: Catalog>(db: &mut D, namespaces: &[String], masked: &[&str]) -> Snapshot {
        let mut columns = db
            .columns(&D::columns_sql(namespaces))
            .unwrap_or_else(|error| panic!("list the columns: {error}"));
        columns.sort_by(|a, b| {
            (&a.namespace, &a.table_name, a.position).cmp(&(
                &b.namespace,
                &b.table_name,
                b.position,
            ))
        });
        let mut tables: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for column in columns {
            let masked = masked.contains(&column.column_name.as_str());
            tables
                .entry((column.namespace, column.table_name))
                .or_default()
                .push(D::value_text(&column.column_name, masked));
        }
        let mut snapshot = BTreeMap::new();
        let mut selects = Vec::new();
        for ((namespace, table), values) in tables {
            let label = format!("{namespace}.{table}");
            selects.push(format!(
                "SELECT CAST({} AS {}) AS label, {} AS text FROM {}",
                literal(&label),
                D::TEXT_TYPE,
                D::join(&values),
                D::qualified(&namespace, &table)
            ));
            snapshot.insert(label, Vec::new());
        }
        if !selects.is_empty() {
            let sql = selects.join(" UNION ALL ");
            for row in db
                .labeled(&sql)
                .unwrap_or_else(|error| panic!("dump the tables: {error}: {sql}"))
            {
                snapshot.entry(row.label).or_default().push(row.text);
            }
        }
        for rows in snapshot.values_mut() {
            rows.sort();
        }
        Snapshot(snapshot)
    }

    /// The tables whose `namespace.table` label satisfies `keep`.
    pub fn only(&self, keep: impl Fn(&str) -> bool) -> Snapshot {
        Snapshot(
            self.0
                .iter()
                .filter(|(label, _)| keep(label))
                .map(|(label, rows)| (label.clone(), rows.clone()))
                .collect(),
        )
    }

    /// What differs from `expected`, table by table: tables that appeared or vanished, rows
    /// missing and rows extra. Empty when they are equal.
    pub fn diff(&self, expected: &Snapshot) -> String {
        let mut out = String::new();
        let labels: std::collections::BTreeSet<&String> =
            self.0.keys().chain(expected.0.keys()).collect();
        for label in labels {
            match (expected.0.get(label), self.0.get(label)) {
                (Some(_), None) => out.push_str(&format!("  table {label} vanished\n")),
                (None, Some(rows)) => {
                    out.push_str(&format!("  table {label} appeared with {rows:?}\n"))
                }
                (Some(want), Some(got)) if want != got => {
                    let missing: Vec<&String> = want.iter().filter(|r| !got.contains(r)).collect();
                    let extra: Vec<&String> = got.iter().filter(|r| !want.contains(r)).collect();
                    out.push_str(&format!(
                        "  {label}: missing {missing:?}, extra {extra:?} (expected {} rows, found {})\n",
                        want.len(),
                        got.len()
                    ));
                }
                _ => {}
            }
        }
        out
    }
}

/// A single-quoted SQL string literal.
fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The literals of `names`, comma-separated.
#[cfg(any(feature = "postgres", feature = "mysql", feature = "mariadb"))]
fn literals(names: &[String]) -> String {
    names
        .iter()
        .map(|name| literal(name))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Names of the namespaces the decoys of SQLite databases are attached as.
const SQLITE_DECOY: &str = "decoy";

impl<C> Catalog for crate::SqliteLikeDb<C>
where
    C: crate::SqliteFamily,
    for<'a> diesel::query_builder::SqlQuery:
        diesel::query_dsl::LoadQuery<'a, C, crate::sqlite::Pair>,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Labeled>,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Column>,
{
    const TEXT_TYPE: &'static str = "TEXT";

    fn own_namespace(&mut self) -> String {
        "main".to_owned()
    }

    fn columns_sql(namespaces: &[String]) -> String {
        namespaces
            .iter()
            .map(String::as_str)
            .chain(["temp"])
            .map(|namespace| {
                format!(
                    "SELECT {name} AS namespace, m.name AS table_name, p.name AS column_name, \
                     p.cid AS position FROM {quoted}.sqlite_master m \
                     JOIN pragma_table_info(m.name, {name}) p \
                     WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%'",
                    name = literal(namespace),
                    quoted = Self::quote(namespace)
                )
            })
            .collect::<Vec<_>>()
            .join(" UNION ALL ")
    }

    fn quote(identifier: &str) -> String {
        format!("\"{}\"", identifier.replace('"', "\"\""))
    }

    fn join(parts: &[String]) -> String {
        parts.join(" || '|' || ")
    }

    fn labeled(&mut self, sql: &str) -> QueryResult<Vec<Labeled>> {
        diesel::sql_query(sql).load(self.conn())
    }

    fn columns(&mut self, sql: &str) -> QueryResult<Vec<Column>> {
        diesel::sql_query(sql).load(self.conn())
    }

    fn create_namespace(&mut self, ddl: &str) -> String {
        // An in-memory database cannot be filled from another connection: the decoys live in a
        // file of their own, attached, and removed when dropped.
        let path = std::env::temp_dir().join(format!("{}.sqlite3", crate::unique_name()));
        let path = path.to_str().expect("a UTF-8 temporary path").to_owned();
        let mut decoys = SqliteConnection::establish(&path)
            .unwrap_or_else(|error| panic!("create {path}: {error}"));
        if let Err(error) = decoys.batch_execute(ddl) {
            drop(decoys);
            let _ = std::fs::remove_file(&path);
            panic!("create the decoys: {error}");
        }
        drop(decoys);
        self.exec(&format!(
            "ATTACH DATABASE {} AS {SQLITE_DECOY}",
            literal(&path)
        ));
        SQLITE_DECOY.to_owned()
    }

    fn drop_namespace(&mut self, name: &str) {
        let file = self
            .labeled(&format!(
                "SELECT '' AS label, file AS text FROM pragma_database_list WHERE name = {}",
                literal(name)
            ))
            .unwrap_or_default();
        let _ = self
            .conn()
            .batch_execute(&format!("DETACH DATABASE {}", Self::quote(name)));
        for row in file {
            let _ = std::fs::remove_file(row.text);
        }
    }
}

#[cfg(feature = "postgres")]
impl<C> Catalog for crate::PgLikeDb<C>
where
    C: crate::PgFamily,
    for<'a> diesel::query_builder::SqlQuery:
        diesel::query_dsl::LoadQuery<'a, C, crate::sqlite::Pair>,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Labeled>,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Column>,
{
    const TEXT_TYPE: &'static str = "TEXT";

    fn own_namespace(&mut self) -> String {
        self.labeled("SELECT '' AS label, CAST(current_schema() AS TEXT) AS text")
            .expect("the current schema")
            .remove(0)
            .text
    }

    fn columns_sql(namespaces: &[String]) -> String {
        format!(
            "SELECT CAST(n.nspname AS TEXT) AS namespace, CAST(c.relname AS TEXT) AS table_name, \
             CAST(a.attname AS TEXT) AS column_name, CAST(a.attnum AS BIGINT) AS position \
             FROM pg_catalog.pg_class c \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid \
             AND a.attnum > 0 AND NOT a.attisdropped \
             WHERE c.relkind IN ('r', 'p') \
             AND (n.nspname IN ({}) OR c.relnamespace = pg_catalog.pg_my_temp_schema())",
            literals(namespaces)
        )
    }

    fn quote(identifier: &str) -> String {
        format!("\"{}\"", identifier.replace('"', "\"\""))
    }

    fn join(parts: &[String]) -> String {
        parts.join(" || '|' || ")
    }

    fn labeled(&mut self, sql: &str) -> QueryResult<Vec<Labeled>> {
        diesel::sql_query(sql).load(self.conn())
    }

    fn columns(&mut self, sql: &str) -> QueryResult<Vec<Column>> {
        diesel::sql_query(sql).load(self.conn())
    }

    fn create_namespace(&mut self, ddl: &str) -> String {
        let own = self.own_namespace();
        let name = format!("{own}_decoy");
        self.exec(&format!("CREATE SCHEMA {name}"));
        let fill = format!(
            "SET search_path TO {name}; {}; SET search_path TO {own}, {name};",
            ddl.trim().trim_end_matches(';')
        );
        self.fill_namespace(&name, &fill);
        name
    }

    fn drop_namespace(&mut self, name: &str) {
        let _ = self.conn().batch_execute(&format!(
            "SET search_path TO {}; DROP SCHEMA IF EXISTS {name} CASCADE",
            name.trim_end_matches("_decoy")
        ));
    }
}

#[cfg(any(feature = "mysql", feature = "mariadb"))]
impl<C> Catalog for crate::MysqlLikeDb<C>
where
    C: crate::MysqlFamily,
    diesel::query_builder::SqlQuery: diesel::query_builder::QueryFragment<C::Backend>,
    for<'a> diesel::query_builder::SqlQuery:
        diesel::query_dsl::LoadQuery<'a, C, crate::sqlite::Pair>,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Labeled>,
    for<'a> diesel::query_builder::SqlQuery: diesel::query_dsl::LoadQuery<'a, C, Column>,
{
    const TEXT_TYPE: &'static str = "CHAR";

    fn own_namespace(&mut self) -> String {
        self.labeled("SELECT '' AS label, DATABASE() AS text")
            .expect("the current database")
            .remove(0)
            .text
    }

    fn columns_sql(namespaces: &[String]) -> String {
        // MariaDB before 11.2 and MySQL do not list temporary tables anywhere a session can
        // read: the suites find those by the names their statements created.
        format!(
            "SELECT TABLE_SCHEMA AS namespace, TABLE_NAME AS table_name, \
             COLUMN_NAME AS column_name, CAST(ORDINAL_POSITION AS SIGNED) AS position \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA IN ({})",
            literals(namespaces)
        )
    }

    fn quote(identifier: &str) -> String {
        format!("`{}`", identifier.replace('`', "``"))
    }

    fn join(parts: &[String]) -> String {
        format!("CONCAT_WS('|', {})", parts.join(", "))
    }

    fn labeled(&mut self, sql: &str) -> QueryResult<Vec<Labeled>> {
        diesel::sql_query(sql).load(self.conn())
    }

    fn columns(&mut self, sql: &str) -> QueryResult<Vec<Column>> {
        diesel::sql_query(sql).load(self.conn())
    }

    fn create_namespace(&mut self, ddl: &str) -> String {
        let own = self.own_namespace();
        let name = format!("{own}_decoy");
        self.exec(&format!("CREATE DATABASE {name}"));
        let fill = format!(
            "USE {name}; {}; USE {own};",
            ddl.trim().trim_end_matches(';')
        );
        self.fill_namespace(&name, &fill);
        name
    }

    fn drop_namespace(&mut self, name: &str) {
        let _ = self.conn().batch_execute(&format!(
            "USE {}; DROP DATABASE IF EXISTS {name}",
            name.trim_end_matches("_decoy")
        ));
    }
}
