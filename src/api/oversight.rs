//! Reminders (催办) and listed supervision (挂牌督办) over HTTP.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::dto::actions::{ListSupervisionBody, Reminder, UnlistSupervisionBody};
use super::dto::findings::Finding;
use super::dto::measures::Measure;
use super::extract::{etag, Body, Guarded};
use super::{write, AppState};
use crate::auth::caller::Caller;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::oversight;

impl Guarded for Reminder {
    const ACTION: Action = Action::RemindMeasure;
}

/// Remind the unit of an open measure (催办).
///
/// Recorded in the measure's history with its text, counted as `reminder_count` (in the
/// measure, the stats, the ledger export and the report), and announced to webhooks as
/// `measure.reminded`. The office or a supervisor; 409 on a closed measure.
#[utoipa::path(tag = "workflow", operation_id = "remind_measure",
    params(("id" = Uuid, Path, description = "Measure id")), request_body = Reminder, responses(
    (status = 200, description = "The measure, reminded.", body = Measure),
    (status = 403, description = "Not the office or a supervisor (`rule`: `remind_measure`).", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The measure is closed.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/measures/{id}/actions/remind")]
pub async fn remind(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Body(input): Body<Reminder>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let (row, units) = write(&state, &caller, move |conn, ctx| {
        oversight::remind(conn, ctx, &id, &input.text)
    })
    .await?;
    let body = Measure::from_row(row, units, &state.today())?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body))
}

async fn supervise(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    listed: bool,
    reason: String,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let today = state.today();
    let body: Finding = write(&state, &caller, move |conn, ctx| {
        let row = oversight::supervise(conn, ctx, &id, listed, &reason)?;
        Ok(super::findings::present(conn, vec![row], &today)?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body))
}

/// Put a finding under listed supervision (挂牌督办).
///
/// Sets `supervision_level` to `listed` with a recorded reason; listed findings sort
/// first in the work queues and are marked in the report. The office or a supervisor.
#[utoipa::path(tag = "workflow", operation_id = "list_supervision",
    params(("id" = Uuid, Path, description = "Finding id")), request_body = ListSupervisionBody, responses(
    (status = 200, description = "The finding, listed.", body = Finding),
    (status = 403, description = "Not the office or a supervisor (`rule`: `supervise_finding`).", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Listed already.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/findings/{id}/actions/list_supervision")]
pub async fn list_supervision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Body(input): Body<ListSupervisionBody>,
) -> Result<HttpResponse, ApiError> {
    supervise(state, caller, id.into_inner(), true, input.0.reason).await
}

/// Take a finding off listed supervision (撤销督办).
#[utoipa::path(tag = "workflow", operation_id = "unlist_supervision",
    params(("id" = Uuid, Path, description = "Finding id")), request_body = UnlistSupervisionBody, responses(
    (status = 200, description = "The finding, no longer listed.", body = Finding),
    (status = 403, description = "Not the office or a supervisor (`rule`: `supervise_finding`).", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "Not listed.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/findings/{id}/actions/unlist_supervision")]
pub async fn unlist_supervision(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Body(input): Body<UnlistSupervisionBody>,
) -> Result<HttpResponse, ApiError> {
    supervise(state, caller, id.into_inner(), false, input.0.reason).await
}
