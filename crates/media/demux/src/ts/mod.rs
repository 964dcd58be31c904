//! MPEG-TS demuxing for SRT input (ffmpeg `-f mpegts srt://…`, OBS): packets resynced
//! on 0x47, PAT and PMT (`psi.rs`), PES reassembly with continuity checks (`demuxer.rs`),
//! and PES payloads to H.264 access units and AAC frames (`pes.rs`).

mod demuxer;
mod pes;
mod psi;

pub use demuxer::{TsDemuxer, TsStats};
