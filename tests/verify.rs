//! `Plan::verify`: the live database's foreign keys held against the models' rules. A schema
//! drifted in every way a finding names, on every backend, must give exactly those findings;
//! the same schema declared as the models say must give none.

// The models mirror their tables; the tests read none of their fields.
#![allow(dead_code)]

use deletable::{Action, DeclaredAction, Deletable, Finding};
use deletable_tests::{backends, TestDb};

mod schema {
    diesel::table! { users (id) { id -> Integer, } }
    diesel::table! { posts (id) { id -> Integer, user_id -> Integer, editor_id -> Nullable<Integer>, } }
    diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    diesel::table! { invoices (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { audits (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { notes (id) { id -> Integer, post_ref -> Integer, } }
    diesel::table! { ghosts (id) { id -> Integer, user_id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = users)]
struct User {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = posts, belongs_to(User))]
struct Post {
    id: i32,
    #[on_delete(cascade)]
    user_id: i32,
    #[on_delete(set_null, references = User)]
    editor_id: Option<i32>,
}

/// Hooked: its rows must reach its hooks.
#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
#[deletable(hooks)]
struct Comment {
    id: i32,
    #[on_delete(cascade)]
    post_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = invoices, belongs_to(User))]
struct Invoice {
    id: i32,
    #[on_delete(protect)]
    user_id: i32,
}

/// Left to the database: no finding whatever it declares.
#[derive(Deletable)]
#[diesel(table_name = audits, belongs_to(User))]
struct Audit {
    id: i32,
    #[on_delete(do_nothing)]
    user_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = notes)]
struct Note {
    id: i32,
    #[on_delete(cascade, references = Post)]
    post_ref: i32,
}

#[derive(Deletable)]
#[diesel(table_name = ghosts, belongs_to(User))]
struct Ghost {
    id: i32,
    #[on_delete(cascade)]
    user_id: i32,
}

deletable::schema!(User, Post, Comment, Invoice, Audit, Note, Ghost);

/// The schema as the models say (`ghosts` included), with no finding.
const AS_DECLARED: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, editor_id INTEGER,
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        FOREIGN KEY (editor_id) REFERENCES users (id) ON DELETE SET NULL);
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id));
    CREATE TABLE invoices (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id));
    CREATE TABLE audits (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, post_ref INTEGER NOT NULL,
        FOREIGN KEY (post_ref) REFERENCES posts (id) ON DELETE RESTRICT);
    CREATE TABLE ghosts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);
";

/// The schema drifted: each table but `users` differs from its model in one way.
const DRIFTED: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, editor_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE);
    CREATE TABLE invoices (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);
    CREATE TABLE audits (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL);
";

/// What `verify` finds in [`DRIFTED`], in order.
fn drifted_findings() -> Vec<Finding> {
    vec![
        Finding::NotNullable {
            table: "posts",
            column: "editor_id",
        },
        Finding::MissingForeignKey {
            table: "posts",
            column: "editor_id",
            parent_table: "users",
            rule: Action::SetNull,
        },
        Finding::SkipsHooks {
            table: "comments",
            column: "post_id",
            parent_table: "posts",
        },
        Finding::ContradictingAction {
            table: "invoices",
            column: "user_id",
            parent_table: "users",
            rule: Action::Protect,
            declared: DeclaredAction::Cascade,
        },
        Finding::MissingColumn {
            table: "notes",
            column: "post_ref",
        },
        Finding::MissingTable { table: "ghosts" },
    ]
}

/// The findings, in a stable order, as text.
fn described(findings: &[Finding]) -> Vec<String> {
    let mut texts: Vec<String> = findings.iter().map(ToString::to_string).collect();
    texts.sort();
    texts
}

backends! {
    #[test]
    fn a_schema_as_the_models_declare_it_has_no_finding() {
        let Some(mut db) = Db::open(AS_DECLARED) else { return };
        let findings = User::plan().verify(db.conn()).unwrap();
        assert_eq!(findings, [], "{:#?}", described(&findings));
        // Every model's plan verifies the same schema.
        assert_eq!(Comment::plan().verify(db.conn()).unwrap(), []);
    }

    #[test]
    fn a_drifted_schema_gives_each_finding() {
        let Some(mut db) = Db::open(DRIFTED) else { return };
        let findings = Post::plan().verify(db.conn()).unwrap();
        let expected = drifted_findings();
        assert_eq!(findings, expected, "{:#?}", described(&findings));
        assert_eq!(
            described(&findings[2..4]),
            [
                "comments.post_id -> posts: the database deletes the rows of a hooked table itself \
                 (ON DELETE CASCADE), without their hooks",
                "invoices.user_id -> users (protect): the database declares ON DELETE CASCADE",
            ]
        );
    }

    #[test]
    fn a_session_that_does_not_enforce_keys_is_a_finding() {
        let Some(mut db) = Db::open(AS_DECLARED) else { return };
        let (off, on) = match Db::BACKEND {
            "sqlite" => ("PRAGMA foreign_keys = OFF", "PRAGMA foreign_keys = ON"),
            "postgres" => (
                "SET session_replication_role = replica",
                "SET session_replication_role = DEFAULT",
            ),
            _ => ("SET foreign_key_checks = 0", "SET foreign_key_checks = 1"),
        };
        db.exec(off);
        let findings = User::plan().verify(db.conn()).unwrap();
        db.exec(on);
        assert_eq!(findings, [Finding::KeysNotEnforced], "{:#?}", described(&findings));
        assert_eq!(User::plan().verify(db.conn()).unwrap(), []);
    }

    /// A cascade the database declares into the hooked table through a key the model has no
    /// rule for: its rows would go without their hooks, even by a `deletable` delete of users.
    #[test]
    fn a_cascade_into_a_hooked_table_by_a_key_with_no_rule() {
        let schema = AS_DECLARED.replace(
            "CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id));",
            "CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL, author_id INTEGER,
        FOREIGN KEY (post_id) REFERENCES posts (id),
        FOREIGN KEY (author_id) REFERENCES users (id) ON DELETE CASCADE);",
        );
        assert_ne!(schema, AS_DECLARED);
        let Some(mut db) = Db::open(&schema) else { return };
        let findings = User::plan().verify(db.conn()).unwrap();
        assert_eq!(
            findings,
            [Finding::UnruledCascade {
                table: "comments",
                column: "author_id".to_owned(),
                parent_table: "users".to_owned(),
            }],
            "{:#?}",
            described(&findings)
        );
    }

    /// A key to another column than the parent's key, and a key of two columns, do not guard
    /// the rule: missing, on every backend.
    #[test]
    fn a_key_that_does_not_guard_the_rule_is_missing() {
        let schema = AS_DECLARED
            .replace(
                "CREATE TABLE users (id INTEGER PRIMARY KEY);",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, legacy_id INTEGER NOT NULL UNIQUE,
                    org INTEGER NOT NULL, UNIQUE (id, org));",
            )
            .replace(
                "FOREIGN KEY (user_id) REFERENCES users (id));",
                "FOREIGN KEY (user_id) REFERENCES users (legacy_id) ON DELETE RESTRICT);",
            )
            .replace(
                "CREATE TABLE ghosts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);",
                "CREATE TABLE ghosts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, org INTEGER NOT NULL,
        FOREIGN KEY (user_id, org) REFERENCES users (id, org) ON DELETE CASCADE);",
            );
        let Some(mut db) = Db::open(&schema) else { return };
        let findings = User::plan().verify(db.conn()).unwrap();
        let missing: Vec<(&str, &str)> = findings
            .iter()
            .map(|finding| match finding {
                Finding::MissingForeignKey { table, column, .. } => (*table, *column),
                other => panic!("{other}"),
            })
            .collect();
        assert_eq!(missing, [("invoices", "user_id"), ("ghosts", "user_id")]);
    }

    /// A `set_null` to a `SET DEFAULT` key (InnoDB refuses `SET DEFAULT`: not on MySQL and
    /// MariaDB), and a `cascade` to a `SET NULL` one: the database does otherwise than the
    /// model.
    #[test]
    fn every_active_action_the_database_declares_is_held_against_the_rule() {
        let innodb = matches!(Db::BACKEND, "mysql" | "mariadb");
        let editor = if innodb { "SET NULL" } else { "SET DEFAULT" };
        let posts = format!(
            "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, editor_id INTEGER,
                FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE SET NULL,
                FOREIGN KEY (editor_id) REFERENCES users (id) ON DELETE {editor});"
        );
        let schema = AS_DECLARED.replace(
            "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, editor_id INTEGER,
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE,
        FOREIGN KEY (editor_id) REFERENCES users (id) ON DELETE SET NULL);",
            &posts,
        );
        assert_ne!(schema, AS_DECLARED);
        let Some(mut db) = Db::open(&schema) else { return };
        let findings = User::plan().verify(db.conn()).unwrap();
        let declared: Vec<(&str, DeclaredAction)> = findings
            .iter()
            .filter_map(|finding| match finding {
                Finding::ContradictingAction { column, declared, .. } => Some((*column, *declared)),
                _ => None,
            })
            .collect();
        let mut expected = vec![("user_id", DeclaredAction::SetNull)];
        if !innodb {
            expected.push(("editor_id", DeclaredAction::SetDefault));
        }
        assert_eq!(declared, expected, "{:#?}", described(&findings));
    }
}

/// PostgreSQL: a key whose triggers are disabled is not enforced, so missing.
#[cfg(feature = "postgres")]
#[test]
fn postgres_keys_with_disabled_triggers_are_missing() {
    let Some(mut db) = deletable_tests::PgDb::open(AS_DECLARED) else {
        return;
    };
    db.exec("ALTER TABLE users DISABLE TRIGGER ALL");
    let findings = User::plan().verify(db.conn()).unwrap();
    let missing: Vec<String> = findings
        .iter()
        .map(|finding| match finding {
            Finding::MissingForeignKey { table, column, .. } => format!("{table}.{column}"),
            other => panic!("{other}"),
        })
        .collect();
    assert_eq!(
        missing,
        [
            "posts.user_id",
            "posts.editor_id",
            "invoices.user_id",
            "ghosts.user_id"
        ]
    );
    db.exec("ALTER TABLE users ENABLE TRIGGER ALL");
    assert_eq!(User::plan().verify(db.conn()).unwrap(), []);
}

/// `verify_async` on `diesel-async`'s own connections finds what `verify` finds, and its future
/// is `Send` (it can be awaited in a spawned task).
#[test]
fn verify_async_finds_what_verify_finds_on_every_backend() {
    use deletable_tests::asynchronous::{block_on, Blocking};

    fn check<D, C>()
    where
        D: TestDb<Conn = Blocking<C>>,
        C: deletable::AsyncDeleteConnection,
    {
        let Some(mut db) = D::open(DRIFTED) else {
            return;
        };
        let future = User::plan().verify_async(&mut **db.conn());
        let findings = block_on(future).unwrap();
        assert_eq!(
            findings,
            drifted_findings(),
            "{}: {:#?}",
            D::BACKEND,
            described(&findings)
        );
    }

    fn send<T: Send>(_: &T) {}

    check::<deletable_tests::asynchronous::SqliteAsyncDb, _>();
    #[cfg(feature = "postgres")]
    {
        check::<deletable_tests::asynchronous::PgAsyncDb, _>();
        if let Some(mut db) = deletable_tests::asynchronous::PgAsyncDb::open(DRIFTED) {
            send(&User::plan().verify_async(&mut **db.conn()));
        }
    }
    #[cfg(feature = "mysql")]
    check::<deletable_tests::asynchronous::MysqlAsyncDb, _>();
    #[cfg(feature = "mariadb")]
    check::<deletable_tests::asynchronous::MariadbAsyncDb, _>();
}
