//! The outputs of a composite or participant request, decoded and checked: at most one of
//! each kind (the Node SDK gives the same output in a deprecated field and in its list), file
//! outputs MP4, segments numbered, images JPEG, no upload given in the request.

use hikari_types::{CompositeOutputs, ImagesOutput, SegmentsOutput};
use livekit_protocol as lk;

use crate::error::ProtocolError;

/// The one of each kind a request may give twice: in a deprecated field and in its list
/// (the Node SDK fills both with the same output).
fn one_of<T: PartialEq>(method: &str, what: &str, legacy: Option<T>, list: Vec<T>) -> Result<Option<T>, ProtocolError> {
    let mut all: Vec<T> = Vec::new();
    for o in legacy.into_iter().chain(list) {
        if !all.contains(&o) {
            all.push(o);
        }
    }
    match all.len() {
        0 | 1 => Ok(all.pop()),
        _ => Err(ProtocolError::Invalid(format!("{method}: one {what} output per egress"))),
    }
}

/// A composite request's outputs: (deprecated field, list) of files, segments and streams,
/// and the image outputs.
pub(crate) struct Outputs {
    pub(crate) files: (Option<lk::EncodedFileOutput>, Vec<lk::EncodedFileOutput>),
    pub(crate) segments: (Option<lk::SegmentedFileOutput>, Vec<lk::SegmentedFileOutput>),
    pub(crate) streams: (Option<lk::StreamOutput>, Vec<lk::StreamOutput>),
    pub(crate) images: Vec<lk::ImageOutput>,
}

impl Outputs {
    /// At most one file, one segment, one stream and one image output, at least one of
    /// them; uploads and per-request webhooks refused. The stream URLs are the registry's to
    /// check.
    pub(crate) fn decode(self, method: &str, webhooks: &[lk::WebhookConfig]) -> Result<CompositeOutputs, ProtocolError> {
        if !webhooks.is_empty() {
            return Err(ProtocolError::Unsupported(format!("{method}: per-request webhooks are not available; the server's webhooks receive egress events")));
        }
        let file = one_of(method, "file", self.files.0, self.files.1)?.map(|f| file(method, f)).transpose()?;
        let segments = one_of(method, "segment", self.segments.0, self.segments.1)?.map(|s| segments(method, s)).transpose()?;
        let stream = one_of(method, "stream", self.streams.0, self.streams.1)?;
        let stream_urls = match stream {
            None => Vec::new(),
            Some(s) if s.protocol == lk::StreamProtocol::Rtmp as i32 || s.protocol == lk::StreamProtocol::DefaultProtocol as i32 => {
                if s.urls.is_empty() {
                    return Err(ProtocolError::Invalid(format!("{method}: the stream output has no urls")));
                }
                s.urls
            }
            Some(_) => {
                return Err(ProtocolError::Unsupported(format!("{method}: streams go out over RTMP(S); SRT and websocket stream outputs are not available")));
            }
        };
        let images = one_of(method, "image", None, self.images)?.map(|i| images(method, i)).transpose()?;
        if file.is_none() && segments.is_none() && stream_urls.is_empty() && images.is_none() {
            return Err(ProtocolError::Invalid(format!(
                "{method} needs a file output (MP4), a segment output (HLS), a stream output (RTMP) or an image output"
            )));
        }
        Ok(CompositeOutputs { file, segments, stream_urls, images })
    }
}

/// A file output, checked: MP4, no upload in the request. Its path is the registry's to check.
fn file(method: &str, f: lk::EncodedFileOutput) -> Result<String, ProtocolError> {
    if f.output.is_some() {
        return Err(ProtocolError::Unsupported(format!(
            "{method}: uploads given in the request (S3, GCP, Azure, AliOSS) are not taken; set egress.s3 in the server's configuration and every recording is copied there"
        )));
    }
    match lk::EncodedFileType::try_from(f.file_type) {
        Ok(lk::EncodedFileType::DefaultFiletype | lk::EncodedFileType::Mp4) => Ok(f.filepath),
        Ok(other) => {
            Err(ProtocolError::Unsupported(format!("{method}: composite files are MP4 (H.264 and Opus); file_type {} is not available", other.as_str_name())))
        }
        Err(_) => Err(ProtocolError::Invalid(format!("{method}: unknown file_type {}", f.file_type))),
    }
}

/// The largest thumbnail side.
const MAX_IMAGE_SIDE: u32 = 3840;
/// The longest interval between thumbnails, seconds.
const MAX_CAPTURE_INTERVAL: u32 = 3600;

/// An image output, checked: JPEG, numbered names, sizes and interval in range.
fn images(method: &str, i: lk::ImageOutput) -> Result<ImagesOutput, ProtocolError> {
    if i.output.is_some() {
        return Err(ProtocolError::Unsupported(format!(
            "{method}: uploads given in the request (S3, GCP, Azure, AliOSS) are not taken; set egress.s3 in the server's configuration and every recording is copied there"
        )));
    }
    if i.image_codec != lk::ImageCodec::IcDefault as i32 && i.image_codec != lk::ImageCodec::IcJpeg as i32 {
        return Err(ProtocolError::Invalid(format!("{method}: unknown image codec {}", i.image_codec)));
    }
    if i.filename_suffix != lk::ImageFileSuffix::ImageSuffixIndex as i32 {
        return Err(ProtocolError::Unsupported(format!("{method}: images are numbered (filename_suffix IMAGE_SUFFIX_INDEX); other names are not available")));
    }
    let side = |v: i32, what: &str| match u32::try_from(v) {
        Ok(v) if v == 0 || (16..=MAX_IMAGE_SIDE).contains(&v) => Ok(v & !1),
        _ => Err(ProtocolError::Invalid(format!("{method}: image {what} is 0 (the video's) or 16 to {MAX_IMAGE_SIDE} pixels (got {v})"))),
    };
    if i.capture_interval > MAX_CAPTURE_INTERVAL {
        return Err(ProtocolError::Invalid(format!("{method}: capture_interval is at most {MAX_CAPTURE_INTERVAL} seconds (got {})", i.capture_interval)));
    }
    Ok(ImagesOutput {
        capture_interval: i.capture_interval,
        width: side(i.width, "width")?,
        height: side(i.height, "height")?,
        filename_prefix: i.filename_prefix,
    })
}

/// A segment output, checked.
fn segments(method: &str, s: lk::SegmentedFileOutput) -> Result<SegmentsOutput, ProtocolError> {
    if s.output.is_some() {
        return Err(ProtocolError::Unsupported(format!(
            "{method}: uploads given in the request (S3, GCP, Azure, AliOSS) are not taken; set egress.s3 in the server's configuration and every recording is copied there"
        )));
    }
    if s.protocol != lk::SegmentedFileProtocol::DefaultSegmentedFileProtocol as i32 && s.protocol != lk::SegmentedFileProtocol::HlsProtocol as i32 {
        return Err(ProtocolError::Invalid(format!("{method}: unknown segment protocol {}", s.protocol)));
    }
    if s.filename_suffix != lk::SegmentedFileSuffix::Index as i32 {
        return Err(ProtocolError::Unsupported(format!("{method}: segments are numbered (filename_suffix INDEX); TIMESTAMP names are not available")));
    }
    if s.segment_duration > 60 {
        return Err(ProtocolError::Invalid(format!("{method}: segment_duration is at most 60 seconds (got {})", s.segment_duration)));
    }
    Ok(SegmentsOutput {
        filename_prefix: s.filename_prefix,
        playlist_name: s.playlist_name,
        live_playlist_name: s.live_playlist_name,
        segment_duration: s.segment_duration,
    })
}
