//! Wiring of egress: the `egress:` block checked, the registry opened at start (its store at
//! `<data_dir>/egress.db`, its events on the bus), and the recorder that runs the jobs
//! (files in the recordings directory), behind the EgressService's Twirp routes.

use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::Arc;

use anyhow::Context;
use hikari_api::{ApiError, EgressOutcome, EgressRunner};
use hikari_common::bus::Publisher;
use hikari_egress::{EgressRequest, Registry, SqliteEgressStore};
use hikari_media_io::MediaHandle;
use hikari_record::{RecordError, Recorder, RecorderConfig};

use crate::config::{EgressFileConfig, S3FileConfig};
use crate::events::HikariEvent;
use crate::ingress::unix_nanos;

/// The recordings directory when `egress.recordings_dir` is not set, inside the data directory.
const DEFAULT_RECORDINGS: &str = "recordings";

/// The recordings directory, or `None` when egress is off.
pub fn recordings_dir(c: &EgressFileConfig, data_dir: &Path) -> Option<PathBuf> {
    c.enabled.unwrap_or(true).then(|| c.recordings_dir.as_ref().map_or_else(|| data_dir.join(DEFAULT_RECORDINGS), PathBuf::from))
}

/// Opens the store at `<data_dir>/egress.db`, ends the jobs a previous run left running (each
/// an `egress_ended`), and builds the recorder writing into `dir`.
pub async fn start(dir: PathBuf, data_dir: &Path, cfg: &EgressFileConfig, bus: Publisher<HikariEvent>, media: MediaHandle) -> anyhow::Result<Arc<Recorder>> {
    let s3 = cfg.s3.as_ref();
    let upload = s3.map(uploader).transpose()?;
    let max_composites = cfg.max_composites.unwrap_or_else(default_max_composites);
    std::fs::create_dir_all(&dir).with_context(|| format!("creating the recordings directory {}", dir.display()))?;
    let dir = dir.canonicalize().with_context(|| format!("the recordings directory {}", dir.display()))?;
    let path = data_dir.join("egress.db");
    let store = SqliteEgressStore::open(&path).await.with_context(|| format!("opening the egress store {}", path.display()))?;
    let sink: hikari_egress::EventSink = Arc::new(move |e| bus.publish(HikariEvent::Egress(Arc::new(e))));
    let registry = Arc::new(Registry::new(Arc::new(store), sink));
    let ended = registry.end_interrupted(unix_nanos()).await.context("ending the egress jobs of the previous run")?;
    let bucket = s3.map(|c| c.bucket.as_str());
    tracing::info!(store = %path.display(), recordings = %dir.display(), ended, upload_bucket = ?bucket, max_composites, "egress ready");
    // A file's location is where this server serves it (recordings.rs).
    let location_prefix = format!("{}/", crate::recordings::RECORDINGS_PATH);
    let live_prefix = format!("{}/", crate::hls::HLS_PATH);
    Ok(Arc::new(Recorder::new(
        registry,
        media,
        RecorderConfig { dir, location_prefix, live_prefix, ffmpeg: hikari_ingest::IngestConfig::default().ffmpeg, upload, max_composites },
        unix_nanos,
    )))
}

/// The CPU one room composite takes, in cores, with a margin: a 720p30 grid of four 640x360
/// cameras measured 0.57–0.88 (median 0.71 over 15 runs; decoders, x264, the composing), about
/// 1.0 with 720p cameras, and the SFU needs room beside it (bench/README.md, "room composite
/// CPU").
pub const COMPOSITE_CPU: f64 = 1.5;

/// Room composites this machine runs at once by default: its CPUs over [`COMPOSITE_CPU`], at
/// least one.
pub fn default_max_composites() -> usize {
    let cpus = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
    ((cpus as f64 / COMPOSITE_CPU).floor() as usize).max(1)
}

/// The client of `egress.s3` (keys from the environment when the block has none).
fn uploader(c: &S3FileConfig) -> anyhow::Result<hikari_upload::Uploader> {
    let env = |name: &str| std::env::var(name).unwrap_or_default();
    let config = hikari_upload::S3Config {
        bucket: c.bucket.clone(),
        region: c.region.clone(),
        endpoint: c.endpoint.clone(),
        access_key: if c.access_key.is_empty() { env("AWS_ACCESS_KEY_ID") } else { c.access_key.clone() },
        secret: if c.secret.is_empty() { env("AWS_SECRET_ACCESS_KEY") } else { c.secret.clone() },
        force_path_style: c.force_path_style,
        prefix: c.prefix.clone(),
    };
    hikari_upload::Uploader::new(config).context("egress.s3")
}

/// The recorder behind the EgressService's routes; its errors mapped to Twirp's once, here.
pub struct Runner(pub Arc<Recorder>);

impl EgressRunner for Runner {
    fn run(&self, request: EgressRequest) -> Pin<Box<dyn Future<Output = EgressOutcome> + Send + '_>> {
        Box::pin(async move { self.0.handle(request).await.map_err(api_error) })
    }
}

/// A recorder's error as Twirp's.
pub fn api_error(e: RecordError) -> ApiError {
    match e {
        RecordError::Egress(e) => ApiError::from(e),
        RecordError::NotFound(m) => ApiError::NotFound(m),
        RecordError::Invalid(m) => ApiError::InvalidArgument(m),
        RecordError::Unavailable(m) => ApiError::Unavailable(m),
        RecordError::Busy(m) => ApiError::Exhausted(m),
        RecordError::File(m) => {
            tracing::error!(error = %m, "cannot create a recording");
            ApiError::Internal(m)
        }
    }
}
