//! `hikari_fuzz::egress_body` (crates/tools/fuzz): its documentation says what is fuzzed and what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hikari_fuzz::egress_body::run(data));
