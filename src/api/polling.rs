//! Cheap polling: every GET under `/api/v1` answers with an ETag derived from the ledger's
//! shown version (the last audit event that changed something answers show: every write
//! but the scanner's announcements), today's date (the lights change at midnight), the
//! caller's scope and the request. `If-None-Match` with that tag answers 304 before any
//! handler or query runs. A history follows the chain's head instead, announcements and
//! all.

use std::sync::Arc;

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::body::{self, EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{header, Method};
use actix_web::middleware::Next;
use actix_web::web::Bytes;
use actix_web::{web, HttpMessage, HttpResponse};
use sha2::{Digest, Sha256};

use super::AppState;
use crate::auth::caller::Caller;
pub use crate::db::version::LedgerVersion;
use crate::domain::permissions::Visibility;

/// Bodies of recent GET answers by tag. The tag names the ledger version, the day, the
/// caller's scope and the request, so an entry can never be served stale; a new version
/// empties the cache. Dashboards asking the same question share one computation.
#[derive(Debug, Default)]
pub struct ResponseCache {
    state: Mutex<CacheState>,
    /// One computation per tag at a time: concurrent askers wait for the first.
    inflight: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
}

#[derive(Debug, Default)]
struct CacheState {
    version: i64,
    bytes: usize,
    entries: HashMap<String, (HeaderValueText, Bytes)>,
}

type HeaderValueText = String;

const CACHE_MAX_BYTES: usize = 32 * 1024 * 1024;
const CACHE_MAX_BODY: usize = 1024 * 1024;

impl ResponseCache {
    fn get(&self, version: i64, tag: &str) -> Option<(String, Bytes)> {
        let state = self.state.lock().ok()?;
        if state.version != version {
            return None;
        }
        state.entries.get(tag).cloned()
    }

    fn put(&self, version: i64, tag: String, content_type: String, body: Bytes) {
        if body.len() > CACHE_MAX_BODY {
            return;
        }
        let Ok(mut state) = self.state.lock() else {
            return;
        };
        if state.version != version || state.bytes + body.len() > CACHE_MAX_BYTES {
            state.entries.clear();
            state.bytes = 0;
            state.version = version;
        }
        state.bytes += body.len();
        state.entries.insert(tag, (content_type, body));
    }

    fn gate(&self, tag: &str) -> Arc<tokio::sync::Mutex<()>> {
        match self.inflight.lock() {
            Ok(mut map) => map.entry(tag.to_string()).or_default().clone(),
            Err(_) => Arc::default(),
        }
    }

    fn release(&self, tag: &str) {
        if let Ok(mut map) = self.inflight.lock() {
            map.remove(tag);
        }
    }
}

/// Ends a tag's turn; dropped before the turn's lock, after the answer is stored.
struct Release<'a>(&'a ResponseCache, String);

impl Drop for Release<'_> {
    fn drop(&mut self) {
        self.0.release(&self.1);
    }
}

/// The tag for this request as this caller sees it now.
fn tag(version: i64, state: &AppState, caller: &Caller, req: &ServiceRequest) -> String {
    let mut h = Sha256::new();
    h.update(state.today().date.to_string());
    h.update([0]);
    h.update(caller.role.as_str());
    h.update([0]);
    // What the caller sees, unit by unit: two callers of one unit with different oversight
    // never share an answer.
    match &caller.visibility {
        Visibility::All => h.update(b"*"),
        Visibility::Units(ids) => {
            for id in ids {
                h.update(id.as_bytes());
                h.update([1]);
            }
        }
    }
    h.update([0]);
    h.update(req.path());
    h.update([0]);
    h.update(req.query_string());
    let digest: String = h.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    format!("\"{version}-{digest}\"")
}

/// `from_fn` middleware for GETs; runs after authentication. `Cache-Control: no-cache` on
/// the request skips the shared answer (the ETag still applies).
pub async fn etags(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let caller = req.extensions().get::<Caller>().cloned();
    // The audit check reads the database as it is, not as the ledger version says; the
    // change feed long-polls, and a 304 would cut its wait short.
    // A webhook's deliveries change with every attempt, which appends no event.
    let live = req.path().ends_with("/audit/verify")
        || req.path().ends_with("/events")
        || req.path().ends_with("/deliveries");
    let (Some(state), Some(caller), true) = (state, caller, req.method() == Method::GET && !live)
    else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    // The history shows announcements too: it follows the chain's head, and its answers
    // are not shared (the shared ones follow the shown version).
    let history = req.path().ends_with("/history");
    let version = match history {
        true => state.ledger.head(),
        false => state.ledger.get(),
    };
    let tag = tag(version, &state, &caller, &req);
    let if_none_match = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let here = (req.path().to_string(), req.query_string().to_string());
    // `*` matches whatever is current: the list's tag, or an item's own (known only once
    // the handler answered).
    let star = if_none_match
        .as_deref()
        .is_some_and(|h| h.split(',').any(|t| t.trim() == "*"));
    let list_tag = is_list(&here.0);
    if none_match(if_none_match.as_deref(), &tag) && (list_tag || !star) {
        let res = HttpResponse::NotModified()
            .insert_header((header::ETAG, tag))
            .insert_header((header::CACHE_CONTROL, "private, no-cache"))
            .finish();
        return Ok(req.into_response(res).map_into_right_body());
    }
    let fresh = req
        .headers()
        .get(header::CACHE_CONTROL)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("no-cache"))
        || history;
    let cached = |tag: &str| {
        state
            .cache
            .get(version, tag)
            .map(|(content_type, body)| answer(tag, content_type, body, &here))
    };
    if !fresh {
        if let Some(res) = cached(&tag) {
            return Ok(req.into_response(res).map_into_right_body());
        }
    }
    // A miss: the first asker computes, the others wait for its answer.
    let gate = (!fresh).then(|| state.cache.gate(&tag));
    let _turn = match &gate {
        Some(gate) => Some(gate.lock().await),
        None => None,
    };
    let _release = gate.as_ref().map(|_| Release(&state.cache, tag.clone()));
    if !fresh {
        if let Some(res) = cached(&tag) {
            return Ok(req.into_response(res).map_into_right_body());
        }
    }
    let mut res = next.call(req).await?;
    if res.status() != actix_web::http::StatusCode::OK {
        return Ok(res.map_into_left_body());
    }
    // One item, tagged by its own version: its tag answers 304 as the lists' do.
    if let Some(own) = res.headers().get(header::ETAG).cloned() {
        let own = own.to_str().unwrap_or_default().to_string();
        if none_match(if_none_match.as_deref(), &own) {
            let not_modified = HttpResponse::NotModified()
                .insert_header((header::ETAG, own))
                .insert_header((header::CACHE_CONTROL, "private, no-cache"))
                .finish();
            let (http, _) = res.into_parts();
            return Ok(ServiceResponse::new(http, not_modified).map_into_right_body());
        }
        return Ok(res.map_into_left_body());
    }
    // A streamed file (a ledger export): tagged, but never held in memory.
    if matches!(res.response().body().size(), body::BodySize::Stream) {
        let headers = res.headers_mut();
        if let Ok(value) = header::HeaderValue::from_str(&tag) {
            headers.insert(header::ETAG, value);
        }
        headers.insert(
            header::CACHE_CONTROL,
            header::HeaderValue::from_static("private, no-cache"),
        );
        return Ok(res.map_into_left_body());
    }
    // A list, stats or dashboard answer: tag it, and keep it for the next asker.
    let (http, res) = res.into_parts();
    let content_type = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("application/json")
        .to_string();
    let body = body::to_bytes(res.into_body())
        .await
        .map_err(|_| actix_web::error::ErrorInternalServerError("response body"))?;
    if !history {
        state
            .cache
            .put(version, tag.clone(), content_type.clone(), body.clone());
    }
    let res = answer(&tag, content_type, body, &here);
    Ok(ServiceResponse::new(http, res).map_into_right_body())
}

/// Whether the route answers with the ledger's tag (a list, stats, a dashboard, a file),
/// not an item's own version: an item is `/<collection>/<uuid>`.
fn is_list(path: &str) -> bool {
    path.rsplit('/')
        .next()
        .is_none_or(|last| uuid::Uuid::parse_str(last).is_err())
}

/// A list's answer from its body: tagged, and with `Link: <…>; rel="next"` (RFC 8288) when
/// the page has a next one.
fn answer(tag: &str, content_type: String, body: Bytes, here: &(String, String)) -> HttpResponse {
    let mut res = HttpResponse::Ok();
    res.insert_header((header::ETAG, tag.to_string()))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::CONTENT_TYPE, content_type));
    if let Some(link) = next_link(&here.0, &here.1, &body) {
        res.insert_header((header::LINK, link));
    }
    res.body(body)
}

/// `If-None-Match` (RFC 9110 §13.1.2) against the current tag: `*` matches any, weak
/// comparison otherwise (`W/"3"` matches `"3"`).
pub fn none_match(header: Option<&str>, current: &str) -> bool {
    let Some(header) = header else {
        return false;
    };
    let opaque = |t: &str| t.trim().trim_start_matches("W/").to_string();
    let current = opaque(current);
    header
        .split(',')
        .map(str::trim)
        .any(|t| t == "*" || opaque(t) == current)
}

/// The next page's address, when the body says there is one (`"next_cursor": "…"`): this
/// request's path and query with the cursor replaced.
fn next_link(path: &str, query: &str, body: &[u8]) -> Option<String> {
    const KEY: &[u8] = b"\"next_cursor\":\"";
    let at = body.windows(KEY.len()).position(|w| w == KEY)? + KEY.len();
    let end = body[at..].iter().position(|b| *b == b'"')?;
    let cursor = std::str::from_utf8(&body[at..at + end]).ok()?;
    let mut out = form_urlencoded::Serializer::new(String::new());
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k != "cursor" {
            out.append_pair(&k, &v);
        }
    }
    out.append_pair("cursor", cursor);
    Some(format!("<{path}?{}>; rel=\"next\"", out.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_none_match_compares_weakly_and_star_matches_anything() {
        assert!(none_match(Some("\"3\""), "\"3\""));
        assert!(none_match(Some("W/\"3\""), "\"3\""));
        assert!(none_match(Some("\"1\", W/\"3\""), "\"3\""));
        assert!(none_match(Some("*"), "\"3\""));
        assert!(!none_match(Some("\"4\""), "\"3\""));
        assert!(!none_match(None, "\"3\""));
    }

    #[test]
    fn the_next_link_keeps_the_filters_and_replaces_the_cursor() {
        let body = br#"{"items":[],"total":9,"next_cursor":"eyJrIjoxfQ"}"#;
        assert_eq!(
            next_link(
                "/api/v1/measures",
                "status=in_progress&cursor=old&limit=2",
                body
            )
            .as_deref(),
            Some("</api/v1/measures?status=in_progress&limit=2&cursor=eyJrIjoxfQ>; rel=\"next\"")
        );
        assert_eq!(
            next_link("/api/v1/measures", "", br#"{"next_cursor":null}"#),
            None
        );
    }
}
