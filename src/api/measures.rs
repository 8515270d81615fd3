use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::dto::measures::{CreateMeasure, Measure, MeasurePage, MeasureQuery, UpdateMeasure};
use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::extract::{etag, Body, Guarded, IfMatch, Params};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::repo::measures;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::{self, access};

impl Guarded for CreateMeasure {
    const ACTION: Action = Action::CreateMeasure;
}

impl Guarded for UpdateMeasure {
    const ACTION: Action = Action::EditMeasure;
}

/// Add a measure (整改措施) to a finding.
///
/// Names the lead and supporting units, the accountable leader, the responsible person and
/// the due date. `due_date` is required unless `kind` is `long_term`, and may not fall
/// before the inspection's feedback date. The code is generated from the finding's code
/// when absent. Admin, office, and the staff of the finding's responsible unit.
/// `accountable_leader_sub` names the accountable leader as a person of the people
/// directory (422 when it names nobody): then only they endorse.
#[utoipa::path(tag = "measures", operation_id = "create_measure", params(("id" = Uuid, Path, description = "Finding id")),
    request_body = CreateMeasure, responses(
    (status = 201, description = "The measure was added.", body = Measure,
        headers(("Location" = String, description = "The new measure's URL"))),
    (status = 409, description = "The code is already used in this finding, or the finding is closed.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/findings/{id}/measures")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Body(input): Body<CreateMeasure>,
) -> Result<HttpResponse, ApiError> {
    let finding_id = id.into_inner().to_string();
    let (row, units) = write(&state, &caller, move |conn, ctx| {
        let none = service::measures::Recorded::default();
        service::measures::create(conn, ctx, &finding_id, input.into(), &none)
    })
    .await?;
    let body = Measure::from_row(row, units, &state.today())?;
    Ok(HttpResponse::Created()
        .insert_header(etag(body.version))
        .insert_header((header::LOCATION, format!("/api/v1/measures/{}", body.id)))
        .json(body))
}

/// List measures (任务清单).
///
/// Filter by finding, inspection, unit (lead or supporting), status, kind, overdue and due
/// date range; sort by due date (default; measures without one last), reverse due date or
/// creation. Every measure carries its computed `overdue`, `overdue_days` and `warning`.
/// A unit or leader sees the measures its unit leads or supports, and all measures of
/// findings it is responsible for.
#[utoipa::path(tag = "measures", operation_id = "list_measures", params(MeasureQuery), responses(
    (status = 200, description = "A page of measures.", body = MeasurePage),
))]
#[get("/measures")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<MeasureQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    let sort = q.sort.unwrap_or_default();
    let after = decode_cursor(q.cursor.as_deref(), sort.as_str())?;
    let limit = limit(q.limit);
    let today = state.today();
    let vis = caller.visibility();
    let mut filter: crate::db::forms::MeasureFilter = (&q).into();
    filter.units = state.units_under(q.unit_id, q.descendants).await?;
    let in_read = today.clone();
    let page = read(&state, move |conn| {
        measures::list(conn, &filter, &vis, &in_read, after, limit)
    })
    .await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|(r, _)| encode_cursor(sort.as_str(), measures::sort_key(r, sort), r.id.clone()));
    let items = page
        .rows
        .into_iter()
        .map(|(r, units)| Measure::from_row(r, units, &today))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(MeasurePage {
        items,
        next_cursor,
        total: page.total,
    }))
}

/// Get one measure.
#[utoipa::path(tag = "measures", operation_id = "get_measure", params(("id" = Uuid, Path, description = "Measure id")), responses(
    (status = 200, description = "The measure.", body = Measure),
))]
#[get("/measures/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let (row, units) = read(&state, move |conn| {
        access::measure(conn, &caller.actor(), &id, Action::ReadMeasures)
    })
    .await?;
    let body = Measure::from_row(row, units, &state.today())?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body))
}

/// Change a measure.
///
/// Absent fields stay; `null` clears an optional field. `due_date` and `kind` change only
/// while the measure has not started (afterwards only an approved extension moves the
/// deadline); the accountable leader and responsible person are plain edits until the
/// measure starts, afterwards they change by handover (`POST /handovers`, 409 here); a
/// closed measure cannot be edited. Admin, office, and the staff of the
/// finding's responsible unit.
#[utoipa::path(tag = "measures", operation_id = "update_measure", params(("id" = Uuid, Path, description = "Measure id")),
    request_body = UpdateMeasure, responses(
    (status = 200, description = "The changed measure.", body = Measure),
    (status = 409, description = "The change is not allowed in the measure's state, the code is taken, or the measure changed concurrently.", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/measures/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    IfMatch(if_match): IfMatch,
    Body(input): Body<UpdateMeasure>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let (row, units) = write(&state, &caller, move |conn, ctx| {
        service::measures::update(conn, ctx, &id, input.into(), if_match)
    })
    .await?;
    let body = Measure::from_row(row, units, &state.today())?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body))
}
