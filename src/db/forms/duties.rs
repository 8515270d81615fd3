use chrono::NaiveDate;
use validator::Validate;

use crate::domain::duties::DutyQuota;
use crate::domain::rules::not_blank;

/// A new annual duty (年度任务) of a unit, with its quotas.
#[derive(Debug, Clone, Validate)]
pub struct NewDuty {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    pub code: String,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub title: String,
    #[validate(range(min = 2000, max = 2100))]
    pub year: i32,
    pub unit_id: String,
    /// The plan or measure it comes from (2022年党建工作计划 第5条).
    #[validate(length(min = 1, max = 500))]
    pub source: Option<String>,
    pub measure_id: Option<String>,
    #[validate(length(min = 1, max = 20), nested)]
    pub quotas: Vec<DutyQuota>,
}

/// Changes to a duty: `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, Validate)]
pub struct DutyChanges {
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 500))]
    pub source: Option<Option<String>>,
    #[validate(length(min = 1, max = 20), nested)]
    pub quotas: Option<Vec<DutyQuota>>,
}

/// Which duties a list holds.
#[derive(Debug, Clone, Default)]
pub struct DutyFilter {
    pub year: Option<i32>,
    /// The duty's unit: any of these (a unit and those below it).
    pub units: Option<Vec<String>>,
    pub measure_id: Option<String>,
}

/// An activity held (开展情况).
#[derive(Debug, Clone, Validate)]
pub struct NewActivity {
    #[validate(length(min = 1, max = 64))]
    pub kind: String,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    pub title: String,
    pub held_on: NaiveDate,
    pub unit_id: String,
    /// The duty it is recorded for, when one: its year must hold the day.
    pub duty_id: Option<String>,
    /// Who took part: logins or names.
    #[validate(length(max = 200))]
    pub persons: Vec<String>,
    #[validate(range(min = 0.0, max = 10000.0))]
    pub hours: Option<f64>,
    #[validate(range(min = 0, max = 100000))]
    pub count: Option<i32>,
    #[validate(length(max = 5000))]
    pub note: Option<String>,
    #[validate(length(max = 50))]
    pub evidence_ids: Vec<String>,
}

/// Which activities a list holds.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    /// Held by any of these units.
    pub units: Option<Vec<String>>,
    pub kind: Option<String>,
    pub duty_id: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Naming this person.
    pub person: Option<String>,
    /// Withdrawn ones too.
    pub withdrawn: bool,
}
