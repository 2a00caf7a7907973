//! Cascades the database declares itself. On PostgreSQL a delete leaves a table to the database's
//! `ON DELETE CASCADE` when the catalog shows one, with its triggers firing, on every cascade edge
//! into it; elsewhere every table is deleted by our own statements. Either way the same rows go,
//! the report counts them, and no belief about the schema, right or wrong, loses or orphans a row:
//! each mismatch between the models and the database's constraints is tried here.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use deletable::{Deletable, DeleteReport};
use deletable_tests::{backends, open, run_migration, TestDb};
use diesel::Connection;

mod schema {
    diesel::table! { authors (id) { id -> Integer, } }
    diesel::table! { books (id) { id -> Integer, author_id -> Integer, } }
    diesel::table! { chapters (id) { id -> Integer, book_id -> Integer, } }
    diesel::table! { quotes (id) { id -> Integer, chapter_id -> Nullable<Integer>, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = authors)]
struct Author {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = books)]
struct Book {
    id: i32,
    #[on_delete(cascade, references = Author)]
    author_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = chapters)]
struct Chapter {
    id: i32,
    #[on_delete(cascade, references = Book)]
    book_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = quotes)]
struct Quote {
    id: i32,
    #[on_delete(set_null, references = Chapter)]
    chapter_id: Option<i32>,
}

deletable::schema!(Author, Book, Chapter, Quote);

const CASCADE_BOOKS: &str = "REFERENCES authors (id) ON DELETE CASCADE";
const CASCADE_CHAPTERS: &str = "REFERENCES books (id) ON DELETE CASCADE";
const NULL_QUOTES: &str = "REFERENCES chapters (id) ON DELETE SET NULL";

/// The tables, with the given foreign key clause on each child's column (`""` for none).
fn schema(books: &str, chapters: &str, quotes: &str) -> String {
    format!(
        "CREATE TABLE authors (id INTEGER PRIMARY KEY);
         CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER {books});
         CREATE TABLE chapters (id INTEGER PRIMARY KEY, book_id INTEGER {chapters});
         CREATE TABLE quotes (id INTEGER PRIMARY KEY, chapter_id INTEGER {quotes});
         CREATE INDEX books_author ON books (author_id);
         CREATE INDEX chapters_book ON chapters (book_id);
         CREATE INDEX quotes_chapter ON quotes (chapter_id);"
    )
}

/// Author 1 has books 1-3 with two chapters each; author 2 has book 4 with chapter 7. Every
/// chapter has one quote.
fn fill<Db: TestDb>(db: &mut Db) {
    db.exec("INSERT INTO authors (id) VALUES (1), (2)");
    db.exec("INSERT INTO books (id, author_id) VALUES (1, 1), (2, 1), (3, 1), (4, 2)");
    db.exec(
        "INSERT INTO chapters (id, book_id) VALUES (1, 1), (2, 1), (3, 2), (4, 2), (5, 3), (6, 3), (7, 4)",
    );
    db.exec(
        "INSERT INTO quotes (id, chapter_id) VALUES (1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, 6), (7, 7)",
    );
    db.log().clear();
}

/// Deleting author 1 removed exactly its books and chapters, nulled their quotes, and said so.
fn assert_author_1_deleted<Db: TestDb>(db: &mut Db, report: &DeleteReport) {
    assert_eq!(
        report.per_table(),
        &[("chapters", 6), ("books", 3), ("authors", 1)]
    );
    assert_eq!(db.ids("authors"), [2]);
    assert_eq!(db.ids("books"), [4]);
    assert_eq!(db.ids("chapters"), [7]);
    assert_eq!(
        db.pairs("SELECT id AS a, chapter_id AS b FROM quotes ORDER BY id"),
        [
            (1, None),
            (2, None),
            (3, None),
            (4, None),
            (5, None),
            (6, None),
            (7, Some(7))
        ]
    );
}

/// The tables our own `DELETE` statements touched (`DELETE FROM t ...`, or MySQL's
/// `DELETE t FROM t ...`), in order.
fn deleted_by_us<Db: TestDb>(db: &Db) -> Vec<String> {
    let mut tables = Vec::new();
    for sql in db.log().plan_statements() {
        let words: Vec<&str> = sql.split_whitespace().collect();
        if words.first() != Some(&"DELETE") {
            continue;
        }
        let target = if words.get(1) == Some(&"FROM") {
            words.get(2)
        } else {
            words.get(1)
        };
        if let Some(target) = target {
            let table = target.trim_matches(|c| c == '"' || c == '`').to_string();
            if !tables.contains(&table) {
                tables.push(table);
            }
        }
    }
    tables
}

/// What a backend that leaves declared cascades to the database deletes itself, and what the
/// others delete.
fn expect_deleted_by_us<Db: TestDb>(db: &Db, on_postgres: &[&str]) {
    let expected: &[&str] = if Db::BACKEND == "postgres" {
        on_postgres
    } else {
        &["chapters", "books", "authors"]
    };
    assert_eq!(deleted_by_us(db), expected, "{:#?}", db.log().statements());
}

backends! {
    #[test]
    fn declared_cascades_delete_the_same_rows_and_are_counted() {
        let mut db = open!(&schema(CASCADE_BOOKS, CASCADE_CHAPTERS, NULL_QUOTES));
        fill(&mut db);
        let report = Author::delete_by_ids(&[1], db.conn()).unwrap();
        assert_author_1_deleted(&mut db, &report);
        expect_deleted_by_us(&db, &["authors"]);
    }

    /// Keys with no action, mended by `Plan::migration`: PostgreSQL then takes the same fast
    /// path as under keys declared by hand.
    #[test]
    fn the_migration_of_the_rules_gives_the_declared_fast_path() {
        let mut db = open!(&schema(
            "REFERENCES authors (id)",
            "REFERENCES books (id)",
            "REFERENCES chapters (id)"
        ));
        let migration = Author::plan().migration(db.conn()).unwrap();
        run_migration(&mut db, &migration, migration.up());
        assert_eq!(Author::plan().verify(db.conn()).unwrap(), [], "{migration}");
        fill(&mut db);
        let report = Author::delete_by_ids(&[1], db.conn()).unwrap();
        assert_author_1_deleted(&mut db, &report);
        expect_deleted_by_us(&db, &["authors"]);
    }

    #[test]
    fn a_child_whose_constraint_does_not_cascade_is_deleted_by_us() {
        let mut db = open!(&schema(CASCADE_BOOKS, "REFERENCES books (id)", NULL_QUOTES));
        fill(&mut db);
        let report = Author::delete_by_ids(&[1], db.conn()).unwrap();
        assert_author_1_deleted(&mut db, &report);
        expect_deleted_by_us(&db, &["chapters", "authors"]);
    }

    #[test]
    fn a_child_without_any_constraint_is_never_orphaned() {
        let mut db = open!(&schema(CASCADE_BOOKS, "", NULL_QUOTES));
        fill(&mut db);
        let report = Author::delete_by_ids(&[1], db.conn()).unwrap();
        assert_author_1_deleted(&mut db, &report);
        expect_deleted_by_us(&db, &["chapters", "authors"]);
    }

    #[test]
    fn a_declared_set_null_where_the_model_cascades_still_deletes() {
        let mut db = open!(&schema(
            "REFERENCES authors (id) ON DELETE SET NULL",
            "REFERENCES books (id) ON DELETE SET NULL",
            NULL_QUOTES
        ));
        fill(&mut db);
        let report = Author::delete_by_ids(&[1], db.conn()).unwrap();
        assert_author_1_deleted(&mut db, &report);
        expect_deleted_by_us(&db, &["chapters", "books", "authors"]);
    }

    #[test]
    fn a_declared_cascade_where_the_model_sets_null_keeps_the_rows() {
        let mut db = open!(&schema(
            CASCADE_BOOKS,
            CASCADE_CHAPTERS,
            "REFERENCES chapters (id) ON DELETE CASCADE"
        ));
        fill(&mut db);
        let report = Author::delete_by_ids(&[1], db.conn()).unwrap();
        assert_author_1_deleted(&mut db, &report);
    }

    #[test]
    fn counts_hold_for_each_delete_of_a_callers_transaction() {
        let mut db = open!(&schema(CASCADE_BOOKS, CASCADE_CHAPTERS, NULL_QUOTES));
        fill(&mut db);
        let (first, second) = db
            .conn()
            .transaction(|conn| {
                let first = Author::delete_by_ids(&[1], conn)?;
                let second = Author::delete_by_ids(&[2], conn)?;
                Ok::<_, deletable::DeleteError>((first, second))
            })
            .unwrap();
        assert_eq!(first.per_table(), &[("chapters", 6), ("books", 3), ("authors", 1)]);
        assert_eq!(second.per_table(), &[("chapters", 1), ("books", 1), ("authors", 1)]);
        for table in ["authors", "books", "chapters"] {
            assert_eq!(db.count(table), 0, "{table}");
        }
    }

    #[test]
    fn a_rolled_back_delete_leaves_the_cascaded_rows() {
        let mut db = open!(&schema(CASCADE_BOOKS, CASCADE_CHAPTERS, NULL_QUOTES));
        fill(&mut db);
        let result = db.conn().transaction(|conn| {
            Author::delete_by_ids(&[1], conn)?;
            Err::<(), _>(deletable::DeleteError::Database(
                diesel::result::Error::RollbackTransaction,
            ))
        });
        assert!(result.is_err());
        assert_eq!(
            db.counts(&["authors", "books", "chapters", "quotes"]),
            [
                ("authors".to_string(), 2),
                ("books".to_string(), 4),
                ("chapters".to_string(), 7),
                ("quotes".to_string(), 7)
            ]
        );
    }

    /// PostgreSQL only: triggers a superuser disabled do not cascade, so they are not trusted.
    #[test]
    fn a_disabled_cascade_is_deleted_by_us() {
        if Db::BACKEND != "postgres" {
            return;
        }
        let mut db = open!(&schema(CASCADE_BOOKS, CASCADE_CHAPTERS, NULL_QUOTES));
        fill(&mut db);
        // This disables the action trigger of `chapters.book_id` (it lives on `books`) and the
        // check trigger of `books.author_id`: neither constraint is trusted any more.
        db.exec("ALTER TABLE books DISABLE TRIGGER ALL");
        db.log().clear();
        let report = Author::delete_by_ids(&[1], db.conn()).unwrap();
        assert_author_1_deleted(&mut db, &report);
        expect_deleted_by_us(&db, &["chapters", "books", "authors"]);
    }

    /// PostgreSQL only: in the `replica` role referential actions do not fire.
    #[test]
    fn a_replica_session_deletes_everything_itself() {
        if Db::BACKEND != "postgres" {
            return;
        }
        let mut db = open!(&schema(CASCADE_BOOKS, CASCADE_CHAPTERS, NULL_QUOTES));
        fill(&mut db);
        db.exec("SET session_replication_role = replica");
        db.log().clear();
        let report = Author::delete_by_ids(&[1], db.conn()).unwrap();
        assert_author_1_deleted(&mut db, &report);
        expect_deleted_by_us(&db, &["chapters", "books", "authors"]);
    }
}

/// What the database deletes by cascade is counted around the one statement that makes it
/// cascade: rows that a hook or a trigger deletes from the same table elsewhere in the delete are
/// not part of the report's count for that table.
mod counted_around_the_cascade {
    use deletable::Deletable;
    use deletable_tests::{backends, hooks, open, TestDb};

    mod schema {
        diesel::table! { owners (id) { id -> Integer, } }
        diesel::table! { pets (id) { id -> Integer, owner_id -> Integer, } }
        diesel::table! { visits (id) { id -> Integer, owner_id -> Integer, } }
        diesel::table! { kennels (id) { id -> Integer, } }
        diesel::table! { dogs (id) { id -> Integer, kennel_id -> Integer, } }
        diesel::table! { farms (id) { id -> Integer, } }
        diesel::table! { cows (id) { id -> Integer, farm_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = owners)]
    pub struct Owner {
        id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = pets)]
    pub struct Pet {
        id: i32,
        #[on_delete(cascade, references = Owner)]
        owner_id: i32,
    }

    /// Its hook deletes the pets of owner 2, which no delete of owner 1 reaches.
    #[derive(Deletable)]
    #[diesel(table_name = visits)]
    #[deletable(hooks = keys)]
    pub struct Visit {
        id: i32,
        #[on_delete(cascade, references = Owner)]
        owner_id: i32,
    }

    hooks! {
        impl for Visit {
            fn before_delete(conn, _: &[i32]) {
                conn.exec("DELETE FROM pets WHERE owner_id = 2").await?;
                Ok(())
            }
        }
    }

    /// A hooked root: its hook deletes the dogs of kennel 2.
    #[derive(Deletable)]
    #[diesel(table_name = kennels)]
    #[deletable(hooks = keys)]
    pub struct Kennel {
        id: i32,
    }

    hooks! {
        impl for Kennel {
            fn before_delete(conn, _: &[i32]) {
                conn.exec("DELETE FROM dogs WHERE kennel_id = 2").await?;
                Ok(())
            }
        }
    }

    #[derive(Deletable)]
    #[diesel(table_name = dogs)]
    pub struct Dog {
        id: i32,
        #[on_delete(cascade, references = Kennel)]
        kennel_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = farms)]
    pub struct Farm {
        id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = cows)]
    pub struct Cow {
        id: i32,
        #[on_delete(cascade, references = Farm)]
        farm_id: i32,
    }

    deletable::schema!(Owner, Pet, Visit, Kennel, Dog, Farm, Cow);

    const SCHEMA: &str = "CREATE TABLE owners (id INTEGER PRIMARY KEY);
         CREATE TABLE pets (id INTEGER PRIMARY KEY,
             owner_id INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE);
         CREATE TABLE visits (id INTEGER PRIMARY KEY,
             owner_id INTEGER NOT NULL REFERENCES owners (id) ON DELETE CASCADE);
         CREATE TABLE kennels (id INTEGER PRIMARY KEY);
         CREATE TABLE dogs (id INTEGER PRIMARY KEY,
             kennel_id INTEGER NOT NULL REFERENCES kennels (id) ON DELETE CASCADE);
         CREATE TABLE farms (id INTEGER PRIMARY KEY);
         CREATE TABLE cows (id INTEGER PRIMARY KEY,
             farm_id INTEGER NOT NULL REFERENCES farms (id) ON DELETE CASCADE);";

    /// Owners 1 and 2 with pets 1-3 (1 and 2 are owner 1's) and a visit each; kennels 1 and 2
    /// with dogs 1-3 (1 and 2 are kennel 1's).
    fn fill<Db: TestDb>(db: &mut Db) {
        db.exec("INSERT INTO owners (id) VALUES (1), (2)");
        db.exec("INSERT INTO pets (id, owner_id) VALUES (1, 1), (2, 1), (3, 2)");
        db.exec("INSERT INTO visits (id, owner_id) VALUES (1, 1), (2, 2)");
        db.exec("INSERT INTO kennels (id) VALUES (1), (2)");
        db.exec("INSERT INTO dogs (id, kennel_id) VALUES (1, 1), (2, 1), (3, 2)");
        db.log().clear();
    }

    backends! {
        #[test]
        fn a_hook_of_another_table_deleting_cascaded_rows_is_not_counted() {
            let mut db = open!(SCHEMA);
            fill(&mut db);
            let report = Owner::delete_by_ids(&[1], db.conn()).unwrap();
            assert_eq!(
                report.per_table(),
                &[("pets", 2), ("visits", 1), ("owners", 1)]
            );
            assert_eq!(db.ids("owners"), [2]);
            assert_eq!(db.ids("pets"), Vec::<i64>::new());
            assert_eq!(db.ids("visits"), [2]);
        }

        #[test]
        fn a_hook_of_the_parent_deleting_cascaded_rows_is_not_counted() {
            let mut db = open!(SCHEMA);
            fill(&mut db);
            let report = Kennel::delete_by_ids(&[1], db.conn()).unwrap();
            assert_eq!(report.per_table(), &[("dogs", 2), ("kennels", 1)]);
            assert_eq!(db.ids("kennels"), [2]);
            assert_eq!(db.ids("dogs"), Vec::<i64>::new());
        }

        /// PostgreSQL only: a trigger of the user's, on the parent or on the cascaded table,
        /// deletes a row of the cascaded table that the delete does not reach: the table is then
        /// deleted by our own statement, whose count is its own rows.
        #[test]
        fn a_trigger_deleting_cascaded_rows_is_not_counted() {
            if Db::BACKEND != "postgres" {
                return;
            }
            for table in ["farms", "cows"] {
                let mut db = open!(SCHEMA);
                db.exec("INSERT INTO farms (id) VALUES (1), (2)");
                db.exec("INSERT INTO cows (id, farm_id) VALUES (1, 1), (2, 1), (3, 2)");
                db.exec(&format!(
                    "CREATE FUNCTION farm_gone() RETURNS trigger LANGUAGE plpgsql AS
                     $$ BEGIN DELETE FROM cows WHERE farm_id = 2; RETURN OLD; END $$;
                     CREATE TRIGGER farm_gone AFTER DELETE ON {table}
                     FOR EACH ROW EXECUTE FUNCTION farm_gone();"
                ));
                db.log().clear();
                let report = Farm::delete_by_ids(&[1], db.conn()).unwrap();
                assert_eq!(report.per_table(), &[("cows", 2), ("farms", 1)], "{table}");
                assert_eq!(db.ids("farms"), [2], "{table}");
                assert_eq!(db.ids("cows"), Vec::<i64>::new(), "{table}");
            }
        }

        /// Without hooks or triggers in the way, the database still cascades and its count is
        /// exact, also when two deletes of the same transaction reach the same table.
        #[test]
        fn a_plain_cascade_is_left_to_the_database_and_counted() {
            let mut db = open!(SCHEMA);
            db.exec("INSERT INTO farms (id) VALUES (1), (2)");
            db.exec("INSERT INTO cows (id, farm_id) VALUES (1, 1), (2, 1), (3, 2)");
            db.log().clear();
            let report = Farm::delete_by_ids(&[1], db.conn()).unwrap();
            assert_eq!(report.per_table(), &[("cows", 2), ("farms", 1)]);
            if Db::BACKEND == "postgres" {
                assert_eq!(crate::deleted_by_us(&db), ["farms"]);
            }
            assert_eq!(db.ids("cows"), [3]);
        }
    }
}
