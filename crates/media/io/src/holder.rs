//! Who holds a UDP port: read from `/proc` (Linux), for a bind error that says which process
//! to stop rather than only "Address already in use".

use std::path::Path;

/// `"pid 1234 (hikari)"` for the first process with a UDP socket bound to `port`, if `/proc`
/// tells (it does not for other users' processes unless we are root).
pub(crate) fn udp_port_holder(port: u16) -> Option<String> {
    let inodes: Vec<String> =
        ["/proc/net/udp", "/proc/net/udp6"].iter().filter_map(|f| std::fs::read_to_string(f).ok()).flat_map(|t| socket_inodes(&t, port)).collect();
    if inodes.is_empty() {
        return None;
    }
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let pid = entry.file_name().to_string_lossy().into_owned();
        if !pid.bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        let Ok(fds) = std::fs::read_dir(entry.path().join("fd")) else { continue };
        for fd in fds.flatten() {
            let Ok(link) = std::fs::read_link(fd.path()) else { continue };
            let link = link.to_string_lossy();
            if inodes.iter().any(|i| link == format!("socket:[{i}]")) {
                return Some(format!("pid {pid} ({})", command(&entry.path())));
            }
        }
    }
    None
}

/// The inodes of the sockets bound to local `port` in a `/proc/net/udp{,6}` table.
fn socket_inodes(table: &str, port: u16) -> Vec<String> {
    let want = format!(":{port:04X}");
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let cols: Vec<&str> = line.split_whitespace().collect();
            // sl local_address rem_address st tx:rx tr:tm retrnsmt uid timeout inode
            (cols.len() > 9 && cols[1].ends_with(&want)).then(|| cols[9].to_owned())
        })
        .filter(|inode| inode != "0")
        .collect()
}

fn command(proc_dir: &Path) -> String {
    std::fs::read_to_string(proc_dir.join("comm")).map(|c| c.trim().to_owned()).unwrap_or_else(|_| "?".into())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_inode_of_a_bound_port() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode ref pointer drops\n\
                     1234: 00000000:1EC2 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 55501 2 0000000000000000 0\n\
                     1235: 0100007F:1EC3 00000000:0000 07 00000000:00000000 00:00000000 00000000     0        0 55502 2 0000000000000000 0\n";
        assert_eq!(socket_inodes(table, 7874), vec!["55501"]);
        assert!(socket_inodes(table, 7000).is_empty());
    }

    #[test]
    fn names_this_process_for_a_port_it_holds() {
        let socket = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
        let port = socket.local_addr().expect("addr").port();
        let holder = udp_port_holder(port).expect("found");
        assert!(holder.starts_with(&format!("pid {} (", std::process::id())), "{holder}");
    }
}
