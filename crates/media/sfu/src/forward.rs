//! Per-subscriber rewriting of one published track's RTP.
//!
//! A subscriber sees one continuous stream whatever layer of a simulcast track the
//! publisher's packets come from. [`Forwarder`] decides, packet by packet, whether to
//! forward, and with which sequence number and timestamp. It switches layers only at a
//! keyframe of the target layer, continuing the sequence numbers and advancing the
//! timestamp by the time that passed. Within the stream it forwards, its [`LayerFilter`]
//! drops temporal layers above the leg's temporal target and (SVC) spatial layers above its
//! spatial target; the sequence numbers of what is dropped are taken out of the leg's
//! numbering, and VP8 PictureIDs and TL0PICIDXs are renumbered so the subscriber sees no
//! gap ([`Verdict::Forward`]'s `picture`). Pure: no allocation, no IO, time is a parameter.

use std::time::Instant;

use crate::codec::FrameInfo;
use crate::droplog::DropLog;
use crate::svc::{LayerFilter, Pass};

/// The forwarder's decision for one packet.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Verdict {
    /// Send with these numbers.
    Forward {
        /// Outgoing extended sequence number.
        seq: u64,
        /// Outgoing RTP timestamp.
        ts: u32,
        /// The packet ends the picture for this leg (set the marker bit).
        end_of_frame: bool,
        /// A VP8 PictureID and TL0PICIDX to write into the payload descriptor, when they
        /// differ from the packet's.
        picture: Option<(u16, Option<u8>)>,
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
    /// Its layers and descriptor fields (`codec::inspect`).
    pub frame: FrameInfo,
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
    /// Temporal and spatial layers within the forwarded stream.
    filter: LayerFilter,
    /// The newest incoming sequence number of the current stream, forwarded or dropped.
    newest_in: Option<u64>,
    /// The latest drops, for the numbers of late packets.
    drops: DropLog,
    /// VP8 renumbering: subtracted from incoming PictureIDs and TL0PICIDXs.
    pid_offset: u16,
    tl0_offset: u8,
    /// The PictureID of the last dropped frame (counted once per frame).
    dropped_pid: Option<u16>,
    /// The last PictureID and TL0PICIDX sent.
    last_pid_out: Option<u16>,
    last_tl0_out: Option<u8>,
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
            filter: LayerFilter::default(),
            newest_in: None,
            drops: DropLog::default(),
            pid_offset: 0,
            tl0_offset: 0,
            dropped_pid: None,
            last_pid_out: None,
            last_tl0_out: None,
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
    /// the publisher for one). For SVC, `target` is the spatial layer.
    pub fn needs_keyframe(&self, target: u8) -> bool {
        let stream = if self.filter.svc { 0 } else { target };
        self.video && (self.current != Some(stream) || self.filter.below(target))
    }

    /// Decides for one packet, `target` being the layer the subscriber should get (the
    /// simulcast layer, or for SVC the spatial layer) and `temporal` its highest temporal
    /// layer.
    pub fn on_packet(&mut self, p: Packet, target: u8, temporal: u8, now: Instant) -> Verdict {
        if !self.video {
            if self.current.is_none() {
                self.switch_to(p, now);
            }
            return self.rewrite(p, now, false);
        }
        let (stream, spatial) = if p.frame.svc { (0, target) } else { (target, 0) };
        let ours = match self.current {
            Some(cur) => cur == p.layer,
            None => false,
        };
        if !ours {
            if !(p.layer == stream && p.keyframe) {
                return Verdict::Drop;
            }
            self.switch_to(p, now);
            self.filter.start(&p.frame, spatial, temporal);
        }
        // A late packet (reordered, retransmitted) moves no layer: it belongs to the past.
        let mut frame = p.frame;
        if self.newest_in.is_some_and(|n| p.seq < n) {
            frame.keyframe = false;
            frame.starts_frame = false;
            frame.starts_picture = false;
        }
        match self.filter.on_packet(&frame, spatial, temporal) {
            Pass::Keep { end_of_frame } => self.rewrite(p, now, end_of_frame),
            Pass::Drop => self.drop_filtered(p),
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
        // Another stream's PictureIDs continue from the last one sent.
        if let (Some(last), Some((pid, _))) = (self.last_pid_out, p.frame.picture_id) {
            self.pid_offset = pid.wrapping_sub(last.wrapping_add(1));
        }
        if let (Some(last), Some(tl0)) = (self.last_tl0_out, p.frame.tl0_pic_idx) {
            self.tl0_offset = tl0.wrapping_sub(last.wrapping_add(1));
        }
        self.newest_in = None;
        self.drops.clear();
        self.dropped_pid = None;
        self.current = Some(p.layer);
    }

    /// A packet of the forwarded stream this leg does not get: later packets move down by
    /// one so the leg's numbering has no gap, and a dropped VP8 frame takes its PictureID
    /// with it. A late packet (older than one already seen) changes nothing.
    fn drop_filtered(&mut self, p: Packet) -> Verdict {
        if self.newest_in.is_none_or(|n| p.seq > n) {
            self.newest_in = Some(p.seq);
            self.drops.push(p.seq, self.seq_offset, self.pid_offset);
            self.seq_offset = self.seq_offset.wrapping_sub(1);
            if let Some((pid, _)) = p.frame.picture_id
                && self.dropped_pid != Some(pid)
            {
                self.dropped_pid = Some(pid);
                self.pid_offset = self.pid_offset.wrapping_add(1);
            }
        }
        Verdict::Drop
    }

    fn rewrite(&mut self, p: Packet, now: Instant, end_of_frame: bool) -> Verdict {
        let late = self.newest_in.is_some_and(|n| p.seq < n);
        let (seq_offset, pid_offset) = if late {
            // Numbered before later drops moved the offsets: the numbers of its time.
            match self.drops.offsets_at(p.seq, (self.seq_offset, self.pid_offset)) {
                Some(offsets) => offsets,
                None => return Verdict::Drop,
            }
        } else {
            self.newest_in = Some(p.seq);
            (self.seq_offset, self.pid_offset)
        };
        let seq = p.seq.wrapping_add(seq_offset);
        let ts = p.ts.wrapping_add(self.ts_offset);
        let picture = self.picture(p, pid_offset, late);
        let verdict = Verdict::Forward { seq, ts, end_of_frame, picture };
        if self.last_at.is_some() {
            // Late packets from before a switch, or wild jumps, would corrupt the
            // subscriber's sequence space.
            let delta = seq.wrapping_sub(self.last_seq) as i64;
            if !(-MAX_REORDER..=MAX_JUMP).contains(&delta) {
                return Verdict::Drop;
            }
            if delta <= 0 {
                self.last_at = Some(now);
                return verdict;
            }
        }
        self.last_seq = seq;
        self.last_ts = ts;
        self.last_at = Some(now);
        verdict
    }

    /// The VP8 PictureID and TL0PICIDX to send, when renumbered (`pid_offset` being the
    /// one of the packet's time); a late packet leaves the last ones sent as they are.
    fn picture(&mut self, p: Packet, pid_offset: u16, late: bool) -> Option<(u16, Option<u8>)> {
        let (pid, long) = p.frame.picture_id?;
        let out = pid.wrapping_sub(pid_offset) & crate::codec::vp8::picture_id_mask(long);
        let tl0 = p.frame.tl0_pic_idx.map(|t| t.wrapping_sub(self.tl0_offset));
        if !late {
            self.last_pid_out = Some(out);
            if tl0.is_some() {
                self.last_tl0_out = tl0;
            }
        }
        (out != pid || tl0 != p.frame.tl0_pic_idx).then_some((out, tl0))
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

    const ALL: u8 = u8::MAX;

    fn pkt(layer: u8, seq: u64, ts: u32, keyframe: bool) -> Packet {
        Packet { layer, seq, ts, keyframe, frame: FrameInfo { keyframe, ..Default::default() } }
    }

    fn fwd(seq: u64, ts: u32) -> Verdict {
        Verdict::Forward { seq, ts, end_of_frame: false, picture: None }
    }

    #[test]
    fn audio_is_renumbered_from_the_start() {
        let now = Instant::now();
        let mut f = Forwarder::new(false, 48_000, 1000);
        assert_eq!(f.on_packet(pkt(0, 5000, 960, false), 0, ALL, now), fwd(1000, 960));
        assert_eq!(f.on_packet(pkt(0, 5001, 1920, false), 0, ALL, now), fwd(1001, 1920));
        // Reordered packet keeps its relative place.
        assert_eq!(f.on_packet(pkt(0, 4999, 0, false), 0, ALL, now), fwd(999, 0));
    }

    #[test]
    fn video_waits_for_a_keyframe() {
        let now = Instant::now();
        let mut f = Forwarder::new(true, 90_000, 2000);
        assert!(f.needs_keyframe(0));
        assert_eq!(f.on_packet(pkt(0, 10, 0, false), 0, ALL, now), Verdict::Drop);
        assert_eq!(f.on_packet(pkt(0, 11, 3000, true), 0, ALL, now), fwd(2000, 3000));
        assert_eq!(f.on_packet(pkt(0, 12, 3000, false), 0, ALL, now), fwd(2001, 3000));
        assert!(!f.needs_keyframe(0));
    }

    #[test]
    fn layer_switch_is_continuous() {
        let t0 = Instant::now();
        let mut f = Forwarder::new(true, 90_000, 2000);
        f.on_packet(pkt(0, 100, 1000, true), 0, ALL, t0);
        f.on_packet(pkt(0, 101, 1000, false), 0, ALL, t0);
        // Target moves to layer 2; layer 2 non-keyframes are dropped, layer 0 keeps flowing.
        assert_eq!(f.on_packet(pkt(2, 7000, 50_000, false), 2, ALL, t0), Verdict::Drop);
        assert_eq!(f.on_packet(pkt(0, 102, 4000, true), 2, ALL, t0), fwd(2002, 4000));
        assert!(f.needs_keyframe(2));
        let t1 = t0 + Duration::from_millis(100);
        match f.on_packet(pkt(2, 7001, 60_000, true), 2, ALL, t1) {
            Verdict::Forward { seq, ts, .. } => {
                assert_eq!(seq, 2003, "sequence continues");
                assert_eq!(ts, 4000 + 9000, "timestamp advances by 100 ms at 90 kHz");
            }
            Verdict::Drop => panic!("keyframe of the target must switch"),
        }
        assert_eq!(f.current(), Some(2));
        // The old layer is now dropped.
        assert_eq!(f.on_packet(pkt(0, 103, 7000, false), 2, ALL, t1), Verdict::Drop);
        assert_eq!(f.on_packet(pkt(2, 7002, 60_000, false), 2, ALL, t1), fwd(2004, 13_000));
    }

    #[test]
    fn after_a_resync_video_resumes_at_a_keyframe_with_continuous_numbers() {
        let t0 = Instant::now();
        let mut f = Forwarder::new(true, 90_000, 2000);
        f.on_packet(pkt(1, 10, 0, true), 1, ALL, t0);
        f.resync();
        assert!(f.needs_keyframe(1));
        assert_eq!(f.on_packet(pkt(1, 50, 120_000, false), 1, ALL, t0), Verdict::Drop, "no delta frame before the keyframe");
        let t1 = t0 + Duration::from_secs(1);
        assert_eq!(f.on_packet(pkt(1, 51, 123_000, true), 1, ALL, t1), fwd(2001, 90_000));
    }

    fn vp8(seq: u64, pid: u16, tl0: u8, tid: u8) -> Packet {
        let keyframe = seq == 0;
        let frame = FrameInfo {
            temporal: tid,
            starts_frame: true,
            starts_picture: true,
            switch_up: true,
            keyframe,
            picture_id: Some((pid, true)),
            tl0_pic_idx: Some(tl0),
            ..Default::default()
        };
        Packet { layer: 0, seq, ts: u32::from(pid) * 3000, keyframe, frame }
    }

    #[test]
    fn dropped_temporal_layers_leave_no_gap_in_numbers_or_picture_ids() {
        let now = Instant::now();
        let mut f = Forwarder::new(true, 90_000, 2000);
        let tids = [0, 2, 1, 2, 0, 2, 1, 2, 0];
        let mut sent = Vec::new();
        for (i, tid) in tids.into_iter().enumerate() {
            let tl0 = 5 + (i / 4) as u8;
            if let Verdict::Forward { seq, picture, .. } = f.on_packet(vp8(i as u64, 10 + i as u16, tl0, tid), 0, 0, now) {
                sent.push((seq, picture));
            }
        }
        assert_eq!(sent, vec![(2000, None), (2001, Some((11, Some(6)))), (2002, Some((12, Some(7))))]);
        // A late packet of a dropped frame changes nothing; one from before the drops (a
        // retransmission) gets the numbers it had.
        assert_eq!(f.on_packet(vp8(7, 17, 6, 2), 0, 0, now), Verdict::Drop);
        assert!(matches!(f.on_packet(vp8(4, 14, 6, 0), 0, 0, now), Verdict::Forward { seq: 2001, picture: Some((11, Some(6))), .. }));
        assert!(matches!(f.on_packet(vp8(0, 10, 5, 0), 0, 0, now), Verdict::Forward { seq: 2000, picture: None, .. }));
        assert!(matches!(f.on_packet(vp8(9, 19, 7, 0), 0, 0, now), Verdict::Forward { seq: 2003, picture: Some((13, Some(7))), .. }));
        // All layers again from a sync frame on: nothing more is dropped, numbers go on.
        assert!(matches!(f.on_packet(vp8(10, 20, 7, 1), 0, ALL, now), Verdict::Forward { seq: 2004, picture: Some((14, Some(7))), .. }));
        assert!(matches!(f.on_packet(vp8(11, 21, 7, 2), 0, ALL, now), Verdict::Forward { seq: 2005, picture: Some((15, Some(7))), .. }));
    }

    #[test]
    fn a_simulcast_switch_continues_picture_ids() {
        let now = Instant::now();
        let mut f = Forwarder::new(true, 90_000, 2000);
        assert!(matches!(f.on_packet(vp8(0, 100, 9, 0), 0, ALL, now), Verdict::Forward { picture: None, .. }));
        let mut other = vp8(500, 7000, 40, 0);
        other.layer = 1;
        other.keyframe = true;
        other.frame.keyframe = true;
        assert!(matches!(f.on_packet(other, 1, ALL, now), Verdict::Forward { seq: 2001, picture: Some((101, Some(10))), .. }));
    }
}
