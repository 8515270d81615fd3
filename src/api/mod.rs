//! HTTP handlers, thin: extract → (authorize) → `web::block(repo)` → DTO.

pub mod actions;
pub mod calendar;
pub mod consistency;
pub mod cors;
pub mod dto;
pub mod duties;
pub mod evidence;
pub mod extensions;
pub mod extract;
pub mod fallback;
pub mod findings;
pub mod gate;
pub mod handovers;
pub mod head;
pub mod health;
pub mod history;
pub mod idempotency;
pub mod inspections;
pub mod language;
pub mod ledger;
pub mod measures;
pub mod metrics;
pub mod oversight;
pub mod people;
pub mod polling;
pub mod queue;
pub mod rate_limit;
pub mod rechecks;
pub mod reports;
pub mod request_id;
pub mod serde_text;
pub mod spool;
pub mod stats;
pub mod units;
pub mod webhooks;
pub mod work;

pub use work::{read, write, write_on};

use std::sync::Arc;

use actix_web::middleware::from_fn;
use actix_web::web;
use chrono::Utc;
use chrono_tz::Tz;

use crate::auth::middleware::{authenticate, Authenticator};
use crate::db::Db;
use crate::domain::calendar::Calendar;
use crate::domain::deadline::{self, Today};
use crate::error::ApiError;
use crate::text;

/// Ledger exports streaming at once; a few more wait their turn (503 past them), so that
/// exports never take every read connection from the other requests.
pub const EXPORTS_AT_ONCE: usize = 2;

/// What every handler shares.
#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    pub tz: Tz,
    pub auth: Arc<Authenticator>,
    pub storage: Arc<crate::storage::Storage>,
    pub calendar: Arc<Calendar>,
    pub yellow_days: u32,
    /// Working days after which an unreminded red measure is queued for the office.
    pub remind_after_days: u32,
    pub ledger: polling::LedgerVersion,
    pub cache: Arc<polling::ResponseCache>,
    /// Turns for ledger exports: each holds a read connection while it streams.
    pub exports: Arc<gate::Gate>,
    /// On SQLite, the thread that commits concurrent writes together; none on PostgreSQL.
    pub group_commit: Option<crate::db::group_commit::GroupCommit>,
    /// Turns for the other expensive reads: statistics and reports computed afresh.
    pub expensive: Arc<gate::Gate>,
    /// Turns for evidence uploads: each holds a buffer while it receives its file.
    pub uploads: Arc<gate::Gate>,
    pub webhook_allow: crate::domain::webhooks::Allowlist,
    /// Seals and opens webhook secrets.
    pub data_key: Arc<crate::sealed::DataKey>,
    /// Free disk below which `/readyz` is not ready and uploads are refused (507).
    pub min_free_bytes: u64,
    /// The SQLite file's directory (its disk is watched too); none on PostgreSQL.
    pub database_dir: Option<std::path::PathBuf>,
    /// The unit tree and the people directory, as of the ledger's version.
    pub directory: Arc<crate::service::directory::Directory>,
    /// Background threads run while this lives.
    pub alive: Arc<()>,
}

impl AppState {
    /// Today in the configured zone (deadlines are whole days there), with the end of the
    /// yellow window counted in working days.
    pub fn today(&self) -> Today {
        Today::new(
            deadline::today(Utc::now(), self.tz),
            self.calendar.clone(),
            self.yellow_days,
        )
    }

    /// An `as_of` day as the numbers' "today": the end of that past day (or of today).
    /// A day still to come has no numbers yet.
    pub fn as_of(&self, day: Option<chrono::NaiveDate>) -> Result<Option<Today>, ApiError> {
        let Some(day) = day else { return Ok(None) };
        let today = self.today();
        if day > today.date {
            return Err(ApiError::bad_param(
                "as_of",
                text!("as-of-future", day = day, today = today.date),
            ));
        }
        Ok(Some(today.on(day, self.yellow_days)))
    }
}

impl AppState {
    /// A `unit_id` filter's units: the unit and every unit below it, or the unit alone
    /// (`descendants=false`).
    pub async fn units_under(
        &self,
        unit_id: Option<uuid::Uuid>,
        descendants: Option<bool>,
    ) -> Result<Option<Vec<String>>, ApiError> {
        let Some(unit) = unit_id.map(|u| u.to_string()) else {
            return Ok(None);
        };
        if descendants == Some(false) {
            return Ok(Some(vec![unit]));
        }
        let directory = self.directory.clone();
        let org = web::block(move || directory.now()).await??;
        Ok(Some(org.subtree(&unit)))
    }
}

/// Every route of the service, registered so that the router and the OpenAPI document are
/// one list. Everything under `/api/v1` needs a bearer token; the probes do not.
pub fn routes(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(health::healthz)
        .service(health::readyz)
        .service(metrics::metrics)
        .service(
            utoipa_actix_web::scope::scope("/api/v1")
                .wrap(from_fn(polling::etags))
                .wrap(from_fn(idempotency::keys))
                .wrap(from_fn(consistency::versions))
                .wrap(from_fn(authenticate))
                .service(units::create)
                .service(units::list)
                .service(units::get)
                .service(people::create)
                .service(people::list)
                .service(people::get)
                .service(people::update)
                .service(handovers::create)
                .service(handovers::list)
                .service(handovers::get)
                .service(oversight::remind)
                .service(oversight::list_supervision)
                .service(oversight::unlist_supervision)
                .service(queue::waiting)
                .service(duties::kinds)
                .service(duties::add_kind)
                .service(duties::create)
                .service(duties::list)
                .service(duties::year_progress)
                .service(duties::report_docx)
                .service(duties::report_md)
                .service(duties::import_plan)
                .service(duties::get)
                .service(duties::update)
                .service(duties::progress)
                .service(duties::record)
                .service(duties::activities)
                .service(duties::activity)
                .service(duties::withdraw)
                .service(rechecks::create)
                .service(rechecks::list)
                .service(inspections::create)
                .service(inspections::list)
                .service(inspections::get)
                .service(inspections::update)
                .service(findings::create)
                .service(findings::list)
                .service(findings::get)
                .service(findings::update)
                .service(measures::create)
                .service(measures::list)
                .service(measures::get)
                .service(measures::update)
                .service(actions::start)
                .service(actions::report)
                .service(actions::submit)
                .service(actions::endorse)
                .service(actions::verify)
                .service(actions::return_closure)
                .service(actions::reopen)
                .service(actions::claim)
                .service(actions::submit_plan)
                .service(actions::approve_plan)
                .service(actions::return_plan)
                .service(evidence::upload)
                .service(evidence::list)
                .service(evidence::get)
                .service(evidence::content)
                .service(evidence::withdraw)
                .service(extensions::request)
                .service(extensions::list)
                .service(extensions::queue)
                .service(extensions::get)
                .service(extensions::approve)
                .service(extensions::reject)
                .service(ledger::xlsx)
                .service(ledger::csv)
                .service(ledger::import)
                .service(reports::report_docx)
                .service(reports::report_md)
                .service(reports::slip_docx)
                .service(reports::slip_md)
                .service(calendar::year)
                .service(stats::numbers)
                .service(stats::overdue)
                .service(history::finding)
                .service(history::measure)
                .service(history::verify)
                .service(history::feed)
                .service(webhooks::create)
                .service(webhooks::list)
                .service(webhooks::remove)
                .service(webhooks::deliveries),
        );
}
