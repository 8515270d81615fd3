//! Evidence in a local directory: `<root>/sha256/ab/abcdef…`.

use std::io;
use std::ops::Range;
use std::path::{Path, PathBuf};

use super::{valid_hash, Reader, Store};

#[derive(Debug)]
pub struct LocalStore {
    root: PathBuf,
}

impl LocalStore {
    pub fn open(root: &Path) -> io::Result<LocalStore> {
        std::fs::create_dir_all(root.join("sha256"))?;
        Ok(LocalStore {
            root: root.to_path_buf(),
        })
    }

    fn path(&self, sha256: &str) -> Option<PathBuf> {
        valid_hash(sha256).then(|| self.root.join("sha256").join(&sha256[..2]).join(sha256))
    }
}

impl Store for LocalStore {
    fn describe(&self) -> String {
        self.root.display().to_string()
    }

    fn contains(&self, sha256: &str) -> io::Result<bool> {
        Ok(self.path(sha256).is_some_and(|p| p.exists()))
    }

    fn put_file(&self, sha256: &str, file: &Path) -> io::Result<()> {
        let target = self
            .path(sha256)
            .ok_or_else(|| io::Error::other("bad hash"))?;
        if let Some(dir) = target.parent() {
            std::fs::create_dir_all(dir)?;
        }
        if target.exists() {
            std::fs::remove_file(file)
        } else {
            std::fs::rename(file, target)
        }
    }

    fn read(&self, sha256: &str, range: Option<Range<u64>>) -> io::Result<Option<Reader>> {
        use std::io::{Read, Seek};
        let Some(path) = self.path(sha256) else {
            return Ok(None);
        };
        let mut file = match std::fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e),
        };
        Ok(Some(match range {
            None => Box::new(file),
            Some(range) => {
                file.seek(io::SeekFrom::Start(range.start))?;
                Box::new(file.take(range.end.saturating_sub(range.start)))
            }
        }))
    }

    fn local_path(&self, sha256: &str) -> Option<PathBuf> {
        self.path(sha256)
    }
}
