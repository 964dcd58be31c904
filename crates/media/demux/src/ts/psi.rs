//! Transport stream packet headers and the program tables: PAT (program → PMT PID) and
//! PMT (elementary streams), each section checked with its CRC-32.

/// A TS packet is this long.
pub(crate) const PACKET: usize = 188;

/// What a packet header says, and where its payload is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Packet {
    pub(crate) pid: u16,
    pub(crate) unit_start: bool,
    pub(crate) transport_error: bool,
    pub(crate) has_payload: bool,
    pub(crate) cc: u8,
    pub(crate) discontinuity: bool,
    /// Offset of the payload in the packet (188 when there is none).
    pub(crate) payload_at: usize,
}

/// Reads the header of a 188-byte packet starting with 0x47; `None` when its adaptation
/// field claims more than the packet holds.
pub(crate) fn packet(p: &[u8; PACKET]) -> Option<Packet> {
    let afc = (p[3] >> 4) & 3;
    let mut payload_at = 4;
    let mut discontinuity = false;
    if afc & 2 != 0 {
        let len = usize::from(p[4]);
        discontinuity = len > 0 && p[5] & 0x80 != 0;
        payload_at = 5 + len;
        if payload_at > PACKET {
            return None;
        }
    }
    Some(Packet {
        pid: (u16::from(p[1] & 0x1f) << 8) | u16::from(p[2]),
        unit_start: p[1] & 0x40 != 0,
        transport_error: p[1] & 0x80 != 0,
        has_payload: afc & 1 != 0,
        cc: p[3] & 0x0f,
        discontinuity,
        payload_at: if afc & 1 != 0 { payload_at } else { PACKET },
    })
}

/// CRC-32/MPEG-2 of `data`; a section with its CRC appended sums to 0.
pub(crate) fn crc32(data: &[u8]) -> u32 {
    let mut crc = 0xffff_ffffu32;
    for &b in data {
        crc ^= u32::from(b) << 24;
        for _ in 0..8 {
            crc = if crc & 0x8000_0000 != 0 { (crc << 1) ^ 0x04c1_1db7 } else { crc << 1 };
        }
    }
    crc
}

/// The section starting a PSI payload (after the pointer field), if whole in this packet
/// and its CRC holds: `(table_id, version, body)` where body is what follows the 8-byte
/// long header, without the CRC.
fn section(payload: &[u8]) -> Option<(u8, u8, &[u8])> {
    let pointer = usize::from(*payload.first()?);
    let s = payload.get(1 + pointer..)?;
    let len = usize::from(u16::from_be_bytes([*s.get(1)?, *s.get(2)?]) & 0x0fff);
    let whole = s.get(..3 + len)?;
    if len < 9 || crc32(whole) != 0 {
        return None;
    }
    Some((whole[0], (whole[5] >> 1) & 0x1f, &whole[8..whole.len() - 4]))
}

/// The PMT PID of the first program of a PAT payload.
pub(crate) fn pat(payload: &[u8]) -> Option<u16> {
    let (table, _, body) = section(payload)?;
    if table != 0 {
        return None;
    }
    body.chunks_exact(4).find(|e| u16::from_be_bytes([e[0], e[1]]) != 0).map(|e| u16::from_be_bytes([e[2], e[3]]) & 0x1fff)
}

/// One elementary stream of a PMT.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stream {
    pub(crate) stream_type: u8,
    pub(crate) pid: u16,
}

/// The version and elementary streams of a PMT payload.
pub(crate) fn pmt(payload: &[u8]) -> Option<(u8, Vec<Stream>)> {
    let (table, version, body) = section(payload)?;
    if table != 2 || body.len() < 4 {
        return None;
    }
    let info_len = usize::from(u16::from_be_bytes([body[2], body[3]]) & 0x0fff);
    let mut rest = body.get(4 + info_len..)?;
    let mut streams = Vec::new();
    while rest.len() >= 5 {
        let es_len = usize::from(u16::from_be_bytes([rest[3], rest[4]]) & 0x0fff);
        streams.push(Stream { stream_type: rest[0], pid: u16::from_be_bytes([rest[1], rest[2]]) & 0x1fff });
        rest = rest.get(5 + es_len..)?;
    }
    Some((version, streams))
}

/// The name of a stream type this crate does not carry, for `Unsupported` (video first).
pub(crate) fn unsupported_name(stream_type: u8) -> Option<(bool, &'static str)> {
    Some(match stream_type {
        0x01 => (true, "MPEG-1 video"),
        0x02 => (true, "MPEG-2 video"),
        0x10 => (true, "MPEG-4 Part 2 video"),
        0x24 => (true, "HEVC video"),
        0x33 => (true, "VVC video"),
        0x03 | 0x04 => (false, "MPEG audio (MP2/MP3)"),
        0x11 => (false, "AAC in LATM"),
        0x81 => (false, "AC-3 audio"),
        0x87 => (false, "E-AC-3 audio"),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::crc32;

    #[test]
    fn crc_of_a_pat_from_ffmpeg_is_zero() {
        // ffmpeg's PAT section: program 1 → PMT PID 0x1000.
        let pat = [0x00, 0xb0, 0x0d, 0x00, 0x01, 0xc1, 0x00, 0x00, 0x00, 0x01, 0xf0, 0x00, 0x2a, 0xb1, 0x04, 0xb2];
        assert_eq!(crc32(&pat), 0);
        assert_eq!(super::pat(&[&[0u8][..], &pat].concat()), Some(0x1000));
    }
}
