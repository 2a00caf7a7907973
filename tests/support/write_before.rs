//! A concurrent writer at a chosen point of a delete: instrumentation that, the first time its
//! connection starts deleting from a table, runs SQL on another connection (in that connection's
//! own transaction) and records how that went.

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent, SimpleConnection};

/// What the other connection's SQL came to: `None` until it ran.
pub type WriteOutcome = Arc<Mutex<Option<Result<(), String>>>>;

/// Runs `sql` on `other` just before the instrumented connection first deletes from `table`.
pub struct WriteBefore<C> {
    table: &'static str,
    sql: String,
    other: C,
    outcome: WriteOutcome,
}

impl<C> WriteBefore<C> {
    /// The instrumentation, and where the write's outcome will be.
    pub fn new(table: &'static str, sql: &str, other: C) -> (Self, WriteOutcome) {
        let outcome = WriteOutcome::default();
        let write = WriteBefore {
            table,
            sql: sql.to_owned(),
            other,
            outcome: Arc::clone(&outcome),
        };
        (write, outcome)
    }
}

impl<C: SimpleConnection + Send + 'static> Instrumentation for WriteBefore<C> {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        let InstrumentationEvent::StartQuery { query, .. } = event else {
            return;
        };
        let sql = query
            .to_string()
            .replace(['"', '`'], "")
            .to_ascii_lowercase();
        let deletes_table = sql.starts_with(&format!("delete from {} ", self.table))
            || sql.starts_with(&format!("delete {} from", self.table));
        let Ok(mut outcome) = self.outcome.lock() else {
            return;
        };
        if deletes_table && outcome.is_none() {
            // On a thread of its own: a `diesel-async` connection behind the blocking wrapper
            // cannot block inside the runtime that runs the delete.
            let (other, sql) = (&mut self.other, &self.sql);
            let written = std::thread::scope(|scope| {
                scope
                    .spawn(|| other.batch_execute(sql).map_err(|error| error.to_string()))
                    .join()
            });
            *outcome = Some(written.unwrap_or_else(|_| Err("the writer panicked".to_owned())));
        }
    }
}
