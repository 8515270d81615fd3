//! The office's and the supervisors' part beside the workflow: reminders (催办), listed
//! supervision (挂牌督办) and re-checks (回头看). Each is recorded like any action.

use serde_json::json;

use crate::db::models::{FindingRow, RecheckRow};
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::measures::{measure_snapshot, MeasureWithUnits};
use crate::db::repo::{evidence, findings, measures, new_id, rechecks, WriteCtx};
use crate::db::DbConnection;
use crate::domain::enums::{MeasureStatus, RecheckResult, SupervisionLevel};
use crate::domain::permissions::Action;
use crate::domain::rules::FieldError;
use crate::domain::workflow::MeasureAction;
use crate::error::ApiError;
use crate::service::access;
use crate::service::workflow::{self, ActionForm};
use crate::text;

/// Reminds the lead unit of an open measure (催办): counted on the measure, recorded with
/// its text, announced as `measure.reminded`.
pub fn remind(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    text: &str,
) -> Result<MeasureWithUnits, ApiError> {
    access::measure(conn, &ctx.who, id, Action::RemindMeasure)?;
    measures::lock(conn, id)?;
    let (mut row, supporting) = measures::get(conn, id)?;
    if row.status == MeasureStatus::Closed {
        return Err(ApiError::WrongState {
            message: text!("remind-closed"),
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
    Ok((row, supporting))
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
                text!("supervision-already")
            } else {
                text!("supervision-not")
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

/// A re-check (回头看) as the office or a supervisor records it.
#[derive(Debug, Clone)]
pub struct RecheckForm {
    pub result: RecheckResult,
    pub note: String,
    pub checked_on: chrono::NaiveDate,
    pub evidence_ids: Vec<String>,
}

/// Records a re-check of a closed measure: `holds` leaves it closed, `relapsed` reopens
/// it (the finding reopens with it). Counted on the measure either way.
pub fn recheck(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    form: &RecheckForm,
    expected: Option<i32>,
) -> Result<(RecheckRow, MeasureWithUnits), ApiError> {
    access::measure(conn, &ctx.who, id, Action::RecheckMeasure)?;
    measures::lock(conn, id)?;
    let (mut row, supporting) = measures::get(conn, id)?;
    crate::db::repo::check_version("measure", row.version, expected)?;
    if row.status != MeasureStatus::Closed {
        let allowed = crate::domain::workflow::measure_actions(row.status, row.kind);
        return Err(ApiError::WrongState {
            message: text!("recheck-not-closed", status = row.status),
            current: row.status.to_string(),
            allowed: allowed.into_iter().map(String::from).collect(),
        });
    }
    let today = ctx.today();
    let closed_on = row
        .closed_at
        .map(|t| crate::domain::deadline::today(t.and_utc(), ctx.tz));
    if form.checked_on > today {
        return Err(ApiError::field(
            "checked_on",
            text!("recheck-future", day = form.checked_on),
        ));
    }
    if let Some(closed) = closed_on.filter(|c| form.checked_on < *c) {
        return Err(ApiError::field(
            "checked_on",
            text!("recheck-before-close", closed = closed),
        ));
    }
    let live = evidence::live_among(conn, id, &form.evidence_ids)?;
    let unknown: Vec<FieldError> = form
        .evidence_ids
        .iter()
        .enumerate()
        .filter(|(_, e)| !live.contains(e))
        .map(|(i, _)| FieldError::new(format!("evidence_ids[{i}]"), text!("evidence-id-unknown")))
        .collect();
    crate::db::repo::into_validation(unknown)?;
    let check = RecheckRow {
        id: new_id(),
        measure_id: id.to_string(),
        result: form.result.as_str().to_string(),
        note: form.note.trim().to_string(),
        checked_on: form.checked_on,
        evidence_ids: json!(form.evidence_ids).to_string(),
        created_at: ctx.now,
        created_by: ctx.actor.clone().unwrap_or_default(),
    };
    rechecks::insert(conn, &check)?;
    let before = measure_snapshot(&row, &supporting);
    row.recheck_count += 1;
    let relapsed = form.result == RecheckResult::Relapsed;
    if relapsed {
        row.relapse_count += 1;
    }
    let row = measures::save(conn, row, ctx)?;
    let mut after = measure_snapshot(&row, &supporting);
    after["recheck"] = snapshot(&check);
    events::append(
        conn,
        ctx,
        "measure.recheck",
        ("measure", id),
        Some(before),
        Some(after),
    )?;
    let measure = if relapsed {
        // The state machine's reopen, with the re-check's note as its reason.
        let reason = ActionForm::Reason {
            reason: format!("回头看发现问题反弹：{}", check.note),
        };
        workflow::act_on_measure(conn, ctx, id, MeasureAction::Reopen, &reason, None)?
    } else {
        (row, supporting)
    };
    Ok((check, measure))
}

/// `reopen` is a re-check that found the problem back, dated today.
pub fn reopen(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    reason: &str,
    expected: Option<i32>,
) -> Result<MeasureWithUnits, ApiError> {
    let form = RecheckForm {
        result: RecheckResult::Relapsed,
        note: reason.to_string(),
        checked_on: ctx.effective.unwrap_or_else(|| ctx.today()),
        evidence_ids: vec![],
    };
    Ok(recheck(conn, ctx, id, &form, expected)?.1)
}

/// A workflow action on a measure as the API takes it: `reopen` is a re-check that found
/// the problem back (dated today, or its effective day); the others are the state
/// machine's (`workflow::act_on_measure`).
pub fn act(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    action: MeasureAction,
    input: &ActionForm,
    expected: Option<i32>,
) -> Result<MeasureWithUnits, ApiError> {
    match (action, input) {
        (MeasureAction::Reopen, ActionForm::Reason { reason }) => {
            reopen(conn, ctx, id, reason, expected)
        }
        _ => workflow::act_on_measure(conn, ctx, id, action, input, expected),
    }
}
