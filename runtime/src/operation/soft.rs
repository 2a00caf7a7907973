//! A soft delete's and a restore's steps: the checks, then the marks (or their removal),
//! children first, along cascades between soft-deletable tables.

use crate::plan::Step;
use crate::report::DeleteReport;
use crate::sql::statement::{Mode, Roots};

use super::{Abort, Operation, Port};

impl Operation<'_> {
    /// A soft delete (checks, then the marks, children first) or a restore (the check that no
    /// root keeps a soft-deleted parent, then the unmarking, children first).
    pub(super) async fn soft_steps<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        let plan = self.plan;
        if self.mode == Mode::SoftDelete {
            self.check_blockers(roots, port).await?;
        } else {
            self.check_restorable(roots, false, port).await?;
        }
        let mut report = DeleteReport::new(super::change_of(self.mode));
        for step in plan.steps {
            let Step::Delete { node } = *step else {
                continue;
            };
            if !plan.soft_delete_reaches(node) {
                continue;
            }
            let marked = self.node(roots, node, port).await?;
            report.record(plan.node_model(node).table, marked);
        }
        Ok(report)
    }
}
