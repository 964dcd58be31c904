//! One output stream's receiving task: RTP from ffmpeg on a loopback socket, handed on as
//! [`JobOutput::Rtp`] with its timestamp moved onto the job's media timeline, which the
//! stream's first RTCP sender report tells (ffmpeg starts each stream at a random
//! timestamp). Only datagrams from 127.0.0.1, from the first sending port, with the
//! stream's SSRC and payload type are taken; a datagram filling the whole buffer is taken
//! for cut and dropped.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use bytes::Bytes;
use tokio::net::UdpSocket;
use tokio::sync::{mpsc, watch};
use tokio::time::timeout;

use crate::activity::Activity;
use crate::output::{JobOutput, Stream};
use crate::rtp::{RtpView, SenderReport};

/// Receive buffer: ffmpeg sends at most [`crate::args::PACKET_SIZE`] bytes.
const MAX_DATAGRAM: usize = 2048;
/// How long the first RTP packet waits for the sender report ffmpeg sent just before it.
const SR_WAIT: Duration = Duration::from_millis(500);
/// After ffmpeg exits, datagrams still queued are read until the socket is quiet this long.
const DRAIN_QUIET: Duration = Duration::from_millis(100);
/// Microseconds between the NTP epoch (1900) and the Unix epoch.
const NTP_OFFSET_MICROS: u64 = 2_208_988_800 * 1_000_000;
/// Consecutive receive errors after which the task gives up.
const MAX_ERRORS: u32 = 100;

/// A stream's receiving task.
pub struct Receiver {
    /// Which stream.
    pub stream: Stream,
    /// The RTP socket ffmpeg sends to.
    pub rtp: UdpSocket,
    /// The RTCP socket ffmpeg sends sender reports to.
    pub rtcp: UdpSocket,
    /// How RTP timestamps map onto the job's timeline.
    pub timeline: Timeline,
    /// The consumer.
    pub out: mpsc::Sender<JobOutput>,
    /// Shared with the watchdog.
    pub activity: Arc<Activity>,
    /// Turns true when ffmpeg has exited.
    pub done: watch::Receiver<bool>,
}

/// How a job's RTP timestamps map onto its timeline.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Timeline {
    /// ffmpeg: each stream starts at a random timestamp; its first sender report maps it to
    /// the wall clock, and the job's time zero (Unix microseconds) is the timeline's zero.
    SenderReports {
        /// The job's time zero.
        t0_micros: u64,
    },
    /// GStreamer with `timestamp-offset=0`: every stream's timestamps count the pipeline's
    /// running time from 0 already.
    RunningTime,
}

/// What the task has learnt.
#[derive(Default)]
struct State {
    base: Option<u32>,
    rtp_peer: Option<SocketAddr>,
    rtcp_peer: Option<SocketAddr>,
}

/// Loopback, and the first sender's port after that.
fn accept(peer: &mut Option<SocketAddr>, from: SocketAddr) -> bool {
    if from.ip() != IpAddr::V4(Ipv4Addr::LOCALHOST) {
        return false;
    }
    *peer.get_or_insert(from) == from
}

impl Receiver {
    /// Runs until ffmpeg has exited and the socket is drained.
    pub async fn run(mut self) {
        let mut state = State { base: (self.timeline == Timeline::RunningTime).then_some(0), ..State::default() };
        let mut buf = vec![0u8; MAX_DATAGRAM];
        let mut rtcp_buf = vec![0u8; MAX_DATAGRAM];
        let mut errors = 0u32;
        loop {
            tokio::select! {
                biased;
                r = self.rtcp.recv_from(&mut rtcp_buf) => match r {
                    Ok((n, from)) => { errors = 0; self.on_rtcp(&mut state, &rtcp_buf[..n], from) }
                    Err(_) => errors += 1,
                },
                r = self.rtp.recv_from(&mut buf) => match r {
                    Ok((n, from)) => { errors = 0; self.on_rtp(&mut state, &buf[..n], from).await }
                    Err(_) => errors += 1,
                },
                _ = self.done.changed() => break,
            }
            if errors >= MAX_ERRORS {
                tracing::warn!(stream = ?self.stream, "transcode output socket keeps failing; stream abandoned");
                return;
            }
        }
        while let Ok(Ok((n, from))) = timeout(DRAIN_QUIET, self.rtp.recv_from(&mut buf)).await {
            self.on_rtp(&mut state, &buf[..n], from).await;
        }
    }

    fn on_rtcp(&self, state: &mut State, datagram: &[u8], from: SocketAddr) {
        if state.base.is_some() || !accept(&mut state.rtcp_peer, from) {
            return;
        }
        let Timeline::SenderReports { t0_micros } = self.timeline else { return };
        let Ok(sr) = SenderReport::parse(datagram) else { return };
        if sr.ssrc != self.stream.ssrc() {
            return;
        }
        // ffmpeg's report: rtp = base + (ntp - t0) in clock ticks, rounded to nearest.
        let t0_ntp = i128::from(t0_micros / 1000 * 1000 + NTP_OFFSET_MICROS);
        let elapsed = i128::from(sr.ntp_micros()) - t0_ntp;
        let scaled = elapsed * i128::from(self.stream.clock_rate());
        let ticks = if scaled >= 0 { (scaled + 500_000) / 1_000_000 } else { (scaled - 500_000) / 1_000_000 };
        state.base = Some(sr.rtp_timestamp.wrapping_sub(ticks.rem_euclid(1 << 32) as u32));
    }

    async fn on_rtp(&mut self, state: &mut State, datagram: &[u8], from: SocketAddr) {
        if datagram.len() >= MAX_DATAGRAM || !accept(&mut state.rtp_peer, from) {
            return;
        }
        let Ok(view) = RtpView::parse(datagram) else { return };
        if view.ssrc != self.stream.ssrc() || view.payload_type != self.stream.payload_type() {
            return;
        }
        self.activity.output();
        if state.base.is_none() {
            let mut rtcp_buf = vec![0u8; MAX_DATAGRAM];
            let wait = async {
                while state.base.is_none() {
                    if let Ok((n, from)) = self.rtcp.recv_from(&mut rtcp_buf).await {
                        self.on_rtcp(state, &rtcp_buf[..n], from);
                    }
                }
            };
            if timeout(SR_WAIT, wait).await.is_err() {
                tracing::warn!(stream = ?self.stream, "no RTCP sender report from ffmpeg; this stream's timeline starts at its first packet");
                state.base = Some(view.timestamp);
            }
        }
        let base = state.base.unwrap_or(view.timestamp);
        let output = JobOutput::Rtp {
            stream: self.stream,
            seq: view.seq,
            timestamp: view.timestamp.wrapping_sub(base),
            marker: view.marker,
            payload: Bytes::copy_from_slice(&datagram[view.payload]),
        };
        match self.out.try_send(output) {
            Ok(()) => self.activity.delivered.fetch_add(1, Ordering::Relaxed),
            Err(_) => self.activity.dropped.fetch_add(1, Ordering::Relaxed),
        };
    }
}
