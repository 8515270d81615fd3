//! Evidence files, content-addressed by SHA-256, on local disk (`<root>/sha256/ab/abcdef…`)
//! or in S3-compatible object storage. An upload is streamed into `<root>/tmp/`, hashed and
//! counted on the way, then stored (renamed into place, or streamed up in parts); the
//! client's file name never touches a path or a key.

mod local;
mod migrate;
mod s3;

use std::io::{Read, Write};
use std::ops::Range;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use sha2::{Digest, Sha256};

use crate::db::connection::{sqlite_path, Backend};
use local::LocalStore;
pub use migrate::{migrate, MigrateReport};
pub use s3::S3Settings;
use s3::S3Store;

/// Media types accepted as evidence, by what the bytes are (not what the client says).
pub const ALLOWED_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "image/bmp",
    "image/tiff",
    "application/msword",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.ms-excel",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "application/vnd.ms-powerpoint",
    "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/zip",
    "video/mp4",
];

/// How many leading bytes are kept for sniffing the type.
const SNIFF_BYTES: usize = 64 * 1024;

/// Where evidence is kept: a local directory or an S3-compatible bucket. Every call is
/// blocking (run it on a blocking thread).
pub trait Store: std::fmt::Debug + Send + Sync {
    /// The directory or `s3://bucket/prefix`, for messages.
    fn describe(&self) -> String;
    fn contains(&self, sha256: &str) -> std::io::Result<bool>;
    /// Stores `file` (a complete upload whose content hashes to `sha256`) and removes it;
    /// content already stored is kept once.
    fn put_file(&self, sha256: &str, file: &Path) -> std::io::Result<()>;
    /// The content, or the bytes `range` of it; `None` when nothing is stored under it.
    fn read(&self, sha256: &str, range: Option<Range<u64>>) -> std::io::Result<Option<Reader>>;
    /// The file itself, when the store is a local directory.
    fn local_path(&self, _sha256: &str) -> Option<PathBuf> {
        None
    }
    /// Whether the store answers now (`/readyz`); a local directory always does (its free
    /// space is checked apart).
    fn reachable(&self) -> std::io::Result<()> {
        Ok(())
    }
}

pub type Reader = Box<dyn Read + Send>;

/// A SHA-256 in hex: the only thing that ever becomes a path or a key.
pub fn valid_hash(sha256: &str) -> bool {
    sha256.len() == 64 && sha256.bytes().all(|b| b.is_ascii_hexdigit())
}

#[derive(Debug, Clone)]
pub struct Storage {
    /// Uploads are received here (`<staging>/tmp`) before they are stored.
    staging: PathBuf,
    store: Arc<dyn Store>,
    /// Largest file accepted, in bytes.
    pub max_bytes: u64,
}

/// Where evidence lives unless `ZHENGGAI_STORAGE_DIR` says otherwise: beside an SQLite
/// file, or `./zhenggai-files` for PostgreSQL.
pub fn default_dir(database_url: &str) -> PathBuf {
    match Backend::of_url(database_url) {
        Backend::Postgres => PathBuf::from("zhenggai-files"),
        Backend::Sqlite => {
            let path = sqlite_path(database_url);
            if path.is_empty() || path == ":memory:" {
                PathBuf::from("zhenggai-files")
            } else {
                PathBuf::from(format!("{path}.files"))
            }
        }
    }
}

impl Storage {
    /// Evidence in the local directory `root`.
    pub fn open(root: &Path, max_bytes: u64) -> std::io::Result<Storage> {
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Storage {
            staging: root.to_path_buf(),
            store: Arc::new(LocalStore::open(root)?),
            max_bytes,
        })
    }

    /// Evidence in object storage when `remote` is given, else in `root`; uploads are
    /// received in `root/tmp` either way.
    pub fn open_with(
        root: &Path,
        remote: Option<&S3Settings>,
        max_bytes: u64,
    ) -> std::io::Result<Storage> {
        let Some(settings) = remote else {
            return Storage::open(root, max_bytes);
        };
        std::fs::create_dir_all(root.join("tmp"))?;
        Ok(Storage {
            staging: root.to_path_buf(),
            store: Arc::new(S3Store::open(settings)?),
            max_bytes,
        })
    }

    /// The directory or bucket, for messages.
    pub fn describe(&self) -> String {
        self.store.describe()
    }

    /// Bytes free for unprivileged writers on the disk uploads are received on.
    pub fn free_bytes(&self) -> Option<u64> {
        free_bytes(&self.staging)
    }

    /// The file holding content with this hash, when evidence is on local disk.
    pub fn path_of(&self, sha256: &str) -> Option<PathBuf> {
        self.store.local_path(sha256)
    }

    /// Whether the evidence store answers now.
    pub fn reachable(&self) -> std::io::Result<()> {
        self.store.reachable()
    }

    pub fn contains(&self, sha256: &str) -> std::io::Result<bool> {
        self.store.contains(sha256)
    }

    /// The stored content (a byte range of it), `None` if it is missing.
    pub fn read(&self, sha256: &str, range: Option<Range<u64>>) -> std::io::Result<Option<Reader>> {
        self.store.read(sha256, range)
    }

    pub fn begin(&self) -> std::io::Result<Upload> {
        let path = self
            .staging
            .join("tmp")
            .join(uuid::Uuid::now_v7().simple().to_string());
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Upload {
            file: Some(file),
            path,
            hasher: Sha256::new(),
            size: 0,
            head: Vec::new(),
            max_bytes: self.max_bytes,
        })
    }

    /// Stores a finished upload; the same content stored twice is kept once.
    pub fn commit(&self, upload: Finished) -> std::io::Result<()> {
        let result = self.store.put_file(&upload.sha256, &upload.temp);
        if result.is_err() {
            let _ = std::fs::remove_file(&upload.temp);
        }
        result
    }
}

/// A file being received. Dropped unfinished, it removes its temporary file.
pub struct Upload {
    file: Option<std::fs::File>,
    path: PathBuf,
    hasher: Sha256,
    size: u64,
    head: Vec<u8>,
    max_bytes: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error("the file is larger than the {0} byte limit")]
    TooLarge(u64),
    #[error("cannot write the file: {0}")]
    Io(#[from] std::io::Error),
}

/// A complete, synced upload awaiting `Storage::commit`.
#[derive(Debug)]
pub struct Finished {
    pub sha256: String,
    pub size: u64,
    /// What the bytes are, if recognised.
    pub media_type: Option<&'static str>,
    temp: PathBuf,
}

impl Upload {
    pub fn write(&mut self, chunk: &[u8]) -> Result<(), UploadError> {
        self.size += chunk.len() as u64;
        if self.size > self.max_bytes {
            return Err(UploadError::TooLarge(self.max_bytes));
        }
        if self.head.len() < SNIFF_BYTES {
            let take = (SNIFF_BYTES - self.head.len()).min(chunk.len());
            self.head.extend_from_slice(&chunk[..take]);
        }
        self.hasher.update(chunk);
        if let Some(file) = self.file.as_mut() {
            file.write_all(chunk)?;
        }
        Ok(())
    }

    /// Flushes to disk and names the content.
    pub fn finish(mut self) -> Result<Finished, UploadError> {
        if let Some(file) = self.file.take() {
            file.sync_all()?;
        }
        let sha256 = hex(&std::mem::take(&mut self.hasher).finalize());
        let media_type = infer::get(&self.head)
            .map(|t| t.mime_type())
            .and_then(|m| ALLOWED_TYPES.iter().find(|a| **a == m).copied());
        Ok(Finished {
            sha256,
            size: self.size,
            media_type,
            temp: std::mem::take(&mut self.path),
        })
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if !self.path.as_os_str().is_empty() {
            self.file.take();
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

impl Finished {
    /// Removes the temporary file of an upload that is refused after all.
    pub fn discard(self) {
        let _ = std::fs::remove_file(&self.temp);
    }
}

/// Copies `from` into `to`, answering the SHA-256 (hex) and the size of what passed.
pub fn hash_copy(mut from: impl Read, mut to: impl Write) -> std::io::Result<(String, u64)> {
    let mut hasher = Sha256::new();
    let mut buf = vec![0; 64 * 1024];
    let mut size = 0;
    loop {
        let n = match from.read(&mut buf) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        hasher.update(&buf[..n]);
        to.write_all(&buf[..n])?;
        size += n as u64;
    }
    to.flush()?;
    Ok((hex(&hasher.finalize()), size))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The client's file name, kept as metadata only: the last path component, no control
/// characters, at most 255 characters.
pub fn clean_file_name(name: Option<&str>) -> String {
    let name = name.unwrap_or("");
    let last = name.rsplit(['/', '\\']).next().unwrap_or("");
    let cleaned: String = last.chars().filter(|c| !c.is_control()).take(255).collect();
    let cleaned = cleaned.trim().trim_start_matches('.').trim().to_string();
    if cleaned.is_empty() {
        "evidence".to_string()
    } else {
        cleaned
    }
}

/// Bytes free for unprivileged writers on the file system holding `path` (`statvfs`).
pub fn free_bytes(path: &Path) -> Option<u64> {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(path.as_os_str().as_bytes()).ok()?;
    let mut stat = std::mem::MaybeUninit::<libc::statvfs>::uninit();
    // SAFETY: `c` is a NUL-terminated path and `stat` is written by statvfs on success.
    let rc = unsafe { libc::statvfs(c.as_ptr(), stat.as_mut_ptr()) };
    if rc != 0 {
        return None;
    }
    // SAFETY: statvfs returned 0, so it filled `stat`.
    let stat = unsafe { stat.assume_init() };
    // The field types differ between platforms (u32 on some); u64 on Linux.
    #[allow(clippy::useless_conversion)]
    let free = u64::from(stat.f_bavail) * u64::from(stat.f_frsize);
    Some(free)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hostile_file_names_become_plain_names() {
        assert_eq!(clean_file_name(Some("../../etc/passwd")), "passwd");
        assert_eq!(
            clean_file_name(Some("C:\\Windows\\system32\\x.dll")),
            "x.dll"
        );
        assert_eq!(clean_file_name(Some("..")), "evidence");
        assert_eq!(clean_file_name(Some("a\u{0}b\r\n.pdf")), "ab.pdf");
        assert_eq!(clean_file_name(None), "evidence");
        assert_eq!(
            clean_file_name(Some("关于差旅费报销问题整改情况的报告.pdf")),
            "关于差旅费报销问题整改情况的报告.pdf"
        );
        assert_eq!(
            clean_file_name(Some(&"长".repeat(300))).chars().count(),
            255
        );
    }

    #[test]
    fn uploads_are_hashed_sniffed_limited_and_stored_once() {
        let dir = tempfile::tempdir().unwrap();
        let storage = Storage::open(dir.path(), 1024).unwrap();
        let pdf = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n";
        let store = |bytes: &[u8]| {
            let mut upload = storage.begin().unwrap();
            upload.write(bytes).unwrap();
            let done = upload.finish().unwrap();
            let sha = done.sha256.clone();
            assert_eq!(done.media_type, Some("application/pdf"));
            storage.commit(done).unwrap();
            sha
        };
        let a = store(pdf);
        let b = store(pdf);
        assert_eq!(a, b);
        assert_eq!(std::fs::read(storage.path_of(&a).unwrap()).unwrap(), pdf);
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );

        let mut big = storage.begin().unwrap();
        assert!(matches!(
            big.write(&[0u8; 2048]),
            Err(UploadError::TooLarge(1024))
        ));
        drop(big);
        assert_eq!(
            std::fs::read_dir(dir.path().join("tmp")).unwrap().count(),
            0
        );

        let mut script = storage.begin().unwrap();
        script.write(b"#!/bin/sh\nrm -rf /\n").unwrap();
        let done = script.finish().unwrap();
        assert_eq!(done.media_type, None);
        done.discard();
        assert!(storage.path_of("../../x").is_none());
    }
}
