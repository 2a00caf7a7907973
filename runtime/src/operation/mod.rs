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
mod database_cascade;
mod delete;
mod port;
mod reference_loop;
mod roots;
mod set_based;
mod soft;

use std::time::Duration;

use diesel::result::DatabaseErrorKind;

pub(crate) use port::{finish, Abort, Port};

use crate::error::DeleteError;
use crate::options::DeleteOptions;
use crate::plan::Plan;
use crate::report::{Change, DeleteReport};
use crate::sql::statement::{Mode, Roots, Statement, StatementKind};
use crate::value::SqlValue;

/// How many times a delete runs before a transient error is reported.
const ATTEMPTS: u32 = 3;

/// Runs one operation on `plan` from `roots` through `port`, in one transaction (a savepoint
/// inside a caller's), retried when a concurrent writer broke a transaction it owns.
pub(crate) async fn run<F, P: Port<F>>(
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
    let operation = Operation {
        plan,
        options,
        mode,
        mark: SqlValue::Text(crate::mark::operation_timestamp()),
    };
    // Our own transaction is retried when a concurrent writer broke it (see `is_transient`).
    // Inside a caller's transaction the caller decides: the database may have rolled all of it
    // back. A plan with hooks is retried only where the caller allows hooks to run again.
    let retries =
        port.transaction_depth() == Some(0) && (options.retry_hooks || !operation.has_hooks());
    let mut attempt = 1;
    loop {
        match operation.in_transaction(&roots, port).await {
            Err(Abort::Error(error)) if retries && attempt < ATTEMPTS && is_transient(&error) => {
                port.pause(pause_before_retry(attempt)).await;
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// One operation: the plan, the caller's options, what it does to the rows it reaches, and
/// the mark a soft delete sets.
pub(crate) struct Operation<'p> {
    plan: &'p Plan,
    options: &'p DeleteOptions,
    mode: Mode,
    mark: SqlValue,
}

impl Operation<'_> {
    /// One attempt, in a transaction of its own: committed on success, rolled back on any
    /// error or panic.
    async fn in_transaction<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        port.begin().await?;
        match self.attempt(roots, port).await {
            Ok(report) => {
                port.commit().await?;
                Ok(report)
            }
            // As Diesel's `Connection::transaction`: the first error is the one reported, unless
            // the rollback fails otherwise than on a transaction manager already broken.
            Err(failure) => match port.rollback().await {
                Ok(()) | Err(diesel::result::Error::BrokenTransactionManager) => Err(failure),
                Err(rollback_error) => match failure {
                    Abort::Panic(payload) => Err(Abort::Panic(payload)),
                    Abort::Error(_) => Err(rollback_error.into()),
                },
            },
        }
    }

    async fn attempt<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        if port.dialect().write_lock_first {
            let kind = StatementKind::TakeWriteLock;
            port.execute(Statement::new(self.plan, roots, kind)).await?;
        }
        let report = self.materialize_roots(roots, port).await?;
        // A hook may have caught a database error and returned `Ok`: on PostgreSQL the
        // transaction is then aborted, and its `COMMIT` would roll it back without an error.
        if self.has_hooks() && port.dialect().error_aborts_transaction {
            let kind = StatementKind::CheckTransaction;
            port.execute(Statement::new(self.plan, roots, kind)).await?;
        }
        Ok(report)
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

/// What an operation's report says happened to its rows.
fn change_of(mode: Mode) -> Change {
    match mode {
        Mode::Delete => Change::Deleted,
        Mode::SoftDelete => Change::SoftDeleted,
        Mode::Restore => Change::Restored,
    }
}
