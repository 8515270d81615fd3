use actix_web::http::header;
use actix_web::{get, post, web, HttpResponse};
use uuid::Uuid;

use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::dto::units::{CreateUnit, Unit, UnitPage, UnitQuery};
use super::extract::{Body, Guarded, Params};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::repo::units;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};

impl Guarded for CreateUnit {
    const ACTION: Action = Action::CreateUnit;
}

const SORT: &str = "code";

/// Create a unit (单位/科室).
///
/// Units form a tree (市委 → 局 → 科室/支部); a unit's code is unique. Admin only.
#[utoipa::path(tag = "units", operation_id = "create_unit", request_body = CreateUnit, responses(
    (status = 201, description = "The unit was created.", body = Unit,
        headers(("Location" = String, description = "The new unit's URL"))),
    (status = 409, description = "A unit with this code exists.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/units")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(input): Body<CreateUnit>,
) -> Result<HttpResponse, ApiError> {
    let row = write(&state, &caller, move |conn, ctx| {
        crate::service::units::create(conn, ctx, input.into())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/units/{}", row.id)))
        .json(Unit::from(row)))
}

/// List units, ordered by code.
///
/// Every role reads the whole directory: measures name their lead and supporting units.
#[utoipa::path(tag = "units", operation_id = "list_units", params(UnitQuery), responses(
    (status = 200, description = "A page of units.", body = UnitPage),
))]
#[get("/units")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<UnitQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadUnits)?;
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit);
    let filter = (&q).into();
    let page = read(&state, move |conn| units::list(conn, &filter, after, limit)).await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|r| encode_cursor(SORT, r.code.clone(), r.id.clone()));
    Ok(HttpResponse::Ok().json(UnitPage {
        items: page.rows.into_iter().map(Unit::from).collect(),
        next_cursor,
        total: page.total,
    }))
}

/// Get one unit.
#[utoipa::path(tag = "units", operation_id = "get_unit", params(("id" = Uuid, Path, description = "Unit id")), responses(
    (status = 200, description = "The unit.", body = Unit),
))]
#[get("/units/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadUnits)?;
    let id = id.into_inner().to_string();
    let row = read(&state, move |conn| units::get(conn, &id)).await?;
    Ok(HttpResponse::Ok().json(Unit::from(row)))
}
