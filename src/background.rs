//! The service's background work, each on a thread of its own that ends with the server:
//! the webhook deliverer (outbox → signed POSTs, retried with backoff) and the deadline
//! scanner (turns due dates into `measure.due_soon` / `measure.overdue` events, once each,
//! and duties' pace into `duty.behind` / `duty.missed`), and the sweeper (forgets
//! `Idempotency-Key`s past their 24 hours).

use std::sync::{Arc, Weak};
use std::time::Duration;

use chrono::Utc;
use diesel::prelude::*;

use crate::db::models::NoticeRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{warnings, webhooks, WriteCtx};
use crate::db::schema::{deadline_notices, measures};
use crate::db::{Db, DbConnection};
use crate::domain::calendar::Calendar;
use crate::domain::deadline::Today;
use crate::domain::enums::Warning;
use crate::domain::webhooks::{signature, Allowlist};
use crate::error::ApiError;

/// Runs `work` every `every` until the owner of `alive` is gone.
fn every(name: &str, alive: Weak<()>, every: Duration, mut work: impl FnMut() + Send + 'static) {
    let spawned = std::thread::Builder::new()
        .name(name.into())
        .spawn(move || loop {
            // Waits in steps of a second at most, so that the thread (and the database
            // pool it holds) ends soon after its server, however long the interval.
            let due = std::time::Instant::now() + every;
            loop {
                if alive.upgrade().is_none() {
                    return;
                }
                let left = due.saturating_duration_since(std::time::Instant::now());
                if left.is_zero() {
                    break;
                }
                std::thread::sleep(left.min(Duration::from_secs(1)));
            }
            work();
        });
    if let Err(e) = spawned {
        log::error!("cannot start {name}: {e}");
    }
}

/// Backs the ledger up on its schedule (`ZHENGGAI_BACKUP_EVERY`).
pub fn start_backups(
    db: Db,
    storage: Arc<crate::storage::Storage>,
    schedule: crate::config::BackupSchedule,
    alive: &Arc<()>,
) {
    every(
        "backups",
        Arc::downgrade(alive),
        Duration::from_secs(schedule.every_secs),
        move || match crate::backup::scheduled(&db, &storage, &schedule) {
            Ok(dir) => log::info!("backup written to {}", dir.display()),
            Err(e) => log::error!("scheduled backup failed: {e}"),
        },
    );
}

/// Delivers due webhooks once a second, on one instance at a time (`db::leader`).
pub fn start_deliverer(
    db: Db,
    allow: Allowlist,
    key: Arc<crate::sealed::DataKey>,
    alive: &Arc<()>,
) {
    // Built on the worker thread: a blocking client must not live in an async context.
    let mut client: Option<reqwest::blocking::Client> = None;
    let mut leader =
        crate::db::leader::Leader::new(db.clone(), "webhook sender", crate::db::leader::WEBHOOKS);
    every(
        "webhooks",
        Arc::downgrade(alive),
        Duration::from_secs(1),
        move || {
            if !leader.is_mine() {
                return;
            }
            if client.is_none() {
                match reqwest::blocking::Client::builder()
                    .timeout(Duration::from_secs(10))
                    .redirect(reqwest::redirect::Policy::none())
                    .build()
                {
                    Ok(c) => client = Some(c),
                    Err(e) => {
                        log::error!("webhooks: cannot build an HTTP client: {e}");
                        return;
                    }
                }
            }
            if let Some(client) = &client {
                if let Err(e) = deliver_due(&db, &allow, &key, client) {
                    log::warn!("webhook delivery: {e}");
                }
            }
        },
    );
}

fn deliver_due(
    db: &Db,
    allow: &Allowlist,
    key: &crate::sealed::DataKey,
    client: &reqwest::blocking::Client,
) -> Result<(), ApiError> {
    // One claimed at a time, just before it is sent: its claim (a minute) outlasts the
    // attempt (ten seconds at most), so no other sender can take it up meanwhile.
    for _ in 0..20 {
        let mut conn = db.write()?;
        let due = webhooks::claim_due(&mut conn, Utc::now().naive_utc(), 1)?;
        drop(conn);
        let Some((delivery, hook)) = due.into_iter().next() else {
            break;
        };
        let secret = key.open(&hook.secret);
        let outcome = match (allow.permits(&hook.url).map_err(|t| t.to_string()), secret) {
            (Err(why), _) | (_, Err(why)) => Err((None, why)),
            (Ok(()), Ok(secret)) => {
                let unix = Utc::now().timestamp();
                client
                    .post(&hook.url)
                    .header("Content-Type", "application/json")
                    .header("User-Agent", "zhenggai-webhooks")
                    .header("X-Zhenggai-Event", &delivery.event_type)
                    .header("X-Zhenggai-Delivery", &delivery.id)
                    .header(
                        "X-Zhenggai-Signature",
                        signature(&secret, unix, &delivery.payload),
                    )
                    .body(delivery.payload.clone())
                    .send()
                    .map_err(|e| (None, e.to_string()))
                    .and_then(|res| {
                        let status = res.status().as_u16();
                        if res.status().is_success() {
                            Ok(status)
                        } else {
                            Err((Some(status), format!("the receiver answered {status}")))
                        }
                    })
            }
        };
        let mut conn = db.write()?;
        webhooks::record(&mut conn, &delivery, &hook, outcome, Utc::now().naive_utc())?;
    }
    Ok(())
}

/// Forgets idempotency keys past their 24 hours, every ten minutes (a lookup ignores them
/// already; this keeps the table small).
pub fn start_sweeper(db: Db, alive: &Arc<()>) {
    every(
        "key-sweeper",
        Arc::downgrade(alive),
        Duration::from_secs(600),
        move || {
            let swept = db.write().map_err(ApiError::from).and_then(|mut conn| {
                crate::db::repo::idempotency::sweep(&mut conn, Utc::now().naive_utc())
            });
            match swept {
                Ok(0) => {}
                Ok(n) => log::info!("forgot {n} idempotency key(s) past their 24 hours"),
                Err(e) => log::warn!("idempotency key sweep: {e}"),
            }
        },
    );
}

/// Scans deadlines every `interval`; `today` gives the date and yellow window.
pub fn start_scanner(
    db: Db,
    interval: Duration,
    today: impl Fn() -> Today + Send + 'static,
    calendar: Arc<Calendar>,
    alive: &Arc<()>,
) {
    every(
        "deadline-scanner",
        Arc::downgrade(alive),
        interval,
        move || match db.write() {
            Ok(mut conn) => {
                if let Err(e) = scan(&mut conn, &today(), calendar.clone()) {
                    log::warn!("deadline scan: {e}");
                }
            }
            Err(e) => log::warn!("deadline scan: {e}"),
        },
    );
}

/// Announces measures that became due soon or overdue since the last scan. With several
/// instances on PostgreSQL one scans at a time (an advisory lock); SQLite has one writer.
pub fn scan(
    conn: &mut DbConnection,
    today: &Today,
    calendar: Arc<Calendar>,
) -> Result<usize, ApiError> {
    conn.transaction(|conn| {
        crate::db::connection::begin_writing(conn)?;
        if let DbConnection::Postgresql(pg) = conn {
            #[derive(QueryableByName)]
            struct Lock {
                #[diesel(sql_type = diesel::sql_types::Bool)]
                locked: bool,
            }
            let lock: Lock = diesel::sql_query(
                "SELECT pg_try_advisory_xact_lock($1, hashtext(current_schema())) AS locked",
            )
            .bind::<diesel::sql_types::Integer, _>(crate::db::leader::SCANNER)
            .get_result(pg)?;
            if !lock.locked {
                return Ok(0);
            }
        }
        let ctx = WriteCtx::new(crate::domain::permissions::Actor::system("system"), calendar);
        let mut announced = 0;
        for (light, kind) in [(Warning::Red, "overdue"), (Warning::Yellow, "due_soon")] {
            let noticed = deadline_notices::table
                .filter(deadline_notices::kind.eq(kind))
                .select(deadline_notices::measure_id);
            let mut query = warnings::filter_measures(measures::table.into_boxed(), light, today)
                .filter(measures::id.ne_all(noticed));
            if light == Warning::Red {
                // Overdue by its deadline (a missed report is a different matter).
                query = query.filter(measures::due_date.lt(today.date));
            }
            let due: Vec<(String, String, Option<chrono::NaiveDate>, String)> = query
                .select((measures::id, measures::code, measures::due_date, measures::lead_unit_id))
                .limit(500)
                .load(conn)?;
            for (id, code, due_date, lead) in due {
                let Some(due_date) = due_date else { continue };
                let notice = NoticeRow {
                    measure_id: id.clone(),
                    kind: kind.into(),
                    due_date,
                };
                if webhooks::notice(conn, &notice)? {
                    let data = serde_json::json!({"code": code, "due_date": due_date, "lead_unit_id": lead});
                    events::append(conn, &ctx, &format!("measure.{kind}"), ("measure", &id), None, Some(snapshot(&data)))?;
                    announced += 1;
                }
            }
        }
        // The duties: pace moves with the days, so the quota lights of the measures they
        // keep are brought up to today, and periods behind or missed are announced.
        let org = crate::service::directory::load(conn)?;
        crate::service::duty_watch::refresh_lights(
            conn,
            &ctx,
            crate::service::duty_watch::Touched::All,
            today.date,
            &org,
        )?;
        announced += crate::service::duty_watch::announce(conn, &ctx, today.date, &org)?;
        Ok(announced)
    })
}
