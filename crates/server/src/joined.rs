//! An HLS recording served as one fragmented MP4 (`/recordings/<playlist>.m3u8.mp4`), which a
//! `<video>` plays and seeks and any player or editor opens as a download: its init segment,
//! then a `sidx` per track indexing every segment (sizes from the files, durations from the
//! fragments' decode times), then the segments, with single byte ranges. (The name must not end in `.m3u8`: Chromium
//! takes such a URL for an HLS playlist.)

use std::io::SeekFrom;
use std::path::{Path, PathBuf};

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hikari_mux::mp4::index::{first_decode_time, init_tracks, put_sidx, sidx_len};
use hikari_record::library::{PlaylistMedia, byte_range};
use tokio::io::{AsyncReadExt, AsyncSeekExt};

const CHUNK: usize = 64 * 1024;

/// A part of the body: bytes made here, or a file.
enum Piece {
    Made(Bytes),
    File(PathBuf),
}

fn missing(what: &str, e: impl std::fmt::Display) -> Response {
    (StatusCode::NOT_FOUND, format!("{what}: {e}\n")).into_response()
}

/// The first `moof` of a segment (its head: enough for the first decode times).
async fn head(path: &Path) -> Vec<u8> {
    let Ok(mut f) = tokio::fs::File::open(path).await else { return Vec::new() };
    let mut header = [0u8; 8];
    if f.read_exact(&mut header).await.is_err() || &header[4..] != b"moof" {
        return Vec::new();
    }
    let size = (u32::from_be_bytes([header[0], header[1], header[2], header[3]]) as usize).clamp(8, 1 << 20);
    let mut out = header.to_vec();
    out.resize(size, 0);
    match f.read_exact(&mut out[8..]).await {
        Ok(_) => out,
        Err(_) => Vec::new(),
    }
}

/// The pieces of the joined file and their sizes.
async fn pieces(dir: &Path, media: &PlaylistMedia) -> Result<Vec<(Piece, u64)>, Response> {
    let Some(init_path) = &media.init else { return Err(missing("the playlist", "it names no init segment (EXT-X-MAP)")) };
    let init = tokio::fs::read(dir.join(init_path)).await.map_err(|e| missing(init_path, e))?;
    let tracks = init_tracks(&init);
    // Each segment: its file, size, playlist duration, and each track's first decode time.
    let mut segments = Vec::with_capacity(media.segments.len());
    for (path, seconds) in &media.segments {
        let file = dir.join(path);
        let size = tokio::fs::metadata(&file).await.map_err(|e| missing(path, e))?.len();
        let head = head(&file).await;
        let starts: Vec<Option<u64>> = tracks.iter().map(|t| first_decode_time(&head, t.id)).collect();
        segments.push((file, size, *seconds, starts));
    }
    // One index per track: a segment's duration is the next one's start less its own
    // (exactly what the fragments say: players take the index's times for the fragments');
    // the last one's, and any the files do not tell, the playlist's.
    let indexed: Vec<usize> = (0..tracks.len()).filter(|&k| segments.first().is_some_and(|s| s.3[k].is_some())).collect();
    let mut sidx = Vec::new();
    for (n, &k) in indexed.iter().enumerate() {
        let track = tracks[k];
        let ticks = |secs: f64| (secs * f64::from(track.timescale)).round() as u32;
        let refs: Vec<(u32, u32)> = segments
            .iter()
            .enumerate()
            .map(|(i, (_, size, secs, starts))| {
                let next = segments.get(i + 1).and_then(|s| s.3[k]);
                let duration = match (starts[k], next) {
                    (Some(a), Some(b)) if b > a => u32::try_from(b - a).unwrap_or(u32::MAX),
                    _ => ticks(*secs),
                };
                (u32::try_from(*size).unwrap_or(u32::MAX), duration)
            })
            .collect();
        let later = (indexed.len() - n - 1) * sidx_len(refs.len());
        put_sidx(&mut sidx, track, segments[0].3[k].unwrap_or(0), later as u64, &refs);
    }
    let mut out = Vec::with_capacity(segments.len() + 2);
    out.push((Piece::Made(Bytes::from(init.clone())), init.len() as u64));
    if !sidx.is_empty() {
        let len = sidx.len() as u64;
        out.push((Piece::Made(Bytes::from(sidx)), len));
    }
    out.extend(segments.into_iter().map(|(file, size, _, _)| (Piece::File(file), size)));
    Ok(out)
}

/// Serves the recording `media` (relative to `dir`) as one `video/mp4` body named `name`.
pub async fn serve(dir: &Path, media: &PlaylistMedia, range_header: Option<&str>, name: &str) -> Response {
    let pieces = match pieces(dir, media).await {
        Ok(p) => p,
        Err(r) => return r,
    };
    let total: u64 = pieces.iter().map(|(_, size)| size).sum();
    let (status, first, last) = match byte_range(range_header, total) {
        Ok(None) => (StatusCode::OK, 0, total.saturating_sub(1)),
        Ok(Some((a, b))) => (StatusCode::PARTIAL_CONTENT, a, b),
        Err(_) => {
            let mut r = (StatusCode::RANGE_NOT_SATISFIABLE, "the range is beyond the recording\n").into_response();
            if let Ok(v) = HeaderValue::from_str(&format!("bytes */{total}")) {
                r.headers_mut().insert(header::CONTENT_RANGE, v);
            }
            return r;
        }
    };
    let length = if total == 0 { 0 } else { last - first + 1 };
    let reader = Reader { pieces, index: 0, offset: first, left: length, open: None };
    let mut r = (status, Body::from_stream(futures_util::stream::unfold(reader, Reader::next))).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("video/mp4"));
    h.insert(header::ACCEPT_RANGES, HeaderValue::from_static("bytes"));
    h.insert(header::CONTENT_LENGTH, length.into());
    if status == StatusCode::PARTIAL_CONTENT
        && let Ok(v) = HeaderValue::from_str(&format!("bytes {first}-{last}/{total}"))
    {
        h.insert(header::CONTENT_RANGE, v);
    }
    let ascii: String = name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') { c } else { '_' }).collect();
    if let Ok(v) = HeaderValue::from_str(&format!("inline; filename=\"{ascii}\"; filename*=UTF-8''{}", hikari_auth::signed::percent_encode(name))) {
        h.insert(header::CONTENT_DISPOSITION, v);
    }
    r
}

/// Reads `left` bytes from `offset` of the pieces taken as one.
struct Reader {
    pieces: Vec<(Piece, u64)>,
    index: usize,
    /// Into the whole, at the start; into piece `index` once it is open.
    offset: u64,
    left: u64,
    open: Option<tokio::fs::File>,
}

impl Reader {
    async fn next(mut self) -> Option<(std::io::Result<Bytes>, Self)> {
        while self.left > 0 {
            // Skip the pieces wholly before the offset.
            while self.open.is_none() && self.index < self.pieces.len() && self.offset >= self.pieces[self.index].1 {
                self.offset -= self.pieces[self.index].1;
                self.index += 1;
            }
            let (piece, size) = self.pieces.get(self.index)?;
            let want = CHUNK.min(usize::try_from(self.left).unwrap_or(CHUNK));
            let chunk = match piece {
                Piece::Made(bytes) => {
                    let start = usize::try_from(self.offset).unwrap_or(usize::MAX).min(bytes.len());
                    bytes.slice(start..(start + want).min(bytes.len()))
                }
                Piece::File(path) => {
                    if self.open.is_none() {
                        let offset = self.offset;
                        let opened = async {
                            let mut f = tokio::fs::File::open(path).await?;
                            f.seek(SeekFrom::Start(offset)).await?;
                            Ok::<_, std::io::Error>(f)
                        };
                        match opened.await {
                            Ok(f) => self.open = Some(f),
                            Err(e) => return self.failed(e),
                        }
                    }
                    let mut buf = vec![0; want.min(usize::try_from(size - self.offset).unwrap_or(want))];
                    match self.open.as_mut()?.read(&mut buf).await {
                        Ok(n) => {
                            buf.truncate(n);
                            Bytes::from(buf)
                        }
                        Err(e) => return self.failed(e),
                    }
                }
            };
            if chunk.is_empty() {
                // This piece is done (or shorter than it was): the next one from its start.
                self.open = None;
                self.index += 1;
                self.offset = 0;
                continue;
            }
            self.offset += chunk.len() as u64;
            self.left -= chunk.len() as u64;
            if self.offset >= *size {
                self.open = None;
                self.index += 1;
                self.offset = 0;
            }
            return Some((Ok(chunk), self));
        }
        None
    }

    fn failed(mut self, e: std::io::Error) -> Option<(std::io::Result<Bytes>, Self)> {
        self.left = 0;
        Some((Err(e), self))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use http_body_util::BodyExt;

    #[tokio::test]
    async fn joined_files_read_across_their_borders() {
        let dir = tempfile::tempdir().expect("dir");
        // Not MP4: the init names no track, so no index is made and the bytes are the files'.
        for (name, body) in [("i", "0123"), ("b", ""), ("c", "45678"), ("d", "9")] {
            std::fs::write(dir.path().join(name), body).expect("write");
        }
        let media = PlaylistMedia { init: Some("i".into()), segments: ["b", "c", "d"].iter().map(|s| ((*s).to_owned(), 1.0)).collect() };
        for (header, status, want) in
            [(None, 200, "0123456789"), (Some("bytes=3-6"), 206, "3456"), (Some("bytes=-2"), 206, "89"), (Some("bytes=4-4"), 206, "4")]
        {
            let r = serve(dir.path(), &media, header, "x.mp4").await;
            assert_eq!(r.status().as_u16(), status, "{header:?}");
            let body = r.into_body().collect().await.expect("body").to_bytes();
            assert_eq!(std::str::from_utf8(&body).expect("utf-8"), want, "{header:?}");
        }
        assert_eq!(serve(dir.path(), &media, Some("bytes=10-"), "x.mp4").await.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        let gone = PlaylistMedia { init: Some("i".into()), segments: vec![("missing".into(), 1.0)] };
        assert_eq!(serve(dir.path(), &gone, None, "x.mp4").await.status(), StatusCode::NOT_FOUND);
        assert_eq!(serve(dir.path(), &PlaylistMedia::default(), None, "x.mp4").await.status(), StatusCode::NOT_FOUND);
    }
}
