//! Wiring of the funnel side: its configuration from the command line, and the
//! `hikari admin` subcommands.

use anyhow::Context;
use hikari_funnel_web::FunnelConfig;

use crate::cli::{AdminCommand, FunnelArgs};

/// The funnel configuration; `default_origin` is the HTTP origin the server listens on.
pub fn config(args: &FunnelArgs, default_origin: &str) -> FunnelConfig {
    let mut config = FunnelConfig::new(&args.data_dir, args.public_url.clone().unwrap_or_else(|| default_origin.to_owned()));
    config.database_url = args.database_url.clone();
    config
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
                let id = hikari_funnel_web::create_user(&config(funnel, ""), email, &password).await.with_context(|| format!("cannot create user {email}"))?;
                println!("created user {email} ({id})");
            }
            AdminCommand::CreateToken { name, funnel } => {
                let token = hikari_funnel_web::create_token(&config(funnel, ""), name).await.with_context(|| format!("cannot create token {name}"))?;
                println!("{token}");
            }
        }
        Ok(())
    })
}
