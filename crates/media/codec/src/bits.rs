//! A bounds-checked bit reader for H.264 RBSP: fixed-width fields and Exp-Golomb codes
//! (H.264 7.2, 9.1), over the bytes of a NAL unit with its emulation-prevention bytes
//! removed ([`unescape`]). Every read returns an error past the end; nothing panics.

use crate::error::CodecError;

/// The NAL unit's bytes without its emulation-prevention bytes (`00 00 03` → `00 00`).
pub fn unescape(nal: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nal.len());
    let mut zeros = 0usize;
    for &b in nal {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// Reads bits most significant first.
pub struct BitReader<'a> {
    data: &'a [u8],
    /// The next bit's position, in bits from the start.
    pos: usize,
    what: &'static str,
}

impl<'a> BitReader<'a> {
    /// A reader over `data`; `what` names the structure in errors.
    pub fn new(data: &'a [u8], what: &'static str) -> Self {
        Self { data, pos: 0, what }
    }

    /// One bit.
    pub fn bit(&mut self) -> Result<bool, CodecError> {
        let byte = *self.data.get(self.pos / 8).ok_or(CodecError::Truncated(self.what))?;
        let bit = (byte >> (7 - self.pos % 8)) & 1;
        self.pos += 1;
        Ok(bit == 1)
    }

    /// One bit as a flag.
    pub fn flag(&mut self) -> Result<bool, CodecError> {
        self.bit()
    }

    /// `n` bits (at most 32) as an unsigned number.
    pub fn bits(&mut self, n: u32) -> Result<u32, CodecError> {
        debug_assert!(n <= 32);
        let mut v: u64 = 0;
        for _ in 0..n.min(32) {
            v = (v << 1) | u64::from(self.bit()?);
        }
        Ok(v as u32)
    }

    /// An unsigned Exp-Golomb code `ue(v)`; at most 32 bits of value.
    pub fn ue(&mut self) -> Result<u32, CodecError> {
        let mut zeros = 0u32;
        while !self.bit()? {
            zeros += 1;
            if zeros > 31 {
                return Err(CodecError::Invalid { what: self.what, why: "Exp-Golomb code longer than 32 bits" });
            }
        }
        let rest = self.bits(zeros)?;
        // 2^zeros - 1 + rest fits in u32 for zeros <= 31 when computed in u64.
        let v = (1u64 << zeros) - 1 + u64::from(rest);
        u32::try_from(v).map_err(|_| CodecError::Invalid { what: self.what, why: "Exp-Golomb value out of range" })
    }

    /// A signed Exp-Golomb code `se(v)`.
    pub fn se(&mut self) -> Result<i32, CodecError> {
        let k = i64::from(self.ue()?);
        let v = if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) };
        Ok(v as i32)
    }

    /// `ue(v)` that must not exceed `max`.
    pub fn ue_max(&mut self, max: u32, why: &'static str) -> Result<u32, CodecError> {
        let v = self.ue()?;
        if v > max {
            return Err(CodecError::Invalid { what: self.what, why });
        }
        Ok(v)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_golomb_codes() {
        // 1 | 010 | 011 | 00100 | 00101 → ue 0, 1, 2, 3, 4
        let data = [0b1010_0110, 0b0100_0010, 0b1000_0000];
        let mut r = BitReader::new(&data, "t");
        assert_eq!([r.ue().expect("valid"), r.ue().expect("valid"), r.ue().expect("valid"), r.ue().expect("valid"), r.ue().expect("valid")], [0, 1, 2, 3, 4]);
        // se: 1 → 0, 010 → 1, 011 → -1, 00100 → 2
        let data = [0b1010_0110, 0b0100_0000];
        let mut r = BitReader::new(&data, "t");
        assert_eq!([r.se().expect("valid"), r.se().expect("valid"), r.se().expect("valid"), r.se().expect("valid")], [0, 1, -1, 2]);
    }

    #[test]
    fn reads_past_the_end_fail() {
        let mut r = BitReader::new(&[0xff], "t");
        assert_eq!(r.bits(8).expect("valid"), 0xff);
        assert!(matches!(r.bit(), Err(CodecError::Truncated("t"))));
        // 40 zero bits: no Exp-Golomb code ends.
        let mut r = BitReader::new(&[0; 5], "t");
        assert!(r.ue().is_err());
        // The largest 32-bit code: 31 zeros, a one, 31 ones.
        let mut data = vec![0u8; 3];
        data.extend_from_slice(&[0b0000_0001, 0xff, 0xff, 0xff, 0xfe]);
        let mut r = BitReader::new(&data, "t");
        assert_eq!(r.ue().expect("valid"), u32::MAX - 1);
    }

    #[test]
    fn emulation_prevention_is_removed() {
        assert_eq!(unescape(&[0, 0, 3, 1, 0, 0, 3, 0, 0, 3]), vec![0, 0, 1, 0, 0, 0, 0]);
        assert_eq!(unescape(&[0, 3, 0, 0, 3]), vec![0, 3, 0, 0]);
    }
}
