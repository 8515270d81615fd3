//! Evidence in S3-compatible object storage (MinIO, SeaweedFS, the clouds' stores), keyed
//! `<prefix>/sha256/ab/abcdef…` in a bucket that exists beforehand.
//!
//! The rest of the server is synchronous around storage (it runs on blocking threads), so
//! the object store's async client runs on one small runtime of its own, shared by the
//! process and never dropped; every call is handed to it and waited for.

use std::future::Future;
use std::io::{self, Read};
use std::ops::Range;
use std::path::Path;
use std::sync::{Arc, OnceLock};
use std::time::Duration;

use actix_web::web::Bytes;
use futures_util::stream::BoxStream;
use futures_util::StreamExt;
use object_store::aws::{AmazonS3, AmazonS3Builder};
use object_store::path::Path as Key;
use object_store::{ClientOptions, GetOptions, GetRange, ObjectStore, RetryConfig, WriteMultipart};

use super::{valid_hash, Reader, Store};

/// Files up to this size go up in one request; larger ones in parts of `PART_BYTES`.
const SINGLE_PUT_BYTES: u64 = 4 * 1024 * 1024;
/// S3's smallest part is 5 MiB; two parts in flight bound an upload's memory to ~16 MiB.
const PART_BYTES: usize = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT: usize = 2;

/// Where and as whom: from `ZHENGGAI_STORAGE_URL=s3://bucket/prefix`,
/// `ZHENGGAI_S3_ENDPOINT`, `AWS_REGION` and the credentials.
#[derive(Clone)]
pub struct S3Settings {
    pub bucket: String,
    /// Key prefix inside the bucket, without leading or trailing `/` (may be empty).
    pub prefix: String,
    /// `http(s)://host:port` of a non-AWS store; AWS's own endpoint when absent.
    pub endpoint: Option<String>,
    pub region: String,
    pub access_key_id: String,
    secret_access_key: String,
    session_token: Option<String>,
}

impl std::fmt::Debug for S3Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Settings")
            .field("url", &self.url())
            .field("endpoint", &self.endpoint)
            .field("region", &self.region)
            .field("access_key_id", &self.access_key_id)
            .field("secret_access_key", &"<hidden>")
            .finish()
    }
}

impl S3Settings {
    /// Reads the settings for `url` (`s3://bucket[/prefix]`); `var` looks up the
    /// environment. Credentials come from `AWS_ACCESS_KEY_ID`/`AWS_SECRET_ACCESS_KEY`, else
    /// from the credentials file `ZHENGGAI_S3_CREDENTIALS_FILE` (or
    /// `AWS_SHARED_CREDENTIALS_FILE`) in the AWS format, profile `AWS_PROFILE` or `default`.
    pub fn from_env(url: &str, var: impl Fn(&str) -> Option<String>) -> Result<S3Settings, String> {
        let rest = url
            .strip_prefix("s3://")
            .ok_or_else(|| format!("{url:?} is not an s3://bucket/prefix URL"))?;
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        if bucket.is_empty()
            || !bucket
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
        {
            return Err(format!("{url:?}: {bucket:?} is not a bucket name"));
        }
        let prefix = prefix.trim_matches('/').to_string();
        if prefix.split('/').any(|p| p == "." || p == "..") {
            return Err(format!("{url:?}: the prefix may not hold . or .."));
        }
        let region = var("AWS_REGION")
            .or_else(|| var("AWS_DEFAULT_REGION"))
            .unwrap_or_else(|| "us-east-1".to_string());
        let (access_key_id, secret_access_key, session_token) = match (
            var("AWS_ACCESS_KEY_ID"),
            var("AWS_SECRET_ACCESS_KEY"),
        ) {
            (Some(id), Some(secret)) => (id, secret, var("AWS_SESSION_TOKEN")),
            _ => {
                let file = var("ZHENGGAI_S3_CREDENTIALS_FILE")
                    .or_else(|| var("AWS_SHARED_CREDENTIALS_FILE"))
                    .ok_or_else(|| {
                        "object storage needs credentials: AWS_ACCESS_KEY_ID and \
                             AWS_SECRET_ACCESS_KEY, or ZHENGGAI_S3_CREDENTIALS_FILE"
                            .to_string()
                    })?;
                let profile = var("AWS_PROFILE").unwrap_or_else(|| "default".to_string());
                let text = std::fs::read_to_string(&file)
                    .map_err(|e| format!("credentials file {file}: {e}"))?;
                credentials_from_file(&text, &profile)
                        .ok_or_else(|| format!("credentials file {file}: no aws_access_key_id and aws_secret_access_key in [{profile}]"))?
            }
        };
        Ok(S3Settings {
            bucket: bucket.to_string(),
            prefix,
            endpoint: var("ZHENGGAI_S3_ENDPOINT"),
            region,
            access_key_id,
            secret_access_key,
            session_token,
        })
    }

    pub fn url(&self) -> String {
        if self.prefix.is_empty() {
            format!("s3://{}", self.bucket)
        } else {
            format!("s3://{}/{}", self.bucket, self.prefix)
        }
    }
}

/// `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` of one profile of
/// an AWS credentials file (INI).
fn credentials_from_file(text: &str, profile: &str) -> Option<(String, String, Option<String>)> {
    let (mut section, mut id, mut secret, mut token) = (String::new(), None, None, None);
    for line in text.lines().map(str::trim) {
        if line.starts_with('#') || line.starts_with(';') || line.is_empty() {
            continue;
        }
        if let Some(name) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            section = name.trim().to_string();
            continue;
        }
        if section != profile {
            continue;
        }
        if let Some((key, value)) = line.split_once('=') {
            let value = Some(value.trim().to_string());
            match key.trim() {
                "aws_access_key_id" => id = value,
                "aws_secret_access_key" => secret = value,
                "aws_session_token" => token = value,
                _ => {}
            }
        }
    }
    Some((id?, secret?, token))
}

/// The process's runtime for object-storage calls: two threads, never dropped (dropping a
/// runtime inside another one panics).
fn runtime() -> &'static tokio::runtime::Runtime {
    static RUNTIME: OnceLock<tokio::runtime::Runtime> = OnceLock::new();
    RUNTIME.get_or_init(|| {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("zhenggai-s3")
            .enable_all()
            .build()
            .expect("the object-storage runtime starts")
    })
}

/// Runs `fut` on the object-storage runtime and waits for it, from any thread.
fn run<T: Send + 'static>(fut: impl Future<Output = T> + Send + 'static) -> io::Result<T> {
    let (tx, rx) = std::sync::mpsc::sync_channel(1);
    runtime().spawn(async move {
        let _ = tx.send(fut.await);
    });
    rx.recv()
        .map_err(|_| io::Error::other("the object-storage call failed"))
}

fn store_error(e: object_store::Error) -> io::Error {
    io::Error::other(format!("object storage: {e}"))
}

#[derive(Debug)]
pub struct S3Store {
    store: Arc<AmazonS3>,
    prefix: String,
    url: String,
}

impl S3Store {
    /// Connects and writes a small marker object, so a missing bucket or wrong
    /// credentials stop the server at start instead of failing the first upload.
    pub fn open(settings: &S3Settings) -> io::Result<S3Store> {
        let mut builder = AmazonS3Builder::new()
            .with_bucket_name(&settings.bucket)
            .with_region(&settings.region)
            .with_access_key_id(&settings.access_key_id)
            .with_secret_access_key(&settings.secret_access_key)
            .with_retry(RetryConfig {
                max_retries: 3,
                retry_timeout: Duration::from_secs(10),
                ..RetryConfig::default()
            })
            .with_client_options(
                ClientOptions::new()
                    .with_connect_timeout(Duration::from_secs(5))
                    .with_timeout(Duration::from_secs(120)),
            );
        if let Some(token) = &settings.session_token {
            builder = builder.with_token(token);
        }
        if let Some(endpoint) = &settings.endpoint {
            builder = builder
                .with_endpoint(endpoint)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        let store = Arc::new(builder.build().map_err(store_error)?);
        let this = S3Store {
            store,
            prefix: settings.prefix.clone(),
            url: settings.url(),
        };
        let (store, marker) = (this.store.clone(), this.key_for(".zhenggai"));
        run(async move { store.put(&marker, "zhenggai evidence store\n".into()).await })?
            .map_err(|e| io::Error::other(format!("{}: {e}", this.url)))?;
        Ok(this)
    }

    fn key_for(&self, name: &str) -> Key {
        if self.prefix.is_empty() {
            Key::from(name)
        } else {
            Key::from(format!("{}/{name}", self.prefix))
        }
    }

    fn key(&self, sha256: &str) -> io::Result<Key> {
        if !valid_hash(sha256) {
            return Err(io::Error::other("bad hash"));
        }
        Ok(self.key_for(&format!("sha256/{}/{sha256}", &sha256[..2])))
    }
}

impl Store for S3Store {
    fn describe(&self) -> String {
        self.url.clone()
    }

    /// The marker written at start answers a HEAD: the bucket is there and lets us in.
    fn reachable(&self) -> io::Result<()> {
        let (store, marker) = (self.store.clone(), self.key_for(".zhenggai"));
        run(async move { store.head(&marker).await })?.map_err(store_error)?;
        Ok(())
    }

    fn contains(&self, sha256: &str) -> io::Result<bool> {
        let (store, key) = (self.store.clone(), self.key(sha256)?);
        match run(async move { store.head(&key).await })? {
            Ok(_) => Ok(true),
            Err(object_store::Error::NotFound { .. }) => Ok(false),
            Err(e) => Err(store_error(e)),
        }
    }

    /// Streams the file up (in parts when large, never whole in memory) and removes it.
    fn put_file(&self, sha256: &str, file: &Path) -> io::Result<()> {
        if self.contains(sha256)? {
            return std::fs::remove_file(file);
        }
        let (store, key, path) = (self.store.clone(), self.key(sha256)?, file.to_path_buf());
        run(async move {
            let size = std::fs::metadata(&path)?.len();
            if size <= SINGLE_PUT_BYTES {
                let bytes = std::fs::read(&path)?;
                store.put(&key, bytes.into()).await.map_err(store_error)?;
                return Ok(());
            }
            let upload = store.put_multipart(&key).await.map_err(store_error)?;
            let mut parts = WriteMultipart::new_with_chunk_size(upload, PART_BYTES);
            let mut source = std::fs::File::open(&path)?;
            let mut buf = vec![0; 1024 * 1024];
            loop {
                let n = match source.read(&mut buf) {
                    Ok(0) => break,
                    Ok(n) => n,
                    Err(e) => {
                        let _ = parts.abort().await;
                        return Err(e);
                    }
                };
                if let Err(e) = parts.wait_for_capacity(PARTS_IN_FLIGHT).await {
                    let _ = parts.abort().await;
                    return Err(store_error(e));
                }
                parts.write(&buf[..n]);
            }
            parts.finish().await.map_err(store_error)?;
            Ok::<(), io::Error>(())
        })??;
        std::fs::remove_file(file)
    }

    fn read(&self, sha256: &str, range: Option<Range<u64>>) -> io::Result<Option<Reader>> {
        let (store, key) = (self.store.clone(), self.key(sha256)?);
        let options = GetOptions {
            range: range.map(GetRange::Bounded),
            ..GetOptions::default()
        };
        match run(async move { store.get_opts(&key, options).await })? {
            Ok(found) => Ok(Some(Box::new(S3Reader {
                stream: Some(found.into_stream()),
                buf: Bytes::new(),
            }))),
            Err(object_store::Error::NotFound { .. }) => Ok(None),
            Err(e) => Err(store_error(e)),
        }
    }
}

/// An object's bytes as they arrive, one network chunk at a time.
struct S3Reader {
    stream: Option<BoxStream<'static, object_store::Result<Bytes>>>,
    buf: Bytes,
}

impl Read for S3Reader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.buf.is_empty() {
            let Some(mut stream) = self.stream.take() else {
                return Ok(0);
            };
            let (stream, next) = run(async move {
                let next = stream.next().await;
                (stream, next)
            })?;
            match next {
                None => return Ok(0),
                Some(Err(e)) => return Err(store_error(e)),
                Some(Ok(bytes)) => {
                    self.buf = bytes;
                    self.stream = Some(stream);
                }
            }
        }
        let n = out.len().min(self.buf.len());
        out[..n].copy_from_slice(&self.buf[..n]);
        let _ = self.buf.split_to(n);
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: std::collections::HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn settings_come_from_the_url_and_the_environment() {
        let keys = [
            ("AWS_ACCESS_KEY_ID", "id"),
            ("AWS_SECRET_ACCESS_KEY", "s3cret"),
        ];
        let s = S3Settings::from_env("s3://zg-files/city/evidence/", env(&keys)).unwrap();
        assert_eq!(
            (s.bucket.as_str(), s.prefix.as_str()),
            ("zg-files", "city/evidence")
        );
        assert_eq!(s.region, "us-east-1");
        assert_eq!(s.url(), "s3://zg-files/city/evidence");
        assert!(
            !format!("{s:?}").contains("s3cret"),
            "the secret is never printed"
        );
        assert!(S3Settings::from_env("s3://", env(&keys)).is_err());
        assert!(S3Settings::from_env("s3://Bad_Bucket", env(&keys)).is_err());
        assert!(S3Settings::from_env("s3://b/../x", env(&keys)).is_err());
        assert!(S3Settings::from_env("http://b", env(&keys)).is_err());
        let missing = S3Settings::from_env("s3://b", env(&[])).unwrap_err();
        assert!(missing.contains("AWS_ACCESS_KEY_ID"), "{missing}");
    }

    #[test]
    fn a_credentials_file_names_profiles() {
        let text = "[default]\naws_access_key_id = A\naws_secret_access_key = B\n\n\
                    [city]\n# the city's store\naws_access_key_id=C\naws_secret_access_key=D\naws_session_token=T\n";
        assert_eq!(
            credentials_from_file(text, "default"),
            Some(("A".into(), "B".into(), None))
        );
        assert_eq!(
            credentials_from_file(text, "city"),
            Some(("C".into(), "D".into(), Some("T".into())))
        );
        assert_eq!(credentials_from_file(text, "none"), None);
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("credentials");
        std::fs::write(&file, text).unwrap();
        let path = file.display().to_string();
        let s = S3Settings::from_env(
            "s3://b",
            env(&[
                ("ZHENGGAI_S3_CREDENTIALS_FILE", &path),
                ("AWS_PROFILE", "city"),
            ]),
        )
        .unwrap();
        assert_eq!(s.access_key_id, "C");
    }
}
