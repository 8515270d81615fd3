//! Evidence (佐证材料) metadata. The bytes live in `storage`; a row is never deleted, only
//! marked withdrawn, and frozen rows (cited by a closure request) cannot even be withdrawn.

use diesel::prelude::*;

use crate::db::models::EvidenceRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{measures, WriteCtx};
use crate::db::schema::evidence;
use crate::db::DbConnection;
use crate::domain::enums::MeasureStatus;
use crate::error::ApiError;
use crate::text;

/// Evidence can be added to a measure until it is closed.
pub fn check_measure_open(status: MeasureStatus) -> Result<(), ApiError> {
    if status == MeasureStatus::Closed {
        return Err(ApiError::WrongState {
            message: text!("evidence-measure-closed"),
            current: status.to_string(),
            allowed: vec!["reopen".into()],
        });
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    row: EvidenceRow,
    ctx: &WriteCtx,
) -> Result<EvidenceRow, ApiError> {
    let (measure, _) = measures::get(conn, &row.measure_id)?;
    check_measure_open(measure.status)?;
    diesel::insert_into(evidence::table)
        .values(&row)
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "evidence.upload",
        ("measure", &row.measure_id),
        None,
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<EvidenceRow, ApiError> {
    evidence::table
        .find(id)
        .select(EvidenceRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("evidence"))
}

/// A measure's evidence, oldest first; withdrawn files only when asked.
pub fn of_measure(
    conn: &mut DbConnection,
    measure_id: &str,
    include_withdrawn: bool,
) -> Result<Vec<EvidenceRow>, ApiError> {
    let mut query = evidence::table
        .filter(evidence::measure_id.eq(measure_id.to_string()))
        .into_boxed();
    if !include_withdrawn {
        query = query.filter(evidence::deleted_at.is_null());
    }
    Ok(query
        .order((evidence::uploaded_at.asc(), evidence::id.asc()))
        .select(EvidenceRow::as_select())
        .load(conn)?)
}

/// Withdraws evidence that no closure request cites (the row and the file stay).
pub fn withdraw(conn: &mut DbConnection, id: &str, ctx: &WriteCtx) -> Result<(), ApiError> {
    let row = get(conn, id)?;
    if row.deleted_at.is_some() {
        return Ok(());
    }
    if row.frozen_at.is_some() {
        return Err(ApiError::Conflict(text!("evidence-frozen")));
    }
    let before = snapshot(&row);
    let mut after = row.clone();
    after.deleted_at = Some(ctx.now);
    after.deleted_by = ctx.actor.clone();
    // Only a live, unfrozen row changes: a closure request citing it meanwhile wins.
    let changed = diesel::update(
        evidence::table
            .filter(evidence::id.eq(id.to_string()))
            .filter(evidence::frozen_at.is_null())
            .filter(evidence::deleted_at.is_null()),
    )
    .set((
        evidence::deleted_at.eq(after.deleted_at),
        evidence::deleted_by.eq(after.deleted_by.clone()),
    ))
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::Conflict(text!(
            "concurrent-item",
            what = crate::error::item("evidence")
        )));
    }
    events::append(
        conn,
        ctx,
        "evidence.withdraw",
        ("measure", &row.measure_id),
        Some(before),
        Some(snapshot(&after)),
    )?;
    Ok(())
}

/// Which of `ids` name live (not withdrawn) evidence of this measure.
pub fn live_among(
    conn: &mut DbConnection,
    measure_id: &str,
    ids: &[String],
) -> Result<Vec<String>, ApiError> {
    Ok(evidence::table
        .filter(evidence::measure_id.eq(measure_id.to_string()))
        .filter(evidence::id.eq_any(ids))
        .filter(evidence::deleted_at.is_null())
        .select(evidence::id)
        .load(conn)?)
}

/// Freezes evidence cited by a closure request: it can no longer be withdrawn.
pub fn freeze(
    conn: &mut DbConnection,
    ids: &[String],
    at: chrono::NaiveDateTime,
) -> Result<(), ApiError> {
    diesel::update(
        evidence::table
            .filter(evidence::id.eq_any(ids))
            .filter(evidence::frozen_at.is_null()),
    )
    .set(evidence::frozen_at.eq(Some(at)))
    .execute(conn)?;
    Ok(())
}
