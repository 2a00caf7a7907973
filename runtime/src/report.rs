//! What a delete did.

use std::fmt;

use crate::api::Deletable;

/// The rows a delete removed: the total and the count per table, in the order the tables were
/// deleted (children first, the model's own table last). Tables with no deleted row are left out,
/// as in Django's `(total, {model: count})`. A soft delete's report counts the rows it marked, a
/// restore's the rows it brought back, and each says so when printed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DeleteReport {
    total: u64,
    per_table: Vec<(&'static str, u64)>,
    change: Change,
}

/// What happened to the rows a report counts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum Change {
    #[default]
    Deleted,
    SoftDeleted,
    Restored,
}

impl DeleteReport {
    pub(crate) fn new(change: Change) -> Self {
        DeleteReport {
            change,
            ..DeleteReport::default()
        }
    }

    /// The number of rows deleted, over all tables.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// `(table, rows deleted)` for each table with at least one deleted row, in plan order.
    pub fn per_table(&self) -> &[(&'static str, u64)] {
        &self.per_table
    }

    /// The rows deleted from `table` (0 if none).
    pub fn count(&self, table: &str) -> u64 {
        self.per_table
            .iter()
            .find(|(name, _)| *name == table)
            .map_or(0, |(_, count)| *count)
    }

    /// The rows deleted from model `M`'s table (0 if none): `report.count_of::<Post>()`.
    pub fn count_of<M: Deletable>(&self) -> u64 {
        self.count(M::plan().root_table())
    }

    pub(crate) fn record(&mut self, table: &'static str, count: u64) {
        if count == 0 {
            return;
        }
        self.total += count;
        match self.per_table.iter_mut().find(|(name, _)| *name == table) {
            Some((_, existing)) => *existing += count,
            None => self.per_table.push((table, count)),
        }
    }
}

impl fmt::Display for DeleteReport {
    /// `3 rows deleted (comments: 1, posts: 1, users: 1)`; `soft-deleted` or `restored` for
    /// those operations.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verb = match self.change {
            Change::Deleted => "deleted",
            Change::SoftDeleted => "soft-deleted",
            Change::Restored => "restored",
        };
        write!(
            f,
            "{} row{} {verb}",
            self.total,
            if self.total == 1 { "" } else { "s" }
        )?;
        if !self.per_table.is_empty() {
            let parts: Vec<String> = self
                .per_table
                .iter()
                .map(|(table, count)| format!("{table}: {count}"))
                .collect();
            write!(f, " ({})", parts.join(", "))?;
        }
        Ok(())
    }
}
