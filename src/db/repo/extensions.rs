//! Extension requests (延期申请): asked by the unit, decided by the office. Approval moves
//! the measure's `due_date`, keeps `original_due_date` and counts the extension.

use chrono::NaiveDate;
use diesel::prelude::*;

use crate::db::models::ExtensionRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::measures::{self, measure_snapshot};
use crate::db::repo::{new_id, WriteCtx};
use crate::db::schema::extensions;
use crate::db::DbConnection;
use crate::domain::enums::{ExtensionStatus, MeasureStatus};
use crate::domain::{deadline, rules};
use crate::error::ApiError;

pub fn get(conn: &mut DbConnection, id: &str) -> Result<ExtensionRow, ApiError> {
    extensions::table
        .find(id)
        .select(ExtensionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("extension request"))
}

pub fn of_measure(
    conn: &mut DbConnection,
    measure_id: &str,
) -> Result<Vec<ExtensionRow>, ApiError> {
    Ok(extensions::table
        .filter(extensions::measure_id.eq(measure_id.to_string()))
        .order((extensions::requested_at.asc(), extensions::id.asc()))
        .select(ExtensionRow::as_select())
        .load(conn)?)
}

pub fn request(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    measure_id: &str,
    requested: NaiveDate,
    reason: &str,
) -> Result<ExtensionRow, ApiError> {
    measures::lock(conn, measure_id)?;
    let (measure, _) = measures::get(conn, measure_id)?;
    let kind = measure.kind;
    let status = measure.status;
    rules::check_extension(kind, status, measure.due_date, requested).map_err(|e| {
        if e.field.is_empty() {
            ApiError::WrongState {
                message: e.message,
                current: measure.status.to_string(),
                allowed: vec![],
            }
        } else {
            ApiError::Validation(vec![e])
        }
    })?;
    let pending: i64 = extensions::table
        .filter(extensions::measure_id.eq(measure_id.to_string()))
        .filter(extensions::status.eq(ExtensionStatus::Pending.as_str()))
        .count()
        .get_result(conn)?;
    if pending > 0 {
        return Err(ApiError::Conflict(
            "an extension request for this measure is already waiting for a decision".into(),
        ));
    }
    let row = ExtensionRow {
        id: new_id(),
        measure_id: measure_id.to_string(),
        requested_due_date: requested,
        previous_due_date: measure.due_date,
        reason: reason.trim().to_string(),
        status: ExtensionStatus::Pending,
        requested_by: ctx.actor.clone().unwrap_or_default(),
        requested_at: ctx.now,
        decided_by: None,
        decided_at: None,
        decision_note: None,
        version: 1,
    };
    diesel::insert_into(extensions::table)
        .values(row.clone())
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "extension.request",
        ("measure", measure_id),
        None,
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Approves (moving the deadline) or rejects a pending request.
pub fn decide(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    approve: bool,
    note: Option<&str>,
) -> Result<ExtensionRow, ApiError> {
    let row = get(conn, id)?;
    measures::lock(conn, &row.measure_id)?;
    let row = get(conn, id)?;
    if row.status != ExtensionStatus::Pending {
        return Err(ApiError::WrongState {
            message: format!("the request is already {}", row.status),
            current: row.status.to_string(),
            allowed: vec![],
        });
    }
    let before = snapshot(&row);
    let mut decided = row.clone();
    decided.status = if approve {
        ExtensionStatus::Approved
    } else {
        ExtensionStatus::Rejected
    };
    decided.decided_by = ctx.actor.clone();
    decided.decided_at = Some(ctx.now);
    decided.decision_note = note.map(|n| n.trim().to_string());
    decided.version += 1;
    let changed = diesel::update(
        extensions::table
            .filter(extensions::id.eq(id.to_string()))
            .filter(extensions::version.eq(row.version)),
    )
    .set(decided.clone())
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::Conflict(
            "the request was decided concurrently; reload it".into(),
        ));
    }
    let mut after = serde_json::json!({"extension": snapshot(&decided)});
    if approve {
        let (mut measure, supporting) = measures::get(conn, &row.measure_id)?;
        if measure.status == MeasureStatus::Closed {
            return Err(ApiError::WrongState {
                message: "the measure was closed meanwhile; there is nothing to extend".into(),
                current: measure.status.to_string(),
                allowed: vec![],
            });
        }
        after["measure_before"] = measure_snapshot(&measure, &supporting);
        measure.due_date = Some(row.requested_due_date);
        measure.due_sort = deadline::sort_key(measure.due_date);
        measure.extension_count += 1;
        let measure = measures::save(conn, measure, ctx)?;
        after["measure"] = measure_snapshot(&measure, &supporting);
    }
    events::append(
        conn,
        ctx,
        if approve {
            "extension.approve"
        } else {
            "extension.reject"
        },
        ("measure", &row.measure_id),
        Some(before),
        Some(after),
    )?;
    Ok(decided)
}
