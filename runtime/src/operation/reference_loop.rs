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

use diesel::result::DatabaseErrorKind;

use crate::error::DeleteError;
use crate::plan::Plan;
use crate::sql::dialect::{DialectInfo, KeyColumn, KeyDeclaration};
use crate::sql::statement::{Roots, Statement, StatementKind};

use super::{Abort, Port};

/// Before `node`'s rows go: refuses the delete when rows removed after them reference them
/// through a `NOT NULL` key of another table that the database checks at once.
pub(super) async fn refuse_before<F, P: Port<F>>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    port: &mut P,
) -> Result<(), Abort> {
    match loops_before(plan, roots, node, true, port).await?.first() {
        Some(&(referencing, fk, rows)) => {
            Err(reference_loop(plan, referencing, fk, node, rows).into())
        }
        None => Ok(()),
    }
}

/// The keys [`refuse_before`] refuses the delete for, as `(referencing node, its foreign key,
/// rows of the loop)`: all of them (a preview's), or with `first_only` the first.
pub(super) async fn loops_before<F, P: Port<F>>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    first_only: bool,
    port: &mut P,
) -> Result<Vec<(usize, usize, u64)>, Abort> {
    let mut loops = Vec::new();
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
            let answer = port
                .texts(statement)
                .await?
                .into_iter()
                .next()
                .unwrap_or_default();
            (port.dialect().key_declaration)(&answer, &key)
        };
        if declared != KeyDeclaration::Immediate {
            continue;
        }
        let rows = count_loop_rows(plan, roots, referencing, fk, node, port).await?;
        if rows > 0 {
            loops.push((referencing, fk, rows));
            if first_only {
                break;
            }
        }
    }
    Ok(loops)
}

/// Before `node`'s rows go, on backends that check each row as it is deleted: the `NOT NULL`
/// keys of its table to itself with rows of a loop, and how many.
pub(super) async fn own_table_loops<F, P: Port<F>>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    port: &mut P,
) -> Result<Vec<(usize, u64)>, Abort> {
    if !port.dialect().foreign_keys_checked_per_row {
        return Ok(Vec::new());
    }
    let keys: Vec<usize> = plan
        .loops_into(node, true)
        .filter(|&(referencing, _)| referencing == node)
        .map(|(_, fk)| fk)
        .collect();
    let mut loops = Vec::new();
    for fk in keys {
        let rows = count_loop_rows(plan, roots, node, fk, node, port).await?;
        if rows > 0 {
            loops.push((fk, rows));
        }
    }
    Ok(loops)
}

/// A foreign-key failure of `node`'s delete that the database names on one of `loops` (its
/// table and column) is that loop; any other error is as it was.
pub(super) fn own_table_error(
    plan: &Plan,
    node: usize,
    loops: &[(usize, u64)],
    error: DeleteError,
    dialect: &DialectInfo,
) -> DeleteError {
    let DeleteError::Database(diesel::result::Error::DatabaseError(
        DatabaseErrorKind::ForeignKeyViolation,
        info,
    )) = &error
    else {
        return error;
    };
    let Some((table, Some(column))) = (dialect.violated_reference)(info.as_ref()) else {
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

async fn count_loop_rows<F, P: Port<F>>(
    plan: &Plan,
    roots: &Roots<'_, F>,
    node: usize,
    fk: usize,
    parent: usize,
    port: &mut P,
) -> Result<u64, Abort> {
    let statement = Statement::new(
        plan,
        roots,
        StatementKind::CountLoopRows { node, fk, parent },
    );
    Ok(port.count(statement).await? as u64)
}

pub(super) fn reference_loop(
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
        action: key.rule.action(),
        parent_table: key.parent_table,
        path: plan.cascade_path(referencing, parent),
        rows,
    }
}
