//! Limits per caller (`ZHENGGAI_RATE_LIMIT=N/Ws`): N requests per W seconds for each token,
//! or each address without one, as a GCRA bucket (governor) that refills steadily. Every
//! answer says where the caller stands (`RateLimit-Limit`, `RateLimit-Remaining`,
//! `RateLimit-Reset`); past the limit, 429 problem+json with `Retry-After`. The probes and
//! `/metrics` are not counted: a load balancer polling them must never be refused.

use std::num::NonZeroU32;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::ResponseError;
use governor::clock::{Clock, DefaultClock};
use governor::middleware::StateInformationMiddleware;
use governor::{Quota, RateLimiter};
use sha2::{Digest, Sha256};

use crate::error::ApiError;
use crate::text;

/// `N/Ws`: N requests per W seconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimit {
    pub requests: u32,
    pub per_secs: u32,
}

impl RateLimit {
    /// 100 dashboards polling every 5 s on one token fit with room to spare.
    pub const DEFAULT: RateLimit = RateLimit {
        requests: 3000,
        per_secs: 60,
    };
}

impl std::str::FromStr for RateLimit {
    type Err = String;

    fn from_str(s: &str) -> Result<RateLimit, String> {
        let bad = || format!("{s:?} is not a limit like 600/60s (requests/seconds)");
        let (n, w) = s.trim().split_once('/').ok_or_else(bad)?;
        let requests = n
            .trim()
            .parse::<u32>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(bad)?;
        let w = w.trim();
        let per_secs = w
            .strip_suffix('s')
            .unwrap_or(w)
            .parse::<u32>()
            .ok()
            .filter(|w| *w > 0)
            .ok_or_else(bad)?;
        Ok(RateLimit { requests, per_secs })
    }
}

type Limiter = RateLimiter<
    [u8; 16],
    governor::state::keyed::DefaultKeyedStateStore<[u8; 16]>,
    DefaultClock,
    StateInformationMiddleware,
>;

/// One limiter for the server, shared by its workers.
pub struct Limits {
    limit: RateLimit,
    limiter: Limiter,
    checks: AtomicU64,
}

impl Limits {
    pub fn new(limit: RateLimit) -> Arc<Limits> {
        let n = NonZeroU32::new(limit.requests).unwrap_or(NonZeroU32::MIN);
        let every = Duration::from_secs(u64::from(limit.per_secs)) / limit.requests.max(1);
        let quota = Quota::with_period(every)
            .unwrap_or(Quota::per_second(n))
            .allow_burst(n);
        Arc::new(Limits {
            limit,
            limiter: RateLimiter::keyed(quota).with_middleware::<StateInformationMiddleware>(),
            checks: AtomicU64::new(0),
        })
    }

    fn period(&self) -> Duration {
        Duration::from_secs(u64::from(self.limit.per_secs)) / self.limit.requests.max(1)
    }
}

/// Who is counted: the token (hashed; it is a secret), else the address.
fn key(req: &ServiceRequest) -> [u8; 16] {
    let mut h = Sha256::new();
    match req.headers().get(header::AUTHORIZATION) {
        Some(token) => {
            h.update(b"t");
            h.update(token.as_bytes());
        }
        None => {
            h.update(b"a");
            h.update(
                req.peer_addr()
                    .map(|a| a.ip().to_string())
                    .unwrap_or_default(),
            );
        }
    }
    let mut key = [0u8; 16];
    key.copy_from_slice(&h.finalize()[..16]);
    key
}

fn exempt(path: &str) -> bool {
    matches!(path, "/healthz" | "/readyz" | "/metrics")
}

pub async fn limit(
    limits: Arc<Limits>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    if exempt(req.path()) {
        return Ok(next.call(req).await?.map_into_boxed_body());
    }
    // Forget callers who are full again, now and then, so the map stays small.
    if limits.checks.fetch_add(1, Ordering::Relaxed) % 10_000 == 9_999 {
        limits.limiter.retain_recent();
    }
    let limit = limits.limit.requests;
    let period = limits.period();
    match limits.limiter.check_key(&key(&req)) {
        Ok(state) => {
            let remaining = state.remaining_burst_capacity();
            let used = limit.saturating_sub(remaining);
            let reset = (period * used).as_secs_f64().ceil() as u64;
            let mut res = next.call(req).await?.map_into_boxed_body();
            set_headers(res.headers_mut(), limit, remaining, reset);
            Ok(res)
        }
        Err(not_until) => {
            let wait = not_until.wait_time_from(DefaultClock::default().now());
            let retry = wait.as_secs_f64().ceil().max(1.0) as u64;
            let error = ApiError::TooManyRequests(text!(
                "rate-limited",
                limit = limit,
                secs = limits.limit.per_secs
            ));
            let mut res = error.error_response();
            set_headers(res.headers_mut(), limit, 0, retry);
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(retry));
            Ok(req.into_response(res))
        }
    }
}

fn set_headers(headers: &mut header::HeaderMap, limit: u32, remaining: u32, reset: u64) {
    for (name, value) in [
        ("ratelimit-limit", u64::from(limit)),
        ("ratelimit-remaining", u64::from(remaining)),
        ("ratelimit-reset", reset),
    ] {
        headers.insert(HeaderName::from_static(name), HeaderValue::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_limit_reads_as_requests_per_seconds() {
        assert_eq!(
            "600/60s".parse::<RateLimit>(),
            Ok(RateLimit {
                requests: 600,
                per_secs: 60
            })
        );
        assert_eq!("5/1".parse::<RateLimit>().map(|l| l.per_secs), Ok(1));
        for bad in ["600", "0/60s", "600/0s", "x/60s", "600/60m"] {
            assert!(bad.parse::<RateLimit>().is_err(), "{bad}");
        }
    }
}
