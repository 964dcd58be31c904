//! [`Playlist`]: the [`HlsEvent`]s of one stream → a bounded window of their bytes for an
//! HTTP layer, the LL-HLS live playlist and the EVENT playlist (pure string rendering).

use super::event::{HlsConfig, HlsEvent};
use bytes::Bytes;
use std::collections::VecDeque;
use std::fmt::Write as _;
use std::time::Duration;

/// The URIs the playlists give: `{prefix}init.mp4`, `{prefix}seg{msn}.m4s` and
/// `{prefix}part{msn}.{index}.m4s`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Naming {
    /// Put in front of every URI (e.g. `"room_2026/"`); empty by default.
    pub prefix: String,
}

impl Naming {
    /// The init segment's URI.
    pub fn init(&self) -> String {
        format!("{}init.mp4", self.prefix)
    }

    /// Segment `msn`'s URI.
    pub fn segment(&self, msn: u64) -> String {
        format!("{}seg{msn}.m4s", self.prefix)
    }

    /// The URI of part `index` of segment `msn`.
    pub fn part(&self, msn: u64, index: u32) -> String {
        format!("{}part{msn}.{index}.m4s", self.prefix)
    }
}

#[derive(Debug, Clone)]
struct Part {
    index: u32,
    duration: Duration,
    independent: bool,
    data: Bytes,
}

#[derive(Debug, Clone)]
struct Segment {
    msn: u64,
    duration: Duration,
    parts: Vec<Part>,
    /// The parts concatenated, once complete.
    data: Bytes,
}

impl Segment {
    fn new(msn: u64) -> Self {
        Self { msn, duration: Duration::ZERO, parts: Vec::new(), data: Bytes::new() }
    }
}

/// One stream's playlists, fed with its [`HlsEvent`]s ([`Playlist::push`]).
///
/// Keeps the init segment and the bytes of the parts and segments of the last
/// `live_segments + 1` complete segments and the one in progress (older ones are evicted:
/// the caller stores what it wants on disk), plus the msn and duration of every segment
/// for [`Playlist::render_event`]. Lookups give [`Bytes`], cheap to clone out of a lock.
#[derive(Debug, Clone)]
pub struct Playlist {
    config: HlsConfig,
    naming: Naming,
    init: Option<Bytes>,
    window: VecDeque<Segment>,
    current: Segment,
    history: Vec<(u64, Duration)>,
    longest: Duration,
    ended: bool,
}

fn secs(d: Duration) -> f64 {
    d.as_secs_f64()
}

impl Playlist {
    /// An empty playlist with the default [`Naming`].
    pub fn new(config: HlsConfig) -> Self {
        Self::with_naming(config, Naming::default())
    }

    /// An empty playlist whose URIs follow `naming`.
    pub fn with_naming(config: HlsConfig, naming: Naming) -> Self {
        let window = VecDeque::with_capacity(config.live_segments.saturating_add(1).min(64));
        Self {
            config,
            naming,
            init: None,
            window,
            current: Segment::new(super::packager::FIRST_MSN),
            history: Vec::new(),
            longest: Duration::ZERO,
            ended: false,
        }
    }

    /// Takes the next event of the stream's [`super::HlsPackager`]. A part of a segment
    /// other than the one in progress starts that segment (dropping what was in progress).
    pub fn push(&mut self, event: HlsEvent) {
        match event {
            HlsEvent::Init(data) => self.init = Some(Bytes::from(data)),
            HlsEvent::Part { msn, index, duration, independent, data } => {
                if msn != self.current.msn {
                    self.current = Segment::new(msn);
                }
                self.current.duration += duration;
                self.current.parts.push(Part { index, duration, independent, data: Bytes::from(data) });
            }
            HlsEvent::SegmentEnd { msn, duration } if msn == self.current.msn => {
                let mut segment = std::mem::replace(&mut self.current, Segment::new(msn.saturating_add(1)));
                let mut data = Vec::with_capacity(segment.parts.iter().map(|p| p.data.len()).sum());
                segment.parts.iter().for_each(|p| data.extend_from_slice(&p.data));
                segment.data = Bytes::from(data);
                segment.duration = duration;
                self.longest = self.longest.max(duration);
                self.history.push((msn, duration));
                self.window.push_back(segment);
                while self.window.len() > self.config.live_segments.saturating_add(1) {
                    self.window.pop_front();
                }
            }
            HlsEvent::SegmentEnd { .. } => {}
            HlsEvent::End => self.ended = true,
        }
    }

    /// The init segment, once known.
    pub fn init(&self) -> Option<Bytes> {
        self.init.clone()
    }

    /// Part `index` of segment `msn`, while in the window.
    pub fn part(&self, msn: u64, index: u32) -> Option<Bytes> {
        let segment = self.window.iter().chain([&self.current]).find(|s| s.msn == msn)?;
        segment.parts.iter().find(|p| p.index == index).map(|p| p.data.clone())
    }

    /// Complete segment `msn`, while in the window.
    pub fn segment(&self, msn: u64) -> Option<Bytes> {
        self.window.iter().find(|s| s.msn == msn).map(|s| s.data.clone())
    }

    /// The last part listed: (msn, index).
    pub fn last_part(&self) -> Option<(u64, u32)> {
        let segment = if self.current.parts.is_empty() { self.window.back()? } else { &self.current };
        segment.parts.last().map(|p| (segment.msn, p.index))
    }

    /// Whether a blocking playlist request for `_HLS_msn=msn&_HLS_part=index` can be
    /// answered now: that part or a later one is listed (an index past the last part of a
    /// complete segment means part 0 of the next one, RFC 8216bis 6.2.5.2), or the stream
    /// has ended.
    pub fn has_part(&self, msn: u64, index: u32) -> bool {
        if self.ended {
            return true;
        }
        let Some(last) = self.last_part() else { return false };
        let past_end = msn < self.current.msn && self.window.iter().find(|s| s.msn == msn).is_none_or(|s| index as usize >= s.parts.len());
        let wanted = if past_end { (msn.saturating_add(1), 0) } else { (msn, index) };
        wanted <= last
    }

    /// Whether a blocking request for `_HLS_msn=msn` (no part) can be answered now:
    /// segment `msn` is complete, or the stream has ended.
    pub fn has_segment(&self, msn: u64) -> bool {
        self.ended || msn < self.current.msn
    }

    /// Whether the stream ended ([`HlsEvent::End`]).
    pub fn ended(&self) -> bool {
        self.ended
    }

    /// `EXT-X-TARGETDURATION`: the longest segment (including the one in progress),
    /// rounded up, at least the segment target rounded up, at least 1.
    pub fn target_duration(&self) -> u64 {
        let longest = self.longest.max(self.current.duration).max(self.config.segment_target);
        (longest.as_secs() + u64::from(longest.subsec_nanos() > 0)).max(1)
    }

    fn put_parts(&self, out: &mut String, segment: &Segment) {
        for p in &segment.parts {
            let _ = write!(out, "#EXT-X-PART:DURATION={:.3},URI=\"{}\"", secs(p.duration), self.naming.part(segment.msn, p.index));
            out.push_str(if p.independent { ",INDEPENDENT=YES\n" } else { "\n" });
        }
    }

    /// The LL-HLS live playlist (version 9): the last `live_segments` complete segments,
    /// their parts for the last three target durations, the parts of the segment in
    /// progress and a preload hint for the next part; after the end `EXT-X-ENDLIST`
    /// instead of the hint. With `skip` (a `_HLS_skip=YES` delta update) the segments
    /// older than `CAN-SKIP-UNTIL` from the end are replaced by `EXT-X-SKIP`.
    pub fn render_live(&self, skip: bool) -> String {
        let target = self.target_duration();
        let part_target = secs(self.config.part_target);
        let shown: Vec<&Segment> = self.window.iter().skip(self.window.len().saturating_sub(self.config.live_segments)).collect();
        let mut out = String::with_capacity(1024);
        out.push_str("#EXTM3U\n#EXT-X-VERSION:9\n");
        let _ = writeln!(out, "#EXT-X-TARGETDURATION:{target}");
        let _ = writeln!(out, "#EXT-X-SERVER-CONTROL:CAN-BLOCK-RELOAD=YES,PART-HOLD-BACK={:.3},CAN-SKIP-UNTIL={}", 3.0 * part_target, 6 * target);
        let _ = writeln!(out, "#EXT-X-PART-INF:PART-TARGET={part_target:.3}");
        let _ = writeln!(out, "#EXT-X-MEDIA-SEQUENCE:{}", shown.first().map_or(self.current.msn, |s| s.msn));
        let _ = writeln!(out, "#EXT-X-MAP:URI=\"{}\"", self.naming.init());
        // From each segment's end to the end of the playlist.
        let mut to_end = self.current.duration;
        let mut after: Vec<Duration> = shown
            .iter()
            .rev()
            .map(|s| {
                let d = to_end;
                to_end += s.duration;
                d
            })
            .collect();
        after.reverse();
        let skipped = if skip { after.iter().take_while(|&&d| d >= Duration::from_secs(6 * target)).count() } else { 0 };
        if skipped > 0 {
            let _ = writeln!(out, "#EXT-X-SKIP:SKIPPED-SEGMENTS={skipped}");
        }
        for (segment, &after) in shown.iter().zip(&after).skip(skipped) {
            if after < Duration::from_secs(3 * target) {
                self.put_parts(&mut out, segment);
            }
            let _ = writeln!(out, "#EXTINF:{:.3},\n{}", secs(segment.duration), self.naming.segment(segment.msn));
        }
        self.put_parts(&mut out, &self.current);
        if self.ended {
            out.push_str("#EXT-X-ENDLIST\n");
        } else {
            let next = u32::try_from(self.current.parts.len()).unwrap_or(u32::MAX);
            let _ = writeln!(out, "#EXT-X-PRELOAD-HINT:TYPE=PART,URI=\"{}\"", self.naming.part(self.current.msn, next));
        }
        out
    }

    /// The plain HLS playlist (version 7, `EXT-X-PLAYLIST-TYPE:EVENT`, no parts) of every
    /// complete segment since the start, `EXT-X-ENDLIST` after the end: the file to keep
    /// next to the segments on disk.
    pub fn render_event(&self) -> String {
        self.render_event_with(&self.naming)
    }

    /// [`Playlist::render_event`] with other URIs (e.g. a prefix for the file on disk).
    pub fn render_event_with(&self, naming: &Naming) -> String {
        let mut out = String::with_capacity(256 + 40 * self.history.len());
        out.push_str("#EXTM3U\n#EXT-X-VERSION:7\n");
        let _ = writeln!(out, "#EXT-X-TARGETDURATION:{}", self.target_duration());
        out.push_str("#EXT-X-PLAYLIST-TYPE:EVENT\n");
        let _ = writeln!(out, "#EXT-X-MEDIA-SEQUENCE:{}", self.history.first().map_or(super::packager::FIRST_MSN, |s| s.0));
        let _ = writeln!(out, "#EXT-X-MAP:URI=\"{}\"", naming.init());
        for &(msn, duration) in &self.history {
            let _ = writeln!(out, "#EXTINF:{:.3},\n{}", secs(duration), naming.segment(msn));
        }
        if self.ended {
            out.push_str("#EXT-X-ENDLIST\n");
        }
        out
    }
}
