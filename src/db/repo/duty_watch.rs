//! What the duties keep watch over, queries only: the quota light kept on the measures
//! duties keep, and the notices the scanner raised of duties (once each).

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

/// Records a notice unless it was raised before: true when it is new.
pub fn notice(conn: &mut DbConnection, row: &DutyNoticeRow) -> Result<bool, ApiError> {
    let seen: i64 = duty_notices::table
        .filter(duty_notices::duty_id.eq(&row.duty_id))
        .filter(duty_notices::metric.eq(&row.metric))
        .filter(duty_notices::period.eq(&row.period))
        .filter(duty_notices::kind.eq(&row.kind))
        .count()
        .get_result(conn)?;
    if seen > 0 {
        return Ok(false);
    }
    diesel::insert_into(duty_notices::table)
        .values(row)
        .execute(conn)?;
    Ok(true)
}
