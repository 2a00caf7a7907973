//! Restore never brings back a row one of whose parents stays soft-deleted: not the roots, and
//! not a row the restore reaches down its cascades through another parent; the error names the
//! parents to restore first.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use chrono::NaiveDateTime;
use deletable::{Deletable, DeleteError, SoftDelete, SoftDeletedParent};
use deletable_tests::{backends, TestDb};
use diesel::prelude::*;

mod schema {
    diesel::table! { people (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { articles (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! {
        remarks (id) {
            id -> Integer,
            article_id -> Integer,
            author_id -> Integer,
            deleted_at -> Nullable<Timestamp>,
        }
    }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = people)]
struct Person {
    id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Deletable)]
#[diesel(table_name = articles)]
struct Article {
    id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

/// A remark has two soft-deletable parents, both cascading.
#[derive(Deletable)]
#[diesel(table_name = remarks)]
struct Remark {
    id: i32,
    #[on_delete(cascade, references = Article)]
    article_id: i32,
    #[on_delete(cascade, references = Person)]
    author_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

deletable::schema!(Person, Article, Remark);

const TABLES: &[&str] = &["people", "articles", "remarks"];

fn open<D: TestDb>() -> Option<D> {
    let timestamp = D::timestamp_type();
    D::open(&format!(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, deleted_at {timestamp});
         CREATE TABLE articles (id INTEGER PRIMARY KEY, deleted_at {timestamp});
         CREATE TABLE remarks (id INTEGER PRIMARY KEY, article_id INTEGER NOT NULL,
             author_id INTEGER NOT NULL, deleted_at {timestamp},
             FOREIGN KEY (article_id) REFERENCES articles (id),
             FOREIGN KEY (author_id) REFERENCES people (id));"
    ))
}

/// The ids of `table` that are soft-deleted.
fn deleted<D: TestDb>(db: &mut D, table: &str) -> Vec<i64> {
    db.pairs(&format!(
        "SELECT id AS a, NULL AS b FROM {table} WHERE deleted_at IS NOT NULL ORDER BY id"
    ))
    .into_iter()
    .map(|(id, _)| id)
    .collect()
}

fn marks<D: TestDb>(db: &mut D) -> Vec<Vec<i64>> {
    TABLES.iter().map(|table| deleted(db, table)).collect()
}

fn parents_of(error: DeleteError) -> Vec<SoftDeletedParent> {
    match error {
        DeleteError::ParentSoftDeleted { parents, .. } => parents,
        other => panic!("expected ParentSoftDeleted, got {other:?}"),
    }
}

backends! {
    /// `restore_by_ids` against the same restore done another way: `restore_where` over the
    /// same keys, on a second database with the same data and marks.
    #[test]
    fn restore_by_ids_restores_what_restore_where_over_the_same_keys_restores() {
        let Some(mut by_keys) = open::<Db>() else { return };
        let Some(mut by_filter) = open::<Db>() else { return };
        for db in [&mut by_keys, &mut by_filter] {
            db.exec(
                "INSERT INTO people (id) VALUES (1), (2), (3);
                 INSERT INTO articles (id) VALUES (10), (11), (12), (13);
                 INSERT INTO remarks (id, article_id, author_id) VALUES
                     (100, 10, 1), (101, 10, 2), (102, 11, 1), (103, 12, 3), (104, 13, 1);",
            );
            Article::soft_delete_by_ids(&[10, 11, 12], db.conn()).unwrap();
            Person::soft_delete_by_ids(&[3], db.conn()).unwrap();
        }
        // 13 is not soft-deleted and 99 does not exist: both count 0.
        let keys = [10, 11, 13, 99];
        let report = Article::restore_by_ids(&keys, by_keys.conn()).unwrap();
        let expected = Article::restore_where(articles::id.eq_any(keys), by_filter.conn()).unwrap();
        assert_eq!(report, expected);
        assert_eq!(
            (report.count_of::<Article>(), report.count_of::<Remark>(), report.count_of::<Person>()),
            (2, 3, 0)
        );
        assert_eq!(marks(&mut by_keys), marks(&mut by_filter));
        assert_eq!(marks(&mut by_keys), [vec![3], vec![12], vec![103]]);

        // Article 12's remark stays under a soft-deleted author: refused both ways, unchanged.
        let before = marks(&mut by_keys);
        let by_key = parents_of(Article::restore_by_ids(&[12], by_keys.conn()).unwrap_err());
        let by_where =
            parents_of(Article::restore_where(articles::id.eq(12), by_filter.conn()).unwrap_err());
        assert_eq!(by_key, by_where);
        assert_eq!(by_key[0].parent_keys, ["3"]);
        assert_eq!(marks(&mut by_keys), before);
    }

    #[test]
    fn a_restore_does_not_revive_a_descendant_whose_other_parent_stays_deleted() {
        let Some(mut db) = open::<Db>() else { return };
        db.exec(
            "INSERT INTO people (id) VALUES (1), (2);
             INSERT INTO articles (id) VALUES (10);
             INSERT INTO remarks (id, article_id, author_id) VALUES (100, 10, 2), (101, 10, 1);",
        );
        // The article's soft delete marks both remarks; the author's, later, finds remark 100
        // marked already.
        Article::soft_delete_by_ids(&[10], db.conn()).unwrap();
        Person::soft_delete_by_ids(&[2], db.conn()).unwrap();
        let before = marks(&mut db);
        assert_eq!(before, [vec![2], vec![10], vec![100, 101]]);

        let error = Article::restore_where(articles::id.eq(10), db.conn()).unwrap_err();

        let parents = parents_of(error);
        assert_eq!(parents.len(), 1, "{parents:?}");
        let parent = &parents[0];
        assert_eq!(
            (parent.table, parent.column, parent.parent_table, parent.rows),
            ("remarks", "author_id", "people", 1)
        );
        assert_eq!(parent.parent_keys, ["2"]);
        assert!(!parent.more_parents);
        assert_eq!(marks(&mut db), before, "a refused restore changes nothing");

        // The author first (the remark stays: another operation marked it), then the article.
        let report = Person::restore_where(people::id.eq(2), db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("people", 1)]);
        let report = Article::restore_where(articles::id.eq(10), db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("remarks", 2), ("articles", 1)]);
        assert_eq!(marks(&mut db), [Vec::<i64>::new(), vec![], vec![]]);
    }

    #[test]
    fn a_refused_restore_names_the_parents_to_restore_first() {
        let Some(mut db) = open::<Db>() else { return };
        db.exec("INSERT INTO people (id) VALUES (1)");
        db.insert_many("articles (id)", 11, |i| format!("({i})"));
        db.insert_many("remarks (id, article_id, author_id)", 11, |i| {
            format!("({}, {i}, 1)", 100 + i)
        });
        let articles: Vec<i32> = (1..=11).collect();
        Article::soft_delete_by_ids(&articles, db.conn()).unwrap();
        let before = marks(&mut db);

        // Ten parents: all listed.
        let error = Remark::restore_where(remarks::id.le(110), db.conn()).unwrap_err();
        let parents = parents_of(error);
        assert_eq!(parents.len(), 1, "{parents:?}");
        assert_eq!(
            (parents[0].table, parents[0].column, parents[0].parent_table, parents[0].rows),
            ("remarks", "article_id", "articles", 10)
        );
        let ten: Vec<String> = (1..=10).map(|id| id.to_string()).collect();
        let mut listed = parents[0].parent_keys.clone();
        listed.sort_by_key(|key| key.parse::<i32>().unwrap());
        assert_eq!(listed, ten);
        assert!(!parents[0].more_parents);
        assert!(!parents[0].to_string().contains("..."), "{}", parents[0]);

        // Eleven: ten listed, and the rest said.
        let error = Remark::restore_where(remarks::id.le(111), db.conn()).unwrap_err();
        let parents = parents_of(error);
        assert_eq!(parents[0].rows, 11);
        assert_eq!(parents[0].parent_keys.len(), 10);
        assert!(parents[0].more_parents);
        assert!(parents[0].to_string().ends_with(", ...)"), "{}", parents[0]);
        assert_eq!(marks(&mut db), before);
    }
}
