//! Measures (任务清单, 责任清单): added to a finding, changed, and — for ledgers kept
//! elsewhere before — given their recorded past.

use chrono::{NaiveDate, NaiveDateTime};

use crate::db::forms::{MeasureChanges, NewMeasure};
use crate::db::models::{MeasureRow, ProgressReportRow};
use crate::db::repo::measures::{self, measure_snapshot, MeasureWithUnits};
use crate::db::repo::{events, new_id, WriteCtx};
use crate::db::DbConnection;
use crate::domain::enums::MeasureStatus;
use crate::domain::permissions::{Action, Role};
use crate::domain::workflow as rules;
use crate::error::ApiError;
use crate::service::{access, validated, workflow};

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
    rules::may_add_measure(status, ctx.who.role == Role::Unit).map_err(|message| {
        ApiError::WrongState {
            message,
            current: finding.status.to_string(),
            allowed: vec![],
        }
    })?;
    let form = validated(form)?;
    let (mut row, supporting) = measures::create(conn, finding_id, &form, ctx)?;
    workflow::follow_measures(conn, ctx, finding)?;
    if !past.is_empty() {
        row = restore(conn, ctx, &row.id, past)?;
    }
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
    measures::update(conn, id, &changes, expected, ctx)
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
