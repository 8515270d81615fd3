//! Secrets the service must keep to use later (webhook signing secrets), sealed at rest with
//! a data key of its own: ChaCha20-Poly1305, a fresh nonce each time, stored as
//! `enc:v1:<base64 of nonce ‖ ciphertext>`. The key lives in a file only its owner can read,
//! created on first start (`ZHENGGAI_DATA_KEY_FILE`, beside the database by default); a
//! backup restored elsewhere needs that file too.

use std::io::Write;
use std::path::Path;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};

const PREFIX: &str = "enc:v1:";

/// The key secrets are sealed with.
pub struct DataKey(ChaCha20Poly1305);

impl DataKey {
    pub fn from_bytes(key: [u8; 32]) -> DataKey {
        DataKey(ChaCha20Poly1305::new(&Key::from(key)))
    }

    /// Reads the key at `path` (64 hex digits), creating it (mode 0600) on first use.
    pub fn load_or_create(path: &Path) -> Result<DataKey, String> {
        let shown = path.display();
        match std::fs::read_to_string(path) {
            Ok(text) => {
                let text = text.trim();
                let mut key = [0u8; 32];
                if text.len() != 64 {
                    return Err(format!("the data key file {shown} is not 64 hex digits"));
                }
                for (i, byte) in key.iter_mut().enumerate() {
                    *byte = u8::from_str_radix(&text[2 * i..2 * i + 2], 16)
                        .map_err(|_| format!("the data key file {shown} is not 64 hex digits"))?;
                }
                return Ok(DataKey::from_bytes(key));
            }
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(format!("cannot read the data key file {shown}: {e}"))
            }
            Err(_) => {}
        }
        let mut key = [0u8; 32];
        getrandom::fill(&mut key).map_err(|e| format!("no random numbers available: {e}"))?;
        let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut file = options
            .open(path)
            .map_err(|e| format!("cannot create the data key file {shown}: {e}"))?;
        file.write_all(hex.as_bytes())
            .and_then(|_| file.sync_all())
            .map_err(|e| format!("cannot write the data key file {shown}: {e}"))?;
        Ok(DataKey::from_bytes(key))
    }

    /// The sealed form of `secret`.
    pub fn seal(&self, secret: &str) -> Result<String, String> {
        let mut nonce = [0u8; 12];
        getrandom::fill(&mut nonce).map_err(|e| format!("no random numbers available: {e}"))?;
        let sealed = self
            .0
            .encrypt(&Nonce::from(nonce), secret.as_bytes())
            .map_err(|_| "cannot seal the secret".to_string())?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(format!("{PREFIX}{}", STANDARD.encode(out)))
    }

    /// The secret a stored value holds; a value stored before sealing began is itself.
    pub fn open(&self, stored: &str) -> Result<String, String> {
        let Some(body) = stored.strip_prefix(PREFIX) else {
            return Ok(stored.to_string());
        };
        let bytes = STANDARD
            .decode(body)
            .map_err(|_| "a sealed secret is not base64".to_string())?;
        if bytes.len() < 12 {
            return Err("a sealed secret is too short".into());
        }
        let (nonce, sealed) = bytes.split_at(12);
        let nonce: [u8; 12] = nonce
            .try_into()
            .map_err(|_| "a sealed secret is too short")?;
        let plain = self
            .0
            .decrypt(&Nonce::from(nonce), sealed)
            .map_err(|_| "a sealed secret does not open with this data key".to_string())?;
        String::from_utf8(plain).map_err(|_| "a sealed secret is not text".to_string())
    }

    pub fn is_sealed(stored: &str) -> bool {
        stored.starts_with(PREFIX)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_with_its_key_only() {
        let key = DataKey::from_bytes([7; 32]);
        let sealed = key.seal("a-long-shared-secret").unwrap();
        assert!(DataKey::is_sealed(&sealed));
        assert!(!sealed.contains("a-long-shared-secret"));
        assert_ne!(
            sealed,
            key.seal("a-long-shared-secret").unwrap(),
            "a fresh nonce"
        );
        assert_eq!(key.open(&sealed).unwrap(), "a-long-shared-secret");
        assert!(DataKey::from_bytes([8; 32]).open(&sealed).is_err());
        // Stored before sealing began: read as it is.
        assert_eq!(key.open("plain-old-secret").unwrap(), "plain-old-secret");
    }

    #[test]
    fn the_key_file_is_made_once_and_read_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let sealed = DataKey::load_or_create(&path).unwrap().seal("s").unwrap();
        assert_eq!(
            DataKey::load_or_create(&path)
                .unwrap()
                .open(&sealed)
                .unwrap(),
            "s"
        );
        std::fs::write(&path, "short").unwrap();
        assert!(DataKey::load_or_create(&path).is_err());
    }
}
