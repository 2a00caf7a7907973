//! The checks before anything changes: `protect` and `restrict` children that block the
//! operation, and for a restore, parents that stay soft-deleted.

use crate::error::{Blocker, DeleteError, SoftDeletedParent};
use crate::plan::{CheckKind, Step};
use crate::sql::statement::{Mode, Roots, Statement, StatementKind, BLOCKING_KEYS_LISTED};

use super::{Abort, Operation, Port};

impl Operation<'_> {
    /// Runs every protect and restrict check; fails listing every blocker found.
    pub(super) async fn check_blockers<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<(), Abort> {
        let (protected, restricted) = self.blockers(roots, port).await?;
        if !protected.is_empty() {
            return Err(DeleteError::Protected {
                blockers: protected,
            }
            .into());
        }
        if !restricted.is_empty() {
            return Err(DeleteError::Restricted {
                blockers: restricted,
            }
            .into());
        }
        Ok(())
    }

    /// Every protect and restrict blocker of the operation: `(protected, restricted)`.
    pub(super) async fn blockers<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<(Vec<Blocker>, Vec<Blocker>), Abort> {
        let plan = self.plan;
        let mut protected = Vec::new();
        let mut restricted = Vec::new();
        for step in plan.steps {
            let Step::Check {
                kind,
                model,
                fk,
                parent,
                ..
            } = *step
            else {
                continue;
            };
            if self.mode != Mode::Delete && !plan.soft_delete_reaches(parent) {
                continue;
            }
            let statement = |kind| Statement::new(plan, roots, kind).in_mode(self.mode);
            let count = port
                .count(statement(StatementKind::CountBlocking(*step)))
                .await?;
            if count == 0 {
                continue;
            }
            let keys = port
                .texts(statement(StatementKind::ListBlocking(*step)))
                .await?;
            let blocker = Blocker {
                table: plan.models[model].table,
                column: plan.foreign_key(model, fk).column,
                parent_table: plan.node_model(parent).table,
                count: count as u64,
                keys,
            };
            match kind {
                CheckKind::Protect => protected.push(blocker),
                CheckKind::Restrict => restricted.push(blocker),
            }
        }
        Ok((protected, restricted))
    }

    /// A restore's check: fails naming every root or descendant whose parent stays
    /// soft-deleted.
    /// With `roots_only`, only the roots' own parents (a chunk of a chunked restore, whose
    /// descendants come back in later chunks, after their other parents).
    pub(super) async fn check_restorable<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        roots_only: bool,
        port: &mut P,
    ) -> Result<(), Abort> {
        let plan = self.plan;
        let statement = |kind| Statement::new(plan, roots, kind).in_mode(self.mode);
        let mut parents = Vec::new();
        let checks = plan.restore_checks();
        for (node, fk) in checks.filter(|&(node, _)| !roots_only || node == plan.root()) {
            let count = port
                .count(statement(StatementKind::CountDeletedParents { node, fk }))
                .await?;
            if count == 0 {
                continue;
            }
            let model = plan.node_model(node);
            let foreign_key = &model.foreign_keys[fk];
            // One key past those listed tells whether there are more.
            let mut parent_keys = port
                .texts(statement(StatementKind::ListDeletedParents { node, fk }))
                .await?;
            let more_parents = parent_keys.len() > BLOCKING_KEYS_LISTED;
            parent_keys.truncate(BLOCKING_KEYS_LISTED);
            parents.push(SoftDeletedParent {
                table: model.table,
                column: foreign_key.column,
                parent_table: foreign_key.parent_table,
                rows: count as u64,
                parent_keys,
                more_parents,
            });
        }
        if !parents.is_empty() {
            return Err(DeleteError::ParentSoftDeleted { parents }.into());
        }
        Ok(())
    }
}
