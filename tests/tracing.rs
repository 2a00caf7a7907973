//! The `tracing` feature: one span per operation, one event per statement, with the fields the
//! crate docs list. Held against the connection's own log of the statements it ran (one event
//! each, transaction control aside) and against the operation's report (the rows of its
//! `delete` events, per table).

// The models mirror their tables; the tests read only some of the fields.
#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use deletable::{Deletable, DeleteOptions};
use deletable_tests::{backends, TestDb};
use tracing::field::{Field, Visit};
use tracing::span::{Attributes, Id, Record};
use tracing::{Event, Metadata, Subscriber};

mod schema {
    diesel::table! { users (id) { id -> Integer, } }
    diesel::table! { posts (id) { id -> Integer, user_id -> Integer, } }
    diesel::table! { comments (id) { id -> Integer, post_id -> Integer, } }
}
use schema::*;

#[derive(Deletable)]
#[diesel(table_name = users)]
struct User {
    id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = posts, belongs_to(User))]
struct Post {
    id: i32,
    #[on_delete(cascade)]
    user_id: i32,
}

#[derive(Deletable)]
#[diesel(table_name = comments, belongs_to(Post))]
struct Comment {
    id: i32,
    #[on_delete(cascade)]
    post_id: i32,
}

deletable::schema!(User, Post, Comment);

const SCHEMA: &str = "
    CREATE TABLE users (id INTEGER PRIMARY KEY);
    CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL,
        FOREIGN KEY (user_id) REFERENCES users (id));
    CREATE TABLE comments (id INTEGER PRIMARY KEY, post_id INTEGER NOT NULL,
        FOREIGN KEY (post_id) REFERENCES posts (id));
    INSERT INTO users (id) VALUES (1), (2);
    INSERT INTO posts (id, user_id) VALUES (10, 1), (11, 1), (12, 1), (20, 2);
    INSERT INTO comments (id, post_id) VALUES (100, 10), (101, 10), (110, 11), (200, 20);
";

/// A span's or an event's name, target, level and fields, as text.
#[derive(Debug, Clone)]
struct Seen {
    name: String,
    target: String,
    level: tracing::Level,
    fields: BTreeMap<String, String>,
    /// For an event: the span it was told in.
    span: Option<u64>,
}

impl Visit for Seen {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.fields
            .insert(field.name().to_owned(), format!("{value:?}"));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.fields
            .insert(field.name().to_owned(), value.to_owned());
    }
}

/// A subscriber that keeps every span and event.
#[derive(Clone, Default)]
struct Capture {
    spans: Arc<Mutex<Vec<(u64, Seen)>>>,
    events: Arc<Mutex<Vec<Seen>>>,
    entered: Arc<Mutex<Vec<u64>>>,
    next: Arc<AtomicU64>,
}

fn seen(metadata: &Metadata<'_>, span: Option<u64>) -> Seen {
    Seen {
        name: metadata.name().to_owned(),
        target: metadata.target().to_owned(),
        level: *metadata.level(),
        fields: BTreeMap::new(),
        span,
    }
}

impl Subscriber for Capture {
    fn enabled(&self, _: &Metadata<'_>) -> bool {
        true
    }

    fn new_span(&self, attributes: &Attributes<'_>) -> Id {
        let id = self.next.fetch_add(1, Ordering::Relaxed) + 1;
        let mut span = seen(attributes.metadata(), None);
        attributes.record(&mut span);
        self.spans.lock().unwrap().push((id, span));
        Id::from_u64(id)
    }

    fn record(&self, _: &Id, _: &Record<'_>) {}

    fn record_follows_from(&self, _: &Id, _: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let current = self.entered.lock().unwrap().last().copied();
        let mut seen = seen(event.metadata(), current);
        event.record(&mut seen);
        self.events.lock().unwrap().push(seen);
    }

    fn enter(&self, span: &Id) {
        self.entered.lock().unwrap().push(span.into_u64());
    }

    fn exit(&self, span: &Id) {
        let mut entered = self.entered.lock().unwrap();
        if let Some(at) = entered.iter().rposition(|id| *id == span.into_u64()) {
            entered.remove(at);
        }
    }
}

backends! {
    #[test]
    fn an_operation_is_a_span_and_each_statement_an_event() {
        let Some(mut db) = Db::open(SCHEMA) else { return };
        let capture = Capture::default();
        db.log().clear();
        let report = tracing::subscriber::with_default(capture.clone(), || {
            User::delete_by_ids(&[1, 404], db.conn()).unwrap()
        });
        let run = db.log().without_control();

        let spans = capture.spans.lock().unwrap().clone();
        assert_eq!(spans.len(), 1, "{spans:#?}");
        let (span_id, span) = &spans[0];
        assert_eq!((span.name.as_str(), span.target.as_str()), ("deletable", "deletable"));
        assert_eq!(span.level, tracing::Level::INFO);
        assert_eq!(span.fields["model"], "users");
        assert_eq!(span.fields["operation"], "delete");
        assert_eq!(span.fields["roots"], "2");
        assert_eq!(span.fields["chunk_size"], "0");

        let events = capture.events.lock().unwrap().clone();
        assert_eq!(events.len(), run.len(), "one event per statement:\n{events:#?}\n{run:#?}");
        let mut deleted: BTreeMap<String, u64> = BTreeMap::new();
        for event in &events {
            assert_eq!(event.target, "deletable");
            assert_eq!(event.level, tracing::Level::DEBUG);
            assert_eq!(event.span, Some(*span_id), "told outside its operation's span");
            assert_eq!(event.fields["message"], "statement");
            assert!(event.fields["elapsed_us"].parse::<u64>().is_ok(), "{event:?}");
            let rows: i64 = event.fields["rows"].parse().unwrap();
            assert!(rows >= 0, "{event:?}");
            if event.fields["kind"] == "delete" {
                *deleted.entry(event.fields["table"].clone()).or_default() += rows as u64;
            }
        }
        let reported: BTreeMap<String, u64> =
            report.per_table().iter().map(|(table, rows)| (table.to_string(), *rows)).collect();
        assert_eq!(deleted, reported);
    }

    #[test]
    fn a_chunked_delete_and_a_preview_are_spans_too() {
        let Some(mut db) = Db::open(SCHEMA) else { return };
        let capture = Capture::default();
        tracing::subscriber::with_default(capture.clone(), || {
            let preview = User::preview_delete_by_ids(&[2], db.conn()).unwrap();
            assert_eq!(preview.rows().total(), 3);
            User::delete_by_ids_with(&[1], &DeleteOptions::chunked(2), db.conn()).unwrap();
        });
        let spans = capture.spans.lock().unwrap().clone();
        let described: Vec<(String, String)> = spans
            .iter()
            .map(|(_, span)| (span.fields["operation"].clone(), span.fields["chunk_size"].clone()))
            .collect();
        assert_eq!(
            described,
            [("preview_delete".to_owned(), "0".to_owned()), ("delete".to_owned(), "2".to_owned())]
        );
        // A failed statement is told with rows = -1: none here.
        let events = capture.events.lock().unwrap().clone();
        assert!(events.iter().all(|event| event.fields["rows"] != "-1"), "{events:#?}");
        assert!(events.iter().any(|event| event.fields["kind"] == "count_rows"));
    }
}
