//! Serves the API of `routes.rs` on 127.0.0.1:3000 (or `LISTEN`), over PostgreSQL when
//! `PG_DATABASE_URL` is set (schema `deletable_service`, created afresh) and a SQLite file in the
//! temporary directory otherwise, with the demo rows.
//!
//! ```sh
//! cargo run -p deletable-service
//! curl -X DELETE localhost:3000/users/1     # 200: the report, ada with her posts and comments
//! curl -X DELETE localhost:3000/users/2     # 409: grace's invoice protects her
//! curl -X DELETE localhost:3000/users/3     # 422: the hooks refuse the admin account
//! curl -X POST localhost:3000/users/4/archive; curl localhost:3000/users
//! curl -X POST localhost:3000/users/4/restore
//! ```

use deletable_service::database::DEMO_ROWS;
use deletable_service::{app, Database};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let database = match std::env::var("PG_DATABASE_URL") {
        Ok(url) => Database::postgres(&url, "deletable_service").await?,
        Err(_) => {
            let path = std::env::temp_dir().join("deletable-service.sqlite");
            Database::sqlite(&path.to_string_lossy()).await?
        }
    };
    database.batch_execute(DEMO_ROWS).await?;
    let address = std::env::var("LISTEN").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = tokio::net::TcpListener::bind(&address).await?;
    println!(
        "deletable-service on http://{} over {}",
        listener.local_addr()?,
        database.backend()
    );
    axum::serve(listener, app(database)).await?;
    Ok(())
}
