use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::dto::handovers::{
    CreateHandover, Handover, HandoverDetail, HandoverPage, HandoverQuery,
};
use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::dto::people::HeldMeasure;
use super::extract::{Body, Guarded, Params};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::repo::handovers;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service;

impl Guarded for CreateHandover {
    const ACTION: Action = Action::HandOver;
}

const SORT: &str = "effective_date";

/// Record a handover (责任交接).
///
/// A leader or responsible person leaves (调任、长期不在岗…): the measures they hold move
/// to their successor in one transaction. Without `measure_ids` it takes every open
/// measure `from` holds in `role` (within `unit_id` if given). Each moved measure records
/// a `measure.handover` event carrying the handover's id, so its history shows who held it
/// when. A started measure's holders change only this way. Office, admin, or a leader for
/// the measures its units lead.
#[utoipa::path(tag = "people", operation_id = "create_handover", request_body = CreateHandover, responses(
    (status = 201, description = "Recorded; the measures moved.", body = HandoverDetail,
        headers(("Location" = String, description = "The handover's URL"))),
    (status = 403, description = "Not the office, an administrator, or a leader over the measures' lead unit.", body = Problem, content_type = "application/problem+json"),
    (status = 404, description = "A named measure does not exist or is not the caller's to see.", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "A named measure is closed.", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "`from` holds none of the measures, a named measure is not theirs, or the successor is unknown.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/handovers")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(input): Body<CreateHandover>,
) -> Result<HttpResponse, ApiError> {
    let (row, moved) = write(&state, &caller, move |conn, ctx| {
        service::handovers::hand_over(conn, ctx, input.into())
    })
    .await?;
    let handover = Handover::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header((
            header::LOCATION,
            format!("/api/v1/handovers/{}", handover.id),
        ))
        .json(HandoverDetail {
            handover,
            measures: moved.into_iter().map(HeldMeasure::from).collect(),
        }))
}

/// List handovers, latest effective first.
///
/// A unit or leader sees the handovers that moved a measure it sees.
#[utoipa::path(tag = "people", operation_id = "list_handovers", params(HandoverQuery), responses(
    (status = 200, description = "A page of handovers.", body = HandoverPage),
))]
#[get("/handovers")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<HandoverQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit);
    let mut filter: crate::db::forms::HandoverFilter = (&q).into();
    filter.units = state.units_under(q.unit_id, q.descendants).await?;
    let vis = caller.visibility();
    let page = read(&state, move |conn| {
        handovers::list(conn, &filter, &vis, after, limit)
    })
    .await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|r| encode_cursor(SORT, r.effective_date.to_string(), r.id.clone()));
    Ok(HttpResponse::Ok().json(HandoverPage {
        items: page
            .rows
            .into_iter()
            .map(Handover::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor,
        total: page.total,
    }))
}

/// Get one handover with the measures it moved.
#[utoipa::path(tag = "people", operation_id = "get_handover", params(("id" = Uuid, Path, description = "Handover id")), responses(
    (status = 200, description = "The handover.", body = HandoverDetail),
    (status = 404, description = "No such handover, or none the caller may see.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/handovers/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    let id = id.into_inner().to_string();
    let vis = caller.visibility();
    let (row, moved) = read(&state, move |conn| {
        service::handovers::visible(conn, &vis, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(HandoverDetail {
        handover: Handover::try_from(row)?,
        measures: moved.into_iter().map(HeldMeasure::from).collect(),
    }))
}
