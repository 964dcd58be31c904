//! WHIP request bodies: the SDP offer a POST carries (`whip::offer::tracks`) and the ICE
//! fragment a PATCH carries (`whip::frag::parse`, then the restarted offer built from both).
//! Nothing may panic; an accepted offer announces at most one audio and one video track,
//! each with a cid and at most three layers.

use hikari_ingest::whip::{frag, offer};

pub fn run(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let (sdp, fragment) = text.split_once('\u{0}').unwrap_or((&text, ""));
    if let Ok(tracks) = offer::tracks(sdp) {
        assert!(!tracks.is_empty() && tracks.len() <= 2);
        assert!(tracks.iter().all(|t| !t.cid.is_empty() && t.layers.len() <= 3));
    }
    if let Ok(frag::Patch::Restart(creds)) = frag::parse(fragment) {
        let restarted = frag::restarted_offer(sdp, &creds);
        assert!(restarted.lines().all(|l| !l.starts_with("a=ice-ufrag:") || l == format!("a=ice-ufrag:{}", creds.ufrag)));
    }
    let _ = frag::answer_fragment(sdp);
}
