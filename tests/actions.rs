//! Each on_delete action on a small blog schema, with Django's meaning: which rows go, which stay,
//! what a blocked delete reports, and that a failed delete changes nothing.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use deletable::{Action, Blocker, Deletable, DeleteError, PlanStatement};
use deletable_tests::{backends, open, TestDb};
use diesel::prelude::*;

mod schema {
    diesel::table! { users (id) { id -> Integer, name -> Text, } }
    diesel::table! { categories (id) { id -> Integer, } }
    diesel::table! {
        posts (id) {
            id -> Integer,
            user_id -> Integer,
            editor_id -> Nullable<Integer>,
            category_id -> Integer,
        }
    }
    diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    diesel::table! { invoices (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { locks (id) { id -> Integer, comment_id -> Integer, } }
    diesel::table! { likes (id) { id -> Integer, post_id -> Integer, } }
    diesel::table! { shares (id) { id -> Integer, post_id -> Integer, } }
}
use schema::*;

#[derive(Queryable, Selectable, Identifiable, Deletable)]
#[diesel(table_name = users)]
struct User {
    id: i32,
    name: String,
}

#[derive(Deletable)]
#[diesel(table_name = categories)]
struct Category {
    id: i32,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Deletable)]
#[diesel(table_name = posts, belongs_to(User), belongs_to(Category))]
struct Post {
    id: i32,
    #[on_delete(cascade)]
    user_id: i32,
    #[on_delete(set_null, references = User)]
    editor_id: Option<i32>,
    #[on_delete(set_default = Self::GENERAL_CATEGORY)]
    category_id: i32,
}

impl Post {
    /// Where a post goes when its category does: the value of a constant of the model itself.
    const GENERAL_CATEGORY: i32 = 1;
}

#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
struct Comment {
    id: i32,
    #[on_delete(cascade)]
    post_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = invoices)]
struct Invoice {
    id: i32,
    #[on_delete(protect, references = User)]
    user_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = locks)]
struct Lock {
    id: i32,
    #[on_delete(protect, references = Comment)]
    comment_id: i32,
}

/// The database itself cascades likes (`ON DELETE CASCADE`): `do_nothing` leaves it to it.
#[derive(Deletable)]
#[diesel(table_name = likes)]
struct Like {
    id: i32,
    #[on_delete(do_nothing, references = Post)]
    post_id: i32,
}

/// A plain constraint and `do_nothing`: the database refuses the delete.
#[derive(Deletable)]
#[diesel(table_name = shares)]
struct Share {
    id: i32,
    #[on_delete(do_nothing, references = Post)]
    post_id: i32,
}

deletable::schema!(User, Category, Post, Comment, Invoice, Lock, Like, Share);

const TABLES: &[&str] = &[
    "users",
    "categories",
    "posts",
    "comments",
    "invoices",
    "locks",
    "likes",
    "shares",
];

const SCHEMA: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
    CREATE TABLE categories (id INTEGER PRIMARY KEY);
    CREATE TABLE posts (
        id INTEGER PRIMARY KEY,
        user_id INTEGER NOT NULL,
        editor_id INTEGER,
        category_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id),
        FOREIGN KEY (editor_id) REFERENCES users (id),
        FOREIGN KEY (category_id) REFERENCES categories (id)
    );
    CREATE TABLE comments (
        id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id)
    );
    CREATE TABLE invoices (
        id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id)
    );
    CREATE TABLE locks (
        id INTEGER PRIMARY KEY, comment_id INTEGER NOT NULL,
        FOREIGN KEY (comment_id) REFERENCES comments (id)
    );
    CREATE TABLE likes (
        id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE
    );
    CREATE TABLE shares (
        id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id)
    );
    INSERT INTO users (id, name) VALUES (1, 'ada'), (2, 'grace'), (3, 'linus');
    INSERT INTO categories (id) VALUES (1), (2);
    -- ada's posts 1 and 2 (2 edited by grace); grace's post 3, edited by ada.
    INSERT INTO posts (id, user_id, editor_id, category_id) VALUES
        (1, 1, NULL, 1), (2, 1, 2, 2), (3, 2, 1, 2), (4, 3, NULL, 1);
    INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 1), (3, 2), (4, 3), (5, 4);
";

backends! {
    #[test]
    fn cascade_deletes_the_whole_subtree_and_nothing_else() {
        let mut db = open!(SCHEMA);
        let ada: User = users::table
            .find(1)
            .select(User::as_select())
            .first(db.conn())
            .unwrap();
        assert_eq!(ada.name, "ada");

        let report = ada.delete(db.conn()).unwrap();

        assert_eq!(report.total(), 6);
        assert_eq!(
            report.per_table(),
            &[("comments", 3), ("posts", 2), ("users", 1)]
        );
        assert_eq!(db.ids("users"), [2, 3]);
        assert_eq!(db.ids("posts"), [3, 4]);
        assert_eq!(db.ids("comments"), [4, 5]);
    }

    #[test]
    fn set_null_clears_only_its_own_column() {
        let mut db = open!(SCHEMA);
        User::delete_by_ids(&[1], db.conn()).unwrap();

        // Post 3 was written by grace and edited by ada: it stays, its editor is cleared, its author
        // (a cascade FK to the same table) is untouched.
        let post: Post = posts::table
            .find(3)
            .select(Post::as_select())
            .first(db.conn())
            .unwrap();
        assert_eq!(post.user_id, 2);
        assert_eq!(post.editor_id, None);
    }

    #[test]
    fn set_null_rows_are_not_counted_as_deleted() {
        let mut db = open!(SCHEMA);
        let report = User::delete_by_ids(&[2], db.conn()).unwrap();
        // grace's post 3 and its comment go; ada's post 2 (edited by grace) stays, editor cleared.
        assert_eq!(
            report.per_table(),
            &[("comments", 1), ("posts", 1), ("users", 1)]
        );
        let editor: Option<i32> = posts::table
            .find(2)
            .select(posts::editor_id)
            .first(db.conn())
            .unwrap();
        assert_eq!(editor, None);
    }

    /// `delete_matching` takes what `diesel::delete` takes: `belonging_to`, a filtered table,
    /// the table. Each against the same delete done another way, `delete_where` with the same
    /// condition, on a twin database: the same report and the same rows left in every table.
    #[test]
    fn delete_matching_takes_diesel_queries_and_deletes_what_delete_where_deletes() {
        for case in ["belonging_to", "filter", "table"] {
            let mut by_query = open!(SCHEMA);
            let mut by_filter = open!(SCHEMA);
            let (report, expected) = match case {
                "belonging_to" => {
                    let ada = User { id: 1, name: "ada".to_owned() };
                    (
                        Post::delete_matching(Post::belonging_to(&ada), by_query.conn()),
                        Post::delete_where(posts::user_id.eq(1), by_filter.conn()),
                    )
                }
                "filter" => (
                    Post::delete_matching(posts::table.filter(posts::id.gt(2)), by_query.conn()),
                    Post::delete_where(posts::id.gt(2), by_filter.conn()),
                ),
                _ => (
                    Post::delete_matching(posts::table, by_query.conn()),
                    Post::delete_where(posts::id.eq(posts::id), by_filter.conn()),
                ),
            };
            let (report, expected) = (report.unwrap(), expected.unwrap());
            assert!(report.count("posts") > 0, "{case}: {report:?}");
            assert_eq!(report, expected, "{case}");
            for table in TABLES {
                assert_eq!(by_query.ids(table), by_filter.ids(table), "{case}: {table}");
            }
        }
    }

    #[test]
    fn set_default_sets_the_declared_value() {
        let mut db = open!(SCHEMA);
        let report = Category::delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("categories", 1)]);
        let categories: Vec<(i32, i32)> = posts::table
            .select((posts::id, posts::category_id))
            .order(posts::id)
            .load(db.conn())
            .unwrap();
        assert_eq!(categories, [(1, 1), (2, 1), (3, 1), (4, 1)]);
        assert_eq!(db.count("comments"), 5);
    }

    #[test]
    fn protect_blocks_names_the_blockers_and_changes_nothing() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO invoices (id, user_id) VALUES (7, 3), (8, 3), (9, 2);",
        );
        let before = db.counts(TABLES);
        db.log().clear();

        let error = User::delete_by_ids(&[3], db.conn()).unwrap_err();

        let DeleteError::Protected { blockers, .. } = &error else {
            panic!("expected Protected, got {error:?}");
        };
        let [Blocker {
            table,
            column,
            parent_table,
            count,
            keys,
            ..
        }] = blockers.as_slice()
        else {
            panic!("one blocker expected, got {blockers:?}");
        };
        assert_eq!(
            (*table, *column, *parent_table, *count),
            ("invoices", "user_id", "users", 2)
        );
        assert_eq!(keys, &["7", "8"]);
        assert_eq!(
            error.to_string(),
            "cannot delete: 2 rows reference the rows through on_delete(protect): \
             invoices.user_id -> users: 2 rows (keys 7, 8)"
        );
        assert_eq!(db.counts(TABLES), before);
        // The checks ran before anything was written.
        assert!(db
            .log()
            .plan_statements()
            .iter()
            .all(|sql| !sql.starts_with("DELETE") && !sql.starts_with("UPDATE")));
    }

    #[test]
    fn protect_below_a_cascade_lists_every_blocking_edge() {
        let mut db = open!(SCHEMA);
        // linus has an invoice, and a comment on his post is locked.
        db.exec("INSERT INTO invoices (id, user_id) VALUES (1, 3);
             INSERT INTO locks (id, comment_id) VALUES (1, 5), (2, 5), (3, 4);",
        );
        let before = db.counts(TABLES);

        let error = User::delete_by_ids(&[3], db.conn()).unwrap_err();

        let DeleteError::Protected { blockers, .. } = error else {
            panic!("expected Protected, got {error:?}");
        };
        let found: Vec<(&str, &str, u64, Vec<String>)> = blockers
            .iter()
            .map(|b| (b.table, b.parent_table, b.count, b.keys.clone()))
            .collect();
        assert_eq!(found.len(), 2, "{found:?}");
        assert!(found.contains(&("locks", "comments", 2, vec!["1".into(), "2".into()])));
        assert!(found.contains(&("invoices", "users", 1, vec!["1".into()])));
        assert_eq!(db.counts(TABLES), before);
    }

    #[test]
    fn protect_lists_at_most_ten_keys_but_counts_all() {
        let mut db = open!(SCHEMA);
        let values: Vec<String> = (1..=25).map(|id| format!("({id}, 3)")).collect();
        db.exec(&format!(
                "INSERT INTO invoices (id, user_id) VALUES {};",
                values.join(", ")
            ),
        );
        let error = User::delete_by_ids(&[3], db.conn()).unwrap_err();
        let DeleteError::Protected { blockers, .. } = error else {
            panic!("expected Protected, got {error:?}");
        };
        assert_eq!(blockers[0].count, 25);
        assert_eq!(
            blockers[0].keys,
            (1..=10).map(|id| id.to_string()).collect::<Vec<_>>()
        );
    }

    #[test]
    fn protect_does_not_block_when_nothing_references_the_rows() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO invoices (id, user_id) VALUES (1, 3);",
        );
        let report = User::delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(report.count("users"), 1);
        assert_eq!(db.ids("invoices"), [1]);
    }

    #[test]
    fn do_nothing_leaves_the_rows_to_the_database_cascade() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO likes (id, post_id) VALUES (1, 1), (2, 3);",
        );
        let report = User::delete_by_ids(&[1], db.conn()).unwrap();
        // The database's own ON DELETE CASCADE removed the like; the report counts what deletable
        // deleted.
        assert_eq!(report.count("likes"), 0);
        assert_eq!(db.ids("likes"), [2]);
    }

    #[test]
    fn do_nothing_on_a_plain_constraint_fails_and_rolls_everything_back() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO shares (id, post_id) VALUES (1, 2);");
        let before = db.counts(TABLES);

        let error = User::delete_by_ids(&[1], db.conn()).unwrap_err();

        assert!(
            matches!(
                error,
                DeleteError::Database(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                    _
                ))
            ),
            "{error:?}"
        );
        assert_eq!(db.counts(TABLES), before);
    }

    #[test]
    fn a_failed_delete_inside_a_callers_transaction_rolls_back_only_itself() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO invoices (id, user_id) VALUES (1, 3);",
        );
        db.conn().transaction::<_, diesel::result::Error, _>(|conn| {
            User::delete_by_ids(&[2], conn).unwrap();
            assert!(User::delete_by_ids(&[3], conn).is_err());
            Ok(())
        })
        .unwrap();
        assert_eq!(db.ids("users"), [1, 3]);
    }

    #[test]
    fn a_failed_delete_through_temporary_tables_changes_nothing_even_in_a_callers_transaction() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO shares (id, post_id) VALUES (1, 2);");
        let before = db.counts(TABLES);
        let refused = |error: &DeleteError| {
            matches!(
                error,
                DeleteError::Database(diesel::result::Error::DatabaseError(
                    diesel::result::DatabaseErrorKind::ForeignKeyViolation,
                    _
                ))
            )
        };

        // A filter's roots go through a temporary table, dropped when the delete fails (MySQL and
        // MariaDB keep temporary tables past a rollback): comments are deleted before the
        // database refuses the posts, and the drop must not commit them.
        let error = User::delete_where(users::id.eq(1), db.conn()).unwrap_err();
        assert!(refused(&error), "{error:?}");
        assert_eq!(db.counts(TABLES), before);

        let outcome = db.conn().transaction::<(), _, _>(|conn| {
            diesel::insert_into(categories::table)
                .values(categories::id.eq(3))
                .execute(conn)?;
            let error = User::delete_where(users::id.eq(1), conn).unwrap_err();
            assert!(refused(&error), "{error:?}");
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert_eq!(outcome, Err(diesel::result::Error::RollbackTransaction));
        assert_eq!(db.counts(TABLES), before);
    }

    /// `Plan::statements` against what a delete does: the tables its deletes name are the
    /// report's tables, in the report's order; its checks are the blockers a delete meets when
    /// every checked key is blocked; its update leaves no key pointing at a deleted row.
    #[test]
    fn the_plans_statements_are_what_a_delete_does() {
        let plan = User::plan();
        assert_eq!(plan.root_table(), "users");
        assert_eq!(plan.statements().count(), plan.statement_count());

        let mut checks = Vec::new();
        let mut updates = Vec::new();
        let mut deletes = Vec::new();
        for statement in plan.statements() {
            match statement {
                PlanStatement::Check { action, table, column, .. } => {
                    assert_eq!(action, Action::Protect);
                    checks.push((table, column));
                }
                PlanStatement::Update { action, table, column, .. } => {
                    updates.push((action, table, column))
                }
                PlanStatement::Delete { table, .. } => deletes.push(table),
                other => panic!("no loop in this schema, so no {other}"),
            }
        }
        assert_eq!(updates, [(Action::SetNull, "posts", "editor_id")]);

        let mut db = open!(SCHEMA);
        diesel::insert_into(invoices::table)
            .values((invoices::id.eq(1), invoices::user_id.eq(1)))
            .execute(db.conn())
            .unwrap();
        diesel::insert_into(locks::table)
            .values((locks::id.eq(1), locks::comment_id.eq(1)))
            .execute(db.conn())
            .unwrap();
        let Err(DeleteError::Protected { blockers, .. }) = User::delete_by_ids(&[1], db.conn()) else {
            panic!("both protect keys are blocked");
        };
        let mut blocked: Vec<_> = blockers.iter().map(|b| (b.table, b.column)).collect();
        blocked.sort();
        checks.sort();
        assert_eq!(blocked, checks);

        diesel::delete(invoices::table).execute(db.conn()).unwrap();
        diesel::delete(locks::table).execute(db.conn()).unwrap();
        let report = User::delete_by_ids(&[1, 2], db.conn()).unwrap();
        let reported: Vec<&str> = report.per_table().iter().map(|(table, _)| *table).collect();
        assert_eq!(reported, deletes);
        let dangling: i64 = posts::table
            .filter(posts::editor_id.eq_any([1, 2]))
            .count()
            .get_result(db.conn())
            .unwrap();
        assert_eq!(dangling, 0);
    }
}

#[test]
fn the_plan_prints_as_a_tree() {
    assert_eq!(
        User::plan().to_string(),
        "users
├── posts.user_id (cascade)
│   ├── comments.post_id (cascade)
│   │   └── locks.comment_id (protect)
│   ├── likes.post_id (do_nothing)
│   └── shares.post_id (do_nothing)
├── posts.editor_id (set_null)
└── invoices.user_id (protect)
"
    );
    assert_eq!(
        Category::plan().to_string(),
        "categories\n└── posts.category_id (set_default = 1)\n"
    );
}
