//! Subcommands of the real binary that do not serve.

use std::process::Command;

mod common;

use common::binary;

#[test]
fn ports_needs_no_api_keys() {
    let out = Command::new(binary())
        .arg("ports")
        .env_remove("LIVEKIT_KEYS")
        .env_remove("LIVEKIT_CONFIG")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("hikari binary runs (build it with `cargo build --bins`)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "ports failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(stdout.contains("tcp 7880") && stdout.contains("udp 7882"), "{stdout}");
}

#[test]
fn serving_still_needs_api_keys() {
    let out = Command::new(binary()).arg("list-nodes").env_remove("LIVEKIT_KEYS").env_remove("LIVEKIT_CONFIG").output().expect("runs");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no API keys configured"));
}

#[test]
fn a_taken_udp_port_names_the_process_holding_it() {
    let held = std::net::UdpSocket::bind("0.0.0.0:0").expect("bind");
    let udp = held.local_addr().expect("addr").port();
    let data = std::env::temp_dir().join(format!("hikari-e2e-udp-{}-{udp}", std::process::id()));
    let http = common::free_port();
    let mut child =
        common::server_command(&data, http, udp, "").stdout(std::process::Stdio::null()).stderr(std::process::Stdio::piped()).spawn().expect("runs");
    // Bounded: a server that did start is killed after 20 s (and the test fails).
    for _ in 0..200 {
        if child.try_wait().expect("wait").is_some() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    let _ = child.kill();
    let out = child.wait_with_output().expect("output");
    let _ = std::fs::remove_dir_all(&data);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started on a taken port");
    assert!(stderr.contains(&format!("cannot bind the WebRTC UDP port 0.0.0.0:{udp}: pid {} (", std::process::id())), "{stderr}");
    assert!(stderr.contains("holds it"), "{stderr}");
}
