//! [`TsDemuxer`]: transport stream bytes (any split) to [`Elementary`] units, following
//! the first program's first H.264 (stream type 0x1B) and AAC ADTS (0x0F) streams.

use bytes::Bytes;

use super::pes::Units;
use super::psi::{self, PACKET};
use crate::{DemuxError, Elementary};

/// Contiguous bytes without a sync pattern after which the input is refused.
const MAX_UNSYNCED: usize = 16 * PACKET;
/// The default cap on one PES packet.
const MAX_PES: usize = 16 << 20;

/// Counters of what the demuxer read, skipped and lost.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TsStats {
    /// Packets read.
    pub packets: u64,
    /// Bytes skipped while looking for sync.
    pub skipped_bytes: u64,
    /// Packets flagged with a transport error, or with an adaptation field too long.
    pub bad_packets: u64,
    /// Continuity counter gaps on a followed stream.
    pub cc_errors: u64,
    /// PES units dropped: after a gap, too large, or unusable (no PES header or PTS, a
    /// bad ADTS frame, parameter sets that do not parse).
    pub dropped_units: u64,
    /// PAT/PMT sections that were cut, failed their CRC or did not parse.
    pub psi_errors: u64,
}

#[derive(Debug)]
struct Track {
    pid: u16,
    video: bool,
    cc: Option<u8>,
    unit: Option<Vec<u8>>,
}

/// An MPEG-TS demuxer: [`push`](Self::push) bytes, [`poll`](Self::poll) units,
/// [`flush`](Self::flush) at the end of input.
#[derive(Debug)]
pub struct TsDemuxer {
    buf: Vec<u8>,
    in_sync: bool,
    unsynced: usize,
    pmt_pid: Option<u16>,
    pmt_version: Option<u8>,
    tracks: Vec<Track>,
    named: Vec<&'static str>,
    units: Units,
    stats: TsStats,
    max_pes: usize,
}

impl Default for TsDemuxer {
    fn default() -> Self {
        Self::new()
    }
}

impl TsDemuxer {
    /// A demuxer with PES packets capped at 16 MiB.
    pub fn new() -> Self {
        Self::with_max_pes(MAX_PES)
    }

    /// A demuxer with PES packets capped at `max_pes` bytes.
    pub fn with_max_pes(max_pes: usize) -> Self {
        Self {
            buf: Vec::new(),
            in_sync: false,
            unsynced: 0,
            pmt_pid: None,
            pmt_version: None,
            tracks: Vec::new(),
            named: Vec::new(),
            units: Units::new(),
            stats: TsStats::default(),
            max_pes,
        }
    }

    /// Reads bytes as they arrived (split anywhere). Damage is skipped and counted
    /// ([`stats`](Self::stats)); the one error is input with no sync pattern for 16
    /// packets' worth of bytes (the skipped bytes are gone; pushing more goes on).
    pub fn push(&mut self, bytes: &[u8]) -> Result<(), DemuxError> {
        self.buf.extend_from_slice(bytes);
        let mut pos = 0;
        let mut result = Ok(());
        while self.buf.len() - pos >= PACKET {
            if self.buf[pos] != 0x47 || (!self.in_sync && self.buf.get(pos + PACKET).is_some_and(|&b| b != 0x47)) {
                self.in_sync = false;
                pos += 1;
                self.unsynced += 1;
                self.stats.skipped_bytes += 1;
                if self.unsynced >= MAX_UNSYNCED {
                    self.unsynced = 0;
                    result = Err(DemuxError::NoSync(MAX_UNSYNCED));
                    break;
                }
                continue;
            }
            if !self.in_sync && self.buf.len() - pos == PACKET {
                break; // confirm the sync with the next packet's first byte
            }
            self.in_sync = true;
            self.unsynced = 0;
            let mut p = [0u8; PACKET];
            p.copy_from_slice(&self.buf[pos..pos + PACKET]);
            pos += PACKET;
            self.packet(&p);
        }
        self.buf.drain(..pos);
        result
    }

    /// The next unit, if any.
    pub fn poll(&mut self) -> Option<Elementary> {
        self.units.out.pop_front()
    }

    /// Completes the units in progress (the end of the input: a video unit otherwise ends
    /// only at the next unit's start).
    pub fn flush(&mut self) {
        for i in 0..self.tracks.len() {
            if let Some(unit) = self.tracks[i].unit.take() {
                self.complete(i, unit);
            }
        }
    }

    /// Counters of what was read, skipped and lost.
    pub fn stats(&self) -> &TsStats {
        &self.stats
    }

    fn packet(&mut self, p: &[u8; PACKET]) {
        self.stats.packets += 1;
        let Some(h) = psi::packet(p).filter(|h| !h.transport_error) else {
            self.stats.bad_packets += 1;
            return;
        };
        let payload = &p[h.payload_at..];
        if h.pid == 0 {
            if h.unit_start {
                match psi::pat(payload) {
                    Some(pid) => self.pmt_pid = Some(pid),
                    None => self.stats.psi_errors += 1,
                }
            }
            return;
        }
        if Some(h.pid) == self.pmt_pid {
            if h.unit_start {
                self.pmt(payload);
            }
            return;
        }
        let Some(i) = self.tracks.iter().position(|t| t.pid == h.pid) else { return };
        if !h.has_payload {
            return;
        }
        let t = &mut self.tracks[i];
        let expected = t.cc.map(|c| (c + 1) & 0x0f);
        if t.cc == Some(h.cc) && !h.discontinuity {
            return; // a duplicate packet
        }
        t.cc = Some(h.cc);
        if expected.is_some_and(|e| e != h.cc) && !h.discontinuity {
            self.stats.cc_errors += 1;
            if t.unit.take().is_some() {
                self.stats.dropped_units += 1;
            }
        }
        if h.unit_start {
            if let Some(unit) = t.unit.take() {
                self.complete(i, unit);
            }
            self.tracks[i].unit = Some(Vec::new());
        }
        let t = &mut self.tracks[i];
        let Some(unit) = t.unit.as_mut() else { return };
        unit.extend_from_slice(payload);
        if unit.len() > self.max_pes {
            t.unit = None;
            self.stats.dropped_units += 1;
            return;
        }
        // A unit whose PES length is given ends when it is reached.
        let declared = unit.get(4..6).map_or(0, |l| usize::from(u16::from_be_bytes([l[0], l[1]])));
        if declared > 0 && unit.len() >= 6 + declared {
            let mut unit = t.unit.take().unwrap_or_default();
            unit.truncate(6 + declared);
            self.complete(i, unit);
        }
    }

    fn pmt(&mut self, payload: &[u8]) {
        let Some((version, streams)) = psi::pmt(payload) else {
            self.stats.psi_errors += 1;
            return;
        };
        if self.pmt_version == Some(version) {
            return;
        }
        self.pmt_version = Some(version);
        self.flush();
        self.tracks.clear();
        let video = streams.iter().find(|s| s.stream_type == 0x1b);
        let audio = streams.iter().find(|s| s.stream_type == 0x0f);
        for (s, is_video) in [(video, true), (audio, false)] {
            if let Some(s) = s {
                self.tracks.push(Track { pid: s.pid, video: is_video, cc: None, unit: None });
            }
        }
        for s in &streams {
            if let Some((is_video, name)) = psi::unsupported_name(s.stream_type)
                && (if is_video { video.is_none() } else { audio.is_none() })
                && !self.named.contains(&name)
            {
                self.named.push(name);
                self.units.out.push_back(Elementary::Unsupported { what: format!("{name} in MPEG-TS (stream type 0x{:02x})", s.stream_type) });
            }
        }
    }

    fn complete(&mut self, track: usize, unit: Vec<u8>) {
        let pes = Bytes::from(unit);
        let ok = if self.tracks[track].video { self.units.video(pes) } else { self.units.audio(pes) };
        if !ok {
            self.stats.dropped_units += 1;
        }
    }
}

#[cfg(test)]
#[path = "demuxer_tests.rs"]
mod tests;
