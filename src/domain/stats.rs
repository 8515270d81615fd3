//! The numbers of a ledger as dashboards and reports show them, and how lists of them are
//! grouped. The counting happens in SQL (`db::repo::stats`); the rates are derived here.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupBy {
    #[default]
    /// The measure's lead unit (牵头单位); findings by their responsible unit.
    Unit,
    Inspection,
    /// The finding's category.
    Category,
    /// The measure's kind; findings counted once per kind they have measures of.
    Kind,
    /// 问题来源: the finding's own source, else its inspection's (巡察, 考核, 审计…).
    Source,
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
    /// Reminders sent (催办).
    pub reminders: i64,
    /// Re-checks after closing (回头看), and those that found the problem back (relapsed).
    pub rechecked: i64,
    pub relapsed: i64,
    /// closed / measures (整改完成率); `null` with no measures.
    pub completion_rate: Option<f64>,
    /// closed / measures that are not long-term: the convention of offices that report
    /// 长期坚持 items as 持续推进 rather than as not done; `null` with none.
    pub completion_rate_excluding_long_term: Option<f64>,
    /// Closed on or before their due date / closed with a due date (按期完成率); `null`
    /// when nothing with a due date is closed yet.
    pub on_time_rate: Option<f64>,
    /// Average working days from set-up to closure, over closed measures set up here
    /// (not those recorded as closed by a seed or an imported sheet).
    pub avg_working_days_to_close: Option<f64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StatsGroup {
    /// The unit's or inspection's id, or the category or kind.
    pub key: String,
    /// What people call it: the unit's name, the inspection's code, the Chinese label.
    pub label: String,
    #[serde(flatten)]
    pub numbers: Numbers,
    /// With `group_by=unit`: the year's duty quotas (年度任务) of the group's units, by
    /// light.
    pub duties: Option<super::duties::QuotaCounts>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Stats {
    pub group_by: GroupBy,
    pub groups: Vec<StatsGroup>,
    /// Everything the caller sees, once (not the sum of groups: a finding may fall in two).
    pub total: Numbers,
    /// With `group_by=unit`: every duty quota counted, by light.
    pub duties: Option<super::duties::QuotaCounts>,
}

/// `part / whole` to four decimals; none when there is nothing to divide by (shown "—",
/// never 0%).
pub fn ratio(part: i64, whole: i64) -> Option<f64> {
    (whole != 0).then(|| ((part as f64 / whole as f64) * 10_000.0).round() / 10_000.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rate_with_nothing_to_divide_is_none_not_zero() {
        assert_eq!(ratio(0, 0), None);
        assert_eq!(ratio(0, 4), Some(0.0));
        assert_eq!(ratio(1, 3), Some(0.3333));
    }
}
