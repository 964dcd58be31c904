//! End-to-end tests live in `tests/`; they start the `hikari` binary that
//! `cargo build --bins` produced (or `HIKARI_BIN`) on free loopback ports.
