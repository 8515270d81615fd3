//! `GET /metrics` in Prometheus text format: requests by route and status with a latency
//! histogram (actix-web-prom), plus connection-pool usage and the ledger's lights, read at
//! scrape time. For roles that read everything (a scraper uses a viewer token).

use actix_web::http::header;
use actix_web::{get, web, HttpRequest, HttpResponse};
use diesel::prelude::*;
use prometheus::{Encoder, IntCounterVec, IntGauge, IntGaugeVec, Opts, Registry, TextEncoder};

use super::{read, AppState};
use crate::db::repo::tallies;
use crate::db::schema::webhook_deliveries;
use crate::domain::enums::Warning;
use crate::error::{ApiError, Problem};
use crate::text;

/// Reads not answered: stopped at the time limit (`timeout`), stopped because the client
/// went away (`cancelled`), or refused because the expensive ones were queued full (`busy`).
static STOPPED: std::sync::LazyLock<IntCounterVec> = std::sync::LazyLock::new(|| {
    IntCounterVec::new(
        Opts::new(
            "reads_stopped_total",
            "Reads stopped at the time limit, on a client gone, or refused when busy",
        )
        .namespace("zhenggai"),
        &["why"],
    )
    .expect("a valid metric")
});

/// Reads by where they ran: `replica` (DATABASE_READ_URL) or `primary`.
static READS: std::sync::LazyLock<IntCounterVec> = std::sync::LazyLock::new(|| {
    IntCounterVec::new(
        Opts::new("reads_total", "Reads by the database they ran on").namespace("zhenggai"),
        &["on"],
    )
    .expect("a valid metric")
});

/// Counts one read, on the replica or on the primary.
pub fn count_read(on_replica: bool) {
    READS
        .with_label_values(&[if on_replica { "replica" } else { "primary" }])
        .inc();
}

/// Counts one read not answered, and why.
pub fn count_stopped(why: &'static str) {
    STOPPED.with_label_values(&[why]).inc();
}

/// The service's own gauges, registered beside the request metrics.
#[derive(Clone)]
pub struct Gauges {
    pub registry: Registry,
    pool: IntGaugeVec,
    lights: IntGaugeVec,
    ledger_version: IntGauge,
    webhook_backlog: IntGauge,
}

impl Gauges {
    pub fn new(registry: Registry) -> Result<Gauges, prometheus::Error> {
        let pool = IntGaugeVec::new(
            Opts::new(
                "db_pool_connections",
                "Database connections by pool and state",
            )
            .namespace("zhenggai"),
            &["pool", "state"],
        )?;
        let lights = IntGaugeVec::new(
            Opts::new("measures", "Measures by warning light (红黄绿灯) today")
                .namespace("zhenggai"),
            &["warning"],
        )?;
        let ledger_version = IntGauge::with_opts(
            Opts::new(
                "ledger_version",
                "Sequence number of the latest audit event",
            )
            .namespace("zhenggai"),
        )?;
        registry.register(Box::new(pool.clone()))?;
        registry.register(Box::new(lights.clone()))?;
        let webhook_backlog = IntGauge::with_opts(
            Opts::new(
                "webhook_backlog",
                "Webhook deliveries waiting to be sent or retried",
            )
            .namespace("zhenggai"),
        )?;
        registry.register(Box::new(ledger_version.clone()))?;
        registry.register(Box::new(webhook_backlog.clone()))?;
        registry.register(Box::new(STOPPED.clone()))?;
        registry.register(Box::new(READS.clone()))?;
        Ok(Gauges {
            registry,
            pool,
            lights,
            ledger_version,
            webhook_backlog,
        })
    }
}

/// Prometheus metrics.
#[utoipa::path(tag = "health", operation_id = "metrics", security(("bearerAuth" = [])),
    responses(
        (status = 200, description = "Prometheus text format.", content_type = "text/plain"),
        (status = 401, description = "No valid bearer token.", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "Units and leaders cannot read ledger-wide numbers.", body = Problem, content_type = "application/problem+json"),
    ))]
#[get("/metrics")]
pub async fn metrics(
    state: web::Data<AppState>,
    gauges: web::Data<Gauges>,
    req: HttpRequest,
) -> Result<HttpResponse, ApiError> {
    let caller = state.auth.caller(req.headers()).await?;
    if caller.role.is_unit_scoped() {
        return Err(ApiError::refused(
            "read_metrics",
            text!("refusal-read_metrics"),
        ));
    }
    for (pool, open, idle) in state.db.usage() {
        gauges
            .pool
            .with_label_values(&[pool, "open"])
            .set(i64::from(open));
        gauges
            .pool
            .with_label_values(&[pool, "idle"])
            .set(i64::from(idle));
    }
    gauges.ledger_version.set(state.ledger.head());
    let today = state.today();
    let counts = read(&state, move |conn| {
        // From the tallies: a scrape costs the same on any ledger.
        let day = tallies::lights(conn, &today)?;
        let green = tallies::measures(conn)? - day.red - day.yellow;
        let counts = vec![
            (Warning::Red, day.red),
            (Warning::Yellow, day.yellow),
            (Warning::Green, green),
        ];
        let backlog: i64 = webhook_deliveries::table
            .filter(webhook_deliveries::status.eq("pending"))
            .count()
            .get_result(conn)?;
        Ok((counts, backlog))
    })
    .await?;
    let (counts, backlog) = counts;
    gauges.webhook_backlog.set(backlog);
    for (light, n) in counts {
        gauges.lights.with_label_values(&[light.as_str()]).set(n);
    }
    let mut body = Vec::new();
    TextEncoder::new()
        .encode(&gauges.registry.gather(), &mut body)
        .map_err(|e| ApiError::Internal(format!("metrics: {e}")))?;
    Ok(HttpResponse::Ok()
        .insert_header((header::CONTENT_TYPE, "text/plain; version=0.0.4"))
        .body(body))
}
