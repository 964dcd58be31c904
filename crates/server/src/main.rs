//! `hikari`: the binary. Parses the command line and configuration, then wires the
//! media thread, the signaling and HTTP server together. No business logic lives here.

mod config;
mod media;
mod signal;

use std::net::{IpAddr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::{Context, bail};
use axum::Router;
use axum::routing::get;
use clap::Parser;
use tokio::sync::mpsc;

use hikari_auth::KeySet;
use hikari_sfu::{RoomDefaults, SfuConfig};

use crate::config::{FileConfig, interface_addresses, parse_keys};
use crate::media::MediaSocket;
use crate::signal::SignalState;

/// A LiveKit-compatible media server and webinar funnel builder.
#[derive(Debug, Parser)]
#[command(name = "hikari", version, about)]
struct Cli {
    /// Development mode: keys `devkey: secret`, bind 127.0.0.1, UDP port 7882.
    #[arg(long)]
    dev: bool,
    /// YAML configuration file (livekit-server's field names).
    #[arg(long, env = "LIVEKIT_CONFIG_FILE")]
    config: Option<PathBuf>,
    /// API keys, `key: secret` (one per line or comma-separated).
    #[arg(long, env = "LIVEKIT_KEYS")]
    keys: Option<String>,
    /// Addresses for HTTP and WebSocket signaling (repeatable).
    #[arg(long)]
    bind: Vec<IpAddr>,
    /// HTTP and WebSocket port.
    #[arg(long, env = "LIVEKIT_PORT")]
    port: Option<u16>,
    /// The IP to advertise for WebRTC instead of each interface's address.
    #[arg(long, env = "NODE_IP")]
    node_ip: Option<IpAddr>,
    /// WebRTC UDP port.
    #[arg(long)]
    udp_port: Option<u16>,
    /// Answer 404 on `/rtc/v1`, so clients use two PeerConnections on `/rtc`.
    #[arg(long)]
    disable_rtc_v1: bool,
}

struct Settings {
    keys: KeySet,
    binds: Vec<SocketAddr>,
    sockets: Vec<MediaSocket>,
    rtc_v1: bool,
    room: RoomDefaults,
    log_level: String,
    log_json: bool,
}

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let (file, warnings) = match &cli.config {
        Some(path) => FileConfig::load(path)?,
        None => (FileConfig::default(), Vec::new()),
    };
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let mut keys = file.keys.clone();
    if let Some(k) = &cli.keys {
        keys = parse_keys(k)?;
    }
    if cli.dev && keys.is_empty() {
        keys.insert("devkey".into(), "secret".into());
    }
    if keys.is_empty() {
        bail!("keys: no API keys configured; use --dev, --keys \"key: secret\", LIVEKIT_KEYS or `keys` in the config file");
    }
    for (k, s) in &keys {
        if s.len() < 6 && !cli.dev {
            bail!("keys: the secret of `{k}` is shorter than 6 characters");
        }
    }
    let port = cli.port.or(file.port).unwrap_or(7880);
    let bind_ips: Vec<IpAddr> = if !cli.bind.is_empty() {
        cli.bind.clone()
    } else if !file.bind_addresses.is_empty() {
        file.bind_addresses
            .iter()
            .map(|a| a.parse().with_context(|| format!("bind_addresses: `{a}` is not an IP address")))
            .collect::<anyhow::Result<_>>()?
    } else if cli.dev {
        vec!["127.0.0.1".parse()?]
    } else {
        vec!["0.0.0.0".parse()?]
    };
    let udp_port = cli.udp_port.or(file.rtc.udp_port).or(file.rtc.port_range_start).unwrap_or(7882);
    let node_ip = match (&cli.node_ip, &file.rtc.node_ip) {
        (Some(ip), _) => Some(*ip),
        (None, Some(s)) => Some(s.parse().with_context(|| format!("rtc.node_ip: `{s}` is not an IP address"))?),
        (None, None) => None,
    };
    if file.rtc.use_external_ip {
        eprintln!("warning: rtc.use_external_ip is not supported; set rtc.node_ip to the public address");
    }
    let sockets = match node_ip {
        Some(ip) => vec![MediaSocket {
            bind: SocketAddr::new(if ip.is_ipv4() { "0.0.0.0".parse()? } else { "::".parse()? }, udp_port),
            advertised: SocketAddr::new(ip, udp_port),
        }],
        None => interface_addresses()
            .into_iter()
            .map(|ip| MediaSocket { bind: SocketAddr::new(ip, udp_port), advertised: SocketAddr::new(ip, udp_port) })
            .collect(),
    };
    Ok(Settings {
        keys: KeySet::new(keys),
        binds: bind_ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect(),
        sockets,
        rtc_v1: !(cli.disable_rtc_v1 || file.rtc.disable_rtc_v1),
        room: RoomDefaults {
            empty_timeout: file.room.empty_timeout,
            departure_timeout: file.room.departure_timeout,
            max_participants: file.room.max_participants,
            auto_create: file.room.auto_create,
        },
        log_level: file.logging.level.clone().unwrap_or_else(|| if cli.dev { "debug".into() } else { "info".into() }),
        log_json: file.logging.json,
    })
}

fn init_logging(level: &str, json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // Our crates at the configured level; dependencies quieter.
        tracing_subscriber::EnvFilter::new(format!("warn,hikari={level},hikari_sfu={level},str0m=warn"))
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let settings = match settings(&cli) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return std::process::ExitCode::from(2);
        }
    };
    init_logging(&settings.log_level, settings.log_json);
    match run(settings) {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            std::process::ExitCode::FAILURE
        }
    }
}

async fn allow_any_origin(mut response: axum::response::Response) -> axum::response::Response {
    response
        .headers_mut()
        .insert(axum::http::header::ACCESS_CONTROL_ALLOW_ORIGIN, axum::http::HeaderValue::from_static("*"));
    response
}

#[tokio::main]
async fn run(settings: Settings) -> anyhow::Result<()> {
    let now = Instant::now();
    let unix_ms = SystemTime::now().duration_since(UNIX_EPOCH)?.as_millis() as i64;
    let mut sfu = SfuConfig::new(settings.sockets.iter().map(|s| s.advertised).collect(), (now, unix_ms), unix_ms as u64);
    sfu.room = settings.room.clone();
    // Clients gate features (RPC, data streams) on the LiveKit server version they see.
    sfu.server.version = hikari_sfu::LIVEKIT_COMPATIBLE_VERSION.into();
    let ping_timeout = Duration::from_secs(u64::from(sfu.ping_timeout));
    let (events_tx, mut events_rx) = mpsc::unbounded_channel();
    let media = media::start(sfu, settings.sockets, events_tx)?;
    tokio::spawn(async move {
        while let Some(event) = events_rx.recv().await {
            tracing::debug!(?event, "room event");
        }
    });
    let state = SignalState { keys: Arc::new(settings.keys), media, rtc_v1: settings.rtc_v1, ping_timeout };
    let app = Router::new()
        .route("/", get(|| async { "OK" }))
        .route("/rtc", get(signal::rtc))
        .route("/rtc/v1", get(signal::rtc_v1))
        .merge(
            // Browsers fetch these cross-origin to read why a connection failed.
            Router::new()
                .route("/rtc/validate", get(signal::validate))
                .route("/rtc/v1/validate", get(signal::validate_v1))
                .layer(axum::middleware::map_response(allow_any_origin)),
        )
        .with_state(state);
    let mut servers = Vec::new();
    for addr in settings.binds {
        let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("cannot listen on {addr}"))?;
        tracing::info!(%addr, "HTTP and signaling listening");
        let app = app.clone();
        servers.push(tokio::spawn(async move { axum::serve(listener, app).await }));
    }
    tokio::select! {
        _ = tokio::signal::ctrl_c() => tracing::info!("shutting down"),
        r = futures_util::future::select_all(servers) => {
            r.0.context("server task")?.context("server")?;
        }
    }
    Ok(())
}
