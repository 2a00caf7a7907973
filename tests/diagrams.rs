//! Plans and schemas as Mermaid and Graphviz DOT: every rule on its edge, the root bold, hooks
//! and soft-delete columns on their tables, `do_nothing` dashed; a name that needs quoting is
//! quoted. Each diagram is held against the plan's own statements too, so a rule the plan acts
//! on cannot be missing from its drawing.

// The models mirror their tables; the tests read none of their fields.
#![allow(dead_code)]

use deletable::{Deletable, DiagramFormat, PlanStatement};

mod schema {
    diesel::table! { users (id) { id -> Integer, } }
    diesel::table! { posts (id) { id -> Integer, user_id -> Integer, editor_id -> Nullable<Integer>, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { comments (id) { id -> Integer, post_id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { invoices (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { pins (id) { id -> Integer, post_id -> Integer, } }
    diesel::table! { audits (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { #[sql_name = "team \"a\""] teams (id) { id -> Integer, user_id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = users)]
struct User {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = posts, belongs_to(User))]
#[deletable(hooks)]
struct Post {
    id: i32,
    #[on_delete(cascade)]
    user_id: i32,
    #[on_delete(set_null, references = User)]
    editor_id: Option<i32>,
    #[soft_delete]
    deleted_at: Option<chrono::NaiveDateTime>,
}

#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
struct Comment {
    id: i32,
    #[on_delete(cascade)]
    post_id: i32,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = invoices, belongs_to(User))]
struct Invoice {
    id: i32,
    #[on_delete(protect)]
    user_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = pins, belongs_to(Post))]
struct Pin {
    id: i32,
    #[on_delete(restrict)]
    post_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = audits, belongs_to(User))]
struct Audit {
    id: i32,
    #[on_delete(do_nothing)]
    user_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = teams, belongs_to(User))]
struct Team {
    id: i32,
    #[on_delete(cascade)]
    user_id: i32,
}

deletable::schema!(User, Post, Comment, Invoice, Pin, Audit, Team);

/// The `column: rule` labels a plan's statements act on: each must be on an edge.
fn acted_on(statements: impl Iterator<Item = PlanStatement>) -> Vec<String> {
    statements
        .filter_map(|statement| match statement {
            PlanStatement::Check { action, column, .. }
            | PlanStatement::Update { action, column, .. } => {
                Some(format!("{column}: {}", action.name()))
            }
            _ => None,
        })
        .collect()
}

#[test]
fn a_plans_mermaid_diagram() {
    assert_eq!(
        User::plan().diagram(DiagramFormat::Mermaid),
        r#"flowchart BT
    t0["comments"]
    t1["posts<br/><i>hooks</i><br/><i>soft delete: deleted_at</i>"]
    t2["team #quot;a#quot;"]
    t3["users"]
    t4["pins"]
    t5["invoices"]
    t6["audits"]
    t4 -->|"post_id: restrict"| t1
    t5 -->|"user_id: protect"| t3
    t0 -->|"post_id: cascade"| t1
    t0 -->|"parent_id: cascade (tree)"| t0
    t1 -->|"user_id: cascade"| t3
    t2 -->|"user_id: cascade"| t3
    t1 -->|"editor_id: set_null"| t3
    t6 -.->|"user_id: do_nothing"| t3
    classDef root stroke-width:3px,font-weight:bold
    class t3 root
"#
    );
}

#[test]
fn a_plans_dot_diagram() {
    assert_eq!(
        Post::plan().diagram(DiagramFormat::Dot),
        r#"digraph deletable {
    rankdir=BT;
    node [shape=box];
    t0 [label="comments"];
    t1 [label="posts\nhooks\nsoft delete: deleted_at", style=bold];
    t2 [label="pins"];
    t2 -> t1 [label="post_id: restrict"];
    t0 -> t1 [label="post_id: cascade"];
    t0 -> t0 [label="parent_id: cascade (tree)"];
}
"#
    );
}

#[test]
fn the_schemas_diagram_draws_every_rule_once() {
    let drawn = Comment::plan().schema_diagram(DiagramFormat::Mermaid);
    assert_eq!(drawn, User::plan().schema_diagram(DiagramFormat::Mermaid));
    let edges: Vec<&str> = drawn.lines().filter(|line| line.contains('|')).collect();
    assert_eq!(edges.len(), 8, "{drawn}");
    assert!(
        !drawn.contains("class "),
        "no root in a schema's diagram: {drawn}"
    );
    let dot = User::plan().schema_diagram(DiagramFormat::Dot);
    assert_eq!(dot.matches(" -> ").count(), 8, "{dot}");
    assert_eq!(dot.matches("style=dashed").count(), 1, "{dot}");
    assert!(dot.contains(r#"[label="team \"a\""]"#), "{dot}");
    assert!(drawn.contains(r#"t6["team #quot;a#quot;"]"#), "{drawn}");
}

#[test]
fn every_rule_a_plan_acts_on_is_drawn() {
    let plans = [
        User::plan(),
        Post::plan(),
        Comment::plan(),
        Invoice::plan(),
        Team::plan(),
    ];
    for plan in plans {
        for format in [DiagramFormat::Mermaid, DiagramFormat::Dot] {
            let drawn = plan.diagram(format);
            for label in acted_on(plan.statements()) {
                assert!(drawn.contains(&label), "{label} missing from\n{drawn}");
            }
            for statement in plan.statements() {
                if let PlanStatement::Delete { table, .. } = statement {
                    let quoted = table.replace('"', "#quot;");
                    let dot_quoted = table.replace('"', "\\\"");
                    assert!(
                        drawn.contains(&quoted) || drawn.contains(&dot_quoted),
                        "{table} missing from\n{drawn}"
                    );
                }
            }
        }
    }
}
