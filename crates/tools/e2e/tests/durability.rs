//! Nothing acknowledged is lost: during a burst of page views the real binary is killed
//! (SIGKILL) or stopped (SIGTERM); after a restart on the same data directory, every page
//! view that got its `200 OK` is stored.

use std::collections::HashSet;
use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use tokio::sync::Mutex;

/// Page views requested per run, by this many concurrent clients (fewer than the 1,000 one
/// page of the events API returns, so every stored view can be read back).
const BURST: usize = 900;
const CLIENTS: usize = 24;
/// The stop comes once this many views were acknowledged.
const STOP_AFTER: usize = 300;

mod common;

use common::{api, binary, free_port, request, spawn as start, wait_listening};

/// A published opt-in page at `/f/f/in`.
async fn funnel(port: u16, token: &str) {
    let calls = [
        ("POST", "/api/v1/funnels", r#"{"slug":"f","name":"F"}"#, 201),
        ("POST", "/api/v1/funnels/1/steps", r#"{"slug":"in","name":"in","kind":"optin"}"#, 201),
        ("PUT", "/api/v1/steps/1/page", r#"{"version":1,"css":"","page":{"sections":[]}}"#, 200),
        ("POST", "/api/v1/steps/1/publish", r#"{"version":2}"#, 200),
    ];
    for (method, path, body, want) in calls {
        let (status, text) = api(port, method, path, Some(token), body).await;
        assert_eq!(status, want, "{method} {path}: {text}");
    }
}

/// Runs the burst, stops the server with `stop` once STOP_AFTER views are acknowledged,
/// and returns the acknowledged visitor ids.
async fn burst(port: u16, salt: u64, stop: impl FnOnce()) -> HashSet<String> {
    let acked = Arc::new(Mutex::new(HashSet::new()));
    let count = Arc::new(AtomicUsize::new(0));
    let next = Arc::new(AtomicUsize::new(0));
    let mut workers = Vec::new();
    for _ in 0..CLIENTS {
        let (acked, count, next) = (acked.clone(), count.clone(), next.clone());
        workers.push(tokio::spawn(async move {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                if i >= BURST {
                    return;
                }
                let visitor = format!("{salt:016x}{i:016x}");
                match request(port, "GET", "/f/f/in", &format!("Cookie: _fv={visitor}\r\n"), "").await {
                    Some((200, _)) => {
                        acked.lock().await.insert(visitor);
                        count.fetch_add(1, Ordering::Relaxed);
                    }
                    Some((status, body)) => panic!("page view answered {status}: {body}"),
                    None => return, // the server is gone
                }
            }
        }));
    }
    // Bounded: 900 views on a loaded machine take seconds, not minutes.
    for _ in 0..1200 {
        if count.load(Ordering::Relaxed) >= STOP_AFTER {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert!(count.load(Ordering::Relaxed) >= STOP_AFTER, "the burst did not get going");
    stop();
    for w in workers {
        w.await.expect("worker");
    }
    acked.lock().await.clone()
}

/// The visitors of every stored page view, read through the API of a restarted server.
async fn stored_views(data: &Path, token: &str) -> HashSet<String> {
    let port = free_port();
    let mut child = start(data, port);
    wait_listening(port).await;
    let (status, body) = api(port, "GET", "/api/v1/events?name=page_view&limit=1000", Some(token), "").await;
    let _ = child.kill();
    let _ = child.wait();
    assert_eq!(status, 200, "{body}");
    let events: Vec<serde_json::Value> = serde_json::from_str(&body).expect("events JSON");
    assert!(events.len() < 1000, "more views than one page of the API");
    events.iter().filter_map(|e| e["visitor"].as_str().map(str::to_owned)).collect()
}

async fn run(signal: &str) {
    let port = free_port();
    let data = std::env::temp_dir().join(format!("hikari-durability-{signal}-{}-{port}", std::process::id()));
    let out = Command::new(binary()).args(["admin", "create-token", "--name", "t", "--data-dir"]).arg(&data).output().expect("create-token runs");
    assert!(out.status.success(), "create-token: {}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8_lossy(&out.stdout).trim().to_owned();
    let mut child = start(&data, port);
    wait_listening(port).await;
    funnel(port, &token).await;
    let pid = child.id().to_string();
    let acked = burst(port, u64::from(port), || {
        let status = Command::new("kill").args([signal, &pid]).status().expect("kill runs");
        assert!(status.success());
    })
    .await;
    let exit = tokio::task::spawn_blocking(move || child.wait()).await.expect("join").expect("wait");
    if signal == "-TERM" {
        assert!(exit.success(), "SIGTERM ends the server cleanly: {exit:?}");
    }
    let stored = stored_views(&data, &token).await;
    let lost: Vec<_> = acked.difference(&stored).collect();
    let _ = std::fs::remove_dir_all(&data);
    assert!(acked.len() >= STOP_AFTER);
    assert!(lost.is_empty(), "{} of {} acknowledged page views lost after {signal}: {:?}", lost.len(), acked.len(), &lost[..lost.len().min(5)]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn kill_9_during_a_page_view_burst_loses_no_acknowledged_view() {
    run("-KILL").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_during_a_page_view_burst_stops_cleanly_and_loses_no_acknowledged_view() {
    run("-TERM").await;
}
