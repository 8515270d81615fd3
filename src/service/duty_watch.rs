//! What the duties keep watch over: the quota light of the long-term measures they keep
//! (`measures.quota_light`: the worst light of the year's quotas of the duties linked to
//! each, which lists, counts and reports join to the measure's own light), and what the
//! scanner announces of them — `duty.behind` when a running period falls behind pace,
//! `duty.missed` when a period ended short — once per quota and period.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use serde_json::json;

use crate::db::models::{DutyNoticeRow, DutyRow};
use crate::db::repo::as_of::AsOf;
use crate::db::repo::events;
use crate::db::repo::{duties, duty_watch, WriteCtx};
use crate::db::DbConnection;
use crate::domain::calendar::Calendar;
use crate::domain::duties::{worst_of, PeriodCount, PeriodState, QuotaProgress};
use crate::domain::enums::Warning;
use crate::domain::org::Organisation;
use crate::domain::permissions::Actor;
use crate::error::ApiError;
use crate::service::duty_counts::{count_all, year};

/// Which measures a write may have moved.
#[derive(Debug, Clone, Copy)]
pub enum Touched<'a> {
    /// Every measure (the scanner: pace moves with the days).
    All,
    /// Those kept by duties an activity of this unit counts toward (its own and those of
    /// the units above it).
    Unit(&'a str),
    /// This one (a duty linked to it was set up or changed).
    Measure(&'a str),
}

/// Brings the quota light of the touched measures up to `day`; each change is an audit
/// event of the measure (`measure.quota_light`). How many changed.
pub fn refresh_lights(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    touched: Touched,
    day: NaiveDate,
    org: &Organisation,
) -> Result<usize, ApiError> {
    let linked = duty_watch::linked(conn, day.year())?;
    let keeps = |d: &DutyRow| d.measure_id.clone().unwrap_or_default();
    let mut ids: Vec<String> = match touched {
        Touched::All => linked.iter().map(keeps).collect(),
        Touched::Unit(unit) => linked
            .iter()
            .filter(|d| org.subtree(&d.unit_id).iter().any(|u| u == unit))
            .map(keeps)
            .collect(),
        Touched::Measure(id) => vec![id.to_string()],
    };
    ids.sort();
    ids.dedup();
    let counting: Vec<DutyRow> = linked
        .into_iter()
        .filter(|d| ids.binary_search(&keeps(d)).is_ok())
        .collect();
    let lights = lights_of(conn, &counting, day, &ctx.calendar, org)?;
    let mut current: BTreeMap<String, (String, Option<String>)> = BTreeMap::new();
    if matches!(touched, Touched::All) {
        // Those no duty of the year keeps any more (a new year) go dark.
        for (id, code, light) in duty_watch::quota_lights(conn, None)? {
            current.insert(id, (code, light));
        }
    }
    for chunk in ids.chunks(500) {
        for (id, code, light) in duty_watch::quota_lights(conn, Some(chunk))? {
            current.insert(id, (code, light));
        }
    }
    let mut changed = 0;
    for (id, (code, was)) in current {
        let now = lights.get(&id).map(|w| w.as_str().to_string());
        if now == was {
            continue;
        }
        duty_watch::set_quota_light(conn, &id, now.as_deref())?;
        events::append(
            conn,
            ctx,
            "measure.quota_light",
            ("measure", &id),
            Some(json!({"code": code, "quota_light": was})),
            Some(json!({"code": code, "quota_light": now})),
        )?;
        changed += 1;
    }
    Ok(changed)
}

/// The quota light of each measure these duties keep, at the end of `day`: the worst of
/// their quotas' lights.
fn lights_of(
    conn: &mut DbConnection,
    linked: &[DutyRow],
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<HashMap<String, Warning>, ApiError> {
    let mut lights: HashMap<String, Warning> = HashMap::new();
    for (duty, quotas) in count_all(conn, linked, day, calendar, org)? {
        let Some(measure) = duty.measure_id.clone() else {
            continue;
        };
        let light = worst_of(quotas.iter().map(|q| q.light));
        let entry = lights.entry(measure).or_insert(Warning::Green);
        *entry = worst_of([*entry, light]);
    }
    Ok(lights)
}

/// The quota light of every measure a duty of `day`'s year keeps, as it stood at the end
/// of that day (what `as_of` numbers count; today's is what the measures keep).
pub fn lights_at(
    conn: &mut DbConnection,
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<HashMap<String, Warning>, ApiError> {
    let linked = duty_watch::linked(conn, day.year())?;
    lights_of(conn, &linked, day, calendar, org)
}

/// The end of a past day, with the quota lights of that day.
pub fn as_of(
    conn: &mut DbConnection,
    day: NaiveDate,
    tz: chrono_tz::Tz,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<AsOf, ApiError> {
    Ok(AsOf {
        day,
        tz,
        quota_lights: std::sync::Arc::new(lights_at(conn, day, calendar, org)?),
    })
}

/// Where one period of a quota stands, all persons together.
pub struct Standing<'a> {
    pub period: &'a PeriodCount,
    /// The counts short of the minimum (per person: each person short).
    pub short: Vec<&'a PeriodCount>,
    pub state: PeriodState,
}

/// A quota's periods that are missed (ended short) or behind (running, not on pace).
pub fn standings(quota: &QuotaProgress) -> Vec<Standing<'_>> {
    let mut by_period: BTreeMap<String, Vec<&PeriodCount>> = BTreeMap::new();
    for count in &quota.periods {
        by_period
            .entry(count.period.label.to_string())
            .or_default()
            .push(count);
    }
    by_period
        .into_values()
        .filter_map(|counts| {
            let missed: Vec<&PeriodCount> = counts
                .iter()
                .copied()
                .filter(|c| c.state == PeriodState::Missed)
                .collect();
            let behind: Vec<&PeriodCount> = counts
                .iter()
                .copied()
                .filter(|c| c.state == PeriodState::Open && c.light != Warning::Green)
                .collect();
            let (state, short) = if !missed.is_empty() {
                (PeriodState::Missed, missed)
            } else if !behind.is_empty() {
                (PeriodState::Open, behind)
            } else {
                return None;
            };
            Some(Standing {
                period: counts[0],
                short,
                state,
            })
        })
        .collect()
}

/// Announces, once each, every quota period of `day`'s year's duties that fell behind pace
/// (`duty.behind`) or ended short (`duty.missed`). How many were announced.
pub fn announce(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    day: NaiveDate,
    org: &Organisation,
) -> Result<usize, ApiError> {
    let rows = duties::of_year(conn, day.year(), None)?;
    let ids: Vec<String> = rows.iter().map(|d| d.id.clone()).collect();
    let mut seen = duty_watch::notices_of(conn, &ids)?;
    let mut announced = 0;
    for (duty, quotas) in count_all(conn, &rows, day, &ctx.calendar, org)? {
        for quota in &quotas {
            for standing in standings(quota) {
                let kind = if standing.state == PeriodState::Missed {
                    "missed"
                } else {
                    "behind"
                };
                let period = standing.period.period;
                let notice = DutyNoticeRow {
                    duty_id: duty.id.clone(),
                    metric: quota.quota.metric.clone(),
                    period: period.label.to_string(),
                    kind: kind.into(),
                    noticed_at: ctx.now,
                };
                let key = (
                    notice.duty_id.clone(),
                    notice.metric.clone(),
                    notice.period.clone(),
                    notice.kind.clone(),
                );
                if !seen.insert(key) {
                    continue;
                }
                duty_watch::insert_notice(conn, &notice)?;
                let short: Vec<serde_json::Value> = standing
                    .short
                    .iter()
                    .map(|c| json!({"person": c.person, "done": c.done, "min": c.min}))
                    .collect();
                let data = json!({
                    "code": duty.code, "title": duty.title, "year": duty.year,
                    "unit_id": duty.unit_id, "measure_id": duty.measure_id,
                    "metric": quota.quota.metric, "unit": quota.quota.unit,
                    "period": period.label, "period_label": period.label.zh(),
                    "start": period.start, "end": period.end, "short": short,
                });
                events::append(
                    conn,
                    ctx,
                    &format!("duty.{kind}"),
                    ("duty", &duty.id),
                    None,
                    Some(data),
                )?;
                announced += 1;
            }
        }
    }
    Ok(announced)
}

/// What waits on the duties an actor sees, for the queue: per duty, its quotas behind pace
/// in their running period, and those whose last ended period was missed.
pub struct Waiting {
    pub duty: DutyRow,
    pub behind: Vec<(String, NaiveDate)>,
    pub missed: Vec<(String, NaiveDate)>,
}

/// The duties of `day`'s year the actor sees that wait on someone.
pub fn waiting(
    conn: &mut DbConnection,
    actor: &Actor,
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<Vec<Waiting>, ApiError> {
    let counted = year(conn, actor, day.year(), None, day, calendar, org)?;
    let mut waiting = Vec::new();
    for (duty, quotas) in counted {
        let (mut behind, mut missed) = (Vec::new(), Vec::new());
        for quota in &quotas {
            // The period that ended last, before the running one.
            let last_ended = quota
                .periods
                .iter()
                .filter(|c| c.period.end < day)
                .map(|c| c.period.label.to_string())
                .next_back();
            for standing in standings(quota) {
                let period = standing.period.period;
                let what = format!("{} {}", period.label.zh(), quota.quota.metric);
                match standing.state {
                    PeriodState::Missed
                        if last_ended.as_deref() == Some(&period.label.to_string()) =>
                    {
                        missed.push((what, period.end));
                    }
                    PeriodState::Open => behind.push((what, period.end)),
                    _ => {}
                }
            }
        }
        if !behind.is_empty() || !missed.is_empty() {
            waiting.push(Waiting {
                duty,
                behind,
                missed,
            });
        }
    }
    Ok(waiting)
}
