//! Statistics and the overdue dashboard as the API shows them.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::measures::Measure;
pub use crate::domain::stats::{GroupBy, Numbers, Stats, StatsGroup};

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// `unit` (default), `inspection`, `category`, `kind` or `source`.
    pub group_by: Option<GroupBy>,
    pub inspection_id: Option<Uuid>,
    /// Lead or supporting unit of the measures; responsible unit of the findings.
    pub unit_id: Option<Uuid>,
    /// With `group_by=unit`: the roll-up a 上级 reads — one group per child of this unit,
    /// each counting its whole subtree, plus the unit's own items as a group of its own.
    pub parent_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone; by default it and every unit below it.
    pub descendants: Option<bool>,
    /// The numbers as they stood at the end of this day (not in the future), read back
    /// from the audit trail with the effective dates of steps entered late.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    #[param(value_type = Option<String>, example = "2022-06-30")]
    pub as_of: Option<NaiveDate>,
}

/// What a report takes besides its inspection.
#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ReportQuery {
    /// The report as it stood at the end of this day (e.g. the last day of 集中整改期),
    /// from the audit trail; by default today.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    #[param(value_type = Option<String>, example = "2022-06-30")]
    pub as_of: Option<NaiveDate>,
}

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    pub inspection_id: Option<Uuid>,
    /// Lead or supporting unit.
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone; by default it and every unit below it.
    pub descendants: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

/// A red or yellow measure with who answers for it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DashboardItem {
    pub measure: Measure,
    pub lead_unit_code: String,
    pub lead_unit_name: String,
    pub finding_code: String,
    pub finding_title: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Dashboard {
    /// Red first, then yellow; most overdue first.
    pub items: Vec<DashboardItem>,
    pub next_cursor: Option<String>,
    pub red: i64,
    pub yellow: i64,
}
