//! ISO BMFF boxes for a fragmented MP4 with one or more tracks: `ftyp` + `moov` (the init
//! segment: a `trak` per track, with an `avc1`/`avcC` sample entry for H.264 or an
//! `Opus`/`dOps` one per "Encapsulation of Opus in ISO Base Media File Format", empty
//! sample tables, and a `trex` per track in `mvex`) and a `moof` for each fragment, with a
//! `traf` per track whose samples follow in the one `mdat` after it. Boxes are appended to
//! a `Vec<u8>`; sizes are patched in when a box ends.

/// The video track's timescale (the RTP clock of video).
pub const TIMESCALE: u32 = 90_000;
/// The audio track's timescale (Opus always runs at 48 kHz).
pub const AUDIO_TIMESCALE: u32 = 48_000;
/// The track ID of a single-track file.
pub const TRACK_ID: u32 = 1;
/// `sample_flags` of a sync sample: depends on no other sample.
pub const SYNC: u32 = 0x0200_0000;
/// `sample_flags` of a non-sync sample: depends on others, `sample_is_non_sync_sample`.
pub const NON_SYNC: u32 = 0x0101_0000;

const MATRIX: [u32; 9] = [0x0001_0000, 0, 0, 0, 0x0001_0000, 0, 0, 0, 0x4000_0000];

/// Appends a box of type `kind` whose content `body` appends.
pub fn put_box(buf: &mut Vec<u8>, kind: &[u8; 4], body: impl FnOnce(&mut Vec<u8>)) {
    let start = buf.len();
    buf.extend_from_slice(&[0; 4]);
    buf.extend_from_slice(kind);
    body(buf);
    let size = (buf.len() - start) as u32;
    buf[start..start + 4].copy_from_slice(&size.to_be_bytes());
}

/// Appends a full box (version and flags first).
pub fn put_full_box(buf: &mut Vec<u8>, kind: &[u8; 4], version: u8, flags: u32, body: impl FnOnce(&mut Vec<u8>)) {
    put_box(buf, kind, |b| {
        b.extend_from_slice(&(u32::from(version) << 24 | flags & 0x00ff_ffff).to_be_bytes());
        body(b);
    });
}

fn u16s(b: &mut Vec<u8>, vs: &[u16]) {
    vs.iter().for_each(|v| b.extend_from_slice(&v.to_be_bytes()));
}

fn u32s(b: &mut Vec<u8>, vs: &[u32]) {
    vs.iter().for_each(|v| b.extend_from_slice(&v.to_be_bytes()));
}

/// What the init segment describes.
#[derive(Debug, Clone)]
pub struct AvcConfig<'a> {
    /// The SPS NAL unit (header byte first).
    pub sps: &'a [u8],
    /// The PPS NAL unit.
    pub pps: &'a [u8],
    /// Picture size.
    pub width: u16,
    /// Picture size.
    pub height: u16,
    /// `chroma_format_idc` (for the High profile extension of `avcC`).
    pub chroma_format_idc: u8,
    /// Luma (and chroma) bit depth.
    pub bit_depth: u8,
}

/// The AVCDecoderConfigurationRecord (ISO/IEC 14496-15, 4-byte NAL lengths).
pub fn put_avcc(buf: &mut Vec<u8>, c: &AvcConfig<'_>) {
    put_box(buf, b"avcC", |b| {
        b.extend_from_slice(&[1, c.sps.get(1).copied().unwrap_or(66), c.sps.get(2).copied().unwrap_or(0), c.sps.get(3).copied().unwrap_or(30)]);
        b.extend_from_slice(&[0xff, 0xe1]);
        b.extend_from_slice(&(c.sps.len() as u16).to_be_bytes());
        b.extend_from_slice(c.sps);
        b.push(1);
        b.extend_from_slice(&(c.pps.len() as u16).to_be_bytes());
        b.extend_from_slice(c.pps);
        if matches!(c.sps.get(1), Some(100 | 110 | 122 | 144)) {
            let depth = c.bit_depth.saturating_sub(8) & 7;
            b.extend_from_slice(&[0xfc | (c.chroma_format_idc & 3), 0xf8 | depth, 0xf8 | depth, 0]);
        }
    });
}

/// What one track holds.
#[derive(Debug, Clone)]
pub enum TrackConfig<'a> {
    /// H.264 video.
    Avc(AvcConfig<'a>),
    /// Opus audio.
    Opus {
        /// 1 or 2.
        channels: u8,
        /// Encoder delay in 48 kHz samples.
        pre_skip: u16,
    },
}

/// The Opus sample entry with its `dOps` (channel mapping family 0).
fn put_opus_entry(b: &mut Vec<u8>, channels: u8, pre_skip: u16) {
    put_box(b, b"Opus", |b| {
        u16s(b, &[0, 0, 0, 1]); // reserved, data_reference_index
        u32s(b, &[0, 0]);
        u16s(b, &[channels.into(), 16, 0, 0]);
        u32s(b, &[AUDIO_TIMESCALE << 16]);
        put_box(b, b"dOps", |b| {
            b.extend_from_slice(&[0, channels]);
            u16s(b, &[pre_skip]);
            u32s(b, &[48_000]);
            u16s(b, &[0]);
            b.push(0);
        });
    });
}

/// One track of an init segment.
#[derive(Debug, Clone)]
pub struct InitTrack<'a> {
    /// The track ID (from 1, unique in the file), as the `traf`s of fragments name it.
    pub id: u32,
    /// The codec and its parameters.
    pub config: TrackConfig<'a>,
}

/// Appends `ftyp` and `moov` for `tracks` (in this order).
pub fn put_init(buf: &mut Vec<u8>, tracks: &[InitTrack<'_>]) {
    let avc = tracks.iter().any(|t| matches!(t.config, TrackConfig::Avc(_)));
    let opus = tracks.iter().any(|t| matches!(t.config, TrackConfig::Opus { .. }));
    put_box(buf, b"ftyp", |b| {
        b.extend_from_slice(b"isom");
        u32s(b, &[0x200]);
        b.extend_from_slice(b"isomiso6iso2");
        if avc {
            b.extend_from_slice(b"avc1");
        }
        if opus {
            b.extend_from_slice(b"Opus");
        }
        b.extend_from_slice(b"mp41");
    });
    put_box(buf, b"moov", |b| {
        put_full_box(b, b"mvhd", 0, 0, |b| {
            u32s(b, &[0, 0, 1000, 0, 0x0001_0000]);
            u16s(b, &[0x0100, 0]);
            u32s(b, &[0, 0]);
            u32s(b, &MATRIX);
            u32s(b, &[0; 6]);
            u32s(b, &[tracks.iter().map(|t| t.id).max().unwrap_or(0).saturating_add(1)]);
        });
        tracks.iter().for_each(|t| put_trak(b, t));
        put_box(b, b"mvex", |b| {
            for t in tracks {
                put_full_box(b, b"trex", 0, 0, |b| u32s(b, &[t.id, 1, 0, 0, 0]));
            }
        });
    });
}

/// Appends the `trak` of one track, with empty sample tables.
fn put_trak(b: &mut Vec<u8>, track: &InitTrack<'_>) {
    let (timescale, audio, width, height) = match &track.config {
        TrackConfig::Avc(c) => (TIMESCALE, false, c.width, c.height),
        TrackConfig::Opus { .. } => (AUDIO_TIMESCALE, true, 0, 0),
    };
    put_box(b, b"trak", |b| {
        put_full_box(b, b"tkhd", 0, 3, |b| {
            u32s(b, &[0, 0, track.id, 0, 0, 0, 0]);
            u16s(b, &[0, 0, if audio { 0x0100 } else { 0 }, 0]);
            u32s(b, &MATRIX);
            u32s(b, &[u32::from(width) << 16, u32::from(height) << 16]);
        });
        put_box(b, b"mdia", |b| {
            put_full_box(b, b"mdhd", 0, 0, |b| {
                u32s(b, &[0, 0, timescale, 0]);
                u16s(b, &[0x55c4, 0]); // "und"
            });
            put_full_box(b, b"hdlr", 0, 0, |b| {
                u32s(b, &[0]);
                b.extend_from_slice(if audio { b"soun" } else { b"vide" });
                u32s(b, &[0, 0, 0]);
                b.extend_from_slice(if audio { b"SoundHandler\0" } else { b"VideoHandler\0" });
            });
            put_box(b, b"minf", |b| {
                if audio {
                    put_full_box(b, b"smhd", 0, 0, |b| u16s(b, &[0, 0]));
                } else {
                    put_full_box(b, b"vmhd", 0, 1, |b| u16s(b, &[0, 0, 0, 0]));
                }
                put_box(b, b"dinf", |b| {
                    put_full_box(b, b"dref", 0, 0, |b| {
                        u32s(b, &[1]);
                        put_full_box(b, b"url ", 0, 1, |_| {});
                    });
                });
                put_box(b, b"stbl", |b| {
                    put_full_box(b, b"stsd", 0, 0, |b| {
                        u32s(b, &[1]);
                        match &track.config {
                            TrackConfig::Avc(c) => put_avc_entry(b, c),
                            TrackConfig::Opus { channels, pre_skip } => put_opus_entry(b, *channels, *pre_skip),
                        }
                    });
                    put_full_box(b, b"stts", 0, 0, |b| u32s(b, &[0]));
                    put_full_box(b, b"stsc", 0, 0, |b| u32s(b, &[0]));
                    put_full_box(b, b"stsz", 0, 0, |b| u32s(b, &[0, 0]));
                    put_full_box(b, b"stco", 0, 0, |b| u32s(b, &[0]));
                });
            });
        });
    });
}

/// The `avc1` sample entry with its `avcC`.
fn put_avc_entry(b: &mut Vec<u8>, c: &AvcConfig<'_>) {
    put_box(b, b"avc1", |b| {
        u16s(b, &[0, 0, 0, 1, 0, 0]); // reserved, data_reference_index
        u32s(b, &[0, 0, 0]);
        u16s(b, &[c.width, c.height]);
        u32s(b, &[0x0048_0000, 0x0048_0000, 0]);
        u16s(b, &[1]);
        b.extend_from_slice(&[0; 32]); // compressorname
        u16s(b, &[0x0018, 0xffff]);
        put_avcc(b, c);
    });
}

/// One sample of a fragment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sample {
    /// Duration in the track's timescale.
    pub duration: u32,
    /// Size in bytes.
    pub size: u32,
    /// [`SYNC`] or [`NON_SYNC`].
    pub flags: u32,
}

/// The samples of one track in a fragment.
#[derive(Debug, Clone, Copy)]
pub struct Traf<'a> {
    /// The track's ID (as in the init segment).
    pub track_id: u32,
    /// The decode time of the first sample, in the track's timescale (`tfdt`).
    pub base_time: u64,
    /// The samples, in decode order; their data follows that of the previous `traf`s.
    pub samples: &'a [Sample],
}

/// Appends the `moof` of fragment `seq` (from 1): one `traf` per entry of `trafs`, each
/// with `tfhd` (default-base-is-moof), `tfdt` and a `trun` whose data offset points into
/// the one `mdat` that must follow right after, holding the samples' data in the order of
/// `trafs`. The caller keeps that `mdat` under 2 GiB.
pub fn put_moof(buf: &mut Vec<u8>, seq: u32, trafs: &[Traf<'_>]) {
    let start = buf.len();
    let mut offsets = Vec::with_capacity(trafs.len());
    put_box(buf, b"moof", |b| {
        put_full_box(b, b"mfhd", 0, 0, |b| u32s(b, &[seq]));
        for t in trafs {
            put_box(b, b"traf", |b| {
                put_full_box(b, b"tfhd", 0, 0x02_0000, |b| u32s(b, &[t.track_id])); // default-base-is-moof
                put_full_box(b, b"tfdt", 1, 0, |b| b.extend_from_slice(&t.base_time.to_be_bytes()));
                put_full_box(b, b"trun", 0, 0x000_701, |b| {
                    u32s(b, &[t.samples.len() as u32]);
                    offsets.push(b.len());
                    u32s(b, &[0]);
                    for s in t.samples {
                        u32s(b, &[s.duration, s.size, s.flags]);
                    }
                });
            });
        }
    });
    // From the moof's start to each traf's first byte in the mdat's data.
    let mut data_offset = (buf.len() - start + 8) as u64;
    for (&at, t) in offsets.iter().zip(trafs) {
        let offset = u32::try_from(data_offset).unwrap_or(u32::MAX);
        if let Some(field) = buf.get_mut(at..at + 4) {
            field.copy_from_slice(&offset.to_be_bytes());
        }
        data_offset += t.samples.iter().map(|s| u64::from(s.size)).sum::<u64>();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (type, size) of the boxes at the top of `data`.
    fn top(data: &[u8]) -> Vec<(String, usize)> {
        let mut at = 0;
        let mut boxes = Vec::new();
        while at + 8 <= data.len() {
            let size = u32::from_be_bytes(data[at..at + 4].try_into().expect("4")) as usize;
            boxes.push((String::from_utf8_lossy(&data[at + 4..at + 8]).into_owned(), size));
            assert!(size >= 8 && at + size <= data.len(), "box size {size} at {at}");
            at += size;
        }
        assert_eq!(at, data.len());
        boxes
    }

    #[test]
    fn box_sizes() {
        let mut b = Vec::new();
        put_full_box(&mut b, b"mfhd", 0, 0, |b| u32s(b, &[7]));
        assert_eq!(b, [0, 0, 0, 16, b'm', b'f', b'h', b'd', 0, 0, 0, 0, 0, 0, 0, 7]);
        let sps = [0x67, 100, 0, 30, 0xac];
        let c = AvcConfig { sps: &sps, pps: &[0x68, 0xee], width: 320, height: 240, chroma_format_idc: 1, bit_depth: 8 };
        let mut init = Vec::new();
        put_init(&mut init, &[InitTrack { id: TRACK_ID, config: TrackConfig::Avc(c.clone()) }]);
        assert_eq!(top(&init).iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(), ["ftyp", "moov"]);
        let moov = &init[top(&init)[0].1..];
        assert_eq!(top(&moov[8..]).iter().map(|(t, _)| t.as_str()).collect::<Vec<_>>(), ["mvhd", "trak", "mvex"]);
        assert_eq!(top(&moov[8..])[0].1, 108); // mvhd v0 is 108 bytes
        let mut opus = Vec::new();
        put_init(&mut opus, &[InitTrack { id: TRACK_ID, config: TrackConfig::Opus { channels: 2, pre_skip: 312 } }]);
        let entry = opus.windows(4).rposition(|w| w == b"Opus").expect("Opus entry") - 4; // not the ftyp brand
        assert_eq!(u32::from_be_bytes(opus[entry..entry + 4].try_into().expect("4")), 36 + 19);
        assert!(opus.windows(4).any(|w| w == b"smhd") && opus.windows(4).any(|w| w == b"soun"));
        let mut avcc = Vec::new();
        put_avcc(&mut avcc, &c);
        assert_eq!(avcc.len(), 8 + 6 + 2 + 5 + 1 + 2 + 2 + 4);
    }

    #[test]
    fn moof_data_offset_points_past_the_mdat_header() {
        let mut b = Vec::new();
        let s = Sample { duration: 3000, size: 10, flags: SYNC };
        put_moof(&mut b, 1, &[Traf { track_id: TRACK_ID, base_time: 0, samples: &[s, s] }]);
        assert_eq!(top(&b), [("moof".to_string(), b.len())]);
        let trun = b.windows(4).position(|w| w == b"trun").expect("trun");
        let offset = u32::from_be_bytes(b[trun + 12..trun + 16].try_into().expect("4"));
        assert_eq!(offset as usize, b.len() + 8);
        assert_eq!(u32::from_be_bytes(b[trun + 8..trun + 12].try_into().expect("4")), 2);
    }

    #[test]
    fn two_tracks_share_one_mdat() {
        let sps = [0x67, 66, 0, 30, 0xac];
        let c = AvcConfig { sps: &sps, pps: &[0x68, 0xee], width: 320, height: 240, chroma_format_idc: 1, bit_depth: 8 };
        let mut init = Vec::new();
        put_init(&mut init, &[InitTrack { id: 1, config: TrackConfig::Avc(c) }, InitTrack { id: 2, config: TrackConfig::Opus { channels: 2, pre_skip: 312 } }]);
        let moov_at = top(&init)[0].1;
        let moov: Vec<String> = top(&init[moov_at + 8..]).into_iter().map(|(t, _)| t).collect();
        assert_eq!(moov, ["mvhd", "trak", "trak", "mvex"]);
        assert_eq!(init.windows(4).filter(|w| w == b"trex").count(), 2);
        let mvhd = moov_at + 8;
        assert_eq!(&init[mvhd + 104..mvhd + 108], &3u32.to_be_bytes()); // next_track_ID
        let (v, a) = (Sample { duration: 3000, size: 10, flags: SYNC }, Sample { duration: 960, size: 7, flags: SYNC });
        let mut b = Vec::new();
        put_moof(&mut b, 4, &[Traf { track_id: 1, base_time: 9000, samples: &[v, v] }, Traf { track_id: 2, base_time: 4800, samples: &[a] }]);
        let truns: Vec<usize> = b.windows(4).enumerate().filter(|(_, w)| w == b"trun").map(|(i, _)| i).collect();
        let field = |at: usize| u32::from_be_bytes(b[at..at + 4].try_into().expect("4"));
        assert_eq!(truns.len(), 2);
        assert_eq!(field(truns[0] + 12) as usize, b.len() + 8);
        assert_eq!(field(truns[1] + 12) as usize, b.len() + 8 + 20);
        let tfdt = b.windows(4).rposition(|w| w == b"tfdt").expect("tfdt");
        assert_eq!(&b[tfdt + 8..tfdt + 16], &4800u64.to_be_bytes());
    }
}
