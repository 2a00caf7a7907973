//! The HTTP API: `DELETE /users/{id}` deletes a user with their posts and comments and answers
//! the report as JSON (404 when there is no such user, 409 with the blockers when invoices
//! protect them, 422 when a hook refuses); `POST /users/{id}/archive` and
//! `POST /users/{id}/restore` soft-delete and restore; `GET /users` lists the active users.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use deletable::{AsyncDeletable, AsyncSoftDelete, DeleteError, DeleteReport};
use diesel::prelude::*;
use diesel_async::RunQueryDsl;
use serde_json::{json, Value};

use crate::database::Database;
use crate::models::schema::users;
use crate::models::User;

/// A status and a JSON body.
pub type Reply = (StatusCode, Json<Value>);

/// The service's routes over `database`.
pub fn app(database: Database) -> Router {
    Router::new()
        .route("/users", get(list_users))
        .route("/users/{id}", delete(delete_user))
        .route("/users/{id}/archive", post(archive_user))
        .route("/users/{id}/restore", post(restore_user))
        .with_state(database)
}

/// Evaluates `$body` with `$conn` a connection from the pool of the service's backend: the
/// same code, compiled for each connection type. The pooled connection is passed as it is, in
/// a task of its own: should the request be dropped (a client gone, a timeout), the operation
/// still completes or rolls back, and its connection goes back to the pool without an open
/// transaction holding locks.
macro_rules! on_connection {
    ($database:expr, |$conn:ident| $body:expr) => {
        match $database {
            Database::Postgres(pool) => match pool.get().await {
                Ok(mut pooled) => {
                    own_task(async move {
                        let $conn = &mut pooled;
                        $body
                    })
                    .await
                }
                Err(error) => Err(unavailable(error)),
            },
            Database::Sqlite(pool) => match pool.get().await {
                Ok(mut pooled) => {
                    own_task(async move {
                        let $conn = &mut pooled;
                        $body
                    })
                    .await
                }
                Err(error) => Err(unavailable(error)),
            },
        }
    };
}

/// Runs `work` to its end whatever becomes of the request that awaits it.
async fn own_task<T: Send + 'static>(
    work: impl std::future::Future<Output = T> + Send + 'static,
) -> Result<T, Reply> {
    tokio::spawn(work)
        .await
        .map_err(|error| failure(StatusCode::INTERNAL_SERVER_ERROR, &error))
}

async fn delete_user(State(database): State<Database>, Path(id): Path<i32>) -> Reply {
    let outcome = on_connection!(&database, |conn| User::delete_by_ids(&[id], conn).await);
    answer(outcome, id)
}

async fn archive_user(State(database): State<Database>, Path(id): Path<i32>) -> Reply {
    let outcome = on_connection!(&database, |conn| {
        User::soft_delete_by_ids(&[id], conn).await
    });
    answer(outcome, id)
}

async fn restore_user(State(database): State<Database>, Path(id): Path<i32>) -> Reply {
    let outcome = on_connection!(&database, |conn| {
        User::restore_where(users::id.eq(id), conn).await
    });
    answer(outcome, id)
}

async fn list_users(State(database): State<Database>) -> Reply {
    let users = on_connection!(&database, |conn| {
        User::active()
            .select(User::as_select())
            .order(users::id)
            .load(conn)
            .await
    });
    match users {
        Ok(Ok(users)) => {
            let users: Vec<Value> = users
                .iter()
                .map(|user| json!({ "id": user.id, "name": user.name }))
                .collect();
            (StatusCode::OK, Json(json!(users)))
        }
        Ok(Err(error)) => failure(StatusCode::INTERNAL_SERVER_ERROR, &error),
        Err(reply) => reply,
    }
}

/// The reply to an operation on user `id`: its report, or why it did not happen.
fn answer(outcome: Result<Result<DeleteReport, DeleteError>, Reply>, id: i32) -> Reply {
    match outcome {
        Ok(Ok(report)) if report.total() == 0 => (
            StatusCode::NOT_FOUND,
            Json(json!({ "error": format!("no user {id} to change") })),
        ),
        Ok(Ok(report)) => (StatusCode::OK, Json(report_json(&report))),
        Ok(Err(error)) => refusal(&error),
        Err(reply) => reply,
    }
}

/// `{"total": 4, "tables": [{"table": "comments", "rows": 3}, ...]}`, in plan order.
fn report_json(report: &DeleteReport) -> Value {
    let tables: Vec<Value> = report
        .per_table()
        .iter()
        .map(|(table, rows)| json!({ "table": table, "rows": rows }))
        .collect();
    json!({ "total": report.total(), "tables": tables })
}

fn refusal(error: &DeleteError) -> Reply {
    match error {
        DeleteError::Protected { blockers, .. } | DeleteError::Restricted { blockers, .. } => {
            let blockers: Vec<Value> = blockers
                .iter()
                .map(|blocker| {
                    json!({
                        "table": blocker.table,
                        "column": blocker.column,
                        "references": blocker.parent_table,
                        "count": blocker.count,
                        "keys": blocker.keys,
                    })
                })
                .collect();
            (
                StatusCode::CONFLICT,
                Json(json!({ "error": error.to_string(), "blockers": blockers })),
            )
        }
        DeleteError::ParentSoftDeleted { .. } => failure(StatusCode::CONFLICT, &chain(error)),
        DeleteError::Hook { .. } => failure(StatusCode::UNPROCESSABLE_ENTITY, &chain(error)),
        _ => failure(StatusCode::INTERNAL_SERVER_ERROR, &chain(error)),
    }
}

/// The error and its causes (a hook's error, the database's), as `anyhow` prints a chain:
/// `before_delete hook of `User` (table `users`) failed: user 3 is the admin account`.
fn chain(error: &dyn std::error::Error) -> String {
    std::iter::successors(Some(error), |error| error.source())
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join(": ")
}

fn failure(status: StatusCode, error: &dyn std::fmt::Display) -> Reply {
    (status, Json(json!({ "error": error.to_string() })))
}

fn unavailable(error: impl std::fmt::Display) -> Reply {
    failure(StatusCode::SERVICE_UNAVAILABLE, &error)
}
