//! `hikari_fuzz::webinar_json` (crates/tools/fuzz): its documentation says what is fuzzed and what must hold.
#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hikari_fuzz::webinar_json::run(data));
