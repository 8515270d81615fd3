//! The HS256 secret used when no key is configured: created once, random, in a file only
//! its owner can read, and reused from then on.

use std::io::Write;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error("cannot read the JWT secret file {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("cannot create the JWT secret file {path}: {source}")]
    Create {
        path: String,
        source: std::io::Error,
    },
    #[error("the JWT secret file {0} is empty or too short (need at least 32 characters)")]
    TooShort(String),
    #[error("no random numbers available: {0}")]
    Random(String),
}

/// Reads the secret at `path`, creating it (mode 0600) on first use.
pub fn load_or_create(path: &Path) -> Result<Vec<u8>, SecretError> {
    let shown = path.display().to_string();
    match std::fs::read_to_string(path) {
        Ok(text) => {
            let secret = text.trim();
            if secret.len() < 32 {
                return Err(SecretError::TooShort(shown));
            }
            return Ok(secret.as_bytes().to_vec());
        }
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
            return Err(SecretError::Read {
                path: shown,
                source: e,
            })
        }
        Err(_) => {}
    }
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| SecretError::Random(e.to_string()))?;
    let secret: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    match options.open(path) {
        Ok(mut file) => {
            file.write_all(secret.as_bytes())
                .and_then(|_| file.sync_all())
                .map_err(|e| SecretError::Create {
                    path: shown,
                    source: e,
                })?;
            Ok(secret.into_bytes())
        }
        // Another process created it first: use theirs.
        Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => load_or_create(path),
        Err(e) => Err(SecretError::Create {
            path: shown,
            source: e,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_secret_is_created_once_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("zhenggai.jwt-secret");
        let first = load_or_create(&path).unwrap();
        assert_eq!(first.len(), 64);
        assert_eq!(load_or_create(&path).unwrap(), first);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let other = dir.path().join("other");
        assert_ne!(load_or_create(&other).unwrap(), first);
        std::fs::write(&other, "short").unwrap();
        assert!(matches!(
            load_or_create(&other),
            Err(SecretError::TooShort(_))
        ));
    }
}
