//! Running a plan on a synchronous Diesel connection: one transaction, checks first, then the
//! updates and deletes in plan order.

use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};

use diesel::connection::LoadConnection;
use diesel::connection::TransactionManager;
use diesel::deserialize::FromSqlRow;
use diesel::query_builder::QueryFragment;
use diesel::result::DatabaseErrorKind;
use diesel::sql_types::{BigInt, Text};
use diesel::{Connection, QueryResult, RunQueryDsl};

use crate::error::{Blocker, DeleteError};
use crate::plan::{CheckKind, Plan, Step};
use crate::report::DeleteReport;
use crate::sql::dialect::{Dialect, DialectInfo};
use crate::sql::statement::{
    update_value, CountQuery, KeysQuery, NoFilter, Returning, Roots, Statement, StatementKind,
};

/// A Diesel connection `deletable` can delete through: any synchronous connection to a backend
/// enabled by this crate's features (`SqliteConnection`, `PgConnection`, `MysqlConnection`).
pub trait DeleteConnection: Connection {
    #[doc(hidden)]
    fn dialect(&self) -> DialectInfo;

    #[doc(hidden)]
    fn execute_statement<F>(&mut self, statement: &Statement<'_, F>) -> QueryResult<usize>
    where
        F: QueryFragment<Self::Backend>;

    #[doc(hidden)]
    fn count_rows<F>(&mut self, query: CountQuery<'_, F>) -> QueryResult<i64>
    where
        F: QueryFragment<Self::Backend>;

    #[doc(hidden)]
    fn load_keys<F>(&mut self, query: KeysQuery<'_, F>) -> QueryResult<Vec<String>>
    where
        F: QueryFragment<Self::Backend>;
}

impl<C> DeleteConnection for C
where
    C: Connection + LoadConnection,
    C::Backend: Dialect,
    i64: FromSqlRow<BigInt, C::Backend>,
    String: FromSqlRow<Text, C::Backend>,
{
    fn dialect(&self) -> DialectInfo {
        DialectInfo::of::<C::Backend>()
    }

    fn execute_statement<F>(&mut self, statement: &Statement<'_, F>) -> QueryResult<usize>
    where
        F: QueryFragment<Self::Backend>,
    {
        self.execute_returning_count(statement)
    }

    fn count_rows<F>(&mut self, query: CountQuery<'_, F>) -> QueryResult<i64>
    where
        F: QueryFragment<Self::Backend>,
    {
        query.get_result(self)
    }

    fn load_keys<F>(&mut self, query: KeysQuery<'_, F>) -> QueryResult<Vec<String>>
    where
        F: QueryFragment<Self::Backend>,
    {
        query.load(self)
    }
}

/// Gives each temporary root table of a process its own name, so a delete run from inside
/// another (a hook's) never collides with it.
static ROOT_TABLES: AtomicU64 = AtomicU64::new(0);

/// Deletes the rows `roots` selects and everything `plan` reaches from them, in one transaction.
pub fn delete<C, F>(
    plan: &Plan,
    roots: Roots<'_, F>,
    conn: &mut C,
) -> Result<DeleteReport, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    if let Roots::Keys(keys) = roots {
        if keys.is_empty() {
            return Ok(DeleteReport::default());
        }
    }
    // Our own transaction is retried when the database aborts it to break a deadlock (InnoDB
    // can, when a concurrent insert under a root being deleted checks its foreign key). Inside
    // a caller's transaction the caller decides: the database rolled all of it back.
    let outermost =
        <C::TransactionManager as TransactionManager<C>>::transaction_manager_status_mut(conn)
            .transaction_depth()
            .is_ok_and(|depth| depth.is_none());
    let mut attempt = 1;
    loop {
        match delete_once(plan, &roots, conn) {
            Err(DeleteError::Database(diesel::result::Error::DatabaseError(
                DatabaseErrorKind::SerializationFailure,
                _,
            ))) if outermost && attempt < ATTEMPTS => attempt += 1,
            result => return result,
        }
    }
}

/// How many times a delete runs before a deadlock is reported.
const ATTEMPTS: u32 = 3;

fn delete_once<C, F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    conn: &mut C,
) -> Result<DeleteReport, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    let dialect = conn.dialect();
    conn.transaction(|conn| match *roots {
        // A filter is evaluated once, before anything changes: later statements would otherwise
        // see it select other rows (it may read the very tables the plan deletes from).
        Roots::Filter(_) if plan.steps.len() > 1 => with_root_tables(plan, conn, |conn, name| {
            conn.execute_statement(&Statement::new(
                plan,
                roots,
                StatementKind::CreateRootTable(name.to_owned()),
            ))?;
            Ok(())
        }),
        // Too many keys to bind in every statement: bind them once, into a table.
        Roots::Keys(keys) if keys.len() * plan.root_references() > dialect.max_bind_params => {
            with_root_tables(plan, conn, |conn, name| {
                let empty = Roots::Filter(&NoFilter);
                conn.execute_statement(&Statement::new(
                    plan,
                    &empty,
                    StatementKind::CreateRootTable(name.to_owned()),
                ))?;
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
        _ => run(plan, roots, conn),
    })
}

/// Runs the plan from root keys that `fill` puts in a temporary table, then drops the table.
/// A backend that cannot read one temporary table twice in a statement gets a copy per
/// reference.
fn with_root_tables<C>(
    plan: &Plan,
    conn: &mut C,
    fill: impl FnOnce(&mut C, &str) -> QueryResult<()>,
) -> Result<DeleteReport, DeleteError>
where
    C: DeleteConnection,
{
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
    let result = (|| {
        fill(conn, &names[0])?;
        created = 1;
        for name in &names[1..] {
            conn.execute_statement(&Statement::new(
                plan,
                &no_roots,
                StatementKind::CopyRootTable(names[0].clone(), name.clone()),
            ))?;
            created += 1;
        }
        run(plan, &Roots::<NoFilter>::Table(&names), conn)
    })();
    // Where temporary tables outlive a rollback (MySQL), drop them on failure too.
    if result.is_ok() || !dialect.temp_tables_transactional {
        for name in &names[..created] {
            let dropped = conn.execute_statement(&Statement::new(
                plan,
                &no_roots,
                StatementKind::DropTable(name.clone()),
            ));
            if result.is_ok() {
                dropped?;
            }
        }
    }
    result
}

fn run<C, F>(plan: &Plan, roots: &Roots<'_, F>, conn: &mut C) -> Result<DeleteReport, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    let dialect = conn.dialect();
    if dialect.locks_rows && plan.steps.len() > 1 {
        conn.count_rows(Returning(
            Statement::new(plan, roots, StatementKind::LockRoots),
            PhantomData,
        ))?;
    }
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
        let count_query = Returning(
            Statement::new(plan, roots, StatementKind::CountBlocking(*step)),
            PhantomData,
        );
        let count = conn.count_rows(count_query)?;
        if count == 0 {
            continue;
        }
        let keys_query = Returning(
            Statement::new(plan, roots, StatementKind::ListBlocking(*step)),
            PhantomData,
        );
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

    let mut report = DeleteReport::default();
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
            Step::Delete { node } => {
                let vias = plan.node_vias(node).len();
                let table = plan.node_model(node).table;
                let tree = plan.nodes[node].tree.is_some();
                if tree && dialect.foreign_keys_checked_per_row {
                    let deleted = delete_subtrees_detached(plan, roots, conn, node)?;
                    report.record(table, deleted as u64);
                } else if dialect.delete_by_join && vias > 1 && !tree {
                    for via in 0..vias {
                        let kind = StatementKind::Delete(*step, Some(via));
                        let deleted = conn.execute_statement(&Statement::new(plan, roots, kind))?;
                        report.record(table, deleted as u64);
                    }
                } else {
                    let kind = StatementKind::Delete(*step, None);
                    let deleted = conn.execute_statement(&Statement::new(plan, roots, kind))?;
                    report.record(table, deleted as u64);
                }
            }
        }
    }
    Ok(report)
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
    let dialect = conn.dialect();
    let statement = |kind| Statement::new(plan, roots, kind);
    conn.execute_statement(&statement(StatementKind::CreateSubtreeTable(
        node,
        name.clone(),
    )))?;
    let result = conn
        .execute_statement(&statement(StatementKind::DetachSubtree(node, name.clone())))
        .and_then(|_| {
            conn.execute_statement(&statement(StatementKind::DeleteSubtree(node, name.clone())))
        });
    if result.is_ok() || !dialect.temp_tables_transactional {
        let dropped = conn.execute_statement(&statement(StatementKind::DropTable(name.clone())));
        if result.is_ok() {
            dropped?;
        }
    }
    Ok(result?)
}
