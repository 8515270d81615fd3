use actix_web::{get, web, HttpResponse};
use chrono::Datelike;
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use super::{read, AppState};
use crate::error::{ApiError, Problem};

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(example = "ok")]
    pub status: &'static str,
}

#[derive(Serialize, ToSchema)]
pub struct Readiness {
    #[schema(example = "ok")]
    pub status: &'static str,
    /// `sqlite` or `postgresql`.
    #[schema(example = "sqlite")]
    pub database: &'static str,
    pub calendar: CalendarCoverage,
}

/// Which years the working-day calendar knows.
#[derive(Serialize, ToSchema)]
pub struct CalendarCoverage {
    /// Years with holiday data.
    pub years: Vec<i32>,
    /// False when this year has no data: deadlines then count weekends only.
    pub current_year_covered: bool,
}

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, description = "The process is up.", body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> HttpResponse {
    HttpResponse::Ok().json(Health { status: "ok" })
}

/// The database answers a query.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "The database answers.", body = Readiness),
    (status = 503, description = "The database does not answer.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    read(&state, |conn| {
        conn.batch_execute("SELECT 1").map_err(|e| {
            log::warn!("readiness check failed: {e}");
            ApiError::Unavailable("the database does not answer".into())
        })
    })
    .await?;
    let this_year = state.today().date.year();
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ok",
        database: state.db.backend.name(),
        calendar: CalendarCoverage {
            years: state.calendar.years(),
            current_year_covered: state.calendar.covers(this_year),
        },
    }))
}
