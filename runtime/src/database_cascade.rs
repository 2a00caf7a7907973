//! Leaving tables to the database's own `ON DELETE CASCADE`, where the backend allows it
//! ([`Dialect::DATABASE_CASCADES`](crate::Dialect::DATABASE_CASCADES)): which nodes of a plan the
//! database deletes by itself, and how many rows it deleted from each.
//!
//! The belief comes from the database's catalog, read inside the delete's transaction after the
//! checks, never from the models: a node is left to the database only when every cascade edge
//! into it is declared `ON DELETE CASCADE` there, with its triggers enabled. Anything else (no
//! constraint, another action, a disabled trigger, a table the catalog does not know) and the
//! node is deleted by our own statement, as everywhere else. Thinking wrongly that the database
//! does *not* cascade costs nothing but speed: our statement runs first and the database's
//! cascade then finds no rows.

use std::marker::PhantomData;

use diesel::query_builder::QueryFragment;
use diesel::QueryResult;

use crate::execute::DeleteConnection;
use crate::plan::Plan;
use crate::sql::dialect::CascadeEdge;
use crate::sql::statement::{Returning, Roots, Statement, StatementKind};

/// The nodes of one delete that the database deletes by itself.
#[derive(Debug, Default)]
pub(crate) struct DatabaseCascades {
    /// The nodes left to the database, each with the rows deleted from its table in the
    /// transaction before the delete ran.
    nodes: Vec<(usize, i64)>,
}

impl DatabaseCascades {
    /// Asks the database which nodes of `plan` it would delete itself when their parents go:
    /// nodes without hooks or a tree of their own (their rows must reach hooks, or a recursive
    /// walk), below the root, every cascade edge into which it declares `ON DELETE CASCADE`.
    /// One query, and none when no node qualifies.
    pub(crate) fn ask<C, F>(plan: &Plan, roots: &Roots<'_, F>, conn: &mut C) -> QueryResult<Self>
    where
        C: DeleteConnection,
        F: QueryFragment<C::Backend>,
    {
        let candidates: Vec<usize> = (0..plan.nodes.len())
            .filter(|&node| {
                node != plan.root()
                    && plan.nodes[node].tree.is_none()
                    && plan.node_model(node).hooks.is_none()
            })
            .collect();
        if candidates.is_empty() {
            return Ok(DatabaseCascades::default());
        }
        let edges: Vec<CascadeEdge> = candidates
            .iter()
            .flat_map(|&node| {
                let table = plan.node_model(node).table;
                plan.node_vias(node).iter().map(move |via| {
                    let parent = plan.node_model(via.parent);
                    CascadeEdge {
                        table,
                        column: via.column,
                        parent_table: parent.table,
                        parent_column: parent.primary_key[0],
                    }
                })
            })
            .collect();
        let tables = candidates
            .iter()
            .map(|&node| plan.node_model(node).table)
            .collect();
        let answer = ask_text(
            conn,
            Statement::new(
                plan,
                roots,
                StatementKind::DatabaseCascades { edges, tables },
            ),
        )?;
        let mut values = answer.split(',');
        if values.next() != Some("1") {
            return Ok(DatabaseCascades::default());
        }
        let declared: Vec<bool> = candidates
            .iter()
            .flat_map(|&node| plan.node_vias(node))
            .map(|_| values.next() == Some("1"))
            .collect();
        let mut nodes = Vec::new();
        let mut edge = 0;
        for &node in &candidates {
            let vias = plan.node_vias(node).len();
            let deleted_before = parse_count(values.next())?;
            if declared[edge..edge + vias].iter().all(|&cascades| cascades) {
                nodes.push((node, deleted_before));
            }
            edge += vias;
        }
        Ok(DatabaseCascades { nodes })
    }

    /// Whether the database deletes this node's rows itself.
    pub(crate) fn deletes(&self, node: usize) -> bool {
        self.nodes.iter().any(|&(left, _)| left == node)
    }

    /// After the delete: `(node, rows)` for each node the database deleted, counted by the
    /// database's own per-transaction statistics.
    pub(crate) fn deleted<C, F>(
        &self,
        plan: &Plan,
        roots: &Roots<'_, F>,
        conn: &mut C,
    ) -> QueryResult<Vec<(usize, u64)>>
    where
        C: DeleteConnection,
        F: QueryFragment<C::Backend>,
    {
        if self.nodes.is_empty() {
            return Ok(Vec::new());
        }
        let tables = self
            .nodes
            .iter()
            .map(|&(node, _)| plan.node_model(node).table)
            .collect();
        let answer = ask_text(
            conn,
            Statement::new(plan, roots, StatementKind::DeletedInTransaction(tables)),
        )?;
        let mut values = answer.split(',');
        self.nodes
            .iter()
            .map(|&(node, before)| {
                let after = parse_count(values.next())?;
                Ok((node, after.saturating_sub(before).max(0) as u64))
            })
            .collect()
    }
}

/// Runs a statement that answers with one row of text.
fn ask_text<C, F>(conn: &mut C, statement: Statement<'_, F>) -> QueryResult<String>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    Ok(conn
        .load_keys(Returning(statement, PhantomData))?
        .into_iter()
        .next()
        .unwrap_or_default())
}

fn parse_count(value: Option<&str>) -> QueryResult<i64> {
    value
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| {
            diesel::result::Error::DeserializationError(
                format!("expected a row count from the database, got {value:?}").into(),
            )
        })
}
