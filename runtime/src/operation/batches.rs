//! A hooked node: its rows in batches, each loaded whole (or as keys), shown to the `before`
//! hook, deleted (or marked), then shown to the `after` hook.

use crate::error::{DeleteError, HookStage};
use crate::model::ModelMeta;
use crate::sql::statement::{Mode, Roots, Statement, StatementKind};
use crate::value::SqlValue;

use super::set_based::detachable_self_references;
use super::{Abort, Operation, Port};

impl Operation<'_> {
    /// Handles a hooked node's rows batch by batch: the `before` hook, the batch's delete (or
    /// mark), the `after` hook. Batches follow the key (keyset pagination, never `OFFSET`); for
    /// a tree's delete they take rows whose children are gone, so each batch is a set of leaves.
    pub(super) async fn node_in_batches<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        node: usize,
        batch_size: usize,
        port: &mut P,
    ) -> Result<u64, Abort> {
        let plan = self.plan;
        let mode = self.mode;
        let model = plan.node_model(node);
        let leaves_first = plan.nodes[node].tree.is_some() && mode == Mode::Delete;
        let (before, after_stage) = match mode {
            Mode::Delete => (HookStage::BeforeDelete, HookStage::AfterDelete),
            Mode::SoftDelete => (HookStage::BeforeSoftDelete, HookStage::AfterSoftDelete),
            Mode::Restore => (HookStage::BeforeRestore, HookStage::AfterRestore),
        };
        let mut after: Option<Vec<SqlValue>> = None;
        let mut done = 0;
        let mut starts_detached = false;
        // Rows of the node referencing a batch through a self-referencing `restrict` key go
        // later in this delete (the check saw to it): their reference is cleared before the
        // batch goes.
        let batch_references: Vec<usize> = match mode {
            Mode::Delete => detachable_self_references(model)
                .filter(|&fk| model.foreign_keys[fk].rule.is_restrict())
                .collect(),
            _ => Vec::new(),
        };
        let load = |after: Option<Vec<SqlValue>>, leaves_only: bool| {
            let kind = StatementKind::LoadBatch {
                node,
                limit: batch_size,
                after,
                leaves_only,
            };
            Statement::new(plan, roots, kind).in_mode(mode)
        };
        loop {
            let (mut keys, mut rows) = port
                .load_batch(model.table, load(after.take(), leaves_first))
                .await?;
            // No leaf left, yet rows: each of them leads into a loop in the data (1 -> 3 -> 2 ->
            // 1, or a row its own parent). Every such loop passes through a row the walk starts
            // from: clearing their parents breaks the loops and the walk still reaches every
            // row.
            if leaves_first && rows == 0 && !starts_detached {
                (_, rows) = port.load_batch(model.table, load(None, false)).await?;
                if rows == 0 {
                    return Ok(done);
                }
                let detach = StatementKind::DetachTreeStarts(node);
                port.execute(Statement::new(plan, roots, detach)).await?;
                starts_detached = true;
                continue;
            }
            // Should leaves still be missing, a batch goes after its children are detached.
            let in_loops = leaves_first && rows == 0;
            if in_loops {
                (keys, rows) = port.load_batch(model.table, load(None, false)).await?;
            }
            if rows == 0 {
                return Ok(done);
            }
            run_hook(port, model, before).await?;
            let batch = Roots::<F>::Keys(&keys);
            if in_loops {
                let detach = StatementKind::DetachChildren(node);
                port.execute(Statement::new(plan, &batch, detach)).await?;
            }
            for &fk in &batch_references {
                let detach = StatementKind::DetachBatchReferences { node, fk };
                port.execute(Statement::new(plan, &batch, detach)).await?;
            }
            let kind = match mode {
                Mode::Delete => StatementKind::DeleteBatch(node),
                _ => StatementKind::MarkBatch(node, self.mark.clone()),
            };
            done += port
                .execute(Statement::new(plan, &batch, kind).in_mode(mode))
                .await? as u64;
            run_hook(port, model, after_stage).await?;
            if rows < batch_size && !leaves_first {
                return Ok(done);
            }
            if !leaves_first {
                let arity = keys.len() / rows;
                after = Some(keys.split_off(keys.len() - arity));
            }
        }
    }
}

/// Runs one hook of `model` on the batch last loaded. A hook must leave the transactions as it
/// found them: one that leaves its own open (a `conn.transaction` future it dropped, a panic
/// inside one) would have the operation commit or roll back that one instead of its own, and
/// report a delete that is never committed. Then the connection's transaction manager is
/// marked failed, so that nothing the operation did can be committed, and the hook fails (or
/// its panic goes on).
async fn run_hook<F, P: Port<F>>(
    port: &mut P,
    model: &ModelMeta,
    stage: HookStage,
) -> Result<(), Abort> {
    let depth = port.transaction_depth();
    let outcome = port.hook(model.table, stage).await;
    let hook_error = |source| {
        Abort::Error(DeleteError::Hook {
            model: model.name,
            table: model.table,
            stage,
            source,
        })
    };
    if port.transaction_depth() != depth {
        port.fail_transactions();
        return Err(match outcome {
            Err(Abort::Panic(payload)) => Abort::Panic(payload),
            _ => hook_error(
                "the hook left a transaction of its own open (or closed the delete's): the \
                 connection's transactions are marked failed, and nothing of the delete is \
                 committed"
                    .into(),
            ),
        });
    }
    outcome?.map_err(hook_error)
}
