//! `Plan::migration`: SQL that declares the models' rules in the database. On a schema drifted
//! in every way a migration can mend, on every backend: applied as Diesel applies a migration,
//! `verify` then finds only what no key can declare, a second migration is empty, the rows are
//! all still there, and raw SQL deletes follow the rules; the down migration puts back the
//! catalog exactly as it was. The Diesel migration harness itself runs both files on each
//! synchronous backend.

// The models mirror their tables; the tests read none of their fields.
#![allow(dead_code)]

use deletable::{Deletable, Finding};
use deletable_tests::{backends, run_migration, TestDb};
use diesel::prelude::*;
use diesel::sql_types::Text;

mod schema {
    diesel::table! { users (id) { id -> Integer, } }
    diesel::table! { posts (id) { id -> Integer, user_id -> Integer, editor_id -> Nullable<Integer>, reviewer_id -> Integer, } }
    diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    diesel::table! { invoices (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { audits (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { notes (id) { id -> Integer, post_id -> Integer, } }
    diesel::table! { folders (id) { id -> Integer, parent_id -> Nullable<Integer>, } }
    diesel::table! { labels (id) { id -> Integer, user_id -> Integer, } }
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
    /// `NOT NULL` in the database: no key can set it to `NULL`.
    #[on_delete(set_null, references = User)]
    reviewer_id: Option<i32>,
}

/// Hooked: a raw delete must not take its rows.
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

#[derive(Deletable)]
#[diesel(table_name = audits, belongs_to(User))]
struct Audit {
    id: i32,
    #[on_delete(do_nothing)]
    user_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = notes, belongs_to(Post))]
struct Note {
    id: i32,
    #[on_delete(restrict)]
    post_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = folders)]
struct Folder {
    id: i32,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = labels, belongs_to(User))]
struct Label {
    id: i32,
    #[on_delete(set_default = 1)]
    user_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = ghosts, belongs_to(User))]
struct Ghost {
    id: i32,
    #[on_delete(cascade)]
    user_id: i32,
}

deletable::schema!(User, Post, Comment, Invoice, Audit, Note, Folder, Label, Ghost);

/// Each table but `users` and `audits` drifted from its model, with rows in every table.
const DRIFTED: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL, editor_id INTEGER,
        reviewer_id INTEGER NOT NULL,
        CONSTRAINT posts_owner FOREIGN KEY (user_id) REFERENCES users (id) ON UPDATE CASCADE);
    CREATE INDEX posts_by_editor ON posts (editor_id);
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE);
    CREATE TABLE invoices (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id) ON DELETE CASCADE);
    CREATE TABLE audits (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);
    CREATE TABLE notes (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE RESTRICT);
    CREATE TABLE folders (id INTEGER PRIMARY KEY, parent_id INTEGER,
        FOREIGN KEY (parent_id) REFERENCES folders (id) ON DELETE SET NULL);
    CREATE TABLE labels (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL DEFAULT 1);
    INSERT INTO users (id) VALUES (1), (2), (3), (4), (5), (6);
    INSERT INTO posts (id, user_id, editor_id, reviewer_id) VALUES (1, 1, 2, 3), (2, 4, NULL, 3);
    INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 1);
    INSERT INTO invoices (id, user_id) VALUES (1, 3);
    INSERT INTO audits (id, user_id) VALUES (1, 99);
    INSERT INTO notes (id, post_id) VALUES (1, 2);
    INSERT INTO folders (id, parent_id) VALUES (1, NULL), (2, 1), (3, 2), (4, NULL);
    INSERT INTO labels (id, user_id) VALUES (1, 5), (2, 6);
";

/// What no key can mend: the `NOT NULL` column under `set_null`, and the missing table.
fn unmendable() -> Vec<Finding> {
    vec![
        Finding::NotNullable {
            table: "posts",
            column: "reviewer_id",
        },
        Finding::MissingTable { table: "ghosts" },
    ]
}

#[derive(QueryableByName)]
struct Line {
    #[diesel(sql_type = Text)]
    line: String,
}

/// The catalog's every foreign key, index and table text, a line each, in a stable order (the
/// migration harness's own table left out).
fn catalog<D: TestDb>(db: &mut D) -> Vec<String>
where
    diesel::query_builder::SqlQuery: for<'a> diesel::query_dsl::LoadQuery<'a, D::Conn, Line>,
{
    let queries: &[&str] = match D::BACKEND {
        "sqlite" => &[
            // SQLite writes a renamed table's name in quotes.
            "SELECT type || ' ' || name || ' ' || replace(sql, '\"', '') AS line FROM sqlite_master \
             WHERE sql IS NOT NULL AND name NOT LIKE '%diesel%' ORDER BY type, name",
        ],
        "postgres" => &[
            "SELECT conrelid::regclass::text || ' ' || conname || ' ' || \
             pg_get_constraintdef(oid) AS line FROM pg_constraint \
             WHERE connamespace = current_schema()::regnamespace \
             AND conrelid::regclass::text NOT LIKE '%diesel%' ORDER BY 1",
            "SELECT indexdef AS line FROM pg_indexes WHERE schemaname = current_schema() \
             AND tablename NOT LIKE '%diesel%' ORDER BY indexname",
        ],
        _ => &[
            "SELECT CONCAT_WS(' ', k.TABLE_NAME, k.CONSTRAINT_NAME, k.COLUMN_NAME, \
             k.REFERENCED_TABLE_NAME, k.REFERENCED_COLUMN_NAME, r.UPDATE_RULE, r.DELETE_RULE) \
             AS line FROM information_schema.KEY_COLUMN_USAGE k \
             JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
             ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
             AND r.TABLE_NAME = k.TABLE_NAME WHERE k.TABLE_SCHEMA = DATABASE() ORDER BY 1",
            // InnoDB names the index it creates for a key after the key, or after its column
            // when the key comes with the table: the same index, by another name.
            "SELECT CONCAT_WS(' ', TABLE_NAME, IF(INDEX_NAME = 'PRIMARY', 'PRIMARY', 'index'), \
             COLUMN_NAME) AS line FROM information_schema.STATISTICS \
             WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME NOT LIKE '%diesel%' ORDER BY 1",
        ],
    };
    queries
        .iter()
        .flat_map(|query| {
            diesel::sql_query(*query)
                .load::<Line>(db.conn())
                .unwrap_or_else(|error| panic!("{error}: {query}"))
        })
        .map(|line| line.line)
        .collect()
}

/// The rows of one table, as pairs of its columns.
type TableRows = (&'static str, Vec<(i64, Option<i64>)>);

/// Every table's rows.
fn rows<D: TestDb>(db: &mut D) -> Vec<TableRows> {
    [
        ("users", "id, NULL"),
        ("posts", "user_id, editor_id"),
        ("posts", "id, reviewer_id"),
        ("comments", "id, post_id"),
        ("invoices", "id, user_id"),
        ("audits", "id, user_id"),
        ("notes", "id, post_id"),
        ("folders", "id, parent_id"),
        ("labels", "id, user_id"),
    ]
    .into_iter()
    .map(|(table, columns)| {
        let (a, b) = columns.split_once(", ").expect("two columns");
        let sql = format!("SELECT {a} AS a, {b} AS b FROM {table} ORDER BY id");
        (table, db.pairs(&sql))
    })
    .collect()
}

/// Whether a raw `sql` delete succeeds (rolled back either way on failure).
fn raw_delete<D: TestDb>(db: &mut D, sql: &str) -> bool {
    use diesel::connection::SimpleConnection;
    db.conn().batch_execute(sql).is_ok()
}

backends! {
    #[test]
    fn the_migration_declares_every_rule_it_can_and_down_puts_the_drift_back() {
        let Some(mut db) = Db::open(DRIFTED) else { return };
        let drifted = User::plan().verify(db.conn()).unwrap();
        let catalog_before = catalog(&mut db);
        let rows_before = rows(&mut db);

        let migration = User::plan().migration(db.conn()).unwrap();
        println!("{}:\n{migration}", Db::BACKEND);
        assert!(!migration.is_empty());
        // Every plan of the schema writes the same migration.
        assert_eq!(Folder::plan().migration(db.conn()).unwrap(), migration);
        for note in [
            "-- posts.reviewer_id -> users (set_null): declared ON DELETE NO ACTION: the column is NOT NULL",
            "-- table ghosts is not in the database",
            "-- comments.post_id -> posts (cascade): declared ON DELETE NO ACTION: the table has hooks",
            "-- labels.user_id -> users (set_default): declared ON DELETE NO ACTION: ",
        ] {
            assert!(migration.up().contains(note), "{note}\n{migration}");
        }
        run_migration(&mut db, &migration, migration.up());

        assert_eq!(User::plan().verify(db.conn()).unwrap(), unmendable(), "{migration}");
        assert!(User::plan().migration(db.conn()).unwrap().is_empty(), "{migration}");
        assert_eq!(rows(&mut db), rows_before, "the migration changed rows\n{migration}");
        let catalog_after = catalog(&mut db);
        if Db::BACKEND == "sqlite" {
            assert!(
                catalog_after.iter().any(|line| line.contains("posts_by_editor")),
                "the index of a rebuilt table is gone: {catalog_after:#?}"
            );
        }
        // The key that was named keeps its update action, and on PostgreSQL its name (MySQL
        // adds the new key before it drops the old one, under a name of its own).
        let replaced = match Db::BACKEND {
            "sqlite" => None,
            "postgres" => Some("posts_owner FOREIGN KEY (user_id) REFERENCES users(id) ON UPDATE CASCADE ON DELETE CASCADE"),
            _ => Some("posts posts_user_id_fk user_id users id CASCADE CASCADE"),
        };
        if let Some(replaced) = replaced {
            assert!(
                catalog_after.iter().any(|line| line.contains(replaced)),
                "{replaced}: {catalog_after:#?}"
            );
        }

        // Raw SQL now follows the rules: protect and a hooked table refuse, a tree cascades,
        // set_null empties the column, set_default refuses.
        assert!(!raw_delete(&mut db, "DELETE FROM users WHERE id = 3"), "protect");
        assert!(!raw_delete(&mut db, "DELETE FROM posts WHERE id = 1"), "hooked comments");
        assert!(!raw_delete(&mut db, "DELETE FROM users WHERE id = 5"), "set_default");
        assert!(raw_delete(&mut db, "DELETE FROM users WHERE id = 2"));
        assert_eq!(db.pairs("SELECT id AS a, editor_id AS b FROM posts WHERE id = 1"), [(1, None)]);
        assert!(raw_delete(&mut db, "DELETE FROM folders WHERE id = 1"));
        assert_eq!(db.ids("folders"), [4]);
        // restrict: post 2's note stops a raw delete of user 4 that cascades to post 2.
        assert!(!raw_delete(&mut db, "DELETE FROM users WHERE id = 4"), "restrict");
        db.exec("INSERT INTO users (id) VALUES (2); UPDATE posts SET editor_id = 2 WHERE id = 1; \
                 INSERT INTO folders (id, parent_id) VALUES (1, NULL), (2, 1), (3, 2)");

        let down = migration.down().to_owned();
        run_migration(&mut db, &migration, &down);
        assert_eq!(catalog(&mut db), catalog_before, "{migration}");
        assert_eq!(User::plan().verify(db.conn()).unwrap(), drifted, "{migration}");
        assert_eq!(rows(&mut db), rows_before, "{migration}");
    }

    #[test]
    fn a_schema_that_declares_the_rules_needs_no_migration() {
        let Some(mut db) = Db::open(DRIFTED) else { return };
        let migration = User::plan().migration(db.conn()).unwrap();
        run_migration(&mut db, &migration, migration.up());
        let again = User::plan().migration(db.conn()).unwrap();
        assert!(again.is_empty(), "{again}");
        assert_eq!(again.metadata_toml(), None);
        assert!(again.up().contains("-- nothing to change"), "{again}");
        assert!(again.down().contains("-- nothing to change"), "{again}");
        // Running the empty files changes nothing.
        let catalog_before = catalog(&mut db);
        run_migration(&mut db, &again, again.up());
        assert_eq!(catalog(&mut db), catalog_before);
    }

    /// A row that breaks a key the migration adds: the migration refuses and the rows stay. On
    /// PostgreSQL and SQLite nothing at all changed. MySQL commits each `ALTER` as it goes: the
    /// keys migrated before the refused one stay migrated, but no column loses its key.
    #[test]
    fn rows_that_break_an_added_key_stop_the_migration() {
        let Some(mut db) = Db::open(DRIFTED) else { return };
        db.exec("INSERT INTO labels (id, user_id) VALUES (3, 77)");
        let catalog_before = catalog(&mut db);
        let rows_before = rows(&mut db);
        let migration = User::plan().migration(db.conn()).unwrap();
        let sql = match migration.metadata_toml() {
            Some(_) => migration.up().to_owned(),
            None => format!("BEGIN; {} COMMIT;", migration.up()),
        };
        {
            use diesel::connection::SimpleConnection;
            let error = db.conn().batch_execute(&sql).expect_err("an orphaned label");
            println!("{}: refused with {error}", Db::BACKEND);
        }
        if Db::BACKEND == "sqlite" {
            // Rolled back by the guard; the keys stay off on this connection until turned on.
            db.exec("PRAGMA foreign_keys = ON");
        } else if Db::BACKEND == "postgres" {
            db.exec("ROLLBACK");
        }
        let catalog_after = catalog(&mut db);
        if matches!(Db::BACKEND, "sqlite" | "postgres") {
            assert_eq!(catalog_after, catalog_before);
        } else {
            // `table name column parent parent_column on_update on_delete`: the table and column.
            let keyed = |catalog: &[String]| -> Vec<String> {
                let mut columns: Vec<String> = catalog
                    .iter()
                    .filter_map(|line| {
                        let words: Vec<&str> = line.split(' ').collect();
                        (words.len() >= 7).then(|| format!("{}.{}", words[0], words[2]))
                    })
                    .collect();
                columns.dedup();
                columns
            };
            let (before, after) = (keyed(&catalog_before), keyed(&catalog_after));
            let lost: Vec<&String> = before.iter().filter(|key| !after.contains(key)).collect();
            assert_eq!(lost, Vec::<&String>::new(), "{catalog_after:#?}");
        }
        assert_eq!(rows(&mut db), rows_before);
    }
}

/// The rebuild of a SQLite table keeps everything of it but its keys' actions: its rows (and
/// the rows of the tables that reference it, whatever their actions), its `AUTOINCREMENT`
/// count, generated columns, checks, indexes and triggers; a view over it still reads it.
#[test]
fn a_sqlite_rebuild_keeps_the_table_whole() {
    let Some(mut db) = deletable_tests::SqliteDb::open(
        "CREATE TABLE users (id INTEGER PRIMARY KEY);
         CREATE TABLE posts (id INTEGER PRIMARY KEY AUTOINCREMENT,
             user_id INTEGER NOT NULL CHECK (user_id > 0),
             editor_id INTEGER,
             reviewer_id INTEGER NOT NULL,
             twice INTEGER GENERATED ALWAYS AS (user_id * 2) STORED,
             FOREIGN KEY (user_id) REFERENCES users (id));
         CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
             FOREIGN KEY (post_id) REFERENCES posts (id) ON DELETE CASCADE);
         CREATE TABLE edits (id INTEGER PRIMARY KEY, post_id INTEGER);
         CREATE TRIGGER posts_edited AFTER UPDATE ON posts BEGIN
             INSERT INTO edits (post_id) VALUES (new.id); END;
         CREATE VIEW post_owners AS SELECT id, user_id FROM posts;
         INSERT INTO users (id) VALUES (1), (2);
         INSERT INTO posts (id, user_id, editor_id, reviewer_id) VALUES (1, 1, 2, 1), (7, 2, NULL, 1);
         DELETE FROM posts WHERE id = 7;
         INSERT INTO posts (id, user_id, editor_id, reviewer_id) VALUES (2, 2, NULL, 1);
         INSERT INTO comments (id, post_id) VALUES (1, 1), (2, 2);",
    ) else {
        return;
    };
    let migration = Post::plan().migration(db.conn()).unwrap();
    assert_eq!(
        migration.metadata_toml(),
        Some("run_in_transaction = false\n")
    );
    // In Diesel's transaction it refuses, changing nothing.
    let catalog_before = catalog(&mut db);
    {
        use diesel::connection::SimpleConnection;
        let inside = db
            .conn()
            .transaction(|conn| conn.batch_execute(migration.up()));
        assert!(inside.is_err(), "{migration}");
    }
    assert_eq!(catalog(&mut db), catalog_before);

    run_migration(&mut db, &migration, migration.up());
    // Keys are on again, and the comments of the rebuilt posts are all there.
    assert_eq!(
        db.pairs("SELECT foreign_keys AS a, NULL AS b FROM pragma_foreign_keys"),
        [(1, None)]
    );
    assert_eq!(db.ids("comments"), [1, 2]);
    assert_eq!(
        db.pairs("SELECT id AS a, twice AS b FROM posts ORDER BY id"),
        [(1, Some(2)), (2, Some(4))]
    );
    assert_eq!(
        db.pairs("SELECT id AS a, user_id AS b FROM post_owners ORDER BY id"),
        [(1, Some(1)), (2, Some(2))]
    );
    db.exec("INSERT INTO posts (user_id, reviewer_id) VALUES (1, 1)");
    assert_eq!(
        db.ids("posts"),
        [1, 2, 8],
        "the AUTOINCREMENT count restarted"
    );
    db.exec("UPDATE posts SET editor_id = 1 WHERE id = 2");
    assert_eq!(db.count("edits"), 1, "the trigger is gone");
    {
        use diesel::connection::SimpleConnection;
        assert!(
            db.conn()
                .batch_execute("INSERT INTO posts (user_id, reviewer_id) VALUES (0, 1)")
                .is_err(),
            "the CHECK is gone"
        );
    }
    // The rules hold for raw SQL: post 2's comment is hooked, so a delete of user 2 is
    // refused; without it user 2's post goes, and user 1's post loses its editor.
    assert!(!raw_delete(&mut db, "DELETE FROM users WHERE id = 2"));
    db.exec("DELETE FROM comments WHERE id = 2; DELETE FROM users WHERE id = 2");
    assert_eq!(db.ids("posts"), [1, 8]);
    assert_eq!(db.ids("comments"), [1]);
    assert_eq!(
        db.pairs("SELECT id AS a, editor_id AS b FROM posts WHERE id = 1"),
        [(1, None)]
    );
}

/// Diesel's own migration harness runs `up.sql` and reverts with `down.sql` (with the
/// `metadata.toml` the migration asks for) on each synchronous backend.
#[test]
fn diesel_runs_and_reverts_the_migration() {
    use diesel_migrations::{FileBasedMigrations, MigrationHarness};

    fn check<D, B>()
    where
        D: TestDb,
        D::Conn: MigrationHarness<B>,
        B: diesel::backend::Backend,
        diesel::query_builder::SqlQuery: for<'a> diesel::query_dsl::LoadQuery<'a, D::Conn, Line>,
    {
        let Some(mut db) = D::open(DRIFTED) else {
            return;
        };
        let drifted = User::plan().verify(db.conn()).unwrap();
        let catalog_before = catalog(&mut db);
        let migration = User::plan().migration(db.conn()).unwrap();
        let root = std::env::temp_dir().join(deletable_tests::unique_name());
        let dir = root.join("2026-12-07-000000_declare_rules");
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("up.sql"), migration.up()).unwrap();
        std::fs::write(dir.join("down.sql"), migration.down()).unwrap();
        if let Some(metadata) = migration.metadata_toml() {
            std::fs::write(dir.join("metadata.toml"), metadata).unwrap();
        }
        let migrations = FileBasedMigrations::from_path(&root).unwrap();

        db.conn()
            .run_pending_migrations(migrations.clone())
            .unwrap();
        assert_eq!(
            User::plan().verify(db.conn()).unwrap(),
            unmendable(),
            "{}",
            D::BACKEND
        );
        db.conn().revert_last_migration(migrations).unwrap();
        assert_eq!(
            User::plan().verify(db.conn()).unwrap(),
            drifted,
            "{}",
            D::BACKEND
        );
        assert_eq!(catalog(&mut db), catalog_before, "{}", D::BACKEND);
        std::fs::remove_dir_all(root).unwrap();
    }

    check::<deletable_tests::SqliteDb, diesel::sqlite::Sqlite>();
    #[cfg(feature = "postgres")]
    check::<deletable_tests::PgDb, diesel::pg::Pg>();
    #[cfg(feature = "mysql")]
    check::<deletable_tests::MysqlDb, diesel::mysql::Mysql>();
    #[cfg(feature = "mariadb")]
    check::<deletable_tests::MariadbDb, diesel::mariadb::Mariadb>();
}

/// `migration_async` on `diesel-async`'s own connections writes what `migration` writes, and
/// its future is `Send`.
#[test]
fn migration_async_writes_what_migration_writes() {
    use deletable_tests::asynchronous::{block_on, Blocking};

    /// `D`'s asynchronous connection against `S`'s synchronous one, on the same schema.
    fn check<D, C, S>()
    where
        D: TestDb<Conn = Blocking<C>>,
        C: deletable::AsyncDeleteConnection,
        S: TestDb,
    {
        let (Some(mut db), Some(mut sync)) = (D::open(DRIFTED), S::open(DRIFTED)) else {
            return;
        };
        let written = block_on(User::plan().migration_async(&mut **db.conn())).unwrap();
        assert_eq!(
            written,
            User::plan().migration(sync.conn()).unwrap(),
            "{}",
            D::BACKEND
        );
        assert!(!written.is_empty());
    }

    fn send<T: Send>(_: &T) {}

    check::<deletable_tests::asynchronous::SqliteAsyncDb, _, deletable_tests::SqliteDb>();
    #[cfg(feature = "postgres")]
    {
        check::<deletable_tests::asynchronous::PgAsyncDb, _, deletable_tests::PgDb>();
        if let Some(mut db) = deletable_tests::asynchronous::PgAsyncDb::open(DRIFTED) {
            send(&User::plan().migration_async(&mut **db.conn()));
        }
    }
    #[cfg(feature = "mysql")]
    check::<deletable_tests::asynchronous::MysqlAsyncDb, _, deletable_tests::MysqlDb>();
    #[cfg(feature = "mariadb")]
    check::<deletable_tests::asynchronous::MariadbAsyncDb, _, deletable_tests::MariadbDb>();
}
