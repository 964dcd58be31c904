//! The command line (clap): serving flags at the top level, and the subcommands.

use std::net::IpAddr;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// A LiveKit-compatible media server and webinar funnel builder.
///
/// Without a subcommand it runs the server. Configuration comes from defaults, then the
/// YAML file (livekit-server's field names), then environment variables, then flags.
#[derive(Debug, Parser)]
#[command(name = "hikari", version, about, args_conflicts_with_subcommands = true)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Option<Command>,
    #[command(flatten)]
    pub serve: ServeArgs,
}

/// Where configuration and keys come from.
#[derive(Clone, Debug, Default, Args)]
pub struct ConfigArgs {
    /// Development mode: keys `devkey: secret`, bind 127.0.0.1, debug logs.
    #[arg(long)]
    pub dev: bool,
    /// YAML configuration file (livekit-server's field names).
    #[arg(long, env = "LIVEKIT_CONFIG_FILE")]
    pub config: Option<PathBuf>,
    /// YAML configuration given inline (used when no file is given).
    #[arg(long, env = "LIVEKIT_CONFIG", hide_env_values = true)]
    pub config_body: Option<String>,
    /// API keys, `key: secret` (one per line or comma-separated).
    #[arg(long, env = "LIVEKIT_KEYS", hide_env_values = true)]
    pub keys: Option<String>,
    /// A file of `key: secret` lines.
    #[arg(long, env = "LIVEKIT_KEY_FILE")]
    pub key_file: Option<PathBuf>,
}

/// Where the funnel side keeps its data.
#[derive(Clone, Debug, Default, Args)]
pub struct FunnelArgs {
    /// Directory of the embedded SQLite database (used when no database URL is given).
    #[arg(long, env = "HIKARI_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,
    /// `postgres://user@host/db` to keep funnels in PostgreSQL instead of SQLite.
    #[arg(long, env = "HIKARI_DATABASE_URL", hide_env_values = true)]
    pub database_url: Option<String>,
    /// The public origin of funnel pages, e.g. `https://example.com` (https sets Secure cookies).
    #[arg(long, env = "HIKARI_PUBLIC_URL")]
    pub public_url: Option<String>,
}

/// Flags of the server (and of the subcommands that report on its configuration).
#[derive(Clone, Debug, Default, Args)]
pub struct ServeArgs {
    #[command(flatten)]
    pub config: ConfigArgs,
    #[command(flatten)]
    pub funnel: FunnelArgs,
    /// Addresses for HTTP and WebSocket signaling (repeatable).
    #[arg(long, env = "LIVEKIT_BIND", value_delimiter = ',')]
    pub bind: Vec<IpAddr>,
    /// HTTP and WebSocket port.
    #[arg(long, env = "LIVEKIT_PORT")]
    pub port: Option<u16>,
    /// The IP to advertise for WebRTC instead of each interface's address.
    #[arg(long, env = "NODE_IP")]
    pub node_ip: Option<IpAddr>,
    /// WebRTC UDP port.
    #[arg(long, env = "UDP_PORT")]
    pub udp_port: Option<u16>,
    /// WebRTC TCP port (ICE over TCP, for clients whose UDP is blocked); 0 turns it off.
    #[arg(long, env = "TCP_PORT")]
    pub tcp_port: Option<u16>,
    /// Region reported to clients.
    #[arg(long, env = "LIVEKIT_REGION")]
    pub region: Option<String>,
    /// Port of the Prometheus metrics page.
    #[arg(long, env = "HIKARI_PROMETHEUS_PORT")]
    pub prometheus_port: Option<u16>,
    /// Answer 404 on `/rtc/v1`, so clients use two PeerConnections on `/rtc`.
    #[arg(long)]
    pub disable_rtc_v1: bool,
    /// Send every datagram on its own, not runs of equal-size ones as one UDP GSO send.
    #[arg(long)]
    pub disable_udp_gso: bool,
    /// No bandwidth estimation towards subscribers (`rtc.congestion_control.enabled: false`).
    #[arg(long)]
    pub disable_congestion_control: bool,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Print a new random API key and secret.
    GenerateKeys,
    /// Print the ports the server would listen on with this configuration.
    Ports(ServeArgs),
    /// Print a token that joins a room.
    CreateJoinToken(JoinTokenArgs),
    /// List the nodes of this deployment (a single node: this configuration's).
    ListNodes(ServeArgs),
    /// Print every configuration field with its type, default and override.
    HelpVerbose,
    /// Funnel administration: users of the builder and API tokens.
    #[command(subcommand)]
    Admin(AdminCommand),
}

#[derive(Debug, Subcommand)]
pub enum AdminCommand {
    /// Create a user who can sign in to /admin.
    CreateUser {
        /// Email address (the sign-in name).
        #[arg(long)]
        email: String,
        /// Password, at least 8 characters; read from standard input when not given, so it
        /// stays out of the process list.
        #[arg(long, env = "HIKARI_ADMIN_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        #[command(flatten)]
        funnel: FunnelArgs,
    },
    /// Create a Bearer token for /api/v1 and print it (it is shown only once).
    CreateToken {
        /// A name to recognise the token by.
        #[arg(long)]
        name: String,
        #[command(flatten)]
        funnel: FunnelArgs,
    },
}

#[derive(Debug, Args)]
pub struct JoinTokenArgs {
    /// The room to join.
    #[arg(long)]
    pub room: String,
    /// The participant identity.
    #[arg(long)]
    pub identity: String,
    /// Display name.
    #[arg(long)]
    pub name: Option<String>,
    /// How long the token is valid, e.g. `90s`, `30m`, `6h`, `1d`, `1h30m`.
    #[arg(long, default_value = "6h", value_parser = parse_duration)]
    pub valid_for: u64,
    #[command(flatten)]
    pub config: ConfigArgs,
}

/// Seconds in `90`, `90s`, `30m`, `6h`, `1d` or combinations such as `1h30m`.
pub fn parse_duration(s: &str) -> Result<u64, String> {
    let mut total: u64 = 0;
    let mut number = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_digit() {
            number.push(c);
            continue;
        }
        let unit = match c {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return Err(format!("unknown unit `{c}` in `{s}` (use s, m, h or d)")),
        };
        let n: u64 = number.parse().map_err(|_| format!("a number must come before `{c}` in `{s}`"))?;
        total = total.saturating_add(n.saturating_mul(unit));
        number.clear();
    }
    if !number.is_empty() {
        total = total.saturating_add(number.parse::<u64>().map_err(|e| e.to_string())?);
    }
    if total == 0 {
        return Err(format!("`{s}` is not a positive duration"));
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("90"), Ok(90));
        assert_eq!(parse_duration("30m"), Ok(1800));
        assert_eq!(parse_duration("1h30m"), Ok(5400));
        assert_eq!(parse_duration("1d"), Ok(86_400));
        assert!(parse_duration("0s").is_err());
        assert!(parse_duration("5y").is_err());
        assert!(parse_duration("h").is_err());
    }

    #[test]
    fn subcommands_parse() {
        let cli = Cli::try_parse_from(["hikari", "create-join-token", "--room", "r", "--identity", "i", "--keys", "k: s"]).expect("parses");
        assert!(matches!(cli.command, Some(Command::CreateJoinToken(ref a)) if a.room == "r" && a.valid_for == 21_600));
        let cli = Cli::try_parse_from(["hikari", "--dev", "--port", "7000"]).expect("parses");
        assert!(cli.command.is_none() && cli.serve.config.dev && cli.serve.port == Some(7000));
    }
}
