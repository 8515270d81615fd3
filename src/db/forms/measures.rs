use chrono::NaiveDate;
use validator::Validate;

use crate::db::models::MeasureRow;
use crate::db::repo::{new_id, WriteCtx};
use crate::domain::deadline;
use crate::domain::enums::{MeasureKind, MeasureSort, MeasureStatus, ReportCycle, Warning};
use crate::domain::quota::Quota;
use crate::domain::rules::not_blank;

/// A new measure with its owners and deadline.
#[derive(Debug, Clone, Validate)]
pub struct NewMeasure {
    /// Generated from the finding's code when absent.
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    pub code: Option<String>,
    #[validate(length(min = 1, max = 5000), custom(function = "not_blank"))]
    pub content: String,
    pub kind: MeasureKind,
    pub lead_unit_id: String,
    #[validate(length(max = 50))]
    pub supporting_unit_ids: Vec<String>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub accountable_leader: String,
    /// The accountable leader's login id, when they are in the people directory.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub accountable_leader_sub: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub responsible_person: Option<String>,
    pub due_date: Option<NaiveDate>,
    #[validate(length(min = 1, max = 5000))]
    pub completion_criteria: Option<String>,
    pub report_cycle: Option<ReportCycle>,
    #[validate(nested)]
    pub quota: Option<Quota>,
}

/// Changes to a measure: `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, Validate)]
pub struct MeasureChanges {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    pub code: Option<String>,
    #[validate(length(min = 1, max = 5000), custom(function = "not_blank"))]
    pub content: Option<String>,
    pub kind: Option<MeasureKind>,
    pub lead_unit_id: Option<String>,
    #[validate(length(max = 50))]
    pub supporting_unit_ids: Option<Vec<String>>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub accountable_leader: Option<String>,
    pub accountable_leader_sub: Option<Option<String>>,
    #[validate(length(min = 1, max = 200))]
    pub responsible_person: Option<Option<String>>,
    pub due_date: Option<Option<NaiveDate>>,
    #[validate(length(min = 1, max = 5000))]
    pub completion_criteria: Option<Option<String>>,
    pub report_cycle: Option<Option<ReportCycle>>,
    #[validate(nested)]
    pub quota: Option<Option<Quota>>,
}

impl MeasureChanges {
    pub fn is_empty(&self) -> bool {
        self.code.is_none()
            && self.content.is_none()
            && self.kind.is_none()
            && self.lead_unit_id.is_none()
            && self.supporting_unit_ids.is_none()
            && self.accountable_leader.is_none()
            && self.accountable_leader_sub.is_none()
            && self.responsible_person.is_none()
            && self.due_date.is_none()
            && self.completion_criteria.is_none()
            && self.report_cycle.is_none()
            && self.quota.is_none()
    }
}

/// Which measures a list holds, and in what order.
#[derive(Debug, Clone, Default)]
pub struct MeasureFilter {
    pub finding_id: Option<String>,
    pub inspection_id: Option<String>,
    /// Lead or supporting unit: any of these (a unit and those below it).
    pub units: Option<Vec<String>>,
    pub status: Option<MeasureStatus>,
    pub kind: Option<MeasureKind>,
    pub overdue: Option<bool>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub warning: Option<Warning>,
    pub sort: MeasureSort,
}

/// 报送周期: a long-term measure reports quarterly unless told otherwise.
fn report_cycle(kind: MeasureKind, cycle: Option<ReportCycle>) -> Option<String> {
    match (kind, cycle) {
        (_, Some(c)) => Some(c.as_str().to_string()),
        (MeasureKind::LongTerm, None) => Some(ReportCycle::Quarterly.as_str().to_string()),
        _ => None,
    }
}

fn set_quota(row: &mut MeasureRow, quota: Option<&Quota>) {
    row.quota_metric = quota.map(|q| q.metric.trim().to_string());
    row.quota_min_count = quota.map(|q| q.min_count);
    row.quota_period = quota.map(|q| q.period.as_str().to_string());
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_ref().map(|s| s.trim().to_string())
}

impl NewMeasure {
    /// The row this form makes: not started, in its finding and inspection, under `code`.
    pub fn to_row(
        &self,
        finding_id: &str,
        inspection_id: &str,
        code: String,
        ctx: &WriteCtx,
    ) -> MeasureRow {
        let mut row = MeasureRow {
            id: new_id(),
            finding_id: finding_id.to_string(),
            inspection_id: inspection_id.to_string(),
            code,
            content: self.content.trim().to_string(),
            kind: self.kind,
            lead_unit_id: self.lead_unit_id.clone(),
            accountable_leader: self.accountable_leader.trim().to_string(),
            responsible_person: trimmed(&self.responsible_person),
            due_date: self.due_date,
            original_due_date: self.due_date,
            due_sort: deadline::sort_key(self.due_date),
            completion_criteria: trimmed(&self.completion_criteria),
            report_cycle: report_cycle(self.kind, self.report_cycle),
            quota_metric: None,
            quota_min_count: None,
            quota_period: None,
            status: MeasureStatus::NotStarted,
            extension_count: 0,
            closed_at: None,
            version: 1,
            created_at: ctx.now,
            updated_at: ctx.now,
            created_by: ctx.actor.clone(),
            updated_by: ctx.actor.clone(),
            progress_percent: 0,
            last_report_at: None,
            closing_statement: None,
            submitted_by: None,
            submitted_at: None,
            endorsed_by: None,
            verified_by: None,
            report_due: None,
            clock_stopped: false,
            return_count: 0,
            closed_on_time: None,
            days_to_close: None,
            accountable_leader_sub: self.accountable_leader_sub.clone(),
            pending_extension_id: None,
            pending_extension_due: None,
            reminder_count: 0,
            last_reminded_at: None,
            recheck_count: 0,
            relapse_count: 0,
            quota_light: None,
        };
        set_quota(&mut row, self.quota.as_ref());
        row
    }
}

impl MeasureChanges {
    /// Copies the fields no rule guards (text, people, cycle, quota) onto `row`; code,
    /// kind, due date and units are the use case's to check and set first.
    pub fn apply_plain(&self, row: &mut MeasureRow) {
        if let Some(content) = &self.content {
            row.content = content.trim().to_string();
        }
        if let Some(leader) = &self.accountable_leader {
            row.accountable_leader = leader.trim().to_string();
        }
        if let Some(person) = &self.responsible_person {
            row.responsible_person = trimmed(person);
        }
        if let Some(sub) = &self.accountable_leader_sub {
            row.accountable_leader_sub = trimmed(sub);
        }
        if let Some(criteria) = &self.completion_criteria {
            row.completion_criteria = trimmed(criteria);
        }
        if let Some(cycle) = self.report_cycle {
            row.report_cycle = report_cycle(row.kind, cycle);
        } else if self.kind.is_some() && row.report_cycle.is_none() {
            row.report_cycle = report_cycle(row.kind, None);
        }
        if let Some(quota) = &self.quota {
            set_quota(row, quota.as_ref());
        }
    }
}
