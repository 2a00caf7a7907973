//! What an operation would do, told before it runs: Django admin's confirmation page as data.

use std::fmt;

use crate::error::{Blocker, DeleteError};
use crate::model::Action;
use crate::report::DeleteReport;

/// What a delete or soft delete would change, counted without changing anything: the rows it
/// would delete (or mark) per table, the rows whose foreign key it would set to `NULL` or to a
/// default, and the `protect` and `restrict` rows and the loops of keys that would stop it.
///
/// Returned by the `preview_*` methods of [`Deletable`](crate::Deletable) and
/// [`SoftDelete`](crate::SoftDelete). The counts are those the operation would report if it
/// ran at once on the same data; a blocked operation's counts are what it would have changed
/// had nothing blocked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Preview {
    pub(crate) rows: DeleteReport,
    pub(crate) updates: Vec<KeyUpdate>,
    pub(crate) protected: Vec<Blocker>,
    pub(crate) restricted: Vec<Blocker>,
    pub(crate) loops: Vec<LoopBlocker>,
}

/// The rows of one foreign key that an operation would set to `NULL` or to a default
/// (`on_delete(set_null)`, `on_delete(set_default)`): rows that reference a deleted row and
/// are not deleted themselves.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct KeyUpdate {
    /// The table of the rows (`posts`).
    pub table: &'static str,
    /// Their foreign key column (`editor_id`).
    pub column: &'static str,
    /// The table it references (`users`).
    pub parent_table: &'static str,
    /// Whether it is set to `NULL` (or else to its declared default).
    pub to_null: bool,
    /// How many rows.
    pub rows: u64,
}

/// A `NOT NULL` `restrict` or `do_nothing` key, checked by the database at once, whose rows
/// the delete removes after the rows they reference: the delete would fail with
/// [`DeleteError::ReferenceLoop`] (see its fields).
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct LoopBlocker {
    /// The table of the referencing rows (`users`).
    pub table: &'static str,
    /// Their foreign key column (`pinned_comment_id`).
    pub column: &'static str,
    /// The key's rule: [`Action::Restrict`] or [`Action::DoNothing`].
    pub action: Action,
    /// The table it references (`comments`).
    pub parent_table: &'static str,
    /// The cascade path from the referencing table to the referenced one.
    pub path: Vec<&'static str>,
    /// How many rows of the loop.
    pub rows: u64,
}

impl Preview {
    /// The rows the operation would delete (a soft delete: mark), per table in plan order, as
    /// its [`DeleteReport`] would count them.
    pub fn rows(&self) -> &DeleteReport {
        &self.rows
    }

    /// The foreign keys the operation would set to `NULL` or to a default, with a row or more
    /// each, in plan order.
    pub fn updates(&self) -> &[KeyUpdate] {
        &self.updates
    }

    /// The `protect` foreign keys whose rows would stop the operation.
    pub fn protected(&self) -> &[Blocker] {
        &self.protected
    }

    /// The `restrict` foreign keys whose rows would stop the operation (those no cascade of
    /// the same operation deletes).
    pub fn restricted(&self) -> &[Blocker] {
        &self.restricted
    }

    /// The loops of keys between tables that would stop the delete (the database checks
    /// their keys at once, see [`DeleteError::ReferenceLoop`]). Loops within one table on
    /// MySQL and MariaDB are not foreseen: there the outcome depends on the order InnoDB
    /// deletes in.
    pub fn loops(&self) -> &[LoopBlocker] {
        &self.loops
    }

    /// Whether a `protect` or `restrict` row, or a loop of keys, would stop the operation.
    pub fn is_blocked(&self) -> bool {
        !self.protected.is_empty() || !self.restricted.is_empty() || !self.loops.is_empty()
    }

    /// The error the operation would fail with because of its blockers, as it would report it
    /// ([`DeleteError::Protected`] before [`DeleteError::Restricted`], then the first
    /// [`DeleteError::ReferenceLoop`]); `None` when nothing blocks it.
    pub fn blocking_error(&self) -> Option<DeleteError> {
        if !self.protected.is_empty() {
            return Some(DeleteError::Protected {
                blockers: self.protected.clone(),
            });
        }
        if !self.restricted.is_empty() {
            return Some(DeleteError::Restricted {
                blockers: self.restricted.clone(),
            });
        }
        self.loops
            .first()
            .map(|blocker| DeleteError::ReferenceLoop {
                table: blocker.table,
                column: blocker.column,
                action: blocker.action,
                parent_table: blocker.parent_table,
                path: blocker.path.clone(),
                rows: blocker.rows,
            })
    }
}

impl fmt::Display for Preview {
    /// `would be: 3 rows deleted (comments: 1, posts: 1, users: 1); posts.editor_id -> users
    /// set to NULL in 1 row`, then `blocked by protect:` and `blocked by restrict:` lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "would be: {}", self.rows)?;
        for update in &self.updates {
            write!(
                f,
                "; {}.{} -> {} set to {} in {} row{}",
                update.table,
                update.column,
                update.parent_table,
                if update.to_null {
                    "NULL"
                } else {
                    "its default"
                },
                update.rows,
                if update.rows == 1 { "" } else { "s" }
            )?;
        }
        for (rule, blockers) in [("protect", &self.protected), ("restrict", &self.restricted)] {
            if blockers.is_empty() {
                continue;
            }
            write!(f, "\nblocked by {rule}:")?;
            for blocker in blockers {
                write!(f, "\n  {blocker}")?;
            }
        }
        if !self.loops.is_empty() {
            write!(f, "\nblocked by a loop of keys checked at once:")?;
        }
        for blocker in &self.loops {
            write!(
                f,
                "\n  {}.{} -> {} ({}, reached by {}): {} row{}",
                blocker.table,
                blocker.column,
                blocker.parent_table,
                blocker.action.name(),
                blocker.path.join(" -> "),
                blocker.rows,
                if blocker.rows == 1 { "" } else { "s" }
            )?;
        }
        Ok(())
    }
}
