//! Soft-delete marks are correct instants whatever the session's time zone: read back as an
//! instant by the database itself, a mark is the moment of the operation, a purge with a cutoff
//! an hour back keeps a row soft-deleted a moment ago, and a restore matches marks across
//! columns of different timestamp types.
//!
//! Every session here runs nine hours ahead of UTC (PostgreSQL `Asia/Tokyo`, MySQL and MariaDB
//! `+09:00`), so a mark written as zoneless UTC wall time into a zoned column lands nine hours
//! early; SQLite has no session zone and is the control.

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{Duration, NaiveDateTime, Utc};
use deletable::{Deletable, SoftDelete};
use deletable_tests::{backends, TestDb};
use diesel::ExpressionMethods;

mod schema {
    diesel::table! { folders (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    diesel::table! { files (id) { id -> Integer, folder_id -> Integer, deleted_at -> Nullable<Timestamp>, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = folders)]
struct Folder {
    id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

#[derive(Deletable)]
#[diesel(table_name = files, belongs_to(Folder))]
struct File {
    id: i32,
    #[on_delete(cascade)]
    folder_id: i32,
    #[soft_delete]
    deleted_at: Option<NaiveDateTime>,
}

deletable::schema!(Folder, File);

/// Seconds since the epoch, by this process's clock.
fn now_seconds() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |elapsed| elapsed.as_secs() as i64)
}

/// Asserts that the marks of `table` (read back as instants by `instant_sql`, a query with the
/// instant as `a`) lie between `before` and `after`, a second either side for rounding.
fn assert_marks_between(
    db: &mut impl TestDb,
    instant_sql: &str,
    before: i64,
    after: i64,
    what: &str,
) {
    let instants = db.pairs(instant_sql);
    assert!(!instants.is_empty(), "{what}: no mark to read");
    for (instant, _) in instants {
        assert!(
            (before - 1..=after + 1).contains(&instant),
            "{what}: the mark is {} s off the operation's time",
            instant - before
        );
    }
}

/// The session settings that put a connection nine hours ahead of UTC.
fn tokyo_session(backend: &str) -> &'static str {
    match backend {
        "postgres" => "SET TimeZone = 'Asia/Tokyo'",
        "mysql" | "mariadb" => "SET time_zone = '+09:00'",
        _ => "SELECT 1",
    }
}

backends! {
    /// `Nullable<Timestamp>`: zoneless UTC on PostgreSQL and SQLite, MySQL's zoned `TIMESTAMP`.
    fn open_timestamp_tables() -> Option<Db> {
        let timestamp = match <Db as TestDb>::BACKEND {
            "mysql" | "mariadb" => "TIMESTAMP(6) NULL",
            _ => "TIMESTAMP",
        };
        let mut db = <Db as TestDb>::open(&format!(
            "CREATE TABLE folders (id INTEGER PRIMARY KEY, deleted_at {timestamp});
             CREATE TABLE files (id INTEGER PRIMARY KEY, folder_id INTEGER NOT NULL,
                 deleted_at {timestamp}, FOREIGN KEY (folder_id) REFERENCES folders (id));
             INSERT INTO folders (id) VALUES (1), (2);
             INSERT INTO files (id, folder_id) VALUES (1, 1), (2, 1), (3, 2);"
        ))?;
        db.exec(tokyo_session(<Db as TestDb>::BACKEND));
        Some(db)
    }

    /// The marks of `table`, as instants (seconds since the epoch), read by the database.
    fn mark_instants_sql(table: &str) -> String {
        let instant = match <Db as TestDb>::BACKEND {
            // A zoneless timestamp's epoch is its UTC reading.
            "postgres" => "CAST(EXTRACT(EPOCH FROM deleted_at) AS BIGINT)",
            // `UNIX_TIMESTAMP` reads a `TIMESTAMP` in the session's zone, as the server wrote it.
            "mysql" | "mariadb" => "CAST(UNIX_TIMESTAMP(deleted_at) AS SIGNED)",
            _ => "CAST(strftime('%s', deleted_at) AS INTEGER)",
        };
        format!("SELECT {instant} AS a, NULL AS b FROM {table} WHERE deleted_at IS NOT NULL")
    }

    /// A `purge_deleted` cutoff `hours` from now, as the column's own Diesel type reads it: UTC
    /// wall time, or on MySQL's zoned `TIMESTAMP` the session's wall time.
    fn cutoff(hours: i64) -> NaiveDateTime {
        let session_offset = match <Db as TestDb>::BACKEND {
            "mysql" | "mariadb" => Duration::hours(9),
            _ => Duration::zero(),
        };
        Utc::now().naive_utc() + session_offset + Duration::hours(hours)
    }

    #[test]
    fn a_mark_is_the_instant_of_its_operation_in_a_session_ahead_of_utc() {
        let Some(mut db) = open_timestamp_tables() else { return };
        let before = now_seconds();
        let report = Folder::soft_delete_by_ids(&[1], db.conn()).unwrap();
        let after = now_seconds();
        assert_eq!(report.total(), 3);
        assert_marks_between(&mut db, &mark_instants_sql("folders"), before, after, "folders");
        assert_marks_between(&mut db, &mark_instants_sql("files"), before, after, "files");
    }

    #[test]
    fn a_purge_an_hour_back_keeps_a_row_soft_deleted_a_moment_ago() {
        let Some(mut db) = open_timestamp_tables() else { return };
        Folder::soft_delete_by_ids(&[1], db.conn()).unwrap();
        let kept = Folder::purge_deleted(cutoff(-1), db.conn()).unwrap();
        assert_eq!(kept.total(), 0, "an hour back: {kept:?}");
        assert_eq!(db.ids("folders"), vec![1, 2]);
        let purged = Folder::purge_deleted(cutoff(1), db.conn()).unwrap();
        assert_eq!(purged.total(), 3, "an hour ahead: {purged:?}");
        assert_eq!(db.ids("folders"), vec![2]);
        assert_eq!(db.ids("files"), vec![3]);
    }

    #[test]
    fn a_restore_in_another_session_zone_brings_back_what_was_marked() {
        let Some(mut db) = open_timestamp_tables() else { return };
        Folder::soft_delete_by_ids(&[1], db.conn()).unwrap();
        // The same marks, read from a session twelve hours behind UTC.
        db.exec(match <Db as TestDb>::BACKEND {
            "postgres" => "SET TimeZone = 'Pacific/Pago_Pago'",
            "mysql" | "mariadb" => "SET time_zone = '-11:00'",
            _ => "SELECT 1",
        });
        let report = Folder::restore_where(folders::id.eq(1), db.conn()).unwrap();
        assert_eq!(report.total(), 3, "{report:?}");
        let marked = db.pairs(
            "SELECT COUNT(*) AS a, NULL AS b FROM files WHERE deleted_at IS NOT NULL",
        );
        assert_eq!(marked[0].0, 0);
    }
}

/// PostgreSQL's `timestamptz`, alone and beside a zoneless `timestamp`.
#[cfg(feature = "postgres")]
mod postgres_timestamptz {
    use super::*;
    use chrono::DateTime;
    use deletable_tests::PgDb;

    mod schema {
        diesel::table! { albums (id) { id -> Integer, deleted_at -> Nullable<Timestamptz>, } }
        diesel::table! { photos (id) { id -> Integer, album_id -> Integer, deleted_at -> Nullable<Timestamp>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = albums)]
    struct Album {
        id: i32,
        #[soft_delete]
        deleted_at: Option<DateTime<Utc>>,
    }

    /// A zoneless mark below a zoned one: a restore compares them as instants.
    #[derive(Deletable)]
    #[diesel(table_name = photos, belongs_to(Album))]
    struct Photo {
        id: i32,
        #[on_delete(cascade)]
        album_id: i32,
        #[soft_delete]
        deleted_at: Option<NaiveDateTime>,
    }

    deletable::schema!(Album, Photo);

    fn open() -> Option<PgDb> {
        let mut db = PgDb::open(
            "CREATE TABLE albums (id INTEGER PRIMARY KEY, deleted_at TIMESTAMPTZ);
             CREATE TABLE photos (id INTEGER PRIMARY KEY, album_id INTEGER NOT NULL REFERENCES albums,
                 deleted_at TIMESTAMP);
             INSERT INTO albums (id) VALUES (1), (2);
             INSERT INTO photos (id, album_id) VALUES (1, 1), (2, 1), (3, 2);",
        )?;
        db.exec(tokyo_session("postgres"));
        Some(db)
    }

    #[test]
    fn a_timestamptz_mark_is_the_instant_of_its_operation() {
        let Some(mut db) = open() else { return };
        let before = now_seconds();
        Album::soft_delete_by_ids(&[1], db.conn()).unwrap();
        let after = now_seconds();
        for table in ["albums", "photos"] {
            assert_marks_between(
                &mut db,
                &format!(
                    "SELECT CAST(EXTRACT(EPOCH FROM deleted_at) AS BIGINT) AS a, NULL AS b \
                     FROM {table} WHERE deleted_at IS NOT NULL"
                ),
                before,
                after,
                table,
            );
        }
    }

    #[test]
    fn a_timestamptz_purge_an_hour_back_keeps_a_row_soft_deleted_a_moment_ago() {
        let Some(mut db) = open() else { return };
        Album::soft_delete_by_ids(&[1], db.conn()).unwrap();
        let kept = Album::purge_deleted(Utc::now() - Duration::hours(1), db.conn()).unwrap();
        assert_eq!(kept.total(), 0, "{kept:?}");
        let purged = Album::purge_deleted(Utc::now() + Duration::hours(1), db.conn()).unwrap();
        assert_eq!(purged.total(), 3, "{purged:?}");
        assert_eq!(db.ids("albums"), vec![2]);
    }

    #[test]
    fn a_restore_matches_a_timestamptz_mark_with_a_zoneless_one() {
        let Some(mut db) = open() else { return };
        Album::soft_delete_by_ids(&[1], db.conn()).unwrap();
        let report = Album::restore_where(albums::id.eq(1), db.conn()).unwrap();
        assert_eq!(report.total(), 3, "{report:?}");
    }
}

/// MySQL's and MariaDB's zoneless `DATETIME` (Diesel's `Datetime`), beside a zoned `TIMESTAMP`.
#[cfg(any(feature = "mysql", feature = "mariadb"))]
mod mysql_datetime {
    use super::*;

    mod schema {
        diesel::table! { albums (id) { id -> Integer, deleted_at -> Nullable<Timestamp>, } }
        diesel::table! { photos (id) { id -> Integer, album_id -> Integer, deleted_at -> Nullable<Datetime>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = albums)]
    struct Album {
        id: i32,
        #[soft_delete]
        deleted_at: Option<NaiveDateTime>,
    }

    /// A zoneless mark below a zoned one: a restore compares them as instants.
    #[derive(Deletable)]
    #[diesel(table_name = photos, belongs_to(Album))]
    struct Photo {
        id: i32,
        #[on_delete(cascade)]
        album_id: i32,
        #[soft_delete]
        deleted_at: Option<NaiveDateTime>,
    }

    deletable::schema!(Album, Photo);

    const SCHEMA: &str =
        "CREATE TABLE albums (id INTEGER PRIMARY KEY, deleted_at TIMESTAMP(6) NULL);
         CREATE TABLE photos (id INTEGER PRIMARY KEY, album_id INTEGER NOT NULL,
             deleted_at DATETIME(6), FOREIGN KEY (album_id) REFERENCES albums (id));
         INSERT INTO albums (id) VALUES (1), (2);
         INSERT INTO photos (id, album_id) VALUES (1, 1), (2, 1), (3, 2);";

    /// The `DATETIME` marks as their UTC reading: seconds from the epoch's wall time.
    const DATETIME_INSTANTS: &str =
        "SELECT TIMESTAMPDIFF(SECOND, '1970-01-01 00:00:00', deleted_at) \
         AS a, NULL AS b FROM photos WHERE deleted_at IS NOT NULL";

    macro_rules! datetime_tests {
        ($module:ident, $db:ty, $feature:literal) => {
            #[cfg(feature = $feature)]
            mod $module {
                use super::*;

                fn open() -> Option<$db> {
                    let mut db = <$db as TestDb>::open(SCHEMA)?;
                    db.exec(tokyo_session("mysql"));
                    Some(db)
                }

                #[test]
                fn a_datetime_mark_holds_utc_wall_time() {
                    let Some(mut db) = open() else { return };
                    let before = now_seconds();
                    Album::soft_delete_by_ids(&[1], db.conn()).unwrap();
                    let after = now_seconds();
                    assert_marks_between(&mut db, DATETIME_INSTANTS, before, after, "photos");
                }

                #[test]
                fn a_restore_matches_a_timestamp_mark_with_a_datetime_one() {
                    let Some(mut db) = open() else { return };
                    Album::soft_delete_by_ids(&[1], db.conn()).unwrap();
                    let report = Album::restore_where(albums::id.eq(1), db.conn()).unwrap();
                    assert_eq!(report.total(), 3, "{report:?}");
                }
            }
        };
    }

    datetime_tests!(mysql, deletable_tests::MysqlDb, "mysql");
    datetime_tests!(mariadb, deletable_tests::MariadbDb, "mariadb");
}
