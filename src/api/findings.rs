use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use uuid::Uuid;

use super::dto::findings::{
    CreateFinding, Finding, FindingDetail, FindingPage, FindingQuery, UpdateFinding,
};
use super::dto::measures::Measure;
use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::extract::{etag, Body, Guarded, IfMatch, Params};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::models::FindingRow;
use crate::db::repo::{findings, measures, warnings};
use crate::db::DbConnection;
use crate::domain::deadline::Today;
use crate::domain::enums::Warning;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::{self, access};

impl Guarded for CreateFinding {
    const ACTION: Action = Action::WriteFinding;
}

impl Guarded for UpdateFinding {
    const ACTION: Action = Action::WriteFinding;
}

const SORT: &str = "code";

/// Findings as the API shows them, each with its light.
pub fn present(
    conn: &mut DbConnection,
    rows: Vec<FindingRow>,
    today: &Today,
) -> Result<Vec<Finding>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let lights = warnings::of_findings(conn, &ids, today)?;
    rows.into_iter()
        .map(|r| {
            let light = lights.get(&r.id).copied().unwrap_or(Warning::Green);
            Finding::from_row(r, light)
        })
        .collect()
}

/// File a finding (问题) under an inspection.
///
/// The finding is assigned (交办) to its responsible unit. Its code is unique within the
/// inspection and generated from the inspection's code when absent. Admin and office.
#[utoipa::path(tag = "findings", operation_id = "create_finding", params(("id" = Uuid, Path, description = "Inspection id")),
    request_body = CreateFinding, responses(
    (status = 201, description = "The finding was filed.", body = Finding,
        headers(("Location" = String, description = "The new finding's URL"))),
    (status = 409, description = "The code is already used in this inspection.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/inspections/{id}/findings")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Body(input): Body<CreateFinding>,
) -> Result<HttpResponse, ApiError> {
    let inspection_id = id.into_inner().to_string();
    let row = write(&state, &caller, move |conn, ctx| {
        service::findings::create(conn, ctx, &inspection_id, input.into())
    })
    .await?;
    // A new finding has no measures yet: green.
    let body = Finding::from_row(row, Warning::Green)?;
    Ok(HttpResponse::Created()
        .insert_header(etag(body.version))
        .insert_header((header::LOCATION, format!("/api/v1/findings/{}", body.id)))
        .json(body))
}

/// List findings (问题清单), ordered by code.
///
/// A unit or leader sees the findings its unit is responsible for, and those with a
/// measure it leads or supports.
#[utoipa::path(tag = "findings", operation_id = "list_findings", params(FindingQuery), responses(
    (status = 200, description = "A page of findings.", body = FindingPage),
))]
#[get("/findings")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<FindingQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadFindings)?;
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit);
    let vis = caller.visibility();
    let today = state.today();
    let mut filter: crate::db::forms::FindingFilter = (&q).into();
    filter.units = state.units_under(q.unit_id, q.descendants).await?;
    let (page, items) = read(&state, move |conn| {
        let page = findings::list(conn, &filter, &vis, &today, after, limit)?;
        let items = present(conn, page.rows.clone(), &today)?;
        Ok((page, items))
    })
    .await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|r| encode_cursor(SORT, r.code.clone(), r.id.clone()));
    Ok(HttpResponse::Ok().json(FindingPage {
        items,
        next_cursor,
        total: page.total,
    }))
}

/// Get one finding with its measures.
///
/// A unit or leader involved only through some measures sees just those measures.
#[utoipa::path(tag = "findings", operation_id = "get_finding", params(("id" = Uuid, Path, description = "Finding id")), responses(
    (status = 200, description = "The finding and its measures.", body = FindingDetail),
))]
#[get("/findings/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let vis = caller.visibility();
    let today = state.today();
    let in_read = today.clone();
    let (row, finding, measures) = read(&state, move |conn| {
        let row = access::finding(conn, &caller.actor(), &id, Action::ReadFindings)?;
        let measures = measures::of_finding(conn, &id)?;
        let finding = present(conn, vec![row.clone()], &in_read)?.remove(0);
        Ok((row, finding, measures))
    })
    .await?;
    let measures = measures
        .into_iter()
        .filter(|(m, units)| {
            vis.measure_ties(&row.responsible_unit_id, &m.lead_unit_id, units)
                .any()
        })
        .map(|(m, units)| Measure::from_row(m, units, &today))
        .collect::<Result<_, _>>()?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(finding.version))
        .json(FindingDetail { finding, measures }))
}

/// Change a finding.
///
/// Absent fields stay; `null` clears an optional field; a new `responsible_unit_id`
/// reassigns the finding. Admin and office.
#[utoipa::path(tag = "findings", operation_id = "update_finding", params(("id" = Uuid, Path, description = "Finding id")),
    request_body = UpdateFinding, responses(
    (status = 200, description = "The changed finding.", body = Finding),
    (status = 409, description = "The new code is taken, or the finding changed concurrently.", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/findings/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    IfMatch(if_match): IfMatch,
    Body(input): Body<UpdateFinding>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let today = state.today();
    let body = write(&state, &caller, move |conn, ctx| {
        let row = service::findings::update(conn, ctx, &id, input.into(), if_match)?;
        Ok(present(conn, vec![row], &today)?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body))
}
