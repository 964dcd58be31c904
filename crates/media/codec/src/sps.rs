//! H.264 sequence parameter sets (H.264 7.3.2.1.1, E.1.1): the fields a passthrough decision
//! and an SDP line need — profile, constraint flags, level, the picture size after cropping,
//! and from the VUI the frame rate and `max_num_reorder_frames` (B-frames) when present.

use crate::bits::{BitReader, unescape};
use crate::error::CodecError;

const WHAT: &str = "H.264 SPS";
/// An SPS longer than this is refused (real ones are tens of bytes; scaling lists add a few
/// hundred).
const MAX_SPS_LEN: usize = 4096;
/// Widths and heights in macroblocks beyond this are refused (16384 pixels).
const MAX_MBS: u32 = 1024;

/// The H.264 profiles browsers' WebRTC stacks negotiate (libwebrtc's `H264Profile`); every
/// one of them is decodable by Chromium's decoder. What WebRTC needs besides the profile is
/// no frame reordering (see [`SpsInfo::no_reordering`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WebRtcProfile {
    /// `42e0`: baseline with constraint_set1 (no FMO/ASO/redundant slices).
    ConstrainedBaseline,
    /// `4200`.
    Baseline,
    /// `4d00`.
    Main,
    /// `640c`.
    ConstrainedHigh,
    /// `6400`.
    High,
}

impl WebRtcProfile {
    /// The profile_idc and constraint byte of the canonical `profile-level-id` for it.
    fn idc_and_constraints(self) -> (u8, u8) {
        match self {
            Self::ConstrainedBaseline => (0x42, 0xe0),
            Self::Baseline => (0x42, 0x00),
            Self::Main => (0x4d, 0x00),
            Self::ConstrainedHigh => (0x64, 0x0c),
            Self::High => (0x64, 0x00),
        }
    }
}

/// What an SPS says.
#[derive(Debug, Clone, PartialEq)]
pub struct SpsInfo {
    /// `profile_idc` (66 baseline, 77 main, 100 high…).
    pub profile_idc: u8,
    /// The byte of `constraint_set0..5_flag` and the two reserved bits, as in the SPS.
    pub constraint_flags: u8,
    /// `level_idc` (31 for level 3.1…).
    pub level_idc: u8,
    /// `chroma_format_idc` (1 = 4:2:0; 1 unless a high profile says otherwise).
    pub chroma_format_idc: u32,
    /// Luma bit depth (8 unless a high profile says otherwise).
    pub bit_depth: u32,
    /// Progressive only (`frame_mbs_only_flag`).
    pub frame_mbs_only: bool,
    /// The picture width in pixels, cropping applied.
    pub width: u32,
    /// The picture height in pixels, cropping applied.
    pub height: u32,
    /// Frames per second from the VUI timing info (`time_scale / (2 * num_units_in_tick)`),
    /// when present.
    pub fps: Option<f64>,
    /// `max_num_reorder_frames` from the VUI bitstream restriction, when present.
    pub max_num_reorder_frames: Option<u32>,
}

impl SpsInfo {
    /// Parses an SPS NAL unit (its header byte first, as found in an AVC configuration
    /// record or an Annex B stream).
    pub fn parse(sps: &[u8]) -> Result<SpsInfo, CodecError> {
        if sps.len() > MAX_SPS_LEN {
            return Err(CodecError::Invalid { what: WHAT, why: "longer than any real SPS" });
        }
        let header = *sps.first().ok_or(CodecError::Truncated(WHAT))?;
        if header & 0x1f != 7 {
            return Err(CodecError::Invalid { what: WHAT, why: "not an SPS NAL unit (type 7)" });
        }
        let rbsp = unescape(&sps[1..]);
        let mut r = BitReader::new(&rbsp, WHAT);
        let profile_idc = r.bits(8)? as u8;
        let constraint_flags = r.bits(8)? as u8;
        let level_idc = r.bits(8)? as u8;
        r.ue_max(31, "seq_parameter_set_id above 31")?;
        let (mut chroma_format_idc, mut bit_depth, mut separate_planes) = (1, 8, false);
        if matches!(profile_idc, 100 | 110 | 122 | 244 | 44 | 83 | 86 | 118 | 128 | 138 | 139 | 134 | 135) {
            chroma_format_idc = r.ue_max(3, "chroma_format_idc above 3")?;
            if chroma_format_idc == 3 {
                separate_planes = r.flag()?;
            }
            bit_depth = r.ue_max(6, "bit_depth_luma above 14")? + 8;
            r.ue_max(6, "bit_depth_chroma above 14")?;
            r.flag()?; // qpprime_y_zero_transform_bypass_flag
            if r.flag()? {
                let lists = if chroma_format_idc == 3 { 12 } else { 8 };
                for i in 0..lists {
                    if r.flag()? {
                        skip_scaling_list(&mut r, if i < 6 { 16 } else { 64 })?;
                    }
                }
            }
        }
        r.ue_max(12, "log2_max_frame_num_minus4 above 12")?;
        match r.ue_max(2, "pic_order_cnt_type above 2")? {
            0 => {
                r.ue_max(12, "log2_max_pic_order_cnt_lsb_minus4 above 12")?;
            }
            1 => {
                r.flag()?;
                r.se()?;
                r.se()?;
                let n = r.ue_max(255, "num_ref_frames_in_pic_order_cnt_cycle above 255")?;
                for _ in 0..n {
                    r.se()?;
                }
            }
            _ => {}
        }
        r.ue_max(32, "max_num_ref_frames above 32")?;
        r.flag()?; // gaps_in_frame_num_value_allowed_flag
        let width_mbs = r.ue_max(MAX_MBS - 1, "picture wider than 16384")? + 1;
        let height_units = r.ue_max(MAX_MBS - 1, "picture taller than 16384")? + 1;
        let frame_mbs_only = r.flag()?;
        if !frame_mbs_only {
            r.flag()?; // mb_adaptive_frame_field_flag
        }
        r.flag()?; // direct_8x8_inference_flag
        let mut width = width_mbs * 16;
        let mut height = height_units * 16 * if frame_mbs_only { 1 } else { 2 };
        if r.flag()? {
            let (sub_w, sub_h) = match (chroma_format_idc, separate_planes) {
                (0, _) | (3, true) => (1, 1),
                (1, _) => (2, 2),
                (2, _) => (2, 1),
                _ => (1, 1),
            };
            let unit_x = sub_w;
            let unit_y = sub_h * if frame_mbs_only { 1 } else { 2 };
            let mut crop = [0u32; 4];
            for c in &mut crop {
                *c = r.ue_max(MAX_MBS * 16, "frame cropping beyond the picture")?;
            }
            let crop_w = (crop[0] + crop[1]) * unit_x;
            let crop_h = (crop[2] + crop[3]) * unit_y;
            if crop_w >= width || crop_h >= height {
                return Err(CodecError::Invalid { what: WHAT, why: "frame cropping removes the whole picture" });
            }
            width -= crop_w;
            height -= crop_h;
        }
        // The VUI is read on a best-effort basis: a damaged one leaves its fields unknown.
        let (fps, max_num_reorder_frames) = if r.flag()? { read_vui(&mut r).unwrap_or((None, None)) } else { (None, None) };
        Ok(SpsInfo { profile_idc, constraint_flags, level_idc, chroma_format_idc, bit_depth, frame_mbs_only, width, height, fps, max_num_reorder_frames })
    }

    /// The WebRTC profile this SPS's profile_idc and constraint flags match, if any, and
    /// only for 4:2:0 8-bit pictures.
    pub fn webrtc_profile(&self) -> Option<WebRtcProfile> {
        if self.chroma_format_idc != 1 || self.bit_depth != 8 {
            return None;
        }
        // libwebrtc's patterns, except that the low constraint bits (set4, set5 and the
        // reserved ones) are ignored for baseline, main and high: they narrow the stream
        // without changing what a decoder of the profile must do.
        let c = self.constraint_flags;
        let (set0, set1) = (c & 0x80 != 0, c & 0x40 != 0);
        match self.profile_idc {
            0x42 if set1 => Some(WebRtcProfile::ConstrainedBaseline),
            0x42 => Some(WebRtcProfile::Baseline),
            0x4d if set0 => Some(WebRtcProfile::ConstrainedBaseline),
            0x4d => Some(WebRtcProfile::Main),
            0x58 if set0 && set1 => Some(WebRtcProfile::ConstrainedBaseline),
            0x58 if set0 => Some(WebRtcProfile::Baseline),
            0x64 if c & 0x0c == 0x0c => Some(WebRtcProfile::ConstrainedHigh),
            0x64 => Some(WebRtcProfile::High),
            _ => None,
        }
    }

    /// Whether frames come in presentation order (no B-frame reordering), which WebRTC
    /// decoders assume: `Some(true)` for the baseline family (no B slices) or a VUI saying
    /// `max_num_reorder_frames = 0`, `Some(false)` for a VUI allowing reordering, `None`
    /// when the SPS does not say (then look at the container: FLV composition times all
    /// zero mean no reordering).
    pub fn no_reordering(&self) -> Option<bool> {
        if matches!(self.webrtc_profile(), Some(WebRtcProfile::ConstrainedBaseline | WebRtcProfile::Baseline)) {
            return Some(true);
        }
        self.max_num_reorder_frames.map(|n| n == 0)
    }

    /// Whether the stream can be forwarded to WebRTC subscribers as it is: a WebRTC profile,
    /// progressive, and known to be free of reordering.
    pub fn passthrough_safe(&self) -> bool {
        self.webrtc_profile().is_some() && self.frame_mbs_only && self.no_reordering() == Some(true)
    }

    /// The `profile-level-id` for the SDP `fmtp` line: the canonical one of the matched
    /// [`WebRtcProfile`] with this SPS's level (e.g. `42e01f`, `4d0028`, `640033`); for a
    /// profile WebRTC does not negotiate, the SPS's own three bytes.
    pub fn webrtc_profile_level_id(&self) -> String {
        let (idc, constraints) = self.webrtc_profile().map_or((self.profile_idc, self.constraint_flags), WebRtcProfile::idc_and_constraints);
        format!("{idc:02x}{constraints:02x}{:02x}", self.level_idc)
    }
}

/// Skips one scaling list (H.264 7.3.2.1.1.1).
fn skip_scaling_list(r: &mut BitReader<'_>, size: usize) -> Result<(), CodecError> {
    let (mut last, mut next) = (8i32, 8i32);
    for _ in 0..size {
        if next != 0 {
            let delta = r.se()?;
            if !(-128..=127).contains(&delta) {
                return Err(CodecError::Invalid { what: WHAT, why: "delta_scale out of range" });
            }
            next = (last + delta + 256) % 256;
        }
        if next != 0 {
            last = next;
        }
    }
    Ok(())
}

/// The VUI fields we keep: the frame rate and `max_num_reorder_frames` (H.264 E.1.1).
fn read_vui(r: &mut BitReader<'_>) -> Result<(Option<f64>, Option<u32>), CodecError> {
    if r.flag()? && r.bits(8)? == 255 {
        r.bits(32)?; // sar_width, sar_height
    }
    if r.flag()? {
        r.flag()?; // overscan_appropriate_flag
    }
    if r.flag()? {
        r.bits(4)?; // video_format, video_full_range_flag
        if r.flag()? {
            r.bits(24)?; // colour_primaries, transfer_characteristics, matrix_coefficients
        }
    }
    if r.flag()? {
        r.ue()?;
        r.ue()?;
    }
    let mut fps = None;
    if r.flag()? {
        let units = r.bits(32)?;
        let scale = r.bits(32)?;
        r.flag()?; // fixed_frame_rate_flag
        if units > 0 && scale > 0 {
            fps = Some(f64::from(scale) / (2.0 * f64::from(units)));
        }
    }
    let nal_hrd = r.flag()?;
    if nal_hrd {
        skip_hrd(r)?;
    }
    let vcl_hrd = r.flag()?;
    if vcl_hrd {
        skip_hrd(r)?;
    }
    if nal_hrd || vcl_hrd {
        r.flag()?; // low_delay_hrd_flag
    }
    r.flag()?; // pic_struct_present_flag
    let mut reorder = None;
    if r.flag()? {
        r.flag()?; // motion_vectors_over_pic_boundaries_flag
        r.ue()?; // max_bytes_per_pic_denom
        r.ue()?; // max_bits_per_mb_denom
        r.ue()?; // log2_max_mv_length_horizontal
        r.ue()?; // log2_max_mv_length_vertical
        reorder = Some(r.ue_max(16, "max_num_reorder_frames above 16")?);
        r.ue()?; // max_dec_frame_buffering
    }
    Ok((fps, reorder))
}

/// Skips HRD parameters (H.264 E.1.2).
fn skip_hrd(r: &mut BitReader<'_>) -> Result<(), CodecError> {
    let cpb_cnt = r.ue_max(31, "cpb_cnt_minus1 above 31")? + 1;
    r.bits(8)?; // bit_rate_scale, cpb_size_scale
    for _ in 0..cpb_cnt {
        r.ue()?;
        r.ue()?;
        r.flag()?;
    }
    r.bits(20)?; // four 5-bit lengths
    Ok(())
}
