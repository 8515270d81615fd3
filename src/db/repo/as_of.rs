//! The ledger as it stood at the end of a past day, read back from the audit trail: each
//! event keeps a snapshot of its object, and a step entered late (补录) says on which day it
//! counts. An object's state at the end of day D is the snapshot of its latest event (by
//! sequence) that counts on or before D — steps entered late can never precede the
//! object's previous step, so that event also carries every step before it. An object with
//! no such event did not exist yet.

use std::collections::HashMap;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, TimeZone};
use diesel::prelude::*;
use serde_json::Value;

use crate::db::models::MeasureRow;
use crate::db::schema::events;
use crate::db::DbConnection;
use crate::domain::enums::{FindingStatus, Warning};
use crate::error::ApiError;

/// How many objects' events one query reads.
const CHUNK: usize = 500;

/// The end of a day in the office's zone.
#[derive(Debug, Clone)]
pub struct AsOf {
    pub day: NaiveDate,
    pub tz: chrono_tz::Tz,
    /// The quota light of the measures duties kept that day
    /// (`service::duty_watch::lights_at`): a snapshot keeps the light of when it was taken.
    pub quota_lights: Arc<HashMap<String, Warning>>,
}

impl AsOf {
    /// The first moment after the day, in UTC (how events' times are kept).
    pub fn end(&self) -> NaiveDateTime {
        let next = self.day.succ_opt().unwrap_or(self.day);
        let midnight = next.and_hms_opt(0, 0, 0).unwrap_or_default();
        self.tz
            .from_local_datetime(&midnight)
            .earliest()
            .map(|t| t.naive_utc())
            .unwrap_or(midnight)
    }

    /// The day an event counts on: its effective date when entered late, else its own.
    fn counts_on(&self, at: NaiveDateTime, after: Option<&Value>) -> NaiveDate {
        after
            .filter(|a| a["recorded_late"] == Value::Bool(true))
            .and_then(|a| a["effective_date"].as_str())
            .and_then(|d| d.parse().ok())
            .unwrap_or_else(|| at.and_utc().with_timezone(&self.tz).date_naive())
    }
}

/// The snapshots that count by the end of the day, newest first, per object.
fn snapshots(
    conn: &mut DbConnection,
    object_type: &str,
    ids: &[String],
    as_of: &AsOf,
) -> Result<HashMap<String, Vec<Value>>, ApiError> {
    let end = as_of.end();
    let mut found: HashMap<String, Vec<Value>> = HashMap::new();
    for chunk in ids.chunks(CHUNK) {
        // Later events count by then only when entered late.
        let rows: Vec<(String, NaiveDateTime, Option<String>)> = events::table
            .filter(events::object_type.eq(object_type.to_string()))
            .filter(events::object_id.eq_any(chunk))
            .filter(
                events::at
                    .lt(end)
                    .or(events::after_json.like("%\"recorded_late\":true%")),
            )
            .order(events::seq.desc())
            .select((events::object_id, events::at, events::after_json))
            .load(conn)?;
        for (id, at, after) in rows {
            let Some(after) = after.and_then(|a| serde_json::from_str::<Value>(&a).ok()) else {
                continue;
            };
            if as_of.counts_on(at, Some(&after)) <= as_of.day {
                found.entry(id).or_default().push(after);
            }
        }
    }
    Ok(found)
}

/// The measure an event's snapshot holds: the event's object itself, or the `measure`
/// beside an extension decision. An evidence file or an extension request holds none.
fn measure_in(after: Value) -> Option<MeasureRow> {
    let measure = if after.get("lead_unit_id").is_some() {
        after
    } else {
        after.get("measure").cloned()?
    };
    serde_json::from_value::<MeasureRow>(measure).ok()
}

/// Each measure (`(id, finding id)`) as it stood, for those that existed by then: those
/// with a step by then, in the state it left them; and those set up in a plan approved
/// by then (a ledger moved in with its plan dated late), as they were set up.
pub fn measures(
    conn: &mut DbConnection,
    ids: &[(String, String)],
    as_of: &AsOf,
) -> Result<HashMap<String, MeasureRow>, ApiError> {
    let measure_ids: Vec<String> = ids.iter().map(|(id, _)| id.clone()).collect();
    let mut then: HashMap<String, MeasureRow> = snapshots(conn, "measure", &measure_ids, as_of)?
        .into_iter()
        .filter_map(|(id, newest_first)| {
            newest_first
                .into_iter()
                .find_map(measure_in)
                .map(|row| (id, row))
        })
        .collect();
    let waiting: Vec<&(String, String)> = ids
        .iter()
        .filter(|(id, _)| !then.contains_key(id))
        .collect();
    let mut finding_ids: Vec<String> = waiting.iter().map(|(_, f)| f.clone()).collect();
    finding_ids.sort();
    finding_ids.dedup();
    let planned = finding_statuses(conn, &finding_ids, as_of)?;
    let set_up: Vec<String> = waiting
        .into_iter()
        .filter(|(_, f)| {
            planned.get(f).is_some_and(|s| {
                matches!(
                    s,
                    FindingStatus::InProgress | FindingStatus::LongTerm | FindingStatus::Closed
                )
            })
        })
        .map(|(id, _)| id.clone())
        .collect();
    for chunk in set_up.chunks(CHUNK) {
        let firsts: Vec<(String, Option<String>)> = events::table
            .filter(events::object_type.eq("measure"))
            .filter(events::object_id.eq_any(chunk))
            .order(events::seq.desc())
            .select((events::object_id, events::after_json))
            .load(conn)?;
        // Oldest last: each measure ends with its first snapshot.
        for (id, after) in firsts {
            if let Some(row) = after
                .and_then(|a| serde_json::from_str::<Value>(&a).ok())
                .and_then(measure_in)
            {
                then.insert(id, before_its_recorded_closure(row, as_of));
            }
        }
    }
    // The quota light it had that day, not when its snapshot was taken.
    for (id, row) in then.iter_mut() {
        row.quota_light = as_of.quota_lights.get(id).map(|w| w.as_str().to_string());
    }
    Ok(then)
}

/// A measure moved in closed (a seed's or a sheet's 销号时间) was still open before the
/// day its closure was recorded for.
fn before_its_recorded_closure(mut row: MeasureRow, as_of: &AsOf) -> MeasureRow {
    if row.closed_at.is_some_and(|at| at >= as_of.end()) {
        row.status = crate::domain::enums::MeasureStatus::InProgress;
        row.closed_at = None;
        row.closed_on_time = None;
        row.days_to_close = None;
    }
    row
}

/// Each finding's status as it stood, for those that existed by then.
pub fn finding_statuses(
    conn: &mut DbConnection,
    ids: &[String],
    as_of: &AsOf,
) -> Result<HashMap<String, FindingStatus>, ApiError> {
    let found = snapshots(conn, "finding", ids, as_of)?;
    Ok(found
        .into_iter()
        .filter_map(|(id, newest_first)| {
            newest_first
                .iter()
                .find_map(|after| after["status"].as_str().and_then(FindingStatus::parse))
                .map(|status| (id, status))
        })
        .collect())
}
