//! The statements of a plan, as Diesel query fragments. A statement is data (a plan step and the
//! root keys); rendering it is `QueryFragment::walk_ast`, so any Diesel connection, synchronous or
//! asynchronous, can run it.
//!
//! Every statement selects the rows it touches with nested subqueries that walk the plan's
//! cascade edges up to the root keys, so no row is read into the process:
//! `DELETE FROM c WHERE c.b_id IN (SELECT b.id FROM b WHERE b.a_id IN (<root keys>))`.

use std::sync::atomic::{AtomicUsize, Ordering};

use diesel::query_builder::{AstPass, Query, QueryFragment, QueryId};
use diesel::sql_types::{BigInt, Text};
use diesel::QueryResult;

use crate::model::{ForeignKey, ModelMeta, Rule, SoftDeleteColumn, SoftDeleteKind};
use crate::plan::{CheckKind, Plan, Step};
use crate::sql::dialect::{
    push_column, CascadeEdge, DescribedKey, Dialect, KeyColumn, ReplacedKey,
};
use crate::value::SqlValue;

/// The rows a delete starts from.
#[derive(Debug)]
pub enum Roots<'a, F> {
    /// Primary key values, flattened: the root's key columns, key after key.
    Keys(&'a [SqlValue]),
    /// A typed Diesel filter on the root's table.
    Filter(&'a F),
    /// Temporary tables holding the root keys, in columns named as the root's key: one table,
    /// or for backends that cannot read a temporary table twice in one statement (MySQL), one
    /// copy per reference.
    Table(&'a [String]),
    /// The keys numbered `after + 1` to `through` in a chunked operation's key table
    /// (`StatementKind::CreateNodeKeys`), read in place (where a statement may read a
    /// temporary table twice).
    Numbered {
        /// The key table.
        keys: &'a str,
        /// The number of the last key before them.
        after: &'a SqlValue,
        /// The number of their last key.
        through: &'a SqlValue,
    },
}

/// A filter that matches nothing: the filter type of calls whose roots are keys, and the
/// selection that creates an empty key table.
#[derive(Debug, Clone, Copy)]
pub struct NoFilter;

impl<DB: diesel::backend::Backend> QueryFragment<DB> for NoFilter {
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        out.push_sql("1 = 0");
        Ok(())
    }
}

/// Which operation a statement belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// A hard delete.
    Delete,
    /// A soft delete: rows not yet marked get the operation's mark.
    SoftDelete,
    /// A restore: marked rows, and the descendants marked by the same operation, are unmarked.
    Restore,
}

/// What a [`Statement`] does.
#[derive(Debug)]
#[non_exhaustive]
pub enum StatementKind {
    /// Copy the keys a [`Roots::Filter`] selects into a temporary table.
    CreateRootTable(String),
    /// Copy a root table into another (`from`, `to`).
    CopyRootTable(String, String),
    /// Insert the [`Roots::Keys`] of the statement into that table (for key lists too long to
    /// bind in every statement).
    InsertRootKeys(String),
    /// Drop a temporary table this crate created.
    DropTable(String),
    /// Create an empty temporary table (`name`) for the keys of a tree node's rows and subtrees
    /// (`node`), for backends that check foreign keys row by row.
    CreateSubtreeTable(usize, String),
    /// Copy those keys into it. (An `INSERT`, not `CREATE ... AS`, so the statement begins with a
    /// keyword MySQL accepts its recursion-limit hint after.)
    FillSubtreeTable(usize, String),
    /// Set the tree foreign key of those rows to `NULL`, so deleting them in any order leaves no
    /// row referencing a deleted one.
    DetachSubtree(usize, String),
    /// Delete those rows.
    DeleteSubtree(usize, String),
    /// The rest of a `SELECT <selection>` of a hooked node's next batch: ` FROM t WHERE <the
    /// node's rows> AND key > <after> ORDER BY key LIMIT n`. For a tree node only rows whose
    /// children are gone qualify, so a batch never deletes a parent before its child.
    LoadBatch {
        /// The node.
        node: usize,
        /// The batch size.
        limit: usize,
        /// The key of the last row of the previous batch.
        after: Option<Vec<SqlValue>>,
        /// For a tree's delete: only rows whose children are gone.
        leaves_only: bool,
    },
    /// Set the tree foreign key of the children of a batch of a tree node's rows (the
    /// statement's roots are the batch's keys) to `NULL`: the batch leads into a loop in the
    /// data, and goes before its children.
    DetachChildren(usize),
    /// Set the tree foreign key of the rows a tree node's walk starts from (those its cascade
    /// edges or the roots reach) to `NULL`: every loop in the data that the walk reaches passes
    /// through one of them (each row has one parent), so afterwards the walk still reaches every
    /// row and finds leaves.
    DetachTreeStarts(usize),
    /// Set the nullable self-referencing foreign key `fk` of the rows that reference a batch of
    /// a node's rows (the statement's roots are the batch's keys) to `NULL`: a `restrict` key,
    /// whose check let the delete go on, so all of them go later in the same delete.
    DetachBatchReferences {
        /// The node.
        node: usize,
        /// The foreign key, an index into the node's model's foreign keys.
        fk: usize,
    },
    /// Delete a batch of a node's rows by key; the statement's roots are the batch's keys.
    DeleteBatch(usize),
    /// Set the nullable foreign key `fk` (of the node's model) of a node's rows to `NULL` before
    /// the rows it references go in the same delete: a [`Step::Detach`], or a key to the node's
    /// own table on backends that check foreign keys row by row, so rows that reference each
    /// other go in one statement in any order.
    DetachReferences {
        /// The node.
        node: usize,
        /// The foreign key, an index into the node's model's foreign keys.
        fk: usize,
    },
    /// Soft-delete (set the mark) or restore (clear it) a batch of a node's rows by key.
    MarkBatch(usize, SqlValue),
    /// Lock the root rows (`FOR UPDATE`, in key order) and count them.
    LockRoots,
    /// Take the database's write lock with a statement that changes nothing (`DELETE ...
    /// WHERE 1 = 0` on the root's table), before the operation reads anything.
    TakeWriteLock,
    /// A statement that reads nothing (`SELECT 1`), before a commit: it fails where a hook's
    /// swallowed error aborted the transaction.
    CheckTransaction,
    /// Soft-delete a node's rows (set the mark to the value) or restore them (clear it).
    Mark(usize, SqlValue),
    /// [`StatementKind::Mark`] in the join form of backends that delete by join.
    MarkByJoin(usize, SqlValue),
    /// Count the rows of `node` a restore brings back whose parent through foreign key `fk` (of
    /// the node's model) stays soft-deleted.
    CountDeletedParents {
        /// The node.
        node: usize,
        /// The foreign key, an index into the node's model's foreign keys.
        fk: usize,
    },
    /// List up to ten keys of those parents (what to restore first).
    ListDeletedParents {
        /// The node.
        node: usize,
        /// The foreign key, an index into the node's model's foreign keys.
        fk: usize,
    },
    /// Count the rows blocking a [`Step::Check`].
    CountBlocking(Step),
    /// List up to ten keys of the rows blocking a [`Step::Check`].
    ListBlocking(Step),
    /// Run a [`Step::Update`] with the value to set.
    Update(Step, SqlValue),
    /// One row of text: whether the database's referential actions fire and are counted in this
    /// session, then for each edge whether the database cascades it (`1` or `0`);
    /// comma-separated.
    DatabaseCascades(Vec<CascadeEdge>),
    /// One row of text: how the database declares a foreign key
    /// ([`Dialect::push_key_declaration`]).
    KeyDeclaration(KeyColumn),
    /// Read what the database declares of a foreign key's table, column and `ON DELETE`
    /// actions ([`SqlDialect::push_key_description`](crate::sql::dialect::SqlDialect)): what
    /// [`verify`](crate::Plan::verify) compares with the models' rules.
    DescribeKey(DescribedKey),
    /// Read the foreign keys of a table the database declares `ON DELETE CASCADE`
    /// ([`SqlDialect::push_cascading_keys`](crate::sql::dialect::SqlDialect)).
    CascadingKeys(&'static str),
    /// Read the foreign keys from a column to its parent table that a migration replaces
    /// ([`SqlDialect::push_existing_keys`](crate::sql::dialect::SqlDialect)).
    ExistingKeys(ReplacedKey),
    /// Read what a SQLite table is rebuilt from
    /// ([`SqlDialect::push_table_definition`](crate::sql::dialect::SqlDialect)).
    TableDefinition(&'static str),
    /// Count the rows of `node` whose foreign key `fk` references rows of node `parent` (other
    /// rows, when `parent` is `node`): the rows of a loop ([`Plan::loops_into`]).
    CountLoopRows {
        /// The referencing node.
        node: usize,
        /// The foreign key, an index into the node's model's foreign keys.
        fk: usize,
        /// The referenced node.
        parent: usize,
    },
    /// One row of text: the rows deleted from each table so far in the transaction,
    /// comma-separated.
    DeletedInTransaction(Vec<&'static str>),
    /// Run a [`Step::Delete`]: through every cascade edge into the node (`None`), or through
    /// one of them (`Some(index)` into the node's vias), for backends that delete by join.
    Delete(Step, Option<usize>),
    /// Create an empty temporary table (`name`) for keys of the rows of model `model` (an index
    /// into the plan's models), in columns named as its key: one chunk of a chunked operation.
    CreateKeyTable {
        /// The model.
        model: usize,
        /// The table's name.
        name: String,
    },
    /// Insert into that table the keys of the next chunk: the first `limit` rows, by key, of
    /// those `rows` selects.
    FillChunk {
        /// The table's name.
        name: String,
        /// The rows the chunk is taken from.
        rows: ChunkRows,
        /// The chunk size.
        limit: usize,
    },
    /// Count the rows `rows` selects: a chunked operation's totals, a preview's counts.
    CountChunkRows(ChunkRows),
    /// Count the rows a [`Step::Update`] changes that the operation does not delete: what a
    /// preview reports set to `NULL` or to a default.
    CountKeptUpdates {
        /// The update.
        step: Step,
        /// The value it sets.
        value: SqlValue,
    },
    /// Make the rest of the transaction read-only, where the backend can (a preview's).
    SetReadOnly,
    /// Create an empty temporary table (`name`) for the keys of a node's rows, each with its
    /// number in key order (column `deletable_row`): where a chunked operation takes its chunks
    /// from.
    CreateNodeKeys {
        /// The node.
        node: usize,
        /// The table's name.
        name: String,
    },
    /// Fill that table: the keys of every row the node deletes, numbered 1, 2, ... in key order
    /// (by the backend's insertion number, where it has one), or from a parent's key table on
    /// such a backend, in the order of the parent's keys.
    NumberNodeKeys {
        /// The node.
        node: usize,
        /// The table's name.
        name: String,
        /// The key table of the node's one parent, filled before it, if any: the node's rows
        /// are then those joined to its keys, which reads no other table, and where the
        /// backend numbers by insertion (SQLite), sorts nothing. SQLite's planner must then
        /// find the node's rows of each parent key by an index on its foreign key column, or
        /// an automatic one (SQLite's default).
        parent_keys: Option<ParentKeys>,
    },
    /// Index a table of numbered keys by number (on a backend without an insertion number).
    IndexNodeKeys(String),
    /// Read the page cache size of the temporary schema, where key tables live (SQLite's
    /// `PRAGMA temp.cache_size`: pages, or KiB when negative).
    TempCacheSize,
    /// Set it.
    SetTempCacheSize(i64),
    /// Insert into the chunk table `name` the keys numbered `after + 1` to `through` in the key
    /// table `keys` of node `node`.
    FillChunkFromKeys {
        /// The node.
        node: usize,
        /// The chunk table.
        name: String,
        /// The key table.
        keys: String,
        /// The number of the last key of the chunk before.
        after: SqlValue,
        /// The number of the chunk's last key.
        through: SqlValue,
    },
    /// Run a [`Step::Update`] on the rows whose keys the chunk table `name` holds.
    UpdateChunk {
        /// The update.
        step: Step,
        /// The value it sets.
        value: SqlValue,
        /// The chunk table.
        name: String,
    },
}

/// The key table of a node's one parent ([`StatementKind::NumberNodeKeys`]).
#[derive(Debug, Clone)]
pub struct ParentKeys {
    /// The table's name.
    pub name: String,
    /// The foreign key column of the node's table that references the parent's key.
    pub column: &'static str,
    /// The parent's (single-column) primary key: the table's key column.
    pub key: &'static str,
}

/// The rows a chunked operation takes its chunks from.
#[derive(Debug, Clone)]
pub enum ChunkRows {
    /// The rows a node deletes; with `leaves_only`, only those no other row of the node's table
    /// references through a key to that table the database checks as rows go: its `tree` key
    /// (a child goes before its parent), or a `restrict` or `do_nothing` one (a row whose
    /// referencing rows the same operation deletes goes after them).
    Node {
        /// The node.
        node: usize,
        /// Only rows no other row references.
        leaves_only: bool,
    },
    /// The rows of a node a chunked restore brings back: those marked with the statement's
    /// [walk mark](Statement::walking_marks) that its walk from the roots reaches; with
    /// `tops_only`, only those whose `tree` parent does not carry that mark (parents first).
    Restore {
        /// The node.
        node: usize,
        /// Only rows whose tree parent is not one of them.
        tops_only: bool,
    },
    /// The root rows a chunked restore was given that are soft-deleted with another mark
    /// than its own.
    RootsMarkedOtherwise,
    /// The rows a [`Step::Update`] changes that do not hold its value yet.
    Update {
        /// The update.
        step: Step,
        /// The value it sets.
        value: SqlValue,
    },
}

impl StatementKind {
    /// Whether the statement names a temporary table of its operation.
    fn names_temporary_table(&self) -> bool {
        matches!(
            self,
            StatementKind::CreateRootTable(_)
                | StatementKind::CopyRootTable(..)
                | StatementKind::InsertRootKeys(_)
                | StatementKind::DropTable(_)
                | StatementKind::CreateSubtreeTable(..)
                | StatementKind::FillSubtreeTable(..)
                | StatementKind::DetachSubtree(..)
                | StatementKind::DeleteSubtree(..)
                | StatementKind::CreateKeyTable { .. }
                | StatementKind::FillChunk { .. }
                | StatementKind::UpdateChunk { .. }
                | StatementKind::CreateNodeKeys { .. }
                | StatementKind::NumberNodeKeys { .. }
                | StatementKind::IndexNodeKeys(_)
                | StatementKind::FillChunkFromKeys { .. }
        )
    }
}

/// One statement of a plan, ready to render.
#[derive(Debug)]
pub struct Statement<'a, F> {
    plan: &'a Plan,
    roots: &'a Roots<'a, F>,
    kind: StatementKind,
    mode: Mode,
    /// In a chunked restore, the operation's mark: the walk from the roots passes live rows and
    /// rows with this mark (parents come back first), instead of rows with their parent's mark.
    walk_mark: Option<SqlValue>,
    /// Which copy of the root table the next reference reads, while rendering.
    next_root_table: AtomicUsize,
}

/// The alias of the derived table a join-form statement reads keys from.
const JOIN_ALIAS: &str = "deletable_keys";

/// The alias of a tree table's rows when a batch looks for their children.
const CHILD_ALIAS: &str = "deletable_child";

/// The column of a key table ([`StatementKind::CreateNodeKeys`]) that numbers its keys.
const ROW_NUMBER: &str = "deletable_row";

/// The alias of the derived table that locks the root rows.
const LOCKED_ALIAS: &str = "deletable_locked";

/// How many blocking keys an error lists per edge.
pub const BLOCKING_KEYS_LISTED: usize = 10;

impl<'a, F> Statement<'a, F> {
    /// A statement of `plan` starting from `roots`.
    pub fn new(plan: &'a Plan, roots: &'a Roots<'a, F>, kind: StatementKind) -> Self {
        Statement {
            plan,
            roots,
            kind,
            mode: Mode::Delete,
            walk_mark: None,
            next_root_table: AtomicUsize::new(0),
        }
    }

    /// The statement in a soft-delete or restore operation.
    pub fn in_mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// The statement in a chunked restore of the rows marked `mark`: see
    /// [`ChunkRows::Restore`].
    pub fn walking_marks(mut self, mark: SqlValue) -> Self {
        self.walk_mark = Some(mark);
        self
    }

    /// Whether the operation reaches a node: a hard delete reaches every node of the plan; a
    /// soft delete or restore only soft-deletable tables along cascades between them.
    pub fn reaches(&self, node: usize) -> bool {
        self.mode == Mode::Delete || self.plan.soft_delete_reaches(node)
    }

    /// What the statement does.
    pub fn kind(&self) -> &StatementKind {
        &self.kind
    }

    /// The plan the statement belongs to.
    #[cfg(feature = "tracing")]
    pub(crate) fn plan(&self) -> &'a Plan {
        self.plan
    }
}

impl<F, DB> QueryFragment<DB> for Statement<'_, F>
where
    DB: Dialect,
    F: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.next_root_table.store(0, Ordering::Relaxed);
        if let Roots::Keys(keys) = self.roots {
            if keys.len() > 1 {
                // The text varies with the number of keys: caching it would fill the cache.
                out.unsafe_to_cache_prepared();
            }
        }
        if matches!(self.roots, Roots::Table(_) | Roots::Numbered { .. })
            || self.kind.names_temporary_table()
        {
            // Each operation names its temporary tables anew, so such a text never runs twice:
            // cached, it would stay prepared on the connection (and the server) for good.
            out.unsafe_to_cache_prepared();
        }
        let plan = self.plan;
        let root = plan.node_model(plan.root());
        if !matches!(self.kind, StatementKind::LoadBatch { .. }) {
            self.push_prefix(&mut out);
        }
        match &self.kind {
            StatementKind::CreateRootTable(name) => {
                out.push_sql("CREATE TEMPORARY TABLE ");
                out.push_identifier(name)?;
                out.push_sql(" AS SELECT ");
                push_columns(&mut out, root.table, root.primary_key, true)?;
                out.push_sql(" FROM ");
                out.push_identifier(root.table)?;
                out.push_sql(" WHERE ");
                self.push_root_predicate(&mut out)
            }
            StatementKind::InsertRootKeys(name) => {
                let Roots::Keys(keys) = self.roots else {
                    return Err(misuse("InsertRootKeys"));
                };
                self.push_verb(&mut out, "INSERT ");
                out.push_sql("INTO ");
                out.push_identifier(name)?;
                out.push_sql(" (");
                push_column_names(&mut out, root.primary_key)?;
                out.push_sql(") VALUES ");
                for (index, key) in keys.chunks(root.primary_key.len()).enumerate() {
                    out.push_sql(if index == 0 { "(" } else { ", (" });
                    push_value_list(&mut out, key)?;
                    out.push_sql(")");
                }
                Ok(())
            }
            StatementKind::CopyRootTable(from, to) => {
                out.push_sql("CREATE TEMPORARY TABLE ");
                out.push_identifier(to)?;
                out.push_sql(" AS SELECT * FROM ");
                out.push_identifier(from)
            }
            StatementKind::CreateSubtreeTable(node, name) => {
                let model = plan.node_model(*node);
                out.push_sql("CREATE TEMPORARY TABLE ");
                out.push_identifier(name)?;
                out.push_sql(" AS SELECT ");
                push_columns(&mut out, model.table, &model.primary_key[..1], true)?;
                out.push_sql(" FROM ");
                out.push_identifier(model.table)?;
                out.push_sql(" WHERE 1 = 0");
                Ok(())
            }
            StatementKind::FillSubtreeTable(node, name) => {
                let model = plan.node_model(*node);
                self.push_verb(&mut out, "INSERT ");
                out.push_sql("INTO ");
                out.push_identifier(name)?;
                out.push_sql(" (");
                // A tree's recursive query selects its single key column.
                push_column_names(&mut out, &model.primary_key[..1])?;
                out.push_sql(") ");
                self.push_node_keys(&mut out, *node)
            }
            StatementKind::DetachSubtree(node, name) => {
                let model = plan.node_model(*node);
                let tree = plan.nodes[*node]
                    .tree
                    .ok_or_else(|| misuse("DetachSubtree"))?;
                self.push_verb(&mut out, "UPDATE ");
                out.push_identifier(model.table)?;
                if DB::DELETE_BY_JOIN {
                    push_join_on_table(&mut out, model, name)?;
                }
                out.push_sql(" SET ");
                if DB::DELETE_BY_JOIN {
                    push_column(&mut out, model.table, tree)?;
                    out.push_sql(" = NULL");
                    return Ok(());
                }
                out.push_identifier(tree)?;
                out.push_sql(" = NULL");
                push_where_in_table(&mut out, model, name)
            }
            StatementKind::DeleteSubtree(node, name) => {
                let model = plan.node_model(*node);
                if !DB::DELETE_BY_JOIN {
                    self.push_verb(&mut out, "DELETE ");
                    out.push_sql("FROM ");
                    out.push_identifier(model.table)?;
                    return push_where_in_table(&mut out, model, name);
                }
                self.push_verb(&mut out, "DELETE ");
                out.push_identifier(model.table)?;
                out.push_sql(" FROM ");
                out.push_identifier(model.table)?;
                push_join_on_table(&mut out, model, name)
            }
            StatementKind::DropTable(name) => {
                out.push_sql(DB::DROP_TEMPORARY_TABLE);
                out.push_identifier(name)
            }
            StatementKind::LoadBatch {
                node,
                limit,
                after,
                leaves_only,
            } => {
                let model = plan.node_model(*node);
                out.push_sql(" FROM ");
                out.push_identifier(model.table)?;
                out.push_sql(" WHERE ");
                self.push_node_predicate(&mut out, *node)?;
                if let Some(after) = after {
                    out.push_sql(" AND ");
                    push_key_tuple(&mut out, model)?;
                    out.push_sql(" > ");
                    if after.len() > 1 {
                        out.push_sql("(");
                    }
                    push_value_list(&mut out, after)?;
                    if after.len() > 1 {
                        out.push_sql(")");
                    }
                }
                if *leaves_only {
                    self.push_leaf_condition(&mut out, *node)?;
                }
                out.push_sql(" ORDER BY ");
                push_columns(&mut out, model.table, model.primary_key, false)?;
                out.push_sql(&format!(" LIMIT {limit}"));
                Ok(())
            }
            StatementKind::DetachChildren(node) => {
                let tree = plan.nodes[*node]
                    .tree
                    .ok_or_else(|| misuse("DetachChildren"))?;
                self.push_detach_batch_references(&mut out, *node, tree)
            }
            StatementKind::DetachBatchReferences { node, fk } => {
                let fk = plan
                    .node_model(*node)
                    .foreign_keys
                    .get(*fk)
                    .ok_or_else(|| misuse("DetachBatchReferences"))?;
                self.push_detach_batch_references(&mut out, *node, fk.column)
            }
            StatementKind::DetachTreeStarts(node) => {
                let model = plan.node_model(*node);
                let tree = plan.nodes[*node]
                    .tree
                    .ok_or_else(|| misuse("DetachTreeStarts"))?;
                self.push_verb(&mut out, "UPDATE ");
                out.push_identifier(model.table)?;
                out.push_sql(" SET ");
                out.push_identifier(tree)?;
                out.push_sql(" = NULL WHERE ");
                push_column(&mut out, model.table, tree)?;
                out.push_sql(" IS NOT NULL AND ");
                self.push_reached_predicate(&mut out, *node)
            }
            StatementKind::MarkBatch(node, value) => {
                let Roots::Keys(keys) = self.roots else {
                    return Err(misuse("MarkBatch"));
                };
                let model = plan.node_model(*node);
                let mark = soft_column(model)?;
                self.push_verb(&mut out, "UPDATE ");
                out.push_identifier(model.table)?;
                out.push_sql(" SET ");
                out.push_identifier(mark.column)?;
                out.push_sql(" = ");
                self.push_mark_value(&mut out, mark, value)?;
                out.push_sql(" WHERE ");
                push_keys_predicate(&mut out, model, keys)
            }
            StatementKind::DeleteBatch(node) => {
                let Roots::Keys(keys) = self.roots else {
                    return Err(misuse("DeleteBatch"));
                };
                let model = plan.node_model(*node);
                self.push_verb(&mut out, "DELETE ");
                out.push_sql("FROM ");
                out.push_identifier(model.table)?;
                out.push_sql(" WHERE ");
                push_keys_predicate(&mut out, model, keys)
            }
            StatementKind::Mark(node, value) => {
                let model = plan.node_model(*node);
                let mark = soft_column(model)?;
                self.push_verb(&mut out, "UPDATE ");
                out.push_identifier(model.table)?;
                out.push_sql(" SET ");
                out.push_identifier(mark.column)?;
                out.push_sql(" = ");
                self.push_mark_value(&mut out, mark, value)?;
                out.push_sql(" WHERE ");
                self.push_node_predicate(&mut out, *node)
            }
            StatementKind::DetachReferences { node, fk } => {
                let model = plan.node_model(*node);
                let fk = model
                    .foreign_keys
                    .get(*fk)
                    .ok_or_else(|| misuse("DetachReferences"))?;
                if DB::DELETE_BY_JOIN {
                    self.push_update_joined(&mut out, *node)?;
                    out.push_sql(" SET ");
                    push_column(&mut out, model.table, fk.column)?;
                    out.push_sql(" = NULL WHERE ");
                    push_column(&mut out, model.table, fk.column)?;
                    out.push_sql(" IS NOT NULL");
                    return Ok(());
                }
                self.push_verb(&mut out, "UPDATE ");
                out.push_identifier(model.table)?;
                out.push_sql(" SET ");
                out.push_identifier(fk.column)?;
                out.push_sql(" = NULL WHERE ");
                push_column(&mut out, model.table, fk.column)?;
                out.push_sql(" IS NOT NULL AND ");
                self.push_node_predicate(&mut out, *node)
            }
            StatementKind::MarkByJoin(node, value) => {
                let model = plan.node_model(*node);
                let mark = soft_column(model)?;
                self.push_update_joined(&mut out, *node)?;
                out.push_sql(" SET ");
                push_column(&mut out, model.table, mark.column)?;
                out.push_sql(" = ");
                self.push_mark_value(&mut out, mark, value)
            }
            StatementKind::CountDeletedParents { node, fk }
            | StatementKind::ListDeletedParents { node, fk } => {
                let child = plan.node_model(*node);
                let fk = child
                    .foreign_keys
                    .get(*fk)
                    .ok_or_else(|| misuse("CountDeletedParents"))?;
                let parent = plan
                    .models
                    .iter()
                    .find(|model| model.table == fk.parent_table)
                    .ok_or_else(|| misuse("CountDeletedParents"))?;
                let mark = soft_column(parent)?;
                let list = matches!(self.kind, StatementKind::ListDeletedParents { .. });
                self.push_verb(&mut out, "SELECT ");
                if list {
                    out.push_sql("CAST(");
                    push_column(&mut out, child.table, fk.column)?;
                    out.push_sql(" AS ");
                    out.push_sql(DB::TEXT_TYPE);
                    out.push_sql(")");
                } else {
                    out.push_sql("COUNT(*)");
                }
                out.push_sql(" FROM ");
                out.push_identifier(child.table)?;
                out.push_sql(" WHERE ");
                // Every row the restore brings back: a tree node's whole subtree with it.
                self.push_node_predicate(&mut out, *node)?;
                out.push_sql(" AND ");
                push_column(&mut out, child.table, fk.column)?;
                out.push_sql(" IN (SELECT ");
                push_column(&mut out, parent.table, parent.primary_key[0])?;
                out.push_sql(" FROM ");
                out.push_identifier(parent.table)?;
                out.push_sql(" WHERE ");
                push_mark_condition(&mut out, parent.table, mark, true)?;
                out.push_sql(")");
                // A parent that comes back in the same call does not block.
                for restored in plan.restored_nodes_of(parent.table) {
                    out.push_sql(" AND ");
                    push_column(&mut out, child.table, fk.column)?;
                    out.push_sql(" NOT IN (");
                    self.push_node_keys(&mut out, restored)?;
                    out.push_sql(")");
                }
                if list {
                    out.push_sql(" GROUP BY ");
                    push_column(&mut out, child.table, fk.column)?;
                    out.push_sql(" ORDER BY ");
                    push_column(&mut out, child.table, fk.column)?;
                    // One past the keys listed, to tell whether there are more.
                    out.push_sql(&format!(" LIMIT {}", BLOCKING_KEYS_LISTED + 1));
                }
                Ok(())
            }
            StatementKind::DatabaseCascades(edges) => {
                self.push_verb(&mut out, "SELECT ");
                out.push_sql("concat_ws(',', CAST(");
                DB::push_cascades_counted(&mut out)?;
                out.push_sql(" AS INTEGER)");
                for edge in edges {
                    out.push_sql(", CAST(");
                    DB::push_declares_cascade(&mut out, edge)?;
                    out.push_sql(" AS INTEGER)");
                }
                out.push_sql(")");
                Ok(())
            }
            StatementKind::KeyDeclaration(key) => DB::push_key_declaration(&mut out, key),
            StatementKind::DescribeKey(described) => DB::push_key_description(&mut out, described),
            StatementKind::CascadingKeys(table) => DB::push_cascading_keys(&mut out, table),
            StatementKind::ExistingKeys(key) => DB::push_existing_keys(&mut out, key),
            StatementKind::TableDefinition(table) => DB::push_table_definition(&mut out, table),
            StatementKind::CountLoopRows { node, fk, parent } => {
                let model = plan.node_model(*node);
                let fk = model
                    .foreign_keys
                    .get(*fk)
                    .ok_or_else(|| misuse("CountLoopRows"))?;
                self.push_verb(&mut out, "SELECT ");
                out.push_sql("COUNT(*) FROM ");
                out.push_identifier(model.table)?;
                out.push_sql(" WHERE ");
                self.push_node_predicate(&mut out, *node)?;
                out.push_sql(" AND ");
                push_column(&mut out, model.table, fk.column)?;
                out.push_sql(" IN (");
                self.push_node_keys(&mut out, *parent)?;
                out.push_sql(")");
                if parent == node {
                    // A row referencing itself goes with itself.
                    out.push_sql(" AND ");
                    push_column(&mut out, model.table, fk.column)?;
                    out.push_sql(" <> ");
                    push_column(&mut out, model.table, model.primary_key[0])?;
                }
                Ok(())
            }
            StatementKind::DeletedInTransaction(tables) => {
                self.push_verb(&mut out, "SELECT ");
                out.push_sql("concat_ws(','");
                for table in tables {
                    out.push_sql(", ");
                    DB::push_deleted_in_transaction(&mut out, table)?;
                }
                out.push_sql(")");
                Ok(())
            }
            StatementKind::CheckTransaction => {
                out.push_sql("SELECT 1");
                Ok(())
            }
            StatementKind::TakeWriteLock => {
                out.push_sql("DELETE FROM ");
                out.push_identifier(root.table)?;
                out.push_sql(" WHERE 1 = 0");
                Ok(())
            }
            StatementKind::LockRoots => {
                self.push_verb(&mut out, "SELECT ");
                out.push_sql("COUNT(*) FROM (SELECT ");
                push_columns(&mut out, root.table, root.primary_key, false)?;
                out.push_sql(" FROM ");
                out.push_identifier(root.table)?;
                out.push_sql(" WHERE ");
                self.push_root_predicate(&mut out)?;
                out.push_sql(" ORDER BY ");
                push_columns(&mut out, root.table, root.primary_key, false)?;
                out.push_sql(" FOR UPDATE) AS ");
                out.push_identifier(LOCKED_ALIAS)
            }
            StatementKind::CountBlocking(step) => {
                self.push_verb(&mut out, "SELECT ");
                out.push_sql("COUNT(*)");
                self.push_blocking_rows(&mut out, *step)
            }
            StatementKind::ListBlocking(step) => {
                let Step::Check { model, .. } = *step else {
                    return Err(misuse("ListBlocking"));
                };
                let child = plan.models[model];
                self.push_verb(&mut out, "SELECT ");
                push_key_as_text(&mut out, child)?;
                self.push_blocking_rows(&mut out, *step)?;
                out.push_sql(" ORDER BY ");
                push_columns(&mut out, child.table, child.primary_key, false)?;
                out.push_sql(&format!(" LIMIT {BLOCKING_KEYS_LISTED}"));
                Ok(())
            }
            StatementKind::Update(step, value) => {
                let Step::Update { model, fk, parent } = *step else {
                    return Err(misuse("Update"));
                };
                let child = plan.models[model];
                let column = plan.foreign_key(model, fk).column;
                self.push_verb(&mut out, "UPDATE ");
                out.push_identifier(child.table)?;
                if DB::DELETE_BY_JOIN && !self.is_literal(parent) {
                    self.push_join_on_keys(&mut out, child.table, column, parent)?;
                    return push_set(&mut out, (child.table, column), value, true);
                }
                push_set(&mut out, (child.table, column), value, false)?;
                out.push_sql(" WHERE ");
                push_column(&mut out, child.table, column)?;
                out.push_sql(" IN (");
                self.push_node_keys(&mut out, parent)?;
                out.push_sql(")");
                Ok(())
            }
            StatementKind::CreateKeyTable { model, name } => {
                let model = plan.models[*model];
                out.push_sql("CREATE TEMPORARY TABLE ");
                out.push_identifier(name)?;
                out.push_sql(" AS SELECT ");
                push_columns(&mut out, model.table, model.primary_key, true)?;
                out.push_sql(" FROM ");
                out.push_identifier(model.table)?;
                out.push_sql(" WHERE 1 = 0");
                Ok(())
            }
            StatementKind::FillChunk { name, rows, limit } => {
                let model = self.chunk_model(rows)?;
                self.push_verb(&mut out, "INSERT ");
                out.push_sql("INTO ");
                out.push_identifier(name)?;
                out.push_sql(" (");
                push_column_names(&mut out, model.primary_key)?;
                out.push_sql(") SELECT ");
                push_columns(&mut out, model.table, model.primary_key, false)?;
                self.push_chunk_rows(&mut out, rows)?;
                out.push_sql(" ORDER BY ");
                push_columns(&mut out, model.table, model.primary_key, false)?;
                out.push_sql(&format!(" LIMIT {limit}"));
                Ok(())
            }
            StatementKind::CreateNodeKeys { node, name } => {
                let model = plan.node_model(*node);
                out.push_sql("CREATE TEMPORARY TABLE ");
                out.push_identifier(name)?;
                if DB::INDEX_IN_CREATE_TABLE && DB::INSERTION_NUMBER.is_none() {
                    out.push_sql(" (INDEX (");
                    out.push_identifier(ROW_NUMBER)?;
                    out.push_sql("))");
                }
                out.push_sql(" AS SELECT ");
                push_columns(&mut out, model.table, model.primary_key, true)?;
                if DB::INSERTION_NUMBER.is_none() {
                    out.push_sql(", 0 AS ");
                    out.push_identifier(ROW_NUMBER)?;
                }
                out.push_sql(" FROM ");
                out.push_identifier(model.table)?;
                out.push_sql(" WHERE 1 = 0");
                Ok(())
            }
            StatementKind::NumberNodeKeys {
                node,
                name,
                parent_keys,
            } => {
                let model = plan.node_model(*node);
                self.push_verb(&mut out, "INSERT ");
                out.push_sql("INTO ");
                out.push_identifier(name)?;
                out.push_sql(" (");
                push_column_names(&mut out, model.primary_key)?;
                if DB::INSERTION_NUMBER.is_some() {
                    out.push_sql(") SELECT ");
                    push_columns(&mut out, model.table, model.primary_key, false)?;
                    self.push_listed_rows(&mut out, *node, parent_keys.as_ref())?;
                    if parent_keys.is_some() {
                        return Ok(());
                    }
                    out.push_sql(" ORDER BY ");
                    return push_columns(&mut out, model.table, model.primary_key, false);
                }
                out.push_sql(", ");
                out.push_identifier(ROW_NUMBER)?;
                out.push_sql(") SELECT ");
                push_columns(&mut out, model.table, model.primary_key, false)?;
                out.push_sql(", ROW_NUMBER() OVER (ORDER BY ");
                push_columns(&mut out, model.table, model.primary_key, false)?;
                out.push_sql(")");
                self.push_listed_rows(&mut out, *node, parent_keys.as_ref())
            }
            StatementKind::TempCacheSize => {
                if DB::KEY_TABLE_CACHE_KIB.is_none() {
                    return Err(misuse("TempCacheSize"));
                }
                out.push_sql("SELECT cache_size FROM pragma_cache_size WHERE schema = 'temp'");
                Ok(())
            }
            StatementKind::SetTempCacheSize(size) => {
                if DB::KEY_TABLE_CACHE_KIB.is_none() {
                    return Err(misuse("SetTempCacheSize"));
                }
                // A pragma takes no bind parameter; the size is an integer, ours or the one
                // the database reported.
                out.push_sql(&format!("PRAGMA temp.cache_size = {size}"));
                Ok(())
            }
            StatementKind::IndexNodeKeys(name) => {
                out.push_sql("CREATE INDEX ");
                out.push_identifier(&format!("{name}_row"))?;
                out.push_sql(" ON ");
                out.push_identifier(name)?;
                out.push_sql(" (");
                out.push_identifier(ROW_NUMBER)?;
                out.push_sql(")");
                Ok(())
            }
            StatementKind::FillChunkFromKeys {
                node,
                name,
                keys,
                after,
                through,
            } => {
                let model = plan.node_model(*node);
                out.push_sql("INSERT INTO ");
                out.push_identifier(name)?;
                out.push_sql(" (");
                push_column_names(&mut out, model.primary_key)?;
                out.push_sql(") SELECT ");
                push_columns(&mut out, keys, model.primary_key, false)?;
                out.push_sql(" FROM ");
                out.push_identifier(keys)?;
                out.push_sql(" WHERE ");
                let number = DB::INSERTION_NUMBER.unwrap_or(ROW_NUMBER);
                push_column(&mut out, keys, number)?;
                out.push_sql(" > ");
                DB::push_value(&mut out, after)?;
                out.push_sql(" AND ");
                push_column(&mut out, keys, number)?;
                out.push_sql(" <= ");
                DB::push_value(&mut out, through)
            }
            StatementKind::CountChunkRows(rows) => {
                self.push_verb(&mut out, "SELECT ");
                out.push_sql("COUNT(*)");
                self.push_chunk_rows(&mut out, rows)
            }
            StatementKind::CountKeptUpdates { step, value } => {
                let Step::Update { model, .. } = *step else {
                    return Err(misuse("CountKeptUpdates"));
                };
                self.push_verb(&mut out, "SELECT ");
                out.push_sql("COUNT(*) FROM ");
                out.push_identifier(plan.models[model].table)?;
                out.push_sql(" WHERE ");
                self.push_update_rows(&mut out, step, value)?;
                // `IS NOT TRUE`, not `NOT`: the condition is NULL for a row whose path
                // column is NULL, and such a row stays.
                if let Some(node) = plan.node_of_model(model) {
                    out.push_sql(" AND (");
                    self.push_node_predicate(&mut out, node)?;
                    out.push_sql(") IS NOT TRUE");
                }
                Ok(())
            }
            StatementKind::SetReadOnly => {
                out.push_sql("SET TRANSACTION READ ONLY");
                Ok(())
            }
            StatementKind::UpdateChunk { step, value, name } => {
                let Step::Update { model, fk, .. } = *step else {
                    return Err(misuse("UpdateChunk"));
                };
                let child = plan.models[model];
                let column = plan.foreign_key(model, fk).column;
                self.push_verb(&mut out, "UPDATE ");
                out.push_identifier(child.table)?;
                if DB::DELETE_BY_JOIN {
                    push_join_on_table(&mut out, child, name)?;
                    return push_set(&mut out, (child.table, column), value, true);
                }
                push_set(&mut out, (child.table, column), value, false)?;
                push_where_in_table(&mut out, child, name)
            }
            StatementKind::Delete(step, via) => {
                let Step::Delete { node } = *step else {
                    return Err(misuse("Delete"));
                };
                let table = plan.node_model(node).table;
                let vias = plan.node_vias(node);
                let via = match (via, vias) {
                    (Some(index), _) => vias.get(*index),
                    (None, [only]) => Some(only),
                    _ => None,
                };
                if DB::DELETE_BY_JOIN {
                    match via {
                        Some(via) if !self.is_literal(via.parent) => {
                            self.push_verb(&mut out, "DELETE ");
                            out.push_identifier(table)?;
                            out.push_sql(" FROM ");
                            out.push_identifier(table)?;
                            return self.push_join_on_keys(&mut out, table, via.column, via.parent);
                        }
                        Some(via) => {
                            self.push_verb(&mut out, "DELETE ");
                            out.push_sql("FROM ");
                            out.push_identifier(table)?;
                            out.push_sql(" WHERE ");
                            push_column(&mut out, table, via.column)?;
                            out.push_sql(" IN (");
                            self.push_node_keys(&mut out, via.parent)?;
                            out.push_sql(")");
                            return Ok(());
                        }
                        None if node == plan.root() => {
                            if let Roots::Table(_) = self.roots {
                                return self.push_root_join_delete(&mut out);
                            }
                        }
                        None => {}
                    }
                }
                self.push_verb(&mut out, "DELETE ");
                out.push_sql("FROM ");
                out.push_identifier(table)?;
                out.push_sql(" WHERE ");
                self.push_node_predicate(&mut out, node)
            }
        }
    }
}

impl<'a, F> Statement<'a, F> {
    /// The model whose rows a chunk holds.
    fn chunk_model(&self, rows: &ChunkRows) -> QueryResult<&'static ModelMeta> {
        match *rows {
            ChunkRows::Node { node, .. } | ChunkRows::Restore { node, .. } => {
                Ok(self.plan.node_model(node))
            }
            ChunkRows::RootsMarkedOtherwise => Ok(self.plan.node_model(self.plan.root())),
            ChunkRows::Update {
                step: Step::Update { model, .. },
                ..
            } => Ok(self.plan.models[model]),
            ChunkRows::Update { .. } => Err(misuse("ChunkRows::Update")),
        }
    }

    /// ` FROM t WHERE <the rows chunks are taken from>`.
    fn push_chunk_rows<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        rows: &'b ChunkRows,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let model = self.chunk_model(rows)?;
        out.push_sql(" FROM ");
        out.push_identifier(model.table)?;
        out.push_sql(" WHERE ");
        match rows {
            ChunkRows::Node { node, leaves_only } => {
                self.push_node_predicate(out, *node)?;
                if !*leaves_only {
                    return Ok(());
                }
                // A soft delete orders by the tree only, and its marked rows stay: a row is
                // a leaf when no live row of its subtree is left.
                let soft = self.mode == Mode::SoftDelete;
                for fk in chunk_order_keys(model).filter(|fk| !soft || fk.tree) {
                    out.push_sql(" AND NOT EXISTS (SELECT 1 FROM ");
                    out.push_identifier(model.table)?;
                    out.push_sql(" AS ");
                    out.push_identifier(CHILD_ALIAS)?;
                    out.push_sql(" WHERE ");
                    push_column(out, CHILD_ALIAS, fk.column)?;
                    out.push_sql(" = ");
                    push_column(out, model.table, model.primary_key[0])?;
                    out.push_sql(" AND ");
                    push_column(out, CHILD_ALIAS, model.primary_key[0])?;
                    out.push_sql(" <> ");
                    push_column(out, model.table, model.primary_key[0])?;
                    if let (true, Some(mark)) = (soft, model.soft_delete) {
                        out.push_sql(" AND ");
                        push_mark_condition(out, CHILD_ALIAS, mark, false)?;
                    }
                    out.push_sql(")");
                }
                Ok(())
            }
            ChunkRows::Restore { node, tops_only } => {
                let mark = soft_column(model)?;
                self.push_node_predicate(out, *node)?;
                out.push_sql(" AND ");
                self.push_walk_mark(out, model.table, mark, false)?;
                let tree = self.plan.nodes[*node].tree.filter(|_| *tops_only);
                if let Some(tree) = tree {
                    out.push_sql(" AND NOT EXISTS (SELECT 1 FROM ");
                    out.push_identifier(model.table)?;
                    out.push_sql(" AS ");
                    out.push_identifier(CHILD_ALIAS)?;
                    out.push_sql(" WHERE ");
                    push_column(out, CHILD_ALIAS, model.primary_key[0])?;
                    out.push_sql(" = ");
                    push_column(out, model.table, tree)?;
                    out.push_sql(" AND ");
                    push_column(out, CHILD_ALIAS, model.primary_key[0])?;
                    out.push_sql(" <> ");
                    push_column(out, model.table, model.primary_key[0])?;
                    out.push_sql(" AND ");
                    self.push_walk_mark(out, CHILD_ALIAS, mark, false)?;
                    out.push_sql(")");
                }
                Ok(())
            }
            ChunkRows::RootsMarkedOtherwise => {
                let mark = soft_column(model)?;
                self.push_root_predicate(out)?;
                out.push_sql(" AND ");
                push_mark_condition(out, model.table, mark, true)?;
                if let SoftDeleteKind::Flag = mark.kind {
                    out.push_sql(" AND 1 = 0");
                    return Ok(());
                }
                out.push_sql(" AND NOT ");
                self.push_walk_mark(out, model.table, mark, false)
            }
            ChunkRows::Update { step, value } => self.push_update_rows(out, step, value),
        }
    }

    /// The condition on a table that selects the rows an update step changes: those whose
    /// foreign key references a row of its parent node and does not hold the value yet.
    fn push_update_rows<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        step: &'b Step,
        value: &'b SqlValue,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let Step::Update { model, fk, parent } = *step else {
            return Err(misuse("ChunkRows::Update"));
        };
        let column = self.plan.foreign_key(model, fk).column;
        push_column(out, model_table(self.plan, model), column)?;
        out.push_sql(" IN (");
        self.push_node_keys(out, parent)?;
        out.push_sql(")");
        // A row already holding the value is done (and `set_null`'s `IN` skips it).
        if !matches!(value, SqlValue::Null) {
            out.push_sql(" AND ");
            push_column(out, model_table(self.plan, model), column)?;
            out.push_sql(" <> ");
            DB::push_value(out, value)?;
        }
        Ok(())
    }

    /// ` AND NOT EXISTS (<a child of the row>)`, for a tree node: the row is a leaf.
    fn push_leaf_condition<DB: Dialect>(
        &self,
        out: &mut AstPass<'_, '_, DB>,
        node: usize,
    ) -> QueryResult<()> {
        let Some(tree) = self.plan.nodes[node].tree else {
            return Ok(());
        };
        let model = self.plan.node_model(node);
        out.push_sql(" AND NOT EXISTS (SELECT 1 FROM ");
        out.push_identifier(model.table)?;
        out.push_sql(" AS ");
        out.push_identifier(CHILD_ALIAS)?;
        out.push_sql(" WHERE ");
        push_column(out, CHILD_ALIAS, tree)?;
        out.push_sql(" = ");
        push_column(out, model.table, model.primary_key[0])?;
        out.push_sql(")");
        Ok(())
    }

    /// Whether the plan walks a tree with a recursive query.
    fn walks_tree(&self) -> bool {
        self.plan.nodes.iter().any(|node| node.tree.is_some())
    }

    /// What the backend writes before each statement of the plan (MariaDB's recursion limit).
    fn push_prefix<DB: Dialect>(&self, out: &mut AstPass<'_, '_, DB>) {
        if self.walks_tree() {
            out.push_sql(DB::TREE_STATEMENT_PREFIX);
        }
    }

    /// The statement's first keyword (`verb`, with its trailing space), then what the backend
    /// writes after it (MySQL's recursion limit).
    fn push_verb<DB: Dialect>(&self, out: &mut AstPass<'_, '_, DB>, verb: &'static str) {
        out.push_sql(verb);
        if self.walks_tree() {
            out.push_sql(DB::TREE_STATEMENT_HINT);
        }
    }

    /// MySQL's form of an `UPDATE` of a node's rows, up to its `SET`: `UPDATE t INNER JOIN
    /// (SELECT <key> FROM t WHERE <the node's rows>) AS k ON <key equality>`. The derived table
    /// is materialized, so it may read the table being updated.
    fn push_update_joined<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        node: usize,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let model = self.plan.node_model(node);
        self.push_verb(out, "UPDATE ");
        out.push_identifier(model.table)?;
        out.push_sql(" INNER JOIN (SELECT ");
        push_columns(out, model.table, model.primary_key, false)?;
        out.push_sql(" FROM ");
        out.push_identifier(model.table)?;
        out.push_sql(" WHERE ");
        self.push_node_predicate(out, node)?;
        out.push_sql(") AS ");
        out.push_identifier(JOIN_ALIAS)?;
        push_key_equality(out, model, JOIN_ALIAS)
    }

    /// `UPDATE t SET column = NULL WHERE t.column IN (<the statement's keys>)`: the rows of a
    /// node's table that reference a batch of its rows through `column`, a key to itself.
    fn push_detach_batch_references<'b, DB: Dialect>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        node: usize,
        column: &str,
    ) -> QueryResult<()>
    where
        F: QueryFragment<DB>,
    {
        let Roots::Keys(keys) = self.roots else {
            return Err(misuse("detach a batch"));
        };
        let model = self.plan.node_model(node);
        self.push_verb(out, "UPDATE ");
        out.push_identifier(model.table)?;
        out.push_sql(" SET ");
        out.push_identifier(column)?;
        out.push_sql(" = NULL WHERE ");
        push_column(out, model.table, column)?;
        out.push_sql(" IN (");
        push_value_list(out, keys)?;
        out.push_sql(")");
        Ok(())
    }

    /// The value a soft delete sets (the operation's mark, or `TRUE`), or a restore (`NULL`,
    /// `FALSE`).
    fn push_mark_value<'b, DB: Dialect>(
        &self,
        out: &mut AstPass<'_, 'b, DB>,
        mark: SoftDeleteColumn,
        value: &'b SqlValue,
    ) -> QueryResult<()> {
        match (self.mode, mark.kind) {
            (Mode::Restore, SoftDeleteKind::Timestamp(_)) => out.push_sql("NULL"),
            (Mode::Restore, SoftDeleteKind::Flag) => out.push_sql("FALSE"),
            (_, SoftDeleteKind::Timestamp(column)) => DB::push_timestamp(out, value, column)?,
            (_, SoftDeleteKind::Flag) => out.push_sql("TRUE"),
        }
        Ok(())
    }

    /// Whether a node's keys are a literal list (the root, given by key values).
    fn is_literal(&self, node: usize) -> bool {
        node == self.plan.root()
            && self.plan.nodes[node].tree.is_none()
            && matches!(self.roots, Roots::Keys(_))
            && self.plan.node_model(node).primary_key.len() == 1
    }

    /// The root table the next reference reads.
    fn root_table<DB: Dialect>(&self) -> QueryResult<&'a str> {
        let Roots::Table(names) = self.roots else {
            return Err(misuse("root table"));
        };
        let index = self.next_root_table.fetch_add(1, Ordering::Relaxed);
        // Where a statement may read a temporary table twice there is one; elsewhere each
        // reference needs its own copy, and a missing one is a bug, never a reused copy.
        let name = match &names[..] {
            [only] if DB::TEMP_TABLE_REOPENS => Some(only),
            _ => names.get(index),
        };
        name.map(String::as_str)
            .ok_or_else(|| misuse("root table copies"))
    }

    /// ` JOIN (<keys of parent>) AS k ON t.column = k.key`: MySQL's form of `t.column IN (...)`,
    /// which its optimizer runs as a join instead of a subquery per row.
    fn push_join_on_keys<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        table: &str,
        column: &str,
        parent: usize,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let key = self.plan.node_model(parent).primary_key[0];
        out.push_sql(" INNER JOIN (");
        self.push_node_keys(out, parent)?;
        out.push_sql(") AS ");
        out.push_identifier(JOIN_ALIAS)?;
        out.push_sql(" ON ");
        push_column(out, table, column)?;
        out.push_sql(" = ");
        push_column(out, JOIN_ALIAS, key)
    }

    /// `DELETE t FROM t INNER JOIN roots ON t.id = roots.id`.
    fn push_root_join_delete<'b, DB>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: Dialect,
    {
        let root = self.plan.node_model(self.plan.root());
        let name = self.root_table::<DB>()?;
        self.push_verb(out, "DELETE ");
        out.push_identifier(root.table)?;
        out.push_sql(" FROM ");
        out.push_identifier(root.table)?;
        push_join_on_table(out, root, name)
    }

    /// `FROM child WHERE child.fk IN (<parent keys>) [AND child.pk NOT IN (<child keys>)]`: the
    /// rows that block a check.
    fn push_blocking_rows<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        step: Step,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let Step::Check {
            kind,
            model,
            fk,
            parent,
            child_node,
        } = step
        else {
            return Err(misuse("Check"));
        };
        let child = self.plan.models[model];
        out.push_sql(" FROM ");
        out.push_identifier(child.table)?;
        out.push_sql(" WHERE ");
        push_column(out, child.table, self.plan.foreign_key(model, fk).column)?;
        out.push_sql(" IN (");
        self.push_node_keys(out, parent)?;
        out.push_sql(")");
        if self.mode != Mode::Delete {
            if let Some(mark) = child.soft_delete {
                out.push_sql(" AND ");
                push_mark_condition(out, child.table, mark, false)?;
            }
        }
        let child_node = child_node.filter(|node| self.reaches(*node));
        if let (CheckKind::Restrict, Some(child_node)) = (kind, child_node) {
            out.push_sql(" AND ");
            push_key_tuple(out, child)?;
            out.push_sql(" NOT IN (");
            self.push_node_keys(out, child_node)?;
            out.push_sql(")");
        }
        Ok(())
    }

    /// A `SELECT` of the keys of the rows a node deletes (or, for the root when its keys are
    /// literal, the list of keys itself), to stand inside `IN (...)`.
    fn push_node_keys<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        node: usize,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let model = self.plan.node_model(node);
        if let Some(tree) = self.plan.nodes[node].tree {
            return self.push_subtree_keys(out, node, tree);
        }
        if node == self.plan.root() {
            match self.roots {
                Roots::Keys(keys) if model.primary_key.len() == 1 => {
                    return push_value_list(out, keys);
                }
                Roots::Table(_) => {
                    let name = self.root_table::<DB>()?;
                    out.push_sql("SELECT ");
                    push_columns(out, name, model.primary_key, false)?;
                    out.push_sql(" FROM ");
                    return out.push_identifier(name);
                }
                Roots::Numbered { .. } => return self.push_numbered_keys(out),
                _ => {}
            }
        }
        out.push_sql("SELECT ");
        push_columns(out, model.table, model.primary_key, false)?;
        out.push_sql(" FROM ");
        out.push_identifier(model.table)?;
        out.push_sql(" WHERE ");
        self.push_reached_predicate(out, node)
    }

    /// The keys of the rows a tree node reaches and of all their descendants along the `tree`
    /// foreign key, by a recursive query (`UNION`, so a cycle in the data still terminates):
    /// `WITH RECURSIVE t_n (id) AS (SELECT t.id FROM t WHERE <reached> UNION SELECT t.id FROM t
    /// INNER JOIN t_n ON t.parent_id = t_n.id) SELECT t_n.id FROM t_n`.
    fn push_subtree_keys<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        node: usize,
        tree: &str,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let model = self.plan.node_model(node);
        let key = model.primary_key[0];
        let name = format!("deletable_tree_{node}");
        // A soft operation walks only live rows (soft delete) or rows marked with their
        // parent's mark (restore), so the CTE carries the mark for a restore.
        let mark = match self.mode {
            Mode::Delete => None,
            _ => Some(soft_column(model)?),
        };
        let carry_mark = self.mode == Mode::Restore && self.walk_mark.is_none();
        out.push_sql("WITH RECURSIVE ");
        out.push_identifier(&name)?;
        out.push_sql(" (");
        out.push_identifier(key)?;
        if let (true, Some(mark)) = (carry_mark, mark) {
            out.push_sql(", ");
            out.push_identifier(mark.column)?;
        }
        out.push_sql(") AS (SELECT ");
        push_column(out, model.table, key)?;
        if let (true, Some(mark)) = (carry_mark, mark) {
            out.push_sql(", ");
            push_column(out, model.table, mark.column)?;
        }
        out.push_sql(" FROM ");
        out.push_identifier(model.table)?;
        out.push_sql(" WHERE ");
        self.push_reached_predicate(out, node)?;
        out.push_sql(" UNION SELECT ");
        push_column(out, model.table, key)?;
        if let (true, Some(mark)) = (carry_mark, mark) {
            out.push_sql(", ");
            push_column(out, model.table, mark.column)?;
        }
        out.push_sql(" FROM ");
        out.push_identifier(model.table)?;
        out.push_sql(" INNER JOIN ");
        out.push_identifier(&name)?;
        out.push_sql(" ON ");
        push_column(out, model.table, tree)?;
        out.push_sql(" = ");
        push_column(out, &name, key)?;
        match (self.mode, mark) {
            (Mode::Restore, Some(mark)) if !carry_mark => {
                out.push_sql(" WHERE ");
                self.push_walk_mark(out, model.table, mark, true)?;
            }
            (Mode::Restore, Some(mark)) => {
                out.push_sql(" AND ");
                push_column(out, model.table, mark.column)?;
                out.push_sql(" = ");
                push_column(out, &name, mark.column)?;
            }
            (Mode::SoftDelete, Some(mark)) => {
                out.push_sql(" WHERE ");
                push_mark_condition(out, model.table, mark, false)?;
            }
            _ => {}
        }
        out.push_sql(") SELECT ");
        push_column(out, &name, key)?;
        out.push_sql(" FROM ");
        out.push_identifier(&name)
    }

    /// ` FROM t WHERE <the node's rows>`; or from its one parent's key table,
    /// ` FROM keys INNER JOIN t ON t.fk = keys.id`, with the live rows only in a soft delete.
    fn push_listed_rows<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        node: usize,
        parent_keys: Option<&'b ParentKeys>,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let model = self.plan.node_model(node);
        out.push_sql(" FROM ");
        let Some(parent) = parent_keys else {
            out.push_identifier(model.table)?;
            out.push_sql(" WHERE ");
            return self.push_node_predicate(out, node);
        };
        out.push_identifier(&parent.name)?;
        out.push_sql(" ");
        out.push_sql(DB::JOIN_IN_ORDER);
        out.push_sql(" ");
        out.push_identifier(model.table)?;
        out.push_sql(" ON ");
        push_column(out, model.table, parent.column)?;
        out.push_sql(" = ");
        push_column(out, &parent.name, parent.key)?;
        match self.mode {
            Mode::Delete => Ok(()),
            Mode::SoftDelete => {
                out.push_sql(" WHERE ");
                push_mark_condition(out, model.table, soft_column(model)?, false)
            }
            // A restore's parts come in rounds, with no key tables.
            Mode::Restore => Err(misuse("restore from a parent's key table")),
        }
    }

    /// The condition on a node's table that selects the rows the delete removes: those reached
    /// and, for a tree, their subtrees.
    fn push_node_predicate<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        node: usize,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        if self.plan.nodes[node].tree.is_none() {
            return self.push_reached_predicate(out, node);
        }
        let model = self.plan.node_model(node);
        push_column(out, model.table, model.primary_key[0])?;
        out.push_sql(" IN (");
        self.push_node_keys(out, node)?;
        out.push_sql(")");
        Ok(())
    }

    /// The condition on a node's table that selects the rows its cascade edges (or, for the
    /// root, the root keys) reach.
    fn push_reached_predicate<'b, DB>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        node: usize,
    ) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let model = self.plan.node_model(node);
        let mark = match self.mode {
            Mode::Delete => None,
            _ => Some(soft_column(model)?),
        };
        if mark.is_some() {
            out.push_sql("(");
        }
        if node == self.plan.root() {
            self.push_root_predicate(out)?;
        } else {
            let table = model.table;
            let vias = self.plan.node_vias(node);
            // Several edges: `(a OR b)`, so that a condition after it (`AND`) holds for all.
            let several =
                mark.is_none() && vias.iter().filter(|via| self.reaches(via.parent)).count() > 1;
            if several {
                out.push_sql("(");
            }
            let mut first = true;
            for via in vias.iter().filter(|via| self.reaches(via.parent)) {
                if !first {
                    out.push_sql(" OR ");
                }
                first = false;
                let parent = self.plan.node_model(via.parent);
                let both_timestamps = matches!(
                    (
                        mark.map(|mark| mark.kind),
                        parent.soft_delete.map(|mark| mark.kind)
                    ),
                    (
                        Some(SoftDeleteKind::Timestamp(_)),
                        Some(SoftDeleteKind::Timestamp(_))
                    )
                );
                if self.mode == Mode::Restore && self.walk_mark.is_none() && both_timestamps {
                    // Exact restore: a child comes back with the parent only if the same
                    // operation marked both (the same mark). A flag carries no mark: a
                    // flagged child comes back with its parent (below).
                    let parent = self.plan.node_model(via.parent);
                    let parent_mark = soft_column(parent)?;
                    let child_mark = mark.ok_or_else(|| misuse("restore"))?;
                    out.push_sql("(");
                    push_column(out, table, via.column)?;
                    out.push_sql(", ");
                    push_mark_as_instant(out, table, child_mark)?;
                    out.push_sql(") IN (SELECT ");
                    push_column(out, parent.table, parent.primary_key[0])?;
                    out.push_sql(", ");
                    push_mark_as_instant(out, parent.table, parent_mark)?;
                    out.push_sql(" FROM ");
                    out.push_identifier(parent.table)?;
                    out.push_sql(" WHERE ");
                    self.push_node_predicate(out, via.parent)?;
                    out.push_sql(")");
                } else if self.mode == Mode::Restore {
                    // A chunked restore's walk: the parent's rows it passes, the roots
                    // included (their keys alone would pass them whatever their mark); or a
                    // restore through a flag: the parent's rows that come back.
                    push_column(out, table, via.column)?;
                    out.push_sql(" IN (SELECT ");
                    push_column(out, parent.table, parent.primary_key[0])?;
                    out.push_sql(" FROM ");
                    out.push_identifier(parent.table)?;
                    out.push_sql(" WHERE ");
                    self.push_node_predicate(out, via.parent)?;
                    out.push_sql(")");
                } else {
                    push_column(out, table, via.column)?;
                    out.push_sql(" IN (");
                    self.push_node_keys(out, via.parent)?;
                    out.push_sql(")");
                }
            }
            if first {
                out.push_sql("1 = 0");
            }
            if several {
                out.push_sql(")");
            }
        }
        match mark {
            Some(mark) if self.mode == Mode::Restore && self.walk_mark.is_some() => {
                out.push_sql(") AND ");
                self.push_walk_mark(out, model.table, mark, true)?;
            }
            Some(mark) => {
                out.push_sql(") AND ");
                push_mark_condition(out, model.table, mark, self.mode == Mode::Restore)?;
            }
            None => {}
        }
        Ok(())
    }

    /// In a chunked restore, the rows of `table` marked with the operation's mark, or with
    /// `or_live`, those and the live rows (the rows its walk passes).
    fn push_walk_mark<'b, DB: Dialect>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
        table: &str,
        mark: SoftDeleteColumn,
        or_live: bool,
    ) -> QueryResult<()> {
        let value = self.walk_mark.as_ref().ok_or_else(|| misuse("walk mark"))?;
        match mark.kind {
            // As instants, whatever the session's time zone when each was written.
            SoftDeleteKind::Timestamp(column_type) => {
                out.push_sql("(");
                DB::push_timestamp_as_utc(out, table, mark.column, column_type)?;
                out.push_sql(" = ");
                DB::push_utc_instant(out, value)?;
                if or_live {
                    out.push_sql(" OR ");
                    push_mark_condition(out, table, mark, false)?;
                }
                out.push_sql(")");
                Ok(())
            }
            SoftDeleteKind::Flag if or_live => {
                out.push_sql("1 = 1");
                Ok(())
            }
            SoftDeleteKind::Flag => push_mark_condition(out, table, mark, true),
        }
    }

    /// The condition on the root's table that selects the root rows.
    fn push_root_predicate<'b, DB>(&'b self, out: &mut AstPass<'_, 'b, DB>) -> QueryResult<()>
    where
        DB: Dialect,
        F: QueryFragment<DB>,
    {
        let root = self.plan.node_model(self.plan.root());
        match self.roots {
            Roots::Keys(keys) => push_keys_predicate(out, root, keys),
            Roots::Filter(filter) => {
                out.push_sql("(");
                filter.walk_ast(out.reborrow())?;
                out.push_sql(")");
                Ok(())
            }
            Roots::Table(_) => {
                let name = self.root_table::<DB>()?;
                push_key_tuple(out, root)?;
                out.push_sql(" IN (SELECT ");
                push_columns(out, name, root.primary_key, false)?;
                out.push_sql(" FROM ");
                out.push_identifier(name)?;
                out.push_sql(")");
                Ok(())
            }
            Roots::Numbered { .. } => {
                push_key_tuple(out, root)?;
                out.push_sql(" IN (");
                self.push_numbered_keys(out)?;
                out.push_sql(")");
                Ok(())
            }
        }
    }

    /// `SELECT <key> FROM keys WHERE number > after AND number <= through`: the root keys of
    /// [`Roots::Numbered`].
    fn push_numbered_keys<'b, DB: Dialect>(
        &'b self,
        out: &mut AstPass<'_, 'b, DB>,
    ) -> QueryResult<()> {
        let Roots::Numbered {
            keys,
            after,
            through,
        } = *self.roots
        else {
            return Err(misuse("numbered keys"));
        };
        if !DB::TEMP_TABLE_REOPENS {
            return Err(misuse("numbered keys read more than once"));
        }
        let root = self.plan.node_model(self.plan.root());
        let number = DB::INSERTION_NUMBER.unwrap_or(ROW_NUMBER);
        out.push_sql("SELECT ");
        push_columns(out, keys, root.primary_key, false)?;
        out.push_sql(" FROM ");
        out.push_identifier(keys)?;
        out.push_sql(" WHERE ");
        push_column(out, keys, number)?;
        out.push_sql(" > ");
        DB::push_value(out, after)?;
        out.push_sql(" AND ");
        push_column(out, keys, number)?;
        out.push_sql(" <= ");
        DB::push_value(out, through)
    }
}

/// ` SET column = <value>` of an `UPDATE` of `table`; after a join (MySQL's form) the column
/// is qualified by its table.
fn push_set<'b, DB: Dialect>(
    out: &mut AstPass<'_, 'b, DB>,
    (table, column): (&str, &str),
    value: &'b SqlValue,
    joined: bool,
) -> QueryResult<()> {
    out.push_sql(" SET ");
    if joined {
        push_column(out, table, column)?;
    } else {
        out.push_identifier(column)?;
    }
    out.push_sql(" = ");
    DB::push_value(out, value)
}

/// ` INNER JOIN keys ON t.a = keys.a AND ...`: a table of keys named as the model's key columns.
fn push_join_on_table<DB: Dialect>(
    out: &mut AstPass<'_, '_, DB>,
    model: &ModelMeta,
    keys: &str,
) -> QueryResult<()> {
    out.push_sql(" INNER JOIN ");
    out.push_identifier(keys)?;
    push_key_equality(out, model, keys)
}

/// ` WHERE (t.a, t.b) IN (SELECT a, b FROM keys)`: the rows whose key is in table `keys`.
fn push_where_in_table<DB: Dialect>(
    out: &mut AstPass<'_, '_, DB>,
    model: &ModelMeta,
    keys: &str,
) -> QueryResult<()> {
    out.push_sql(" WHERE ");
    push_key_tuple(out, model)?;
    out.push_sql(" IN (SELECT ");
    push_columns(out, keys, model.primary_key, false)?;
    out.push_sql(" FROM ");
    out.push_identifier(keys)?;
    out.push_sql(")");
    Ok(())
}

/// ` ON t.a = keys.a AND t.b = keys.b`: the model's key against the same columns of `keys`.
fn push_key_equality<DB: Dialect>(
    out: &mut AstPass<'_, '_, DB>,
    model: &ModelMeta,
    keys: &str,
) -> QueryResult<()> {
    out.push_sql(" ON ");
    for (index, column) in model.primary_key.iter().enumerate() {
        if index > 0 {
            out.push_sql(" AND ");
        }
        push_column(out, model.table, column)?;
        out.push_sql(" = ");
        push_column(out, keys, column)?;
    }
    Ok(())
}

/// `t.id IN (?, ?)`, or for a composite key `(t.a, t.b) IN ((?, ?), (?, ?))`.
fn push_keys_predicate<'b, DB: Dialect>(
    out: &mut AstPass<'_, 'b, DB>,
    model: &ModelMeta,
    keys: &'b [SqlValue],
) -> QueryResult<()> {
    if keys.is_empty() {
        out.push_sql("1 = 0");
        return Ok(());
    }
    if model.primary_key.len() == 1 {
        push_column(out, model.table, model.primary_key[0])?;
        out.push_sql(" IN (");
        push_value_list(out, keys)?;
        out.push_sql(")");
        return Ok(());
    }
    // A row-value list, not an `OR` chain: SQLite refuses expressions nested 1,000 deep.
    push_key_tuple(out, model)?;
    out.push_sql(" IN (");
    out.push_sql(DB::ROW_LIST_PREFIX);
    for (index, key) in keys.chunks(model.primary_key.len()).enumerate() {
        out.push_sql(if index == 0 { "(" } else { ", (" });
        push_value_list(out, key)?;
        out.push_sql(")");
    }
    out.push_sql(")");
    Ok(())
}

/// The foreign keys of a model to its own table that order its chunks: its `tree` key, and
/// its `restrict` and `do_nothing` keys, which the database checks as rows go.
pub fn chunk_order_keys(model: &ModelMeta) -> impl Iterator<Item = &ForeignKey> + '_ {
    model.foreign_keys.iter().filter(move |fk| {
        fk.parent_table == model.table
            && (fk.tree || matches!(fk.rule, Rule::Restrict | Rule::DoNothing))
    })
}

/// The table of model `model` of a plan.
fn model_table(plan: &Plan, model: usize) -> &'static str {
    plan.models[model].table
}

/// The soft-delete column of a model a soft operation reaches.
fn soft_column(model: &ModelMeta) -> QueryResult<SoftDeleteColumn> {
    model.soft_delete.ok_or_else(|| misuse("soft delete"))
}

/// `t.deleted_at IS NULL` / `t.deleted = FALSE` (alive), or the opposite (`deleted`).
fn push_mark_condition<DB: Dialect>(
    out: &mut AstPass<'_, '_, DB>,
    table: &str,
    mark: SoftDeleteColumn,
    deleted: bool,
) -> QueryResult<()> {
    push_column(out, table, mark.column)?;
    out.push_sql(match (mark.kind, deleted) {
        (SoftDeleteKind::Timestamp(_), false) => " IS NULL",
        (SoftDeleteKind::Timestamp(_), true) => " IS NOT NULL",
        (SoftDeleteKind::Flag, false) => " = FALSE",
        (SoftDeleteKind::Flag, true) => " = TRUE",
    });
    Ok(())
}

/// A mark, as a value that compares equal to the same operation's mark in a column of another
/// type (another table's): UTC wall time for a timestamp, the flag itself for a flag.
fn push_mark_as_instant<DB: Dialect>(
    out: &mut AstPass<'_, '_, DB>,
    table: &str,
    mark: SoftDeleteColumn,
) -> QueryResult<()> {
    match mark.kind {
        SoftDeleteKind::Timestamp(column_type) => {
            DB::push_timestamp_as_utc(out, table, mark.column, column_type)
        }
        SoftDeleteKind::Flag => push_column(out, table, mark.column),
    }
}

fn misuse(kind: &str) -> diesel::result::Error {
    diesel::result::Error::QueryBuilderError(
        format!("statement kind does not match its {kind} step").into(),
    )
}

/// `?, ?, ?`: the values of a one-column key list, inside an `IN (...)` the caller writes.
fn push_value_list<'b, DB: Dialect>(
    out: &mut AstPass<'_, 'b, DB>,
    keys: &'b [SqlValue],
) -> QueryResult<()> {
    for (index, key) in keys.iter().enumerate() {
        if index > 0 {
            out.push_sql(", ");
        }
        DB::push_value(out, key)?;
    }
    Ok(())
}

/// `t.a, t.b`, each optionally aliased to its own name (so a `CREATE TABLE AS` keeps the names).
fn push_columns<DB: Dialect>(
    out: &mut AstPass<'_, '_, DB>,
    table: &str,
    columns: &[&str],
    alias: bool,
) -> QueryResult<()> {
    for (index, column) in columns.iter().enumerate() {
        if index > 0 {
            out.push_sql(", ");
        }
        push_column(out, table, column)?;
        if alias {
            out.push_sql(" AS ");
            out.push_identifier(column)?;
        }
    }
    Ok(())
}

/// `a, b`: column names, unqualified (an `INSERT`'s column list).
fn push_column_names<DB: Dialect>(
    out: &mut AstPass<'_, '_, DB>,
    columns: &[&str],
) -> QueryResult<()> {
    for (index, column) in columns.iter().enumerate() {
        if index > 0 {
            out.push_sql(", ");
        }
        out.push_identifier(column)?;
    }
    Ok(())
}

/// `t.id`, or the row value `(t.a, t.b)` for a composite key.
fn push_key_tuple<DB: Dialect>(
    out: &mut AstPass<'_, '_, DB>,
    model: &ModelMeta,
) -> QueryResult<()> {
    if model.primary_key.len() == 1 {
        return push_column(out, model.table, model.primary_key[0]);
    }
    out.push_sql("(");
    push_columns(out, model.table, model.primary_key, false)?;
    out.push_sql(")");
    Ok(())
}

/// The key of a row as one text value: `CAST(t.id AS TEXT)`, or for a composite key
/// `CONCAT('(', CAST(t.a AS TEXT), ', ', CAST(t.b AS TEXT), ')')`.
fn push_key_as_text<DB: Dialect>(
    out: &mut AstPass<'_, '_, DB>,
    model: &ModelMeta,
) -> QueryResult<()> {
    let composite = model.primary_key.len() > 1;
    if composite {
        out.push_sql("CONCAT('(', ");
    }
    for (index, column) in model.primary_key.iter().enumerate() {
        if index > 0 {
            out.push_sql(", ', ', ");
        }
        out.push_sql("CAST(");
        push_column(out, model.table, column)?;
        out.push_sql(" AS ");
        out.push_sql(DB::TEXT_TYPE);
        out.push_sql(")");
    }
    if composite {
        out.push_sql(", ')')");
    }
    Ok(())
}

impl<F> QueryId for Statement<'_, F> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

/// A [`Statement`] that returns rows of SQL type `ST`, so Diesel can load it.
#[derive(Debug)]
pub struct Returning<'a, F, ST>(pub Statement<'a, F>, pub std::marker::PhantomData<ST>);

impl<F, ST, DB> QueryFragment<DB> for Returning<'_, F, ST>
where
    DB: Dialect,
    F: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.0.walk_ast(out)
    }
}

impl<F, ST> QueryId for Returning<'_, F, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<F, ST: diesel::sql_types::SqlType + diesel::sql_types::SingleValue> Query
    for Returning<'_, F, ST>
{
    type SqlType = ST;
}

impl<F, ST> diesel::query_dsl::RunQueryDslSupport for Returning<'_, F, ST> {}

impl<F> diesel::query_dsl::RunQueryDslSupport for Statement<'_, F> {}

/// A count of blocking rows.
pub type CountQuery<'a, F> = Returning<'a, F, BigInt>;
/// The keys of blocking rows, as text.
pub type KeysQuery<'a, F> = Returning<'a, F, Text>;

/// The rule's value for an update step: `NULL` or the declared default.
pub fn update_value(rule: Rule) -> SqlValue {
    match rule {
        Rule::SetDefault(default) => default(),
        _ => SqlValue::Null,
    }
}

/// `SELECT <selection>` followed by a [`StatementKind::LoadBatch`]: a batch of a hooked node's
/// rows, typed by the selection (a model's `as_select()`, or its key columns).
#[derive(Debug)]
pub struct BatchQuery<'a, F, S> {
    /// The `LoadBatch` statement.
    pub statement: Statement<'a, F>,
    /// What to select.
    pub selection: S,
}

impl<F, S, DB> QueryFragment<DB> for BatchQuery<'_, F, S>
where
    DB: Dialect,
    F: QueryFragment<DB>,
    S: QueryFragment<DB>,
{
    fn walk_ast<'b>(&'b self, mut out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.statement.push_prefix(&mut out);
        self.statement.push_verb(&mut out, "SELECT ");
        self.selection.walk_ast(out.reborrow())?;
        self.statement.walk_ast(out)
    }
}

/// SQL that returns rows of SQL type `ST`, whatever built it: a [`BatchQuery`] seen through
/// this type loads with one bound on the row type (`LoadQuery`), which holds on every Diesel
/// version whatever inner traits Diesel checks a selection with. `Q` is the unsized fragment it
/// reads through: `dyn QueryFragment<DB>`, or with `Send + Sync` for an asynchronous connection.
pub struct TypedQuery<'a, Q: ?Sized, ST> {
    sql: &'a Q,
    sql_type: std::marker::PhantomData<fn() -> ST>,
}

impl<'a, Q: ?Sized, ST> TypedQuery<'a, Q, ST> {
    /// `sql`, whose rows are of SQL type `ST`.
    pub fn new(sql: &'a Q) -> Self {
        TypedQuery {
            sql,
            sql_type: std::marker::PhantomData,
        }
    }
}

impl<DB, Q, ST> QueryFragment<DB> for TypedQuery<'_, Q, ST>
where
    DB: Dialect,
    Q: QueryFragment<DB> + ?Sized,
{
    fn walk_ast<'b>(&'b self, out: AstPass<'_, 'b, DB>) -> QueryResult<()> {
        self.sql.walk_ast(out)
    }
}

impl<Q: ?Sized, ST> QueryId for TypedQuery<'_, Q, ST> {
    type QueryId = ();
    const HAS_STATIC_QUERY_ID: bool = false;
}

impl<Q: ?Sized, ST> Query for TypedQuery<'_, Q, ST> {
    type SqlType = ST;
}

impl<Q: ?Sized, ST> diesel::query_dsl::RunQueryDslSupport for TypedQuery<'_, Q, ST> {}
