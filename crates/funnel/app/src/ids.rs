//! Random ids and digests: event ids, token and session secrets, derived lead ids.

use sha2::{Digest, Sha256};

/// `n` random bytes as lowercase hex.
pub fn random_hex(n: usize) -> String {
    let mut buf = vec![0u8; n];
    // The OS random source failing is unrecoverable for a server that issues secrets.
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut buf).expect("OS random source");
    hex(&buf)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// SHA-256 of a secret, hex: what the store keeps for tokens and sessions.
pub fn digest(secret: &str) -> String {
    hex(&Sha256::digest(secret.as_bytes()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn hex_lengths() {
        assert_eq!(super::random_hex(16).len(), 32);
        assert_eq!(super::digest("x").len(), 64);
    }
}
