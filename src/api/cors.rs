//! Browsers on other origins (a dashboard on the intranet portal): the origins of
//! `ZHENGGAI_CORS_ORIGINS` may call the API; preflights are answered 204 before any token is
//! asked for; a response shows a page the headers a client reads (`ETag`, `Link`, …). An
//! origin not on the list gets no CORS headers, so the browser keeps the answer from it.

use actix_cors::Cors;
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method, StatusCode};
use actix_web::middleware::Next;

/// What a page may read of an answer.
pub const EXPOSED: [&str; 11] = [
    "ETag",
    "Link",
    "Location",
    "X-Request-Id",
    "Content-Language",
    "RateLimit-Limit",
    "RateLimit-Remaining",
    "RateLimit-Reset",
    "Retry-After",
    "Content-Disposition",
    "Idempotent-Replayed",
];

/// What a page may send.
const ALLOWED: [&str; 9] = [
    "Authorization",
    "Content-Type",
    "If-Match",
    "If-None-Match",
    "Idempotency-Key",
    "Accept-Language",
    "Cache-Control",
    "X-Request-Id",
    "X-Zhenggai-Min-Version",
];

pub fn cors(origins: &[String]) -> Cors {
    let mut cors = Cors::default()
        .allowed_methods(["GET", "HEAD", "POST", "PATCH", "PUT", "DELETE"])
        .allowed_headers(ALLOWED)
        .expose_headers(EXPOSED)
        .max_age(3600)
        // Refused origins are not answered differently: they get no CORS headers.
        .block_on_origin_mismatch(false);
    for origin in origins {
        cors = cors.allowed_origin(origin);
    }
    cors
}

/// A preflight answered by `Cors` has nothing to say: 204, as RFC 9110 would have it.
pub async fn preflight_no_content(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let preflight = req.method() == Method::OPTIONS
        && req
            .headers()
            .contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = next.call(req).await?;
    if preflight && res.status() == StatusCode::OK {
        *res.response_mut().status_mut() = StatusCode::NO_CONTENT;
    }
    Ok(res)
}

/// `ZHENGGAI_CORS_ORIGINS`: comma-separated origins (`https://portal.example.gov.cn`), each
/// a scheme and a host with an optional port, and nothing else.
pub fn parse_origins(text: &str) -> Result<Vec<String>, String> {
    text.split(',')
        .map(str::trim)
        .filter(|o| !o.is_empty())
        .map(|origin| {
            let rest = origin
                .strip_prefix("https://")
                .or_else(|| origin.strip_prefix("http://"));
            match rest {
                Some(host) if !host.is_empty() && !host.contains(['/', '?', '#', '*', ' ']) => {
                    Ok(origin.to_string())
                }
                _ => Err(format!(
                    "{origin:?} is not an origin (scheme://host[:port], no path)"
                )),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn origins_are_schemes_and_hosts_only() {
        assert_eq!(
            parse_origins(" https://portal.gov.cn, http://10.1.2.3:8080 ").unwrap(),
            ["https://portal.gov.cn", "http://10.1.2.3:8080"]
        );
        assert!(parse_origins("").unwrap().is_empty());
        assert!(parse_origins("https://portal.gov.cn/app").is_err());
        assert!(parse_origins("*").is_err());
        assert!(parse_origins("portal.gov.cn").is_err());
    }
}
