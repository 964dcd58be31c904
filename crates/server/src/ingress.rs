//! Wiring of ingress: the `ingress:` block checked into [`IngressSettings`], and the registry
//! opened at start (its store at `<data_dir>/ingress.db`, its events on the bus).

use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;

use anyhow::{Context, bail};
use hikari_common::bus::Publisher;
use hikari_ingress::{IngressUrls, Registry, SqliteIngressStore};

use crate::config::IngressFileConfig;
use crate::events::HikariEvent;

/// LiveKit's ingress RTMP port.
pub const DEFAULT_RTMP_PORT: u16 = 1935;
/// Hikari's SRT port (LiveKit's ingress has no SRT).
pub const DEFAULT_SRT_PORT: u16 = 9710;
/// The path of RTMP URLs, as LiveKit's (`rtmp://host/x/<stream key>`).
const RTMP_APP: &str = "x";
/// The path of WHIP URLs, as LiveKit's (`http://host/w/<stream key>`).
pub const WHIP_PATH: &str = "w";

/// Ingress, checked (`ingress:` in the file); `None` in [`crate::settings::Settings`] when off.
#[derive(Clone, Debug, PartialEq)]
pub struct IngressSettings {
    /// Where the RTMP listener binds; `None` when `rtmp_port` is 0.
    pub rtmp: Option<SocketAddr>,
    /// Where the SRT listener binds (UDP); `None` when `srt_port` is 0.
    pub srt: Option<SocketAddr>,
    /// The URLs new ingresses get.
    pub urls: IngressUrls,
}

fn host(ip: IpAddr) -> String {
    match ip {
        IpAddr::V6(v6) => format!("[{v6}]"),
        v4 => v4.to_string(),
    }
}

fn base_url(field: &str, given: Option<&String>, schemes: &[&str], default: String) -> anyhow::Result<String> {
    let Some(url) = given.map(|u| u.trim().trim_end_matches('/')) else { return Ok(default) };
    let scheme = url.split_once("://").map(|(s, rest)| (s.to_ascii_lowercase(), rest));
    match scheme {
        Some((s, rest)) if schemes.contains(&s.as_str()) && !rest.is_empty() && !url.contains(char::is_whitespace) => Ok(url.to_owned()),
        _ => bail!("ingress.{field}: `{url}` is not a {} URL", schemes.join(" or ")),
    }
}

/// The `ingress:` block checked. `node` is the advertised address (the base URLs default to
/// it), `http_port` the HTTP port (WHIP is served there), `udp_port` the WebRTC port (SRT may
/// not take it).
pub fn settings(c: &IngressFileConfig, node: IpAddr, http_port: u16, udp_port: u16) -> anyhow::Result<Option<IngressSettings>> {
    if !c.enabled.unwrap_or(true) {
        return Ok(None);
    }
    let rtmp_port = c.rtmp_port.unwrap_or(DEFAULT_RTMP_PORT);
    let srt_port = c.srt_port.unwrap_or(DEFAULT_SRT_PORT);
    if rtmp_port != 0 && rtmp_port == http_port {
        bail!("ingress.rtmp_port: {rtmp_port} is already the HTTP port");
    }
    if srt_port != 0 && srt_port == udp_port {
        bail!("ingress.srt_port: {srt_port} is already the WebRTC UDP port (rtc.udp_port)");
    }
    let any = if node.is_ipv4() { IpAddr::from([0, 0, 0, 0]) } else { IpAddr::from([0u16; 8]) };
    let h = host(node);
    let urls = IngressUrls {
        rtmp_base_url: base_url("rtmp_base_url", c.rtmp_base_url.as_ref(), &["rtmp", "rtmps"], format!("rtmp://{h}:{rtmp_port}/{RTMP_APP}"))?,
        whip_base_url: base_url("whip_base_url", c.whip_base_url.as_ref(), &["http", "https"], format!("http://{h}:{http_port}/{WHIP_PATH}"))?,
        srt_base_url: match srt_port {
            0 => None,
            p => Some(base_url("srt_base_url", c.srt_base_url.as_ref(), &["srt"], format!("srt://{h}:{p}"))?),
        },
    };
    Ok(Some(IngressSettings {
        rtmp: (rtmp_port != 0).then_some(SocketAddr::new(any, rtmp_port)),
        srt: (srt_port != 0).then_some(SocketAddr::new(any, srt_port)),
        urls,
    }))
}

/// Unix nanoseconds, the unit of ingress states (as LiveKit's ingress writes them).
pub fn unix_nanos() -> i64 {
    hikari_common::clock::unix_millis().saturating_mul(1_000_000)
}

/// Opens the store at `<data_dir>/ingress.db`, builds the registry publishing its events on the
/// bus, and ends the sessions a previous run left open (each an `ingress_ended`).
/// `on_change` sees every event first (the wiring ends the session of a deleted or updated
/// ingress there).
pub async fn start(
    settings: &IngressSettings,
    data_dir: &Path,
    bus: Publisher<HikariEvent>,
    on_change: impl Fn(&hikari_ingress::IngressEvent) + Send + Sync + 'static,
) -> anyhow::Result<Arc<Registry>> {
    let path = data_dir.join("ingress.db");
    let store = SqliteIngressStore::open(&path).await.with_context(|| format!("opening the ingress store {}", path.display()))?;
    let sink: hikari_ingress::EventSink = Arc::new(move |e| {
        on_change(&e);
        bus.publish(HikariEvent::Ingress(Arc::new(e)));
    });
    let registry = Arc::new(Registry::new(Arc::new(store), settings.urls.clone(), sink));
    let ended = registry.end_interrupted(unix_nanos()).await.context("ending the ingress sessions of the previous run")?;
    tracing::info!(store = %path.display(), rtmp = %settings.urls.rtmp_base_url, whip = %settings.urls.whip_base_url, ended, "ingress registry ready");
    Ok(registry)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node() -> IpAddr {
        "203.0.113.5".parse().expect("ip")
    }

    #[test]
    fn defaults_follow_the_advertised_address() {
        let s = settings(&IngressFileConfig::default(), node(), 7880, 7882).expect("valid").expect("on by default");
        assert_eq!(s.urls.rtmp_base_url, "rtmp://203.0.113.5:1935/x");
        assert_eq!(s.urls.whip_base_url, "http://203.0.113.5:7880/w");
        assert_eq!(s.urls.srt_base_url.as_deref(), Some("srt://203.0.113.5:9710"));
        assert_eq!((s.rtmp.map(|a| a.port()), s.srt.map(|a| a.port())), (Some(1935), Some(9710)));
        let v6 = settings(&IngressFileConfig::default(), "2001:db8::1".parse().expect("ip"), 7880, 7882).expect("valid").expect("on");
        assert_eq!(v6.urls.whip_base_url, "http://[2001:db8::1]:7880/w");
    }

    #[test]
    fn given_urls_ports_and_off() {
        let c = IngressFileConfig {
            rtmp_base_url: Some("rtmps://live.example.com/x/".into()),
            whip_base_url: Some("https://live.example.com/w".into()),
            srt_port: Some(0),
            ..Default::default()
        };
        let s = settings(&c, node(), 7880, 7882).expect("valid").expect("on");
        assert_eq!((s.urls.rtmp_base_url.as_str(), s.urls.whip_base_url.as_str()), ("rtmps://live.example.com/x", "https://live.example.com/w"));
        assert_eq!((s.srt, s.urls.srt_base_url), (None, None));
        assert_eq!(settings(&IngressFileConfig { enabled: Some(false), ..Default::default() }, node(), 7880, 7882).expect("valid"), None);
        for (c, field) in [
            (IngressFileConfig { rtmp_port: Some(7880), ..Default::default() }, "ingress.rtmp_port"),
            (IngressFileConfig { srt_port: Some(7882), ..Default::default() }, "ingress.srt_port"),
            (IngressFileConfig { whip_base_url: Some("ftp://x/w".into()), ..Default::default() }, "ingress.whip_base_url"),
            (IngressFileConfig { rtmp_base_url: Some("rtmp://".into()), ..Default::default() }, "ingress.rtmp_base_url"),
        ] {
            let e = settings(&c, node(), 7880, 7882).expect_err(field).to_string();
            assert!(e.contains(field), "{e}");
        }
    }
}
