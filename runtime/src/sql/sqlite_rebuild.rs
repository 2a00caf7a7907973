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
    // In the main schema, even when a temporary table of the same name hides the table.
    let new_name = format!(
        "main.{}",
        quote(KeyDdl::SqliteRebuild, &format!("_deletable_new_{table}"))
    );
    let mut edits = vec![(name_span(&parsed)?, new_name.clone())];
    let mut added = Vec::new();
    for change in changes {
        match key_edits(&parsed, change) {
            // Two changes may reach one clause (a key to the parent's key, with its column
            // named and without): its edits are made once.
            Some(key_edits) => {
                for edit in key_edits {
                    if !edits.contains(&edit) {
                        edits.push(edit);
                    }
                }
            }
            None => added.extend(added_key(change)),
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
             SELECT COUNT(*) FROM pragma_foreign_key_check('{}', 'main');",
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
    let old_name = format!("main.{}", quote(KeyDdl::SqliteRebuild, table));
    let mut columns: Vec<String> = definition
        .columns
        .iter()
        .map(|column| quote(KeyDdl::SqliteRebuild, column))
        .collect();
    // The rowids too, where they are not the key: what refers to them (an index of full text
    // over the table's content) stays right.
    let without_rowid = parsed
        .words
        .windows(2)
        .any(|w| w[0] == "WITHOUT" && w[1] == "ROWID");
    // The first of its names no column has taken.
    let rowid = ["rowid", "oid", "_rowid_"].into_iter().find(|alias| {
        !definition
            .columns
            .iter()
            .any(|column| column.eq_ignore_ascii_case(alias))
    });
    if let (false, Some(rowid)) = (without_rowid, rowid) {
        columns.insert(0, rowid.to_owned());
    }
    let columns = columns.join(", ");
    let mut statements = vec![
        terminated(create_new),
        format!("INSERT INTO {new_name} ({columns}) SELECT {columns} FROM {old_name};"),
    ];
    if parsed.words.iter().any(|word| *word == "AUTOINCREMENT") {
        // The new table would count from its highest key, not from the old one's last.
        statements.push(format!(
            "UPDATE main.sqlite_sequence SET seq = max(seq, COALESCE((SELECT seq \
             FROM main.sqlite_sequence \
             WHERE name = '{}' COLLATE NOCASE), 0)) WHERE name = '{}';",
            table.replace('\'', "''"),
            format!("_deletable_new_{table}").replace('\'', "''")
        ));
    }
    statements.push(format!("DROP TABLE {old_name};"));
    statements.push(format!(
        "ALTER TABLE {new_name} RENAME TO {};",
        quote(KeyDdl::SqliteRebuild, table)
    ));
    statements.extend(definition.dependents.iter().map(|sql| terminated(sql)));
    statements
}

/// A statement of the catalog ended by `;`, where a comment it ends in cannot swallow it: on a
/// line of its own after a `--` comment, after a closing `*/` in an unclosed `/*` one.
fn terminated(sql: &str) -> String {
    let sql = sql.trim_end();
    match open_comment(sql) {
        Some(Comment::Line) => format!("{sql}\n;"),
        Some(Comment::Block) => format!("{sql} */;"),
        None => format!("{};", sql.trim_end_matches(';')),
    }
}

/// A comment a SQL text ends inside.
#[derive(Debug, PartialEq, Eq)]
enum Comment {
    Line,
    Block,
}

/// The comment `sql` ends inside, if any (string literals and quoted names skipped).
fn open_comment(sql: &str) -> Option<Comment> {
    let mut chars = sql.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '-' if chars.peek() == Some(&'-') => {
                let line_ended = chars.by_ref().any(|c| c == '\n');
                if !line_ended {
                    return Some(Comment::Line);
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut last = ' ';
                let mut closed = false;
                for c in chars.by_ref() {
                    if last == '*' && c == '/' {
                        closed = true;
                        break;
                    }
                    last = c;
                }
                if !closed {
                    return Some(Comment::Block);
                }
            }
            '\'' | '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                for c in chars.by_ref() {
                    if c == close {
                        break;
                    }
                }
            }
            _ => {}
        }
    }
    None
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
    let column = change.key.column.to_ascii_uppercase();
    let parent = change.key.parent_table.to_ascii_uppercase();
    let parent_column = change
        .key
        .parent_column
        .as_deref()
        .map(str::to_ascii_uppercase);
    let clause = format!(" ON DELETE {}", change.on_delete);
    let mut edits = Vec::new();
    for words in parsed.key_definitions(&column, &parent) {
        // A column may reference several tables: only the clause of `parent` is edited, up
        // to the next `REFERENCES`.
        let clauses: Vec<usize> = words
            .iter()
            .enumerate()
            .filter(|(_, word)| **word == "REFERENCES")
            .map(|(at, _)| at)
            .collect();
        for (index, &references) in clauses.iter().enumerate() {
            if words
                .get(references + 1)
                .is_none_or(|word| word.text != parent)
            {
                continue;
            }
            let clause_end = clauses.get(index + 1).copied().unwrap_or(words.len());
            edits.extend(clause_edits(
                &words[..clause_end],
                references,
                parent_column.as_deref(),
                &clause,
                change.only_cascading,
            ));
        }
    }
    (!edits.is_empty()).then_some(edits)
}

/// The edits of one `REFERENCES` clause (at `references` in `words`, which end with it): the
/// new `ON DELETE` after the referenced table, every old one out; none when the clause names
/// a column other than `parent_column` (any, for `None`).
fn clause_edits(
    words: &[Word],
    references: usize,
    parent_column: Option<&str>,
    clause: &str,
    only_cascading: bool,
) -> Vec<(Range<usize>, String)> {
    let mut end = references + 1;
    if words.get(end + 1).is_some_and(|word| *word == "(") {
        let named: Vec<&Word> = words[end + 2..]
            .iter()
            .take_while(|word| **word != ")")
            .collect();
        if named.len() != 1 || parent_column.is_some_and(|column| named[0].text != column) {
            return Vec::new();
        }
        end += named.len() + 2;
    }
    let Some(after) = words.get(end).map(|word| word.span.end) else {
        return Vec::new();
    };
    let mut edits = vec![(after..after, clause.to_owned())];
    let mut cascades = false;
    let mut at = end + 1;
    while at + 1 < words.len() {
        if words[at] == "ON" && words[at + 1] == "DELETE" {
            let length = match words.get(at + 2).map(|word| word.text.as_str()) {
                Some("SET" | "NO") => 4,
                _ => 3,
            };
            cascades |= words.get(at + 2).is_some_and(|word| *word == "CASCADE");
            let last = (at + length - 1).min(words.len() - 1);
            edits.push((words[at].span.start..words[last].span.end, String::new()));
            at += length;
        } else {
            at += 1;
        }
    }
    if only_cascading && !cascades {
        return Vec::new();
    }
    edits
}

/// A table constraint that declares `change`'s key (a rule's, to the parent's key).
fn added_key(change: &KeyChange) -> Option<String> {
    let key = &change.key;
    Some(format!(
        ", FOREIGN KEY ({}) REFERENCES {} ({}) ON DELETE {}",
        quote(KeyDdl::SqliteRebuild, &key.column),
        quote(KeyDdl::SqliteRebuild, &key.parent_table),
        quote(KeyDdl::SqliteRebuild, key.parent_column.as_deref()?),
        change.on_delete
    ))
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
    use super::{rebuild, terminated, KeyChange, TableDefinition};
    use crate::sql::dialect::ReplacedKey;

    fn change(column: &'static str, on_delete: &'static str) -> KeyChange {
        KeyChange {
            key: ReplacedKey {
                table: "posts",
                column: column.into(),
                parent_table: "users".into(),
                parent_column: Some("id".into()),
            },
            on_delete,
            only_cascading: false,
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
            "CREATE TABLE main.\"_deletable_new_posts\" (id INTEGER PRIMARY KEY, user_id INTEGER NOT \
             NULL REFERENCES users (id) ON DELETE CASCADE ON UPDATE CASCADE  DEFERRABLE \
             INITIALLY DEFERRED, editor_id INTEGER, \
             FOREIGN KEY (editor_id) REFERENCES \"users\" ON DELETE NO ACTION);"
        );
        assert_eq!(
            statements.up[1..],
            [
                "INSERT INTO main.\"_deletable_new_posts\" (rowid, \"id\", \"user_id\") SELECT rowid, \
                 \"id\", \"user_id\" FROM main.\"posts\";",
                "DROP TABLE main.\"posts\";",
                "ALTER TABLE main.\"_deletable_new_posts\" RENAME TO \"posts\";",
                "CREATE INDEX posts_user ON posts (user_id);",
            ]
        );
        assert_eq!(
            statements.down[0],
            format!(
                "{};",
                sql.replacen("posts", "main.\"_deletable_new_posts\"", 1)
            )
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
            "CREATE TABLE main.\"_deletable_new_posts\" (id INTEGER, user_id INTEGER, editor_id \
             INTEGER, FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE, FOREIGN KEY \
             (\"editor_id\") REFERENCES \"users\" (\"id\") ON DELETE SET NULL);"
        );
    }

    #[test]
    fn only_the_clause_of_the_parent_is_edited() {
        let sql = "CREATE TABLE posts (id INTEGER, user_id INTEGER NOT NULL REFERENCES accounts \
                   ON DELETE SET NULL REFERENCES users ON DELETE SET NULL)";
        let statements =
            rebuild("posts", &definition(sql), &[&change("user_id", "CASCADE")]).expect("a table");
        assert_eq!(
            statements.up[0],
            "CREATE TABLE main.\"_deletable_new_posts\" (id INTEGER, user_id INTEGER NOT NULL \
             REFERENCES accounts ON DELETE SET NULL REFERENCES users ON DELETE CASCADE );"
        );
    }

    #[test]
    fn a_text_ending_inside_a_comment_is_ended_after_it() {
        assert_eq!(
            terminated("CREATE INDEX i ON t (c) -- note"),
            "CREATE INDEX i ON t (c) -- note\n;"
        );
        assert_eq!(
            terminated("CREATE INDEX i ON t (c) /* note"),
            "CREATE INDEX i ON t (c) /* note */;"
        );
        assert_eq!(
            terminated("CREATE INDEX i ON t (c) /* a */"),
            "CREATE INDEX i ON t (c) /* a */;"
        );
        assert_eq!(
            terminated("CREATE INDEX \"--x\" ON t (c);"),
            "CREATE INDEX \"--x\" ON t (c);"
        );
        assert_eq!(
            terminated("CREATE TABLE t (a TEXT DEFAULT '/*')"),
            "CREATE TABLE t (a TEXT DEFAULT '/*');"
        );
    }

    #[test]
    fn a_text_ending_in_a_comment_is_ended_on_a_line_of_its_own() {
        let mut definition = definition("CREATE TABLE posts (id INTEGER, user_id INTEGER)");
        definition.dependents =
            vec!["CREATE INDEX posts_user ON posts (user_id) -- by user".into()];
        let statements =
            rebuild("posts", &definition, &[&change("user_id", "CASCADE")]).expect("a table");
        assert_eq!(
            statements.up.last().map(String::as_str),
            Some("CREATE INDEX posts_user ON posts (user_id) -- by user\n;")
        );
    }

    #[test]
    fn a_key_to_another_column_is_left_and_one_to_the_key_added() {
        let sql = "CREATE TABLE posts (id INTEGER, user_id INTEGER REFERENCES users (email))";
        let statements =
            rebuild("posts", &definition(sql), &[&change("user_id", "SET NULL")]).expect("a table");
        assert_eq!(
            statements.up[0],
            "CREATE TABLE main.\"_deletable_new_posts\" (id INTEGER, user_id INTEGER REFERENCES users \
             (email), FOREIGN KEY (\"user_id\") REFERENCES \"users\" (\"id\") ON DELETE SET NULL);"
        );
    }
}
