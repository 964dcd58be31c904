//! Serves the funnel router alone, for the e2e suite and load tests; it also mirrors the admin
//! commands the `hikari` binary offers.
//!
//! ```text
//! serve [ADDR]                  # default 127.0.0.1:8088
//! create-user EMAIL PASSWORD
//! create-token NAME             # prints the secret
//! ```
//! Environment: `FUNNEL_DATA_DIR` (default `./data`), `FUNNEL_DATABASE_URL`,
//! `FUNNEL_SUBMIT_LIMIT` (per client per minute, default 20).

use hikari_funnel_web::{FunnelConfig, create_token, create_user, start};
use std::net::SocketAddr;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut config = FunnelConfig::new(std::env::var("FUNNEL_DATA_DIR").unwrap_or_else(|_| "data".into()), "http://127.0.0.1");
    config.database_url = std::env::var("FUNNEL_DATABASE_URL").ok();
    if let Ok(n) = std::env::var("FUNNEL_SUBMIT_LIMIT") {
        config.submit_limit_per_minute = n.parse()?;
    }
    match args.iter().map(String::as_str).collect::<Vec<_>>().as_slice() {
        ["create-user", email, password] => {
            let id = create_user(&config, email, password).await?;
            println!("created user {id}");
        }
        ["create-token", name] => println!("{}", create_token(&config, name).await?),
        ["serve"] | [] => serve(config, "127.0.0.1:8088").await?,
        ["serve", addr] => serve(config, addr).await?,
        _ => {
            return Err("usage: serve [ADDR] | create-user EMAIL PASSWORD | create-token NAME".into());
        }
    }
    Ok(())
}

async fn serve(config: FunnelConfig, addr: &str) -> Result<(), Box<dyn std::error::Error>> {
    let (app, background) = start(config).await?;
    let listener = tokio::net::TcpListener::bind(addr).await?;
    eprintln!("funnel listening on http://{}", listener.local_addr()?);
    let stop = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).with_graceful_shutdown(stop).await?;
    // Queued events are written before the process ends.
    background.shutdown().await;
    Ok(())
}
