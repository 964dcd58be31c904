//! WHIP's PATCH bodies (`application/trickle-ice-sdpfrag`, RFC 8840 as RFC 9725 uses it):
//! trickled candidates, which this ICE-lite server does not need (it learns the encoder's
//! address from its connectivity checks), and ICE restarts, new credentials that become a
//! new offer for the core.
//!
//! Fragments come from the network: nothing here panics; fuzzed with the offer parser
//! (`fuzz/fuzz_targets/whip_offer.rs`).

/// Credentials of an ICE agent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IceCredentials {
    /// `a=ice-ufrag`.
    pub ufrag: String,
    /// `a=ice-pwd`.
    pub pwd: String,
}

/// The largest fragment read, in bytes.
pub const MAX_FRAGMENT_BYTES: usize = 16 * 1024;

/// What a PATCH asks for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Patch {
    /// Candidates only (or an end-of-candidates): nothing to do.
    Trickle,
    /// New credentials: an ICE restart.
    Restart(IceCredentials),
}

/// Why a fragment was refused.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum FragmentError {
    /// Over [`MAX_FRAGMENT_BYTES`].
    #[error("the fragment is larger than {MAX_FRAGMENT_BYTES} bytes")]
    TooLarge,
    /// A ufrag without a password or the other way round, or values ICE does not allow.
    #[error("the fragment's ice-ufrag and ice-pwd must come together (RFC 8839: 4-256 and 22-256 ice-chars)")]
    BadCredentials,
}

/// Reads a PATCH body.
pub fn parse(fragment: &str) -> Result<Patch, FragmentError> {
    if fragment.len() > MAX_FRAGMENT_BYTES {
        return Err(FragmentError::TooLarge);
    }
    let (mut ufrag, mut pwd) = (None, None);
    for line in fragment.lines().map(|l| l.trim_end_matches('\r')) {
        if let Some(v) = line.strip_prefix("a=ice-ufrag:") {
            ufrag = Some(v.trim());
        } else if let Some(v) = line.strip_prefix("a=ice-pwd:") {
            pwd = Some(v.trim());
        }
    }
    match (ufrag, pwd) {
        (None, None) => Ok(Patch::Trickle),
        (Some(u), Some(p)) if ice_chars(u, 4) && ice_chars(p, 22) => Ok(Patch::Restart(IceCredentials { ufrag: u.into(), pwd: p.into() })),
        _ => Err(FragmentError::BadCredentials),
    }
}

/// RFC 8839's `ice-char`s (ALPHA / DIGIT / "+" / "/"), `min`..=256 of them.
fn ice_chars(v: &str, min: usize) -> bool {
    (min..=256).contains(&v.len()) && v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/')
}

/// The offer of a restart: the last offer with the new credentials and the next session
/// version (RFC 3264: a changed offer increments the `o=` version).
pub fn restarted_offer(offer: &str, creds: &IceCredentials) -> String {
    let mut out = String::with_capacity(offer.len());
    for line in offer.lines().map(|l| l.trim_end_matches('\r')) {
        if line.starts_with("a=ice-ufrag:") {
            out.push_str("a=ice-ufrag:");
            out.push_str(&creds.ufrag);
        } else if line.starts_with("a=ice-pwd:") {
            out.push_str("a=ice-pwd:");
            out.push_str(&creds.pwd);
        } else if let Some(origin) = line.strip_prefix("o=") {
            out.push_str("o=");
            out.push_str(&next_version(origin));
        } else {
            out.push_str(line);
        }
        out.push_str("\r\n");
    }
    out
}

/// `o=<user> <sess-id> <sess-version> ...` with the version one higher.
fn next_version(origin: &str) -> String {
    let mut fields: Vec<String> = origin.split(' ').map(str::to_owned).collect();
    if let Some(v) = fields.get_mut(2).and_then(|v| v.parse::<u64>().ok().map(|n| (v, n))) {
        *v.0 = v.1.saturating_add(1).to_string();
    }
    fields.join(" ")
}

/// The answer to a restart as a fragment: the server's new credentials and its candidates.
pub fn answer_fragment(answer: &str) -> String {
    let mut out = String::new();
    let mut seen_media = false;
    for line in answer.lines().map(|l| l.trim_end_matches('\r')) {
        if line.starts_with("m=") {
            if seen_media {
                break; // bundled: the first media line's transport is everyone's
            }
            seen_media = true;
        }
        let wanted = line.starts_with("a=ice-ufrag:") || line.starts_with("a=ice-pwd:") || line.starts_with("a=candidate:") || line == "a=ice-lite";
        if wanted || (line.starts_with("m=") || line.starts_with("a=mid:")) {
            out.push_str(line);
            out.push_str("\r\n");
        }
    }
    out
}

/// The server's `a=ice-ufrag` in an SDP (its ETag names it).
pub fn ufrag_of(sdp: &str) -> Option<&str> {
    sdp.lines().find_map(|l| l.trim_end_matches('\r').strip_prefix("a=ice-ufrag:"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn candidates_are_a_trickle_and_credentials_a_restart() {
        let trickle =
            "a=group:BUNDLE 0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\na=candidate:1 1 udp 2113 10.0.0.2 5000 typ host\r\na=end-of-candidates\r\n";
        assert_eq!(parse(trickle), Ok(Patch::Trickle));
        let restart = "a=ice-ufrag:abcd\r\na=ice-pwd:0123456789abcdefghijkl\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=mid:0\r\n";
        assert_eq!(parse(restart), Ok(Patch::Restart(IceCredentials { ufrag: "abcd".into(), pwd: "0123456789abcdefghijkl".into() })));
        assert_eq!(parse("a=ice-ufrag:abcd\r\n"), Err(FragmentError::BadCredentials));
        assert_eq!(parse("a=ice-ufrag:ab d\r\na=ice-pwd:0123456789abcdefghijkl\r\n"), Err(FragmentError::BadCredentials));
        assert_eq!(parse(&"a".repeat(MAX_FRAGMENT_BYTES + 1)), Err(FragmentError::TooLarge));
    }

    #[test]
    fn a_restart_rewrites_the_credentials_and_bumps_the_version() {
        let offer = "v=0\r\no=- 42 2 IN IP4 127.0.0.1\r\nm=audio 9 UDP/TLS/RTP/SAVPF 0\r\na=ice-ufrag:old1\r\na=ice-pwd:oldoldoldoldoldoldold1\r\n";
        let creds = IceCredentials { ufrag: "new1".into(), pwd: "newnewnewnewnewnewnew1".into() };
        let out = restarted_offer(offer, &creds);
        assert!(out.contains("o=- 42 3 IN IP4") && out.contains("a=ice-ufrag:new1\r\n") && out.contains("a=ice-pwd:newnewnewnewnewnewnew1\r\n"));
        assert!(!out.contains("old"));
    }

    #[test]
    fn the_answer_fragment_carries_credentials_and_candidates_of_the_bundle() {
        let answer = "v=0\r\na=ice-lite\r\nm=audio 9 X 0\r\na=mid:0\r\na=ice-ufrag:srv1\r\na=ice-pwd:pw\r\na=candidate:1 1 udp 1 10.77.0.1 7882 typ host\r\na=rtpmap:0 PCMU/8000\r\nm=video 9 X 96\r\na=mid:1\r\na=ice-ufrag:srv1\r\n";
        let frag = answer_fragment(answer);
        assert_eq!(frag, "a=ice-lite\r\nm=audio 9 X 0\r\na=mid:0\r\na=ice-ufrag:srv1\r\na=ice-pwd:pw\r\na=candidate:1 1 udp 1 10.77.0.1 7882 typ host\r\n");
        assert_eq!(ufrag_of(answer), Some("srv1"));
    }
}
