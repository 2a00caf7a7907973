//! Plans and schemas drawn as Mermaid flowcharts and Graphviz DOT graphs: tables as boxes,
//! foreign keys as arrows from the referencing table to the one it references, each labelled
//! with its column and rule.

use std::fmt::Write as _;

use crate::model::{ModelMeta, Rule};
use crate::plan::{Plan, Step};

/// The language of a diagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DiagramFormat {
    /// A Mermaid `flowchart`, which GitHub, GitLab and many wikis draw from a ```` ```mermaid ````
    /// block.
    Mermaid,
    /// A Graphviz `digraph`: `dot -Tsvg plan.dot > plan.svg`.
    Dot,
}

/// A table of a diagram.
struct Table {
    name: &'static str,
    /// What the box says under the name: hooks, the soft-delete column, the root.
    notes: Vec<String>,
    /// The table whose rows the plan deletes first of all (its model's).
    root: bool,
}

/// A foreign key of a diagram, from `child` to `parent` (indexes into the tables).
struct Edge {
    child: usize,
    parent: usize,
    label: String,
    /// A rule the delete does not act on (`do_nothing`): drawn dashed.
    passive: bool,
}

impl Plan {
    /// The plan as a diagram: the table it deletes from (drawn bold), every table its cascades
    /// reach, and the foreign keys into them with their rules (the cascades it follows, the
    /// `protect` and `restrict` keys it checks, the `set_null` and `set_default` keys it
    /// updates, and dashed the `do_nothing` keys it leaves to the database). Tables with hooks
    /// and soft-deletable tables say so.
    ///
    /// ```
    /// # use deletable::{Deletable, DiagramFormat};
    /// # mod schema {
    /// #     diesel::table! { users (id) { id -> Integer, } }
    /// #     diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
    /// # }
    /// # use schema::*;
    /// #[derive(Deletable)]
    /// #[diesel(table_name = users)]
    /// pub struct User { pub id: i32 }
    /// #[derive(Deletable)]
    /// #[diesel(table_name = posts, belongs_to(User))]
    /// pub struct Post {
    ///     pub id: i32,
    ///     #[on_delete(cascade)]
    ///     pub user_id: i32,
    /// }
    /// deletable::schema!(User, Post);
    ///
    /// assert_eq!(
    ///     User::plan().diagram(DiagramFormat::Mermaid),
    ///     "flowchart BT\n    t0[\"posts\"]\n    t1[\"users\"]\n    t0 -->|\"user_id: cascade\"| t1\n    \
    ///      classDef root stroke-width:3px,font-weight:bold\n    class t1 root\n"
    /// );
    /// ```
    pub fn diagram(&self, format: DiagramFormat) -> String {
        let mut tables: Vec<Table> = (0..self.nodes.len())
            .map(|node| table(self.node_model(node), node == self.root()))
            .collect();
        let index_of = |tables: &mut Vec<Table>, model: &'static ModelMeta| -> usize {
            match tables.iter().position(|table| table.name == model.table) {
                Some(index) => index,
                None => {
                    tables.push(table(model, false));
                    tables.len() - 1
                }
            }
        };
        let mut edges = Vec::new();
        for step in self.steps {
            let (model, fk, parent) = match *step {
                Step::Check {
                    model, fk, parent, ..
                }
                | Step::Update { model, fk, parent } => (model, fk, parent),
                Step::Delete { node } => {
                    let vias = self
                        .node_vias(node)
                        .iter()
                        .map(|via| (via.column, via.parent));
                    // A tree's own key: the rows reached take their subtrees with them.
                    let tree = self.nodes[node].tree.map(|column| (column, node));
                    for (column, parent) in vias.chain(tree) {
                        edges.push(Edge {
                            child: node,
                            parent,
                            label: edge_label(column, &Rule::Cascade, parent == node),
                            passive: false,
                        });
                    }
                    continue;
                }
                Step::Detach { .. } => continue,
            };
            let child = index_of(&mut tables, self.models[model]);
            let key = self.foreign_key(model, fk);
            edges.push(Edge {
                child,
                parent,
                label: edge_label(key.column, &key.rule, key.tree),
                passive: false,
            });
        }
        // The `do_nothing` keys into the plan's tables: the database's constraint decides.
        for model in self.models {
            for key in model.foreign_keys {
                if !matches!(key.rule, Rule::DoNothing) {
                    continue;
                }
                let Some(parent) = (0..self.nodes.len())
                    .find(|&node| self.node_model(node).table == key.parent_table)
                else {
                    continue;
                };
                let child = index_of(&mut tables, model);
                edges.push(Edge {
                    child,
                    parent,
                    label: edge_label(key.column, &key.rule, key.tree),
                    passive: true,
                });
            }
        }
        render(format, &tables, &edges)
    }

    /// Every model of the plan's schema (the models of its `deletable::schema!`) and every
    /// rule between them, as a diagram: the rule graph, whichever model is deleted. Drawn as
    /// [`diagram`](Plan::diagram) draws, without a root.
    pub fn schema_diagram(&self, format: DiagramFormat) -> String {
        let tables: Vec<Table> = self
            .models
            .iter()
            .map(|model| table(model, false))
            .collect();
        let mut edges = Vec::new();
        for (child, model) in self.models.iter().enumerate() {
            for key in model.foreign_keys {
                let Some(parent) = self
                    .models
                    .iter()
                    .position(|parent| parent.table == key.parent_table)
                else {
                    continue;
                };
                edges.push(Edge {
                    child,
                    parent,
                    label: edge_label(key.column, &key.rule, key.tree),
                    passive: matches!(key.rule, Rule::DoNothing),
                });
            }
        }
        render(format, &tables, &edges)
    }
}

/// A model's box: its table, and its hooks and soft-delete column if any.
fn table(model: &'static ModelMeta, root: bool) -> Table {
    let mut notes = Vec::new();
    if model.hooks.is_some() {
        notes.push("hooks".to_owned());
    }
    if let Some(mark) = model.soft_delete {
        notes.push(format!("soft delete: {}", mark.column));
    }
    Table {
        name: model.table,
        notes,
        root,
    }
}

/// `user_id: cascade`, `parent_id: cascade (tree)`.
fn edge_label(column: &str, rule: &Rule, tree: bool) -> String {
    let tree = if tree { " (tree)" } else { "" };
    format!("{column}: {}{tree}", rule.action().name())
}

fn render(format: DiagramFormat, tables: &[Table], edges: &[Edge]) -> String {
    match format {
        DiagramFormat::Mermaid => mermaid(tables, edges),
        DiagramFormat::Dot => dot(tables, edges),
    }
}

/// Bottom to top, as the children point at their parents; the root in the class `root`, drawn
/// bold. Names are written as Mermaid's entity codes where Mermaid would read them otherwise.
fn mermaid(tables: &[Table], edges: &[Edge]) -> String {
    let text = |text: &str| {
        let mut out = String::with_capacity(text.len());
        for c in text.chars() {
            match c {
                '#' => out.push_str("#35;"),
                '"' => out.push_str("#quot;"),
                '<' => out.push_str("#lt;"),
                '>' => out.push_str("#gt;"),
                '&' => out.push_str("#amp;"),
                '|' => out.push_str("#124;"),
                c => out.push(c),
            }
        }
        out
    };
    let mut out = String::from("flowchart BT\n");
    for (index, table) in tables.iter().enumerate() {
        let mut label = text(table.name);
        for note in &table.notes {
            let _ = write!(label, "<br/><i>{}</i>", text(note));
        }
        let _ = writeln!(out, "    t{index}[\"{label}\"]");
    }
    for edge in edges {
        let arrow = if edge.passive { "-.->" } else { "-->" };
        let _ = writeln!(
            out,
            "    t{} {arrow}|\"{}\"| t{}",
            edge.child,
            text(&edge.label),
            edge.parent
        );
    }
    if let Some(root) = tables.iter().position(|table| table.root) {
        out.push_str("    classDef root stroke-width:3px,font-weight:bold\n");
        let _ = writeln!(out, "    class t{root} root");
    }
    out
}

fn dot(tables: &[Table], edges: &[Edge]) -> String {
    let text = |text: &str| text.replace('\\', "\\\\").replace('"', "\\\"");
    let mut out = String::from("digraph deletable {\n    rankdir=BT;\n    node [shape=box];\n");
    for (index, table) in tables.iter().enumerate() {
        let mut label = text(table.name);
        for note in &table.notes {
            let _ = write!(label, "\\n{}", text(note));
        }
        let style = if table.root { ", style=bold" } else { "" };
        let _ = writeln!(out, "    t{index} [label=\"{label}\"{style}];");
    }
    for edge in edges {
        let style = if edge.passive { ", style=dashed" } else { "" };
        let _ = writeln!(
            out,
            "    t{} -> t{} [label=\"{}\"{style}];",
            edge.child,
            edge.parent,
            text(&edge.label)
        );
    }
    out.push_str("}\n");
    out
}
