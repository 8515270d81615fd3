use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::dto::measures::Measure;
use super::dto::rechecks::{CreateRecheck, Recheck, RecheckPage, RecheckQuery, RecheckRecorded};
use super::extract::{etag, Body, Guarded, IfMatch, Params};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::page::{decode_cursor, encode_cursor, limit};
use crate::db::repo::rechecks::{self, RecheckFilter};
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::oversight;

impl Guarded for CreateRecheck {
    const ACTION: Action = Action::RecheckMeasure;
}

const SORT: &str = "checked_on";

/// Re-check a closed measure (回头看).
///
/// `holds` records that the rectification holds and leaves the measure closed;
/// `relapsed` records that the problem is back and reopens the measure and its finding
/// (the `reopen` action is this, dated today). Counted as `recheck_count` /
/// `relapse_count` on the measure and in the stats. The office or a supervisor.
#[utoipa::path(tag = "workflow", operation_id = "recheck_measure",
    params(("id" = Uuid, Path, description = "Measure id"),
           ("If-Match" = Option<String>, Header, description = "The ETag last seen; a stale one answers 412")),
    request_body = CreateRecheck, responses(
    (status = 201, description = "Recorded; the measure after it.", body = RecheckRecorded,
        headers(("ETag" = String, description = "The measure's new version"))),
    (status = 403, description = "Not the office or a supervisor (`rule`: `recheck_measure`).", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The measure is not closed.", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`checked_on` in the future or before the closing, or unknown evidence.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/measures/{id}/rechecks")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    IfMatch(if_match): IfMatch,
    Body(input): Body<CreateRecheck>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let form = input.into();
    let (check, (row, units)) = write(&state, &caller, move |conn, ctx| {
        oversight::recheck(conn, ctx, &id, &form, if_match)
    })
    .await?;
    let measure = Measure::from_row(row, units, &state.today())?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/rechecks?measure_id={}", measure.id),
        ))
        .insert_header(etag(measure.version))
        .json(RecheckRecorded {
            recheck: Recheck::try_from(check)?,
            measure,
        }))
}

/// List re-checks (回头看), latest first.
///
/// A unit or leader sees the re-checks of the measures it sees.
#[utoipa::path(tag = "workflow", operation_id = "list_rechecks", params(RecheckQuery), responses(
    (status = 200, description = "A page of re-checks.", body = RecheckPage),
))]
#[get("/rechecks")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<RecheckQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit);
    let filter = RecheckFilter {
        measure_id: q.measure_id.map(|u| u.to_string()),
        inspection_id: q.inspection_id.map(|u| u.to_string()),
        result: q.result.map(|r| r.as_str().to_string()),
        units: state.units_under(q.unit_id, q.descendants).await?,
    };
    let vis = caller.visibility();
    let page = read(&state, move |conn| {
        rechecks::list(conn, &filter, &vis, after, limit)
    })
    .await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|r| encode_cursor(SORT, r.checked_on.to_string(), r.id.clone()));
    Ok(HttpResponse::Ok().json(RecheckPage {
        items: page
            .rows
            .into_iter()
            .map(Recheck::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor,
        total: page.total,
    }))
}
