//! Loops through `NOT NULL` `restrict` and `do_nothing` keys ([`Plan::loops_into`]): rows a
//! delete removes that reference rows it removes before them. A deferred key lets them go; one
//! the database checks at once cannot, and the delete is refused with
//! [`DeleteError::ReferenceLoop`] rather than a foreign-key error from the middle of the plan.
//!
//! Between tables the outcome is certain before the referenced rows go: the key's declaration
//! and the rows of the loop are read first, and a key checked at once with rows in the loop is
//! refused. Within one table on MySQL and MariaDB, which check each row as it is deleted, the
//! outcome depends on the order InnoDB deletes in: the delete runs, and a failure that InnoDB
//! names on that key, with rows of the loop present, is the loop.

use std::marker::PhantomData;

use diesel::query_builder::QueryFragment;
use diesel::result::DatabaseErrorKind;

use crate::connection::DeleteConnection;
use crate::error::DeleteError;
use crate::plan::Plan;
use crate::sql::dialect::{KeyColumn, KeyDeclaration};
use crate::sql::statement::{Returning, Roots, Statement, StatementKind};

/// Before `node`'s rows go: refuses the delete when rows removed after them reference them
/// through a `NOT NULL` key of another table that the database checks at once.
pub(crate) fn refuse_before<C, F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    conn: &mut C,
) -> Result<(), DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    let keys: Vec<(usize, usize)> = plan
        .loops_into(node, false)
        .filter(|&(referencing, _)| referencing != node)
        .collect();
    for (referencing, fk) in keys {
        let model = plan.node_model(referencing);
        let key = KeyColumn {
            table: model.table,
            column: model.foreign_keys[fk].column,
            parent_table: plan.node_model(node).table,
        };
        let declared = {
            let statement = Statement::new(plan, roots, StatementKind::KeyDeclaration(key.clone()));
            let answer = conn
                .load_keys(Returning(statement, PhantomData))?
                .into_iter()
                .next()
                .unwrap_or_default();
            (conn.dialect().key_declaration)(&answer, &key)
        };
        if declared != KeyDeclaration::Immediate {
            continue;
        }
        let rows = count_loop_rows(plan, roots, referencing, fk, node, conn)?;
        if rows > 0 {
            return Err(reference_loop(plan, referencing, fk, node, rows));
        }
    }
    Ok(())
}

/// Before `node`'s rows go, on backends that check each row as it is deleted: the `NOT NULL`
/// keys of its table to itself with rows of a loop, and how many.
pub(crate) fn own_table_loops<C, F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    conn: &mut C,
) -> Result<Vec<(usize, u64)>, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    if !conn.dialect().foreign_keys_checked_per_row {
        return Ok(Vec::new());
    }
    let keys: Vec<usize> = plan
        .loops_into(node, true)
        .filter(|&(referencing, _)| referencing == node)
        .map(|(_, fk)| fk)
        .collect();
    let mut loops = Vec::new();
    for fk in keys {
        let rows = count_loop_rows(plan, roots, node, fk, node, conn)?;
        if rows > 0 {
            loops.push((fk, rows));
        }
    }
    Ok(loops)
}

/// A foreign-key failure of `node`'s delete that the database names on one of `loops` (its
/// table and column) is that loop; any other error is as it was.
pub(crate) fn own_table_error<C: DeleteConnection>(
    plan: &Plan,
    node: usize,
    loops: &[(usize, u64)],
    error: DeleteError,
    conn: &C,
) -> DeleteError {
    let DeleteError::Database(diesel::result::Error::DatabaseError(
        DatabaseErrorKind::ForeignKeyViolation,
        info,
    )) = &error
    else {
        return error;
    };
    let Some((table, Some(column))) = (conn.dialect().violated_reference)(info.as_ref()) else {
        return error;
    };
    let model = plan.node_model(node);
    let failed = loops
        .iter()
        .find(|&&(fk, _)| model.table == table && model.foreign_keys[fk].column == column);
    match failed {
        Some(&(fk, rows)) => reference_loop(plan, node, fk, node, rows),
        None => error,
    }
}

fn count_loop_rows<C, F>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    fk: usize,
    parent: usize,
    conn: &mut C,
) -> Result<u64, DeleteError>
where
    C: DeleteConnection,
    F: QueryFragment<C::Backend>,
{
    let statement = Statement::new(
        plan,
        roots,
        StatementKind::CountLoopRows { node, fk, parent },
    );
    Ok(conn.count_rows(Returning(statement, PhantomData))? as u64)
}

fn reference_loop(
    plan: &Plan,
    referencing: usize,
    fk: usize,
    parent: usize,
    rows: u64,
) -> DeleteError {
    let model = plan.node_model(referencing);
    let key = &model.foreign_keys[fk];
    DeleteError::ReferenceLoop {
        table: model.table,
        column: key.column,
        action: key.action.name(),
        parent_table: key.parent_table,
        path: plan.cascade_path(referencing, parent),
        rows,
    }
}
