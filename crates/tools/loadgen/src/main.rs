//! `hikari-load`: a WebRTC load generator for SFUs speaking LiveKit or Janus videoroom
//! signaling. One media engine (str0m, one thread) serves both adapters, so both servers
//! see the same synthetic VP8 simulcast / Opus publishers and counting subscribers.
//!
//! Bounded: at most 120 s of measurement, at most 3000 peers, and a watchdog that ends the
//! process when the whole run overstays its budget.

mod engine;
mod janus;
mod livekit;
mod room;
mod stats;

use std::net::IpAddr;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use clap::{Parser, ValueEnum};
use tokio::sync::watch;

use engine::{Engine, LayerSpec, PublishSpec, Snapshot};

const MAX_DURATION_S: u64 = 120;
const MAX_PEERS: usize = 3000;

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum Target {
    Livekit,
    Janus,
}

#[derive(Clone, Copy, Debug, ValueEnum, PartialEq)]
enum Scenario {
    /// 1 publisher (VP8 simulcast q/h/f + Opus) → N subscribers.
    Webinar,
    /// 10 audio publishers → N subscribers.
    Audio,
    /// M participants each publishing simulcast video + audio and subscribing to all others.
    Meeting,
    /// Webinar where all N subscribers join at once.
    Storm,
    /// A Hikari webinar session: N registrants booked through the funnel's form join with
    /// their passes, watch the session's notices and chat at `--chat-rate` (Hikari only).
    Room,
}

#[derive(Parser, Debug)]
#[command(name = "hikari-load", about = "WebRTC SFU load generator (LiveKit or Janus signaling)")]
struct Args {
    /// Signaling flavour of the server.
    #[arg(long, value_enum, default_value = "livekit")]
    target: Target,
    /// LiveKit: ws://host:port. Janus: ws://host:port of its WebSocket transport.
    #[arg(long, default_value = "ws://10.77.0.1:7880")]
    url: String,
    #[arg(long, default_value = "devkey")]
    key: String,
    #[arg(long, default_value = "secret")]
    secret: String,
    /// Address the client sockets bind to.
    #[arg(long, default_value = "10.77.0.2")]
    local_ip: IpAddr,
    #[arg(long, value_enum, default_value = "webinar")]
    scenario: Scenario,
    /// Subscribers (webinar, audio, storm) or participants (meeting).
    #[arg(long, default_value_t = 50)]
    subs: usize,
    /// Publishers for the audio scenario.
    #[arg(long, default_value_t = 10)]
    audio_pubs: usize,
    /// Measurement window in seconds (at most 120).
    #[arg(long, default_value_t = 20)]
    duration: u64,
    /// Subscriber joins per second (0: all at once).
    #[arg(long, default_value_t = 50.0)]
    join_rate: f64,
    /// Top simulcast layer bitrate, bit/s (h = 500k, q = 150k).
    #[arg(long, default_value_t = 1_300_000)]
    top_bitrate: u32,
    /// The server process, for CPU (procfs utime+stime) and RSS.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Free text copied into the result line.
    #[arg(long, default_value = "")]
    label: String,
    /// Every this-many-th receiving PeerConnection decrypts its media and samples transit
    /// latency; the others count SRTP packets by their clear header (SSRC, sequence
    /// number), which costs the generator a fraction of a decrypt. 1: all decrypt.
    #[arg(long, default_value_t = 10)]
    decrypt_every: usize,
    /// Ramp (webinar, audio): subscriber counts to step through, e.g. `150,300,600`. Each
    /// step joins the extra subscribers, settles and measures its own window, and prints
    /// its own result line; the ramp stops after the first step below `--min-delivery`.
    /// Overrides `--subs`.
    #[arg(long, value_delimiter = ',')]
    steps: Vec<usize>,
    /// Delivery below which a ramp stops.
    #[arg(long, default_value_t = 0.999)]
    min_delivery: f64,
    /// Share of subscribers that ask for the low simulcast layer (`UpdateTrackSettings`
    /// quality LOW, as an adaptive-stream client with a small video element does); LiveKit
    /// only. 0.5: every second subscriber.
    #[arg(long, default_value_t = 0.0)]
    low_share: f64,
    /// Room: an admin API token (`hikari admin create-token`) to build the webinar with.
    #[arg(long, default_value = "")]
    api_token: String,
    /// Room: chat lines per second per 100 attendees during the window.
    #[arg(long, default_value_t = 5.0)]
    chat_rate: f64,
}

/// One participant to run.
#[derive(Clone, Debug)]
pub struct Client {
    /// Room name (LiveKit) or number (Janus, parsed).
    pub room: String,
    /// Identity.
    pub identity: String,
    /// What it does.
    pub role: Role,
    /// Janus: publisher feeds to wait for and subscribe to (LiveKit auto-subscribes).
    pub expect_feeds: usize,
    /// Asks for the low simulcast layer of every video it receives (LiveKit only).
    pub low: bool,
    /// The access token to join with (LiveKit), when the server gave one; else one is
    /// signed with the API key and secret.
    pub token: Option<String>,
}

/// Publisher or pure subscriber.
#[derive(Clone, Debug)]
pub enum Role {
    /// Publishes (and, on LiveKit, auto-subscribes to the others).
    Publisher(PublishSpec),
    /// Only subscribes.
    Subscriber,
}

fn video_spec(top: u32, n: usize) -> PublishSpec {
    PublishSpec {
        layers: vec![LayerSpec { rid: "q", bitrate: 150_000 }, LayerSpec { rid: "h", bitrate: 500_000 }, LayerSpec { rid: "f", bitrate: top }],
        audio: true,
        audio_bytes: 80,
        video_track_id: format!("v{n}"),
        audio_track_id: format!("a{n}"),
    }
}

fn audio_spec(n: usize) -> PublishSpec {
    PublishSpec { layers: vec![], audio: true, audio_bytes: 80, video_track_id: format!("v{n}"), audio_track_id: format!("a{n}") }
}

/// utime + stime in clock ticks, and RSS in KiB, of a process.
fn proc_cpu_rss(pid: &str) -> Option<(u64, u64)> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let rest = &stat[stat.rfind(')')? + 2..];
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = f.get(11)?.parse::<u64>().ok()? + f.get(12)?.parse::<u64>().ok()?;
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let rss = status.lines().find(|l| l.starts_with("VmRSS:"))?.split_whitespace().nth(1)?.parse().ok()?;
    Some((ticks, rss))
}

const CLK_TCK: f64 = 100.0;

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    if let Ok(filter) = std::env::var("RUST_LOG") {
        tracing_subscriber::fmt().with_writer(std::io::stderr).with_env_filter(filter).init();
    }
    if args.duration == 0 || args.duration > MAX_DURATION_S {
        bail!("--duration must be 1..={MAX_DURATION_S}");
    }
    let mut args = args;
    if !args.steps.is_empty() {
        if !matches!(args.scenario, Scenario::Webinar | Scenario::Audio) {
            bail!("--steps ramps the webinar and audio scenarios only");
        }
        if args.steps.windows(2).any(|w| w[0] >= w[1]) || args.steps[0] == 0 {
            bail!("--steps must be positive and increasing");
        }
        args.subs = *args.steps.last().unwrap_or(&args.subs);
    }
    if args.decrypt_every == 0 {
        bail!("--decrypt-every must be at least 1");
    }
    let peers = match args.scenario {
        Scenario::Meeting => args.subs,
        Scenario::Audio => args.subs + args.audio_pubs,
        _ => args.subs + 1,
    };
    if peers > MAX_PEERS {
        bail!("at most {MAX_PEERS} participants");
    }
    // Watchdog: joins, settling, every window and teardown must fit in this.
    let windows = args.steps.len().max(1) as u64;
    let budget = Duration::from_secs(windows * (args.duration + 20) + 70 + (peers as u64) / 10);
    std::thread::spawn(move || {
        std::thread::sleep(budget);
        eprintln!("hikari-load: watchdog fired after {budget:?}");
        std::process::exit(3);
    });
    // One UDP socket per PeerConnection and one WebSocket per participant.
    if let Ok((soft, hard)) = nix::sys::resource::getrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE)
        && soft < hard
    {
        let _ = nix::sys::resource::setrlimit(nix::sys::resource::Resource::RLIMIT_NOFILE, hard, hard);
    }
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    rt.block_on(run(args))
}

async fn run(args: Args) -> anyhow::Result<()> {
    let engine = Engine::spawn(args.local_ip, args.decrypt_every)?;
    let (stop_tx, stop_rx) = watch::channel(false);
    let server = args.server_pid.map(|p| p.to_string());
    let base_rss = server.as_deref().and_then(proc_cpu_rss).map(|x| x.1).unwrap_or(0);
    let mut webinar = match args.scenario {
        Scenario::Room if args.target == Target::Janus => bail!("the room scenario is Hikari's webinar: --target livekit"),
        Scenario::Room => {
            let authority = args.url.split("://").nth(1).unwrap_or(&args.url).trim_end_matches('/').to_owned();
            Some(room::Room::prepare(room::Http { authority, token: args.api_token.clone() }, args.subs).await?)
        }
        _ => None,
    };
    let room = match (args.target, &webinar) {
        (_, Some(w)) => w.room.clone(),
        (Target::Livekit, None) => format!("load-{}", std::process::id()),
        (Target::Janus, None) => (1000 + std::process::id() % 100_000).to_string(),
    };
    let janus_feeds = janus::Feeds::default();
    let spawn = |client: Client| {
        let engine = engine.clone();
        let stop = stop_rx.clone();
        let url = args.url.clone();
        let lk = livekit::LiveKit { url: args.url.clone(), key: args.key.clone(), secret: args.secret.clone() };
        let feeds = janus_feeds.clone();
        let target = args.target;
        tokio::spawn(async move {
            let id = client.identity.clone();
            let r = match target {
                Target::Livekit => livekit::run(engine, lk, client, stop).await,
                Target::Janus => janus::run(engine, &url, feeds, client, stop).await,
            };
            if let Err(e) = r {
                eprintln!("hikari-load: {id}: {e:#}");
            }
        })
    };
    let mut tasks = Vec::new();
    // Publishers first; wait until their media flows.
    let (pubs, subs): (Vec<PublishSpec>, usize) = match args.scenario {
        Scenario::Webinar | Scenario::Storm | Scenario::Room => (vec![video_spec(args.top_bitrate, 0)], args.subs),
        Scenario::Audio => ((0..args.audio_pubs).map(audio_spec).collect(), args.subs),
        Scenario::Meeting => ((0..args.subs).map(|n| video_spec(args.top_bitrate, n)).collect(), 0),
    };
    let n_pubs = pubs.len();
    if args.target == Target::Janus {
        janus::create_room(&args.url, &room, n_pubs).await.context("creating the Janus room")?;
    }
    let t_pub = Instant::now();
    for (n, spec) in pubs.into_iter().enumerate() {
        tasks.push(spawn(Client {
            room: room.clone(),
            identity: format!("pub-{n}"),
            role: Role::Publisher(spec),
            expect_feeds: if args.scenario == Scenario::Meeting { n_pubs } else { 0 },
            low: false,
            token: None,
        }));
        if args.scenario == Scenario::Meeting && args.join_rate > 0.0 {
            tokio::time::sleep(Duration::from_secs_f64(1.0 / args.join_rate)).await;
        }
    }
    let want_connected = n_pubs;
    wait_for(&engine, Duration::from_secs(20), |s| s.connected >= want_connected).await?;
    if args.target == Target::Janus && args.scenario != Scenario::Meeting {
        janus_feeds.wait(n_pubs, Duration::from_secs(10)).await;
    }
    eprintln!("hikari-load: {n_pubs} publisher(s) up after {:?}", t_pub.elapsed());
    let storm = args.scenario == Scenario::Storm || args.join_rate <= 0.0;
    let steps = if args.steps.is_empty() { vec![subs] } else { args.steps.clone() };
    let mut joined_subs = 0;
    for (step, &target) in steps.iter().enumerate() {
        let t_sub = Instant::now();
        for n in joined_subs..target {
            // Every subscriber whose share crosses a whole number asks for the low layer.
            let low = (((n + 1) as f64) * args.low_share).floor() > ((n as f64) * args.low_share).floor();
            let pass = webinar.as_ref().and_then(|w| w.attendees.get(n));
            let identity = pass.map_or_else(|| format!("sub-{n}"), |a| a.identity.clone());
            let token = pass.map(|a| a.token.clone());
            tasks.push(spawn(Client { room: room.clone(), identity, role: Role::Subscriber, expect_feeds: n_pubs, low, token }));
            if !storm {
                tokio::time::sleep(Duration::from_secs_f64(1.0 / args.join_rate)).await;
            }
        }
        let new_subs = target - joined_subs;
        joined_subs = target;
        // Every receiver has media: subscribers, or in a meeting every participant.
        let want_media = if args.scenario == Scenario::Meeting { n_pubs } else { target };
        let join_wait = Duration::from_secs(15 + (new_subs as u64) / 20);
        let ready = wait_for(&engine, join_wait, |s| s.with_media >= want_media).await;
        let joined = engine.call(|c| c.snapshot(false)).await?;
        eprintln!(
            "hikari-load: {} of {want_media} receivers have media after {:?}{}",
            joined.with_media,
            t_sub.elapsed(),
            if ready.is_err() { " (timed out)" } else { "" }
        );
        let mut extra = serde_json::Map::new();
        if let Some(w) = webinar.as_mut() {
            // The room's joins become stored `webinar_joined` events (one per registrant).
            let (stored, at) = w.await_stored("webinar_joined", target, Duration::from_secs(60)).await?;
            extra.insert("webinar_joined_stored".into(), stored.into());
            extra.insert("webinar_joined_stored_after_s".into(), (((at - t_sub).as_secs_f64() * 10.0).round() / 10.0).into());
            w.open_streams(&stop_rx, Duration::from_secs(30 + target as u64 / 20)).await?;
        }
        // Settle, then the measurement window.
        tokio::time::sleep(Duration::from_secs(2)).await;
        engine.call(|c| c.snapshot(true)).await?;
        let cpu0 = server.as_deref().and_then(proc_cpu_rss);
        let self0 = proc_cpu_rss("self");
        let t0 = Instant::now();
        match webinar.as_mut() {
            Some(w) => {
                let rate = args.chat_rate * target as f64 / 100.0;
                if let serde_json::Value::Object(m) = w.chat(rate, Duration::from_secs(args.duration)).await? {
                    extra.extend(m);
                }
            }
            None => tokio::time::sleep(Duration::from_secs(args.duration)).await,
        }
        let snap = engine.call(|c| c.snapshot(false)).await?;
        let wall = t0.elapsed().as_secs_f64();
        let cpu1 = server.as_deref().and_then(proc_cpu_rss);
        let self1 = proc_cpu_rss("self");
        let participants = n_pubs + target;
        let measured =
            Measured { snap: &snap, joined: &joined, wall, cpu: cpu0.zip(cpu1), me: self0.zip(self1), base_rss, participants, receivers: target, step, extra };
        let (line, delivery) = report(&args, &measured);
        println!("{line}");
        if !args.steps.is_empty() && delivery < args.min_delivery {
            eprintln!("hikari-load: ramp stops at {target} subscribers: delivery {delivery:.5} < {}", args.min_delivery);
            break;
        }
    }
    let t_stop = Instant::now();
    let _ = stop_tx.send(true);
    for t in tasks {
        let _ = tokio::time::timeout(Duration::from_secs(5), t).await;
    }
    if let Some(w) = webinar {
        // Everyone left at once: how fast the room's leaves become stored `webinar_left`
        // events, and what the session's report counted.
        let (left, at) = w.await_stored("webinar_left", joined_subs, Duration::from_secs(60)).await?;
        let secs = (at - t_stop).as_secs_f64();
        let report = w.report().await?;
        let v = serde_json::json!({
            "scenario": "room", "label": args.label, "phase": "leave",
            "attendees": joined_subs,
            "webinar_left_stored": left,
            "webinar_left_stored_after_s": (secs * 100.0).round() / 100.0,
            "webinar_left_per_s": (left as f64 / secs.max(1e-3)).round(),
            "report_attended": report["attended"],
            "report_chat_message": report["activity"]["chat_message"],
        });
        println!("{v}");
    }
    Ok(())
}

async fn wait_for(engine: &Engine, limit: Duration, done: impl Fn(&Snapshot) -> bool) -> anyhow::Result<()> {
    let end = Instant::now() + limit;
    loop {
        let s = engine.call(|c| c.snapshot(false)).await?;
        if done(&s) {
            return Ok(());
        }
        if Instant::now() >= end {
            bail!("timed out: {} peers, {} connected, {} with media, {} failed", s.peers, s.connected, s.with_media, s.failed);
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// One measurement window.
struct Measured<'a> {
    snap: &'a Snapshot,
    /// The snapshot taken once the window's receivers had media (join times).
    joined: &'a Snapshot,
    wall: f64,
    /// Server (utime+stime ticks, RSS KiB) at the start and end.
    cpu: Option<((u64, u64), (u64, u64))>,
    /// The same for this process.
    me: Option<((u64, u64), (u64, u64))>,
    base_rss: u64,
    participants: usize,
    receivers: usize,
    step: usize,
    /// Scenario-specific fields for the result line.
    extra: serde_json::Map<String, serde_json::Value>,
}

/// The result line of a window, and its delivery.
fn report(args: &Args, m: &Measured) -> (String, f64) {
    let (s, joined, wall, cpu, me, base_rss, participants) = (m.snap, m.joined, m.wall, m.cpu, m.me, m.base_rss, m.participants);
    let pps = s.totals.rx_rtp as f64 / wall;
    let mbps = s.totals.rx_bytes as f64 * 8.0 / wall / 1e6;
    let server_cpu = cpu.map(|((a, _), (b, _))| (b - a) as f64 / CLK_TCK / wall);
    let rss = cpu.map(|(_, (_, r))| r).unwrap_or(0);
    let gen_cpu = me.map(|((a, _), (b, _))| (b - a) as f64 / CLK_TCK / wall);
    let delivery = if s.expected > 0 { s.delivered as f64 / s.expected as f64 } else { 0.0 };
    let per = |x: f64| server_cpu.filter(|c| *c > 0.0).map(|c| x / c);
    let receivers = if args.scenario == Scenario::Meeting { participants as f64 } else { m.receivers as f64 };
    let q = |h: &stats::Histogram, p: f64| h.quantile_ms(p).unwrap_or(f64::NAN);
    let rss_per = if participants > 0 && rss > 0 { (rss.saturating_sub(base_rss)) as f64 / participants as f64 } else { f64::NAN };
    let mut v = serde_json::json!({
        "target": format!("{:?}", args.target).to_lowercase(),
        "scenario": format!("{:?}", args.scenario).to_lowercase(),
        "label": args.label,
        "participants": participants,
        "step": m.step,
        "decrypt_every": args.decrypt_every,
        "receivers_with_media": joined.with_media,
        "failed": s.failed,
        "window_s": (wall * 10.0).round() / 10.0,
        "rx_pps": pps.round(),
        "rx_mbps": (mbps * 10.0).round() / 10.0,
        "server_cpu": server_cpu.map(|c| (c * 1000.0).round() / 1000.0),
        "gen_cpu": gen_cpu.map(|c| (c * 1000.0).round() / 1000.0),
        "pps_per_vcpu": per(pps).map(f64::round),
        "mbps_per_vcpu": per(mbps).map(|x| x.round()),
        "receivers_per_vcpu": per(receivers).map(f64::round),
        "delivery": (delivery * 100_000.0).round() / 100_000.0,
        "transit_samples": s.transit.count(),
        "transit_p50_ms": q(&s.transit, 0.5),
        "transit_p99_ms": q(&s.transit, 0.99),
        "join_p50_ms": q(&joined.join, 0.5),
        "join_p99_ms": q(&joined.join, 0.99),
        "server_rss_kb": rss,
        "server_rss_base_kb": base_rss,
        "rss_per_participant_kb": if rss_per.is_nan() { serde_json::Value::Null } else { serde_json::json!(rss_per.round()) },
        "tx_rtp": s.totals.tx_rtp,
        "tx_errors": s.totals.tx_errors,
        "keyframe_requests": s.totals.keyframe_requests,
    });
    if let serde_json::Value::Object(o) = &mut v {
        if args.scenario == Scenario::Room {
            let per_attendee = server_cpu.map(|c| (c * 100.0 / m.receivers.max(1) as f64 * 1000.0).round() / 1000.0);
            o.insert("server_cpu_pct_per_attendee".into(), per_attendee.into());
        }
        o.extend(m.extra.clone());
    }
    (v.to_string(), delivery)
}
