//! Statistics and the overdue dashboard as the API shows them.

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
    /// `unit` (default), `inspection`, `category` or `kind`.
    pub group_by: Option<GroupBy>,
    pub inspection_id: Option<Uuid>,
    /// Lead or supporting unit of the measures; responsible unit of the findings.
    pub unit_id: Option<Uuid>,
    /// With `group_by=unit`: the roll-up a 上级 reads — one group per child of this unit,
    /// each counting its whole subtree, plus the unit's own items as a group of its own.
    pub parent_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone; by default it and every unit below it.
    pub descendants: Option<bool>,
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
