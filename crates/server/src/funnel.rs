//! Wiring of the funnel side: its configuration from the command line, its start and
//! shutdown, and the `hikari admin` subcommands.

use std::sync::Arc;

use anyhow::Context;
use hikari_common::bus::Publisher;
use hikari_funnel_web::{Background, FunnelConfig, Started};

use crate::cli::{AdminCommand, FunnelArgs};
use crate::events::HikariEvent;
use crate::settings::{DEFAULT_LIMITS, Limits};

/// The funnel configuration; `default_origin` is the HTTP origin the server listens on.
pub fn config(args: &FunnelArgs, default_origin: &str, limits: &Limits) -> FunnelConfig {
    let mut config = FunnelConfig::new(&args.data_dir, args.public_url.clone().unwrap_or_else(|| default_origin.to_owned()));
    config.database_url = args.database_url.clone();
    config.view_limit_per_minute = limits.page_views_per_minute;
    config.submit_limit_per_minute = limits.form_submits_per_minute;
    config.collect_limit_per_minute = limits.beacons_per_minute;
    config
}

/// Opens the funnel store and builds the funnel router; the returned [`Background`] (the event
/// writer and the experiment scheduler) must be passed to [`shutdown`] when serving ends.
pub async fn start(
    config: FunnelConfig,
    bus: Publisher<HikariEvent>,
    recordings: Option<Arc<dyn hikari_funnel_app::RecordingLibrary>>,
    rooms: Arc<dyn hikari_funnel_app::RoomAccess>,
    encoders: Option<Arc<dyn hikari_funnel_app::EncoderAccess>>,
) -> anyhow::Result<Started> {
    let storage = config.database_url.as_deref().map_or_else(|| format!("SQLite in {}", config.data_dir.display()), |_| "PostgreSQL".to_owned());
    // Stored funnel events go on the bus (publishing never waits).
    let on_stored: hikari_funnel_app::OnStored = Arc::new(move |e| bus.publish(HikariEvent::Funnel(Arc::new(e.clone()))));
    let ports = hikari_funnel_web::Ports { on_stored, recordings, rooms: Some(rooms), encoders };
    let started = hikari_funnel_web::start_with(config, ports).await.context("starting the funnel builder")?;
    tracing::info!(%storage, "funnel builder ready at /admin, pages at /f/, API at /api/v1/");
    Ok(started)
}

/// Stops the funnel's background tasks (after the HTTP listeners stopped): the scheduler
/// ends and the events still queued are written before this returns.
pub async fn shutdown(background: Background) {
    tracing::info!("shutdown: writing queued funnel events");
    background.shutdown().await;
    tracing::info!("shutdown: funnel events written, experiment scheduler stopped");
}

/// Runs `hikari admin ...`.
pub fn admin(command: &AdminCommand) -> anyhow::Result<()> {
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build()?;
    runtime.block_on(async {
        match command {
            AdminCommand::CreateUser { email, password, funnel } => {
                let password = match password {
                    Some(p) => p.clone(),
                    None => {
                        eprintln!("password for {email}:");
                        let mut line = String::new();
                        std::io::stdin().read_line(&mut line).context("reading the password from standard input")?;
                        line.trim_end_matches(['\r', '\n']).to_owned()
                    }
                };
                let id = hikari_funnel_web::create_user(&config(funnel, "", &DEFAULT_LIMITS), email, &password)
                    .await
                    .with_context(|| format!("cannot create user {email}"))?;
                println!("created user {email} ({id})");
            }
            AdminCommand::CreateToken { name, funnel } => {
                let token =
                    hikari_funnel_web::create_token(&config(funnel, "", &DEFAULT_LIMITS), name).await.with_context(|| format!("cannot create token {name}"))?;
                println!("{token}");
            }
        }
        Ok(())
    })
}
