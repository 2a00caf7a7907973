//! Drives the service over HTTP on localhost, as a client would, on PostgreSQL when
//! `PG_DATABASE_URL` is set (a schema per test) and on a SQLite file per test otherwise, and
//! checks each answer against the database itself.

use std::net::SocketAddr;

use deletable_service::database::DEMO_ROWS;
use deletable_service::models::schema::audit_log;
use deletable_service::{app, Database};
use diesel::prelude::*;
use diesel_async::{RunQueryDsl, SimpleAsyncConnection};
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

/// A fresh database with the demo rows, of the backend the environment names.
async fn database(test: &str) -> Database {
    let database = match std::env::var("PG_DATABASE_URL") {
        Ok(url) => Database::postgres(&url, &format!("deletable_service_{test}"))
            .await
            .expect("PostgreSQL"),
        Err(_) => {
            eprintln!("PG_DATABASE_URL is not set: the service runs on SQLite");
            let path = std::env::temp_dir().join(format!(
                "deletable-service-{test}-{}.sqlite",
                std::process::id()
            ));
            Database::sqlite(&path.to_string_lossy())
                .await
                .expect("SQLite")
        }
    };
    database.batch_execute(DEMO_ROWS).await.expect("demo rows");
    database
}

/// Serves the app on a free port of 127.0.0.1 for the rest of the test.
async fn serve(database: Database) -> SocketAddr {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("a free port");
    let address = listener.local_addr().expect("its address");
    tokio::spawn(async move { axum::serve(listener, app(database)).await });
    address
}

/// Sends one HTTP/1.1 request and returns the status and the JSON body.
async fn request(address: SocketAddr, method: &str, path: &str) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
    );
    stream.write_all(head.as_bytes()).await.expect("send");
    let mut response = String::new();
    stream.read_to_string(&mut response).await.expect("receive");
    let (head, body) = response
        .split_once("\r\n\r\n")
        .unwrap_or_else(|| panic!("no HTTP response: {response:?}"));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("no status in {head:?}"));
    let body = serde_json::from_str(body).unwrap_or_else(|_| panic!("not JSON: {body:?}"));
    (status, body)
}

/// Evaluates `$body` with `$conn` a pooled connection of the test's backend.
macro_rules! on_connection {
    ($database:expr, |$conn:ident| $body:expr) => {
        match $database {
            Database::Postgres(pool) => {
                let $conn = &mut pool.get().await.expect("a connection");
                $body
            }
            Database::Sqlite(pool) => {
                let $conn = &mut pool.get().await.expect("a connection");
                $body
            }
        }
    };
}

/// The row counts of the tables, read by one statement: one moment of the database even while
/// a delete commits.
#[derive(QueryableByName)]
struct Counts {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    users: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    posts: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    comments: i64,
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    invoices: i64,
}

/// The row count of every table, and the audit log (read after them).
async fn snapshot(database: &Database) -> (Vec<i64>, Vec<String>) {
    on_connection!(database, |conn| {
        let counts: Counts = diesel::sql_query(
            "SELECT (SELECT COUNT(*) FROM users) AS users, (SELECT COUNT(*) FROM posts) AS posts, \
             (SELECT COUNT(*) FROM comments) AS comments, \
             (SELECT COUNT(*) FROM invoices) AS invoices",
        )
        .get_result(conn)
        .await
        .unwrap();
        let counts = vec![counts.users, counts.posts, counts.comments, counts.invoices];
        let audit = audit_log::table
            .select(audit_log::event)
            .order(audit_log::id)
            .load(conn)
            .await
            .unwrap();
        (counts, audit)
    })
}

/// The ids `GET /users` lists.
async fn active_users(address: SocketAddr) -> Vec<i64> {
    let (status, users) = request(address, "GET", "/users").await;
    assert_eq!(status, 200, "{users}");
    users
        .as_array()
        .expect("a list")
        .iter()
        .map(|user| user["id"].as_i64().expect("an id"))
        .collect()
}

fn rows_of(report: &Value, table: &str) -> i64 {
    report["tables"]
        .as_array()
        .expect("the tables")
        .iter()
        .find(|entry| entry["table"] == table)
        .map_or(0, |entry| entry["rows"].as_i64().expect("a count"))
}

#[tokio::test]
async fn a_delete_cascades_and_answers_its_report() {
    let database = database("cascade").await;
    let address = serve(database.clone()).await;

    let (status, report) = request(address, "DELETE", "/users/1").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["total"], 6, "{report}");
    assert_eq!(
        (
            rows_of(&report, "users"),
            rows_of(&report, "posts"),
            rows_of(&report, "comments")
        ),
        (1, 2, 3)
    );
    let (counts, audit) = snapshot(&database).await;
    assert_eq!(counts, [3, 2, 2, 1], "users, posts, comments, invoices");
    assert_eq!(audit, ["deleted user 1 (ada)"]);
    assert_eq!(active_users(address).await, [2, 3, 4]);

    // Gone now: nothing to delete is a 404, and nothing changes.
    let (status, body) = request(address, "DELETE", "/users/1").await;
    assert_eq!(status, 404, "{body}");
    assert_eq!(snapshot(&database).await.0, [3, 2, 2, 1]);
}

#[tokio::test]
async fn a_protected_user_is_a_conflict_that_lists_the_blockers_and_changes_nothing() {
    let database = database("protected").await;
    let address = serve(database.clone()).await;
    let before = snapshot(&database).await;

    let (status, body) = request(address, "DELETE", "/users/2").await;
    assert_eq!(status, 409, "{body}");
    let blockers = body["blockers"].as_array().expect("the blockers");
    assert_eq!(blockers.len(), 1, "{body}");
    assert_eq!(blockers[0]["table"], "invoices");
    assert_eq!(blockers[0]["column"], "user_id");
    assert_eq!(blockers[0]["references"], "users");
    assert_eq!(blockers[0]["count"], 1);
    assert_eq!(blockers[0]["keys"], serde_json::json!(["1"]));
    assert_eq!(snapshot(&database).await, before);
}

#[tokio::test]
async fn a_hook_that_refuses_is_unprocessable_and_changes_nothing() {
    let database = database("refused").await;
    let address = serve(database.clone()).await;
    let before = snapshot(&database).await;

    for (method, path) in [("DELETE", "/users/3"), ("POST", "/users/3/archive")] {
        let (status, body) = request(address, method, path).await;
        assert_eq!(status, 422, "{method} {path}: {body}");
        // The hook's own message comes with the model and table, each once.
        let error = body["error"].as_str().unwrap();
        assert!(error.contains("`User` (table `users`) failed"), "{body}");
        assert_eq!(error.matches("admin account").count(), 1, "{body}");
        assert_eq!(snapshot(&database).await, before, "{method} {path}");
    }
    assert_eq!(active_users(address).await, [1, 2, 3, 4]);
}

#[tokio::test]
async fn archive_and_restore_take_the_posts_along_and_back() {
    let database = database("archive").await;
    let address = serve(database.clone()).await;

    let (status, report) = request(address, "POST", "/users/4/archive").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(
        (rows_of(&report, "users"), rows_of(&report, "posts")),
        (1, 1),
        "{report}"
    );
    assert_eq!(active_users(address).await, [1, 2, 3]);
    // Archived again: nothing left to mark.
    let (status, body) = request(address, "POST", "/users/4/archive").await;
    assert_eq!(status, 404, "{body}");

    let (status, report) = request(address, "POST", "/users/4/restore").await;
    assert_eq!(status, 200, "{report}");
    assert_eq!(report["total"], 2, "{report}");
    assert_eq!(active_users(address).await, [1, 2, 3, 4]);
    let (counts, audit) = snapshot(&database).await;
    assert_eq!(counts, [4, 4, 5, 1], "soft delete removes no row");
    assert_eq!(
        audit,
        ["archived user 4 (linus)", "restored user 4 (linus)"]
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_requests_delete_each_row_once() {
    let database = database("concurrent").await;
    let address = serve(database.clone()).await;

    let requests = [
        ("DELETE", "/users/1"),
        ("DELETE", "/users/1"),
        ("DELETE", "/users/4"),
        ("DELETE", "/users/2"),
        ("POST", "/users/4/archive"),
    ];
    let handles: Vec<_> = requests
        .iter()
        .map(|&(method, path)| tokio::spawn(request(address, method, path)))
        .collect();
    let mut statuses = Vec::new();
    for handle in handles {
        statuses.push(handle.await.expect("the request").0);
    }
    let mut ada = [statuses[0], statuses[1]];
    ada.sort();
    assert_eq!(ada, [200, 404], "ada is deleted once: {statuses:?}");
    assert_eq!(statuses[3], 409, "{statuses:?}");
    // linus is deleted or archived first; the other request finds nothing left to change
    // (an archived user is still deleted by a hard delete).
    let linus = (statuses[2], statuses[4]);
    assert!(
        linus == (200, 200) || linus == (200, 404),
        "linus: {statuses:?}"
    );
    let (counts, audit) = snapshot(&database).await;
    assert_eq!(counts, [2, 1, 1, 1], "users, posts, comments, invoices");
    assert!(
        audit.contains(&"deleted user 1 (ada)".to_owned()),
        "{audit:?}"
    );
    assert!(
        audit.contains(&"deleted user 4 (linus)".to_owned()),
        "{audit:?}"
    );
    assert_eq!(active_users(address).await, [2, 3]);
}

/// Holds a lock the delete of user 1 needs (PostgreSQL: a comment of hers; SQLite: the write
/// lock) from when it says `locked` until it hears `release`.
async fn hold_lock(
    database: Database,
    locked: tokio::sync::oneshot::Sender<()>,
    release: tokio::sync::oneshot::Receiver<()>,
) {
    let lock = match database {
        Database::Postgres(_) => "BEGIN; SELECT id FROM comments WHERE id = 1 FOR UPDATE",
        Database::Sqlite(_) => "BEGIN IMMEDIATE",
    };
    on_connection!(&database, |conn| {
        conn.batch_execute(lock).await.expect("take the lock");
        locked.send(()).expect("the test waits");
        release.await.expect("the test releases");
        conn.batch_execute("COMMIT")
            .await
            .expect("release the lock");
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_delete_goes_to_its_end_when_its_client_leaves() {
    use std::time::{Duration, Instant};

    let database = database("client_gone").await;
    let address = serve(database.clone()).await;
    let (locked, on_locked) = tokio::sync::oneshot::channel();
    let (release, on_release) = tokio::sync::oneshot::channel();
    let blocker = tokio::spawn(hold_lock(database.clone(), locked, on_release));
    on_locked.await.expect("the lock is held");

    // The delete waits on the lock; its client gives up and closes the connection.
    let mut stream = tokio::net::TcpStream::connect(address)
        .await
        .expect("connect");
    let head = format!("DELETE /users/1 HTTP/1.1\r\nHost: {address}\r\nContent-Length: 0\r\n\r\n");
    stream.write_all(head.as_bytes()).await.expect("send");
    tokio::time::sleep(Duration::from_millis(300)).await;
    drop(stream);
    tokio::time::sleep(Duration::from_millis(300)).await;
    release.send(()).expect("the blocker waits");
    blocker.await.expect("the blocker");

    // The delete goes on without its client, to its end.
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let (counts, audit) = snapshot(&database).await;
        if counts == [3, 2, 2, 1] {
            assert_eq!(audit, ["deleted user 1 (ada)"]);
            break;
        }
        assert_eq!(counts, [4, 4, 5, 1], "half a delete");
        assert!(
            Instant::now() < deadline,
            "the delete did not finish once its client left"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    // No transaction is left holding locks: the next requests are answered at once.
    for (path, expected) in [("/users/1", 404), ("/users/4", 200)] {
        let (status, body) =
            tokio::time::timeout(Duration::from_secs(5), request(address, "DELETE", path))
                .await
                .unwrap_or_else(|_| panic!("DELETE {path} waits on a lock"));
        assert_eq!(status, expected, "{path}: {body}");
    }
}
