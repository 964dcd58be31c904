//! Installs the pinned npm packages (`npm ci`: exact versions, integrity hashes from
//! package-lock.json, no install scripts) into OUT_DIR and copies the files the pages load
//! next to it, for `include_bytes!`. Each build directory installs its own copy (two builds
//! at once never share a `node_modules`); npm's cache makes the later ones quick. Needs
//! Node.js and npm at build time, and the registry once (build before entering a network
//! namespace).

use std::path::{Path, PathBuf};
use std::process::Command;

/// The files embedded: their path under `node_modules`, and their name in OUT_DIR.
const FILES: [(&str, &str); 2] = [("livekit-client/dist/livekit-client.umd.js", "livekit-client.umd.js"), ("hls.js/dist/hls.min.js", "hls.min.js")];
/// What the install reads.
const INPUTS: [&str; 3] = ["package.json", "package-lock.json", ".npmrc"];

fn main() {
    if let Err(e) = run() {
        eprintln!("hikari-vendor: {e}");
        std::process::exit(1);
    }
}

fn run() -> Result<(), String> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").ok_or("CARGO_MANIFEST_DIR is not set")?);
    let out = PathBuf::from(std::env::var_os("OUT_DIR").ok_or("OUT_DIR is not set")?);
    let work = out.join("npm");
    std::fs::create_dir_all(&work).map_err(|e| format!("{}: {e}", work.display()))?;
    for f in INPUTS {
        println!("cargo:rerun-if-changed={f}");
        copy(&manifest.join(f), &work.join(f))?;
    }
    println!("cargo:rerun-if-env-changed=NPM");
    let npm = std::env::var_os("NPM").unwrap_or_else(|| "npm".into());
    let status = Command::new(&npm)
        .args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--loglevel=error"])
        .current_dir(&work)
        .status()
        .map_err(|e| format!("cannot run npm ({e}): building Hikari needs Node.js and npm (Debian: apt-get install nodejs npm)"))?;
    if !status.success() {
        return Err(format!("`npm ci` in {} failed ({status}); it needs the package registry once", work.display()));
    }
    for (from, to) in FILES {
        copy(&work.join("node_modules").join(from), &out.join(to))?;
    }
    let lock = std::fs::read_to_string(manifest.join("package-lock.json")).map_err(|e| format!("package-lock.json: {e}"))?;
    for (name, var) in [("livekit-client", "LIVEKIT_CLIENT_VERSION"), ("hls.js", "HLS_JS_VERSION")] {
        println!("cargo:rustc-env=HIKARI_VENDOR_{var}={}", locked_version(&lock, name).ok_or(format!("{name} is not in package-lock.json"))?);
    }
    Ok(())
}

fn copy(from: &Path, to: &Path) -> Result<(), String> {
    std::fs::copy(from, to).map(drop).map_err(|e| format!("copying {} to {}: {e}", from.display(), to.display()))
}

/// The version package-lock.json pins for `name` (its `"node_modules/NAME"` entry's first
/// `"version"`).
fn locked_version(lock: &str, name: &str) -> Option<String> {
    let at = lock.find(&format!("\"node_modules/{name}\""))?;
    let rest = &lock[at..];
    let v = rest.find("\"version\"")?;
    let value = rest[v + 9..].split('"').nth(1)?;
    Some(value.to_owned())
}
