//! H.264 syntax the demuxers need: the AVCDecoderConfigurationRecord (FLV sequence
//! header), NAL units behind length prefixes (FLV) or start codes (Annex B, MPEG-TS), and
//! the SPS fields for profile, level and the cropped picture size.

use bytes::Bytes;

use crate::bits::{Bits, Bytes as Reader};
use crate::{DemuxError, H264Config};

/// NAL unit type of an IDR slice.
pub const NAL_IDR: u8 = 5;
/// NAL unit type of a sequence parameter set.
pub const NAL_SPS: u8 = 7;
/// NAL unit type of a picture parameter set.
pub const NAL_PPS: u8 = 8;
/// NAL unit type of an access unit delimiter.
pub const NAL_AUD: u8 = 9;

/// The type of a NAL unit (its low five bits), 0 for an empty one.
pub fn nal_type(nalu: &[u8]) -> u8 {
    nalu.first().map_or(0, |b| b & 0x1f)
}

/// A parsed AVCDecoderConfigurationRecord: the parameter sets and the NAL length size.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AvcRecord {
    /// The parameter sets and what the first SPS says.
    pub config: H264Config,
    /// Bytes of each NAL unit's length prefix in the frames that follow (1, 2 or 4).
    pub nal_length_size: u8,
}

/// Parses an AVCDecoderConfigurationRecord (ISO/IEC 14496-15 5.2.4.1).
pub fn parse_avc_record(rec: &Bytes) -> Result<AvcRecord, DemuxError> {
    let mut r = Reader::new(rec, "AVCDecoderConfigurationRecord");
    let version = r.u8()?;
    if version != 1 {
        return Err(DemuxError::invalid("AVCDecoderConfigurationRecord", format!("version {version}")));
    }
    r.take(3)?; // profile, compatibility and level: read from the SPS itself
    let nal_length_size = (r.u8()? & 3) + 1;
    if nal_length_size == 3 {
        return Err(DemuxError::invalid("AVCDecoderConfigurationRecord", "NAL length size 3"));
    }
    let mut sps = Vec::new();
    for _ in 0..(r.u8()? & 0x1f) {
        let len = usize::from(r.u16()?);
        let start = r.pos();
        r.take(len)?;
        sps.push(rec.slice(start..start + len));
    }
    let mut pps = Vec::new();
    for _ in 0..r.u8()? {
        let len = usize::from(r.u16()?);
        let start = r.pos();
        r.take(len)?;
        pps.push(rec.slice(start..start + len));
    }
    Ok(AvcRecord { config: config_from(sps, pps)?, nal_length_size })
}

/// Builds an [`H264Config`] from parameter sets, reading the first SPS.
pub fn config_from(sps: Vec<Bytes>, pps: Vec<Bytes>) -> Result<H264Config, DemuxError> {
    let first = sps.first().ok_or(DemuxError::invalid("H.264 configuration", "no SPS"))?;
    let info = parse_sps(first)?;
    Ok(H264Config {
        sps,
        pps,
        profile_idc: info.profile_idc,
        constraint_flags: info.constraint_flags,
        level_idc: info.level_idc,
        width: info.width,
        height: info.height,
    })
}

/// What [`parse_sps`] reads from a sequence parameter set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SpsInfo {
    /// `profile_idc`.
    pub profile_idc: u8,
    /// The constraint flags byte.
    pub constraint_flags: u8,
    /// `level_idc`.
    pub level_idc: u8,
    /// Width in pixels, cropping applied.
    pub width: u32,
    /// Height in pixels, cropping applied.
    pub height: u32,
}

/// The RBSP of a NAL unit: its payload with emulation prevention bytes removed.
fn rbsp(nalu: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(nalu.len());
    let mut zeros = 0;
    for &b in nalu {
        if zeros >= 2 && b == 3 {
            zeros = 0;
            continue;
        }
        zeros = if b == 0 { zeros + 1 } else { 0 };
        out.push(b);
    }
    out
}

/// Parses a sequence parameter set NAL unit (with its one-byte header; ITU-T H.264
/// 7.3.2.1.1) as far as the frame cropping.
pub fn parse_sps(nalu: &[u8]) -> Result<SpsInfo, DemuxError> {
    const WHAT: &str = "H.264 SPS";
    if nal_type(nalu) != NAL_SPS {
        return Err(DemuxError::invalid(WHAT, format!("NAL unit type {} is not an SPS", nal_type(nalu))));
    }
    let data = rbsp(nalu.get(1..).unwrap_or_default());
    let mut b = Bits::new(&data, WHAT);
    let profile_idc = b.bits(8)? as u8;
    let constraint_flags = b.bits(8)? as u8;
    let level_idc = b.bits(8)? as u8;
    b.ue()?; // seq_parameter_set_id
    let mut chroma_format_idc = 1;
    let mut separate_colour_plane = false;
    if matches!(profile_idc, 100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135) {
        chroma_format_idc = b.ue()?;
        if chroma_format_idc > 3 {
            return Err(DemuxError::invalid(WHAT, format!("chroma_format_idc {chroma_format_idc}")));
        }
        if chroma_format_idc == 3 {
            separate_colour_plane = b.bit()?;
        }
        b.ue()?; // bit_depth_luma_minus8
        b.ue()?; // bit_depth_chroma_minus8
        b.bit()?; // qpprime_y_zero_transform_bypass_flag
        if b.bit()? {
            for i in 0..if chroma_format_idc == 3 { 12 } else { 8 } {
                if b.bit()? {
                    skip_scaling_list(&mut b, if i < 6 { 16 } else { 64 })?;
                }
            }
        }
    }
    b.ue()?; // log2_max_frame_num_minus4
    match b.ue()? {
        0 => {
            b.ue()?; // log2_max_pic_order_cnt_lsb_minus4
        }
        1 => {
            b.bit()?;
            b.se()?;
            b.se()?;
            let cycle = b.ue()?;
            if cycle > 255 {
                return Err(DemuxError::invalid(WHAT, format!("num_ref_frames_in_pic_order_cnt_cycle {cycle}")));
            }
            for _ in 0..cycle {
                b.se()?;
            }
        }
        _ => {}
    }
    b.ue()?; // max_num_ref_frames
    b.bit()?; // gaps_in_frame_num_value_allowed_flag
    let width_mbs = u64::from(b.ue()?) + 1;
    let height_map_units = u64::from(b.ue()?) + 1;
    let frame_mbs_only = b.bit()?;
    if !frame_mbs_only {
        b.bit()?; // mb_adaptive_frame_field_flag
    }
    b.bit()?; // direct_8x8_inference_flag
    let (mut left, mut right, mut top, mut bottom) = (0u64, 0u64, 0u64, 0u64);
    if b.bit()? {
        left = b.ue()?.into();
        right = b.ue()?.into();
        top = b.ue()?.into();
        bottom = b.ue()?.into();
    }
    let field_factor = if frame_mbs_only { 1 } else { 2 };
    let (sub_w, sub_h) = match (chroma_format_idc, separate_colour_plane) {
        (1, _) => (2, 2),
        (2, _) => (2, 1),
        _ => (1, 1),
    };
    let (crop_x, crop_y) = if chroma_format_idc == 0 || separate_colour_plane { (1, field_factor) } else { (sub_w, sub_h * field_factor) };
    let full_w = width_mbs * 16;
    let full_h = height_map_units * 16 * field_factor;
    let width = full_w.checked_sub(crop_x * (left + right));
    let height = full_h.checked_sub(crop_y * (top + bottom));
    match (width.and_then(|w| u32::try_from(w).ok()), height.and_then(|h| u32::try_from(h).ok())) {
        (Some(width), Some(height)) if width > 0 && height > 0 => Ok(SpsInfo { profile_idc, constraint_flags, level_idc, width, height }),
        _ => Err(DemuxError::invalid(WHAT, "cropping leaves no picture")),
    }
}

/// Skips a `scaling_list(size)` (7.3.2.1.1.1).
fn skip_scaling_list(b: &mut Bits<'_>, size: usize) -> Result<(), DemuxError> {
    let (mut last, mut next) = (8i64, 8i64);
    for _ in 0..size {
        if next != 0 {
            next = (last + b.se()?).rem_euclid(256);
        }
        if next != 0 {
            last = next;
        }
    }
    Ok(())
}

/// Splits NAL units each behind a big-endian length of `size` bytes (1, 2 or 4).
pub fn split_length_prefixed(data: &Bytes, size: u8) -> Result<Vec<Bytes>, DemuxError> {
    let mut out = Vec::new();
    let mut pos = 0;
    let size = usize::from(size);
    while pos < data.len() {
        let prefix = data.get(pos..pos + size).ok_or(DemuxError::Truncated("NAL unit length"))?;
        let len = prefix.iter().fold(0usize, |acc, &b| (acc << 8) | usize::from(b));
        let start = pos + size;
        let end = start.checked_add(len).filter(|&e| e <= data.len()).ok_or(DemuxError::Truncated("NAL unit"))?;
        if len > 0 {
            out.push(data.slice(start..end));
        }
        pos = end;
    }
    Ok(out)
}

/// Splits an Annex B byte stream at its start codes (`00 00 01`, `00 00 00 01`); bytes
/// before the first start code are dropped, trailing zero bytes of each unit removed.
pub fn split_annex_b(data: &Bytes) -> Vec<Bytes> {
    let d = &data[..];
    let mut starts = Vec::new();
    let mut i = 0;
    while i + 3 <= d.len() {
        if d[i] == 0 && d[i + 1] == 0 && d[i + 2] == 1 {
            starts.push(i + 3);
            i += 3;
        } else {
            i += 1;
        }
    }
    let mut out = Vec::with_capacity(starts.len());
    for (k, &s) in starts.iter().enumerate() {
        let mut end = starts.get(k + 1).map_or(d.len(), |&n| n - 3);
        while end > s && d[end - 1] == 0 {
            end -= 1;
        }
        if end > s {
            out.push(data.slice(s..end));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// x264's SPS for 320x240 High profile, level 1.3 (from an ffmpeg run).
    pub(crate) const SPS_320X240_HIGH: &[u8] =
        &[0x67, 0x64, 0x00, 0x0d, 0xac, 0xd9, 0x41, 0x41, 0xfb, 0x01, 0x10, 0x00, 0x00, 0x03, 0x00, 0x10, 0x00, 0x00, 0x03, 0x03, 0xc0, 0xf1, 0x42, 0x99, 0x60];

    #[test]
    fn reads_size_and_profile_from_an_sps() {
        let info = parse_sps(SPS_320X240_HIGH).expect("valid SPS");
        assert_eq!((info.profile_idc, info.level_idc, info.width, info.height), (100, 13, 320, 240));
    }

    #[test]
    fn truncated_sps_is_an_error() {
        let full = parse_sps(SPS_320X240_HIGH).expect("valid SPS");
        for n in 0..SPS_320X240_HIGH.len() {
            let r = parse_sps(&SPS_320X240_HIGH[..n]);
            assert!(r.is_err() || r == Ok(full), "{n} bytes: {r:?}");
        }
        assert!(parse_sps(&SPS_320X240_HIGH[..5]).is_err());
    }

    #[test]
    fn splits_annex_b_and_length_prefixes() {
        let ab = Bytes::from_static(&[0, 0, 0, 1, 9, 0xf0, 0, 0, 1, 0x65, 1, 2, 0, 0, 0, 1, 0x41, 7]);
        let units = split_annex_b(&ab);
        assert_eq!(units, vec![Bytes::from_static(&[9, 0xf0]), Bytes::from_static(&[0x65, 1, 2]), Bytes::from_static(&[0x41, 7])]);
        let lp = Bytes::from_static(&[0, 2, 0x65, 1, 0, 1, 0x41]);
        assert_eq!(split_length_prefixed(&lp, 2).expect("valid"), vec![Bytes::from_static(&[0x65, 1]), Bytes::from_static(&[0x41])]);
        assert!(split_length_prefixed(&Bytes::from_static(&[0, 0, 0, 9, 1]), 4).is_err());
    }
}
