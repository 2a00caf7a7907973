//! An axum service that deletes through `deletable` on a deadpool of `diesel-async`
//! connections: PostgreSQL when `PG_DATABASE_URL` is set, SQLite otherwise. See `main.rs` to
//! run it and `tests/http.rs` for what it answers.

pub mod database;
pub mod models;
pub mod routes;

pub use database::Database;
pub use routes::app;
