//! The AV1 dependency descriptor RTP header extension (AV1 RTP specification, appendix A),
//! read without allocating into fixed-size arrays.
//!
//! Every packet carries the mandatory fields (start and end of frame, a template id, the
//! frame number); a keyframe's first packet usually also carries the template dependency
//! structure, which later packets refer to by template id. [`parse`] takes the structure
//! last seen and returns the frame's spatial and temporal ids, its decode target
//! indications, and a new structure when the packet brought one.

/// Most templates a structure may hold (the template id is 6 bits).
pub const MAX_TEMPLATES: usize = 64;
/// Most decode targets (`dt_cnt_minus_one` is 5 bits).
pub const MAX_DECODE_TARGETS: usize = 32;
/// A decode target indication: the frame is not present in the decode target.
pub const DTI_NOT_PRESENT: u8 = 0;
/// A decode target indication: the frame is a switch point for the decode target.
pub const DTI_SWITCH: u8 = 2;

/// A template dependency structure.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Structure {
    /// `template_id_offset`.
    pub id_offset: u8,
    /// Decode targets (1 to 32).
    pub decode_targets: u8,
    /// Templates (1 to 64).
    pub templates: u8,
    /// Chains (0 to `decode_targets`).
    pub chains: u8,
    /// The spatial id of each template.
    pub spatial: [u8; MAX_TEMPLATES],
    /// The temporal id of each template.
    pub temporal: [u8; MAX_TEMPLATES],
    /// Each template's decode target indications, two bits per target (target 0 lowest).
    pub dtis: [u64; MAX_TEMPLATES],
    /// The highest spatial id of any template.
    pub max_spatial: u8,
    /// Each decode target's spatial id.
    pub target_spatial: [u8; MAX_DECODE_TARGETS],
    /// Each decode target's temporal id.
    pub target_temporal: [u8; MAX_DECODE_TARGETS],
}

impl Default for Structure {
    fn default() -> Self {
        Self {
            id_offset: 0,
            decode_targets: 0,
            templates: 0,
            chains: 0,
            spatial: [0; MAX_TEMPLATES],
            temporal: [0; MAX_TEMPLATES],
            dtis: [0; MAX_TEMPLATES],
            max_spatial: 0,
            target_spatial: [0; MAX_DECODE_TARGETS],
            target_temporal: [0; MAX_DECODE_TARGETS],
        }
    }
}

impl Structure {
    /// The decode target of exactly these layers, if the structure has one.
    pub fn target_for(&self, spatial: u8, temporal: u8) -> Option<usize> {
        (0..usize::from(self.decode_targets).min(MAX_DECODE_TARGETS)).find(|&dt| self.target_spatial[dt] == spatial && self.target_temporal[dt] == temporal)
    }
}

/// One packet's frame, as its descriptor describes it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// The packet is the first of its frame.
    pub start_of_frame: bool,
    /// The packet is the last of its frame.
    pub end_of_frame: bool,
    /// `frame_dependency_template_id`.
    pub template_id: u8,
    /// `frame_number`.
    pub frame_number: u16,
    /// The frame's spatial id.
    pub spatial: u8,
    /// The frame's temporal id.
    pub temporal: u8,
    /// The frame's decode target indications, two bits per target.
    pub dtis: u64,
    /// The packet carried a template dependency structure.
    pub has_structure: bool,
    /// `active_decode_targets_bitmask`, when the packet carried one.
    pub active_targets: Option<u32>,
}

impl Frame {
    /// The frame's indication for decode target `dt`.
    pub fn dti(&self, dt: usize) -> u8 {
        if dt >= MAX_DECODE_TARGETS { DTI_NOT_PRESENT } else { (self.dtis >> (2 * dt)) as u8 & 0x03 }
    }
}

/// A bit reader, most significant bit first.
struct Bits<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl Bits<'_> {
    fn f(&mut self, n: u32) -> Option<u32> {
        let mut v = 0u32;
        for _ in 0..n {
            let byte = *self.bytes.get(self.at / 8)?;
            let bit = (byte >> (7 - self.at % 8)) & 1;
            v = (v << 1) | u32::from(bit);
            self.at += 1;
        }
        Some(v)
    }

    fn flag(&mut self) -> Option<bool> {
        Some(self.f(1)? == 1)
    }

    /// `ns(n)`: a non-symmetric unsigned value below `n`.
    fn ns(&mut self, n: u32) -> Option<u32> {
        let w = 32 - n.leading_zeros();
        if w == 0 {
            return Some(0);
        }
        let m = (1u32 << w) - n;
        let v = self.f(w - 1)?;
        if v < m {
            return Some(v);
        }
        let extra = self.f(1)?;
        Some((v << 1) - m + extra)
    }
}

/// Reads a dependency descriptor; `known` is the structure last received. `None` when the
/// bytes are truncated or inconsistent, or name a template no structure defines. The second
/// value is the structure this packet brought, if any.
pub fn parse(bytes: &[u8], known: Option<&Structure>) -> Option<(Frame, Option<Structure>)> {
    let mut b = Bits { bytes, at: 0 };
    let mut frame =
        Frame { start_of_frame: b.flag()?, end_of_frame: b.flag()?, template_id: b.f(6)? as u8, frame_number: b.f(16)? as u16, ..Default::default() };
    let (mut custom_dtis, mut custom_fdiffs, mut custom_chains) = (false, false, false);
    let mut brought = None;
    if bytes.len() > 3 {
        let structure_present = b.flag()?;
        let active_present = b.flag()?;
        custom_dtis = b.flag()?;
        custom_fdiffs = b.flag()?;
        custom_chains = b.flag()?;
        if structure_present {
            let s = structure(&mut b)?;
            frame.has_structure = true;
            frame.active_targets = Some(all_targets(s.decode_targets));
            brought = Some(s);
        }
        if active_present {
            let dts = brought.as_ref().or(known)?.decode_targets;
            frame.active_targets = Some(b.f(u32::from(dts))?);
        }
    }
    let s = brought.as_ref().or(known)?;
    let index = (usize::from(frame.template_id) + MAX_TEMPLATES - usize::from(s.id_offset)) % MAX_TEMPLATES;
    if index >= usize::from(s.templates) {
        return None;
    }
    frame.spatial = s.spatial[index];
    frame.temporal = s.temporal[index];
    frame.dtis = s.dtis[index];
    if custom_dtis {
        frame.dtis = read_dtis(&mut b, s.decode_targets)?;
    }
    if custom_fdiffs {
        let mut size = b.f(2)?;
        while size != 0 {
            b.f(4 * size)?;
            size = b.f(2)?;
        }
    }
    if custom_chains {
        for _ in 0..s.chains {
            b.f(8)?;
        }
    }
    Some((frame, brought))
}

fn all_targets(n: u8) -> u32 {
    if n >= 32 { u32::MAX } else { (1u32 << n) - 1 }
}

fn read_dtis(b: &mut Bits, targets: u8) -> Option<u64> {
    let mut dtis = 0u64;
    for dt in 0..u32::from(targets).min(MAX_DECODE_TARGETS as u32) {
        dtis |= u64::from(b.f(2)?) << (2 * dt);
    }
    Some(dtis)
}

/// `template_dependency_structure()`.
fn structure(b: &mut Bits) -> Option<Structure> {
    let mut s = Structure { id_offset: b.f(6)? as u8, decode_targets: b.f(5)? as u8 + 1, ..Default::default() };
    // template_layers()
    let (mut spatial, mut temporal, mut count) = (0u8, 0u8, 0usize);
    loop {
        if count >= MAX_TEMPLATES {
            return None;
        }
        s.spatial[count] = spatial;
        s.temporal[count] = temporal;
        count += 1;
        match b.f(2)? {
            1 => temporal += 1,
            2 => {
                temporal = 0;
                spatial += 1;
            }
            3 => break,
            _ => {}
        }
    }
    s.templates = count as u8;
    s.max_spatial = spatial;
    // template_dtis()
    for t in 0..count {
        s.dtis[t] = read_dtis(b, s.decode_targets)?;
    }
    // template_fdiffs()
    for _ in 0..count {
        while b.flag()? {
            b.f(4)?;
        }
    }
    // template_chains()
    s.chains = b.ns(u32::from(s.decode_targets) + 1)? as u8;
    if s.chains > 0 {
        for _ in 0..s.decode_targets {
            b.ns(u32::from(s.chains))?;
        }
        for _ in 0..count {
            b.f(4 * u32::from(s.chains))?;
        }
    }
    // decode_target_layers()
    for dt in 0..usize::from(s.decode_targets) {
        let present = (0..count).filter(|&t| (s.dtis[t] >> (2 * dt)) & 0x03 != u64::from(DTI_NOT_PRESENT));
        s.target_spatial[dt] = present.clone().map(|t| s.spatial[t]).max().unwrap_or(0);
        s.target_temporal[dt] = present.map(|t| s.temporal[t]).max().unwrap_or(0);
    }
    // resolutions_present_flag, render_resolutions()
    if b.flag()? {
        for _ in 0..=s.max_spatial {
            b.f(32)?;
        }
    }
    Some(s)
}

#[cfg(test)]
#[path = "dd_tests.rs"]
mod tests;
