//! Delete hooks: the public trait a model implements to see its rows before and after they go
//! on a synchronous connection, and how its batches are loaded for it.

use std::any::Any;

use diesel::query_builder::QueryFragment;
use diesel::query_dsl::LoadQuery;
use diesel::{QueryResult, RunQueryDsl};

use crate::api::{BindKey, Deletable};
use crate::connection::DeleteConnection;
use crate::error::{HookError, HookStage};
use crate::runner::sync_hooks::ModelHooks;
use crate::runner::{LoadedBatch, WithHooks};
use crate::sql::dialect::Dialect;
use crate::sql::statement::{BatchQuery, Statement, TypedQuery};
use crate::value::SqlValue;

/// Hooks of a model with `#[deletable(hooks)]` (whole rows, its `Selectable` form) or
/// `#[deletable(hooks = keys)]` (primary keys only), for connections of type `C`.
///
/// The rows come in batches (1,000 by default; `#[deletable(batch_size = N)]` per model,
/// [`DeleteOptions::batch_size`](crate::DeleteOptions) per call), inside the operation's
/// transaction, for every row that goes: the roots of the call and rows reached by a cascade or a
/// tree. Per table the order is `before_delete(batch)`, the batch's delete, `after_delete(batch)`;
/// a table's children are finished before its own rows go, so a child's `after_delete` still sees
/// its parent row. An error from either hook rolls the whole operation back and comes back as
/// [`DeleteError::Hook`](crate::DeleteError::Hook). Rows whose foreign key is set to `NULL` or a default are updated, not
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
/// ```
/// # #[cfg(feature = "sqlite")]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// use deletable::{Deletable, DeleteHooks, HookError};
/// use diesel::prelude::*;
/// # use diesel::connection::SimpleConnection;
/// # mod schema {
/// #     diesel::table! { posts (id) { id -> Integer, title -> Text, } }
/// #     diesel::table! { audit (id) { id -> Integer, post_id -> Integer, title -> Text, } }
/// # }
/// # use schema::*;
///
/// #[derive(Queryable, Selectable, Deletable)]
/// #[diesel(table_name = posts)]
/// #[deletable(hooks)]
/// pub struct Post {
///     pub id: i32,
///     pub title: String,
/// }
///
/// impl DeleteHooks<SqliteConnection> for Post {
///     fn before_delete(conn: &mut SqliteConnection, rows: &[Post]) -> Result<(), HookError> {
///         let entries: Vec<_> = rows
///             .iter()
///             .map(|post| (audit::post_id.eq(post.id), audit::title.eq(&post.title)))
///             .collect();
///         diesel::insert_into(audit::table).values(entries).execute(conn)?;
///         Ok(())
///     }
/// }
/// # deletable::schema!(Post);
/// # let mut conn = SqliteConnection::establish(":memory:")?;
/// # conn.batch_execute(
/// #     "CREATE TABLE posts (id INTEGER PRIMARY KEY, title TEXT NOT NULL);
/// #      CREATE TABLE audit (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, title TEXT NOT NULL);
/// #      INSERT INTO posts VALUES (1, 'hello'), (2, 'world');",
/// # )?;
///
/// Post::delete_by_ids(&[1, 2], &mut conn)?;
/// let logged: Vec<String> = audit::table.select(audit::title).order(audit::post_id).load(&mut conn)?;
/// assert_eq!(logged, ["hello", "world"]);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "sqlite"))]
/// # fn main() {}
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

/// Runs `M`'s hook of `stage` on a batch.
fn call<M: DeleteHooks<C>, C>(
    stage: HookStage,
    conn: &mut C,
    rows: &[M::HookRow],
) -> Result<(), HookError> {
    match stage {
        HookStage::BeforeDelete => M::before_delete(conn, rows),
        HookStage::AfterDelete => M::after_delete(conn, rows),
        HookStage::BeforeSoftDelete => M::before_soft_delete(conn, rows),
        HookStage::AfterSoftDelete => M::after_soft_delete(conn, rows),
        HookStage::BeforeRestore => M::before_restore(conn, rows),
        HookStage::AfterRestore => M::after_restore(conn, rows),
    }
}

impl<M, L, C> ModelHooks<C> for WithHooks<M, L>
where
    M: DeleteHooks<C>,
    M::HookRow: 'static,
    L: HookLoader<M, C>,
    C: DeleteConnection,
{
    fn load<F: QueryFragment<C::Backend>>(
        conn: &mut C,
        statement: Statement<'_, F>,
    ) -> QueryResult<LoadedBatch<Box<dyn Any>>> {
        let rows = L::load(conn, statement)?;
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            L::key(row, &mut keys);
        }
        Ok(LoadedBatch {
            len: rows.len(),
            keys,
            rows: Box::new(rows),
        })
    }

    fn hook(stage: HookStage, conn: &mut C, rows: &dyn Any) -> Result<(), HookError> {
        match rows.downcast_ref::<Vec<M::HookRow>>() {
            Some(rows) => call::<M, C>(stage, conn, rows),
            None => Err(format!(
                "deletable: a batch of another model reached the hooks of `{}`",
                std::any::type_name::<M>()
            )
            .into()),
        }
    }
}

/// How a hooked model's batches are loaded: whole rows, or keys only.
#[doc(hidden)]
pub trait HookLoader<M: Deletable, C: DeleteConnection> {
    /// Loads the batch a `LoadBatch` statement selects.
    fn load<F: QueryFragment<C::Backend>>(
        conn: &mut C,
        statement: Statement<'_, F>,
    ) -> QueryResult<Vec<M::HookRow>>;

    /// The key of a loaded row.
    fn key(row: &M::HookRow, values: &mut Vec<SqlValue>);
}

/// Hooks receive whole rows, in the model's `Selectable` form.
#[doc(hidden)]
pub struct WholeRows;

/// Hooks receive primary keys only.
#[doc(hidden)]
pub struct KeysOnly;

impl<M, C> HookLoader<M, C> for WholeRows
where
    M: Deletable<HookRow = M> + diesel::Selectable<C::Backend> + BindKey<C::Backend>,
    C: DeleteConnection,
    C::Backend: Dialect,
    diesel::dsl::AsSelect<M, C::Backend>: QueryFragment<C::Backend>,
    for<'a> TypedQuery<'a, dyn QueryFragment<C::Backend> + 'a, diesel::dsl::AsSelect<M, C::Backend>>:
        LoadQuery<'a, C, M>,
{
    fn load<F: QueryFragment<C::Backend>>(
        conn: &mut C,
        statement: Statement<'_, F>,
    ) -> QueryResult<Vec<M>> {
        let batch = BatchQuery {
            statement,
            selection: <M as diesel::SelectableHelper<C::Backend>>::as_select(),
        };
        TypedQuery::<dyn QueryFragment<C::Backend> + '_, diesel::dsl::AsSelect<M, C::Backend>>::new(
            &batch,
        )
        .load(conn)
    }

    fn key(row: &M, values: &mut Vec<SqlValue>) {
        M::bind_key(&row.__primary_key(), values);
    }
}

type KeySqlType<M> = <<M as Deletable>::KeyColumns as diesel::Expression>::SqlType;

impl<M, C> HookLoader<M, C> for KeysOnly
where
    M: Deletable<HookRow = <M as Deletable>::PrimaryKey> + BindKey<C::Backend>,
    M::KeyColumns: QueryFragment<C::Backend> + diesel::Expression,
    C: DeleteConnection,
    C::Backend: Dialect,
    for<'a> TypedQuery<'a, dyn QueryFragment<C::Backend> + 'a, KeySqlType<M>>:
        LoadQuery<'a, C, M::PrimaryKey>,
{
    fn load<F: QueryFragment<C::Backend>>(
        conn: &mut C,
        statement: Statement<'_, F>,
    ) -> QueryResult<Vec<M::PrimaryKey>> {
        // The model's key columns in the model's order, which may not be the table's.
        let batch = BatchQuery {
            statement,
            selection: M::KeyColumns::default(),
        };
        TypedQuery::<dyn QueryFragment<C::Backend> + '_, KeySqlType<M>>::new(&batch).load(conn)
    }

    fn key(row: &M::PrimaryKey, values: &mut Vec<SqlValue>) {
        M::bind_key(row, values);
    }
}
