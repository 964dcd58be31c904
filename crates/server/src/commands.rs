//! The subcommands that do not run the server.

use anyhow::Context;
use rand::Rng;

use hikari_auth::{AccessToken, VideoGrant};
use hikari_common::clock::unix_secs;

use crate::cli::{JoinTokenArgs, ServeArgs};
use crate::config::FIELDS;
use crate::settings;

fn random_base62(n: usize) -> String {
    const ALPHABET: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    let mut rng = rand::rng();
    (0..n).map(|_| ALPHABET[rng.random_range(0..ALPHABET.len())] as char).collect()
}

pub fn generate_keys() {
    println!("API Key: API{}", random_base62(12));
    println!("API Secret: {}", random_base62(43));
}

/// Prints the ports; needs no API keys (as livekit-server's `ports` does not).
pub fn ports(args: &ServeArgs) -> anyhow::Result<()> {
    let (s, _) = settings::load_with(args, settings::Keys::NotNeeded)?;
    println!("HTTP (signaling, /rtc, Twirp API)  tcp {}", s.port);
    println!("WebRTC media                        udp {}", s.udp_port);
    match &s.tcp {
        Some((t, _)) => println!("WebRTC media over TCP (ICE-TCP)     tcp {}", t.bind.port()),
        None => println!("WebRTC media over TCP (ICE-TCP)     off (set rtc.tcp_port)"),
    }
    let ingress = s.ingress.as_ref();
    match ingress.and_then(|i| i.rtmp) {
        Some(a) => println!("Ingress RTMP                        tcp {}", a.port()),
        None => println!("Ingress RTMP                        off (set ingress.rtmp_port)"),
    }
    match ingress.and_then(|i| i.srt) {
        Some(a) => println!("Ingress SRT                         udp {}", a.port()),
        None => println!("Ingress SRT                         off (set ingress.srt_port)"),
    }
    match s.prometheus_port {
        Some(p) => println!("Prometheus metrics                  tcp {p}"),
        None => println!("Prometheus metrics                  off (set prometheus_port)"),
    }
    Ok(())
}

pub fn list_nodes(args: &ServeArgs) -> anyhow::Result<()> {
    let (s, _) = settings::load(args)?;
    let ips: Vec<String> = s.sockets.iter().map(|m| m.advertised.ip().to_string()).collect();
    println!("{:<10} {:<24} {:<10} {:<10} {:<8}", "ID", "IP", "HTTP", "UDP", "REGION");
    println!("{:<10} {:<24} {:<10} {:<10} {:<8}", "ND_local", ips.join(","), s.port, s.udp_port, if s.region.is_empty() { "-" } else { &s.region });
    println!("(a single-node deployment: this node runs every room)");
    Ok(())
}

pub fn create_join_token(args: &JoinTokenArgs) -> anyhow::Result<()> {
    let (file, _) = settings::file_config(&args.config)?;
    let keys = settings::keys(&args.config, &file)?;
    let (key, secret) = keys.iter().next().context("keys: no API key")?;
    let now = unix_secs();
    let ttl = i64::try_from(args.valid_for).context("--valid-for: too long")?;
    let mut token =
        AccessToken::new(key, now, ttl).identity(&args.identity).video(VideoGrant { room_join: true, room: args.room.clone(), ..Default::default() });
    if let Some(name) = &args.name {
        token = token.name(name);
    }
    println!("{}", token.sign(secret)?);
    Ok(())
}

pub fn help_verbose() {
    use std::fmt::Write as _;
    let mut o = String::new();
    let _ = writeln!(o, "Configuration fields (YAML, livekit-server's names). Precedence: defaults < file < environment < flags.");
    let _ = writeln!(o, "The file is --config FILE (LIVEKIT_CONFIG_FILE) or inline YAML in --config-body (LIVEKIT_CONFIG).\n");
    let mut ignored = Vec::new();
    for field in FIELDS {
        if field.doc.is_empty() {
            ignored.push(field.path);
            continue;
        }
        let _ = writeln!(o, "{}  ({})\n    {}", field.path, field.kind, field.doc);
        if !field.overrides.is_empty() {
            let _ = writeln!(o, "    override: {}", field.overrides);
        }
    }
    let _ = writeln!(o, "\nAccepted for livekit-server compatibility, without effect: {}", ignored.join(", "));
    let _ = writeln!(o, "Any other field is reported as a warning and ignored; a bad value stops the server (exit code 2).");
    let _ = writeln!(o, "RUST_LOG overrides the log filter.");
    // A closed pipe (`| head`) is not an error worth a panic.
    let _ = std::io::Write::write_all(&mut std::io::stdout(), o.as_bytes());
}
