//! Live HLS streams in memory: an HLS job's [`Playlist`] (the live window of parts and
//! segments, and every segment's duration), shared with the HTTP layer that serves it as
//! LL-HLS: the live playlist, blocking playlist reloads, the init segment, parts and whole
//! segments. The job takes the lock for a moment per part; a reader waiting for a part that
//! does not exist yet waits on a `watch`, never on the lock.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use hikari_egress::EgressId;
use hikari_mux::hls::{HlsConfig, HlsEvent, Naming, Playlist};
use hikari_types::RoomName;
use tokio::sync::watch;

/// The live streams, by egress id.
#[derive(Default)]
pub struct LiveHls {
    streams: Mutex<HashMap<EgressId, Arc<LiveStream>>>,
}

impl LiveHls {
    /// The stream of that egress, while it runs (and briefly after, so players see its end).
    pub fn get(&self, id: &EgressId) -> Option<Arc<LiveStream>> {
        self.streams.lock().ok()?.get(id).cloned()
    }

    pub(crate) fn insert(&self, id: EgressId, stream: Arc<LiveStream>) {
        if let Ok(mut s) = self.streams.lock() {
            s.insert(id, stream);
        }
    }

    pub(crate) fn remove(&self, id: &EgressId) {
        if let Ok(mut s) = self.streams.lock() {
            s.remove(id);
        }
    }

    /// How many streams are served.
    pub fn len(&self) -> usize {
        self.streams.lock().map(|s| s.len()).unwrap_or(0)
    }

    /// Whether none is.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// One live stream.
pub struct LiveStream {
    /// The room it comes from (a viewer's token must name it).
    pub room: RoomName,
    playlist: Mutex<Playlist>,
    changed: watch::Sender<u64>,
}

/// What a blocking playlist request came to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Wait {
    /// The part is there (or the stream ended): answer now.
    Ready,
    /// It did not come within the bound (HLS: 503).
    TimedOut,
    /// Further ahead than the segment after the one in progress (HLS: 400).
    TooFar,
}

impl LiveStream {
    /// An empty stream of `room`.
    pub(crate) fn new(room: RoomName, config: HlsConfig) -> Self {
        Self { room, playlist: Mutex::new(Playlist::new(config)), changed: watch::channel(0).0 }
    }

    /// Takes one packager event; readers waiting are woken.
    pub(crate) fn push(&self, event: HlsEvent) {
        if let Ok(mut p) = self.playlist.lock() {
            p.push(event);
        }
        self.changed.send_modify(|v| *v += 1);
    }

    /// The event playlist of every complete segment, with `naming`'s URIs (the file on disk).
    pub(crate) fn render_event_with(&self, naming: &Naming) -> String {
        self.playlist.lock().map(|p| p.render_event_with(naming)).unwrap_or_default()
    }

    /// The live playlist (`skip`: a delta update); `None` before the first part.
    pub fn playlist(&self, skip: bool) -> Option<String> {
        let p = self.playlist.lock().ok()?;
        p.last_part()?;
        Some(p.render_live(skip))
    }

    /// The init segment.
    pub fn init(&self) -> Option<Bytes> {
        self.playlist.lock().ok()?.init()
    }

    /// A part of the live window.
    pub fn part(&self, msn: u64, index: u32) -> Option<Bytes> {
        self.playlist.lock().ok()?.part(msn, index)
    }

    /// A complete segment of the live window.
    pub fn segment(&self, msn: u64) -> Option<Bytes> {
        self.playlist.lock().ok()?.segment(msn)
    }

    /// Whether the stream has ended.
    pub fn ended(&self) -> bool {
        self.playlist.lock().map(|p| p.ended()).unwrap_or(true)
    }

    fn has(&self, msn: u64, part: Option<u32>) -> Result<bool, Wait> {
        let p = self.playlist.lock().map_err(|_| Wait::TimedOut)?;
        if p.ended() {
            return Ok(true);
        }
        let current = p.last_part().map_or(0, |(m, _)| m);
        if msn > current.saturating_add(1) {
            return Err(Wait::TooFar);
        }
        Ok(match part {
            Some(index) => p.has_part(msn, index),
            None => p.has_segment(msn),
        })
    }

    /// Part `index` of segment `msn`, waiting (at most `bound`) while it is still to come: an
    /// LL-HLS server holds the request for the preload hint until the part exists, so a
    /// player has it the moment it is cut. `None` at once for a part that left the live
    /// window, was passed by (its segment ended before it) or lies beyond the next segment.
    pub async fn part_when_ready(&self, msn: u64, index: u32, bound: Duration) -> Option<Bytes> {
        let mut rx = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + bound;
        loop {
            {
                let p = self.playlist.lock().ok()?;
                if let Some(data) = p.part(msn, index) {
                    return Some(data);
                }
                match p.last_part() {
                    _ if p.ended() => return None,
                    // Gone from the window, or passed by (the segment was cut before it).
                    Some(last) if last >= (msn, index) => return None,
                    Some((current, _)) if msn > current.saturating_add(1) => return None,
                    _ => {}
                }
            }
            if !matches!(tokio::time::timeout_at(deadline, rx.changed()).await, Ok(Ok(()))) {
                return self.part(msn, index);
            }
        }
    }

    /// Waits (at most `bound`) until part `part` of segment `msn` (no part: the whole
    /// segment) is listed: HLS's blocking playlist reload (`_HLS_msn`, `_HLS_part`).
    pub async fn wait_for(&self, msn: u64, part: Option<u32>, bound: Duration) -> Wait {
        let mut rx = self.changed.subscribe();
        let deadline = tokio::time::Instant::now() + bound;
        loop {
            match self.has(msn, part) {
                Ok(true) => return Wait::Ready,
                Ok(false) => {}
                Err(w) => return w,
            }
            if !matches!(tokio::time::timeout_at(deadline, rx.changed()).await, Ok(Ok(()))) {
                return if matches!(self.has(msn, part), Ok(true)) { Wait::Ready } else { Wait::TimedOut };
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn part(msn: u64, index: u32) -> HlsEvent {
        HlsEvent::Part { msn, index, duration: Duration::from_millis(300), independent: index == 0, data: vec![msn as u8, index as u8] }
    }

    /// A blocking reload waits for its part, answers at once for one listed, refuses one too
    /// far ahead, and gives up at its bound.
    #[tokio::test]
    async fn blocking_reloads_wait_for_their_part() {
        let s = Arc::new(LiveStream::new("r".into(), HlsConfig::default()));
        assert_eq!(s.playlist(false), None, "nothing to list before the first part");
        s.push(HlsEvent::Init(vec![1]));
        s.push(part(0, 0));
        assert_eq!(s.wait_for(0, Some(0), Duration::from_secs(1)).await, Wait::Ready);
        assert_eq!(s.wait_for(5, None, Duration::from_secs(1)).await, Wait::TooFar);
        assert_eq!(s.wait_for(0, Some(1), Duration::from_millis(50)).await, Wait::TimedOut);
        let waiter = {
            let s = s.clone();
            tokio::spawn(async move { s.wait_for(0, Some(1), Duration::from_secs(10)).await })
        };
        tokio::task::yield_now().await;
        s.push(part(0, 1));
        assert_eq!(waiter.await.expect("waiter"), Wait::Ready);
        assert_eq!(s.part(0, 1).as_deref(), Some(&[0u8, 1][..]));
        s.push(HlsEvent::SegmentEnd { msn: 0, duration: Duration::from_millis(600) });
        assert_eq!(s.segment(0).as_deref(), Some(&[0u8, 0, 0, 1][..]));
        assert!(s.playlist(false).is_some_and(|p| p.contains("#EXTINF:0.600,")));
        s.push(HlsEvent::End);
        assert_eq!(s.wait_for(1, Some(3), Duration::from_secs(1)).await, Wait::Ready, "an ended stream answers at once");
    }

    /// A request for the hinted part is held until the part is cut; one passed by (its
    /// segment ended first), out of reach or older is answered at once.
    #[tokio::test]
    async fn the_hinted_part_is_held_until_it_is_cut() {
        let s = Arc::new(LiveStream::new("r".into(), HlsConfig::default()));
        s.push(HlsEvent::Init(vec![1]));
        s.push(part(0, 0));
        let hinted = {
            let s = s.clone();
            tokio::spawn(async move { s.part_when_ready(0, 1, Duration::from_secs(10)).await })
        };
        let skipped = {
            let s = s.clone();
            tokio::spawn(async move { s.part_when_ready(0, 3, Duration::from_secs(10)).await })
        };
        tokio::task::yield_now().await;
        s.push(part(0, 1));
        assert_eq!(hinted.await.expect("hinted").as_deref(), Some(&[0u8, 1][..]));
        s.push(HlsEvent::SegmentEnd { msn: 0, duration: Duration::from_millis(600) });
        s.push(part(1, 0));
        assert_eq!(skipped.await.expect("skipped"), None, "segment 0 ended after part 1");
        assert_eq!(s.part_when_ready(0, 0, Duration::from_secs(10)).await.as_deref(), Some(&[0u8, 0][..]));
        assert_eq!(s.part_when_ready(9, 0, Duration::from_secs(10)).await, None, "beyond the next segment");
        assert_eq!(s.part_when_ready(2, 0, Duration::from_millis(30)).await, None, "not cut within the bound");
    }
}
