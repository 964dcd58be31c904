//! An index for fragmented MP4 files joined from HLS segments (the recordings library's
//! one-file download): the tracks, read off the init segment, and for each a `sidx`
//! (ISO/IEC 14496-12 §8.16.3) that lists each segment's size and duration, so a player reads
//! the whole duration and seeks straight to a segment without reading those before it.
//! Everything here reads the server's own files; it stops, never panics, at a short or
//! malformed box.

use crate::mp4::boxes::put_full_box;

/// One track of an init segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IndexTrack {
    /// `tkhd`'s track ID.
    pub id: u32,
    /// `mdhd`'s timescale.
    pub timescale: u32,
    /// `hdlr` says `vide`.
    pub video: bool,
}

/// The boxes at the top of `data`: (type, body). Stops at a size that does not fit.
fn boxes(data: &[u8]) -> impl Iterator<Item = (&[u8], &[u8])> {
    let mut rest = data;
    std::iter::from_fn(move || {
        let size = u32::from_be_bytes(rest.get(..4)?.try_into().ok()?) as usize;
        let kind = rest.get(4..8)?;
        let (header, size) = match size {
            0 => (8, rest.len()),
            1 => (16, usize::try_from(u64::from_be_bytes(rest.get(8..16)?.try_into().ok()?)).ok()?),
            n => (8, n),
        };
        let body = rest.get(header..size)?;
        let this = (kind, body);
        rest = &rest[size..];
        Some(this)
    })
}

fn child<'a>(data: &'a [u8], kind: &[u8; 4]) -> Option<&'a [u8]> {
    boxes(data).find(|(k, _)| k == kind).map(|(_, b)| b)
}

fn be32(data: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_be_bytes(data.get(at..at + 4)?.try_into().ok()?))
}

/// The tracks an init segment (`ftyp` + `moov`) declares.
pub fn init_tracks(init: &[u8]) -> Vec<IndexTrack> {
    let Some(moov) = child(init, b"moov") else { return Vec::new() };
    boxes(moov)
        .filter(|(k, _)| k == b"trak")
        .filter_map(|(_, trak)| {
            let tkhd = child(trak, b"tkhd")?;
            // Version 1 has 64-bit creation and modification times before the ID.
            let id = be32(tkhd, if tkhd.first() == Some(&1) { 20 } else { 12 })?;
            let mdia = child(trak, b"mdia")?;
            let mdhd = child(mdia, b"mdhd")?;
            let timescale = be32(mdhd, if mdhd.first() == Some(&1) { 20 } else { 12 })?;
            let video = child(mdia, b"hdlr").and_then(|h| h.get(8..12)) == Some(b"vide");
            Some(IndexTrack { id, timescale, video })
        })
        .collect()
}

/// The `tfdt` of `track_id` in the first `moof` of a segment (its head is enough).
pub fn first_decode_time(segment: &[u8], track_id: u32) -> Option<u64> {
    let moof = child(segment, b"moof")?;
    boxes(moof).filter(|(k, _)| k == b"traf").find_map(|(_, traf)| {
        (be32(child(traf, b"tfhd")?, 4)? == track_id).then_some(())?;
        let tfdt = child(traf, b"tfdt")?;
        match tfdt.first()? {
            1 => Some(u64::from_be_bytes(tfdt.get(4..12)?.try_into().ok()?)),
            _ => be32(tfdt, 4).map(u64::from),
        }
    })
}

/// The size of a `sidx` of `count` segments.
pub fn sidx_len(count: usize) -> usize {
    40 + 12 * count.min(usize::from(u16::MAX))
}

/// Appends a `sidx` for `track` whose segments begin `first_offset` bytes after it (0: at
/// once; with one index per track, the later indexes lie between): each of `segments` is
/// (bytes, duration in the track's timescale) and starts with a stream access point.
pub fn put_sidx(buf: &mut Vec<u8>, track: IndexTrack, earliest: u64, first_offset: u64, segments: &[(u32, u32)]) {
    put_full_box(buf, b"sidx", 1, 0, |b| {
        b.extend_from_slice(&track.id.to_be_bytes());
        b.extend_from_slice(&track.timescale.to_be_bytes());
        b.extend_from_slice(&earliest.to_be_bytes());
        b.extend_from_slice(&first_offset.to_be_bytes());
        b.extend_from_slice(&0u16.to_be_bytes()); // reserved
        b.extend_from_slice(&u16::try_from(segments.len()).unwrap_or(u16::MAX).to_be_bytes());
        for &(size, duration) in segments.iter().take(usize::from(u16::MAX)) {
            b.extend_from_slice(&(size & 0x7fff_ffff).to_be_bytes()); // reference_type 0: media
            b.extend_from_slice(&duration.to_be_bytes());
            b.extend_from_slice(&0x9000_0000u32.to_be_bytes()); // starts_with_SAP, SAP type 1
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mp4::boxes::{InitTrack, Sample, TrackConfig, Traf, put_init, put_moof};

    #[test]
    fn the_index_names_the_video_track_and_each_segment() {
        let mut init = Vec::new();
        put_init(&mut init, &[InitTrack { id: 2, config: TrackConfig::Opus { channels: 2, pre_skip: 312 } }]);
        assert_eq!(init_tracks(&init), [IndexTrack { id: 2, timescale: 48_000, video: false }]);
        let samples = [Sample { duration: 960, size: 3, flags: 0 }];
        let mut seg = Vec::new();
        put_moof(&mut seg, 1, &[Traf { track_id: 2, base_time: 123_456_789_012, samples: &samples }]);
        assert_eq!(first_decode_time(&seg, 2), Some(123_456_789_012));
        assert_eq!(first_decode_time(&seg, 1), None);
        let mut sidx = Vec::new();
        put_sidx(&mut sidx, IndexTrack { id: 1, timescale: 90_000, video: true }, 7, 0, &[(1000, 180_000), (2000, 90_000)]);
        assert_eq!(sidx.len(), sidx_len(2));
        assert_eq!(&sidx[4..8], b"sidx");
        assert_eq!(be32(&sidx, 40), Some(1000));
        assert_eq!(be32(&sidx, 44), Some(180_000));
    }

    #[test]
    fn short_or_broken_boxes_end_the_walk() {
        for bad in [&b""[..], b"\0\0\0\x10moov", b"\0\0\0\x01moov\xff\xff\xff\xff\xff\xff\xff\xff", b"\0\0\0\x04moov"] {
            assert_eq!(init_tracks(bad), []);
            assert_eq!(first_decode_time(bad, 1), None);
        }
    }
}
