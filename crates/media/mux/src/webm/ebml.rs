//! EBML (RFC 8794) writing: element IDs, variable-size integers and the element kinds the
//! WebM writer needs, appended to a `Vec<u8>`.

/// The size of an element whose end is not known yet (all ones, 8 bytes).
pub const UNKNOWN_SIZE: [u8; 8] = [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff];

/// Element IDs used (with their length marker bits, as written).
pub mod id {
    #![allow(missing_docs)]
    pub const EBML: u32 = 0x1a45_dfa3;
    pub const EBML_VERSION: u32 = 0x4286;
    pub const EBML_READ_VERSION: u32 = 0x42f7;
    pub const EBML_MAX_ID_LENGTH: u32 = 0x42f2;
    pub const EBML_MAX_SIZE_LENGTH: u32 = 0x42f3;
    pub const DOC_TYPE: u32 = 0x4282;
    pub const DOC_TYPE_VERSION: u32 = 0x4287;
    pub const DOC_TYPE_READ_VERSION: u32 = 0x4285;
    pub const SEGMENT: u32 = 0x1853_8067;
    pub const INFO: u32 = 0x1549_a966;
    pub const TIMESTAMP_SCALE: u32 = 0x2a_d7b1;
    pub const MUXING_APP: u32 = 0x4d80;
    pub const WRITING_APP: u32 = 0x5741;
    pub const DURATION: u32 = 0x4489;
    pub const VOID: u32 = 0xec;
    pub const TRACKS: u32 = 0x1654_ae6b;
    pub const TRACK_ENTRY: u32 = 0xae;
    pub const TRACK_NUMBER: u32 = 0xd7;
    pub const TRACK_UID: u32 = 0x73c5;
    pub const TRACK_TYPE: u32 = 0x83;
    pub const FLAG_LACING: u32 = 0x9c;
    pub const CODEC_ID: u32 = 0x86;
    pub const CODEC_PRIVATE: u32 = 0x63a2;
    pub const CODEC_DELAY: u32 = 0x56aa;
    pub const SEEK_PRE_ROLL: u32 = 0x56bb;
    pub const VIDEO: u32 = 0xe0;
    pub const PIXEL_WIDTH: u32 = 0xb0;
    pub const PIXEL_HEIGHT: u32 = 0xba;
    pub const AUDIO: u32 = 0xe1;
    pub const SAMPLING_FREQUENCY: u32 = 0xb5;
    pub const CHANNELS: u32 = 0x9f;
    pub const CLUSTER: u32 = 0x1f43_b675;
    pub const TIMESTAMP: u32 = 0xe7;
    pub const SIMPLE_BLOCK: u32 = 0xa3;
}

/// Appends an element ID (1 to 4 bytes, marker bits included in `id`).
pub fn put_id(buf: &mut Vec<u8>, id: u32) {
    let bytes = id.to_be_bytes();
    let skip = (id.leading_zeros() / 8).min(3) as usize;
    buf.extend_from_slice(&bytes[skip..]);
}

/// How many bytes the variable-size integer for `n` takes (1 to 8; all-ones values are
/// reserved for unknown sizes, so 127 needs 2 bytes).
pub fn size_len(n: u64) -> usize {
    (1..8).find(|&len| n < (1u64 << (7 * len)) - 1).unwrap_or(8)
}

/// Appends `n` as a variable-size integer, in its shortest form.
pub fn put_size(buf: &mut Vec<u8>, n: u64) {
    let len = size_len(n);
    let v = n | 1u64 << (7 * len);
    buf.extend_from_slice(&v.to_be_bytes()[8 - len..]);
}

/// Appends an unsigned integer element (shortest big-endian form, at least one byte).
pub fn put_uint(buf: &mut Vec<u8>, id: u32, v: u64) {
    let len = (8 - v.leading_zeros() as usize / 8).max(1);
    put_id(buf, id);
    put_size(buf, len as u64);
    buf.extend_from_slice(&v.to_be_bytes()[8 - len..]);
}

/// Appends an 8-byte float element.
pub fn put_float(buf: &mut Vec<u8>, id: u32, v: f64) {
    put_id(buf, id);
    put_size(buf, 8);
    buf.extend_from_slice(&v.to_be_bytes());
}

/// Appends a binary or string element.
pub fn put_bytes(buf: &mut Vec<u8>, id: u32, data: &[u8]) {
    put_id(buf, id);
    put_size(buf, data.len() as u64);
    buf.extend_from_slice(data);
}

/// Appends a master element holding the elements `body` appends.
pub fn put_master(buf: &mut Vec<u8>, id: u32, body: impl FnOnce(&mut Vec<u8>)) {
    let mut inner = Vec::new();
    body(&mut inner);
    put_bytes(buf, id, &inner);
}

/// Appends a Void element of exactly `total` bytes (at least 2), to be overwritten later.
pub fn put_void(buf: &mut Vec<u8>, total: usize) {
    put_id(buf, id::VOID);
    let body = total.saturating_sub(2).min(126);
    put_size(buf, body as u64);
    buf.resize(buf.len() + body, 0);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn size(n: u64) -> Vec<u8> {
        let mut b = Vec::new();
        put_size(&mut b, n);
        b
    }

    #[test]
    fn varint_sizes() {
        assert_eq!(size(0), [0x80]);
        assert_eq!(size(126), [0xfe]);
        assert_eq!(size(127), [0x40, 0x7f]); // 0xff would mean "unknown"
        assert_eq!(size(16_382), [0x7f, 0xfe]);
        assert_eq!(size(16_383), [0x20, 0x3f, 0xff]);
        assert_eq!(size((1 << 56) - 2), [0x01, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xfe]);
        assert_eq!((size_len(0), size_len(1 << 21), size_len(1 << 40)), (1, 4, 6));
    }

    #[test]
    fn elements() {
        let mut b = Vec::new();
        put_uint(&mut b, id::TIMESTAMP_SCALE, 1_000_000);
        assert_eq!(b, [0x2a, 0xd7, 0xb1, 0x83, 0x0f, 0x42, 0x40]);
        b.clear();
        put_uint(&mut b, id::TRACK_NUMBER, 0);
        assert_eq!(b, [0xd7, 0x81, 0x00]);
        b.clear();
        put_void(&mut b, 11);
        assert_eq!(b.len(), 11);
        b.clear();
        put_float(&mut b, id::DURATION, 3000.0);
        assert_eq!(b.len(), 11); // so a Duration fits in an 11-byte Void
        b.clear();
        put_master(&mut b, id::VIDEO, |v| put_uint(v, id::PIXEL_WIDTH, 320));
        assert_eq!(b, [0xe0, 0x84, 0xb0, 0x82, 0x01, 0x40]);
        b.clear();
        put_id(&mut b, id::EBML);
        assert_eq!(b, [0x1a, 0x45, 0xdf, 0xa3]);
    }
}
