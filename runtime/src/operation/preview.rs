//! A preview: what an operation would change, counted by set-based statements (no row loaded,
//! no hook run) in a transaction that is always rolled back, and read-only where the backend
//! allows it.

use crate::error::DeleteError;
use crate::options::DeleteOptions;
use crate::plan::{Plan, Step};
use crate::preview::{KeyUpdate, LoopBlocker, Preview};
use crate::report::DeleteReport;
use crate::sql::statement::{update_value, ChunkRows, Mode, Roots, Statement, StatementKind};
use crate::value::SqlValue;

use super::roots::root_table_names;
use super::{change_of, reference_loop, Abort, Operation, Port};

/// The operations a preview tells of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Previewed {
    /// A delete.
    Delete,
    /// A soft delete.
    SoftDelete,
}

/// [`preview_operation`], inside its span and with each statement told as an event.
#[cfg(feature = "tracing")]
pub(crate) async fn preview<F, P: Port<F>>(
    plan: &Plan,
    roots: Roots<'_, F>,
    previewed: Previewed,
    port: &mut P,
) -> Result<Preview, Abort> {
    use tracing::Instrument;
    let name = match previewed {
        Previewed::Delete => "preview_delete",
        Previewed::SoftDelete => "preview_soft_delete",
    };
    let span = super::trace::operation_span(plan, &roots, name, None);
    let mut traced = super::trace::Traced(port);
    preview_operation(plan, roots, previewed, &mut traced)
        .instrument(span)
        .await
}

#[cfg(not(feature = "tracing"))]
pub(crate) use self::preview_operation as preview;

/// Previews the operation on `plan` from `roots` through `port`.
pub(crate) async fn preview_operation<F, P: Port<F>>(
    plan: &Plan,
    roots: Roots<'_, F>,
    previewed: Previewed,
    port: &mut P,
) -> Result<Preview, Abort> {
    let mode = match previewed {
        Previewed::Delete => Mode::Delete,
        Previewed::SoftDelete => Mode::SoftDelete,
    };
    if let Roots::Keys([]) = roots {
        return Ok(Preview {
            rows: DeleteReport::new(change_of(mode)),
            updates: Vec::new(),
            protected: Vec::new(),
            restricted: Vec::new(),
            loops: Vec::new(),
        });
    }
    let options = DeleteOptions::default();
    let operation = Operation {
        plan,
        options: &options,
        mode,
        mark: SqlValue::Null,
        retried_chunk: false,
    };
    operation.previewed(&roots, port).await
}

impl Operation<'_> {
    /// The operation's preview, in a transaction of its own (a savepoint inside a caller's)
    /// that is rolled back whatever happens. The roots stay in place (nothing changes that a
    /// filter reads), unless they are too many keys to bind: then they go into a temporary
    /// table, which the rollback takes away (on MySQL, where it outlives a rollback, it is
    /// dropped).
    pub(super) async fn previewed<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<Preview, Abort> {
        port.begin().await?;
        let dialect = port.dialect();
        let outcome = match *roots {
            Roots::Keys(keys) if self.too_many_to_bind(keys, &dialect) => {
                let names = root_table_names(self.plan, port);
                let mut created = 0;
                let no_roots = Roots::<F>::Keys(&[]);
                let counted = async {
                    self.fill_root_tables(&no_roots, Some(keys), &names, &mut created, port)
                        .await?;
                    self.preview_counts(&Roots::<F>::Table(&names), port).await
                }
                .await;
                match self
                    .drop_temp_tables(&names[..created], false, true, port)
                    .await
                {
                    Ok(()) => counted,
                    Err(error) => Err(error),
                }
            }
            _ => self.preview_counts(roots, port).await,
        };
        match port.rollback().await {
            Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => outcome,
            Err(rollback_error) => match outcome {
                Err(Abort::Panic(payload)) => Err(Abort::Panic(payload)),
                _ => Err(rollback_error.into()),
            },
        }
    }

    /// The counts of a preview, from roots in place: the blockers, then in plan order the
    /// rows each update would change and each node's rows. Nothing has changed when each is
    /// counted, and the operation would count the same: a node's rows are deleted while their
    /// parents are all still there, and an update's rows are counted without those the
    /// operation deletes.
    async fn preview_counts<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<Preview, Abort> {
        let plan = self.plan;
        if port.dialect().read_only_in_transaction {
            let kind = StatementKind::SetReadOnly;
            port.execute(Statement::new(plan, roots, kind)).await?;
        }
        let (protected, restricted) = self.blockers(roots, port).await?;
        let mut rows = DeleteReport::new(change_of(self.mode));
        let mut updates = Vec::new();
        let mut loops = Vec::new();
        for step in plan.steps {
            match (*step, self.mode) {
                (Step::Update { model, fk, parent }, Mode::Delete) => {
                    let foreign_key = plan.foreign_key(model, fk);
                    let value = update_value(foreign_key.rule);
                    let to_null = matches!(value, SqlValue::Null);
                    let kind = StatementKind::CountKeptUpdates { step: *step, value };
                    let count = port.count(Statement::new(plan, roots, kind)).await?;
                    if count > 0 {
                        updates.push(KeyUpdate {
                            table: plan.models[model].table,
                            column: foreign_key.column,
                            parent_table: plan.node_model(parent).table,
                            to_null,
                            rows: u64::try_from(count).unwrap_or(0),
                        });
                    }
                }
                (Step::Delete { node }, Mode::Delete | Mode::SoftDelete)
                    if self.mode == Mode::Delete || plan.soft_delete_reaches(node) =>
                {
                    if self.mode == Mode::Delete {
                        for (referencing, fk, rows) in
                            reference_loop::loops_before(plan, roots, node, false, port).await?
                        {
                            let error =
                                reference_loop::reference_loop(plan, referencing, fk, node, rows);
                            if let DeleteError::ReferenceLoop {
                                table,
                                column,
                                action,
                                parent_table,
                                path,
                                rows,
                            } = error
                            {
                                loops.push(LoopBlocker {
                                    table,
                                    column,
                                    action,
                                    parent_table,
                                    path,
                                    rows,
                                });
                            }
                        }
                    }
                    let reached = ChunkRows::Node {
                        node,
                        leaves_only: false,
                    };
                    let kind = StatementKind::CountChunkRows(reached);
                    let statement = Statement::new(plan, roots, kind).in_mode(self.mode);
                    let count = port.count(statement).await?;
                    rows.record(
                        plan.node_model(node).table,
                        u64::try_from(count).unwrap_or(0),
                    );
                }
                _ => {}
            }
        }
        Ok(Preview {
            rows,
            updates,
            protected,
            restricted,
            loops,
        })
    }
}
