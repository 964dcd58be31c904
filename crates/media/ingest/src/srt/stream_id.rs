//! The stream key in an SRT stream id: the whole id (`streamid=KEY`, as ffmpeg and OBS send
//! it), or the `r=` resource of the access-control syntax (`#!::r=KEY`, `#!::u=obs,r=KEY,m=publish`)
//! that OBS users paste from other servers' instructions.

/// The longest stream id SRT carries (bytes).
const MAX_STREAM_ID: usize = 512;

/// Why a stream id names no stream key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StreamIdError {
    /// The caller sent no stream id (or an empty one).
    Missing,
    /// The access-control form has no `r=` resource.
    NoResource,
    /// The access-control form asks to play (`m=request`), not to publish.
    NotPublish,
    /// Longer than SRT allows.
    TooLong,
}

impl std::fmt::Display for StreamIdError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Missing => "no stream id (set streamid to the stream key)",
            Self::NoResource => "no r= resource in the #!:: stream id",
            Self::NotPublish => "the #!:: stream id asks to play (m=request), not to publish",
            Self::TooLong => "stream id longer than 512 bytes",
        })
    }
}

/// The stream key a caller's stream id names.
pub fn stream_key(stream_id: &str) -> Result<&str, StreamIdError> {
    if stream_id.len() > MAX_STREAM_ID {
        return Err(StreamIdError::TooLong);
    }
    let Some(entries) = stream_id.strip_prefix("#!::") else {
        return if stream_id.is_empty() { Err(StreamIdError::Missing) } else { Ok(stream_id) };
    };
    let mut key = None;
    for (name, value) in entries.split(',').filter_map(|e| e.split_once('=')) {
        match name {
            "r" if !value.is_empty() => key = Some(value),
            "m" if value == "request" => return Err(StreamIdError::NotPublish),
            _ => {}
        }
    }
    key.ok_or(StreamIdError::NoResource)
}

#[cfg(test)]
mod tests {
    use super::{StreamIdError, stream_key};

    #[test]
    fn a_plain_id_is_the_key() {
        assert_eq!(stream_key("sk_abc123"), Ok("sk_abc123"));
        assert_eq!(stream_key(""), Err(StreamIdError::Missing));
    }

    #[test]
    fn the_access_control_form_gives_its_resource() {
        assert_eq!(stream_key("#!::r=sk_abc"), Ok("sk_abc"));
        assert_eq!(stream_key("#!::u=obs,r=sk_abc,m=publish"), Ok("sk_abc"));
        assert_eq!(stream_key("#!::u=obs,t=stream"), Err(StreamIdError::NoResource));
        assert_eq!(stream_key("#!::r="), Err(StreamIdError::NoResource));
        assert_eq!(stream_key("#!::garbage,,="), Err(StreamIdError::NoResource));
        assert_eq!(stream_key("#!::r=sk_abc,m=request"), Err(StreamIdError::NotPublish));
    }

    #[test]
    fn too_long_is_refused() {
        assert_eq!(stream_key(&"k".repeat(513)), Err(StreamIdError::TooLong));
        assert_eq!(stream_key(&"k".repeat(512)).map(str::len), Ok(512));
    }
}
