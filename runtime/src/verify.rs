//! The live database's foreign keys held against the models' rules: what a raw SQL delete would
//! do otherwise than `deletable` does.

use std::fmt;

use crate::declared::{describe, Catalog, DeclaredAction, KeyFacts};
use crate::error::DeleteError;
use crate::model::{Action, ForeignKey, ModelMeta, Rule};
use crate::plan::Plan;
use crate::sql::statement::{NoFilter, Roots, Statement, StatementKind};

/// A difference between the live database and the models' rules, found by
/// [`Plan::verify`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Finding {
    /// A model's table is not in the database (as the connection's session resolves names).
    MissingTable {
        /// The table.
        table: &'static str,
    },
    /// A rule's foreign key column is not in its table.
    MissingColumn {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
    },
    /// No foreign key in the database for a rule: a raw SQL delete of the parent leaves the
    /// referencing rows pointing at nothing.
    MissingForeignKey {
        /// The referencing table.
        table: &'static str,
        /// Its column.
        column: &'static str,
        /// The referenced table.
        parent_table: &'static str,
        /// The model's rule.
        rule: Action,
    },
    /// The database declares an `ON DELETE` action that does otherwise than the rule: a raw
    /// SQL delete of the parent silently cascades, or sets `NULL`, where `deletable` would not.
    ContradictingAction {
        /// The referencing table.
        table: &'static str,
        /// Its column.
        column: &'static str,
        /// The referenced table.
        parent_table: &'static str,
        /// The model's rule.
        rule: Action,
        /// What the database declares.
        declared: DeclaredAction,
    },
    /// The database deletes the rows of a table with hooks by itself (`ON DELETE CASCADE`):
    /// a raw SQL delete of the parent removes them without their hooks (`deletable` runs them,
    /// and leaves no hooked table to the database).
    SkipsHooks {
        /// The hooked table.
        table: &'static str,
        /// Its column.
        column: &'static str,
        /// The referenced table.
        parent_table: &'static str,
    },
    /// The database deletes the rows of a table with hooks by itself (`ON DELETE CASCADE`)
    /// through a foreign key no rule of its model covers: a delete of the parent, raw or by
    /// `deletable` (whose plan does not know the key), removes them without their hooks.
    UnruledCascade {
        /// The hooked table.
        table: &'static str,
        /// The column of the key, as the database names it.
        column: String,
        /// The table it references, as the database names it.
        parent_table: String,
    },
    /// A `set_null` column the database declares `NOT NULL`: the update would fail.
    NotNullable {
        /// The table.
        table: &'static str,
        /// The column.
        column: &'static str,
    },
    /// The session does not enforce foreign keys (SQLite's `PRAGMA foreign_keys = OFF`,
    /// MySQL's `foreign_key_checks = 0`, PostgreSQL's `session_replication_role = replica`):
    /// the database neither refuses nor acts on any of them.
    KeysNotEnforced,
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::MissingTable { table } => write!(f, "table {table} is not in the database"),
            Finding::MissingColumn { table, column } => {
                write!(f, "column {table}.{column} is not in the database")
            }
            Finding::MissingForeignKey {
                table,
                column,
                parent_table,
                rule,
            } => write!(
                f,
                "{table}.{column} -> {parent_table} ({}): no foreign key in the database, so a raw \
                 delete can orphan its rows",
                rule.name()
            ),
            Finding::ContradictingAction {
                table,
                column,
                parent_table,
                rule,
                declared,
            } => write!(
                f,
                "{table}.{column} -> {parent_table} ({}): the database declares ON DELETE {}",
                rule.name(),
                declared.sql()
            ),
            Finding::SkipsHooks {
                table,
                column,
                parent_table,
            } => write!(
                f,
                "{table}.{column} -> {parent_table}: the database deletes the rows of a hooked \
                 table itself (ON DELETE CASCADE), without their hooks"
            ),
            Finding::UnruledCascade {
                table,
                column,
                parent_table,
            } => write!(
                f,
                "{table}.{column} -> {parent_table}: the database deletes the rows of a hooked \
                 table itself (ON DELETE CASCADE) through a key with no rule, without their hooks"
            ),
            Finding::NotNullable { table, column } => write!(
                f,
                "{table}.{column} is set_null but the database declares it NOT NULL"
            ),
            Finding::KeysNotEnforced => f.write_str("the session does not enforce foreign keys"),
        }
    }
}

/// The findings of one rule, given what the database says of its key.
fn findings(model: &ModelMeta, key: &ForeignKey, facts: &KeyFacts) -> Vec<Finding> {
    let (table, column, parent_table) = (model.table, key.column, key.parent_table);
    let rule = key.rule.action();
    if !facts.column {
        return vec![Finding::MissingColumn { table, column }];
    }
    let mut found = Vec::new();
    if matches!(key.rule, Rule::SetNull) && facts.nullable == Some(false) {
        found.push(Finding::NotNullable { table, column });
    }
    if facts.declared.is_empty() {
        if !matches!(key.rule, Rule::DoNothing) {
            found.push(Finding::MissingForeignKey {
                table,
                column,
                parent_table,
                rule,
            });
        }
        return found;
    }
    for &declared in &facts.declared {
        let agrees = match key.rule {
            Rule::Cascade => !matches!(
                declared,
                DeclaredAction::SetNull | DeclaredAction::SetDefault
            ),
            Rule::Protect | Rule::Restrict => !declared.acts(),
            Rule::SetNull => !matches!(
                declared,
                DeclaredAction::Cascade | DeclaredAction::SetDefault
            ),
            Rule::SetDefault(_) => {
                !matches!(declared, DeclaredAction::Cascade | DeclaredAction::SetNull)
            }
            Rule::DoNothing => true,
        };
        if !agrees {
            found.push(Finding::ContradictingAction {
                table,
                column,
                parent_table,
                rule,
                declared,
            });
        }
        if declared == DeclaredAction::Cascade && model.hooks.is_some() {
            found.push(Finding::SkipsHooks {
                table,
                column,
                parent_table,
            });
        }
    }
    found
}

/// The findings of [`Plan::verify`]: every model of `plan`'s schema, through `catalog`.
pub(crate) async fn verify_schema<K: Catalog>(
    plan: &Plan,
    catalog: &mut K,
) -> Result<Vec<Finding>, DeleteError> {
    let mut found = Vec::new();
    let mut enforced = true;
    for model in plan.models {
        // The table first, by its key's first column: a model may have no foreign key.
        let key_column = model.primary_key.first().copied().unwrap_or_default();
        let facts = describe(plan, catalog, model.table, key_column, model.table).await?;
        enforced &= facts.enforced;
        if !facts.table {
            found.push(Finding::MissingTable { table: model.table });
            continue;
        }
        for key in model.foreign_keys {
            let facts = describe(plan, catalog, model.table, key.column, key.parent_table).await?;
            found.extend(findings(model, key, &facts));
        }
        if model.hooks.is_some() {
            let mut reported: Vec<(String, String)> = Vec::new();
            for key in unruled_cascades(plan, catalog, model).await? {
                let pair = (key.column, key.parent_table);
                if !reported.contains(&pair) {
                    found.push(Finding::UnruledCascade {
                        table: model.table,
                        column: pair.0.clone(),
                        parent_table: pair.1.clone(),
                    });
                    reported.push(pair);
                }
            }
        }
    }
    if !enforced {
        found.insert(0, Finding::KeysNotEnforced);
    }
    Ok(found)
}

/// A key into a hooked model's table that the database cascades along and no rule of the
/// model covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct UnruledKey {
    /// Its column.
    pub(crate) column: String,
    /// The table it references.
    pub(crate) parent_table: String,
    /// The column it references (empty on SQLite for the parent's key).
    pub(crate) referenced: String,
}

/// The keys into a hooked model's table that the database cascades along and no rule of the
/// model covers: a rule covers a key of its column to its parent's key.
pub(crate) async fn unruled_cascades<K: Catalog>(
    plan: &Plan,
    catalog: &mut K,
    model: &'static ModelMeta,
) -> Result<Vec<UnruledKey>, DeleteError> {
    let no_roots = Roots::<NoFilter>::Keys(&[]);
    let kind = StatementKind::CascadingKeys(model.table);
    let rows = catalog.rows(Statement::new(plan, &no_roots, kind)).await?;
    let parent_key = |parent_table: &str| {
        plan.models
            .iter()
            .find(|parent| parent.table.eq_ignore_ascii_case(parent_table))
            .and_then(|parent| parent.primary_key.first().copied())
    };
    let mut keys: Vec<UnruledKey> = Vec::new();
    for row in rows {
        let fields: Vec<&str> = row.split('\u{1f}').collect();
        let [column, parent_table, referenced] = fields.as_slice() else {
            continue;
        };
        let covered = model.foreign_keys.iter().any(|rule| {
            rule.column.eq_ignore_ascii_case(column)
                && rule.parent_table.eq_ignore_ascii_case(parent_table)
                && (referenced.is_empty()
                    || parent_key(parent_table)
                        .is_some_and(|key| key.eq_ignore_ascii_case(referenced)))
        });
        let key = UnruledKey {
            column: (*column).to_owned(),
            parent_table: (*parent_table).to_owned(),
            referenced: (*referenced).to_owned(),
        };
        if !covered && !keys.contains(&key) {
            keys.push(key);
        }
    }
    Ok(keys)
}
