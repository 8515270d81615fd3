//! Annual duties, activity kinds and activities: queries only.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::forms::{ActivityFilter, DutyFilter};
use crate::db::models::{ActivityKindRow, ActivityRow, DutyRow};
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{After, Page, Visibility, WriteCtx};
use crate::db::schema::{activities, activity_kinds, duties};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::text;

pub fn kinds(conn: &mut DbConnection) -> Result<Vec<ActivityKindRow>, ApiError> {
    Ok(activity_kinds::table
        .order(activity_kinds::code.asc())
        .select(ActivityKindRow::as_select())
        .load(conn)?)
}

pub fn insert_kind(
    conn: &mut DbConnection,
    row: &ActivityKindRow,
    ctx: &WriteCtx,
) -> Result<(), ApiError> {
    let taken: i64 = activity_kinds::table
        .filter(activity_kinds::code.eq(&row.code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(text!(
            "activity-kind-exists",
            code = &row.code
        )));
    }
    diesel::insert_into(activity_kinds::table)
        .values(row)
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "activity_kind.create",
        ("activity_kind", &row.code),
        None,
        Some(snapshot(row)),
    )?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<DutyRow>, ApiError> {
    Ok(duties::table
        .find(id)
        .select(DutyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<DutyRow>, ApiError> {
    Ok(duties::table
        .filter(duties::code.eq(code))
        .select(DutyRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<DutyRow, ApiError> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("duty"))
}

pub fn insert(conn: &mut DbConnection, row: &DutyRow, ctx: &WriteCtx) -> Result<(), ApiError> {
    let taken: i64 = duties::table
        .filter(duties::code.eq(&row.code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(text!("duty-exists", code = &row.code)));
    }
    diesel::insert_into(duties::table)
        .values(row)
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "duty.create",
        ("duty", &row.id),
        None,
        Some(snapshot(row)),
    )?;
    Ok(())
}

/// Saves a changed duty (its version advances) and records the change.
pub fn save(
    conn: &mut DbConnection,
    before: &DutyRow,
    mut row: DutyRow,
    ctx: &WriteCtx,
) -> Result<DutyRow, ApiError> {
    row.version = before.version + 1;
    row.updated_at = ctx.now;
    row.updated_by = ctx.actor.clone();
    diesel::update(duties::table.find(&row.id))
        .set(&row)
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "duty.update",
        ("duty", &row.id),
        Some(snapshot(before)),
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Duties `vis` sees (those of its units), by year and code, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    q: &DutyFilter,
    vis: &Visibility,
    after: Option<After>,
    limit: i64,
) -> Result<Page<DutyRow>, ApiError> {
    macro_rules! filtered {
        () => {{
            let mut query = duties::table.into_boxed();
            if let Visibility::Units(units) = vis {
                query = query.filter(duties::unit_id.eq_any(units.clone()));
            }
            if let Some(year) = q.year {
                query = query.filter(duties::year.eq(year));
            }
            if let Some(units) = &q.units {
                query = query.filter(duties::unit_id.eq_any(units.clone()));
            }
            if let Some(m) = &q.measure_id {
                query = query.filter(duties::measure_id.eq(m.clone()));
            }
            query
        }};
    }
    let total: i64 = filtered!().count().get_result(conn)?;
    let mut query = filtered!();
    if let Some(After { key, id }) = after {
        query = query.filter(
            duties::code
                .gt(key.clone())
                .or(duties::code.eq(key).and(duties::id.gt(id))),
        );
    }
    let rows = query
        .order((duties::code.asc(), duties::id.asc()))
        .limit(limit + 1)
        .select(DutyRow::as_select())
        .load(conn)?;
    Ok(Page::from_probe(rows, limit, total))
}

/// Every duty of a year (for the units given, when given), by code.
pub fn of_year(
    conn: &mut DbConnection,
    year: i32,
    units: Option<&[String]>,
) -> Result<Vec<DutyRow>, ApiError> {
    let mut query = duties::table.filter(duties::year.eq(year)).into_boxed();
    if let Some(units) = units {
        query = query.filter(duties::unit_id.eq_any(units.to_vec()));
    }
    Ok(query
        .order(duties::code.asc())
        .select(DutyRow::as_select())
        .load(conn)?)
}

/// The duties of a year that keep one measure.
pub fn of_measure(
    conn: &mut DbConnection,
    measure_id: &str,
    year: i32,
) -> Result<Vec<DutyRow>, ApiError> {
    Ok(duties::table
        .filter(duties::measure_id.eq(measure_id))
        .filter(duties::year.eq(year))
        .order(duties::code.asc())
        .select(DutyRow::as_select())
        .load(conn)?)
}

pub fn find_activity(conn: &mut DbConnection, id: &str) -> Result<Option<ActivityRow>, ApiError> {
    Ok(activities::table
        .find(id)
        .select(ActivityRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get_activity(conn: &mut DbConnection, id: &str) -> Result<ActivityRow, ApiError> {
    find_activity(conn, id)?.ok_or_else(|| ApiError::not_found("activity"))
}

pub fn insert_activity(
    conn: &mut DbConnection,
    row: &ActivityRow,
    ctx: &WriteCtx,
) -> Result<(), ApiError> {
    diesel::insert_into(activities::table)
        .values(row)
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "activity.record",
        ("activity", &row.id),
        None,
        Some(snapshot(row)),
    )?;
    Ok(())
}

/// Marks an activity withdrawn (it stops counting) and records it; the row stays.
pub fn withdraw_activity(
    conn: &mut DbConnection,
    before: &ActivityRow,
    reason: &str,
    ctx: &WriteCtx,
) -> Result<ActivityRow, ApiError> {
    let mut row = before.clone();
    row.withdrawn_at = Some(ctx.now);
    row.withdrawn_by = ctx.actor.clone();
    row.withdraw_reason = Some(reason.to_string());
    diesel::update(activities::table.find(&row.id))
        .set(&row)
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "activity.withdraw",
        ("activity", &row.id),
        Some(snapshot(before)),
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Activities `vis` sees (those of its units), latest first, a page at a time.
pub fn list_activities(
    conn: &mut DbConnection,
    q: &ActivityFilter,
    vis: &Visibility,
    after: Option<After>,
    limit: i64,
) -> Result<Page<ActivityRow>, ApiError> {
    macro_rules! filtered {
        () => {{
            let mut query = activities::table.into_boxed();
            if let Visibility::Units(units) = vis {
                query = query.filter(activities::unit_id.eq_any(units.clone()));
            }
            if let Some(units) = &q.units {
                query = query.filter(activities::unit_id.eq_any(units.clone()));
            }
            if let Some(kind) = &q.kind {
                query = query.filter(activities::kind.eq(kind.clone()));
            }
            if let Some(duty) = &q.duty_id {
                query = query.filter(activities::duty_id.eq(duty.clone()));
            }
            if let Some(from) = q.from {
                query = query.filter(activities::held_on.ge(from));
            }
            if let Some(to) = q.to {
                query = query.filter(activities::held_on.le(to));
            }
            if let Some(person) = &q.person {
                // JSON array text: the quoted name, as serde writes it.
                let quoted = serde_json::to_string(person).unwrap_or_default();
                query = query.filter(activities::persons.like(format!("%{quoted}%")));
            }
            if !q.withdrawn {
                query = query.filter(activities::withdrawn_at.is_null());
            }
            query
        }};
    }
    let total: i64 = filtered!().count().get_result(conn)?;
    let mut query = filtered!();
    if let Some(After { key, id }) = after {
        let day = NaiveDate::parse_from_str(&key, "%Y-%m-%d")
            .map_err(|_| ApiError::bad_param("cursor", text!("cursor-foreign")))?;
        query = query.filter(
            activities::held_on
                .lt(day)
                .or(activities::held_on.eq(day).and(activities::id.lt(id))),
        );
    }
    let rows = query
        .order((activities::held_on.desc(), activities::id.desc()))
        .limit(limit + 1)
        .select(ActivityRow::as_select())
        .load(conn)?;
    Ok(Page::from_probe(rows, limit, total))
}

/// The activities of these units held in a span of days, not withdrawn.
pub fn held(
    conn: &mut DbConnection,
    units: &[String],
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Vec<ActivityRow>, ApiError> {
    Ok(activities::table
        .filter(activities::unit_id.eq_any(units.to_vec()))
        .filter(activities::held_on.ge(from))
        .filter(activities::held_on.le(to))
        .filter(activities::withdrawn_at.is_null())
        .select(ActivityRow::as_select())
        .load(conn)?)
}
