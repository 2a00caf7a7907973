//! Running a plan on a synchronous Diesel connection: one transaction, checks first, then the
//! updates and deletes in plan order.

use std::any::Any;
use std::marker::PhantomData;
use std::panic::{self, AssertUnwindSafe};
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::TransactionManager;
use diesel::query_builder::QueryFragment;
use diesel::query_dsl::LoadQuery;
use diesel::result::DatabaseErrorKind;
use diesel::{QueryResult, RunQueryDsl};

use crate::api::BindKey;
use crate::api::Deletable;
use crate::connection::DeleteConnection;
use crate::database_cascade::DatabaseCascades;
use crate::error::{Blocker, DeleteError, SoftDeletedParent};
use crate::hooks::{DeleteHooks, HookStage, SchemaHooks};
use crate::model::{Action, ModelMeta};
use crate::options::DeleteOptions;
use crate::plan::{CheckKind, Plan, Step};
use crate::reference_loop;
use crate::report::DeleteReport;
use crate::sql::dialect::Dialect;
use crate::sql::statement::{
    update_value, BatchQuery, Mode, NoFilter, Returning, Roots, Statement, StatementKind,
    TypedQuery, BLOCKING_KEYS_LISTED,
};
use crate::value::SqlValue;

/// Gives each temporary root table of a process its own name, so a delete run from inside
/// another (a hook's) never collides with it.
static ROOT_TABLES: AtomicU64 = AtomicU64::new(0);

/// Deletes the rows `roots` selects and everything `plan` reaches from them, in one transaction.
/// `S` reaches the models' hooks.
pub fn delete<C, F, S>(
    plan: &Plan,
    roots: Roots<'_, F>,
    options: &DeleteOptions,
    conn: &mut C,
) -> Result<DeleteReport, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
    S: SchemaHooks<C>,
{
    operate::<C, F, S>(plan, roots, options, Mode::Delete, conn)
}

/// Soft-deletes or restores the rows `roots` selects and the soft-deletable rows `plan` reaches
/// from them along cascades, in one transaction. The report counts the rows marked or unmarked.
pub fn soft<C, F, S>(
    plan: &Plan,
    roots: Roots<'_, F>,
    mode: Mode,
    conn: &mut C,
) -> Result<DeleteReport, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
    S: SchemaHooks<C>,
{
    operate::<C, F, S>(plan, roots, &DeleteOptions::default(), mode, conn)
}

fn operate<C, F, S>(
    plan: &Plan,
    roots: Roots<'_, F>,
    options: &DeleteOptions,
    mode: Mode,
    conn: &mut C,
) -> Result<DeleteReport, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
    S: SchemaHooks<C>,
{
    if let Roots::Keys(keys) = roots {
        if keys.is_empty() {
            return Ok(DeleteReport::default());
        }
    }
    // Our own transaction is retried when a concurrent writer broke it (see `is_transient`).
    // Inside a caller's transaction the caller decides: the database may have rolled all of it
    // back. A plan with hooks is retried only where the caller allows hooks to run again.
    let outermost =
        <C::TransactionManager as TransactionManager<C>>::transaction_manager_status_mut(conn)
            .transaction_depth()
            .is_ok_and(|depth| depth.is_none());
    let run = Run::<S> {
        plan,
        options,
        operation: Operation {
            mode,
            mark: SqlValue::Text(crate::mark::operation_timestamp()),
        },
        schema: PhantomData,
    };
    let retries = outermost && (options.retry_hooks || !run.has_hooks());
    let mut attempt = 1;
    loop {
        match run.in_transaction(&roots, conn) {
            Err(error) if retries && attempt < ATTEMPTS && is_transient(&error) => {
                pause_before_retry(attempt);
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// How many times a delete runs before a transient error is reported.
const ATTEMPTS: u32 = 3;

/// Waits a little before attempt `attempt + 1`: longer each time, and by a varying amount, so
/// that the writers a deadlock set against each other do not meet again at once.
fn pause_before_retry(attempt: u32) {
    let jitter = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |now| u64::from(now.subsec_nanos()) % 20);
    std::thread::sleep(std::time::Duration::from_millis(
        20 * u64::from(attempt) + jitter,
    ));
}

/// Whether an error may come from a concurrent writer rather than from the data, so that running
/// the operation again, in a new transaction that sees that writer's rows, can succeed: the
/// database aborted the transaction to break a deadlock or a serialization conflict (MySQL's and
/// MariaDB's deadlocks included), or a row inserted after a step had read its table now
/// references a row a later step deletes (a foreign key violation; when it comes from the data
/// itself, e.g. a `do_nothing` key, the last attempt reports it).
fn is_transient(error: &DeleteError) -> bool {
    let DeleteError::Database(diesel::result::Error::DatabaseError(kind, info)) = error else {
        return false;
    };
    match kind {
        DatabaseErrorKind::SerializationFailure | DatabaseErrorKind::ForeignKeyViolation => true,
        // Diesel maps PostgreSQL's 40001, not its deadlock (40P01), whose message is the only
        // sign of it (in English, the server's default `lc_messages`).
        DatabaseErrorKind::Unknown => info.message().starts_with("deadlock detected"),
        _ => false,
    }
}

/// Why a transaction closure stopped: an error to return, or a panic (a hook's) to resume once
/// the transaction is rolled back.
enum Abort {
    Error(DeleteError),
    Panic(Box<dyn Any + Send>),
}

impl From<diesel::result::Error> for Abort {
    fn from(error: diesel::result::Error) -> Self {
        Abort::Error(DeleteError::Database(error))
    }
}

impl From<DeleteError> for Abort {
    fn from(error: DeleteError) -> Self {
        Abort::Error(error)
    }
}

/// One delete operation: the plan, the caller's options, and the schema's hooks.
struct Run<'p, S> {
    plan: &'p Plan,
    options: &'p DeleteOptions,
    operation: Operation,
    schema: PhantomData<S>,
}

impl<S> Run<'_, S> {
    fn in_transaction<C, F>(
        &self,
        roots: &Roots<'_, F>,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        F: QueryFragment<C::Backend>,
        S: SchemaHooks<C>,
    {
        let result = conn.transaction(|conn| {
            if conn.dialect().write_lock_first {
                let kind = StatementKind::TakeWriteLock;
                conn.execute_statement(&Statement::new(self.plan, roots, kind))?;
            }
            match panic::catch_unwind(AssertUnwindSafe(|| self.materialize_roots(roots, conn))) {
                Ok(result) => result.map_err(Abort::Error),
                Err(payload) => Err(Abort::Panic(payload)),
            }
        });
        match result {
            Ok(report) => Ok(report),
            Err(Abort::Error(error)) => Err(error),
            // The transaction is rolled back: nothing the hook did, nor the delete, remains.
            Err(Abort::Panic(payload)) => panic::resume_unwind(payload),
        }
    }

    /// Whether any table of the plan goes through hooks (then in several statements).
    fn has_hooks(&self) -> bool {
        (0..self.plan.nodes.len()).any(|node| self.plan.node_model(node).hooks.is_some())
    }

    fn materialize_roots<C, F>(
        &self,
        roots: &Roots<'_, F>,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        F: QueryFragment<C::Backend>,
        S: SchemaHooks<C>,
    {
        let plan = self.plan;
        let dialect = conn.dialect();
        match *roots {
            // A filter is evaluated once, before anything changes: later statements would
            // otherwise see it select other rows (it may read the very tables the plan deletes
            // from).
            Roots::Filter(_)
                if plan.steps.len() > 1 || self.has_hooks() || !dialect.changed_table_readable =>
            {
                self.with_root_tables(conn, roots, |_, _| Ok(()))
            }
            // Too many keys to bind in every statement: bind them once, into a table.
            Roots::Keys(keys)
                if keys.len() * plan.root_references() + plan.binds_besides_root_keys()
                    > dialect.max_bind_params =>
            {
                let empty = Roots::Filter(&NoFilter);
                self.with_root_tables(conn, &empty, |conn, name| {
                    let arity = plan.node_model(plan.root()).primary_key.len();
                    let per_statement = (dialect.max_bind_params / arity).max(1) * arity;
                    for chunk in keys.chunks(per_statement) {
                        let chunk = Roots::<NoFilter>::Keys(chunk);
                        conn.execute_statement(&Statement::new(
                            plan,
                            &chunk,
                            StatementKind::InsertRootKeys(name.to_owned()),
                        ))?;
                    }
                    Ok(())
                })
            }
            _ => self.run(roots, conn),
        }
    }

    /// Runs the plan from root keys put in a temporary table, then drops the table: the keys
    /// of the root rows `source` selects, then whatever `fill` inserts. A backend that cannot
    /// read one temporary table twice in a statement gets a copy per reference.
    fn with_root_tables<C, F>(
        &self,
        conn: &mut C,
        source: &Roots<'_, F>,
        fill: impl FnOnce(&mut C, &str) -> QueryResult<()>,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        F: QueryFragment<C::Backend>,
        S: SchemaHooks<C>,
    {
        let plan = self.plan;
        let dialect = conn.dialect();
        let copies = if dialect.temp_table_reopens {
            1
        } else {
            plan.root_references().max(1)
        };
        let first = ROOT_TABLES.fetch_add(1, Ordering::Relaxed);
        let names: Vec<String> = (0..copies)
            .map(|copy| format!("deletable_roots_{first}_{copy}"))
            .collect();
        let no_roots = Roots::<NoFilter>::Keys(&[]);
        let mut created = 0;
        let body = |conn: &mut C| {
            conn.execute_statement(&Statement::new(
                plan,
                source,
                StatementKind::CreateRootTable(names[0].clone()),
            ))?;
            // Created: dropped below whatever happens next (a rollback keeps it on MySQL).
            created = 1;
            fill(conn, &names[0])?;
            for name in &names[1..] {
                conn.execute_statement(&Statement::new(
                    plan,
                    &no_roots,
                    StatementKind::CopyRootTable(names[0].clone(), name.clone()),
                ))?;
                created += 1;
            }
            self.run(&Roots::<NoFilter>::Table(&names), conn)
        };
        // A hook may panic: the tables are dropped all the same (a rollback keeps them on MySQL
        // and MariaDB, and a pooled session would collect them), then the panic goes on.
        let outcome = panic::catch_unwind(AssertUnwindSafe(|| body(conn)));
        let succeeded = matches!(outcome, Ok(Ok(_)));
        drop_temp_tables(plan, &names[..created], succeeded, conn)?;
        match outcome {
            Ok(result) => result,
            Err(payload) => panic::resume_unwind(payload),
        }
    }

    fn run<C, F>(&self, roots: &Roots<'_, F>, conn: &mut C) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        F: QueryFragment<C::Backend>,
        S: SchemaHooks<C>,
    {
        let plan = self.plan;
        let dialect = conn.dialect();
        if dialect.locks_rows && (plan.steps.len() > 1 || self.has_hooks()) {
            conn.count_rows(Returning(
                Statement::new(plan, roots, StatementKind::LockRoots),
                PhantomData,
            ))?;
        }
        if self.operation.mode != Mode::Delete {
            return self.run_soft(roots, conn);
        }
        check_blockers(plan, roots, Mode::Delete, conn)?;
        let by_database = if dialect.database_cascades {
            DatabaseCascades::ask(plan, roots, conn)?
        } else {
            DatabaseCascades::default()
        };

        let mut deleted = vec![0; plan.nodes.len()];
        for step in plan.steps {
            match *step {
                Step::Check { .. } => {}
                Step::Update { model, fk, .. } => {
                    let value = update_value(plan.foreign_key(model, fk).action);
                    conn.execute_statement(&Statement::new(
                        plan,
                        roots,
                        StatementKind::Update(*step, value),
                    ))?;
                }
                Step::Detach { node, fk } => {
                    conn.execute_statement(&Statement::new(
                        plan,
                        roots,
                        StatementKind::DetachReferences { node, fk },
                    ))?;
                }
                Step::Delete { node } => {
                    reference_loop::refuse_before(plan, roots, node, conn)?;
                    // The database deletes these rows when it deletes their parents.
                    if by_database.deletes(node) {
                        continue;
                    }
                    let own_loops = reference_loop::own_table_loops(plan, roots, node, conn)?;
                    let result =
                        by_database.around(plan, roots, node, conn, &mut deleted, |conn| {
                            self.node(roots, node, conn)
                        });
                    deleted[node] = result.map_err(|error| {
                        reference_loop::own_table_error(plan, node, &own_loops, error, conn)
                    })?;
                }
            }
        }
        let mut report = DeleteReport::default();
        for step in plan.steps {
            if let Step::Delete { node } = *step {
                report.record(plan.node_model(node).table, deleted[node]);
            }
        }
        Ok(report)
    }

    /// Deletes, marks or unmarks one node's rows: through the model's hooks in batches, or in
    /// one set-based statement.
    fn node<C, F>(
        &self,
        roots: &Roots<'_, F>,
        node: usize,
        conn: &mut C,
    ) -> Result<u64, DeleteError>
    where
        C: DeleteConnection,
        F: QueryFragment<C::Backend>,
        S: SchemaHooks<C>,
    {
        let plan = self.plan;
        match plan.node_model(node).hooks {
            Some(model_batch) => {
                // A batch's delete (or mark) binds its keys and a mark in one statement: a
                // larger batch than that can carry goes in several.
                let arity = plan.node_model(node).primary_key.len().max(1);
                let most = ((conn.dialect().max_bind_params - 1) / arity).max(1);
                let batch = self
                    .options
                    .batch_size
                    .unwrap_or(model_batch)
                    .clamp(1, most);
                let model = plan.nodes[node].model;
                S::node(model, plan, roots, node, batch, &self.operation, conn)
            }
            None => crate::hooks::set_based(plan, roots, node, &self.operation, conn),
        }
    }

    /// A soft delete (checks, then the marks, children first) or a restore (the check that no
    /// root keeps a soft-deleted parent, then the unmarking, children first).
    fn run_soft<C, F>(
        &self,
        roots: &Roots<'_, F>,
        conn: &mut C,
    ) -> Result<DeleteReport, DeleteError>
    where
        C: DeleteConnection,
        F: QueryFragment<C::Backend>,
        S: SchemaHooks<C>,
    {
        let plan = self.plan;
        let statement = |kind| Statement::new(plan, roots, kind).in_mode(self.operation.mode);
        if self.operation.mode == Mode::SoftDelete {
            check_blockers(plan, roots, self.operation.mode, conn)?;
        } else {
            let mut parents = Vec::new();
            for (node, fk) in plan.restore_checks() {
                let count = conn.count_rows(Returning(
                    statement(StatementKind::CountDeletedParents { node, fk }),
                    PhantomData,
                ))?;
                if count > 0 {
                    let model = plan.node_model(node);
                    let foreign_key = &model.foreign_keys[fk];
                    // One key past those listed tells whether there are more.
                    let mut parent_keys = conn.load_keys(Returning(
                        statement(StatementKind::ListDeletedParents { node, fk }),
                        PhantomData,
                    ))?;
                    let more_parents = parent_keys.len() > BLOCKING_KEYS_LISTED;
                    parent_keys.truncate(BLOCKING_KEYS_LISTED);
                    parents.push(SoftDeletedParent {
                        table: model.table,
                        column: foreign_key.column,
                        parent_table: foreign_key.parent_table,
                        rows: count as u64,
                        parent_keys,
                        more_parents,
                    });
                }
            }
            if !parents.is_empty() {
                return Err(DeleteError::ParentSoftDeleted { parents });
            }
        }
        let mut report = DeleteReport::default();
        for step in plan.steps {
            let Step::Delete { node } = *step else {
                continue;
            };
            if !plan.soft_delete_reaches(node) {
                continue;
            }
            let marked = self.node(roots, node, conn)?;
            report.record(plan.node_model(node).table, marked);
        }
        Ok(report)
    }
}

/// Runs every protect and restrict check; fails listing every blocker found.
fn check_blockers<C, F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    mode: Mode,
    conn: &mut C,
) -> Result<(), DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    let mut protected = Vec::new();
    let mut restricted = Vec::new();
    for step in plan.steps {
        let Step::Check {
            kind,
            model,
            fk,
            parent,
            ..
        } = *step
        else {
            continue;
        };
        let statement = |kind| Statement::new(plan, roots, kind).in_mode(mode);
        if mode != Mode::Delete && !plan.soft_delete_reaches(parent) {
            continue;
        }
        let count_query = Returning(statement(StatementKind::CountBlocking(*step)), PhantomData);
        let count = conn.count_rows(count_query)?;
        if count == 0 {
            continue;
        }
        let keys_query = Returning(statement(StatementKind::ListBlocking(*step)), PhantomData);
        let blocker = Blocker {
            table: plan.models[model].table,
            column: plan.foreign_key(model, fk).column,
            parent_table: plan.node_model(parent).table,
            count: count as u64,
            keys: conn.load_keys(keys_query)?,
        };
        match kind {
            CheckKind::Protect => protected.push(blocker),
            CheckKind::Restrict => restricted.push(blocker),
        }
    }
    if !protected.is_empty() {
        return Err(DeleteError::Protected {
            blockers: protected,
        });
    }
    if !restricted.is_empty() {
        return Err(DeleteError::Restricted {
            blockers: restricted,
        });
    }
    Ok(())
}

/// Deletes a node's rows set-based: one statement (or, on MySQL, one per cascade edge into the
/// node, or the detached form for a tree).
pub(crate) fn delete_node_set_based<C, F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    conn: &mut C,
) -> Result<u64, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    let dialect = conn.dialect();
    let step = Step::Delete { node };
    let vias = plan.node_vias(node).len();
    let tree = plan.nodes[node].tree.is_some();
    if dialect.foreign_keys_checked_per_row {
        for fk in detachable_self_references(plan.node_model(node)) {
            let kind = StatementKind::DetachReferences { node, fk };
            conn.execute_statement(&Statement::new(plan, roots, kind))?;
        }
    }
    if tree && dialect.foreign_keys_act_per_row {
        return Ok(delete_subtrees_detached(plan, roots, conn, node)? as u64);
    }
    if dialect.delete_by_join && vias > 1 && !tree {
        let mut deleted = 0;
        for via in 0..vias {
            let kind = StatementKind::Delete(step, Some(via));
            deleted += conn.execute_statement(&Statement::new(plan, roots, kind))? as u64;
        }
        return Ok(deleted);
    }
    let kind = StatementKind::Delete(step, None);
    Ok(conn.execute_statement(&Statement::new(plan, roots, kind))? as u64)
}

/// The nullable foreign keys of a model to itself that leave the rows' references to the
/// database (`restrict`, checked before; `do_nothing`): cleared before the rows are deleted
/// together, where the database checks each row as it goes.
fn detachable_self_references(model: &ModelMeta) -> impl Iterator<Item = usize> + '_ {
    model
        .foreign_keys
        .iter()
        .enumerate()
        .filter(move |(_, fk)| {
            fk.parent_table == model.table
                && fk.nullable
                && !fk.tree
                && matches!(fk.action, Action::Restrict | Action::DoNothing)
        })
        .map(|(index, _)| index)
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
    for<'a> TypedQuery<'a, C::Backend, diesel::dsl::AsSelect<M, C::Backend>>: LoadQuery<'a, C, M>,
{
    fn load<F: QueryFragment<C::Backend>>(
        conn: &mut C,
        statement: Statement<'_, F>,
    ) -> QueryResult<Vec<M>> {
        let batch = BatchQuery {
            statement,
            selection: <M as diesel::SelectableHelper<C::Backend>>::as_select(),
        };
        TypedQuery::<_, diesel::dsl::AsSelect<M, C::Backend>>::new(&batch).load(conn)
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
    for<'a> TypedQuery<'a, C::Backend, KeySqlType<M>>: LoadQuery<'a, C, M::PrimaryKey>,
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
        TypedQuery::<_, KeySqlType<M>>::new(&batch).load(conn)
    }

    fn key(row: &M::PrimaryKey, values: &mut Vec<SqlValue>) {
        M::bind_key(row, values);
    }
}

/// What one operation does to the rows it reaches: delete them, or set or clear their
/// soft-delete mark (`mark` is the value a soft delete sets).
#[doc(hidden)]
#[derive(Debug, Clone)]
pub struct Operation {
    pub mode: Mode,
    pub mark: SqlValue,
}

/// Handles a hooked node's rows batch by batch: the `before` hook, the batch's delete (or mark),
/// the `after` hook. Batches follow the key (keyset pagination, never `OFFSET`); for a tree's
/// delete they take rows whose children are gone, so each batch is a set of leaves.
pub(crate) fn node_in_batches<M, L, C, F>(
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
    let model = plan.node_model(node).name;
    let mode = operation.mode;
    let leaves_first = plan.nodes[node].tree.is_some() && mode == Mode::Delete;
    type Hook<M, C> = fn(&mut C, &[<M as Deletable>::HookRow]) -> Result<(), crate::HookError>;
    let (before, after_hook, stages): (Hook<M, C>, Hook<M, C>, _) = match mode {
        Mode::Delete => (
            M::before_delete,
            M::after_delete,
            (HookStage::BeforeDelete, HookStage::AfterDelete),
        ),
        Mode::SoftDelete => (
            M::before_soft_delete,
            M::after_soft_delete,
            (HookStage::BeforeSoftDelete, HookStage::AfterSoftDelete),
        ),
        Mode::Restore => (
            M::before_restore,
            M::after_restore,
            (HookStage::BeforeRestore, HookStage::AfterRestore),
        ),
    };
    let mut after: Option<Vec<SqlValue>> = None;
    let mut done = 0;
    let mut starts_detached = false;
    // Rows of the node referencing a batch through a self-referencing `restrict` key go later
    // in this delete (the check saw to it): their reference is cleared before the batch goes.
    let batch_references: Vec<usize> = match mode {
        Mode::Delete => detachable_self_references(plan.node_model(node))
            .filter(|&fk| plan.node_model(node).foreign_keys[fk].action.is_restrict())
            .collect(),
        _ => Vec::new(),
    };
    let load = |after: Option<Vec<SqlValue>>, leaves_only: bool| {
        Statement::new(
            plan,
            roots,
            StatementKind::LoadBatch {
                node,
                limit: batch_size,
                after,
                leaves_only,
            },
        )
        .in_mode(mode)
    };
    loop {
        let mut rows = L::load(conn, load(after.take(), leaves_first))?;
        // No leaf left, yet rows: each of them leads into a loop in the data (1 -> 3 -> 2 -> 1,
        // or a row its own parent). Every such loop passes through a row the walk starts from:
        // clearing their parents breaks the loops and the walk still reaches every row.
        if leaves_first && rows.is_empty() && !starts_detached {
            rows = L::load(conn, load(None, false))?;
            if rows.is_empty() {
                return Ok(done);
            }
            let detach = StatementKind::DetachTreeStarts(node);
            conn.execute_statement(&Statement::new(plan, roots, detach))?;
            starts_detached = true;
            continue;
        }
        // Should leaves still be missing, a batch goes after its children are detached.
        let in_loops = leaves_first && rows.is_empty();
        if in_loops {
            rows = L::load(conn, load(None, false))?;
        }
        if rows.is_empty() {
            return Ok(done);
        }
        let mut keys = Vec::with_capacity(rows.len());
        for row in &rows {
            L::key(row, &mut keys);
        }
        before(conn, &rows).map_err(|source| DeleteError::Hook {
            model,
            stage: stages.0,
            source,
        })?;
        let batch = Roots::<NoFilter>::Keys(&keys);
        if in_loops {
            let detach = StatementKind::DetachChildren(node);
            conn.execute_statement(&Statement::new(plan, &batch, detach))?;
        }
        for &fk in &batch_references {
            let detach = StatementKind::DetachBatchReferences { node, fk };
            conn.execute_statement(&Statement::new(plan, &batch, detach))?;
        }
        let kind = match mode {
            Mode::Delete => StatementKind::DeleteBatch(node),
            _ => StatementKind::MarkBatch(node, operation.mark.clone()),
        };
        done += conn.execute_statement(&Statement::new(plan, &batch, kind).in_mode(mode))? as u64;
        after_hook(conn, &rows).map_err(|source| DeleteError::Hook {
            model,
            stage: stages.1,
            source,
        })?;
        if rows.len() < batch_size && !leaves_first {
            return Ok(done);
        }
        if !leaves_first {
            let arity = keys.len() / rows.len();
            after = Some(keys.split_off(keys.len() - arity));
        }
    }
}

/// Soft-deletes or restores a node's rows set-based: one statement.
pub(crate) fn mark_node_set_based<C, F>(
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
    // Past the root, MySQL runs `IN (subquery)` of an UPDATE once per row of the table: join
    // instead, as its deletes do.
    let literal_root = node == plan.root() && matches!(roots, Roots::Keys(_));
    let kind = if conn.dialect().delete_by_join && !literal_root {
        StatementKind::MarkByJoin(node, operation.mark.clone())
    } else {
        StatementKind::Mark(node, operation.mark.clone())
    };
    Ok(conn.execute_statement(&Statement::new(plan, roots, kind).in_mode(operation.mode))? as u64)
}

/// Deletes a tree node's rows and subtrees on a backend that checks foreign keys row by row:
/// their keys are copied once into a temporary table, their tree foreign keys cleared, then they
/// are deleted. (Clearing first would cut the recursive query short, hence the copy.)
fn delete_subtrees_detached<C, F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    conn: &mut C,
    node: usize,
) -> Result<usize, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    let name = format!(
        "deletable_subtree_{}",
        ROOT_TABLES.fetch_add(1, Ordering::Relaxed)
    );
    let statement = |kind| Statement::new(plan, roots, kind);
    conn.execute_statement(&statement(StatementKind::CreateSubtreeTable(
        node,
        name.clone(),
    )))?;
    let result = conn
        .execute_statement(&statement(StatementKind::FillSubtreeTable(
            node,
            name.clone(),
        )))
        .and_then(|_| {
            conn.execute_statement(&statement(StatementKind::DetachSubtree(node, name.clone())))
        })
        .and_then(|_| {
            conn.execute_statement(&statement(StatementKind::DeleteSubtree(node, name.clone())))
        });
    drop_temp_tables(plan, std::slice::from_ref(&name), result.is_ok(), conn)?;
    Ok(result?)
}

/// Drops temporary tables of an operation. After a failure the rollback drops them, except
/// where temporary tables outlive a rollback (MySQL): there they are dropped too, and an error
/// doing so gives way to the failure being reported.
fn drop_temp_tables<C: DeleteConnection>(
    plan: &Plan,
    names: &[String],
    succeeded: bool,
    conn: &mut C,
) -> QueryResult<()> {
    if !succeeded && conn.dialect().temp_tables_transactional {
        return Ok(());
    }
    let no_roots = Roots::<NoFilter>::Keys(&[]);
    // Every table is dropped even when one drop fails; after a success, the first failure
    // fails the operation.
    let mut first_error = Ok(());
    for name in names {
        let dropped = conn.execute_statement(&Statement::new(
            plan,
            &no_roots,
            StatementKind::DropTable(name.clone()),
        ));
        if let (true, Err(error), Ok(())) = (succeeded, dropped, &first_error) {
            first_error = Err(error);
        }
    }
    first_error
}
