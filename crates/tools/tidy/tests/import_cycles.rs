//! No import cycle between the files of any crate of the workspace (ARCHITECTURE.md,
//! "Cross-cutting concerns"). The detector itself is checked on small fixtures first.

use std::path::{Path, PathBuf};

use hikari_tidy::{cycles, module_graph};

/// A crate in a temporary directory, from (file, contents) pairs.
fn fixture(name: &str, files: &[(&str, &str)]) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("hikari-tidy-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for (file, text) in files {
        let path = dir.join(file);
        std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
        std::fs::write(path, text).expect("write");
    }
    dir.join("lib.rs")
}

fn cycles_of(root: &Path) -> Vec<Vec<String>> {
    cycles(&module_graph(root).expect("graph"))
}

#[test]
fn finds_a_cycle_through_use_trees_expressions_and_super() {
    let root = fixture(
        "cycle",
        &[
            ("lib.rs", "mod a; mod b; mod c; pub use a::A;"),
            ("a.rs", "use crate::{b::{self, B}};\npub struct A(B);"),
            ("b/mod.rs", "mod inner; pub struct B; fn f() { inner::g(); }"),
            ("b/inner.rs", "pub fn g() { let _ = super::super::c::C; }"),
            ("c.rs", "pub struct C; fn h() -> crate::a::A { todo!() }"),
        ],
    );
    assert_eq!(cycles_of(&root), vec![vec!["a.rs".to_owned(), "b/inner.rs".into(), "b/mod.rs".into(), "c.rs".into()]]);
}

#[test]
fn a_child_using_its_parent_that_uses_it_is_a_cycle() {
    let root = fixture(
        "parent",
        &[
            ("lib.rs", "mod p;"),
            ("p/mod.rs", "mod child; pub struct Shared; pub use child::Thing;"),
            ("p/child.rs", "use super::Shared; pub struct Thing(Shared);"),
        ],
    );
    assert_eq!(cycles_of(&root), vec![vec!["p/child.rs".to_owned(), "p/mod.rs".into()]]);
}

#[test]
fn test_code_the_crate_root_and_other_crates_make_no_edges() {
    let root = fixture(
        "clean",
        &[
            ("lib.rs", "mod a; mod b; pub struct Config; pub use a::A;"),
            // Everyone may read the root; `std::fmt` and `serde::b` are not this crate's.
            ("a.rs", "use crate::Config; use std::fmt; pub struct A; fn f() { crate::b::g(); }\n#[cfg(test)]\nmod tests { use crate::b::*; }"),
            ("b.rs", "use serde::b; pub fn g() {}\n#[cfg(test)]\nfn t() { crate::a::A; }\n#[cfg(test)]\nmod helper;"),
        ],
    );
    let graph = module_graph(&root).expect("graph");
    assert_eq!(graph.files, vec!["lib.rs", "b.rs", "a.rs"].into_iter().map(String::from).collect::<Vec<_>>(), "b.rs's test module is not read");
    // lib.rs → a.rs (its re-export) and a.rs → b.rs; nothing into the root, nothing from tests.
    assert_eq!(graph.edges.iter().copied().collect::<Vec<_>>(), vec![(0, 2), (2, 1)]);
    assert!(cycles(&graph).is_empty());
}

#[test]
fn a_trailing_comma_in_a_use_tree_names_nothing() {
    let root = fixture(
        "comma",
        &[
            ("lib.rs", "mod d;"),
            ("d/mod.rs", "mod e; mod f; pub use e::E;"),
            ("d/e.rs", "use crate::d::{f::F,};\npub struct E(F);"),
            ("d/f.rs", "pub struct F;"),
        ],
    );
    assert!(cycles_of(&root).is_empty(), "d/e.rs names d/f.rs, not d/mod.rs");
}

/// Every lib and bin target of the workspace's own crates.
fn workspace_targets() -> Vec<(String, PathBuf)> {
    let out = std::process::Command::new(env!("CARGO"))
        .args(["metadata", "--no-deps", "--format-version", "1", "--manifest-path"])
        .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../Cargo.toml"))
        .output()
        .expect("cargo metadata runs");
    assert!(out.status.success(), "cargo metadata: {}", String::from_utf8_lossy(&out.stderr));
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("metadata JSON");
    let mut targets = Vec::new();
    for package in meta["packages"].as_array().expect("packages") {
        for target in package["targets"].as_array().expect("targets") {
            let kinds = target["kind"].as_array().expect("kind");
            if kinds.iter().any(|k| k == "lib" || k == "bin") {
                let name = format!("{} ({})", package["name"].as_str().unwrap_or("?"), target["name"].as_str().unwrap_or("?"));
                targets.push((name, PathBuf::from(target["src_path"].as_str().expect("src_path"))));
            }
        }
    }
    targets
}

#[test]
fn no_crate_has_an_import_cycle_between_its_files() {
    let targets = workspace_targets();
    assert!(targets.len() >= 15, "found only {} targets", targets.len());
    let mut report = Vec::new();
    for (name, root) in &targets {
        for cycle in cycles_of(root) {
            report.push(format!("{name}: {}", cycle.join(" ↔ ")));
        }
    }
    assert!(report.is_empty(), "import cycles (move the shared items to a leaf module):\n{}", report.join("\n"));
}
