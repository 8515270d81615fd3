//! Duties counted: each quota's periods from the activities held by the duty's unit and the
//! units below it, several duties with one read of the activities.

use chrono::{Datelike, NaiveDate};

use crate::db::models::DutyRow;
use crate::db::repo::duties;
use crate::db::DbConnection;
use crate::domain::calendar::Calendar;
use crate::domain::duties::{self as rules, DutyQuota, Held, QuotaProgress};
use crate::domain::org::Organisation;
use crate::domain::permissions::Actor;
use crate::error::ApiError;

/// What the source of a measure's own duty says: 整改措施 <the measure's code>.
pub fn own_source(measure_code: &str) -> String {
    format!("{OWN_SOURCE}{measure_code}")
}

const OWN_SOURCE: &str = "整改措施 ";

/// A duty set up for a measure's own quota (not one of the office's plan): it binds from
/// the day it was set up.
pub fn is_own(duty: &DutyRow) -> bool {
    duty.measure_id.is_some()
        && duty
            .source
            .as_deref()
            .is_some_and(|s| s.starts_with(OWN_SOURCE))
}

fn since(duty: &DutyRow) -> Option<NaiveDate> {
    is_own(duty).then(|| duty.created_at.date())
}

/// A duty's quotas, as stored.
pub fn quotas_of(row: &DutyRow) -> Result<Vec<DutyQuota>, ApiError> {
    serde_json::from_str(&row.quotas)
        .map_err(|e| ApiError::Internal(format!("duty {} quotas: {e}", row.id)))
}

/// Several duties counted with one read of the activities they count (a year's view, the
/// stats and the reports ask for many at once).
pub fn count_all(
    conn: &mut DbConnection,
    rows: &[DutyRow],
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<Vec<(DutyRow, Vec<QuotaProgress>)>, ApiError> {
    let subtrees: Vec<Vec<String>> = rows.iter().map(|d| org.subtree(&d.unit_id)).collect();
    let mut units: Vec<String> = subtrees.iter().flatten().cloned().collect();
    units.sort();
    units.dedup();
    let (Some(first), Some(last)) = (
        rows.iter().map(|d| d.year).min(),
        rows.iter().map(|d| d.year).max(),
    ) else {
        return Ok(Vec::new());
    };
    let from = NaiveDate::from_ymd_opt(first, 1, 1).unwrap_or(day);
    let to = NaiveDate::from_ymd_opt(last, 12, 31).unwrap_or(day);
    let held: Vec<(String, Held)> = duties::held(conn, &units, from, to)?
        .into_iter()
        .map(|a| {
            (
                a.unit_id,
                Held {
                    persons: serde_json::from_str(&a.persons).unwrap_or_default(),
                    kind: a.kind,
                    held_on: a.held_on,
                    hours: a.hours,
                    count: a.count,
                },
            )
        })
        .collect();
    rows.iter()
        .zip(subtrees)
        .map(|(duty, subtree)| {
            let mine: Vec<Held> = held
                .iter()
                .filter(|(unit, h)| h.held_on.year() == duty.year && subtree.contains(unit))
                .map(|(_, h)| h.clone())
                .collect();
            let quotas = quotas_of(duty)?
                .iter()
                .map(|q| rules::progress_since(q, duty.year, &mine, day, calendar, since(duty)))
                .collect();
            Ok((duty.clone(), quotas))
        })
        .collect()
}

/// Every duty of `year` the actor sees (of `units`, when given), counted at the end of `day`.
pub fn year(
    conn: &mut DbConnection,
    actor: &Actor,
    year: i32,
    units: Option<&[String]>,
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<Vec<(DutyRow, Vec<QuotaProgress>)>, ApiError> {
    let seen: Vec<DutyRow> = duties::of_year(conn, year, units)?
        .into_iter()
        .filter(|d| actor.visibility.covers(&d.unit_id))
        .collect();
    count_all(conn, &seen, day, calendar, org)
}
