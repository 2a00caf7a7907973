//! SQL that declares the models' rules in the database, written from the keys the database
//! declares now: a Diesel migration's `up.sql` and `down.sql`.

use std::borrow::Cow;
use std::fmt;

use crate::declared::{describe, Catalog, DeclaredAction};
use crate::error::DeleteError;
use crate::model::{ForeignKey, ModelMeta, Rule};
use crate::plan::Plan;
use crate::sql::ddl::{alter_key, ExistingKeys, KeyChange, Statements};
use crate::sql::dialect::{KeyDdl, ReplacedKey};
use crate::sql::sqlite_rebuild::{rebuild, wrap, TableDefinition};
use crate::sql::statement::{NoFilter, Roots, Statement, StatementKind};
use crate::verify::{unruled_cascades, UnruledKey};

/// A Diesel migration that declares the models' rules as the database's own `ON DELETE`
/// actions, written by [`Plan::migration`] for the backend it reads.
///
/// Paste [`up`](Migration::up) into the migration's `up.sql` and [`down`](Migration::down)
/// into its `down.sql`. Both are plain SQL; lines starting `--` say what the database cannot
/// declare and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    up: String,
    down: String,
    keys: usize,
    outside_transaction: bool,
}

impl Migration {
    /// The SQL that declares the rules.
    pub fn up(&self) -> &str {
        &self.up
    }

    /// The SQL that puts back the keys `up` replaces, as the database declared them.
    pub fn down(&self) -> &str {
        &self.down
    }

    /// Whether the database already declares every rule it can: nothing to migrate.
    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    /// What the migration's `metadata.toml` must say, if anything: on SQLite, which rebuilds
    /// tables with foreign keys off and so runs outside Diesel's transaction,
    /// `run_in_transaction = false`.
    pub fn metadata_toml(&self) -> Option<&'static str> {
        self.outside_transaction
            .then_some("run_in_transaction = false\n")
    }
}

impl fmt::Display for Migration {
    /// The two files, each under a `-- up.sql` or `-- down.sql` line.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "-- up.sql\n{}\n-- down.sql\n{}", self.up, self.down)
    }
}

/// What the database is to declare for one rule: the action a new key gets, and the ones an
/// existing key may keep; with why it is not the rule itself, where it is not.
struct Wanted {
    declare: DeclaredAction,
    keeps: &'static [DeclaredAction],
    why: Option<&'static str>,
}

const REFUSING: &[DeclaredAction] = &[DeclaredAction::NoAction, DeclaredAction::Restrict];

/// What the database declares for `key` of `model`; `None` for `do_nothing`, whose key is the
/// database's own business.
fn wanted(model: &ModelMeta, key: &ForeignKey, ddl: KeyDdl) -> Option<Wanted> {
    let exactly = |action: DeclaredAction, keeps: &'static [DeclaredAction]| Wanted {
        declare: action,
        keeps,
        why: None,
    };
    Some(match key.rule {
        Rule::Cascade if model.hooks.is_some() => Wanted {
            declare: DeclaredAction::NoAction,
            keeps: REFUSING,
            why: Some(
                "the table has hooks, which only deletable runs: a raw delete of the parent is \
                 refused instead of deleting these rows without them",
            ),
        },
        Rule::Cascade => exactly(DeclaredAction::Cascade, &[DeclaredAction::Cascade]),
        Rule::SetNull => exactly(DeclaredAction::SetNull, &[DeclaredAction::SetNull]),
        // Both refuse; only NO ACTION waits for the statement's own cascades, so a `restrict`
        // row another path deletes does not stop a raw delete, as it does not stop deletable.
        Rule::Protect => exactly(DeclaredAction::Restrict, REFUSING),
        Rule::Restrict => exactly(DeclaredAction::NoAction, REFUSING),
        Rule::SetDefault(_) => Wanted {
            declare: DeclaredAction::NoAction,
            keeps: REFUSING,
            why: Some(match ddl {
                KeyDdl::InnoDb => "InnoDB takes no ON DELETE SET DEFAULT",
                _ => {
                    "ON DELETE SET DEFAULT takes the column's default, not the model's value: a \
                     raw delete of the parent is refused instead"
                }
            }),
        },
        Rule::DoNothing => return None,
    })
}

/// The migration of [`Plan::migration`]: every model of `plan`'s schema, through `catalog`,
/// written for `ddl`'s backend.
pub(crate) async fn write_migration<K: Catalog>(
    plan: &Plan,
    catalog: &mut K,
    ddl: KeyDdl,
) -> Result<Migration, DeleteError> {
    let mut notes = Vec::new();
    let mut missing = Vec::new();
    for model in plan.models {
        let key_column = model.primary_key.first().copied().unwrap_or_default();
        if !describe(plan, catalog, model.table, key_column, model.table)
            .await?
            .table
        {
            notes.push(format!("table {} is not in the database", model.table));
            missing.push(model.table);
        }
    }
    let mut changes = Vec::new();
    for model in plan.models.iter().filter(|m| !missing.contains(&m.table)) {
        if model.hooks.is_some() {
            let unruled = unruled_keys(plan, catalog, model, ddl, &mut notes).await?;
            changes.extend(unruled);
        }
        for key in model.foreign_keys {
            let Some(wanted) = wanted(model, key, ddl) else {
                continue;
            };
            let (table, column, parent_table) = (model.table, key.column, key.parent_table);
            let rule = key.rule.action().name();
            let parent_key = plan
                .models
                .iter()
                .find(|parent| parent.table == parent_table)
                .map_or(&[][..], |parent| parent.primary_key);
            let [parent_column] = parent_key else {
                notes.push(format!(
                    "{table}.{column} -> {parent_table} ({rule}): a key of one column cannot \
                     reference a primary key of {}",
                    parent_key.len()
                ));
                continue;
            };
            if missing.contains(&parent_table) {
                continue;
            }
            let facts = describe(plan, catalog, table, column, parent_table).await?;
            if !facts.column {
                notes.push(format!("column {table}.{column} is not in the database"));
                continue;
            }
            let wanted = if matches!(key.rule, Rule::SetNull) && facts.nullable == Some(false) {
                Wanted {
                    declare: DeclaredAction::NoAction,
                    keeps: REFUSING,
                    why: Some(
                        "the column is NOT NULL, so neither a key nor deletable can set it to \
                         NULL: a raw delete of the parent is refused instead (the column is not \
                         changed here)",
                    ),
                }
            } else {
                wanted
            };
            if let Some(why) = wanted.why {
                notes.push(format!(
                    "{table}.{column} -> {parent_table} ({rule}): declared ON DELETE {}: {why}",
                    wanted.declare.sql()
                ));
            }
            let kept = !facts.declared.is_empty()
                && facts
                    .declared
                    .iter()
                    .all(|declared| wanted.keeps.contains(declared));
            if !kept {
                changes.push(KeyChange {
                    key: ReplacedKey {
                        table,
                        column: column.into(),
                        parent_table: parent_table.into(),
                        parent_column: Some((*parent_column).into()),
                    },
                    on_delete: wanted.declare.sql(),
                    only_cascading: false,
                });
            }
        }
    }
    let mut keys = 0;
    let statements = match ddl {
        KeyDdl::Postgres | KeyDdl::InnoDb => {
            let mut statements = Statements::default();
            let mut downs = Vec::new();
            let mut used = Vec::new();
            for change in &changes {
                let kind = StatementKind::ExistingKeys(change.key.clone());
                let rows = ask(plan, catalog, kind).await?;
                let Some(existing) = ExistingKeys::read(ddl, &rows) else {
                    notes.push(unreadable(change));
                    continue;
                };
                let altered = alter_key(ddl, change, &existing, &mut used);
                keys += 1;
                statements.up.extend(altered.up);
                downs.push(altered.down);
            }
            statements.down = downs.into_iter().rev().flatten().collect();
            statements
        }
        KeyDdl::SqliteRebuild => {
            let mut rebuilt = Vec::new();
            let (mut up, mut downs) = (Vec::new(), Vec::new());
            for model in plan.models {
                let of_table: Vec<&KeyChange> = changes
                    .iter()
                    .filter(|change| change.key.table == model.table)
                    .collect();
                if of_table.is_empty() {
                    continue;
                }
                let rows = ask(plan, catalog, StatementKind::TableDefinition(model.table)).await?;
                let rebuilt_table = TableDefinition::read(rows)
                    .and_then(|definition| rebuild(model.table, &definition, &of_table));
                let Some(table_statements) = rebuilt_table else {
                    notes.push(format!(
                        "table {}: its CREATE TABLE text could not be read, so its keys are \
                         left as they are",
                        model.table
                    ));
                    continue;
                };
                rebuilt.push(model.table);
                keys += of_table.len();
                up.extend(table_statements.up);
                downs.push(table_statements.down);
            }
            let down = downs.into_iter().rev().flatten().collect();
            if rebuilt.is_empty() {
                Statements::default()
            } else {
                Statements {
                    up: wrap(up, &rebuilt),
                    down: wrap(down, &rebuilt),
                }
            }
        }
    };
    Ok(Migration {
        up: render(ddl, &notes, &statements.up, true),
        down: render(ddl, &[], &statements.down, false),
        keys,
        outside_transaction: ddl == KeyDdl::SqliteRebuild && !statements.up.is_empty(),
    })
}

/// The keys no rule of hooked `model` covers that the database cascades along into its table:
/// each becomes `NO ACTION`, so that a delete of the parent is refused rather than taking the
/// rows without their hooks. A key the migration cannot alter (of several columns, or to
/// another schema or database) is noted as such.
async fn unruled_keys<K: Catalog>(
    plan: &Plan,
    catalog: &mut K,
    model: &'static ModelMeta,
    ddl: KeyDdl,
    notes: &mut Vec<String>,
) -> Result<Vec<KeyChange>, DeleteError> {
    let table = model.table;
    let mut changes = Vec::new();
    for unruled in unruled_cascades(plan, catalog, model).await? {
        let UnruledKey {
            column,
            parent_table,
            referenced,
        } = unruled;
        // SQLite names no column for a key to the parent's key.
        let parent_column: Option<Cow<'static, str>> =
            (!referenced.is_empty()).then(|| referenced.clone().into());
        let key = ReplacedKey {
            table,
            column: column.clone().into(),
            parent_table: parent_table.clone().into(),
            parent_column: parent_column.clone(),
        };
        let rows = ask(plan, catalog, StatementKind::ExistingKeys(key.clone())).await?;
        let alterable = ExistingKeys::read(ddl, &rows)
            .is_some_and(|existing| existing.keys.iter().any(|old| old.on_delete == "CASCADE"));
        if !alterable {
            notes.push(format!(
                "{table}.{column} -> {parent_table} (no rule): the database deletes the rows of a \
                 hooked table itself, without their hooks, by a key the migration cannot alter \
                 (of several columns, or to another schema): not changed here"
            ));
            continue;
        }
        notes.push(format!(
            "{table}.{column} -> {parent_table} (no rule): declared ON DELETE NO ACTION: the \
             table has hooks, which only deletable runs, and a delete of the parent is refused \
             instead of deleting these rows without them"
        ));
        changes.push(KeyChange {
            key,
            on_delete: DeclaredAction::NoAction.sql(),
            only_cascading: true,
        });
    }
    Ok(changes)
}

/// The note of a key whose catalog rows do not read as the dialect writes them.
fn unreadable(change: &KeyChange) -> String {
    let key = &change.key;
    format!(
        "{}.{} -> {}: the database's keys of the column could not be read (a name holding a \
         control character?): not changed here",
        key.table, key.column, key.parent_table
    )
}

/// The rows `kind`'s statement answers with.
async fn ask<K: Catalog>(
    plan: &Plan,
    catalog: &mut K,
    kind: StatementKind,
) -> Result<Vec<String>, DeleteError> {
    let no_roots = Roots::<NoFilter>::Keys(&[]);
    Ok(catalog.rows(Statement::new(plan, &no_roots, kind)).await?)
}

/// One file of the migration: a header, the notes as comments, the statements a line each.
fn render(ddl: KeyDdl, notes: &[String], statements: &[String], up: bool) -> String {
    let backend = match ddl {
        KeyDdl::Postgres => "PostgreSQL",
        KeyDdl::InnoDb => "MySQL or MariaDB",
        KeyDdl::SqliteRebuild => "SQLite",
    };
    let mut text = if up {
        format!("-- deletable: the models' rules as ON DELETE actions ({backend}).\n")
    } else {
        format!("-- deletable: the foreign keys as they were before ({backend}).\n")
    };
    if ddl == KeyDdl::SqliteRebuild && !statements.is_empty() {
        text.push_str(
            "-- SQLite cannot alter a foreign key: each table is rebuilt, with foreign keys off,\n\
             -- which SQLite allows only outside a transaction. Put `run_in_transaction = false`\n\
             -- in this migration's metadata.toml: this file opens its own.\n",
        );
    }
    for note in notes {
        // Names read from the database may hold a line break: a note stays one comment line.
        let line: String = note
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .collect();
        text.push_str(&format!("-- {line}\n"));
    }
    if statements.is_empty() {
        text.push_str("-- nothing to change\n");
    }
    for statement in statements {
        text.push_str(statement);
        text.push('\n');
    }
    text
}
