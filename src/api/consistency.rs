//! Read-your-writes across instances and a read replica. Every write's answer carries
//! `X-Zhenggai-Version`: the head of the audit chain its commit reached. A read that sends
//! that number back as `X-Zhenggai-Min-Version` is answered from data at least that new —
//! on the replica once it has replayed that far, on the primary until then — whichever
//! instance it reaches. No cookie, no session: the client carries its own version.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, ResponseError};

use super::{work, AppState};

use crate::db::repo::events;
use crate::error::ApiError;
use crate::text;

pub const MIN_VERSION: &str = "x-zhenggai-min-version";
pub const VERSION: &str = "x-zhenggai-version";

#[derive(Default)]
struct Versions {
    min: i64,
    written: AtomicI64,
}

tokio::task_local! {
    static REQUEST: Arc<Versions>;
}

/// The version the caller asked its read to be at least as new as (0: none).
pub fn min_version() -> i64 {
    REQUEST.try_with(|v| v.min).unwrap_or(0)
}

/// A write of this request committed up to event `head`.
pub fn wrote(head: i64) {
    let _ = REQUEST.try_with(|v| v.written.fetch_max(head, Ordering::AcqRel));
}

/// `from_fn` middleware for `/api/v1`, inside authentication and around the ETags, the
/// cache and `Idempotency-Key`: reads `X-Zhenggai-Min-Version` (a bad one is 400 and
/// nothing runs), and tags a write's answer with `X-Zhenggai-Version`.
pub async fn versions(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let min = match req.headers().get(MIN_VERSION).map(|v| v.to_str()) {
        None => 0,
        Some(Ok(text)) => match text.trim().parse::<i64>() {
            Ok(n) if n >= 0 => n,
            _ => return Ok(refuse(req)),
        },
        Some(Err(_)) => return Ok(refuse(req)),
    };
    if let Some(state) = req.app_data::<web::Data<AppState>>() {
        catch_up(state, min).await;
    }
    let versions = Arc::new(Versions {
        min,
        written: AtomicI64::new(0),
    });
    let mut res = REQUEST
        .scope(versions.clone(), next.call(req))
        .await?
        .map_into_boxed_body();
    let written = versions.written.load(Ordering::Acquire);
    if written > 0 {
        res.headers_mut()
            .insert(HeaderName::from_static(VERSION), HeaderValue::from(written));
    }
    Ok(res)
}

/// A version this instance has not heard of yet (written on another instance a moment
/// ago): bring this instance's versions up to it, so that its ETags, cached answers and
/// reads all come after it. With a LISTEN connection up the commit's note is a few
/// milliseconds away; without one (SQLite's poll, a dropped listener) or when the note is
/// late, the primary's head is read at once. A version no write has reached yet (a
/// made-up number) leaves the versions as the primary has them; the read still asks the
/// replica for it, so it is answered by the primary.
async fn catch_up(state: &AppState, min: i64) {
    if min <= state.ledger.head() {
        return;
    }
    if state.ledger.is_listening() {
        state
            .ledger
            .wait_past(min - 1, std::time::Duration::from_millis(100))
            .await;
        if min <= state.ledger.head() {
            return;
        }
    }
    match work::read_primary(state, events::versions).await {
        Ok((head, shown)) => state.ledger.advance(head, shown),
        Err(e) => log::warn!("cannot read the ledger's head for X-Zhenggai-Min-Version: {e}"),
    }
}

fn refuse(req: ServiceRequest) -> ServiceResponse<BoxBody> {
    let e = ApiError::bad_param("X-Zhenggai-Min-Version", text!("min-version-bad"));
    req.into_response(e.error_response())
}
