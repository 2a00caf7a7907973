//! A large delete in chunked mode, with a progress bar: a tenant with 200,000 orders of 10 lines
//! each in a SQLite file, deleted in transactions of at most 5,000 rows, the bar drawn from the
//! progress the delete reports after each chunk.
//!
//! Run with `cargo run --release --example chunked`.

// The models mirror their tables; the example reads none of their fields.
#![allow(dead_code)]

use std::time::Instant;

use deletable::{Deletable, DeleteOptions};
use diesel::connection::SimpleConnection;
use diesel::prelude::*;
use indicatif::{ProgressBar, ProgressStyle};

mod schema {
    diesel::table! { tenants (id) { id -> Integer, } }
    diesel::table! { orders (id) { id -> Integer, tenant_id -> Integer, note -> Text, } }
    diesel::table! { order_lines (id) { id -> Integer, order_id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = tenants)]
struct Tenant {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = orders, belongs_to(Tenant))]
struct Order {
    id: i32,
    #[on_delete(cascade)]
    tenant_id: i32,
    note: String,
}

#[derive(Deletable)]
#[diesel(table_name = order_lines, belongs_to(Order))]
struct OrderLine {
    id: i32,
    #[on_delete(cascade)]
    order_id: i32,
}

deletable::schema!(Tenant, Order, OrderLine);

const ORDERS: u32 = 200_000;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path =
        std::env::temp_dir().join(format!("deletable-chunked-{}.sqlite", std::process::id()));
    let mut conn = SqliteConnection::establish(path.to_str().ok_or("a UTF-8 path")?)?;
    conn.batch_execute(&format!(
        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;
         CREATE TABLE tenants (id INTEGER PRIMARY KEY);
         CREATE TABLE orders (id INTEGER PRIMARY KEY, tenant_id INTEGER NOT NULL REFERENCES tenants,
                              note TEXT NOT NULL);
         CREATE TABLE order_lines (id INTEGER PRIMARY KEY, order_id INTEGER NOT NULL REFERENCES orders);
         CREATE INDEX orders_tenant ON orders (tenant_id);
         CREATE INDEX order_lines_order ON order_lines (order_id);
         BEGIN;
         INSERT INTO tenants VALUES (1), (2);
         WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {ORDERS})
         INSERT INTO orders SELECT x, 1 + (x % 50 = 0), 'order ' || x || ' of the spring catalogue' FROM n;
         WITH RECURSIVE n(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM n WHERE x < {lines})
         INSERT INTO order_lines SELECT x, 1 + (x - 1) / 10 FROM n;
         COMMIT;",
        lines = ORDERS * 10
    ))?;

    let bar = ProgressBar::new(0);
    bar.set_style(ProgressStyle::with_template(
        "{elapsed_precise} [{wide_bar}] {pos}/{len} rows, {msg}",
    )?);
    let drawn = bar.clone();
    let options =
        DeleteOptions::chunked(DeleteOptions::DEFAULT_CHUNK_SIZE).on_progress(move |progress| {
            drawn.set_length(progress.total());
            drawn.set_position(progress.done());
            let current = progress
                .tables
                .iter()
                .find(|table| table.done < table.total)
                .map_or("done", |table| table.table);
            drawn.set_message(format!("{} chunks, now {current}", progress.chunks));
        });
    let started = Instant::now();
    let report = Tenant::delete_by_ids_with(&[1], &options, &mut conn)?;
    bar.finish();
    println!("{report} in {:.2?}", started.elapsed());

    let left: i64 = orders::table.count().get_result(&mut conn)?;
    println!("orders left (tenant 2's): {left}");
    drop(conn);
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    Ok(())
}
