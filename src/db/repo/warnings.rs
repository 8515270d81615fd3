//! The warning lights (红黄绿灯) in SQL, so that lists filter by them and count them right:
//! the same rules as `domain::deadline`, written as conditions on the stored columns. They
//! compare `due_sort` (the due date, or 9999-12-31 without one): it is what lists are
//! ordered by, so a range on it is also the order, and `measures_light_idx` covers the counts.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::connection::MultiBackend;
use crate::db::schema::{findings, measures};
use crate::db::DbConnection;
use crate::domain::deadline::{self, Today};
use crate::domain::enums::{MeasureStatus, Warning};
use crate::error::ApiError;

type Measures = measures::BoxedQuery<'static, MultiBackend>;

/// Open with its clock running: the generated `is_open`, indexed with the due date.
macro_rules! open {
    () => {
        measures::is_open.eq(true)
    };
}

/// The quota light is not `$light` (null when no duty keeps the measure).
macro_rules! quota_not {
    ($light:expr) => {
        measures::quota_light
            .is_null()
            .or(measures::quota_light.ne($light.as_str()))
    };
}

/// What makes an open measure red.
macro_rules! red_if_open {
    ($today:expr) => {
        measures::due_sort
            .lt($today.date)
            .or(measures::report_due.lt($today.date))
            .or(measures::quota_light.eq(Warning::Red.as_str()))
    };
}

/// What makes an open measure yellow.
macro_rules! yellow_if_open {
    ($today:expr) => {
        measures::due_sort
            .ge($today.date)
            .and(
                measures::report_due
                    .is_null()
                    .or(measures::report_due.ge($today.date)),
            )
            .and(quota_not!(Warning::Red))
            .and(
                measures::due_sort
                    .le($today.yellow_until)
                    .or(measures::quota_light.eq(Warning::Yellow.as_str())),
            )
    };
}

macro_rules! red {
    ($today:expr) => {
        open!().and(red_if_open!($today))
    };
}

macro_rules! yellow {
    ($today:expr) => {
        open!().and(yellow_if_open!($today))
    };
}

/// Measures whose light is `warning` today.
pub fn filter_measures(query: Measures, warning: Warning, today: &Today) -> Measures {
    match warning {
        Warning::Red => query.filter(red!(today)),
        Warning::Yellow => query.filter(yellow!(today)),
        Warning::Green => query.filter(
            measures::status
                .eq(MeasureStatus::Closed.as_str())
                .or(measures::clock_stopped.eq(true))
                .or(measures::due_sort
                    .gt(today.yellow_until)
                    .and(
                        measures::report_due
                            .is_null()
                            .or(measures::report_due.ge(today.date)),
                    )
                    .and(quota_not!(Warning::Red))
                    .and(quota_not!(Warning::Yellow))),
        ),
    }
}

/// Measures that need attention: red or yellow.
pub fn filter_attention(query: Measures, today: &Today) -> Measures {
    // "Open, and red or yellow": the open rows in due order, from the index.
    query.filter(open!().and(red_if_open!(today).or(yellow_if_open!(today))))
}

/// Measures past their due date (not closed, clock running).
pub fn filter_overdue(query: Measures, overdue: bool, today: &Today) -> Measures {
    if overdue {
        query
            .filter(open!())
            .filter(measures::due_sort.lt(today.date))
    } else {
        query.filter(
            measures::is_open
                .eq(false)
                .or(measures::due_sort.ge(today.date)),
        )
    }
}

/// A finding's light is its worst measure's.
pub fn filter_findings(
    query: findings::BoxedQuery<'static, MultiBackend>,
    warning: Warning,
    today: &Today,
) -> findings::BoxedQuery<'static, MultiBackend> {
    let red = measures::table
        .filter(red!(today))
        .select(measures::finding_id);
    let yellow = measures::table
        .filter(yellow!(today))
        .select(measures::finding_id);
    match warning {
        Warning::Red => query.filter(findings::id.eq_any(red)),
        Warning::Yellow => query
            .filter(findings::id.ne_all(red))
            .filter(findings::id.eq_any(yellow)),
        Warning::Green => query
            .filter(findings::id.ne_all(red))
            .filter(findings::id.ne_all(yellow)),
    }
}

/// The light of each finding in `ids` (green when it has no measures).
pub fn of_findings(
    conn: &mut DbConnection,
    ids: &[String],
    today: &Today,
) -> Result<HashMap<String, Warning>, ApiError> {
    type Row = (
        String,
        String,
        Option<chrono::NaiveDate>,
        Option<chrono::NaiveDate>,
        bool,
        Option<String>,
    );
    let rows: Vec<Row> = measures::table
        .filter(measures::finding_id.eq_any(ids.to_vec()))
        .select((
            measures::finding_id,
            measures::status,
            measures::due_date,
            measures::report_due,
            measures::clock_stopped,
            measures::quota_light,
        ))
        .load(conn)?;
    let mut lights: HashMap<String, Warning> =
        ids.iter().map(|id| (id.clone(), Warning::Green)).collect();
    for (finding, status, due, report_due, stopped, quota) in rows {
        let status: MeasureStatus = crate::db::models::typed(status)?;
        let quota = quota.as_deref().and_then(Warning::parse);
        let light = deadline::light(status, due, report_due, stopped, quota, today).warning;
        let entry = lights.entry(finding).or_insert(Warning::Green);
        *entry = worse(*entry, light);
    }
    Ok(lights)
}

pub fn worse(a: Warning, b: Warning) -> Warning {
    let rank = |w: Warning| match w {
        Warning::Green => 0,
        Warning::Yellow => 1,
        Warning::Red => 2,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}
