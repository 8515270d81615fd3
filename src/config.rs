//! Settings from environment variables, with defaults that make `cargo run --release` work
//! with no setup. Secrets (a PostgreSQL password) are never printed.

use chrono_tz::Tz;

pub const DEFAULT_DATABASE_URL: &str = "zhenggai.db";
pub const DEFAULT_BIND: &str = "127.0.0.1:8080";
pub const DEFAULT_TZ: &str = "Asia/Shanghai";

#[derive(Debug, Clone)]
pub struct Config {
    /// `postgres://…` selects PostgreSQL; anything else is an SQLite file path.
    pub database_url: String,
    pub bind: String,
    /// The zone whose calendar days deadlines count in.
    pub tz: Tz,
    /// Connections in the (read) pool.
    pub pool_size: u32,
    /// HTTP worker threads; `None` means one per core.
    pub workers: Option<usize>,
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("ZHENGGAI_TZ={0:?} is not an IANA time zone name (e.g. Asia/Shanghai)")]
    Tz(String),
    #[error("{name}={value:?} is not a positive number")]
    Number { name: &'static str, value: String },
}

impl Config {
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
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| DEFAULT_DATABASE_URL.to_string()),
            bind: var("ZHENGGAI_BIND").unwrap_or_else(|| DEFAULT_BIND.to_string()),
            tz,
            pool_size: number("ZHENGGAI_POOL_SIZE", 8)?,
            workers: None,
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
