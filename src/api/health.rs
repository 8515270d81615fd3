use actix_web::{get, web, HttpResponse};
use chrono::Datelike;
use diesel::connection::SimpleConnection;
use serde::Serialize;
use utoipa::ToSchema;

use super::work::read_primary;
use super::AppState;

/// How long `/readyz` waits for the database before it answers not ready.
const READY_WITHIN: std::time::Duration = std::time::Duration::from_secs(1);
use crate::error::{ApiError, Problem};
use crate::text;

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
    /// The read replica (`DATABASE_READ_URL`), when there is one. Ready either way: when
    /// it is down or lagging, reads go to the primary, and this says so.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub replica: Option<ReplicaReadiness>,
}

/// Where reads go, as the replica was last seen (twice a second).
#[derive(Serialize, ToSchema)]
pub struct ReplicaReadiness {
    /// `ok`: reads go there; `lagging` or `down`: reads go to the primary.
    pub status: crate::db::replica::ReplicaStatus,
    /// How far its replay is behind, in milliseconds (none: not known).
    #[schema(example = 12)]
    pub lag_ms: Option<i64>,
    /// `replica` or `primary`.
    #[schema(example = "replica")]
    pub reads_on: &'static str,
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

/// Ready to serve: the database answers within a second, so does the evidence store, and
/// the disks have room.
#[utoipa::path(tag = "health", responses(
    (status = 200, description = "The database answers and the disks have room.", body = Readiness),
    (status = 503, description = "Not ready; `detail` says why (the database or the evidence store does not answer within 1 s, or a disk is below `ZHENGGAI_MIN_FREE_MB`).", body = Problem, content_type = "application/problem+json",
        headers(("Retry-After" = u32, description = "Seconds to wait"))),
))]
#[get("/readyz")]
pub async fn readyz(state: web::Data<AppState>) -> Result<HttpResponse, ApiError> {
    let answered = tokio::time::timeout(
        READY_WITHIN,
        read_primary(&state, |conn| {
            conn.batch_execute("SELECT 1").map_err(|e| {
                log::warn!("readiness check failed: {e}");
                ApiError::Unavailable(text!("database-silent"))
            })
        }),
    )
    .await;
    match answered {
        Ok(Ok(())) => {}
        Ok(Err(e)) => return Err(e),
        Err(_) => return Err(ApiError::Unavailable(text!("database-slow"))),
    }
    // Evidence in object storage: the bucket answers (a local directory always does).
    let storage = state.storage.clone();
    let reached = tokio::time::timeout(READY_WITHIN, web::block(move || storage.reachable())).await;
    if !matches!(reached, Ok(Ok(Ok(())))) {
        if let Ok(Ok(Err(e))) = &reached {
            log::warn!("readiness check: the evidence store: {e}");
        }
        return Err(ApiError::Unavailable(text!("storage-silent")));
    }
    let disks = std::iter::once((text!("disk-evidence"), state.storage.free_bytes())).chain(
        state
            .database_dir
            .as_deref()
            .map(|d| (text!("disk-database"), crate::storage::free_bytes(d))),
    );
    for (what, free) in disks {
        if let Some(free) = free.filter(|f| *f < state.min_free_bytes) {
            return Err(ApiError::Unavailable(text!(
                "disk-low",
                what = what,
                free = free / (1024 * 1024),
                min = state.min_free_bytes / (1024 * 1024)
            )));
        }
    }
    let this_year = state.today().date.year();
    Ok(HttpResponse::Ok().json(Readiness {
        status: "ok",
        database: state.db.backend.name(),
        calendar: CalendarCoverage {
            years: state.calendar.years(),
            current_year_covered: state.calendar.covers(this_year),
        },
        replica: state.db.replica().map(|r| {
            let (status, lag_ms) = r.status();
            ReplicaReadiness {
                status,
                lag_ms,
                reads_on: if status == crate::db::replica::ReplicaStatus::Ok {
                    "replica"
                } else {
                    "primary"
                },
            }
        }),
    }))
}
