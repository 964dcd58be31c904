//! Finished recordings copied to S3-compatible object storage: LiveKit's `s3` block (bucket,
//! region, endpoint, keys, path style), a key prefix, and [`Uploader::upload`], which copies
//! one file of the recordings directory to `<prefix><path>` (in parts above 16 MiB) and
//! returns the object's URL. Retries with backoff belong to `object_store`, bounded here in
//! count and time, so a store that is down fails an upload within a minute or two.
//!
//! The secret key lives in memory only: [`S3Config`]'s `Debug` hides it, and errors are
//! `object_store`'s, which never include credentials.
#![deny(missing_docs)]

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use object_store::aws::AmazonS3Builder;
use object_store::path::Path as ObjectPath;
use object_store::{BackoffConfig, ClientOptions, ObjectStore, ObjectStoreExt, PutPayload, RetryConfig};
use tokio::io::AsyncReadExt;

/// Files above this go up in parts (S3's parts are 5 MiB at least).
const PART: usize = 16 * 1024 * 1024;

/// Why an upload failed.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The configuration cannot make a client (a bad endpoint, a missing bucket).
    #[error("the s3 configuration: {0}")]
    Config(String),
    /// The local file could not be read.
    #[error("cannot read {path}: {error}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        error: std::io::Error,
    },
    /// The store refused or could not be reached (after the retries).
    #[error("upload of {key} failed: {error}")]
    Store {
        /// The object key.
        key: String,
        /// `object_store`'s error, credentials never in it.
        error: String,
    },
}

/// Where recordings go: LiveKit's `s3` block, plus a key prefix.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct S3Config {
    /// The bucket.
    pub bucket: String,
    /// The region (`us-east-1` if empty).
    pub region: String,
    /// An S3-compatible service's endpoint (`https://…`; `http://` too, for a store on a
    /// private network); empty for AWS.
    pub endpoint: String,
    /// The access key ID.
    pub access_key: String,
    /// The secret access key.
    pub secret: String,
    /// Path-style requests (`endpoint/bucket/key`), as MinIO and most self-hosted stores
    /// want; otherwise virtual-hosted style (`bucket.endpoint/key`).
    pub force_path_style: bool,
    /// Put in front of every key (e.g. `hikari/`).
    pub prefix: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("endpoint", &self.endpoint)
            .field("access_key", &self.access_key)
            .field("secret", &"[redacted]")
            .field("force_path_style", &self.force_path_style)
            .field("prefix", &self.prefix)
            .finish()
    }
}

/// Copies files of the recordings directory to one bucket. Cheap to clone.
#[derive(Clone)]
pub struct Uploader {
    store: Arc<dyn ObjectStore>,
    config: Arc<S3Config>,
}

impl std::fmt::Debug for Uploader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Not the store's own: its credentials would show.
        f.debug_struct("Uploader").field("config", &self.config).finish_non_exhaustive()
    }
}

impl Uploader {
    /// A client for `config` (no request is made yet).
    pub fn new(config: S3Config) -> Result<Self, UploadError> {
        Self::with_retries(config, 4, Duration::from_secs(60))
    }

    fn with_retries(config: S3Config, max_retries: usize, retry_timeout: Duration) -> Result<Self, UploadError> {
        if config.bucket.is_empty() {
            return Err(UploadError::Config("bucket is empty".into()));
        }
        let region = if config.region.is_empty() { "us-east-1" } else { config.region.as_str() };
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&config.bucket)
            .with_region(region)
            .with_access_key_id(&config.access_key)
            .with_secret_access_key(&config.secret)
            .with_virtual_hosted_style_request(!config.force_path_style)
            .with_client_options(ClientOptions::new().with_allow_http(config.endpoint.starts_with("http://")).with_timeout(Duration::from_secs(120)))
            .with_retry(RetryConfig {
                backoff: BackoffConfig { init_backoff: Duration::from_millis(500), max_backoff: Duration::from_secs(10), base: 2.0 },
                max_retries,
                retry_timeout,
            });
        if !config.endpoint.is_empty() {
            builder = builder.with_endpoint(config.endpoint.trim_end_matches('/'));
        }
        let store = builder.build().map_err(|e| UploadError::Config(e.to_string()))?;
        Ok(Self { store: Arc::new(store), config: Arc::new(config) })
    }

    /// The object key of `path` (relative to the recordings directory).
    pub fn key(&self, path: &str) -> String {
        format!("{}{path}", self.config.prefix)
    }

    /// The object's URL, as `EgressInfo` locations give it: path style under the endpoint,
    /// or AWS's virtual-hosted URL.
    pub fn url(&self, path: &str) -> String {
        let key = self.key(path);
        let c = &self.config;
        match (c.endpoint.is_empty(), c.force_path_style) {
            (false, true) => format!("{}/{}/{key}", c.endpoint.trim_end_matches('/'), c.bucket),
            (false, false) => {
                let (scheme, host) = c.endpoint.trim_end_matches('/').split_once("://").unwrap_or(("https", &c.endpoint));
                format!("{scheme}://{}.{host}/{key}", c.bucket)
            }
            (true, _) => format!("https://{}.s3.{}.amazonaws.com/{key}", c.bucket, if c.region.is_empty() { "us-east-1" } else { &c.region }),
        }
    }

    /// Copies `dir/path` to its key; returns its URL.
    pub async fn upload(&self, dir: &Path, path: &str) -> Result<String, UploadError> {
        let key = self.key(path);
        let location = ObjectPath::parse(&key).map_err(|e| UploadError::Config(format!("{key}: {e}")))?;
        let read_error = |error| UploadError::Read { path: path.to_owned(), error };
        let store_error = |e: object_store::Error| UploadError::Store { key: key.clone(), error: e.to_string() };
        let mut file = tokio::fs::File::open(dir.join(path)).await.map_err(read_error)?;
        let size = file.metadata().await.map_err(read_error)?.len();
        if size <= PART as u64 {
            let mut data = Vec::with_capacity(size as usize);
            file.read_to_end(&mut data).await.map_err(read_error)?;
            self.store.put(&location, PutPayload::from(Bytes::from(data))).await.map_err(store_error)?;
        } else {
            let mut upload = self.store.put_multipart(&location).await.map_err(store_error)?;
            let sent = async {
                loop {
                    let mut part = Vec::with_capacity(PART);
                    (&mut file).take(PART as u64).read_to_end(&mut part).await.map_err(read_error)?;
                    if part.is_empty() {
                        return upload.complete().await.map(|_| ()).map_err(store_error);
                    }
                    upload.put_part(PutPayload::from(Bytes::from(part))).await.map_err(store_error)?;
                }
            };
            if let Err(e) = sent.await {
                // Parts already sent would be billed: drop them.
                let _ = upload.abort().await;
                return Err(e);
            }
        }
        tracing::debug!(key, size, "uploaded");
        Ok(self.url(path))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(endpoint: &str, path_style: bool) -> S3Config {
        S3Config {
            bucket: "rec".into(),
            region: "ap-northeast-1".into(),
            endpoint: endpoint.into(),
            access_key: "AKIA".into(),
            secret: "very-secret".into(),
            force_path_style: path_style,
            prefix: "hikari/".into(),
        }
    }

    #[test]
    fn urls_follow_the_addressing_style_and_secrets_stay_out_of_debug() {
        let minio = Uploader::new(config("http://127.0.0.1:9000/", true)).expect("client");
        assert_eq!(minio.url("webinar/a.mp4"), "http://127.0.0.1:9000/rec/hikari/webinar/a.mp4");
        let r2 = Uploader::new(config("https://acct.r2.example", false)).expect("client");
        assert_eq!(r2.url("a.mp4"), "https://rec.acct.r2.example/hikari/a.mp4");
        let aws = Uploader::new(config("", false)).expect("client");
        assert_eq!(aws.url("a.mp4"), "https://rec.s3.ap-northeast-1.amazonaws.com/hikari/a.mp4");
        assert!(!format!("{:?}", config("", false)).contains("very-secret"));
        assert!(!format!("{aws:?}").contains("very-secret"), "{aws:?}");
        assert!(matches!(Uploader::new(S3Config::default()), Err(UploadError::Config(_))));
    }

    #[tokio::test]
    async fn a_store_that_is_not_there_fails_the_upload_and_names_the_key() {
        let dir = tempfile::tempdir().expect("dir");
        std::fs::write(dir.path().join("a.ogg"), b"OggS").expect("file");
        // A closed port on loopback: refused at once, every retry.
        let mut c = config("http://127.0.0.1:9", true);
        c.prefix.clear();
        let up = Uploader::with_retries(c, 1, Duration::from_secs(5)).expect("client");
        let e = up.upload(dir.path(), "a.ogg").await.expect_err("no store");
        assert!(matches!(&e, UploadError::Store { key, .. } if key == "a.ogg"), "{e}");
        assert!(matches!(up.upload(dir.path(), "missing.ogg").await, Err(UploadError::Read { .. })));
    }
}
