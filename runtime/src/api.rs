//! The public API: the [`Deletable`] trait the derive implements, and the traits that tie a model
//! to its schema.

use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;
use diesel::sql_types::BoolOrNullableBool;

use crate::error::DeleteError;
use crate::execute::{self, DeleteConnection};
use crate::hooks::SchemaHooks;
use crate::model::ModelMeta;
use crate::plan::Plan;
use crate::report::DeleteReport;
use crate::sql::statement::{NoFilter, Roots};
use crate::value::{BindKey, KeyFor};

/// A Diesel model whose rows are deleted by its declared `on_delete` rules.
///
/// Implemented by `#[derive(Deletable)]`; the model must also be listed in a
/// [`deletable::schema!`](crate::schema), which computes its plan.
///
/// Every method runs in one transaction (a savepoint inside a caller's transaction) and returns
/// a [`DeleteReport`]; on any error nothing changes.
pub trait Deletable: Sized + 'static {
    /// The model's Diesel table.
    type Table: diesel::Table;

    /// The type of the model's primary key: `i32`, `i64`, `String`, `uuid::Uuid`, ..., any type
    /// Diesel binds as the key column's SQL type, or a tuple for a composite key.
    type PrimaryKey: Clone;

    /// What [`DeleteHooks`](crate::DeleteHooks) receive: the model itself, or with
    /// `#[deletable(hooks = keys)]` its primary key.
    type HookRow;

    /// The primary key's columns, in the model's order (`#[diesel(primary_key(...))]`), which
    /// may differ from the table's.
    #[doc(hidden)]
    type KeyColumns: Default;

    /// The model's delete plan, computed at compile time: the tables a delete reaches and the
    /// statements it runs. `Display` prints it as a tree.
    fn plan() -> &'static Plan;

    #[doc(hidden)]
    fn __primary_key(&self) -> Self::PrimaryKey;

    /// Deletes this row and, by their rules, the rows that depend on it.
    ///
    /// Deleting a row that no longer exists is not an error: the report counts 0.
    fn delete<C>(&self, conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Self: Registered,
        Self: BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        self.delete_with(&DeleteOptions::default(), conn)
    }

    /// [`delete`](Deletable::delete) with options.
    fn delete_with<C>(
        &self,
        options: &DeleteOptions,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Self: Registered,
        Self: BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        execute::delete::<C, NoFilter, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Keys(&keys),
            options,
            conn,
        )
    }

    /// Deletes the rows with these primary keys and, by their rules, the rows that depend on
    /// them. An empty list issues no statement; keys that do not exist are skipped.
    ///
    /// The keys are the model's key type or a borrowed form of it ([`KeyFor`]): `&[1, 2]` for
    /// an `i32` key, `&["a", "b"]` or `&[String]` for a `String` key, `&[(1, 2)]` for a composite
    /// key.
    fn delete_by_ids<K, C>(ids: &[K], conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        K: KeyFor<Self::PrimaryKey>,
        C: DeleteConnection,
        Self: Registered,
        Self: BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        Self::delete_by_ids_with(ids, &DeleteOptions::default(), conn)
    }

    /// [`delete_by_ids`](Deletable::delete_by_ids) with options.
    fn delete_by_ids_with<K, C>(
        ids: &[K],
        options: &DeleteOptions,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        K: KeyFor<Self::PrimaryKey>,
        C: DeleteConnection,
        Self: Registered,
        Self: BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let keys = crate::value::key_values::<Self, C::Backend, K>(ids);
        execute::delete::<C, NoFilter, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Keys(&keys),
            options,
            conn,
        )
    }

    /// Deletes the rows a typed Diesel filter on the model's table selects and, by their rules,
    /// the rows that depend on them: Django's `QuerySet.delete()`.
    ///
    /// The filter is evaluated once, before anything is deleted.
    ///
    /// ```ignore
    /// Post::delete_where(posts::published.eq(false), &mut conn)?;
    /// ```
    fn delete_where<F, C>(filter: F, conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<C::Backend>,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        Self::delete_where_with(filter, &DeleteOptions::default(), conn)
    }

    /// [`delete_where`](Deletable::delete_where) with options.
    fn delete_where_with<F, C>(
        filter: F,
        options: &DeleteOptions,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<C::Backend>,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        execute::delete::<C, F, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Filter(&filter),
            options,
            conn,
        )
    }
}

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

/// The derive's description of a model, read by [`deletable::schema!`](crate::schema).
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Deletable` model",
    label = "`on_delete` can only reference a model that derives `Deletable`",
    note = "add `#[derive(Deletable)]` to `{Self}`, or reference the model of the parent table"
)]
pub trait Model {
    /// The SQL name of the model's table; kept apart from [`Model::META`] so that two models'
    /// metadata may name each other's tables without a cycle between constants.
    const TABLE: &'static str;
    /// What the planner needs to know about the model.
    const META: ModelMeta;
}

/// A model listed in a [`deletable::schema!`](crate::schema), which gives it its plan.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "`{Self}` derives `Deletable` but is not listed in a `deletable::schema!`",
    label = "not listed in any `deletable::schema!`",
    note = "list every model of the schema, `{Self}` included, in one `deletable::schema!(...)` beside the models"
)]
pub trait Registered {
    /// The model's plan, computed at compile time into the schema's `static` list of plans.
    fn registered_plan() -> &'static Plan;
    /// The schema's hook dispatch.
    type Schema;
}

/// The table of a model an `on_delete` references; a `const fn` so the bound's message shows at
/// the reference.
#[doc(hidden)]
pub const fn table_of<T: Model>() -> &'static str {
    T::TABLE
}
