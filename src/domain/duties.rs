//! Annual duties (年度任务) and their quotas — "全年开展党组理论学习中心组集中学习不少于8次",
//! "每月召开党组会议不少于2次", "支部领导班子成员每年参加集中学习不少于56学时" — and how the
//! activities held count toward them, period by period, with a light for the pace. No I/O.
//!
//! The pace rule: a period that ended short is red (missed). In a running period, what
//! remains must fit in the working days left at the plan's own pace — at most one activity
//! a working day, eight hours of study a working day (people admitted have no daily pace) —
//! or the period is red already; it is yellow while what was done is behind the linear pace
//! of the period (the minimum times the share of its working days gone, to the nearest
//! whole), green otherwise. A period not begun is green.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use validator::Validate;

use super::calendar::Calendar;
use super::enums::{QuotaPeriod, Warning};
use super::rules::not_blank;
use crate::i18n::Text;
use crate::text;

/// What a quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuotaUnit {
    /// 次: each activity counts once.
    Times,
    /// 学时: an activity counts its `hours`.
    Hours,
    /// 名: an activity counts its `count` (people admitted, 发展党员).
    People,
}

impl QuotaUnit {
    pub fn label(self) -> &'static str {
        match self {
            QuotaUnit::Times => "次",
            QuotaUnit::Hours => "学时",
            QuotaUnit::People => "名",
        }
    }

    /// The most one working day can add, by the plan's pace rule (none for people).
    fn daily_pace(self) -> Option<f64> {
        match self {
            QuotaUnit::Times => Some(1.0),
            QuotaUnit::Hours => Some(8.0),
            QuotaUnit::People => None,
        }
    }
}

/// Whom a quota binds: the unit as a whole, or each person named.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum QuotaPer {
    Unit,
    /// 每人: "领导班子成员每年…不少于1次" — counted for each of `persons`.
    Person,
}

/// One "不少于X" of a duty.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "metric": "党组理论学习中心组集中学习", "min": 8, "unit": "times", "period": "year",
    "per": "unit", "activity_kinds": ["center_group_study"]
}))]
pub struct DutyQuota {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub metric: String,
    /// 不少于: at least this much in each period.
    #[validate(range(min = 1.0, max = 10000.0))]
    #[schema(minimum = 1, maximum = 10000)]
    pub min: f64,
    pub unit: QuotaUnit,
    pub period: QuotaPeriod,
    pub per: QuotaPer,
    /// With `per: person`: whom it binds (logins or names), at least one.
    #[serde(default)]
    #[validate(length(max = 100))]
    pub persons: Vec<String>,
    /// The activity kinds that count toward it (`GET /activity-kinds`); at least one.
    #[validate(length(min = 1, max = 20))]
    pub activity_kinds: Vec<String>,
    /// Reported to whom, when it is a report upward (向市委、市纪委专题报告).
    #[serde(default)]
    #[validate(length(max = 200))]
    pub report_to: Option<String>,
    /// Due this many working days before its period ends (年中、年终报告 before the books
    /// close); by default by the period's last day.
    #[serde(default)]
    #[validate(range(min = 0, max = 120))]
    pub due_within_period: Option<u32>,
}

/// One period of a year: a month, a quarter, a half or the year.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Period {
    /// `2026`, `2026-03`, `2026-Q2`, `2026-H1`.
    #[schema(value_type = String)]
    pub label: PeriodLabel,
    pub start: NaiveDate,
    pub end: NaiveDate,
}

/// A period's name, as it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct PeriodLabel {
    year: i32,
    period: QuotaPeriod,
    index: u32,
}

impl Serialize for PeriodLabel {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_string())
    }
}

impl std::fmt::Display for PeriodLabel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let y = self.year;
        match self.period {
            QuotaPeriod::Month => write!(f, "{y}-{:02}", self.index),
            QuotaPeriod::Quarter => write!(f, "{y}-Q{}", self.index),
            QuotaPeriod::HalfYear => write!(f, "{y}-H{}", self.index),
            QuotaPeriod::Year => write!(f, "{y}"),
        }
    }
}

impl PeriodLabel {
    /// 2026年3月, 2026年第二季度, 2026年上半年, 2026年.
    pub fn zh(&self) -> String {
        let y = self.year;
        match self.period {
            QuotaPeriod::Month => format!("{y}年{}月", self.index),
            QuotaPeriod::Quarter => {
                format!(
                    "{y}年第{}季度",
                    ["一", "二", "三", "四"][self.index as usize - 1]
                )
            }
            QuotaPeriod::HalfYear => {
                format!(
                    "{y}年{}",
                    if self.index == 1 {
                        "上半年"
                    } else {
                        "下半年"
                    }
                )
            }
            QuotaPeriod::Year => format!("{y}年"),
        }
    }
}

fn first(year: i32, month: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, 1).unwrap_or_default()
}

/// The periods of a year, in order.
pub fn periods(year: i32, period: QuotaPeriod) -> Vec<Period> {
    let months = match period {
        QuotaPeriod::Month => 1,
        QuotaPeriod::Quarter => 3,
        QuotaPeriod::HalfYear => 6,
        QuotaPeriod::Year => 12,
    };
    (0..12 / months)
        .map(|i| {
            let start = first(year, i * months + 1);
            let next = if (i + 1) * months >= 12 {
                first(year + 1, 1)
            } else {
                first(year, (i + 1) * months + 1)
            };
            Period {
                label: PeriodLabel {
                    year,
                    period,
                    index: i + 1,
                },
                start,
                end: next.pred_opt().unwrap_or(next),
            }
        })
        .collect()
}

/// An activity as the counting sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct Held {
    pub kind: String,
    pub held_on: NaiveDate,
    pub persons: Vec<String>,
    pub hours: Option<f64>,
    pub count: Option<i32>,
}

impl Held {
    /// What it adds to a quota of this unit.
    fn amount(&self, unit: QuotaUnit) -> f64 {
        match unit {
            QuotaUnit::Times => 1.0,
            QuotaUnit::Hours => self.hours.unwrap_or(0.0),
            QuotaUnit::People => f64::from(self.count.unwrap_or(1)),
        }
    }
}

/// Where a period stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PeriodState {
    /// Not begun.
    Upcoming,
    /// Running, the minimum not reached yet.
    Open,
    /// The minimum reached (达标).
    Met,
    /// Ended short (未完成).
    Missed,
}

/// One period's count, for the unit or for one person.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct PeriodCount {
    pub period: Period,
    /// With `per: person`: whose count this is.
    pub person: Option<String>,
    pub done: f64,
    pub min: f64,
    pub remaining: f64,
    pub state: PeriodState,
    pub light: Warning,
}

/// A quota's counts up to a day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QuotaProgress {
    pub quota: DutyQuota,
    /// Every period of the year (and, per person, each person's), in order.
    pub periods: Vec<PeriodCount>,
    /// The quota's light: red when a period was missed or cannot be met any more, yellow
    /// when the running period is behind pace, green otherwise.
    pub light: Warning,
    /// Periods ended short.
    pub missed: i64,
    /// In the running period (all persons together for `per: person`): done and the
    /// minimum, and the share done (0–1).
    pub done: f64,
    pub min: f64,
    pub share: f64,
}

fn worst(a: Warning, b: Warning) -> Warning {
    let rank = |w: Warning| match w {
        Warning::Green => 0,
        Warning::Yellow => 1,
        Warning::Red => 2,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

/// How many quotas stand where.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct QuotaCounts {
    /// On track or met.
    pub green: i64,
    /// Behind the pace of the running period.
    pub yellow: i64,
    /// A period missed, or no longer reachable.
    pub red: i64,
}

impl QuotaCounts {
    pub fn add(&mut self, light: Warning) {
        match light {
            Warning::Green => self.green += 1,
            Warning::Yellow => self.yellow += 1,
            Warning::Red => self.red += 1,
        }
    }
}

/// The worst of several lights.
pub fn worst_of(lights: impl IntoIterator<Item = Warning>) -> Warning {
    lights.into_iter().fold(Warning::Green, worst)
}

/// One period's state and light at the end of `today`.
fn assess(
    quota: &DutyQuota,
    period: &Period,
    done: f64,
    today: NaiveDate,
    calendar: &Calendar,
) -> (PeriodState, Warning) {
    // Due before the period's end when the plan says so.
    let due = match quota.due_within_period {
        Some(n) if n > 0 => calendar.sub_working_days(period.end, n).max(period.start),
        _ => period.end,
    };
    if done >= quota.min {
        return (PeriodState::Met, Warning::Green);
    }
    if today < period.start {
        return (PeriodState::Upcoming, Warning::Green);
    }
    if today > due {
        return (PeriodState::Missed, Warning::Red);
    }
    let remaining = quota.min - done;
    // Working days left, today included.
    let left = calendar.working_days_between(today.pred_opt().unwrap_or(today), due);
    if let Some(pace) = quota.unit.daily_pace() {
        if remaining > pace * left as f64 {
            return (PeriodState::Open, Warning::Red);
        }
    }
    let before = period.start.pred_opt().unwrap_or(period.start);
    let total = calendar.working_days_between(before, due).max(1);
    let gone = calendar.working_days_between(before, today).min(total);
    let expected = (quota.min * gone as f64 / total as f64).round();
    if done < expected {
        (PeriodState::Open, Warning::Yellow)
    } else {
        (PeriodState::Open, Warning::Green)
    }
}

/// A quota's progress in `year` at the end of `today`, from the activities held (already
/// narrowed to the duty's unit; withdrawn ones left out).
pub fn progress(
    quota: &DutyQuota,
    year: i32,
    held: &[Held],
    today: NaiveDate,
    calendar: &Calendar,
) -> QuotaProgress {
    progress_since(quota, year, held, today, calendar, None)
}

/// The same, for a quota that binds only from `since` (a measure's own quota, set up
/// mid-year): periods that ended before then are not assessed, nor listed.
pub fn progress_since(
    quota: &DutyQuota,
    year: i32,
    held: &[Held],
    today: NaiveDate,
    calendar: &Calendar,
    since: Option<NaiveDate>,
) -> QuotaProgress {
    let counting: Vec<&Held> = held
        .iter()
        .filter(|h| quota.activity_kinds.contains(&h.kind) && h.held_on <= today)
        .collect();
    let whom: Vec<Option<String>> = match quota.per {
        QuotaPer::Unit => vec![None],
        QuotaPer::Person => quota.persons.iter().cloned().map(Some).collect(),
    };
    let all: Vec<Period> = periods(year, quota.period)
        .into_iter()
        .filter(|p| since.is_none_or(|s| p.end >= s))
        .collect();
    // The running period; after the year its last, before it its first.
    let running = all
        .iter()
        .position(|p| p.start <= today && today <= p.end)
        .unwrap_or(if all.first().is_some_and(|p| today < p.start) {
            0
        } else {
            all.len().saturating_sub(1)
        });
    let mut periods = Vec::new();
    let (mut done_now, mut min_now) = (0.0, 0.0);
    for (i, period) in all.into_iter().enumerate() {
        for person in &whom {
            let done: f64 = counting
                .iter()
                .filter(|h| h.held_on >= period.start && h.held_on <= period.end)
                .filter(|h| person.as_ref().is_none_or(|p| h.persons.contains(p)))
                .map(|h| h.amount(quota.unit))
                // From +0.0: an empty sum of floats is -0.0, which prints as "-0".
                .fold(0.0, |sum, n| sum + n);
            let (state, light) = assess(quota, &period, done, today, calendar);
            if i == running {
                done_now += done.min(quota.min);
                min_now += quota.min;
            }
            periods.push(PeriodCount {
                period,
                person: person.clone(),
                done,
                min: quota.min,
                remaining: (quota.min - done).max(0.0),
                state,
                light,
            });
        }
    }
    let missed = periods
        .iter()
        .filter(|p| p.state == PeriodState::Missed)
        .count() as i64;
    QuotaProgress {
        light: worst_of(periods.iter().map(|p| p.light)),
        missed,
        done: done_now,
        min: min_now,
        share: if min_now > 0.0 {
            (done_now / min_now * 1000.0).round() / 1000.0
        } else {
            0.0
        },
        quota: quota.clone(),
        periods,
    }
}

/// Everything wrong with a duty's quotas, as (field, message).
pub fn check_quotas(quotas: &[DutyQuota], known_kinds: &[String]) -> Vec<(String, Text)> {
    let mut problems = Vec::new();
    if quotas.is_empty() {
        problems.push(("quotas".into(), text!("duty-no-quota")));
    }
    for (i, q) in quotas.iter().enumerate() {
        let at = |f: &str| format!("quotas[{i}].{f}");
        if q.per == QuotaPer::Person && q.persons.is_empty() {
            problems.push((at("persons"), text!("quota-persons-needed")));
        }
        if q.per == QuotaPer::Unit && !q.persons.is_empty() {
            problems.push((at("persons"), text!("quota-persons-unwanted")));
        }
        for kind in &q.activity_kinds {
            if !known_kinds.contains(kind) {
                problems.push((
                    at("activity_kinds"),
                    text!("activity-kind-unknown", kind = kind),
                ));
            }
        }
        if q.unit == QuotaUnit::Times && q.min.fract() != 0.0 {
            problems.push((at("min"), text!("plan-times-whole")));
        }
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn cal() -> Calendar {
        Calendar::load(None).unwrap()
    }

    fn quota(min: f64, unit: QuotaUnit, period: QuotaPeriod) -> DutyQuota {
        DutyQuota {
            metric: "集中学习".into(),
            min,
            unit,
            period,
            per: QuotaPer::Unit,
            persons: vec![],
            activity_kinds: vec!["study".into()],
            report_to: None,
            due_within_period: None,
        }
    }

    fn held(day: &str) -> Held {
        Held {
            kind: "study".into(),
            held_on: d(day),
            persons: vec![],
            hours: None,
            count: None,
        }
    }

    #[test]
    fn a_year_splits_into_months_quarters_and_halves() {
        let months = periods(2026, QuotaPeriod::Month);
        assert_eq!(months.len(), 12);
        assert_eq!(
            (months[1].start, months[1].end),
            (d("2026-02-01"), d("2026-02-28"))
        );
        assert_eq!(months[11].end, d("2026-12-31"));
        assert_eq!(months[2].label.to_string(), "2026-03");
        let halves = periods(2026, QuotaPeriod::HalfYear);
        assert_eq!(
            (halves[0].end, halves[1].start),
            (d("2026-06-30"), d("2026-07-01"))
        );
        assert_eq!(halves[1].label.zh(), "2026年下半年");
        assert_eq!(
            periods(2026, QuotaPeriod::Quarter)[1].label.zh(),
            "2026年第二季度"
        );
        assert_eq!(
            periods(2026, QuotaPeriod::Year)[0].label.to_string(),
            "2026"
        );
    }

    #[test]
    fn a_yearly_quota_is_green_on_pace_yellow_behind_and_red_when_it_cannot_be_met() {
        let q = quota(8.0, QuotaUnit::Times, QuotaPeriod::Year);
        let c = cal();
        // Mid-July: about half the working days gone, 4 of 8 expected.
        let four: Vec<Held> = ["2026-02-10", "2026-03-10", "2026-05-12", "2026-06-09"]
            .map(held)
            .to_vec();
        assert_eq!(
            progress(&q, 2026, &four, d("2026-07-15"), &c).light,
            Warning::Green
        );
        assert_eq!(
            progress(&q, 2026, &four[..2], d("2026-07-15"), &c).light,
            Warning::Yellow
        );
        // 29 December: three working days left for four more — red already.
        let p = progress(&q, 2026, &four, d("2026-12-29"), &c);
        assert_eq!(p.light, Warning::Red);
        assert_eq!(p.periods[0].state, PeriodState::Open);
        assert_eq!((p.done, p.min, p.share), (4.0, 8.0, 0.5));
        // The year over and short: missed.
        let p = progress(&q, 2026, &four, d("2027-01-05"), &c);
        assert_eq!((p.periods[0].state, p.missed), (PeriodState::Missed, 1));
        // Activities after the day asked about do not count yet.
        let p = progress(&q, 2026, &four, d("2026-03-01"), &c);
        assert_eq!(p.done, 1.0);
    }

    #[test]
    fn a_monthly_quota_counts_each_month_and_marks_the_missed_ones() {
        let q = quota(2.0, QuotaUnit::Times, QuotaPeriod::Month);
        let held: Vec<Held> = [
            "2026-01-08",
            "2026-01-22",
            "2026-02-12",
            "2026-03-05",
            "2026-03-19",
        ]
        .map(held)
        .to_vec();
        let p = progress(&q, 2026, &held, d("2026-03-20"), &cal());
        let states: Vec<PeriodState> = p.periods.iter().take(4).map(|p| p.state).collect();
        assert_eq!(
            states,
            [
                PeriodState::Met,
                PeriodState::Missed,
                PeriodState::Met,
                PeriodState::Upcoming
            ]
        );
        assert_eq!((p.missed, p.light), (1, Warning::Red));
        assert_eq!(p.periods[1].remaining, 1.0);
    }

    #[test]
    fn hours_people_and_persons_count_what_they_count() {
        let c = cal();
        let mut q = quota(56.0, QuotaUnit::Hours, QuotaPeriod::Year);
        q.per = QuotaPer::Person;
        q.persons = vec!["jrb.chen".into(), "jrb.liu".into()];
        let mut a = held("2026-04-01");
        a.hours = Some(32.0);
        a.persons = vec!["jrb.chen".into(), "jrb.liu".into()];
        let mut b = held("2026-09-01");
        b.hours = Some(24.0);
        b.persons = vec!["jrb.chen".into()];
        let p = progress(&q, 2026, &[a, b], d("2026-10-01"), &c);
        let by: Vec<(Option<String>, f64)> = p
            .periods
            .iter()
            .map(|p| (p.person.clone(), p.done))
            .collect();
        assert_eq!(
            by,
            [
                (Some("jrb.chen".into()), 56.0),
                (Some("jrb.liu".into()), 32.0)
            ]
        );
        assert_eq!(p.periods[0].state, PeriodState::Met);
        assert_eq!((p.done, p.min), (56.0 + 32.0, 112.0));
        // People: 发展党员 1名, counted by `count`; no daily pace, so never red early.
        let people = quota(1.0, QuotaUnit::People, QuotaPeriod::Year);
        assert_eq!(
            progress(&people, 2026, &[], d("2026-12-30"), &c).light,
            Warning::Yellow
        );
        let mut admitted = held("2026-06-30");
        admitted.count = Some(2);
        let p = progress(&people, 2026, &[admitted], d("2026-12-30"), &c);
        assert_eq!((p.done, p.light), (1.0, Warning::Green));
        assert_eq!(p.periods[0].done, 2.0);
    }

    #[test]
    fn a_report_due_before_the_period_ends_is_missed_from_then() {
        // 年中、年终各1次, due 10 working days before each half ends.
        let mut q = quota(1.0, QuotaUnit::Times, QuotaPeriod::HalfYear);
        q.due_within_period = Some(10);
        let c = cal();
        let p = progress(&q, 2026, &[], d("2026-06-25"), &c);
        assert_eq!(p.periods[0].state, PeriodState::Missed);
        let p = progress(&q, 2026, &[held("2026-06-10")], d("2026-06-25"), &c);
        assert_eq!(
            (p.periods[0].state, p.light),
            (PeriodState::Met, Warning::Green)
        );
    }

    #[test]
    fn a_quota_bound_from_mid_year_leaves_the_months_before_it_alone() {
        let q = quota(1.0, QuotaUnit::Times, QuotaPeriod::Month);
        let c = cal();
        let whole = progress(&q, 2026, &[held("2026-06-12")], d("2026-06-15"), &c);
        assert_eq!(whole.missed, 5, "January to May ended short");
        assert_eq!(whole.light, Warning::Red);
        let since = progress_since(
            &q,
            2026,
            &[held("2026-06-12")],
            d("2026-06-15"),
            &c,
            Some(d("2026-06-10")),
        );
        assert_eq!(since.missed, 0);
        assert!(
            since.periods[1].done.is_sign_positive(),
            "nothing done is 0, not -0"
        );
        assert_eq!(since.periods[0].period.label.to_string(), "2026-06");
        assert_eq!(since.periods.len(), 7, "June to December");
        assert_eq!((since.done, since.light), (1.0, Warning::Green));
    }

    #[test]
    fn quotas_are_checked_against_the_kinds_and_their_persons() {
        let kinds = vec!["study".to_string()];
        let mut q = quota(1.5, QuotaUnit::Times, QuotaPeriod::Year);
        q.per = QuotaPer::Person;
        q.activity_kinds = vec!["nope".into()];
        let fields: Vec<String> = check_quotas(&[q], &kinds)
            .into_iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(
            fields,
            [
                "quotas[0].persons",
                "quotas[0].activity_kinds",
                "quotas[0].min"
            ]
        );
        assert_eq!(check_quotas(&[], &kinds)[0].0, "quotas");
    }
}
