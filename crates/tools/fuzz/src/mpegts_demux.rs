//! The MPEG-TS demuxer (`hikari_demux::fuzzing::feed_ts`): any bytes, cut into pieces, with
//! resync, PAT/PMT, PES reassembly, Annex B and ADTS. Nothing may panic.

pub fn run(data: &[u8]) {
    hikari_demux::fuzzing::feed_ts(data);
}
