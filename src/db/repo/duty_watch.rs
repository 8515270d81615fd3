//! What the duties keep watch over, queries only: the quota light kept on the measures
//! duties keep, and the notices the scanner raised of duties (once each).

use std::collections::HashSet;

use diesel::prelude::*;

use crate::db::models::{DutyNoticeRow, DutyRow};
use crate::db::schema::{duties, duty_notices, measures};
use crate::db::DbConnection;
use crate::error::ApiError;

/// The duties of a year that keep a measure.
pub fn linked(conn: &mut DbConnection, year: i32) -> Result<Vec<DutyRow>, ApiError> {
    Ok(duties::table
        .filter(duties::year.eq(year))
        .filter(duties::measure_id.is_not_null())
        .order(duties::code.asc())
        .select(DutyRow::as_select())
        .load(conn)?)
}

/// `(id, code, quota_light)` of these measures, or of every measure with a quota light.
pub fn quota_lights(
    conn: &mut DbConnection,
    ids: Option<&[String]>,
) -> Result<Vec<(String, String, Option<String>)>, ApiError> {
    let mut query = measures::table.into_boxed();
    query = match ids {
        Some(ids) => query.filter(measures::id.eq_any(ids.to_vec())),
        None => query.filter(measures::quota_light.is_not_null()),
    };
    Ok(query
        .select((measures::id, measures::code, measures::quota_light))
        .load(conn)?)
}

pub fn set_quota_light(
    conn: &mut DbConnection,
    id: &str,
    light: Option<&str>,
) -> Result<(), ApiError> {
    diesel::update(measures::table.find(id))
        .set(measures::quota_light.eq(light))
        .execute(conn)?;
    Ok(())
}

/// The notices raised of these duties, as (duty, metric, period, kind): read once per scan.
pub fn notices_of(
    conn: &mut DbConnection,
    duty_ids: &[String],
) -> Result<HashSet<(String, String, String, String)>, ApiError> {
    let mut seen = HashSet::new();
    for chunk in duty_ids.chunks(500) {
        let rows: Vec<(String, String, String, String)> = duty_notices::table
            .filter(duty_notices::duty_id.eq_any(chunk))
            .select((
                duty_notices::duty_id,
                duty_notices::metric,
                duty_notices::period,
                duty_notices::kind,
            ))
            .load(conn)?;
        seen.extend(rows);
    }
    Ok(seen)
}

pub fn insert_notice(conn: &mut DbConnection, row: &DutyNoticeRow) -> Result<(), ApiError> {
    diesel::insert_into(duty_notices::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}
