//! FLV audio and video tag bodies (what RTMP audio and video messages carry) to
//! [`Elementary`] units: AVC sequence headers and NAL unit packets with their composition
//! time, AAC sequence headers and raw frames, enhanced RTMP's FourCC headers (`avc1` read
//! like AVC; `hvc1`, `av01`, `vp09`, … named as unsupported) and the legacy codecs named.

use bytes::Bytes;

use crate::bits::Bytes as Reader;
use crate::time::Extender;
use crate::{AacConfig, AudioFrame, DemuxError, Elementary, H264Config, VideoFrame, aac, h264};

/// Reads the audio and video tag bodies of one stream, keeping what later tags need: the
/// NAL length size from the AVC sequence header, the configurations last seen (so a
/// repeated one is not told twice), the timestamp extension, and which unsupported codecs
/// were already named.
#[derive(Debug, Clone)]
pub struct FlvDemuxer {
    nal_length_size: u8,
    video_config: Option<H264Config>,
    audio_config: Option<AacConfig>,
    video_time: Extender,
    audio_time: Extender,
    named: Vec<String>,
}

impl Default for FlvDemuxer {
    fn default() -> Self {
        Self::new()
    }
}

/// What an enhanced RTMP video FourCC is called in an `Unsupported` message.
fn video_codec_name(fourcc: &[u8]) -> &'static str {
    match fourcc {
        b"hvc1" => "HEVC",
        b"av01" => "AV1",
        b"vp09" => "VP9",
        b"vp08" => "VP8",
        _ => "an unknown codec",
    }
}

/// What an enhanced RTMP audio FourCC is called in an `Unsupported` message.
fn audio_codec_name(fourcc: &[u8]) -> &'static str {
    match fourcc {
        b"Opus" => "Opus",
        b"fLaC" => "FLAC",
        b"ac-3" => "AC-3",
        b"ec-3" => "E-AC-3",
        b".mp3" => "MP3",
        b"mp4a" => "AAC",
        _ => "an unknown codec",
    }
}

impl FlvDemuxer {
    /// A demuxer that has seen nothing yet.
    pub fn new() -> Self {
        Self { nal_length_size: 4, video_config: None, audio_config: None, video_time: Extender::new(32), audio_time: Extender::new(32), named: Vec::new() }
    }

    /// `Unsupported` the first time `what` is named, nothing after.
    fn unsupported(&mut self, what: String) -> Option<Elementary> {
        if self.named.contains(&what) || self.named.len() >= 16 {
            return None;
        }
        self.named.push(what.clone());
        Some(Elementary::Unsupported { what })
    }

    /// Reads a video tag body sent at `timestamp_ms` (RTMP's 32-bit timestamp, extended
    /// here across wraps). Returns the unit it holds, if any (an end of sequence, a
    /// command frame or a repeated configuration hold none).
    pub fn video(&mut self, timestamp_ms: u32, body: &Bytes) -> Result<Option<Elementary>, DemuxError> {
        let mut r = Reader::new(body, "FLV video tag");
        let b0 = r.u8()?;
        let dts = self.video_time.extend(timestamp_ms.into());
        if b0 & 0x80 != 0 {
            return self.enhanced_video(b0, &mut r, body, dts);
        }
        let frame_type = b0 >> 4;
        match b0 & 0x0f {
            7 => {}
            12 => return Ok(self.unsupported("HEVC video (FLV codec id 12)".into())),
            id => {
                let name = match id {
                    2 => "Sorenson H.263",
                    3 => "Screen video",
                    4 => "On2 VP6",
                    5 => "On2 VP6 with alpha",
                    6 => "Screen video v2",
                    _ => "unknown",
                };
                return Ok(self.unsupported(format!("{name} video (FLV codec id {id})")));
            }
        }
        if frame_type == 5 {
            return Ok(None); // a video info/command frame carries no picture
        }
        let packet_type = r.u8()?;
        let cts = sign_extend_24(r.u24()?);
        match packet_type {
            0 => self.sequence_header(body.slice(r.pos()..)),
            1 => self.frame(frame_type, body.slice(r.pos()..), dts, cts),
            2 => Ok(None),
            t => Err(DemuxError::invalid("FLV video tag", format!("AVC packet type {t}"))),
        }
    }

    /// An enhanced RTMP video tag (the IsExHeader bit set): `avc1` is read like AVC,
    /// every other FourCC named as unsupported.
    fn enhanced_video(&mut self, b0: u8, r: &mut Reader<'_>, body: &Bytes, dts: i64) -> Result<Option<Elementary>, DemuxError> {
        let frame_type = (b0 >> 4) & 0x07;
        let packet_type = b0 & 0x0f;
        if packet_type == 6 {
            return Ok(self.unsupported("multitrack video over enhanced RTMP".into()));
        }
        let fourcc = r.take(4)?;
        if fourcc != b"avc1" {
            let name = video_codec_name(fourcc);
            return Ok(self.unsupported(format!("{name} over enhanced RTMP (FourCC {})", String::from_utf8_lossy(fourcc))));
        }
        if frame_type == 5 {
            return Ok(None);
        }
        match packet_type {
            0 => self.sequence_header(body.slice(r.pos()..)),
            1 => {
                let cts = sign_extend_24(r.u24()?);
                self.frame(frame_type, body.slice(r.pos()..), dts, cts)
            }
            3 => self.frame(frame_type, body.slice(r.pos()..), dts, 0),
            _ => Ok(None), // sequence end, metadata, …
        }
    }

    fn sequence_header(&mut self, record: Bytes) -> Result<Option<Elementary>, DemuxError> {
        let rec = h264::parse_avc_record(&record)?;
        self.nal_length_size = rec.nal_length_size;
        if self.video_config.as_ref() == Some(&rec.config) {
            return Ok(None);
        }
        self.video_config = Some(rec.config.clone());
        Ok(Some(Elementary::VideoConfig(rec.config)))
    }

    fn frame(&mut self, frame_type: u8, data: Bytes, dts: i64, cts: i64) -> Result<Option<Elementary>, DemuxError> {
        let nalus: Vec<Bytes> = h264::split_length_prefixed(&data, self.nal_length_size)?.into_iter().filter(|n| h264::nal_type(n) != h264::NAL_AUD).collect();
        if nalus.is_empty() {
            return Ok(None);
        }
        Ok(Some(Elementary::Video(VideoFrame { dts_ms: dts, pts_ms: dts + cts, keyframe: frame_type == 1, nalus })))
    }

    /// Reads an audio tag body sent at `timestamp_ms`. Returns the unit it holds, if any.
    pub fn audio(&mut self, timestamp_ms: u32, body: &Bytes) -> Result<Option<Elementary>, DemuxError> {
        let mut r = Reader::new(body, "FLV audio tag");
        let b0 = r.u8()?;
        let pts = self.audio_time.extend(timestamp_ms.into());
        match b0 >> 4 {
            10 => {}
            9 => {
                let fourcc = r.take(4)?;
                let name = audio_codec_name(fourcc);
                return Ok(self.unsupported(format!("{name} audio over enhanced RTMP (FourCC {})", String::from_utf8_lossy(fourcc))));
            }
            f => {
                let name = match f {
                    0 | 3 => "Linear PCM",
                    1 => "ADPCM",
                    2 | 14 => "MP3",
                    4..=6 => "Nellymoser",
                    7 => "G.711 A-law",
                    8 => "G.711 mu-law",
                    11 => "Speex",
                    _ => "unknown",
                };
                return Ok(self.unsupported(format!("{name} audio (FLV sound format {f})")));
            }
        }
        match r.u8()? {
            0 => {
                let config = aac::parse_asc(&body.slice(r.pos()..))?;
                if self.audio_config.as_ref() == Some(&config) {
                    return Ok(None);
                }
                self.audio_config = Some(config.clone());
                Ok(Some(Elementary::AudioConfig(config)))
            }
            1 => {
                let data = body.slice(r.pos()..);
                Ok((!data.is_empty()).then_some(Elementary::Audio(AudioFrame { pts_ms: pts, data })))
            }
            t => Err(DemuxError::invalid("FLV audio tag", format!("AAC packet type {t}"))),
        }
    }
}

/// A signed 24-bit value (the composition time offset).
fn sign_extend_24(v: u32) -> i64 {
    i64::from(((v << 8) as i32) >> 8)
}

#[cfg(test)]
#[path = "flv_tests.rs"]
pub(crate) mod tests;
