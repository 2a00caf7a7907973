//! The seed article's benchmark: the reference scenario of PRODUCT.md, deleted by each method a
//! Diesel user has, each run in a fresh child process that reports its wall time, its peak RSS
//! (the kernel's `VmHWM`) and the statements it issued.
//!
//! ```sh
//! cargo run --release -p deletable-bench -- --backend sqlite --n 10000,100000 --k 1 --runs 3
//! cargo run --release -p deletable-bench -- plot bench/results/sqlite.png "SQLite, K = 1" bench/results/sqlite-k1*.md
//! cargo run --release -p deletable-bench --features postgres -- --backend postgres --n 100000
//! ```
//!
//! Methods: `native` (the database's own `ON DELETE CASCADE`), `naive` (load every `b` and `c`
//! row whole, then delete by ids: what Django and Rails do), `pages` (the seed article's
//! workaround: ids only, in pages, leaves first), `deletable`, `deletable-hook` (a
//! before-delete hook on `b` receiving whole rows), `deletable-hook-keys` (the same hook given
//! primary keys only: `#[deletable(hooks = keys)]`), and `deletable-declared` (`deletable` over the
//! same `ON DELETE CASCADE` constraints as `native`: on PostgreSQL it leaves the cascades to the
//! database). Every method but these two runs over plain constraints. With the `async` feature,
//! `deletable-async` is `deletable` through `diesel-async` and the asynchronous runner.

#[cfg(feature = "async")]
mod asynchronous;
mod django;
mod documents;
mod methods;
mod plot;
mod scenario;
mod writer;

use std::io::BufRead;
use std::process::{Command, Stdio};
use std::time::Instant;

use methods::{Backend, Method, Outcome};

struct Options {
    backend: Backend,
    sizes: Vec<usize>,
    k: usize,
    runs: usize,
    methods: Vec<Method>,
    url: String,
    /// Whether a concurrent writer runs beside each delete.
    writer: bool,
}

fn parse_options(args: &[String]) -> Result<Options, String> {
    let mut options = Options {
        backend: Backend::Sqlite,
        sizes: vec![10_000, 100_000],
        k: 1,
        runs: 3,
        methods: Method::available(),
        url: std::env::var("PG_DATABASE_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/test".to_owned()),
        writer: false,
    };
    let mut args = args.iter();
    while let Some(flag) = args.next() {
        let value = args.next().ok_or(format!("{flag} needs a value"))?;
        match flag.as_str() {
            "--backend" => options.backend = Backend::parse(value)?,
            "--n" => {
                options.sizes = value
                    .split(',')
                    .map(|n| {
                        n.replace('_', "")
                            .parse()
                            .map_err(|_| format!("bad size {n}"))
                    })
                    .collect::<Result<_, _>>()?
            }
            "--k" => options.k = value.parse().map_err(|_| "bad --k".to_owned())?,
            "--runs" => options.runs = value.parse().map_err(|_| "bad --runs".to_owned())?,
            "--methods" => {
                options.methods = value
                    .split(',')
                    .map(Method::parse)
                    .collect::<Result<_, _>>()?
            }
            "--url" => options.url = value.clone(),
            "--writer" => options.writer = value == "on",
            // Read by the children that run `deletable-chunked`.
            "--chunk" => std::env::set_var("DELETABLE_BENCH_CHUNK", value),
            "--pause" => std::env::set_var("DELETABLE_BENCH_PAUSE", value),
            other => return Err(format!("unknown option {other}")),
        }
    }
    Ok(options)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.first().map(String::as_str) == Some("plot") {
        // deletable-bench plot OUT.png "TITLE" TABLE.md...
        let [_, out, title, tables @ ..] = &args[..] else {
            eprintln!("usage: deletable-bench plot OUT.png TITLE TABLE.md...");
            std::process::exit(2);
        };
        if let Err(error) = plot::draw(out, title, tables) {
            eprintln!("{error}");
            std::process::exit(1);
        }
        return;
    }
    if args.first().map(String::as_str) == Some("writer") {
        writer::run(Backend::parse(&args[1]).expect("backend"), &args[2]);
        return;
    }
    if args.first().map(String::as_str) == Some("child") {
        // Runs one delete on prepared data and prints its outcome: the parent's measurement.
        let backend = Backend::parse(&args[1]).expect("backend");
        let method = Method::parse(&args[2]).expect("method");
        let outcome = methods::run_child(backend, method, &args[3]);
        println!("{}", outcome.to_line());
        return;
    }
    let options = match parse_options(&args) {
        Ok(options) => options,
        Err(error) => {
            eprintln!("{error}\nusage: deletable-bench [--backend sqlite|postgres] [--n 10000,100000] [--k 1] [--runs 3] [--methods native,naive,pages,deletable,deletable-hook,deletable-hook-keys,deletable-declared,deletable-async,deletable-chunked,django,django-receiver] [--url URL] [--writer on] [--chunk ROWS] [--pause MS]");
            std::process::exit(2);
        }
    };
    let work = std::env::temp_dir().join(format!("deletable-bench-{}", std::process::id()));
    std::fs::create_dir_all(&work).expect("create the work directory");
    println!(
        "{} — reference scenario, K = {}, median of {} runs (data rebuilt for each run)\n",
        options.backend.name(),
        options.k,
        options.runs
    );
    if options.writer {
        println!("| N | method | wall time (s) | peak RSS (MB) | statements | rows deleted | longest writing transaction (ms) | longest read (ms) | writer's worst wait (ms) |");
        println!("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
    } else {
        println!("| N | method | wall time (s) | peak RSS (MB) | statements | rows deleted | longest writing transaction (ms) | longest read (ms) |");
        println!("|---:|---|---:|---:|---:|---:|---:|---:|");
    }
    let mut sizes = Vec::new();
    for &n in &options.sizes {
        // Runs alternate between the methods, so a slow spell of the machine (a checkpoint, the
        // other core busy) falls on all of them rather than on one.
        let mut outcomes = vec![Vec::new(); options.methods.len()];
        for run in 0..options.runs {
            for (index, &method) in options.methods.iter().enumerate() {
                let target = match options.backend {
                    Backend::Sqlite => work.join(format!("{}-{n}-{run}.sqlite", method.name())),
                    Backend::Postgres => std::path::PathBuf::from(&options.url),
                };
                let target = target.to_string_lossy().into_owned();
                let started = Instant::now();
                methods::prepare(options.backend, method, &target, n, options.k);
                let prepared = started.elapsed();
                if run == 0 && index == 0 {
                    sizes.push(format!(
                        "N = {n}: {}",
                        methods::stored_size(options.backend, &target)
                    ));
                }
                let writer = options
                    .writer
                    .then(|| start_writer(options.backend, &target));
                let output = if method.is_django() {
                    django::run(options.backend, method, &target)
                } else {
                    Command::new(std::env::current_exe().expect("own path"))
                        .args(["child", options.backend.name(), method.name(), &target])
                        .output()
                        .expect("run the child")
                };
                let writer_wait = writer.map(stop_writer);
                if std::env::var_os("DELETABLE_BENCH_TRACE").is_some() {
                    eprint!("{}", String::from_utf8_lossy(&output.stderr));
                }
                if !output.status.success() {
                    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
                    panic!("{} failed at N = {n}", method.name());
                }
                let mut outcome =
                    Outcome::from_line(String::from_utf8_lossy(&output.stdout).trim())
                        .expect("the child's outcome");
                outcome.writer_wait = writer_wait;
                eprintln!(
                    "  N={n} {} run {}: {:.3} s, {:.1} MB, {} statements, longest writing transaction {:.1} ms, read {:.1} ms{} (data built in {:.1} s)",
                    method.name(),
                    run + 1,
                    outcome.seconds,
                    outcome.peak_kb as f64 / 1024.0,
                    outcome.statements,
                    outcome.longest * 1e3,
                    outcome.longest_read * 1e3,
                    outcome
                        .writer_wait
                        .map_or_else(String::new, |wait| format!(", writer's worst wait {:.1} ms", wait * 1e3)),
                    prepared.as_secs_f64()
                );
                if options.backend == Backend::Sqlite {
                    for suffix in ["", "-wal", "-shm"] {
                        let _ = std::fs::remove_file(format!("{target}{suffix}"));
                    }
                }
                outcomes[index].push(outcome);
            }
        }
        for (method, outcomes) in options.methods.iter().zip(&mut outcomes) {
            let median = Outcome::median(outcomes);
            let writer = median
                .writer_wait
                .map_or_else(String::new, |wait| format!(" {:.1} |", wait * 1e3));
            println!(
                "| {n} | {} | {:.3} | {:.1} | {} | {} | {:.1} | {:.1} |{writer}",
                method.name(),
                median.seconds,
                median.peak_kb as f64 / 1024.0,
                median.statements,
                median.deleted,
                median.longest * 1e3,
                median.longest_read * 1e3
            );
        }
    }
    println!();
    for line in sizes {
        println!("- {line}");
    }
    if options.backend == Backend::Sqlite && options.methods.iter().any(|m| m.is_django()) {
        println!(
            "- Django runs on Python's SQLite {} (with `secure_delete` turned off, as in the Rust methods' SQLite {}), with the same pragmas",
            django::sqlite_version(),
            methods::sqlite_version()
        );
    }
    let _ = std::fs::remove_dir_all(&work);
}

/// Starts the concurrent writer on `target` and waits until it is connected.
fn start_writer(backend: methods::Backend, target: &str) -> std::process::Child {
    let mut writer = Command::new(std::env::current_exe().expect("own path"))
        .args(["writer", backend.name(), target])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .expect("start the writer");
    let mut line = String::new();
    std::io::BufReader::new(writer.stdout.as_mut().expect("piped"))
        .read_line(&mut line)
        .expect("the writer's first line");
    assert_eq!(line.trim(), "ready", "the writer did not start");
    writer
}

/// Stops the writer (closing its input) and reads its worst wait, in seconds.
fn stop_writer(mut writer: std::process::Child) -> f64 {
    drop(writer.stdin.take());
    let output = writer.wait_with_output().expect("wait for the writer");
    assert!(output.status.success(), "the writer failed");
    String::from_utf8_lossy(&output.stdout)
        .trim()
        .parse()
        .expect("the writer's worst wait")
}
