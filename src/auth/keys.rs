//! Where the JWT keys come from: a public key (verify only), a shared HS256 secret, or the
//! secret file created on first start. Read from the environment by `config`.

use std::path::{Path, PathBuf};

use super::secret;
use super::token::{Audience, Claims, Signer, Verifier, VerifyOptions};
use crate::db::connection::{sqlite_path, Backend};
use crate::domain::permissions::Role;

/// The key tokens are verified with.
#[derive(Debug, Clone)]
pub enum KeySource {
    /// `ZHENGGAI_JWT_PUBLIC_KEY`: a PEM public key (RS256 or ES256) as an identity provider
    /// issues it — the PEM text itself (newlines may be written `\n`), or a file holding it.
    PublicKeyFile(PathBuf),
    /// `ZHENGGAI_JWT_SECRET`: an HS256 secret given directly.
    Secret(String),
    /// Neither: an HS256 secret kept in this file, created on first start.
    SecretFile(PathBuf),
}

/// Everything about tokens the service and `zhenggai token` need.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub key: KeySource,
    /// `ZHENGGAI_JWT_PRIVATE_KEY`: lets `zhenggai token` sign RS256/ES256 tokens.
    pub private_key: Option<PathBuf>,
    pub options: VerifyOptions,
}

/// Leeway on `exp`/`nbf` unless `ZHENGGAI_JWT_LEEWAY` says otherwise.
pub const DEFAULT_LEEWAY_SECS: u64 = 60;

/// The shortest HS256 secret accepted (RFC 7518 §3.2: at least the hash size).
pub const MIN_SECRET_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum KeySetupError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}")]
    Key(#[from] super::token::KeyError),
    #[error("{0}")]
    Secret(#[from] secret::SecretError),
    #[error(
        "the service verifies tokens with ZHENGGAI_JWT_PUBLIC_KEY; set ZHENGGAI_JWT_PRIVATE_KEY \
         to the matching private key to issue tokens"
    )]
    NoPrivateKey,
    #[error("the issued token would be refused by this service ({0}); do the keys match?")]
    Mismatch(String),
}

/// Who a token is for (`zhenggai token`).
#[derive(Debug, Clone)]
pub struct TokenRequest {
    pub sub: String,
    pub name: Option<String>,
    pub role: Role,
    pub unit: Option<String>,
    pub ttl_secs: i64,
}

impl JwtConfig {
    /// HS256 with the given secret and default checks (tests, scripts).
    pub fn secret(secret: &str) -> JwtConfig {
        JwtConfig {
            key: KeySource::Secret(secret.to_string()),
            private_key: None,
            options: VerifyOptions {
                leeway_secs: DEFAULT_LEEWAY_SECS,
                ..VerifyOptions::default()
            },
        }
    }

    pub fn verifier(&self) -> Result<Verifier, KeySetupError> {
        match &self.key {
            // The README's "a PEM public key": the PEM itself, or the path of a file holding it.
            KeySource::PublicKeyFile(path) => {
                let given = path.to_string_lossy();
                let pem = if given.trim_start().starts_with("-----BEGIN") {
                    given.replace("\\n", "\n").into_bytes()
                } else {
                    read(path)?
                };
                Ok(Verifier::from_public_pem(&pem, &self.options)?)
            }
            KeySource::Secret(secret) => Ok(Verifier::hs256(secret.as_bytes(), &self.options)),
            KeySource::SecretFile(path) => Ok(Verifier::hs256(
                &secret::load_or_create(path)?,
                &self.options,
            )),
        }
    }

    /// What `zhenggai token` signs with: the private key if given, else the shared secret.
    pub fn signer(&self) -> Result<Signer, KeySetupError> {
        if let Some(path) = &self.private_key {
            return Ok(Signer::PrivatePem(read(path)?));
        }
        match &self.key {
            KeySource::PublicKeyFile(_) => Err(KeySetupError::NoPrivateKey),
            KeySource::Secret(secret) => Ok(Signer::Secret(secret.as_bytes().to_vec())),
            KeySource::SecretFile(path) => Ok(Signer::Secret(secret::load_or_create(path)?)),
        }
    }
}

impl JwtConfig {
    /// Signs a token for `request`, with this service's issuer and audience, and checks
    /// that this service would accept it.
    pub fn issue(&self, request: &TokenRequest) -> Result<String, KeySetupError> {
        let now = chrono::Utc::now().timestamp();
        let claims = Claims {
            sub: request.sub.clone(),
            name: request.name.clone(),
            role: Some(request.role.as_str().to_string()),
            unit: request.unit.clone(),
            units: None,
            exp: now + request.ttl_secs,
            iat: Some(now),
            nbf: None,
            iss: self.options.issuer.clone(),
            aud: self.options.audience.as_deref().map(Audience::from),
        };
        let token = self.signer()?.sign(&claims)?;
        self.verifier()?
            .verify(&token)
            .map_err(|e| KeySetupError::Mismatch(e.to_string()))?;
        Ok(token)
    }
}

fn read(path: &Path) -> Result<Vec<u8>, KeySetupError> {
    std::fs::read(path).map_err(|source| KeySetupError::Read {
        path: path.display().to_string(),
        source,
    })
}

/// Where the generated secret lives: beside an SQLite database file, or in the working
/// directory for PostgreSQL (which has no file of its own).
/// Where the data key (`crate::sealed`) lives when none is configured: beside the JWT secret.
pub fn default_data_key_file(database_url: &str) -> PathBuf {
    let jwt = default_secret_file(database_url)
        .to_string_lossy()
        .into_owned();
    PathBuf::from(jwt.replace(".jwt-secret", ".data-key"))
}

pub fn default_secret_file(database_url: &str) -> PathBuf {
    match Backend::of_url(database_url) {
        Backend::Postgres => PathBuf::from("zhenggai.jwt-secret"),
        Backend::Sqlite => {
            let path = sqlite_path(database_url);
            if path.is_empty() || path == ":memory:" {
                PathBuf::from("zhenggai.jwt-secret")
            } else {
                PathBuf::from(format!("{path}.jwt-secret"))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_generated_secret_sits_beside_the_sqlite_file() {
        assert_eq!(
            default_secret_file("data/zhenggai.db"),
            PathBuf::from("data/zhenggai.db.jwt-secret")
        );
        assert_eq!(
            default_secret_file("sqlite://x.db"),
            PathBuf::from("x.db.jwt-secret")
        );
        assert_eq!(
            default_secret_file("postgres://u:p@h/db"),
            PathBuf::from("zhenggai.jwt-secret")
        );
    }

    #[test]
    fn a_public_key_cannot_sign() {
        let config = JwtConfig {
            key: KeySource::PublicKeyFile("tests/fixtures/rsa-public.pem".into()),
            ..JwtConfig::secret("unused-unused-unused-unused-unused")
        };
        assert!(config.verifier().is_ok());
        assert!(matches!(config.signer(), Err(KeySetupError::NoPrivateKey)));
    }
}
