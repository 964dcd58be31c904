//! Bounds-checked readers: big-endian bytes (RTMP, FLV, AMF0, MPEG-TS) and bits with
//! exp-Golomb codes (the H.264 SPS). Every read returns [`DemuxError::Truncated`] past the end.

use crate::DemuxError;

/// A cursor over a byte slice reading big-endian fields.
pub(crate) struct Bytes<'a> {
    buf: &'a [u8],
    pos: usize,
    what: &'static str,
}

impl<'a> Bytes<'a> {
    /// A reader of `buf`; `what` names the structure in errors.
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Self { buf, pos: 0, what }
    }

    /// Bytes not read yet.
    pub(crate) fn remaining(&self) -> usize {
        self.buf.len() - self.pos
    }

    /// How far the reader is into the slice.
    pub(crate) fn pos(&self) -> usize {
        self.pos
    }

    /// The next `n` bytes.
    pub(crate) fn take(&mut self, n: usize) -> Result<&'a [u8], DemuxError> {
        let end = self.pos.checked_add(n).filter(|&e| e <= self.buf.len()).ok_or(DemuxError::Truncated(self.what))?;
        let s = &self.buf[self.pos..end];
        self.pos = end;
        Ok(s)
    }

    /// The next `N` bytes as an array.
    fn array<const N: usize>(&mut self) -> Result<[u8; N], DemuxError> {
        let mut a = [0; N];
        a.copy_from_slice(self.take(N)?);
        Ok(a)
    }

    pub(crate) fn u8(&mut self) -> Result<u8, DemuxError> {
        Ok(self.array::<1>()?[0])
    }

    pub(crate) fn u16(&mut self) -> Result<u16, DemuxError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    pub(crate) fn u24(&mut self) -> Result<u32, DemuxError> {
        let [a, b, c] = self.array()?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub(crate) fn u32(&mut self) -> Result<u32, DemuxError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    pub(crate) fn f64(&mut self) -> Result<f64, DemuxError> {
        Ok(f64::from_be_bytes(self.array()?))
    }
}

/// A reader of bits, most significant first, with exp-Golomb codes.
pub(crate) struct Bits<'a> {
    buf: &'a [u8],
    bit: usize,
    what: &'static str,
}

impl<'a> Bits<'a> {
    /// A reader of `buf` (already without emulation prevention bytes).
    pub(crate) fn new(buf: &'a [u8], what: &'static str) -> Self {
        Self { buf, bit: 0, what }
    }

    /// One bit.
    pub(crate) fn bit(&mut self) -> Result<bool, DemuxError> {
        let byte = self.buf.get(self.bit / 8).ok_or(DemuxError::Truncated(self.what))?;
        let v = (byte >> (7 - self.bit % 8)) & 1 == 1;
        self.bit += 1;
        Ok(v)
    }

    /// `n` bits (at most 32) as an unsigned number.
    pub(crate) fn bits(&mut self, n: u32) -> Result<u32, DemuxError> {
        let mut v: u32 = 0;
        for _ in 0..n.min(32) {
            v = (v << 1) | u32::from(self.bit()?);
        }
        Ok(v)
    }

    /// An unsigned exp-Golomb code `ue(v)`; codes longer than 32 bits are invalid.
    pub(crate) fn ue(&mut self) -> Result<u32, DemuxError> {
        let mut zeros = 0;
        while !self.bit()? {
            zeros += 1;
            if zeros > 31 {
                return Err(DemuxError::invalid(self.what, "exp-Golomb code longer than 32 bits"));
            }
        }
        let rest = self.bits(zeros)?;
        // (1 << zeros) - 1 + rest fits: zeros ≤ 31.
        Ok(((1u64 << zeros) - 1 + u64::from(rest)).min(u64::from(u32::MAX)) as u32)
    }

    /// A signed exp-Golomb code `se(v)`.
    pub(crate) fn se(&mut self) -> Result<i64, DemuxError> {
        let k = i64::from(self.ue()?);
        Ok(if k % 2 == 1 { (k + 1) / 2 } else { -(k / 2) })
    }
}
