//! A model's delete plan: which tables a delete reaches, through which foreign keys, and the
//! statements in the order they run. Built at compile time by [`crate::planner`]; read by the
//! statement builder and printed by `Display`.

use std::fmt;

use crate::model::{Action, ForeignKey, ModelMeta, Rule};

/// The compile-time plan of a delete of one model's rows.
///
/// `Display` prints the cascade tree; `{:#}` adds the statements in execution order.
///
/// ```
/// # #[cfg(feature = "sqlite")] {
/// use deletable::Deletable;
/// # mod schema {
/// #     diesel::table! { users (id) { id -> Integer, } }
/// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
/// # }
/// # use schema::*;
///
/// #[derive(Deletable)]
/// #[diesel(table_name = users)]
/// struct User { id: i32 }
///
/// #[derive(Deletable)]
/// #[diesel(table_name = posts)]
/// struct Post {
///     id: i32,
///     #[on_delete(cascade, references = User)]
///     user_id: i32,
/// }
///
/// deletable::schema!(User, Post);
///
/// assert_eq!(User::plan().to_string(), "users\n└── posts.user_id (cascade)\n");
/// # }
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Plan {
    /// Every model of the schema the plan was built from.
    pub(crate) models: &'static [&'static ModelMeta],
    /// The tables whose rows the delete removes, in execution order: children before parents.
    /// The last node is the root (the model being deleted).
    pub(crate) nodes: &'static [Node],
    /// The cascade edges into each node, sliced by `Node::vias`.
    pub(crate) vias: &'static [Via],
    /// The statements, in execution order: every check first, then updates and deletes.
    pub(crate) steps: &'static [Step],
    /// Every plan of the schema, so that a chunked delete can run the plan of a node's own
    /// model on a chunk of its rows.
    pub(crate) schema: SchemaPlans,
}

/// The plans of a schema, one per model; its `Debug` does not print them (each holds this).
#[derive(Clone, Copy)]
pub(crate) struct SchemaPlans(pub(crate) &'static [Plan]);

impl fmt::Debug for SchemaPlans {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SchemaPlans({} plans)", self.0.len())
    }
}

/// A table whose rows the delete removes.
#[derive(Debug, Clone, Copy)]
pub struct Node {
    /// Index of the model in `Plan::models`.
    pub model: usize,
    /// The range of `Plan::vias` holding the cascade edges by which rows of this table are
    /// reached; empty for the root.
    pub vias: (usize, usize),
    /// The `tree` foreign key of the node's table: the rows reached are extended to their whole
    /// subtrees.
    pub tree: Option<&'static str>,
}

/// A cascade edge into a node: rows of the node's table whose `column` references a row of the
/// `parent` node are deleted.
#[derive(Debug, Clone, Copy)]
pub struct Via {
    /// The SQL name of the foreign key column.
    pub column: &'static str,
    /// Index of the parent node in `Plan::nodes`.
    pub parent: usize,
}

/// Which kind of blocking edge a [`Step::Check`] verifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum CheckKind {
    /// `on_delete(protect)`: any referencing row blocks.
    Protect,
    /// `on_delete(restrict)`: a referencing row blocks unless the same delete removes it.
    Restrict,
}

/// One statement of the plan.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Step {
    /// Count the rows of `model` whose foreign key `fk` references rows of node `parent`; for a
    /// restrict edge, rows that node `child_node` deletes anyway do not count.
    Check {
        /// Protect or restrict.
        kind: CheckKind,
        /// Index of the referencing model in `Plan::models`.
        model: usize,
        /// Index of the foreign key in that model's [`ModelMeta::foreign_keys`].
        fk: usize,
        /// Index of the referenced node in `Plan::nodes`.
        parent: usize,
        /// Index of the referencing model's own node, when the delete reaches it.
        child_node: Option<usize>,
    },
    /// Set the foreign key `fk` of `model` to `NULL` or its default where it references rows of
    /// node `parent`.
    Update {
        /// Index of the referencing model in `Plan::models`.
        model: usize,
        /// Index of the foreign key in that model's [`ModelMeta::foreign_keys`].
        fk: usize,
        /// Index of the referenced node in `Plan::nodes`.
        parent: usize,
    },
    /// Set the nullable `restrict` or `do_nothing` foreign key `fk` of a node's rows to `NULL`
    /// before the rows it references go: they go earlier in the same delete (the key closes a
    /// loop through the node's cascades), and a constraint checked immediately would fail.
    Detach {
        /// Index of the referencing node in `Plan::nodes`.
        node: usize,
        /// Index of the foreign key in that node's model's [`ModelMeta::foreign_keys`].
        fk: usize,
    },
    /// Delete the rows of a node.
    Delete {
        /// Index of the node in `Plan::nodes`.
        node: usize,
    },
}

impl Plan {
    /// The node of the model being deleted.
    pub(crate) fn root(&self) -> usize {
        self.nodes.len() - 1
    }

    /// The plan of a node's own model: a delete of some of the node's rows, with everything
    /// they cascade to.
    pub(crate) fn node_plan(&self, node: usize) -> &'static Plan {
        crate::planner::plan_of(self.schema.0, self.node_model(node).table)
    }

    /// The model of a node.
    pub(crate) fn node_model(&self, node: usize) -> &'static ModelMeta {
        self.models[self.nodes[node].model]
    }

    /// The cascade edges into a node.
    pub(crate) fn node_vias(&self, node: usize) -> &'static [Via] {
        let (start, end) = self.nodes[node].vias;
        &self.vias[start..end]
    }

    /// The node whose rows are those of model `model`, if the plan deletes from its table.
    pub(crate) fn node_of_model(&self, model: usize) -> Option<usize> {
        (0..self.nodes.len()).find(|&node| self.nodes[node].model == model)
    }

    /// The foreign key `fk` of model `model`.
    pub(crate) fn foreign_key(&self, model: usize, fk: usize) -> &'static ForeignKey {
        &self.models[model].foreign_keys[fk]
    }

    /// How many times the root keys appear in the largest statement of the plan: a diamond
    /// reaches the root by two paths, a restrict check by the parent's and the child's, the
    /// count of a loop's rows by the referencing and the referenced node's, a preview's count
    /// of an update's rows by the parent's and, where its table is deleted from too, its own.
    pub(crate) fn root_references(&self) -> usize {
        self.steps
            .iter()
            .map(|step| match *step {
                Step::Check {
                    parent, child_node, ..
                } => {
                    self.paths_to_root(parent)
                        + child_node.map_or(0, |node| self.paths_to_root(node))
                }
                Step::Update { model, parent, .. } => {
                    let own = self.node_of_model(model);
                    self.paths_to_root(parent) + own.map_or(0, |node| self.paths_to_root(node))
                }
                Step::Detach { node, .. } => self.paths_to_root(node),
                Step::Delete { node } => self.paths_to_root(node),
            })
            .max()
            .unwrap_or(0)
            .max(
                self.restore_checks()
                    .map(|(node, fk)| self.restore_check_references(node, fk))
                    .max()
                    .unwrap_or(0),
            )
            .max(
                (0..self.nodes.len())
                    .flat_map(|node| {
                        self.loops_into(node, true).map(move |(referencing, _)| {
                            self.paths_to_root(referencing) + self.paths_to_root(node)
                        })
                    })
                    .max()
                    .unwrap_or(0),
            )
    }

    /// The foreign keys a restore checks, as (node, foreign key of its model): for each node
    /// it reaches, each foreign key to a soft-deletable table, but the one edge every row of a
    /// node is reached through (its parent comes back with it).
    pub(crate) fn restore_checks(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        (0..self.nodes.len())
            .filter(|&node| self.soft_delete_reaches(node))
            .flat_map(move |node| {
                let vias = self.node_vias(node);
                let root = node == self.root();
                self.node_model(node)
                    .foreign_keys
                    .iter()
                    .enumerate()
                    .filter(move |(_, fk)| {
                        let soft_parent = self.models.iter().any(|model| {
                            model.table == fk.parent_table && model.soft_delete.is_some()
                        });
                        let only_via = !root && matches!(vias, [via] if via.column == fk.column);
                        soft_parent && !only_via
                    })
                    .map(move |(fk, _)| (node, fk))
            })
    }

    /// The nodes of a table a restore brings rows back to.
    pub(crate) fn restored_nodes_of<'t>(
        &'t self,
        table: &'t str,
    ) -> impl Iterator<Item = usize> + 't {
        (0..self.nodes.len()).filter(move |&node| {
            self.node_model(node).table == table && self.soft_delete_reaches(node)
        })
    }

    /// How many times a restore check reads the root keys: the checked rows, and the parents
    /// that come back in the same call (they do not block).
    fn restore_check_references(&self, node: usize, fk: usize) -> usize {
        let parent_table = self.node_model(node).foreign_keys[fk].parent_table;
        self.paths_to_root(node)
            + self
                .restored_nodes_of(parent_table)
                .map(|parent| self.paths_to_root(parent))
                .sum::<usize>()
    }

    /// The most bind parameters a statement of the plan carries besides the root keys: a
    /// soft-delete mark or a `set_default` value (one), or a hooked batch's keyset cursor (a
    /// key), never both.
    pub(crate) fn binds_besides_root_keys(&self) -> usize {
        (0..self.nodes.len())
            .map(|node| self.node_model(node).primary_key.len())
            .max()
            .unwrap_or(0)
            .max(1)
    }

    fn paths_to_root(&self, node: usize) -> usize {
        if node == self.root() {
            return 1;
        }
        self.node_vias(node)
            .iter()
            .map(|via| self.paths_to_root(via.parent))
            .sum()
    }

    /// The `NOT NULL` `restrict` and `do_nothing` keys that reference node `node`'s table from
    /// a node the delete removes after it, as `(referencing node, foreign key)`; with
    /// `own_table`, also those from the node's own table (for backends that check foreign keys
    /// row by row). Unlike nullable ones, which a [`Step::Detach`] clears, only a deferred
    /// constraint lets their rows go.
    pub(crate) fn loops_into(
        &self,
        node: usize,
        own_table: bool,
    ) -> impl Iterator<Item = (usize, usize)> + '_ {
        let table = self.node_model(node).table;
        (node..self.nodes.len())
            .filter(move |&referencing| referencing > node || own_table)
            .flat_map(move |referencing| {
                let model = self.node_model(referencing);
                model
                    .foreign_keys
                    .iter()
                    .enumerate()
                    .filter(move |(_, fk)| {
                        fk.parent_table == table
                            && !fk.nullable
                            && !fk.tree
                            && matches!(fk.rule, Rule::Restrict | Rule::DoNothing)
                    })
                    .map(move |(fk, _)| (referencing, fk))
            })
    }

    /// The tables from node `from` down its cascade edges to node `to`, both ends included:
    /// `[from, to]` when no cascade leads there, or when they are one node.
    pub(crate) fn cascade_path(&self, from: usize, to: usize) -> Vec<&'static str> {
        fn up(plan: &Plan, from: usize, node: usize, path: &mut Vec<usize>) -> bool {
            path.push(node);
            if node == from {
                return true;
            }
            for via in plan.node_vias(node) {
                if up(plan, from, via.parent, path) {
                    return true;
                }
            }
            path.pop();
            false
        }
        let mut path = Vec::new();
        if from == to || !up(self, from, to, &mut path) {
            path = vec![to, from];
        }
        path.iter()
            .rev()
            .map(|&node| self.node_model(node).table)
            .collect()
    }

    /// Whether a soft delete (or restore) of the root reaches a node: soft-deletable tables,
    /// along cascades between them.
    pub(crate) fn soft_delete_reaches(&self, node: usize) -> bool {
        if self.node_model(node).soft_delete.is_none() {
            return false;
        }
        node == self.root()
            || self
                .node_vias(node)
                .iter()
                .any(|via| self.soft_delete_reaches(via.parent))
    }

    /// The number of statements a delete issues, checks included, when nothing blocks it.
    pub fn statement_count(&self) -> usize {
        self.steps.len()
    }

    /// The SQL table of the model being deleted.
    pub fn root_table(&self) -> &'static str {
        self.node_model(self.root()).table
    }

    /// The statements a delete runs, in order: every check first, then updates and deletes.
    /// `{:#}` prints them; this is the same list to read from code.
    ///
    /// ```
    /// # #[cfg(feature = "sqlite")] {
    /// use deletable::{Action, Deletable, PlanStatement};
    /// # mod schema {
    /// #     diesel::table! { users (id) { id -> Integer, } }
    /// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, editor_id -> Nullable<Integer>, } }
    /// # }
    /// # use schema::*;
    ///
    /// #[derive(Deletable)]
    /// #[diesel(table_name = users)]
    /// struct User { id: i32 }
    ///
    /// #[derive(Deletable)]
    /// #[diesel(table_name = posts)]
    /// struct Post {
    ///     id: i32,
    ///     #[on_delete(cascade, references = User)]
    ///     user_id: i32,
    ///     #[on_delete(set_null, references = User)]
    ///     editor_id: Option<i32>,
    /// }
    ///
    /// deletable::schema!(User, Post);
    ///
    /// let deleted: Vec<&str> = User::plan()
    ///     .statements()
    ///     .filter_map(|statement| match statement {
    ///         PlanStatement::Delete { table, .. } => Some(table),
    ///         _ => None,
    ///     })
    ///     .collect();
    /// assert_eq!(deleted, ["posts", "users"]);
    /// assert!(User::plan().statements().any(|statement| matches!(
    ///     statement,
    ///     PlanStatement::Update { table: "posts", column: "editor_id", action: Action::SetNull, .. }
    /// )));
    /// # }
    /// ```
    pub fn statements(&self) -> impl Iterator<Item = PlanStatement> + '_ {
        self.steps.iter().map(move |step| match *step {
            Step::Check {
                kind, model, fk, ..
            } => PlanStatement::Check {
                action: match kind {
                    CheckKind::Protect => Action::Protect,
                    CheckKind::Restrict => Action::Restrict,
                },
                table: self.models[model].table,
                column: self.foreign_key(model, fk).column,
            },
            Step::Update { model, fk, .. } => {
                let foreign_key = self.foreign_key(model, fk);
                PlanStatement::Update {
                    action: foreign_key.rule.action(),
                    table: self.models[model].table,
                    column: foreign_key.column,
                }
            }
            Step::Detach { node, fk } => {
                let model = self.node_model(node);
                PlanStatement::Detach {
                    table: model.table,
                    column: model.foreign_keys[fk].column,
                }
            }
            Step::Delete { node } => PlanStatement::Delete {
                table: self.node_model(node).table,
            },
        })
    }

    /// The tables a soft delete of the root marks (and a restore brings back), children first:
    /// the soft-deletable tables along cascades from the root.
    pub fn soft_deleted_tables(&self) -> impl Iterator<Item = &'static str> + '_ {
        (0..self.nodes.len())
            .filter(|&node| self.soft_delete_reaches(node))
            .map(|node| self.node_model(node).table)
    }

    fn fmt_children(
        &self,
        f: &mut fmt::Formatter<'_>,
        table: &str,
        prefix: &str,
        depth: usize,
    ) -> fmt::Result {
        let edges: Vec<(&ModelMeta, &ForeignKey)> = self
            .models
            .iter()
            .flat_map(|model| model.foreign_keys.iter().map(move |fk| (*model, fk)))
            .filter(|(_, fk)| fk.parent_table == table)
            .collect();
        for (index, (model, fk)) in edges.iter().enumerate() {
            let last = index + 1 == edges.len();
            let branch = if last { "└── " } else { "├── " };
            write!(
                f,
                "{prefix}{branch}{}.{} ({}",
                model.table,
                fk.column,
                fk.rule.name()
            )?;
            if let Rule::SetDefault(default) = fk.rule {
                write!(f, " = {}", default())?;
            }
            if fk.tree {
                f.write_str(", tree")?;
            }
            writeln!(f, ")")?;
            // A cascade can only reach as deep as there are models: a cycle would have failed to
            // compile, so the bound only guards against a hand-built plan.
            if fk.rule.is_cascade() && !fk.tree && depth < self.models.len() {
                let next = format!("{prefix}{}", if last { "    " } else { "│   " });
                self.fmt_children(f, model.table, &next, depth + 1)?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let root = self.node_model(self.root());
        writeln!(f, "{}", root.table)?;
        self.fmt_children(f, root.table, "", 0)?;
        if f.alternate() {
            writeln!(f, "statements:")?;
            for (index, statement) in self.statements().enumerate() {
                writeln!(f, "{:>3}. {statement}", index + 1)?;
            }
            let marked: Vec<&str> = self.soft_deleted_tables().collect();
            if !marked.is_empty() {
                writeln!(
                    f,
                    "soft delete marks, children first: {} (set_null and set_default are not applied)",
                    marked.join(", ")
                )?;
            }
        }
        Ok(())
    }
}

/// One statement of a [`Plan`], as [`Plan::statements`] lists it: what it does, to which table
/// and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum PlanStatement {
    /// Counts the rows whose `column` references a row being deleted; any (`protect`), or any
    /// the same delete does not remove (`restrict`), fails the delete with
    /// [`DeleteError::Protected`](crate::DeleteError::Protected).
    #[non_exhaustive]
    Check {
        /// [`Action::Protect`] or [`Action::Restrict`].
        action: Action,
        /// The referencing table.
        table: &'static str,
        /// Its foreign key column.
        column: &'static str,
    },
    /// Sets `column` to `NULL` or its default where it references a row being deleted.
    #[non_exhaustive]
    Update {
        /// [`Action::SetNull`] or [`Action::SetDefault`].
        action: Action,
        /// The referencing table.
        table: &'static str,
        /// Its foreign key column.
        column: &'static str,
    },
    /// Sets a nullable `restrict` or `do_nothing` key of rows being deleted to `NULL` before the
    /// rows it references go earlier in the same delete (it closes a loop of cascades), so that
    /// a constraint checked at once does not fail.
    #[non_exhaustive]
    Detach {
        /// The table whose rows are being deleted.
        table: &'static str,
        /// The foreign key column set to `NULL`.
        column: &'static str,
    },
    /// Deletes the rows of `table` the delete reaches.
    #[non_exhaustive]
    Delete {
        /// The table.
        table: &'static str,
    },
}

impl fmt::Display for PlanStatement {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            PlanStatement::Check {
                action,
                table,
                column,
            } => write!(f, "check {} {table}.{column}", action.name()),
            PlanStatement::Update {
                action,
                table,
                column,
            } => write!(f, "{} {table}.{column}", action.name()),
            PlanStatement::Detach { table, column } => write!(f, "detach {table}.{column}"),
            PlanStatement::Delete { table } => write!(f, "delete {table}"),
        }
    }
}
