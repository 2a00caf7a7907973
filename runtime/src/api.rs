//! The public API: the [`Deletable`] trait the derive implements, and the traits that tie a model
//! to its schema.

use diesel::expression::{AppearsOnTable, Expression};
use diesel::query_builder::{IntoUpdateTarget, QueryFragment};
use diesel::sql_types::BoolOrNullableBool;

use crate::connection::DeleteConnection;
use crate::error::DeleteError;
use crate::migration::Migration;
use crate::model::ModelMeta;
use crate::operation::Previewed;
use crate::options::DeleteOptions;
use crate::plan::Plan;
use crate::preview::Preview;
use crate::query::InQuery;
use crate::report::DeleteReport;
use crate::runner::sync;
use crate::runner::sync_hooks::SchemaHooks;
use crate::sql::statement::{Mode, NoFilter, Roots};
use crate::value::SqlValue;
use crate::verify::Finding;

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
        sync::run::<C, NoFilter, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Keys(&keys),
            options,
            Mode::Delete,
            conn,
        )
    }

    /// Deletes the rows with these primary keys and, by their rules, the rows that depend on
    /// them. An empty list issues no statement; keys that do not exist are skipped.
    ///
    /// The keys are the model's key type or a reference to it ([`KeyFor`]): `&[1, 2]` or
    /// `&[&id]` for an `i32` key, `&["a", "b"]`, `&[&name]` or `&[String]` for a `String` key,
    /// `&[(1, 2)]` for a composite key.
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
        let keys = key_values::<Self, C::Backend, K>(ids);
        sync::run::<C, NoFilter, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Keys(&keys),
            options,
            Mode::Delete,
            conn,
        )
    }

    /// Deletes the rows a typed Diesel filter on the model's table selects and, by their rules,
    /// the rows that depend on them: Django's `QuerySet.delete()`.
    ///
    /// The filter is evaluated once, before anything is deleted.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")]
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use deletable::Deletable;
    /// # use diesel::prelude::*;
    /// # use diesel::connection::SimpleConnection;
    /// # mod schema {
    /// #     diesel::table! { users (id) { id -> Integer, } }
    /// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, published -> Bool, } }
    /// #     diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    /// # }
    /// # use schema::*;
    /// # #[derive(Queryable, Selectable, Identifiable, Deletable)]
    /// # #[diesel(table_name = users)]
    /// # pub struct User { pub id: i32 }
    /// # #[derive(Queryable, Selectable, Identifiable, Associations, Deletable)]
    /// # #[diesel(table_name = posts, belongs_to(User))]
    /// # pub struct Post {
    /// #     pub id: i32,
    /// #     #[on_delete(cascade)]
    /// #     pub user_id: i32,
    /// #     pub published: bool,
    /// # }
    /// # #[derive(Deletable)]
    /// # #[diesel(table_name = comments)]
    /// # pub struct Comment {
    /// #     pub id: i32,
    /// #     #[on_delete(cascade, references = Post)]
    /// #     pub post_id: i32,
    /// # }
    /// # deletable::schema!(User, Post, Comment);
    /// # let mut conn = SqliteConnection::establish(":memory:")?;
    /// # conn.batch_execute(
    /// #     "CREATE TABLE users (id INTEGER PRIMARY KEY);
    /// #      CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, published BOOLEAN NOT NULL);
    /// #      CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL);
    /// #      INSERT INTO users VALUES (1), (2);
    /// #      INSERT INTO posts VALUES (10, 1, 0), (11, 1, 1), (12, 2, 0);
    /// #      INSERT INTO comments VALUES (100, 10), (101, 11), (102, 12);",
    /// # )?;
    /// let report = Post::delete_where(posts::published.eq(false), &mut conn)?;
    /// assert_eq!(report.to_string(), "4 rows deleted (comments: 2, posts: 2)");
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "sqlite"))]
    /// # fn main() {}
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

    /// Deletes the rows a Diesel query selects, given as `diesel::delete` takes it: the
    /// table, a filtered table (`posts::table.filter(...)`) or `Post::belonging_to(&user)`;
    /// and, by their rules, the rows that depend on them. The query is evaluated once, before
    /// anything is deleted.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")]
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use deletable::Deletable;
    /// # use diesel::prelude::*;
    /// # use diesel::connection::SimpleConnection;
    /// # mod schema {
    /// #     diesel::table! { users (id) { id -> Integer, } }
    /// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, published -> Bool, } }
    /// #     diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    /// # }
    /// # use schema::*;
    /// # #[derive(Queryable, Selectable, Identifiable, Deletable)]
    /// # #[diesel(table_name = users)]
    /// # pub struct User { pub id: i32 }
    /// # #[derive(Queryable, Selectable, Identifiable, Associations, Deletable)]
    /// # #[diesel(table_name = posts, belongs_to(User))]
    /// # pub struct Post {
    /// #     pub id: i32,
    /// #     #[on_delete(cascade)]
    /// #     pub user_id: i32,
    /// #     pub published: bool,
    /// # }
    /// # #[derive(Deletable)]
    /// # #[diesel(table_name = comments)]
    /// # pub struct Comment {
    /// #     pub id: i32,
    /// #     #[on_delete(cascade, references = Post)]
    /// #     pub post_id: i32,
    /// # }
    /// # deletable::schema!(User, Post, Comment);
    /// # let mut conn = SqliteConnection::establish(":memory:")?;
    /// # conn.batch_execute(
    /// #     "CREATE TABLE users (id INTEGER PRIMARY KEY);
    /// #      CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, published BOOLEAN NOT NULL);
    /// #      CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL);
    /// #      INSERT INTO users VALUES (1), (2);
    /// #      INSERT INTO posts VALUES (10, 1, 0), (11, 1, 1), (12, 2, 0);
    /// #      INSERT INTO comments VALUES (100, 10), (101, 11), (102, 12);",
    /// # )?;
    /// let user = users::table.find(1).select(User::as_select()).first(&mut conn)?;
    /// let report = Post::delete_matching(Post::belonging_to(&user), &mut conn)?;
    /// assert_eq!(report.to_string(), "4 rows deleted (comments: 2, posts: 2)");
    ///
    /// // A filtered table, as diesel::delete takes it.
    /// let report = Post::delete_matching(posts::table.filter(posts::user_id.eq(2)), &mut conn)?;
    /// assert_eq!(report.count_of::<Post>(), 1);
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "sqlite"))]
    /// # fn main() {}
    /// ```
    fn delete_matching<Q, C>(query: Q, conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Q: IntoUpdateTarget<Table = Self::Table>,
        Q::WhereClause: QueryFragment<C::Backend>,
        Self::Table: Default + QueryFragment<C::Backend>,
        <Self::Table as diesel::Table>::PrimaryKey: QueryFragment<C::Backend>,
        Self: Registered,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        Self::delete_matching_with(query, &DeleteOptions::default(), conn)
    }

    /// [`delete_matching`](Deletable::delete_matching) with options.
    fn delete_matching_with<Q, C>(
        query: Q,
        options: &DeleteOptions,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        Q: IntoUpdateTarget<Table = Self::Table>,
        Q::WhereClause: QueryFragment<C::Backend>,
        Self::Table: Default + QueryFragment<C::Backend>,
        <Self::Table as diesel::Table>::PrimaryKey: QueryFragment<C::Backend>,
        Self: Registered,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let roots = InQuery::new(query.into_update_target().where_clause);
        Self::delete_where_with(roots, options, conn)
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
        sync::run::<C, F, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Filter(&filter),
            options,
            Mode::Delete,
            conn,
        )
    }

    /// What [`delete`](Deletable::delete) would do, changing nothing: the rows it would delete
    /// per table, the foreign keys it would set to `NULL` or a default, and every `protect`
    /// and `restrict` row that would stop it (Django admin's confirmation page, as data).
    ///
    /// Counted by set-based statements (no row is loaded, no hook runs) in a transaction (a
    /// savepoint inside a caller's) that is rolled back, and on PostgreSQL made read-only
    /// first. Run at once on the same data, the delete reports the same counts.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")]
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use deletable::Deletable;
    /// # use diesel::prelude::*;
    /// # use diesel::connection::SimpleConnection;
    /// # mod schema {
    /// #     diesel::table! { users (id) { id -> Integer, } }
    /// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, editor_id -> Nullable<Integer>, } }
    /// #     diesel::table! { invoices (id) { id -> Integer, user_id -> Integer, } }
    /// # }
    /// # use schema::*;
    /// # #[derive(Queryable, Selectable, Identifiable, Deletable)]
    /// # #[diesel(table_name = users)]
    /// # pub struct User { pub id: i32 }
    /// #[derive(Deletable)]
    /// #[diesel(table_name = posts, belongs_to(User))]
    /// pub struct Post {
    ///     pub id: i32,
    ///     #[on_delete(cascade)]
    ///     pub user_id: i32,
    ///     #[on_delete(set_null, references = User)]
    ///     pub editor_id: Option<i32>,
    /// }
    /// #[derive(Deletable)]
    /// #[diesel(table_name = invoices, belongs_to(User))]
    /// pub struct Invoice {
    ///     pub id: i32,
    ///     #[on_delete(protect)]
    ///     pub user_id: i32,
    /// }
    /// # deletable::schema!(User, Post, Invoice);
    /// # let mut conn = SqliteConnection::establish(":memory:")?;
    /// # conn.batch_execute(
    /// #     "CREATE TABLE users (id INTEGER PRIMARY KEY);
    /// #      CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, editor_id INTEGER);
    /// #      CREATE TABLE invoices (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
    /// #      INSERT INTO users VALUES (1), (2);
    /// #      INSERT INTO posts VALUES (10, 1, NULL), (11, 1, 2), (12, 2, 1);
    /// #      INSERT INTO invoices VALUES (100, 1);",
    /// # )?;
    /// let user = users::table.find(1).select(User::as_select()).first(&mut conn)?;
    /// let preview = user.preview_delete(&mut conn)?;
    /// assert_eq!(preview.rows().to_string(), "3 rows deleted (posts: 2, users: 1)");
    /// assert_eq!(preview.updates()[0].rows, 1); // post 12 keeps its row, loses its editor
    /// assert!(preview.is_blocked()); // invoice 100
    /// assert_eq!(
    ///     preview.to_string(),
    ///     "would be: 3 rows deleted (posts: 2, users: 1); posts.editor_id -> users set to NULL \
    ///      in 1 row\nblocked by protect:\n  invoices.user_id -> users: 1 row (keys 100)"
    /// );
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "sqlite"))]
    /// # fn main() {}
    /// ```
    fn preview_delete<C>(&self, conn: &mut C) -> Result<Preview, DeleteError>
    where
        C: DeleteConnection,
        Self: Registered,
        Self: BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let mut keys = Vec::new();
        Self::bind_key(&self.__primary_key(), &mut keys);
        sync::preview::<C, NoFilter, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Keys(&keys),
            Previewed::Delete,
            conn,
        )
    }

    /// What [`delete_by_ids`](Deletable::delete_by_ids) would do, changing nothing: see
    /// [`preview_delete`](Deletable::preview_delete).
    fn preview_delete_by_ids<K, C>(ids: &[K], conn: &mut C) -> Result<Preview, DeleteError>
    where
        K: KeyFor<Self::PrimaryKey>,
        C: DeleteConnection,
        Self: Registered,
        Self: BindKey<C::Backend>,
        <Self as Registered>::Schema: SchemaHooks<C>,
    {
        let keys = key_values::<Self, C::Backend, K>(ids);
        sync::preview::<C, NoFilter, <Self as Registered>::Schema>(
            Self::plan(),
            Roots::Keys(&keys),
            Previewed::Delete,
            conn,
        )
    }

    /// What [`delete_where`](Deletable::delete_where) would do, changing nothing: see
    /// [`preview_delete`](Deletable::preview_delete).
    fn preview_delete_where<F, C>(filter: F, conn: &mut C) -> Result<Preview, DeleteError>
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
            Previewed::Delete,
            conn,
        )
    }
}

impl Plan {
    /// Reads the live database's foreign keys and compares them with the rules of every model
    /// of this plan's schema: each difference a raw SQL `DELETE` would feel, as a
    /// [`Finding`]. An empty list means the database declares every rule's key, with no
    /// action that contradicts it. One assertion in a test suite:
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")]
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use deletable::{Deletable, Finding};
    /// # use diesel::prelude::*;
    /// # use diesel::connection::SimpleConnection;
    /// # mod schema {
    /// #     diesel::table! { users (id) { id -> Integer, } }
    /// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
    /// #     diesel::table! { invoices (id) { id -> Integer, user_id -> Integer, } }
    /// # }
    /// # use schema::*;
    /// # #[derive(Deletable)]
    /// # #[diesel(table_name = users)]
    /// # pub struct User { pub id: i32 }
    /// # #[derive(Deletable)]
    /// # #[diesel(table_name = posts, belongs_to(User))]
    /// # pub struct Post {
    /// #     pub id: i32,
    /// #     #[on_delete(cascade)]
    /// #     pub user_id: i32,
    /// # }
    /// # #[derive(Deletable)]
    /// # #[diesel(table_name = invoices, belongs_to(User))]
    /// # pub struct Invoice {
    /// #     pub id: i32,
    /// #     #[on_delete(protect)]
    /// #     pub user_id: i32,
    /// # }
    /// # deletable::schema!(User, Post, Invoice);
    /// # let mut conn = SqliteConnection::establish(":memory:")?;
    /// conn.batch_execute(
    ///     "PRAGMA foreign_keys = ON;
    ///      CREATE TABLE users (id INTEGER PRIMARY KEY);
    ///      CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users);
    ///      -- drifted: the model says protect
    ///      CREATE TABLE invoices (id INTEGER PRIMARY KEY,
    ///          user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE);",
    /// )?;
    /// let findings = User::plan().verify(&mut conn)?;
    /// assert_eq!(
    ///     findings.iter().map(ToString::to_string).collect::<Vec<_>>(),
    ///     ["invoices.user_id -> users (protect): the database declares ON DELETE CASCADE"]
    /// );
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "sqlite"))]
    /// # fn main() {}
    /// ```
    ///
    /// Tables are found as the connection's statements find them (PostgreSQL's `search_path`,
    /// MySQL's current database, SQLite's main schema). A rule's key counts when it is of one
    /// column, references the parent's primary key in the same schema or database, and is
    /// enforced (on PostgreSQL, its triggers enabled): a composite key, or one to another
    /// column, is reported as missing. Of the keys the models have no rule for, those the
    /// database cascades along into a table with hooks are read
    /// ([`Finding::UnruledCascade`]); the rest are left to the database.
    ///
    /// With `diesel-async` (the `async` feature), `Plan::verify_async`.
    pub fn verify<C: DeleteConnection>(&self, conn: &mut C) -> Result<Vec<Finding>, DeleteError> {
        sync::verify(self, conn)
    }

    /// SQL for a Diesel migration (`up.sql` and `down.sql`) that declares the rules of every
    /// model of this plan's schema as the database's own `ON DELETE` actions, written from the
    /// foreign keys `conn`'s database declares now, in its backend's SQL.
    ///
    /// Once it is applied, a raw SQL `DELETE` follows the rules wherever the database can say
    /// them, [`verify`](Plan::verify) finds no contradiction, and on PostgreSQL `deletable`
    /// leaves the declared cascades to the database. Each rule becomes:
    ///
    /// | rule | declared |
    /// |---|---|
    /// | `cascade` | `CASCADE`; `NO ACTION` into a table with hooks, which only `deletable` runs |
    /// | `protect` | `RESTRICT` (an existing `NO ACTION` is kept)¹ |
    /// | `restrict` | `NO ACTION`, checked after the statement's own cascades (an existing `RESTRICT` is kept) |
    /// | `set_null` | `SET NULL`; `NO ACTION` on a `NOT NULL` column, which no key can set to `NULL` |
    /// | `set_default` | `NO ACTION`: `SET DEFAULT` would take the column's default, not the model's value |
    /// | `do_nothing` | left as it is |
    ///
    /// ¹ A database cannot refuse a row that the same delete removes by another path, as
    /// `protect` does: there a raw delete goes through where `deletable` refuses.
    ///
    /// A key whose action already agrees is left alone; any other key from the column to the
    /// parent's key is replaced, keeping its `ON UPDATE` action. PostgreSQL drops it and adds
    /// the new one under its name and deferral, in the migration's transaction (a key it only
    /// adds is named `table_column_fkey`, numbered when taken). MySQL and MariaDB commit each
    /// `ALTER` as it goes, so the new key is added, under a name no key of the database and no
    /// index of the table has, before the old one is dropped: rows that break it stop the
    /// migration with the old key in place. A key no rule covers that cascades into a table
    /// with hooks becomes `NO ACTION` too (one of several columns, or to another schema, cannot
    /// be altered, and is noted). `down` puts every replaced key back as the database
    /// described it (on PostgreSQL, a key whose triggers were disabled comes back enabled).
    /// What the migration cannot mend (a missing table or column, a `NOT NULL` column under
    /// `set_null`, a key whose catalog rows do not read back as written) is written into `up`
    /// as `--` comments, one line each.
    ///
    /// SQLite cannot alter a foreign key: each table whose keys change is rebuilt from its own
    /// `CREATE TABLE` text (SQLite's documented procedure: the rows copied with their rowids,
    /// the indexes and triggers created again, the `AUTOINCREMENT` count kept). That needs
    /// foreign keys off, which SQLite allows only outside a transaction, so the SQL opens its
    /// own: give the migration a `metadata.toml` saying
    /// [`metadata_toml`](Migration::metadata_toml) (`run_in_transaction = false`). Run inside
    /// a transaction, it refuses before changing anything. Rows that break a key roll it back
    /// and leave that connection with foreign keys off (the file's last statement, which turns
    /// them on again, does not run); an error of another kind also leaves it inside the
    /// migration's transaction: roll back, or drop the connection.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")]
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// # use deletable::Deletable;
    /// # use diesel::connection::SimpleConnection;
    /// # use diesel::prelude::*;
    /// # mod schema {
    /// #     diesel::table! { users (id) { id -> Integer, } }
    /// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
    /// # }
    /// # use schema::*;
    /// # #[derive(Deletable)]
    /// # #[diesel(table_name = users)]
    /// # pub struct User { pub id: i32 }
    /// # #[derive(Deletable)]
    /// # #[diesel(table_name = posts, belongs_to(User))]
    /// # pub struct Post {
    /// #     pub id: i32,
    /// #     #[on_delete(cascade)]
    /// #     pub user_id: i32,
    /// # }
    /// # deletable::schema!(User, Post);
    /// # let mut conn = SqliteConnection::establish(":memory:")?;
    /// conn.batch_execute(
    ///     "CREATE TABLE users (id INTEGER PRIMARY KEY);
    ///      CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users);",
    /// )?;
    /// let migration = User::plan().migration(&mut conn)?;
    /// assert!(migration.up().contains("REFERENCES users ON DELETE CASCADE"));
    ///
    /// assert_eq!(migration.metadata_toml(), Some("run_in_transaction = false\n"));
    ///
    /// // What `diesel migration run` does with `up.sql` under that `metadata.toml`.
    /// conn.batch_execute(migration.up())?;
    /// assert!(User::plan().verify(&mut conn)?.is_empty());
    /// assert!(User::plan().migration(&mut conn)?.is_empty());
    /// # Ok(())
    /// # }
    /// # #[cfg(not(feature = "sqlite"))]
    /// # fn main() {}
    /// ```
    ///
    /// With `diesel-async` (the `async` feature), `Plan::migration_async`.
    pub fn migration<C: DeleteConnection>(&self, conn: &mut C) -> Result<Migration, DeleteError> {
        sync::migration(self, conn)
    }
}

/// Binds a model's primary key values on backend `DB`, each as its column's SQL type (Diesel's
/// own binds: any key type Diesel can bind for the backend). Implemented by the derive.
#[doc(hidden)]
#[diagnostic::on_unimplemented(
    message = "the primary key of `{Self}` cannot be bound on `{DB}`",
    label = "a key of this model is bound here",
    note = "each key field's type must implement Diesel's `ToSql` for its column's SQL type on this backend: unsigned keys are MySQL's and MariaDB's, `uuid::Uuid` keys PostgreSQL's (with Diesel's `uuid` feature)"
)]
pub trait BindKey<DB>: Deletable {
    /// Appends the key's column values, in key order.
    fn bind_key(key: &Self::PrimaryKey, values: &mut Vec<SqlValue>);
}

/// A key that stands for a model's primary key of type `K` in
/// [`delete_by_ids`](crate::Deletable::delete_by_ids): `K` itself, `&K`, or `&str` for a
/// `String` key, so a list of keys need not be copied into owned values first.
///
/// ```
/// # #[cfg(feature = "sqlite")]
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// # use deletable::Deletable;
/// # use diesel::prelude::*;
/// # use diesel::connection::SimpleConnection;
/// # mod schema {
/// #     diesel::table! { handles (name) { name -> Text, } }
/// # }
/// # use schema::*;
/// #[derive(Deletable)]
/// #[diesel(table_name = handles, primary_key(name))]
/// pub struct Handle {
///     pub name: String,
/// }
/// # deletable::schema!(Handle);
/// # let mut conn = SqliteConnection::establish(":memory:")?;
/// # conn.batch_execute(
/// #     "CREATE TABLE handles (name TEXT PRIMARY KEY);
/// #      INSERT INTO handles VALUES ('alice'), ('bob'), ('carol');",
/// # )?;
///
/// let report = Handle::delete_by_ids(&["alice", "bob"], &mut conn)?;
/// assert_eq!(report.total(), 2);
///
/// let carol = String::from("carol");
/// let report = Handle::delete_by_ids(&[&carol], &mut conn)?;
/// assert_eq!(report.total(), 1);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "sqlite"))]
/// # fn main() {}
/// ```
pub trait KeyFor<K> {
    /// The key, owned.
    fn to_key(&self) -> K;
}

impl<K: Clone> KeyFor<K> for K {
    fn to_key(&self) -> K {
        self.clone()
    }
}

impl<K: Clone> KeyFor<K> for &K {
    fn to_key(&self) -> K {
        (*self).clone()
    }
}

impl KeyFor<String> for &str {
    fn to_key(&self) -> String {
        (*self).to_owned()
    }
}

/// The column values of a list of keys of model `M`, flattened in order, bound on `DB`.
pub(crate) fn key_values<M, DB, K>(ids: &[K]) -> Vec<SqlValue>
where
    M: BindKey<DB>,
    K: KeyFor<M::PrimaryKey>,
{
    let mut values = Vec::with_capacity(ids.len());
    for id in ids {
        M::bind_key(&id.to_key(), &mut values);
    }
    values
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
