//! Where a chunked operation stands, for a progress bar or a log line.

use std::fmt;
use std::sync::Arc;
use std::time::Duration;

/// Where a chunked operation stands: passed to the
/// [`on_progress`](crate::DeleteOptions::on_progress) callback once its checks have passed and
/// its totals are counted, then after each chunk it commits.
///
/// ```
/// # use deletable::Progress;
/// fn log(progress: &Progress) {
///     for table in &progress.tables {
///         println!("{}: {} of {}", table.table, table.done, table.total);
///     }
///     println!("{} of {} rows in {:?}", progress.done(), progress.total(), progress.elapsed);
/// }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Progress {
    /// Each table the operation changes, in the order it works through them (children first,
    /// the model's own table last). A table whose foreign key the operation sets to `NULL` or
    /// to its default comes with that column.
    pub tables: Vec<TableProgress>,
    /// The time since the operation started.
    pub elapsed: Duration,
    /// The chunks committed so far (each in a transaction of its own).
    pub chunks: u64,
}

/// One table's part of a chunked operation.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableProgress {
    /// The table.
    pub table: &'static str,
    /// The foreign key column the operation sets to `NULL` or to its default; `None` where it
    /// deletes (or marks) the table's rows.
    pub column: Option<&'static str>,
    /// The rows done so far: deleted, updated, marked or restored.
    pub done: u64,
    /// The rows counted before the first chunk; raised to `done` when concurrent writers added
    /// rows the operation then reached.
    pub total: u64,
}

impl Progress {
    /// The rows done over all tables.
    pub fn done(&self) -> u64 {
        self.tables.iter().map(|table| table.done).sum()
    }

    /// The rows to do over all tables.
    pub fn total(&self) -> u64 {
        self.tables.iter().map(|table| table.total).sum()
    }
}

/// A progress callback, shared by the clones of the options that carry it.
#[derive(Clone)]
pub(crate) struct ProgressCallback(pub(crate) Arc<dyn Fn(&Progress) + Send + Sync>);

impl fmt::Debug for ProgressCallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ProgressCallback")
    }
}

impl PartialEq for ProgressCallback {
    fn eq(&self, other: &Self) -> bool {
        Arc::ptr_eq(&self.0, &other.0)
    }
}

impl Eq for ProgressCallback {}
