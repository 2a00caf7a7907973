//! The concurrent writer: another process that inserts a row under another `a` every 10 ms
//! while a delete runs, and reports the longest any insert took.

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use diesel::connection::SimpleConnection;

use crate::methods::{self, Backend};

/// The writer's rows take ids from here, above the scenario's.
pub const FIRST_ID: i32 = 100_000_000;

/// Runs the writer on `target` until its standard input closes, then prints the longest insert
/// in seconds. It prints `ready` once connected.
pub fn run(backend: Backend, target: &str) {
    let mut insert: Box<dyn FnMut(&str)> = match backend {
        Backend::Sqlite => {
            let mut conn = methods::sqlite(target);
            // Wait for the delete's write lock rather than fail.
            conn.batch_execute("PRAGMA busy_timeout = 600000")
                .expect("set the busy timeout");
            Box::new(move |sql| conn.batch_execute(sql).expect("the writer's insert"))
        }
        Backend::Postgres => postgres(target),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let stopping = Arc::clone(&stop);
    std::thread::spawn(move || {
        let _ = std::io::stdin().read_to_end(&mut Vec::new());
        stopping.store(true, Ordering::Relaxed);
    });
    println!("ready");
    let mut longest = Duration::ZERO;
    let mut next = Instant::now();
    let mut id = i64::from(FIRST_ID);
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        insert(&format!(
            "INSERT INTO b (id, a_id, data) VALUES ({id}, 2, '{{\"writer\": {id}}}')"
        ));
        longest = longest.max(started.elapsed());
        id += 1;
        next += Duration::from_millis(10);
        if let Some(wait) = next.checked_duration_since(Instant::now()) {
            std::thread::sleep(wait);
        } else {
            next = Instant::now();
        }
    }
    println!("{}", longest.as_secs_f64());
}

#[cfg(feature = "postgres")]
fn postgres(url: &str) -> Box<dyn FnMut(&str)> {
    let mut conn = methods::postgres(url);
    Box::new(move |sql| conn.batch_execute(sql).expect("the writer's insert"))
}

#[cfg(not(feature = "postgres"))]
fn postgres(_: &str) -> Box<dyn FnMut(&str)> {
    panic!("built without the postgres feature");
}
