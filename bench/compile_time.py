#!/usr/bin/env python3
"""Compile-time cost of the derive: `cargo check` of a generated crate with 50 models and 60
relations, with and without `Deletable`, cold (the crate from scratch, dependencies built) and
after touching one of its files. Prints a markdown table of medians.

Usage: python3 bench/compile_time.py [--runs N]   (default 5)
"""

import argparse
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MODELS = 50
RELATIONS = 60
FILES = 5


def relations():
    """60 foreign keys among 50 models: each model after the first hangs under an earlier one,
    and 11 more edges point back at earlier models."""
    rng = random.Random(7)
    edges = [(child, rng.randrange(child), "cascade") for child in range(1, MODELS)]
    while len(edges) < RELATIONS:
        child = rng.randrange(1, MODELS)
        parent = rng.randrange(child)
        edges.append((child, parent, rng.choice(["set_null", "protect", "restrict", "cascade"])))
    return edges


def generate(dir: Path, deletable: bool):
    edges = relations()
    fks = {m: [] for m in range(MODELS)}
    for index, (child, parent, action) in enumerate(edges):
        fks[child].append((f"fk{index}_m{parent}", parent, action))
    (dir / "src").mkdir(parents=True)
    deps = f'diesel = {{ version = "2.3", default-features = false, features = ["sqlite"] }}\n'
    if deletable:
        deps += f'deletable = {{ path = "{ROOT / "runtime"}" }}\n'
    (dir / "Cargo.toml").write_text(
        f'[package]\nname = "{dir.name}"\nversion = "0.0.0"\nedition = "2021"\n\n'
        f"[dependencies]\n{deps}\n[workspace]\n"
    )
    schema = ["// generated"]
    for m in range(MODELS):
        columns = ["id -> Integer,"]
        for name, _, action in fks[m]:
            nullable = action == "set_null"
            columns.append(f"{name} -> {'Nullable<Integer>' if nullable else 'Integer'},")
        schema.append(f"diesel::table! {{ m{m} (id) {{ {' '.join(columns)} }} }}")
    (dir / "src/schema.rs").write_text("\n".join(schema) + "\n")
    per_file = MODELS // FILES
    lib = ["#![allow(dead_code, unused_imports)]", "pub mod schema;"]
    for f in range(FILES):
        lib.append(f"pub mod models{f};")
        lines = ["use diesel::prelude::*;", "use crate::schema::*;", "use crate::models::*;"]
        if deletable:
            lines.append("use deletable::Deletable;")
        for m in range(f * per_file, (f + 1) * per_file):
            derives = "Queryable, Selectable, Identifiable" + (", Deletable" if deletable else "")
            lines.append(f"#[derive({derives})]")
            lines.append(f"#[diesel(table_name = m{m})]")
            lines.append(f"pub struct M{m} {{")
            lines.append("    pub id: i32,")
            for name, parent, action in fks[m]:
                if deletable:
                    lines.append(f"    #[on_delete({action}, references = M{parent})]")
                ty = "Option<i32>" if action == "set_null" else "i32"
                lines.append(f"    pub {name}: {ty},")
            lines.append("}")
        (dir / f"src/models{f}.rs").write_text("\n".join(lines) + "\n")
    lib.append("pub mod models {")
    for f in range(FILES):
        lib.append(f"    pub use crate::models{f}::*;")
    lib.append("}")
    if deletable:
        lib.append("use models::*;")
        lib.append(f"deletable::schema!({', '.join(f'M{m}' for m in range(MODELS))});")
        # Use every plan, so their constants are evaluated as in a real program.
        lib.append("pub fn plans() -> Vec<String> {")
        lib.append("    use deletable::Deletable;")
        lib.append(f"    vec![{', '.join(f'M{m}::plan().to_string()' for m in range(MODELS))}]")
        lib.append("}")
    (dir / "src/lib.rs").write_text("\n".join(lib) + "\n")


def check(dir: Path, target: Path) -> float:
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    start = time.monotonic()
    subprocess.run(["cargo", "check", "-q"], cwd=dir, env=env, check=True)
    return time.monotonic() - start


def measure(dirs, target: Path, runs: int):
    """Times each crate cold and touched, alternating between the crates run by run, so that a
    slow spell of the machine falls on both rather than on one."""
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    for dir in dirs:
        check(dir, target)  # build the dependencies once
    cold = {dir.name: [] for dir in dirs}
    touched = {dir.name: [] for dir in dirs}
    for _ in range(runs):
        for dir in dirs:
            subprocess.run(["cargo", "clean", "-q", "-p", dir.name], cwd=dir, env=env, check=True)
            cold[dir.name].append(check(dir, target))
            models = dir / "src/models2.rs"
            models.write_text(models.read_text() + "\n// touched\n")
            touched[dir.name].append(check(dir, target))
    for dir in dirs:
        print(
            f"{dir.name}: cold {['%.2f' % t for t in cold[dir.name]]}, "
            f"touched {['%.2f' % t for t in touched[dir.name]]}",
            file=sys.stderr,
        )
    return {
        dir.name: (statistics.median(cold[dir.name]), statistics.median(touched[dir.name]))
        for dir in dirs
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="deletable-compile-time-"))
    target = work / "target"
    try:
        dirs = []
        for name, deletable in [("plain_diesel", False), ("with_deletable", True)]:
            generate(work / name, deletable)
            dirs.append(work / name)
        results = measure(dirs, target, args.runs)
        plain, with_deletable = results["plain_diesel"], results["with_deletable"]
        print(f"`cargo check`, {MODELS} models, {RELATIONS} relations, median of {args.runs} runs\n")
        print("| crate | cold (s) | after touching one file (s) |")
        print("|---|---|---|")
        print(f"| Diesel derives only | {plain[0]:.2f} | {plain[1]:.2f} |")
        print(f"| + `Deletable` and `deletable::schema!` | {with_deletable[0]:.2f} | {with_deletable[1]:.2f} |")
        print(
            f"| overhead | {100 * (with_deletable[0] / plain[0] - 1):+.0f}% "
            f"| {100 * (with_deletable[1] / plain[1] - 1):+.0f}% |"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
