//! Cascade paths: a 4-level chain, a diamond, Django's RESTRICT cases, a join table, key types,
//! `delete_where`, and the set-based promise (statement count independent of the row count).

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use deletable::{Deletable, DeleteError};
use deletable_tests::{backends, open, TestDb};
use diesel::prelude::*;

mod chain {
    use deletable::Deletable;

    pub mod schema {
        diesel::table! { a (id) { id -> Integer, } }
        diesel::table! { b (id) { id -> Integer, a_id -> Integer, flagged -> Bool, } }
        diesel::table! { c (id) { id -> Integer, b_id -> Integer, } }
        diesel::table! { d (id) { id -> Integer, c_id -> Integer, } }
        diesel::allow_tables_to_appear_in_same_query!(a, b, c, d);
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = a)]
    pub struct A {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = b, belongs_to(A))]
    pub struct B {
        pub id: i32,
        #[on_delete(cascade)]
        pub a_id: i32,
        pub flagged: bool,
    }

    #[derive(Deletable)]
    #[diesel(table_name = c, belongs_to(B))]
    pub struct C {
        pub id: i32,
        #[on_delete(cascade)]
        pub b_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = d, belongs_to(C))]
    pub struct D {
        pub id: i32,
        #[on_delete(cascade)]
        pub c_id: i32,
    }

    deletable::schema!(A, B, C, D);

    pub const TABLES: &[&str] = &["a", "b", "c", "d"];
    pub const SCHEMA: &str = "
        CREATE TABLE a (id INTEGER PRIMARY KEY);
        CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL, flagged BOOLEAN NOT NULL DEFAULT FALSE,
                        FOREIGN KEY (a_id) REFERENCES a (id));
        CREATE INDEX b_a_id ON b (a_id);
        CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER NOT NULL, FOREIGN KEY (b_id) REFERENCES b (id));
        CREATE INDEX c_b_id ON c (b_id);
        CREATE TABLE d (id INTEGER PRIMARY KEY, c_id INTEGER NOT NULL, FOREIGN KEY (c_id) REFERENCES c (id));
        CREATE INDEX d_c_id ON d (c_id);
    ";
}

mod diamond {
    use deletable::Deletable;

    pub mod schema {
        diesel::table! { tops (id) { id -> Integer, } }
        diesel::table! { lefts (id) { id -> Integer, top_id -> Integer, } }
        diesel::table! { rights (id) { id -> Integer, top_id -> Integer, } }
        diesel::table! { bottoms (id) { id -> Integer, left_id -> Nullable<Integer>, right_id -> Nullable<Integer>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = tops)]
    pub struct Top {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = lefts, belongs_to(Top))]
    pub struct Left {
        pub id: i32,
        #[on_delete(cascade)]
        pub top_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = rights, belongs_to(Top))]
    pub struct Right {
        pub id: i32,
        #[on_delete(cascade)]
        pub top_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = bottoms, belongs_to(Left), belongs_to(Right))]
    pub struct Bottom {
        pub id: i32,
        #[on_delete(cascade)]
        pub left_id: Option<i32>,
        #[on_delete(cascade)]
        pub right_id: Option<i32>,
    }

    deletable::schema!(Top, Left, Right, Bottom);

    pub const SCHEMA: &str = "
        CREATE TABLE tops (id INTEGER PRIMARY KEY);
        CREATE TABLE lefts (id INTEGER PRIMARY KEY, top_id INTEGER NOT NULL, FOREIGN KEY (top_id) REFERENCES tops (id));
        CREATE TABLE rights (id INTEGER PRIMARY KEY, top_id INTEGER NOT NULL, FOREIGN KEY (top_id) REFERENCES tops (id));
        CREATE TABLE bottoms (
            id INTEGER PRIMARY KEY, left_id INTEGER, right_id INTEGER,
            FOREIGN KEY (left_id) REFERENCES lefts (id), FOREIGN KEY (right_id) REFERENCES rights (id)
        );
        INSERT INTO tops (id) VALUES (1), (2);
        INSERT INTO lefts (id, top_id) VALUES (1, 1), (2, 2);
        INSERT INTO rights (id, top_id) VALUES (1, 1), (2, 2);
        -- 1: both paths from top 1; 2: only left; 3: only right; 4: left from top 1, right from top 2;
        -- 5: neither reaches top 1.
        INSERT INTO bottoms (id, left_id, right_id) VALUES
            (1, 1, 1), (2, 1, NULL), (3, NULL, 1), (4, 1, 2), (5, 2, 2);
    ";
}

/// Django's `RESTRICT` test models: `restrict_path_cascade_*` and the diamond of
/// `DeleteTop`/`B1`/`B2`/`DeleteBottom`.
mod restrict {
    use deletable::Deletable;

    pub mod schema {
        diesel::table! { rs (id) { id -> Integer, } }
        diesel::table! { restricted_as (id) { id -> Integer, restrict_id -> Integer, cascade_id -> Integer, } }
        diesel::table! { delete_tops (id) { id -> Integer, } }
        diesel::table! { b1s (id) { id -> Integer, delete_top_id -> Integer, } }
        diesel::table! { b2s (id) { id -> Integer, delete_top_id -> Integer, } }
        diesel::table! { delete_bottoms (id) { id -> Integer, b1_id -> Integer, b2_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = rs)]
    pub struct R {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = restricted_as)]
    pub struct RestrictedA {
        pub id: i32,
        #[on_delete(restrict, references = R)]
        pub restrict_id: i32,
        #[on_delete(cascade, references = R)]
        pub cascade_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = delete_tops)]
    pub struct DeleteTop {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = b1s, belongs_to(DeleteTop))]
    pub struct B1 {
        pub id: i32,
        #[on_delete(cascade)]
        pub delete_top_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = b2s, belongs_to(DeleteTop))]
    pub struct B2 {
        pub id: i32,
        #[on_delete(cascade)]
        pub delete_top_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = delete_bottoms, belongs_to(B1), belongs_to(B2))]
    pub struct DeleteBottom {
        pub id: i32,
        #[on_delete(restrict)]
        pub b1_id: i32,
        #[on_delete(cascade)]
        pub b2_id: i32,
    }

    deletable::schema!(R, RestrictedA, DeleteTop, B1, B2, DeleteBottom);

    pub const TABLES: &[&str] = &[
        "rs",
        "restricted_as",
        "delete_tops",
        "b1s",
        "b2s",
        "delete_bottoms",
    ];
    pub const SCHEMA: &str = "
        CREATE TABLE rs (id INTEGER PRIMARY KEY);
        CREATE TABLE restricted_as (
            id INTEGER PRIMARY KEY, restrict_id INTEGER NOT NULL, cascade_id INTEGER NOT NULL,
            FOREIGN KEY (restrict_id) REFERENCES rs (id), FOREIGN KEY (cascade_id) REFERENCES rs (id)
        );
        CREATE TABLE delete_tops (id INTEGER PRIMARY KEY);
        CREATE TABLE b1s (id INTEGER PRIMARY KEY, delete_top_id INTEGER NOT NULL,
                          FOREIGN KEY (delete_top_id) REFERENCES delete_tops (id));
        CREATE TABLE b2s (id INTEGER PRIMARY KEY, delete_top_id INTEGER NOT NULL,
                          FOREIGN KEY (delete_top_id) REFERENCES delete_tops (id));
        CREATE TABLE delete_bottoms (
            id INTEGER PRIMARY KEY, b1_id INTEGER NOT NULL, b2_id INTEGER NOT NULL,
            FOREIGN KEY (b1_id) REFERENCES b1s (id), FOREIGN KEY (b2_id) REFERENCES b2s (id)
        );
    ";
}

mod join {
    use deletable::Deletable;

    pub mod schema {
        diesel::table! { students (id) { id -> Integer, } }
        diesel::table! { courses (id) { id -> Integer, } }
        diesel::table! { enrollments (student_id, course_id) { student_id -> Integer, course_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = students)]
    pub struct Student {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = courses)]
    pub struct Course {
        pub id: i32,
    }

    #[derive(diesel::Queryable, diesel::Selectable, Deletable)]
    #[diesel(table_name = enrollments, primary_key(student_id, course_id))]
    #[diesel(belongs_to(Student), belongs_to(Course))]
    pub struct Enrollment {
        #[on_delete(cascade)]
        pub student_id: i32,
        #[on_delete(cascade)]
        pub course_id: i32,
    }

    deletable::schema!(Student, Course, Enrollment);

    pub const SCHEMA: &str = "
        CREATE TABLE students (id INTEGER PRIMARY KEY);
        CREATE TABLE courses (id INTEGER PRIMARY KEY);
        CREATE TABLE enrollments (
            student_id INTEGER NOT NULL, course_id INTEGER NOT NULL,
            PRIMARY KEY (student_id, course_id),
            FOREIGN KEY (student_id) REFERENCES students (id),
            FOREIGN KEY (course_id) REFERENCES courses (id)
        );
        INSERT INTO students (id) VALUES (1), (2);
        INSERT INTO courses (id) VALUES (1), (2), (3);
        INSERT INTO enrollments (student_id, course_id) VALUES (1, 1), (1, 2), (2, 2), (2, 3);
    ";
}

mod keys {
    use deletable::Deletable;

    pub mod schema {
        diesel::table! { accounts (id) { id -> BigInt, } }
        diesel::table! { sessions (id) { id -> BigInt, account_id -> BigInt, } }
        diesel::table! { countries (code) { code -> Text, } }
        diesel::table! { cities (id) { id -> Integer, country_code -> Text, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = accounts)]
    pub struct Account {
        pub id: i64,
    }

    #[derive(Deletable)]
    #[diesel(table_name = sessions, belongs_to(Account))]
    pub struct Session {
        pub id: i64,
        #[on_delete(cascade)]
        pub account_id: i64,
    }

    #[derive(Deletable)]
    #[diesel(table_name = countries, primary_key(code))]
    pub struct Country {
        pub code: String,
    }

    #[derive(Deletable)]
    #[diesel(table_name = cities, belongs_to(Country, foreign_key = country_code))]
    pub struct City {
        pub id: i32,
        #[on_delete(cascade)]
        pub country_code: String,
    }

    deletable::schema!(Account, Session, Country, City);

    pub const SCHEMA: &str = "
        CREATE TABLE accounts (id BIGINT PRIMARY KEY);
        CREATE TABLE sessions (id BIGINT PRIMARY KEY, account_id BIGINT NOT NULL,
                               FOREIGN KEY (account_id) REFERENCES accounts (id));
        CREATE TABLE countries (code VARCHAR(8) PRIMARY KEY);
        CREATE TABLE cities (id INTEGER PRIMARY KEY, country_code VARCHAR(8) NOT NULL,
                             FOREIGN KEY (country_code) REFERENCES countries (code));
        INSERT INTO accounts (id) VALUES (5000000000), (5000000001);
        INSERT INTO sessions (id, account_id) VALUES (1, 5000000000), (2, 5000000000), (3, 5000000001);
        INSERT INTO countries (code) VALUES ('fr'), ('pt');
        INSERT INTO cities (id, country_code) VALUES (1, 'fr'), (2, 'fr'), (3, 'pt');
    ";
}

/// Tables whose SQL names differ from their Diesel modules (`#[sql_name]`), beside decoys named
/// as the modules.
mod renamed {
    use deletable::Deletable;

    pub mod schema {
        diesel::table! {
            #[sql_name = "persons"]
            people (id) { id -> Integer, }
        }
        diesel::table! {
            #[sql_name = "person_notes"]
            notes (id) {
                id -> Integer,
                #[sql_name = "owner"]
                person_id -> Integer,
            }
        }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = people)]
    pub struct Person {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = notes)]
    pub struct Note {
        pub id: i32,
        #[on_delete(cascade, references = Person)]
        pub person_id: i32,
    }

    deletable::schema!(Person, Note);

    pub const SCHEMA: &str = "
        CREATE TABLE persons (id INTEGER PRIMARY KEY);
        CREATE TABLE person_notes (id INTEGER PRIMARY KEY, owner INTEGER NOT NULL,
            FOREIGN KEY (owner) REFERENCES persons (id));
        CREATE TABLE people (id INTEGER PRIMARY KEY);
        CREATE TABLE notes (id INTEGER PRIMARY KEY, person_id INTEGER NOT NULL);
        INSERT INTO persons (id) VALUES (1), (2);
        INSERT INTO person_notes (id, owner) VALUES (1, 1), (2, 2);
        INSERT INTO people (id) VALUES (1), (2);
        INSERT INTO notes (id, person_id) VALUES (1, 1), (2, 2);
    ";
}

mod self_reference {
    use deletable::Deletable;

    pub mod schema {
        diesel::table! { members (id) { id -> Integer, invited_by -> Nullable<Integer>, mentor_id -> Nullable<Integer>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = members)]
    pub struct Member {
        pub id: i32,
        #[on_delete(set_null, references = Member)]
        pub invited_by: Option<i32>,
        #[on_delete(protect, references = Member)]
        pub mentor_id: Option<i32>,
    }

    deletable::schema!(Member);

    pub const SCHEMA: &str = "
        CREATE TABLE members (
            id INTEGER PRIMARY KEY, invited_by INTEGER, mentor_id INTEGER,
            FOREIGN KEY (invited_by) REFERENCES members (id),
            FOREIGN KEY (mentor_id) REFERENCES members (id)
        );
        INSERT INTO members (id, invited_by, mentor_id) VALUES
            (1, NULL, NULL), (2, 1, NULL), (3, 1, 2), (4, 3, NULL);
    ";
}

backends! {

    /// Two `a` rows; `a` 1 has `per_root` rows at each level below it, `a` 2 has one of each.
    fn chain_with(per_root: usize) -> Option<Db> {
        let mut db = Db::open(chain::SCHEMA)?;
        db.exec("INSERT INTO a (id) VALUES (1), (2);");
        let other = per_root + 1;
        for (table, parent) in [
            ("b (id, a_id)", "a"),
            ("c (id, b_id)", "b"),
            ("d (id, c_id)", "c"),
        ] {
            db.insert_many(table, per_root, |i| {
                // Level b points at a 1; deeper levels point at the row with the same id above.
                format!("({i}, {})", if parent == "a" { 1 } else { i })
            });
            let parent_key = if parent == "a" { 2 } else { other };
            db.exec(&format!("INSERT INTO {table} VALUES ({other}, {parent_key});"),
            );
        }
        db.log().clear();
        Some(db)
    }

    #[test]
    fn a_four_level_chain_is_deleted_leaves_first() {
        let Some(mut db) = chain_with(3) else { return };
        let report = chain::A::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(
            report.per_table(),
            &[("d", 3), ("c", 3), ("b", 3), ("a", 1)]
        );
        assert_eq!(report.total(), 10);
        for table in chain::TABLES {
            assert_eq!(db.count(table), 1, "{table}");
        }
        let deletes: Vec<String> = db
            .log()
            .plan_statements()
            .into_iter()
            .filter(|sql| sql.starts_with("DELETE"))
            .collect();
        // The leaves go first, in one statement that walks up to the root key.
        assert_eq!(deletes.len(), 4);
        assert_eq!(deletes[0].matches("SELECT").count(), 2, "{}", deletes[0]);
        if Db::BACKEND == "sqlite" {
            // `diesel-async`'s SQLite wrapper prints its binds as `[I32(1)]`.
            let (sql, binds) = deletes[0].split_once(" -- binds: ").unwrap_or_default();
            assert_eq!(
                sql,
                "DELETE FROM `d` WHERE `d`.`c_id` IN (SELECT `c`.`id` FROM `c` WHERE `c`.`b_id` IN \
                 (SELECT `b`.`id` FROM `b` WHERE `b`.`a_id` IN (?)))"
            );
            assert!(matches!(binds, "[1]" | "[I32(1)]"), "{binds}");
        }
    }

    #[test]
    fn the_statement_count_does_not_depend_on_the_number_of_rows() {
        let mut seen = Vec::new();
        for rows in [10, 10_000] {
            let Some(mut db) = chain_with(rows) else { return };
            let report = chain::A::delete_by_ids(&[1], db.conn()).unwrap();
            assert_eq!(report.total(), 3 * rows as u64 + 1);
            let statements = db.log().plan_statements();
            assert_eq!(
                statements.len(),
                chain::A::plan().statement_count(),
                "{statements:#?}"
            );
            seen.push(db.log().len());
        }
        assert_eq!(seen[0], seen[1], "statements for 10 and for 10,000 rows");
    }

    #[test]
    fn an_empty_id_list_issues_no_statement() {
        let Some(mut db) = chain_with(3) else { return };
        let report = chain::A::delete_by_ids(&[] as &[i32], db.conn()).unwrap();
        assert_eq!(report.total(), 0);
        assert!(db.log().is_empty(), "{:?}", db.log().statements());
    }

    #[test]
    fn ids_that_do_not_exist_delete_nothing_and_are_no_error() {
        let Some(mut db) = chain_with(3) else { return };
        let report = chain::A::delete_by_ids(&[40, 41], db.conn()).unwrap();
        assert_eq!(report.total(), 0);
        assert!(report.per_table().is_empty());
        assert_eq!(report.to_string(), "0 rows deleted");
        assert_eq!(db.count("d"), 4);
    }

    #[test]
    fn delete_where_matching_nothing_reports_zero() {
        let Some(mut db) = chain_with(3) else { return };
        let report = chain::A::delete_where(chain::schema::a::id.gt(100), db.conn()).unwrap();
        assert_eq!(report.total(), 0);
        for table in chain::TABLES {
            assert_eq!(db.count(table), if *table == "a" { 2 } else { 4 });
        }
    }

    #[test]
    fn delete_where_matching_thousands_cascades_to_all_of_them() {
        let mut db = open!(chain::SCHEMA);
        db.insert_many("a (id)", 3_000, |i| format!("({i})"));
        db.insert_many("b (id, a_id)", 3_000, |i| format!("({i}, {i})"));
        db.insert_many("c (id, b_id)", 3_000, |i| format!("({i}, {i})"));
        db.log().clear();

        let report = chain::A::delete_where(chain::schema::a::id.gt(500), db.conn()).unwrap();
        let statements = db.log().plan_statements();

        assert_eq!(
            report.per_table(),
            &[("c", 2_500), ("b", 2_500), ("a", 2_500)]
        );
        assert_eq!(db.ids("a"), (1..=500).collect::<Vec<_>>());
        assert_eq!(db.ids("c"), (1..=500).collect::<Vec<_>>());
        // The filter is evaluated once into a temporary table, then one statement per plan step.
        assert_eq!(
            statements.len(),
            chain::A::plan().statement_count() + 2,
            "{statements:#?}"
        );
    }

    #[test]
    fn operations_through_temporary_tables_leave_no_prepared_statement_behind() {
        use chain::schema::a;
        let Some(mut db) = chain_with(2) else { return };
        let mut deleted = 0;
        let mut run = |db: &mut Db, rounds: i32| {
            for round in 0..rounds {
                let id = 100 + deleted + round;
                db.exec(&format!(
                    "INSERT INTO a (id) VALUES ({id}); INSERT INTO b (id, a_id) VALUES ({id}, {id});"
                ));
                // A filter over a multi-step plan goes through a temporary table named anew
                // each time; a text prepared for it can never be used again.
                let report = chain::A::delete_where(a::id.eq(id), db.conn()).unwrap();
                assert_eq!(report.total(), 2);
            }
            deleted += rounds;
        };
        // The first operations prepare what can be reused; from then on nothing may pile up.
        run(&mut db, 3);
        let before = db.open_prepared_statements();
        run(&mut db, 50);
        let after = db.open_prepared_statements();
        if let (Some(before), Some(after)) = (before, after) {
            assert_eq!(after - before, 0, "statements left prepared by 50 deletes");
        }
        assert_eq!(db.count("a"), 2);
    }

    #[test]
    fn a_single_statement_delete_where_may_read_its_own_table() {
        use chain::schema::d;
        let Some(mut db) = chain_with(3) else { return };
        // MySQL refuses a DELETE whose subquery reads the table it deletes from (1093).
        let alias = diesel::alias!(d as other);
        let report = chain::D::delete_where(
            d::id.eq_any(
                alias
                    .filter(alias.field(d::c_id).le(2))
                    .select(alias.field(d::id)),
            ),
            db.conn(),
        )
        .unwrap();
        assert_eq!(report.per_table(), &[("d", 2)]);
        assert_eq!(db.ids("d"), [3, 4]);
        // MariaDB reads it, so the `mysql` suite pins MySQL's form: the filter's keys first.
        if Db::BACKEND == "mysql" {
            let statements = db.log().statements();
            let first = statements.iter().find(|sql| *sql != "BEGIN");
            assert!(
                first.is_some_and(|sql| sql.starts_with("CREATE TEMPORARY TABLE")),
                "{statements:#?}"
            );
        }
    }

    #[test]
    fn delete_where_evaluates_its_filter_once_before_anything_changes() {
        use chain::schema::{a, b};
        let Some(mut db) = chain_with(2) else { return };
        db.exec("UPDATE b SET flagged = TRUE WHERE id = 1;");
        // "Delete every `a` with a flagged `b`": the plan deletes the `b` rows before the `a` rows,
        // so a filter evaluated again at the end would no longer match `a` 1.
        let report = chain::A::delete_where(
            a::id.eq_any(b::table.filter(b::flagged.eq(true)).select(b::a_id)),
            db.conn(),
        )
        .unwrap();
        assert_eq!(
            report.per_table(),
            &[("d", 2), ("c", 2), ("b", 2), ("a", 1)]
        );
        assert_eq!(db.ids("a"), [2]);
    }

    #[test]
    fn a_diamond_deletes_rows_reached_by_either_path_once() {
        let mut db = open!(diamond::SCHEMA);
        let report = diamond::Top::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.count("bottoms"), 4);
        assert_eq!(report.total(), 4 + 1 + 1 + 1);
        assert_eq!(db.ids("bottoms"), [5]);
        assert_eq!(db.ids("lefts"), [2]);
        assert_eq!(db.ids("rights"), [2]);
        assert_eq!(db.ids("tops"), [2]);
        // The bottoms go first, in one statement over both paths.
        assert_eq!(report.per_table()[0], ("bottoms", 4));
    }

    #[test]
    fn restrict_blocks_when_no_other_cascade_path_deletes_the_child() {
        let mut db = open!(restrict::SCHEMA);
        db.exec("INSERT INTO rs (id) VALUES (1), (2);
             INSERT INTO restricted_as (id, restrict_id, cascade_id) VALUES (1, 1, 2);",
        );
        let before = db.counts(restrict::TABLES);
        let error = restrict::R::delete_by_ids(&[1], db.conn()).unwrap_err();
        let DeleteError::Restricted { blockers, .. } = &error else {
            panic!("expected Restricted, got {error:?}");
        };
        assert_eq!(blockers.len(), 1);
        assert_eq!(
            (blockers[0].table, blockers[0].column, blockers[0].count),
            ("restricted_as", "restrict_id", 1)
        );
        assert_eq!(blockers[0].keys, ["1"]);
        assert_eq!(db.counts(restrict::TABLES), before);
    }

    #[test]
    fn restrict_passes_when_the_child_is_cascaded_from_the_same_delete() {
        // Django's test_restrict_path_cascade_direct: the restricting row is also a cascade child of
        // the deleted row.
        let mut db = open!(restrict::SCHEMA);
        db.exec("INSERT INTO rs (id) VALUES (1), (2);
             INSERT INTO restricted_as (id, restrict_id, cascade_id) VALUES (1, 1, 1), (2, 2, 2);",
        );
        let report = restrict::R::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("restricted_as", 1), ("rs", 1)]);
        assert_eq!(db.ids("restricted_as"), [2]);
    }

    #[test]
    fn restrict_passes_when_another_root_of_the_same_delete_cascades_the_child() {
        // Django's test_restrict_path_cascade_indirect: restricted by r1, cascaded from r2, both
        // deleted together.
        let mut db = open!(restrict::SCHEMA);
        db.exec("INSERT INTO rs (id) VALUES (1), (2), (3);
             INSERT INTO restricted_as (id, restrict_id, cascade_id) VALUES (1, 1, 2);",
        );
        let report = restrict::R::delete_by_ids(&[1, 2], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("restricted_as", 1), ("rs", 2)]);
        assert_eq!(db.ids("rs"), [3]);
    }

    #[test]
    fn restrict_in_a_diamond_passes_from_the_top_and_blocks_from_one_side() {
        let fixtures = "INSERT INTO delete_tops (id) VALUES (1);
             INSERT INTO b1s (id, delete_top_id) VALUES (1, 1);
             INSERT INTO b2s (id, delete_top_id) VALUES (1, 1);
             INSERT INTO delete_bottoms (id, b1_id, b2_id) VALUES (1, 1, 1);";

        // From the top, the bottom is deleted through b2's cascade: the restrict from b1 passes.
        let mut db = open!(restrict::SCHEMA);
        db.exec(fixtures);
        let report = restrict::DeleteTop::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.total(), 4);
        for table in ["delete_tops", "b1s", "b2s", "delete_bottoms"] {
            assert_eq!(db.count(table), 0, "{table}");
        }

        // b1 alone: nothing else deletes the bottom, so it restricts.
        let mut db = open!(restrict::SCHEMA);
        db.exec(fixtures);
        let before = db.counts(restrict::TABLES);
        let error = restrict::B1::delete_by_ids(&[1], db.conn()).unwrap_err();
        assert!(matches!(error, DeleteError::Restricted { .. }), "{error:?}");
        assert_eq!(db.counts(restrict::TABLES), before);
    }

    fn enrollments(conn: &mut <Db as TestDb>::Conn) -> Vec<(i32, i32)> {
        use join::schema::enrollments::dsl::*;
        enrollments
            .select((student_id, course_id))
            .order((student_id, course_id))
            .load(conn)
            .unwrap()
    }

    #[test]
    fn a_join_table_cascades_from_both_sides() {
        let mut db = open!(join::SCHEMA);
        let report = join::Student::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("enrollments", 2), ("students", 1)]);
        assert_eq!(enrollments(db.conn()), [(2, 2), (2, 3)]);

        let report = join::Course::delete_by_ids(&[2], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("enrollments", 1), ("courses", 1)]);
        assert_eq!(enrollments(db.conn()), [(2, 3)]);
    }

    #[test]
    fn thousands_of_composite_keys_delete_exactly_those_rows() {
        // SQLite refuses an expression nested 1,000 deep: keys must not be an `OR` chain.
        let mut db = open!(join::SCHEMA);
        db.exec("DELETE FROM enrollments");
        db.insert_many("students (id)", 40, |i| format!("({})", i + 2));
        db.insert_many("courses (id)", 50, |i| format!("({})", i + 3));
        let all: Vec<(i32, i32)> = (3..=42).flat_map(|s| (4..=53).map(move |c| (s, c))).collect();
        for chunk in all.chunks(500) {
            let values: Vec<String> = chunk.iter().map(|(s, c)| format!("({s}, {c})")).collect();
            db.exec(&format!(
                "INSERT INTO enrollments (student_id, course_id) VALUES {}",
                values.join(", ")
            ));
        }
        let mut doomed: Vec<(i32, i32)> = all.iter().copied().filter(|(s, c)| (s + c) % 4 != 0).collect();
        assert!(doomed.len() > 1_400, "{}", doomed.len());
        let expected: Vec<(i32, i32)> = all.iter().copied().filter(|(s, c)| (s + c) % 4 == 0).collect();
        doomed.push((99, 99));

        let report = join::Enrollment::delete_by_ids(&doomed, db.conn()).unwrap();

        assert_eq!(report.per_table(), &[("enrollments", doomed.len() as u64 - 1)]);
        assert_eq!(enrollments(db.conn()), expected);
    }

    #[test]
    fn renamed_tables_are_deleted_by_their_sql_names_and_decoys_stay() {
        let mut db = open!(renamed::SCHEMA);
        let report = renamed::Person::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("person_notes", 1), ("persons", 1)]);
        assert_eq!(db.ids("persons"), [2]);
        assert_eq!(db.ids("person_notes"), [2]);
        // The tables named as the Diesel modules are someone else's.
        assert_eq!(db.ids("people"), [1, 2]);
        assert_eq!(db.ids("notes"), [1, 2]);
    }

    #[test]
    fn a_composite_key_row_deletes_itself_alone() {
        let mut db = open!(join::SCHEMA);
        let row: join::Enrollment = join::schema::enrollments::table
            .find((1, 2))
            .select(join::Enrollment::as_select())
            .first(db.conn())
            .unwrap();
        assert_eq!(row.delete(db.conn()).unwrap().total(), 1);
        let report = join::Enrollment::delete_by_ids(&[(2, 2), (2, 3), (9, 9)], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("enrollments", 2)]);
        assert_eq!(enrollments(db.conn()), [(1, 1)]);
    }

    #[test]
    fn i64_keys_cascade() {
        let mut db = open!(keys::SCHEMA);
        let report = keys::Account::delete_by_ids(&[5_000_000_000], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("sessions", 2), ("accounts", 1)]);
        assert_eq!(db.ids("sessions"), [3]);
    }

    #[test]
    fn string_keys_cascade() {
        let mut db = open!(keys::SCHEMA);
        let france = keys::Country {
            code: "fr".to_owned(),
        };
        let report = france.delete(db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("cities", 2), ("countries", 1)]);
        assert_eq!(db.ids("cities"), [3]);
        let report = keys::Country::delete_by_ids(&["pt".to_owned()], db.conn()).unwrap();
        assert_eq!(report.total(), 2);
    }

    #[test]
    fn more_ids_than_bind_parameters_are_bound_once_into_a_table() {
        let mut db = open!(chain::SCHEMA);
        let limit = <<<Db as TestDb>::Conn as diesel::Connection>::Backend as deletable::Dialect>::MAX_BIND_PARAMS;
        let rows = limit + 7;
        db.insert_many("a (id)", rows + 1, |i| format!("({i})"));
        db.insert_many("b (id, a_id)", rows + 1, |i| format!("({i}, {i})"));
        db.log().clear();
        let keys: Vec<i32> = (1..=rows as i32).collect();

        let report = chain::A::delete_by_ids(&keys, db.conn()).unwrap();
        let statements = db.log().statements();

        assert_eq!(report.per_table(), &[("b", rows as u64), ("a", rows as u64)]);
        assert_eq!(db.ids("a"), [rows as i64 + 1]);
        // One key past the backend's bind parameter limit: two inserts carry the keys into a
        // temporary table, then one statement per plan step reads them.
        let inserts = statements
            .iter()
            .filter(|sql| sql.starts_with("INSERT"))
            .count();
        assert_eq!(inserts, 2);
    }

    #[test]
    fn a_self_reference_is_nulled_or_protects_within_one_table() {
        use self_reference::schema::members;
        let mut db = open!(self_reference::SCHEMA);

        // 1 invited 2 and 3: they stay, with no inviter.
        let report = self_reference::Member::delete_by_ids(&[1], db.conn()).unwrap();
        assert_eq!(report.per_table(), &[("members", 1)]);
        let rows: Vec<(i32, Option<i32>)> = members::table
            .select((members::id, members::invited_by))
            .order(members::id)
            .load(db.conn())
            .unwrap();
        assert_eq!(rows, [(2, None), (3, None), (4, Some(3))]);

        // 2 mentors 3: protected, even when 3 is deleted in the same call (Django's PROTECT).
        let error = self_reference::Member::delete_by_ids(&[2, 3], db.conn()).unwrap_err();
        assert!(matches!(error, DeleteError::Protected { .. }), "{error:?}");
        assert_eq!(db.ids("members"), [2, 3, 4]);
    }
}
