//! The plain RTMP handshake, server side: C0 (version 3) and C1 in, S0, S1 and S2 (an echo
//! of C1) out, C2 in. The digest ("complex") handshake is not needed by publishers: ffmpeg
//! checks the server's digest only when playing, and librtmp (OBS) uses it only for RTMPE
//! or SWF verification; a plain S1 with a zero version field tells both to skip it.

use crate::DemuxError;

/// C1, C2, S1 and S2 are this long.
pub(crate) const SIG_SIZE: usize = 1536;

#[derive(Debug)]
enum Step {
    C0,
    C1(Vec<u8>),
    C2(usize),
    Done,
}

/// The handshake's progress.
#[derive(Debug)]
pub(crate) struct Handshake {
    step: Step,
}

impl Handshake {
    pub(crate) fn new() -> Self {
        Self { step: Step::C0 }
    }

    /// Whether C2 has been read: the chunk stream starts with the next byte.
    pub(crate) fn done(&self) -> bool {
        matches!(self.step, Step::Done)
    }

    /// Consumes handshake bytes from `input` (leaving what follows C2), appending the
    /// server's part to `out` once C1 is complete.
    pub(crate) fn feed(&mut self, input: &mut &[u8], out: &mut Vec<u8>) -> Result<(), DemuxError> {
        loop {
            match &mut self.step {
                Step::C0 => {
                    let Some((&version, rest)) = input.split_first() else { return Ok(()) };
                    if version != 3 {
                        return Err(DemuxError::BadVersion(version));
                    }
                    *input = rest;
                    self.step = Step::C1(Vec::with_capacity(SIG_SIZE));
                }
                Step::C1(c1) => {
                    let n = (SIG_SIZE - c1.len()).min(input.len());
                    c1.extend_from_slice(&input[..n]);
                    *input = &input[n..];
                    if c1.len() < SIG_SIZE {
                        return Ok(());
                    }
                    out.push(3);
                    out.extend_from_slice(&s1(c1));
                    out.extend_from_slice(c1); // S2 echoes C1
                    self.step = Step::C2(0);
                }
                Step::C2(got) => {
                    let n = (SIG_SIZE - *got).min(input.len());
                    *got += n;
                    *input = &input[n..];
                    if *got < SIG_SIZE {
                        return Ok(());
                    }
                    self.step = Step::Done;
                }
                Step::Done => return Ok(()),
            }
        }
    }
}

/// S1: time 0, zero version, then 1528 filler bytes (any bytes will do; these come from a
/// xorshift generator seeded with C1, so a session is deterministic).
fn s1(c1: &[u8]) -> Vec<u8> {
    let mut s = vec![0u8; SIG_SIZE];
    let mut x: u64 = c1.iter().take(64).fold(0x9e37_79b9_7f4a_7c15, |h, &b| (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)) | 1;
    for b in &mut s[8..] {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        *b = (x >> 24) as u8;
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_by_byte_handshake_answers_once_and_stops_at_c2() {
        let mut h = Handshake::new();
        let mut out = Vec::new();
        let c1: Vec<u8> = (0..SIG_SIZE).map(|i| i as u8).collect();
        let mut all = vec![3];
        all.extend_from_slice(&c1);
        all.extend_from_slice(&[7; SIG_SIZE]);
        all.push(0x42); // the first chunk byte
        for (i, b) in all.iter().enumerate() {
            let mut input = std::slice::from_ref(b);
            h.feed(&mut input, &mut out).expect("valid");
            if i == all.len() - 1 {
                assert_eq!(input, &[0x42], "the byte after C2 is left");
            }
        }
        assert!(h.done());
        assert_eq!(out.len(), 1 + 2 * SIG_SIZE);
        assert_eq!((out[0], &out[1 + SIG_SIZE..]), (3, &c1[..]));
    }

    #[test]
    fn a_wrong_version_is_refused_at_once() {
        let mut h = Handshake::new();
        let mut input: &[u8] = b"GET / HTTP/1.1\r\n";
        assert_eq!(h.feed(&mut input, &mut Vec::new()), Err(DemuxError::BadVersion(b'G')));
    }
}
