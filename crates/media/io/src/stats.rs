//! The media thread's counters, published about once a second.

use std::time::Duration;

use hikari_sfu::SfuStats;

/// Counters published by the media thread about once a second.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MediaStats {
    /// The SFU's own counters.
    pub sfu: SfuStats,
    /// Datagrams sent.
    pub datagrams_out: u64,
    /// Bytes sent.
    pub bytes_out: u64,
    /// Datagrams the kernel refused (buffer full, unreachable).
    pub send_errors: u64,
    /// UDP GSO sends (each carried two or more of the datagrams sent).
    pub gso_sends: u64,
    /// Time from reading a datagram to sending the batch it was handled in (for RTP, the
    /// forwarding latency through the SFU).
    pub forward_latency: LatencyHistogram,
    /// Time from the ingest reading an encoder's bytes (RTMP, SRT) to sending the RTP made of
    /// them (passthrough video; what goes through a codec job is not counted).
    pub ingest_latency: LatencyHistogram,
    /// Packets for internal sinks (recorders) lost because the sink did not keep up.
    pub sink_packets_dropped: u64,
}

/// Upper bounds of [`LatencyHistogram`]'s buckets, in microseconds (then +Inf).
pub const LATENCY_BOUNDS_US: [u64; 11] = [50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 25_000, 50_000, 100_000];

/// A fixed-bucket histogram: no allocation, no lock; owned by the media thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LatencyHistogram {
    /// Observations per bucket (not cumulative); the last is above every bound.
    pub buckets: [u64; LATENCY_BOUNDS_US.len() + 1],
    /// Sum of observations, nanoseconds.
    pub sum_ns: u64,
}

impl LatencyHistogram {
    /// Counts one observation.
    pub fn record(&mut self, d: Duration) {
        let us = d.as_micros() as u64;
        let i = LATENCY_BOUNDS_US.iter().position(|b| us <= *b).unwrap_or(LATENCY_BOUNDS_US.len());
        self.buckets[i] += 1;
        self.sum_ns += d.as_nanos() as u64;
    }
}
