//! The statements of a [`migration`](crate::Plan::migration) on SQLite, which cannot alter a
//! foreign key: each table is rebuilt from its own `CREATE TABLE` text with its keys' actions
//! rewritten, by SQLite's documented procedure (create the new table, copy the rows, drop the
//! old one, rename the new one, create the indexes and triggers again).
//!
//! The procedure needs foreign keys off: with them on, dropping the old table would first delete
//! its rows and run their keys' actions on the tables that reference it. SQLite turns them off
//! only outside a transaction, so the statements open their own (a Diesel migration with
//! `run_in_transaction = false`), refuse to go on if keys are still on, and roll back when a
//! rebuilt table's rows break a key (`INSERT OR ROLLBACK` into a table whose checks say so).

use std::cmp::Reverse;
use std::ops::Range;

use crate::sql::create_table::{CreateTable, Word};
use crate::sql::ddl::{quote, KeyChange, Statements};
use crate::sql::dialect::KeyDdl;

/// The temporary table whose checks stop the migration.
const GUARD: &str = "\"_deletable_migration_guard\"";

/// What a table is rebuilt from: the rows of
/// [`push_table_definition`](crate::sql::dialect::SqlDialect).
#[derive(Debug, Default)]
pub(crate) struct TableDefinition {
    create_table: String,
    /// Its indexes' and triggers' texts.
    dependents: Vec<String>,
    /// The columns a row is copied by.
    columns: Vec<String>,
}

impl TableDefinition {
    /// Reads the rows of `push_table_definition`; `None` for a table SQLite does not know.
    pub(crate) fn read(rows: Vec<String>) -> Option<TableDefinition> {
        let mut definition = TableDefinition::default();
        for row in rows {
            let mut chars = row.chars();
            let kind = chars.next();
            let text = chars.as_str().to_owned();
            match kind {
                Some('T') => definition.create_table = text,
                Some('I') => definition.dependents.push(text),
                Some('C') => definition.columns.push(text),
                _ => {}
            }
        }
        (!definition.create_table.is_empty()).then_some(definition)
    }
}

/// The statements that rebuild `table` with `changes` (all of them `table`'s keys), and the
/// ones that rebuild it as it was; `None` when its text cannot be read as a table's.
pub(crate) fn rebuild(
    table: &'static str,
    definition: &TableDefinition,
    changes: &[&KeyChange],
) -> Option<Statements> {
    let parsed = CreateTable::parse(&definition.create_table)?;
    let new_name = quote(KeyDdl::SqliteRebuild, &format!("_deletable_new_{table}"));
    let mut edits = vec![(name_span(&parsed)?, new_name.clone())];
    let mut added = Vec::new();
    for change in changes {
        match key_edits(&parsed, change) {
            Some(key_edits) => edits.extend(key_edits),
            None => added.push(added_key(change)),
        }
    }
    if !added.is_empty() {
        // Last, so that it lands after an edit of the last definition at the same place.
        let close = parsed.words[parsed.close].span.start;
        edits.push((close..close, added.concat()));
    }
    let rewritten = apply(&definition.create_table, edits);
    let original = apply(
        &definition.create_table,
        vec![(name_span(&parsed)?, new_name.clone())],
    );
    Some(Statements {
        up: copy_into(table, &new_name, &rewritten, definition, &parsed),
        down: copy_into(table, &new_name, &original, definition, &parsed),
    })
}

/// The statements before and after every rebuild of a migration: keys off and a transaction
/// of its own, the guard against keys still on, SQLite's legacy renaming (which leaves other
/// tables' texts as they are), and the check that every rebuilt table's rows keep their keys.
pub(crate) fn wrap(rebuilds: Vec<String>, tables: &[&'static str]) -> Vec<String> {
    let mut statements = vec![
        "PRAGMA foreign_keys = OFF;".to_owned(),
        "BEGIN;".to_owned(),
        format!(
            "CREATE TEMP TABLE {GUARD} (foreign_keys_off INTEGER CHECK (foreign_keys_off = 0), \
             keys_violated INTEGER CHECK (keys_violated = 0));"
        ),
        format!(
            "INSERT OR ROLLBACK INTO {GUARD} (foreign_keys_off) \
             SELECT foreign_keys FROM pragma_foreign_keys;"
        ),
        "PRAGMA legacy_alter_table = ON;".to_owned(),
    ];
    statements.extend(rebuilds);
    statements.push("PRAGMA legacy_alter_table = OFF;".to_owned());
    statements.extend(tables.iter().map(|table| {
        format!(
            "INSERT OR ROLLBACK INTO {GUARD} (keys_violated) \
             SELECT COUNT(*) FROM pragma_foreign_key_check('{}');",
            table.replace('\'', "''")
        )
    }));
    statements.push(format!("DROP TABLE {GUARD};"));
    statements.push("COMMIT;".to_owned());
    statements.push("PRAGMA foreign_keys = ON;".to_owned());
    statements
}

/// The statements that move `table`'s rows into a table created by `create_new` (named
/// `new_name`), which then takes `table`'s name, indexes and triggers.
fn copy_into(
    table: &'static str,
    new_name: &str,
    create_new: &str,
    definition: &TableDefinition,
    parsed: &CreateTable,
) -> Vec<String> {
    let old_name = quote(KeyDdl::SqliteRebuild, table);
    let columns = definition
        .columns
        .iter()
        .map(|column| quote(KeyDdl::SqliteRebuild, column))
        .collect::<Vec<_>>()
        .join(", ");
    let mut statements = vec![
        format!("{};", create_new.trim_end().trim_end_matches(';')),
        format!("INSERT INTO {new_name} ({columns}) SELECT {columns} FROM {old_name};"),
    ];
    if parsed.words.iter().any(|word| *word == "AUTOINCREMENT") {
        // The new table would count from its highest key, not from the old one's last.
        statements.push(format!(
            "UPDATE sqlite_sequence SET seq = (SELECT seq FROM sqlite_sequence WHERE name = '{}') \
             WHERE name = '{}';",
            table.replace('\'', "''"),
            format!("_deletable_new_{table}").replace('\'', "''")
        ));
    }
    statements.push(format!("DROP TABLE {old_name};"));
    statements.push(format!("ALTER TABLE {new_name} RENAME TO {old_name};"));
    statements.extend(
        definition
            .dependents
            .iter()
            .map(|sql| format!("{};", sql.trim_end().trim_end_matches(';'))),
    );
    statements
}

/// The bytes of the table's name in its text.
fn name_span(parsed: &CreateTable) -> Option<Range<usize>> {
    let words = &parsed.words[parsed.name.clone()];
    Some(words.first()?.span.start..words.last()?.span.end)
}

/// The edits that give `change`'s key its action: in each definition that declares it, the
/// old `ON DELETE` clause out and the new one in after the referenced table; `None` when no
/// definition declares it.
fn key_edits(parsed: &CreateTable, change: &KeyChange) -> Option<Vec<(Range<usize>, String)>> {
    let column = change.column.to_ascii_uppercase();
    let parent = change.parent_table.to_ascii_uppercase();
    let parent_column = change.parent_column.to_ascii_uppercase();
    let clause = format!(" ON DELETE {}", change.on_delete);
    let mut edits = Vec::new();
    for words in parsed.key_definitions(&column, &parent) {
        let Some(references) = words.iter().position(|word| *word == "REFERENCES") else {
            continue;
        };
        // `REFERENCES parent`, then its columns if named: only the parent's key counts.
        let mut end = references + 1;
        if words.get(end + 1).is_some_and(|word| *word == "(") {
            let named: Vec<&Word> = words[end + 2..]
                .iter()
                .take_while(|word| **word != ")")
                .collect();
            if named.len() != 1 || named[0].text != parent_column {
                continue;
            }
            end += named.len() + 2;
        }
        let Some(after) = words.get(end).map(|word| word.span.end) else {
            continue;
        };
        edits.push((after..after, clause.clone()));
        let mut at = end + 1;
        while at + 1 < words.len() {
            if words[at] == "ON" && words[at + 1] == "DELETE" {
                let length = match words.get(at + 2).map(|word| word.text.as_str()) {
                    Some("SET" | "NO") => 4,
                    _ => 3,
                };
                let last = (at + length - 1).min(words.len() - 1);
                edits.push((words[at].span.start..words[last].span.end, String::new()));
                at += length;
            } else {
                at += 1;
            }
        }
    }
    (!edits.is_empty()).then_some(edits)
}

/// A table constraint that declares `change`'s key.
fn added_key(change: &KeyChange) -> String {
    format!(
        ", FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {}",
        quote(KeyDdl::SqliteRebuild, change.column),
        quote(KeyDdl::SqliteRebuild, change.parent_table),
        quote(KeyDdl::SqliteRebuild, change.parent_column),
        change.on_delete
    )
}

/// `text` with each span replaced; the spans do not overlap, and insertions at one place land
/// in the order of `edits`.
fn apply(text: &str, edits: Vec<(Range<usize>, String)>) -> String {
    let mut edits: Vec<(usize, (Range<usize>, String))> = edits.into_iter().enumerate().collect();
    edits.sort_by_key(|(order, (span, _))| Reverse((span.start, *order)));
    let mut text = text.to_owned();
    for (_, (span, replacement)) in edits {
        text.replace_range(span, &replacement);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{rebuild, KeyChange, TableDefinition};

    fn change(column: &'static str, on_delete: &'static str) -> KeyChange {
        KeyChange {
            table: "posts",
            column,
            parent_table: "users",
            parent_column: "id",
            on_delete,
        }
    }

    fn definition(sql: &str) -> TableDefinition {
        TableDefinition::read(vec![
            format!("T{sql}"),
            "ICREATE INDEX posts_user ON posts (user_id)".to_owned(),
            "Cid".to_owned(),
            "Cuser_id".to_owned(),
        ])
        .expect("a table")
    }

    #[test]
    fn the_old_action_goes_and_the_new_one_comes_after_the_parent() {
        let sql = "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL \
                   REFERENCES users (id) ON UPDATE CASCADE ON DELETE SET NULL DEFERRABLE \
                   INITIALLY DEFERRED, editor_id INTEGER, \
                   FOREIGN KEY (editor_id) REFERENCES \"users\")";
        let cascade = change("user_id", "CASCADE");
        let no_action = change("editor_id", "NO ACTION");
        let statements =
            rebuild("posts", &definition(sql), &[&cascade, &no_action]).expect("a table");
        assert_eq!(
            statements.up[0],
            "CREATE TABLE \"_deletable_new_posts\" (id INTEGER PRIMARY KEY, user_id INTEGER NOT \
             NULL REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE  DEFERRABLE \
             INITIALLY DEFERRED, editor_id INTEGER, \
             FOREIGN KEY (editor_id) REFERENCES \"users\" ON DELETE NO ACTION);"
        );
        assert_eq!(
            statements.up[1..],
            [
                "INSERT INTO \"_deletable_new_posts\" (\"id\", \"user_id\") SELECT \"id\", \
                 \"user_id\" FROM \"posts\";",
                "DROP TABLE \"posts\";",
                "ALTER TABLE \"_deletable_new_posts\" RENAME TO \"posts\";",
                "CREATE INDEX posts_user ON posts (user_id);",
            ]
        );
        assert_eq!(
            statements.down[0],
            format!("{};", sql.replacen("posts", "\"_deletable_new_posts\"", 1))
        );
    }

    #[test]
    fn an_added_key_comes_after_the_edit_of_the_last_definition() {
        let sql = "CREATE TABLE posts (id INTEGER, user_id INTEGER, editor_id INTEGER, \
                   FOREIGN KEY (user_id) REFERENCES users (id))";
        let statements = rebuild(
            "posts",
            &definition(sql),
            &[
                &change("editor_id", "SET NULL"),
                &change("user_id", "CASCADE"),
            ],
        )
        .expect("a table");
        assert_eq!(
            statements.up[0],
            "CREATE TABLE \"_deletable_new_posts\" (id INTEGER, user_id INTEGER, editor_id \
             INTEGER, FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE, FOREIGN KEY \
             (\"editor_id\") REFERENCES \"users\" (\"id\") ON DELETE SET NULL);"
        );
    }

    #[test]
    fn a_key_to_another_column_is_left_and_one_to_the_key_added() {
        let sql = "CREATE TABLE posts (id INTEGER, user_id INTEGER REFERENCES users (email))";
        let statements =
            rebuild("posts", &definition(sql), &[&change("user_id", "SET NULL")]).expect("a table");
        assert_eq!(
            statements.up[0],
            "CREATE TABLE \"_deletable_new_posts\" (id INTEGER, user_id INTEGER REFERENCES users \
             (email), FOREIGN KEY (\"user_id\") REFERENCES \"users\" (\"id\") ON DELETE SET NULL);"
        );
    }
}
