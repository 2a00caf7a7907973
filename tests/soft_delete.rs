//! Soft delete: the mark cascades to soft-deletable children in one statement per table, a
//! restore brings back exactly what its operation marked, scoped queries compose, and a purge
//! hard-deletes old marks with their full plan.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use chrono::NaiveDateTime;
use deletable::{Deletable, DeleteError, SoftDelete};
use deletable_tests::{backends, TestDb};
use diesel::prelude::*;

mod schema {
    diesel::table! { authors (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { books (id) { id -> Integer, author_id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { chapters (id) { id -> Integer, book_id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { reviews (id) { id -> Integer, book_id -> Integer, } }
    diesel::table! { covers (id) { id -> Integer, book_id -> Nullable<Integer>, } }
    diesel::table! { loans (id) { id -> Integer, book_id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { tags (id) { id -> Integer, hidden -> Bool, } }
    diesel::table! { handles (id) { id -> Integer, name -> Text, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { taggings (id) { id -> Integer, tag_id -> Integer, hidden -> Bool, } }
    diesel::joinable!(books -> authors (author_id));
    diesel::allow_tables_to_appear_in_same_query!(authors, books, chapters, reviews, covers, loans);
}
use schema::*;

#[derive(Queryable, Selectable, Identifiable, Deletable, Debug)]
#[diesel(table_name = authors)]
struct Author {
    id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Queryable, Selectable, Identifiable, Associations, Deletable, Debug)]
#[diesel(table_name = books, belongs_to(Author))]
struct Book {
    id: i32,
    #[on_delete(cascade)]
    author_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

/// Hooked: records what its soft-delete and restore hooks see.
#[derive(Queryable, Selectable, Deletable)]
#[diesel(table_name = chapters, belongs_to(Book))]
#[deletable(hooks, batch_size = 2)]
struct Chapter {
    id: i32,
    #[on_delete(cascade)]
    book_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

/// Not soft-deletable: stays when its book is soft-deleted.
#[derive(Deletable)]
#[diesel(table_name = reviews, belongs_to(Book))]
struct Review {
    id: i32,
    #[on_delete(cascade)]
    book_id: i32,
}

/// `set_null` is not applied by a soft delete, so a restore loses no link.
#[derive(Deletable)]
#[diesel(table_name = covers, belongs_to(Book))]
struct Cover {
    id: i32,
    #[on_delete(set_null)]
    book_id: Option<i32>,
}

/// A live loan protects its book.
#[derive(Deletable)]
#[diesel(table_name = loans, belongs_to(Book))]
struct Loan {
    id: i32,
    #[on_delete(protect)]
    book_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

/// The flag variant.
#[derive(Deletable)]
#[diesel(table_name = tags)]
struct Tag {
    id: i32,
    #[soft_delete]
    hidden: bool,
}

#[derive(Deletable)]
#[diesel(table_name = taggings, belongs_to(Tag))]
struct Tagging {
    id: i32,
    #[on_delete(cascade)]
    tag_id: i32,
    #[soft_delete]
    hidden: bool,
}

/// A name unique among live rows.
#[derive(Deletable)]
#[diesel(table_name = handles)]
struct Handle {
    id: i32,
    name: String,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

deletable::schema!(Author, Book, Chapter, Review, Cover, Loan, Tag, Tagging, Handle);

thread_local! {
    /// (hook, chapter ids of the batch) for every call on this test's thread.
    static CHAPTER_HOOKS: std::cell::RefCell<Vec<(&'static str, Vec<i32>)>> = const { std::cell::RefCell::new(Vec::new()) };
    /// Refuse soft deletes of chapters.
    static REFUSE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

fn record(hook: &'static str, rows: &[Chapter]) {
    CHAPTER_HOOKS.with(|calls| {
        calls
            .borrow_mut()
            .push((hook, rows.iter().map(|c| c.id).collect()))
    });
}

fn chapter_hooks() -> Vec<(&'static str, Vec<i32>)> {
    CHAPTER_HOOKS.with(|calls| calls.borrow().clone())
}

deletable_tests::hooks! {
    impl for Chapter {
        fn before_soft_delete(_, rows: &[Chapter]) {
            record("before_soft_delete", rows);
            if REFUSE.with(|refuse| refuse.get()) {
                return Err("chapters are kept".into());
            }
            Ok(())
        }
        fn after_soft_delete(_, rows: &[Chapter]) {
            record("after_soft_delete", rows);
            Ok(())
        }
        fn before_restore(_, rows: &[Chapter]) {
            record("before_restore", rows);
            Ok(())
        }
        fn after_restore(_, rows: &[Chapter]) {
            record("after_restore", rows);
            Ok(())
        }
    }
}

const TABLES: &[&str] = &[
    "authors", "books", "chapters", "reviews", "covers", "loans", "tags", "taggings",
];

fn open<D: TestDb>() -> Option<D> {
    let timestamp = if matches!(D::BACKEND, "mysql" | "mariadb") {
        "DATETIME(6)"
    } else {
        "TIMESTAMP"
    };
    let schema = format!(
        "CREATE TABLE authors (id INTEGER PRIMARY KEY, deleted_at {timestamp});
         CREATE TABLE books (id INTEGER PRIMARY KEY, author_id INTEGER NOT NULL, deleted_at {timestamp},
             FOREIGN KEY (author_id) REFERENCES authors (id));
         CREATE TABLE chapters (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, deleted_at {timestamp},
             FOREIGN KEY (book_id) REFERENCES books (id));
         CREATE TABLE reviews (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL,
             FOREIGN KEY (book_id) REFERENCES books (id));
         CREATE TABLE covers (id INTEGER PRIMARY KEY, book_id INTEGER,
             FOREIGN KEY (book_id) REFERENCES books (id));
         CREATE TABLE loans (id INTEGER PRIMARY KEY, book_id INTEGER NOT NULL, deleted_at {timestamp},
             FOREIGN KEY (book_id) REFERENCES books (id));
         CREATE TABLE tags (id INTEGER PRIMARY KEY, hidden BOOLEAN NOT NULL DEFAULT FALSE);
         CREATE TABLE handles (id INTEGER PRIMARY KEY, name VARCHAR(32) NOT NULL, deleted_at {timestamp});
         CREATE TABLE taggings (id INTEGER PRIMARY KEY, tag_id INTEGER NOT NULL, hidden BOOLEAN NOT NULL DEFAULT FALSE,
             FOREIGN KEY (tag_id) REFERENCES tags (id));
         INSERT INTO authors (id) VALUES (1), (2);
         INSERT INTO books (id, author_id) VALUES (1, 1), (2, 1), (3, 2);
         INSERT INTO chapters (id, book_id) VALUES (1, 1), (2, 1), (3, 2), (4, 3);
         INSERT INTO reviews (id, book_id) VALUES (1, 1), (2, 3);
         INSERT INTO covers (id, book_id) VALUES (1, 1), (2, 3);"
    );
    let db = D::open(&schema)?;
    db.log().clear();
    Some(db)
}

/// The ids of `table` whose mark is set.
fn deleted(db: &mut impl TestDb, table: &str) -> Vec<i64> {
    db.pairs(&format!(
        "SELECT id AS a, NULL AS b FROM {table} WHERE deleted_at IS NOT NULL ORDER BY id"
    ))
    .into_iter()
    .map(|(id, _)| id)
    .collect()
}

backends! {
    #[test]
    fn a_soft_delete_marks_three_levels_with_one_mark_and_leaves_the_rest() {
        let Some(mut db) = open::<Db>() else { return };
        let author = Author { id: 1, deleted_at: None };

        let report = author.soft_delete(db.conn()).unwrap();

        assert_eq!(report.per_table(), &[("chapters", 3), ("books", 2), ("authors", 1)]);
        assert_eq!(report.to_string(), "6 rows soft-deleted (chapters: 3, books: 2, authors: 1)");
        assert_eq!(report.count_of::<Book>(), 2);
        assert_eq!(deleted(&mut db, "authors"), [1]);
        assert_eq!(deleted(&mut db, "books"), [1, 2]);
        assert_eq!(deleted(&mut db, "chapters"), [1, 2, 3]);
        // Nothing was removed; the non-soft-deletable reviews and the set_null covers are as
        // they were.
        assert_eq!(db.count("reviews"), 2);
        assert_eq!(db.pairs("SELECT id AS a, book_id AS b FROM covers ORDER BY id"), [(1, Some(1)), (2, Some(3))]);
        // Every row of the operation carries the same mark.
        let marks: Vec<Option<NaiveDateTime>> = books::table
            .select(books::deleted_at)
            .filter(books::author_id.eq(1))
            .load(db.conn())
            .unwrap();
        let author_mark: Option<NaiveDateTime> =
            authors::table.find(1).select(authors::deleted_at).first(db.conn()).unwrap();
        assert!(author_mark.is_some());
        assert!(marks.iter().all(|mark| *mark == author_mark), "{marks:?} vs {author_mark:?}");
    }

    #[test]
    fn soft_delete_and_restore_hooks_see_each_marked_row_once_in_batches() {
        let Some(mut db) = open::<Db>() else { return };
        CHAPTER_HOOKS.with(|calls| calls.borrow_mut().clear());
        Author::soft_delete_by_ids(&[1], db.conn()).unwrap();
        Author::restore_where(authors::id.eq(1), db.conn()).unwrap();
        assert_eq!(
            chapter_hooks(),
            [
                ("before_soft_delete", vec![1, 2]),
                ("after_soft_delete", vec![1, 2]),
                ("before_soft_delete", vec![3]),
                ("after_soft_delete", vec![3]),
                ("before_restore", vec![1, 2]),
                ("after_restore", vec![1, 2]),
                ("before_restore", vec![3]),
                ("after_restore", vec![3]),
            ]
        );
        assert_eq!(deleted(&mut db, "chapters"), Vec::<i64>::new());

        // A refusing hook vetoes the whole soft delete.
        REFUSE.with(|refuse| refuse.set(true));
        let error = Author::soft_delete_by_ids(&[1], db.conn()).unwrap_err();
        REFUSE.with(|refuse| refuse.set(false));
        assert!(
            matches!(error, DeleteError::Hook { stage: deletable::HookStage::BeforeSoftDelete, .. }),
            "{error:?}"
        );
        assert_eq!(deleted(&mut db, "authors"), Vec::<i64>::new());
        assert_eq!(deleted(&mut db, "chapters"), Vec::<i64>::new());
    }

    /// The `_with` forms take the call's options: here the hooks' batch size, one chapter at
    /// a time to soft-delete and all three at once to restore (the model says 2).
    #[test]
    fn soft_delete_and_restore_take_options() {
        let Some(mut db) = open::<Db>() else { return };
        CHAPTER_HOOKS.with(|calls| calls.borrow_mut().clear());
        let one = deletable::DeleteOptions::batch_size(1);
        Author::soft_delete_by_ids_with(&[1], &one, db.conn()).unwrap();
        let befores: Vec<Vec<i32>> = chapter_hooks()
            .into_iter()
            .filter(|(hook, _)| *hook == "before_soft_delete")
            .map(|(_, ids)| ids)
            .collect();
        assert_eq!(befores, [vec![1], vec![2], vec![3]]);
        CHAPTER_HOOKS.with(|calls| calls.borrow_mut().clear());
        let three = deletable::DeleteOptions::batch_size(3);
        Author::restore_by_ids_with(&[1], &three, db.conn()).unwrap();
        assert_eq!(
            chapter_hooks(),
            [("before_restore", vec![1, 2, 3]), ("after_restore", vec![1, 2, 3])]
        );
        assert_eq!(deleted(&mut db, "chapters"), Vec::<i64>::new());
    }

    #[test]
    fn soft_deleting_a_soft_deleted_row_is_a_no_op() {
        let Some(mut db) = open::<Db>() else { return };
        Author::soft_delete_by_ids(&[2], db.conn()).unwrap();
        let report = Author::soft_delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(report.total(), 0);
        assert_eq!(report.to_string(), "0 rows soft-deleted");
        let nothing: [i32; 0] = [];
        assert_eq!(Author::restore_by_ids(&nothing, db.conn()).unwrap().to_string(), "0 rows restored");
    }

    #[test]
    fn a_restore_brings_back_exactly_what_its_operation_marked() {
        let Some(mut db) = open::<Db>() else { return };
        // Chapter 1 is soft-deleted first, on its own; then its author.
        Chapter::soft_delete_by_ids(&[1], db.conn()).unwrap();
        Author::soft_delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(deleted(&mut db, "chapters"), [1, 2, 3]);

        let report = Author { id: 1, deleted_at: None }.restore(db.conn()).unwrap();

        assert_eq!(report.per_table(), &[("chapters", 2), ("books", 2), ("authors", 1)]);
        assert_eq!(report.to_string(), "5 rows restored (chapters: 2, books: 2, authors: 1)");
        assert_eq!(deleted(&mut db, "authors"), Vec::<i64>::new());
        assert_eq!(deleted(&mut db, "books"), Vec::<i64>::new());
        // The chapter deleted by the earlier operation stays deleted.
        assert_eq!(deleted(&mut db, "chapters"), [1]);
    }

    #[test]
    fn restoring_a_row_whose_parent_stays_deleted_fails_and_changes_nothing() {
        let Some(mut db) = open::<Db>() else { return };
        Author::soft_delete_by_ids(&[1], db.conn()).unwrap();
        let before: Vec<Vec<i64>> = ["authors", "books", "chapters"].iter().map(|t| deleted(&mut db, t)).collect();

        let error = Book::restore_where(books::id.eq(1), db.conn()).unwrap_err();

        let DeleteError::ParentSoftDeleted { parents, .. } = &error else {
            panic!("expected ParentSoftDeleted, got {error:?}");
        };
        assert_eq!((parents[0].table, parents[0].column, parents[0].parent_table), ("books", "author_id", "authors"));
        assert_eq!(parents[0].parent_keys, ["1"], "the parent to restore first");
        let after: Vec<Vec<i64>> = ["authors", "books", "chapters"].iter().map(|t| deleted(&mut db, t)).collect();
        assert_eq!(after, before);
    }

    #[test]
    fn a_live_protecting_child_blocks_a_soft_delete_and_a_deleted_one_does_not() {
        let Some(mut db) = open::<Db>() else { return };
        db.exec("INSERT INTO loans (id, book_id) VALUES (1, 3)");
        let error = Author::soft_delete_by_ids(&[2], db.conn()).unwrap_err();
        assert!(matches!(error, DeleteError::Protected { .. }), "{error:?}");
        assert_eq!(deleted(&mut db, "books"), Vec::<i64>::new());

        Loan::soft_delete_by_ids(&[1], db.conn()).unwrap();
        let report = Author::soft_delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("chapters", 1), ("books", 1), ("authors", 1)]);
    }

    #[test]
    fn a_soft_delete_preview_counts_what_it_then_marks() {
        let Some(mut db) = open::<Db>() else { return };
        let author = Author { id: 1, deleted_at: None };
        // Book 2 was soft-deleted before, by another operation, with its chapter.
        Book::soft_delete_by_ids(&[2], db.conn()).unwrap();
        let hooks_before = chapter_hooks().len();

        let preview = author.preview_soft_delete(db.conn()).unwrap();

        assert_eq!(chapter_hooks().len(), hooks_before, "a hook ran in a preview");
        assert_eq!(deleted(&mut db, "authors"), Vec::<i64>::new());
        assert_eq!(deleted(&mut db, "books"), [2]);
        assert_eq!(
            preview.rows().to_string(),
            "4 rows soft-deleted (chapters: 2, books: 1, authors: 1)"
        );
        // A soft delete sets no key to NULL (the covers keep their book).
        assert!(preview.updates().is_empty());
        let report = author.soft_delete(db.conn()).unwrap();
        assert_eq!(&report, preview.rows());

        // A live loan blocks the soft delete; once soft-deleted itself, it does not.
        db.exec("INSERT INTO loans (id, book_id) VALUES (1, 3)");
        let preview = Author::preview_soft_delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(preview.protected().len(), 1, "{preview}");
        assert_eq!(preview.protected()[0].keys, ["1"]);
        assert!(matches!(
            Author::soft_delete_by_ids(&[2], db.conn()),
            Err(DeleteError::Protected { .. })
        ));
        Loan::soft_delete_by_ids(&[1], db.conn()).unwrap();
        let preview = Author::preview_soft_delete_where(authors::id.eq(2), db.conn()).unwrap();
        assert!(!preview.is_blocked(), "{preview}");
        let report = Author::soft_delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(&report, preview.rows());
        assert_eq!(report.per_table(), &[("chapters", 1), ("books", 1), ("authors", 1)]);
    }

    #[test]
    fn active_and_only_deleted_compose_with_filters_and_joins() {
        let Some(mut db) = open::<Db>() else { return };
        Book::soft_delete_by_ids(&[2], db.conn()).unwrap();

        let live: Vec<i32> = Book::active().select(books::id).order(books::id).load(db.conn()).unwrap();
        assert_eq!(live, [1, 3]);
        let gone: Vec<i32> = Book::only_deleted().select(books::id).load(db.conn()).unwrap();
        assert_eq!(gone, [2]);
        let by_author: Vec<(i32, i32)> = Book::active()
            .inner_join(authors::table)
            .filter(authors::id.eq(1))
            .select((books::id, authors::id))
            .load(db.conn())
            .unwrap();
        assert_eq!(by_author, [(1, 1)]);
        // The unscoped table still sees every row.
        let all: i64 = books::table.count().get_result(db.conn()).unwrap();
        assert_eq!(all, 3);
    }

    #[test]
    fn purge_hard_deletes_marks_older_than_the_cutoff_with_their_plan() {
        let Some(mut db) = open::<Db>() else { return };
        db.exec("UPDATE authors SET deleted_at = '2020-01-01 00:00:00' WHERE id = 1");
        db.exec("UPDATE authors SET deleted_at = '2026-01-01 00:00:00' WHERE id = 2");
        let cutoff = NaiveDateTime::parse_from_str("2025-01-01 00:00:00", "%Y-%m-%d %H:%M:%S").unwrap();

        let report = Author::purge_deleted(cutoff, db.conn()).unwrap();

        assert_eq!(report.count("authors"), 1);
        assert_eq!(report.count("books"), 2);
        assert_eq!(report.count("chapters"), 3);
        assert_eq!(report.count("reviews"), 1);
        assert_eq!(db.ids("authors"), [2]);
        // The cover of a purged book lost its link, as a hard delete's set_null does.
        assert_eq!(db.pairs("SELECT id AS a, book_id AS b FROM covers ORDER BY id"), [(1, None), (2, Some(3))]);
    }

    #[test]
    fn a_hard_delete_of_a_soft_deletable_model_is_real() {
        let Some(mut db) = open::<Db>() else { return };
        let report = Author::delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(report.count("authors"), 1);
        assert_eq!(db.ids("authors"), [1]);
    }

    #[test]
    fn the_flag_variant_cascades_and_restores() {
        let Some(mut db) = open::<Db>() else { return };
        db.exec("INSERT INTO tags (id) VALUES (1), (2); INSERT INTO taggings (id, tag_id) VALUES (1, 1), (2, 1), (3, 2)");
        // A flagged tagging is not counted again.
        db.exec("UPDATE taggings SET hidden = TRUE WHERE id = 2");
        let preview = Tag::preview_soft_delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(preview.rows().per_table(), &[("taggings", 1), ("tags", 1)]);
        db.exec("UPDATE taggings SET hidden = FALSE WHERE id = 2");
        let preview = Tag::preview_soft_delete_by_ids(&[1], db.conn()).unwrap();
        let report = Tag::soft_delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(&report, preview.rows());
        assert_eq!(report.per_table(), &[("taggings", 2), ("tags", 1)]);
        let hidden: Vec<i32> = Tagging::only_deleted().select(taggings::id).order(taggings::id).load(db.conn()).unwrap();
        assert_eq!(hidden, [1, 2]);
        let report = Tag::restore_where(tags::id.eq(1), db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("taggings", 2), ("tags", 1)]);
        let live: i64 = Tagging::active().count().get_result(db.conn()).unwrap();
        assert_eq!(live, 3);
    }

    #[test]
    fn the_statement_count_does_not_depend_on_the_number_of_rows() {
        let mut counts = Vec::new();
        for rows in [10, 1_000] {
            let Some(mut db) = open::<Db>() else { return };
            db.insert_many("books (id, author_id)", rows, |i| format!("({}, 2)", 100 + i));
            // (Chapters are hooked, in batches: their number stays the same here.)
            db.log().clear();
            let report = Author::soft_delete_by_ids(&[2], db.conn()).unwrap();
            assert_eq!(report.count("books"), rows as u64 + 1);
            if matches!(Db::BACKEND, "mysql" | "mariadb") {
                // MySQL and MariaDB mark the children through a join, not an `IN` subquery per row.
                let statements = db.log().statements();
                let books = statements.iter().find(|sql| sql.starts_with("UPDATE `books`"));
                assert!(books.is_some_and(|sql| sql.contains("INNER JOIN")), "{statements:#?}");
            }
            counts.push(db.log().len());
        }
        assert_eq!(counts[0], counts[1]);
    }
}

/// A unique constraint that ignores soft-deleted rows: a partial unique index (the README shows
/// it per backend).
#[test]
fn a_partial_unique_index_lets_a_soft_deleted_name_be_reused_on_sqlite() {
    let Some(mut db) = open::<deletable_tests::SqliteDb>() else {
        return;
    };
    db.exec("CREATE UNIQUE INDEX live_handle_name ON handles (name) WHERE deleted_at IS NULL");
    db.exec("INSERT INTO handles (id, name) VALUES (1, 'ada')");
    let taken =
        diesel::sql_query("INSERT INTO handles (id, name) VALUES (2, 'ada')").execute(db.conn());
    assert!(taken.is_err(), "the index holds among live rows");

    Handle::soft_delete_by_ids(&[1], db.conn()).unwrap();
    db.exec("INSERT INTO handles (id, name) VALUES (2, 'ada')");
    assert_eq!(deleted(&mut db, "handles"), [1]);

    // Restoring the first 'ada' now would make two live ones: the index refuses, and the restore
    // rolls back.
    let error = Handle::restore_where(handles::id.eq(1), db.conn()).unwrap_err();
    assert!(matches!(error, DeleteError::Database(_)), "{error:?}");
    assert_eq!(deleted(&mut db, "handles"), [1]);
}

#[test]
fn the_plan_printout_shows_what_a_soft_delete_marks() {
    let plan = format!("{:#}", Author::plan());
    assert!(
        plan.ends_with(
            "soft delete marks, children first: chapters, books, authors (set_null and set_default are not applied)\n"
        ),
        "{plan}"
    );
}
