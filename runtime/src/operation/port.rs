//! What an operation asks of the runner that drives it: the only way it reaches a connection.

use std::any::Any;
use std::future::Future;

use diesel::QueryResult;

use crate::error::{HookError, HookStage};
use crate::sql::dialect::DialectInfo;
use crate::sql::statement::Statement;
use crate::value::SqlValue;

/// Why an operation stopped: an error to return, or a panic (a hook's, or a row type's while
/// loading) to resume once the transaction is rolled back.
pub(crate) enum Abort {
    Error(crate::error::DeleteError),
    Panic(Box<dyn Any + Send>),
}

impl From<diesel::result::Error> for Abort {
    fn from(error: diesel::result::Error) -> Self {
        Abort::Error(crate::error::DeleteError::Database(error))
    }
}

impl From<crate::error::DeleteError> for Abort {
    fn from(error: crate::error::DeleteError) -> Self {
        Abort::Error(error)
    }
}

/// A connection as an operation sees it, with the schema's hooks: each method is one request,
/// answered by the runner (on a synchronous connection at once, on an asynchronous one when
/// the database replies). `F` is the type of the call's filter.
///
/// A runner keeps the rows of the last batch it loaded, for the hooks that follow.
pub(crate) trait Port<F> {
    /// What the backend can do.
    fn dialect(&self) -> DialectInfo;

    /// How many transactions (savepoints included) are open on the connection: 0 outside
    /// any, when the operation owns its own and may run it again; `None` when its transaction
    /// manager has failed.
    fn transaction_depth(&mut self) -> Option<u32>;

    /// Marks the connection's transaction manager failed: nothing more can be committed on the
    /// connection (nor begun, until it is dropped), and pools discard it.
    fn fail_transactions(&mut self);

    /// Opens a transaction, or a savepoint inside the caller's.
    fn begin(&mut self) -> impl Future<Output = QueryResult<()>>;

    /// Commits what [`begin`](Port::begin) opened.
    fn commit(&mut self) -> impl Future<Output = QueryResult<()>>;

    /// Rolls back what [`begin`](Port::begin) opened.
    fn rollback(&mut self) -> impl Future<Output = QueryResult<()>>;

    /// Runs a statement; the number of rows it changed.
    fn execute(
        &mut self,
        statement: Statement<'_, F>,
    ) -> impl Future<Output = Result<usize, Abort>>;

    /// Runs a statement that answers with one count.
    fn count(&mut self, statement: Statement<'_, F>) -> impl Future<Output = Result<i64, Abort>>;

    /// Runs a statement that answers with rows of one text column.
    fn texts(
        &mut self,
        statement: Statement<'_, F>,
    ) -> impl Future<Output = Result<Vec<String>, Abort>>;

    /// Loads the batch of `table`'s rows a `LoadBatch` statement selects, as its model's hooks
    /// take them, and keeps it for them; the keys of its rows, flattened, and how many rows.
    fn load_batch(
        &mut self,
        table: &'static str,
        statement: Statement<'_, F>,
    ) -> impl Future<Output = Result<(Vec<SqlValue>, usize), Abort>>;

    /// Runs one hook of `table`'s model on the batch last loaded; the hook's own error inside.
    fn hook(
        &mut self,
        table: &'static str,
        stage: HookStage,
    ) -> impl Future<Output = Result<Result<(), HookError>, Abort>>;

    /// Waits before the operation runs again.
    fn pause(&mut self, duration: std::time::Duration) -> impl Future<Output = ()>;
}

/// An operation's outcome as its caller sees it: the report or the error, a panic resumed.
pub(crate) fn finish<T>(outcome: Result<T, Abort>) -> Result<T, crate::error::DeleteError> {
    match outcome {
        Ok(report) => Ok(report),
        Err(Abort::Error(error)) => Err(error),
        // The transaction is rolled back: nothing the hook did, nor the operation, remains.
        Err(Abort::Panic(payload)) => std::panic::resume_unwind(payload),
    }
}
