//! A hard delete's steps: the checks, then the updates, detachments and deletes in plan order,
//! children before parents.

use crate::plan::Step;
use crate::report::DeleteReport;
use crate::sql::statement::{update_value, Mode, Roots, Statement, StatementKind};

use super::database_cascade::DatabaseCascades;
use super::{reference_loop, Abort, Operation, Port};

impl Operation<'_> {
    /// Runs the operation's steps from `roots` (keys, a filter read once, or a temporary table).
    pub(super) async fn steps<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        let plan = self.plan;
        let dialect = port.dialect();
        // The roots are locked first so that a writer inserting a child under one of them
        // waits, then fails, rather than this delete failing on the child. A chunk without
        // hooks that runs again after such a failure does without: locking its thousands of
        // rows costs a write each, and its second run finds the children anew.
        let lock = if self.retried_chunk {
            self.has_hooks()
        } else {
            plan.steps.len() > 1 || self.has_hooks()
        };
        if dialect.locks_rows && lock {
            let kind = StatementKind::LockRoots;
            port.count(Statement::new(plan, roots, kind)).await?;
        }
        if self.mode != Mode::Delete {
            return self.soft_steps(roots, port).await;
        }
        self.check_blockers(roots, port).await?;
        let by_database = if dialect.database_cascades {
            DatabaseCascades::ask(plan, roots, port).await?
        } else {
            DatabaseCascades::default()
        };

        let mut deleted = vec![0; plan.nodes.len()];
        for step in plan.steps {
            match *step {
                Step::Check { .. } => {}
                Step::Update { model, fk, .. } => {
                    let value = update_value(plan.foreign_key(model, fk).rule);
                    let kind = StatementKind::Update(*step, value);
                    port.execute(Statement::new(plan, roots, kind)).await?;
                }
                Step::Detach { node, fk } => {
                    let kind = StatementKind::DetachReferences { node, fk };
                    port.execute(Statement::new(plan, roots, kind)).await?;
                }
                Step::Delete { node } => {
                    reference_loop::refuse_before(plan, roots, node, port).await?;
                    // The database deletes these rows when it deletes their parents.
                    if by_database.deletes(node) {
                        continue;
                    }
                    let own_loops =
                        reference_loop::own_table_loops(plan, roots, node, port).await?;
                    let before = by_database.count_before(plan, roots, node, port).await?;
                    let result = self.node(roots, node, port).await;
                    deleted[node] = match result {
                        Ok(count) => count,
                        Err(Abort::Error(error)) => {
                            let dialect = port.dialect();
                            return Err(reference_loop::own_table_error(
                                plan, node, &own_loops, error, &dialect,
                            )
                            .into());
                        }
                        Err(panic) => return Err(panic),
                    };
                    by_database
                        .count_after(plan, roots, before, &mut deleted, port)
                        .await?;
                }
            }
        }
        let mut report = DeleteReport::default();
        for step in plan.steps {
            if let Step::Delete { node } = *step {
                report.record(plan.node_model(node).table, deleted[node]);
            }
        }
        Ok(report)
    }

    /// Deletes, marks or unmarks one node's rows: through the model's hooks in batches, or in
    /// one set-based statement.
    pub(super) async fn node<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        node: usize,
        port: &mut P,
    ) -> Result<u64, Abort> {
        let plan = self.plan;
        match plan.node_model(node).hooks {
            Some(model_batch) => {
                // A batch's delete (or mark) binds its keys and a mark in one statement: a
                // larger batch than that can carry goes in several.
                let arity = plan.node_model(node).primary_key.len().max(1);
                let most = ((port.dialect().max_bind_params - 1) / arity).max(1);
                let batch = self
                    .options
                    .batch_size
                    .unwrap_or(model_batch)
                    .clamp(1, most);
                self.node_in_batches(roots, node, batch, port).await
            }
            None if self.mode == Mode::Delete => self.delete_set_based(roots, node, port).await,
            None => self.mark_set_based(roots, node, port).await,
        }
    }
}
