//! The TURN server against an independent client: coturn's `turnutils_uclient` (Debian's
//! `coturn` package, installed by .ci/run). It allocates, binds channels and sends through
//! its relay to a UDP echo peer on loopback; it makes its own TURN REST API credentials from
//! the shared secret (`-W`), so a pass also proves the credential scheme is coturn's.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::process::Stdio;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use hikari_turn::{TcpListen, TurnConfig, TurnHandle, TurnSecret};
use tokio::net::UdpSocket;

const SECRET: &[u8] = b"turn-test-secret";
const LOCALHOST: IpAddr = IpAddr::V4(Ipv4Addr::LOCALHOST);
/// Each test's relay ports (tests in one binary run at once).
const RELAYS_UDP: (u16, u16) = (42_000, 42_099);
const RELAYS_TLS: (u16, u16) = (42_100, 42_199);
const RELAYS_BAD: (u16, u16) = (42_200, 42_299);

fn config(relay_ports: (u16, u16)) -> TurnConfig {
    let mut cfg = TurnConfig::new(TurnSecret::new(SECRET), LOCALHOST);
    cfg.udp = Some(SocketAddr::new(LOCALHOST, 0));
    cfg.relay_ports = relay_ports;
    cfg
}

/// A UDP echo peer on loopback; counts the datagrams it echoed and remembers their sources.
struct Echo {
    addr: SocketAddr,
    echoed: Arc<AtomicUsize>,
    sources: Arc<std::sync::Mutex<Vec<SocketAddr>>>,
}

async fn echo_peer() -> Echo {
    let socket = UdpSocket::bind((LOCALHOST, 0)).await.expect("bind echo");
    let addr = socket.local_addr().expect("echo addr");
    let echoed = Arc::new(AtomicUsize::new(0));
    let sources = Arc::new(std::sync::Mutex::new(Vec::new()));
    let (count, seen) = (echoed.clone(), sources.clone());
    tokio::spawn(async move {
        let mut buf = vec![0u8; 65_536];
        while let Ok((n, from)) = socket.recv_from(&mut buf).await {
            if socket.send_to(&buf[..n], from).await.is_ok() {
                count.fetch_add(1, Ordering::SeqCst);
                seen.lock().expect("not poisoned").push(from);
            }
        }
    });
    Echo { addr, echoed, sources }
}

/// Runs `turnutils_uclient` (bounded in time) and returns its exit success and output.
async fn uclient(args: &[String]) -> (bool, String) {
    let mut cmd = tokio::process::Command::new("turnutils_uclient");
    cmd.args(args).stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped()).kill_on_drop(true);
    let out = tokio::time::timeout(Duration::from_secs(60), cmd.output())
        .await
        .expect("turnutils_uclient finishes within 60 s")
        .expect("turnutils_uclient runs (Debian package coturn; .ci/run installs it)");
    let text = format!("{}{}", String::from_utf8_lossy(&out.stdout), String::from_utf8_lossy(&out.stderr));
    (out.status.success(), text)
}

fn base_args(server: SocketAddr, echo: &Echo, messages: u32) -> Vec<String> {
    [
        "-n",
        &messages.to_string(),
        "-c",
        "-X",
        "-z",
        "5",
        "-e",
        &echo.addr.ip().to_string(),
        "-r",
        &echo.addr.port().to_string(),
        "-p",
        &server.port().to_string(),
    ]
    .iter()
    .map(|s| s.to_string())
    .collect()
}

/// The number in `tot_recv_msgs=N` (uclient's count of echoes it got back through the relay).
fn received(out: &str) -> Option<u64> {
    let at = out.rfind("tot_recv_msgs=")? + "tot_recv_msgs=".len();
    out[at..].chars().take_while(char::is_ascii_digit).collect::<String>().parse().ok()
}

fn assert_relayed(out: &str, echo: &Echo, messages: u64, relay_ports: (u16, u16)) {
    assert_eq!(received(out), Some(messages), "every message came back through the relay:\n{out}");
    assert!(echo.echoed.load(Ordering::SeqCst) >= messages as usize, "the peer echoed them");
    let sources = echo.sources.lock().expect("not poisoned").clone();
    assert!(
        sources.iter().all(|s| s.ip() == LOCALHOST && (relay_ports.0..=relay_ports.1).contains(&s.port())),
        "the peer saw only relayed addresses in the range: {sources:?}"
    );
}

async fn stop(turn: TurnHandle) {
    turn.shutdown(Duration::from_secs(5)).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allocation_over_udp_relays_to_a_peer_with_rest_api_credentials() {
    let turn = hikari_turn::start(config(RELAYS_UDP)).await.expect("starts");
    let server = turn.udp_addr().expect("udp");
    let echo = echo_peer().await;
    let mut args = base_args(server, &echo, 20);
    args.extend(["-W", "turn-test-secret", "-u", "visitor", "127.0.0.1"].map(String::from));
    let (ok, out) = uclient(&args).await;
    assert!(ok, "uclient failed:\n{out}");
    assert_relayed(&out, &echo, 20, RELAYS_UDP);
    stop(turn).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_wrong_password_or_an_expired_username_is_refused() {
    let secret = TurnSecret::new(SECRET);
    let now = hikari_common_clock();
    let turn = hikari_turn::start(config(RELAYS_BAD)).await.expect("starts");
    let server = turn.udp_addr().expect("udp");
    let echo = echo_peer().await;
    let good = secret.mint("visitor", now, Duration::from_secs(3600));
    let expired = secret.mint("visitor", now - 7200, Duration::from_secs(3600));
    for (user, password, why) in [
        (good.username.clone(), "d3Jvbmc=".to_owned(), "wrong password"),
        (expired.username.clone(), expired.password.clone(), "expired username"),
        (format!("{}:visitor", now + 999_999), good.password.clone(), "tampered expiry"),
    ] {
        let mut args = base_args(server, &echo, 3);
        args.extend(["-u".into(), user, "-w".into(), password, "127.0.0.1".into()]);
        let (ok, out) = uclient(&args).await;
        // uclient reports the server's 401 as a failed allocation and exits non-zero.
        assert!(!ok && out.contains("Cannot complete Allocation"), "{why}: a refusal expected:\n{out}");
    }
    assert_eq!(echo.echoed.load(Ordering::SeqCst), 0, "nothing reached the peer");
    // The same client with the right credential works, so the refusals were the credentials.
    let mut args = base_args(server, &echo, 5);
    args.extend(["-u".into(), good.username.clone(), "-w".into(), good.password.clone(), "127.0.0.1".into()]);
    let (ok, out) = uclient(&args).await;
    assert!(ok, "uclient with a minted credential failed:\n{out}");
    assert_relayed(&out, &echo, 5, RELAYS_BAD);
    stop(turn).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_allocation_over_tls_relays_to_a_peer() {
    let dir = std::env::temp_dir().join(format!("hikari-turn-tls-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let cert = rcgen::generate_simple_self_signed(vec!["turn.test".into()]).expect("self-signed");
    let (cert_file, key_file) = (dir.join("cert.pem"), dir.join("key.pem"));
    std::fs::write(&cert_file, cert.cert.pem()).expect("write cert");
    std::fs::write(&key_file, cert.signing_key.serialize_pem()).expect("write key");
    let mut cfg = config(RELAYS_TLS);
    cfg.udp = None;
    cfg.tcp = Some(TcpListen::Tls { addr: SocketAddr::new(LOCALHOST, 0), cert_file, key_file });
    let turn = hikari_turn::start(cfg).await.expect("starts");
    let server = turn.tcp_addr().expect("tls");
    let echo = echo_peer().await;
    let mut args = base_args(server, &echo, 20);
    args.extend(["-t", "-S", "-W", "turn-test-secret", "-u", "visitor", "127.0.0.1"].map(String::from));
    let (ok, out) = uclient(&args).await;
    assert!(ok, "uclient over TLS failed:\n{out}");
    assert_relayed(&out, &echo, 20, RELAYS_TLS);
    stop(turn).await;
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test]
async fn a_missing_certificate_is_a_clear_error_at_start() {
    let mut cfg = config(RELAYS_TLS);
    cfg.tcp = Some(TcpListen::Tls { addr: SocketAddr::new(LOCALHOST, 0), cert_file: "/nonexistent/cert.pem".into(), key_file: "/nonexistent/key.pem".into() });
    let e = hikari_turn::start(cfg).await.expect_err("no certificate");
    let shown = e.to_string();
    assert!(shown.contains("turn.cert_file") && shown.contains("/nonexistent/cert.pem"), "{shown}");
}

fn hikari_common_clock() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}
