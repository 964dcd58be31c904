//! Ogg Opus (RFC 7845, RFC 3533): an OpusHead page (BOS), an OpusTags page, then audio
//! pages. Granule positions are 48 kHz sample counts taken from the RTP timestamps, so a
//! pause (DTX, loss, reconnect) keeps wall-clock time. A page is written once it holds
//! about a second of audio, so a crash loses at most that; `finish` writes the last page
//! with EOS.

use crate::depack::{Frame, opus::packet_samples};
use crate::error::MuxError;
use crate::out::{Out, Span};
use std::io::Write;

/// A page is written once the audio on it spans this many 48 kHz samples.
const PAGE_SAMPLES: u64 = 48_000;
/// The stream serial number (one stream per file).
const SERIAL: u32 = 0x4869_6b61;

const CRC_TABLE: [u32; 256] = {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut r = (i as u32) << 24;
        let mut bit = 0;
        while bit < 8 {
            r = if r & 0x8000_0000 != 0 { r << 1 ^ 0x04c1_1db7 } else { r << 1 };
            bit += 1;
        }
        table[i] = r;
        i += 1;
    }
    table
};

/// The Ogg page checksum: CRC-32, polynomial 0x04c11db7, no reflection, initial value 0,
/// no final XOR.
pub fn crc32(data: &[u8]) -> u32 {
    data.iter().fold(0u32, |crc, &b| crc << 8 ^ CRC_TABLE[usize::from((crc >> 24) as u8 ^ b)])
}

/// The OpusHead identification header (channel mapping family 0: mono or stereo).
pub fn opus_head(channels: u8, pre_skip: u16) -> [u8; 19] {
    let mut h = [0u8; 19];
    h[..8].copy_from_slice(b"OpusHead");
    h[8] = 1;
    h[9] = channels;
    h[10..12].copy_from_slice(&pre_skip.to_le_bytes());
    h[12..16].copy_from_slice(&48_000u32.to_le_bytes());
    h
}

/// Writes one Opus track as an Ogg stream.
#[derive(Debug)]
pub struct OggOpusWriter<W> {
    out: Out<W>,
    channels: u8,
    pre_skip: u16,
    headers_done: bool,
    closed: bool,
    page_seq: u32,
    body: Vec<u8>,
    lacing: Vec<u8>,
    page_first: Option<u64>,
    granule: u64,
    span: Span,
    origin: Option<u64>,
    buf: Vec<u8>,
}

impl<W: Write> OggOpusWriter<W> {
    /// A writer for `channels` (1 or 2) channels with `pre_skip` samples of encoder delay.
    pub fn new(w: W, channels: u8, pre_skip: u16) -> Self {
        Self {
            out: Out::new(w),
            channels: channels.clamp(1, 2),
            pre_skip,
            headers_done: false,
            closed: false,
            page_seq: 0,
            body: Vec::new(),
            lacing: Vec::new(),
            page_first: None,
            granule: 0,
            span: Span::default(),
            origin: None,
            buf: Vec::new(),
        }
    }

    fn headers(&mut self) -> Result<(), MuxError> {
        if self.headers_done {
            return Ok(());
        }
        self.headers_done = true;
        let head = opus_head(self.channels, self.pre_skip);
        self.page(&[&head], 0x02, 0)?;
        let vendor = b"hikari";
        let mut tags = Vec::with_capacity(24);
        tags.extend_from_slice(b"OpusTags");
        tags.extend_from_slice(&(vendor.len() as u32).to_le_bytes());
        tags.extend_from_slice(vendor);
        tags.extend_from_slice(&0u32.to_le_bytes());
        self.page(&[&tags], 0, 0)
    }

    /// Writes a page holding whole `packets`.
    fn page(&mut self, packets: &[&[u8]], flags: u8, granule: u64) -> Result<(), MuxError> {
        self.body.clear();
        self.lacing.clear();
        for p in packets {
            lace(&mut self.lacing, p.len());
            self.body.extend_from_slice(p);
        }
        self.write_page(flags, granule)
    }

    fn write_page(&mut self, flags: u8, granule: u64) -> Result<(), MuxError> {
        self.buf.clear();
        self.buf.extend_from_slice(b"OggS");
        self.buf.extend_from_slice(&[0, flags]);
        self.buf.extend_from_slice(&granule.to_le_bytes());
        self.buf.extend_from_slice(&SERIAL.to_le_bytes());
        self.buf.extend_from_slice(&self.page_seq.to_le_bytes());
        self.buf.extend_from_slice(&[0; 4]);
        self.buf.push(self.lacing.len() as u8);
        self.buf.extend_from_slice(&self.lacing);
        self.buf.extend_from_slice(&self.body);
        let crc = crc32(&self.buf);
        self.buf[22..26].copy_from_slice(&crc.to_le_bytes());
        self.page_seq += 1;
        self.out.put(&self.buf)?;
        self.out.w.flush()?;
        self.body.clear();
        self.lacing.clear();
        self.page_first = None;
        Ok(())
    }

    /// Adds one Opus packet.
    pub fn frame(&mut self, frame: Frame<'_>) -> Result<(), MuxError> {
        if self.closed {
            return Err(MuxError::Unsupported("the Ogg stream is closed"));
        }
        let samples = u64::from(packet_samples(frame.data)?);
        if frame.data.len() >= 255 * 255 {
            return Err(MuxError::Invalid { what: "Opus packet", why: "too long for one Ogg page" });
        }
        self.headers()?;
        let ts = frame.ts - *self.origin.get_or_insert(frame.ts);
        if self.lacing.len() + frame.data.len() / 255 + 1 > 255 {
            let g = self.granule;
            self.write_page(0, g)?;
        }
        lace(&mut self.lacing, frame.data.len());
        self.body.extend_from_slice(frame.data);
        self.granule = self.granule.max(ts.saturating_add(samples));
        self.span.add(ts, Some(samples));
        let first = *self.page_first.get_or_insert(ts);
        if self.granule - first >= PAGE_SAMPLES {
            let g = self.granule;
            self.write_page(0, g)?;
        }
        Ok(())
    }

    /// Writes the packets waiting for their page now, as a page of their own (a live
    /// consumer, such as a decoder, then gets each packet as it comes).
    pub fn flush_page(&mut self) -> Result<(), MuxError> {
        if self.closed || self.lacing.is_empty() {
            return Ok(());
        }
        let g = self.granule;
        self.write_page(0, g)
    }

    /// Writes what is pending with EOS (once) and flushes.
    pub fn close(&mut self) -> Result<(), MuxError> {
        if self.closed {
            return Ok(());
        }
        self.closed = true;
        self.headers()?;
        let g = self.granule;
        self.write_page(0x04, g)
    }

    /// [`OggOpusWriter::close`], then gives the output back.
    pub fn finish(mut self) -> Result<W, MuxError> {
        self.close()?;
        Ok(self.out.w)
    }

    /// The output (call [`OggOpusWriter::close`] first).
    pub fn into_inner(self) -> W {
        self.out.w
    }

    /// Bytes written so far.
    pub fn bytes(&self) -> u64 {
        self.out.bytes
    }

    /// Packets written so far.
    pub fn frames(&self) -> u64 {
        self.span.frames
    }

    /// The audio's duration (48 kHz samples), pre-skip not subtracted.
    pub fn duration_samples(&self) -> u64 {
        self.span.duration()
    }

    /// The output.
    pub fn get_ref(&self) -> &W {
        &self.out.w
    }

    /// The output, to take what was written (a live consumer drains it).
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out.w
    }
}

/// Appends the lacing values of a `len`-byte packet.
fn lace(lacing: &mut Vec<u8>, len: usize) {
    lacing.extend(std::iter::repeat_n(255u8, len / 255));
    lacing.push((len % 255) as u8);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn crc_known_value() {
        // CRC-32 with polynomial 0x04c11db7, no reflection, init 0, no final XOR.
        assert_eq!(crc32(b"123456789"), 0x89a1_897f);
        assert_eq!(crc32(b""), 0);
    }

    #[test]
    fn lacing_values() {
        let mut l = Vec::new();
        lace(&mut l, 0);
        lace(&mut l, 255);
        lace(&mut l, 300);
        assert_eq!(l, [0, 255, 0, 255, 45]);
    }

    #[test]
    fn pages_granules_and_crc() {
        let mut w = OggOpusWriter::new(Vec::new(), 2, 312);
        let packet = [0xfc, 1, 2, 3];
        for i in 0..60u64 {
            w.frame(Frame { ts: 1000 + i * 960, keyframe: true, size: None, data: &packet }).expect("frame");
        }
        let out = w.finish().expect("finish");
        let mut pages = Vec::new();
        let mut at = 0;
        while at < out.len() {
            assert_eq!(&out[at..at + 4], b"OggS");
            let n = usize::from(out[at + 26]);
            let len = 27 + n + out[at + 27..at + 27 + n].iter().map(|&l| usize::from(l)).sum::<usize>();
            let mut page = out[at..at + len].to_vec();
            let crc = u32::from_le_bytes([page[22], page[23], page[24], page[25]]);
            page[22..26].fill(0);
            assert_eq!(crc32(&page), crc);
            pages.push((page[5], u64::from_le_bytes(page[6..14].try_into().expect("8 bytes")), n));
            at += len;
        }
        // Head (BOS), tags, a page of 50 packets (1 s), the last 10 with EOS.
        assert_eq!(pages, [(2, 0, 1), (0, 0, 1), (0, 48_000, 50), (4, 57_600, 10)]);
    }

    /// A live consumer gets each packet in a page of its own, as it comes, and can take the
    /// bytes written so far.
    #[test]
    fn flush_page_writes_each_packet_now() {
        let mut w = OggOpusWriter::new(Vec::new(), 2, 0);
        let packet = [0xfc, 1, 2, 3];
        w.frame(Frame { ts: 0, keyframe: true, size: None, data: &packet }).expect("frame");
        w.flush_page().expect("flush");
        let first = std::mem::take(w.get_mut());
        // OpusHead, OpusTags, then the packet's own page ending with it.
        assert_eq!(first.windows(4).filter(|x| x == b"OggS").count(), 3);
        assert!(first.ends_with(&packet));
        w.flush_page().expect("nothing pending: nothing written");
        assert!(w.get_ref().is_empty());
        w.frame(Frame { ts: 960, keyframe: true, size: None, data: &packet }).expect("frame");
        w.flush_page().expect("flush");
        assert_eq!((w.get_ref().windows(4).filter(|x| x == b"OggS").count(), w.get_ref().ends_with(&packet)), (1, true));
    }
}
