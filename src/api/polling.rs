//! Cheap polling: every GET under `/api/v1` answers with an ETag derived from the ledger's
//! version (the sequence number of the latest audit event, which every committed write
//! appends), today's date (the lights change at midnight), the caller's scope and the
//! request. `If-None-Match` with that tag answers 304 before any handler or query runs.

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
fn tag(state: &AppState, caller: &Caller, req: &ServiceRequest) -> String {
    let version = state.ledger.get();
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
    let live = req.path().ends_with("/audit/verify") || req.path().ends_with("/events");
    let (Some(state), Some(caller), true) = (state, caller, req.method() == Method::GET && !live)
    else {
        return Ok(next.call(req).await?.map_into_left_body());
    };
    let version = state.ledger.get();
    let tag = tag(&state, &caller, &req);
    let unchanged = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.split(',').any(|t| t.trim() == tag));
    if unchanged {
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
        .is_some_and(|v| v.contains("no-cache"));
    let cached = |tag: &str| {
        state.cache.get(version, tag).map(|(content_type, body)| {
            HttpResponse::Ok()
                .insert_header((header::ETAG, tag.to_string()))
                .insert_header((header::CACHE_CONTROL, "private, no-cache"))
                .insert_header((header::CONTENT_TYPE, content_type))
                .body(body)
        })
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
    if res.status() != actix_web::http::StatusCode::OK || res.headers().contains_key(header::ETAG) {
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
    state
        .cache
        .put(version, tag.clone(), content_type.clone(), body.clone());
    let res = HttpResponse::Ok()
        .insert_header((header::ETAG, tag))
        .insert_header((header::CACHE_CONTROL, "private, no-cache"))
        .insert_header((header::CONTENT_TYPE, content_type))
        .body(body);
    Ok(ServiceResponse::new(http, res).map_into_right_body())
}
