use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::dto::inspections::{
    CreateInspection, Inspection, InspectionPage, InspectionQuery, UpdateInspection,
};
use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::extract::{etag, Body, Guarded, IfMatch, Params};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::repo::inspections;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::{self, access};

impl Guarded for CreateInspection {
    const ACTION: Action = Action::WriteInspection;
}

impl Guarded for UpdateInspection {
    const ACTION: Action = Action::WriteInspection;
}

const SORT: &str = "-feedback_date";

/// File an inspection (巡视/巡察/审计/督查…).
///
/// Its code (e.g. `XC-2022-03`) is unique. Findings are then filed under it. Admin and
/// office.
#[utoipa::path(tag = "inspections", operation_id = "create_inspection", request_body = CreateInspection, responses(
    (status = 201, description = "The inspection was filed.", body = Inspection,
        headers(("Location" = String, description = "The new inspection's URL"))),
    (status = 409, description = "An inspection with this code exists.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/inspections")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(input): Body<CreateInspection>,
) -> Result<HttpResponse, ApiError> {
    let row = write(&state, &caller, move |conn, ctx| {
        service::inspections::create(conn, ctx, input.into())
    })
    .await?;
    let body = Inspection::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header(etag(body.version))
        .insert_header((header::LOCATION, format!("/api/v1/inspections/{}", body.id)))
        .json(body))
}

/// List inspections, the latest feedback date first.
///
/// A unit or leader sees only inspections with findings or measures of its unit.
#[utoipa::path(tag = "inspections", operation_id = "list_inspections", params(InspectionQuery), responses(
    (status = 200, description = "A page of inspections.", body = InspectionPage),
))]
#[get("/inspections")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<InspectionQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadInspections)?;
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit);
    let vis = caller.visibility();
    let filter = (&q).into();
    let page = read(&state, move |conn| {
        inspections::list(conn, &filter, &vis, after, limit)
    })
    .await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|r| encode_cursor(SORT, r.feedback_date.to_string(), r.id.clone()));
    let items = page
        .rows
        .into_iter()
        .map(Inspection::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(InspectionPage {
        items,
        next_cursor,
        total: page.total,
    }))
}

/// Get one inspection.
#[utoipa::path(tag = "inspections", operation_id = "get_inspection", params(("id" = Uuid, Path, description = "Inspection id")), responses(
    (status = 200, description = "The inspection.", body = Inspection),
))]
#[get("/inspections/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let row = read(&state, move |conn| {
        access::inspection(conn, &caller.actor(), &id, Action::ReadInspections)
    })
    .await?;
    let body = Inspection::try_from(row)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body))
}

/// Change an inspection.
///
/// Absent fields stay as they are; `null` clears an optional field. A new feedback date may
/// not fall after any of its measures' due dates.
#[utoipa::path(tag = "inspections", operation_id = "update_inspection", params(("id" = Uuid, Path, description = "Inspection id")),
    request_body = UpdateInspection, responses(
    (status = 200, description = "The changed inspection.", body = Inspection),
    (status = 409, description = "The new code is taken, or the inspection changed concurrently.", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/inspections/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    IfMatch(if_match): IfMatch,
    Body(input): Body<UpdateInspection>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let row = write(&state, &caller, move |conn, ctx| {
        service::inspections::update(conn, ctx, &id, input.into(), if_match)
    })
    .await?;
    let body = Inspection::try_from(row)?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body))
}
