//! Random identifiers and stream keys, from the operating system's CSPRNG (seeded ChaCha).

use rand::Rng;
use rand::distr::Alphanumeric;

use hikari_types::IngressId;

/// Characters of random base62 in an ingress id after `IN_` (as LiveKit's GUIDs).
const ID_CHARS: usize = 12;
/// Characters of random base62 in a stream key: about 137 bits, unguessable.
pub const STREAM_KEY_CHARS: usize = 23;

fn base62(n: usize) -> String {
    rand::rng().sample_iter(Alphanumeric).take(n).map(char::from).collect()
}

/// A new ingress id, `IN_` followed by random base62.
pub fn new_ingress_id() -> IngressId {
    IngressId::new(format!("IN_{}", base62(ID_CHARS)))
}

/// A new stream key: the credential of an RTMP, SRT or WHIP encoder.
pub fn new_stream_key() -> String {
    base62(STREAM_KEY_CHARS)
}

/// A new session (resource) id for the runtime: `RS_` followed by random base62.
pub fn new_resource_id() -> String {
    format!("RS_{}", base62(ID_CHARS))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_and_keys_are_random_base62() {
        let (a, b) = (new_stream_key(), new_stream_key());
        assert_ne!(a, b);
        assert!(a.len() >= 16 && a.chars().all(|c| c.is_ascii_alphanumeric()), "{a}");
        let id = new_ingress_id();
        assert!(id.as_str().starts_with("IN_") && id.as_str().len() == 3 + ID_CHARS, "{id}");
        assert!(new_resource_id().starts_with("RS_"));
    }
}
