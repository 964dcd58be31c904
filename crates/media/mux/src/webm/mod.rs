//! WebM (the Matroska subset browsers play): [`ebml`] writes elements, [`writer`] lays out
//! a live, one-track file.

pub mod ebml;
pub mod writer;
