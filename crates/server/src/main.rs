//! `hikari`: the binary. Parses the command line and configuration, then wires the
//! media thread, signaling, the Twirp API, webhooks and metrics together. No business
//! logic lives here.

mod cli;
mod commands;
mod config;
mod egress;
mod events;
mod funnel;
mod hls;
mod http;
mod ingest;
mod ingress;
mod joined;
mod library;
mod metrics;
mod recordings;
mod rooms;
mod settings;
mod webinar;
mod whip;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use axum::Router;
use axum::routing::get;
use clap::Parser;

use hikari_api::ApiState;
use hikari_auth::KeySet;
use hikari_common::clock::unix_secs;
use hikari_sfu::SfuConfig;
use hikari_signal::SignalState;
use hikari_webhook::{HttpTransport, Notifier};

use crate::cli::{Cli, Command};
use crate::events::HikariEvent;
use crate::rooms::MediaAdmin;
use crate::settings::Settings;

/// Exit status of a configuration error.
const CONFIG_ERROR: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let done = match &cli.command {
        None => return serve(&cli),
        Some(Command::GenerateKeys) => {
            commands::generate_keys();
            Ok(())
        }
        Some(Command::HelpVerbose) => {
            commands::help_verbose();
            Ok(())
        }
        Some(Command::Ports(args)) => commands::ports(args),
        Some(Command::ListNodes(args)) => commands::list_nodes(args),
        Some(Command::CreateJoinToken(args)) => commands::create_join_token(args),
        Some(Command::Admin(command)) => funnel::admin(command),
    };
    match done {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(CONFIG_ERROR)
        }
    }
}

fn serve(cli: &Cli) -> ExitCode {
    let (settings, warnings) = match settings::load(&cli.serve) {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e:#}");
            return ExitCode::from(CONFIG_ERROR);
        }
    };
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    init_logging(&settings.log_level, settings.log_json);
    raise_open_file_limit();
    let origin = settings.binds.first().map(|a| format!("http://{a}")).unwrap_or_default();
    let funnel = funnel::config(&cli.serve.funnel, &origin, &settings.limits);
    match run(settings, funnel) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e:#}");
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

/// Every participant holds a WebSocket; raise the soft open-file limit to the hard one
/// so a busy server is not cut off at the common default of 1024.
fn raise_open_file_limit() {
    use nix::sys::resource::{Resource, getrlimit, setrlimit};
    match getrlimit(Resource::RLIMIT_NOFILE) {
        Ok((soft, hard)) if soft < hard => match setrlimit(Resource::RLIMIT_NOFILE, hard, hard) {
            Ok(()) => tracing::debug!(from = soft, to = hard, "raised the open-file limit"),
            Err(e) => tracing::warn!(soft, error = %e, "cannot raise the open-file limit"),
        },
        Ok((soft, _)) if soft < 4096 => {
            tracing::warn!(soft, "open-file limit is low; each participant uses one")
        }
        _ => {}
    }
}

fn init_logging(level: &str, json: bool) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| {
        // Our crates at the configured level; dependencies quieter. stun_proto logs every
        // routine 401 challenge of a TURN allocation as an error: off.
        tracing_subscriber::EnvFilter::new(format!(
            "warn,hikari={level},hikari_sfu={level},hikari_media_io={level},hikari_signal={level},hikari_api={level},hikari_webhook={level},hikari_turn={level},hikari_ingress={level},hikari_record={level},str0m=warn,stun_proto=off"
        ))
    });
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if json {
        builder.json().init();
    } else {
        builder.init();
    }
}

#[tokio::main]
async fn run(settings: Settings, funnel: hikari_funnel_web::FunnelConfig) -> anyhow::Result<()> {
    let started = SystemTime::now();
    let now = Instant::now();
    let unix_ms = started.duration_since(UNIX_EPOCH)?.as_millis() as i64;
    let candidates = settings.sockets.iter().map(|s| s.advertised).collect();
    // The core parses no wire format: LiveKit's data packets are handed to it here.
    let mut sfu = SfuConfig::new(candidates, (now, unix_ms), unix_ms as u64, Arc::new(hikari_protocol::LiveKitData));
    sfu.room = settings.room.clone();
    sfu.tcp_candidates = settings.tcp.as_ref().map(|(_, c)| c.clone()).unwrap_or_default();
    (sfu.congestion_control, sfu.allow_pause) = settings.congestion_control;
    // Clients gate features (RPC, data streams) on the LiveKit server version they see.
    sfu.server.version = hikari_sfu::LIVEKIT_COMPATIBLE_VERSION.into();
    sfu.server.region = settings.region.clone();
    let ping_timeout = Duration::from_secs(u64::from(sfu.ping_timeout));
    let webhook = settings.webhook.map(|w| {
        tracing::info!(urls = ?w.urls, api_key = %w.api_key, "webhooks enabled");
        Arc::new(Notifier::start(w, HttpTransport::new(Duration::from_secs(10))))
    });
    // The media thread publishes room events on the bus; publishing never blocks it.
    let (events, funnel_counts, queues) = events::start(webhook.clone());
    let events::Queues { egress: mut egress_events, attendance } = queues;
    let publisher = events.clone();
    let media = hikari_media_io::start(sfu, settings.sockets, settings.tcp.map(|(t, _)| t), settings.udp_gso, move |e| {
        publisher.publish(HikariEvent::Room(Arc::new(e)))
    })?;

    // The embedded TURN server: a bad certificate fails the start here, naming the file.
    let (turn, ice_servers) = match settings.turn {
        Some(t) => {
            let secret = t.config.secret.clone();
            let handle = hikari_turn::start(t.config).await.context("the TURN server")?;
            (Some(handle), Some(ice_servers(secret, t.urls)))
        }
        None => (None, None),
    };
    let keys = Arc::new(KeySet::new(settings.keys));
    // Failed authentications per client address, counted across signaling and Twirp.
    let throttle = Arc::new(hikari_auth::AuthThrottle::new(settings.limits.auth_failures_per_minute, 60));
    let signal = hikari_signal::routes(SignalState {
        keys: keys.clone(),
        router: media.clone(),
        rtc_v1: settings.rtc_v1,
        ping_timeout,
        throttle: throttle.clone(),
        ice_servers,
    });
    // Ingress definitions: a store in the data directory, changes on the bus (webhooks).
    // Encoders (RTMP, SRT, WHIP) publish into rooms through the ingest runtime.
    let mut ingest_tasks = Vec::new();
    let mut whip_routes = None;
    let mut ingest_runtime = None;
    let mut encoders: Option<Arc<dyn hikari_funnel_app::EncoderAccess>> = None;
    let ingress = match &settings.ingress {
        Some(i) => {
            let sessions = hikari_ingest::Ingest::default();
            ingest_runtime = Some(sessions.clone());
            let ended = sessions.clone();
            // A deleted or changed ingress ends its running session.
            let registry = ingress::start(i, &funnel.data_dir, events.clone(), move |e| ingest::on_event(&ended, e)).await?;
            whip_routes = Some(whip::routes(ingest::whip(sessions.clone(), media.clone(), registry.clone()), throttle.clone()));
            ingest_tasks = ingest::start(i, &settings.binds, sessions, media.clone(), registry.clone()).await?;
            // Webinar hosts present from OBS through an ingress of their session's room.
            encoders = Some(Arc::new(webinar::Encoders::new(registry.clone())));
            Some(hikari_api::IngressApi { registry, now_nanos: ingress::unix_nanos })
        }
        None => None,
    };
    // Egress jobs: a store in the data directory, recordings in the recordings directory.
    let recorder = match egress::recordings_dir(&settings.egress, &funnel.data_dir) {
        Some(dir) => Some(egress::start(dir, &funnel.data_dir, &settings.egress, events.clone(), media.clone()).await?),
        None => None,
    };
    // Rooms created to record every track: their tracks' publications start recordings.
    if let Some(recorder) = recorder.clone() {
        tokio::spawn(async move {
            while let Some(event) = egress_events.recv().await {
                if let HikariEvent::Room(e) = event {
                    recorder.on_room_event(&e).await;
                }
            }
        });
    }
    let egress = recorder.clone().map(|r| hikari_api::EgressApi { runner: Arc::new(egress::Runner(r)) });
    // Recordings (files) and live HLS streams, both behind tokens.
    let library = recorder.as_ref().map(|r| Arc::new(library::Library::new(r.clone(), keys.clone(), unix_secs)));
    let recording_files = recorder.as_ref().zip(library.clone()).map(|(r, lib)| {
        recordings::routes(r.dir().to_owned(), keys.clone(), throttle.clone(), unix_secs)
            .merge(hls::routes(r.live().clone(), keys.clone(), throttle.clone(), unix_secs))
            .merge(library::routes(lib, throttle.clone()))
    });
    let admin = MediaAdmin { media: media.clone(), recorder: recorder.clone() };
    let rooms = Arc::new(webinar::Passes::new(keys.clone(), Some(media.clone())));
    let api = hikari_api::router(ApiState { admin, keys, now_unix: unix_secs, throttle, ingress, egress });
    let hikari_funnel_web::Started { router: funnel, background: funnel_tasks, webinars } =
        funnel::start(funnel, events.clone(), library.map(|l| l as Arc<dyn hikari_funnel_app::RecordingLibrary>), rooms, encoders).await?;
    // Registrants' joins and leaves, from the rooms themselves (a closed tab counts too).
    tokio::spawn(webinar::attendance(webinars, attendance));
    let mut app = Router::new()
        .merge(signal)
        // A health check for load balancers and the e2e suites.
        .route("/", get(|| async { "OK" }))
        .merge(api)
        .merge(funnel);
    if let Some(whip) = whip_routes {
        app = app.merge(whip);
    }
    if let Some(files) = recording_files {
        app = app.merge(files);
    }
    let mut servers = Vec::new();
    let timeouts = http::Timeouts { header_read: settings.limits.http_header_timeout, idle: settings.limits.http_idle_timeout };
    for addr in &settings.binds {
        servers.push(http::serve_on(*addr, app.clone(), timeouts, "HTTP, signaling and Twirp API").await?);
    }
    if let Some(port) = settings.prometheus_port {
        let metrics = metrics::router(metrics::MetricsState {
            media: media.clone(),
            events,
            funnel_counts,
            webhook,
            started,
            ingest: ingest_runtime,
            recorder: recorder.clone(),
        });
        for addr in &settings.binds {
            servers.push(http::serve_on(SocketAddr::new(addr.ip(), port), metrics.clone(), timeouts, "Prometheus metrics").await?);
        }
    }
    let stops: Vec<_> = servers.iter().map(tokio::task::JoinHandle::abort_handle).collect();
    let mut terminate = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).context("installing the SIGTERM handler")?;
    let result = tokio::select! {
        _ = tokio::signal::ctrl_c() => {
            tracing::info!("SIGINT: shutting down");
            Ok(())
        }
        _ = terminate.recv() => {
            tracing::info!("SIGTERM: shutting down");
            Ok(())
        }
        r = futures_util::future::select_all(servers) => r.0.context("server task").and_then(|r| r.context("server")),
    };
    // Stop accepting connections, then let every participant leave, then write what is queued.
    for s in &stops {
        s.abort();
    }
    for task in &ingest_tasks {
        task.abort();
    }
    tracing::info!("shutdown: HTTP and RTMP listeners stopped");
    close_rooms(&media).await;
    // Recordings end with their rooms; each finishes its file and records its end.
    if let Some(recorder) = &recorder {
        recorder.stop_all();
        if !recorder.wait_idle(Duration::from_secs(10)).await {
            tracing::error!("shutdown: some recordings did not finish in 10 s; their files hold what was written");
        }
    }
    if let Some(turn) = turn {
        turn.shutdown(Duration::from_secs(3)).await;
        tracing::info!("shutdown: TURN server stopped");
    }
    // Bounded: a store that hangs must not keep the process from exiting.
    if tokio::time::timeout(SHUTDOWN_BOUND, funnel::shutdown(funnel_tasks)).await.is_err() {
        tracing::error!(bound = ?SHUTDOWN_BOUND, "shutdown: the funnel's queued events were not all written in time");
    }
    tracing::info!("shutdown complete");
    result
}

/// The join (and reconnect) response's ICE servers: the TURN URLs with a credential minted
/// for the participant (its sid in the username), valid for a day.
fn ice_servers(secret: hikari_turn::TurnSecret, urls: Vec<String>) -> hikari_signal::IceServers {
    Arc::new(move |participant: &hikari_types::ParticipantSid| {
        let c = secret.mint(participant.as_str(), unix_secs(), settings::TURN_CREDENTIAL_VALIDITY);
        vec![hikari_types::IceServer { urls: urls.clone(), username: c.username, credential: c.password }]
    })
}

/// How long a shutdown may take to write what is queued.
const SHUTDOWN_BOUND: Duration = Duration::from_secs(20);

/// Tells every participant to leave (`ServerShutdown`, as LiveKit does). The media thread
/// takes commands in order, so the answer to a room listing sent after the leave command
/// means every leave is in its connection's outbox; the connections then get a moment to
/// write it. Bounded: 3 s for the media thread.
async fn close_rooms(media: &hikari_media_io::MediaHandle) {
    tracing::info!("shutdown: telling every participant to leave");
    if let Err(why) = media.command(hikari_sfu::Command::Shutdown) {
        tracing::warn!(why, "shutdown: the media thread did not take the leave command");
        return;
    }
    let listed = tokio::time::timeout(Duration::from_secs(3), media.admin(hikari_sfu::AdminRequest::ListRooms { names: Vec::new() })).await;
    match listed {
        Ok(Ok(hikari_sfu::AdminResponse::Rooms(rooms))) if rooms.is_empty() => tracing::info!("shutdown: every room closed"),
        other => tracing::warn!(?other, "shutdown: rooms may still be open"),
    }
    // The leave frames are in the connections' outboxes; give their tasks a moment to write.
    tokio::time::sleep(Duration::from_millis(200)).await;
}
