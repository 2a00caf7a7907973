//! One operation (a delete, soft delete or restore) from its call to its report: which
//! statement comes next given the answers so far, the checks, the batches through hooks, the
//! temporary tables and their cleanup, the transaction and its retries. It performs no I/O: it
//! is written as an `async fn` over a [`Port`], Rust's stable form of a coroutine, and asks the
//! port for every statement and hook. A runner answers: the synchronous one at once (its
//! futures are always ready, so it needs no executor), the asynchronous one when the database
//! replies.
//!
//! Layering: the model's metadata → the planner → the plan → the statements → this module →
//! the runners → the API.

mod batches;
mod checks;
mod chunks;
mod database_cascade;
mod delete;
mod port;
mod preview;
mod reference_loop;
mod roots;
mod set_based;
mod soft;
mod temp_cache;
#[cfg(feature = "tracing")]
mod trace;

use std::time::Duration;

use diesel::result::DatabaseErrorKind;

pub(crate) use port::{finish, Abort, Port};
pub(crate) use preview::{preview, Previewed};

use crate::error::DeleteError;
use crate::options::DeleteOptions;
use crate::plan::Plan;
use crate::report::{Change, DeleteReport};
use crate::sql::statement::{Mode, Roots, Statement, StatementKind};
use crate::value::SqlValue;

/// How many times a delete runs before a transient error is reported.
const ATTEMPTS: u32 = 3;

/// [`run_operation`], inside its span and with each statement told as an event.
#[cfg(feature = "tracing")]
pub(crate) async fn run<F, P: Port<F>>(
    plan: &Plan,
    roots: Roots<'_, F>,
    options: &DeleteOptions,
    mode: Mode,
    port: &mut P,
) -> Result<DeleteReport, Abort> {
    use tracing::Instrument;
    let name = trace::operation_name(mode);
    let span = trace::operation_span(plan, &roots, name, options.chunk_size);
    let mut traced = trace::Traced(port);
    run_operation(plan, roots, options, mode, &mut traced)
        .instrument(span)
        .await
}

#[cfg(not(feature = "tracing"))]
pub(crate) use self::run_operation as run;

/// Runs one operation on `plan` from `roots` through `port`: in one transaction (a savepoint
/// inside a caller's), retried when a concurrent writer broke a transaction it owns, or in
/// chunks (`options.chunk_size`), each in a transaction of its own.
pub(crate) async fn run_operation<F, P: Port<F>>(
    plan: &Plan,
    roots: Roots<'_, F>,
    options: &DeleteOptions,
    mode: Mode,
    port: &mut P,
) -> Result<DeleteReport, Abort> {
    if let Roots::Keys(keys) = roots {
        if keys.is_empty() {
            return Ok(DeleteReport::new(change_of(mode)));
        }
    }
    let mark = match options.mark {
        Some(instant) => crate::mark::timestamp_of(instant),
        None => crate::mark::operation_timestamp(),
    };
    let operation = Operation {
        plan,
        options,
        mode,
        mark: SqlValue::Text(mark),
        retried_chunk: false,
    };
    match options.chunk_size {
        Some(size) => {
            if mode != Mode::Delete && options.mark.is_none() && reaches_timestamp(plan) {
                let operation = match mode {
                    Mode::Restore => "restore",
                    _ => "soft delete",
                };
                let table = plan.root_table();
                return Err(DeleteError::MarkNeeded { operation, table }.into());
            }
            operation
                .materialize_roots(&roots, Body::Chunks(size.clamp(1, chunks::ALL_ROWS)), port)
                .await
        }
        _ => operation.retried(&roots, Whole, port).await,
    }
}

/// What one transaction of an operation does: the whole operation, or a part of a chunked
/// one. (A type each, not one enum, so that the chunks' transactions, run from inside the
/// operation, are not the function that runs it.)
trait Unit<F, P: Port<F>>: Copy {
    /// What it gives back.
    type Output;

    /// Runs it, in the transaction [`Operation::retried`] opened.
    fn run(
        self,
        operation: &Operation<'_>,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> impl std::future::Future<Output = Result<Self::Output, Abort>>;
}

/// The whole operation, in one transaction.
#[derive(Debug, Clone, Copy)]
struct Whole;

impl<F, P: Port<F>> Unit<F, P> for Whole {
    type Output = DeleteReport;

    async fn run(
        self,
        operation: &Operation<'_>,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        operation.attempt(roots, port).await
    }
}

/// What an operation does once its roots are in place.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Body {
    /// Its steps, in the caller's transaction.
    Steps,
    /// Its chunks, each in a transaction of its own, of at most this many rows.
    Chunks(usize),
}

/// One operation: the plan, the caller's options, what it does to the rows it reaches, the
/// mark a soft delete sets, and whether it is a chunk of a chunked operation whose
/// transaction runs again after a transient error.
pub(crate) struct Operation<'p> {
    plan: &'p Plan,
    options: &'p DeleteOptions,
    mode: Mode,
    mark: SqlValue,
    retried_chunk: bool,
}

impl Operation<'_> {
    /// Runs `unit` in a transaction of its own, again when a concurrent writer broke it (see
    /// `is_transient`). Inside a caller's transaction the caller decides: the database may
    /// have rolled all of it back. A plan with hooks is retried only where the caller allows
    /// hooks to run again.
    async fn retried<F, P: Port<F>, U: Unit<F, P>>(
        &self,
        roots: &Roots<'_, F>,
        unit: U,
        port: &mut P,
    ) -> Result<U::Output, Abort> {
        let retries = port.transaction_depth() == Some(0) && self.may_run_again();
        let mut attempt = 1;
        loop {
            match self.in_transaction(roots, unit, port).await {
                Err(Abort::Error(error))
                    if retries && attempt < ATTEMPTS && is_transient(&error) =>
                {
                    port.pause(pause_before_retry(attempt)).await;
                    attempt += 1;
                }
                result => return result,
            }
        }
    }

    /// One attempt of `unit`, in a transaction of its own: committed on success, rolled back
    /// on any error or panic.
    async fn in_transaction<F, P: Port<F>, U: Unit<F, P>>(
        &self,
        roots: &Roots<'_, F>,
        unit: U,
        port: &mut P,
    ) -> Result<U::Output, Abort> {
        port.begin().await?;
        match unit.run(self, roots, port).await {
            Ok(done) => {
                port.commit().await?;
                Ok(done)
            }
            // As Diesel's `Connection::transaction`: the first error is the one reported,
            // unless the rollback fails otherwise than on a transaction manager already broken.
            Err(failure) => match port.rollback().await {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(failure),
                Err(rollback_error) => match failure {
                    Abort::Panic(payload) => Err(Abort::Panic(payload)),
                    Abort::Error(_) => Err(rollback_error.into()),
                },
            },
        }
    }

    /// The whole operation in the transaction [`retried`](Operation::retried) opened.
    async fn attempt<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        self.take_write_lock(port).await?;
        let report = self.materialize_roots(roots, Body::Steps, port).await?;
        self.check_transaction(port).await?;
        Ok(report)
    }

    /// Takes the database's write lock before anything is read, where the backend has one.
    async fn take_write_lock<F, P: Port<F>>(&self, port: &mut P) -> Result<(), Abort> {
        if port.dialect().write_lock_first {
            let kind = StatementKind::TakeWriteLock;
            port.execute(Statement::new(self.plan, &Roots::<F>::Keys(&[]), kind))
                .await?;
        }
        Ok(())
    }

    /// Before a commit: a hook may have caught a database error and returned `Ok`; on
    /// PostgreSQL the transaction is then aborted, and its `COMMIT` would roll it back without
    /// an error.
    async fn check_transaction<F, P: Port<F>>(&self, port: &mut P) -> Result<(), Abort> {
        if self.has_hooks() && port.dialect().error_aborts_transaction {
            let kind = StatementKind::CheckTransaction;
            port.execute(Statement::new(self.plan, &Roots::<F>::Keys(&[]), kind))
                .await?;
        }
        Ok(())
    }

    /// Whether a transaction of the operation that a concurrent writer broke may run again, as
    /// far as its hooks go.
    fn may_run_again(&self) -> bool {
        self.options.retry_hooks || !self.has_hooks()
    }

    /// Whether any table of the plan goes through hooks (then in several statements).
    fn has_hooks(&self) -> bool {
        (0..self.plan.nodes.len()).any(|node| self.plan.node_model(node).hooks.is_some())
    }
}

/// How long to wait before attempt `attempt + 1`: longer each time, and by a varying amount, so
/// that the writers a deadlock set against each other do not meet again at once.
fn pause_before_retry(attempt: u32) -> Duration {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |now| u64::from(now.subsec_nanos()) % 20);
    Duration::from_millis(20 * u64::from(attempt) + jitter)
}

/// Whether an error may come from a concurrent writer rather than from the data, so that running
/// the operation again, in a new transaction that sees that writer's rows, can succeed: the
/// database aborted the transaction to break a deadlock or a serialization conflict (MySQL's and
/// MariaDB's deadlocks included), or a row inserted after a step had read its table now
/// references a row a later step deletes (a foreign key violation; when it comes from the data
/// itself, e.g. a `do_nothing` key, the last attempt reports it).
fn is_transient(error: &DeleteError) -> bool {
    let DeleteError::Database(diesel::result::Error::DatabaseError(kind, info)) = error else {
        return false;
    };
    match kind {
        DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::ForeignKeyViolation => true,
        // Diesel maps PostgreSQL's 40001, not its deadlock (40P01), whose message is the only
        // sign of it (in English, the server's default `lc_messages`).
        DatabaseErrorKind::Unknown => info.message().starts_with("deadlock detected"),
        _ => false,
    }
}

/// Whether a soft delete or restore of the plan reaches a table marked with a timestamp.
fn reaches_timestamp(plan: &Plan) -> bool {
    (0..plan.nodes.len())
        .filter(|&node| plan.soft_delete_reaches(node))
        .filter_map(|node| plan.node_model(node).soft_delete)
        .any(|mark| matches!(mark.kind, crate::model::SoftDeleteKind::Timestamp(_)))
}

/// What an operation's report says happened to its rows.
fn change_of(mode: Mode) -> Change {
    match mode {
        Mode::Delete => Change::Deleted,
        Mode::SoftDelete => Change::SoftDeleted,
        Mode::Restore => Change::Restored,
    }
}
