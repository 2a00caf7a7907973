//! The options of one delete call.

use std::sync::Arc;

use crate::progress::{Progress, ProgressCallback};

/// Options of one delete call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct DeleteOptions {
    /// The batch size of every hooked table for this call, instead of each model's own
    /// (`#[deletable(batch_size = N)]`, 1,000 by default). A batch is at most what one statement
    /// can bind (32,765 keys on SQLite, 65,534 on PostgreSQL, MySQL and MariaDB; half that for
    /// a two-column key): a larger size gives batches of that many.
    pub batch_size: Option<usize>,
    /// Whether a call whose plan has hooks may run them again. A call that owns its transaction
    /// runs again (up to 3 attempts in all) when a concurrent writer broke it: a deadlock, a
    /// serialization failure, or a row inserted meanwhile under a row being deleted. With hooks
    /// in the plan it does so only when this is `true`: each attempt then runs the hooks of its
    /// batches again. What a hook wrote to the database in a failed attempt was rolled back
    /// with it; what it did elsewhere (a message sent, a file written) was not. `false` by
    /// default.
    pub retry_hooks: bool,
    /// Chunked mode: the operation runs in transactions of at most this many rows each instead
    /// of one transaction. Every protect and restrict check of the whole operation runs
    /// first; then each table's rows go chunk by chunk, children before parents, each chunk
    /// in a transaction of its own with everything it cascades to, so that every committed
    /// state is consistent. A chunked operation that stopped half-way (an error, a killed
    /// process) is finished by running the same call again. On SQLite, give the connection a
    /// `busy_timeout`: between two chunks another writer may take the database's lock.
    /// A soft delete goes children first too; a restore goes parents first, so that no row
    /// comes back under a parent that stays soft-deleted. Both need the operation's
    /// [`mark`](DeleteOptions::mark) where they reach a timestamp column, so that a rerun marks
    /// (or brings back) the same rows. Inside a caller's transaction the
    /// chunks are savepoints, and nothing is committed before the caller commits. `None`
    /// (one transaction) by default; see the guide's section on chunked mode.
    pub chunk_size: Option<usize>,
    /// In chunked mode, how long to wait after each chunk before the next: time in which other
    /// writers take the locks first. On SQLite, where a writer waits for the whole database's
    /// lock, a writer's busy handler sleeps between its attempts (up to 100 ms with
    /// `busy_timeout`), and a chunk that begins at once after the last can keep it waiting for
    /// many chunks; a pause as long as its sleeps lets it in. `None` by default.
    pub chunk_pause: Option<std::time::Duration>,
    /// The mark of a soft delete: the instant its timestamp columns are set to, instead of the
    /// time the call began. In chunked mode, a restore brings back the rows marked with it
    /// (as the column stores it: give whole seconds for a column without fractional seconds),
    /// walking down from the roots, parents first. A chunked soft delete or restore that
    /// reaches a timestamp column needs it (the call returns [`DeleteError::MarkNeeded`]
    /// otherwise, before anything changes): rerun after an interruption, it gives the rest of
    /// the rows the same mark, so a restore later brings back all of them. Keep it with the
    /// job that runs the call. Ignored by a hard delete and by a `bool` flag. `None` by
    /// default.
    ///
    /// [`DeleteError::MarkNeeded`]: crate::DeleteError::MarkNeeded
    pub mark: Option<std::time::SystemTime>,
    progress: Option<ProgressCallback>,
}

impl DeleteOptions {
    /// A chunk size that keeps each transaction short (tens of milliseconds a chunk on SQLite
    /// and PostgreSQL on a small server, with rows of a few KB; see the README's benchmark)
    /// while the per-chunk work stays a small part of the whole.
    pub const DEFAULT_CHUNK_SIZE: usize = 5_000;

    /// Options with every hooked table of the call read in batches of `size` rows.
    pub fn batch_size(size: usize) -> Self {
        DeleteOptions {
            batch_size: Some(size),
            ..DeleteOptions::default()
        }
    }

    /// These options, with [`retry_hooks`](DeleteOptions::retry_hooks) set.
    ///
    /// ```
    /// let options = deletable::DeleteOptions::batch_size(500).with_retried_hooks(true);
    /// assert!(options.retry_hooks);
    /// ```
    pub fn with_retried_hooks(mut self, retry: bool) -> Self {
        self.retry_hooks = retry;
        self
    }

    /// Options for a chunked operation: transactions of at most `size` rows each (see
    /// [`chunk_size`](DeleteOptions::chunk_size)).
    ///
    /// ```
    /// let options = deletable::DeleteOptions::chunked(10_000);
    /// assert_eq!(options.chunk_size, Some(10_000));
    /// ```
    pub fn chunked(size: usize) -> Self {
        DeleteOptions::default().in_chunks(size)
    }

    /// These options, with transactions of at most `size` rows each (at least 1).
    pub fn in_chunks(mut self, size: usize) -> Self {
        self.chunk_size = Some(size.max(1));
        self
    }

    /// These options, with a pause of `pause` after each chunk (see
    /// [`chunk_pause`](DeleteOptions::chunk_pause)).
    pub fn pausing_between_chunks(mut self, pause: std::time::Duration) -> Self {
        self.chunk_pause = Some(pause);
        self
    }

    /// These options, with [`mark`](DeleteOptions::mark) set to `mark`.
    ///
    /// ```
    /// use std::time::{Duration, SystemTime};
    ///
    /// // Kept with the job, so that a rerun marks the rest of the rows alike.
    /// let mark = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_000_000);
    /// let options = deletable::DeleteOptions::chunked(5_000).marked_at(mark);
    /// assert_eq!(options.mark, Some(mark));
    /// ```
    pub fn marked_at(mut self, mark: std::time::SystemTime) -> Self {
        self.mark = Some(mark);
        self
    }

    /// These options, with `callback` told of a chunked operation's [`Progress`]: once its
    /// checks have passed and its rows are counted, then after each chunk it commits. An
    /// operation in one transaction does not call it. A panic in it stops the operation after the chunks committed.
    ///
    /// ```
    /// use std::sync::atomic::{AtomicU64, Ordering};
    /// use std::sync::Arc;
    ///
    /// let done = Arc::new(AtomicU64::new(0));
    /// let seen = Arc::clone(&done);
    /// let options = deletable::DeleteOptions::chunked(5_000)
    ///     .on_progress(move |progress| seen.store(progress.done(), Ordering::Relaxed));
    /// # let _ = (options, done);
    /// ```
    pub fn on_progress(mut self, callback: impl Fn(&Progress) + Send + Sync + 'static) -> Self {
        self.progress = Some(ProgressCallback(Arc::new(callback)));
        self
    }

    /// Tells the progress callback, if any.
    pub(crate) fn report_progress(&self, progress: &Progress) {
        if let Some(callback) = &self.progress {
            (callback.0)(progress);
        }
    }
}
