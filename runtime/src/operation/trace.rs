//! With the `tracing` feature: a span for each operation, and an event for each statement it
//! runs, from a [`Port`] that passes every request on to the runner's and times the statements.
//! The names and fields are the crate docs' ("Tracing").

use std::time::Instant;

use diesel::QueryResult;

use crate::error::{HookError, HookStage};
use crate::plan::Plan;
use crate::sql::describe;
use crate::sql::dialect::DialectInfo;
use crate::sql::statement::{Mode, Roots, Statement};
use crate::value::SqlValue;

use super::{Abort, Port};

/// The target of the spans and events.
const TARGET: &str = "deletable";

/// The span of one operation: `deletable` at level `INFO`, with the model's table, what the
/// operation does, how many root keys it was given (`-1` for a filter) and its chunk size (`0`
/// in one transaction).
pub(super) fn operation_span<F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    operation: &'static str,
    chunk_size: Option<usize>,
) -> tracing::Span {
    let keys = match roots {
        Roots::Keys(keys) => {
            let arity = plan.node_model(plan.root()).primary_key.len().max(1);
            i64::try_from(keys.len() / arity).unwrap_or(i64::MAX)
        }
        _ => -1,
    };
    tracing::info_span!(
        target: TARGET,
        "deletable",
        model = plan.root_table(),
        operation,
        roots = keys,
        chunk_size = chunk_size.unwrap_or(0),
    )
}

/// The name of what an operation in `mode` does, in the span's `operation` field.
pub(super) fn operation_name(mode: Mode) -> &'static str {
    match mode {
        Mode::Delete => "delete",
        Mode::SoftDelete => "soft_delete",
        Mode::Restore => "restore",
    }
}

/// The runner's port, each statement timed and told as an event: `statement` at level `DEBUG`
/// with its `kind`, its `table` (empty for the transaction's control and the catalog), the
/// `rows` it changed, counted, returned or loaded (`-1` when it failed) and its `elapsed_us`.
pub(super) struct Traced<'p, P>(pub(super) &'p mut P);

/// What an event says of a statement before it runs.
struct About {
    kind: &'static str,
    table: String,
    started: Instant,
}

impl About {
    fn of<F>(statement: &Statement<'_, F>) -> Self {
        let kind = statement.kind();
        About {
            kind: describe::kind_name(kind),
            table: describe::table(kind, statement.plan())
                .unwrap_or_default()
                .to_owned(),
            started: Instant::now(),
        }
    }

    /// The event, once the statement answered with `rows` (`None`: it failed).
    fn tell(self, rows: Option<usize>) {
        let rows = rows.map_or(-1, |rows| i64::try_from(rows).unwrap_or(i64::MAX));
        let elapsed_us = u64::try_from(self.started.elapsed().as_micros()).unwrap_or(u64::MAX);
        tracing::debug!(
            target: TARGET,
            kind = self.kind,
            table = self.table.as_str(),
            rows,
            elapsed_us,
            "statement"
        );
    }
}

impl<F, P: Port<F>> Port<F> for Traced<'_, P> {
    fn dialect(&self) -> DialectInfo {
        self.0.dialect()
    }

    fn transaction_depth(&mut self) -> Option<u32> {
        self.0.transaction_depth()
    }

    fn fail_transactions(&mut self) {
        self.0.fail_transactions();
    }

    async fn begin(&mut self) -> QueryResult<()> {
        self.0.begin().await
    }

    async fn commit(&mut self) -> QueryResult<()> {
        self.0.commit().await
    }

    async fn rollback(&mut self) -> QueryResult<()> {
        self.0.rollback().await
    }

    async fn execute(&mut self, statement: Statement<'_, F>) -> Result<usize, Abort> {
        let about = About::of(&statement);
        let result = self.0.execute(statement).await;
        about.tell(result.as_ref().ok().copied());
        result
    }

    async fn count(&mut self, statement: Statement<'_, F>) -> Result<i64, Abort> {
        let about = About::of(&statement);
        let result = self.0.count(statement).await;
        let rows = result
            .as_ref()
            .ok()
            .map(|&count| usize::try_from(count).unwrap_or(0));
        about.tell(rows);
        result
    }

    async fn texts(&mut self, statement: Statement<'_, F>) -> Result<Vec<String>, Abort> {
        let about = About::of(&statement);
        let result = self.0.texts(statement).await;
        about.tell(result.as_ref().ok().map(Vec::len));
        result
    }

    async fn load_batch(
        &mut self,
        table: &'static str,
        statement: Statement<'_, F>,
    ) -> Result<(Vec<SqlValue>, usize), Abort> {
        let about = About::of(&statement);
        let result = self.0.load_batch(table, statement).await;
        about.tell(result.as_ref().ok().map(|(_, rows)| *rows));
        result
    }

    async fn hook(
        &mut self,
        table: &'static str,
        stage: HookStage,
    ) -> Result<Result<(), HookError>, Abort> {
        self.0.hook(table, stage).await
    }

    async fn pause(&mut self, duration: std::time::Duration) {
        self.0.pause(duration).await;
    }
}
