//! The office's and the supervisors' part beside the workflow: reminders (催办), listed
//! supervision (挂牌督办) and re-checks (回头看). Each is recorded like any action.

use serde_json::json;

use crate::db::models::{FindingRow, MeasureRow};
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::measures::measure_snapshot;
use crate::db::repo::{findings, measures, WriteCtx};
use crate::db::DbConnection;
use crate::domain::enums::{MeasureStatus, SupervisionLevel};
use crate::domain::permissions::Action;
use crate::error::ApiError;
use crate::service::access;

/// Reminds the lead unit of an open measure (催办): counted on the measure, recorded with
/// its text, announced as `measure.reminded`.
pub fn remind(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    text: &str,
) -> Result<MeasureRow, ApiError> {
    access::measure(conn, &ctx.who, id, Action::RemindMeasure)?;
    measures::lock(conn, id)?;
    let (mut row, supporting) = measures::get(conn, id)?;
    if row.status == MeasureStatus::Closed {
        return Err(ApiError::WrongState {
            message: "the measure is closed (已销号); there is nothing to remind of".into(),
            current: row.status.to_string(),
            allowed: vec![],
        });
    }
    let before = measure_snapshot(&row, &supporting);
    row.reminder_count += 1;
    row.last_reminded_at = Some(ctx.now);
    let row = measures::save(conn, row, ctx)?;
    let mut after = measure_snapshot(&row, &supporting);
    after["action_input"] = json!({"text": text.trim()});
    events::append(
        conn,
        ctx,
        "measure.remind",
        ("measure", id),
        Some(before),
        Some(after),
    )?;
    Ok(row)
}

/// Puts a finding under listed supervision (挂牌督办), or takes it off, with the reason.
pub fn supervise(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    listed: bool,
    reason: &str,
) -> Result<FindingRow, ApiError> {
    access::finding(conn, &ctx.who, id, Action::SuperviseFinding)?;
    findings::lock(conn, id)?;
    let mut row = findings::get(conn, id)?;
    let wanted = if listed {
        SupervisionLevel::Listed
    } else {
        SupervisionLevel::Normal
    };
    if row.supervision_level == wanted {
        return Err(ApiError::WrongState {
            message: if listed {
                "the finding is under listed supervision (挂牌督办) already".into()
            } else {
                "the finding is not under listed supervision (挂牌督办)".into()
            },
            current: row.supervision_level.to_string(),
            allowed: vec![if listed {
                "unlist_supervision".into()
            } else {
                "list_supervision".into()
            }],
        });
    }
    let before = snapshot(&row);
    row.supervision_level = wanted;
    let row = findings::save(conn, row, ctx)?;
    let mut after = snapshot(&row);
    after["action_input"] = json!({"reason": reason.trim()});
    events::append(
        conn,
        ctx,
        if listed {
            "finding.list_supervision"
        } else {
            "finding.unlist_supervision"
        },
        ("finding", id),
        Some(before),
        Some(after),
    )?;
    Ok(row)
}
