//! Documents the offices file: the rectification report (整改情况报告) of an inspection and
//! the closure slip (对账销号单) of a measure, as Word files or Markdown.

use actix_web::http::header;
use actix_web::{get, web, HttpResponse};
use uuid::Uuid;

use super::dto::stats::ReportQuery;
use super::extract::Params;
use super::ledger::attachment;
use super::{read, AppState};
use crate::auth::caller::Caller;
use crate::db::repo::ledger::{unit_names, LineCtx};
use crate::documents::document::Document;
use crate::documents::{report, slip};
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::access;
use crate::text;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
const MARKDOWN: &str = "text/markdown; charset=utf-8";

#[derive(Clone, Copy)]
pub(super) enum Kind {
    Docx,
    Markdown,
}

pub(super) fn answer(doc: &Document, kind: Kind, name: &str) -> Result<HttpResponse, ApiError> {
    Ok(match kind {
        Kind::Docx => HttpResponse::Ok()
            .content_type(DOCX)
            .insert_header((
                header::CONTENT_DISPOSITION,
                attachment(&format!("{name}.docx")),
            ))
            .body(doc.to_docx()?),
        Kind::Markdown => HttpResponse::Ok()
            .content_type(MARKDOWN)
            .body(doc.to_markdown()),
    })
}

async fn report_of(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    kind: Kind,
    q: ReportQuery,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadInspections)?;
    let tz = state.tz;
    let as_of = state.as_of(q.as_of)?;
    let _turn = state.expensive.enter().await?;
    let past_day = as_of.as_ref().map(|t| t.date);
    let today = as_of.unwrap_or_else(|| state.today());
    let (calendar, directory) = (state.calendar.clone(), state.directory.clone());
    let org = web::block(move || directory.now()).await??;
    let (doc, name) = read(&state, move |conn| {
        access::inspection(
            conn,
            &caller.actor(),
            &id.to_string(),
            Action::ReadInspections,
        )?;
        if caller.role.is_unit_scoped() {
            // The report counts every unit's items; a unit sees only its own.
            return Err(ApiError::refused(
                "read_report",
                text!("refusal-read_report"),
            ));
        }
        let past = match past_day {
            Some(day) => Some(crate::service::duty_watch::as_of(
                conn, day, tz, &calendar, &org,
            )?),
            None => None,
        };
        let ctx = LineCtx {
            today: today.clone(),
            tz,
            unit_names: unit_names(conn)?,
            as_of: past,
        };
        let mut data = report::gather(conn, &id.to_string(), &ctx)?;
        data.duties = crate::service::duties::of_inspection(
            conn,
            &id.to_string(),
            ctx.today.date,
            &calendar,
            &org,
        )?;
        let name = format!("整改情况报告-{}-{}", data.inspection.code, today.date);
        Ok((report::compose(&data), name))
    })
    .await?;
    answer(&doc, kind, &name)
}

/// The rectification report (整改情况报告) of an inspection, as a Word file.
///
/// In the structure of the offices' own reports, with real numbers: problems and
/// measures (by kind), completed and closed, completion and on-time rates, extensions and
/// overdue items; progress by category and by lead unit; the items not yet closed with
/// their leaders and deadlines; the long-term items with their latest reports. 仿宋 body,
/// 黑体 headings. Everyone who reads every unit's items (not the unit roles).
#[utoipa::path(tag = "ledger", operation_id = "inspection_report_docx",
    params(("id" = Uuid, Path, description = "Inspection id"), ReportQuery), responses(
    (status = 200, description = "The report.", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>),
    (status = 403, description = "A unit role: the report covers every unit.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/inspections/{id}/report.docx")]
pub async fn report_docx(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Params(q): Params<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    report_of(state, caller, id.into_inner(), Kind::Docx, q).await
}

/// The rectification report (整改情况报告) of an inspection, as Markdown.
///
/// The same document as `report.docx`. With `as_of`, both are the report as it stood at
/// the end of that day (the one sent up at the end of 集中整改期), from the audit trail.
#[utoipa::path(tag = "ledger", operation_id = "inspection_report_md",
    params(("id" = Uuid, Path, description = "Inspection id"), ReportQuery), responses(
    (status = 200, description = "The report.", content_type = "text/markdown", body = String),
    (status = 403, description = "A unit role: the report covers every unit.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/inspections/{id}/report.md")]
pub async fn report_md(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Params(q): Params<ReportQuery>,
) -> Result<HttpResponse, ApiError> {
    report_of(state, caller, id.into_inner(), Kind::Markdown, q).await
}

async fn slip_of(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    kind: Kind,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    let tz = state.tz;
    let (doc, name) = read(&state, move |conn| {
        access::measure(conn, &caller.actor(), &id.to_string(), Action::ReadMeasures)?;
        let data = slip::gather(conn, &id.to_string(), tz)?;
        let name = format!("对账销号单-{}", data.measure.code);
        Ok((slip::compose(&data), name))
    })
    .await?;
    answer(&doc, kind, &name)
}

/// The closure slip (对账销号单) of a closed measure, as a Word file.
///
/// The measure and its finding, the evidence with SHA-256, and who asked for closure,
/// endorsed and verified it and when, from the audit trail (with each event's number and
/// hash). 409 until the measure is closed. Whoever may read the measure.
#[utoipa::path(tag = "ledger", operation_id = "closure_slip_docx",
    params(("id" = Uuid, Path, description = "Measure id")), responses(
    (status = 200, description = "The slip.", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>),
    (status = 409, description = "The measure is not closed.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/measures/{id}/closure-slip.docx")]
pub async fn slip_docx(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    slip_of(state, caller, id.into_inner(), Kind::Docx).await
}

/// The closure slip (对账销号单) of a closed measure, as Markdown.
#[utoipa::path(tag = "ledger", operation_id = "closure_slip_md",
    params(("id" = Uuid, Path, description = "Measure id")), responses(
    (status = 200, description = "The slip.", content_type = "text/markdown", body = String),
    (status = 409, description = "The measure is not closed.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/measures/{id}/closure-slip.md")]
pub async fn slip_md(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    slip_of(state, caller, id.into_inner(), Kind::Markdown).await
}
