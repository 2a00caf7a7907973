//! The compile-time planner: `const fn`s that check a schema's models and build each model's
//! [`Plan`](crate::Plan). `deletable::schema!` calls them in `const` items, so a bad schema fails
//! `cargo check` with the message built here, and a good one yields plans that are plain data.
//!
//! `M` is always the number of models in the schema and `E` the number of their foreign keys;
//! every array is sized by them. The schema's [`Graph`] is built once, with parents resolved to
//! indices, so the per-model work compares integers, never names.

use crate::model::{ForeignKey, ModelMeta, Rule};
use crate::plan::{CheckKind, Node, Plan, SchemaPlans, Step, Via};

/// Sentinel for "no node".
const NONE: usize = usize::MAX;

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// The index of the model whose table is `table`.
pub const fn find_model(models: &[&ModelMeta], table: &str) -> Option<usize> {
    let mut i = 0;
    while i < models.len() {
        if str_eq(models[i].table, table) {
            return Some(i);
        }
        i += 1;
    }
    None
}

/// A compile-time error message, assembled in a fixed buffer.
pub struct Message {
    bytes: [u8; Message::CAPACITY],
    len: usize,
}

impl Message {
    const CAPACITY: usize = 1024;

    const fn new() -> Self {
        Message {
            bytes: [0; Message::CAPACITY],
            len: 0,
        }
    }

    const fn push(&mut self, text: &str) {
        let text = text.as_bytes();
        let mut i = 0;
        // Truncation happens on a char boundary because every pushed piece is whole: a piece that
        // does not fit is dropped entirely.
        if self.len + text.len() > Message::CAPACITY {
            return;
        }
        while i < text.len() {
            self.bytes[self.len] = text[i];
            self.len += 1;
            i += 1;
        }
    }

    /// Whether anything was written: an empty message means the schema is valid.
    pub const fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The message as text.
    pub const fn as_str(&self) -> &str {
        match core::str::from_utf8(self.bytes.split_at(self.len).0) {
            Ok(text) => text,
            Err(_) => "invalid deletable schema",
        }
    }
}

/// The number of foreign keys (with a rule) over all models.
pub const fn edge_count(models: &[&ModelMeta]) -> usize {
    let mut count = 0;
    let mut i = 0;
    while i < models.len() {
        count += models[i].foreign_keys.len();
        i += 1;
    }
    count
}

/// A schema's foreign keys as edges between model indices: edge `e` is foreign key `fk[e]` of
/// model `child[e]`, referencing model `parent[e]` (`usize::MAX` when no listed model has that
/// table). Edges are numbered child by child (`child_start[m]` is the first of model `m`), and
/// `by_parent` lists them parent by parent (from `parent_start[m]`), so each walk visits only the
/// edges it needs.
#[derive(Debug, Clone, Copy)]
pub struct Graph<const M: usize, const E: usize> {
    child: [usize; E],
    fk: [usize; E],
    parent: [usize; E],
    child_start: [usize; M],
    by_parent: [usize; E],
    parent_start: [usize; M],
    /// How many edges reference a listed model (the rest of `by_parent` does not).
    listed: usize,
}

/// The schema's edges.
pub const fn graph<const M: usize, const E: usize>(models: &[&ModelMeta]) -> Graph<M, E> {
    let mut graph = Graph {
        child: [0; E],
        fk: [0; E],
        parent: [NONE; E],
        child_start: [0; M],
        by_parent: [0; E],
        parent_start: [0; M],
        listed: 0,
    };
    let mut e = 0;
    let mut child = 0;
    while child < models.len() {
        graph.child_start[child] = e;
        let fks = models[child].foreign_keys;
        let mut f = 0;
        while f < fks.len() {
            graph.child[e] = child;
            graph.fk[e] = f;
            if let Some(parent) = find_model(models, fks[f].parent_table) {
                graph.parent[e] = parent;
            }
            e += 1;
            f += 1;
        }
        child += 1;
    }
    // A stable counting sort of the edges by parent (edges to an unlisted table come last).
    let mut counts = [0usize; M];
    e = 0;
    while e < E {
        if graph.parent[e] != NONE {
            counts[graph.parent[e]] += 1;
        }
        e += 1;
    }
    let mut next = [0usize; M];
    let mut total = 0;
    let mut m = 0;
    while m < M {
        graph.parent_start[m] = total;
        next[m] = total;
        total += counts[m];
        m += 1;
    }
    graph.listed = total;
    let mut unlisted = total;
    e = 0;
    while e < E {
        let parent = graph.parent[e];
        if parent == NONE {
            graph.by_parent[unlisted] = e;
            unlisted += 1;
        } else {
            graph.by_parent[next[parent]] = e;
            next[parent] += 1;
        }
        e += 1;
    }
    graph
}

impl<const M: usize, const E: usize> Graph<M, E> {
    /// The edges of model `m`'s own foreign keys.
    const fn of_child(&self, m: usize) -> (usize, usize) {
        let end = if m + 1 < M {
            self.child_start[m + 1]
        } else {
            E
        };
        (self.child_start[m], end)
    }

    /// The positions in `by_parent` of the edges that reference model `m`.
    const fn of_parent(&self, m: usize) -> (usize, usize) {
        let end = if m + 1 < M {
            self.parent_start[m + 1]
        } else {
            self.listed
        };
        (self.parent_start[m], end)
    }

    const fn key<'m>(&self, models: &[&'m ModelMeta], e: usize) -> &'m ForeignKey {
        &models[self.child[e]].foreign_keys[self.fk[e]]
    }

    /// Whether edge `e` is a cascade the plan follows (a `tree` self-reference is walked by a
    /// recursive query instead, and is no cycle).
    const fn is_plan_cascade(&self, models: &[&ModelMeta], e: usize) -> bool {
        let key = self.key(models, e);
        key.rule.is_cascade() && !key.tree
    }

    /// Whether edge `e`, a nullable `restrict` or `do_nothing` key whose parent and child the
    /// same delete removes, is cleared on the child's rows before the parent's go because the
    /// parent goes first (a loop: the parent is the child's cascade descendant, or else follows
    /// it in the order): then no constraint checked immediately sees the reference dangle.
    const fn detached_before_parent(
        &self,
        models: &[&ModelMeta],
        reach: &Reach<M>,
        e: usize,
    ) -> bool {
        let key = self.key(models, e);
        let (child, parent) = (self.child[e], self.parent[e]);
        matches!(key.rule, Rule::Restrict | Rule::DoNothing)
            && key.nullable
            && !key.tree
            && parent != NONE
            && reach.node_of[parent] != NONE
            && reach.node_of[child] != NONE
            && reach.node_of[child] > reach.node_of[parent]
    }

    /// Whether edge `e` cannot give way: a cascade, or a `NOT NULL` `restrict` or `do_nothing`
    /// key, which nothing clears before its parent's rows go (a nullable one is detached, a
    /// `set_null` or `set_default` one updated).
    const fn is_firm(&self, models: &[&ModelMeta], e: usize) -> bool {
        let key = self.key(models, e);
        match key.rule {
            Rule::Cascade => true,
            Rule::Restrict | Rule::DoNothing => !key.nullable,
            _ => false,
        }
    }

    /// Whether edge `e` forces its child's rows to be deleted before its parent's: cascade and
    /// restrict edges always; the others only keep plain constraints from seeing a dangling
    /// reference, so they may give way.
    const fn is_hard(&self, models: &[&ModelMeta], e: usize) -> bool {
        matches!(self.key(models, e).rule, Rule::Cascade | Rule::Restrict)
    }
}

/// Checks a schema: table names unique, every parent listed with a single-column primary key,
/// no cycle of cascades. Returns an empty message when all hold.
pub const fn check_schema<const M: usize, const E: usize>(
    models: &[&ModelMeta],
    graph: &Graph<M, E>,
) -> Message {
    let mut message = Message::new();
    let mut i = 0;
    while i < M {
        let model = models[i];
        if let Some(first) = find_model(models, model.table) {
            if first != i {
                message.push("deletable::schema!: `");
                message.push(models[first].name);
                message.push("` and `");
                message.push(model.name);
                message.push("` both map table `");
                message.push(model.table);
                message.push("`; list each table's model once");
                return message;
            }
        }
        i += 1;
    }
    let mut e = 0;
    while e < E {
        let model = models[graph.child[e]];
        let fk = graph.key(models, e);
        if graph.parent[e] == NONE {
            message.push("deletable::schema!: `");
            message.push(model.name);
            message.push("` has on_delete on ");
            message.push(model.table);
            message.push(".");
            message.push(fk.column);
            message.push(", which references table `");
            message.push(fk.parent_table);
            message.push("`, but no model of that table is listed in this schema; add it to the same deletable::schema!");
            return message;
        }
        let parent = models[graph.parent[e]];
        if parent.primary_key.len() != 1 {
            message.push("deletable::schema!: ");
            message.push(model.table);
            message.push(".");
            message.push(fk.column);
            message.push(" references `");
            message.push(parent.name);
            message.push("`, whose primary key has several columns; a foreign key column can only reference a single-column key");
            return message;
        }
        e += 1;
    }
    let mut color = [0u8; M];
    let mut path = [0usize; M];
    let mut start = 0;
    while start < M {
        if color[start] == 0 {
            if let Some((from, to)) =
                find_cycle::<M, E>(models, graph, start, &mut color, &mut path, 0)
            {
                message.push("cyclic on_delete(cascade): ");
                let mut k = from;
                while k < to {
                    message.push(models[path[k]].table);
                    message.push(" -> ");
                    k += 1;
                }
                message.push(models[path[from]].table);
                message.push("; break the cycle with set_null, protect, restrict or do_nothing on one of its foreign keys");
                return message;
            }
        }
        start += 1;
    }
    message
}

/// Depth-first search along cascade edges (parent to child). On finding a cycle, returns the
/// range of `path` that holds it.
const fn find_cycle<const M: usize, const E: usize>(
    models: &[&ModelMeta],
    graph: &Graph<M, E>,
    node: usize,
    color: &mut [u8; M],
    path: &mut [usize; M],
    depth: usize,
) -> Option<(usize, usize)> {
    color[node] = 1;
    path[depth] = node;
    let (mut i, end) = graph.of_parent(node);
    while i < end {
        let e = graph.by_parent[i];
        if graph.is_plan_cascade(models, e) {
            let child = graph.child[e];
            if color[child] == 1 {
                let mut from = 0;
                while path[from] != child {
                    from += 1;
                }
                return Some((from, depth + 1));
            }
            if color[child] == 0 {
                if let Some(cycle) =
                    find_cycle::<M, E>(models, graph, child, color, path, depth + 1)
                {
                    return Some(cycle);
                }
            }
        }
        i += 1;
    }
    color[node] = 2;
    None
}

/// Which models a delete of one root reaches, and in which order their rows are deleted.
#[derive(Debug, Clone, Copy)]
pub struct Reach<const M: usize> {
    /// `node_of[model]`: the model's node, or `NONE`.
    node_of: [usize; M],
    /// `order[node]`: the node's model.
    order: [usize; M],
    len: usize,
}

/// The models a delete of `root` reaches along cascades, ordered children first (Kahn's
/// algorithm, keeping every edge when it can and the hard ones always). The root goes last:
/// every other node descends from it.
const fn reach<const M: usize, const E: usize>(
    models: &[&ModelMeta],
    graph: &Graph<M, E>,
    root: usize,
) -> Reach<M> {
    let mut in_set = [false; M];
    let mut queue = [0usize; M];
    in_set[root] = true;
    queue[0] = root;
    let (mut head, mut count) = (0, 1);
    while head < count {
        let parent = queue[head];
        head += 1;
        let (mut i, end) = graph.of_parent(parent);
        while i < end {
            let e = graph.by_parent[i];
            let child = graph.child[e];
            if !in_set[child] && graph.is_plan_cascade(models, e) {
                in_set[child] = true;
                queue[count] = child;
                count += 1;
            }
            i += 1;
        }
    }

    // pending[model]: edges from unplaced reached children into it; hard_pending: the hard ones;
    // cascade_pending: the cascades, which always order (a child's rows are found through its
    // parent's, so they must go first).
    let mut pending = [0usize; M];
    let mut firm_pending = [0usize; M];
    let mut hard_pending = [0usize; M];
    let mut cascade_pending = [0usize; M];
    let mut e = 0;
    while e < E {
        let (child, parent) = (graph.child[e], graph.parent[e]);
        if parent != NONE && child != parent && in_set[child] && in_set[parent] {
            pending[parent] += 1;
            if graph.is_firm(models, e) {
                firm_pending[parent] += 1;
            }
            if graph.is_hard(models, e) {
                hard_pending[parent] += 1;
            }
            if graph.is_plan_cascade(models, e) {
                cascade_pending[parent] += 1;
            }
        }
        e += 1;
    }

    let mut reach = Reach {
        node_of: [NONE; M],
        order: [0; M],
        len: 0,
    };
    while reach.len < count {
        let last = reach.len + 1 == count;
        let mut picked = NONE;
        let mut pass = 0;
        while picked == NONE {
            let mut candidate = 0;
            while candidate < M && picked == NONE {
                let open = in_set[candidate]
                    && reach.node_of[candidate] == NONE
                    && (candidate != root || last);
                let ready = match pass {
                    0 => pending[candidate] == 0,
                    // In a loop, give way first on the keys the delete clears or updates on
                    // its way (nullable, set_null, set_default), keeping those it cannot.
                    1 => firm_pending[candidate] == 0,
                    2 => hard_pending[candidate] == 0,
                    // Cascade and restrict edges remain in a loop (the cycle check rules out
                    // loops of cascades alone): give way on a restrict, never on a cascade.
                    3 => cascade_pending[candidate] == 0,
                    _ => true,
                };
                if open && ready {
                    picked = candidate;
                }
                candidate += 1;
            }
            pass += 1;
        }
        reach.node_of[picked] = reach.len;
        reach.order[reach.len] = picked;
        reach.len += 1;
        let (mut e, end) = graph.of_child(picked);
        while e < end {
            let parent = graph.parent[e];
            if parent != NONE && parent != picked && in_set[parent] {
                pending[parent] -= 1;
                if graph.is_firm(models, e) {
                    firm_pending[parent] -= 1;
                }
                if graph.is_hard(models, e) {
                    hard_pending[parent] -= 1;
                }
                if graph.is_plan_cascade(models, e) {
                    cascade_pending[parent] -= 1;
                }
            }
            e += 1;
        }
    }
    reach
}

/// Every model's [`Reach`], indexed by model.
pub const fn reaches<const M: usize, const E: usize>(
    models: &[&ModelMeta],
    graph: &Graph<M, E>,
) -> [Reach<M>; M] {
    let mut all = [Reach {
        node_of: [NONE; M],
        order: [0; M],
        len: 0,
    }; M];
    let mut m = 0;
    while m < M {
        all[m] = reach::<M, E>(models, graph, m);
        m += 1;
    }
    all
}

/// The lengths of a plan's arrays, or of all plans' together.
#[derive(Debug, Clone, Copy)]
pub struct PlanSizes {
    /// Number of nodes.
    pub nodes: usize,
    /// Number of cascade edges into nodes.
    pub vias: usize,
    /// Number of statements.
    pub steps: usize,
}

const fn plan_sizes<const M: usize, const E: usize>(
    models: &[&ModelMeta],
    graph: &Graph<M, E>,
    reach: &Reach<M>,
) -> PlanSizes {
    let mut sizes = PlanSizes {
        nodes: reach.len,
        vias: 0,
        steps: reach.len,
    };
    let mut e = 0;
    while e < E {
        let (child, parent) = (graph.child[e], graph.parent[e]);
        if parent != NONE && reach.node_of[parent] != NONE {
            match graph.key(models, e).rule {
                Rule::Cascade => {
                    if reach.node_of[child] != NONE && parent != child {
                        sizes.vias += 1;
                    }
                }
                Rule::Protect | Rule::Restrict | Rule::SetNull | Rule::SetDefault(_) => {
                    sizes.steps += 1
                }
                Rule::DoNothing => {}
            }
            if graph.detached_before_parent(models, reach, e) {
                sizes.steps += 1;
            }
        }
        e += 1;
    }
    sizes
}

/// The lengths of all the schema's plans together.
pub const fn total_sizes<const M: usize, const E: usize>(
    models: &[&ModelMeta],
    graph: &Graph<M, E>,
    reaches: &[Reach<M>; M],
) -> PlanSizes {
    let mut total = PlanSizes {
        nodes: 0,
        vias: 0,
        steps: 0,
    };
    let mut m = 0;
    while m < M {
        let sizes = plan_sizes::<M, E>(models, graph, &reaches[m]);
        total.nodes += sizes.nodes;
        total.vias += sizes.vias;
        total.steps += sizes.steps;
        m += 1;
    }
    total
}

/// Where one model's plan lies in the arrays of [`Plans`]: `start..end` of each.
#[derive(Debug, Clone, Copy)]
pub struct PlanRange {
    nodes: (usize, usize),
    vias: (usize, usize),
    steps: (usize, usize),
}

/// Every plan of a schema, built in one evaluation: each model's nodes, vias and steps are a
/// range of these arrays. Sizes are the [`total_sizes`].
#[derive(Debug, Clone, Copy)]
pub struct Plans<const M: usize, const N: usize, const V: usize, const S: usize> {
    /// All plans' nodes.
    pub nodes: [Node; N],
    /// All plans' vias; a node's `vias` range counts from its plan's first via.
    pub vias: [Via; V],
    /// All plans' steps.
    pub steps: [Step; S],
    /// Each model's ranges.
    pub ranges: [PlanRange; M],
}

/// Builds every model's plan.
pub const fn plans<
    const M: usize,
    const E: usize,
    const N: usize,
    const V: usize,
    const S: usize,
>(
    models: &[&ModelMeta],
    graph: &Graph<M, E>,
    reaches: &[Reach<M>; M],
) -> Plans<M, N, V, S> {
    let mut plans = Plans {
        nodes: [Node {
            model: 0,
            vias: (0, 0),
            tree: None,
        }; N],
        vias: [Via {
            column: "",
            parent: 0,
        }; V],
        steps: [Step::Delete { node: 0 }; S],
        ranges: [PlanRange {
            nodes: (0, 0),
            vias: (0, 0),
            steps: (0, 0),
        }; M],
    };
    let (mut node_end, mut via_end, mut step_end) = (0, 0, 0);
    let mut m = 0;
    while m < M {
        let reach = &reaches[m];
        let (node_start, via_start, step_start) = (node_end, via_end, step_end);
        (node_end, via_end) = plan_graph::<M, E, N, V>(
            models,
            graph,
            reach,
            &mut plans.nodes,
            &mut plans.vias,
            node_start,
            via_start,
        );
        step_end = plan_steps::<M, E, S>(models, graph, reach, &mut plans.steps, step_start);
        plans.ranges[m] = PlanRange {
            nodes: (node_start, node_end),
            vias: (via_start, via_end),
            steps: (step_start, step_end),
        };
        m += 1;
    }
    plans
}

/// The nodes of one plan, written from `nodes[node_start]`, with the cascade edges into each,
/// written from `vias[via_start]`. Returns where each ends.
const fn plan_graph<const M: usize, const E: usize, const N: usize, const V: usize>(
    models: &[&ModelMeta],
    graph: &Graph<M, E>,
    reach: &Reach<M>,
    nodes: &mut [Node; N],
    vias: &mut [Via; V],
    node_start: usize,
    via_start: usize,
) -> (usize, usize) {
    let mut via_count = via_start;
    let mut node = 0;
    while node < reach.len {
        let model = reach.order[node];
        let start = via_count;
        let mut tree = None;
        let (mut e, end) = graph.of_child(model);
        while e < end {
            let key = graph.key(models, e);
            let parent = graph.parent[e];
            if key.rule.is_cascade() && parent != NONE {
                if key.tree {
                    tree = Some(key.column);
                } else if parent != model && reach.node_of[parent] != NONE {
                    vias[via_count] = Via {
                        column: key.column,
                        parent: reach.node_of[parent],
                    };
                    via_count += 1;
                }
            }
            e += 1;
        }
        nodes[node_start + node] = Node {
            model,
            vias: (start - via_start, via_count - via_start),
            tree,
        };
        node += 1;
    }
    (node_start + reach.len, via_count)
}

/// The statements of one plan, written from `steps[start]`: all checks, then for each node the
/// updates of the foreign keys that reference it and the detaching of loops through it, then its
/// delete. Returns where they end.
const fn plan_steps<const M: usize, const E: usize, const S: usize>(
    models: &[&ModelMeta],
    graph: &Graph<M, E>,
    reach: &Reach<M>,
    steps: &mut [Step; S],
    start: usize,
) -> usize {
    let mut count = start;
    let mut node = 0;
    while node < reach.len {
        let (mut i, end) = graph.of_parent(reach.order[node]);
        while i < end {
            let e = graph.by_parent[i];
            let kind = match graph.key(models, e).rule {
                Rule::Protect => Some(CheckKind::Protect),
                Rule::Restrict => Some(CheckKind::Restrict),
                _ => None,
            };
            if let Some(kind) = kind {
                let child_node = reach.node_of[graph.child[e]];
                steps[count] = Step::Check {
                    kind,
                    model: graph.child[e],
                    fk: graph.fk[e],
                    parent: node,
                    child_node: if child_node == NONE {
                        None
                    } else {
                        Some(child_node)
                    },
                };
                count += 1;
            }
            i += 1;
        }
        node += 1;
    }
    node = 0;
    while node < reach.len {
        let (mut i, end) = graph.of_parent(reach.order[node]);
        while i < end {
            let e = graph.by_parent[i];
            if matches!(
                graph.key(models, e).rule,
                Rule::SetNull | Rule::SetDefault(_)
            ) {
                steps[count] = Step::Update {
                    model: graph.child[e],
                    fk: graph.fk[e],
                    parent: node,
                };
                count += 1;
            } else if graph.detached_before_parent(models, reach, e) {
                steps[count] = Step::Detach {
                    node: reach.node_of[graph.child[e]],
                    fk: graph.fk[e],
                };
                count += 1;
            }
            i += 1;
        }
        steps[count] = Step::Delete { node };
        count += 1;
        node += 1;
    }
    count
}

/// A schema's [`Plans`] as `'static` slices, so each model's [`Plan`] can point into them.
#[derive(Debug, Clone, Copy)]
pub struct PlanTable {
    /// The schema's models.
    pub models: &'static [&'static ModelMeta],
    /// [`Plans::nodes`].
    pub nodes: &'static [Node],
    /// [`Plans::vias`].
    pub vias: &'static [Via],
    /// [`Plans::steps`].
    pub steps: &'static [Step],
    /// [`Plans::ranges`].
    pub ranges: &'static [PlanRange],
}

const fn range<T>(items: &'static [T], (start, end): (usize, usize)) -> &'static [T] {
    items.split_at(end).0.split_at(start).1
}

impl PlanTable {
    /// Every model's plan, indexed by model; `schema` is the static that holds them.
    pub const fn plans<const M: usize>(&self, schema: &'static [Plan]) -> [Plan; M] {
        let mut plans = [Plan {
            models: self.models,
            nodes: &[],
            vias: &[],
            steps: &[],
            schema: SchemaPlans(schema),
        }; M];
        let mut m = 0;
        while m < M {
            let ranges = self.ranges[m];
            plans[m].nodes = range(self.nodes, ranges.nodes);
            plans[m].vias = range(self.vias, ranges.vias);
            plans[m].steps = range(self.steps, ranges.steps);
            m += 1;
        }
        plans
    }
}

/// The plan, among a schema's, of the model of table `table`. Looked up when a delete starts:
/// a string comparison per model of the schema, cheaper than one compile-time constant per model.
pub fn plan_of(plans: &'static [Plan], table: &str) -> &'static Plan {
    plans
        .iter()
        .find(|plan| plan.node_model(plan.root()).table == table)
        .expect("every model of a schema has a plan in it")
}
