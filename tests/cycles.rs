//! Only cascade edges make a cycle: a loop between two tables closed by `set_null`, `protect`,
//! `restrict` or `do_nothing` compiles, and deletes by its rules.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use deletable::{Deletable, DeleteError};
use deletable_tests::{backends, open, TestDb};
use diesel::prelude::*;

mod schema {
    diesel::table! { users (id) { id -> Integer, best_post_id -> Nullable<Integer>, } }
    diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { teams (id) { id -> Integer, captain_id -> Nullable<Integer>, } }
    diesel::table! { players (id) { id -> Integer, team_id -> Integer, } }
    diesel::table! { docs (id) { id -> Integer, latest_rev_id -> Nullable<Integer>, } }
    diesel::table! { revs (id) { id -> Integer, doc_id -> Integer, } }
    diesel::table! { leagues (id) { id -> Integer, champion_id -> Nullable<Integer>, } }
    diesel::table! { clubs (id) { id -> Integer, league_id -> Integer, } }
    diesel::table! { forums (id) { id -> Integer, } }
    diesel::table! { threads (id) { id -> Integer, forum_id -> Integer, pinned_reply_id -> Nullable<Integer>, } }
    diesel::table! { replies (id) { id -> Integer, thread_id -> Integer, } }
}
use schema::*;

/// users -> posts (cascade) -> users (set_null).
#[derive(Deletable)]
#[diesel(table_name = users)]
struct User {
    id: i32,
    #[on_delete(set_null, references = Post)]
    best_post_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = posts, belongs_to(User))]
struct Post {
    id: i32,
    #[on_delete(cascade)]
    user_id: i32,
}

/// teams -> players (cascade) -> teams (protect).
#[derive(Deletable)]
#[diesel(table_name = teams)]
struct Team {
    id: i32,
    #[on_delete(protect, references = Player)]
    captain_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = players, belongs_to(Team))]
struct Player {
    id: i32,
    #[on_delete(cascade)]
    team_id: i32,
}

/// docs -> revs (cascade) -> docs (do_nothing, the database sets NULL itself).
#[derive(Deletable)]
#[diesel(table_name = docs)]
struct Doc {
    id: i32,
    #[on_delete(do_nothing, references = Rev)]
    latest_rev_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = revs, belongs_to(Doc))]
struct Rev {
    id: i32,
    #[on_delete(cascade)]
    doc_id: i32,
}

/// leagues -> clubs (cascade) -> leagues (restrict).
#[derive(Deletable)]
#[diesel(table_name = leagues)]
struct League {
    id: i32,
    #[on_delete(restrict, references = Club)]
    champion_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = clubs, belongs_to(League))]
struct Club {
    id: i32,
    #[on_delete(cascade)]
    league_id: i32,
}

/// forums -> threads (cascade) -> replies (cascade) -> threads (restrict, the pinned reply): the
/// restrict closes a loop, yet the cascades must still order the deletes (replies first).
#[derive(Deletable)]
#[diesel(table_name = forums)]
struct Forum {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = threads)]
struct Thread {
    id: i32,
    #[on_delete(cascade, references = Forum)]
    forum_id: i32,
    #[on_delete(restrict, references = Reply)]
    pinned_reply_id: Option<i32>,
}

#[derive(Deletable)]
#[diesel(table_name = replies)]
struct Reply {
    id: i32,
    #[on_delete(cascade, references = Thread)]
    thread_id: i32,
}

deletable::schema!(User, Post, Team, Player, Doc, Rev, League, Club, Forum, Thread, Reply);

// The loops' second foreign keys carry no constraint: SQLite cannot add one to an existing
// table, and PostgreSQL and MySQL cannot declare one before its table exists.
const SCHEMA: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY, best_post_id INTEGER);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id));
    CREATE TABLE teams (id INTEGER PRIMARY KEY, captain_id INTEGER);
    CREATE TABLE players (id INTEGER PRIMARY KEY, team_id INTEGER NOT NULL,
        FOREIGN KEY (team_id) REFERENCES teams (id));
    CREATE TABLE docs (id INTEGER PRIMARY KEY, latest_rev_id INTEGER);
    CREATE TABLE revs (id INTEGER PRIMARY KEY, doc_id INTEGER NOT NULL,
        FOREIGN KEY (doc_id) REFERENCES docs (id));
    CREATE TABLE leagues (id INTEGER PRIMARY KEY, champion_id INTEGER);
    CREATE TABLE clubs (id INTEGER PRIMARY KEY, league_id INTEGER NOT NULL,
        FOREIGN KEY (league_id) REFERENCES leagues (id));
    CREATE TABLE forums (id INTEGER PRIMARY KEY);
    CREATE TABLE threads (id INTEGER PRIMARY KEY, forum_id INTEGER NOT NULL, pinned_reply_id INTEGER,
        FOREIGN KEY (forum_id) REFERENCES forums (id));
    CREATE TABLE replies (id INTEGER PRIMARY KEY, thread_id INTEGER NOT NULL,
        FOREIGN KEY (thread_id) REFERENCES threads (id));
";

backends! {
    #[test]
    fn a_loop_closed_by_restrict_still_deletes_cascade_children_first() {
        // (thread, the reply it pins): nothing, its own reply, another thread's reply, and a
        // surviving thread pinning a reply the delete takes.
        for (thread, pinned) in [(1, "NULL"), (1, "1"), (1, "3"), (2, "1")] {
            let mut db = open!(SCHEMA);
            db.exec(&format!(
                "INSERT INTO forums (id) VALUES (1), (2);
                 INSERT INTO threads (id, forum_id) VALUES (1, 1), (2, 2);
                 INSERT INTO replies (id, thread_id) VALUES (1, 1), (2, 1), (3, 2);
                 UPDATE threads SET pinned_reply_id = {pinned} WHERE id = {thread};"
            ));
            let report = Forum::delete_by_ids(&[1], db.conn());
            if thread == 2 {
                // A surviving thread pins a reply the delete takes: restrict blocks.
                assert!(matches!(report, Err(DeleteError::Restricted { .. })), "{report:?}");
                assert_eq!(db.ids("replies"), [1, 2, 3]);
                assert_eq!(db.ids("threads"), [1, 2]);
                continue;
            }
            let report = report.unwrap();
            assert_eq!(
                report.per_table(),
                &[("replies", 2), ("threads", 1), ("forums", 1)],
                "pinned {pinned}"
            );
            assert_eq!(db.ids("forums"), [2]);
            assert_eq!(db.ids("threads"), [2]);
            assert_eq!(db.ids("replies"), [3]);
        }
    }

    #[test]
    fn a_loop_closed_by_set_null_clears_the_references_to_deleted_rows() {
        let mut db = open!(SCHEMA);
        db.exec(
            "INSERT INTO users (id) VALUES (1), (2);
             INSERT INTO posts (id, user_id) VALUES (1, 1), (2, 1), (3, 2);
             UPDATE users SET best_post_id = 2 WHERE id = 1;
             UPDATE users SET best_post_id = 1 WHERE id = 2;",
        );
        let report = User::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("posts", 2), ("users", 1)]);
        let users: Vec<(i32, Option<i32>)> = users::table
            .select((users::id, users::best_post_id))
            .load(db.conn())
            .unwrap();
        assert_eq!(users, [(2, None)]);
    }

    #[test]
    fn a_loop_closed_by_protect_blocks_even_when_the_blocker_goes_too() {
        let mut db = open!(SCHEMA);
        db.exec(
            "INSERT INTO teams (id) VALUES (1), (2);
             INSERT INTO players (id, team_id) VALUES (1, 1), (2, 2);
             UPDATE teams SET captain_id = 1 WHERE id = 1;",
        );
        // Django's PROTECT: the captain blocks its team's delete although the cascade would take
        // the captain as well.
        let error = Team::delete_by_ids(&[1], db.conn()).unwrap_err();
        assert!(matches!(error, DeleteError::Protected { .. }), "{error:?}");
        assert_eq!(db.ids("players"), [1, 2]);
        // A team without a captain goes with its players.
        let report = Team::delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("players", 1), ("teams", 1)]);
    }

    #[test]
    fn a_loop_closed_by_restrict_blocks_a_champion_of_another_league() {
        let mut db = open!(SCHEMA);
        db.exec(
            "INSERT INTO leagues (id) VALUES (1), (2);
             INSERT INTO clubs (id, league_id) VALUES (1, 1), (2, 2);
             UPDATE leagues SET champion_id = 1 WHERE id = 2;",
        );
        let error = League::delete_by_ids(&[1], db.conn()).unwrap_err();
        let DeleteError::Restricted { blockers, .. } = error else {
            panic!("expected Restricted");
        };
        assert_eq!((blockers[0].table, blockers[0].keys.clone()), ("leagues", vec!["2".to_owned()]));
        assert_eq!(db.ids("clubs"), [1, 2]);
    }

    #[test]
    fn a_loop_closed_by_do_nothing_leaves_the_reference_to_the_database() {
        let mut db = open!(SCHEMA);
        db.exec(
            "INSERT INTO docs (id) VALUES (1), (2);
             INSERT INTO revs (id, doc_id) VALUES (1, 1), (2, 1), (3, 2);",
        );
        // No constraint on latest_rev_id: the database lets the dangling reference be, as told.
        db.exec("UPDATE docs SET latest_rev_id = 2 WHERE id = 2;");
        let report = Doc::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("revs", 2), ("docs", 1)]);
        let docs: Vec<(i32, Option<i32>)> = docs::table
            .select((docs::id, docs::latest_rev_id))
            .load(db.conn())
            .unwrap();
        assert_eq!(docs, [(2, Some(2))]);
    }
}
