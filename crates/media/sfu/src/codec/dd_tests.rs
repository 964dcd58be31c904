use super::*;

/// Writes bits most significant first (test side of the parser).
#[derive(Default)]
pub(crate) struct BitWriter {
    bytes: Vec<u8>,
    bits: usize,
}

impl BitWriter {
    pub(crate) fn put(&mut self, n: u32, v: u32) -> &mut Self {
        for i in (0..n).rev() {
            if self.bits.is_multiple_of(8) {
                self.bytes.push(0);
            }
            if (v >> i) & 1 == 1 {
                let last = self.bytes.len() - 1;
                self.bytes[last] |= 0x80 >> (self.bits % 8);
            }
            self.bits += 1;
        }
        self
    }

    pub(crate) fn done(&self) -> Vec<u8> {
        self.bytes.clone()
    }
}

/// An L2T2 structure: templates S0T0, S0T1, S1T0, S1T1; decode targets in the same order.
pub(crate) fn l2t2_structure(w: &mut BitWriter, id_offset: u32) {
    w.put(6, id_offset).put(5, 3);
    // template_layers: +temporal, +spatial, +temporal, end.
    w.put(2, 1).put(2, 2).put(2, 1).put(2, 3);
    // template_dtis, targets 0..3 per template.
    for dtis in [[2, 2, 2, 2], [0, 1, 0, 3], [0, 0, 2, 2], [0, 0, 0, 1]] {
        for d in dtis {
            w.put(2, d);
        }
    }
    // template_fdiffs: none, one, one, two.
    w.put(1, 0);
    w.put(1, 1).put(4, 0).put(1, 0);
    w.put(1, 1).put(4, 1).put(1, 0);
    w.put(1, 1).put(4, 0).put(1, 1).put(4, 1).put(1, 0);
    // template_chains: ns(5) = 0, no chains.
    w.put(2, 0);
    // render resolutions for two spatial layers.
    w.put(1, 1).put(32, 0x013f_00b3).put(32, 0x027f_0167);
}

/// The first packet of an L2T2 keyframe carrying its structure.
pub(crate) fn keyframe_packet() -> Vec<u8> {
    let mut w = BitWriter::default();
    w.put(1, 1).put(1, 0).put(6, 0).put(16, 1);
    w.put(1, 1).put(1, 0).put(1, 0).put(1, 0).put(1, 0);
    l2t2_structure(&mut w, 0);
    w.done()
}

#[test]
fn a_structure_is_read_and_later_frames_refer_to_it() {
    let (key, brought) = parse(&keyframe_packet(), None).expect("valid");
    let s = brought.expect("a structure");
    assert_eq!((s.decode_targets, s.templates, s.max_spatial, s.chains), (4, 4, 1, 0));
    assert_eq!(&s.target_spatial[..4], &[0, 0, 1, 1]);
    assert_eq!(&s.target_temporal[..4], &[0, 1, 0, 1]);
    assert_eq!(s.target_for(1, 0), Some(2));
    assert_eq!(s.target_for(2, 0), None);
    assert!(key.start_of_frame && !key.end_of_frame && key.has_structure);
    assert_eq!((key.spatial, key.temporal, key.frame_number, key.active_targets), (0, 0, 1, Some(0b1111)));
    assert_eq!(key.dti(2), DTI_SWITCH);

    // Mandatory fields only: template 3 is S1T1.
    let mut w = BitWriter::default();
    w.put(1, 0).put(1, 1).put(6, 3).put(16, 2);
    let (f, none) = parse(&w.done(), Some(&s)).expect("valid");
    assert!(none.is_none() && f.end_of_frame);
    assert_eq!((f.spatial, f.temporal, f.frame_number, f.dti(3), f.dti(0)), (1, 1, 2, 1, DTI_NOT_PRESENT));
    assert_eq!(parse(&w.done(), None), None, "no structure known");

    // Custom DTIs and fdiffs, active decode targets.
    let mut w = BitWriter::default();
    w.put(1, 1).put(1, 1).put(6, 1).put(16, 3);
    w.put(1, 0).put(1, 1).put(1, 1).put(1, 1).put(1, 0);
    w.put(4, 0b0011);
    w.put(2, 3).put(2, 3).put(2, 0).put(2, 0);
    w.put(2, 2).put(8, 5).put(2, 0);
    let (f, _) = parse(&w.done(), Some(&s)).expect("valid");
    assert_eq!((f.spatial, f.temporal, f.active_targets, f.dti(0), f.dti(1), f.dti(2)), (0, 1, Some(0b0011), 3, 3, 0));
}

#[test]
fn the_template_id_offset_applies_and_unknown_templates_are_refused() {
    let mut w = BitWriter::default();
    w.put(1, 1).put(1, 1).put(6, 12).put(16, 9);
    w.put(1, 1).put(4, 0);
    l2t2_structure(&mut w, 10);
    let (f, s) = parse(&w.done(), None).expect("valid");
    let s = s.expect("structure");
    assert_eq!((f.spatial, f.temporal), (1, 0), "template 12 is index 2 with offset 10");
    let mut w = BitWriter::default();
    w.put(1, 1).put(1, 1).put(6, 14).put(16, 9);
    assert_eq!(parse(&w.done(), Some(&s)), None, "index 4 of 4 templates");
}

#[test]
fn truncated_and_lying_descriptors_are_refused() {
    let full = keyframe_packet();
    for n in 0..full.len() {
        assert_eq!(parse(&full[..n], None), None, "truncated to {n}");
    }
    // 65 templates: more than the template id can name.
    let mut w = BitWriter::default();
    w.put(1, 1).put(1, 1).put(6, 0).put(16, 1).put(1, 1).put(4, 0).put(6, 0).put(5, 0);
    for _ in 0..70 {
        w.put(2, 0);
    }
    w.put(32, 0).put(32, 0);
    assert_eq!(parse(&w.done(), None), None);
    // Endless custom fdiffs run out of bytes.
    let (_, s) = parse(&full, None).expect("valid");
    let mut bytes = vec![0x80, 0x00, 0x01, 0x13];
    bytes.extend_from_slice(&[0xff; 40]);
    assert_eq!(parse(&bytes, s.as_ref()), None);
}
