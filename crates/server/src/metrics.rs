//! Prometheus metrics (text exposition format 0.0.4) on `prometheus_port`: the SFU's
//! counters from the media thread's once-a-second snapshot, the event bus's and webhook
//! delivery counters, and the process's CPU and memory from /proc.

use std::fmt::Write;
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;

use hikari_common::bus::{Publisher, SubscriberStats};
use hikari_ingest::SessionStats;
use hikari_media_io::{LATENCY_BOUNDS_US, LatencyHistogram, MediaHandle, MediaStats};
use hikari_webhook::{Notifier, WebhookCounters};

use crate::events::{FunnelCounts, HikariEvent};

#[derive(Clone)]
pub struct MetricsState {
    pub media: MediaHandle,
    pub events: Publisher<HikariEvent>,
    pub funnel_counts: Arc<FunnelCounts>,
    pub webhook: Option<Arc<Notifier>>,
    pub started: SystemTime,
    /// The ingest runtime, when ingress is on.
    pub ingest: Option<hikari_ingest::Ingest>,
    /// The recorder, when egress is on.
    pub recorder: Option<Arc<hikari_record::Recorder>>,
}

pub fn router(state: MetricsState) -> Router {
    Router::new().route("/metrics", get(metrics)).route("/", get(metrics)).with_state(state)
}

async fn metrics(State(s): State<MetricsState>) -> impl IntoResponse {
    let webhook = s.webhook.as_ref().map(|n| n.counters()).unwrap_or_default();
    let mut body = render(&s.media.stats(), &s.events.stats(), &webhook, &Process::read(s.started));
    funnel_events(&mut body, s.funnel_counts.snapshot());
    if let Some(ingest) = &s.ingest {
        ingest_sessions(&mut body, ingest.connections(), &ingest.measured());
    }
    if let Some(recorder) = &s.recorder {
        metric(&mut body, "hikari_egress_recordings", "gauge", "Egress jobs running now (track recordings and HLS).", recorder.running());
        metric(&mut body, "hikari_egress_live_streams", "gauge", "Live HLS streams served from memory.", recorder.live().len());
        histogram(
            &mut body,
            "hikari_hls_part_availability_seconds",
            "Time from the arrival of the packet completing a live HLS part's last frame to the part being served (the part is cut when the next frame arrives).",
            &recorder.part_availability(),
        );
    }
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], body)
}

/// What /proc says about this process.
#[derive(Default)]
pub struct Process {
    cpu_seconds: f64,
    resident_bytes: u64,
    virtual_bytes: u64,
    open_fds: u64,
    threads: u64,
    start_time: f64,
}

impl Process {
    fn read(started: SystemTime) -> Self {
        // Linux reports CPU time in USER_HZ ticks, 100 per second on every architecture.
        const TICKS: f64 = 100.0;
        let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
        // Fields after the command name (which may hold spaces) start at field 3 (state).
        let fields: Vec<&str> = stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
        let field = |n: usize| fields.get(n - 3).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
        let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
        let kb = |name: &str| {
            status.lines().find_map(|l| l.strip_prefix(name)).and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok()).unwrap_or(0) * 1024
        };
        Self {
            cpu_seconds: (field(14) + field(15)) / TICKS,
            resident_bytes: kb("VmRSS:"),
            virtual_bytes: kb("VmSize:"),
            open_fds: std::fs::read_dir("/proc/self/fd").map(|d| d.count() as u64).unwrap_or(0),
            threads: field(20) as u64,
            start_time: started.duration_since(UNIX_EPOCH).map(|d| d.as_secs_f64()).unwrap_or(0.0),
        }
    }
}

fn metric(out: &mut String, name: &str, kind: &str, help: &str, value: impl std::fmt::Display) {
    let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} {kind}\n{name} {value}");
}

/// The whole page.
pub fn render(m: &MediaStats, bus: &[SubscriberStats], w: &WebhookCounters, p: &Process) -> String {
    let s = &m.sfu;
    let c = &s.counters;
    let mut o = String::with_capacity(4096);
    metric(&mut o, "hikari_rooms", "gauge", "Open rooms.", s.rooms);
    metric(&mut o, "hikari_participants", "gauge", "Connected participants.", s.participants);
    metric(&mut o, "hikari_tracks", "gauge", "Published tracks.", s.tracks);
    metric(&mut o, "hikari_packets_in_total", "counter", "UDP datagrams received.", s.datagrams_in);
    metric(&mut o, "hikari_bytes_in_total", "counter", "UDP bytes received.", s.bytes_in);
    metric(&mut o, "hikari_packets_out_total", "counter", "UDP datagrams sent.", m.datagrams_out);
    metric(&mut o, "hikari_bytes_out_total", "counter", "UDP bytes sent.", m.bytes_out);
    metric(&mut o, "hikari_send_errors_total", "counter", "UDP datagrams the kernel refused.", m.send_errors);
    metric(&mut o, "hikari_udp_gso_sends_total", "counter", "UDP GSO sends, each carrying two or more of the datagrams sent.", m.gso_sends);
    metric(
        &mut o,
        "hikari_sink_packets_dropped_total",
        "counter",
        "Packets for internal sinks (recordings) lost because the sink did not keep up.",
        m.sink_packets_dropped,
    );
    metric(&mut o, "hikari_rtp_packets_in_total", "counter", "RTP packets received from publishers.", c.rtp_in);
    metric(&mut o, "hikari_rtp_packets_forwarded_total", "counter", "RTP packets forwarded to subscribers.", c.rtp_forwarded);
    metric(&mut o, "hikari_pli_sent_total", "counter", "Keyframe requests (PLI) sent to publishers.", c.keyframe_requests);
    metric(&mut o, "hikari_pli_received_total", "counter", "Keyframe requests (PLI/FIR) received from subscribers.", c.keyframe_requests_in);
    metric(&mut o, "hikari_nack_received_total", "counter", "NACKs received from subscribers.", c.nacks_received);
    metric(&mut o, "hikari_nack_sent_total", "counter", "NACKs sent to publishers.", c.nacks_sent);
    metric(&mut o, "hikari_data_packets_relayed_total", "counter", "Data packets relayed to receivers.", c.data_relayed);
    histogram(
        &mut o,
        "hikari_forward_latency_seconds",
        "Time from reading a datagram to sending the batch it was handled in (RTP forwarding through the SFU; inputs are handled and sent in batches).",
        &m.forward_latency,
    );
    histogram(
        &mut o,
        "hikari_ingest_latency_seconds",
        "Time from the ingest reading an encoder's bytes (RTMP, SRT) to sending the RTP made of them (passthrough video).",
        &m.ingest_latency,
    );
    event_bus(&mut o, bus);
    metric(&mut o, "hikari_webhook_deliveries_total", "counter", "Webhooks accepted by a receiver.", w.delivered);
    metric(&mut o, "hikari_webhook_failures_total", "counter", "Webhooks given up after the last attempt.", w.failed);
    metric(&mut o, "hikari_webhook_retries_total", "counter", "Webhook attempts that failed and were retried.", w.retries);
    metric(&mut o, "hikari_webhook_dropped_total", "counter", "Webhooks dropped because the queue was full.", w.dropped);
    metric(&mut o, "process_cpu_seconds_total", "counter", "User and system CPU time spent in seconds.", p.cpu_seconds);
    metric(&mut o, "process_resident_memory_bytes", "gauge", "Resident memory size in bytes.", p.resident_bytes);
    metric(&mut o, "process_virtual_memory_bytes", "gauge", "Virtual memory size in bytes.", p.virtual_bytes);
    metric(&mut o, "process_open_fds", "gauge", "Number of open file descriptors.", p.open_fds);
    metric(&mut o, "process_threads", "gauge", "Number of OS threads.", p.threads);
    metric(&mut o, "process_start_time_seconds", "gauge", "Start time of the process since unix epoch in seconds.", p.start_time);
    o
}

/// Per subscriber, the events it was offered: queued for it, or lost to its full queue.
/// `hikari_funnel_events_total{source}`: stored funnel events, server-recorded or client-sent.
fn funnel_events(o: &mut String, (server, client): (u64, u64)) {
    let name = "hikari_funnel_events_total";
    let _ = writeln!(o, "# HELP {name} Funnel events stored, by who recorded them: the server, or clients through the tracking beacon.\n# TYPE {name} counter");
    let _ = writeln!(o, "{name}{{source=\"server\"}} {server}");
    let _ = writeln!(o, "{name}{{source=\"client\"}} {client}");
}

/// Per running ingress session, what its last report (every 10 s) measured; the labels are
/// the ingress id (server-made, `IN_` and base62) and the input kind. Series disappear with
/// their session.
fn ingest_sessions(o: &mut String, connections: usize, sessions: &[(String, SessionStats)]) {
    metric(o, "hikari_ingress_connections", "gauge", "Encoder connections open now (RTMP, SRT and WHIP).", connections);
    type Field = fn(&SessionStats) -> f64;
    let series: [(&str, &str, &str, Field); 9] = [
        ("hikari_ingress_video_bitrate_bits_per_second", "gauge", "The input's video bitrate.", |s| f64::from(s.video_bitrate)),
        ("hikari_ingress_audio_bitrate_bits_per_second", "gauge", "The input's audio bitrate.", |s| f64::from(s.audio_bitrate)),
        ("hikari_ingress_video_frames_per_second", "gauge", "The input's video frame rate.", |s| s.framerate),
        ("hikari_ingress_keyframe_interval_seconds", "gauge", "Time between the input's last two keyframes (0 until the second).", |s| s.keyframe_interval),
        ("hikari_ingress_transcode_cpu_seconds_total", "counter", "CPU time of the session's codec job (ffmpeg or GStreamer), user and system.", |s| {
            s.transcode_cpu_seconds
        }),
        ("hikari_ingress_passthrough", "gauge", "1 if the session's video passes through without transcoding.", |s| f64::from(u8::from(s.passthrough))),
        ("hikari_ingress_keyframe_requests_total", "counter", "Keyframe requests from subscribers.", |s| s.keyframe_requests as f64),
        (
            "hikari_ingress_keyframes_forced_total",
            "counter",
            "Keyframe requests passed on to the transcoder's encoder (GStreamer ladders; an RTMP or SRT encoder cannot be asked).",
            |s| s.keyframes_forced as f64,
        ),
        ("hikari_ingress_dropped_packets_total", "counter", "Packets the room's queue or the codec job's input refused.", |s| s.dropped as f64),
    ];
    for (name, kind, help, field) in series {
        let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} {kind}");
        for (id, s) in sessions {
            let _ = writeln!(o, "{name}{{ingress=\"{}\",input=\"{}\"}} {}", id.escape_default(), s.input, field(s));
        }
    }
}

fn event_bus(o: &mut String, bus: &[SubscriberStats]) {
    let name = "hikari_event_bus_events_total";
    let _ = writeln!(
        o,
        "# HELP {name} Events published on the event bus, per subscriber: delivered (queued for it) or dropped (its queue was full).\n# TYPE {name} counter"
    );
    for s in bus {
        let _ = writeln!(o, "{name}{{subscriber=\"{}\",outcome=\"delivered\"}} {}", s.name, s.delivered);
        let _ = writeln!(o, "{name}{{subscriber=\"{}\",outcome=\"dropped\"}} {}", s.name, s.dropped);
    }
}

fn histogram(o: &mut String, name: &str, help: &str, h: &LatencyHistogram) {
    let _ = writeln!(o, "# HELP {name} {help}\n# TYPE {name} histogram");
    let mut cumulative = 0;
    for (bound, count) in LATENCY_BOUNDS_US.iter().zip(h.buckets.iter()) {
        cumulative += count;
        let _ = writeln!(o, "{name}_bucket{{le=\"{}\"}} {cumulative}", *bound as f64 / 1e6);
    }
    let total: u64 = h.buckets.iter().sum();
    let _ = writeln!(o, "{name}_bucket{{le=\"+Inf\"}} {total}");
    let _ = writeln!(o, "{name}_sum {}", h.sum_ns as f64 / 1e9);
    let _ = writeln!(o, "{name}_count {total}");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn page_shape() {
        let mut m = MediaStats::default();
        m.sfu.rooms = 2;
        m.forward_latency.buckets[0] = 3;
        m.forward_latency.buckets[11] = 1;
        let bus = [SubscriberStats { name: "webhook", delivered: 7, dropped: 2 }];
        let page = render(&m, &bus, &WebhookCounters { delivered: 5, ..Default::default() }, &Process::read(SystemTime::now()));
        assert!(page.contains("hikari_rooms 2\n"));
        assert!(page.contains("hikari_webhook_deliveries_total 5\n"));
        assert!(page.contains("hikari_forward_latency_seconds_bucket{le=\"0.00005\"} 3\n"));
        assert!(page.contains("hikari_forward_latency_seconds_bucket{le=\"+Inf\"} 4\n"));
        assert!(page.contains("hikari_forward_latency_seconds_count 4\n"));
        assert!(!page.contains("process_resident_memory_bytes 0\n"), "reads /proc");
    }

    #[test]
    fn event_bus_counters_per_subscriber_and_outcome() {
        let bus = [SubscriberStats { name: "webhook", delivered: 7, dropped: 2 }, SubscriberStats { name: "funnel", delivered: 1, dropped: 0 }];
        let page = render(&MediaStats::default(), &bus, &WebhookCounters::default(), &Process::default());
        assert!(page.contains("# TYPE hikari_event_bus_events_total counter\n"));
        assert!(page.contains("hikari_event_bus_events_total{subscriber=\"webhook\",outcome=\"delivered\"} 7\n"));
        assert!(page.contains("hikari_event_bus_events_total{subscriber=\"webhook\",outcome=\"dropped\"} 2\n"));
        assert!(page.contains("hikari_event_bus_events_total{subscriber=\"funnel\",outcome=\"delivered\"} 1\n"));
        assert_eq!(page.matches("# HELP hikari_event_bus_events_total").count(), 1);
    }

    #[test]
    fn ingest_sessions_by_ingress() {
        let mut page = String::new();
        let rtmp = SessionStats {
            input: "rtmp",
            video_bitrate: 2_500_000,
            framerate: 30.0,
            keyframe_interval: 2.0,
            transcode_cpu_seconds: 1.5,
            ..SessionStats::default()
        };
        let whip = SessionStats { input: "whip", passthrough: true, ..SessionStats::default() };
        ingest_sessions(&mut page, 2, &[("IN_a".into(), rtmp), ("IN_b".into(), whip)]);
        assert!(page.contains("hikari_ingress_connections 2\n"));
        assert!(page.contains("# TYPE hikari_ingress_transcode_cpu_seconds_total counter\n"));
        assert!(page.contains("hikari_ingress_video_bitrate_bits_per_second{ingress=\"IN_a\",input=\"rtmp\"} 2500000\n"));
        assert!(page.contains("hikari_ingress_keyframe_interval_seconds{ingress=\"IN_a\",input=\"rtmp\"} 2\n"));
        assert!(page.contains("hikari_ingress_transcode_cpu_seconds_total{ingress=\"IN_a\",input=\"rtmp\"} 1.5\n"));
        assert!(page.contains("hikari_ingress_passthrough{ingress=\"IN_b\",input=\"whip\"} 1\n"));
    }

    #[test]
    fn funnel_events_by_source() {
        let mut page = String::new();
        funnel_events(&mut page, (5, 2));
        assert!(page.contains("# TYPE hikari_funnel_events_total counter\n"));
        assert!(page.contains("hikari_funnel_events_total{source=\"server\"} 5\n"));
        assert!(page.contains("hikari_funnel_events_total{source=\"client\"} 2\n"));
    }
}
