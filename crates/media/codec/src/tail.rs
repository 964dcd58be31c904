//! The last lines of ffmpeg's stderr, bounded in count and length, control characters
//! replaced: the error message a failed job ends with.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncRead, AsyncReadExt};

/// Lines kept.
const LINES: usize = 8;
/// Characters kept per line.
const LINE_LEN: usize = 400;

/// The kept lines, shared between the reading task and the supervisor.
#[derive(Debug, Clone, Default)]
pub struct Tail(Arc<Mutex<VecDeque<String>>>);

impl Tail {
    fn push(&self, line: &[u8]) {
        let text: String = String::from_utf8_lossy(line).chars().map(|c| if c.is_control() { ' ' } else { c }).take(LINE_LEN).collect();
        let text = text.trim();
        if text.is_empty() {
            return;
        }
        if let Ok(mut lines) = self.0.lock() {
            if lines.len() == LINES {
                lines.pop_front();
            }
            lines.push_back(text.to_owned());
        }
    }

    /// The kept lines joined by `; `.
    pub fn joined(&self) -> String {
        self.0.lock().map(|l| l.iter().map(String::as_str).collect::<Vec<_>>().join("; ")).unwrap_or_default()
    }

    /// Reads `stderr` to its end, keeping the last lines; a line longer than the buffer is
    /// cut, never buffered whole.
    pub async fn read_from(self, mut stderr: impl AsyncRead + Unpin) {
        let mut buf = vec![0u8; 4096];
        let mut line: Vec<u8> = Vec::with_capacity(LINE_LEN);
        loop {
            let n = match stderr.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => n,
            };
            for &b in &buf[..n] {
                if b == b'\n' || b == b'\r' {
                    self.push(&line);
                    line.clear();
                } else if line.len() < LINE_LEN * 4 {
                    line.push(b);
                }
            }
        }
        self.push(&line);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keeps_the_last_lines_bounded() {
        let mut input = Vec::new();
        for i in 0..20 {
            input.extend_from_slice(format!("line {i}\n").as_bytes());
        }
        input.extend_from_slice(&[b'x'; 10_000]);
        input.extend_from_slice(b"\n\x1b[31mred\r\n");
        let tail = Tail::default();
        tail.clone().read_from(&input[..]).await;
        let text = tail.joined();
        assert!(text.starts_with("line 14; line 15"), "{text}");
        assert!(text.ends_with("[31mred"), "escape replaced: {text}");
        assert!(text.len() < 8 * 410, "lines are cut");
    }
}
