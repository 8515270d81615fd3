//! Statistics and the overdue dashboard as the API shows them.

use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::measures::Measure;
use crate::db::repo::stats::{GroupBy, MeasureCounts};

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct StatsQuery {
    /// `unit` (default), `inspection`, `category` or `kind`.
    pub group_by: Option<GroupBy>,
    pub inspection_id: Option<Uuid>,
    /// Lead or supporting unit of the measures; responsible unit of the findings.
    pub unit_id: Option<Uuid>,
}

/// The numbers dashboards and reports show (整改完成率, 按期完成率…).
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct Numbers {
    pub findings: i64,
    pub measures: i64,
    /// Verified and closed (已销号).
    pub closed: i64,
    /// Work done: closure requested, endorsed or closed.
    pub completed: i64,
    /// Past their due date, not closed, clock running.
    pub overdue: i64,
    pub red: i64,
    pub yellow: i64,
    pub green: i64,
    /// Approved extensions.
    pub extensions: i64,
    /// Closure requests returned for rework.
    pub returns: i64,
    /// closed / measures.
    pub completion_rate: f64,
    /// Closed on or before their due date / closed with a due date.
    pub on_time_rate: f64,
    /// Average working days from set-up to closure, over closed measures set up here
    /// (not those recorded as closed by a seed or an imported sheet).
    pub avg_working_days_to_close: Option<f64>,
}

fn ratio(part: i64, whole: i64) -> f64 {
    if whole == 0 {
        0.0
    } else {
        ((part as f64 / whole as f64) * 10_000.0).round() / 10_000.0
    }
}

impl Numbers {
    pub fn from_counts(c: &MeasureCounts, findings: i64) -> Numbers {
        let closed = c.closed.unwrap_or(0);
        let red = c.red.unwrap_or(0);
        let yellow = c.yellow.unwrap_or(0);
        Numbers {
            findings,
            measures: c.measures,
            closed,
            completed: c.completed.unwrap_or(0),
            overdue: c.overdue.unwrap_or(0),
            red,
            yellow,
            green: c.measures - red - yellow,
            extensions: c.extensions.unwrap_or(0),
            returns: c.returns.unwrap_or(0),
            completion_rate: ratio(closed, c.measures),
            on_time_rate: ratio(c.on_time.unwrap_or(0), c.closed_with_due.unwrap_or(0)),
            avg_working_days_to_close: c.timed.filter(|n| *n > 0).map(|timed| {
                (c.days_to_close.unwrap_or(0) as f64 / timed as f64 * 10.0).round() / 10.0
            }),
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatsGroup {
    /// The unit's or inspection's id, or the category or kind.
    pub key: String,
    /// What people call it: the unit's name, the inspection's code, the Chinese label.
    pub label: String,
    #[serde(flatten)]
    pub numbers: Numbers,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub group_by: GroupBy,
    pub groups: Vec<StatsGroup>,
    /// Everything the caller sees, once (not the sum of groups: a finding may fall in two).
    pub total: Numbers,
}

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DashboardQuery {
    pub inspection_id: Option<Uuid>,
    /// Lead or supporting unit.
    pub unit_id: Option<Uuid>,
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
