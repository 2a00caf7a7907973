//! The compile-time planner: `const fn`s that check a schema's models and build each model's
//! [`Plan`](crate::Plan). `deletable::schema!` calls them in `const` items, so a bad schema fails
//! `cargo check` with the message built here, and a good one yields plans that are plain data.
//!
//! `M` is always the number of models in the schema; every scratch array is sized by it.

use crate::model::{Action, ModelMeta};
use crate::plan::{CheckKind, Node, Step, Via};

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

/// The index of the model of the schema that is `model` (compared by table).
pub const fn model_index(models: &[&ModelMeta], model: &ModelMeta) -> usize {
    match find_model(models, model.table) {
        Some(index) => index,
        None => panic!("a model is missing from its own schema"),
    }
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

/// Checks a schema: table names unique, every parent listed with a single-column primary key,
/// no cycle of cascades. Returns an empty message when all hold.
pub const fn check_schema<const M: usize>(models: &[&ModelMeta]) -> Message {
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
        let mut f = 0;
        while f < model.foreign_keys.len() {
            let fk = &model.foreign_keys[f];
            match find_model(models, fk.parent_table) {
                None => {
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
                Some(parent) => {
                    if models[parent].primary_key.len() != 1 {
                        message.push("deletable::schema!: ");
                        message.push(model.table);
                        message.push(".");
                        message.push(fk.column);
                        message.push(" references `");
                        message.push(models[parent].name);
                        message.push("`, whose primary key has several columns; a foreign key column can only reference a single-column key");
                        return message;
                    }
                }
            }
            f += 1;
        }
        i += 1;
    }
    let mut color = [0u8; M];
    let mut path = [0usize; M];
    let mut start = 0;
    while start < M {
        if color[start] == 0 {
            if let Some((from, to)) = find_cycle::<M>(models, start, &mut color, &mut path, 0) {
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
const fn find_cycle<const M: usize>(
    models: &[&ModelMeta],
    node: usize,
    color: &mut [u8; M],
    path: &mut [usize; M],
    depth: usize,
) -> Option<(usize, usize)> {
    color[node] = 1;
    path[depth] = node;
    let mut child = 0;
    while child < M {
        if references_by_cascade(models, child, node) {
            if color[child] == 1 {
                let mut from = 0;
                while path[from] != child {
                    from += 1;
                }
                return Some((from, depth + 1));
            }
            if color[child] == 0 {
                if let Some(cycle) = find_cycle::<M>(models, child, color, path, depth + 1) {
                    return Some(cycle);
                }
            }
        }
        child += 1;
    }
    color[node] = 2;
    None
}

/// Whether `child` has a cascade foreign key to `parent` (a `tree` self-reference does not
/// count: it is walked by a recursive query, not by the plan).
const fn references_by_cascade(models: &[&ModelMeta], child: usize, parent: usize) -> bool {
    let fks = models[child].foreign_keys;
    let mut f = 0;
    while f < fks.len() {
        if fks[f].action.is_cascade()
            && !fks[f].tree
            && str_eq(fks[f].parent_table, models[parent].table)
        {
            return true;
        }
        f += 1;
    }
    false
}

/// Whether `child` must be deleted before `parent` because one of its foreign keys references
/// `parent`: always for cascade and restrict edges (`hard_only`), and when possible for the rest,
/// so that plain foreign key constraints never see a dangling reference.
const fn must_precede(models: &[&ModelMeta], child: usize, parent: usize, hard_only: bool) -> bool {
    if child == parent {
        return false;
    }
    let fks = models[child].foreign_keys;
    let mut f = 0;
    while f < fks.len() {
        if str_eq(fks[f].parent_table, models[parent].table) {
            let hard = matches!(fks[f].action, Action::Cascade | Action::Restrict);
            if hard || !hard_only {
                return true;
            }
        }
        f += 1;
    }
    false
}

/// Which models a delete of `root` reaches, and in which order their rows are deleted.
struct Reach<const M: usize> {
    /// `node_of[model]`: the model's node, or `NONE`.
    node_of: [usize; M],
    /// `order[node]`: the node's model.
    order: [usize; M],
    len: usize,
}

const fn reach<const M: usize>(models: &[&ModelMeta], root: usize) -> Reach<M> {
    let mut in_set = [false; M];
    let mut queue = [0usize; M];
    in_set[root] = true;
    queue[0] = root;
    let (mut head, mut count) = (0, 1);
    while head < count {
        let parent = queue[head];
        head += 1;
        let mut child = 0;
        while child < M {
            if !in_set[child] && references_by_cascade(models, child, parent) {
                in_set[child] = true;
                queue[count] = child;
                count += 1;
            }
            child += 1;
        }
    }

    let mut reach = Reach {
        node_of: [NONE; M],
        order: [0; M],
        len: 0,
    };
    // Kahn's algorithm, children first. The root goes last: every other node descends from it.
    while reach.len < count {
        let mut picked = NONE;
        let mut hard_only = false;
        while picked == NONE {
            let mut candidate = 0;
            while candidate < M && picked == NONE {
                if in_set[candidate]
                    && reach.node_of[candidate] == NONE
                    && (candidate != root || reach.len + 1 == count)
                    && !has_pending_child(models, &in_set, &reach.node_of, candidate, hard_only)
                {
                    picked = candidate;
                }
                candidate += 1;
            }
            if picked == NONE {
                if hard_only {
                    // Only cascade and restrict edges remain in a loop, which a cascade cycle
                    // check has ruled out except through restrict: take any node and let the
                    // database judge the constraint.
                    let mut any = 0;
                    while !(in_set[any] && reach.node_of[any] == NONE && any != root) {
                        any += 1;
                    }
                    picked = any;
                }
                hard_only = true;
            }
        }
        reach.node_of[picked] = reach.len;
        reach.order[reach.len] = picked;
        reach.len += 1;
    }
    reach
}

const fn has_pending_child<const M: usize>(
    models: &[&ModelMeta],
    in_set: &[bool; M],
    node_of: &[usize; M],
    parent: usize,
    hard_only: bool,
) -> bool {
    let mut child = 0;
    while child < M {
        if in_set[child] && node_of[child] == NONE && must_precede(models, child, parent, hard_only)
        {
            return true;
        }
        child += 1;
    }
    false
}

/// The lengths of a plan's arrays.
#[derive(Debug, Clone, Copy)]
pub struct PlanSizes {
    /// Number of nodes.
    pub nodes: usize,
    /// Number of cascade edges into nodes.
    pub vias: usize,
    /// Number of statements.
    pub steps: usize,
}

/// The sizes of the plan of a delete of `root`.
pub const fn plan_sizes<const M: usize>(models: &[&ModelMeta], root: usize) -> PlanSizes {
    let reach = reach::<M>(models, root);
    let mut sizes = PlanSizes {
        nodes: reach.len,
        vias: 0,
        steps: reach.len,
    };
    let mut child = 0;
    while child < M {
        let fks = models[child].foreign_keys;
        let mut f = 0;
        while f < fks.len() {
            if let Some(parent) = find_model(models, fks[f].parent_table) {
                if reach.node_of[parent] != NONE {
                    match fks[f].action {
                        Action::Cascade => {
                            if reach.node_of[child] != NONE && parent != child {
                                sizes.vias += 1;
                            }
                        }
                        Action::Protect
                        | Action::Restrict
                        | Action::SetNull
                        | Action::SetDefault(_) => sizes.steps += 1,
                        Action::DoNothing => {}
                    }
                }
            }
            f += 1;
        }
        child += 1;
    }
    sizes
}

/// The nodes and cascade edges of the plan of a delete of `root`.
pub const fn plan_graph<const M: usize, const N: usize, const V: usize>(
    models: &[&ModelMeta],
    root: usize,
) -> ([Node; N], [Via; V]) {
    let reach = reach::<M>(models, root);
    let mut nodes = [Node {
        model: 0,
        vias: (0, 0),
        tree: None,
    }; N];
    let mut vias = [Via {
        column: "",
        parent: 0,
    }; V];
    let mut via_count = 0;
    let mut node = 0;
    while node < N {
        let model = reach.order[node];
        let start = via_count;
        let fks = models[model].foreign_keys;
        let mut tree = None;
        let mut f = 0;
        while f < fks.len() {
            if fks[f].tree && fks[f].action.is_cascade() {
                tree = Some(fks[f].column);
            } else if fks[f].action.is_cascade() {
                if let Some(parent) = find_model(models, fks[f].parent_table) {
                    if reach.node_of[parent] != NONE && parent != model {
                        vias[via_count] = Via {
                            column: fks[f].column,
                            parent: reach.node_of[parent],
                        };
                        via_count += 1;
                    }
                }
            }
            f += 1;
        }
        nodes[node] = Node {
            model,
            vias: (start, via_count),
            tree,
        };
        node += 1;
    }
    (nodes, vias)
}

/// The statements of the plan of a delete of `root`: all checks, then for each node the updates
/// of the foreign keys that reference it, then its delete.
pub const fn plan_steps<const M: usize, const S: usize>(
    models: &[&ModelMeta],
    root: usize,
) -> [Step; S] {
    let reach = reach::<M>(models, root);
    let mut steps = [Step::Delete { node: 0 }; S];
    let mut count = 0;
    let mut node = 0;
    while node < reach.len {
        let parent = reach.order[node];
        let mut child = 0;
        while child < M {
            let fks = models[child].foreign_keys;
            let mut f = 0;
            while f < fks.len() {
                if str_eq(fks[f].parent_table, models[parent].table) {
                    let kind = match fks[f].action {
                        Action::Protect => Some(CheckKind::Protect),
                        Action::Restrict => Some(CheckKind::Restrict),
                        _ => None,
                    };
                    if let Some(kind) = kind {
                        let child_node = reach.node_of[child];
                        steps[count] = Step::Check {
                            kind,
                            model: child,
                            fk: f,
                            parent: node,
                            child_node: if child_node == NONE {
                                None
                            } else {
                                Some(child_node)
                            },
                        };
                        count += 1;
                    }
                }
                f += 1;
            }
            child += 1;
        }
        node += 1;
    }
    node = 0;
    while node < reach.len {
        let parent = reach.order[node];
        let mut child = 0;
        while child < M {
            let fks = models[child].foreign_keys;
            let mut f = 0;
            while f < fks.len() {
                if str_eq(fks[f].parent_table, models[parent].table)
                    && matches!(fks[f].action, Action::SetNull | Action::SetDefault(_))
                {
                    steps[count] = Step::Update {
                        model: child,
                        fk: f,
                        parent: node,
                    };
                    count += 1;
                }
                f += 1;
            }
            child += 1;
        }
        steps[count] = Step::Delete { node };
        count += 1;
        node += 1;
    }
    steps
}
