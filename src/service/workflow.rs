//! The closing workflow (对账销号) on measures and findings: each action checks who may
//! take it, the state machine (`domain::workflow`), changes the row, records its event,
//! and lets the finding follow its measures — all in the caller's transaction.

use serde::Serialize;
use serde_json::json;
use uuid::Uuid;

use crate::db::models::{typed, FindingRow, ProgressReportRow};
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::measures::{measure_snapshot, MeasureWithUnits};
use crate::db::repo::{check_version, evidence, findings, inspections, measures, new_id, WriteCtx};
use crate::db::DbConnection;
use crate::domain::enums::FindingStatus;
use crate::domain::permissions::{Refusal, Role};
use crate::domain::rules::FieldError;
use crate::domain::workflow::{self, FindingAction, MeasureAction};
use crate::error::ApiError;
use crate::service::access;
use crate::text;

/// What an action carries into the ledger and the audit trail (recorded as given).
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ActionForm {
    None {},
    Report(ProgressForm),
    Submit(ClosureForm),
    Comment { comment: Option<String> },
    Reason { reason: String },
}

/// A progress report (进展报送).
#[derive(Debug, Clone, Serialize)]
pub struct ProgressForm {
    pub text: String,
    pub percent: i32,
    pub evidence_ids: Option<Vec<Uuid>>,
}

/// A closure request (申请销号).
#[derive(Debug, Clone, Serialize)]
pub struct ClosureForm {
    pub statement: String,
    pub evidence_ids: Vec<Uuid>,
}

impl ActionForm {
    /// The note a decision carries: an optional comment, or a required reason.
    pub fn note(&self) -> Option<&str> {
        match self {
            ActionForm::Comment { comment } => comment.as_deref(),
            ActionForm::Reason { reason } => Some(reason),
            _ => None,
        }
    }
}

/// The ids must name live (not withdrawn) evidence of this measure.
fn check_evidence(
    conn: &mut DbConnection,
    measure_id: &str,
    ids: &[Uuid],
) -> Result<Vec<String>, ApiError> {
    let ids: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    let found = evidence::live_among(conn, measure_id, &ids)?;
    let errors: Vec<FieldError> = ids
        .iter()
        .enumerate()
        .filter(|(_, id)| !found.contains(id))
        .map(|(i, _)| FieldError::new(format!("evidence_ids[{i}]"), text!("evidence-id-unknown")))
        .collect();
    if errors.is_empty() {
        Ok(ids)
    } else {
        Err(ApiError::Validation(errors))
    }
}

/// The steps whose effective days keep their order, per object type.
const MEASURE_STEPS: &[&str] = &[
    "measure.start",
    "measure.report",
    "measure.submit",
    "measure.endorse",
    "measure.verify",
    "measure.return",
    "measure.reopen",
    "measure.recheck",
    "extension.approve",
    "extension.reject",
];
const FINDING_STEPS: &[&str] = &[
    "finding.claim",
    "finding.submit_plan",
    "finding.approve_plan",
    "finding.return_plan",
];

/// When `ctx` enters history late (补录): only the office or an administrator may, and the
/// day must fit (`rules::check_effective`) against the object's previous step.
pub fn check_backdating(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    object: (&str, &str),
    feedback: chrono::NaiveDate,
) -> Result<(), ApiError> {
    let Some(day) = ctx.effective else {
        return Ok(());
    };
    if !matches!(ctx.who.role, Role::Office | Role::Admin) {
        return Err(ApiError::Forbidden(Refusal::new(
            "backdate",
            text!("refusal-backdate"),
        )));
    }
    let steps = if object.0 == "finding" {
        FINDING_STEPS
    } else {
        MEASURE_STEPS
    };
    let previous = events::last_of(conn, object.0, object.1, steps)?.map(|e| {
        let recorded: Option<chrono::NaiveDate> = e
            .after_json
            .as_deref()
            .and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok())
            .and_then(|v| {
                v.get("effective_date")
                    .and_then(|d| serde_json::from_value(d.clone()).ok())
            });
        let on = recorded.unwrap_or_else(|| crate::domain::deadline::today(e.at.and_utc(), ctx.tz));
        (e.action, on)
    });
    crate::domain::rules::check_effective(
        day,
        ctx.today(),
        feedback,
        previous.as_ref().map(|(a, d)| (a.as_str(), *d)),
    )
    .map_err(|e| ApiError::Validation(vec![e]))
}

/// Runs `action` on a measure for `ctx.actor`; `expected` is the `If-Match` version.
pub fn act_on_measure(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    action: MeasureAction,
    input: &ActionForm,
    expected: Option<i32>,
) -> Result<MeasureWithUnits, ApiError> {
    access::measure(conn, &ctx.who, id, action.permission())?;
    // Two verifiers at once: the second waits here, then finds the measure closed.
    measures::lock(conn, id)?;
    let (mut row, supporting) = measures::get(conn, id)?;
    check_version("measure", row.version, expected)?;
    let finding = findings::get(conn, &row.finding_id)?;
    let feedback = inspections::get(conn, &finding.inspection_id)?.feedback_date;
    check_backdating(conn, ctx, ("measure", id), feedback)?;
    let at = ctx.moment();
    workflow::finding_admits(finding.status, row.kind, action).map_err(|why| {
        ApiError::WrongState {
            message: why,
            current: finding.status.to_string(),
            allowed: vec![],
        }
    })?;
    let status = row.status;
    let next = workflow::measure_transition(status, row.kind, action)?;
    let before = measure_snapshot(&row, &supporting);
    let actor = ctx.actor.clone();
    workflow::distinct_signer(
        action,
        row.submitted_by.as_deref(),
        row.endorsed_by.as_deref(),
        actor.as_deref().unwrap_or_default(),
    )
    .map_err(ApiError::Forbidden)?;
    workflow::named_endorser(
        action,
        row.accountable_leader_sub.as_deref(),
        actor.as_deref().unwrap_or_default(),
    )
    .map_err(ApiError::Forbidden)?;
    match (action, input) {
        (MeasureAction::Report, ActionForm::Report(report)) => {
            let cited = check_evidence(conn, id, report.evidence_ids.as_deref().unwrap_or(&[]))?;
            let entry = ProgressReportRow {
                id: new_id(),
                measure_id: id.to_string(),
                text: report.text.trim().to_string(),
                percent: report.percent,
                evidence_ids: json!(cited).to_string(),
                reported_by: actor.clone().unwrap_or_default(),
                reported_at: at,
            };
            measures::add_report(conn, &entry)?;
            row.progress_percent = report.percent;
            row.last_report_at = Some(at);
        }
        (MeasureAction::Submit, ActionForm::Submit(submit)) => {
            let cited = check_evidence(conn, id, &submit.evidence_ids)?;
            // Cited evidence is frozen: it can no longer be withdrawn.
            evidence::freeze(conn, &cited, ctx.now)?;
            row.closing_statement = Some(submit.statement.trim().to_string());
            row.submitted_by = actor.clone();
            row.submitted_at = Some(at);
            row.endorsed_by = None;
            row.verified_by = None;
        }
        (MeasureAction::Endorse, _) => row.endorsed_by = actor.clone(),
        (MeasureAction::Verify, _) => {
            let verifier = actor.clone().unwrap_or_default();
            row.verified_by = Some(verifier);
            row.closed_at = Some(at);
        }
        (MeasureAction::Return, _) => {
            row.endorsed_by = None;
            row.return_count += 1;
        }
        (MeasureAction::Reopen, _) => {
            row.closed_at = None;
            row.verified_by = None;
            row.endorsed_by = None;
        }
        (MeasureAction::Start, _) => {}
        _ => return Err(ApiError::Internal("action and body do not match".into())),
    }
    row.status = next;
    let row = measures::save(conn, row, ctx)?;
    let mut after = measure_snapshot(&row, &supporting);
    after["action_input"] = snapshot(input);
    events::append(
        conn,
        ctx,
        &format!("measure.{}", action.as_str()),
        ("measure", id),
        Some(before),
        Some(after),
    )?;
    follow_measures(conn, ctx, finding)?;
    Ok((row, supporting))
}

/// Brings a finding's status in line with its measures (closed by its last verify, and so
/// on); records the change as an event of its own.
pub fn follow_measures(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    finding: FindingRow,
) -> Result<FindingRow, ApiError> {
    let states = measures::states_in_finding(conn, &finding.id)?;
    let states = states
        .into_iter()
        .map(|(s, k)| Ok((typed(s)?, typed(k)?)))
        .collect::<Result<Vec<_>, ApiError>>()?;
    let current = finding.status;
    let next = workflow::derive_finding(current, &states);
    if next == current {
        return Ok(finding);
    }
    let before = snapshot(&finding);
    let mut row = finding;
    row.status = next;
    row.closed_at = (next == FindingStatus::Closed).then_some(ctx.moment());
    let row = findings::save(conn, row, ctx)?;
    events::append(
        conn,
        ctx,
        &format!("finding.{}", next.as_str()),
        ("finding", &row.id.clone()),
        Some(before),
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Runs `action` on a finding.
pub fn act_on_finding(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    action: FindingAction,
    input: &ActionForm,
    expected: Option<i32>,
) -> Result<FindingRow, ApiError> {
    access::finding(conn, &ctx.who, id, action.permission())?;
    findings::lock(conn, id)?;
    let mut row = findings::get(conn, id)?;
    check_version("finding", row.version, expected)?;
    let feedback = inspections::get(conn, &row.inspection_id)?.feedback_date;
    check_backdating(conn, ctx, ("finding", id), feedback)?;
    let next = workflow::finding_transition(row.status, action)?;
    if action == FindingAction::SubmitPlan && measures::states_in_finding(conn, id)?.is_empty() {
        return Err(ApiError::WrongState {
            message: text!("plan-needs-measures"),
            current: row.status.to_string(),
            allowed: vec![],
        });
    }
    let before = snapshot(&row);
    row.status = next;
    let row = findings::save(conn, row, ctx)?;
    let mut after = snapshot(&row);
    after["action_input"] = snapshot(input);
    events::append(
        conn,
        ctx,
        &format!("finding.{}", action.as_str()),
        ("finding", id),
        Some(before),
        Some(after),
    )?;
    follow_measures(conn, ctx, row)
}
