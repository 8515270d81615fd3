//! Extension requests (延期申请): asked by the unit, decided by the office.

use chrono::NaiveDate;

use crate::db::models::ExtensionRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::measures::{self, measure_snapshot};
use crate::db::repo::{extensions, new_id, WriteCtx};
use crate::db::DbConnection;
use crate::domain::enums::{ExtensionStatus, MeasureStatus};
use crate::domain::permissions::{Action, Actor};
use crate::domain::{deadline, rules};
use crate::error::ApiError;
use crate::service::access;
use crate::text;

/// The request, if `who` may do `action` on its measure (hidden ones read as missing).
pub fn visible(
    conn: &mut DbConnection,
    who: &Actor,
    id: &str,
    action: Action,
) -> Result<ExtensionRow, ApiError> {
    let row = extensions::get(conn, id)?;
    access::under_measure(conn, who, &row.measure_id, action, "extension request")?;
    Ok(row)
}

/// Asks for a later due date; one request at a time.
pub fn request(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    measure_id: &str,
    requested: NaiveDate,
    reason: &str,
) -> Result<ExtensionRow, ApiError> {
    access::measure(conn, &ctx.who, measure_id, Action::RequestExtension)?;
    measures::lock(conn, measure_id)?;
    let (measure, _) = measures::get(conn, measure_id)?;
    rules::check_extension(
        measure.kind,
        measure.status,
        measure.due_date,
        requested,
        ctx.today(),
    )
    .map_err(|e| {
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
    if extensions::pending_for(conn, measure_id)? {
        return Err(ApiError::Conflict(text!("extension-pending")));
    }
    let asked = extensions::insert(
        conn,
        ctx,
        ExtensionRow {
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
        },
    )?;
    // The measure shows that a request waits (its version moves: it changed).
    let (mut measure, _) = measures::get(conn, measure_id)?;
    measure.pending_extension_id = Some(asked.id.clone());
    measure.pending_extension_due = Some(asked.requested_due_date);
    measures::save(conn, measure, ctx)?;
    Ok(asked)
}

/// Approves (moving the deadline) or rejects a pending request.
pub fn decide(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    approve: bool,
    note: Option<&str>,
) -> Result<ExtensionRow, ApiError> {
    let row = visible(conn, &ctx.who, id, Action::DecideExtension)?;
    measures::lock(conn, &row.measure_id)?;
    let row = extensions::get(conn, id)?;
    {
        let (measure, _) = measures::get(conn, &row.measure_id)?;
        let inspection = crate::db::repo::inspections::get(conn, &measure.inspection_id)?;
        crate::service::workflow::check_backdating(
            conn,
            ctx,
            ("measure", &row.measure_id),
            inspection.feedback_date,
        )?;
    }
    if row.status != ExtensionStatus::Pending {
        return Err(ApiError::WrongState {
            message: text!("extension-decided", status = row.status),
            current: row.status.to_string(),
            allowed: vec![],
        });
    }
    let before = snapshot(&row);
    let decided = ExtensionRow {
        status: if approve {
            ExtensionStatus::Approved
        } else {
            ExtensionStatus::Rejected
        },
        decided_by: ctx.actor.clone(),
        decided_at: Some(ctx.moment()),
        decision_note: note.map(|n| n.trim().to_string()),
        version: row.version + 1,
        ..row.clone()
    };
    extensions::save_decision(conn, &row, &decided)?;
    let mut after = serde_json::json!({"extension": snapshot(&decided)});
    let (mut measure, supporting) = measures::get(conn, &row.measure_id)?;
    measure.pending_extension_id = None;
    measure.pending_extension_due = None;
    if approve {
        // The deadline moves; the original stays, and the extension is counted.
        if measure.status == MeasureStatus::Closed {
            return Err(ApiError::WrongState {
                message: text!("extension-closed-meanwhile"),
                current: measure.status.to_string(),
                allowed: vec![],
            });
        }
        after["measure_before"] = measure_snapshot(&measure, &supporting);
        measure.due_date = Some(row.requested_due_date);
        measure.due_sort = deadline::sort_key(measure.due_date);
        measure.extension_count += 1;
    }
    let measure = measures::save(conn, measure, ctx)?;
    if approve {
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
