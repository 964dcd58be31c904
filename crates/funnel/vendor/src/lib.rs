//! The npm packages Hikari's pages load, embedded: fetched by the build (`build.rs`: `npm ci`
//! from the pinned, integrity-checked package-lock.json) and never committed.
//!
//! - [`LIVEKIT_CLIENT`]: livekit-client's UMD build (the global `LivekitClient`), for the
//!   webinar room page.
//! - [`HLS_JS`]: hls.js, for HLS replays and large-audience playback.

/// livekit-client's UMD build (`dist/livekit-client.umd.js`).
pub const LIVEKIT_CLIENT: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/livekit-client.umd.js"));
/// The livekit-client version package-lock.json pins.
pub const LIVEKIT_CLIENT_VERSION: &str = env!("HIKARI_VENDOR_LIVEKIT_CLIENT_VERSION");
/// hls.js's minified build (`dist/hls.min.js`).
pub const HLS_JS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/hls.min.js"));
/// The hls.js version package-lock.json pins.
pub const HLS_JS_VERSION: &str = env!("HIKARI_VENDOR_HLS_JS_VERSION");

#[cfg(test)]
mod tests {
    use super::*;

    fn contains(haystack: &[u8], needle: &str) -> bool {
        haystack.windows(needle.len()).any(|w| w == needle.as_bytes())
    }

    #[test]
    fn the_pinned_builds_are_embedded() {
        assert_eq!(LIVEKIT_CLIENT_VERSION, "2.21.0");
        assert_eq!(HLS_JS_VERSION, "1.6.15");
        assert!(LIVEKIT_CLIENT.len() > 100_000 && contains(LIVEKIT_CLIENT, "LivekitClient"), "livekit-client's UMD build");
        assert!(contains(LIVEKIT_CLIENT, LIVEKIT_CLIENT_VERSION), "the build names its version");
        assert!(HLS_JS.len() > 100_000 && contains(HLS_JS, "Hls"), "hls.js");
    }

    #[test]
    fn the_js_suite_pins_the_same_versions() {
        let suite = include_str!("../../../../tests/e2e/js/package.json");
        assert!(suite.contains(&format!("\"livekit-client\": \"{LIVEKIT_CLIENT_VERSION}\"")), "tests/e2e/js tests the embedded livekit-client");
        assert!(suite.contains(&format!("\"hls.js\": \"{HLS_JS_VERSION}\"")), "tests/e2e/js tests the embedded hls.js");
    }
}
