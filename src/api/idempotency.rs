//! `Idempotency-Key` on POSTs: a client that lost an answer sends the request again with
//! the same key, and gets the first answer (status, body, `Location`, `ETag`) instead of a
//! second measure. Keys are kept per caller (the token's `sub`) in the database, so they
//! outlive a restart and hold across instances, for 24 hours.
//!
//! The key is claimed in the transaction of the write it guards (`api::write`), so it is
//! kept exactly when its request changed the ledger: a request that failed before writing
//! (a bad field, a refusal) keeps nothing and may be sent again as it is. Once the answer
//! went out it is kept beside the key. With the key seen before:
//! - the same request (same method, path, media type and body) answers the first answer
//!   again, marked `Idempotent-Replayed: true`;
//! - another request answers 422;
//! - the same request while the first is still running answers 409 with `Retry-After`
//!   (two at once: the one whose write commits second is rolled back and answers 409).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ResourceDef, ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderName, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{web, HttpMessage, HttpResponse, ResponseError};
use chrono::Utc;

use super::spool::spool;
use super::AppState;
use crate::auth::caller::Caller;
use crate::db::repo::idempotency::{self as repo, Answer, Claim, Kept};
use crate::domain::idempotency::{parse_key, Fingerprint, RUNNING_SECS};
use crate::error::ApiError;
use crate::text;

pub const HEADER: &str = "idempotency-key";
/// Marks an answer given again.
pub const REPLAYED: &str = "idempotent-replayed";
/// The headers kept with an answer: what describes it, nothing about the moment it went
/// out (request id, rate limit, date).
const KEPT_HEADERS: [HeaderName; 4] = [
    header::CONTENT_TYPE,
    header::CONTENT_LANGUAGE,
    header::LOCATION,
    header::ETAG,
];
/// Bytes beyond the upload limit a body may carry (the form's other fields).
const FORM_ALLOWANCE: u64 = 1024 * 1024;

/// The key of the request being handled, for `api::write` to claim.
pub struct Pending {
    claim: Claim,
    claimed: AtomicBool,
}

impl Pending {
    /// The claim, while no write of this request has committed it yet.
    pub fn unclaimed(&self) -> Option<Claim> {
        (!self.claimed.load(Ordering::Acquire)).then(|| self.claim.clone())
    }

    /// A write of this request committed with the claim.
    pub fn committed(&self) {
        self.claimed.store(true, Ordering::Release);
    }
}

tokio::task_local! {
    static PENDING: Arc<Pending>;
}

/// The key of the request this task is handling, if it sent one.
pub fn pending() -> Option<Arc<Pending>> {
    PENDING.try_with(Arc::clone).ok()
}

/// `from_fn` middleware for `/api/v1`; runs after authentication.
pub async fn keys(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let state = req.app_data::<web::Data<AppState>>().cloned();
    let caller = req.extensions().get::<Caller>().cloned();
    let raw = req.headers().get(HEADER).cloned();
    let (Some(state), Some(caller), Some(raw), true) =
        (state, caller, raw, req.method() == Method::POST)
    else {
        return Ok(next.call(req).await?.map_into_boxed_body());
    };
    let (mut req, res) = match prepare(&state, &caller, raw, req).await {
        Ok(Prepared::Run(req, pending)) => return run(state, req, next, pending).await,
        Ok(Prepared::Answered(req, res)) => (req, res),
        Err((req, e)) => (req, e.error_response()),
    };
    name_params(&mut req);
    Ok(req.into_response(res))
}

/// Fills in the path's parameters (`{id}`), which routing would have, for an answer given
/// before it: the request metrics label it by its route.
fn name_params(req: &mut ServiceRequest) {
    let Some(pattern) = req.match_pattern() else {
        return;
    };
    let mut path = actix_web::dev::Path::new(req.path().to_string());
    if ResourceDef::new(pattern).capture_match_info(&mut path) {
        for (name, value) in path.iter() {
            req.match_info_mut()
                .add_static(name.to_string(), value.to_string());
        }
    }
}

enum Prepared {
    /// A key not seen before: the request runs, carrying it.
    Run(ServiceRequest, Arc<Pending>),
    /// Answered without running: a replay.
    Answered(ServiceRequest, HttpResponse),
}

/// Reads the key and the body, and looks the key up.
async fn prepare(
    state: &AppState,
    caller: &Caller,
    raw: HeaderValue,
    mut req: ServiceRequest,
) -> Result<Prepared, (ServiceRequest, ApiError)> {
    let key = match raw.to_str().ok().and_then(parse_key) {
        Some(key) => key,
        None => {
            let e = ApiError::bad_param("Idempotency-Key", text!("idempotency-key-bad"));
            return Err((req, e));
        }
    };
    let path = match req.uri().path_and_query() {
        Some(pq) => pq.as_str().to_string(),
        None => req.path().to_string(),
    };
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let mut print = Fingerprint::new(req.method().as_str(), &path, content_type.as_deref());
    let mut payload = req.take_payload();
    let limit = state.storage.max_bytes + FORM_ALLOWANCE;
    let body = match spool(&mut payload, &mut print, limit).await {
        Ok(body) => body,
        Err(e) => return Err((req, e)),
    };
    let claim = Claim {
        caller: caller.sub.clone(),
        key,
        fingerprint: print.finish(),
        method: req.method().to_string(),
        path,
    };
    let kept = {
        let (caller, key) = (claim.caller.clone(), claim.key.clone());
        super::read(state, move |conn| {
            repo::find(conn, &caller, &key, Utc::now().naive_utc())
        })
        .await
    };
    let kept = match kept {
        Ok(kept) => kept,
        Err(e) => return Err((req, e)),
    };
    match kept {
        None => {
            req.set_payload(body.into_payload());
            let pending = Arc::new(Pending {
                claim,
                claimed: AtomicBool::new(false),
            });
            Ok(Prepared::Run(req, pending))
        }
        Some(kept) => match seen_before(&claim, kept) {
            Ok(answer) => Ok(Prepared::Answered(req, replay(answer))),
            Err(e) => Err((req, e)),
        },
    }
}

/// What a key seen before answers: its first answer, or why not.
fn seen_before(claim: &Claim, kept: Kept) -> Result<Answer, ApiError> {
    if kept.fingerprint != claim.fingerprint {
        return Err(ApiError::Validation(vec![
            crate::domain::rules::FieldError::new(
                "Idempotency-Key",
                text!(
                    "idempotency-key-reused",
                    method = kept.method,
                    path = kept.path
                ),
            ),
        ]));
    }
    match kept.answer {
        Some(answer) => Ok(answer),
        None if (Utc::now().naive_utc() - kept.claimed_at).num_seconds() < RUNNING_SECS => {
            Err(ApiError::InProgress(text!("idempotency-key-running")))
        }
        None => Err(ApiError::Conflict(text!("idempotency-key-lost"))),
    }
}

fn replay(answer: Answer) -> HttpResponse {
    let status = StatusCode::from_u16(answer.status).unwrap_or(StatusCode::OK);
    let mut res = HttpResponse::build(status);
    for (name, value) in &answer.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::try_from(name.as_str()),
            HeaderValue::try_from(value.as_str()),
        ) {
            res.insert_header((name, value));
        }
    }
    res.insert_header((HeaderName::from_static(REPLAYED), "true"));
    res.body(answer.body)
}

/// Runs the request with its key pending; keeps the answer if a write claimed the key.
async fn run(
    state: web::Data<AppState>,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
    pending: Arc<Pending>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let res = PENDING.scope(pending.clone(), next.call(req)).await?;
    // A 5xx is the server's trouble, not an answer: the key stays without one (running,
    // then lost) rather than replaying the trouble for a day.
    if !pending.claimed.load(Ordering::Acquire) || res.status().is_server_error() {
        return Ok(res.map_into_boxed_body());
    }
    let (http_req, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let body = match actix_web::body::to_bytes(body).await {
        Ok(body) => body,
        Err(e) => {
            let e = ApiError::Internal(format!("reading an answer to keep: {}", e.into()));
            return Ok(ServiceResponse::new(http_req, e.error_response()));
        }
    };
    let answer = Answer {
        status: head.status().as_u16(),
        headers: KEPT_HEADERS
            .iter()
            .filter_map(|name| {
                let value = head.headers().get(name)?.to_str().ok()?;
                Some((name.as_str().to_string(), value.to_string()))
            })
            .collect(),
        body: body.to_vec(),
    };
    let (caller, key) = (pending.claim.caller.clone(), pending.claim.key.clone());
    let db = state.db.clone();
    let kept = web::block(move || {
        let mut conn = db.write()?;
        repo::answer(&mut conn, &caller, &key, &answer, Utc::now().naive_utc())
    })
    .await;
    if let Err(e) | Ok(Err(e)) = kept.map_err(ApiError::from) {
        // The write is done and its answer goes out; a retry would hear "lost".
        log::warn!("the answer to an idempotent request was not kept: {e}");
    }
    Ok(ServiceResponse::new(
        http_req,
        head.set_body(BoxBody::new(body)),
    ))
}
