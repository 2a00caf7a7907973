//! Differential test against an oracle of Django's deletion `Collector`: random data in eight
//! tables whose foreign keys carry every `on_delete` action (cascade, protect, restrict,
//! set_null, set_default, do_nothing, a `tree` self-reference, a restrict and a set_null
//! self-reference, tables with several parents), random roots; for each case the oracle computes
//! in memory what Django's `QuerySet.delete()` does, `deletable` deletes the same roots from a
//! real database whose schema declares plain `REFERENCES` (no `ON DELETE` action, so the
//! database enforces integrity and acts on nothing itself), and the two must agree: success or
//! which error, every blocker (table, column, parent, count, first keys), the report's counts,
//! and every row of every table afterwards (unchanged after an error).
//!
//! The oracle follows `django/db/models/deletion.py` (`Collector.collect`):
//! - the roots that exist are collected, then for each newly collected row every foreign key
//!   pointing at it: `CASCADE` collects the referencing rows (recursively, each row once),
//!   `PROTECT` records them as protected, `RESTRICT` records them as restricted, `SET_NULL` and
//!   `SET_DEFAULT` schedule an update of the column, `DO_NOTHING` does nothing;
//! - any protected row fails the delete with `ProtectedError`, even a row the same operation
//!   deletes (Django raises it during collection, before looking at `RESTRICT`);
//! - restricted rows that the operation collects anyway (a root, or reached by some cascade
//!   path) are cleared (`clear_restricted_objects_from_set`); any left fail it with
//!   `RestrictedError`;
//! - otherwise the updates run on the rows that survive and the collected rows are deleted. If a
//!   surviving row still references a deleted row (a `DO_NOTHING` key, or a `SET_DEFAULT` whose
//!   default row is deleted too) the database refuses and the transaction rolls back.
//!
//! Deliberate differences from Django's exception text: Django names a blocking key by the
//! outermost cascade field it was reached through, and its `RestrictedError` of older releases
//! named only the first field; `deletable` promises every blocking foreign key by its own table
//! and column, so that is what the oracle lists.
//!
//! Half the cases go through a second copy of the models with hooks on people, folders (the
//! tree) and docs, two keys a batch: those tables are then deleted batch by batch, and each hook
//! must be handed exactly the keys of the rows Django sends `pre_delete`/`post_delete` for (every
//! deleted row, once; none when a blocker fails the delete).
//!
//! The same cases run once more after `Plan::migration` has declared the rules in the database:
//! `deletable` must then give the same answers (the migration changes nothing of its results).
//!
//! The seed is random per run and printed; set `DELETABLE_SEED` to replay a run from that case,
//! `DELETABLE_CASES` to run more (or fewer) cases than the default 300 on SQLite, 100 elsewhere.
//! A failing case is shrunk (rows, roots and nullable keys removed while the same disagreement
//! stays) and printed as SQL.

// The models mirror their tables; the test reads none of their fields.
#![allow(dead_code)]

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;

use deletable::{Blocker, Deletable, DeleteError, DeleteOptions, DeleteReport, Preview};
use deletable_tests::rng::Rng;
use deletable_tests::{backends, run_migration, TestDb};
use diesel::prelude::*;
use schema::*;

mod schema {
    diesel::table! { orgs (id) { id -> Integer, } }
    diesel::table! { roles (id) { id -> Integer, } }
    diesel::table! { teams (id) { id -> Integer, org_id -> Integer, } }
    diesel::table! { people (id) { id -> Integer, team_id -> Integer, role_id -> Integer, mentor_id -> Nullable<Integer>, } }
    diesel::table! { folders (id) { id -> Integer, team_id -> Integer, parent_id -> Nullable<Integer>, owner_id -> Nullable<Integer>, } }
    diesel::table! {
        docs (id) {
            id -> Integer,
            org_id -> Integer,
            team_id -> Integer,
            folder_id -> Nullable<Integer>,
            author_id -> Nullable<Integer>,
            reviewer_id -> Nullable<Integer>,
            replaces_id -> Nullable<Integer>,
        }
    }
    diesel::table! { pins (id) { id -> Integer, doc_id -> Integer, person_id -> Integer, } }
    diesel::table! { audits (id) { id -> Integer, doc_id -> Integer, } }
}
/// The eight models, written once for both variants of the schema: `$hooks` is the
/// `#[deletable(...)]` attribute of the models with hooks (people, folders, docs), if any.
macro_rules! models {
    ($(#[$hooks:meta])?) => {
        use super::schema::*;
        use deletable::Deletable;

        /// The top of the hierarchy.
        #[derive(Deletable)]
        #[diesel(table_name = orgs)]
        pub struct Org {
            id: i32,
        }

        /// The parent of a `set_default` key; row [`DEFAULT_ROLE`] is the default.
        #[derive(Deletable)]
        #[diesel(table_name = roles)]
        pub struct Role {
            id: i32,
        }

        /// A team of an org.
        #[derive(Deletable)]
        #[diesel(table_name = teams)]
        pub struct Team {
            id: i32,
            #[on_delete(cascade, references = Org)]
            org_id: i32,
        }

        /// Three parents: a cascade, a `set_default` and a `set_null` self-reference.
        #[derive(Deletable)]
        #[diesel(table_name = people)]
        $(#[$hooks])?
        pub struct Person {
            id: i32,
            #[on_delete(cascade, references = Team)]
            team_id: i32,
            #[on_delete(set_default = 1, references = Role)]
            role_id: i32,
            #[on_delete(set_null, references = Self)]
            mentor_id: Option<i32>,
        }

        /// A tree under teams, restricted by its owner: a restrict that only the tree's own recursion
        /// can satisfy (a person's team is deleted, with the folders under that team's folders).
        #[derive(Deletable)]
        #[diesel(table_name = folders)]
        $(#[$hooks])?
        pub struct Folder {
            id: i32,
            #[on_delete(cascade, references = Team)]
            team_id: i32,
            #[on_delete(cascade, tree, references = Self)]
            parent_id: Option<i32>,
            #[on_delete(restrict, references = Person)]
            owner_id: Option<i32>,
        }

        /// Five parents: reached by cascade from orgs and from folders (and the folder tree), restricted
        /// by teams (a restrict the org's or the folder's cascade may satisfy) and by the document it
        /// replaces (a restrict self-reference), `set_null` and `protect` from people.
        #[derive(Deletable)]
        #[diesel(table_name = docs)]
        $(#[$hooks])?
        pub struct Doc {
            id: i32,
            #[on_delete(cascade, references = Org)]
            org_id: i32,
            #[on_delete(restrict, references = Team)]
            team_id: i32,
            #[on_delete(cascade, references = Folder)]
            folder_id: Option<i32>,
            #[on_delete(set_null, references = Person)]
            author_id: Option<i32>,
            #[on_delete(protect, references = Person)]
            reviewer_id: Option<i32>,
            #[on_delete(restrict, references = Self)]
            replaces_id: Option<i32>,
        }

        /// Protects docs, and goes with its person.
        #[derive(Deletable)]
        #[diesel(table_name = pins)]
        pub struct Pin {
            id: i32,
            #[on_delete(protect, references = Doc)]
            doc_id: i32,
            #[on_delete(cascade, references = Person)]
            person_id: i32,
        }

        /// A `do_nothing` key: the database's plain constraint refuses the delete of its doc.
        #[derive(Deletable)]
        #[diesel(table_name = audits)]
        pub struct Audit {
            id: i32,
            #[on_delete(do_nothing, references = Doc)]
            doc_id: i32,
        }

        deletable::schema!(Org, Role, Team, Person, Folder, Doc, Pin, Audit);
    };
}

/// The models without hooks: every table deleted set-based.
mod plain {
    models!();
}

/// The same models, with hooks on people, folders (the tree) and docs, read two keys a batch:
/// those tables are deleted batch by batch, and the hooks log every key they are handed.
mod hooked {
    // `batch_size` is `HOOK_BATCH`.
    models!(#[deletable(hooks = keys, batch_size = 2)]);

    /// Implements the hooks of both runners for every connection: each hook logs its table and keys.
    macro_rules! logging_hooks {
        ($($model:ident => $table:expr),*) => {$(
            deletable_tests::hooks! {
                impl for $model {
                    fn before_delete(_, rows: &[i32]) {
                        super::log_hook($table, false, rows);
                        Ok(())
                    }
                    fn after_delete(_, rows: &[i32]) {
                        super::log_hook($table, true, rows);
                        Ok(())
                    }
                }
            }
        )*};
    }
    logging_hooks!(Person => super::PEOPLE, Folder => super::FOLDERS, Doc => super::DOCS);
}

/// The tables whose models have hooks in [`hooked`].
const HOOKED: [usize; 3] = [PEOPLE, FOLDERS, DOCS];

/// One hook call: table index, whether `after_delete`, and a key it was handed.
type HookCall = (usize, bool, i64);

thread_local! {
    /// The keys this thread's hooks were handed since the last [`take_hook_log`].
    static HOOK_LOG: std::cell::RefCell<Vec<HookCall>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Logs a hook call on `table` with the batch `keys`.
fn log_hook(table: usize, after: bool, keys: &[i32]) {
    HOOK_LOG.with(|log| {
        let mut log = log.borrow_mut();
        log.extend(keys.iter().map(|&key| (table, after, i64::from(key))));
    });
}

/// The hook calls logged since the last call, cleared.
fn take_hook_log() -> Vec<HookCall> {
    HOOK_LOG.with(|log| std::mem::take(&mut *log.borrow_mut()))
}

/// The oracle's copy of an `on_delete` rule (Django's `on_delete` argument).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Rule {
    Cascade,
    Protect,
    Restrict,
    SetNull,
    SetDefault(i64),
    DoNothing,
}

/// One foreign key of the oracle's schema.
struct Key {
    column: &'static str,
    /// Index into [`TABLES`].
    parent: usize,
    nullable: bool,
    rule: Rule,
}

/// One table of the oracle's schema: an integer `id` and its foreign keys.
struct Table {
    name: &'static str,
    keys: &'static [Key],
}

/// The default of `people.role_id` (the models' `set_default = 1`).
const DEFAULT_ROLE: i64 = 1;

const ORGS: usize = 0;
const ROLES: usize = 1;
const TEAMS: usize = 2;
const PEOPLE: usize = 3;
const FOLDERS: usize = 4;
const DOCS: usize = 5;
const PINS: usize = 6;
const AUDITS: usize = 7;

/// Shorthand for a [`Key`].
const fn key(column: &'static str, parent: usize, nullable: bool, rule: Rule) -> Key {
    Key {
        column,
        parent,
        nullable,
        rule,
    }
}

/// The models above, as the oracle sees them, parents before children (the order the tables are
/// created and filled in). The SQL schema is generated from this.
const TABLES: [Table; 8] = [
    Table {
        name: "orgs",
        keys: &[],
    },
    Table {
        name: "roles",
        keys: &[],
    },
    Table {
        name: "teams",
        keys: &[key("org_id", ORGS, false, Rule::Cascade)],
    },
    Table {
        name: "people",
        keys: &[
            key("team_id", TEAMS, false, Rule::Cascade),
            key("role_id", ROLES, false, Rule::SetDefault(DEFAULT_ROLE)),
            key("mentor_id", PEOPLE, true, Rule::SetNull),
        ],
    },
    Table {
        name: "folders",
        keys: &[
            key("team_id", TEAMS, false, Rule::Cascade),
            key("parent_id", FOLDERS, true, Rule::Cascade),
            key("owner_id", PEOPLE, true, Rule::Restrict),
        ],
    },
    Table {
        name: "docs",
        keys: &[
            key("org_id", ORGS, false, Rule::Cascade),
            key("team_id", TEAMS, false, Rule::Restrict),
            key("folder_id", FOLDERS, true, Rule::Cascade),
            key("author_id", PEOPLE, true, Rule::SetNull),
            key("reviewer_id", PEOPLE, true, Rule::Protect),
            key("replaces_id", DOCS, true, Rule::Restrict),
        ],
    },
    Table {
        name: "pins",
        keys: &[
            key("doc_id", DOCS, false, Rule::Protect),
            key("person_id", PEOPLE, false, Rule::Cascade),
        ],
    },
    Table {
        name: "audits",
        keys: &[key("doc_id", DOCS, false, Rule::DoNothing)],
    },
];

/// The `CREATE TABLE` statements: plain `REFERENCES`, no `ON DELETE` action.
fn schema_sql() -> String {
    let mut sql = String::new();
    for table in &TABLES {
        let mut columns = vec!["id INTEGER PRIMARY KEY".to_owned()];
        for key in table.keys {
            let null = if key.nullable { "" } else { " NOT NULL" };
            columns.push(format!("{} INTEGER{null}", key.column));
        }
        for key in table.keys {
            columns.push(format!(
                "FOREIGN KEY ({}) REFERENCES {} (id)",
                key.column, TABLES[key.parent].name
            ));
        }
        writeln!(sql, "CREATE TABLE {} ({});", table.name, columns.join(", ")).unwrap();
    }
    sql
}

/// One row: its foreign key values, in the order of its table's [`Table::keys`].
type Row = Vec<Option<i64>>;

/// Every table's rows by `id`, indexed as [`TABLES`].
type State = Vec<BTreeMap<i64, Row>>;

/// A blocker as compared: table, column, parent table, count, first keys.
type BlockerView = (String, String, String, u64, Vec<String>);

/// What a delete did or why it failed, from the oracle or from `deletable`.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Verdict {
    /// Deleted: the rows per table (tables with none left out).
    Deleted(BTreeMap<String, u64>),
    /// `ProtectedError` / `DeleteError::Protected`, blockers sorted.
    Protected(Vec<BlockerView>),
    /// `RestrictedError` / `DeleteError::Restricted`, blockers sorted.
    Restricted(Vec<BlockerView>),
    /// The database refused (a dangling reference): the oracle's reason, or the error's text.
    Database(String),
    /// Anything else `deletable` returned.
    Other(String),
}

impl Verdict {
    /// The variant's name, to tell whether two verdicts disagree in kind.
    fn kind(&self) -> &'static str {
        match self {
            Verdict::Deleted(_) => "deleted",
            Verdict::Protected(_) => "protected",
            Verdict::Restricted(_) => "restricted",
            Verdict::Database(_) => "database error",
            Verdict::Other(_) => "other error",
        }
    }

    /// Whether `got` agrees with this expectation (a database error's text is not compared).
    fn agrees_with(&self, got: &Verdict) -> bool {
        match (self, got) {
            (Verdict::Database(_), Verdict::Database(_)) => true,
            (expected, got) => expected == got,
        }
    }
}

/// The oracle's answer for one case.
struct Expected {
    verdict: Verdict,
    /// The tables afterwards: the state before on any error.
    after: State,
    /// The rows deleted per table (none on any error): the rows Django sends `pre_delete` and
    /// `post_delete` for, each once, and so the keys each hook must be handed, each once.
    collected: Vec<BTreeSet<i64>>,
    /// The `restrict` keys (`table.column`) some of whose referencing rows the operation also
    /// collected (Django cleared them): where the "deleted by another cascade path" rule decided.
    restricts_satisfied: BTreeSet<String>,
}

/// Django's `Collector`, over the in-memory tables.
struct Collector<'a> {
    state: &'a State,
    /// `Collector.data`: the rows to delete, per table.
    collected: Vec<BTreeSet<i64>>,
    /// Protected rows per (table, key index).
    protected: BTreeMap<(usize, usize), BTreeSet<i64>>,
    /// `Collector.restricted_objects`, per (table, key index).
    restricted: BTreeMap<(usize, usize), BTreeSet<i64>>,
    /// `Collector.field_updates`: (table, row, key index) to the value to set.
    updates: BTreeMap<(usize, i64, usize), Option<i64>>,
}

impl<'a> Collector<'a> {
    /// A collector that has collected the rows `roots` of `table` that exist.
    fn from_roots(state: &'a State, table: usize, roots: &[i64]) -> Self {
        let mut collector = Collector {
            state,
            collected: vec![BTreeSet::new(); TABLES.len()],
            protected: BTreeMap::new(),
            restricted: BTreeMap::new(),
            updates: BTreeMap::new(),
        };
        let existing = roots
            .iter()
            .copied()
            .filter(|id| state[table].contains_key(id))
            .collect();
        collector.collect(table, existing);
        collector
    }
}

impl Collector<'_> {
    /// `Collector.collect(objs)`: adds the rows not collected yet and applies every foreign key
    /// pointing at them.
    fn collect(&mut self, table: usize, objs: BTreeSet<i64>) {
        let new: BTreeSet<i64> = objs
            .into_iter()
            .filter(|id| self.collected[table].insert(*id))
            .collect();
        if new.is_empty() {
            return;
        }
        for (child, child_table) in TABLES.iter().enumerate() {
            for (k, key) in child_table.keys.iter().enumerate() {
                if key.parent != table || key.rule == Rule::DoNothing {
                    continue;
                }
                let sub_objs: BTreeSet<i64> = self.state[child]
                    .iter()
                    .filter(|(_, row)| row[k].is_some_and(|parent| new.contains(&parent)))
                    .map(|(id, _)| *id)
                    .collect();
                if sub_objs.is_empty() {
                    continue;
                }
                match key.rule {
                    Rule::Cascade => self.collect(child, sub_objs),
                    Rule::Protect => self
                        .protected
                        .entry((child, k))
                        .or_default()
                        .extend(sub_objs),
                    Rule::Restrict => self
                        .restricted
                        .entry((child, k))
                        .or_default()
                        .extend(sub_objs),
                    Rule::SetNull => self.update(child, k, None, sub_objs),
                    Rule::SetDefault(value) => self.update(child, k, Some(value), sub_objs),
                    Rule::DoNothing => unreachable!("skipped above"),
                }
            }
        }
    }
}

impl Collector<'_> {
    /// `Collector.add_field_update`: schedules setting key `k` of rows `ids` of `table`.
    fn update(&mut self, table: usize, k: usize, value: Option<i64>, ids: BTreeSet<i64>) {
        for id in ids {
            self.updates.insert((table, id, k), value);
        }
    }
}

/// The blockers of `rows` per (table, key index), as `deletable` lists them.
fn blockers(rows: &BTreeMap<(usize, usize), BTreeSet<i64>>) -> Vec<BlockerView> {
    let mut list: Vec<BlockerView> = rows
        .iter()
        .filter(|(_, ids)| !ids.is_empty())
        .map(|(&(table, k), ids)| {
            let key = &TABLES[table].keys[k];
            (
                TABLES[table].name.to_owned(),
                key.column.to_owned(),
                TABLES[key.parent].name.to_owned(),
                ids.len() as u64,
                ids.iter().take(10).map(i64::to_string).collect(),
            )
        })
        .collect();
    list.sort();
    list
}

/// What Django's `QuerySet.delete()` does to `state` for the rows `roots` of `table`.
fn django_delete(state: &State, table: usize, roots: &[i64]) -> Expected {
    let mut collector = Collector::from_roots(state, table, roots);
    let unchanged = |verdict| Expected {
        verdict,
        after: state.clone(),
        collected: vec![BTreeSet::new(); TABLES.len()],
        restricts_satisfied: BTreeSet::new(),
    };
    if !collector.protected.is_empty() {
        return unchanged(Verdict::Protected(blockers(&collector.protected)));
    }
    let mut restricts_satisfied = BTreeSet::new();
    for (&(child, k), ids) in collector.restricted.iter_mut() {
        let before = ids.len();
        ids.retain(|id| !collector.collected[child].contains(id));
        if ids.len() < before {
            restricts_satisfied.insert(format!(
                "{}.{}",
                TABLES[child].name, TABLES[child].keys[k].column
            ));
        }
    }
    let left = blockers(&collector.restricted);
    if !left.is_empty() {
        return unchanged(Verdict::Restricted(left));
    }
    let mut after = state.clone();
    for ((child, id, k), value) in &collector.updates {
        if let Some(row) = after[*child].get_mut(id) {
            row[*k] = *value;
        }
    }
    let mut counts = BTreeMap::new();
    for (t, ids) in collector.collected.iter().enumerate() {
        for id in ids {
            after[t].remove(id);
        }
        if !ids.is_empty() {
            counts.insert(TABLES[t].name.to_owned(), ids.len() as u64);
        }
    }
    if let Some(dangling) = dangling_reference(&after) {
        return unchanged(Verdict::Database(dangling));
    }
    Expected {
        verdict: Verdict::Deleted(counts),
        after,
        collected: collector.collected,
        restricts_satisfied,
    }
}

/// What a preview must tell of deleting `roots` of `table`, from Django's collector: the rows
/// collected per table, every protect blocker, the restrict blockers no cascade clears, and
/// per (table, column) the rows that survive and whose key changes (`SET_NULL`,
/// `SET_DEFAULT`). All of it whether or not a blocker would stop the delete.
fn django_preview(state: &State, table: usize, roots: &[i64]) -> PreviewView {
    let mut collector = Collector::from_roots(state, table, roots);
    for (&(child, _), ids) in collector.restricted.iter_mut() {
        ids.retain(|id| !collector.collected[child].contains(id));
    }
    let mut updates = BTreeMap::new();
    for (&(child, id, k), value) in &collector.updates {
        let survives = !collector.collected[child].contains(&id);
        if survives && state[child][&id][k] != *value {
            let key = &TABLES[child].keys[k];
            *updates
                .entry((TABLES[child].name.to_owned(), key.column.to_owned()))
                .or_insert(0) += 1;
        }
    }
    PreviewView {
        rows: collector
            .collected
            .iter()
            .enumerate()
            .filter(|(_, ids)| !ids.is_empty())
            .map(|(t, ids)| (TABLES[t].name.to_owned(), ids.len() as u64))
            .collect(),
        updates,
        protected: blockers(&collector.protected),
        restricted: blockers(&collector.restricted),
    }
}

/// A preview's content, comparable with the oracle's.
#[derive(Debug, PartialEq, Eq)]
struct PreviewView {
    rows: BTreeMap<String, u64>,
    updates: BTreeMap<(String, String), u64>,
    protected: Vec<BlockerView>,
    restricted: Vec<BlockerView>,
}

/// A [`Preview`] as a [`PreviewView`].
fn preview_view(preview: &Preview) -> PreviewView {
    let view = |blockers: &[Blocker]| {
        let mut list: Vec<BlockerView> = blockers
            .iter()
            .map(|b| {
                let keys = b.keys.clone();
                (
                    b.table.to_owned(),
                    b.column.to_owned(),
                    b.parent_table.to_owned(),
                    b.count,
                    keys,
                )
            })
            .collect();
        list.sort();
        list
    };
    PreviewView {
        rows: preview
            .rows()
            .per_table()
            .iter()
            .map(|(table, count)| (table.to_string(), *count))
            .collect(),
        updates: preview
            .updates()
            .iter()
            .map(|update| {
                (
                    (update.table.to_owned(), update.column.to_owned()),
                    update.rows,
                )
            })
            .collect(),
        protected: view(preview.protected()),
        restricted: view(preview.restricted()),
    }
}

/// The first reference in `state` to a row that does not exist, described.
fn dangling_reference(state: &State) -> Option<String> {
    for (t, table) in TABLES.iter().enumerate() {
        for (id, row) in &state[t] {
            for (key, value) in table.keys.iter().zip(row) {
                if let Some(parent) = value {
                    if !state[key.parent].contains_key(parent) {
                        return Some(format!(
                            "{}.{} of row {id} would reference the deleted {} row {parent}",
                            table.name, key.column, TABLES[key.parent].name
                        ));
                    }
                }
            }
        }
    }
    None
}

/// `deletable`'s answer, as a [`Verdict`].
fn verdict_of(result: &Result<DeleteReport, DeleteError>) -> Verdict {
    let view = |blockers: &[Blocker]| {
        let mut list: Vec<BlockerView> = blockers
            .iter()
            .map(|b| {
                (
                    b.table.to_owned(),
                    b.column.to_owned(),
                    b.parent_table.to_owned(),
                    b.count,
                    b.keys.clone(),
                )
            })
            .collect();
        list.sort();
        list
    };
    match result {
        Ok(report) => {
            let mut counts = BTreeMap::new();
            for (table, count) in report.per_table() {
                if *count == 0 || counts.insert(table.to_string(), *count).is_some() {
                    return Verdict::Other(format!("malformed report: {report:?}"));
                }
            }
            if counts.values().sum::<u64>() != report.total() {
                return Verdict::Other(format!("report total is not its sum: {report:?}"));
            }
            // Plan order: a cascade's child table is deleted (and listed) before its parent.
            let position = |table: usize| {
                report
                    .per_table()
                    .iter()
                    .position(|(name, _)| *name == TABLES[table].name)
            };
            for (t, table) in TABLES.iter().enumerate() {
                for key in table.keys.iter().filter(|key| key.rule == Rule::Cascade) {
                    if let (Some(child), Some(parent)) = (position(t), position(key.parent)) {
                        if child > parent {
                            return Verdict::Other(format!(
                                "report lists {} before its cascade child {}: {report:?}",
                                TABLES[key.parent].name, table.name
                            ));
                        }
                    }
                }
            }
            Verdict::Deleted(counts)
        }
        Err(DeleteError::Protected { blockers, .. }) => Verdict::Protected(view(blockers)),
        Err(DeleteError::Restricted { blockers, .. }) => Verdict::Restricted(view(blockers)),
        Err(DeleteError::Database(error)) => Verdict::Database(error.to_string()),
        Err(error) => Verdict::Other(error.to_string()),
    }
}

/// One random case: the tables' rows, and which rows of which table to delete.
#[derive(Debug, Clone)]
struct Case {
    state: State,
    table: usize,
    roots: Vec<i64>,
    /// Delete through `delete_where` (a typed filter) instead of `delete_by_ids`.
    by_filter: bool,
    /// Delete through the [`hooked`] models instead of the [`plain`] ones.
    hooked: bool,
}

/// A random row id of a table of `rows` rows (`rows` > 0).
fn pick(rng: &mut Rng, rows: usize) -> i64 {
    1 + rng.below(rows as u64) as i64
}

/// A random key for a self-reference of row `id`: mostly an earlier row, sometimes any row
/// (itself, a later one: loops in the data).
fn pick_self(rng: &mut Rng, id: i64, rows: usize) -> i64 {
    if id > 1 && rng.chance(75) {
        pick(rng, id as usize - 1)
    } else {
        pick(rng, rows)
    }
}

/// `Some(value(rng))` with probability `percent` / 100, else `None`.
fn maybe(rng: &mut Rng, percent: u64, value: impl FnOnce(&mut Rng) -> i64) -> Option<i64> {
    rng.chance(percent).then(|| value(rng))
}

/// `rows` rows with ids `1..=rows`, made by `row`.
fn numbered(rows: usize, row: impl FnMut(i64) -> Row) -> BTreeMap<i64, Row> {
    (1..=rows as i64).zip((1..=rows as i64).map(row)).collect()
}

/// Random tables: mostly a handful of rows, sometimes four times as many (past the ten keys a
/// blocker lists).
fn random_state(rng: &mut Rng) -> State {
    let scale = if rng.chance(15) { 4 } else { 1 };
    let orgs = 1 + rng.below(3) as usize;
    let roles = 1 + rng.below(3) as usize;
    let teams = rng.below(2 + 3 * scale) as usize;
    let some = |rng: &mut Rng, n: u64| if teams == 0 { 0 } else { rng.below(n) as usize };
    let people = some(rng, 1 + 5 * scale);
    let folders = some(rng, 1 + 4 * scale);
    let docs = some(rng, 1 + 6 * scale);
    let pins = if people > 0 && docs > 0 && rng.chance(30) {
        1 + rng.below(2 * scale) as usize
    } else {
        0
    };
    let audits = usize::from(docs > 0 && rng.chance(15));
    let mut state: State = vec![BTreeMap::new(); TABLES.len()];
    state[ORGS] = numbered(orgs, |_| vec![]);
    state[ROLES] = numbered(roles, |_| vec![]);
    state[TEAMS] = numbered(teams, |_| vec![Some(pick(rng, orgs))]);
    state[PEOPLE] = numbered(people, |id| {
        vec![
            Some(pick(rng, teams)),
            Some(pick(rng, roles)),
            maybe(rng, 40, |rng| pick_self(rng, id, people)),
        ]
    });
    state[FOLDERS] = numbered(folders, |id| {
        vec![
            Some(pick(rng, teams)),
            maybe(rng, 50, |rng| pick_self(rng, id, folders)),
            maybe(rng, if people == 0 { 0 } else { 25 }, |rng| {
                pick(rng, people)
            }),
        ]
    });
    state[DOCS] = numbered(docs, |id| {
        let team = pick(rng, teams);
        // Mostly the team's own org (deleting the org then satisfies the team's restrict).
        let org = if rng.chance(75) {
            state[TEAMS][&team][0]
        } else {
            Some(pick(rng, orgs))
        };
        let team_folders: Vec<i64> = state[FOLDERS]
            .iter()
            .filter(|(_, row)| row[0] == Some(team))
            .map(|(id, _)| *id)
            .collect();
        // Mostly a folder of the doc's own team (deleting the team then satisfies its restrict).
        let folder = if folders == 0 || !rng.chance(50) {
            None
        } else if !team_folders.is_empty() && rng.chance(70) {
            Some(team_folders[rng.below(team_folders.len() as u64) as usize])
        } else {
            Some(pick(rng, folders))
        };
        let person = |rng: &mut Rng, percent| {
            maybe(rng, if people == 0 { 0 } else { percent }, |rng| {
                pick(rng, people)
            })
        };
        let author = person(rng, 50);
        let reviewer = person(rng, 10);
        let replaces = maybe(rng, 30, |rng| pick_self(rng, id, docs));
        vec![org, Some(team), folder, author, reviewer, replaces]
    });
    state[PINS] = numbered(pins, |_| {
        vec![Some(pick(rng, docs)), Some(pick(rng, people))]
    });
    state[AUDITS] = numbered(audits, |_| vec![Some(pick(rng, docs))]);
    state
}

/// A random case: tables, a root table and some of its keys (occasionally one that does not
/// exist, or all of them).
fn random_case(rng: &mut Rng) -> Case {
    let state = random_state(rng);
    let table = match rng.below(100) {
        0..25 => ORGS,
        25..45 => TEAMS,
        45..60 => FOLDERS,
        60..72 => PEOPLE,
        72..87 => DOCS,
        87..95 => ROLES,
        _ => PINS,
    };
    let rows = state[table].len();
    let mut roots: Vec<i64> = if rows > 0 && rng.chance(10) {
        state[table].keys().copied().collect()
    } else {
        (0..1 + rng.below(3)).map(|_| pick(rng, rows + 1)).collect()
    };
    roots.sort_unstable();
    roots.dedup();
    Case {
        state,
        table,
        roots,
        by_filter: rng.chance(30),
        hooked: rng.chance(50),
    }
}

/// The SQL that fills the tables with `state`: one `INSERT` per table, rows in key order; a
/// self-reference to a later row (or the row itself) is set by an `UPDATE` once the rows exist.
fn fixtures(state: &State) -> Vec<String> {
    let mut sql = Vec::new();
    let mut later = Vec::new();
    for (t, table) in TABLES.iter().enumerate() {
        if state[t].is_empty() {
            continue;
        }
        let mut columns = vec!["id"];
        columns.extend(table.keys.iter().map(|key| key.column));
        let values: Vec<String> = state[t]
            .iter()
            .map(|(id, row)| {
                let mut values = vec![id.to_string()];
                for (key, value) in table.keys.iter().zip(row) {
                    match value {
                        Some(parent) if key.parent == t && parent >= id => {
                            later.push(format!(
                                "UPDATE {} SET {} = {parent} WHERE id = {id}",
                                table.name, key.column
                            ));
                            values.push("NULL".to_owned());
                        }
                        Some(parent) => values.push(parent.to_string()),
                        None => values.push("NULL".to_owned()),
                    }
                }
                format!("({})", values.join(", "))
            })
            .collect();
        sql.push(format!(
            "INSERT INTO {} ({}) VALUES {}",
            table.name,
            columns.join(", "),
            values.join(", ")
        ));
    }
    sql.extend(later);
    sql
}

/// Replaces every table's rows with `state`, in one transaction: the tables emptied
/// (self-references cleared first: InnoDB checks them row by row), then [`fixtures`].
fn load<D: TestDb>(db: &mut D, state: &State) {
    let mut sql = vec!["BEGIN".to_owned()];
    for (t, table) in TABLES.iter().enumerate() {
        for key in table.keys.iter().filter(|key| key.parent == t) {
            sql.push(format!("UPDATE {} SET {} = NULL", table.name, key.column));
        }
    }
    for table in TABLES.iter().rev() {
        sql.push(format!("DELETE FROM {}", table.name));
    }
    sql.extend(fixtures(state));
    sql.push("COMMIT".to_owned());
    db.exec(&sql.join(";\n"));
}

/// Every table's rows, read back from the database.
fn read_state<D: TestDb>(db: &mut D) -> State {
    TABLES
        .iter()
        .map(|table| {
            let mut rows: BTreeMap<i64, Row> = db
                .ids(table.name)
                .into_iter()
                .map(|id| (id, vec![None; table.keys.len()]))
                .collect();
            for (k, key) in table.keys.iter().enumerate() {
                let query = format!(
                    "SELECT id AS a, {} AS b FROM {} ORDER BY id",
                    key.column, table.name
                );
                for (id, value) in db.pairs(&query) {
                    rows.get_mut(&id).expect("the rows did not change")[k] = value;
                }
            }
            rows
        })
        .collect()
}

/// How the tables differ: rows missing, unexpected or different, per table.
fn state_diff(expected: &State, got: &State) -> String {
    let mut out = String::new();
    for (t, table) in TABLES.iter().enumerate() {
        let ids: BTreeSet<&i64> = expected[t].keys().chain(got[t].keys()).collect();
        for id in ids {
            let (want, have) = (expected[t].get(id), got[t].get(id));
            if want != have {
                writeln!(
                    out,
                    "  {} row {id}: expected {}, got {}",
                    table.name,
                    describe_row(table, want),
                    describe_row(table, have)
                )
                .unwrap();
            }
        }
    }
    out
}

/// A row as `(org_id = 1, team_id = NULL)`, or `absent`.
fn describe_row(table: &Table, row: Option<&Row>) -> String {
    let Some(row) = row else {
        return "absent".to_owned();
    };
    let values: Vec<String> = table
        .keys
        .iter()
        .zip(row)
        .map(|(key, value)| {
            let value = value.map_or_else(|| "NULL".to_owned(), |value| value.to_string());
            format!("{} = {value}", key.column)
        })
        .collect();
    format!("({})", values.join(", "))
}

/// The deletion under test: `deletable` deleting `keys` of the table at this index of
/// [`TABLES`], by ids or by a typed filter, through the [`hooked`] models or the [`plain`] ones.
/// With [`DeleteOptions::chunked`], in chunked mode.
type DeleteFn<C> =
    fn(&mut C, usize, &[i32], bool, bool, &DeleteOptions) -> Result<DeleteReport, DeleteError>;

/// A disagreement between the oracle and `deletable` on one case.
struct Disagreement {
    /// The expected and the actual verdict's kinds, whether the tables agree and whether the
    /// hooks do: shrinking keeps a case only while this stays the same.
    signature: (&'static str, &'static str, bool, bool),
    description: String,
}

/// Loads `case`, deletes its roots with `deletable` and compares everything with the oracle.
/// In chunked mode (`options.chunk_size`) a database error stops the delete after the chunks
/// it committed: the tables are then not compared.
fn check<D: TestDb>(
    db: &mut D,
    delete: DeleteFn<D::Conn>,
    case: &Case,
    options: &DeleteOptions,
) -> (Expected, Result<(), Disagreement>) {
    load(db, &case.state);
    let expected = django_delete(&case.state, case.table, &case.roots);
    let keys: Vec<i32> = case.roots.iter().map(|&id| id as i32).collect();
    take_hook_log();
    let result = delete(
        db.conn(),
        case.table,
        &keys,
        case.by_filter,
        case.hooked,
        options,
    );
    let hooks = hook_disagreement(&expected, case.hooked, &take_hook_log());
    let got = verdict_of(&result);
    let after = read_state(db);
    let verdicts_agree = expected.verdict.agrees_with(&got);
    let partial = options.chunk_size.is_some() && matches!(expected.verdict, Verdict::Database(_));
    let tables_agree = after == expected.after || partial;
    if verdicts_agree && tables_agree && hooks.is_none() {
        return (expected, Ok(()));
    }
    let mut description = String::new();
    if !verdicts_agree {
        writeln!(
            description,
            "expected (Django): {:?}\ngot (deletable):   {:?}",
            expected.verdict, got
        )
        .unwrap();
        if let Err(error) = &result {
            writeln!(description, "deletable's error: {error}").unwrap();
        }
    }
    if !tables_agree {
        writeln!(
            description,
            "tables differ from the oracle's{}:\n{}",
            if expected.verdict.kind() == "deleted" {
                ""
            } else {
                " (the delete failed: nothing may change)"
            },
            state_diff(&expected.after, &after)
        )
        .unwrap();
    }
    if let Some(hooks) = &hooks {
        writeln!(
            description,
            "hooks disagree with Django's signals:\n{hooks}"
        )
        .unwrap();
    }
    let signature = (
        expected.verdict.kind(),
        got.kind(),
        tables_agree,
        hooks.is_none(),
    );
    (
        expected,
        Err(Disagreement {
            signature,
            description,
        }),
    )
}

/// How the keys the hooks were handed differ from the rows Django sends `pre_delete` and
/// `post_delete` for: every deleted row of a hooked table, each once, and none when collection
/// fails (`ProtectedError`, `RestrictedError`). Not compared after a database error, when
/// Django, too, has sent some signals before the database refused.
fn hook_disagreement(expected: &Expected, hooked: bool, log: &[HookCall]) -> Option<String> {
    if !hooked {
        // The plain models have no hooks.
        return (!log.is_empty()).then(|| format!("  hooks ran for the plain models: {log:?}"));
    }
    if matches!(expected.verdict, Verdict::Database(_)) {
        return None;
    }
    let mut out = String::new();
    for table in HOOKED {
        let want: Vec<i64> = expected.collected[table].iter().copied().collect();
        for after in [false, true] {
            let mut got: Vec<i64> = log
                .iter()
                .filter(|call| call.0 == table && call.1 == after)
                .map(|call| call.2)
                .collect();
            got.sort_unstable();
            let hook = if after {
                "after_delete"
            } else {
                "before_delete"
            };
            if got != want {
                writeln!(
                    out,
                    "  {hook} of {}: expected keys {want:?}, got {got:?}",
                    TABLES[table].name
                )
                .unwrap();
            }
        }
    }
    (!out.is_empty()).then_some(out)
}

/// `state` without row `id` of `table` and, transitively, every row referencing it.
fn without_row(state: &State, table: usize, id: i64) -> State {
    let mut state = state.clone();
    let mut gone = vec![(table, id)];
    while let Some((table, id)) = gone.pop() {
        if state[table].remove(&id).is_none() {
            continue;
        }
        for (child, child_table) in TABLES.iter().enumerate() {
            for (k, key) in child_table.keys.iter().enumerate() {
                if key.parent == table {
                    gone.extend(
                        state[child]
                            .iter()
                            .filter(|(_, row)| row[k] == Some(id))
                            .map(|(child_id, _)| (child, *child_id)),
                    );
                }
            }
        }
    }
    state
}

/// Smaller variants of `case`: a root fewer, a row (with what references it) fewer, a nullable
/// key set to NULL.
fn smaller(case: &Case) -> Vec<Case> {
    let mut out = Vec::new();
    for i in 0..case.roots.len() {
        let mut roots = case.roots.clone();
        roots.remove(i);
        out.push(Case {
            roots,
            ..case.clone()
        });
    }
    for (t, table) in TABLES.iter().enumerate().rev() {
        for (&id, row) in &case.state[t] {
            out.push(Case {
                state: without_row(&case.state, t, id),
                ..case.clone()
            });
            for (k, key) in table.keys.iter().enumerate() {
                if key.nullable && row[k].is_some() {
                    let mut state = case.state.clone();
                    state[t].get_mut(&id).expect("the row exists")[k] = None;
                    out.push(Case {
                        state,
                        ..case.clone()
                    });
                }
            }
        }
    }
    out
}

/// Shrinks a failing case greedily while it fails the same way.
fn shrink<D: TestDb>(
    db: &mut D,
    delete: DeleteFn<D::Conn>,
    options: &DeleteOptions,
    mut case: Case,
) -> Case {
    let signature = |db: &mut D, case: &Case| {
        check(db, delete, case, options)
            .1
            .err()
            .map(|d| d.signature)
    };
    let wanted = signature(db, &case);
    'smaller: loop {
        for candidate in smaller(&case) {
            if signature(db, &candidate) == wanted {
                case = candidate;
                continue 'smaller;
            }
        }
        return case;
    }
}

/// The case, as a reader replays it.
fn describe_case(case: &Case) -> String {
    let method = match (case.by_filter, case.hooked) {
        (false, false) => "delete_by_ids",
        (true, false) => "delete_where(id IN ...)",
        (false, true) => "delete_by_ids, hooked models",
        (true, true) => "delete_where(id IN ...), hooked models",
    };
    format!(
        "deleting {} {:?} ({method}) from:\n  {}",
        TABLES[case.table].name,
        case.roots,
        fixtures(&case.state).join(";\n  ")
    )
}

/// The number of `restrict` keys of [`TABLES`].
const RESTRICT_KEYS: usize = 3;

/// How many cases of each kind a run saw, to show (and check) that it covers every rule.
#[derive(Debug, Default)]
struct Tally {
    deleted: usize,
    protected: usize,
    restricted: usize,
    database: usize,
    /// Per `restrict` key: the deletes that succeeded although rows referenced the deleted rows
    /// through it (every one of them was collected too).
    restrict_satisfied: BTreeMap<String, usize>,
    /// Cases run through the hooked models.
    hooked: usize,
}

/// The rows a hooked model reads a batch (its `batch_size` in [`hooked`]).
const HOOK_BATCH: usize = 2;

/// The index of `column` among the foreign keys of `table`.
fn key_index(table: usize, column: &str) -> usize {
    TABLES[table]
        .keys
        .iter()
        .position(|key| key.column == column)
        .expect("a foreign key of the table")
}

/// Runs `cases` random cases from `DELETABLE_SEED` (or a random base seed) on `D`.
/// Runs `cases` random cases; `chunked`, each in chunked mode with chunks of 1 to 3 rows.
fn run<D: TestDb>(
    delete: DeleteFn<D::Conn>,
    cases: u64,
    chunked: bool,
    migrated: Option<&'static deletable::Plan>,
) {
    let Some(mut db) = D::open(&schema_sql()) else {
        return;
    };
    if let Some(plan) = migrated {
        // The rules declared in the database as `Plan::migration` writes them for `plan`'s
        // models.
        let migration = plan.migration(db.conn()).unwrap();
        println!("{}: the migration\n{}", D::BACKEND, migration.up());
        assert!(!migration.is_empty());
        run_migration(&mut db, &migration, migration.up());
        let findings = plan.verify(db.conn()).unwrap();
        assert!(findings.is_empty(), "{findings:?}\n{migration}");
    }
    let base = base_seed();
    println!("{}: {cases} cases from DELETABLE_SEED={base}", D::BACKEND);
    let started = std::time::Instant::now();
    let mut tally = Tally::default();
    for n in 0..cases {
        let seed = base.wrapping_add(n);
        let case = random_case(&mut Rng::new(seed));
        let options = match chunked {
            true => DeleteOptions::chunked(1 + (seed % 3) as usize),
            false => DeleteOptions::default(),
        };
        tally.hooked += usize::from(case.hooked);
        let (expected, outcome) = check(&mut db, delete, &case, &options);
        if let Err(disagreement) = outcome {
            let small = shrink(&mut db, delete, &options, case.clone());
            let (_, small_outcome) = check(&mut db, delete, &small, &options);
            let small_description = small_outcome
                .err()
                .map_or_else(String::new, |d| d.description);
            panic!(
                "{}: case seed {seed} (replay with DELETABLE_SEED={seed}): deletable disagrees \
                 with Django's collector{}\n{}\n{}\nshrunk to {}\n{}",
                D::BACKEND,
                options
                    .chunk_size
                    .map_or_else(String::new, |size| format!(" in chunks of {size}")),
                describe_case(&case),
                disagreement.description,
                describe_case(&small),
                small_description,
            );
        }
        match expected.verdict {
            Verdict::Deleted(_) => {
                tally.deleted += 1;
                for key in expected.restricts_satisfied {
                    *tally.restrict_satisfied.entry(key).or_default() += 1;
                }
            }
            Verdict::Protected(_) => tally.protected += 1,
            Verdict::Restricted(_) => tally.restricted += 1,
            Verdict::Database(_) => tally.database += 1,
            Verdict::Other(_) => unreachable!("the oracle gives no other verdict"),
        }
    }
    println!("{}: {tally:?} in {:.1?}", D::BACKEND, started.elapsed());
    if cases >= 200 {
        assert!(
            tally.deleted > 0
                && tally.protected > 0
                && tally.restricted > 0
                && tally.database > 0
                && tally.restrict_satisfied.len() == RESTRICT_KEYS,
            "the random cases missed a rule: {tally:?}"
        );
    }
}

/// A preview of deleting `keys` of the table at `table` in [`TABLES`]: `(by_filter, hooked)`.
type PreviewFn<C> = fn(&mut C, usize, &[i32], (bool, bool)) -> Result<Preview, DeleteError>;

/// Runs `cases` random cases: each one's preview must tell what Django's collector collects,
/// blocks and updates, change nothing and run no hook; the delete run right after it must
/// report the preview's counts, in its order, or fail with its blockers.
fn run_previews<D: TestDb>(preview: PreviewFn<D::Conn>, delete: DeleteFn<D::Conn>, cases: u64) {
    let Some(mut db) = D::open(&schema_sql()) else {
        return;
    };
    let base = base_seed();
    println!(
        "{}: {cases} previews from DELETABLE_SEED={base}",
        D::BACKEND
    );
    let (mut blocked, mut updated) = (0, 0);
    for n in 0..cases {
        let seed = base.wrapping_add(n);
        let case = random_case(&mut Rng::new(seed));
        let replay = format!(
            "{}: case seed {seed} (replay with DELETABLE_SEED={seed})\n{}",
            D::BACKEND,
            describe_case(&case)
        );
        load(&mut db, &case.state);
        let keys: Vec<i32> = case.roots.iter().map(|&id| id as i32).collect();
        take_hook_log();
        let flags = (case.by_filter, case.hooked);
        let got = preview(db.conn(), case.table, &keys, flags)
            .unwrap_or_else(|error| panic!("{replay}\nthe preview failed: {error}"));
        assert_eq!(
            take_hook_log(),
            Vec::new(),
            "{replay}\na hook ran in a preview"
        );
        let after = read_state(&mut db);
        assert!(
            after == case.state,
            "{replay}\nthe preview changed the tables:\n{}",
            state_diff(&case.state, &after)
        );
        let expected = django_preview(&case.state, case.table, &case.roots);
        assert_eq!(
            preview_view(&got),
            expected,
            "{replay}\npreview (left) against Django's collector (right)"
        );
        blocked += usize::from(got.is_blocked());
        updated += usize::from(!got.updates().is_empty());

        let options = DeleteOptions::default();
        let result = delete(
            db.conn(),
            case.table,
            &keys,
            case.by_filter,
            case.hooked,
            &options,
        );
        take_hook_log();
        match result {
            Ok(report) => {
                assert!(
                    !got.is_blocked(),
                    "{replay}\nthe preview was blocked, the delete was not"
                );
                assert_eq!(
                    report.per_table(),
                    got.rows().per_table(),
                    "{replay}\nreport against preview"
                );
            }
            Err(DeleteError::Protected { blockers, .. }) => {
                assert_eq!(
                    blockers,
                    got.protected(),
                    "{replay}\nprotect blockers against preview"
                );
            }
            Err(DeleteError::Restricted { blockers, .. }) => {
                assert!(got.protected().is_empty(), "{replay}");
                assert_eq!(
                    blockers,
                    got.restricted(),
                    "{replay}\nrestrict blockers against preview"
                );
            }
            // A dangling `do_nothing` or `set_default` reference: the database refuses what
            // no rule of the models foresaw.
            Err(DeleteError::Database(_)) => {
                assert!(
                    !got.is_blocked(),
                    "{replay}\nthe preview was blocked, the delete failed otherwise"
                );
            }
            Err(error) => panic!("{replay}\nthe delete failed: {error}"),
        }
    }
    println!(
        "{}: {cases} previews, {blocked} blocked, {updated} with updates",
        D::BACKEND
    );
    if cases >= 100 {
        assert!(
            blocked > 0 && updated > 0 && blocked < cases as usize,
            "the random cases missed a kind"
        );
    }
}

/// The first case's seed: `DELETABLE_SEED`, or a random one.
fn base_seed() -> u64 {
    match std::env::var("DELETABLE_SEED") {
        Ok(seed) => seed.parse().expect("DELETABLE_SEED is a number"),
        Err(_) => std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(1, |elapsed| elapsed.as_nanos() as u64),
    }
}

/// The number of cases to run: `DELETABLE_CASES`, or `default`.
fn cases(default: u64) -> u64 {
    std::env::var("DELETABLE_CASES").map_or(default, |cases| {
        cases.parse().expect("DELETABLE_CASES is a number")
    })
}

/// Deletes `keys` of a model: `delete_where` on its `id` column when `by_filter`, else
/// `delete_by_ids`.
macro_rules! delete_through {
    ($model:ty, $table:ident, $keys:expr, $by_filter:expr, $options:expr, $conn:expr) => {
        if $by_filter {
            <$model>::delete_where_with($table::id.eq_any($keys.to_vec()), $options, $conn)
        } else {
            <$model>::delete_by_ids_with($keys, $options, $conn)
        }
    };
}

/// A case written out: `rows` as (table, id, foreign key values), the roots of `table`.
fn pinned(
    rows: &[(usize, i64, &[Option<i64>])],
    table: usize,
    roots: &[i64],
    hooked: bool,
) -> Case {
    let mut state: State = vec![BTreeMap::new(); TABLES.len()];
    for (t, id, row) in rows {
        state[*t].insert(*id, row.to_vec());
    }
    Case {
        state,
        table,
        roots: roots.to_vec(),
        by_filter: false,
        hooked,
    }
}

/// Runs one written-out case on `D` and fails with the disagreement, if any.
fn assert_agrees<D: TestDb>(delete: DeleteFn<D::Conn>, case: &Case) {
    let Some(mut db) = D::open(&schema_sql()) else {
        return;
    };
    if let Err(disagreement) = check(&mut db, delete, case, &DeleteOptions::default()).1 {
        panic!(
            "{}: deletable disagrees with Django's collector\n{}\n{}",
            D::BACKEND,
            describe_case(case),
            disagreement.description
        );
    }
}

/// Previews deleting `keys` of a model: `preview_delete_where` on its `id` column when
/// `by_filter`, else `preview_delete_by_ids`.
macro_rules! preview_through {
    ($model:ty, $table:ident, $keys:expr, $by_filter:expr, $conn:expr) => {
        if $by_filter {
            <$model>::preview_delete_where($table::id.eq_any($keys.to_vec()), $conn)
        } else {
            <$model>::preview_delete_by_ids($keys, $conn)
        }
    };
}

/// Previews deleting `keys` of the table at `table` in [`TABLES`] through its model in
/// `$models`.
macro_rules! dispatch_preview {
    ($models:ident, $table:expr, $keys:expr, $by_filter:expr, $conn:expr) => {
        match $table {
            ORGS => preview_through!($models::Org, orgs, $keys, $by_filter, $conn),
            ROLES => preview_through!($models::Role, roles, $keys, $by_filter, $conn),
            TEAMS => preview_through!($models::Team, teams, $keys, $by_filter, $conn),
            PEOPLE => preview_through!($models::Person, people, $keys, $by_filter, $conn),
            FOLDERS => preview_through!($models::Folder, folders, $keys, $by_filter, $conn),
            DOCS => preview_through!($models::Doc, docs, $keys, $by_filter, $conn),
            PINS => preview_through!($models::Pin, pins, $keys, $by_filter, $conn),
            AUDITS => preview_through!($models::Audit, audits, $keys, $by_filter, $conn),
            table => unreachable!("no table {table}"),
        }
    };
}

/// Deletes `keys` of the table at `table` in [`TABLES`] through its model in `$models`.
macro_rules! dispatch {
    ($models:ident, $table:expr, $keys:expr, $by_filter:expr, $options:expr, $conn:expr) => {
        match $table {
            ORGS => delete_through!($models::Org, orgs, $keys, $by_filter, $options, $conn),
            ROLES => delete_through!($models::Role, roles, $keys, $by_filter, $options, $conn),
            TEAMS => delete_through!($models::Team, teams, $keys, $by_filter, $options, $conn),
            PEOPLE => delete_through!($models::Person, people, $keys, $by_filter, $options, $conn),
            FOLDERS => {
                delete_through!($models::Folder, folders, $keys, $by_filter, $options, $conn)
            }
            DOCS => delete_through!($models::Doc, docs, $keys, $by_filter, $options, $conn),
            PINS => delete_through!($models::Pin, pins, $keys, $by_filter, $options, $conn),
            AUDITS => delete_through!($models::Audit, audits, $keys, $by_filter, $options, $conn),
            table => unreachable!("no table {table}"),
        }
    };
}

backends! {
    /// `deletable`'s delete of `keys` of the table at `table` in [`TABLES`].
    fn delete(
        conn: &mut <Db as TestDb>::Conn,
        table: usize,
        keys: &[i32],
        by_filter: bool,
        hooked: bool,
        options: &DeleteOptions,
    ) -> Result<DeleteReport, DeleteError> {
        if hooked {
            dispatch!(hooked, table, keys, by_filter, options, conn)
        } else {
            dispatch!(plain, table, keys, by_filter, options, conn)
        }
    }

    /// `deletable`'s preview of deleting `keys` of the table at `table` in [`TABLES`].
    fn preview(
        conn: &mut <Db as TestDb>::Conn,
        table: usize,
        keys: &[i32],
        (by_filter, hooked): (bool, bool),
    ) -> Result<Preview, DeleteError> {
        if hooked {
            dispatch_preview!(hooked, table, keys, by_filter, conn)
        } else {
            dispatch_preview!(plain, table, keys, by_filter, conn)
        }
    }

    /// Previews tell what Django's collector collects, blocks and updates, and what the
    /// delete then does.
    #[test]
    fn previews_match_djangos_collector() {
        let default = if <Db as TestDb>::BACKEND == "sqlite" { 300 } else { 100 };
        run_previews::<Db>(preview, delete, cases(default));
    }

    /// A hooked tree whose data loops (1 -> 3 -> 2 -> 1 by `parent_id`): deleting folder 1
    /// must delete the whole loop, as Django's collector does.
    #[test]
    fn hooked_tree_loop_is_deleted_whole() {
        let case = pinned(
            &[
                (ORGS, 1, &[]),
                (TEAMS, 1, &[Some(1)]),
                (FOLDERS, 1, &[Some(1), Some(3), None]),
                (FOLDERS, 2, &[Some(1), Some(1), None]),
                (FOLDERS, 3, &[Some(1), Some(2), None]),
            ],
            FOLDERS,
            &[1],
            true,
        );
        assert_agrees::<Db>(delete, &case);
    }

    /// Docs 1, 2 and 3 deleted together by a hooked model read two rows a batch, doc 3 replacing
    /// doc 2 (`restrict`): Django deletes all three.
    #[test]
    fn hooked_restrict_self_reference_deleted_together() {
        let doc = |replaces| [Some(1), Some(1), None, None, None, replaces];
        let case = pinned(
            &[
                (ORGS, 1, &[]),
                (TEAMS, 1, &[Some(1)]),
                (DOCS, 1, &doc(None)),
                (DOCS, 2, &doc(None)),
                (DOCS, 3, &doc(Some(2))),
            ],
            DOCS,
            &[1, 2, 3],
            true,
        );
        assert_agrees::<Db>(delete, &case);
    }

    /// A doc replacing itself (`restrict` self-reference), deleted by a hooked model: Django
    /// deletes it.
    #[test]
    fn hooked_doc_replacing_itself() {
        let case = pinned(
            &[
                (ORGS, 1, &[]),
                (TEAMS, 1, &[Some(1)]),
                (DOCS, 1, &[Some(1), Some(1), None, None, None, Some(1)]),
            ],
            DOCS,
            &[1],
            true,
        );
        assert_agrees::<Db>(delete, &case);
    }

    #[test]
    fn deletable_matches_djangos_collector() {
        let default = if <Db as TestDb>::BACKEND == "sqlite" { 300 } else { 100 };
        run::<Db>(delete, cases(default), false, None);
    }

    /// The same cases in chunked mode: the same verdicts, blockers, reports, hook calls and
    /// tables (but after a database error, which stops a chunked delete with the chunks before
    /// it committed).
    /// The same cases once the database declares the rules itself (`Plan::migration` of the
    /// models with hooks applied, which leaves the hooked tables to `deletable`): the same
    /// verdicts, blockers, reports, hook calls and tables.
    #[test]
    fn deletable_matches_djangos_collector_after_the_migration() {
        let default = if <Db as TestDb>::BACKEND == "sqlite" { 300 } else { 100 };
        run::<Db>(delete, cases(default), false, Some(hooked::Org::plan()));
    }

    /// The same after the migration of the models without hooks, which cascades into the
    /// tables the other copy hooks: its deletes must still hand every row to the hooks.
    #[test]
    fn deletable_matches_djangos_collector_after_the_migration_without_hooks() {
        let default = if <Db as TestDb>::BACKEND == "sqlite" { 300 } else { 100 };
        run::<Db>(delete, cases(default), false, Some(plain::Org::plan()));
    }

    #[test]
    fn chunked_mode_matches_djangos_collector() {
        let default = if <Db as TestDb>::BACKEND == "sqlite" { 300 } else { 100 };
        run::<Db>(delete, cases(default), true, None);
    }
}
