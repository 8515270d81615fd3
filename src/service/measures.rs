//! Measures (任务清单, 责任清单): added to a finding, changed, and — for ledgers kept
//! elsewhere before — given their recorded past.

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::forms::{MeasureChanges, NewMeasure};
use crate::db::models::{MeasureRow, ProgressReportRow};
use crate::db::repo::measures::{self, measure_snapshot, MeasureWithUnits};
use crate::db::repo::{
    check_version, events, findings, inspections, into_validation, new_id, people, units, WriteCtx,
};
use crate::db::DbConnection;
use crate::domain::enums::MeasureStatus;
use crate::domain::permissions::{Action, Role};
use crate::domain::workflow::may_add_measure;
use crate::domain::{codes, deadline, rules};
use crate::error::ApiError;
use crate::service::{access, validated, workflow};
use crate::text;

/// A measure's recorded past, for ledgers that began outside zhenggai (a seed, an
/// imported sheet): its state, when it closed, its original deadline, how often it was
/// extended or returned, and its latest progress. Empty for measures set up here.
#[derive(Debug, Clone, Default)]
pub struct Recorded {
    pub status: Option<MeasureStatus>,
    pub closed_at: Option<NaiveDateTime>,
    pub original_due_date: Option<NaiveDate>,
    pub extension_count: Option<i32>,
    /// Closure requests sent back before the measure was entered here.
    pub return_count: Option<i32>,
    pub latest_progress: Option<String>,
}

impl Recorded {
    pub fn is_empty(&self) -> bool {
        self.status.is_none()
            && self.original_due_date.is_none()
            && self.extension_count.is_none()
            && self.return_count.is_none()
            && self.latest_progress.is_none()
    }
}

/// Adds a measure to a finding: the finding's unit until its plan is submitted, the
/// office until it closes. A new open measure brings a finding at 阶段性完成 back under
/// way. `past` (a seed, an imported sheet) is written on top as one `measure.restore`.
pub fn create(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    finding_id: &str,
    form: NewMeasure,
    past: &Recorded,
) -> Result<MeasureWithUnits, ApiError> {
    let finding = access::finding(conn, &ctx.who, finding_id, Action::CreateMeasure)?;
    let status = finding.status;
    may_add_measure(status, ctx.who.role == Role::Unit).map_err(|message| {
        ApiError::WrongState {
            message,
            current: finding.status.to_string(),
            allowed: vec![],
        }
    })?;
    let form = validated(form)?;
    // Concurrent creates in one finding would pick the same next code: take turns.
    findings::lock(conn, finding_id)?;
    let inspection = inspections::get(conn, &finding.inspection_id)?;
    let mut problems = rules::check_schedule(form.kind, form.due_date, inspection.feedback_date);
    problems.extend(rules::check_quota(form.kind, form.quota.is_some()));
    into_validation(problems)?;
    check_units(conn, &form.lead_unit_id, &form.supporting_unit_ids)?;
    if let Some(sub) = &form.accountable_leader_sub {
        check_person(conn, sub)?;
    }
    let code = match &form.code {
        Some(code) => {
            check_code_free(conn, finding_id, code.trim(), None)?;
            code.trim().to_string()
        }
        None => {
            let taken = measures::codes_in_finding(conn, finding_id)?;
            codes::next_measure_code(&finding.code, taken.iter().map(String::as_str))
        }
    };
    let row = form.to_row(finding_id, &inspection.id, code, ctx);
    let (mut row, supporting) = measures::insert(conn, row, form.supporting_unit_ids.clone(), ctx)?;
    workflow::follow_measures(conn, ctx, finding)?;
    if !past.is_empty() {
        row = restore(conn, ctx, &row.id, past)?;
    }
    crate::service::duties::keep_measure_quota(conn, ctx, &row)?;
    Ok((row, supporting))
}

/// Changes a measure; `expected` is the `If-Match` version.
pub fn update(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    changes: MeasureChanges,
    expected: Option<i32>,
) -> Result<MeasureWithUnits, ApiError> {
    access::measure(conn, &ctx.who, id, Action::EditMeasure)?;
    let changes = validated(changes)?;
    // Changes without If-Match take turns rather than failing as concurrent.
    measures::lock(conn, id)?;
    let (mut row, mut supporting) = measures::get(conn, id)?;
    check_version("measure", row.version, expected)?;
    let before = measure_snapshot(&row, &supporting);
    let status = row.status;
    if status == MeasureStatus::Closed {
        return Err(ApiError::Conflict(text!("measure-closed-no-edit")));
    }
    if let Some(code) = &changes.code {
        check_code_free(conn, &row.finding_id, code.trim(), Some(id))?;
        row.code = code.trim().to_string();
    }
    if let Some(kind) = changes.kind {
        if kind != row.kind && !rules::kind_editable(status) {
            return Err(ApiError::Conflict(text!(
                "measure-kind-fixed",
                status = status
            )));
        }
        row.kind = kind;
    }
    if let Some(due) = changes.due_date {
        if due != row.due_date && !rules::due_date_editable(status) {
            return Err(ApiError::Conflict(text!(
                "measure-due-fixed",
                status = status
            )));
        }
        row.due_date = due;
        row.original_due_date = due;
        row.due_sort = deadline::sort_key(due);
    }
    if changes.kind.is_some() || changes.due_date.is_some() {
        let inspection = inspections::get(conn, &row.inspection_id)?;
        into_validation(rules::check_schedule(
            row.kind,
            row.due_date,
            inspection.feedback_date,
        ))?;
    }
    let moves_holder = changes
        .accountable_leader
        .as_ref()
        .is_some_and(|l| l.trim() != row.accountable_leader)
        || changes
            .accountable_leader_sub
            .as_ref()
            .is_some_and(|s| s.as_deref().map(str::trim) != row.accountable_leader_sub.as_deref())
        || changes
            .responsible_person
            .as_ref()
            .is_some_and(|p| p.as_deref().map(str::trim) != row.responsible_person.as_deref());
    if moves_holder && !rules::holders_editable(status) {
        return Err(ApiError::WrongState {
            message: text!("measure-holders-fixed", status = status),
            current: status.to_string(),
            allowed: vec![],
        });
    }
    if let Some(Some(sub)) = &changes.accountable_leader_sub {
        check_person(conn, sub)?;
    }
    if let Some(lead) = &changes.lead_unit_id {
        row.lead_unit_id = lead.clone();
    }
    if let Some(list) = &changes.supporting_unit_ids {
        supporting = list.clone();
    }
    if changes.lead_unit_id.is_some() || changes.supporting_unit_ids.is_some() {
        check_units(conn, &row.lead_unit_id, &supporting)?;
    }
    changes.apply_plain(&mut row);
    into_validation(rules::check_quota(row.kind, row.quota_metric.is_some()))?;
    let row = measures::save(conn, row, ctx)?;
    if changes.supporting_unit_ids.is_some() {
        measures::replace_supporting(conn, id, &supporting)?;
    }
    events::append(
        conn,
        ctx,
        "measure.update",
        ("measure", id),
        Some(before),
        Some(measure_snapshot(&row, &supporting)),
    )?;
    crate::service::duties::keep_measure_quota(conn, ctx, &row)?;
    Ok((row, supporting))
}

/// A named accountable leader is in the people directory.
fn check_person(conn: &mut DbConnection, sub: &str) -> Result<(), ApiError> {
    match people::find(conn, sub.trim())? {
        Some(_) => Ok(()),
        None => Err(ApiError::field(
            "accountable_leader_sub",
            text!("person-sub-unknown-add"),
        )),
    }
}

/// A measure code is unique in its finding.
fn check_code_free(
    conn: &mut DbConnection,
    finding_id: &str,
    code: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    if measures::code_taken(conn, finding_id, code, except)? {
        return Err(ApiError::Conflict(text!("measure-code-taken", code = code)));
    }
    Ok(())
}

/// Lead and supporting units must exist and be distinct.
fn check_units(conn: &mut DbConnection, lead: &str, supporting: &[String]) -> Result<(), ApiError> {
    into_validation(rules::check_supporting_units(lead, supporting))?;
    if units::find(conn, lead)?.is_none() {
        return Err(ApiError::field("lead_unit_id", text!("unit-id-unknown")));
    }
    let missing = units::missing(conn, supporting)?;
    if !missing.is_empty() {
        return Err(ApiError::field(
            "supporting_unit_ids",
            text!("unit-ids-unknown", ids = missing),
        ));
    }
    Ok(())
}

/// Writes a recorded past onto a measure, as one `measure.restore` event.
fn restore(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    past: &Recorded,
) -> Result<MeasureRow, ApiError> {
    let (mut row, supporting) = measures::get(conn, id)?;
    let before = measure_snapshot(&row, &supporting);
    if let Some(status) = past.status {
        row.status = status;
        row.closed_at = if status == MeasureStatus::Closed {
            past.closed_at.or(Some(ctx.now))
        } else {
            None
        };
        if matches!(
            status,
            MeasureStatus::Submitted | MeasureStatus::Endorsed | MeasureStatus::Closed
        ) {
            row.progress_percent = 100;
        }
    }
    if let Some(original) = past.original_due_date {
        row.original_due_date = Some(original);
    }
    if let Some(count) = past.extension_count {
        row.extension_count = count;
    }
    if let Some(count) = past.return_count {
        row.return_count = count;
    }
    if let Some(text) = &past.latest_progress {
        measures::add_report(
            conn,
            &ProgressReportRow {
                id: new_id(),
                measure_id: id.to_string(),
                text: text.trim().to_string(),
                percent: row.progress_percent,
                evidence_ids: "[]".into(),
                reported_by: ctx.actor.clone().unwrap_or_default(),
                reported_at: ctx.now,
            },
        )?;
        row.last_report_at = Some(ctx.now);
    }
    let row = measures::save(conn, row, ctx)?;
    events::append(
        conn,
        ctx,
        "measure.restore",
        ("measure", id),
        Some(before),
        Some(measure_snapshot(&row, &supporting)),
    )?;
    Ok(row)
}
