//! Leaving tables to the database's own `ON DELETE CASCADE`, where the backend allows it
//! ([`Dialect::DATABASE_CASCADES`](crate::Dialect::DATABASE_CASCADES)): which nodes of a plan the
//! database deletes by itself, and how many rows it deleted from each, counted around each
//! statement that makes it cascade.
//!
//! The belief comes from the database's catalog, read inside the delete's transaction after the
//! checks, never from the models: a node is left to the database only when every cascade edge
//! into it is declared `ON DELETE CASCADE` there, with its triggers enabled. Anything else (no
//! constraint, another action, a disabled trigger, a table the catalog does not know) and the
//! node is deleted by our own statement, as everywhere else. Thinking wrongly that the database
//! does *not* cascade costs nothing but speed: our statement runs first and the database's
//! cascade then finds no rows.

use crate::plan::Plan;
use crate::sql::dialect::CascadeEdge;
use crate::sql::statement::{Roots, Statement, StatementKind};

use super::{Abort, Port};

/// The nodes of one delete that the database deletes by itself.
#[derive(Debug, Default)]
pub(crate) struct DatabaseCascades {
    /// The nodes left to the database.
    nodes: Vec<usize>,
}

impl DatabaseCascades {
    /// Asks the database which nodes of `plan` it would delete itself when their parents go:
    /// nodes without hooks or a tree of their own (their rows must reach hooks, or a recursive
    /// walk), below the root, every cascade edge into which it declares `ON DELETE CASCADE`, from
    /// parents without hooks (the rows the database deletes are counted around each parent's
    /// statement, where no hook of the user may run), and without other foreign keys to tables
    /// of the plan (their rows would then outlive a table deleted before their parents). One
    /// query, and none when no node qualifies.
    pub(super) async fn ask<F, P: Port<F>>(
        plan: &Plan,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<Self, Abort> {
        let in_plan =
            |table: &str| (0..plan.nodes.len()).any(|n| plan.node_model(n).table == table);
        let candidates: Vec<usize> = (0..plan.nodes.len())
            .filter(|&node| {
                let model = plan.node_model(node);
                let vias = plan.node_vias(node);
                node != plan.root()
                    && plan.nodes[node].tree.is_none()
                    && model.hooks.is_none()
                    && vias
                        .iter()
                        .all(|via| plan.node_model(via.parent).hooks.is_none())
                    // Its rows stay until its parents go: no other table of the plan may need
                    // them gone sooner (a key of theirs to a table deleted in between), or lose
                    // them by a cascade of its own, uncounted.
                    && model.foreign_keys.iter().all(|fk| {
                        vias.iter().any(|via| via.column == fk.column) || !in_plan(fk.parent_table)
                    })
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
        let answer = ask_text(
            port,
            Statement::new(plan, roots, StatementKind::DatabaseCascades(edges)),
        )
        .await?;
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
            if declared[edge..edge + vias].iter().all(|&cascades| cascades) {
                nodes.push(node);
            }
            edge += vias;
        }
        Ok(DatabaseCascades { nodes })
    }

    /// Whether the database deletes this node's rows itself.
    pub(super) fn deletes(&self, node: usize) -> bool {
        self.nodes.contains(&node)
    }

    /// Before our own statement for `node`'s rows: when the database cascades from `node` into
    /// nodes left to it, the database's per-transaction count of rows deleted from each.
    pub(super) async fn count_before<F, P: Port<F>>(
        &self,
        plan: &Plan,
        roots: &Roots<'_, F>,
        node: usize,
        port: &mut P,
    ) -> Result<Option<Vec<i64>>, Abort> {
        let cascades_from_node = self
            .nodes
            .iter()
            .any(|&left| plan.node_vias(left).iter().any(|via| via.parent == node));
        if !cascades_from_node {
            return Ok(None);
        }
        Ok(Some(self.deleted_so_far(plan, roots, port).await?))
    }

    /// Just after that statement: adds to `deleted` (indexed by node) the rows the database
    /// deleted from each node left to it, the count now less the count `before`. Nothing else of
    /// ours or the user's runs between the two.
    pub(super) async fn count_after<F, P: Port<F>>(
        &self,
        plan: &Plan,
        roots: &Roots<'_, F>,
        before: Option<Vec<i64>>,
        deleted: &mut [u64],
        port: &mut P,
    ) -> Result<(), Abort> {
        let Some(before) = before else {
            return Ok(());
        };
        let after = self.deleted_so_far(plan, roots, port).await?;
        for ((&left, before), after) in self.nodes.iter().zip(before).zip(after) {
            deleted[left] += after.saturating_sub(before).max(0) as u64;
        }
        Ok(())
    }

    /// The rows deleted so far in the transaction from each node's table, in `nodes` order.
    async fn deleted_so_far<F, P: Port<F>>(
        &self,
        plan: &Plan,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<Vec<i64>, Abort> {
        let tables = self
            .nodes
            .iter()
            .map(|&node| plan.node_model(node).table)
            .collect();
        let answer = ask_text(
            port,
            Statement::new(plan, roots, StatementKind::DeletedInTransaction(tables)),
        )
        .await?;
        let mut values = answer.split(',');
        let counts: diesel::QueryResult<Vec<i64>> = self
            .nodes
            .iter()
            .map(|_| parse_count(values.next()))
            .collect();
        Ok(counts?)
    }
}

/// Runs a statement that answers with one row of text.
async fn ask_text<F, P: Port<F>>(
    port: &mut P,
    statement: Statement<'_, F>,
) -> Result<String, Abort> {
    Ok(port
        .texts(statement)
        .await?
        .into_iter()
        .next()
        .unwrap_or_default())
}

fn parse_count(value: Option<&str>) -> diesel::QueryResult<i64> {
    value
        .and_then(|value| value.trim().parse().ok())
        .ok_or_else(|| {
            diesel::result::Error::DeserializationError(
                format!("expected a row count from the database, got {value:?}").into(),
            )
        })
}
