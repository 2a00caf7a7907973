//! Django as a method of the benchmark: `bench/django/delete.py`, run by the Python of a
//! virtual environment this module sets up (Django 5.2 and psycopg from PyPI), on the tables
//! and data `methods::prepare` built, measured the same way and printing the same line.

use std::path::PathBuf;
use std::process::{Command, Output};

use crate::methods::{Backend, Method};

/// The benchmark's Django folder: the script, and the virtual environment beside it.
fn folder() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("django")
}

/// The virtual environment's Python, set up on first use.
fn python() -> PathBuf {
    let venv = folder().join(".venv");
    let python = venv.join("bin").join("python");
    if python.exists() {
        return python;
    }
    eprintln!("setting up Django 5.2 in {}", venv.display());
    let status = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .expect("run python3 -m venv");
    assert!(status.success(), "python3 -m venv failed");
    let status = Command::new(&python)
        .args([
            "-m",
            "pip",
            "install",
            "--quiet",
            "Django==5.2.*",
            "psycopg[binary]==3.2.*",
        ])
        .status()
        .expect("run pip");
    assert!(status.success(), "pip install Django failed");
    python
}

/// Runs Django's delete of `a` row 1 on `target` in a child process.
pub fn run(backend: Backend, method: Method, target: &str) -> Output {
    let variant = match method {
        Method::DjangoReceiver => "receiver",
        _ => "stock",
    };
    Command::new(python())
        .arg(folder().join("delete.py"))
        .args([backend.name(), variant, target])
        .output()
        .expect("run the Django child")
}

/// The SQLite library a Python child links (Django's), for the caption: it is the system's,
/// not the one the Rust methods bundle.
pub fn sqlite_version() -> String {
    let output = Command::new(python())
        .args(["-c", "import sqlite3; print(sqlite3.sqlite_version)"])
        .output()
        .expect("ask Python for its SQLite");
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}
