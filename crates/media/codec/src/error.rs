//! The crate's error types: [`CodecError`] for parsers and job start-up, [`JobError`] for
//! how a running job ended, [`Backpressure`] for input a job cannot take right now.

use std::path::PathBuf;
use std::time::Duration;

/// Why a parser refused its input, or why a job could not start.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    /// The input ended inside the named structure.
    #[error("truncated {0}")]
    Truncated(&'static str),
    /// A field holds a value the format does not allow.
    #[error("invalid {what}: {why}")]
    Invalid {
        /// The structure being read.
        what: &'static str,
        /// What is wrong with it.
        why: &'static str,
    },
    /// No ffmpeg program at the configured path.
    #[error("ffmpeg not found at {} (install Debian's ffmpeg package or set the path)", path.display())]
    FfmpegMissing {
        /// The path that was tried.
        path: PathBuf,
    },
    /// ffmpeg exists but could not be started.
    #[error("cannot start ffmpeg at {}: {source}", path.display())]
    Spawn {
        /// The path that was tried.
        path: PathBuf,
        /// The operating system's reason.
        source: std::io::Error,
    },
    /// A loopback UDP socket for the job's output could not be bound.
    #[error("cannot bind a loopback UDP socket for ffmpeg's output: {0}")]
    Bind(std::io::Error),
    /// The job's specification cannot be run (no output, too many layers, a zero size…).
    #[error("invalid job spec: {0}")]
    Spec(String),
}

/// How a job ended badly. The texts are ffmpeg's last stderr lines: its own messages about
/// the input and the encoders (the command line holds no secret: input comes on stdin,
/// output goes to loopback ports).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum JobError {
    /// ffmpeg exited with a failure status (or was killed by a signal it did not expect).
    #[error("ffmpeg failed ({status}): {stderr}")]
    Failed {
        /// The exit status as the OS tells it (`exit status: 1`, `signal: 11`…).
        status: String,
        /// ffmpeg's last stderr lines, joined by `; `.
        stderr: String,
    },
    /// Input kept arriving but no output came for the watchdog's whole window: killed.
    #[error("ffmpeg stalled: no output for {after:?} while input arrived; killed ({stderr})")]
    Stalled {
        /// The watchdog's window.
        after: Duration,
        /// ffmpeg's last stderr lines, joined by `; ` (often empty for a stall).
        stderr: String,
    },
    /// Waiting for the child failed (the OS refused `waitpid`).
    #[error("lost track of ffmpeg: {0}")]
    Wait(String),
}

/// Why [`crate::Job::write`] (or [`crate::Decoder::write`]) did not take a chunk. The caller
/// decides: drop the chunk, or end the ingest. Writing never blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Backpressure {
    /// The bounded queue to ffmpeg is full: ffmpeg is not keeping up (or is stalled).
    #[error("ffmpeg's input queue is full")]
    Full,
    /// The job has ended or its input was closed; nothing more is taken.
    #[error("the job takes no more input")]
    Closed,
}
