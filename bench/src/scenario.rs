//! The reference scenario of PRODUCT.md: `a` <- `b` (`a_id`, cascade, `data` ~4 KB of JSON text)
//! <- `c` (`b_id`, cascade). One `a` with N `b` rows and K `c` rows per `b` is deleted; a second
//! `a` with a few rows stays. The same models three times: without hooks, with a before-delete hook
//! on `b` that receives whole rows, and with one that receives primary keys only.

// The models mirror their tables; the methods read only some of the fields.
#![allow(dead_code)]

use deletable::{DeleteHooks, HookError};

pub mod schema {
    diesel::table! { a (id) { id -> Integer, } }
    diesel::table! { b (id) { id -> Integer, a_id -> Integer, data -> Text, } }
    diesel::table! { c (id) { id -> Integer, b_id -> Integer, } }
    diesel::allow_tables_to_appear_in_same_query!(a, b, c);
}

/// The three models of the scenario in a module of their own; `$hooks` is the model attribute
/// that `b` gets, if any.
macro_rules! models {
    ($(#[$doc:meta])* $module:ident $(, $hooks:meta)?) => {
        $(#[$doc])*
        pub mod $module {
            use super::schema::*;
            use deletable::Deletable;
            use diesel::prelude::*;

            #[derive(Queryable, Selectable, Deletable)]
            #[diesel(table_name = a)]
            pub struct A {
                pub id: i32,
            }

            #[derive(Queryable, Selectable, Deletable)]
            #[diesel(table_name = b, belongs_to(A))]
            $(#[$hooks])?
            pub struct B {
                pub id: i32,
                #[on_delete(cascade)]
                pub a_id: i32,
                pub data: String,
            }

            #[derive(Queryable, Selectable, Deletable)]
            #[diesel(table_name = c, belongs_to(B))]
            pub struct C {
                pub id: i32,
                #[on_delete(cascade)]
                pub b_id: i32,
            }

            deletable::schema!(A, B, C);
        }
    };
}

models!(
    /// The models without hooks.
    plain
);
models!(
    /// The same models, with a before-delete hook on `b` that receives whole rows.
    hooked,
    deletable(hooks)
);
models!(
    /// The same models, with a before-delete hook on `b` that receives primary keys only.
    keyed,
    deletable(hooks = keys)
);

/// What the hook does with each batch: reads every row whole, so none is optimised away.
pub static HOOK_BYTES: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// What the keys-only hook does with each batch: adds up the keys.
pub static HOOK_KEYS: std::sync::atomic::AtomicI64 = std::sync::atomic::AtomicI64::new(0);

fn see_rows(rows: &[hooked::B]) -> Result<(), HookError> {
    let bytes: usize = rows.iter().map(|row| row.data.len()).sum();
    HOOK_BYTES.fetch_add(bytes, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

fn see_keys(keys: &[i32]) -> Result<(), HookError> {
    let sum: i64 = keys.iter().map(|&key| i64::from(key)).sum();
    HOOK_KEYS.fetch_add(sum, std::sync::atomic::Ordering::Relaxed);
    Ok(())
}

/// The hooks of `b`, for one connection type (named: `deletable` gives them to the pooled
/// connections of that type).
macro_rules! hooks_for {
    ($conn:ty) => {
        impl DeleteHooks<$conn> for hooked::B {
            fn before_delete(_: &mut $conn, rows: &[hooked::B]) -> Result<(), HookError> {
                see_rows(rows)
            }
        }
        impl DeleteHooks<$conn> for keyed::B {
            fn before_delete(_: &mut $conn, keys: &[i32]) -> Result<(), HookError> {
                see_keys(keys)
            }
        }
    };
}

hooks_for!(diesel::SqliteConnection);
#[cfg(feature = "postgres")]
hooks_for!(diesel::PgConnection);

/// The DDL, with the foreign keys' action (`ON DELETE CASCADE` for the native method), and the
/// table of documents the `b` rows draw their `data` from while the scenario is built.
pub fn ddl(action: &str) -> String {
    format!(
        "CREATE TABLE a (id INTEGER PRIMARY KEY);
         CREATE TABLE b (id INTEGER PRIMARY KEY, a_id INTEGER NOT NULL, data TEXT NOT NULL,
             FOREIGN KEY (a_id) REFERENCES a (id) {action});
         CREATE INDEX b_a_id ON b (a_id);
         CREATE TABLE c (id INTEGER PRIMARY KEY, b_id INTEGER NOT NULL,
             FOREIGN KEY (b_id) REFERENCES b (id) {action});
         CREATE INDEX c_b_id ON c (b_id);
         CREATE TABLE documents (id INTEGER PRIMARY KEY, body TEXT NOT NULL);"
    )
}

diesel::table! { documents (id) { id -> Integer, body -> Text, } }

/// The seed of the documents: the same data for every run, method and backend.
const SEED: u64 = 2026;

/// The rows of `documents`, in chunks of one `INSERT` each.
pub fn document_rows() -> Vec<Vec<(i32, String)>> {
    let rows: Vec<(i32, String)> = (0..crate::documents::DISTINCT)
        .map(|index| (index as i32, crate::documents::document(SEED, index)))
        .collect();
    rows.chunks(100).map(<[_]>::to_vec).collect()
}

/// Inserts the documents on a connection: `documents` holds them while the rows are built.
macro_rules! insert_documents {
    ($conn:expr) => {{
        use diesel::prelude::*;
        use $crate::scenario::documents;
        for chunk in $crate::scenario::document_rows() {
            let values: Vec<_> = chunk
                .iter()
                .map(|(id, body)| (documents::id.eq(*id), documents::body.eq(body)))
                .collect();
            diesel::insert_into(documents::table)
                .values(values)
                .execute($conn)
                .expect("insert the documents");
        }
    }};
}
pub(crate) use insert_documents;

/// The rows: `a` 1 with `n` `b` rows of ~4 KB JSON and `k` `c` rows per `b`; `a` 2 with 10 `b`
/// rows and their `c` rows, which stay. `seq` is the backend's row source for `1..=count` as
/// column `x`. Each `b` row's `data` is one of the documents with the row's id put first; the
/// documents' table is dropped at the end.
pub fn fill_sql(n: usize, k: usize, seq: impl Fn(usize) -> String) -> Vec<String> {
    let distinct = crate::documents::DISTINCT;
    vec![
        "INSERT INTO a (id) VALUES (1), (2)".to_owned(),
        format!(
            "INSERT INTO b (id, a_id, data) \
             SELECT x, CASE WHEN x <= {n} THEN 1 ELSE 2 END, \
                 '{{\"id\": ' || x || ', ' || substr(documents.body, 2) \
             FROM {} JOIN documents ON documents.id = x % {distinct}",
            seq(n + 10)
        ),
        format!(
            "INSERT INTO c (id, b_id) SELECT x, (x - 1) / {k} + 1 FROM {}",
            seq((n + 10) * k)
        ),
        "DROP TABLE documents".to_owned(),
    ]
}
