//! From flags, environment and file to checked settings. Every refusal names the field
//! and says why; `main` exits with status 2 on any of them.

use std::collections::BTreeMap;
use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use anyhow::{Context, bail};

use hikari_media_io::{MediaSocket, MediaTcp};
use hikari_sfu::RoomDefaults;
use hikari_turn::{TcpListen, TurnConfig, TurnSecret};
use hikari_webhook::WebhookSettings;

use crate::cli::{ConfigArgs, ServeArgs};
use crate::config::{CodecConfig, FileConfig, LimitsConfig, TurnFileConfig, interface_addresses, parse_keys};
use crate::ingress::IngressSettings;

pub const DEFAULT_PORT: u16 = 7880;
pub const DEFAULT_UDP_PORT: u16 = 7882;
/// LiveKit's default ICE-over-TCP port.
pub const DEFAULT_TCP_PORT: u16 = 7881;
const LOG_LEVELS: &[&str] = &["trace", "debug", "info", "warn", "error"];

/// Bounds on clients, per client address where they count (`limits:` in the file).
#[derive(Clone, Debug, PartialEq)]
pub struct Limits {
    /// Failed authentications per minute.
    pub auth_failures_per_minute: u32,
    /// Funnel page views per minute that count (flagged beyond, refused beyond ten times).
    pub page_views_per_minute: u32,
    pub form_submits_per_minute: u32,
    pub beacons_per_minute: u32,
    pub http_header_timeout: Duration,
    pub http_idle_timeout: Duration,
}

pub struct Settings {
    pub keys: BTreeMap<String, String>,
    pub port: u16,
    pub binds: Vec<SocketAddr>,
    pub udp_port: u16,
    pub sockets: Vec<MediaSocket>,
    /// The ICE-over-TCP listener (none when `rtc.tcp_port` is 0) and its candidates.
    pub tcp: Option<(MediaTcp, Vec<SocketAddr>)>,
    pub rtc_v1: bool,
    pub limits: Limits,
    pub udp_gso: bool,
    /// `rtc.congestion_control`: (enabled, allow_pause).
    pub congestion_control: (bool, bool),
    pub region: String,
    pub room: RoomDefaults,
    pub log_level: String,
    pub log_json: bool,
    pub prometheus_port: Option<u16>,
    pub webhook: Option<WebhookSettings>,
    pub turn: Option<TurnSettings>,
    /// Ingress; `None` when `ingress.enabled` is false.
    pub ingress: Option<IngressSettings>,
    /// The `egress:` block (its directory defaults to the data directory's, known at start).
    pub egress: crate::config::EgressFileConfig,
}

/// The embedded TURN server (`turn:` in the file): what it starts with, and the URLs every
/// join response lists with a credential minted for the participant.
pub struct TurnSettings {
    pub config: TurnConfig,
    pub urls: Vec<String>,
}

/// How long a participant's TURN credential is valid (LiveKit's is as long).
pub const TURN_CREDENTIAL_VALIDITY: Duration = Duration::from_secs(24 * 3600);

/// The file configuration (file, else inline body) and its warnings.
pub fn file_config(args: &ConfigArgs) -> anyhow::Result<(FileConfig, Vec<String>)> {
    match (&args.config, &args.config_body) {
        (Some(path), _) => FileConfig::load(path),
        (None, Some(body)) => FileConfig::parse(body).context("invalid inline config (--config-body, LIVEKIT_CONFIG)"),
        (None, None) => Ok((FileConfig::default(), Vec::new())),
    }
}

/// The API keys: flag/env, else key file, else the file's `keys`, else the dev keys.
pub fn keys(args: &ConfigArgs, file: &FileConfig) -> anyhow::Result<BTreeMap<String, String>> {
    let mut keys = file.keys.clone();
    let key_file = args.key_file.clone().or_else(|| file.key_file.clone().map(Into::into));
    if let Some(path) = key_file {
        let text = std::fs::read_to_string(&path).with_context(|| format!("key_file: cannot read {}", path.display()))?;
        keys = parse_keys(&text).context("key_file")?;
    }
    if let Some(k) = &args.keys {
        keys = parse_keys(k)?;
    }
    if args.dev && keys.is_empty() {
        keys.insert("devkey".into(), "secret".into());
    }
    if keys.is_empty() {
        bail!("keys: no API keys configured; use --dev, --keys \"key: secret\", LIVEKIT_KEYS, --key-file or `keys` in the config file");
    }
    for (k, s) in &keys {
        if s.len() < 6 && !args.dev {
            bail!("keys: the secret of `{k}` is shorter than 6 characters");
        }
    }
    Ok(keys)
}

fn nonzero(field: &str, port: u16) -> anyhow::Result<u16> {
    if port == 0 {
        bail!("{field}: 0 is not a usable port");
    }
    Ok(port)
}

/// Whether a command needs the API keys (serving does; printing the ports does not).
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Keys {
    Required,
    NotNeeded,
}

/// Checks everything and returns the settings with the file's warnings.
pub fn load(args: &ServeArgs) -> anyhow::Result<(Settings, Vec<String>)> {
    load_with(args, Keys::Required)
}

/// [`load`], for a command that may not need the keys: with [`Keys::NotNeeded`] missing keys
/// (and the webhooks, which are signed with them) are left out instead of refused.
pub fn load_with(args: &ServeArgs, need: Keys) -> anyhow::Result<(Settings, Vec<String>)> {
    let (file, mut warnings) = file_config(&args.config)?;
    let dev = args.config.dev;
    let keys = match keys(&args.config, &file) {
        Err(_) if need == Keys::NotNeeded => BTreeMap::new(),
        other => other?,
    };
    let port = nonzero("port", args.port.or(file.port).unwrap_or(DEFAULT_PORT))?;
    let bind_ips: Vec<IpAddr> = if !args.bind.is_empty() {
        args.bind.clone()
    } else if !file.bind_addresses.is_empty() {
        file.bind_addresses.iter().map(|a| a.parse().with_context(|| format!("bind_addresses: `{a}` is not an IP address"))).collect::<anyhow::Result<_>>()?
    } else if dev {
        vec!["127.0.0.1".parse()?]
    } else {
        vec!["0.0.0.0".parse()?]
    };
    let rtc = &file.rtc;
    if let (Some(start), Some(end)) = (rtc.port_range_start, rtc.port_range_end)
        && end < start
    {
        bail!("rtc.port_range_end: {end} is below rtc.port_range_start {start}");
    }
    let udp_port = nonzero("rtc.udp_port", args.udp_port.or(rtc.udp_port).or(rtc.port_range_start).unwrap_or(DEFAULT_UDP_PORT))?;
    let node_ip = match (&args.node_ip, &rtc.node_ip) {
        (Some(ip), _) => Some(*ip),
        (None, Some(s)) => Some(s.parse().with_context(|| format!("rtc.node_ip: `{s}` is not an IP address"))?),
        (None, None) => None,
    };
    if rtc.use_external_ip {
        warnings.push("rtc.use_external_ip is not supported; set rtc.node_ip to the public address".into());
    }
    let sockets = match node_ip {
        Some(ip) => vec![MediaSocket {
            bind: SocketAddr::new(if ip.is_ipv4() { "0.0.0.0".parse()? } else { "::".parse()? }, udp_port),
            advertised: SocketAddr::new(ip, udp_port),
        }],
        None => {
            interface_addresses().into_iter().map(|ip| MediaSocket { bind: SocketAddr::new(ip, udp_port), advertised: SocketAddr::new(ip, udp_port) }).collect()
        }
    };
    let tcp_port = args.tcp_port.or(rtc.tcp_port).unwrap_or(DEFAULT_TCP_PORT);
    if tcp_port != 0 && tcp_port == port {
        bail!("rtc.tcp_port: {tcp_port} is already the HTTP port");
    }
    let tcp = (tcp_port != 0).then(|| match node_ip {
        Some(ip) => {
            let any = if ip.is_ipv4() { IpAddr::from([0, 0, 0, 0]) } else { IpAddr::from([0u16; 8]) };
            (MediaTcp { bind: SocketAddr::new(any, tcp_port), advertised: Some(SocketAddr::new(ip, tcp_port)) }, vec![SocketAddr::new(ip, tcp_port)])
        }
        None => {
            let any = IpAddr::from([0, 0, 0, 0]);
            // The listener takes IPv4; each IPv4 interface address is a candidate.
            let ips = sockets.iter().map(|s| s.advertised.ip()).filter(IpAddr::is_ipv4);
            (MediaTcp { bind: SocketAddr::new(any, tcp_port), advertised: None }, ips.map(|ip| SocketAddr::new(ip, tcp_port)).collect())
        }
    });
    let log_level = file.logging.level.clone().unwrap_or_else(|| if dev { "debug".into() } else { "info".into() });
    if !LOG_LEVELS.contains(&log_level.as_str()) {
        bail!("logging.level: `{log_level}` is not one of {}", LOG_LEVELS.join(", "));
    }
    let prometheus_port = args.prometheus_port.or(file.prometheus_port);
    if let Some(p) = prometheus_port {
        nonzero("prometheus_port", p)?;
        if p == port {
            bail!("prometheus_port: {p} is already the HTTP port");
        }
    }
    let webhook = if need == Keys::NotNeeded && keys.is_empty() { None } else { webhook(&file, &keys)? };
    let turn = match sockets.first() {
        Some(s) if !(need == Keys::NotNeeded && keys.is_empty() && file.turn.secret.is_none()) => turn(&file.turn, &keys, s)?,
        _ => None,
    };
    let node = sockets.first().map_or(IpAddr::from([127, 0, 0, 1]), |s| s.advertised.ip());
    let ingress = crate::ingress::settings(&file.ingress, node, port, udp_port)?;
    let settings = Settings {
        port,
        binds: bind_ips.into_iter().map(|ip| SocketAddr::new(ip, port)).collect(),
        udp_port,
        sockets,
        tcp,
        rtc_v1: !(args.disable_rtc_v1 || rtc.disable_rtc_v1),
        limits: limits(&file.limits)?,
        udp_gso: !(args.disable_udp_gso || rtc.disable_udp_gso),
        congestion_control: (rtc.congestion_control.enabled && !args.disable_congestion_control, rtc.congestion_control.allow_pause),
        region: args.region.clone().or(file.region.clone()).unwrap_or_default(),
        room: RoomDefaults {
            empty_timeout: file.room.empty_timeout,
            departure_timeout: file.room.departure_timeout,
            max_participants: file.room.max_participants,
            auto_create: file.room.auto_create,
            enabled_codecs: enabled_codecs(&file.room.enabled_codecs)?,
        },
        log_level,
        log_json: file.logging.json,
        prometheus_port,
        webhook,
        turn,
        ingress,
        egress: file.egress.clone(),
        keys,
    };
    Ok((settings, warnings))
}

/// The limits without a `limits:` section (documented in `config::FIELDS`); the funnel's are
/// the funnel builder's own defaults.
pub const DEFAULT_LIMITS: Limits = Limits {
    auth_failures_per_minute: 30,
    page_views_per_minute: hikari_funnel_web::DEFAULT_VIEWS_PER_MINUTE,
    form_submits_per_minute: hikari_funnel_web::DEFAULT_SUBMITS_PER_MINUTE,
    beacons_per_minute: hikari_funnel_web::DEFAULT_BEACONS_PER_MINUTE,
    http_header_timeout: Duration::from_secs(10),
    http_idle_timeout: Duration::from_secs(60),
};

/// `room.enabled_codecs`: each must be a codec the server supports.
fn enabled_codecs(codecs: &[CodecConfig]) -> anyhow::Result<Vec<String>> {
    let mut mimes = Vec::new();
    for c in codecs {
        let Some(known) = hikari_sfu::codec::SUPPORTED.iter().find(|s| s.eq_ignore_ascii_case(c.mime.trim())) else {
            bail!("room.enabled_codecs: `{}` is not one of {}", c.mime, hikari_sfu::codec::SUPPORTED.join(", "));
        };
        mimes.push((*known).to_owned());
    }
    Ok(mimes)
}

fn limits(l: &LimitsConfig) -> anyhow::Result<Limits> {
    // Zero would refuse everyone (or close every connection at once).
    let at_least_one = |field: &str, value: Option<u32>, default: u32| match value {
        Some(0) => bail!("limits.{field}: 0 would refuse everyone; use at least 1"),
        Some(n) => Ok(n),
        None => Ok(default),
    };
    let seconds =
        |field: &str, value: Option<u32>, default: Duration| at_least_one(field, value, default.as_secs() as u32).map(|s| Duration::from_secs(u64::from(s)));
    let d = DEFAULT_LIMITS;
    Ok(Limits {
        auth_failures_per_minute: at_least_one("auth_failures_per_minute", l.auth_failures_per_minute, d.auth_failures_per_minute)?,
        page_views_per_minute: at_least_one("page_views_per_minute", l.page_views_per_minute, d.page_views_per_minute)?,
        form_submits_per_minute: at_least_one("form_submits_per_minute", l.form_submits_per_minute, d.form_submits_per_minute)?,
        beacons_per_minute: at_least_one("beacons_per_minute", l.beacons_per_minute, d.beacons_per_minute)?,
        http_header_timeout: seconds("http_header_seconds", l.http_header_seconds, d.http_header_timeout)?,
        http_idle_timeout: seconds("http_idle_seconds", l.http_idle_seconds, d.http_idle_timeout)?,
    })
}

/// The `turn:` block checked: a bad port, range, certificate path or missing domain fails
/// here, naming the field, before anything starts.
fn turn(t: &TurnFileConfig, keys: &BTreeMap<String, String>, media: &MediaSocket) -> anyhow::Result<Option<TurnSettings>> {
    if !t.enabled {
        return Ok(None);
    }
    let secret = match (&t.secret, keys.values().next()) {
        (Some(s), _) if s.len() < 6 => bail!("turn.secret: shorter than 6 characters"),
        (Some(s), _) => TurnSecret::new(s.as_bytes()),
        (None, Some(api_secret)) => TurnSecret::derive(api_secret),
        (None, None) => bail!("turn.secret: not set and no API key to derive it from"),
    };
    let udp_port = nonzero("turn.udp_port", t.udp_port.unwrap_or(hikari_turn::DEFAULT_UDP_PORT))?;
    let tls_port = nonzero("turn.tls_port", t.tls_port.unwrap_or(hikari_turn::DEFAULT_TLS_PORT))?;
    let (default_start, default_end) = hikari_turn::DEFAULT_RELAY_PORTS;
    let start = nonzero("turn.relay_range_start", t.relay_range_start.unwrap_or(default_start))?;
    let end = t.relay_range_end.unwrap_or(default_end);
    if end < start {
        bail!("turn.relay_range_end: {end} is below turn.relay_range_start {start}");
    }
    let domain = t.domain.as_deref().map(str::trim).filter(|d| !d.is_empty());
    if let Some(d) = domain
        && !d.chars().all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-'))
    {
        bail!("turn.domain: `{d}` is not a host name");
    }
    let any: IpAddr = if media.advertised.is_ipv4() { "0.0.0.0".parse()? } else { "::".parse()? };
    let readable = |field: &str, path: &str| -> anyhow::Result<std::path::PathBuf> {
        std::fs::File::open(path).with_context(|| format!("{field}: cannot read {path}"))?;
        Ok(path.into())
    };
    let tcp = match (&t.cert_file, &t.key_file, t.external_tls) {
        (_, _, true) => Some(TcpListen::Plain { addr: SocketAddr::new(any, tls_port) }),
        (Some(cert), Some(key), false) => Some(TcpListen::Tls {
            addr: SocketAddr::new(any, tls_port),
            cert_file: readable("turn.cert_file", cert)?,
            key_file: readable("turn.key_file", key)?,
        }),
        (None, None, false) => None,
        (Some(_), None, false) => bail!("turn.key_file: required with turn.cert_file"),
        (None, Some(_), false) => bail!("turn.cert_file: required with turn.key_file"),
    };
    let relay_ip = media.advertised.ip();
    let host = match (domain, relay_ip) {
        (Some(d), _) => d.to_owned(),
        (None, IpAddr::V6(v6)) => format!("[{v6}]"),
        (None, ip) => ip.to_string(),
    };
    let mut urls = vec![format!("turn:{host}:{udp_port}?transport=udp")];
    if tcp.is_some() {
        let Some(domain) = domain else {
            bail!("turn.domain: required for TURN over TLS (the certificate's name, used in `turns:` URLs)");
        };
        urls.push(format!("turns:{domain}:{tls_port}?transport=tcp"));
    }
    let mut config = TurnConfig::new(secret, relay_ip);
    if let Some(realm) = &t.realm {
        if realm.is_empty() || realm.len() > 127 {
            bail!("turn.realm: 1 to 127 characters");
        }
        config.realm = realm.clone();
    }
    config.udp = Some(SocketAddr::new(any, udp_port));
    config.tcp = tcp;
    // The media socket's own bind address: the node IP may be a NAT's public address.
    config.relay_bind = media.bind.ip();
    config.relay_ports = (start, end);
    if let Some(max) = t.max_allocations {
        if max == 0 {
            bail!("turn.max_allocations: 0 would refuse everyone; use at least 1");
        }
        config.max_allocations = max as usize;
    }
    Ok(Some(TurnSettings { config, urls }))
}

fn webhook(file: &FileConfig, keys: &BTreeMap<String, String>) -> anyhow::Result<Option<WebhookSettings>> {
    let w = &file.webhook;
    if w.urls.is_empty() {
        return Ok(None);
    }
    for url in &w.urls {
        hikari_webhook::check_url(url).context("webhook.urls")?;
    }
    let Some(key) = &w.api_key else {
        bail!("webhook.api_key: required when webhook.urls is set (one of the keys in `keys`)");
    };
    let Some(secret) = keys.get(key) else {
        bail!("webhook.api_key: `{key}` is not one of the configured API keys");
    };
    Ok(Some(WebhookSettings::new(key.clone(), secret.clone(), w.urls.clone())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_body(yaml: &str) -> anyhow::Result<(Settings, Vec<String>)> {
        let args =
            ServeArgs { config: ConfigArgs { config_body: Some(yaml.into()), keys: Some("k: secret1".into()), ..Default::default() }, ..Default::default() };
        load(&args)
    }

    #[test]
    fn bad_values_name_their_field() {
        for (yaml, field) in [
            ("port: 0", "port:"),
            ("rtc:\n  port_range_start: 50000\n  port_range_end: 40000", "rtc.port_range_end"),
            ("rtc:\n  node_ip: nope", "rtc.node_ip"),
            ("logging:\n  level: loud", "logging.level"),
            ("prometheus_port: 7880", "prometheus_port"),
            ("webhook:\n  urls: [\"http://127.0.0.1:9/\"]", "webhook.api_key"),
            ("webhook:\n  api_key: other\n  urls: [\"http://127.0.0.1:9/\"]", "webhook.api_key"),
            ("webhook:\n  api_key: k\n  urls: [\"https://x/\"]", "webhook.urls"),
            ("room:\n  empty_timeout: soon", "room.empty_timeout"),
            ("room:\n  enabled_codecs:\n    - mime: video/h265", "room.enabled_codecs"),
            ("limits:\n  page_views_per_minute: 0", "limits.page_views_per_minute"),
            ("limits:\n  http_idle_seconds: 0", "limits.http_idle_seconds"),
            ("limits:\n  beacons_per_minute: -1", "limits.beacons_per_minute"),
            ("turn:\n  enabled: true\n  udp_port: 0", "turn.udp_port"),
            ("turn:\n  enabled: true\n  relay_range_start: 40000\n  relay_range_end: 30000", "turn.relay_range_end"),
            (
                "turn:\n  enabled: true\n  cert_file: /nonexistent/cert.pem\n  key_file: /nonexistent/key.pem\n  domain: turn.example.com",
                "turn.cert_file: cannot read /nonexistent/cert.pem",
            ),
            ("turn:\n  enabled: true\n  cert_file: /etc/hostname", "turn.key_file"),
            ("turn:\n  enabled: true\n  external_tls: true", "turn.domain"),
            ("turn:\n  enabled: true\n  domain: \"a b\"", "turn.domain"),
            ("turn:\n  enabled: true\n  secret: short", "turn.secret"),
            ("turn:\n  enabled: true\n  max_allocations: 0", "turn.max_allocations"),
            ("turn:\n  enabled: yes please", "turn.enabled"),
        ] {
            let e = with_body(yaml).err().map(|e| format!("{e:#}")).unwrap_or_default();
            assert!(e.contains(field), "{yaml:?} -> {e:?}");
        }
    }

    #[test]
    fn a_good_config() {
        let (s, warnings) =
            with_body("port: 7000\nprometheus_port: 7001\nwebhook:\n  api_key: k\n  urls: [\"http://127.0.0.1:9/h\"]\nnew_thing: 1").expect("valid");
        assert_eq!((s.port, s.prometheus_port), (7000, Some(7001)));
        assert_eq!(s.webhook.map(|w| w.api_key), Some("k".to_owned()));
        assert_eq!(warnings.len(), 1, "unknown fields warn: {warnings:?}");
        assert_eq!(s.limits, DEFAULT_LIMITS, "limits have their documented defaults");
        let (s, warnings) = with_body("limits:\n  page_views_per_minute: 5\n  http_idle_seconds: 3").expect("valid");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!((s.limits.page_views_per_minute, s.limits.http_idle_timeout), (5, Duration::from_secs(3)));
    }

    #[test]
    fn turn_is_off_by_default_and_has_livekits_defaults_when_on() {
        let (s, _) = with_body("port: 7000").expect("valid");
        assert!(s.turn.is_none(), "off without turn.enabled");
        let (s, warnings) = with_body("rtc:\n  node_ip: 10.1.2.3\nturn:\n  enabled: true").expect("valid");
        assert!(warnings.is_empty(), "every turn field is known: {warnings:?}");
        let t = s.turn.expect("on");
        assert_eq!(t.urls, vec!["turn:10.1.2.3:3478?transport=udp".to_owned()], "UDP only without a certificate");
        assert_eq!(t.config.udp.map(|a| a.port()), Some(3478));
        assert!(t.config.tcp.is_none());
        assert_eq!(t.config.relay_ports, (30000, 40000));
        assert_eq!(t.config.relay_ip.to_string(), "10.1.2.3");
        assert_eq!((t.config.realm.as_str(), t.config.max_allocations), ("hikari", 1000));
        // The secret comes from the API secret: a credential minted with the derived one checks.
        let c = TurnSecret::derive("secret1").mint("PA_x", 1_000, TURN_CREDENTIAL_VALIDITY);
        t.config.secret.verify(&c.username, &c.password, 1_000).expect("derived from the API secret");
    }

    #[test]
    fn turn_over_tls_on_443_for_office_networks() {
        let dir = std::env::temp_dir().join(format!("hikari-settings-turn-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let (cert, key) = (dir.join("c.pem"), dir.join("k.pem"));
        std::fs::write(&cert, "x").expect("cert");
        std::fs::write(&key, "x").expect("key");
        let yaml = format!(
            "rtc:\n  node_ip: 10.1.2.3\nturn:\n  enabled: true\n  domain: turn.example.com\n  tls_port: 443\n  cert_file: {}\n  key_file: {}\n  secret: shared-secret\n  relay_range_start: 50000\n  relay_range_end: 50100",
            cert.display(),
            key.display()
        );
        let (s, _) = with_body(&yaml).expect("valid");
        let t = s.turn.expect("on");
        assert_eq!(t.urls, vec!["turn:turn.example.com:3478?transport=udp".to_owned(), "turns:turn.example.com:443?transport=tcp".to_owned()]);
        assert!(matches!(&t.config.tcp, Some(TcpListen::Tls { addr, .. }) if addr.port() == 443));
        assert_eq!(t.config.relay_ports, (50000, 50100));
        let c = TurnSecret::new(b"shared-secret").mint("PA_x", 1_000, TURN_CREDENTIAL_VALIDITY);
        t.config.secret.verify(&c.username, &c.password, 1_000).expect("the configured secret");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
