//! A statement log, through Diesel's connection instrumentation.

use std::sync::{Arc, Mutex};

use diesel::connection::{Instrumentation, InstrumentationEvent};

/// The SQL of every statement a connection started, in order.
#[derive(Clone, Default)]
pub struct StatementLog(Arc<Mutex<Vec<String>>>);

impl StatementLog {
    /// The statements logged so far.
    pub fn statements(&self) -> Vec<String> {
        self.0.lock().map(|log| log.clone()).unwrap_or_default()
    }

    /// How many statements were logged.
    pub fn len(&self) -> usize {
        self.statements().len()
    }

    /// Whether nothing was logged.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Forgets what was logged (e.g. the fixtures' statements).
    pub fn clear(&self) {
        if let Ok(mut log) = self.0.lock() {
            log.clear();
        }
    }

    /// The logged statements but transaction control (`BEGIN`, `COMMIT`, savepoints).
    pub fn without_control(&self) -> Vec<String> {
        self.statements()
            .into_iter()
            .filter(|sql| !is_control(sql))
            .collect()
    }

    /// The logged statements that belong to a plan: everything but transaction control, the
    /// lock of the root rows that backends with row locks take first (on SQLite, the write lock,
    /// by a statement that changes nothing), and the catalog questions of backends that may leave
    /// cascades to the database.
    pub fn plan_statements(&self) -> Vec<String> {
        self.without_control()
            .into_iter()
            .filter(|sql| {
                let upper = sql.trim_start().to_ascii_uppercase();
                let lock =
                    upper.contains(" FOR UPDATE)") || upper.contains(" WHERE 1 = 0 -- BINDS");
                !lock && !upper.contains("PG_CATALOG.")
            })
            .collect()
    }
}

impl Instrumentation for StatementLog {
    fn on_connection_event(&mut self, event: InstrumentationEvent<'_>) {
        if let InstrumentationEvent::StartQuery { query, .. } = event {
            if let Ok(mut log) = self.0.lock() {
                log.push(query.to_string());
            }
        }
    }
}

/// Whether a statement is transaction control.
fn is_control(sql: &str) -> bool {
    const CONTROL: &[&str] = &[
        "BEGIN",
        "COMMIT",
        "ROLLBACK",
        "SAVEPOINT",
        "RELEASE",
        "START TRANSACTION",
    ];
    let upper = sql.trim_start().to_ascii_uppercase();
    CONTROL.iter().any(|control| upper.starts_with(control))
}
