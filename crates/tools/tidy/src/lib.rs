//! Tidy checks over the workspace's own source, run by `cargo test -p hikari-tidy`
//! (`tests/`): no import cycle between the files of a crate ([`module_graph`],
//! [`cycles`]), and the dependency rules of ARCHITECTURE.md (`tests/dependencies.rs`).
//!
//! The module graph is read from tokens, not by compiling: a file is a node; an edge
//! A → B means A's code names a path into module B (`crate::b::…`, `super::…`,
//! `self::…`, or a child module's name), in `use` trees and expressions alike. Code
//! under `#[cfg(test)]` is skipped, and so are edges into the crate root (`lib.rs`,
//! `main.rs`), which declares the modules and holds crate-wide configuration every
//! module may read. Paths inside macro invocations are seen too (they are tokens).

mod scan;

pub use scan::{ModuleGraph, code_identifiers, module_graph};

use std::collections::BTreeSet;

/// The strongly connected components of more than one file: each is an import cycle,
/// listed as the files' paths (relative to the crate's `src/`), sorted.
pub fn cycles(graph: &ModuleGraph) -> Vec<Vec<String>> {
    let n = graph.files.len();
    let mut adjacency = vec![Vec::new(); n];
    for &(a, b) in &graph.edges {
        adjacency[a].push(b);
    }
    // Tarjan's algorithm, iterative so deep module trees cannot overflow the stack.
    let mut index = vec![usize::MAX; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut next = 0;
    let mut found = Vec::new();
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        while let Some(&mut (v, ref mut child)) = work.last_mut() {
            if *child == 0 {
                index[v] = next;
                low[v] = next;
                next += 1;
                stack.push(v);
                on_stack[v] = true;
            }
            if let Some(&w) = adjacency[v].get(*child) {
                *child += 1;
                if index[w] == usize::MAX {
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            work.pop();
            if let Some(&(parent, _)) = work.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = BTreeSet::new();
                while let Some(w) = stack.pop() {
                    on_stack[w] = false;
                    component.insert(graph.files[w].clone());
                    if w == v {
                        break;
                    }
                }
                if component.len() > 1 {
                    found.push(component.into_iter().collect());
                }
            }
        }
    }
    found.sort();
    found
}
