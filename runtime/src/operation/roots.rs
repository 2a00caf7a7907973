//! Where an operation's roots come from: the call's keys or filter as they are, or, when a
//! filter must be read once or there are too many keys to bind in every statement, a temporary
//! table of their keys, dropped when the operation ends.

use std::sync::atomic::{AtomicU64, Ordering};

use crate::plan::Plan;
use crate::report::DeleteReport;
use crate::sql::dialect::DialectInfo;
use crate::sql::statement::{Roots, Statement, StatementKind};
use crate::value::SqlValue;

use super::{Abort, Body, Operation, Port};

/// Gives each temporary table of a process its own name, so a delete run from inside another
/// (a hook's) never collides with it.
static TEMP_TABLES: AtomicU64 = AtomicU64::new(0);

/// A name for a new temporary table.
pub(super) fn temp_table_name(purpose: &str) -> String {
    format!(
        "deletable_{purpose}_{}",
        TEMP_TABLES.fetch_add(1, Ordering::Relaxed)
    )
}

impl Operation<'_> {
    /// Runs the operation's `body` from `roots`, first copied into a temporary table where
    /// needed.
    pub(super) async fn materialize_roots<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        body: Body,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        let plan = self.plan;
        let dialect = port.dialect();
        match *roots {
            // A filter is evaluated once, before anything changes: later statements would
            // otherwise see it select other rows (it may read the very tables the plan deletes
            // from).
            // In chunks, too: each chunk would read the filter again, after rows it selects
            // have gone.
            Roots::Filter(_)
                if plan.steps.len() > 1
                    || self.has_hooks()
                    || !dialect.changed_table_readable
                    || body != Body::Steps =>
            {
                self.with_root_tables(roots, None, body, port).await
            }
            // Too many keys to bind in every statement: bind them once, into a table.
            Roots::Keys(keys) if self.too_many_to_bind(keys, &dialect) => {
                self.with_root_tables(&Roots::Keys(&[]), Some(keys), body, port)
                    .await
            }
            _ => self.body(roots, body, port).await,
        }
    }

    /// Runs the operation's `body` from roots in place.
    async fn body<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        body: Body,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        match body {
            Body::Steps => self.steps(roots, port).await,
            Body::Chunks(size) => self.chunks(roots, size, port).await,
        }
    }

    /// Runs the operation's `body` from root keys put in a temporary table, then drops the
    /// table: the keys of the root rows `source` selects (none, for `Keys(&[])`), then `keys`.
    /// A backend that cannot read one temporary table twice in a statement gets a copy per
    /// reference. For chunks the table is created outside their transactions and lives until
    /// the last one has committed.
    async fn with_root_tables<F, P: Port<F>>(
        &self,
        source: &Roots<'_, F>,
        keys: Option<&[SqlValue]>,
        body: Body,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        let names = root_table_names(self.plan, port);
        let mut created = 0;
        let outcome = async {
            self.fill_root_tables(source, keys, &names, &mut created, port)
                .await?;
            self.body(&Roots::<F>::Table(&names), body, port).await
        }
        .await;
        // After an error or a hook's panic the tables are dropped all the same (a rollback
        // keeps them on MySQL and MariaDB, and a pooled session would collect them).
        let in_rollback = body == Body::Steps;
        self.drop_temp_tables(&names[..created], outcome.is_ok(), in_rollback, port)
            .await?;
        outcome
    }

    /// Whether `keys` are too many to bind in every statement of the operation.
    pub(super) fn too_many_to_bind(&self, keys: &[SqlValue], dialect: &DialectInfo) -> bool {
        let plan = self.plan;
        keys.len() * plan.root_references() + plan.binds_besides_root_keys()
            > dialect.max_bind_params
    }

    /// Creates the root tables `names` (see [`root_table_names`]) and fills them: with the
    /// keys of the root rows `source` selects (none, for `Keys(&[])`), then `keys`. `created`
    /// counts the tables created so far, to be dropped whatever happens.
    pub(super) async fn fill_root_tables<F, P: Port<F>>(
        &self,
        source: &Roots<'_, F>,
        keys: Option<&[SqlValue]>,
        names: &[String],
        created: &mut usize,
        port: &mut P,
    ) -> Result<(), Abort> {
        let plan = self.plan;
        let kind = StatementKind::CreateRootTable(names[0].clone());
        port.execute(Statement::new(plan, source, kind)).await?;
        // Created: dropped whatever happens next (a rollback keeps it on MySQL).
        *created = 1;
        if let Some(keys) = keys {
            let arity = plan.node_model(plan.root()).primary_key.len();
            let per_statement = (port.dialect().max_bind_params / arity).max(1) * arity;
            for chunk in keys.chunks(per_statement) {
                let chunk = Roots::<F>::Keys(chunk);
                let kind = StatementKind::InsertRootKeys(names[0].clone());
                port.execute(Statement::new(plan, &chunk, kind)).await?;
            }
        }
        let no_roots = Roots::<F>::Keys(&[]);
        for name in &names[1..] {
            let kind = StatementKind::CopyRootTable(names[0].clone(), name.clone());
            port.execute(Statement::new(plan, &no_roots, kind)).await?;
            *created += 1;
        }
        Ok(())
    }

    /// Drops temporary tables of the operation. After a failure the rollback drops those
    /// created in its transaction (`in_rollback`), except where temporary tables outlive a
    /// rollback (MySQL): there they are dropped too, and an error doing so gives way to the
    /// failure being reported.
    pub(super) async fn drop_temp_tables<F, P: Port<F>>(
        &self,
        names: &[String],
        succeeded: bool,
        in_rollback: bool,
        port: &mut P,
    ) -> Result<(), Abort> {
        if !succeeded && in_rollback && port.dialect().temp_tables_transactional {
            return Ok(());
        }
        let no_roots = Roots::<F>::Keys(&[]);
        // Every table is dropped even when one drop fails; after a success, the first failure
        // fails the operation.
        let mut first_error = Ok(());
        for name in names {
            let kind = StatementKind::DropTable(name.clone());
            let dropped = port
                .execute(Statement::new(self.plan, &no_roots, kind))
                .await;
            if let (true, Err(error), Ok(())) = (succeeded, dropped, &first_error) {
                first_error = Err(error);
            }
        }
        first_error
    }
}

/// The names of the temporary tables of an operation's root keys: one, or for a backend that
/// cannot read a temporary table twice in one statement, one copy per reference.
pub(super) fn root_table_names<F, P: Port<F>>(plan: &Plan, port: &mut P) -> Vec<String> {
    let copies = if port.dialect().temp_table_reopens {
        1
    } else {
        plan.root_references().max(1)
    };
    let first = temp_table_name("roots");
    (0..copies).map(|copy| format!("{first}_{copy}")).collect()
}
