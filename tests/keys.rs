//! Keys of real schemas: text keys given borrowed (`&[&str]`), PostgreSQL's `uuid` keys and
//! MySQL's and MariaDB's unsigned keys past the signed range, through cascades, hooks (keyset
//! batches over the key), blockers (keys listed as text) and key lists past the bind limit (a
//! temporary key table).

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use deletable::{Deletable, DeleteError};
use deletable_tests::{backends, open, TestDb};

mod text_schema {
    diesel::table! { handles (name) { name -> Text, } }
    diesel::table! { mentions (id) { id -> Integer, handle_name -> Text, } }
}

/// Text keys, borrowed or owned.
mod text {
    use super::text_schema::*;
    use super::*;

    #[derive(Deletable)]
    #[diesel(table_name = handles, primary_key(name))]
    pub struct Handle {
        pub name: String,
    }

    #[derive(Deletable)]
    #[diesel(table_name = mentions, belongs_to(Handle, foreign_key = handle_name))]
    pub struct Mention {
        pub id: i32,
        #[on_delete(cascade)]
        pub handle_name: String,
    }

    deletable::schema!(Handle, Mention);

    pub const SCHEMA: &str = "
        CREATE TABLE handles (name VARCHAR(32) PRIMARY KEY);
        CREATE TABLE mentions (id INTEGER PRIMARY KEY, handle_name VARCHAR(32) NOT NULL,
            FOREIGN KEY (handle_name) REFERENCES handles (name));
        INSERT INTO handles (name) VALUES ('ada'), ('bob'), ('cy'), ('dee');
        INSERT INTO mentions (id, handle_name) VALUES (1, 'ada'), (2, 'bob'), (3, 'cy'), (4, 'dee');
    ";
}

backends! {
    use text::{Handle, Mention, SCHEMA};

    #[test]
    fn text_keys_may_be_borrowed_or_owned() {
        let mut db = open!(SCHEMA);
        let report = Handle::delete_by_ids(&["ada"], db.conn()).unwrap();
        assert_eq!(report.total(), 2, "{report:?}");
        let owned = vec!["bob".to_owned()];
        assert_eq!(Handle::delete_by_ids(&owned, db.conn()).unwrap().total(), 2);
        let borrowed: Vec<&String> = owned.iter().collect();
        assert_eq!(Handle::delete_by_ids(&borrowed, db.conn()).unwrap().total(), 0);
        let name = String::from("cy");
        assert_eq!(Handle::delete_by_ids(&[name.as_str()], db.conn()).unwrap().total(), 2);
        assert_eq!(db.count("handles"), 1);
        assert_eq!(db.ids("mentions"), vec![4]);
    }

    #[test]
    fn keys_of_any_type_may_be_given_by_reference() {
        let mut db = open!(SCHEMA);
        let ids = [1, 2];
        let borrowed: Vec<&i32> = ids.iter().collect();
        assert_eq!(Mention::delete_by_ids(&borrowed, db.conn()).unwrap().total(), 2);
        let dee = String::from("dee");
        assert_eq!(Handle::delete_by_ids(&[&dee], db.conn()).unwrap().total(), 2);
        assert_eq!(db.ids("mentions"), vec![3]);
        assert_eq!(db.count("handles"), 3);
    }
}

/// PostgreSQL's `uuid` keys.
#[cfg(feature = "postgres")]
mod postgres_uuid {
    use super::*;
    use deletable_tests::PgDb;
    use diesel::prelude::*;
    use uuid::Uuid;

    mod schema {
        diesel::table! { accounts (id) { id -> Uuid, } }
        diesel::table! { sessions (id) { id -> Uuid, account_id -> Uuid, } }
        diesel::table! { audits (id) { id -> Integer, account_id -> Uuid, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = accounts)]
    struct Account {
        id: Uuid,
    }

    /// Hooked, keys only: batches follow the `uuid` key.
    #[derive(Deletable)]
    #[diesel(table_name = sessions, belongs_to(Account))]
    #[deletable(hooks = keys, batch_size = 2)]
    struct Session {
        id: Uuid,
        #[on_delete(cascade)]
        account_id: Uuid,
    }

    deletable_tests::hooks! {
        impl for Session {
            fn before_delete(_, keys: &[Uuid]) {
                SEEN.with(|seen| seen.borrow_mut().extend_from_slice(keys));
                Ok(())
            }
        }
    }

    /// An audit protects its account.
    #[derive(Deletable)]
    #[diesel(table_name = audits, belongs_to(Account))]
    struct Audit {
        id: i32,
        #[on_delete(protect)]
        account_id: Uuid,
    }

    deletable::schema!(Account, Session, Audit);

    thread_local! {
        static SEEN: std::cell::RefCell<Vec<Uuid>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    fn uuid(n: u128) -> Uuid {
        Uuid::from_u128(0x5a5a_0000_0000_4000_8000_0000_0000_0000 | n)
    }

    fn open() -> Option<PgDb> {
        let mut db = PgDb::open(
            "CREATE TABLE accounts (id UUID PRIMARY KEY);
             CREATE TABLE sessions (id UUID PRIMARY KEY, account_id UUID NOT NULL REFERENCES accounts);
             CREATE TABLE audits (id INTEGER PRIMARY KEY, account_id UUID NOT NULL REFERENCES accounts);",
        )?;
        let values = |range: std::ops::RangeInclusive<u128>, of: fn(u128) -> String| {
            range.map(of).collect::<Vec<_>>().join(", ")
        };
        db.exec(&format!(
            "INSERT INTO accounts (id) VALUES {};
             INSERT INTO sessions (id, account_id) VALUES {};
             INSERT INTO audits (id, account_id) VALUES (1, '{}');",
            values(1..=3, |n| format!("('{}')", uuid(n))),
            values(11..=15, |n| format!(
                "('{}', '{}')",
                uuid(n),
                uuid(if n < 15 { 1 } else { 2 })
            )),
            uuid(3),
        ));
        Some(db)
    }

    #[test]
    fn uuid_keys_cascade_through_hooked_batches() {
        let Some(mut db) = open() else { return };
        SEEN.with(|seen| seen.borrow_mut().clear());
        let report = Account::delete_by_ids(&[uuid(1), uuid(2)], db.conn()).unwrap();
        assert_eq!(report.count("sessions"), 5, "{report:?}");
        assert_eq!(report.count("accounts"), 2, "{report:?}");
        let mut seen = SEEN.with(|seen| seen.borrow().clone());
        seen.sort();
        assert_eq!(seen, (11..=15).map(uuid).collect::<Vec<_>>());
        assert_eq!(db.count("accounts"), 1);
    }

    #[test]
    fn a_uuid_blocker_is_listed_by_its_key() {
        let Some(mut db) = open() else { return };
        let error = Account::delete_by_ids(&[uuid(3)], db.conn()).unwrap_err();
        match error {
            DeleteError::Protected { blockers, .. } => assert_eq!(blockers[0].keys, ["1"]),
            other => panic!("{other:?}"),
        }
        assert_eq!(db.count("accounts"), 3);
    }

    #[test]
    fn uuid_keys_past_the_bind_limit_go_through_a_key_table() {
        let Some(mut db) = open() else { return };
        // 65,536 keys: one past what a statement can bind; two of them exist.
        let mut ids: Vec<Uuid> = (1_000..1_000 + 65_534).map(uuid).collect();
        ids.extend([uuid(1), uuid(2)]);
        let report = Account::delete_by_ids(&ids, db.conn()).unwrap();
        assert_eq!(report.count("accounts"), 2, "{report:?}");
        assert_eq!(report.count("sessions"), 5, "{report:?}");
        let left = accounts::table
            .select(accounts::id)
            .load::<Uuid>(db.conn())
            .unwrap();
        assert_eq!(left, vec![uuid(3)]);
    }
}

/// MySQL's and MariaDB's unsigned keys, past the signed range of their width.
#[cfg(any(feature = "mysql", feature = "mariadb"))]
mod mysql_unsigned {
    use super::*;

    mod schema {
        diesel::table! { meters (id) { id -> Unsigned<BigInt>, } }
        diesel::table! { readings (id) { id -> Unsigned<Integer>, meter_id -> Unsigned<BigInt>, } }
        diesel::table! { seals (id) { id -> Unsigned<SmallInt>, meter_id -> Unsigned<BigInt>, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = meters)]
    struct Meter {
        id: u64,
    }

    /// Hooked, keys only: batches follow the unsigned key.
    #[derive(Deletable)]
    #[diesel(table_name = readings, belongs_to(Meter))]
    #[deletable(hooks = keys, batch_size = 2)]
    struct Reading {
        id: u32,
        #[on_delete(cascade)]
        meter_id: u64,
    }

    deletable_tests::hooks! {
        impl for Reading {
            fn before_delete(_, keys: &[u32]) {
                SEEN.with(|seen| seen.borrow_mut().extend_from_slice(keys));
                Ok(())
            }
        }
    }

    /// A seal protects its meter.
    #[derive(Deletable)]
    #[diesel(table_name = seals, belongs_to(Meter))]
    struct Seal {
        id: u16,
        #[on_delete(protect)]
        meter_id: u64,
    }

    deletable::schema!(Meter, Reading, Seal);

    thread_local! {
        static SEEN: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
    }

    /// Past `i64::MAX`, `i32::MAX` and `i16::MAX`.
    const BIG: u64 = 18_000_000_000_000_000_000;
    const READING: u32 = 4_000_000_000;
    const SEAL: u16 = 60_000;

    const SCHEMA: &str = "
        CREATE TABLE meters (id BIGINT UNSIGNED PRIMARY KEY);
        CREATE TABLE readings (id INT UNSIGNED PRIMARY KEY, meter_id BIGINT UNSIGNED NOT NULL,
            FOREIGN KEY (meter_id) REFERENCES meters (id));
        CREATE TABLE seals (id SMALLINT UNSIGNED PRIMARY KEY, meter_id BIGINT UNSIGNED NOT NULL,
            FOREIGN KEY (meter_id) REFERENCES meters (id));
        INSERT INTO meters (id) VALUES (18000000000000000001), (18000000000000000002), (18000000000000000003);
        INSERT INTO readings (id, meter_id) VALUES (4000000001, 18000000000000000001),
            (4000000002, 18000000000000000001), (4000000003, 18000000000000000001),
            (4000000004, 18000000000000000002);
        INSERT INTO seals (id, meter_id) VALUES (60001, 18000000000000000003);
    ";

    macro_rules! unsigned_tests {
        ($module:ident, $db:ty, $feature:literal) => {
            #[cfg(feature = $feature)]
            mod $module {
                use super::*;

                fn open() -> Option<$db> {
                    <$db as TestDb>::open(SCHEMA)
                }

                #[test]
                fn unsigned_keys_past_the_signed_range_cascade_through_hooked_batches() {
                    let Some(mut db) = open() else { return };
                    SEEN.with(|seen| seen.borrow_mut().clear());
                    let report = Meter::delete_by_ids(&[BIG + 1, BIG + 2], db.conn()).unwrap();
                    assert_eq!(report.count("readings"), 4, "{report:?}");
                    assert_eq!(report.count("meters"), 2, "{report:?}");
                    let mut seen = SEEN.with(|seen| seen.borrow().clone());
                    seen.sort();
                    assert_eq!(seen, (1..=4).map(|n| READING + n).collect::<Vec<_>>());
                    assert_eq!(db.count("meters"), 1);
                    assert_eq!(
                        Seal::delete_by_ids(&[SEAL + 1], db.conn()).unwrap().total(),
                        1
                    );
                }

                #[test]
                fn an_unsigned_blocker_is_listed_by_its_key() {
                    let Some(mut db) = open() else { return };
                    let error = Meter::delete_by_ids(&[BIG + 3], db.conn()).unwrap_err();
                    match error {
                        DeleteError::Protected { blockers, .. } => {
                            assert_eq!(blockers[0].keys, ["60001"])
                        }
                        other => panic!("{other:?}"),
                    }
                    assert_eq!(db.count("meters"), 3);
                }

                #[test]
                fn unsigned_keys_past_the_bind_limit_go_through_a_key_table() {
                    let Some(mut db) = open() else { return };
                    // 65,536 keys: one past what a statement can bind; two of them exist.
                    let mut ids: Vec<u64> = (100..100 + 65_534).map(|n| BIG + n).collect();
                    ids.extend([BIG + 1, BIG + 2]);
                    let report = Meter::delete_by_ids(&ids, db.conn()).unwrap();
                    assert_eq!(report.count("meters"), 2, "{report:?}");
                    assert_eq!(report.count("readings"), 4, "{report:?}");
                    assert_eq!(db.count("meters"), 1);
                }
            }
        };
    }

    unsigned_tests!(mysql, deletable_tests::MysqlDb, "mysql");
    unsigned_tests!(mariadb, deletable_tests::MariadbDb, "mariadb");
}

/// A key of the application's own type, as Diesel users write them (a newtype with Diesel's
/// `ToSql`/`FromSql` for the column's SQL type): bound by Diesel as the column's type, through
/// roots, hooked keyset batches, a temporary key table past the bind limit, and blockers.
mod newtype {
    use super::*;
    use diesel::backend::Backend;
    use diesel::deserialize::{self, FromSql};
    use diesel::serialize::{self, Output, ToSql};
    use diesel::sql_types::Integer;

    mod schema {
        diesel::table! { accounts (id) { id -> Integer, } }
        diesel::table! { ledgers (id) { id -> Integer, account_id -> Integer, } }
        diesel::table! { audits (id) { id -> Integer, account_id -> Integer, } }
    }
    use schema::*;

    /// An account's id, never mixed up with another table's.
    #[derive(
        Debug,
        Clone,
        Copy,
        PartialEq,
        Eq,
        PartialOrd,
        Ord,
        diesel::expression::AsExpression,
        diesel::deserialize::FromSqlRow,
    )]
    #[diesel(sql_type = Integer)]
    pub struct AccountId(pub i32);

    impl<DB: Backend> ToSql<Integer, DB> for AccountId
    where
        i32: ToSql<Integer, DB>,
    {
        fn to_sql<'b>(&'b self, out: &mut Output<'b, '_, DB>) -> serialize::Result {
            self.0.to_sql(out)
        }
    }

    impl<DB: Backend> FromSql<Integer, DB> for AccountId
    where
        i32: FromSql<Integer, DB>,
    {
        fn from_sql(bytes: DB::RawValue<'_>) -> deserialize::Result<Self> {
            i32::from_sql(bytes).map(AccountId)
        }
    }

    /// Hooked with keys only: batches go by keyset over the newtype.
    #[derive(Deletable)]
    #[diesel(table_name = accounts)]
    #[deletable(hooks = keys, batch_size = 2)]
    pub struct Account {
        pub id: AccountId,
    }

    deletable_tests::hooks! {
        impl for Account {
            fn before_delete(_, keys: &[AccountId]) {
                assert!(keys.len() <= 2, "{keys:?}");
                Ok(())
            }
        }
    }

    #[derive(Deletable)]
    #[diesel(table_name = ledgers)]
    pub struct Ledger {
        pub id: i32,
        #[on_delete(cascade, references = Account)]
        pub account_id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = audits)]
    pub struct Audit {
        pub id: i32,
        #[on_delete(protect, references = Account)]
        pub account_id: i32,
    }

    deletable::schema!(Account, Ledger, Audit);

    pub const SCHEMA: &str = "
        CREATE TABLE accounts (id INTEGER PRIMARY KEY);
        CREATE TABLE ledgers (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL,
            FOREIGN KEY (account_id) REFERENCES accounts (id));
        CREATE TABLE audits (id INTEGER PRIMARY KEY, account_id INTEGER NOT NULL,
            FOREIGN KEY (account_id) REFERENCES accounts (id));
        INSERT INTO accounts (id) VALUES (1), (2), (3), (4), (5), (6);
        INSERT INTO ledgers (id, account_id) VALUES (1, 1), (2, 2), (3, 3), (4, 5);
        INSERT INTO audits (id, account_id) VALUES (1, 6);
    ";
}

mod newtype_keys {
    use super::*;

    backends! {
        use super::newtype::{Account, AccountId, SCHEMA as NEWTYPE_SCHEMA};

        #[test]
        fn a_newtype_key_is_bound_as_its_column_type() {
            let mut db = open!(NEWTYPE_SCHEMA);
            let report = Account::delete_by_ids(&[AccountId(1), AccountId(2), AccountId(3)], db.conn())
                .unwrap();
            assert_eq!(report.per_table(), &[("ledgers", 3), ("accounts", 3)]);
            assert_eq!(db.ids("accounts"), [4, 5, 6]);
            let account = Account { id: AccountId(5) };
            assert_eq!(account.delete(db.conn()).unwrap().total(), 2);
            match Account::delete_by_ids(&[AccountId(6)], db.conn()) {
                Err(DeleteError::Protected { blockers, .. }) => assert_eq!(blockers[0].keys, ["1"]),
                other => panic!("expected protected, got {other:?}"),
            }
        }

        #[test]
        fn newtype_keys_past_the_bind_limit_go_through_a_key_table() {
            let mut db = open!(NEWTYPE_SCHEMA);
            let limit = if Db::BACKEND == "sqlite" { 32_766 } else { 65_535 };
            let ids: Vec<AccountId> = (1..=limit + 1).map(AccountId).filter(|id| id.0 != 6).collect();
            let report = Account::delete_by_ids(&ids, db.conn()).unwrap();
            assert_eq!(report.per_table(), &[("ledgers", 4), ("accounts", 5)]);
            assert_eq!(db.ids("accounts"), [6]);
        }
    }
}

/// Diesel's string form of `column_name`, for a column whose name is a keyword.
mod keyword_column {
    use super::*;

    mod schema {
        diesel::table! { kinds (id) { id -> Integer, } }
        diesel::table! { things (id) { id -> Integer, r#type -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = kinds)]
    pub struct Kind {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = things)]
    pub struct Thing {
        pub id: i32,
        #[diesel(column_name = "type")]
        #[on_delete(cascade, references = Kind)]
        pub kind: i32,
    }

    deletable::schema!(Kind, Thing);

    const SCHEMA: &str = "
        CREATE TABLE kinds (id INTEGER PRIMARY KEY);
        CREATE TABLE things (id INTEGER PRIMARY KEY, type INTEGER NOT NULL,
            FOREIGN KEY (type) REFERENCES kinds (id));
        INSERT INTO kinds (id) VALUES (1), (2);
        INSERT INTO things (id, type) VALUES (1, 1), (2, 1), (3, 2);
    ";

    backends! {
        use super::{Kind, SCHEMA};

        #[test]
        fn a_column_named_by_a_string_cascades_by_its_sql_name() {
            let mut db = open!(SCHEMA);
            assert_eq!(Kind::plan().to_string(), "kinds\n└── things.type (cascade)\n");
            let report = Kind::delete_by_ids(&[1], db.conn()).unwrap();
            assert_eq!(report.per_table(), &[("things", 2), ("kinds", 1)]);
            assert_eq!(db.ids("things"), [3]);
        }
    }
}

/// `#[deletable(hooks = keys)]` on a composite primary key: the hooks get the key tuples.
mod composite_hook_keys {
    use super::*;

    mod schema {
        diesel::table! { courses (id) { id -> Integer, } }
        diesel::table! { seats (course_id, student_id) { course_id -> Integer, student_id -> Integer, } }
    }
    use schema::*;

    #[derive(Deletable)]
    #[diesel(table_name = courses)]
    pub struct Course {
        pub id: i32,
    }

    #[derive(Deletable)]
    #[diesel(table_name = seats, primary_key(course_id, student_id))]
    #[deletable(hooks = keys, batch_size = 2)]
    pub struct Seat {
        #[on_delete(cascade, references = Course)]
        pub course_id: i32,
        pub student_id: i32,
    }

    deletable_tests::hooks! {
        impl for Seat {
            fn before_delete(_, keys: &[(i32, i32)]) {
                // Course 1's seats only, two at a time, in key order.
                assert!(keys.len() <= 2, "{keys:?}");
                assert!(keys.iter().all(|&(course, _)| course == 1), "{keys:?}");
                assert!(keys.windows(2).all(|pair| pair[0] < pair[1]), "{keys:?}");
                Ok(())
            }
        }
    }

    deletable::schema!(Course, Seat);

    const SCHEMA: &str = "
        CREATE TABLE courses (id INTEGER PRIMARY KEY);
        CREATE TABLE seats (course_id INTEGER NOT NULL, student_id INTEGER NOT NULL,
            PRIMARY KEY (course_id, student_id), FOREIGN KEY (course_id) REFERENCES courses (id));
        INSERT INTO courses (id) VALUES (1), (2);
        INSERT INTO seats (course_id, student_id) VALUES (1, 7), (1, 3), (1, 9), (1, 4), (1, 5), (2, 3);
    ";

    backends! {
        use super::{Course, Seat, SCHEMA};

        #[test]
        fn a_composite_key_goes_to_keys_only_hooks_as_tuples() {
            let mut db = open!(SCHEMA);
            // Course 1's five seats reach the hook in three batches of tuples.
            let report = Course::delete_by_ids(&[1], db.conn()).unwrap();
            assert_eq!(report.per_table(), &[("seats", 5), ("courses", 1)]);
            assert_eq!(db.count("seats"), 1);
            // Roots given as tuples.
            let _ = Seat::delete_by_ids(&[(1, 3)], db.conn()).unwrap();
            assert_eq!(db.count("seats"), 1);
        }

        /// `delete_matching` on a composite key: `(course_id, student_id) IN (SELECT ...)`,
        /// against `delete_where` with the same condition on a twin database.
        #[test]
        fn delete_matching_selects_composite_keys_as_delete_where_does() {
            use super::schema::seats;
            use diesel::prelude::*;
            let mut by_query = open!(SCHEMA);
            let mut by_filter = open!(SCHEMA);
            // Course 1 only: the hook refuses any other course's seats.
            let condition = || seats::course_id.eq(1).and(seats::student_id.lt(5));
            let report = Seat::delete_matching(seats::table.filter(condition()), by_query.conn()).unwrap();
            let expected = Seat::delete_where(condition(), by_filter.conn()).unwrap();
            assert_eq!(report, expected);
            assert_eq!(report.total(), 2, "{report:?}");
            let left = "SELECT course_id AS a, student_id AS b FROM seats ORDER BY course_id, student_id";
            assert_eq!(by_query.pairs(left), by_filter.pairs(left));
            assert_eq!(by_query.pairs(left), [(1, Some(5)), (1, Some(7)), (1, Some(9)), (2, Some(3))]);
        }
    }
}
