//! The binary as built: it answers `--version`, and refuses an unknown flag with a clear
//! message and a failing status. (This test also makes `cargo test` build `target/debug/hikari`,
//! which the end-to-end suites run: `scripts/test` compiles everything once, in one feature set.)

use std::process::Command;

#[test]
fn the_binary_answers_version_and_refuses_an_unknown_flag() {
    let bin = env!("CARGO_BIN_EXE_hikari");
    let out = Command::new(bin).arg("--version").output().expect("the binary runs");
    assert!(out.status.success(), "--version failed: {out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("hikari {}", env!("CARGO_PKG_VERSION")));
    let out = Command::new(bin).arg("--no-such-flag").output().expect("the binary runs");
    assert!(!out.status.success(), "an unknown flag was accepted");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("--no-such-flag"), "the refusal names the flag: {stderr}");
}
