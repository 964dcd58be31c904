//! Complete PES packets to [`Elementary`] units: the PES header's PTS/DTS (33-bit 90 kHz,
//! extended across wraps, rounded to milliseconds), H.264 Annex B access units (with
//! in-band SPS/PPS told as `VideoConfig` when they first appear or change) and ADTS AAC
//! (each frame one `AudioFrame`, PTS advancing by 1024 samples).

use std::collections::VecDeque;

use bytes::Bytes;

use crate::aac::Adts;
use crate::time::Extender;
use crate::{AacConfig, AudioFrame, Elementary, VideoFrame, h264};

/// Milliseconds of 90 kHz ticks, rounded to the nearest.
fn ms(ticks: i64) -> i64 {
    (ticks + 45).div_euclid(90)
}

/// A PES packet's header: times (raw 33-bit) and where the payload starts.
struct Header {
    pts: Option<u64>,
    dts: Option<u64>,
    payload_at: usize,
}

fn timestamp(b: &[u8]) -> u64 {
    (u64::from((b[0] >> 1) & 7) << 30) | (u64::from(b[1]) << 22) | (u64::from(b[2] >> 1) << 15) | (u64::from(b[3]) << 7) | u64::from(b[4] >> 1)
}

/// Reads a PES header (ISO/IEC 13818-1 2.4.3.6) of an audio or video stream.
fn header(p: &[u8]) -> Option<Header> {
    if p.get(..3)? != [0, 0, 1] || p.get(6)? & 0xc0 != 0x80 {
        return None;
    }
    let flags = *p.get(7)? >> 6;
    let payload_at = 9 + usize::from(*p.get(8)?);
    if payload_at > p.len() {
        return None;
    }
    let pts = (flags & 2 != 0).then(|| p.get(9..14).map(timestamp)).flatten();
    let dts = (flags == 3).then(|| p.get(14..19).map(timestamp)).flatten();
    if flags & 2 != 0 && pts.is_none() || flags == 3 && dts.is_none() {
        return None;
    }
    Some(Header { pts, dts, payload_at })
}

/// Turns PES packets into units, remembering the configurations told.
#[derive(Debug)]
pub(crate) struct Units {
    pub(crate) out: VecDeque<Elementary>,
    video_time: Extender,
    audio_time: Extender,
    parameter_sets: (Vec<Bytes>, Vec<Bytes>),
    audio_config: Option<AacConfig>,
}

impl Units {
    pub(crate) fn new() -> Self {
        Self {
            out: VecDeque::new(),
            video_time: Extender::new(33),
            audio_time: Extender::new(33),
            parameter_sets: (Vec::new(), Vec::new()),
            audio_config: None,
        }
    }

    /// A complete H.264 PES packet; false if it was unusable (no header, no PTS).
    pub(crate) fn video(&mut self, pes: Bytes) -> bool {
        let Some(Header { pts: Some(pts), dts, payload_at }) = header(&pes) else { return false };
        let pts = self.video_time.extend(pts);
        let dts = dts.map_or(pts, |d| self.video_time.extend(d));
        let nalus: Vec<Bytes> = h264::split_annex_b(&pes.slice(payload_at..)).into_iter().filter(|n| h264::nal_type(n) != h264::NAL_AUD).collect();
        if nalus.is_empty() {
            return false;
        }
        let sps: Vec<Bytes> = nalus.iter().filter(|n| h264::nal_type(n) == h264::NAL_SPS).cloned().collect();
        let pps: Vec<Bytes> = nalus.iter().filter(|n| h264::nal_type(n) == h264::NAL_PPS).cloned().collect();
        if !sps.is_empty() && !pps.is_empty() && (&sps, &pps) != (&self.parameter_sets.0, &self.parameter_sets.1) {
            match h264::config_from(sps.clone(), pps.clone()) {
                Ok(c) => {
                    self.parameter_sets = (sps, pps);
                    self.out.push_back(Elementary::VideoConfig(c));
                }
                Err(_) => return false,
            }
        }
        let keyframe = nalus.iter().any(|n| h264::nal_type(n) == h264::NAL_IDR);
        self.out.push_back(Elementary::Video(VideoFrame { dts_ms: ms(dts), pts_ms: ms(pts), keyframe, nalus }));
        true
    }

    /// A complete AAC (ADTS) PES packet; false if it, or a frame in it, was unusable
    /// (the frames before the bad one are kept).
    pub(crate) fn audio(&mut self, pes: Bytes) -> bool {
        let Some(Header { pts: Some(pts), payload_at, .. }) = header(&pes) else { return false };
        let pts = self.audio_time.extend(pts);
        let mut at = payload_at;
        let mut n: i64 = 0;
        while at < pes.len() {
            let Ok(adts) = Adts::parse(&pes[at..]) else { return false };
            if at + adts.frame_len > pes.len() {
                return false;
            }
            let config = adts.config();
            if self.audio_config.as_ref() != Some(&config) {
                self.audio_config = Some(config.clone());
                self.out.push_back(Elementary::AudioConfig(config.clone()));
            }
            let rate = i64::from(config.sample_rate.max(1));
            let frame_pts = pts + n * 1024 * 90_000 / rate;
            self.out.push_back(Elementary::Audio(AudioFrame { pts_ms: ms(frame_pts), data: pes.slice(at + adts.header_len..at + adts.frame_len) }));
            at += adts.frame_len;
            n += 1;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pes_header_cut_before_its_flags_is_refused() {
        // Found by fuzzing (`mpegts_demux`): a start code and marker bits, then nothing.
        assert!(header(&[0, 0, 1, 0xe0, 0, 0, 0x80]).is_none());
        assert!(header(&[0, 0, 1, 0xe0, 0, 0, 0x80, 0x80]).is_none(), "no header length");
        let ok = header(&[0, 0, 1, 0xe0, 0, 0, 0x80, 0x80, 5, 0x21, 0, 1, 0, 1]).expect("a PTS-only header");
        assert_eq!((ok.pts, ok.dts, ok.payload_at), (Some(0), None, 14));
    }
}
