//! Reads a crate's module tree from its root file and the paths each file names.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use proc_macro2::{Delimiter, TokenStream, TokenTree};

/// Files of one crate target and the import edges between them.
#[derive(Debug, Default)]
pub struct ModuleGraph {
    /// Paths relative to the directory of the crate root; index 0 is the root.
    pub files: Vec<String>,
    /// (from, to) indices into `files`.
    pub edges: BTreeSet<(usize, usize)>,
}

/// A module: its path from the crate root and the file holding it.
type Modules = BTreeMap<Vec<String>, usize>;

/// The module graph of the crate whose root file is `root` (`src/lib.rs` or `src/main.rs`).
pub fn module_graph(root: &Path) -> Result<ModuleGraph, String> {
    let base = root.parent().ok_or("a crate root has a parent directory")?.to_path_buf();
    let mut graph = ModuleGraph::default();
    let mut modules = Modules::new();
    let mut sources = Vec::new();
    let mut pending = vec![(root.to_path_buf(), Vec::<String>::new())];
    // First pass: every file and module reachable through non-test `mod` declarations.
    while let Some((file, path)) = pending.pop() {
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let tokens = TokenStream::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
        let id = graph.files.len();
        graph.files.push(file.strip_prefix(&base).unwrap_or(&file).display().to_string());
        modules.insert(path.clone(), id);
        let dir = child_dir(&file, id == 0);
        declare(&tokens, &path, &dir, id, &mut modules, &mut pending);
        sources.push((tokens, path));
    }
    // Second pass: the paths each file names.
    for (id, (tokens, path)) in sources.iter().enumerate() {
        let mut targets = BTreeSet::new();
        references(tokens, path, &modules, &mut targets);
        for target in targets {
            if target != id && target != 0 {
                graph.edges.insert((id, target));
            }
        }
    }
    Ok(graph)
}

/// The identifiers of `file`'s non-test code, in order, a macro's name with its `!`
/// (`vec!`): what the invariant tests search for forbidden names.
pub fn code_identifiers(file: &Path) -> Result<Vec<String>, String> {
    fn walk(tokens: &TokenStream, out: &mut Vec<String>) {
        let all = items(tokens);
        for (k, tree) in all.iter().enumerate() {
            match tree {
                TokenTree::Ident(i) if is_punct(all.get(k + 1), '!') => out.push(format!("{i}!")),
                TokenTree::Ident(i) => out.push(i.to_string()),
                TokenTree::Group(g) => walk(&g.stream(), out),
                _ => {}
            }
        }
    }
    let text = std::fs::read_to_string(file).map_err(|e| format!("{}: {e}", file.display()))?;
    let tokens = TokenStream::from_str(&text).map_err(|e| format!("{}: {e}", file.display()))?;
    let mut out = Vec::new();
    walk(&tokens, &mut out);
    Ok(out)
}

/// Where the files of `file`'s child modules live.
fn child_dir(file: &Path, root: bool) -> PathBuf {
    let dir = file.parent().map(Path::to_path_buf).unwrap_or_default();
    if root || file.file_name().is_some_and(|n| n == "mod.rs") { dir } else { dir.join(file.file_stem().unwrap_or_default()) }
}

/// Items of a token stream, with the ones under `#[cfg(test)]` left out.
fn items(tokens: &TokenStream) -> Vec<TokenTree> {
    let all: Vec<TokenTree> = tokens.clone().into_iter().collect();
    let mut kept = Vec::with_capacity(all.len());
    let mut i = 0;
    while i < all.len() {
        if is_cfg_test(&all, i) {
            // Skip the attribute, further attributes, then the item up to its body or `;`.
            i += 2;
            while i < all.len() {
                match &all[i] {
                    TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => break,
                    TokenTree::Punct(p) if p.as_char() == ';' => break,
                    _ => i += 1,
                }
            }
            i += 1;
            continue;
        }
        kept.push(all[i].clone());
        i += 1;
    }
    kept
}

fn is_cfg_test(all: &[TokenTree], i: usize) -> bool {
    matches!((&all[i], all.get(i + 1)), (TokenTree::Punct(p), Some(TokenTree::Group(g)))
        if p.as_char() == '#' && g.delimiter() == Delimiter::Bracket && g.stream().to_string().replace(' ', "") == "cfg(test)")
}

fn ident(tree: Option<&TokenTree>) -> Option<String> {
    match tree {
        Some(TokenTree::Ident(i)) => Some(i.to_string()),
        _ => None,
    }
}

fn is_punct(tree: Option<&TokenTree>, c: char) -> bool {
    matches!(tree, Some(TokenTree::Punct(p)) if p.as_char() == c)
}

/// `::` at `i`.
fn is_path_sep(all: &[TokenTree], i: usize) -> bool {
    is_punct(all.get(i), ':') && is_punct(all.get(i + 1), ':')
}

/// Records the modules declared in `tokens` (module path `path`, child files under `dir`).
fn declare(tokens: &TokenStream, path: &[String], dir: &Path, file: usize, modules: &mut Modules, pending: &mut Vec<(PathBuf, Vec<String>)>) {
    let all = items(tokens);
    for i in 0..all.len() {
        if ident(all.get(i)).as_deref() != Some("mod") {
            continue;
        }
        let Some(name) = ident(all.get(i + 1)) else { continue };
        let mut child = path.to_vec();
        child.push(name.clone());
        match all.get(i + 2) {
            Some(TokenTree::Punct(p)) if p.as_char() == ';' => {
                let flat = dir.join(format!("{name}.rs"));
                let file = if flat.exists() { flat } else { dir.join(&name).join("mod.rs") };
                // Neither: a `#[path]` module, a file of another crate (the fuzz bodies reuse
                // the SFU's test world); not part of this crate's graph.
                if file.exists() {
                    pending.push((file, child));
                }
            }
            Some(TokenTree::Group(g)) if g.delimiter() == Delimiter::Brace => {
                modules.insert(child.clone(), file);
                declare(&g.stream(), &child, &dir.join(&name), file, modules, pending);
            }
            _ => {}
        }
    }
}

/// Collects the files that paths in `tokens` (inside module `path`) point into.
fn references(tokens: &TokenStream, path: &[String], modules: &Modules, out: &mut BTreeSet<usize>) {
    let all = items(tokens);
    let mut i = 0;
    while i < all.len() {
        match &all[i] {
            TokenTree::Ident(id) if id == "mod" => {
                if let (Some(name), Some(TokenTree::Group(g))) = (ident(all.get(i + 1)), all.get(i + 2)) {
                    let mut child = path.to_vec();
                    child.push(name);
                    references(&g.stream(), &child, modules, out);
                    i += 3;
                    continue;
                }
            }
            TokenTree::Ident(id) if id == "use" => {
                let end = all[i..].iter().position(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ';')).map_or(all.len(), |e| i + e);
                use_tree(&all[i + 1..end], Vec::new(), path, modules, out);
                i = end + 1;
                continue;
            }
            TokenTree::Ident(id) if is_path_sep(&all, i + 1) && !(i >= 2 && is_path_sep(&all, i - 2)) => {
                let mut segments = vec![id.to_string()];
                let mut j = i + 1;
                while is_path_sep(&all, j) {
                    match ident(all.get(j + 2)) {
                        Some(s) => segments.push(s),
                        None => break,
                    }
                    j += 3;
                }
                resolve(&segments, path, modules, out);
                i = j;
                continue;
            }
            TokenTree::Group(g) => references(&g.stream(), path, modules, out),
            _ => {}
        }
        i += 1;
    }
}

/// A `use` tree: `a::b::{c, d::e, self}` after `prefix`.
fn use_tree(tokens: &[TokenTree], prefix: Vec<String>, path: &[String], modules: &Modules, out: &mut BTreeSet<usize>) {
    if tokens.is_empty() {
        return; // after a trailing comma
    }
    let mut segments = prefix.clone();
    for (k, tree) in tokens.iter().enumerate() {
        match tree {
            TokenTree::Ident(id) if id == "as" || id == "pub" || id == "crate" && matches!(tokens.get(k + 1), Some(TokenTree::Group(_))) => break,
            TokenTree::Ident(id) if id == "self" && !segments.is_empty() => {}
            TokenTree::Ident(id) => segments.push(id.to_string()),
            TokenTree::Group(g) if g.delimiter() == Delimiter::Brace => {
                let inner: Vec<TokenTree> = g.stream().into_iter().collect();
                for part in inner.split(|t| matches!(t, TokenTree::Punct(p) if p.as_char() == ',')) {
                    use_tree(part, segments.clone(), path, modules, out);
                }
                return;
            }
            TokenTree::Group(_) => segments.clear(), // `pub(crate)` and the like
            _ => {}
        }
    }
    resolve(&segments, path, modules, out);
}

/// Records the file of the longest known module that `segments` (as written in module
/// `path`) names, if the path is one of this crate's.
fn resolve(segments: &[String], path: &[String], modules: &Modules, out: &mut BTreeSet<usize>) {
    let mut absolute: Vec<String> = match segments.first().map(String::as_str) {
        Some("crate") => Vec::new(),
        Some("self") => path.to_vec(),
        Some("super") => path.to_vec(),
        Some(first) => {
            let mut child = path.to_vec();
            child.push(first.to_owned());
            if !modules.contains_key(&child) {
                return; // another crate, a type, or a local
            }
            path.to_vec()
        }
        None => return,
    };
    let mut rest = segments;
    if matches!(rest.first().map(String::as_str), Some("crate" | "self")) {
        rest = &rest[1..];
    }
    while rest.first().map(String::as_str) == Some("super") {
        absolute.pop();
        rest = &rest[1..];
    }
    absolute.extend(rest.iter().cloned());
    while !absolute.is_empty() {
        if let Some(&file) = modules.get(&absolute) {
            out.insert(file);
            return;
        }
        absolute.pop();
    }
    out.insert(0);
}
