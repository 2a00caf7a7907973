//! What the live database declares of its foreign keys, as [`verify`](crate::Plan::verify) and
//! [`migration`](crate::Plan::migration) read it: the statements are the dialect's, the reading
//! is here, once for both runners.

use std::future::Future;

use diesel::QueryResult;

use crate::error::DeleteError;
use crate::plan::Plan;
use crate::sql::dialect::{DescribedKey, KeyColumn};
use crate::sql::statement::{NoFilter, Roots, Statement, StatementKind};

/// An `ON DELETE` action as the database declares it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DeclaredAction {
    /// `CASCADE`: the database deletes the referencing rows.
    Cascade,
    /// `SET NULL`.
    SetNull,
    /// `SET DEFAULT`.
    SetDefault,
    /// `RESTRICT`: the database refuses the delete at once.
    Restrict,
    /// `NO ACTION` (the default): the database refuses the delete, at the statement's end or,
    /// deferred, at commit.
    NoAction,
}

impl DeclaredAction {
    /// PostgreSQL's letter (`pg_constraint.confdeltype`) or the SQL name.
    pub(crate) fn parse(text: &str) -> Option<Self> {
        match text.trim().to_ascii_uppercase().as_str() {
            "C" | "CASCADE" => Some(DeclaredAction::Cascade),
            "N" | "SET NULL" => Some(DeclaredAction::SetNull),
            "D" | "SET DEFAULT" => Some(DeclaredAction::SetDefault),
            "R" | "RESTRICT" => Some(DeclaredAction::Restrict),
            "A" | "NO ACTION" => Some(DeclaredAction::NoAction),
            _ => None,
        }
    }

    /// `ON DELETE CASCADE`, ...
    pub(crate) fn sql(self) -> &'static str {
        match self {
            DeclaredAction::Cascade => "CASCADE",
            DeclaredAction::SetNull => "SET NULL",
            DeclaredAction::SetDefault => "SET DEFAULT",
            DeclaredAction::Restrict => "RESTRICT",
            DeclaredAction::NoAction => "NO ACTION",
        }
    }

    /// Whether the database changes the referencing rows itself.
    pub(crate) fn acts(self) -> bool {
        matches!(
            self,
            DeclaredAction::Cascade | DeclaredAction::SetNull | DeclaredAction::SetDefault
        )
    }
}

/// What the database says of one foreign key (see
/// [`SqlDialect::push_key_description`](crate::sql::dialect::SqlDialect)).
#[derive(Debug)]
pub(crate) struct KeyFacts {
    pub(crate) table: bool,
    pub(crate) column: bool,
    pub(crate) nullable: Option<bool>,
    pub(crate) declared: Vec<DeclaredAction>,
    pub(crate) enforced: bool,
}

impl KeyFacts {
    pub(crate) fn parse(answer: &str) -> KeyFacts {
        let fields: Vec<&str> = answer.split('|').collect();
        let field = |index: usize| fields.get(index).map_or("", |field| field.trim());
        KeyFacts {
            table: field(0) != "0" && !field(0).is_empty(),
            column: field(1) != "0" && !field(1).is_empty(),
            nullable: match field(2) {
                "" => None,
                value => Some(value != "0"),
            },
            declared: field(3)
                .split(',')
                .filter_map(DeclaredAction::parse)
                .collect(),
            enforced: field(4) != "0",
        }
    }
}

/// What [`verify`](crate::Plan::verify) and [`migration`](crate::Plan::migration) ask of a
/// connection: the rows of text a catalog statement answers with. A runner answers, at once or
/// when the database replies.
pub(crate) trait Catalog {
    /// Runs `statement`; the texts it answers with, a row each.
    fn rows(
        &mut self,
        statement: Statement<'_, NoFilter>,
    ) -> impl Future<Output = QueryResult<Vec<String>>>;
}

/// What the database says of the key from `table.column` to `parent_table`.
pub(crate) async fn describe<K: Catalog>(
    plan: &Plan,
    catalog: &mut K,
    table: &'static str,
    column: &'static str,
    parent_table: &'static str,
) -> Result<KeyFacts, DeleteError> {
    let no_roots = Roots::<NoFilter>::Keys(&[]);
    let parent_column = plan
        .models
        .iter()
        .find(|model| model.table == parent_table)
        .and_then(|model| model.primary_key.first().copied())
        .unwrap_or_default();
    let key = KeyColumn {
        table,
        column,
        parent_table,
    };
    let described = DescribedKey { key, parent_column };
    let kind = StatementKind::DescribeKey(described);
    let answer = first(catalog.rows(Statement::new(plan, &no_roots, kind)).await?);
    Ok(KeyFacts::parse(&answer))
}

/// The first row of an answer of one text (empty for none).
fn first(rows: Vec<String>) -> String {
    rows.into_iter().next().unwrap_or_default()
}
