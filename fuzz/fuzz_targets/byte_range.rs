//! `hikari_fuzz::byte_range` (crates/tools/fuzz): its documentation says what is fuzzed and what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hikari_fuzz::byte_range::run(data));
