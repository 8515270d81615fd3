use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::page::page_type;
use super::{not_blank, nullable, stored, utc};
use crate::db::forms::{MeasureChanges, MeasureFilter, NewMeasure};
use crate::db::models::MeasureRow;
pub use crate::domain::enums::MeasureSort;
use crate::domain::enums::{MeasureKind, MeasureStatus, QuotaPeriod, ReportCycle, Warning};
pub use crate::domain::quota::Quota;
use crate::domain::{deadline, workflow};
use crate::error::ApiError;

/// A new measure (整改措施) with its owners and deadline (责任清单).
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "content": "修订《机关差旅费管理办法》，明确报销审核把关责任", "kind": "time_bound",
    "lead_unit_id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e02",
    "supporting_unit_ids": ["01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e04"],
    "accountable_leader": "党组成员、副主任", "responsible_person": "综合科科长",
    "due_date": "2022-06-30", "completion_criteria": "办法经党组会审议通过并印发"
}))]
pub struct CreateMeasure {
    /// 措施编号, unique in the finding; generated (`<finding code>-1`, `-2`…) when absent.
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub code: Option<String>,
    #[validate(length(min = 1, max = 5000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 5000, pattern = "\\S")]
    pub content: String,
    pub kind: MeasureKind,
    /// 牵头单位.
    pub lead_unit_id: Uuid,
    /// 配合单位.
    #[serde(default)]
    #[validate(length(max = 50))]
    pub supporting_unit_ids: Vec<Uuid>,
    /// 责任领导.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub accountable_leader: String,
    /// The accountable leader as a person: the login id (`sub`) of an entry of the people
    /// directory. Then only that person (or whoever a handover makes accountable) endorses
    /// the measure's closure requests, and their work queue shows them.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub accountable_leader_sub: Option<String>,
    /// 责任人.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub responsible_person: Option<String>,
    /// 完成时限; required unless `kind` is `long_term`.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub due_date: Option<NaiveDate>,
    /// 整改目标/标准.
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    pub completion_criteria: Option<String>,
    /// For long-term measures; defaults to `quarterly` for them.
    pub report_cycle: Option<ReportCycle>,
    #[validate(nested)]
    pub quota: Option<Quota>,
}

/// Changes to a measure; absent fields stay, `null` clears an optional one. `due_date` and
/// `kind` can change only while the measure has not started; afterwards the deadline moves
/// only through an approved extension.
#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"responsible_person": "财务室主任", "completion_criteria": "办法印发并组织全员学习"}))]
pub struct UpdateMeasure {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub code: Option<String>,
    #[validate(length(min = 1, max = 5000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 5000, pattern = "\\S")]
    pub content: Option<String>,
    pub kind: Option<MeasureKind>,
    pub lead_unit_id: Option<Uuid>,
    #[validate(length(max = 50))]
    pub supporting_unit_ids: Option<Vec<Uuid>>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub accountable_leader: Option<String>,
    /// Once the measure has started, its accountable leader and responsible person change
    /// only through a handover (`POST /handovers`).
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    #[schema(value_type = Option<String>, nullable)]
    pub accountable_leader_sub: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    #[schema(value_type = Option<String>, nullable)]
    pub responsible_person: Option<Option<String>>,
    #[serde(default, deserialize_with = "super::clerk_date_nullable")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub due_date: Option<Option<NaiveDate>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 5000))]
    #[schema(min_length = 1, max_length = 5000)]
    #[schema(value_type = Option<String>, nullable)]
    pub completion_criteria: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<ReportCycle>, nullable)]
    pub report_cycle: Option<Option<ReportCycle>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(nested)]
    #[schema(value_type = Option<Quota>, nullable)]
    pub quota: Option<Option<Quota>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "01934f2e-8a10-7c44-b1d2-5e6f7a8b9c0d", "finding_id": "01934f2e-8a10-7c44-b1d2-5e6f7a8b9c00",
    "inspection_id": "01934f2e-8a10-7c44-b1d2-5e6f7a8b9c01", "code": "XC-2022-03-05-2",
    "content": "修订《机关差旅费管理办法》，明确报销审核把关责任", "kind": "time_bound",
    "lead_unit_id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e02", "supporting_unit_ids": ["01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e04"],
    "accountable_leader": "党组成员、副主任", "accountable_leader_sub": null, "responsible_person": null,
    "due_date": "2022-06-30", "original_due_date": "2022-06-30", "completion_criteria": null,
    "report_cycle": null, "quota": null, "status": "in_progress", "extension_count": 0, "return_count": 0,
    "pending_extension": {"id": "01934f2e-9b20-7c44-b1d2-5e6f7a8b9c0e", "requested_due_date": "2022-09-30"},
    "reminder_count": 1, "last_reminded_at": "2022-07-04T01:00:00Z", "recheck_count": 0, "relapse_count": 0, "closed_at": null,
    "overdue": true, "overdue_days": 92, "overdue_working_days": 65, "clock_stopped": false, "warning": "red", "quota_light": null, "next_report_due": null, "progress_percent": 60,
    "last_report_at": "2022-07-05T08:30:00Z", "closing_statement": null, "submitted_by": null,
    "submitted_at": null, "endorsed_by": null, "verified_by": null,
    "allowed_actions": ["report", "submit"], "version": 3,
    "created_at": "2022-04-25T02:00:00Z", "updated_at": "2022-07-05T08:30:00Z",
    "created_by": "zhk-li", "updated_by": "office-wang"
}))]
pub struct Measure {
    pub id: String,
    pub finding_id: String,
    pub inspection_id: String,
    pub code: String,
    pub content: String,
    pub kind: MeasureKind,
    pub lead_unit_id: String,
    pub supporting_unit_ids: Vec<String>,
    pub accountable_leader: String,
    /// The accountable leader's login id, when the measure names them as a person.
    pub accountable_leader_sub: Option<String>,
    pub responsible_person: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// The due date as first set; an extension moves `due_date` only.
    pub original_due_date: Option<NaiveDate>,
    pub completion_criteria: Option<String>,
    pub report_cycle: Option<ReportCycle>,
    pub quota: Option<Quota>,
    pub status: MeasureStatus,
    /// 延期次数.
    pub extension_count: i32,
    /// How often a closure request was sent back for rework (退回).
    pub return_count: i32,
    /// The extension request waiting for the office's decision, if any.
    pub pending_extension: Option<PendingExtension>,
    /// Reminders (催办) sent by the office or the supervisors, and the latest.
    pub reminder_count: i32,
    pub last_reminded_at: Option<DateTime<Utc>>,
    /// Re-checks (回头看) after closing, and how many found it relapsed (reopened).
    pub recheck_count: i32,
    pub relapse_count: i32,
    pub closed_at: Option<DateTime<Utc>>,
    /// Past due and not closed (computed, in the configured time zone).
    pub overdue: bool,
    /// Calendar days past due; 0 when not overdue.
    pub overdue_days: i64,
    /// Working days past due (超期X个工作日), by the holiday calendar
    /// (`GET /calendar/{year}`); 0 when not overdue.
    pub overdue_working_days: i64,
    /// 红黄绿灯: red overdue (or a long-term measure that missed its report, or whose duty
    /// quota is red), yellow due within 3 days (or its quota behind pace), green otherwise.
    pub warning: Warning,
    /// The light of the year's duty quotas that keep it (a long-term measure's "每年不少于2次",
    /// `GET /duties?measure_id=`), null when no duty keeps it; `warning` is the worse of
    /// this and its deadline and report lights.
    pub quota_light: Option<Warning>,
    /// For an open long-term measure: when its next progress report is due (one report
    /// cycle after the last, or after it was set up).
    pub next_report_due: Option<NaiveDate>,
    /// A closure request submitted before the due date is under review: the deadline
    /// clock stands still (no red, no yellow).
    pub clock_stopped: bool,
    /// Latest reported progress, 0–100.
    pub progress_percent: i32,
    pub last_report_at: Option<DateTime<Utc>>,
    /// The closing statement of the latest closure request (申请销号).
    pub closing_statement: Option<String>,
    /// Who asked for closure, and when.
    pub submitted_by: Option<String>,
    pub submitted_at: Option<DateTime<Utc>>,
    /// The leader who endorsed the closure request (签字背书).
    pub endorsed_by: Option<String>,
    /// Who verified and closed it (审核验收).
    pub verified_by: Option<String>,
    /// The workflow actions its state allows (`POST /measures/{id}/actions/{action}`).
    pub allowed_actions: Vec<String>,
    /// Bumped by every change; also the `ETag`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

/// An extension request waiting for a decision (`GET /extensions/{id}`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PendingExtension {
    pub id: String,
    pub requested_due_date: NaiveDate,
}

impl Measure {
    pub fn from_row(
        r: MeasureRow,
        supporting_unit_ids: Vec<String>,
        today: &deadline::Today,
    ) -> Result<Measure, ApiError> {
        let (status, kind) = (r.status, r.kind);
        // The one light; `report_due` is kept by every save (`measures::refresh_deadlines`).
        let state = r.light(today);
        let quota_light = r.quota_light.clone();
        let next_report_due = r.report_due;
        let report_cycle = match r.report_cycle {
            Some(c) => Some(stored(ReportCycle::parse(&c), "report_cycle", &c)?),
            None => None,
        };
        let quota = match (r.quota_metric, r.quota_min_count, r.quota_period) {
            (Some(metric), Some(min_count), Some(period)) => Some(Quota {
                metric,
                min_count,
                period: stored(QuotaPeriod::parse(&period), "quota_period", &period)?,
            }),
            _ => None,
        };
        Ok(Measure {
            next_report_due,
            clock_stopped: r.clock_stopped,
            kind,
            allowed_actions: workflow::measure_actions(status, kind)
                .into_iter()
                .map(String::from)
                .collect(),
            progress_percent: r.progress_percent,
            last_report_at: r.last_report_at.map(utc),
            closing_statement: r.closing_statement,
            submitted_by: r.submitted_by,
            submitted_at: r.submitted_at.map(utc),
            endorsed_by: r.endorsed_by,
            verified_by: r.verified_by,
            id: r.id,
            finding_id: r.finding_id,
            inspection_id: r.inspection_id,
            code: r.code,
            content: r.content,
            lead_unit_id: r.lead_unit_id,
            supporting_unit_ids,
            accountable_leader: r.accountable_leader,
            accountable_leader_sub: r.accountable_leader_sub,
            responsible_person: r.responsible_person,
            due_date: r.due_date,
            original_due_date: r.original_due_date,
            completion_criteria: r.completion_criteria,
            report_cycle,
            quota,
            status,
            extension_count: r.extension_count,
            return_count: r.return_count,
            pending_extension: r.pending_extension_id.zip(r.pending_extension_due).map(
                |(id, requested_due_date)| PendingExtension {
                    id,
                    requested_due_date,
                },
            ),
            reminder_count: r.reminder_count,
            last_reminded_at: r.last_reminded_at.map(utc),
            recheck_count: r.recheck_count,
            relapse_count: r.relapse_count,
            closed_at: r.closed_at.map(utc),
            overdue: state.overdue,
            overdue_days: state.overdue_days,
            overdue_working_days: state.overdue_working_days,
            warning: state.warning,
            quota_light: quota_light.as_deref().and_then(Warning::parse),
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            created_by: r.created_by,
            updated_by: r.updated_by,
        })
    }
}

page_type!(MeasurePage, Measure, "measures");

#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MeasureQuery {
    pub finding_id: Option<Uuid>,
    pub inspection_id: Option<Uuid>,
    /// Lead or supporting unit.
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone; by default it and every unit below it.
    pub descendants: Option<bool>,
    pub status: Option<MeasureStatus>,
    pub kind: Option<MeasureKind>,
    /// Only overdue (`true`) or only not overdue (`false`) measures.
    pub overdue: Option<bool>,
    /// Due on or before this date.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub due_before: Option<NaiveDate>,
    /// Due on or after this date.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub due_after: Option<NaiveDate>,
    /// Only measures with this light today (红黄绿灯).
    pub warning: Option<Warning>,
    /// `due_date` (default), `-due_date` or `created_at`.
    pub sort: Option<MeasureSort>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl From<CreateMeasure> for NewMeasure {
    fn from(m: CreateMeasure) -> NewMeasure {
        NewMeasure {
            code: m.code,
            content: m.content,
            kind: m.kind,
            lead_unit_id: m.lead_unit_id.to_string(),
            supporting_unit_ids: m.supporting_unit_ids.iter().map(Uuid::to_string).collect(),
            accountable_leader: m.accountable_leader,
            accountable_leader_sub: m.accountable_leader_sub,
            responsible_person: m.responsible_person,
            due_date: m.due_date,
            completion_criteria: m.completion_criteria,
            report_cycle: m.report_cycle,
            quota: m.quota,
        }
    }
}

impl From<UpdateMeasure> for MeasureChanges {
    fn from(m: UpdateMeasure) -> MeasureChanges {
        MeasureChanges {
            code: m.code,
            content: m.content,
            kind: m.kind,
            lead_unit_id: m.lead_unit_id.map(|u| u.to_string()),
            supporting_unit_ids: m
                .supporting_unit_ids
                .map(|ids| ids.iter().map(Uuid::to_string).collect()),
            accountable_leader: m.accountable_leader,
            accountable_leader_sub: m.accountable_leader_sub,
            responsible_person: m.responsible_person,
            due_date: m.due_date,
            completion_criteria: m.completion_criteria,
            report_cycle: m.report_cycle,
            quota: m.quota,
        }
    }
}

impl From<&MeasureQuery> for MeasureFilter {
    fn from(q: &MeasureQuery) -> MeasureFilter {
        MeasureFilter {
            finding_id: q.finding_id.map(|u| u.to_string()),
            inspection_id: q.inspection_id.map(|u| u.to_string()),
            // Widened to the units below by the handler (`AppState::units_under`).
            units: None,
            status: q.status,
            kind: q.kind,
            overdue: q.overdue,
            due_before: q.due_before,
            due_after: q.due_after,
            warning: q.warning,
            sort: q.sort.unwrap_or_default(),
        }
    }
}
