//! Chunked mode: the checks of the whole operation, then each table's rows in chunks of at
//! most a given number of rows, children before parents, each chunk in a transaction of its
//! own. A chunk of a table's rows is deleted by the plan of the table's own model, from the
//! chunk's keys: with everything it cascades to (rows a concurrent writer added since their
//! table's turn) and after its own checks (a protected row added meanwhile stops the chunk
//! before its parent goes). So every committed state is one a delete of some rows would
//! leave, and running the same call again after an interruption finishes the job.
//!
//! A soft delete goes the same way, marking instead of deleting. A restore goes parents
//! first: each chunk brings back rows marked with the operation's mark whose parents are live
//! again, so no row comes back under a parent that stays soft-deleted.

use std::time::Instant;

use crate::plan::Step;
use crate::progress::{Progress, TableProgress};
use crate::report::DeleteReport;
use crate::sql::statement::{
    chunk_order_keys, update_value, ChunkRows, Mode, ParentKeys, Roots, Statement, StatementKind,
};
use crate::value::SqlValue;

use super::roots::temp_table_name;
use super::{change_of, Abort, Operation, Port, Unit};

/// The limit of a chunk that takes every row left (SQL's `LIMIT` takes a signed 64-bit
/// integer on PostgreSQL).
pub(super) const ALL_ROWS: usize = i64::MAX as usize;

/// One part of a chunked operation, from one step of its plan.
#[derive(Debug, Clone, Copy)]
enum Part {
    /// A `set_null` or `set_default` update ([`Step::Update`]), chunk by chunk.
    Update(Step),
    /// A [`Step::Detach`]: references cleared before a loop's rows go, in one transaction.
    Detach { node: usize, fk: usize },
    /// A node's rows, chunk by chunk: deleted, or in a soft delete, marked.
    Delete { node: usize },
    /// A node's rows a restore brings back, chunk by chunk, after its parents'.
    Restore { node: usize },
}

/// A chunked operation's checks, and the rows of each of its parts.
#[derive(Debug, Clone, Copy)]
struct Checks<'p>(&'p [Part]);

impl<F, P: Port<F>> Unit<F, P> for Checks<'_> {
    type Output = Vec<u64>;

    async fn run(
        self,
        operation: &Operation<'_>,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<Vec<u64>, Abort> {
        operation.checks(roots, self.0, port).await
    }
}

/// The next chunk of at most `size` rows of a part, from `source`.
#[derive(Debug, Clone, Copy)]
struct NextChunk<'k> {
    part: Part,
    size: usize,
    source: Source<'k>,
}

/// Where a chunk's rows come from.
#[derive(Debug, Clone, Copy)]
enum Source<'k> {
    /// The part's rows as they are now: the first `size` by key.
    Rows,
    /// The keys numbered `after + 1` to `through` in the key table `keys`, filled when the
    /// part began: each chunk then reads `size` keys instead of the part's whole selection.
    Keys {
        keys: &'k str,
        after: usize,
        through: usize,
    },
}

impl<F, P: Port<F>> Unit<F, P> for NextChunk<'_> {
    type Output = Option<Chunk>;

    async fn run(
        self,
        operation: &Operation<'_>,
        roots: &Roots<'_, F>,
        port: &mut P,
    ) -> Result<Option<Chunk>, Abort> {
        operation.chunk(roots, self, port).await
    }
}

/// A node's key table: its name, and how many keys it holds.
#[derive(Debug, Clone, Copy)]
struct KeyTable<'k> {
    node: usize,
    name: &'k str,
    count: usize,
}

/// A chunked operation's progress and report as its chunks commit.
struct Tally {
    started: Instant,
    progress: Progress,
    report: DeleteReport,
}

/// What one chunk did: its report and how many rows it took from its part.
struct Chunk {
    report: DeleteReport,
    rows: usize,
}

impl Operation<'_> {
    /// Runs the operation in chunks of at most `size` rows, from roots already in place.
    pub(super) async fn chunks<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        size: usize,
        port: &mut P,
    ) -> Result<DeleteReport, Abort> {
        let started = Instant::now();
        let plan = self.plan;
        let mut parts: Vec<Part> = plan
            .steps
            .iter()
            .filter_map(|step| match (*step, self.mode) {
                (Step::Delete { node }, Mode::Delete) => Some(Part::Delete { node }),
                (Step::Update { .. }, Mode::Delete) => Some(Part::Update(*step)),
                (Step::Detach { node, fk }, Mode::Delete) => Some(Part::Detach { node, fk }),
                (Step::Delete { node }, Mode::SoftDelete) if plan.soft_delete_reaches(node) => {
                    Some(Part::Delete { node })
                }
                (Step::Delete { node }, Mode::Restore) if plan.soft_delete_reaches(node) => {
                    Some(Part::Restore { node })
                }
                _ => None,
            })
            .collect();
        if self.mode == Mode::Restore {
            parts.reverse();
        }
        let mut progress = Progress {
            tables: parts.iter().map(|part| self.part_progress(*part)).collect(),
            elapsed: started.elapsed(),
            chunks: 0,
        };
        let totals = self.retried(roots, Checks(&parts), port).await?;
        for (table, total) in progress.tables.iter_mut().zip(totals) {
            table.total = total;
        }
        // The key tables of the nodes that have them, each dropped at the end whatever
        // happens: filled now, after the checks, since a node's rows are those of its parents,
        // which go after it.
        let mut key_tables: Vec<Option<String>> = vec![None; parts.len()];
        let own_cache = self.limit_temp_cache(port).await?;
        let outcome: Result<DeleteReport, Abort> = async {
            // Parents first, so that a node's rows can be listed from its parent's keys.
            for (index, part) in parts.iter().enumerate().rev() {
                if let Part::Delete { node } = *part {
                    if !self.ordered(node) {
                        let keys = temp_table_name("keys");
                        let name = keys.clone();
                        let kind = StatementKind::CreateNodeKeys { node, name };
                        port.execute(self.chunk_statement(roots, kind)).await?;
                        key_tables[index] = Some(keys.clone());
                        let parent_keys = self.parent_keys(node, &parts, &key_tables);
                        let count = self
                            .number_keys(roots, (node, parent_keys), &keys, port)
                            .await?;
                        progress.tables[index].total = count as u64;
                    }
                }
            }
            progress.elapsed = started.elapsed();
            self.tell(&progress)?;

            let mut tally = Tally {
                started,
                progress,
                report: DeleteReport::new(change_of(self.mode)),
            };
            for (index, part) in parts.iter().enumerate() {
                match (*part, &key_tables[index]) {
                    (Part::Delete { node }, Some(name)) => {
                        let count = tally.progress.tables[index].total as usize;
                        let table = KeyTable { node, name, count };
                        self.numbered_part(roots, (index, table), size, &mut tally, port)
                            .await?;
                    }
                    _ => {
                        self.part_in_rounds(roots, index, *part, size, &mut tally, port)
                            .await?
                    }
                }
            }
            // Rows counted at the start that went otherwise (with a parent, or by another
            // writer): the totals end at what was done.
            if tally
                .progress
                .tables
                .iter()
                .any(|table| table.total != table.done)
            {
                for table in &mut tally.progress.tables {
                    table.total = table.done;
                }
                tally.progress.elapsed = started.elapsed();
                self.tell(&tally.progress)?;
            }
            Ok(self.in_plan_order(&tally.report))
        }
        .await;
        let created: Vec<String> = key_tables.into_iter().flatten().collect();
        let dropped = self
            .drop_temp_tables(&created, outcome.is_ok(), false, port)
            .await;
        let restored = self.restore_temp_cache(own_cache, port).await;
        let report = outcome?;
        dropped?;
        restored?;
        Ok(report)
    }

    /// A report's tables in plan order (children first), as one transaction reports them,
    /// whichever order the parts ran in (a restore's parents first).
    fn in_plan_order(&self, report: &DeleteReport) -> DeleteReport {
        let plan = self.plan;
        let mut ordered = DeleteReport::new(change_of(self.mode));
        let mut tables: Vec<&'static str> = Vec::new();
        for step in plan.steps {
            if let Step::Delete { node } = *step {
                let table = plan.node_model(node).table;
                if !tables.contains(&table) {
                    tables.push(table);
                    ordered.record(table, report.count(table));
                }
            }
        }
        ordered
    }

    /// The key table of a node's parent, when the node's rows are reached by one edge only and
    /// from a parent whose keys were listed (and are one column). Not the root's: its children
    /// are selected by the roots themselves, as in one transaction (which, where the database
    /// declares no foreign key, reaches a child of a key that has no row).
    fn parent_keys(
        &self,
        node: usize,
        parts: &[Part],
        key_tables: &[Option<String>],
    ) -> Option<ParentKeys> {
        let plan = self.plan;
        let mut vias = plan
            .node_vias(node)
            .iter()
            .filter(|via| self.mode == Mode::Delete || plan.soft_delete_reaches(via.parent));
        let via = vias.next()?;
        if vias.next().is_some() || via.parent == plan.root() {
            return None;
        }
        let [key] = plan.node_model(via.parent).primary_key else {
            return None;
        };
        let index = parts
            .iter()
            .position(|part| matches!(part, Part::Delete { node } if *node == via.parent))?;
        let name = key_tables[index].clone()?;
        Some(ParentKeys {
            name,
            column: via.column,
            key,
        })
    }

    /// Numbers the keys of a node's rows into its key table (from its parent's, if given),
    /// and indexes them: how many.
    async fn number_keys<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        (node, parent_keys): (usize, Option<ParentKeys>),
        keys: &str,
        port: &mut P,
    ) -> Result<usize, Abort> {
        let plan = self.plan;
        let name = keys.to_owned();
        let kind = StatementKind::NumberNodeKeys {
            node,
            name,
            parent_keys,
        };
        let count = port.execute(self.chunk_statement(roots, kind)).await?;
        let dialect = port.dialect();
        if !dialect.numbers_by_insertion && !dialect.index_in_create_table {
            let kind = StatementKind::IndexNodeKeys(keys.to_owned());
            port.execute(Statement::new(plan, roots, kind)).await?;
        }
        Ok(count)
    }

    /// Runs a part chunk by chunk from its rows as they are when each chunk begins: until a
    /// chunk comes short, or where rows of the table reference each other (they come in
    /// rounds), until none is left; a detachment at once.
    async fn part_in_rounds<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        index: usize,
        part: Part,
        size: usize,
        tally: &mut Tally,
        port: &mut P,
    ) -> Result<(), Abort> {
        let rounds = match part {
            Part::Delete { node } => self.ordered(node),
            Part::Restore { node } => self.plan.nodes[node].tree.is_some(),
            Part::Update(_) | Part::Detach { .. } => false,
        };
        loop {
            let source = Source::Rows;
            let unit = NextChunk { part, size, source };
            let Some(chunk) = self.retried(roots, unit, port).await? else {
                return Ok(());
            };
            let rows = chunk.rows;
            self.record(index, part, chunk, tally)?;
            self.pause_after_chunk(port).await;
            if matches!(part, Part::Detach { .. }) || (rows < size && !rounds) {
                return Ok(());
            }
        }
    }

    /// Runs a node's part (the `index`-th) from its key table: the keys of the node's rows
    /// numbered in key order, so each chunk reads its own keys by number instead of selecting
    /// from the node's rows again. Rows a concurrent writer adds later are not in the table:
    /// they go with their parent's chunk, which deletes what its rows cascade to.
    async fn numbered_part<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        (index, table): (usize, KeyTable<'_>),
        size: usize,
        tally: &mut Tally,
        port: &mut P,
    ) -> Result<(), Abort> {
        let part = Part::Delete { node: table.node };
        let mut after = 0;
        while after < table.count {
            let through = table.count.min(after + size);
            let source = Source::Keys {
                keys: table.name,
                after,
                through,
            };
            let unit = NextChunk { part, size, source };
            if let Some(chunk) = self.retried(roots, unit, port).await? {
                self.record(index, part, chunk, tally)?;
                self.pause_after_chunk(port).await;
            }
            after = through;
        }
        Ok(())
    }

    /// Waits as the options ask after a committed chunk, so that other writers get the locks.
    async fn pause_after_chunk<F, P: Port<F>>(&self, port: &mut P) {
        if let Some(pause) = self.options.chunk_pause {
            port.pause(pause).await;
        }
    }

    /// Tells the caller's progress callback, if any; its panic becomes the operation's, after
    /// the operation's temporary tables are dropped.
    fn tell(&self, progress: &Progress) -> Result<(), Abort> {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            self.options.report_progress(progress)
        }))
        .map_err(Abort::Panic)
    }

    /// Adds a committed chunk to the progress and the report, and tells the caller.
    fn record(
        &self,
        index: usize,
        part: Part,
        chunk: Chunk,
        tally: &mut Tally,
    ) -> Result<(), Abort> {
        let progress = &mut tally.progress;
        progress.chunks += 1;
        if let Part::Update(_) | Part::Detach { .. } = part {
            progress.tables[index].done += chunk.rows as u64;
        }
        for &(table, count) in chunk.report.per_table() {
            if let Some(entry) = progress
                .tables
                .iter_mut()
                .find(|entry| entry.table == table && entry.column.is_none())
            {
                entry.done += count;
            }
            tally.report.record(table, count);
        }
        for entry in &mut progress.tables {
            entry.total = entry.total.max(entry.done);
        }
        progress.elapsed = tally.started.elapsed();
        self.tell(progress)
    }

    /// The checks of the whole operation, and the rows of each part, read together in the
    /// transaction [`retried`](Operation::retried) opened. No write lock: a writer that comes
    /// after them meets each chunk's own checks.
    async fn checks<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        parts: &[Part],
        port: &mut P,
    ) -> Result<Vec<u64>, Abort> {
        if self.mode == Mode::Restore {
            self.check_restorable(roots, false, port).await?;
            let kind = StatementKind::CountChunkRows(ChunkRows::RootsMarkedOtherwise);
            let rows = port.count(self.chunk_statement(roots, kind)).await?;
            if rows > 0 {
                let table = self.plan.root_table();
                let rows = u64::try_from(rows).unwrap_or(0);
                return Err(crate::error::DeleteError::OtherMark { table, rows }.into());
            }
        } else {
            self.check_blockers(roots, port).await?;
        }
        let mut totals = Vec::with_capacity(parts.len());
        for part in parts {
            totals.push(self.count_part(roots, *part, port).await?);
        }
        Ok(totals)
    }

    /// Whether a node's chunks take the rows no other row of its table references first
    /// ([`ChunkRows::Node`]); in a soft delete, the rows no live row references through the
    /// tree key (a chunk marks its rows' live subtrees with them).
    fn ordered(&self, node: usize) -> bool {
        let soft = self.mode == Mode::SoftDelete;
        chunk_order_keys(self.plan.node_model(node)).any(|fk| !soft || fk.tree)
    }

    /// A statement of a chunked operation's own (not of a chunk's plan): in its mode, and in
    /// a restore, walking down from the roots through live rows and rows with its mark.
    fn chunk_statement<'s, F>(
        &'s self,
        roots: &'s Roots<'s, F>,
        kind: StatementKind,
    ) -> Statement<'s, F> {
        let statement = Statement::new(self.plan, roots, kind).in_mode(self.mode);
        match self.mode {
            Mode::Restore => statement.walking_marks(self.mark.clone()),
            Mode::Delete | Mode::SoftDelete => statement,
        }
    }

    /// A part's line of the progress, before its total is counted.
    fn part_progress(&self, part: Part) -> TableProgress {
        let plan = self.plan;
        let (table, column) = match part {
            Part::Update(Step::Update { model, fk, .. }) => (
                plan.models[model].table,
                Some(plan.foreign_key(model, fk).column),
            ),
            Part::Detach { node, fk } => {
                let model = plan.node_model(node);
                (model.table, Some(model.foreign_keys[fk].column))
            }
            Part::Delete { node } | Part::Restore { node } => (plan.node_model(node).table, None),
            // `chunks` makes an update part of an update step only.
            Part::Update(_) => (plan.root_table(), None),
        };
        TableProgress {
            table,
            column,
            done: 0,
            total: 0,
        }
    }

    /// The rows a part will change, counted before the first chunk.
    async fn count_part<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        part: Part,
        port: &mut P,
    ) -> Result<u64, Abort> {
        let rows = match part {
            Part::Update(step) => ChunkRows::Update {
                step,
                value: self.update_value(step),
            },
            Part::Detach { .. } => return Ok(0),
            // Counted as its key table is filled.
            Part::Delete { node } if !self.ordered(node) => return Ok(0),
            Part::Delete { node } => ChunkRows::Node {
                node,
                leaves_only: false,
            },
            Part::Restore { node } => ChunkRows::Restore {
                node,
                tops_only: false,
            },
        };
        let kind = StatementKind::CountChunkRows(rows);
        let count = port.count(self.chunk_statement(roots, kind)).await?;
        Ok(u64::try_from(count).unwrap_or(0))
    }

    /// The value an update step sets.
    fn update_value(&self, step: Step) -> crate::value::SqlValue {
        match step {
            Step::Update { model, fk, .. } => update_value(self.plan.foreign_key(model, fk).rule),
            _ => crate::value::SqlValue::Null,
        }
    }

    /// The next chunk of a part, in the transaction [`retried`](Operation::retried) opened;
    /// `None` when the part has no row left.
    async fn chunk<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        next: NextChunk<'_>,
        port: &mut P,
    ) -> Result<Option<Chunk>, Abort> {
        let plan = self.plan;
        self.take_write_lock(port).await?;
        if let Part::Detach { node, fk } = next.part {
            let kind = StatementKind::DetachReferences { node, fk };
            let rows = port.execute(Statement::new(plan, roots, kind)).await?;
            let report = DeleteReport::new(change_of(self.mode));
            return Ok(Some(Chunk { report, rows }));
        }
        if let (
            Part::Delete { node },
            Source::Keys {
                keys,
                after,
                through,
            },
        ) = (next.part, next.source)
        {
            // Not where a root is deleted by a join with its keys' table (MariaDB, whose
            // `IN (subquery)` would read the whole table).
            let dialect = port.dialect();
            if dialect.temp_table_reopens && !dialect.delete_by_join {
                return self
                    .numbered_chunk(node, (keys, after, through), port)
                    .await
                    .map(Some);
            }
        }
        let model = match next.part {
            Part::Update(Step::Update { model, .. }) => model,
            Part::Delete { node } | Part::Restore { node } => plan.nodes[node].model,
            _ => return Ok(None),
        };
        let name = temp_table_name("chunk");
        let kind = StatementKind::CreateKeyTable {
            model,
            name: name.clone(),
        };
        port.execute(Statement::new(plan, roots, kind)).await?;
        let mut names = vec![name];
        let outcome = self.fill_and_run(roots, next, &mut names, port).await;
        self.drop_temp_tables(&names, outcome.is_ok(), true, port)
            .await?;
        outcome
    }

    /// The operation on a chunk of `node`'s rows, whose keys are in the chunk table `names[0]`:
    /// the plan of the node's own model from those keys. Copies of the table, for a backend
    /// that reads a temporary table once per statement, are made and pushed to `names`.
    async fn own<F, P: Port<F>>(
        &self,
        node: usize,
        names: &mut Vec<String>,
        port: &mut P,
    ) -> Result<Operation<'_>, Abort> {
        let plan = self.plan;
        let own = self.own_operation(node, port);
        let copies = if port.dialect().temp_table_reopens {
            1
        } else {
            own.plan.root_references().max(1)
        };
        let no_roots = Roots::<F>::Keys(&[]);
        for copy in 1..copies {
            let name = format!("{}_{copy}", names[0]);
            let kind = StatementKind::CopyRootTable(names[0].clone(), name.clone());
            port.execute(Statement::new(plan, &no_roots, kind)).await?;
            names.push(name);
        }
        Ok(own)
    }

    /// Fills the chunk table `name` with `first`; when that finds no row, with every row of
    /// `in_loops` (rows that lead into a loop in the data go together): how many.
    async fn fill<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        name: &str,
        first: StatementKind,
        in_loops: Option<ChunkRows>,
        port: &mut P,
    ) -> Result<usize, Abort> {
        let filled = port.execute(self.chunk_statement(roots, first)).await?;
        match in_loops {
            Some(rows) if filled == 0 => {
                let all = StatementKind::FillChunk {
                    name: name.to_owned(),
                    rows,
                    limit: ALL_ROWS,
                };
                port.execute(self.chunk_statement(roots, all)).await
            }
            _ => Ok(filled),
        }
    }

    /// The operation on a chunk of `node`'s rows, inside the chunk's transaction: the plan of
    /// the node's own model.
    fn own_operation<F, P: Port<F>>(&self, node: usize, port: &mut P) -> Operation<'_> {
        Operation {
            plan: self.plan.node_plan(node),
            options: self.options,
            mode: self.mode,
            mark: self.mark.clone(),
            // Run again after a transient error: the chunk's transaction is the only one open,
            // and the whole operation's hooks allow it (see `retried`).
            retried_chunk: port.transaction_depth() == Some(1) && self.may_run_again(),
        }
    }

    /// A chunk of a node's rows from its key table, where a statement may read a temporary
    /// table twice: the keys numbered `after + 1` to `through`, read in place (no chunk table
    /// to create, fill and drop), deleted (or marked) with everything they cascade to.
    async fn numbered_chunk<F, P: Port<F>>(
        &self,
        node: usize,
        (keys, after, through): (&str, usize, usize),
        port: &mut P,
    ) -> Result<Chunk, Abort> {
        let after_number = SqlValue::BigInt(i64::try_from(after).unwrap_or(i64::MAX));
        let through_number = SqlValue::BigInt(i64::try_from(through).unwrap_or(i64::MAX));
        let roots: Roots<'_, F> = Roots::Numbered {
            keys,
            after: &after_number,
            through: &through_number,
        };
        let own = self.own_operation(node, port);
        let report = own.steps(&roots, port).await?;
        own.check_transaction(port).await?;
        Ok(Chunk {
            report,
            rows: through - after,
        })
    }

    /// Fills the chunk table `names[0]` from its part, then updates its rows, or deletes them
    /// with everything they cascade to; copies of the table, for a backend that reads a
    /// temporary table once per statement, are pushed to `names` as they are created.
    async fn fill_and_run<F, P: Port<F>>(
        &self,
        roots: &Roots<'_, F>,
        next: NextChunk<'_>,
        names: &mut Vec<String>,
        port: &mut P,
    ) -> Result<Option<Chunk>, Abort> {
        let plan = self.plan;
        let NextChunk { part, size, source } = next;
        let fill = |rows| StatementKind::FillChunk {
            name: names[0].clone(),
            rows,
            limit: size,
        };
        match part {
            Part::Update(step) => {
                let value = self.update_value(step);
                let rows = ChunkRows::Update {
                    step,
                    value: value.clone(),
                };
                let filled = port
                    .execute(self.chunk_statement(roots, fill(rows)))
                    .await?;
                if filled == 0 {
                    return Ok(None);
                }
                let kind = StatementKind::UpdateChunk {
                    step,
                    value,
                    name: names[0].clone(),
                };
                let rows = port.execute(Statement::new(plan, roots, kind)).await?;
                let report = DeleteReport::new(change_of(self.mode));
                Ok(Some(Chunk { report, rows }))
            }
            Part::Delete { node } => {
                let ordered = self.ordered(node);
                let rows = |leaves_only| ChunkRows::Node { node, leaves_only };
                let first = match source {
                    Source::Rows => fill(rows(ordered)),
                    Source::Keys {
                        keys,
                        after,
                        through,
                    } => StatementKind::FillChunkFromKeys {
                        node,
                        name: names[0].clone(),
                        keys: keys.to_owned(),
                        after: SqlValue::BigInt(after as i64),
                        through: SqlValue::BigInt(through as i64),
                    },
                };
                // No row left that no other references, yet rows: each leads into a loop in
                // the data. They go together, as the one-transaction mode deletes them.
                let in_loops = ordered.then(|| rows(false));
                let filled = self.fill(roots, &names[0], first, in_loops, port).await?;
                if filled == 0 {
                    return Ok(None);
                }
                let own = self.own(node, names, port).await?;
                let report = own.steps(&Roots::<F>::Table(names), port).await?;
                own.check_transaction(port).await?;
                Ok(Some(Chunk {
                    report,
                    rows: filled,
                }))
            }
            Part::Restore { node } => {
                let tops_only = plan.nodes[node].tree.is_some();
                let rows = |tops_only| ChunkRows::Restore { node, tops_only };
                // Rows marked alike in a loop of the tree: none is the top; they come back
                // together.
                let in_loops = tops_only.then(|| rows(false));
                let first = fill(rows(tops_only));
                let filled = self.fill(roots, &names[0], first, in_loops, port).await?;
                if filled == 0 {
                    return Ok(None);
                }
                let own = self.own(node, names, port).await?;
                let chunk = Roots::<F>::Table(names);
                // The chunk's rows only: their descendants come back in later chunks, after
                // every parent of theirs this restore brings back.
                own.check_restorable(&chunk, true, port).await?;
                let restored = own.node(&chunk, own.plan.root(), port).await?;
                own.check_transaction(port).await?;
                let mut report = DeleteReport::new(change_of(self.mode));
                report.record(own.plan.root_table(), restored);
                Ok(Some(Chunk {
                    report,
                    rows: filled,
                }))
            }
            Part::Detach { .. } => Ok(None),
        }
    }
}
