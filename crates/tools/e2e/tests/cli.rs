//! Subcommands of the real binary that do not serve.

use std::process::Command;

mod common;

use common::binary;

#[test]
fn ports_needs_no_api_keys() {
    let out = Command::new(binary())
        .arg("ports")
        .env_remove("LIVEKIT_KEYS")
        .env_remove("LIVEKIT_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("hikari binary runs (build it with `cargo build --bins`)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "ports failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("tcp 7880") && stdout.contains("udp 7882"), "{stdout}");
}

#[test]
fn serving_still_needs_api_keys() {
    let out = Command::new(binary()).arg("list-nodes").env_remove("LIVEKIT_KEYS").env_remove("LIVEKIT_CONFIG").output().expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no API keys configured"));
}
