//! Per-subscriber rewriting of one published track's RTP.
//!
//! A subscriber sees one continuous stream whatever layer of a simulcast track the
//! publisher's packets come from. [`Forwarder`] decides, packet by packet, whether to
//! forward, and with which sequence number and timestamp. It switches layers only at a
//! keyframe of the target layer, continuing the sequence numbers and advancing the
//! timestamp by the time that passed. Pure: no allocation, no IO, time is a parameter.

use std::time::Instant;

/// The forwarder's decision for one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Send with these numbers.
    Forward {
        /// Outgoing extended sequence number.
        seq: u64,
        /// Outgoing RTP timestamp.
        ts: u32,
    },
    /// Do not send.
    Drop,
}

/// One packet as the forwarder sees it.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Packet {
    /// Simulcast layer index (0 when not simulcast).
    pub layer: u8,
    /// Extended incoming sequence number.
    pub seq: u64,
    /// Incoming RTP timestamp.
    pub ts: u32,
    /// Whether this packet starts a keyframe.
    pub keyframe: bool,
}

#[derive(Debug)]
pub(crate) struct Forwarder {
    video: bool,
    clock_rate: u32,
    /// The layer being forwarded; `None` until the first packet goes out.
    current: Option<u8>,
    seq_offset: u64,
    ts_offset: u32,
    first_seq: u64,
    last_seq: u64,
    last_ts: u32,
    last_at: Option<Instant>,
}

impl Forwarder {
    /// The forwarder of a new leg of a video or audio track (90 kHz or 48 kHz), its first
    /// outgoing sequence number drawn from `random` (so legs do not share one).
    pub fn for_leg(video: bool, random: u64) -> Self {
        let first_seq = 1000 + (random % 20_000) as u16;
        Self::new(video, if video { 90_000 } else { 48_000 }, first_seq)
    }

    /// A forwarder whose first outgoing sequence number is `first_seq`: below 2^16 so
    /// receivers need no rollover counter signalled out of band, and at least
    /// [`MAX_REORDER`] so that late packets never map below zero.
    pub fn new(video: bool, clock_rate: u32, first_seq: u16) -> Self {
        Self {
            video,
            clock_rate,
            current: None,
            seq_offset: 0,
            ts_offset: 0,
            first_seq: u64::from(first_seq).max(MAX_REORDER as u64),
            last_seq: 0,
            last_ts: 0,
            last_at: None,
        }
    }

    /// The layer being forwarded.
    pub fn current(&self) -> Option<u8> {
        self.current
    }

    /// Waits for a keyframe before forwarding video again, continuing the numbering: after
    /// a pause, the subscriber's decoder needs a fresh picture.
    pub fn resync(&mut self) {
        if self.video {
            self.current = None;
        }
    }

    /// Whether the forwarder waits for a keyframe on `target` (the caller should ask
    /// the publisher for one).
    pub fn needs_keyframe(&self, target: u8) -> bool {
        self.video && self.current != Some(target)
    }

    /// Decides for one packet, `target` being the layer the subscriber should get.
    pub fn on_packet(&mut self, p: Packet, target: u8, now: Instant) -> Verdict {
        if !self.video {
            if self.current.is_none() {
                self.switch_to(p, now);
            }
            return self.rewrite(p, now);
        }
        match self.current {
            Some(cur) if cur == p.layer && cur == target => self.rewrite(p, now),
            // Keep the old layer flowing until the target's keyframe arrives.
            Some(cur) if cur == p.layer => self.rewrite(p, now),
            _ if p.layer == target && p.keyframe => {
                self.switch_to(p, now);
                self.rewrite(p, now)
            }
            _ => Verdict::Drop,
        }
    }

    fn switch_to(&mut self, p: Packet, now: Instant) {
        match self.last_at {
            None => {
                self.seq_offset = self.first_seq.wrapping_sub(p.seq);
                self.ts_offset = 0;
            }
            Some(at) => {
                self.seq_offset = (self.last_seq + 1).wrapping_sub(p.seq);
                let elapsed = now.saturating_duration_since(at);
                let ticks = (elapsed.as_micros() as u64 * u64::from(self.clock_rate) / 1_000_000).max(1);
                let out_ts = self.last_ts.wrapping_add(ticks as u32);
                self.ts_offset = out_ts.wrapping_sub(p.ts);
            }
        }
        self.current = Some(p.layer);
    }

    fn rewrite(&mut self, p: Packet, now: Instant) -> Verdict {
        let seq = p.seq.wrapping_add(self.seq_offset);
        let ts = p.ts.wrapping_add(self.ts_offset);
        if self.last_at.is_some() {
            // Late packets from before a switch, or wild jumps, would corrupt the
            // subscriber's sequence space.
            let delta = seq.wrapping_sub(self.last_seq) as i64;
            if !(-MAX_REORDER..=MAX_JUMP).contains(&delta) {
                return Verdict::Drop;
            }
            if delta <= 0 {
                self.last_at = Some(now);
                return Verdict::Forward { seq, ts };
            }
        }
        self.last_seq = seq;
        self.last_ts = ts;
        self.last_at = Some(now);
        Verdict::Forward { seq, ts }
    }
}

/// How far behind the newest forwarded packet a late packet may be.
const MAX_REORDER: i64 = 1000;
/// How far ahead a packet may jump (a burst of loss).
const MAX_JUMP: i64 = 30_000;

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Duration;

    fn pkt(layer: u8, seq: u64, ts: u32, keyframe: bool) -> Packet {
        Packet { layer, seq, ts, keyframe }
    }

    #[test]
    fn audio_is_renumbered_from_the_start() {
        let now = Instant::now();
        let mut f = Forwarder::new(false, 48_000, 1000);
        assert_eq!(f.on_packet(pkt(0, 5000, 960, false), 0, now), Verdict::Forward { seq: 1000, ts: 960 });
        assert_eq!(f.on_packet(pkt(0, 5001, 1920, false), 0, now), Verdict::Forward { seq: 1001, ts: 1920 });
        // Reordered packet keeps its relative place.
        assert_eq!(f.on_packet(pkt(0, 4999, 0, false), 0, now), Verdict::Forward { seq: 999, ts: 0 });
    }

    #[test]
    fn video_waits_for_a_keyframe() {
        let now = Instant::now();
        let mut f = Forwarder::new(true, 90_000, 2000);
        assert!(f.needs_keyframe(0));
        assert_eq!(f.on_packet(pkt(0, 10, 0, false), 0, now), Verdict::Drop);
        assert_eq!(f.on_packet(pkt(0, 11, 3000, true), 0, now), Verdict::Forward { seq: 2000, ts: 3000 });
        assert_eq!(f.on_packet(pkt(0, 12, 3000, false), 0, now), Verdict::Forward { seq: 2001, ts: 3000 });
        assert!(!f.needs_keyframe(0));
    }

    #[test]
    fn layer_switch_is_continuous() {
        let t0 = Instant::now();
        let mut f = Forwarder::new(true, 90_000, 2000);
        f.on_packet(pkt(0, 100, 1000, true), 0, t0);
        f.on_packet(pkt(0, 101, 1000, false), 0, t0);
        // Target moves to layer 2; layer 2 non-keyframes are dropped, layer 0 keeps flowing.
        assert_eq!(f.on_packet(pkt(2, 7000, 50_000, false), 2, t0), Verdict::Drop);
        assert_eq!(f.on_packet(pkt(0, 102, 4000, true), 2, t0), Verdict::Forward { seq: 2002, ts: 4000 });
        assert!(f.needs_keyframe(2));
        let t1 = t0 + Duration::from_millis(100);
        match f.on_packet(pkt(2, 7001, 60_000, true), 2, t1) {
            Verdict::Forward { seq, ts } => {
                assert_eq!(seq, 2003, "sequence continues");
                assert_eq!(ts, 4000 + 9000, "timestamp advances by 100 ms at 90 kHz");
            }
            Verdict::Drop => panic!("keyframe of the target must switch"),
        }
        assert_eq!(f.current(), Some(2));
        // The old layer is now dropped.
        assert_eq!(f.on_packet(pkt(0, 103, 7000, false), 2, t1), Verdict::Drop);
        assert_eq!(f.on_packet(pkt(2, 7002, 60_000, false), 2, t1), Verdict::Forward { seq: 2004, ts: 13_000 });
    }

    #[test]
    fn after_a_resync_video_resumes_at_a_keyframe_with_continuous_numbers() {
        let t0 = Instant::now();
        let mut f = Forwarder::new(true, 90_000, 2000);
        f.on_packet(pkt(1, 10, 0, true), 1, t0);
        f.resync();
        assert!(f.needs_keyframe(1));
        assert_eq!(f.on_packet(pkt(1, 50, 120_000, false), 1, t0), Verdict::Drop, "no delta frame before the keyframe");
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(f.on_packet(pkt(1, 51, 123_000, true), 1, t1), Verdict::Forward { seq: 2001, ts: 90_000 });
    }
}
