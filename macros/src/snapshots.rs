//! Expansion snapshots: the formatted output of the derive on representative models, kept in
//! `tests/expand/*.expanded.rs` beside each input so that a change to the generated code shows in
//! review. `DELETABLE_BLESS=1 cargo test -p deletable-macros` rewrites them (never under `CI`).

use std::fs;
use std::path::Path;

fn expand_file(input: &Path) -> String {
    let source = fs::read_to_string(input).expect("read the snapshot input");
    let derive_input: syn::DeriveInput = syn::parse_str(&source).expect("parse the snapshot input");
    let tokens = super::derive(&derive_input);
    let file = syn::parse2::<syn::File>(tokens).expect("the expansion parses as a file");
    prettyplease::unparse(&file)
}

#[test]
fn expansions_match_their_snapshots() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/expand");
    let bless = std::env::var_os("DELETABLE_BLESS").is_some() && std::env::var_os("CI").is_none();
    let mut inputs: Vec<_> = fs::read_dir(&dir)
        .expect("tests/expand exists")
        .map(|entry| entry.expect("read tests/expand").path())
        .filter(|path| {
            path.extension().is_some_and(|ext| ext == "rs")
                && !path.to_string_lossy().ends_with(".expanded.rs")
        })
        .collect();
    inputs.sort();
    assert!(
        !inputs.is_empty(),
        "no snapshot inputs in {}",
        dir.display()
    );
    let mut stale = Vec::new();
    for input in inputs {
        let expanded = expand_file(&input);
        let snapshot = input.with_extension("expanded.rs");
        if bless {
            fs::write(&snapshot, &expanded).expect("write the snapshot");
            continue;
        }
        match fs::read_to_string(&snapshot) {
            Ok(expected) if expected == expanded => {}
            Ok(expected) => stale.push(format!(
                "{}: the expansion changed\n--- snapshot\n{expected}\n--- now\n{expanded}",
                snapshot.display()
            )),
            Err(_) => stale.push(format!("{}: missing\n{expanded}", snapshot.display())),
        }
    }
    assert!(
        stale.is_empty(),
        "{}\nrerun with DELETABLE_BLESS=1 to accept",
        stale.join("\n\n")
    );
}
