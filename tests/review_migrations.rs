//! `Plan::migration` against the inputs an adversarial review tried to break it with: SQLite
//! `CREATE TABLE` texts in every syntax SQLite stores (quoted names, comments, constraints
//! named on columns, two `REFERENCES` on one column, `STRICT`, `WITHOUT ROWID`, a temporary
//! table hiding the table), names that need quoting on every backend, keys to other columns,
//! shared indexes, deferral, names taken, rows that break a key, `AUTOINCREMENT` and rowids,
//! and names read from the catalog that would break a comment line. Each case applies `up`,
//! holds `verify` and a second migration empty, applies `down` and compares the catalog.

// The models mirror their tables; the tests read none of their fields.
#![allow(dead_code)]

use deletable::{Deletable, Plan};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use diesel::sql_types::{BigInt, Nullable, Text};

mod schema {
    diesel::table! { users (id) { id -> Integer, best_post_id -> Nullable<Integer>, } }
    diesel::table! { posts (id) { id -> Integer, user_id -> Integer, editor_id -> Nullable<Integer>, } }
    diesel::table! { folders (id) { id -> Integer, parent_id -> Nullable<Integer>, } }
}

pub mod basic {
    use super::schema::*;
    use super::*;
    #[derive(Deletable)]
    #[diesel(table_name = users)]
    pub struct User {
        pub id: i32,
        #[on_delete(set_null, references = Post)]
        pub best_post_id: Option<i32>,
    }
    #[derive(Deletable)]
    #[diesel(table_name = posts, belongs_to(User))]
    pub struct Post {
        pub id: i32,
        #[on_delete(cascade)]
        pub user_id: i32,
        #[on_delete(set_null, references = User)]
        pub editor_id: Option<i32>,
    }
    #[derive(Deletable)]
    #[diesel(table_name = folders)]
    pub struct Folder {
        pub id: i32,
        #[on_delete(cascade, tree, references = Self)]
        pub parent_id: Option<i32>,
    }
    deletable::schema!(User, Post, Folder);
}

mod weird_schema {
    diesel::table! {
        #[sql_name = "Pe\"op`le"]
        people (id) { id -> Integer, }
    }
    diesel::table! {
        #[sql_name = "My Posts"]
        wposts (id) { id -> Integer, #[sql_name = "Owner Id"] owner_id -> Integer, }
    }
}

pub mod weird {
    use super::weird_schema::*;
    use super::*;
    #[derive(Deletable)]
    #[diesel(table_name = people)]
    pub struct Person {
        pub id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = wposts, belongs_to(Person, foreign_key = owner_id))]
    pub struct WPost {
        pub id: i32,
        #[on_delete(cascade)]
        pub owner_id: i32,
    }
    deletable::schema!(Person, WPost);
}

#[derive(QueryableByName, Debug)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}
#[derive(QueryableByName, Debug)]
struct Num {
    #[diesel(sql_type = Nullable<BigInt>)]
    n: Option<i64>,
}

fn sq(schema: &str) -> SqliteConnection {
    let mut c = SqliteConnection::establish(":memory:").unwrap();
    c.batch_execute("PRAGMA foreign_keys = ON").unwrap();
    c.batch_execute(schema).unwrap();
    c
}

fn lines(c: &mut SqliteConnection, q: &str) -> Vec<String> {
    diesel::sql_query(q)
        .load::<Line>(c)
        .unwrap()
        .into_iter()
        .map(|l| l.line)
        .collect()
}
fn num(c: &mut SqliteConnection, q: &str) -> Option<i64> {
    diesel::sql_query(q).load::<Num>(c).unwrap()[0].n
}

fn master(c: &mut SqliteConnection) -> Vec<String> {
    lines(
        c,
        "SELECT type || ' ' || lower(name) || ' ' || lower(replace(replace(sql, '\"', ''), '  ', ' ')) AS line FROM sqlite_master WHERE sql IS NOT NULL ORDER BY type, lower(name)",
    )
}

/// Applies up, checks verify/again/integrity, applies down and compares the catalog. Returns
/// a list of problems (empty = fine).
fn roundtrip(c: &mut SqliteConnection, plan: &Plan) -> Vec<String> {
    let mut problems = Vec::new();
    let before = master(c);
    let m = plan.migration(c).unwrap();
    println!("=== migration\n{m}");
    if let Err(e) = c.batch_execute(m.up()) {
        problems.push(format!("up failed: {e}"));
        return problems;
    }
    if num(c, "SELECT foreign_keys AS n FROM pragma_foreign_keys") != Some(1) {
        problems.push("keys off after up".into());
    }
    let found = plan.verify(c).unwrap();
    if !found.is_empty() {
        problems.push(format!("verify after up: {found:?}"));
    }
    let again = plan.migration(c).unwrap();
    if !again.is_empty() {
        problems.push(format!("second migration not empty:\n{again}"));
    }
    let ic = lines(
        c,
        "SELECT integrity_check AS line FROM pragma_integrity_check",
    );
    if ic != ["ok"] {
        problems.push(format!("integrity: {ic:?}"));
    }
    let fkc = num(c, "SELECT COUNT(*) AS n FROM pragma_foreign_key_check");
    if fkc != Some(0) {
        problems.push(format!("fk check: {fkc:?}"));
    }
    if let Err(e) = c.batch_execute(m.down()) {
        problems.push(format!("down failed: {e}"));
        return problems;
    }
    let after = master(c);
    if after != before {
        problems.push(format!(
            "catalog differs after down:\nbefore {before:#?}\nafter {after:#?}"
        ));
    }
    problems
}

fn expect_ok(schema: &str, plan: &Plan) -> SqliteConnection {
    let mut c = sq(schema);
    let problems = roundtrip(&mut c, plan);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    c
}

const USERS: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, best_post_id INTEGER REFERENCES posts ON DELETE SET NULL);
CREATE TABLE folders (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES folders ON DELETE CASCADE);";

fn basic_plan() -> &'static Plan {
    basic::User::plan()
}

macro_rules! sqlite_case {
    ($name:ident, $posts:expr) => {
        #[test]
        fn $name() {
            let schema = format!("{USERS}\n{}", $posts);
            expect_ok(&schema, basic_plan());
        }
    };
}

sqlite_case!(sq_quoted_names, "CREATE TABLE \"posts\" (\"id\" INTEGER PRIMARY KEY, [user_id] INTEGER NOT NULL REFERENCES `users`(\"id\"), `editor_id` INTEGER REFERENCES [users]);");
sqlite_case!(sq_constraint_names, "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL CONSTRAINT fk_u REFERENCES users(id) ON DELETE SET NULL, editor_id INTEGER CONSTRAINT \"fk e\" REFERENCES users ON DELETE NO ACTION DEFERRABLE INITIALLY DEFERRED);");
sqlite_case!(sq_comments, "CREATE TABLE posts (id INTEGER PRIMARY KEY, -- a, (comment\n user_id INTEGER NOT NULL /* ) , */ REFERENCES users -- the owner )\n (id) /* ON DELETE SET NULL */, editor_id INTEGER REFERENCES users -- trailing, )\n);");
sqlite_case!(sq_string_default, "CREATE TABLE posts (id INTEGER PRIMARY KEY, note TEXT DEFAULT 'REFERENCES users ON DELETE SET NULL, (x', user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER);");
sqlite_case!(sq_strict_without_rowid, "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER) STRICT, WITHOUT ROWID;");
sqlite_case!(sq_keyword_columns, "CREATE TABLE posts (id INTEGER PRIMARY KEY, \"on\" INTEGER, \"delete\" INTEGER, user_id INTEGER NOT NULL REFERENCES users, \"references\" INTEGER, editor_id INTEGER, CHECK (\"on\" IS NOT \"delete\"));");
sqlite_case!(sq_mixed_case, "CREATE TABLE Posts (Id INTEGER PRIMARY KEY, User_Id INTEGER NOT NULL REFERENCES USERS (ID) ON DELETE RESTRICT, EDITOR_ID INTEGER);");
sqlite_case!(sq_if_not_exists, "CREATE TABLE IF NOT EXISTS posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER);");
sqlite_case!(sq_schema_qualified, "CREATE TABLE main.\"posts\" (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER);");
sqlite_case!(sq_key_twice, "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users ON DELETE SET NULL, editor_id INTEGER, FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE NO ACTION, FOREIGN KEY (editor_id) REFERENCES users);");
sqlite_case!(sq_two_keys_and_view_trigger, "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER REFERENCES users ON DELETE CASCADE);
CREATE TABLE log (x INTEGER);
CREATE VIEW post_view AS SELECT id, user_id FROM posts;
CREATE TRIGGER users_gone AFTER DELETE ON users BEGIN INSERT INTO log SELECT COUNT(*) FROM posts; END;
CREATE TRIGGER posts_ins AFTER INSERT ON posts BEGIN INSERT INTO log VALUES (new.id); END;
CREATE INDEX posts_user ON posts (user_id) WHERE user_id > 0;");
sqlite_case!(sq_index_trailing_comment, "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER);
CREATE INDEX posts_user ON posts (user_id) -- by owner
;");
#[test]
fn sq_multi_col_key() {
    let schema = "CREATE TABLE users (id INTEGER PRIMARY KEY, best_post_id INTEGER REFERENCES posts ON DELETE SET NULL, UNIQUE (id, best_post_id));
CREATE TABLE folders (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES folders ON DELETE CASCADE);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, editor_id INTEGER, FOREIGN KEY (user_id, editor_id) REFERENCES users (id, best_post_id));";
    expect_ok(schema, basic_plan());
}
sqlite_case!(sq_nbsp_column, "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users, a\u{a0}b INTEGER, editor_id INTEGER);");

/// AUTOINCREMENT whose table is empty: the sequence must survive the rebuild.
#[test]
fn sq_autoincrement_empty_table() {
    let schema = format!("{USERS}\nCREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER);
INSERT INTO users (id) VALUES (1);
INSERT INTO posts (id, user_id) VALUES (41, 1);
DELETE FROM posts;");
    let mut c = sq(&schema);
    let m = basic_plan().migration(&mut c).unwrap();
    c.batch_execute(m.up()).unwrap();
    c.batch_execute("INSERT INTO posts (user_id) VALUES (1)")
        .unwrap();
    let id = num(&mut c, "SELECT MAX(id) AS n FROM posts");
    assert_eq!(id, Some(42), "AUTOINCREMENT reused an id after the rebuild");
}

/// AUTOINCREMENT on a table whose stored name differs in case from the model's.
#[test]
fn sq_autoincrement_mixed_case() {
    let schema = format!("{USERS}\nCREATE TABLE Posts (id INTEGER PRIMARY KEY AUTOINCREMENT, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER);
INSERT INTO users (id) VALUES (1);
INSERT INTO posts (id, user_id) VALUES (41, 1), (5, 1);
DELETE FROM posts WHERE id = 41;");
    let mut c = sq(&schema);
    let m = basic_plan().migration(&mut c).unwrap();
    println!("{m}");
    c.batch_execute(m.up()).unwrap();
    c.batch_execute("INSERT INTO posts (user_id) VALUES (1)")
        .unwrap();
    let id = num(&mut c, "SELECT MAX(id) AS n FROM posts");
    assert_eq!(id, Some(42), "AUTOINCREMENT reused an id after the rebuild");
}

/// Rows that break a key: the guard rolls the whole migration back, and, as documented, the
/// connection is left with foreign keys off (its closing `PRAGMA` never runs).
#[test]
fn sq_refused_migration_rolls_back_and_leaves_keys_off() {
    let schema = format!("{USERS}\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, editor_id INTEGER);
INSERT INTO posts (id, user_id) VALUES (1, 99);");
    let mut c = sq(&schema);
    let before = master(&mut c);
    let m = basic_plan().migration(&mut c).unwrap();
    let e = c.batch_execute(m.up()).expect_err("orphan");
    println!("refused: {e}");
    assert!(
        c.batch_execute("BEGIN; ROLLBACK;").is_ok(),
        "left inside a transaction"
    );
    assert_eq!(
        num(&mut c, "SELECT foreign_keys AS n FROM pragma_foreign_keys"),
        Some(0)
    );
    assert_eq!(master(&mut c), before);
    assert_eq!(num(&mut c, "SELECT COUNT(*) AS n FROM posts"), Some(1));
}

/// Weird names on SQLite.
#[test]
fn sq_weird_names() {
    let schema = "CREATE TABLE \"Pe\"\"op`le\" (id INTEGER PRIMARY KEY);
CREATE TABLE \"My Posts\" (id INTEGER PRIMARY KEY, \"Owner Id\" INTEGER NOT NULL REFERENCES \"Pe\"\"op`le\");
INSERT INTO \"Pe\"\"op`le\" VALUES (1); INSERT INTO \"My Posts\" VALUES (1, 1);";
    expect_ok(schema, weird::Person::plan());
}

// ---------------------------------------------------------------- more SQLite

/// Both tables of a cycle rebuilt, and the self-referencing folders, with rows.
#[test]
fn sq_cycle_and_self_reference_all_rebuilt() {
    let schema = "CREATE TABLE users (id INTEGER PRIMARY KEY, best_post_id INTEGER REFERENCES posts);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER REFERENCES users);
CREATE TABLE folders (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES folders ON DELETE SET NULL);
INSERT INTO users VALUES (1, NULL), (2, NULL);
INSERT INTO posts VALUES (1, 1, 2), (2, 2, NULL);
UPDATE users SET best_post_id = 2 WHERE id = 1;
INSERT INTO folders VALUES (1, NULL), (2, 1), (3, 2);";
    let mut c = expect_ok(schema, basic_plan());
    assert_eq!(num(&mut c, "SELECT COUNT(*) AS n FROM posts"), Some(2));
    assert_eq!(num(&mut c, "SELECT COUNT(*) AS n FROM folders"), Some(3));
}

/// A temporary table of the same name on the migrating connection: the migration rebuilds the
/// main schema's table, and leaves the temporary one alone. (`verify`, like every statement of
/// the session, reads the temporary one while it hides the table.)
#[test]
fn sq_temp_table_shadows() {
    let schema = format!("{USERS}\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER);
INSERT INTO users VALUES (1, NULL); INSERT INTO posts VALUES (1, 1, NULL);
CREATE TEMP TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, editor_id INTEGER);
INSERT INTO temp.posts VALUES (7, 7, 7);");
    let mut c = sq(&schema);
    let m = basic_plan().migration(&mut c).unwrap();
    c.batch_execute(m.up()).unwrap();
    assert_eq!(num(&mut c, "SELECT id AS n FROM temp.posts"), Some(7));
    assert_eq!(num(&mut c, "SELECT COUNT(*) AS n FROM main.posts"), Some(1));
    c.batch_execute("DROP TABLE temp.posts").unwrap();
    assert_eq!(basic_plan().verify(&mut c).unwrap(), []);
    assert!(basic_plan().migration(&mut c).unwrap().is_empty());
}

mod hooked_schema {
    diesel::table! { accounts (id) { id -> Integer, } }
    diesel::table! { orders (id) { id -> Integer, account_id -> Integer, } }
}
pub mod hooked {
    use super::hooked_schema::*;
    use super::*;
    #[derive(Deletable)]
    #[diesel(table_name = accounts)]
    pub struct Account {
        pub id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = orders, belongs_to(Account))]
    #[deletable(hooks)]
    pub struct Order {
        pub id: i32,
        #[on_delete(cascade)]
        pub account_id: i32,
    }
    deletable::schema!(Account, Order);
}

/// A catalog-provided column name lands in a `--` note unescaped.
#[test]
fn sq_note_injection_from_catalog() {
    let schema = "CREATE TABLE accounts (id INTEGER PRIMARY KEY);
CREATE TABLE victims (id INTEGER PRIMARY KEY);
CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts,
  \"x
DROP TABLE victims;
--\" INTEGER REFERENCES accounts ON DELETE CASCADE);";
    let mut c = sq(schema);
    let m = hooked::Account::plan().migration(&mut c).unwrap();
    println!("{m}");
    c.batch_execute(m.up()).unwrap();
    let left = num(
        &mut c,
        "SELECT COUNT(*) AS n FROM sqlite_master WHERE name = 'victims'",
    );
    assert_eq!(
        left,
        Some(1),
        "the up migration dropped a table named in a column's name"
    );
}

/// verify after up on a hooked table with an unruled cascade: the issue says no findings.
#[test]
fn sq_unruled_cascade_survives_up() {
    let schema = "CREATE TABLE accounts (id INTEGER PRIMARY KEY);
CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts, other_id INTEGER REFERENCES accounts ON DELETE CASCADE);";
    let mut c = sq(schema);
    let p = roundtrip(&mut c, hooked::Account::plan());
    assert!(p.is_empty(), "{}", p.join("\n"));
}

// ---------------------------------------------------------------- restrict deleted by another path

mod rschema {
    diesel::table! { rusers (id) { id -> Integer, } }
    diesel::table! { rposts (id) { id -> Integer, ruser_id -> Integer, } }
    diesel::table! { rnotes (id) { id -> Integer, rpost_id -> Integer, ruser_id -> Integer, } }
}
pub mod restrict_models {
    use super::rschema::*;
    use super::*;
    #[derive(Deletable)]
    #[diesel(table_name = rusers)]
    pub struct RUser {
        pub id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = rposts)]
    pub struct RPost {
        pub id: i32,
        #[on_delete(cascade, references = RUser)]
        pub ruser_id: i32,
    }
    #[derive(Deletable)]
    #[diesel(table_name = rnotes)]
    pub struct RNote {
        pub id: i32,
        #[on_delete(restrict, references = RPost)]
        pub rpost_id: i32,
        #[on_delete(cascade, references = RUser)]
        pub ruser_id: i32,
    }
    deletable::schema!(RUser, RPost, RNote);
}

const RSCHEMA: &str = "CREATE TABLE rusers (id INTEGER PRIMARY KEY);
CREATE TABLE rposts (id INTEGER PRIMARY KEY, ruser_id INTEGER NOT NULL);
CREATE TABLE rnotes (id INTEGER PRIMARY KEY, rpost_id INTEGER NOT NULL, ruser_id INTEGER NOT NULL);
INSERT INTO rusers VALUES (1);
INSERT INTO rposts VALUES (1, 1);
INSERT INTO rnotes VALUES (1, 1, 1);";

/// set_null on a NOT NULL column whose key cascades: declared NO ACTION,
/// so a raw delete refuses as deletable does.
#[test]
fn sq_set_null_not_null_cascade_left() {
    let schema = format!("{USERS}\nCREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE, editor_id INTEGER NOT NULL REFERENCES users ON DELETE CASCADE);
INSERT INTO users VALUES (1, NULL), (2, NULL); INSERT INTO posts VALUES (1, 1, 2);");
    let mut c = sq(&schema);
    let m = basic_plan().migration(&mut c).unwrap();
    println!("{m}");
    c.batch_execute(m.up()).unwrap();
    let v = basic_plan().verify(&mut c).unwrap();
    println!("verify after up: {v:?}");
    let by_deletable = basic::User::delete_by_ids(&[2], &mut c);
    println!("deletable: {:?}", by_deletable.as_ref().map(|r| r.total()));
    let raw = c.batch_execute("DELETE FROM users WHERE id = 2");
    let posts = num(&mut c, "SELECT COUNT(*) AS n FROM posts");
    assert!(
        by_deletable.is_ok() == raw.is_ok() && posts == Some(1),
        "deletable {:?}, raw {raw:?}, posts left {posts:?}",
        by_deletable.map(|r| r.total())
    );
}

/// A rowid table whose key is not the rowid (`INT PRIMARY KEY`): the rebuild renumbers rowids.
#[test]
fn sq_rowid_renumbered() {
    let schema = format!("{USERS}\nCREATE TABLE posts (id INT PRIMARY KEY, user_id INTEGER NOT NULL REFERENCES users, editor_id INTEGER);
INSERT INTO users VALUES (1, NULL);
INSERT INTO posts VALUES (10, 1, NULL), (20, 1, NULL), (30, 1, NULL);
DELETE FROM posts WHERE id = 10;");
    let mut c = sq(&schema);
    let before = lines(
        &mut c,
        "SELECT group_concat(rowid || ':' || id) AS line FROM posts",
    );
    let m = basic_plan().migration(&mut c).unwrap();
    c.batch_execute(m.up()).unwrap();
    let after = lines(
        &mut c,
        "SELECT group_concat(rowid || ':' || id) AS line FROM posts",
    );
    assert_eq!(before, after, "rowids changed");
}

/// One column with two REFERENCES column constraints (legal in SQLite): only the users key may change.
fn two_references(posts_user: &str) -> (Vec<String>, Vec<String>) {
    let schema = format!("{USERS}\nCREATE TABLE accounts (id INTEGER PRIMARY KEY);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL {posts_user}, editor_id INTEGER REFERENCES users ON DELETE SET NULL);");
    let mut c = sq(&schema);
    let keys = "SELECT \"table\" || ' ' || \"from\" || ' ' || on_delete AS line FROM pragma_foreign_key_list('posts') ORDER BY 1";
    let before = lines(&mut c, keys);
    let p = roundtrip(&mut c, basic_plan());
    println!("problems: {p:#?}");
    let mut c = sq(&schema);
    let m = basic_plan().migration(&mut c).unwrap();
    c.batch_execute(m.up()).unwrap();
    (before, lines(&mut c, keys))
}

#[test]
fn sq_two_references_accounts_first() {
    let (before, after) = two_references(
        "REFERENCES accounts ON DELETE SET NULL REFERENCES users ON DELETE SET NULL",
    );
    println!("before {before:?}\nafter {after:?}");
    assert!(
        after.contains(&"accounts user_id SET NULL".to_owned())
            && after.contains(&"users user_id CASCADE".to_owned()),
        "before {before:?}\nafter {after:?}"
    );
}

#[test]
fn sq_two_references_users_first() {
    let (before, after) = two_references(
        "REFERENCES users ON DELETE SET NULL REFERENCES accounts ON DELETE RESTRICT",
    );
    assert!(
        after.contains(&"accounts user_id RESTRICT".to_owned())
            && after.contains(&"users user_id CASCADE".to_owned()),
        "before {before:?}\nafter {after:?}"
    );
}

/// The cases of the servers, each run on PostgreSQL, MySQL and MariaDB (named so that CI's
/// server suite, which filters by backend name, runs them).
#[cfg(all(feature = "postgres", feature = "mysql", feature = "mariadb"))]
mod postgres_mysql_mariadb {
    use super::*;

    use deletable_tests::TestDb;

    fn server_catalog<D: TestDb>(db: &mut D) -> Vec<String>
    where
        diesel::query_builder::SqlQuery: for<'a> diesel::query_dsl::LoadQuery<'a, D::Conn, Line>,
    {
        let queries: &[&str] = match D::BACKEND {
        "postgres" => &[
            "SELECT conrelid::regclass::text || ' ' || conname || ' ' || pg_get_constraintdef(oid) AS line FROM pg_constraint WHERE connamespace = current_schema()::regnamespace ORDER BY 1",
            "SELECT indexdef AS line FROM pg_indexes WHERE schemaname = current_schema() ORDER BY indexname",
            "SELECT t.tgrelid::regclass::text || ' ' || k.conname::text || ' ' || t.tgenabled::text AS line FROM pg_trigger t JOIN pg_constraint k ON k.oid = t.tgconstraint WHERE k.connamespace = current_schema()::regnamespace ORDER BY 1",
        ],
        _ => &[
            "SELECT CONCAT_WS(' ', k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE) AS line FROM information_schema.KEY_COLUMN_USAGE k JOIN information_schema.REFERENTIAL_CONSTRAINTS r ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME AND r.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = DATABASE() ORDER BY 1",
            // InnoDB may give back an index it made for a key under the key's name.
            "SELECT CONCAT_WS(' ', TABLE_NAME, IF(INDEX_NAME = 'PRIMARY', 'PRIMARY', 'index'), SEQ_IN_INDEX, COLUMN_NAME) AS line FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() ORDER BY 1",
        ],
    };
        queries
            .iter()
            .flat_map(|q| {
                diesel::sql_query(*q)
                    .load::<Line>(db.conn())
                    .unwrap_or_else(|e| panic!("{e}: {q}"))
            })
            .map(|l| l.line)
            .collect()
    }

    fn exec_sql<D: TestDb>(db: &mut D, sql: &str) -> Result<(), String> {
        db.conn().batch_execute(sql).map_err(|e| e.to_string())
    }

    /// up, verify, again, down, catalog, up again.
    fn server_roundtrip<D: TestDb>(db: &mut D, plan: &Plan) -> Vec<String>
    where
        diesel::query_builder::SqlQuery: for<'a> diesel::query_dsl::LoadQuery<'a, D::Conn, Line>,
    {
        let mut problems = Vec::new();
        let before = server_catalog(db);
        let verify_before = plan.verify(db.conn()).unwrap();
        let m = plan.migration(db.conn()).unwrap();
        println!("=== {} migration\n{m}", D::BACKEND);
        let wrap = |sql: &str| {
            if D::BACKEND == "postgres" {
                format!("BEGIN; {sql} COMMIT;")
            } else {
                sql.to_owned()
            }
        };
        if let Err(e) = exec_sql(db, &wrap(m.up())) {
            problems.push(format!("up failed: {e}"));
            if D::BACKEND == "postgres" {
                let _ = exec_sql(db, "ROLLBACK");
            }
            return problems;
        }
        let found = plan.verify(db.conn()).unwrap();
        if !found.is_empty() {
            problems.push(format!("verify after up: {found:?}"));
        }
        let again = plan.migration(db.conn()).unwrap();
        if !again.is_empty() {
            problems.push(format!("second migration not empty:\n{again}"));
        }
        let mid = server_catalog(db);
        println!("after up: {mid:#?}");
        if let Err(e) = exec_sql(db, &wrap(m.down())) {
            problems.push(format!("down failed: {e}"));
            return problems;
        }
        let after = server_catalog(db);
        if after != before {
            problems.push(format!(
                "catalog differs after down:\nbefore {before:#?}\nafter {after:#?}"
            ));
        }
        if plan.verify(db.conn()).unwrap() != verify_before {
            problems.push("verify differs after down".into());
        }
        let m2 = plan.migration(db.conn()).unwrap();
        // InnoDB may keep, under a new key's name, an index it made for the key, and a new key
        // then takes another name.
        if m2 != m && D::BACKEND == "postgres" {
            problems.push(format!("migration after down differs:\n{m2}"));
        }
        if let Err(e) = exec_sql(db, &wrap(m2.up())) {
            problems.push(format!("second up failed: {e}"));
            if D::BACKEND == "postgres" {
                let _ = exec_sql(db, "ROLLBACK");
            }
        }
        problems
    }

    fn server_case<D: TestDb>(schema: &str, plan: &Plan) -> Vec<String>
    where
        diesel::query_builder::SqlQuery: for<'a> diesel::query_dsl::LoadQuery<'a, D::Conn, Line>,
    {
        let Some(mut db) = D::open(schema) else {
            return vec![];
        };
        server_roundtrip(&mut db, plan)
    }

    macro_rules! all_servers {
        ($name:ident, $schema:expr, $plan:expr) => {
            #[test]
            fn $name() {
                let mut problems = Vec::new();
                for (backend, p) in [
                    (
                        "postgres",
                        server_case::<deletable_tests::PgDb>(&$schema("postgres"), $plan),
                    ),
                    (
                        "mysql",
                        server_case::<deletable_tests::MysqlDb>(&$schema("mysql"), $plan),
                    ),
                    (
                        "mariadb",
                        server_case::<deletable_tests::MariadbDb>(&$schema("mariadb"), $plan),
                    ),
                ] {
                    for p in p {
                        problems.push(format!("[{backend}] {p}"));
                    }
                }
                assert!(problems.is_empty(), "{}", problems.join("\n"));
            }
        };
    }

    const SERVER_BASE: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, best_post_id INTEGER, uid INTEGER UNIQUE);
CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, editor_id INTEGER);
ALTER TABLE users ADD CONSTRAINT users_best FOREIGN KEY (best_post_id) REFERENCES posts (id) ON DELETE SET NULL;
CREATE TABLE folders (id INTEGER PRIMARY KEY, parent_id INTEGER, CONSTRAINT folders_parent FOREIGN KEY (parent_id) REFERENCES folders (id) ON DELETE CASCADE);
INSERT INTO users (id, uid) VALUES (1, 1), (2, 2);
INSERT INTO posts (id, user_id, editor_id) VALUES (1, 1, 2), (2, 2, NULL);
";

    all_servers!(
        srv_quoted_names_deferral_update,
        |b: &str| {
            let extra = if b == "postgres" {
                "ALTER TABLE posts ADD CONSTRAINT \"Weird \"\"Key\"\" Name\" FOREIGN KEY (user_id) REFERENCES users (id) ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;
         ALTER TABLE posts ADD CONSTRAINT \"e;DROP TABLE users;--\" FOREIGN KEY (editor_id) REFERENCES users (id) ON DELETE CASCADE;"
            } else {
                "ALTER TABLE posts ADD CONSTRAINT `Weird ``Key`` Name` FOREIGN KEY (user_id) REFERENCES users (id) ON UPDATE CASCADE;
         ALTER TABLE posts ADD CONSTRAINT `e;DROP TABLE users;--` FOREIGN KEY (editor_id) REFERENCES users (id) ON DELETE CASCADE;"
            };
            format!("{SERVER_BASE}{extra}")
        },
        basic_plan()
    );

    all_servers!(
        srv_no_keys_no_index,
        |_b: &str| SERVER_BASE.to_owned(),
        basic_plan()
    );

    all_servers!(
        srv_composite_index_leads,
        |_b: &str| {
            format!("{SERVER_BASE}CREATE INDEX posts_pair ON posts (user_id, editor_id); CREATE INDEX posts_e ON posts (editor_id, id);")
        },
        basic_plan()
    );

    all_servers!(
        srv_duplicate_keys,
        |_b: &str| {
            format!("{SERVER_BASE}ALTER TABLE posts ADD CONSTRAINT k1 FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE; ALTER TABLE posts ADD CONSTRAINT k2 FOREIGN KEY (user_id) REFERENCES users (id);")
        },
        basic_plan()
    );

    all_servers!(
        srv_key_to_unique_column,
        |_b: &str| {
            format!("{SERVER_BASE}ALTER TABLE posts ADD CONSTRAINT k_uid FOREIGN KEY (user_id) REFERENCES users (uid) ON DELETE CASCADE;")
        },
        basic_plan()
    );

    all_servers!(
        srv_shared_index_two_keys,
        |_b: &str| {
            format!("{SERVER_BASE}CREATE TABLE accounts (id INTEGER PRIMARY KEY); INSERT INTO accounts VALUES (1), (2);
CREATE INDEX posts_u ON posts (user_id);
ALTER TABLE posts ADD CONSTRAINT k_acc FOREIGN KEY (user_id) REFERENCES accounts (id);
ALTER TABLE posts ADD CONSTRAINT k_usr FOREIGN KEY (user_id) REFERENCES users (id);")
        },
        basic_plan()
    );

    all_servers!(
        srv_weird_names,
        |b: &str| if b == "postgres" {
            "CREATE TABLE \"Pe\"\"op`le\" (id INTEGER PRIMARY KEY);
     CREATE TABLE \"My Posts\" (id INTEGER PRIMARY KEY, \"Owner Id\" INTEGER NOT NULL, CONSTRAINT \"My Key\" FOREIGN KEY (\"Owner Id\") REFERENCES \"Pe\"\"op`le\" (id));
     INSERT INTO \"Pe\"\"op`le\" VALUES (1); INSERT INTO \"My Posts\" VALUES (1, 1);".to_owned()
        } else {
            "CREATE TABLE `Pe\"op``le` (id INTEGER PRIMARY KEY);
     CREATE TABLE `My Posts` (id INTEGER PRIMARY KEY, `Owner Id` INTEGER NOT NULL, CONSTRAINT `My Key` FOREIGN KEY (`Owner Id`) REFERENCES `Pe\"op``le` (id));
     INSERT INTO `Pe\"op``le` VALUES (1); INSERT INTO `My Posts` VALUES (1, 1);".to_owned()
        },
        weird::Person::plan()
    );

    all_servers!(
        srv_weird_names_no_key,
        |b: &str| if b == "postgres" {
            "CREATE TABLE \"Pe\"\"op`le\" (id INTEGER PRIMARY KEY);
     CREATE TABLE \"My Posts\" (id INTEGER PRIMARY KEY, \"Owner Id\" INTEGER NOT NULL);"
                .to_owned()
        } else {
            "CREATE TABLE `Pe\"op``le` (id INTEGER PRIMARY KEY);
     CREATE TABLE `My Posts` (id INTEGER PRIMARY KEY, `Owner Id` INTEGER NOT NULL);"
                .to_owned()
        },
        weird::Person::plan()
    );

    /// PostgreSQL: a key whose triggers are disabled is not enforced, so `verify` counts it as
    /// missing; the migration replaces it with an enforced one. `down` gives back its definition,
    /// with its triggers enabled (as documented).
    #[test]
    fn pg_disabled_triggers() {
        let schema = format!("{SERVER_BASE}ALTER TABLE posts ADD CONSTRAINT k1 FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE; ALTER TABLE posts DISABLE TRIGGER ALL;");
        let Some(mut db) = deletable_tests::PgDb::open(&schema) else {
            return;
        };
        let m = basic_plan().migration(db.conn()).unwrap();
        exec_sql(&mut db, &format!("BEGIN; {} COMMIT;", m.up())).unwrap();
        assert_eq!(basic_plan().verify(db.conn()).unwrap(), []);
        exec_sql(&mut db, &format!("BEGIN; {} COMMIT;", m.down())).unwrap();
        let keys = server_catalog(&mut db);
        assert!(
            keys.iter().any(|line| line
                == "posts k1 FOREIGN KEY (user_id) REFERENCES users(id) ON DELETE CASCADE"),
            "{keys:#?}"
        );
    }

    /// PostgreSQL: MATCH FULL and NOT VALID.
    #[test]
    fn pg_match_full_not_valid() {
        let schema = format!("{SERVER_BASE}ALTER TABLE posts ADD CONSTRAINT k1 FOREIGN KEY (user_id) REFERENCES users (id) MATCH FULL ON DELETE SET NULL NOT VALID;");
        let p = server_case::<deletable_tests::PgDb>(&schema, basic_plan());
        assert!(p.is_empty(), "{}", p.join("\n"));
    }

    /// MySQL: rows that break a key being replaced (inserted with checks off) lose the key.
    fn innodb_replaced_key_lost<D: TestDb>()
    where
        diesel::query_builder::SqlQuery: for<'a> diesel::query_dsl::LoadQuery<'a, D::Conn, Line>,
    {
        let schema = format!("{SERVER_BASE}ALTER TABLE posts ADD CONSTRAINT k1 FOREIGN KEY (user_id) REFERENCES users (id) ON UPDATE CASCADE;
SET foreign_key_checks = 0; INSERT INTO posts (id, user_id) VALUES (9, 99); SET foreign_key_checks = 1;");
        let Some(mut db) = D::open(&schema) else {
            return;
        };
        let before = server_catalog(&mut db);
        let m = basic_plan().migration(db.conn()).unwrap();
        println!("{m}");
        let e = exec_sql(&mut db, m.up());
        println!("up: {e:?}");
        let after = server_catalog(&mut db);
        let missing: Vec<_> = before.iter().filter(|l| !after.contains(l)).collect();
        assert!(e.is_err());
        assert!(missing.is_empty(), "{} lost {missing:#?}", D::BACKEND);
    }
    #[test]
    fn mysql_replaced_key_lost() {
        innodb_replaced_key_lost::<deletable_tests::MysqlDb>();
    }
    #[test]
    fn mariadb_replaced_key_lost() {
        innodb_replaced_key_lost::<deletable_tests::MariadbDb>();
    }

    /// InnoDB: the name a new key takes is already another key's (names are per database).
    fn innodb_default_name_taken<D: TestDb>()
    where
        diesel::query_builder::SqlQuery: for<'a> diesel::query_dsl::LoadQuery<'a, D::Conn, Line>,
    {
        let schema = format!("{SERVER_BASE}CREATE TABLE other (id INTEGER PRIMARY KEY, u INTEGER, CONSTRAINT posts_user_id_fk FOREIGN KEY (u) REFERENCES users (id));");
        let Some(mut db) = D::open(&schema) else {
            return;
        };
        let p = server_roundtrip(&mut db, basic_plan());
        assert!(p.is_empty(), "{}", p.join("\n"));
    }
    #[test]
    fn mariadb_default_name_taken() {
        innodb_default_name_taken::<deletable_tests::MariadbDb>();
    }
    #[test]
    fn pg_default_name_taken() {
        innodb_default_name_taken::<deletable_tests::PgDb>();
    }

    macro_rules! restrict_case {
        ($D:ty) => {{
            type D = $D;
            use deletable::Deletable as _;
            use restrict_models::*;
            let mut problems: Vec<String> = vec![];
            if let (Some(mut a), Some(mut b)) =
                (<D as TestDb>::open(RSCHEMA), <D as TestDb>::open(RSCHEMA))
            {
                for db in [&mut a, &mut b] {
                    let m = RUser::plan().migration(db.conn()).unwrap();
                    let sql = if m.metadata_toml().is_some() || D::BACKEND != "postgres" {
                        m.up().to_owned()
                    } else {
                        format!("BEGIN; {} COMMIT;", m.up())
                    };
                    exec_sql(db, &sql).unwrap();
                    let v = RUser::plan().verify(db.conn()).unwrap();
                    if !v.is_empty() {
                        problems.push(format!("verify: {v:?}"));
                    }
                }
                let by_deletable = RUser::delete_by_ids(&[1], a.conn());
                let raw = exec_sql(&mut b, "DELETE FROM rusers WHERE id = 1");
                if by_deletable.is_ok() != raw.is_ok() {
                    problems.push(format!(
                        "deletable: {:?}; raw after migration: {raw:?}",
                        by_deletable.map(|r| r.total())
                    ));
                }
            }
            problems
        }};
    }

    #[test]
    fn restrict_row_deleted_by_another_path() {
        let mut problems = Vec::new();
        for (b, p) in [
            ("sqlite", restrict_case!(deletable_tests::SqliteDb)),
            ("postgres", restrict_case!(deletable_tests::PgDb)),
            ("mysql", restrict_case!(deletable_tests::MysqlDb)),
            ("mariadb", restrict_case!(deletable_tests::MariadbDb)),
        ] {
            for p in p {
                problems.push(format!("[{b}] {p}"));
            }
        }
        assert!(problems.is_empty(), "{}", problems.join("\n"));
    }

    /// PostgreSQL: the same note injection through a catalog column name.
    #[test]
    fn pg_note_injection_from_catalog() {
        let schema = "CREATE TABLE accounts (id INTEGER PRIMARY KEY);
CREATE TABLE victims (id INTEGER PRIMARY KEY);
CREATE TABLE orders (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL REFERENCES accounts,
  \"x
DROP TABLE victims;
--\" INTEGER REFERENCES accounts ON DELETE CASCADE);";
        let Some(mut db) = <deletable_tests::PgDb as TestDb>::open(schema) else {
            return;
        };
        let m = hooked::Account::plan().migration(db.conn()).unwrap();
        println!("{m}");
        exec_sql(&mut db, &format!("BEGIN; {} COMMIT;", m.up())).unwrap();
        let left = db.pairs("SELECT COUNT(*) AS a, NULL AS b FROM pg_class WHERE relname = 'victims' AND relnamespace = current_schema()::regnamespace");
        assert_eq!(
            left[0].0, 1,
            "the up migration dropped a table named in a column's name"
        );
    }
}
