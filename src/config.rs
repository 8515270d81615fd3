//! Settings from environment variables, with defaults that make `cargo run --release` work
//! with no setup. Secrets (a PostgreSQL password) are never printed.

use std::path::{Path, PathBuf};

use chrono_tz::Tz;

use crate::auth::keys::{self, JwtConfig, KeySource};
use crate::auth::token::VerifyOptions;
use crate::domain::webhooks::Allowlist;

pub const DEFAULT_DATABASE_URL: &str = "zhenggai.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_TZ: &str = "Asia/Shanghai";
pub const DEFAULT_QUERY_TIMEOUT_MS: u64 = 5000;

/// Where and how often the server backs itself up, and how many backups it keeps.
#[derive(Debug, Clone)]
pub struct BackupSchedule {
    pub dir: PathBuf,
    pub every_secs: u64,
    pub keep: usize,
}

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` selects PostgreSQL; anything else is an SQLite file path.
    pub database_url: String,
    /// A streaming replica that reads may go to (`DATABASE_READ_URL`), and how far behind
    /// it may fall before reads go back to the primary (`ZHENGGAI_REPLICA_MAX_LAG_MS`).
    pub replica: Option<crate::db::replica::ReplicaSettings>,
    pub bind: String,
    /// The zone whose calendar days deadlines count in.
    pub tz: Tz,
    /// Connections in the (read) pool.
    pub pool_size: u32,
    /// How long one read may run before it is stopped and answered 503
    /// (`ZHENGGAI_QUERY_TIMEOUT_MS`, default 5000; 0: no limit).
    pub query_timeout: Option<std::time::Duration>,
    /// Expensive reads (uncomputed statistics, reports, exports) running at once, and how
    /// many more may wait (`ZHENGGAI_EXPENSIVE_AT_ONCE`, default 2;
    /// `ZHENGGAI_EXPENSIVE_QUEUE`, default 16); past that they are answered 503.
    pub expensive: crate::api::gate::GateSize,
    /// Evidence uploads received at once, and how many more may wait
    /// (`ZHENGGAI_UPLOADS_AT_ONCE`, default 8; `ZHENGGAI_UPLOADS_QUEUE`, default 64): a
    /// waiting upload's body stays in the network's buffers, so memory is bounded however
    /// many arrive together. Past the queue: 503 with `Retry-After`.
    pub uploads: crate::api::gate::GateSize,
    /// HTTP worker threads; `None` means one per core.
    pub workers: Option<usize>,
    /// How tokens are verified (and issued by `zhenggai token`).
    pub jwt: JwtConfig,
    /// Where evidence files are kept (on local disk), and where uploads are received.
    pub storage_dir: PathBuf,
    /// Evidence in S3-compatible object storage instead (`ZHENGGAI_STORAGE_URL=s3://…`).
    pub storage_remote: Option<crate::storage::S3Settings>,
    /// The largest evidence file accepted, in bytes.
    pub max_upload_bytes: u64,
    /// Calendar files (`<year>.json`) that replace or add to the built-in years.
    pub calendar_dir: Option<PathBuf>,
    /// Working days before the due date that turn a measure yellow.
    pub yellow_days: u32,
    /// Working days after which a red measure nobody reminded shows in the office's queue
    /// (`ZHENGGAI_REMIND_AFTER_DAYS`, default 5).
    pub remind_after_days: u32,
    /// Where webhooks may be sent (`ZHENGGAI_WEBHOOK_ALLOW`); nowhere by default.
    pub webhook_allow: Allowlist,
    /// Seconds between deadline scans.
    pub scan_interval_secs: u32,
    /// The key webhook secrets are sealed with (`ZHENGGAI_DATA_KEY_FILE`).
    pub data_key_file: PathBuf,
    /// Below this much free disk (MB) `/readyz` answers 503 and uploads 507.
    pub min_free_mb: u64,
    /// Scheduled backups (`ZHENGGAI_BACKUP_DIR`, `…_EVERY`, `…_KEEP`); none by default.
    /// Requests per caller and window (`ZHENGGAI_RATE_LIMIT`, e.g. `600/60s`).
    pub rate_limit: crate::api::rate_limit::RateLimit,
    /// Origins whose pages may call the API from a browser (`ZHENGGAI_CORS_ORIGINS`).
    pub cors_origins: Vec<String>,
    /// The language problems are told in when a request does not ask (`ZHENGGAI_LANG`).
    pub lang: crate::i18n::Lang,
    pub backups: Option<BackupSchedule>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("ZHENGGAI_TZ={0:?} is not an IANA time zone name (e.g. Asia/Shanghai)")]
    Tz(String),
    #[error("{name}={value:?} is not a positive number")]
    Number { name: &'static str, value: String },
    #[error("ZHENGGAI_WEBHOOK_ALLOW: {0}")]
    WebhookAllow(String),
    #[error("ZHENGGAI_BACKUP_EVERY: {0}")]
    BackupEvery(String),
    #[error("ZHENGGAI_JWT_LEEWAY={0:?} is not a number of seconds")]
    Leeway(String),
    #[error("ZHENGGAI_RATE_LIMIT: {0}")]
    RateLimit(String),
    #[error("ZHENGGAI_CORS_ORIGINS: {0}")]
    CorsOrigins(String),
    #[error("ZHENGGAI_STORAGE_URL: {0}")]
    StorageUrl(String),
    #[error("DATABASE_READ_URL: {0}")]
    ReadUrl(&'static str),
    #[error("ZHENGGAI_LANG: {0}")]
    Lang(String),
    #[error("set ZHENGGAI_JWT_PUBLIC_KEY or ZHENGGAI_JWT_SECRET, not both")]
    TwoKeys,
    #[error(
        "ZHENGGAI_JWT_SECRET must be at least {} characters",
        keys::MIN_SECRET_LEN
    )]
    ShortSecret,
}

impl Config {
    /// The directory of the SQLite file; none for PostgreSQL.
    pub fn sqlite_dir(&self) -> Option<PathBuf> {
        if self.database_url.starts_with("postgres") {
            return None;
        }
        let path = self
            .database_url
            .strip_prefix("sqlite://")
            .unwrap_or(&self.database_url);
        let dir = Path::new(path).parent().map(Path::to_path_buf)?;
        Some(if dir.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            dir
        })
    }

    /// The working-day calendar: the built-in years, then those in `calendar_dir`.
    pub fn calendar(&self) -> Result<crate::domain::calendar::Calendar, String> {
        crate::domain::calendar::Calendar::load(self.calendar_dir.as_deref())
            .map_err(|e| e.to_string())
    }

    pub fn from_env() -> Result<Config, ConfigError> {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let tz_name = var("ZHENGGAI_TZ").unwrap_or_else(|| DEFAULT_TZ.to_string());
        let tz = tz_name
            .parse::<Tz>()
            .map_err(|_| ConfigError::Tz(tz_name))?;
        let number = |name: &'static str, default: u32| -> Result<u32, ConfigError> {
            match var(name) {
                None => Ok(default),
                Some(value) => match value.parse::<u32>() {
                    Ok(n) if n > 0 => Ok(n),
                    _ => Err(ConfigError::Number { name, value }),
                },
            }
        };
        let database_url = var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string());
        let replica = match var("DATABASE_READ_URL") {
            None => None,
            Some(url) => Some(
                crate::db::replica::ReplicaSettings::new(
                    &database_url,
                    url,
                    number("ZHENGGAI_REPLICA_MAX_LAG_MS", 2000)?,
                )
                .map_err(ConfigError::ReadUrl)?,
            ),
        };
        let key = match (var("ZHENGGAI_JWT_PUBLIC_KEY"), var("ZHENGGAI_JWT_SECRET")) {
            (Some(_), Some(_)) => return Err(ConfigError::TwoKeys),
            (Some(path), None) => KeySource::PublicKeyFile(PathBuf::from(path)),
            (None, Some(secret)) if secret.len() < keys::MIN_SECRET_LEN => {
                return Err(ConfigError::ShortSecret)
            }
            (None, Some(secret)) => KeySource::Secret(secret),
            (None, None) => KeySource::SecretFile(
                var("ZHENGGAI_JWT_SECRET_FILE")
                    .map(PathBuf::from)
                    .unwrap_or_else(|| keys::default_secret_file(&database_url)),
            ),
        };
        let leeway_secs = match var("ZHENGGAI_JWT_LEEWAY") {
            None => keys::DEFAULT_LEEWAY_SECS,
            Some(v) => v.parse::<u64>().map_err(|_| ConfigError::Leeway(v))?,
        };
        let jwt = JwtConfig {
            key,
            private_key: var("ZHENGGAI_JWT_PRIVATE_KEY").map(PathBuf::from),
            options: VerifyOptions {
                issuer: var("ZHENGGAI_JWT_ISSUER"),
                audience: var("ZHENGGAI_JWT_AUDIENCE"),
                leeway_secs,
            },
        };
        let storage_dir = var("ZHENGGAI_STORAGE_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| crate::storage::default_dir(&database_url));
        let storage_remote = match var("ZHENGGAI_STORAGE_URL") {
            None => None,
            Some(url) if url.starts_with("s3://") => Some(
                crate::storage::S3Settings::from_env(&url, var).map_err(ConfigError::StorageUrl)?,
            ),
            Some(url) => {
                return Err(ConfigError::StorageUrl(format!(
                    "{url:?}: expected s3://bucket/prefix (set ZHENGGAI_STORAGE_DIR for a local directory)"
                )))
            }
        };
        let data_key_file = var("ZHENGGAI_DATA_KEY_FILE")
            .map(PathBuf::from)
            .unwrap_or_else(|| keys::default_data_key_file(&database_url));
        Ok(Config {
            database_url,
            bind: var("ZHENGGAI_BIND").unwrap_or_else(|| DEFAULT_BIND.to_string()),
            tz,
            replica,
            pool_size: number("ZHENGGAI_POOL_SIZE", 8)?,
            query_timeout: match var("ZHENGGAI_QUERY_TIMEOUT_MS") {
                None => Some(std::time::Duration::from_millis(DEFAULT_QUERY_TIMEOUT_MS)),
                Some(v) => match v.parse::<u64>() {
                    Ok(0) => None,
                    Ok(ms) => Some(std::time::Duration::from_millis(ms)),
                    Err(_) => {
                        return Err(ConfigError::Number {
                            name: "ZHENGGAI_QUERY_TIMEOUT_MS",
                            value: v,
                        })
                    }
                },
            },
            expensive: crate::api::gate::GateSize {
                at_once: number("ZHENGGAI_EXPENSIVE_AT_ONCE", 2)? as usize,
                queue: match var("ZHENGGAI_EXPENSIVE_QUEUE") {
                    None => 16,
                    Some(v) => v.parse::<usize>().map_err(|_| ConfigError::Number {
                        name: "ZHENGGAI_EXPENSIVE_QUEUE",
                        value: v,
                    })?,
                },
            },
            uploads: crate::api::gate::GateSize {
                at_once: number("ZHENGGAI_UPLOADS_AT_ONCE", 8)? as usize,
                queue: number("ZHENGGAI_UPLOADS_QUEUE", 64)? as usize,
            },
            workers: None,
            jwt,
            storage_dir,
            storage_remote,
            max_upload_bytes: u64::from(number("ZHENGGAI_MAX_UPLOAD_MB", 50)?) * 1024 * 1024,
            calendar_dir: var("ZHENGGAI_CALENDAR_DIR").map(PathBuf::from),
            webhook_allow: Allowlist::parse(&var("ZHENGGAI_WEBHOOK_ALLOW").unwrap_or_default())
                .map_err(ConfigError::WebhookAllow)?,
            scan_interval_secs: number("ZHENGGAI_SCAN_INTERVAL_SECS", 60)?,
            min_free_mb: u64::from(number("ZHENGGAI_MIN_FREE_MB", 100)?),
            data_key_file,
            backups: match var("ZHENGGAI_BACKUP_DIR") {
                None => None,
                Some(dir) => Some(BackupSchedule {
                    dir: PathBuf::from(dir),
                    every_secs: crate::auth::token::parse_ttl(
                        &var("ZHENGGAI_BACKUP_EVERY").unwrap_or_else(|| "24h".into()),
                    )
                    .map_err(ConfigError::BackupEvery)? as u64,
                    keep: number("ZHENGGAI_BACKUP_KEEP", 7)? as usize,
                }),
            },
            remind_after_days: number("ZHENGGAI_REMIND_AFTER_DAYS", 5)?,
            rate_limit: match var("ZHENGGAI_RATE_LIMIT") {
                None => crate::api::rate_limit::RateLimit::DEFAULT,
                Some(v) => v.parse().map_err(ConfigError::RateLimit)?,
            },
            cors_origins: crate::api::cors::parse_origins(
                &var("ZHENGGAI_CORS_ORIGINS").unwrap_or_default(),
            )
            .map_err(ConfigError::CorsOrigins)?,
            lang: match var("ZHENGGAI_LANG") {
                None => crate::i18n::Lang::default(),
                Some(v) => v.parse().map_err(ConfigError::Lang)?,
            },
            yellow_days: match var("ZHENGGAI_YELLOW_DAYS") {
                None => crate::domain::deadline::DEFAULT_YELLOW_DAYS,
                Some(v) => {
                    v.parse::<u32>()
                        .ok()
                        .filter(|n| *n <= 60)
                        .ok_or(ConfigError::Number {
                            name: "ZHENGGAI_YELLOW_DAYS",
                            value: v,
                        })?
                }
            },
        })
    }

    /// The database URL with any password masked, for logs.
    pub fn database_display(&self) -> String {
        redact_url(&self.database_url)
    }
}

pub fn redact_url(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let userinfo = &rest[..at];
            let user = userinfo.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &url[..scheme_end], user, &rest[at + 1..])
        }
        None => url.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_masked() {
        assert_eq!(
            redact_url("postgres://zg:s3cret@db:5432/zhenggai"),
            "postgres://zg:***@db:5432/zhenggai"
        );
        assert_eq!(redact_url("zhenggai.db"), "zhenggai.db");
        assert_eq!(
            redact_url("postgres://db/zhenggai"),
            "postgres://db/zhenggai"
        );
    }
}
