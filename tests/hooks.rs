//! Delete hooks: whole rows (or keys) in batches, before and after each batch's delete, inside
//! the transaction; a failing or panicking hook leaves every table as it was.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use std::cell::RefCell;

use deletable::{Deletable, DeleteError, DeleteOptions, HookStage};
use deletable_tests::{backends, open, TestDb};
use diesel::prelude::*;

mod schema {
    diesel::table! { accounts (id) { id -> Integer, } }
    diesel::table! { orders (id) { id -> Integer, account_id -> Integer, total -> Integer, } }
    diesel::table! { order_lines (id) { id -> Integer, order_id -> Integer, } }
    diesel::table! { notes (id) { id -> Integer, order_id -> Integer, } }
    diesel::table! { folders (id) { id -> Integer, account_id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { audit (entry) { entry -> Text, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = accounts)]
struct Account {
    id: i32,
}

/// Hooked with whole rows: they audit, and can be told to fail or panic.
#[derive(Queryable, Selectable, Deletable, Debug, Clone)]
#[diesel(table_name = orders, belongs_to(Account))]
#[deletable(hooks, batch_size = 10)]
struct Order {
    id: i32,
    #[on_delete(cascade)]
    account_id: i32,
    total: i32,
}

/// Not hooked: stays set-based in the same plan.
#[derive(Deletable)]
#[diesel(table_name = order_lines, belongs_to(Order))]
struct Line {
    id: i32,
    #[on_delete(cascade)]
    order_id: i32,
}

/// Hooked with keys only.
#[derive(Deletable)]
#[diesel(table_name = notes, belongs_to(Order))]
#[deletable(hooks = keys)]
struct Note {
    id: i32,
    #[on_delete(cascade)]
    order_id: i32,
}

/// A hooked tree.
#[derive(Queryable, Selectable, Deletable, Debug)]
#[diesel(table_name = folders, belongs_to(Account))]
#[deletable(hooks, batch_size = 3)]
struct Folder {
    id: i32,
    #[on_delete(cascade)]
    account_id: i32,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
}

deletable::schema!(Account, Order, Line, Note, Folder);

const SCHEMA: &str = "
    CREATE TABLE accounts (id INTEGER PRIMARY KEY);
    CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, total INTEGER NOT NULL,
        FOREIGN KEY (account_id) REFERENCES accounts (id));
    CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL,
        FOREIGN KEY (order_id) REFERENCES orders (id));
    CREATE TABLE notes (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL,
        FOREIGN KEY (order_id) REFERENCES orders (id));
    CREATE TABLE folders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL, parent_id INTEGER,
        FOREIGN KEY (account_id) REFERENCES accounts (id),
        FOREIGN KEY (parent_id) REFERENCES folders (id));
    CREATE TABLE audit (entry VARCHAR(64) NOT NULL);
";

const TABLES: &[&str] = &[
    "accounts",
    "orders",
    "order_lines",
    "notes",
    "folders",
    "audit",
];

/// What the hooks of this thread's test saw and are told to do.
#[derive(Default)]
struct Script {
    /// Every hook call: (hook, keys of the batch).
    calls: Vec<(&'static str, Vec<i32>)>,
    /// Fail `before_delete` of orders on this batch (1-based).
    fail_before_batch: Option<usize>,
    /// Fail `after_delete` of orders on this batch.
    fail_after_batch: Option<usize>,
    /// Panic in `before_delete` of orders on this batch.
    panic_batch: Option<usize>,
    /// Whether, in each hook, the batch's rows were still there (before) or gone (after), and
    /// the rows' parents still there.
    violations: Vec<String>,
}

thread_local! {
    static SCRIPT: RefCell<Script> = RefCell::new(Script::default());
}

fn script<T>(f: impl FnOnce(&mut Script) -> T) -> T {
    SCRIPT.with(|script| f(&mut script.borrow_mut()))
}

fn ids(rows: &[i32]) -> String {
    rows.iter()
        .map(i32::to_string)
        .collect::<Vec<_>>()
        .join(", ")
}

deletable_tests::hooks! {
impl for Order {
    fn before_delete(conn, rows: &[Order]) {
        let keys: Vec<i32> = rows.iter().map(|order| order.id).collect();
        let batch = script(|s| {
            s.calls.push(("orders.before", keys.clone()));
            s.calls
                .iter()
                .filter(|(hook, _)| *hook == "orders.before")
                .count()
        });
        let present = conn.count(&format!(
                "SELECT COUNT(*) AS n FROM orders WHERE id IN ({})",
                ids(&keys)
            )).await.unwrap_or(-1);
        let order_lines = conn.count(&format!(
                "SELECT COUNT(*) AS n FROM order_lines WHERE order_id IN ({})",
                ids(&keys)
            )).await.unwrap_or(-1);
        if present != keys.len() as i64 || order_lines != 0 {
            script(|s| {
                s.violations.push(format!(
                    "before: {present} of {} orders present, {order_lines} order_lines left",
                    keys.len()
                ))
            });
        }
        conn.exec(&format!(
            "INSERT INTO audit (entry) VALUES {}",
            rows.iter()
                .map(|order| format!("('order {} of {}')", order.id, order.total))
                .collect::<Vec<_>>()
                .join(", ")
        ))
        .await?;
        if script(|s| s.panic_batch) == Some(batch) {
            panic!("a hook panicked on batch {batch}");
        }
        if script(|s| s.fail_before_batch) == Some(batch) {
            return Err(format!("order batch {batch} refused").into());
        }
        Ok(())
    }

    fn after_delete(conn, rows: &[Order]) {
        let keys: Vec<i32> = rows.iter().map(|order| order.id).collect();
        let batch = script(|s| {
            s.calls.push(("orders.after", keys.clone()));
            s.calls
                .iter()
                .filter(|(hook, _)| *hook == "orders.after")
                .count()
        });
        let present = conn.count(&format!(
                "SELECT COUNT(*) AS n FROM orders WHERE id IN ({})",
                ids(&keys)
            )).await.unwrap_or(-1);
        let parents = conn.count(&format!(
                "SELECT COUNT(*) AS n FROM accounts WHERE id IN ({})",
                ids(&rows.iter().map(|o| o.account_id).collect::<Vec<_>>())
            )).await.unwrap_or(-1);
        if present != 0 || parents == 0 {
            script(|s| {
                s.violations.push(format!(
                    "after: {present} orders still present, {parents} parents"
                ))
            });
        }
        if script(|s| s.fail_after_batch) == Some(batch) {
            return Err("after hook failed".into());
        }
        Ok(())
    }
}
}

deletable_tests::hooks! {
    impl for Note {
        fn before_delete(_, keys: &[i32]) {
            script(|s| s.calls.push(("notes.before", keys.to_vec())));
            Ok(())
        }
    }
}

deletable_tests::hooks! {
    impl for Folder {
        fn before_delete(_, rows: &[Folder]) {
            script(|s| {
                s.calls
                    .push(("folders.before", rows.iter().map(|f| f.id).collect()))
            });
            Ok(())
        }
        fn after_delete(_, rows: &[Folder]) {
            script(|s| {
                s.calls
                    .push(("folders.after", rows.iter().map(|f| f.id).collect()))
            });
            Ok(())
        }
    }
}

/// Account 1 with 35 orders (4 batches of 10), each with 2 order_lines and a note; account 2 with 3
/// orders.
fn fill(db: &mut impl TestDb) {
    db.exec("INSERT INTO accounts (id) VALUES (1), (2)");
    db.insert_many("orders (id, account_id, total)", 38, |id| {
        format!("({id}, {}, {})", if id <= 35 { 1 } else { 2 }, 10 * id)
    });
    db.insert_many("order_lines (id, order_id)", 76, |id| {
        format!("({id}, {})", 1 + (id - 1) / 2)
    });
    db.insert_many("notes (id, order_id)", 38, |id| format!("({id}, {id})"));
    db.log().clear();
    script(|s| *s = Script::default());
}

fn seen(hook: &str) -> Vec<i32> {
    script(|s| {
        s.calls
            .iter()
            .filter(|(name, _)| *name == hook)
            .flat_map(|(_, keys)| keys.clone())
            .collect()
    })
}

backends! {
    #[test]
    fn hooks_see_every_row_once_in_batches_around_its_delete() {
        let mut db = open!(SCHEMA);
        fill(&mut db);

        let report = Account::delete_by_ids(&[1], db.conn()).unwrap();

        assert_eq!(report.count("orders"), 35);
        assert_eq!(report.count("order_lines"), 70);
        assert_eq!(report.count("notes"), 35);
        let before = seen("orders.before");
        assert_eq!(before, (1..=35).collect::<Vec<_>>(), "each row once, in key order");
        assert_eq!(seen("orders.after"), before);
        let batches: Vec<usize> = script(|s| {
            s.calls.iter().filter(|(name, _)| *name == "orders.before").map(|(_, keys)| keys.len()).collect()
        });
        assert_eq!(batches, [10, 10, 10, 5]);
        assert_eq!(seen("notes.before"), (1..=35).collect::<Vec<_>>());
        assert_eq!(script(|s| s.violations.clone()), Vec::<String>::new());
        // The audit rows the hook wrote are committed with the delete.
        assert_eq!(db.count("audit"), 35);
        // The unhooked order_lines went in one set-based statement.
        let line_deletes = db
            .log()
            .statements()
            .iter()
            .filter(|sql| sql.contains("DELETE") && sql.contains("order_lines"))
            .count();
        assert_eq!(line_deletes, 1);
    }

    #[test]
    fn the_batch_size_can_be_set_per_call() {
        let mut db = open!(SCHEMA);
        fill(&mut db);
        Account::delete_by_ids_with(&[1], &DeleteOptions::batch_size(16), db.conn()).unwrap();
        let batches: Vec<usize> = script(|s| {
            s.calls.iter().filter(|(name, _)| *name == "orders.before").map(|(_, keys)| keys.len()).collect()
        });
        assert_eq!(batches, [16, 16, 3]);
    }

    /// `delete_matching_with`: a Diesel query's rows, with the call's options.
    #[test]
    fn the_batch_size_reaches_the_hooks_of_a_diesel_query() {
        let mut db = open!(SCHEMA);
        fill(&mut db);
        let query = orders::table.filter(orders::account_id.eq(1));
        let report = Order::delete_matching_with(query, &DeleteOptions::batch_size(8), db.conn()).unwrap();
        assert_eq!(report.count("orders"), 35);
        let batches: Vec<usize> = script(|s| {
            s.calls.iter().filter(|(name, _)| *name == "orders.before").map(|(_, keys)| keys.len()).collect()
        });
        assert_eq!(batches, [8, 8, 8, 8, 3]);
        assert_eq!(db.ids("accounts"), [1, 2]);
    }

    #[test]
    fn a_before_hook_error_vetoes_everything_on_any_batch() {
        for (hook, batch) in [("before", 1), ("before", 2), ("before", 4), ("after", 1), ("after", 4)] {
            let mut db = open!(SCHEMA);
            fill(&mut db);
            let before = db.counts(TABLES);
            script(|s| {
                if hook == "before" {
                    s.fail_before_batch = Some(batch);
                } else {
                    s.fail_after_batch = Some(batch);
                }
            });

            let error = Account::delete_by_ids(&[1], db.conn()).unwrap_err();

            let DeleteError::Hook { model, table, stage, source, .. } = &error else {
                panic!("expected a hook error, got {error:?}");
            };
            assert_eq!((*model, *table), ("Order", "orders"));
            let expected = if hook == "before" { HookStage::BeforeDelete } else { HookStage::AfterDelete };
            assert_eq!(*stage, expected);
            if hook == "before" {
                assert_eq!(source.to_string(), format!("order batch {batch} refused"));
                // The cause once, as `source()`: an error chain prints each message once.
                let chain: Vec<String> =
                    std::iter::successors(Some(&error as &dyn std::error::Error), |error| error.source())
                        .map(ToString::to_string)
                        .collect();
                assert_eq!(
                    chain,
                    [
                        "before_delete hook of `Order` (table `orders`) failed".to_owned(),
                        format!("order batch {batch} refused")
                    ]
                );
            }
            // Every table, the hook's own audit rows included, is as it was.
            assert_eq!(db.counts(TABLES), before, "{hook} batch {batch}");
        }
    }

    #[test]
    fn a_panicking_hook_leaves_the_database_unchanged() {
        let mut db = open!(SCHEMA);
        fill(&mut db);
        let before = db.counts(TABLES);
        script(|s| s.panic_batch = Some(3));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Account::delete_by_ids(&[1], db.conn())
        }));
        assert!(outcome.is_err(), "the panic reaches the caller: {:?}", outcome.map(|r| r.map(|r| r.to_string())));
        assert_eq!(db.counts(TABLES), before);
        // The connection is usable afterwards.
        Account::delete_by_ids(&[2], db.conn()).unwrap();
    }

    #[test]
    fn a_panicking_hook_under_a_filter_leaves_no_temporary_table_behind() {
        let mut db = open!(SCHEMA);
        fill(&mut db);
        let before = db.counts(TABLES);
        script(|s| s.panic_batch = Some(2));
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Account::delete_where(accounts::id.eq(1), db.conn())
        }));
        assert!(outcome.is_err(), "the panic reaches the caller");
        assert_eq!(db.counts(TABLES), before);
        // The filter's roots went into a temporary table. MySQL and MariaDB keep temporary
        // tables past a rollback: a pooled session would collect one per panic.
        let created: Vec<String> = db
            .log()
            .statements()
            .iter()
            .filter_map(|sql| sql.split_once("CREATE TEMPORARY TABLE "))
            .filter_map(|(_, rest)| rest.split_whitespace().next())
            .map(|name| name.trim_matches(|c| c == '`' || c == '"').to_owned())
            .collect();
        assert!(!created.is_empty(), "{:#?}", db.log().statements());
        for name in created {
            let left = diesel::sql_query(format!("SELECT 1 FROM {name}")).execute(db.conn());
            assert!(left.is_err(), "{name} outlived the panic");
        }
        script(|s| *s = Script::default());
        Account::delete_where(accounts::id.eq(1), db.conn()).unwrap();
        assert_eq!(db.ids("accounts"), [2]);
    }

    #[test]
    fn a_hooked_tree_whose_data_loops_is_deleted_whole() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO accounts (id) VALUES (1), (2)");
        // 1 -> 3 -> 2 -> 1 (parents), 4 is its own parent, 5 hangs under 1 and 6 under 5; 7 is
        // another account's.
        db.exec(
            "INSERT INTO folders (id, account_id, parent_id) VALUES
             (1, 1, NULL), (2, 1, NULL), (3, 1, NULL), (4, 1, NULL), (5, 1, 1), (6, 1, 5),
             (7, 2, NULL);
             UPDATE folders SET parent_id = 3 WHERE id = 1;
             UPDATE folders SET parent_id = 2 WHERE id = 3;
             UPDATE folders SET parent_id = 1 WHERE id = 2;
             UPDATE folders SET parent_id = 4 WHERE id = 4",
        );
        script(|s| *s = Script::default());

        let report = Account::delete_by_ids(&[1], db.conn()).unwrap();

        assert_eq!(report.count("folders"), 6);
        assert_eq!(db.ids("folders"), [7]);
        let mut before = seen("folders.before");
        let mut after = seen("folders.after");
        before.sort_unstable();
        after.sort_unstable();
        assert_eq!(before, [1, 2, 3, 4, 5, 6], "each row handed over once");
        assert_eq!(after, before);
        // Outside the loops, leaves still go first.
        let order = seen("folders.before");
        let position = |id: i32| order.iter().position(|seen| *seen == id).unwrap();
        assert!(position(6) < position(5), "{order:?}");
    }

    #[test]
    fn hooks_run_for_rows_reached_through_a_tree_leaves_first() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO accounts (id) VALUES (1), (2)");
        // 1 <- 2 <- 3 <- 4, 2 <- 5, 1 <- 6; 7 belongs to account 2.
        db.exec(
            "INSERT INTO folders (id, account_id, parent_id) VALUES
             (1, 1, NULL), (2, 1, 1), (3, 1, 2), (4, 1, 3), (5, 1, 2), (6, 1, 1), (7, 2, NULL)",
        );
        script(|s| *s = Script::default());

        let report = Account::delete_by_ids(&[1], db.conn()).unwrap();

        assert_eq!(report.count("folders"), 6);
        let mut before = seen("folders.before");
        assert_eq!(seen("folders.after"), before);
        // Leaves first: no folder is handed over before its children.
        let position = |id: i32| before.iter().position(|seen| *seen == id).unwrap();
        for (child, parent) in [(2, 1), (3, 2), (4, 3), (5, 2), (6, 1)] {
            assert!(position(child) < position(parent), "{child} before {parent} in {before:?}");
        }
        before.sort_unstable();
        assert_eq!(before, [1, 2, 3, 4, 5, 6]);
        assert_eq!(db.ids("folders"), [7]);
    }
}
