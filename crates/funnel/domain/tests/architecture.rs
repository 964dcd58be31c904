//! Architecture invariant: the funnel domain crate depends on no runtime, web or database
//! crate, so it stays pure and testable without IO.

#[test]
fn domain_has_no_io_dependencies() {
    let manifest = include_str!("../Cargo.toml");
    let deps = manifest.split("[dependencies]").nth(1).expect("a [dependencies] table");
    let deps = deps.split("\n[").next().unwrap_or("");
    let names: Vec<&str> = deps.lines().filter_map(|l| l.split(['=', '.']).next()).map(str::trim).filter(|n| !n.is_empty() && !n.starts_with('#')).collect();
    for name in &names {
        assert!(["serde", "serde_json", "thiserror"].contains(name), "hikari-funnel must not depend on {name}");
    }
}
