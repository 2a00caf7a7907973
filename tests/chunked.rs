//! Chunked mode (`DeleteOptions::chunked`): chunk boundaries (1 row, exactly a chunk, one past
//! it), the progress it reports, a hook that refuses the k-th chunk, and writers that insert
//! rows while it runs, on every backend and both runners.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use deletable::{Deletable, DeleteError, DeleteOptions, HookStage, Progress, SoftDelete};
use deletable_tests::{backends, open, TestDb};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;

mod schema {
    diesel::table! { owners (id) { id -> Integer, } }
    diesel::table! { posts (id) { id -> Integer, owner_id -> Integer, } }
    diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
    diesel::table! { pins (id) { id -> Integer, post_id -> Integer, } }
    diesel::table! { likes (id) { id -> Integer, post_id -> Nullable<Integer>, } }
    diesel::table! { folders (id) { id -> Integer, deleted -> Bool, } }
    diesel::table! { files (id) { id -> Integer, folder_id -> Integer, deleted -> Bool, } }
    diesel::table! { categories (id) { id -> Integer, parent_id -> Nullable<Integer>, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = owners)]
struct Owner {
    id: i32,
}

/// Hooked (keys), three rows a batch: more than a chunk of two.
#[derive(Deletable)]
#[diesel(table_name = posts, belongs_to(Owner))]
#[deletable(hooks = keys, batch_size = 3)]
struct Post {
    id: i32,
    #[on_delete(cascade)]
    owner_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
struct Comment {
    id: i32,
    #[on_delete(cascade)]
    post_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = pins, belongs_to(Post))]
struct Pin {
    id: i32,
    #[on_delete(protect)]
    post_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = likes, belongs_to(Post))]
struct Like {
    id: i32,
    #[on_delete(set_null)]
    post_id: Option<i32>,
}

/// Soft-deletable, with soft-deletable children: what `purge_deleted` hard-deletes.
#[derive(Deletable)]
#[diesel(table_name = folders)]
struct Folder {
    id: i32,
    #[soft_delete]
    deleted: bool,
}

#[derive(Deletable)]
#[diesel(table_name = files, belongs_to(Folder))]
struct File {
    id: i32,
    #[on_delete(cascade)]
    folder_id: i32,
    #[soft_delete]
    deleted: bool,
}

/// A tree: a filter over it selects other rows once some have gone.
#[derive(Deletable)]
#[diesel(table_name = categories)]
struct Category {
    id: i32,
    #[on_delete(cascade, tree, references = Self)]
    parent_id: Option<i32>,
}

deletable::schema!(Owner, Post, Comment, Pin, Like, Folder, File, Category);

/// What the hooks of this thread's test saw, and the call of `before_delete` to refuse.
#[derive(Default)]
struct Script {
    batches: Vec<Vec<i32>>,
    refuse_call: Option<usize>,
}

thread_local! {
    static SCRIPT: RefCell<Script> = RefCell::new(Script::default());
}

fn script<T>(f: impl FnOnce(&mut Script) -> T) -> T {
    SCRIPT.with(|script| f(&mut script.borrow_mut()))
}

deletable_tests::hooks! {
impl for Post {
    fn before_delete(conn, rows: &[i32]) {
        let call = script(|s| {
            s.batches.push(rows.to_vec());
            s.batches.len()
        });
        if script(|s| s.refuse_call) == Some(call) {
            return Err(format!("call {call} refused").into());
        }
        let values: Vec<String> = rows.iter().map(|id| format!("({id})")).collect();
        conn.exec(&format!("INSERT INTO audit (post_id) VALUES {}", values.join(", "))).await?;
        Ok(())
    }
}
}

const SCHEMA: &str = "
    CREATE TABLE owners (id INTEGER PRIMARY KEY);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES owners (id));
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));
    CREATE TABLE pins (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL REFERENCES posts (id));
    CREATE TABLE likes (id INTEGER PRIMARY KEY, post_id INTEGER REFERENCES posts (id));
    CREATE TABLE audit (post_id INTEGER NOT NULL);
    CREATE TABLE folders (id INTEGER PRIMARY KEY, deleted BOOLEAN NOT NULL);
    CREATE TABLE files (id INTEGER PRIMARY KEY, folder_id INTEGER NOT NULL REFERENCES folders (id),
        deleted BOOLEAN NOT NULL);
    CREATE TABLE categories (id INTEGER PRIMARY KEY, parent_id INTEGER REFERENCES categories (id));
";

/// Owner 1 with `posts` posts (ids from 1), each with two comments and one like; owner 2 with
/// one post, comment and like, which stay.
fn load<D: TestDb>(db: &mut D, posts: i32) {
    db.exec("INSERT INTO owners (id) VALUES (1), (2)");
    let mut post_rows: Vec<String> = (1..=posts).map(|id| format!("({id}, 1)")).collect();
    post_rows.push("(1000, 2)".to_owned());
    db.exec(&format!(
        "INSERT INTO posts (id, owner_id) VALUES {}",
        post_rows.join(", ")
    ));
    let mut comment_rows: Vec<String> = (1..=2 * posts)
        .map(|id| format!("({id}, {})", (id + 1) / 2))
        .collect();
    comment_rows.push("(1000, 1000)".to_owned());
    db.exec(&format!(
        "INSERT INTO comments (id, post_id) VALUES {}",
        comment_rows.join(", ")
    ));
    let mut like_rows: Vec<String> = (1..=posts).map(|id| format!("({id}, {id})")).collect();
    like_rows.push("(1000, 1000)".to_owned());
    db.exec(&format!(
        "INSERT INTO likes (id, post_id) VALUES {}",
        like_rows.join(", ")
    ));
}

/// Every progress report a call gives, kept for the test.
fn recorded(options: DeleteOptions) -> (DeleteOptions, Arc<Mutex<Vec<Progress>>>) {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&seen);
    let options = options.on_progress(move |progress| sink.lock().unwrap().push(progress.clone()));
    (options, seen)
}

/// The rows the progress says each chunk did, per table (or `table.column`), in order.
fn chunk_sizes(reports: &[Progress], name: &str) -> Vec<u64> {
    let done = |progress: &Progress| {
        progress
            .tables
            .iter()
            .filter(|table| match table.column {
                Some(column) => format!("{}.{column}", table.table) == name,
                None => table.table == name,
            })
            .map(|table| table.done)
            .sum::<u64>()
    };
    reports
        .windows(2)
        .map(|pair| done(&pair[1]) - done(&pair[0]))
        .filter(|&rows| rows > 0)
        .collect()
}

const SIZE: usize = 4;

/// Runs `sql` on `writer` from a thread of its own: a progress callback runs inside the
/// asynchronous runner's executor, where a blocking connection cannot wait.
fn write<C: SimpleConnection + Send>(writer: &Mutex<C>, sql: &str) -> QueryResult<()> {
    std::thread::scope(|scope| {
        scope
            .spawn(|| writer.lock().unwrap().batch_execute(sql))
            .join()
            .unwrap()
    })
}

backends! {
    /// 1 post, exactly a chunk of them, one past it: the same rows go as in one transaction,
    /// each table in chunks of at most `SIZE` rows, and the progress ends with every total
    /// done.
    #[test]
    fn chunk_boundaries() {
        for posts in [1, SIZE as i32, SIZE as i32 + 1] {
            script(|s| *s = Script::default());
            let mut db = open!(SCHEMA);
            load(&mut db, posts);
            let (options, seen) = recorded(DeleteOptions::chunked(SIZE));
            let report = Owner::delete_by_ids_with(&[1], &options, db.conn()).unwrap();
            let posts = posts as u64;
            assert_eq!(
                report.per_table(),
                &[("comments", 2 * posts), ("posts", posts), ("owners", 1)],
                "{posts} posts"
            );
            assert_eq!(db.count("posts"), 1);
            assert_eq!(db.count("comments"), 1);
            assert_eq!(db.count("likes"), posts as i64 + 1, "likes are kept, cleared");
            assert_eq!(
                db.pairs("SELECT id AS a, post_id AS b FROM likes WHERE post_id IS NOT NULL"),
                vec![(1000, Some(1000))]
            );
            let seen = seen.lock().unwrap();
            let split = |rows: u64| -> Vec<u64> {
                let full = rows / SIZE as u64;
                let mut chunks = vec![SIZE as u64; full as usize];
                if !rows.is_multiple_of(SIZE as u64) {
                    chunks.push(rows % SIZE as u64);
                }
                chunks
            };
            assert_eq!(chunk_sizes(&seen, "likes.post_id"), split(posts), "{posts} posts");
            assert_eq!(chunk_sizes(&seen, "comments"), split(2 * posts), "{posts} posts");
            assert_eq!(chunk_sizes(&seen, "posts"), split(posts), "{posts} posts");
            assert_eq!(chunk_sizes(&seen, "owners"), vec![1]);
            let last = seen.last().unwrap();
            assert_eq!(last.done(), last.total(), "{last:?}");
            assert_eq!(last.done(), 4 * posts + 1, "likes, comments, posts and the owner");
            // The first report comes before any chunk, with the totals counted.
            assert_eq!((seen[0].done(), seen[0].total(), seen[0].chunks), (0, 4 * posts + 1, 0));
            assert_eq!(last.chunks as usize, seen.len() - 1);
            // A hook batch never spans two chunks.
            let batches = script(|s| s.batches.clone());
            assert!(batches.iter().all(|batch| batch.len() <= SIZE), "{batches:?}");
            assert_eq!(batches.concat(), (1..=posts as i32).collect::<Vec<_>>());
        }
    }

    /// A hook refusing the third chunk of posts: the two before it are committed, the third
    /// and the rest are not, and the error is the hook's. The same call again finishes, and
    /// the audit the hook writes has each post once.
    #[test]
    fn a_hook_refusing_the_kth_chunk() {
        script(|s| *s = Script { refuse_call: Some(3), ..Script::default() });
        let mut db = open!(SCHEMA);
        load(&mut db, 9);
        let options = DeleteOptions::chunked(2);
        let error = Owner::delete_by_ids_with(&[1], &options, db.conn()).unwrap_err();
        assert!(
            matches!(error, DeleteError::Hook { stage: HookStage::BeforeDelete, table: "posts", .. }),
            "{error:?}"
        );
        assert_eq!(
            db.pairs("SELECT id AS a, NULL AS b FROM posts ORDER BY id"),
            [5, 6, 7, 8, 9, 1000].map(|id| (id, None)).to_vec(),
            "posts 1 to 4 went in two chunks, the third refused"
        );
        assert_eq!(db.count("comments"), 1, "the comments went before the posts");
        assert_eq!(db.count("owners"), 2);
        assert_eq!(db.count("audit"), 4);

        script(|s| s.refuse_call = None);
        let report = Owner::delete_by_ids_with(&[1], &options, db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("posts", 5), ("owners", 1)]);
        assert_eq!(
            db.pairs("SELECT post_id AS a, COUNT(*) AS b FROM audit GROUP BY post_id ORDER BY post_id"),
            (1..=9).map(|id| (id, Some(1))).collect::<Vec<_>>()
        );
    }

    /// A protected row inserted by another connection while the delete runs (after its first
    /// chunk of posts) stops it with the usual error, before the pinned post goes: what went
    /// stays gone, the rest stays.
    #[test]
    fn a_protected_row_inserted_midway_stops_it_before_its_parent() {
        script(|s| *s = Script::default());
        let Some(mut db) = Db::open_shared(SCHEMA) else { return };
        load(&mut db, 6);
        let writer = Mutex::new(db.connect_again());
        let inserted = Mutex::new(false);
        let options = DeleteOptions::chunked(2).on_progress(move |progress| {
            let posts = progress.tables.iter().find(|t| t.table == "posts" && t.column.is_none());
            let mut inserted = inserted.lock().unwrap();
            if posts.is_some_and(|posts| posts.done > 0) && !*inserted {
                write(&writer, "INSERT INTO pins (id, post_id) VALUES (1, 5)").unwrap();
                *inserted = true;
            }
        });
        let error = Owner::delete_by_ids_with(&[1], &options, db.conn()).unwrap_err();
        let DeleteError::Protected { blockers, .. } = &error else {
            panic!("{error:?}");
        };
        assert_eq!((blockers[0].table, blockers[0].column, blockers[0].count), ("pins", "post_id", 1));
        // Posts 1 and 2 went before the pin, 3 and 4 after it (none of them pinned); the
        // chunk of 5 and 6 meets it.
        assert_eq!(
            db.pairs("SELECT id AS a, NULL AS b FROM posts ORDER BY id"),
            [5, 6, 1000].map(|id| (id, None)).to_vec()
        );
        assert_eq!(db.count("comments"), 1, "the comments went first");
        assert_eq!(db.count("owners"), 2);
        assert_eq!(db.count("pins"), 1);
    }

    /// Comments added by another connection under posts about to go, after the comments' own
    /// turn: each goes with its post's chunk, and the report counts them.
    #[test]
    fn a_child_inserted_after_its_tables_turn_goes_with_its_parent() {
        script(|s| *s = Script::default());
        let Some(mut db) = Db::open_shared(SCHEMA) else { return };
        load(&mut db, 6);
        let writer = Mutex::new(db.connect_again());
        let inserted = Mutex::new(0);
        let options = DeleteOptions::chunked(2).on_progress(move |progress| {
            let done = |name: &str| {
                progress
                    .tables
                    .iter()
                    .find(|t| t.table == name && t.column.is_none())
                    .map_or(0, |t| t.done)
            };
            let mut inserted = inserted.lock().unwrap();
            // The comments are done; posts 1 and 2 are gone: add comments under 2 and 6.
            if done("comments") == 12 && done("posts") == 2 && *inserted == 0 {
                let refused = write(&writer, "INSERT INTO comments (id, post_id) VALUES (500, 2)");
                assert!(refused.is_err(), "post 2 is gone: its reference fails");
                write(&writer, "INSERT INTO comments (id, post_id) VALUES (501, 6), (502, 6)")
                    .unwrap();
                *inserted = 2;
            }
        });
        let report = Owner::delete_by_ids_with(&[1], &options, db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("comments", 14), ("posts", 6), ("owners", 1)]);
        assert_eq!(db.pairs("SELECT id AS a, post_id AS b FROM comments"), vec![(1000, Some(1000))]);
    }

    /// A purge of the soft-deleted folders in chunks: their files go first, four a chunk,
    /// then the folders; the live folder and its files stay.
    #[test]
    fn a_purge_in_chunks() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO folders (id, deleted) VALUES (1, TRUE), (2, FALSE), (3, TRUE)");
        let files: Vec<String> = (1..=10)
            .map(|id| format!("({id}, {}, FALSE)", [1, 2, 3][id % 3]))
            .collect();
        db.exec(&format!("INSERT INTO files (id, folder_id, deleted) VALUES {}", files.join(", ")));
        let (options, seen) = recorded(DeleteOptions::chunked(4));
        let report = Folder::purge_deleted_with((), &options, db.conn()).unwrap();
        // Folders 1 and 3 hold files 3, 6, 9 and 2, 5, 8; folder 2 holds 1, 4, 7 and 10.
        assert_eq!(report.per_table(), &[("files", 6), ("folders", 2)]);
        assert_eq!(db.pairs("SELECT id AS a, NULL AS b FROM folders"), vec![(2, None)]);
        assert_eq!(
            db.pairs("SELECT id AS a, NULL AS b FROM files ORDER BY id"),
            [1, 4, 7, 10].map(|id| (id, None)).to_vec()
        );
        let seen = seen.lock().unwrap();
        assert_eq!(chunk_sizes(&seen, "files"), vec![4, 2]);
        assert_eq!(chunk_sizes(&seen, "folders"), vec![2]);
    }

    /// A filter is read once, as in one transaction: the leaves of a tree (3, 4 and 5), not
    /// the rows that become leaves as chunks of one row go.
    #[test]
    fn a_filter_is_read_once() {
        let mut db = open!(SCHEMA);
        db.exec("INSERT INTO categories (id, parent_id) VALUES (1, NULL), (2, 1), (3, 2), (4, 1), (5, NULL)");
        let leaves = diesel::dsl::sql::<diesel::sql_types::Bool>(
            "NOT EXISTS (SELECT 1 FROM categories c2 WHERE c2.parent_id = categories.id)",
        );
        let report = Category::delete_where_with(leaves, &DeleteOptions::chunked(1), db.conn()).unwrap();
        assert_eq!(report.total(), 3);
        assert_eq!(
            db.pairs("SELECT id AS a, parent_id AS b FROM categories ORDER BY id"),
            vec![(1, None), (2, Some(1))]
        );
    }

    /// Inside the caller's transaction, which then rolls back: nothing of the chunks stays,
    /// nor the caller's own write (MySQL and MariaDB commit on `CREATE INDEX`: the key
    /// tables declare their index as they are created).
    #[test]
    fn inside_a_transaction_the_caller_decides() {
        let mut db = open!(SCHEMA);
        load(&mut db, 5);
        let before = db.counts(&["owners", "posts", "comments", "likes"]);
        let outcome = db.conn().transaction::<(), diesel::result::Error, _>(|conn| {
            conn.batch_execute("INSERT INTO owners (id) VALUES (3)")?;
            Owner::delete_by_ids_with(&[1], &DeleteOptions::chunked(2), conn)
                .expect("the chunked delete");
            Err(diesel::result::Error::RollbackTransaction)
        });
        assert!(outcome.is_err());
        assert_eq!(db.counts(&["owners", "posts", "comments", "likes"]), before);
        assert_eq!(db.count("likes"), 6);
        assert_eq!(
            db.pairs("SELECT COUNT(*) AS a, NULL AS b FROM likes WHERE post_id IS NULL"),
            vec![(0, None)]
        );
    }

    /// The largest chunk size there is: every table in one chunk.
    #[test]
    fn a_chunk_of_any_size() {
        let mut db = open!(SCHEMA);
        load(&mut db, 5);
        let report = Owner::delete_by_ids_with(&[1], &DeleteOptions::chunked(usize::MAX), db.conn())
            .unwrap();
        assert_eq!(report.per_table(), &[("comments", 10), ("posts", 5), ("owners", 1)]);
        assert_eq!(db.count("likes"), 6);
    }

    /// A progress callback that panics: the panic goes on to the caller, after the chunks
    /// before it committed, and no temporary table of the call is left on the connection.
    #[test]
    fn a_panicking_callback_leaves_no_temporary_table() {
        let mut db = open!(SCHEMA);
        load(&mut db, 6);
        db.log().clear();
        let options = DeleteOptions::chunked(2).on_progress(|progress| {
            if progress.chunks == 2 {
                panic!("the progress bar broke");
            }
        });
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            Owner::delete_by_ids_with(&[1], &options, db.conn())
        }));
        assert!(outcome.is_err(), "the panic goes on");
        let created: Vec<String> = db
            .log()
            .statements()
            .iter()
            .filter_map(|sql| sql.split("CREATE TEMPORARY TABLE ").nth(1))
            .filter_map(|rest| rest.split_whitespace().next())
            .map(|name| name.trim_matches(|c| c == '"' || c == '`').to_owned())
            .collect();
        assert!(!created.is_empty());
        for name in created {
            let gone = db.conn().batch_execute(&format!("SELECT 1 FROM {name}")).is_err();
            assert!(gone, "temporary table {name} is left");
        }
        assert_eq!(db.count("comments"), 9, "two chunks of comments went");
    }

    /// On SQLite the key tables' cache is made small while they exist: the connection's own
    /// setting is back after the delete, after a hook's refusal and after a panic, whatever
    /// it was (larger, smaller, in pages); never set (it reads 0, yet caches SQLite's default
    /// 2,000 KiB), it becomes that default, not 0, which would cache almost nothing.
    #[test]
    fn the_connections_temporary_cache_is_given_back() {
        if Db::BACKEND != "sqlite" {
            return;
        }
        for (own, after) in [(Some(-3000), -3000), (Some(-100), -100), (Some(40), 40), (None, -2000)] {
            script(|s| *s = Script::default());
            let mut db = open!(SCHEMA);
            load(&mut db, 7);
            let temp_cache = |db: &mut Db| {
                db.pairs("SELECT cache_size AS a, NULL AS b FROM pragma_cache_size WHERE schema = 'temp'")[0].0
            };
            match own {
                Some(own) => db.exec(&format!("PRAGMA temp.cache_size = {own}")),
                None => assert_eq!(temp_cache(&mut db), 0, "SQLite reads 0 when never set"),
            }
            let own = after;

            script(|s| s.refuse_call = Some(2));
            let options = DeleteOptions::chunked(2);
            Owner::delete_by_ids_with(&[1], &options, db.conn()).unwrap_err();
            assert_eq!(temp_cache(&mut db), own, "after a refusal");

            script(|s| s.refuse_call = None);
            let panicking = DeleteOptions::chunked(2).on_progress(|progress| {
                if progress.chunks == 1 {
                    panic!("the progress bar broke");
                }
            });
            let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                Owner::delete_by_ids_with(&[1], &panicking, db.conn())
            }));
            assert!(outcome.is_err());
            assert_eq!(temp_cache(&mut db), own, "after a panic");

            let report = Owner::delete_by_ids_with(&[1], &options, db.conn()).unwrap();
            assert_eq!(report.count("owners"), 1);
            assert_eq!(temp_cache(&mut db), own, "after the delete");
        }
    }

    /// Without foreign keys declared in the database, rows may reference a key that has no
    /// row: a delete by that key takes its children (and theirs) in one transaction, and in
    /// chunks the same rows, whichever way each table's keys are listed.
    #[test]
    fn children_of_a_key_with_no_row_go_as_in_one_transaction() {
        let unconstrained = ["owners", "posts", "folders", "categories"]
            .iter()
            .fold(SCHEMA.to_owned(), |schema, table| {
                schema.replace(&format!(" REFERENCES {table} (id)"), "")
            });
        let orphans = "INSERT INTO posts (id, owner_id) VALUES (50, 7), (51, 7), (52, 7);
             INSERT INTO comments (id, post_id) VALUES (50, 50), (51, 51), (52, 51), (53, 60);
             INSERT INTO likes (id, post_id) VALUES (50, 50), (51, 60)";
        let mut outcomes = Vec::new();
        for options in [DeleteOptions::default(), DeleteOptions::chunked(2)] {
            script(|s| *s = Script::default());
            let mut db = open!(&unconstrained);
            load(&mut db, 3);
            db.exec(orphans);
            let report = Owner::delete_by_ids_with(&[7], &options, db.conn()).unwrap();
            let rows = (
                db.ids("posts"),
                db.ids("comments"),
                db.pairs("SELECT id AS a, post_id AS b FROM likes ORDER BY id"),
            );
            outcomes.push((report.per_table().to_vec(), rows));
        }
        assert_eq!(outcomes[0].0, [("comments", 3), ("posts", 3)]);
        assert_eq!(outcomes[0].1 .2.iter().find(|like| like.0 == 50), Some(&(50, None)));
        assert_eq!(outcomes[1], outcomes[0], "chunks against one transaction");
    }

    /// A soft delete of a folder already soft-deleted, with live files written under it since:
    /// one transaction marks them, and so do chunks (the root's children are selected by the
    /// roots, not by the live roots' key list).
    #[test]
    fn a_soft_deleted_roots_live_children_are_marked_as_in_one_transaction() {
        let mut outcomes = Vec::new();
        for options in [DeleteOptions::default(), DeleteOptions::chunked(2)] {
            let mut db = open!(SCHEMA);
            db.exec(
                "INSERT INTO folders (id, deleted) VALUES (1, TRUE), (2, FALSE);
                 INSERT INTO files (id, folder_id, deleted) VALUES
                     (1, 1, TRUE), (2, 1, FALSE), (3, 1, FALSE), (4, 1, FALSE), (5, 2, FALSE)",
            );
            let report = Folder::soft_delete_by_ids_with(&[1], &options, db.conn()).unwrap();
            let files = db.pairs(
                "SELECT id AS a, CASE WHEN deleted THEN 1 ELSE 0 END AS b FROM files ORDER BY id",
            );
            outcomes.push((report.per_table().to_vec(), files));
        }
        assert_eq!(
            outcomes[0].1,
            [(1, 1), (2, 1), (3, 1), (4, 1), (5, 0)].map(|(id, deleted)| (id, Some(deleted))).to_vec()
        );
        assert_eq!(outcomes[1], outcomes[0], "chunks against one transaction");
    }

    /// Keys that match nothing: nothing happens, and the progress says so.
    #[test]
    fn nothing_to_delete() {
        let mut db = open!(SCHEMA);
        load(&mut db, 2);
        let (options, seen) = recorded(DeleteOptions::chunked(SIZE));
        let report = Owner::delete_by_ids_with(&[7], &options, db.conn()).unwrap();
        assert_eq!(report.total(), 0);
        let seen = seen.lock().unwrap();
        assert_eq!(seen.len(), 1);
        assert_eq!((seen[0].done(), seen[0].total()), (0, 0));
        assert_eq!(db.count("posts"), 3);
    }

    /// A writer inserting files under the folders a chunked delete removes, all along. A
    /// chunk without hooks does not lock its rows first: a file inserted between its cascade
    /// and its delete makes the delete fail on the foreign key, and the chunk runs again (on
    /// MySQL and MariaDB the cascade's locks make the writer wait instead). A chunk that meets
    /// a new file in each of its 3 attempts fails the call; the same call again goes on. It
    /// finishes, every folder gone, and the foreign keys leave no file without its folder.
    #[test]
    fn a_writer_inserting_under_a_chunks_rows_all_along() {
        let Some(mut db) = Db::open_shared(SCHEMA) else { return };
        let folders = 40;
        let folder_rows: Vec<String> = (1..=folders).map(|id| format!("({id}, FALSE)")).collect();
        let file_rows: Vec<String> =
            (1..=2 * folders).map(|id| format!("({id}, {}, FALSE)", (id + 1) / 2)).collect();
        db.exec(&format!(
            "INSERT INTO folders (id, deleted) VALUES {};
             INSERT INTO files (id, folder_id, deleted) VALUES {};",
            folder_rows.join(", "),
            file_rows.join(", ")
        ));
        let mut writer = db.connect_again();
        let stop = AtomicBool::new(false);
        let (report, inserted) = std::thread::scope(|scope| {
            let inserting = scope.spawn(|| {
                let mut inserted = 0;
                let mut id = 1_000;
                while !stop.load(Ordering::Relaxed) {
                    id += 1;
                    let folder = id % folders + 1;
                    let sql = format!(
                        "INSERT INTO files (id, folder_id, deleted) VALUES ({id}, {folder}, FALSE)"
                    );
                    if writer.batch_execute(&sql).is_ok() {
                        inserted += 1;
                    }
                    std::thread::sleep(std::time::Duration::from_micros(200));
                }
                inserted
            });
            // A chunk whose 3 attempts all meet a new file fails the call after the chunks
            // before it; running it again goes on (README: what chunked mode does not do).
            let options = DeleteOptions::chunked(3);
            let mut outcome = Err(None);
            for _ in 0..5 {
                match Folder::delete_where_with(folders::id.le(folders), &options, db.conn()) {
                    Ok(_) => {
                        outcome = Ok(());
                        break;
                    }
                    Err(DeleteError::Database(error)) => outcome = Err(Some(error)),
                    Err(other) => panic!("{other:?}"),
                }
            }
            stop.store(true, Ordering::Relaxed);
            (outcome, inserting.join().unwrap())
        });
        report.expect("finished within 5 runs");
        assert_eq!(db.count("folders"), 0);
        assert_eq!(db.count("folders"), 0);
        assert_eq!(db.count("files"), 0, "{inserted} inserted meanwhile, all gone or refused");
    }
}
