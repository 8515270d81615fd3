//! Annual duties (年度任务), activity kinds and activities (开展情况) as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::page::page_type;
use super::{not_blank, utc};
use crate::db::forms::{DutyChanges, NewActivity, NewDuty};
use crate::db::models::{ActivityKindRow, ActivityRow, DutyRow};
pub use crate::domain::duties::{
    DutyQuota, Period, PeriodCount, PeriodState, QuotaCounts, QuotaPer, QuotaProgress, QuotaUnit,
};
use crate::domain::enums::Warning;
use crate::error::ApiError;

/// A new annual duty: "全年开展党组理论学习中心组集中学习不少于8次" for a unit and a year.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "DJ-2026-05", "title": "制定党组理论中心组学习计划，全年开展党组理论学习中心组集中学习不少于8次",
    "year": 2026, "unit_id": "01934f2e-9b20-7c44-b1d2-5e6f7a8b9c01",
    "source": "2026年党建工作计划 第5条",
    "quotas": [{"metric": "党组理论学习中心组集中学习", "min": 8, "unit": "times",
                "period": "year", "per": "unit", "activity_kinds": ["center_group_study"]}]
}))]
pub struct CreateDuty {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 64)]
    pub code: String,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub title: String,
    #[validate(range(min = 2000, max = 2100))]
    #[schema(minimum = 2000, maximum = 2100)]
    pub year: i32,
    /// The unit that owes it (活动 of it and of the units below it count).
    pub unit_id: Uuid,
    /// The plan or measure it comes from.
    #[validate(length(min = 1, max = 500))]
    pub source: Option<String>,
    /// The long-term measure (长期坚持) it keeps, when one.
    pub measure_id: Option<Uuid>,
    #[validate(length(min = 1, max = 20), nested)]
    pub quotas: Vec<DutyQuota>,
}

impl From<CreateDuty> for NewDuty {
    fn from(d: CreateDuty) -> NewDuty {
        NewDuty {
            code: d.code,
            title: d.title,
            year: d.year,
            unit_id: d.unit_id.to_string(),
            source: d.source,
            measure_id: d.measure_id.map(|m| m.to_string()),
            quotas: d.quotas,
        }
    }
}

/// Changes to a duty; absent fields stay, `source: null` clears it. `quotas` replaces
/// them all.
#[derive(Debug, Clone, Default, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateDuty {
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub title: Option<String>,
    #[serde(default, deserialize_with = "super::nullable")]
    #[schema(value_type = Option<String>)]
    pub source: Option<Option<String>>,
    #[validate(length(min = 1, max = 20), nested)]
    pub quotas: Option<Vec<DutyQuota>>,
}

impl From<UpdateDuty> for DutyChanges {
    fn from(d: UpdateDuty) -> DutyChanges {
        DutyChanges {
            title: d.title,
            source: d.source,
            quotas: d.quotas,
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Duty {
    pub id: String,
    pub code: String,
    pub title: String,
    pub year: i32,
    pub unit_id: String,
    pub source: Option<String>,
    pub measure_id: Option<String>,
    pub quotas: Vec<DutyQuota>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

impl TryFrom<DutyRow> for Duty {
    type Error = ApiError;

    fn try_from(r: DutyRow) -> Result<Duty, ApiError> {
        Ok(Duty {
            quotas: crate::service::duties::quotas(&r)?,
            id: r.id,
            code: r.code,
            title: r.title,
            year: r.year,
            unit_id: r.unit_id,
            source: r.source,
            measure_id: r.measure_id,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            created_by: r.created_by,
            updated_by: r.updated_by,
        })
    }
}

page_type!(DutyPage, Duty, "duties, by code");

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DutyQuery {
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// The duty's unit (and every unit below it).
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone.
    pub descendants: Option<bool>,
    pub measure_id: Option<Uuid>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProgressQuery {
    /// Counted to the end of this day (by default today).
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    #[param(value_type = Option<String>, example = "2026-06-30")]
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct YearProgressQuery {
    /// By default this year.
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
    /// The duties of this unit (and of every unit below it).
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone.
    pub descendants: Option<bool>,
    /// Counted to the end of this day (by default today).
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    #[param(value_type = Option<String>, example = "2026-06-30")]
    pub as_of: Option<NaiveDate>,
}

/// A duty's quotas, counted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DutyProgress {
    pub duty: Duty,
    /// Counted to the end of this day.
    pub as_of: NaiveDate,
    /// The worst of its quotas' lights.
    pub light: Warning,
    pub quotas: Vec<QuotaProgress>,
}

/// Every duty of a year, counted.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct YearProgress {
    pub year: i32,
    pub as_of: NaiveDate,
    pub duties: Vec<DutyProgress>,
    /// Quotas by light, over all the duties.
    pub quotas: QuotaCounts,
}

/// A kind of activity quotas count (党组会议, 中心组学习…).
#[derive(Debug, Clone, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "branch_visit", "name": "走访联系党支部"}))]
pub struct ActivityKind {
    /// a–z, 0–9 and _.
    #[validate(length(min = 1, max = 64))]
    #[schema(min_length = 1, max_length = 64, pattern = "^[a-z0-9_]+$")]
    pub code: String,
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 100)]
    pub name: String,
}

impl From<ActivityKindRow> for ActivityKind {
    fn from(r: ActivityKindRow) -> ActivityKind {
        ActivityKind {
            code: r.code,
            name: r.name,
        }
    }
}

/// The kinds, by code.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ActivityKindList {
    pub items: Vec<ActivityKind>,
}

/// An activity held: a 党组会, a 中心组学习, a 提醒谈话, a 专题报告 sent upward.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "kind": "center_group_study", "title": "党组理论学习中心组第6次集中学习",
    "held_on": "2026-06-18", "unit_id": "01934f2e-9b20-7c44-b1d2-5e6f7a8b9c01",
    "persons": ["jrb.chen", "jrb.liu", "jrb.wang"], "hours": 3,
    "note": "专题学习《中国共产党纪律处分条例》"
}))]
pub struct CreateActivity {
    /// An activity kind (`GET /activity-kinds`).
    #[validate(length(min = 1, max = 64))]
    pub kind: String,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 500)]
    pub title: String,
    /// The day it was held: not in the future.
    #[serde(deserialize_with = "super::clerk_date")]
    #[schema(value_type = String, example = "2026-06-18")]
    pub held_on: NaiveDate,
    /// The unit that held it (the caller's, or one it oversees).
    pub unit_id: Uuid,
    /// The duty it is recorded for: the day must lie in its year and the kind must count
    /// toward it. Without it, it still counts toward every quota of its kind.
    pub duty_id: Option<Uuid>,
    /// Who took part (logins or names): per-person quotas count each.
    #[serde(default)]
    #[validate(length(max = 200))]
    pub persons: Vec<String>,
    /// Hours, for quotas counted in 学时.
    #[validate(range(min = 0.0, max = 10000.0))]
    pub hours: Option<f64>,
    /// People admitted (发展党员), reports sent: for quotas counted in 名.
    #[validate(range(min = 0, max = 100000))]
    pub count: Option<i32>,
    #[validate(length(max = 5000))]
    pub note: Option<String>,
    #[serde(default)]
    #[validate(length(max = 50))]
    pub evidence_ids: Vec<Uuid>,
}

impl From<CreateActivity> for NewActivity {
    fn from(a: CreateActivity) -> NewActivity {
        NewActivity {
            kind: a.kind,
            title: a.title,
            held_on: a.held_on,
            unit_id: a.unit_id.to_string(),
            duty_id: a.duty_id.map(|d| d.to_string()),
            persons: a.persons,
            hours: a.hours,
            count: a.count,
            note: a.note,
            evidence_ids: a.evidence_ids.iter().map(Uuid::to_string).collect(),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Activity {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub unit_id: String,
    pub duty_id: Option<String>,
    pub persons: Vec<String>,
    pub hours: Option<f64>,
    pub count: Option<i32>,
    pub note: Option<String>,
    pub evidence_ids: Vec<String>,
    /// Withdrawn activities count toward nothing; the record stays.
    pub withdrawn: bool,
    pub withdrawn_at: Option<DateTime<Utc>>,
    pub withdrawn_by: Option<String>,
    pub withdraw_reason: Option<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

impl From<ActivityRow> for Activity {
    fn from(r: ActivityRow) -> Activity {
        Activity {
            persons: serde_json::from_str(&r.persons).unwrap_or_default(),
            evidence_ids: serde_json::from_str(&r.evidence_ids).unwrap_or_default(),
            withdrawn: r.withdrawn_at.is_some(),
            withdrawn_at: r.withdrawn_at.map(utc),
            id: r.id,
            kind: r.kind,
            title: r.title,
            held_on: r.held_on,
            unit_id: r.unit_id,
            duty_id: r.duty_id,
            hours: r.hours,
            count: r.count,
            note: r.note,
            withdrawn_by: r.withdrawn_by,
            withdraw_reason: r.withdraw_reason,
            created_at: utc(r.created_at),
            created_by: r.created_by,
        }
    }
}

page_type!(ActivityPage, Activity, "activities, latest first");

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    /// Held by this unit (and every unit below it).
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone.
    pub descendants: Option<bool>,
    pub kind: Option<String>,
    pub duty_id: Option<Uuid>,
    /// Held on or after this day.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    #[param(value_type = Option<String>)]
    pub from: Option<NaiveDate>,
    /// Held on or before this day.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    #[param(value_type = Option<String>)]
    pub to: Option<NaiveDate>,
    /// Naming this person.
    pub person: Option<String>,
    /// `true`: withdrawn ones too.
    pub withdrawn: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// Why an activity is withdrawn.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "误登记：该次学习属机关党支部，已由支部另行登记。"}))]
pub struct WithdrawActivity {
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000)]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PlanImportQuery {
    /// `false` to write; by default nothing is written and the answer says what would be.
    pub dry_run: Option<bool>,
    /// The year of duties whose row has no 年度 (by default this year).
    #[validate(range(min = 2000, max = 2100))]
    #[param(minimum = 2000, maximum = 2100)]
    pub year: Option<i32>,
}
