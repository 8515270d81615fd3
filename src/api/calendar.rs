//! The working-day calendar the deadlines count in.

use actix_web::{get, web, HttpResponse};

use super::AppState;
use crate::auth::caller::Caller;
use crate::domain::calendar::CalendarYear;
use crate::domain::permissions::Action;
use crate::error::ApiError;
use crate::text;

/// A year's statutory holidays and make-up workdays (调休), and where they come from.
///
/// Deadlines and the yellow window count working days by it. A year without data counts
/// weekends only, and `source` says so.
#[utoipa::path(tag = "calendar", operation_id = "get_calendar",
    params(("year" = i32, Path, description = "e.g. 2024", minimum = 1900, maximum = 2999)),
    responses((status = 200, description = "The year.", body = CalendarYear)))]
#[get("/calendar/{year}")]
pub async fn year(
    state: web::Data<AppState>,
    caller: Caller,
    year: web::Path<i32>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadUnits)?;
    let year = year.into_inner();
    if !(1900..=2999).contains(&year) {
        return Err(ApiError::bad_request(text!("calendar-year", year = year)));
    }
    Ok(HttpResponse::Ok().json(state.calendar.year(year)))
}
