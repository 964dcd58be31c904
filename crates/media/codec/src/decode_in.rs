//! What a [`crate::Decoder`] reads, made from a track's frames (pure): an IVF stream for VP8
//! and VP9, Annex B for H.264 (from length-prefixed NAL units, as in an MP4 sample).

use crate::error::CodecError;

/// An H.264 access unit delimiter (any slice type), with its start code. ffmpeg's H.264
/// parser ends an access unit only when it sees the start of the next one; writing this
/// after each access unit ends it at once, which saves a frame of delay in a
/// [`crate::Decoder`]. (The last one, with no picture after it, draws a harmless "missing
/// picture in access unit" from ffmpeg at the end of the stream.)
pub const H264_ACCESS_UNIT_DELIMITER: [u8; 6] = [0, 0, 0, 1, 0x09, 0xf0];

/// An IVF file header: `DKIF`, version 0, header size 32, the codec's `fourcc` (`b"VP80"`,
/// `b"VP90"`), the picture size, the time base `1 / timebase_den` (90000 for RTP
/// timestamps), a frame count of 0 (a live stream's is unknown) and 4 unused bytes.
pub fn ivf_header(fourcc: [u8; 4], width: u16, height: u16, timebase_den: u32) -> [u8; 32] {
    let mut h = [0u8; 32];
    h[0..4].copy_from_slice(b"DKIF");
    h[4..6].copy_from_slice(&0u16.to_le_bytes());
    h[6..8].copy_from_slice(&32u16.to_le_bytes());
    h[8..12].copy_from_slice(&fourcc);
    h[12..14].copy_from_slice(&width.to_le_bytes());
    h[14..16].copy_from_slice(&height.to_le_bytes());
    h[16..20].copy_from_slice(&timebase_den.to_le_bytes());
    h[20..24].copy_from_slice(&1u32.to_le_bytes());
    h
}

/// Appends one IVF frame to `out`: its size (u32 LE), `pts` in the header's time base (u64
/// LE), then `data`. (A frame cannot exceed 4 GiB; past it, the data is cut to fit.)
pub fn ivf_frame(out: &mut Vec<u8>, pts: u64, data: &[u8]) {
    let size = u32::try_from(data.len()).unwrap_or(u32::MAX);
    let data = &data[..size as usize];
    out.reserve(12 + data.len());
    out.extend_from_slice(&size.to_le_bytes());
    out.extend_from_slice(&pts.to_le_bytes());
    out.extend_from_slice(data);
}

/// Appends to `out` the NAL units of `data`, each prefixed by its length in 4 big-endian
/// bytes (an MP4 sample, `lengthSizeMinusOne` = 3), as Annex B: each after a `00 00 00 01`
/// start code. A zero length carries nothing and is skipped. A length that runs past the
/// end, or a cut length field, is refused and `out` is left as it was.
pub fn annexb_from_length_prefixed(data: &[u8], out: &mut Vec<u8>) -> Result<(), CodecError> {
    let start = out.len();
    let mut rest = data;
    while !rest.is_empty() {
        let Some((len, tail)) = rest.split_first_chunk::<4>() else {
            out.truncate(start);
            return Err(CodecError::Truncated("NAL unit length (fewer than 4 bytes left)"));
        };
        let len = u32::from_be_bytes(*len) as usize;
        if len > tail.len() {
            out.truncate(start);
            return Err(CodecError::Invalid { what: "length-prefixed NAL unit", why: "its length runs past the end of the sample" });
        }
        let (nalu, next) = tail.split_at(len);
        if !nalu.is_empty() {
            out.extend_from_slice(&[0, 0, 0, 1]);
            out.extend_from_slice(nalu);
        }
        rest = next;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ivf_header_and_frames_have_the_format_ffmpeg_writes() {
        let h = ivf_header(*b"VP80", 640, 360, 90_000);
        assert_eq!(&h[0..4], b"DKIF");
        assert_eq!(&h[4..8], &[0, 0, 32, 0], "version 0, header size 32");
        assert_eq!(&h[8..12], b"VP80");
        assert_eq!(&h[12..16], &[0x80, 0x02, 0x68, 0x01], "640x360");
        assert_eq!(&h[16..24], &[0x90, 0x5f, 0x01, 0x00, 1, 0, 0, 0], "90000 then 1");
        assert_eq!(&h[24..32], &[0; 8], "no frame count, unused");

        let mut out = vec![0xaa];
        ivf_frame(&mut out, 3000, &[1, 2, 3]);
        ivf_frame(&mut out, 0x0102_0304_0506_0708, &[]);
        assert_eq!(out[..16], [0xaa, 3, 0, 0, 0, 0xb8, 0x0b, 0, 0, 0, 0, 0, 0, 1, 2, 3]);
        assert_eq!(out[16..], [0, 0, 0, 0, 8, 7, 6, 5, 4, 3, 2, 1]);
    }

    #[test]
    fn length_prefixed_nal_units_become_annex_b() {
        let sample = [0, 0, 0, 2, 0x67, 0x42, 0, 0, 0, 0, 0, 0, 0, 3, 0x65, 0x88, 0x80];
        let mut out = vec![9];
        annexb_from_length_prefixed(&sample, &mut out).expect("well formed");
        assert_eq!(out, [9, 0, 0, 0, 1, 0x67, 0x42, 0, 0, 0, 1, 0x65, 0x88, 0x80], "the empty unit skipped");
        let mut empty = Vec::new();
        annexb_from_length_prefixed(&[], &mut empty).expect("no units");
        assert!(empty.is_empty());
    }

    #[test]
    fn malformed_lengths_are_refused_without_output() {
        let cases: [&[u8]; 5] =
            [&[0, 0, 0, 5, 0x65, 0x88], &[0xff, 0xff, 0xff, 0xff, 0x65], &[0, 0, 0, 1, 0x09, 0, 0, 0], &[0, 0, 0, 1, 0x09, 0, 0, 0, 9, 1], &[0, 0, 1]];
        for (i, sample) in cases.into_iter().enumerate() {
            let mut out = vec![7, 7];
            let err = annexb_from_length_prefixed(sample, &mut out).expect_err("malformed");
            assert_eq!(out, [7, 7], "case {i}: nothing appended");
            let text = err.to_string();
            assert!(text.contains("runs past the end") || text.contains("truncated NAL unit length"), "case {i}: {text}");
        }
    }
}
