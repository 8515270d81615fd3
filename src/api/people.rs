use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};

use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::dto::people::{
    CreatePerson, HeldMeasure, Person, PersonPage, PersonQuery, PersonUpdated, UpdatePerson,
};
use super::extract::{etag, Body, Guarded, IfMatch, Params};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::repo::people;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service;

impl Guarded for CreatePerson {
    const ACTION: Action = Action::ManagePeople;
}

impl Guarded for UpdatePerson {
    const ACTION: Action = Action::ManagePeople;
}

const SORT: &str = "sub";

/// Add a person to the directory (人员名录).
///
/// Who works in which unit, and which units a leader oversees (分管). A `unit` or
/// `leader` caller whose token `sub` has an entry acts for the entry's unit and the units
/// it oversees, each with every unit below it — one token for a 分管领导 over three 科室.
/// Names in histories, closure slips and reports come from here. Admin and office.
#[utoipa::path(tag = "people", operation_id = "create_person", request_body = CreatePerson, responses(
    (status = 201, description = "The entry was added.", body = Person,
        headers(("Location" = String, description = "The entry's URL"))),
    (status = 403, description = "Only the office or an administrator keeps the directory.", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The directory has an entry for this `sub`.", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A named unit does not exist, or a field breaks its limits.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/people")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(input): Body<CreatePerson>,
) -> Result<HttpResponse, ApiError> {
    let row = write(&state, &caller, move |conn, ctx| {
        service::people::create(conn, ctx, input.into())
    })
    .await?;
    let location = format!("/api/v1/people/{}", urlencoding(&row.sub));
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, location))
        .insert_header(etag(row.version))
        .json(Person::from(row)))
}

/// List the directory, by login id.
///
/// Everyone reads names: measures, histories and papers name people.
#[utoipa::path(tag = "people", operation_id = "list_people", params(PersonQuery), responses(
    (status = 200, description = "A page of people.", body = PersonPage),
))]
#[get("/people")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<PersonQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadUnits)?;
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit);
    let filter = (&q).into();
    let page = read(&state, move |conn| {
        people::list(conn, &filter, after, limit)
    })
    .await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|r| encode_cursor(SORT, r.sub.clone(), r.sub.clone()));
    Ok(HttpResponse::Ok().json(PersonPage {
        items: page.rows.into_iter().map(Person::from).collect(),
        next_cursor,
        total: page.total,
    }))
}

/// Get one entry by login id.
#[utoipa::path(tag = "people", operation_id = "get_person", params(("sub" = String, Path, description = "Login id")), responses(
    (status = 200, description = "The entry.", body = Person),
    (status = 404, description = "No entry for this login id.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/people/{sub}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    sub: web::Path<String>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadUnits)?;
    let sub = sub.into_inner();
    let row = read(&state, move |conn| people::get(conn, &sub)).await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(row.version))
        .json(Person::from(row)))
}

/// Change an entry (调岗, 分工调整).
///
/// Absent fields stay; `null` clears an optional one. When the unit or the oversight
/// changes, the answer lists the open measures the person still holds whose lead unit is
/// outside the new scope — hand them over with `POST /handovers`. Admin and office.
#[utoipa::path(tag = "people", operation_id = "update_person", params(("sub" = String, Path, description = "Login id")),
    request_body = UpdatePerson, responses(
    (status = 200, description = "The changed entry, and what it still holds outside its scope.", body = PersonUpdated),
    (status = 404, description = "No entry for this login id.", body = Problem, content_type = "application/problem+json"),
    (status = 412, description = "`If-Match` names an older version.", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A named unit does not exist, or a field breaks its limits.", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/people/{sub}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    sub: web::Path<String>,
    IfMatch(if_match): IfMatch,
    Body(input): Body<UpdatePerson>,
) -> Result<HttpResponse, ApiError> {
    let sub = sub.into_inner();
    let (row, stranded) = write(&state, &caller, move |conn, ctx| {
        service::people::update(conn, ctx, &sub, input.into(), if_match)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(row.version))
        .json(PersonUpdated {
            person: Person::from(row),
            still_held_outside_scope: stranded.into_iter().map(HeldMeasure::from).collect(),
        }))
}

/// A login id as one path segment.
fn urlencoding(sub: &str) -> String {
    sub.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'.' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}
