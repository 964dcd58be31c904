//! Writing seed corpora (`scripts/fuzz seeds`): the seed tests build each target's seeds in
//! code and pass them through [`emit`].

use std::path::Path;

/// A target's seeds: a name (the file is `seed-<name>`) and the bytes.
pub type Seeds = Vec<(&'static str, Vec<u8>)>;

/// Writes a target's seeds into `fuzz/corpus/<target>/` when `HIKARI_FUZZ_WRITE_SEEDS` is
/// set (replacing its old `seed-*` files, never the inputs fuzzing found); always returns
/// them for the caller's checks.
pub fn emit(target: &str, seeds: Seeds) -> Seeds {
    if std::env::var_os("HIKARI_FUZZ_WRITE_SEEDS").is_some() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../../fuzz/corpus").join(target);
        std::fs::create_dir_all(&dir).expect("corpus directory");
        for old in std::fs::read_dir(&dir).expect("corpus directory").flatten() {
            if old.file_name().to_string_lossy().starts_with("seed-") {
                std::fs::remove_file(old.path()).expect("old seed removed");
            }
        }
        for (name, bytes) in &seeds {
            std::fs::write(dir.join(format!("seed-{name}")), bytes).expect("seed written");
        }
    }
    seeds
}
