//! Starting the real binary for a test: a free port, its own data directory.

#![allow(dead_code)] // each test file uses its part

use std::net::{TcpListener, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicU16, Ordering};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// A port free for TCP and UDP that no other call in this process returns: tests of one
/// binary run in parallel, and a port the kernel hands out for `bind(0)` and takes back can be
/// handed out again before the first server binds it. Below the kernel's ephemeral range.
pub fn free_port() -> u16 {
    static NEXT: AtomicU16 = AtomicU16::new(0);
    let base = 10_000 + (std::process::id() % 1000) as u16 * 20;
    for _ in 0..2000 {
        let offset = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = 10_000 + (base - 10_000 + offset) % 22_000;
        if TcpListener::bind(("127.0.0.1", port)).is_ok() && UdpSocket::bind(("0.0.0.0", port)).is_ok() {
            return port;
        }
    }
    panic!("no free port")
}

/// `HIKARI_BIN`, else the workspace's debug build.
pub fn binary() -> PathBuf {
    std::env::var_os("HIKARI_BIN").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../target/debug/hikari"))
}

/// Starts `hikari --dev` on `port` with its funnel data in `data`.
pub fn spawn(data: &Path, port: u16) -> Child {
    spawn_with(data, port, "")
}

/// [`spawn`] with a configuration file's body (YAML, `--config-body`).
pub fn spawn_with(data: &Path, port: u16, config: &str) -> Child {
    server_command(data, port, free_port(), config)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("hikari binary runs (build it with `cargo build --bins`)")
}

/// The command line of `hikari --dev` on HTTP `port` and UDP `udp_port`, funnel data in
/// `data`, with a configuration file's body (may be empty).
pub fn server_command(data: &Path, port: u16, udp_port: u16, config: &str) -> Command {
    // Several servers run at once here: none takes the fixed ingress ports (RTMP 1935, SRT 9710).
    let config = if config.is_empty() { "ingress: {rtmp_port: 0, srt_port: 0}" } else { config };
    let mut command = Command::new(binary());
    command
        .args(["--dev", "--bind", "127.0.0.1", "--port", &port.to_string(), "--udp-port", &udp_port.to_string(), "--node-ip", "127.0.0.1"])
        // The UDP port is free for TCP too (free_port checks both): ICE-TCP listens on it.
        .args(["--tcp-port", &udp_port.to_string()])
        .args(["--config-body", config])
        .arg("--data-dir")
        .arg(data);
    command
}

/// Waits (at most 20 s: a loaded 2-core machine can be slow to start a debug build) until
/// `port` accepts connections.
pub async fn wait_listening(port: u16) {
    for _ in 0..800 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port)).await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("server did not listen within 20 s");
}

/// A server that is killed and whose data is removed when dropped.
pub struct Server {
    pub child: Child,
    pub port: u16,
    pub data: PathBuf,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.data);
    }
}

/// A listening server with a fresh data directory named after `name`.
pub async fn start(name: &str) -> Server {
    start_with(name, "").await
}

/// [`start`] with a configuration file's body (YAML).
pub async fn start_with(name: &str, config: &str) -> Server {
    let port = free_port();
    // Each server its own funnel database: servers sharing one SQLite file race on it.
    let data = std::env::temp_dir().join(format!("hikari-e2e-{name}-{}-{port}", std::process::id()));
    let child = spawn_with(&data, port, config);
    let server = Server { child, port, data };
    wait_listening(port).await;
    server
}

/// One HTTP/1.1 request on its own connection: the status and body, or None if the
/// connection failed or closed before a whole status line arrived.
pub async fn request(port: u16, method: &str, path: &str, headers: &str, body: &str) -> Option<(u16, String)> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\nUser-Agent: Mozilla/5.0 durability-test\r\n{headers}Content-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(head.as_bytes()).await.ok()?;
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut out)).await.ok()?.ok()?;
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.strip_prefix("HTTP/1.1 ")?.get(..3)?.parse().ok()?;
    Some((status, text.split_once("\r\n\r\n").map(|(_, b)| b.to_owned()).unwrap_or_default()))
}

/// The raw response head (status line and headers) of one request without a body.
pub async fn request_head(port: u16, method: &str, path: &str, headers: &str) -> String {
    let mut s = TcpStream::connect(("127.0.0.1", port)).await.expect("connect");
    let head = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n{headers}\r\n");
    s.write_all(head.as_bytes()).await.expect("write");
    let mut out = Vec::new();
    tokio::time::timeout(Duration::from_secs(30), s.read_to_end(&mut out)).await.expect("in time").expect("read");
    let text = String::from_utf8_lossy(&out).into_owned();
    text.split("\r\n\r\n").next().unwrap_or_default().to_owned()
}

/// A JSON API call with an optional Bearer token: status and body. Panics if the server does
/// not answer.
pub async fn api(port: u16, method: &str, path: &str, token: Option<&str>, body: &str) -> (u16, String) {
    let auth = token.map(|t| format!("Authorization: Bearer {t}\r\n")).unwrap_or_default();
    let headers = format!("{auth}Content-Type: application/json\r\n");
    request(port, method, path, &headers, body).await.unwrap_or_else(|| panic!("{method} {path}: no answer"))
}
