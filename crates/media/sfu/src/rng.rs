//! Seeded randomness for ids and credentials; the caller chooses the seed.

/// SplitMix64: small, fast and good enough for identifiers (not for secrets that
/// guard anything; ICE passwords are per-session and exchanged over signaling).
#[derive(Clone, Debug)]
pub struct Rng(u64);

const BASE62: &[u8; 62] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Self {
        Self(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// `len` random base62 characters.
    pub fn base62(&mut self, len: usize) -> String {
        (0..len).map(|_| BASE62[(self.next_u64() % 62) as usize] as char).collect()
    }

    /// A LiveKit-style id: the prefix and 12 base62 characters.
    pub fn sid(&mut self, prefix: &str) -> String {
        format!("{prefix}{}", self.base62(12))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_prefixed() {
        let (mut a, mut b) = (Rng::new(7), Rng::new(7));
        assert_eq!(a.sid("PA_"), b.sid("PA_"));
        let sid = a.sid("TR_");
        assert!(sid.starts_with("TR_") && sid.len() == 15);
        assert_ne!(a.next_u64(), Rng::new(8).next_u64());
    }
}
