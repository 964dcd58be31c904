//! Egress jobs at run time. [`Recorder::handle`] runs the EgressService calls: a track egress
//! finds its track in the room (codec, publisher), resolves its file inside the recordings
//! directory ([`hikari_egress::path`]), records the job (starting), opens the file and
//! attaches an internal sink to the track in the SFU. Each job then runs on a thread of its
//! own (`job.rs`): packet batches from the media thread go through a
//! [`hikari_mux::TrackRecorder`] into the file, written as they come, so a crash leaves a
//! readable file; the first frame makes the job active; its end (stopped, the track gone,
//! the disk full) finishes the file, syncs it to disk and reports the end with the file's
//! size and duration. A room created with `egress.tracks` records every track published in
//! it (`auto.rs`). With `egress.s3`, a finished job's files are copied to the bucket before its
//! end is recorded (`upload.rs`). [`library`] knows which files make up a finished recording and deletes
//! them.
//!
//! **Architecture Invariant:** a job's failure ends that job, never the server or another
//! job: it runs on its own thread and every error it meets becomes its egress's status.
#![deny(missing_docs)]

mod auto;
mod avail;
mod composite;
mod delete;
mod error;
mod feed;
mod hls;
mod hls_file;
mod hls_start;
mod job;
pub mod library;
pub mod live;
mod package;
mod rejoin;
mod restream;
mod room_start;
mod start;
mod thumbs;
mod upload;

pub use error::RecordError;
pub use live::{LiveHls, LiveStream};
pub use start::{Recorder, RecorderConfig};
