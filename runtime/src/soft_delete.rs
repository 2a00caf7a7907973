//! The public API of `#[soft_delete]`: marking rows instead of deleting them, with the mark
//! cascading to soft-deletable children, an exact restore, scoped queries and a purge.

use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::QueryFragment;
use diesel::sql_types::BoolOrNullableBool;

use crate::api::{Deletable, Registered};
use crate::connection::DeleteConnection;
use crate::error::DeleteError;
use crate::operation::Previewed;
use crate::options::DeleteOptions;
use crate::preview::Preview;
use crate::report::DeleteReport;
use crate::runner::sync;
use crate::runner::sync_hooks::SchemaHooks;
use crate::sql::statement::{Mode, NoFilter, Roots};

/// A model with a `#[soft_delete]` column: an `Option` timestamp (`NULL` while the row lives)
/// or a `bool` flag. Implemented by `#[derive(Deletable)]`.
///
/// A soft delete marks the row and, along `cascade` edges, every soft-deletable descendant that
/// is not marked yet, all with the same mark: the operation's timestamp (unique within the
/// process). Children that are not soft-deletable stay as they are (their parent row still
/// exists); `set_null` and `set_default` are not applied, so a restore loses no link; live
/// `protect`/`restrict` children block it as they would block a delete. A restore unmarks the
/// row and exactly the descendants marked by the same operation: a child soft-deleted earlier,
/// by another operation, stays deleted. With a `bool` flag there is no operation to tell apart:
/// a restore brings back every flagged descendant along the cascades.
///
/// [`Deletable::delete`] on a soft-deletable model is a real, hard delete.
pub trait SoftDelete: Deletable {
    /// `table.filter(<not soft-deleted>)`: a typed query that composes with `.filter`,
    /// `.order`, joins and `.select`.
    type Active;
    /// `table.filter(<soft-deleted>)`.
    type OnlyDeleted;
    /// What [`purge_deleted`](SoftDelete::purge_deleted) takes: the timestamp's type, or `()`
    /// for a flag.
    type Cutoff;
    /// The filter [`purge_deleted`](SoftDelete::purge_deleted) deletes by (`deleted_at <
    /// cutoff`, or the flag set), which its signature bounds; the derive defines it.
    type PurgeFilter;

    /// The rows that are not soft-deleted (`Model::table()` stays the unscoped view).
    fn active() -> Self::Active;

    /// The soft-deleted rows.
    fn only_deleted() -> Self::OnlyDeleted;

    #[doc(hidden)]
    fn purge_filter(older_than: Self::Cutoff) -> Self::PurgeFilter;

    /// Soft-deletes this row and its soft-deletable descendants. A row already soft-deleted is
    /// left as it is: the report counts 0.
    fn soft_delete<C>(&self, conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        self.soft_delete_with(&DeleteOptions::default(), conn)
    }

    /// [`soft_delete`](SoftDelete::soft_delete) with options.
    fn soft_delete_with<C>(
        &self,
        options: &DeleteOptions,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        soft::<Self, C, NoFilter>(Roots::Keys(&keys), options, Mode::SoftDelete, conn)
    }

    /// Soft-deletes the rows with these keys and their soft-deletable descendants.
    fn soft_delete_by_ids<K, C>(ids: &[K], conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        K: crate::api::KeyFor<Self::PrimaryKey>,
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        Self::soft_delete_by_ids_with(ids, &DeleteOptions::default(), conn)
    }

    /// [`soft_delete_by_ids`](SoftDelete::soft_delete_by_ids) with options.
    fn soft_delete_by_ids_with<K, C>(
        ids: &[K],
        options: &DeleteOptions,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        K: crate::api::KeyFor<Self::PrimaryKey>,
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let keys = crate::api::key_values::<Self, C::Backend, K>(ids);
        soft::<Self, C, NoFilter>(Roots::Keys(&keys), options, Mode::SoftDelete, conn)
    }

    /// Soft-deletes the rows a typed filter selects and their soft-deletable descendants.
    fn soft_delete_where<F, C>(filter: F, conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<C::Backend>,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        Self::soft_delete_where_with(filter, &DeleteOptions::default(), conn)
    }

    /// [`soft_delete_where`](SoftDelete::soft_delete_where) with options.
    fn soft_delete_where_with<F, C>(
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
        soft::<Self, C, F>(Roots::Filter(&filter), options, Mode::SoftDelete, conn)
    }

    /// What [`soft_delete`](SoftDelete::soft_delete) would do, changing nothing: the rows it
    /// would mark per table and every `protect` and `restrict` row that would stop it,
    /// counted as [`preview_delete`](Deletable::preview_delete) counts.
    fn preview_soft_delete<C>(&self, conn: &mut C) -> Result<Preview, DeleteError>
    where
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        sync::preview::<C, NoFilter, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Keys(&keys),
            Previewed::SoftDelete,
            conn,
        )
    }

    /// What [`soft_delete_by_ids`](SoftDelete::soft_delete_by_ids) would do, changing
    /// nothing: see [`preview_soft_delete`](SoftDelete::preview_soft_delete).
    fn preview_soft_delete_by_ids<K, C>(ids: &[K], conn: &mut C) -> Result<Preview, DeleteError>
    where
        K: crate::api::KeyFor<Self::PrimaryKey>,
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let keys = crate::api::key_values::<Self, C::Backend, K>(ids);
        sync::preview::<C, NoFilter, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Keys(&keys),
            Previewed::SoftDelete,
            conn,
        )
    }

    /// What [`soft_delete_where`](SoftDelete::soft_delete_where) would do, changing nothing:
    /// see [`preview_soft_delete`](SoftDelete::preview_soft_delete).
    fn preview_soft_delete_where<F, C>(filter: F, conn: &mut C) -> Result<Preview, DeleteError>
    where
        C: DeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<C::Backend>,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        sync::preview::<C, F, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Filter(&filter),
            Previewed::SoftDelete,
            conn,
        )
    }

    /// Restores this row and the descendants its soft delete marked. Fails with
    /// [`DeleteError::ParentSoftDeleted`] when the row's parent stays soft-deleted.
    fn restore<C>(&self, conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        self.restore_with(&DeleteOptions::default(), conn)
    }

    /// [`restore`](SoftDelete::restore) with options.
    fn restore_with<C>(
        &self,
        options: &DeleteOptions,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        soft::<Self, C, NoFilter>(Roots::Keys(&keys), options, Mode::Restore, conn)
    }

    /// Restores the rows with these keys, each with the descendants its soft delete marked
    /// (rows that are not soft-deleted count 0). Fails with
    /// [`DeleteError::ParentSoftDeleted`] when a row's parent stays soft-deleted.
    fn restore_by_ids<K, C>(ids: &[K], conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        K: crate::api::KeyFor<Self::PrimaryKey>,
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        Self::restore_by_ids_with(ids, &DeleteOptions::default(), conn)
    }

    /// [`restore_by_ids`](SoftDelete::restore_by_ids) with options.
    fn restore_by_ids_with<K, C>(
        ids: &[K],
        options: &DeleteOptions,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        K: crate::api::KeyFor<Self::PrimaryKey>,
        C: DeleteConnection,
        Self: Registered,
        Self: crate::api::BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let keys = crate::api::key_values::<Self, C::Backend, K>(ids);
        soft::<Self, C, NoFilter>(Roots::Keys(&keys), options, Mode::Restore, conn)
    }

    /// Restores the soft-deleted rows a typed filter selects, each with the descendants its own
    /// soft delete marked.
    fn restore_where<F, C>(filter: F, conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        F: Expression + AppearsOnTable<Self::Table> + QueryFragment<C::Backend>,
        F::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        Self::restore_where_with(filter, &DeleteOptions::default(), conn)
    }

    /// [`restore_where`](SoftDelete::restore_where) with options.
    fn restore_where_with<F, C>(
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
        soft::<Self, C, F>(Roots::Filter(&filter), options, Mode::Restore, conn)
    }

    /// Hard-deletes the rows soft-deleted before `older_than` (with a flag: every soft-deleted
    /// row), with their full delete plan and hooks.
    fn purge_deleted<C>(older_than: Self::Cutoff, conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Self::PurgeFilter: Expression + AppearsOnTable<Self::Table> + QueryFragment<C::Backend>,
        <Self::PurgeFilter as Expression>::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        Self::delete_where(Self::purge_filter(older_than), conn)
    }

    /// [`purge_deleted`](SoftDelete::purge_deleted) with options: with
    /// [`DeleteOptions::chunked`], a purge of any size in transactions of bounded size.
    fn purge_deleted_with<C>(
        older_than: Self::Cutoff,
        options: &DeleteOptions,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Self::PurgeFilter: Expression + AppearsOnTable<Self::Table> + QueryFragment<C::Backend>,
        <Self::PurgeFilter as Expression>::SqlType: BoolOrNullableBool,
        Self: Registered,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        Self::delete_where_with(Self::purge_filter(older_than), options, conn)
    }
}

fn soft<M, C, F>(
    roots: Roots<'_, F>,
    options: &DeleteOptions,
    mode: Mode,
    conn: &mut C,
) -> Result<DeleteReport, DeleteError>
where
    M: Deletable + Registered,
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
    M::Schema: SchemaHooks<C>,
{
    sync::run::<C, F, M::Schema>(M::plan(), roots, options, mode, conn)
}
