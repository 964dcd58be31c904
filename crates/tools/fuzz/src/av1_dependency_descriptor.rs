//! The AV1 dependency descriptor header extension (`hikari_sfu::codec::dd`): a run of
//! descriptors as one stream's packets carry them, each read with the template structure
//! the earlier ones brought. The input is split into descriptors by a length byte before
//! each. Nothing may panic; structures stay within their bounds and every frame's layers
//! are ones its structure defines.

use hikari_sfu::codec::dd::{self, MAX_DECODE_TARGETS, MAX_TEMPLATES};

pub fn run(data: &[u8]) {
    let mut known: Option<dd::Structure> = None;
    let mut rest = data;
    while let Some((&len, tail)) = rest.split_first() {
        let n = usize::from(len).min(tail.len());
        let (bytes, next) = tail.split_at(n);
        rest = next;
        let Some((frame, brought)) = dd::parse(bytes, known.as_ref()) else { continue };
        if let Some(s) = brought {
            assert!((1..=MAX_DECODE_TARGETS).contains(&usize::from(s.decode_targets)));
            assert!((1..=MAX_TEMPLATES).contains(&usize::from(s.templates)));
            assert!(s.chains <= s.decode_targets);
            known = Some(s);
        }
        let s = known.as_ref().expect("a frame is read only against a structure");
        assert!(frame.spatial <= s.max_spatial);
        assert!(bytes.len() >= 3, "the mandatory fields are three bytes");
        for dt in 0..usize::from(s.decode_targets) {
            assert!(frame.dti(dt) <= 3);
        }
    }
}
