//! The options of one delete call.

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
}

impl DeleteOptions {
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
}
