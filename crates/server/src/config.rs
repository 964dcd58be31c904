//! The configuration file: livekit-server's YAML field names, parsed once into typed
//! values. A value of the wrong type fails with the field's path; an unknown field is a
//! warning. [`FIELDS`] documents every field (`hikari help-verbose` prints it) and is the
//! list of known names.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

/// livekit-server's YAML, the subset Hikari reads.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct FileConfig {
    pub port: Option<u16>,
    pub bind_addresses: Vec<String>,
    pub rtc: RtcConfig,
    pub keys: BTreeMap<String, String>,
    pub key_file: Option<String>,
    pub region: Option<String>,
    pub room: RoomConfig,
    pub logging: LoggingConfig,
    pub webhook: WebhookConfig,
    pub prometheus_port: Option<u16>,
    pub limits: LimitsConfig,
    pub turn: TurnFileConfig,
    pub ingress: IngressFileConfig,
    pub egress: EgressFileConfig,
}

/// Egress (Hikari runs LiveKit's egress in-process): on or off, and where recordings go.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct EgressFileConfig {
    pub enabled: Option<bool>,
    pub recordings_dir: Option<String>,
    pub s3: Option<S3FileConfig>,
    /// Room composites at once (default: from the CPUs, [`crate::egress::default_max_composites`]).
    pub max_composites: Option<usize>,
}

/// Where finished recordings are copied: LiveKit egress's `s3` block, plus `prefix`. Empty
/// keys are read from `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY`.
#[derive(Clone, Default, Deserialize, PartialEq)]
#[serde(default, deny_unknown_fields)]
pub struct S3FileConfig {
    pub access_key: String,
    pub secret: String,
    pub region: String,
    pub endpoint: String,
    pub bucket: String,
    pub force_path_style: bool,
    pub prefix: String,
}

impl std::fmt::Debug for S3FileConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret never reaches a log.
        f.debug_struct("S3FileConfig").field("bucket", &self.bucket).field("endpoint", &self.endpoint).field("region", &self.region).finish_non_exhaustive()
    }
}

/// Ingress (livekit-server's `ingress:` block, `rtmp_base_url` and `whip_base_url`, with the
/// listener settings of LiveKit's ingress service, `rtmp_port`, and Hikari's SRT).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct IngressFileConfig {
    pub enabled: Option<bool>,
    pub rtmp_port: Option<u16>,
    pub srt_port: Option<u16>,
    pub rtmp_base_url: Option<String>,
    pub whip_base_url: Option<String>,
    pub srt_base_url: Option<String>,
}

/// The embedded TURN server (livekit-server's `turn:` block, plus `secret`, `realm` and
/// `max_allocations`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct TurnFileConfig {
    pub enabled: bool,
    pub domain: Option<String>,
    pub udp_port: Option<u16>,
    pub tls_port: Option<u16>,
    pub cert_file: Option<String>,
    pub key_file: Option<String>,
    pub external_tls: bool,
    pub relay_range_start: Option<u16>,
    pub relay_range_end: Option<u16>,
    pub secret: Option<String>,
    pub realm: Option<String>,
    pub max_allocations: Option<u32>,
}

/// Hikari's own bounds on clients (no livekit-server equivalent).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct LimitsConfig {
    pub auth_failures_per_minute: Option<u32>,
    pub page_views_per_minute: Option<u32>,
    pub form_submits_per_minute: Option<u32>,
    pub beacons_per_minute: Option<u32>,
    pub http_header_seconds: Option<u32>,
    pub http_idle_seconds: Option<u32>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RtcConfig {
    pub udp_port: Option<u16>,
    pub tcp_port: Option<u16>,
    pub port_range_start: Option<u16>,
    pub port_range_end: Option<u16>,
    pub node_ip: Option<String>,
    pub use_external_ip: bool,
    pub disable_rtc_v1: bool,
    pub disable_udp_gso: bool,
    pub congestion_control: CongestionControlConfig,
}

/// `rtc.congestion_control`, as livekit-server names it.
#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default)]
pub struct CongestionControlConfig {
    pub enabled: bool,
    pub allow_pause: bool,
}

impl Default for CongestionControlConfig {
    fn default() -> Self {
        Self { enabled: true, allow_pause: false }
    }
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default)]
pub struct RoomConfig {
    pub auto_create: bool,
    pub empty_timeout: u32,
    pub departure_timeout: u32,
    pub max_participants: u32,
    pub enabled_codecs: Vec<CodecConfig>,
}

/// One entry of `room.enabled_codecs`, as livekit-server writes it (`- mime: video/vp8`).
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct CodecConfig {
    pub mime: String,
    pub fmtp_line: String,
}

impl Default for RoomConfig {
    fn default() -> Self {
        Self { auto_create: true, empty_timeout: 300, departure_timeout: 20, max_participants: 0, enabled_codecs: Vec::new() }
    }
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct LoggingConfig {
    pub level: Option<String>,
    pub json: bool,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct WebhookConfig {
    pub api_key: Option<String>,
    pub urls: Vec<String>,
}

/// One documented field: its path, its type and default, what it does, and the flag or
/// environment variable that overrides it. An empty description marks a livekit-server
/// field that is accepted without effect.
pub struct Field {
    pub path: &'static str,
    pub kind: &'static str,
    pub doc: &'static str,
    pub overrides: &'static str,
}

const fn f(path: &'static str, kind: &'static str, doc: &'static str, overrides: &'static str) -> Field {
    Field { path, kind, doc, overrides }
}

/// Every field Hikari knows, sections first.
pub const FIELDS: &[Field] = &[
    f("port", "u16 = 7880", "HTTP port: WebSocket signaling, /rtc/validate and the Twirp API", "--port, LIVEKIT_PORT"),
    f("bind_addresses", "[IP] = [0.0.0.0]", "addresses the HTTP port listens on (127.0.0.1 with --dev)", "--bind, LIVEKIT_BIND"),
    f("keys", "{key: secret}", "API keys and secrets that sign tokens; secrets of at least 6 characters", "--keys, LIVEKIT_KEYS"),
    f("key_file", "path", "a YAML file of `key: secret` lines, read when `keys` is empty", "--key-file, LIVEKIT_KEY_FILE"),
    f("region", "string", "region reported to clients in the join response", "--region, LIVEKIT_REGION"),
    f("prometheus_port", "u16, off", "port of the Prometheus metrics page (GET /metrics), on the bind addresses", "--prometheus-port, HIKARI_PROMETHEUS_PORT"),
    f(
        "limits.auth_failures_per_minute",
        "u32 = 30",
        "failed token checks (signaling, /rtc/validate, Twirp) per client address per minute; beyond it that address gets HTTP 429 with Retry-After until the minute ends",
        "",
    ),
    f(
        "limits.page_views_per_minute",
        "u32 = 600",
        "funnel page views per client address per minute that count; beyond it views are still served but flagged like a bot's (kept, left out of reports and experiments), and beyond ten times it the address gets HTTP 429 with Retry-After",
        "",
    ),
    f("limits.form_submits_per_minute", "u32 = 20", "funnel form submissions per client address per minute; beyond it HTTP 429", ""),
    f("limits.beacons_per_minute", "u32 = 120", "tracking beacons (POST /f/collect) per client address per minute; beyond it HTTP 429", ""),
    f(
        "limits.http_header_seconds",
        "seconds = 10",
        "time a client has to send a request's headers; a connection that sends nothing or drips them is closed",
        "",
    ),
    f("limits.http_idle_seconds", "seconds = 60", "how long a keep-alive HTTP connection may sit without a byte in either direction before it is closed", ""),
    f("rtc.udp_port", "u16 = 7882", "the single UDP port for all WebRTC traffic", "--udp-port, UDP_PORT"),
    f("rtc.port_range_start", "u16", "used as the UDP port when rtc.udp_port is not set", ""),
    f("rtc.port_range_end", "u16", "must not be below rtc.port_range_start", ""),
    f("rtc.node_ip", "IP", "the address advertised to clients; without it every interface's address is", "--node-ip, NODE_IP"),
    f("rtc.use_external_ip", "bool", "not supported (warns); set rtc.node_ip instead", ""),
    f("rtc.disable_rtc_v1", "bool = false", "answer 404 on /rtc/v1 so clients use two PeerConnections on /rtc", "--disable-rtc-v1"),
    f(
        "rtc.disable_udp_gso",
        "bool = false",
        "send every datagram on its own instead of runs of equal-size datagrams to one client as one UDP GSO send (GSO turns itself off where the kernel refuses it)",
        "--disable-udp-gso",
    ),
    f(
        "rtc.tcp_port",
        "u16 = 7881, 0 = off",
        "ICE over TCP: clients whose UDP is blocked (office firewalls) send media over this TCP port instead",
        "--tcp-port, TCP_PORT",
    ),
    f("rtc.congestion_control", "", "bandwidth estimation towards subscribers (the two fields below)", ""),
    f(
        "rtc.congestion_control.enabled",
        "bool = true",
        "estimate each subscriber's downlink (transport-wide congestion control) and send it the simulcast layers that fit, pacing bursts",
        "--disable-congestion-control",
    ),
    f(
        "rtc.congestion_control.allow_pause",
        "bool = false",
        "when even the lowest layer does not fit, pause that video (the subscriber is told) instead of sending the lowest layer anyway",
        "",
    ),
    f("rtc.stun_servers", "", "", ""),
    f("rtc.use_ice_lite", "", "", ""),
    f("room.auto_create", "bool = true", "create a room on its first join (otherwise only CreateRoom does)", ""),
    f("room.empty_timeout", "seconds = 300", "how long a room nobody joined stays open", ""),
    f("room.departure_timeout", "seconds = 20", "how long a room stays open after its last participant left", ""),
    f("room.max_participants", "u32 = 0", "participants per room, 0 for no limit; a join beyond it gets HTTP 429", ""),
    f(
        "room.enabled_codecs",
        "[{mime}] = all",
        "codecs rooms negotiate, by MIME type (audio/opus, audio/red, video/vp8, video/h264, video/vp9, video/av1); a kind not named keeps all its codecs",
        "",
    ),
    f("logging.level", "debug|info|warn|error = info", "log level (debug with --dev); RUST_LOG overrides it", ""),
    f("logging.json", "bool = false", "JSON log lines", ""),
    f("logging.pion_level", "", "", ""),
    f("logging.sample", "", "", ""),
    f("webhook.api_key", "key", "the API key (from `keys`) that signs webhooks; required with urls", ""),
    f(
        "webhook.urls",
        "[http URL]",
        "receivers of room_started, room_finished, participant_joined/left, track_published/unpublished, ingress_created/started/ended/deleted",
        "",
    ),
    f("redis", "", "", ""),
    f("turn.enabled", "bool = false", "run the embedded TURN server and list it, with a credential per participant, in every join response", ""),
    f(
        "turn.domain",
        "host name",
        "the name in `turns:` URLs and on the certificate; required with TLS; `turn:` URLs use it too when set (else the node IP)",
        "",
    ),
    f("turn.udp_port", "u16 = 3478", "TURN over UDP", ""),
    f("turn.tls_port", "u16 = 5349", "TURN over TLS (443 gets through office firewalls that allow only HTTPS)", ""),
    f("turn.cert_file", "path", "PEM certificate chain for TURN over TLS (with turn.key_file; without both, no TLS)", ""),
    f("turn.key_file", "path", "PEM private key of turn.cert_file", ""),
    f("turn.external_tls", "bool = false", "a load balancer terminates TLS: listen on turn.tls_port for plain TCP and still advertise `turns:`", ""),
    f("turn.relay_range_start", "u16 = 30000", "first UDP port of relayed addresses (bound on the node IP)", ""),
    f("turn.relay_range_end", "u16 = 40000", "last UDP port of relayed addresses", ""),
    f("turn.secret", "string", "the shared secret of the TURN REST API credentials (default: derived from the first API secret)", ""),
    f("turn.realm", "string = hikari", "the TURN realm", ""),
    f("turn.max_allocations", "u32 = 1000", "relayed addresses open at once; beyond it an allocation is refused (508)", ""),
    f(
        "ingress.enabled",
        "bool = true",
        "LiveKit's IngressService (Twirp livekit.Ingress) with its definitions kept in <data_dir>/ingress.db; false answers unimplemented",
        "",
    ),
    f("ingress.rtmp_port", "u16 = 1935, 0 = off", "the RTMP(S) listener encoders publish to (OBS: Custom service, the ingress url and stream key)", ""),
    f(
        "ingress.srt_port",
        "u16 = 9710, 0 = off",
        "the SRT listener (UDP, caller mode, streamid = an RTMP ingress's stream key); Hikari's, LiveKit has no SRT",
        "",
    ),
    f(
        "ingress.rtmp_base_url",
        "rtmp(s) URL = rtmp://NODE_IP:rtmp_port/x",
        "the url of RTMP ingresses; the encoder adds /<stream key> (set it when a proxy or a domain name fronts the port)",
        "",
    ),
    f(
        "ingress.whip_base_url",
        "http(s) URL = http://NODE_IP:port/w",
        "the url of WHIP ingresses (WHIP is served on the HTTP port); the encoder adds /<stream key>",
        "",
    ),
    f("ingress.srt_base_url", "srt URL = srt://NODE_IP:srt_port", "the SRT address told for RTMP ingresses (with ?streamid=<stream key>)", ""),
    f(
        "egress.enabled",
        "bool = true",
        "LiveKit's EgressService (Twirp livekit.Egress): track recordings, with the jobs kept in <data_dir>/egress.db; false answers unimplemented",
        "",
    ),
    f("egress.recordings_dir", "path = <data_dir>/recordings", "where recordings are written; request filepaths are relative to it and cannot leave it", ""),
    f(
        "egress.s3",
        "block",
        "copy finished recordings (files, HLS segments and playlists, thumbnails) to S3-compatible storage; they also stay in recordings_dir",
        "",
    ),
    f("egress.s3.bucket", "string", "the bucket (required in the block)", ""),
    f("egress.s3.region", "string = us-east-1", "the bucket's region", ""),
    f("egress.s3.endpoint", "URL", "an S3-compatible service (MinIO, R2, Wasabi): https://…, or http:// on a private network; empty for AWS", ""),
    f("egress.s3.access_key", "string", "the access key ID", "AWS_ACCESS_KEY_ID"),
    f("egress.s3.secret", "string", "the secret access key (never logged)", "AWS_SECRET_ACCESS_KEY"),
    f("egress.s3.force_path_style", "bool = false", "endpoint/bucket/key requests (MinIO and most self-hosted stores) instead of bucket.endpoint/key", ""),
    f("egress.s3.prefix", "string", "put in front of every object key, e.g. hikari/", ""),
    f("development", "", "", ""),
];

const SECTIONS: &[&str] = &["rtc", "room", "logging", "webhook", "limits", "turn", "ingress", "egress"];

fn known(path: &str) -> bool {
    FIELDS.iter().any(|f| f.path == path) || SECTIONS.contains(&path)
}

impl FileConfig {
    /// Reads a YAML file; unknown fields are returned as warnings.
    pub fn load(path: &Path) -> anyhow::Result<(Self, Vec<String>)> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("invalid config file {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<(Self, Vec<String>)> {
        let value: serde_norway::Value = serde_norway::from_str(text)?;
        let mut warnings = Vec::new();
        if let serde_norway::Value::Mapping(top) = &value {
            for (key, v) in top {
                let Some(key) = key.as_str() else { continue };
                if !known(key) {
                    warnings.push(format!("unknown config field `{key}` ignored"));
                } else if let (true, serde_norway::Value::Mapping(section)) = (SECTIONS.contains(&key), v) {
                    for sub in section.keys().filter_map(|k| k.as_str()) {
                        let path = format!("{key}.{sub}");
                        if !known(&path) {
                            warnings.push(format!("unknown config field `{path}` ignored"));
                        }
                    }
                }
            }
        }
        let config: FileConfig = serde_path_to_error::deserialize(value).map_err(|e| {
            let path = e.path().to_string();
            anyhow::anyhow!("config field `{path}`: {}", e.into_inner())
        })?;
        Ok((config, warnings))
    }
}

/// Parses `--keys "key: secret"` (one or more `key: secret` lines, as livekit-server).
pub fn parse_keys(s: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut keys = BTreeMap::new();
    for line in s.lines().flat_map(|l| l.split(',')).map(str::trim).filter(|l| !l.is_empty() && !l.starts_with('#')) {
        let Some((k, v)) = line.split_once(':') else { bail!("keys: expected `key: secret`, got `{line}`") };
        let (k, v) = (k.trim(), v.trim());
        if k.is_empty() || v.is_empty() {
            bail!("keys: empty key or secret in `{line}`");
        }
        keys.insert(k.to_owned(), v.to_owned());
    }
    Ok(keys)
}

/// Local addresses to advertise as host candidates: every up, non-loopback interface,
/// or loopback when there is nothing else.
pub fn interface_addresses() -> Vec<IpAddr> {
    let mut ips: Vec<IpAddr> = if_addrs::get_if_addrs()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| !i.is_loopback())
        .map(|i| i.ip())
        .filter(|ip| match ip {
            IpAddr::V4(v4) => !v4.is_link_local() && !v4.is_unspecified(),
            IpAddr::V6(_) => false,
        })
        .collect();
    ips.sort();
    ips.dedup();
    if ips.is_empty() {
        ips.push(IpAddr::V4(Ipv4Addr::LOCALHOST));
    }
    ips
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn livekit_yaml_and_unknown_fields() {
        let (c, warnings) = FileConfig::parse(
            "port: 7880\nrtc:\n  udp_port: 7882\n  node_ip: 10.0.0.1\n  bogus: 1\nkeys:\n  k: s\nroom:\n  max_participants: 3\nfoo: 2\nredis:\n  address: x\n",
        )
        .expect("valid yaml");
        assert_eq!(c.port, Some(7880));
        assert_eq!(c.rtc.udp_port, Some(7882));
        assert_eq!(c.keys.get("k").map(String::as_str), Some("s"));
        assert_eq!(c.room.max_participants, 3);
        assert!(c.room.auto_create, "unset fields keep defaults");
        let (c, _) = FileConfig::parse("room:\n  enabled_codecs:\n    - mime: video/vp8\n    - mime: audio/opus\n").expect("valid yaml");
        assert_eq!(c.room.enabled_codecs.iter().map(|c| c.mime.as_str()).collect::<Vec<_>>(), vec!["video/vp8", "audio/opus"]);
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(warnings[0].contains("rtc.bogus") || warnings[1].contains("rtc.bogus"), "{warnings:?}");
    }

    #[test]
    fn congestion_control_as_livekit_names_it() {
        let (c, warnings) = FileConfig::parse("rtc:\n  congestion_control:\n    allow_pause: true\n").expect("valid yaml");
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(c.rtc.congestion_control, CongestionControlConfig { enabled: true, allow_pause: true });
        let (c, _) = FileConfig::parse("port: 7880\n").expect("valid yaml");
        assert!(c.rtc.congestion_control.enabled && !c.rtc.congestion_control.allow_pause, "on, without pausing, by default");
    }

    #[test]
    fn type_errors_name_the_field() {
        let e = FileConfig::parse("port: lots").expect_err("not a port");
        assert!(e.to_string().contains("`port`"), "{e}");
        let e = FileConfig::parse("room:\n  max_participants: -1\n").expect_err("negative");
        assert!(e.to_string().contains("`room.max_participants`"), "{e}");
    }

    #[test]
    fn keys_flag() {
        let keys = parse_keys("devkey: secret").expect("valid");
        assert_eq!(keys.get("devkey").map(String::as_str), Some("secret"));
        assert!(parse_keys("nocolon").is_err());
        assert!(parse_keys("k: ").is_err());
    }
}
