//! A cheap stand-in for the fuzz targets in `cargo test`: the committed seed corpus of
//! `rtmp_session`, `flv_tag` and `mpegts_demux`, mutated a few thousand times
//! (deterministically: bit flips, byte runs, cuts, duplicated spans), through the same
//! `hikari_demux::fuzzing` input paths. Nothing may panic.

use std::path::Path;

use hikari_demux::fuzzing::{feed_flv, feed_rtmp, feed_ts};

struct Rng(u64);

impl Rng {
    fn next(&mut self, below: usize) -> usize {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        (self.0 % below.max(1) as u64) as usize
    }
}

fn seeds(target: &str) -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fuzz/corpus").join(target);
    let mut out: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .expect("the seed corpus")
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("seed-"))
        .map(|e| std::fs::read(e.path()).expect("a seed"))
        .collect();
    out.sort();
    assert!(!out.is_empty(), "seeds of {target}");
    out
}

fn mutate(rng: &mut Rng, seed: &[u8]) -> Vec<u8> {
    let mut d = seed.to_vec();
    for _ in 0..1 + rng.next(8) {
        let i = rng.next(d.len());
        match rng.next(5) {
            0 if !d.is_empty() => d[i] ^= 1 << rng.next(8),
            1 if !d.is_empty() => d[i] = [0, 0xff, 0x7f, 0x80, 0x47][rng.next(5)],
            2 => d.truncate(i.max(1)),
            3 if i < d.len() => {
                let n = rng.next(64).min(d.len() - i);
                d.drain(i..i + n);
            }
            _ => {
                let n = rng.next(64).min(d.len() - i);
                let span = d[i..i + n].to_vec();
                d.splice(i..i, span);
            }
        }
    }
    d
}

fn run(target: &str, feed: fn(&[u8]), rounds: usize) {
    let mut rng = Rng(0x5eed_0000 + target.len() as u64);
    for seed in seeds(target) {
        feed(&seed);
        for _ in 0..rounds {
            feed(&mutate(&mut rng, &seed));
        }
    }
}

#[test]
fn rtmp_session_mutations() {
    run("rtmp_session", feed_rtmp, 3000);
}

#[test]
fn flv_tag_mutations() {
    run("flv_tag", feed_flv, 5000);
}

#[test]
fn mpegts_demux_mutations() {
    run("mpegts_demux", feed_ts, 2000);
}
