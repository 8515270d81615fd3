//! Extension requests over HTTP: the unit asks, the office decides.

use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::dto::actions::{ActionInput, ApproveExtensionBody, RejectExtensionBody};
use super::dto::extensions::{
    Extension, ExtensionList, ExtensionPage, ExtensionQuery, RequestExtension,
};
use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::extract::{Body, Params};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::repo::extensions;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::workflow::ActionForm;
use crate::service::{self, access};

/// Ask for a later due date (延期申请).
///
/// The staff of the measure's lead unit or of the finding's responsible unit (or the
/// office), for a measure with a deadline that is not closed; one request at a time. The
/// office decides.
#[utoipa::path(tag = "extensions", operation_id = "request_extension",
    params(("id" = Uuid, Path, description = "Measure id")),
    request_body = RequestExtension, responses(
    (status = 201, description = "Waiting for a decision.", body = Extension,
        headers(("Location" = String, description = "The request's URL"))),
    (status = 409, description = "The measure is closed or has no deadline, or a request is already pending.",
        body = Problem, content_type = "application/problem+json"),
))]
#[post("/measures/{id}/extensions")]
pub async fn request(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Body(input): Body<RequestExtension>,
) -> Result<HttpResponse, ApiError> {
    let measure_id = id.into_inner().to_string();
    let row = write(&state, &caller, move |conn, ctx| {
        service::extensions::request(
            conn,
            ctx,
            &measure_id,
            input.requested_due_date,
            &input.reason,
        )
    })
    .await?;
    let body = Extension::try_from(row)?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/extensions/{}", body.id)))
        .json(body))
}

/// A measure's extension requests, oldest first.
#[utoipa::path(tag = "extensions", operation_id = "list_extensions",
    params(("id" = Uuid, Path, description = "Measure id")),
    responses((status = 200, description = "Its requests.", body = ExtensionList)))]
#[get("/measures/{id}/extensions")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let measure_id = id.into_inner().to_string();
    let rows = read(&state, move |conn| {
        access::measure(conn, &caller.actor(), &measure_id, Action::ReadMeasures)?;
        extensions::of_measure(conn, &measure_id)
    })
    .await?;
    let items = rows
        .into_iter()
        .map(Extension::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ExtensionList { items }))
}

/// Extension requests across the ledger (the office's queue): `status=pending` lists those
/// waiting for a decision, the oldest first.
///
/// A unit or leader sees the requests of the measures it sees.
#[utoipa::path(tag = "extensions", operation_id = "list_all_extensions", params(ExtensionQuery),
    responses((status = 200, description = "A page of requests, the oldest first.", body = ExtensionPage)))]
#[get("/extensions")]
pub async fn queue(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<ExtensionQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    const SORT: &str = "requested_at";
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit);
    let vis = caller.visibility();
    let mut filter: crate::db::forms::ExtensionFilter = (&q).into();
    filter.units = state.units_under(q.unit_id, q.descendants).await?;
    let page = read(&state, move |conn| {
        extensions::list(conn, &filter, &vis, after, limit)
    })
    .await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|r| encode_cursor(SORT, extensions::sort_key(r), r.id.clone()));
    let items = page
        .rows
        .into_iter()
        .map(Extension::try_from)
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok().json(ExtensionPage {
        items,
        next_cursor,
        total: page.total,
    }))
}

/// Get one extension request.
#[utoipa::path(tag = "extensions", operation_id = "get_extension",
    params(("id" = Uuid, Path, description = "Extension request id")),
    responses((status = 200, description = "The request.", body = Extension)))]
#[get("/extensions/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let row = read(&state, move |conn| {
        service::extensions::visible(conn, &caller.actor(), &id, Action::ReadMeasures)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Extension::try_from(row)?))
}

async fn decide(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    approved: bool,
    input: ActionInput,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let effective = input.effective_date();
    let note = ActionForm::from(input).note().map(str::to_string);
    let row = super::write_on(&state, &caller, effective, move |conn, ctx| {
        service::extensions::decide(conn, ctx, &id, approved, note.as_deref())
    })
    .await?;
    Ok(HttpResponse::Ok().json(Extension::try_from(row)?))
}

/// Approve an extension: the measure's `due_date` moves to the requested date,
/// `original_due_date` stays, `extension_count` goes up. The office.
#[utoipa::path(tag = "extensions", operation_id = "approve_extension",
    params(("id" = Uuid, Path, description = "Extension request id")),
    request_body = ApproveExtensionBody, responses(
    (status = 200, description = "Approved.", body = Extension),
    (status = 409, description = "Already decided, or the measure closed meanwhile.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/extensions/{id}/approve")]
pub async fn approve(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Body(input): Body<ApproveExtensionBody>,
) -> Result<HttpResponse, ApiError> {
    decide(state, caller, id.into_inner(), true, input.into()).await
}

/// Reject an extension; a reason is required. The office.
#[utoipa::path(tag = "extensions", operation_id = "reject_extension",
    params(("id" = Uuid, Path, description = "Extension request id")),
    request_body = RejectExtensionBody, responses(
    (status = 200, description = "Rejected.", body = Extension),
    (status = 409, description = "Already decided.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/extensions/{id}/reject")]
pub async fn reject(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Body(input): Body<RejectExtensionBody>,
) -> Result<HttpResponse, ApiError> {
    decide(state, caller, id.into_inner(), false, input.into()).await
}
