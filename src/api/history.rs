//! The audit trail over HTTP: an object's history, and the check of the whole chain.

use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::dto::events::{Event, EventPage, Feed, FeedQuery, HistoryQuery};
use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::extract::Params;
use super::{read, AppState};
use crate::auth::caller::Caller;
use crate::db::repo::events::{self, ChainReport};
use crate::domain::org::Organisation;
use crate::domain::permissions::{Action, Visibility};
use crate::error::ApiError;
use crate::service::access;
use crate::text;

const SORT: &str = "seq";

async fn history(
    state: web::Data<AppState>,
    caller: Caller,
    object: &'static str,
    id: Uuid,
    q: HistoryQuery,
) -> Result<HttpResponse, ApiError> {
    let after = match decode_cursor(q.cursor.as_deref(), SORT)? {
        Some(a) => Some(
            a.key
                .parse::<i64>()
                .map_err(|_| ApiError::bad_param("cursor", text!("cursor-foreign")))?,
        ),
        None => None,
    };
    let limit = limit(q.limit);
    let id = id.to_string();
    let directory = state.directory.clone();
    let (rows, org) = read(&state, move |conn| {
        match object {
            "finding" => {
                access::finding(conn, &caller.actor(), &id, Action::ReadFindings).map(|_| ())?
            }
            _ => access::measure(conn, &caller.actor(), &id, Action::ReadMeasures).map(|_| ())?,
        }
        Ok((
            events::of_object(conn, object, &id, after, limit)?,
            directory.now()?,
        ))
    })
    .await?;
    let has_more = rows.len() as i64 > limit;
    let items: Vec<Event> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| Event::named(r, &org))
        .collect();
    let next_cursor = items
        .last()
        .filter(|_| has_more)
        .map(|e| encode_cursor(SORT, e.seq.to_string(), e.id.clone()));
    Ok(HttpResponse::Ok().json(EventPage { items, next_cursor }))
}

/// A finding's history: every change and action, oldest first.
#[utoipa::path(tag = "audit", operation_id = "finding_history",
    params(("id" = Uuid, Path, description = "Finding id"), HistoryQuery),
    responses((status = 200, description = "Its events.", body = EventPage)))]
#[get("/findings/{id}/history")]
pub async fn finding(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Params(q): Params<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    history(state, caller, "finding", id.into_inner(), q).await
}

/// A measure's history: every change, action, evidence upload and extension decision.
#[utoipa::path(tag = "audit", operation_id = "measure_history",
    params(("id" = Uuid, Path, description = "Measure id"), HistoryQuery),
    responses((status = 200, description = "Its events.", body = EventPage)))]
#[get("/measures/{id}/history")]
pub async fn measure(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Params(q): Params<HistoryQuery>,
) -> Result<HttpResponse, ApiError> {
    history(state, caller, "measure", id.into_inner(), q).await
}

/// The change feed: every change the caller may see, in order.
///
/// Resume with `after=<next_cursor>`; `next_cursor` is present on every page, so a client
/// never misses or repeats an event. With `wait` (≤ 30 s) an empty answer is held until
/// something happens. Units and leaders see events of their own items (and of units).
#[utoipa::path(tag = "audit", operation_id = "change_feed", params(FeedQuery),
    responses((status = 200, description = "Events after the cursor.", body = Feed)))]
#[get("/events")]
pub async fn feed(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<FeedQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    let after = match decode_cursor(q.after.as_deref().filter(|a| !a.is_empty()), FEED)? {
        Some(a) => a
            .key
            .parse::<i64>()
            .map_err(|_| ApiError::bad_param("after", text!("cursor-foreign-feed")))?,
        None => 0,
    };
    let limit = limit(q.limit);
    let wait = std::time::Duration::from_secs(u64::from(q.wait.unwrap_or(0)));
    let deadline = std::time::Instant::now() + wait;
    let vis = caller.visibility();
    let about = state
        .units_under(q.unit_id, q.descendants)
        .await?
        .map(Visibility::units);
    loop {
        let seen = state.ledger.head();
        let (scope, about) = (vis.clone(), about.clone());
        let directory = state.directory.clone();
        let (rows, head, org) = read(&state, move |conn| {
            let (rows, head) = events::feed(conn, &scope, about.as_ref(), after, limit)?;
            Ok((rows, head, directory.now()?))
        })
        .await?;
        let now = std::time::Instant::now();
        if !rows.is_empty() || now >= deadline {
            return Ok(HttpResponse::Ok().json(feed_page(rows, head, after, limit, &org)));
        }
        // Nothing yet: sleep until the ledger moves (or the wait is over), then look again.
        state.ledger.wait_past(seen.max(head), deadline - now).await;
    }
}

fn feed_page(
    rows: Vec<crate::db::models::EventRow>,
    head: i64,
    after: i64,
    limit: i64,
    org: &Organisation,
) -> Feed {
    let has_more = rows.len() as i64 > limit;
    let items: Vec<Event> = rows
        .into_iter()
        .take(limit as usize)
        .map(|r| Event::named(r, org))
        .collect();
    // With more to come, resume after the last item; otherwise after the head, so events
    // the caller may not see are not scanned again.
    let position = match items.last() {
        Some(last) if has_more => last.seq,
        _ => head.max(after),
    };
    Feed {
        items,
        next_cursor: encode_cursor(FEED, position.to_string(), String::new()),
    }
}

const FEED: &str = "feed";

/// Check the whole audit trail.
///
/// Recomputes every event's hash and link; reports whether the chain is intact and, if
/// not, the first event that does not fit. Admin, office and supervisors.
#[utoipa::path(tag = "audit", operation_id = "verify_audit",
    responses((status = 200, description = "The check's result (intact or not).", body = ChainReport)))]
#[get("/audit/verify")]
pub async fn verify(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.check_ledger_wide(Action::VerifyAudit, "audit trail")?;
    let report = read(&state, events::verify).await?;
    Ok(HttpResponse::Ok().json(report))
}
