//! `onMetaData` (sent by `@setDataFrame`): what the encoder says about its stream.

use crate::amf0::Amf0;

/// The fields of an encoder's `onMetaData` that an ingress reports; each is `None` when
/// the encoder left it out.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StreamMetadata {
    /// `width`, pixels.
    pub width: Option<u32>,
    /// `height`, pixels.
    pub height: Option<u32>,
    /// `framerate` (or `fps`), frames per second.
    pub framerate: Option<f64>,
    /// `videodatarate`, kbit/s.
    pub video_bitrate_kbps: Option<f64>,
    /// `audiodatarate`, kbit/s.
    pub audio_bitrate_kbps: Option<f64>,
    /// `audiosamplerate`, Hz.
    pub audio_sample_rate: Option<u32>,
    /// `audiochannels`, or 2/1 from `stereo`.
    pub audio_channels: Option<u8>,
    /// `videocodecid`: a FourCC string or the FLV codec id as a number (7 is AVC).
    pub video_codec: Option<String>,
    /// `audiocodecid`: a FourCC string or the FLV sound format as a number (10 is AAC).
    pub audio_codec: Option<String>,
    /// `encoder` (e.g. "obs-output module (libobs version 30.0.2)", "Lavf59.27.100").
    pub encoder: Option<String>,
}

fn int<T: TryFrom<u64>>(v: Option<&Amf0>) -> Option<T> {
    let n = v?.as_f64()?;
    (0.0..1e15).contains(&n).then(|| T::try_from(n.round() as u64).ok()).flatten()
}

fn codec(v: Option<&Amf0>) -> Option<String> {
    match v? {
        Amf0::String(s) => Some(s.clone()),
        Amf0::Number(n) if n.is_finite() => Some(format!("{n}")),
        _ => None,
    }
}

impl StreamMetadata {
    /// Reads the properties of an `onMetaData` object or ECMA array.
    pub fn from_amf(v: &Amf0) -> Self {
        let num = |k: &str| v.get(k).and_then(Amf0::as_f64).filter(|n| n.is_finite());
        Self {
            width: int(v.get("width")),
            height: int(v.get("height")),
            framerate: num("framerate").or_else(|| num("fps")),
            video_bitrate_kbps: num("videodatarate"),
            audio_bitrate_kbps: num("audiodatarate"),
            audio_sample_rate: int(v.get("audiosamplerate")),
            audio_channels: int(v.get("audiochannels")).or_else(|| match v.get("stereo") {
                Some(Amf0::Boolean(s)) => Some(if *s { 2 } else { 1 }),
                _ => None,
            }),
            video_codec: codec(v.get("videocodecid")),
            audio_codec: codec(v.get("audiocodecid")),
            encoder: v.get("encoder").and_then(Amf0::as_str).map(str::to_owned),
        }
    }
}
