//! Files joined into one HTTP body, with single byte ranges: an HLS recording's init segment
//! and segments served as one fragmented MP4 (`?format=mp4`), which a `<video>` plays and
//! seeks and any player or editor opens as a download.

use std::io::SeekFrom;
use std::path::Path;

use axum::body::{Body, Bytes};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use hikari_record::library::byte_range;
use tokio::io::{AsyncReadExt, AsyncSeekExt};

const CHUNK: usize = 64 * 1024;

/// Serves `files` (relative to `dir`, in order) as one `video/mp4` body named `name`.
pub async fn serve(dir: &Path, files: &[String], range_header: Option<&str>, name: &str) -> Response {
    let mut sizes = Vec::with_capacity(files.len());
    for f in files {
        match tokio::fs::metadata(dir.join(f)).await {
            Ok(m) => sizes.push(m.len()),
            Err(e) => return (StatusCode::NOT_FOUND, format!("{f}: {e}\n")).into_response(),
        }
    }
    let total: u64 = sizes.iter().sum();
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
    let paths: Vec<_> = files.iter().map(|f| dir.join(f)).collect();
    let body = Body::from_stream(futures_util::stream::unfold(Reader { paths, sizes, index: 0, offset: first, left: length, open: None }, Reader::next));
    let mut r = (status, body).into_response();
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

/// Reads `left` bytes from `offset` of the files taken as one.
struct Reader {
    paths: Vec<std::path::PathBuf>,
    sizes: Vec<u64>,
    index: usize,
    /// Into the whole, at the start; into file `index` once it is open.
    offset: u64,
    left: u64,
    open: Option<tokio::fs::File>,
}

impl Reader {
    async fn next(mut self) -> Option<(std::io::Result<Bytes>, Self)> {
        while self.left > 0 {
            if self.open.is_none() {
                // Skip the files wholly before the offset, then open and seek.
                while self.index < self.sizes.len() && self.offset >= self.sizes[self.index] {
                    self.offset -= self.sizes[self.index];
                    self.index += 1;
                }
                let path = self.paths.get(self.index)?.clone();
                let opened = async {
                    let mut f = tokio::fs::File::open(&path).await?;
                    f.seek(SeekFrom::Start(self.offset)).await?;
                    Ok::<_, std::io::Error>(f)
                };
                match opened.await {
                    Ok(f) => self.open = Some(f),
                    Err(e) => {
                        self.left = 0;
                        return Some((Err(e), self));
                    }
                }
            }
            let want = CHUNK.min(usize::try_from(self.left).unwrap_or(CHUNK));
            let mut buf = vec![0; want];
            let read = match self.open.as_mut()?.read(&mut buf).await {
                Ok(n) => n,
                Err(e) => {
                    self.left = 0;
                    return Some((Err(e), self));
                }
            };
            if read == 0 {
                // This file is done: the next one from its start.
                self.open = None;
                self.index += 1;
                self.offset = 0;
                continue;
            }
            buf.truncate(read);
            self.left -= read as u64;
            return Some((Ok(Bytes::from(buf)), self));
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn joined_files_read_across_their_borders() {
        use http_body_util::BodyExt;
        let dir = tempfile::tempdir().expect("dir");
        for (name, body) in [("a", "0123"), ("b", ""), ("c", "45678"), ("d", "9")] {
            std::fs::write(dir.path().join(name), body).expect("write");
        }
        let files: Vec<String> = ["a", "b", "c", "d"].map(String::from).to_vec();
        for (header, status, want) in
            [(None, 200, "0123456789"), (Some("bytes=3-6"), 206, "3456"), (Some("bytes=-2"), 206, "89"), (Some("bytes=4-4"), 206, "4")]
        {
            let r = serve(dir.path(), &files, header, "x.mp4").await;
            assert_eq!(r.status().as_u16(), status, "{header:?}");
            let body = r.into_body().collect().await.expect("body").to_bytes();
            assert_eq!(std::str::from_utf8(&body).expect("utf-8"), want, "{header:?}");
        }
        assert_eq!(serve(dir.path(), &files, Some("bytes=10-"), "x.mp4").await.status(), StatusCode::RANGE_NOT_SATISFIABLE);
        assert_eq!(serve(dir.path(), &["missing".to_owned()], None, "x.mp4").await.status(), StatusCode::NOT_FOUND);
    }
}
