//! Queries, one file per resource. Every function takes a connection; callers run it inside
//! `web::block` (the API) or directly (the CLI), and writes inside one transaction.

pub mod as_of;
pub mod duties;
pub mod duty_watch;
pub mod events;
pub mod evidence;
pub mod extensions;
pub mod findings;
pub mod handovers;
pub mod idempotency;
pub mod inspections;
pub mod ledger;
pub mod measures;
pub mod people;
pub mod queue;
pub mod rechecks;
pub mod stats;
pub mod tallies;
pub mod units;
pub mod visibility;
pub mod warnings;
pub mod webhooks;

pub use crate::db::page::{After, Page};
pub use visibility::Visibility;

use chrono::{NaiveDateTime, Timelike, Utc};

use crate::db::DbConnection;
use std::sync::Arc;

use crate::domain::calendar::Calendar;
use crate::domain::permissions::Actor;
use crate::domain::rules::FieldError;
use crate::error::ApiError;

/// Who writes, in which role, and when: stamped on `created_by`/`updated_by`, the
/// timestamps and the audit events; `who` is what the use cases check access against.
#[derive(Debug, Clone)]
pub struct WriteCtx {
    pub actor: Option<String>,
    pub role: String,
    pub who: Actor,
    /// The working-day calendar the derived columns count with (the configured one).
    pub calendar: Arc<Calendar>,
    /// The zone deadlines are whole days in (the configured one; Asia/Shanghai unless set).
    pub tz: chrono_tz::Tz,
    /// History entered late (补录): the day the step really happened, when the office
    /// records it after the fact. Its events keep their real time and say so.
    pub effective: Option<chrono::NaiveDate>,
    pub now: NaiveDateTime,
    /// The sequence number of the last event this write appended (0: none yet).
    pub last_event: std::cell::Cell<i64>,
    /// …and of the last one that changed what answers show (not an announcement).
    pub last_shown: std::cell::Cell<i64>,
}

impl WriteCtx {
    pub fn new(who: Actor, calendar: Arc<Calendar>) -> WriteCtx {
        let now = Utc::now().naive_utc();
        // Microseconds: what PostgreSQL keeps, so both databases hold the same value.
        let now = now
            .with_nanosecond(now.nanosecond() / 1000 * 1000)
            .unwrap_or(now);
        WriteCtx {
            actor: Some(who.sub.clone()),
            role: who.label().to_string(),
            who,
            calendar,
            tz: chrono_tz::Asia::Shanghai,
            effective: None,
            now,
            last_event: std::cell::Cell::new(0),
            last_shown: std::cell::Cell::new(0),
        }
    }
}

impl WriteCtx {
    /// The same, in the configured zone.
    pub fn in_zone(mut self, tz: chrono_tz::Tz) -> WriteCtx {
        self.tz = tz;
        self
    }

    /// Today in that zone.
    pub fn today(&self) -> chrono::NaiveDate {
        crate::domain::deadline::today(self.now.and_utc(), self.tz)
    }

    /// When the step counts as taken: office hours of its effective day (补录), else now.
    pub fn moment(&self) -> NaiveDateTime {
        self.effective.map_or(self.now, |day| {
            crate::domain::deadline::office_hours(day, self.tz)
        })
    }
}

pub fn new_id() -> String {
    uuid::Uuid::now_v7().to_string()
}

/// `If-Match`: the caller's version must still be the current one (412 otherwise).
pub fn check_version(what: &str, current: i32, expected: Option<i32>) -> Result<(), ApiError> {
    match expected {
        Some(v) if v != current => Err(ApiError::PreconditionFailed(crate::text!(
            "stale-version",
            what = crate::error::item(what),
            current = current,
            expected = v
        ))),
        _ => Ok(()),
    }
}

/// Broken rules, if any, as one 422.
pub fn into_validation(errors: Vec<FieldError>) -> Result<(), ApiError> {
    if errors.is_empty() {
        Ok(())
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// A unit id given in field `field` must name a unit.
pub fn check_unit(conn: &mut DbConnection, field: &str, id: Option<&str>) -> Result<(), ApiError> {
    match id {
        Some(id) if units::find(conn, id)?.is_none() => {
            Err(ApiError::field(field, crate::text!("unit-id-unknown")))
        }
        _ => Ok(()),
    }
}
