//! The server's configuration: defaults, then a YAML file (livekit-server's field
//! names), then environment variables, then command-line flags. Parsed once at start-up
//! into typed values; a bad value fails with the field's name.

use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr};
use std::path::Path;

use anyhow::{Context, bail};
use serde::Deserialize;

/// livekit-server's YAML, the subset Hikari reads. Unknown fields are warned about.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct FileConfig {
    pub port: Option<u16>,
    pub bind_addresses: Vec<String>,
    pub rtc: RtcConfig,
    pub keys: BTreeMap<String, String>,
    pub room: RoomConfig,
    pub logging: LoggingConfig,
    pub webhook: WebhookConfig,
    pub prometheus_port: Option<u16>,
}

#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(default)]
pub struct RtcConfig {
    pub udp_port: Option<u16>,
    pub port_range_start: Option<u16>,
    pub port_range_end: Option<u16>,
    pub node_ip: Option<String>,
    pub use_external_ip: bool,
    pub disable_rtc_v1: bool,
}

#[derive(Clone, Debug, Deserialize, PartialEq)]
#[serde(default)]
pub struct RoomConfig {
    pub auto_create: bool,
    pub empty_timeout: u32,
    pub departure_timeout: u32,
    pub max_participants: u32,
}

impl Default for RoomConfig {
    fn default() -> Self {
        Self { auto_create: true, empty_timeout: 300, departure_timeout: 20, max_participants: 0 }
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

const KNOWN: &[(&str, &[&str])] = &[
    ("", &["port", "bind_addresses", "rtc", "keys", "room", "logging", "webhook", "prometheus_port", "redis", "turn", "region", "key_file", "development"]),
    ("rtc", &["udp_port", "port_range_start", "port_range_end", "node_ip", "use_external_ip", "disable_rtc_v1", "tcp_port", "stun_servers", "use_ice_lite"]),
    ("room", &["auto_create", "empty_timeout", "departure_timeout", "max_participants", "enabled_codecs"]),
    ("logging", &["level", "json", "pion_level", "sample"]),
    ("webhook", &["api_key", "urls"]),
];

impl FileConfig {
    /// Reads a YAML file; unknown fields are returned as warnings.
    pub fn load(path: &Path) -> anyhow::Result<(Self, Vec<String>)> {
        let text = std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
        Self::parse(&text).with_context(|| format!("invalid config file {}", path.display()))
    }

    pub fn parse(text: &str) -> anyhow::Result<(Self, Vec<String>)> {
        let value: serde_norway::Value = serde_norway::from_str(text)?;
        let mut warnings = Vec::new();
        for (section, fields) in KNOWN {
            let map = if section.is_empty() { Some(&value) } else { value.get(*section) };
            if let Some(serde_norway::Value::Mapping(m)) = map {
                for key in m.keys().filter_map(|k| k.as_str()) {
                    if !fields.contains(&key) {
                        let name = if section.is_empty() { key.to_owned() } else { format!("{section}.{key}") };
                        warnings.push(format!("unknown config field `{name}` ignored"));
                    }
                }
            }
        }
        let config: FileConfig = serde_norway::from_value(value)?;
        Ok((config, warnings))
    }
}

/// Parses `--keys "key: secret"` (one or more `key: secret` lines, as livekit-server).
pub fn parse_keys(s: &str) -> anyhow::Result<BTreeMap<String, String>> {
    let mut keys = BTreeMap::new();
    for line in s.lines().flat_map(|l| l.split(',')).map(str::trim).filter(|l| !l.is_empty()) {
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
            "port: 7880\nrtc:\n  udp_port: 7882\n  node_ip: 10.0.0.1\n  bogus: 1\nkeys:\n  k: s\nroom:\n  max_participants: 3\nfoo: 2\n",
        )
        .expect("valid yaml");
        assert_eq!(c.port, Some(7880));
        assert_eq!(c.rtc.udp_port, Some(7882));
        assert_eq!(c.keys.get("k").map(String::as_str), Some("s"));
        assert_eq!(c.room.max_participants, 3);
        assert!(c.room.auto_create, "unset fields keep defaults");
        assert_eq!(warnings.len(), 2, "{warnings:?}");
        assert!(FileConfig::parse("port: lots").is_err());
    }

    #[test]
    fn keys_flag() {
        let keys = parse_keys("devkey: secret").expect("valid");
        assert_eq!(keys.get("devkey").map(String::as_str), Some("secret"));
        assert!(parse_keys("nocolon").is_err());
        assert!(parse_keys("k: ").is_err());
    }
}
