use chrono::NaiveDate;
use validator::Validate;

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
    /// Lead or supporting unit.
    pub unit_id: Option<String>,
    pub status: Option<MeasureStatus>,
    pub kind: Option<MeasureKind>,
    pub overdue: Option<bool>,
    pub due_before: Option<NaiveDate>,
    pub due_after: Option<NaiveDate>,
    pub warning: Option<Warning>,
    pub sort: MeasureSort,
}
