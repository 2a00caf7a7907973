//! The one error type of every delete.

use std::fmt;

use crate::model::Action;

/// Why a delete did not happen. Whatever the variant, the operation's transaction was rolled back:
/// no row changed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DeleteError {
    /// Rows reference the deleted rows through `on_delete(protect)` foreign keys.
    #[error(
        "cannot delete: {} reference the rows through on_delete(protect): {}",
        rows(blockers),
        list(blockers)
    )]
    #[non_exhaustive]
    Protected {
        /// Every blocking foreign key found anywhere in the plan.
        blockers: Vec<Blocker>,
    },
    /// Rows reference the deleted rows through `on_delete(restrict)` foreign keys and are not
    /// deleted by another cascade path of the same operation.
    #[error("cannot delete: {} reference the rows through on_delete(restrict) and are not deleted by a cascade: {}", rows(blockers), list(blockers))]
    #[non_exhaustive]
    Restricted {
        /// Every blocking foreign key found anywhere in the plan.
        blockers: Vec<Blocker>,
    },
    /// A restore would bring back rows whose parent stays soft-deleted: the roots' own parents,
    /// or another parent of a row the restore reaches down its cascades.
    #[error("cannot restore: {} would come back under soft-deleted parents: {}; restore the parents first, or together", parent_rows(parents), parent_list(parents))]
    #[non_exhaustive]
    ParentSoftDeleted {
        /// Every foreign key whose parents stay soft-deleted.
        parents: Vec<SoftDeletedParent>,
    },
    /// Rows the delete removes reference, through a `NOT NULL` `restrict` or `do_nothing` key
    /// the database checks at once, rows it removes before them: a loop (the key points at its
    /// own table's cascade descendants, or, on MySQL and MariaDB, at other rows of its own
    /// table) that cannot go table by table. Found before those rows went; nothing changed.
    #[error(
        "cannot delete: {rows} row{s} of {table} that this delete removes reference, through \
         {table}.{column} (on_delete({action})), rows of {parent_table} that it removes before \
         them ({path}), and the database checks that key at once; declare the key DEFERRABLE \
         INITIALLY DEFERRED (PostgreSQL, SQLite), make the column nullable (the delete then \
         clears it first), or use on_delete(set_null)",
        s = if *rows == 1 { "" } else { "s" },
        path = path.join(" -> ")
    )]
    #[non_exhaustive]
    ReferenceLoop {
        /// The table of the referencing rows (`users`).
        table: &'static str,
        /// Their foreign key column (`pinned_comment_id`).
        column: &'static str,
        /// The key's rule: [`Action::Restrict`] or [`Action::DoNothing`].
        action: Action,
        /// The table it references (`comments`).
        parent_table: &'static str,
        /// The cascade path by which the delete reaches the referenced table from the
        /// referencing one (`users`, `posts`, `comments`).
        path: Vec<&'static str>,
        /// How many rows of the loop reference rows deleted before them.
        rows: u64,
    },
    /// A hook failed; the operation was rolled back. The hook's error is the
    /// [`source`](std::error::Error::source), not part of this error's message, as error
    /// chains (`anyhow`, `eyre`) expect.
    #[error("{stage} hook of `{model}` (table `{table}`) failed")]
    #[non_exhaustive]
    Hook {
        /// The model whose hook failed (`Post`).
        model: &'static str,
        /// Its table (`posts`).
        table: &'static str,
        /// Which hook.
        stage: HookStage,
        /// The hook's error.
        source: HookError,
    },
    /// A chunked soft delete or restore that reaches a timestamp column was called without
    /// [`DeleteOptions::mark`](crate::DeleteOptions::mark): a rerun after an interruption
    /// could not give the rest of the rows the same mark. Nothing changed.
    #[error(
        "a chunked {operation} of `{table}` needs the operation's mark, so that a rerun marks \
         the same rows alike: DeleteOptions::chunked(size).marked_at(mark), with the mark kept \
         for a rerun"
    )]
    #[non_exhaustive]
    MarkNeeded {
        /// `soft delete` or `restore`.
        operation: &'static str,
        /// The root's table.
        table: &'static str,
    },
    /// A chunked restore was given root rows soft-deleted with another mark than its own
    /// ([`DeleteOptions::mark`](crate::DeleteOptions::mark)): it brings back the rows of one
    /// operation. Found before anything changed.
    #[error(
        "cannot restore: {rows} of the rows to restore in `{table}` {were} soft-deleted with \
         another mark than the restore's; a chunked restore brings back one operation's rows: \
         restore those with their own mark (DeleteOptions::marked_at)",
        were = if *rows == 1 { "was" } else { "were" }
    )]
    #[non_exhaustive]
    OtherMark {
        /// The root's table.
        table: &'static str,
        /// How many of the roots carry another mark.
        rows: u64,
    },
    /// The database refused a statement: Diesel's error is the
    /// [`source`](std::error::Error::source).
    #[error("database error during delete")]
    Database(#[from] diesel::result::Error),
}

/// One foreign key whose rows block a delete.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Blocker {
    /// The table of the blocking rows (`comments`).
    pub table: &'static str,
    /// Their foreign key column (`post_id`).
    pub column: &'static str,
    /// The table it references (`posts`).
    pub parent_table: &'static str,
    /// How many rows block.
    pub count: u64,
    /// The primary keys of up to ten of them, as text, smallest first.
    pub keys: Vec<String>,
}

impl fmt::Display for Blocker {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{} -> {}: {} row{} (keys {}",
            self.table,
            self.column,
            self.parent_table,
            self.count,
            if self.count == 1 { "" } else { "s" },
            self.keys.join(", ")
        )?;
        if self.count > self.keys.len() as u64 {
            f.write_str(", ...")?;
        }
        f.write_str(")")
    }
}

/// One foreign key through which rows a restore brings back reference soft-deleted parents.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct SoftDeletedParent {
    /// The table of the rows that would come back (`remarks`).
    pub table: &'static str,
    /// Their foreign key column (`author_id`).
    pub column: &'static str,
    /// The table of the soft-deleted parents (`people`).
    pub parent_table: &'static str,
    /// How many rows would come back under a soft-deleted parent.
    pub rows: u64,
    /// The primary keys of up to ten of those parents, as text, smallest first: what to
    /// restore first.
    pub parent_keys: Vec<String>,
    /// Whether there are more such parents than `parent_keys` lists.
    pub more_parents: bool,
}

impl fmt::Display for SoftDeletedParent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}.{} -> {}: {} row{} (soft-deleted {} keys {}",
            self.table,
            self.column,
            self.parent_table,
            self.rows,
            if self.rows == 1 { "" } else { "s" },
            self.parent_table,
            self.parent_keys.join(", ")
        )?;
        if self.more_parents {
            f.write_str(", ...")?;
        }
        f.write_str(")")
    }
}

fn parent_rows(parents: &[SoftDeletedParent]) -> String {
    let total: u64 = parents.iter().map(|parent| parent.rows).sum();
    format!("{total} row{}", if total == 1 { "" } else { "s" })
}

fn parent_list(parents: &[SoftDeletedParent]) -> String {
    let parts: Vec<String> = parents.iter().map(SoftDeletedParent::to_string).collect();
    parts.join("; ")
}

fn rows(blockers: &[Blocker]) -> String {
    let total: u64 = blockers.iter().map(|blocker| blocker.count).sum();
    format!("{total} row{}", if total == 1 { "" } else { "s" })
}

fn list(blockers: &[Blocker]) -> String {
    let parts: Vec<String> = blockers.iter().map(Blocker::to_string).collect();
    parts.join("; ")
}

/// What a hook returns on failure: any error, kept as the source of [`DeleteError::Hook`].
pub type HookError = Box<dyn std::error::Error + Send + Sync>;

/// Which hook failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum HookStage {
    /// [`DeleteHooks::before_delete`](crate::DeleteHooks::before_delete).
    BeforeDelete,
    /// [`DeleteHooks::after_delete`](crate::DeleteHooks::after_delete).
    AfterDelete,
    /// [`DeleteHooks::before_soft_delete`](crate::DeleteHooks::before_soft_delete).
    BeforeSoftDelete,
    /// [`DeleteHooks::after_soft_delete`](crate::DeleteHooks::after_soft_delete).
    AfterSoftDelete,
    /// [`DeleteHooks::before_restore`](crate::DeleteHooks::before_restore).
    BeforeRestore,
    /// [`DeleteHooks::after_restore`](crate::DeleteHooks::after_restore).
    AfterRestore,
}

impl std::fmt::Display for HookStage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            HookStage::BeforeDelete => "before_delete",
            HookStage::AfterDelete => "after_delete",
            HookStage::BeforeSoftDelete => "before_soft_delete",
            HookStage::AfterSoftDelete => "after_soft_delete",
            HookStage::BeforeRestore => "before_restore",
            HookStage::AfterRestore => "after_restore",
        })
    }
}
