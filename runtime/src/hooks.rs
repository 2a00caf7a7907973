//! Delete hooks: the public trait a model implements to see its rows before and after they go,
//! and the glue the derive and `deletable::schema!` generate to reach it from a plan.

use diesel::query_builder::QueryFragment;

use crate::api::Deletable;
use crate::connection::DeleteConnection;
use crate::error::DeleteError;
use crate::execute::{self, HookLoader, Operation};
use crate::plan::Plan;
use crate::sql::statement::{Mode, Roots};

/// What a hook returns on failure: any error, kept as the source of [`DeleteError::Hook`].
pub type HookError = Box<dyn std::error::Error + Send + Sync>;

/// Hooks of a model with `#[deletable(hooks)]` (whole rows, its `Selectable` form) or
/// `#[deletable(hooks = keys)]` (primary keys only), for connections of type `C`.
///
/// The rows come in batches (1,000 by default; `#[deletable(batch_size = N)]` per model,
/// [`DeleteOptions::batch_size`](crate::DeleteOptions) per call), inside the operation's
/// transaction, for every row that goes: the roots of the call and rows reached by a cascade or a
/// tree. Per table the order is `before_delete(batch)`, the batch's delete, `after_delete(batch)`;
/// a table's children are finished before its own rows go, so a child's `after_delete` still sees
/// its parent row. An error from either hook rolls the whole operation back and comes back as
/// [`DeleteError::Hook`]. Rows whose foreign key is set to `NULL` or a default are updated, not
/// deleted: no hook runs for them.
///
/// **Retries.** A call that owns its transaction runs again when a concurrent writer broke it (a
/// deadlock, a serialization failure, a row inserted meanwhile under a row being deleted). A plan
/// with hooks does not, and reports the error, unless the call allows it with
/// [`DeleteOptions::with_retried_hooks`](crate::DeleteOptions::with_retried_hooks): then your
/// hooks see the batches of each attempt. Their database writes in a failed attempt are rolled
/// back with it; what they do outside the database is not, so allow retries only where that is
/// idempotent. Inside a caller's transaction nothing is retried.
///
/// ```ignore
/// impl deletable::DeleteHooks<SqliteConnection> for Post {
///     fn before_delete(conn: &mut SqliteConnection, rows: &[Post]) -> Result<(), deletable::HookError> {
///         diesel::insert_into(audit::table)
///             .values(rows.iter().map(|post| audit::post_id.eq(post.id)).collect::<Vec<_>>())
///             .execute(conn)?;
///         Ok(())
///     }
/// }
/// ```
#[diagnostic::on_unimplemented(
    message = "`{Self}` has `#[deletable(hooks)]` but no `DeleteHooks<{C}>`",
    label = "deleting it through a `{C}` needs its hooks for that connection",
    note = "add `impl deletable::DeleteHooks<{C}> for {Self} {{ ... }}`"
)]
pub trait DeleteHooks<C>: Deletable {
    /// Called with each batch before it is deleted; an error vetoes the whole operation.
    fn before_delete(conn: &mut C, rows: &[Self::HookRow]) -> Result<(), HookError> {
        let _ = (conn, rows);
        Ok(())
    }

    /// Called with each batch after it is deleted, in the same transaction.
    fn after_delete(conn: &mut C, rows: &[Self::HookRow]) -> Result<(), HookError> {
        let _ = (conn, rows);
        Ok(())
    }

    /// Called with each batch before a soft delete marks it; an error vetoes the operation.
    fn before_soft_delete(conn: &mut C, rows: &[Self::HookRow]) -> Result<(), HookError> {
        let _ = (conn, rows);
        Ok(())
    }

    /// Called with each batch after a soft delete marked it.
    fn after_soft_delete(conn: &mut C, rows: &[Self::HookRow]) -> Result<(), HookError> {
        let _ = (conn, rows);
        Ok(())
    }

    /// Called with each batch before a restore unmarks it; an error vetoes the operation.
    fn before_restore(conn: &mut C, rows: &[Self::HookRow]) -> Result<(), HookError> {
        let _ = (conn, rows);
        Ok(())
    }

    /// Called with each batch after a restore unmarked it.
    fn after_restore(conn: &mut C, rows: &[Self::HookRow]) -> Result<(), HookError> {
        let _ = (conn, rows);
        Ok(())
    }
}

/// Which hook failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HookStage {
    /// [`DeleteHooks::before_delete`].
    BeforeDelete,
    /// [`DeleteHooks::after_delete`].
    AfterDelete,
    /// [`DeleteHooks::before_soft_delete`].
    BeforeSoftDelete,
    /// [`DeleteHooks::after_soft_delete`].
    AfterSoftDelete,
    /// [`DeleteHooks::before_restore`].
    BeforeRestore,
    /// [`DeleteHooks::after_restore`].
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

/// How one model's rows are handled when an operation reaches its node: set-based, or in
/// batches through its hooks. Implemented by the derive.
#[doc(hidden)]
pub trait HookDispatch<C: DeleteConnection> {
    fn node<F: QueryFragment<C::Backend>>(
        plan: &Plan,
        roots: &Roots<'_, F>,
        node: usize,
        batch_size: usize,
        operation: &Operation,
        conn: &mut C,
    ) -> Result<u64, DeleteError>;
}

/// A model without hooks: its rows go in one set-based statement.
#[doc(hidden)]
pub fn set_based<C, F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    operation: &Operation,
    conn: &mut C,
) -> Result<u64, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    match operation.mode {
        Mode::Delete => execute::delete_node_set_based(plan, roots, node, conn),
        _ => execute::mark_node_set_based(plan, roots, node, operation, conn),
    }
}

/// A model with hooks: its rows go in batches, through [`DeleteHooks`].
#[doc(hidden)]
pub fn with_hooks<M, L, C, F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    batch_size: usize,
    operation: &Operation,
    conn: &mut C,
) -> Result<u64, DeleteError>
where
    M: DeleteHooks<C>,
    L: HookLoader<M, C>,
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    execute::node_in_batches::<M, L, C, F>(plan, roots, node, batch_size, operation, conn)
}

/// Every model of a schema, dispatched by index: generated by `deletable::schema!`, so an
/// operation through a connection `C` compiles only when every hooked model of the schema has
/// hooks for `C`.
#[doc(hidden)]
pub trait SchemaHooks<C: DeleteConnection> {
    #[allow(clippy::too_many_arguments)]
    fn node<F: QueryFragment<C::Backend>>(
        model: usize,
        plan: &Plan,
        roots: &Roots<'_, F>,
        node: usize,
        batch_size: usize,
        operation: &Operation,
        conn: &mut C,
    ) -> Result<u64, DeleteError>;
}
