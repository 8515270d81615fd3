//! HTTP handlers, thin: extract → (authorize) → `web::block(repo)` → DTO.

pub mod actions;
pub mod calendar;
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

use std::sync::Arc;

use actix_web::middleware::from_fn;
use actix_web::web;
use chrono::Utc;
use chrono_tz::Tz;
use diesel::Connection;

use crate::auth::caller::Caller;
use crate::auth::middleware::{authenticate, Authenticator};
use crate::db::repo::WriteCtx;
use crate::db::{limit, Db, DbConnection};
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

/// Runs read queries on a pooled connection, off the async threads. When the connection
/// breaks under them (a database restart, a killed backend), they run once more on a fresh
/// one: reading twice changes nothing.
///
/// They run within the query time limit (503 past it), and stop when the request is
/// dropped before its answer — its client went away — rather than run on for nobody.
pub async fn read<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    let db = state.db.clone();
    let stop = limit::Stop::new();
    let watch = StopOnDrop {
        stop: Some(stop.clone()),
        db: db.clone(),
    };
    let running = stop.clone();
    let result = web::block(move || {
        limit::within(db.query_timeout(), running.clone(), || {
            let run = |f: F| -> Result<T, ApiError> {
                let mut conn = db.read()?;
                running.running_on(conn.backend_pid);
                let done = f(&mut conn);
                running.running_on(None);
                done
            };
            let result = match run(f.clone()) {
                Err(ApiError::ConnectionLost(why)) => {
                    log::warn!("read again on a fresh connection: {why}");
                    run(f)
                }
                done => done,
            };
            if let Err(ApiError::Unavailable(text)) = &result {
                if text.id == limit::TIMED_OUT {
                    let why = if running.is_cancelled() {
                        "cancelled"
                    } else {
                        "timeout"
                    };
                    log::warn!("read stopped ({why})");
                    metrics::count_stopped(why);
                }
            }
            result
        })
    })
    .await;
    watch.disarm();
    result?
}

/// Stops a read whose request was dropped before the read was done.
struct StopOnDrop {
    stop: Option<std::sync::Arc<limit::Stop>>,
    db: Db,
}

impl StopOnDrop {
    fn disarm(mut self) {
        self.stop = None;
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let Some(stop) = self.stop.take() else { return };
        let db = self.db.clone();
        std::thread::spawn(move || limit::stop(&db, &stop));
    }
}

/// Runs a write in one transaction on the write connection, off the async threads,
/// stamped with the caller as its author.
pub async fn write<T, F>(state: &AppState, caller: &Caller, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, &WriteCtx) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    write_on(state, caller, None, f).await
}

/// The same, for a step that really happened on `effective` (补录), when given.
///
/// When the connection breaks during the transaction's work, nothing was committed and the
/// work runs once more on a fresh connection; when it breaks on the commit itself, whether
/// the write landed is unknown, and the answer is 503 for the client to look and retry.
pub async fn write_on<T, F>(
    state: &AppState,
    caller: &Caller,
    effective: Option<chrono::NaiveDate>,
    f: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, &WriteCtx) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    let db = state.db.clone();
    let mut ctx = caller.write_ctx(state.calendar.clone()).in_zone(state.tz);
    ctx.effective = effective;
    // The request's Idempotency-Key is claimed with its first write, atomically.
    let pending = idempotency::pending();
    let claim = pending.as_ref().and_then(|p| p.unclaimed());
    let ledger = state.ledger.clone();
    if let Some(committer) = &state.group_commit {
        let (reply, answer) = tokio::sync::oneshot::channel();
        committer.submit(Box::new(RequestWrite {
            f,
            ctx,
            claim,
            ledger,
            value: None,
            reply,
        }));
        let result = answer
            .await
            .map_err(|_| ApiError::Internal("a write went unanswered".into()))?;
        if let (Ok(_), Some(pending)) = (&result, pending) {
            pending.committed();
        }
        return result;
    }
    let result = web::block(move || {
        let attempt = |f: F| -> Result<(Result<T, ApiError>, bool), ApiError> {
            let mut conn = db.write()?;
            let mut broke_in_work = false;
            let result = conn.transaction(|conn| {
                // Claimed last, stamped when the work is done: its age counts from about
                // the commit, however long the work took.
                let done = f(conn, &ctx).and_then(|value| match &claim {
                    Some(claim) => {
                        crate::db::repo::idempotency::claim(conn, claim, Utc::now()).map(|()| value)
                    }
                    None => Ok(value),
                });
                broke_in_work = matches!(done, Err(ApiError::ConnectionLost(_)));
                done
            });
            Ok((result, broke_in_work))
        };
        let result = match attempt(f.clone())? {
            (Err(ApiError::ConnectionLost(why)), true) => {
                log::warn!("write again on a fresh connection (nothing was committed): {why}");
                ctx.last_event.set(0);
                ctx.last_shown.set(0);
                attempt(f)?.0
            }
            (result, _) => result,
        };
        if result.is_ok() {
            // Committed: every poller's ETag is stale from here on — said here, where it
            // is said even when the request is dropped meanwhile (its client gone).
            ledger.advance(ctx.last_event.get(), ctx.last_shown.get());
        }
        Ok::<_, ApiError>(result)
    })
    .await??;
    if result.is_ok() {
        if let Some(pending) = pending {
            pending.committed();
        }
    }
    result
}

/// A request's write as the group-commit thread runs it (see `db::group_commit`).
struct RequestWrite<T, F> {
    f: F,
    ctx: WriteCtx,
    claim: Option<crate::db::repo::idempotency::Claim>,
    ledger: polling::LedgerVersion,
    value: Option<T>,
    reply: tokio::sync::oneshot::Sender<Result<T, ApiError>>,
}

impl<T, F> crate::db::group_commit::Write for RequestWrite<T, F>
where
    F: FnOnce(&mut DbConnection, &WriteCtx) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    fn run(&mut self, conn: &mut DbConnection) -> Result<(), ApiError> {
        self.ctx.last_event.set(0);
        self.ctx.last_shown.set(0);
        let value = self.f.clone()(conn, &self.ctx)?;
        // Claimed last, stamped when the work is done (as in `write_on`).
        if let Some(claim) = &self.claim {
            crate::db::repo::idempotency::claim(conn, claim, Utc::now())?;
        }
        self.value = Some(value);
        Ok(())
    }

    fn answer(self: Box<Self>, outcome: Result<(), ApiError>) {
        let this = *self;
        let result = outcome.and_then(|()| {
            this.value
                .ok_or_else(|| ApiError::Internal("a committed write without its answer".into()))
        });
        if result.is_ok() {
            // Committed: every poller's ETag is stale from here on.
            this.ledger
                .advance(this.ctx.last_event.get(), this.ctx.last_shown.get());
        }
        // A request dropped meanwhile (its client gone) is not told; its write stands.
        let _ = this.reply.send(result);
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
