//! The promise "on any error no row of any table has changed, and a caller's surrounding
//! transaction is intact", proven by fault injection at every statement.
//!
//! Each test takes one operation (a plan shape: a cascade chain, a diamond, `set_null`,
//! `set_default`, a tree, a loop through a nullable `restrict` key, hooks, composite keys, soft
//! delete, restore, purge, `delete_where` and keys past the bind limit through a temporary table,
//! and previews, which change nothing even when they succeed),
//! runs it once to count its statements, then, for every `k` and every kind of [`Fault`], runs it
//! again with the `k`-th statement failing, through a wrapper of the real connection (no
//! trigger, no change to the schema), the [`FaultInjection`] of the module's connection:
//! `FaultyConnection` in the synchronous runner's modules, `AsyncFaultyConnection` in the
//! asynchronous runner's (`*_async`), which drive the operation through `deletable`'s
//! asynchronous API. It does so alone and inside a caller's transaction that inserts a row
//! before the operation (one the operation would reach) and another after it, then commits.
//! Where the plan has hooks, every hook call is also made to fail, by an error and by a panic.
//!
//! After every run every table the session sees is read back whole and compared row for row:
//! the test's own tables, look-alike tables (the columns of a plan table under another name),
//! and decoys: a second PostgreSQL schema, MySQL/MariaDB database or attached SQLite database
//! whose tables bear the same names, hold copies of the same rows and declare every foreign key
//! `ON DELETE CASCADE` (on PostgreSQL a catalog read that looked there would believe the
//! database cascades). A failed run must leave everything as it was (plus the caller's two
//! rows); a successful one must leave the decoys and look-alikes as they were. No temporary
//! table an operation created may outlive it.
//!
//! A [`Fault::Deadlock`] of an operation that owns its transaction is retried by the library
//! (a plan with hooks only with `DeleteOptions::with_retried_hooks`): there the run must
//! succeed and end exactly as a clean run does.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use std::any::Any;
use std::cell::RefCell;
use std::panic::{self, AssertUnwindSafe};

use chrono::NaiveDateTime;
use deletable::{Deletable, DeleteError, DeleteOptions, DeleteReport, HookError, SoftDelete};
use deletable_tests::{
    add_lookalike, backends, Armable, Catalog, Decoyed, Fault, FaultInjection, Injection, Snapshot,
    TestDb,
};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

mod schema {
    diesel::table! { chain_a (id) { id -> Integer, name -> Text, } }
    diesel::table! { chain_b (id) { id -> Integer, a_id -> Integer, note -> Text, } }
    diesel::table! { chain_c (id) { id -> Integer, b_id -> Integer, } }
    diesel::table! { chain_locks (id) { id -> Integer, a_id -> Integer, } }
    diesel::table! { dia_roots (id) { id -> Integer, } }
    diesel::table! { dia_left (id) { id -> Integer, root_id -> Integer, } }
    diesel::table! { dia_right (id) { id -> Integer, root_id -> Integer, } }
    diesel::table! { dia_joins (id) { id -> Integer, left_id -> Integer, right_id -> Integer, } }
    diesel::table! { dia_tags (id) { id -> Integer, left_id -> Integer, root_id -> Integer, } }
    diesel::table! { null_users (id) { id -> Integer, } }
    diesel::table! { null_posts (id) { id -> Integer, author_id -> Integer, editor_id -> Nullable<Integer>, } }
    diesel::table! { default_categories (id) { id -> Integer, } }
    diesel::table! { default_items (id) { id -> Integer, category_id -> Integer, } }
    diesel::table! { tree_nodes (id) { id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { tree_tags (id) { id -> Integer, node_id -> Integer, } }
    diesel::table! { loop_users (id) { id -> Integer, pinned_reply_id -> Nullable<Integer>, } }
    diesel::table! { loop_threads (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { loop_replies (id) { id -> Integer, thread_id -> Integer, } }
    diesel::table! { hook_accounts (id) { id -> Integer, } }
    diesel::table! { hook_orders (id) { id -> Integer, account_id -> Integer, total -> Integer, } }
    diesel::table! { hook_lines (id) { id -> Integer, order_id -> Integer, } }
    diesel::table! { hook_folders (id) { id -> Integer, account_id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { comp_students (id) { id -> Integer, } }
    diesel::table! { comp_courses (id) { id -> Integer, } }
    diesel::table! { comp_enrollments (student_id, course_id) { student_id -> Integer, course_id -> Integer, } }
    diesel::table! { soft_authors (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { soft_books (id) { id -> Integer, author_id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { soft_chapters (id) { id -> Integer, book_id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { soft_reviews (id) { id -> Integer, book_id -> Integer, } }
    diesel::table! { soft_loans (id) { id -> Integer, book_id -> Integer, deleted_at -> Nullable<Timestamp>, } }
}
use schema::*;

// A cascade chain a <- b <- c, with a protect check beside it.

#[derive(Deletable)]
#[diesel(table_name = chain_a)]
struct ChainA {
    id: i32,
    name: String,
}

#[derive(Deletable)]
#[diesel(table_name = chain_b)]
struct ChainB {
    id: i32,
    #[on_delete(cascade, references = ChainA)]
    a_id: i32,
    note: String,
}

#[derive(Deletable)]
#[diesel(table_name = chain_c)]
struct ChainC {
    id: i32,
    #[on_delete(cascade, references = ChainB)]
    b_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = chain_locks)]
struct ChainLock {
    id: i32,
    #[on_delete(protect, references = ChainA)]
    a_id: i32,
}

// A diamond: joins are reached from a root through left and through right; a restrict edge is
// satisfied by the cascade through left.

#[derive(Deletable)]
#[diesel(table_name = dia_roots)]
struct DiaRoot {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = dia_left)]
struct DiaLeft {
    id: i32,
    #[on_delete(cascade, references = DiaRoot)]
    root_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = dia_right)]
struct DiaRight {
    id: i32,
    #[on_delete(cascade, references = DiaRoot)]
    root_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = dia_joins)]
struct DiaJoin {
    id: i32,
    #[on_delete(cascade, references = DiaLeft)]
    left_id: i32,
    #[on_delete(cascade, references = DiaRight)]
    right_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = dia_tags)]
struct DiaTag {
    id: i32,
    #[on_delete(cascade, references = DiaLeft)]
    left_id: i32,
    #[on_delete(restrict, references = DiaRoot)]
    root_id: i32,
}

// set_null, beside a cascade from the same parent.

#[derive(Deletable)]
#[diesel(table_name = null_users)]
struct NullUser {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = null_posts)]
struct NullPost {
    id: i32,
    #[on_delete(cascade, references = NullUser)]
    author_id: i32,
    #[on_delete(set_null, references = NullUser)]
    editor_id: Option<i32>,
}

// set_default.

#[derive(Deletable)]
#[diesel(table_name = default_categories)]
struct DefaultCategory {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = default_items)]
struct DefaultItem {
    id: i32,
    #[on_delete(set_default = 1, references = DefaultCategory)]
    category_id: i32,
}

// A tree, with rows hanging off it.

#[derive(Deletable)]
#[diesel(table_name = tree_nodes)]
struct TreeNode {
    id: i32,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = tree_tags)]
struct TreeTag {
    id: i32,
    #[on_delete(cascade, references = TreeNode)]
    node_id: i32,
}

// A loop through a nullable restrict key: users <- threads <- replies (cascades), and users pin
// a reply. Deleting a user deletes its replies first, so the pins of the users being deleted are
// cleared before (a `Step::Detach`).

#[derive(Deletable)]
#[diesel(table_name = loop_users)]
struct LoopUser {
    id: i32,
    #[on_delete(restrict, references = LoopReply)]
    pinned_reply_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = loop_threads)]
struct LoopThread {
    id: i32,
    #[on_delete(cascade, references = LoopUser)]
    user_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = loop_replies)]
struct LoopReply {
    id: i32,
    #[on_delete(cascade, references = LoopThread)]
    thread_id: i32,
}

// Hooks: whole rows in batches of 2, a set-based child, and a hooked tree.

#[derive(Deletable)]
#[diesel(table_name = hook_accounts)]
struct HookAccount {
    id: i32,
}

#[derive(Queryable, Selectable, Deletable)]
#[diesel(table_name = hook_orders)]
#[deletable(hooks, batch_size = 2)]
struct HookOrder {
    id: i32,
    #[on_delete(cascade, references = HookAccount)]
    account_id: i32,
    total: i32,
}

#[derive(Deletable)]
#[diesel(table_name = hook_lines)]
struct HookLine {
    id: i32,
    #[on_delete(cascade, references = HookOrder)]
    order_id: i32,
}

#[derive(Queryable, Selectable, Deletable)]
#[diesel(table_name = hook_folders)]
#[deletable(hooks, batch_size = 2)]
struct HookFolder {
    id: i32,
    #[on_delete(cascade, references = HookAccount)]
    account_id: i32,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
}

// Composite keys: a join table, hooked with its keys in batches of 2.

#[derive(Deletable)]
#[diesel(table_name = comp_students)]
struct CompStudent {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = comp_courses)]
struct CompCourse {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = comp_enrollments, primary_key(student_id, course_id))]
#[deletable(hooks = keys, batch_size = 2)]
struct CompEnrollment {
    #[on_delete(cascade, references = CompStudent)]
    student_id: i32,
    #[on_delete(cascade, references = CompCourse)]
    course_id: i32,
}

// Soft delete: authors <- books <- chapters (hooked), reviews (not soft-deletable), loans
// (protect).

#[derive(Deletable)]
#[diesel(table_name = soft_authors)]
struct SoftAuthor {
    id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Deletable)]
#[diesel(table_name = soft_books)]
struct SoftBook {
    id: i32,
    #[on_delete(cascade, references = SoftAuthor)]
    author_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Deletable)]
#[diesel(table_name = soft_chapters)]
#[deletable(hooks, batch_size = 2)]
struct SoftChapter {
    id: i32,
    #[on_delete(cascade, references = SoftBook)]
    book_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Deletable)]
#[diesel(table_name = soft_reviews)]
struct SoftReview {
    id: i32,
    #[on_delete(cascade, references = SoftBook)]
    book_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = soft_loans)]
struct SoftLoan {
    id: i32,
    #[on_delete(protect, references = SoftBook)]
    book_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

deletable::schema!(
    ChainA,
    ChainB,
    ChainC,
    ChainLock,
    DiaRoot,
    DiaLeft,
    DiaRight,
    DiaJoin,
    DiaTag,
    NullUser,
    NullPost,
    DefaultCategory,
    DefaultItem,
    TreeNode,
    TreeTag,
    LoopUser,
    LoopThread,
    LoopReply,
    HookAccount,
    HookOrder,
    HookLine,
    HookFolder,
    CompStudent,
    CompCourse,
    CompEnrollment,
    SoftAuthor,
    SoftBook,
    SoftChapter,
    SoftReview,
    SoftLoan
);

/// Every table of the schema, parents first (but for the loop's pins, which close a loop);
/// `hook_audit` is written by the hooks.
const TABLES: &[&str] = &[
    "chain_a",
    "chain_b",
    "chain_c",
    "chain_locks",
    "dia_roots",
    "dia_left",
    "dia_right",
    "dia_joins",
    "dia_tags",
    "null_users",
    "null_posts",
    "default_categories",
    "default_items",
    "tree_nodes",
    "tree_tags",
    "loop_users",
    "loop_threads",
    "loop_replies",
    "hook_accounts",
    "hook_orders",
    "hook_lines",
    "hook_folders",
    "hook_audit",
    "comp_students",
    "comp_courses",
    "comp_enrollments",
    "soft_authors",
    "soft_books",
    "soft_chapters",
    "soft_reviews",
    "soft_loans",
];

/// Plan tables given a look-alike in the test's own namespace: `<table>_lookalike`, same
/// columns, same rows.
const LOOKALIKES: &[&str] = &[
    "chain_b",
    "dia_joins",
    "tree_nodes",
    "loop_users",
    "hook_orders",
    "comp_enrollments",
    "soft_books",
];

/// The tables, with `timestamp` as the soft-delete column type and `on_delete` after every
/// foreign key. `loop_users.pinned_reply_id`, which closes a loop, names `loop_replies` before
/// that table exists: SQLite accepts it in `CREATE TABLE` (and cannot add a key to a table),
/// PostgreSQL, MySQL and MariaDB do not; there, unless `inline_loop_key`, the key is left out
/// for [`add_loop_key`] to add once both tables exist.
fn ddl(timestamp: &str, on_delete: &str, inline_loop_key: bool) -> String {
    let fk = |column: &str, parent: &str| {
        format!("FOREIGN KEY ({column}) REFERENCES {parent} (id){on_delete}")
    };
    let loop_key = if inline_loop_key {
        format!(", {}", fk("pinned_reply_id", "loop_replies"))
    } else {
        String::new()
    };
    format!(
        "CREATE TABLE chain_a (id INTEGER PRIMARY KEY, name VARCHAR(32) NOT NULL);
         CREATE TABLE chain_b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL,
             note VARCHAR(32) NOT NULL, {});
         CREATE TABLE chain_c (id INTEGER PRIMARY KEY, b_id INTEGER NOT NULL, {});
         CREATE TABLE chain_locks (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL, {});
         CREATE TABLE dia_roots (id INTEGER PRIMARY KEY);
         CREATE TABLE dia_left (id INTEGER PRIMARY KEY, root_id INTEGER NOT NULL, {});
         CREATE TABLE dia_right (id INTEGER PRIMARY KEY, root_id INTEGER NOT NULL, {});
         CREATE TABLE dia_joins (id INTEGER PRIMARY KEY, left_id INTEGER NOT NULL,
             right_id INTEGER NOT NULL, {}, {});
         CREATE TABLE dia_tags (id INTEGER PRIMARY KEY, left_id INTEGER NOT NULL,
             root_id INTEGER NOT NULL, {}, {});
         CREATE TABLE null_users (id INTEGER PRIMARY KEY);
         CREATE TABLE null_posts (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL,
             editor_id INTEGER, {}, {});
         CREATE TABLE default_categories (id INTEGER PRIMARY KEY);
         CREATE TABLE default_items (id INTEGER PRIMARY KEY, category_id INTEGER NOT NULL, {});
         CREATE TABLE tree_nodes (id INTEGER PRIMARY KEY, parent_id INTEGER, {});
         CREATE TABLE tree_tags (id INTEGER PRIMARY KEY, node_id INTEGER NOT NULL, {});
         CREATE TABLE loop_users (id INTEGER PRIMARY KEY, pinned_reply_id INTEGER{loop_key});
         CREATE TABLE loop_threads (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, {});
         CREATE TABLE loop_replies (id INTEGER PRIMARY KEY, thread_id INTEGER NOT NULL, {});
         CREATE TABLE hook_accounts (id INTEGER PRIMARY KEY);
         CREATE TABLE hook_orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL,
             total INTEGER NOT NULL, {});
         CREATE TABLE hook_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL, {});
         CREATE TABLE hook_folders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL,
             parent_id INTEGER, {}, {});
         CREATE TABLE hook_audit (entry VARCHAR(128) NOT NULL);
         CREATE TABLE comp_students (id INTEGER PRIMARY KEY);
         CREATE TABLE comp_courses (id INTEGER PRIMARY KEY);
         CREATE TABLE comp_enrollments (student_id INTEGER NOT NULL, course_id INTEGER NOT NULL,
             PRIMARY KEY (student_id, course_id), {}, {});
         CREATE TABLE soft_authors (id INTEGER PRIMARY KEY, deleted_at {timestamp});
         CREATE TABLE soft_books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL,
             deleted_at {timestamp}, {});
         CREATE TABLE soft_chapters (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL,
             deleted_at {timestamp}, {});
         CREATE TABLE soft_reviews (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, {});
         CREATE TABLE soft_loans (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL,
             deleted_at {timestamp}, {});",
        fk("a_id", "chain_a"),
        fk("b_id", "chain_b"),
        fk("a_id", "chain_a"),
        fk("root_id", "dia_roots"),
        fk("root_id", "dia_roots"),
        fk("left_id", "dia_left"),
        fk("right_id", "dia_right"),
        fk("left_id", "dia_left"),
        fk("root_id", "dia_roots"),
        fk("author_id", "null_users"),
        fk("editor_id", "null_users"),
        fk("category_id", "default_categories"),
        fk("parent_id", "tree_nodes"),
        fk("node_id", "tree_nodes"),
        fk("user_id", "loop_users"),
        fk("thread_id", "loop_threads"),
        fk("account_id", "hook_accounts"),
        fk("order_id", "hook_orders"),
        fk("account_id", "hook_accounts"),
        fk("parent_id", "hook_folders"),
        fk("student_id", "comp_students"),
        fk("course_id", "comp_courses"),
        fk("author_id", "soft_authors"),
        fk("book_id", "soft_books"),
        fk("book_id", "soft_books"),
        fk("book_id", "soft_books"),
    )
}

/// Adds the key from `users` (`loop_users`) to `replies` (`loop_replies`) that [`ddl`] left out,
/// with `on_delete` after it.
fn add_loop_key(users: &str, replies: &str, on_delete: &str) -> String {
    format!(
        "ALTER TABLE {users} ADD FOREIGN KEY (pinned_reply_id) \
         REFERENCES {replies} (id){on_delete};"
    )
}

/// The soft-delete mark of author 2's operation, on its book and two of its chapters.
const MARK: &str = "2020-02-02 02:02:02.222222";

/// The rows every run starts from (parents before children, a tree's parents first; the loop's
/// users without their pins, set once the replies exist).
const FIXTURE: &str = "
    INSERT INTO chain_a (id, name) VALUES (1, 'doomed one'), (2, 'doomed two'), (3, 'kept');
    INSERT INTO chain_b (id, a_id, note) VALUES (1, 1, 'b1'), (2, 1, 'b2'), (3, 2, 'b3'), (4, 3, 'b4');
    INSERT INTO chain_c (id, b_id) VALUES (1, 1), (2, 1), (3, 2), (4, 3), (5, 4);
    INSERT INTO chain_locks (id, a_id) VALUES (1, 3);
    INSERT INTO dia_roots (id) VALUES (1), (2);
    INSERT INTO dia_left (id, root_id) VALUES (1, 1), (2, 1), (3, 2);
    INSERT INTO dia_right (id, root_id) VALUES (1, 1), (2, 2);
    INSERT INTO dia_joins (id, left_id, right_id) VALUES (1, 1, 1), (2, 3, 1), (3, 2, 2), (4, 3, 2);
    INSERT INTO dia_tags (id, left_id, root_id) VALUES (1, 1, 1), (2, 3, 2);
    INSERT INTO null_users (id) VALUES (1), (2);
    INSERT INTO null_posts (id, author_id, editor_id) VALUES (1, 1, 2), (2, 2, 1), (3, 2, NULL), (4, 1, 1);
    INSERT INTO default_categories (id) VALUES (1), (2), (3);
    INSERT INTO default_items (id, category_id) VALUES (1, 2), (2, 2), (3, 3), (4, 1);
    INSERT INTO tree_nodes (id, parent_id) VALUES (1, NULL), (2, 1), (3, 1), (4, 2), (5, 4), (6, NULL), (7, 6);
    INSERT INTO tree_tags (id, node_id) VALUES (1, 4), (2, 5), (3, 7);
    INSERT INTO loop_users (id, pinned_reply_id) VALUES (1, NULL), (2, NULL), (3, NULL);
    INSERT INTO loop_threads (id, user_id) VALUES (1, 1), (2, 1), (3, 2), (4, 3);
    INSERT INTO loop_replies (id, thread_id) VALUES (1, 1), (2, 1), (3, 2), (4, 3), (5, 4);
    UPDATE loop_users SET pinned_reply_id = 2 WHERE id = 1;
    UPDATE loop_users SET pinned_reply_id = 4 WHERE id IN (2, 3);
    INSERT INTO hook_accounts (id) VALUES (1), (2);
    INSERT INTO hook_orders (id, account_id, total) VALUES
        (1, 1, 10), (2, 1, 20), (3, 1, 30), (4, 1, 40), (5, 1, 50), (6, 2, 60);
    INSERT INTO hook_lines (id, order_id) VALUES (1, 1), (2, 3), (3, 5), (4, 6);
    INSERT INTO hook_folders (id, account_id, parent_id) VALUES
        (1, 1, NULL), (2, 1, 1), (3, 1, 2), (4, 1, 2), (5, 2, NULL);
    INSERT INTO comp_students (id) VALUES (1), (2), (3);
    INSERT INTO comp_courses (id) VALUES (1), (2), (3), (4);
    INSERT INTO comp_enrollments (student_id, course_id) VALUES (1, 1), (1, 2), (1, 3), (2, 1), (2, 2), (3, 3);
    INSERT INTO soft_authors (id, deleted_at) VALUES
        (1, NULL), (2, '2020-02-02 02:02:02.222222'), (3, '2019-01-01 01:01:01.111111');
    INSERT INTO soft_books (id, author_id, deleted_at) VALUES
        (1, 1, NULL), (2, 1, NULL), (3, 1, '2018-05-05 05:05:05.555555'),
        (4, 2, '2020-02-02 02:02:02.222222'), (5, 3, '2019-01-01 01:01:01.111111');
    INSERT INTO soft_chapters (id, book_id, deleted_at) VALUES
        (1, 1, NULL), (2, 1, NULL), (3, 2, NULL),
        (4, 4, '2020-02-02 02:02:02.222222'), (5, 4, '2020-02-02 02:02:02.222222'),
        (6, 4, '2017-07-07 07:07:07.777777'), (7, 5, '2019-01-01 01:01:01.111111');
    INSERT INTO soft_reviews (id, book_id) VALUES (1, 1), (2, 4), (3, 5);
    INSERT INTO soft_loans (id, book_id, deleted_at) VALUES (1, 2, '2016-06-06 06:06:06.666666');
";

/// Empties every table (the trees' links and the loop's pins first: InnoDB checks a
/// self-reference row by row, and no order of the loop's tables deletes a row after every row
/// referencing it).
fn clear_sql() -> String {
    let mut sql = String::from(
        "UPDATE tree_nodes SET parent_id = NULL; UPDATE hook_folders SET parent_id = NULL; \
         UPDATE loop_users SET pinned_reply_id = NULL;",
    );
    for table in TABLES.iter().rev() {
        sql.push_str(&format!(" DELETE FROM {table};"));
    }
    sql
}

/// How a hook is made to fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum HookFailure {
    /// It returns an error.
    Error,
    /// It panics.
    Panic,
}

/// The hook calls of this thread's current run, and the one to make fail.
#[derive(Default)]
struct HookScript {
    calls: usize,
    fail_at: Option<(usize, HookFailure)>,
}

thread_local! {
    static HOOKS: RefCell<HookScript> = RefCell::new(HookScript::default());
}

/// Every hook: counts the call, writes an audit row through the operation's connection (a
/// write the rollback must undo), then fails if this is the call chosen: the audit row's
/// statement, and the call with its failure, for [`injected`] once the row is written.
fn audit(hook: &str, keys: impl Iterator<Item = String>) -> (String, (usize, Option<HookFailure>)) {
    let (call, failure) = HOOKS.with(|script| {
        let mut script = script.borrow_mut();
        script.calls += 1;
        let call = script.calls;
        let failure = script
            .fail_at
            .and_then(|(at, failure)| (at == call).then_some(failure));
        (call, failure)
    });
    let keys: Vec<String> = keys.collect();
    let sql = format!(
        "INSERT INTO hook_audit (entry) VALUES ('{hook} {}')",
        keys.join(" ")
    );
    (sql, (call, failure))
}

/// The hook's outcome after its audit row is written: the failure injected at this call.
fn injected((call, failure): (usize, Option<HookFailure>)) -> Result<(), HookError> {
    match failure {
        Some(HookFailure::Error) => Err(format!("injected hook failure at call {call}").into()),
        Some(HookFailure::Panic) => panic!("injected hook panic at call {call}"),
        None => Ok(()),
    }
}

/// Implements every hook of a model with [`audit`], naming each row by `$key`.
macro_rules! audited_hooks {
    ($model:ty, |$row:ident| $key:expr) => {
        audited_hooks!(@stages $model, |$row| $key, before_delete, after_delete,
            before_soft_delete, after_soft_delete, before_restore, after_restore);
    };
    (@stages $model:ty, |$row:ident| $key:expr, $($stage:ident),*) => {
        deletable_tests::hooks! {
            impl for $model {
                $(
                    fn $stage(conn, rows: &[<$model as Deletable>::HookRow]) {
                        let hook = concat!(stringify!($model), ".", stringify!($stage));
                        let (sql, call) = audit(hook, rows.iter().map(|$row| $key));
                        conn.exec(&sql).await?;
                        injected(call)
                    }
                )*
            }
        }
    };
}

audited_hooks!(HookOrder, |order| order.id.to_string());
audited_hooks!(HookFolder, |folder| folder.id.to_string());
audited_hooks!(CompEnrollment, |key| format!("{}:{}", key.0, key.1));
audited_hooks!(SoftChapter, |chapter| chapter.id.to_string());

/// One operation under test.
struct Case {
    /// What it is, for messages.
    name: &'static str,
    /// The caller's rows around it in a caller's transaction: the first, inserted before the
    /// operation, is one the operation would reach; the second is inserted after it.
    caller_rows: [&'static str; 2],
    /// Columns whose values differ from run to run (a soft delete's marks), masked when a
    /// retried run is compared with a clean one.
    varying: &'static [&'static str],
    /// Whether the operation goes through a temporary table of root keys.
    temporary_table: bool,
    /// Whether the operation lets the library run its hooks again when it retries after a
    /// deadlock (`DeleteOptions::with_retried_hooks`); without hooks it always retries.
    hooks_retried: bool,
    /// Whether it is a preview: a clean run changes nothing, and a deadlock is returned as an
    /// error (nothing to undo), not retried.
    preview: bool,
}

/// Where the operation runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    /// In the library's own transaction.
    Alone,
    /// Inside a caller's transaction (the library's savepoint).
    Caller,
}

/// What is made to fail in a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Failure {
    /// The `k`-th statement, with this fault.
    Statement(usize, Fault),
    /// The `n`-th hook call, this way.
    Hook(usize, HookFailure),
}

/// The fault-injecting wrapper of the connection of a test database `D`, for its runner.
type Faulty<'c, D> = <<D as TestDb>::Conn as FaultInjection>::Faulty<'c>;

/// The operation under test, on the wrapped connection of a test database `D`.
type Operation<'o, D> = &'o dyn for<'c> Fn(&mut Faulty<'c, D>) -> Result<DeleteReport, DeleteError>;

/// What one run did.
struct Run {
    /// The operation's result, or its panic.
    outcome: Result<Result<DeleteReport, DeleteError>, Box<dyn Any + Send>>,
    /// The statements counted and the one failed.
    injection: Injection,
    /// How many hook calls it made.
    hook_calls: usize,
    /// Whether the caller's transaction committed (in [`Context::Caller`]); its error if not.
    caller_commit: Result<(), String>,
    /// The temporary tables its statements created.
    temporary_tables: Vec<String>,
}

/// A test database with the schema, the fixture, look-alikes and decoys, and the state it
/// starts from.
struct Harness<D: Catalog> {
    db: Decoyed<D>,
    baseline: Snapshot,
    clear: String,
    /// Every broken promise found, described.
    broken: Vec<String>,
    /// How many faulty runs were checked.
    runs: usize,
}

/// The message of a panic payload.
fn panic_message(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<String>()
        .cloned()
        .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_else(|| "a panic".to_owned())
}

/// The names of the temporary tables `statements` created.
fn temporary_tables(statements: &[String]) -> Vec<String> {
    const CREATE: &str = "CREATE TEMPORARY TABLE ";
    statements
        .iter()
        .flat_map(|sql| {
            sql.match_indices(CREATE)
                .map(move |(at, _)| &sql[at + CREATE.len()..])
        })
        .filter_map(|rest| rest.split_whitespace().next())
        .map(|name| name.trim_matches(|c| c == '"' || c == '`').to_owned())
        .collect()
}

impl<D> Harness<D>
where
    D: Catalog,
    D::Conn: FaultInjection,
{
    /// Opens the database, or `None` when the backend is not configured.
    fn open() -> Option<Self> {
        let timestamp = if matches!(D::BACKEND, "mysql" | "mariadb") {
            "DATETIME(6)"
        } else {
            "TIMESTAMP"
        };
        let sqlite = D::BACKEND == "sqlite";
        let mut schema = ddl(timestamp, "", sqlite);
        if !sqlite {
            schema.push_str(&add_loop_key("loop_users", "loop_replies", ""));
        }
        let mut db = D::open(&format!("{schema}\n{FIXTURE}"))?;
        for table in LOOKALIKES {
            add_lookalike(&mut db, table, &format!("{table}_lookalike"));
        }
        // The decoys are copied a table at a time, parents first, which the loop defeats: their
        // loop key is added after the copy, or on SQLite (where it is declared with the table)
        // the rows go in with foreign keys off.
        if sqlite {
            db.exec("PRAGMA foreign_keys = OFF");
        }
        let on_delete = " ON DELETE CASCADE";
        let mut db = Decoyed::new(db, &ddl(timestamp, on_delete, sqlite), TABLES);
        if sqlite {
            db.exec("PRAGMA foreign_keys = ON");
        } else {
            let decoy = db.decoy_namespace().to_owned();
            let (users, replies) = (
                D::qualified(&decoy, "loop_users"),
                D::qualified(&decoy, "loop_replies"),
            );
            db.exec(&add_loop_key(&users, &replies, on_delete));
        }
        let baseline = db.snapshot(&[]);
        for table in TABLES {
            let own = &baseline.0[&format!("{}.{table}", db.own_namespace())];
            let decoy = &baseline.0[&format!("{}.{table}", db.decoy_namespace())];
            assert_eq!(own, decoy, "the decoy of {table}");
        }
        for table in LOOKALIKES {
            let own = format!("{}.{table}", db.own_namespace());
            let lookalike = format!("{own}_lookalike");
            assert_eq!(baseline.0[&own], baseline.0[&lookalike], "{lookalike}");
        }
        Some(Harness {
            db,
            baseline,
            clear: clear_sql(),
            broken: Vec::new(),
            runs: 0,
        })
    }

    /// Puts the fixture back.
    fn reset(&mut self) {
        let sql = format!("{}\n{FIXTURE}", self.clear);
        self.db.exec(&sql);
    }

    /// Runs `operation` in `context`, making `failure` happen.
    fn run(
        &mut self,
        case: &Case,
        operation: Operation<'_, D>,
        context: Context,
        failure: Option<Failure>,
    ) -> Run {
        self.db.log().clear();
        let statement_fault = match failure {
            Some(Failure::Statement(k, fault)) => Some((k, fault)),
            _ => None,
        };
        HOOKS.with(|script| {
            *script.borrow_mut() = HookScript {
                calls: 0,
                fail_at: match failure {
                    Some(Failure::Hook(n, how)) => Some((n, how)),
                    _ => None,
                },
            }
        });
        let mut conn = self.db.conn().faulty();
        let attempt = |conn: &mut Faulty<'_, D>| {
            conn.arm(statement_fault);
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| operation(conn)));
            (outcome, conn.disarm())
        };
        let (outcome, injection, caller_commit) = match context {
            Context::Alone => {
                let (outcome, injection) = attempt(&mut conn);
                (outcome, injection, Ok(()))
            }
            Context::Caller => {
                let mut inside = None;
                let [first, second] = case.caller_rows;
                let committed = conn.transaction(|conn| {
                    conn.batch_execute(first)?;
                    let (outcome, injection) = attempt(conn);
                    inside = Some((outcome, injection));
                    conn.batch_execute(second)
                });
                let (outcome, injection) = inside
                    .unwrap_or_else(|| panic!("the caller's first row was refused: {committed:?}"));
                (
                    outcome,
                    injection,
                    committed.map_err(|error| error.to_string()),
                )
            }
        };
        drop(conn);
        let hook_calls = HOOKS.with(|script| std::mem::take(&mut *script.borrow_mut()).calls);
        Run {
            outcome,
            injection,
            hook_calls,
            caller_commit,
            temporary_tables: temporary_tables(&self.db.log().statements()),
        }
    }

    /// The temporary tables of `run` that still exist.
    fn leaked(&mut self, run: &Run) -> Vec<String> {
        let mut leaked = Vec::new();
        for table in &run.temporary_tables {
            let probe = format!(
                "SELECT CAST('' AS {text}) AS label, CAST('' AS {text}) AS text FROM {} WHERE 1 = 0",
                D::quote(table),
                text = D::TEXT_TYPE
            );
            if self.db.labeled(&probe).is_ok() {
                leaked.push(table.clone());
            }
        }
        leaked
    }

    /// The state after a successful run of `operation` in `context`, checked: it succeeded,
    /// changed the test's tables and neither a decoy nor a look-alike. Returns the run and the
    /// state it left (masked as `masked`), then puts the fixture back.
    fn clean_run(
        &mut self,
        case: &Case,
        operation: Operation<'_, D>,
        context: Context,
        masked: &[&str],
    ) -> (Run, DeleteReport, Snapshot) {
        let run = self.run(case, operation, context, None);
        let report = match &run.outcome {
            Ok(Ok(report)) => report.clone(),
            Ok(Err(error)) => panic!(
                "{} ({context:?}) failed without a fault: {error}",
                case.name
            ),
            Err(payload) => panic!(
                "{} ({context:?}) panicked without a fault: {}",
                case.name,
                panic_message(payload.as_ref())
            ),
        };
        assert_eq!(run.caller_commit, Ok(()), "{}", case.name);
        assert!(run.injection.statements > 0, "{}: no statement", case.name);
        let after = self.db.snapshot(&[]);
        if !case.preview {
            assert_ne!(after, self.baseline, "{} changed nothing", case.name);
        } else if context == Context::Alone {
            assert_eq!(after, self.baseline, "{} changed the tables", case.name);
        }
        let untouched = |snapshot: &Snapshot, db: &Decoyed<D>| {
            let own = format!("{}.", db.own_namespace());
            let decoy = format!("{}.", db.decoy_namespace());
            snapshot.only(|label| {
                label.starts_with(&decoy)
                    || (label.starts_with(&own) && label.ends_with("_lookalike"))
            })
        };
        let touched = untouched(&after, &self.db).diff(&untouched(&self.baseline, &self.db));
        assert!(
            touched.is_empty(),
            "{} ({context:?}) changed decoys or look-alikes:\n{touched}",
            case.name
        );
        assert_eq!(
            case.temporary_table,
            !run.temporary_tables.is_empty(),
            "{}: temporary tables {:?}",
            case.name,
            run.temporary_tables
        );
        let leaked = self.leaked(&run);
        assert!(
            leaked.is_empty(),
            "{}: temporary tables left: {leaked:?}",
            case.name
        );
        let state = if masked.is_empty() {
            after
        } else {
            self.db.snapshot(masked)
        };
        self.reset();
        (run, report, state)
    }

    /// The state a failed operation inside the caller's transaction must leave: the fixture
    /// and the caller's two rows.
    fn with_caller_rows(&mut self, case: &Case) -> Snapshot {
        let [first, second] = case.caller_rows;
        self.db.exec(first);
        self.db.exec(second);
        let state = self.db.snapshot(&[]);
        self.reset();
        state
    }

    /// Records a broken promise of one run.
    fn broke(&mut self, case: &Case, context: Context, failure: Failure, run: &Run, what: String) {
        self.broken.push(format!(
            "{} {} ({context:?}, {failure:?}): {what}\n    failed statement: {}",
            D::BACKEND,
            case.name,
            run.injection
                .failed_statement
                .as_deref()
                .unwrap_or("(none: the fault did not fire)")
        ));
    }

    /// Runs `operation` with `failure` in `context` and checks it failed and left `expected`.
    fn faulty_run(
        &mut self,
        case: &Case,
        operation: Operation<'_, D>,
        context: Context,
        failure: Failure,
        expected: &Snapshot,
    ) {
        self.runs += 1;
        let run = self.run(case, operation, context, Some(failure));
        self.judge_failed(case, context, failure, &run, expected);
    }

    /// Checks `run` failed by `failure` (its error, or its hook's panic) and left `expected`.
    fn judge_failed(
        &mut self,
        case: &Case,
        context: Context,
        failure: Failure,
        run: &Run,
        expected: &Snapshot,
    ) {
        let injected = |text: &str| text.contains("injected");
        let outcome = match (&run.outcome, failure) {
            (Err(payload), Failure::Hook(_, HookFailure::Panic)) => {
                let message = panic_message(payload.as_ref());
                (!injected(&message)).then(|| format!("panicked with another message: {message}"))
            }
            (Err(payload), _) => Some(format!("panicked: {}", panic_message(payload.as_ref()))),
            (Ok(_), Failure::Hook(_, HookFailure::Panic)) => {
                Some("the hook's panic did not go on".to_owned())
            }
            (Ok(Ok(report)), _) => Some(format!("succeeded despite the fault: {report}")),
            (Ok(Err(error)), Failure::Hook(..)) if !matches!(error, DeleteError::Hook { .. }) => {
                Some(format!(
                    "failed with another error than the hook's: {error:?}"
                ))
            }
            (Ok(Err(error)), _) if !injected(&format!("{error:?}")) => Some(format!(
                "failed with another error than the fault's: {error:?}"
            )),
            (Ok(Err(_)), _) => None,
        };
        if let Some(what) = outcome {
            self.broke(case, context, failure, run, what);
        }
        if let Failure::Statement(..) = failure {
            if run.injection.failed_statement.is_none() {
                let what = format!("ran {} statements only", run.injection.statements);
                self.broke(case, context, failure, run, what);
            }
        }
        if let Err(error) = &run.caller_commit {
            let what = format!("the caller's transaction could not go on and commit: {error}");
            self.broke(case, context, failure, run, what);
        }
        self.check_state(case, context, failure, run, expected, &[]);
        self.check_leaks(case, context, failure, run);
    }

    /// Checks the state after `run` is `expected` (masked as `masked`); puts the fixture back
    /// when the run changed it.
    fn check_state(
        &mut self,
        case: &Case,
        context: Context,
        failure: Failure,
        run: &Run,
        expected: &Snapshot,
        masked: &[&str],
    ) {
        let after = self.db.snapshot(masked);
        let diff = after.diff(expected);
        if !diff.is_empty() {
            self.broke(
                case,
                context,
                failure,
                run,
                format!("rows changed:\n{diff}"),
            );
        }
        if masked.is_empty() && after == self.baseline {
            return;
        }
        self.reset();
    }

    /// Checks no temporary table of `run` outlived it, but the one whose `DROP` was the
    /// statement made to fail. (Not after [`Fault::AfterRunning`]: there a `CREATE TEMPORARY
    /// TABLE` reported as failed did create its table, which no real server does, and MySQL
    /// keeps temporary tables through a rollback.)
    fn check_leaks(&mut self, case: &Case, context: Context, failure: Failure, run: &Run) {
        if matches!(failure, Failure::Statement(_, Fault::AfterRunning)) {
            return;
        }
        let dropped_by_the_failed_statement = |table: &String| {
            run.injection
                .failed_statement
                .as_deref()
                .is_some_and(|sql| sql.contains("DROP ") && sql.contains(table.as_str()))
        };
        let mut leaked = self.leaked(run);
        leaked.retain(|table| !dropped_by_the_failed_statement(table));
        if !leaked.is_empty() {
            let what = format!("temporary tables outlived the operation: {leaked:?}");
            self.broke(case, context, failure, run, what);
        }
    }

    /// A deadlock at statement `k` of an operation alone: the library retries it, and the run
    /// must end as a clean run does; unless the statement was a hook's own, whose error is the
    /// hook's to report.
    fn retried_run(
        &mut self,
        case: &Case,
        operation: Operation<'_, D>,
        k: usize,
        clean: &(DeleteReport, Snapshot),
    ) {
        self.runs += 1;
        let failure = Failure::Statement(k, Fault::Deadlock);
        let run = self.run(case, operation, Context::Alone, Some(failure));
        let in_a_hook = run
            .injection
            .failed_statement
            .as_deref()
            .is_some_and(|sql| sql.contains("hook_audit"));
        if in_a_hook {
            // A hook's own statement: its error is the hook's (`DeleteError::Hook`, an opaque
            // source), which the library reports as it is, having changed nothing.
            let baseline = self.baseline.clone();
            self.judge_failed(case, Context::Alone, failure, &run, &baseline);
            return;
        }
        match &run.outcome {
            Ok(Ok(report)) if *report == clean.0 => {}
            Ok(Ok(report)) => {
                let what = format!("the retry reported {report}, a clean run {}", clean.0);
                self.broke(case, Context::Alone, failure, &run, what);
            }
            Ok(Err(error)) => {
                let what = format!("the deadlock was not retried: {error}");
                self.broke(case, Context::Alone, failure, &run, what);
            }
            Err(payload) => {
                let what = format!("panicked: {}", panic_message(payload.as_ref()));
                self.broke(case, Context::Alone, failure, &run, what);
            }
        }
        self.check_state(case, Context::Alone, failure, &run, &clean.1, case.varying);
        self.check_leaks(case, Context::Alone, failure, &run);
    }
}

/// Proves the promise for one operation on the backend `D`: every statement failing in every
/// way, alone and in a caller's transaction, and every hook call failing.
fn prove<D>(case: &Case, operation: Operation<'_, D>)
where
    D: Catalog,
    D::Conn: FaultInjection,
{
    let Some(mut harness) = Harness::<D>::open() else {
        return;
    };
    let started = std::time::Instant::now();
    let (alone, report, clean_state) =
        harness.clean_run(case, operation, Context::Alone, case.varying);
    let (in_caller, _, _) = harness.clean_run(case, operation, Context::Caller, &[]);
    let expected = [
        (Context::Alone, alone, harness.baseline.clone()),
        (Context::Caller, in_caller, harness.with_caller_rows(case)),
    ];
    let clean = (report, clean_state);
    for (context, clean_run, expected) in &expected {
        for fault in Fault::ALL {
            for k in 1..=clean_run.injection.statements {
                let retried = !case.preview && (clean_run.hook_calls == 0 || case.hooks_retried);
                if (*context, fault) == (Context::Alone, Fault::Deadlock) && retried {
                    harness.retried_run(case, operation, k, &clean);
                } else {
                    let failure = Failure::Statement(k, fault);
                    harness.faulty_run(case, operation, *context, failure, expected);
                }
            }
        }
        for how in [HookFailure::Error, HookFailure::Panic] {
            for n in 1..=clean_run.hook_calls {
                let failure = Failure::Hook(n, how);
                harness.faulty_run(case, operation, *context, failure, expected);
            }
        }
    }
    println!(
        "{} {}: {} statements alone, {} in a caller's transaction, {} hook calls; {} faulty runs in {:?}",
        D::BACKEND,
        case.name,
        expected[0].1.injection.statements,
        expected[1].1.injection.statements,
        expected[0].1.hook_calls,
        harness.runs,
        started.elapsed()
    );
    assert!(
        harness.broken.is_empty(),
        "{} of {} faulty runs broke the promise:\n{}",
        harness.broken.len(),
        harness.runs,
        harness.broken.join("\n")
    );
}

const CHAIN_CALLER_ROWS: [&str; 2] = [
    "INSERT INTO chain_c (id, b_id) VALUES (100, 1)",
    "INSERT INTO chain_a (id, name) VALUES (100, 'caller')",
];

const CHAIN: Case = Case {
    name: "cascade chain",
    caller_rows: CHAIN_CALLER_ROWS,
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: false,
};

const CHAIN_WHERE: Case = Case {
    name: "delete_where on a chain",
    caller_rows: CHAIN_CALLER_ROWS,
    varying: &[],
    temporary_table: true,
    hooks_retried: false,
    preview: false,
};

const DIAMOND_CALLER_ROWS: [&str; 2] = [
    "INSERT INTO dia_joins (id, left_id, right_id) VALUES (100, 1, 2)",
    "INSERT INTO dia_roots (id) VALUES (100)",
];

const DIAMOND_MANY_KEYS: Case = Case {
    name: "keys past the bind limit",
    caller_rows: DIAMOND_CALLER_ROWS,
    varying: &[],
    temporary_table: true,
    hooks_retried: false,
    preview: false,
};

const DIAMOND: Case = Case {
    name: "diamond",
    caller_rows: DIAMOND_CALLER_ROWS,
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: false,
};

const SET_NULL: Case = Case {
    name: "set_null",
    caller_rows: [
        "INSERT INTO null_posts (id, author_id, editor_id) VALUES (100, 2, 1)",
        "INSERT INTO null_users (id) VALUES (100)",
    ],
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: false,
};

const SET_DEFAULT: Case = Case {
    name: "set_default",
    caller_rows: [
        "INSERT INTO default_items (id, category_id) VALUES (100, 2)",
        "INSERT INTO default_categories (id) VALUES (100)",
    ],
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: false,
};

/// The loop's case: the caller's first row is a reply of user 1, which the delete reaches after
/// clearing user 1's pin; the second a user pinning a reply that stays.
const LOOP: Case = Case {
    name: "loop through a nullable restrict key",
    caller_rows: [
        "INSERT INTO loop_replies (id, thread_id) VALUES (100, 1)",
        "INSERT INTO loop_users (id, pinned_reply_id) VALUES (100, 4)",
    ],
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: false,
};

/// The tree test's case; SQLite, MySQL and MariaDB copy a subtree's keys into a temporary table.
fn tree_case(backend: &str) -> Case {
    Case {
        name: "tree",
        caller_rows: [
            "INSERT INTO tree_nodes (id, parent_id) VALUES (100, 5)",
            "INSERT INTO tree_nodes (id, parent_id) VALUES (101, 7)",
        ],
        varying: &[],
        temporary_table: backend != "postgres",
        hooks_retried: false,
        preview: false,
    }
}

/// The hooks test's case: its hooks may run again, so a deadlock is retried (the other hooked
/// cases are not). SQLite, MySQL and MariaDB copy the hooked tree's keys into a temporary table
/// only when a batch holds rows in a loop, which this data has not.
const HOOKED: Case = Case {
    name: "hooks",
    caller_rows: [
        "INSERT INTO hook_orders (id, account_id, total) VALUES (100, 1, 1000)",
        "INSERT INTO hook_accounts (id) VALUES (100)",
    ],
    varying: &[],
    temporary_table: false,
    hooks_retried: true,
    preview: false,
};

const COMPOSITE_CASCADE: Case = Case {
    name: "composite keys reached by a cascade",
    caller_rows: [
        "INSERT INTO comp_enrollments (student_id, course_id) VALUES (1, 4)",
        "INSERT INTO comp_courses (id) VALUES (100)",
    ],
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: false,
};

const COMPOSITE_ROOTS: Case = Case {
    name: "composite keys as roots",
    caller_rows: [
        "INSERT INTO comp_enrollments (student_id, course_id) VALUES (2, 3)",
        "INSERT INTO comp_students (id) VALUES (100)",
    ],
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: false,
};

const SOFT_DELETE: Case = Case {
    name: "soft delete",
    caller_rows: [
        "INSERT INTO soft_chapters (id, book_id, deleted_at) VALUES (100, 1, NULL)",
        "INSERT INTO soft_authors (id, deleted_at) VALUES (100, NULL)",
    ],
    varying: &["deleted_at"],
    temporary_table: false,
    hooks_retried: false,
    preview: false,
};

const RESTORE_CALLER_ROWS: [&str; 2] = [
    "INSERT INTO soft_chapters (id, book_id, deleted_at) VALUES (100, 4, '2020-02-02 02:02:02.222222')",
    "INSERT INTO soft_authors (id, deleted_at) VALUES (100, NULL)",
];

const RESTORE: Case = Case {
    name: "restore",
    caller_rows: RESTORE_CALLER_ROWS,
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: false,
};

const RESTORE_WHERE: Case = Case {
    name: "restore_where",
    caller_rows: RESTORE_CALLER_ROWS,
    varying: &[],
    temporary_table: true,
    hooks_retried: false,
    preview: false,
};

const PURGE: Case = Case {
    name: "purge_deleted",
    caller_rows: [
        "INSERT INTO soft_chapters (id, book_id, deleted_at) VALUES (100, 5, NULL)",
        "INSERT INTO soft_authors (id, deleted_at) VALUES (100, NULL)",
    ],
    varying: &[],
    temporary_table: true,
    hooks_retried: false,
    preview: false,
};

/// A timestamp of the fixture's form.
fn timestamp(text: &str) -> NaiveDateTime {
    NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f").expect("a timestamp")
}

/// More root keys than `backend` binds in one statement of the diamond's plan, which names the
/// roots twice in a statement (the joins' two paths, the restrict check): root 1, and half the
/// backend's bind limit of roots that do not exist.
fn many_keys(backend: &str) -> Vec<i32> {
    let limit = if backend == "sqlite" { 32_766 } else { 65_535 };
    [1].into_iter().chain(3..3 + limit / 2).collect()
}

/// A preview changes nothing, so each of its failures must leave the tables as they were, and
/// a caller's transaction able to go on.
const PREVIEW: Case = Case {
    name: "preview of a diamond with a restrict",
    caller_rows: DIAMOND_CALLER_ROWS,
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: true,
};

const PREVIEW_WHERE: Case = Case {
    name: "preview of a delete_where on a chain",
    caller_rows: CHAIN_CALLER_ROWS,
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: true,
};

const SOFT_PREVIEW: Case = Case {
    name: "preview of a soft delete",
    caller_rows: SOFT_DELETE.caller_rows,
    varying: &[],
    temporary_table: false,
    hooks_retried: false,
    preview: true,
};

backends! {
    #[test]
    fn a_cascade_chain_fails_cleanly_at_every_statement() {
        prove::<Db>(&CHAIN, &|conn| ChainA::delete_by_ids(&[1], conn));
    }

    #[test]
    fn delete_where_through_a_temporary_table_fails_cleanly_at_every_statement() {
        prove::<Db>(&CHAIN_WHERE, &|conn| {
            ChainA::delete_where(chain_a::name.like("doomed%"), conn)
        });
    }

    #[test]
    fn a_diamond_with_a_restrict_fails_cleanly_at_every_statement() {
        prove::<Db>(&DIAMOND, &|conn| DiaRoot::delete_by_ids(&[1], conn));
    }

    #[test]
    fn set_null_fails_cleanly_at_every_statement() {
        prove::<Db>(&SET_NULL, &|conn| NullUser::delete_by_ids(&[1], conn));
    }

    #[test]
    fn set_default_fails_cleanly_at_every_statement() {
        prove::<Db>(&SET_DEFAULT, &|conn| DefaultCategory::delete_by_ids(&[2, 3], conn));
    }

    #[test]
    fn a_tree_fails_cleanly_at_every_statement() {
        prove::<Db>(&tree_case(<Db as TestDb>::BACKEND), &|conn| {
            TreeNode::delete_by_ids(&[1], conn)
        });
    }

    /// User 1 pins one of its own replies: the delete clears the pin, then deletes the replies,
    /// the threads and the user; user 3, kept, pins a reply of user 2, which stays.
    #[test]
    fn a_loop_through_a_nullable_restrict_key_fails_cleanly_at_every_statement() {
        prove::<Db>(&LOOP, &|conn| LoopUser::delete_by_ids(&[1], conn));
    }

    #[test]
    fn hooks_fail_cleanly_at_every_statement_and_every_call_or_retry() {
        let options = DeleteOptions::default().with_retried_hooks(true);
        prove::<Db>(&HOOKED, &|conn| {
            HookAccount::delete_by_ids_with(&[1], &options, conn)
        });
    }

    #[test]
    fn composite_keys_reached_by_a_cascade_fail_cleanly_everywhere() {
        prove::<Db>(&COMPOSITE_CASCADE, &|conn| CompStudent::delete_by_ids(&[1], conn));
    }

    #[test]
    fn composite_keys_as_roots_fail_cleanly_everywhere() {
        prove::<Db>(&COMPOSITE_ROOTS, &|conn| {
            CompEnrollment::delete_by_ids(&[(1, 1), (2, 2), (3, 3), (2, 3)], conn)
        });
    }

    #[test]
    fn a_soft_delete_fails_cleanly_everywhere() {
        prove::<Db>(&SOFT_DELETE, &|conn| SoftAuthor::soft_delete_by_ids(&[1], conn));
    }

    #[test]
    fn a_restore_fails_cleanly_everywhere() {
        let author = SoftAuthor { id: 2, deleted_at: Some(timestamp(MARK)) };
        prove::<Db>(&RESTORE, &|conn| author.restore(conn));
    }

    #[test]
    fn restore_where_fails_cleanly_everywhere() {
        prove::<Db>(&RESTORE_WHERE, &|conn| {
            SoftAuthor::restore_where(soft_authors::deleted_at.eq(timestamp(MARK)), conn)
        });
    }

    #[test]
    fn a_preview_fails_cleanly_at_every_statement() {
        prove::<Db>(&PREVIEW, &|conn| {
            DiaRoot::preview_delete_by_ids(&[1], conn).map(|preview| preview.rows().clone())
        });
    }

    #[test]
    fn a_preview_of_delete_where_fails_cleanly_at_every_statement() {
        prove::<Db>(&PREVIEW_WHERE, &|conn| {
            ChainA::preview_delete_where(chain_a::name.like("doomed%"), conn)
                .map(|preview| preview.rows().clone())
        });
    }

    #[test]
    fn a_soft_delete_preview_fails_cleanly_at_every_statement() {
        prove::<Db>(&SOFT_PREVIEW, &|conn| {
            SoftAuthor::preview_soft_delete_by_ids(&[1], conn).map(|preview| preview.rows().clone())
        });
    }

    #[test]
    fn purge_deleted_fails_cleanly_everywhere() {
        prove::<Db>(&PURGE, &|conn| {
            SoftAuthor::purge_deleted(timestamp("2019-06-01 00:00:00"), conn)
        });
    }
}

/// The test of keys past the bind limit on one backend, written per backend so that a bug of
/// one backend ignores its test alone.
macro_rules! keys_past_the_bind_limit {
    ($(#[$attribute:meta])* $name:ident, $db:ty) => {
        $(#[$attribute])*
        #[test]
        fn $name() {
            let keys = many_keys(<$db as TestDb>::BACKEND);
            prove::<$db>(&DIAMOND_MANY_KEYS, &|conn| DiaRoot::delete_by_ids(&keys, conn));
        }
    };
}

keys_past_the_bind_limit!(
    sqlite_keys_past_the_bind_limit_fail_cleanly_at_every_statement,
    deletable_tests::SqliteDb
);

keys_past_the_bind_limit!(
    #[cfg(feature = "postgres")]
    postgres_keys_past_the_bind_limit_fail_cleanly_at_every_statement,
    deletable_tests::PgDb
);

keys_past_the_bind_limit!(
    #[cfg(feature = "mysql")]
    mysql_keys_past_the_bind_limit_fail_cleanly_at_every_statement,
    deletable_tests::MysqlDb
);

keys_past_the_bind_limit!(
    #[cfg(feature = "mariadb")]
    mariadb_keys_past_the_bind_limit_fail_cleanly_at_every_statement,
    deletable_tests::MariadbDb
);

/// The same tests through the asynchronous runner, whose `Deletable` stands here for
/// `deletable`'s as in the `*_async` modules.
mod asynchronous {
    use super::*;
    use deletable_tests::asynchronous::Deletable;

    keys_past_the_bind_limit!(
        sqlite_async_keys_past_the_bind_limit_fail_cleanly_at_every_statement,
        deletable_tests::asynchronous::SqliteAsyncDb
    );

    keys_past_the_bind_limit!(
        #[cfg(feature = "postgres")]
        postgres_async_keys_past_the_bind_limit_fail_cleanly_at_every_statement,
        deletable_tests::asynchronous::PgAsyncDb
    );

    keys_past_the_bind_limit!(
        #[cfg(feature = "mysql")]
        mysql_async_keys_past_the_bind_limit_fail_cleanly_at_every_statement,
        deletable_tests::asynchronous::MysqlAsyncDb
    );

    keys_past_the_bind_limit!(
        #[cfg(feature = "mariadb")]
        mariadb_async_keys_past_the_bind_limit_fail_cleanly_at_every_statement,
        deletable_tests::asynchronous::MariadbAsyncDb
    );
}
