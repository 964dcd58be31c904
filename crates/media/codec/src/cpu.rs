//! CPU time of a process from `/proc/<pid>/stat` (user + system), for the transcode-CPU
//! metric. Linux reports it in `USER_HZ` ticks, 100 per second on every Linux target.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

/// A child's CPU time as its owner reads it: live from `/proc` while it runs, the last reading
/// its supervisor took (`cpu_millis`, every 250 ms) once it has ended (`ended`).
#[derive(Debug)]
pub(crate) struct ChildCpu {
    pub(crate) pid: Option<u32>,
    pub(crate) ended: Arc<AtomicBool>,
    pub(crate) cpu_millis: Arc<AtomicU64>,
}

impl ChildCpu {
    pub(crate) fn new(pid: Option<u32>) -> Self {
        Self { pid, ended: Arc::default(), cpu_millis: Arc::default() }
    }

    /// The process id, while it runs.
    pub(crate) fn pid(&self) -> Option<u32> {
        if self.ended.load(Ordering::Relaxed) { None } else { self.pid }
    }

    /// User plus system CPU time: read now while it runs, the last reading once it has ended.
    pub(crate) fn time(&self) -> Option<Duration> {
        if let Some(t) = self.pid().and_then(of_pid) {
            self.cpu_millis.fetch_max(u64::try_from(t.as_millis()).unwrap_or(u64::MAX), Ordering::Relaxed);
            return Some(t);
        }
        let last = self.cpu_millis.load(Ordering::Relaxed);
        (last > 0).then(|| Duration::from_millis(last))
    }
}

/// `USER_HZ`.
const TICKS_PER_SECOND: u64 = 100;

/// User plus system CPU time of process `pid`, if it is readable.
pub fn of_pid(pid: u32) -> Option<Duration> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    parse_stat(&stat)
}

/// Fields 14 and 15 (`utime`, `stime`) of a stat line; the command name (field 2) may hold
/// spaces and parentheses, so counting starts after its last `)`.
fn parse_stat(stat: &str) -> Option<Duration> {
    let rest = &stat[stat.rfind(')')? + 1..];
    let mut fields = rest.split_ascii_whitespace().skip(11);
    let utime: u64 = fields.next()?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    let ticks = utime.checked_add(stime)?;
    Some(Duration::from_millis(ticks.checked_mul(1000 / TICKS_PER_SECOND)?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_utime_and_stime() {
        let line = "4242 (ff mpeg (x)) S 1 4242 4242 0 -1 4194304 1000 0 0 0 250 75 0 0 20 0 3 0 100 1000000 500 18446744073709551615";
        assert_eq!(parse_stat(line), Some(Duration::from_millis(3250)));
        assert_eq!(parse_stat("4242 (ffmpeg) S 1"), None);
        assert!(of_pid(std::process::id()).is_some(), "our own process");
    }
}
