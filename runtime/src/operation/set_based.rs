//! A node without hooks: its rows deleted, marked or unmarked in set-based statements that
//! select them through the plan's edges, whatever their number.

use crate::model::{ModelMeta, Rule};
use crate::plan::Step;
use crate::sql::statement::{Roots, Statement, StatementKind};

use super::roots::temp_table_name;
use super::{Abort, Operation, Port};

impl Operation<'_> {
    /// Deletes a node's rows set-based: one statement (or, on MySQL, one per cascade edge into
    /// the node, or the detached form for a tree).
    pub(super) async fn delete_set_based<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        node: usize,
        port: &mut P,
    ) -> Result<u64, Abort> {
        let plan = self.plan;
        let dialect = port.dialect();
        let step = Step::Delete { node };
        let vias = plan.node_vias(node).len();
        let tree = plan.nodes[node].tree.is_some();
        if dialect.foreign_keys_checked_per_row {
            for fk in detachable_self_references(plan.node_model(node)) {
                let kind = StatementKind::DetachReferences { node, fk };
                port.execute(Statement::new(plan, roots, kind)).await?;
            }
        }
        if tree && dialect.foreign_keys_act_per_row {
            return Ok(self.delete_subtrees_detached(roots, node, port).await? as u64);
        }
        if dialect.delete_by_join && vias > 1 && !tree {
            let mut deleted = 0;
            for via in 0..vias {
                let kind = StatementKind::Delete(step, Some(via));
                deleted += port.execute(Statement::new(plan, roots, kind)).await? as u64;
            }
            return Ok(deleted);
        }
        let kind = StatementKind::Delete(step, None);
        Ok(port.execute(Statement::new(plan, roots, kind)).await? as u64)
    }

    /// Soft-deletes or restores a node's rows set-based: one statement.
    pub(super) async fn mark_set_based<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        node: usize,
        port: &mut P,
    ) -> Result<u64, Abort> {
        let plan = self.plan;
        // Past the root, MySQL runs `IN (subquery)` of an UPDATE once per row of the table: join
        // instead, as its deletes do.
        let literal_root = node == plan.root() && matches!(roots, Roots::Keys(_));
        let kind = if port.dialect().delete_by_join && !literal_root {
            StatementKind::MarkByJoin(node, self.mark.clone())
        } else {
            StatementKind::Mark(node, self.mark.clone())
        };
        let statement = Statement::new(plan, roots, kind).in_mode(self.mode);
        Ok(port.execute(statement).await? as u64)
    }

    /// Deletes a tree node's rows and subtrees on a backend that checks foreign keys row by
    /// row: their keys are copied once into a temporary table, their tree foreign keys cleared,
    /// then they are deleted. (Clearing first would cut the recursive query short, hence the
    /// copy.)
    async fn delete_subtrees_detached<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        node: usize,
        port: &mut P,
    ) -> Result<usize, Abort> {
        let plan = self.plan;
        let name = temp_table_name("subtree");
        let statement = |kind| Statement::new(plan, roots, kind);
        port.execute(statement(StatementKind::CreateSubtreeTable(
            node,
            name.clone(),
        )))
        .await?;
        let deleted = async {
            port.execute(statement(StatementKind::FillSubtreeTable(
                node,
                name.clone(),
            )))
            .await?;
            port.execute(statement(StatementKind::DetachSubtree(node, name.clone())))
                .await?;
            port.execute(statement(StatementKind::DeleteSubtree(node, name.clone())))
                .await
        }
        .await;
        self.drop_temp_tables(std::slice::from_ref(&name), deleted.is_ok(), true, port)
            .await?;
        deleted
    }
}

/// The nullable foreign keys of a model to itself that leave the rows' references to the
/// database (`restrict`, checked before; `do_nothing`): cleared before the rows are deleted
/// together, where the database checks each row as it goes.
pub(super) fn detachable_self_references(model: &ModelMeta) -> impl Iterator<Item = usize> + '_ {
    model
        .foreign_keys
        .iter()
        .enumerate()
        .filter(move |(_, fk)| {
            fk.parent_table == model.table
                && fk.nullable
                && !fk.tree
                && matches!(fk.rule, Rule::Restrict | Rule::DoNothing)
        })
        .map(|(index, _)| index)
}
