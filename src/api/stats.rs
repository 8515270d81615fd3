//! Statistics and the overdue dashboard: what the city's screens poll all day, scoped by
//! role like every list.

use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use chrono::Datelike;
use diesel::prelude::*;

use super::dto::measures::Measure;
use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::dto::stats::{Dashboard, DashboardItem, DashboardQuery, Stats, StatsQuery};
use super::extract::Params;
use super::{read, AppState};
use crate::auth::caller::Caller;
use crate::db::forms::MeasureFilter;
use crate::db::repo::stats::{self as repo_stats, StatsFilter};
use crate::db::repo::{measures, Visibility};
use crate::db::schema::{findings, units};
use crate::domain::duties::QuotaCounts;
use crate::domain::permissions::Action;
use crate::domain::stats::GroupBy;
use crate::error::ApiError;
use crate::text;

/// Numbers per unit, inspection, category or kind (整改完成率, 按期完成率, 红黄绿灯…).
///
/// `group_by=unit` groups measures by their lead unit and findings by their responsible
/// unit; with `parent_id` it rolls the unit tree up — one group per child of that unit,
/// each counting its whole subtree, plus the unit's own items. `unit_id` matches the unit
/// and every unit below it (`descendants=false`: the unit alone). Rates are 0–1. A unit or
/// leader gets the numbers of what it sees.
///
/// With `group_by=unit`, each group and the total also count the year's duty quotas
/// (年度任务) of its units by light (`duties`: on track or met, behind pace, missed).
///
/// `as_of=YYYY-MM-DD` gives the numbers as they stood at the end of that day, from the
/// audit trail: the measures and findings that existed by then, in the state their last
/// step by then left them, steps entered late (补录) counting on their effective date; the
/// lights are that day's. A measure moved in without its history counts from the day it
/// was entered.
#[utoipa::path(tag = "dashboards", operation_id = "stats", params(StatsQuery),
    responses((status = 200, description = "Per group, and in total.", body = Stats)))]
#[get("/stats")]
pub async fn numbers(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<StatsQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    let group = q.group_by.unwrap_or_default();
    if q.parent_id.is_some() && group != GroupBy::Unit {
        return Err(ApiError::bad_param("parent_id", text!("rollup-needs-unit")));
    }
    if q.parent_id.is_some() && q.unit_id.is_some() {
        return Err(ApiError::bad_param("parent_id", text!("unit-or-parent")));
    }
    let rollup = match q.parent_id {
        Some(parent) => {
            let directory = state.directory.clone();
            let org = web::block(move || directory.now()).await??;
            Some(org.rollup(&parent.to_string()))
        }
        None => None,
    };
    let units = match &rollup {
        Some(r) => Some(r.group_of.keys().cloned().collect()),
        None => state.units_under(q.unit_id, q.descendants).await?,
    };
    let filter = StatsFilter {
        inspection_id: q.inspection_id.map(|u| u.to_string()),
        units,
    };
    let vis = caller.visibility();
    let (today, as_of, tz) = (state.today(), state.as_of(q.as_of)?, state.tz);
    let _turn = state.expensive.enter().await?;
    let (actor, calendar, directory) = (
        caller.actor(),
        state.calendar.clone(),
        state.directory.clone(),
    );
    let org = web::block(move || directory.now()).await??;
    let body = read(&state, move |conn| {
        let mut stats = match &as_of {
            Some(then) => {
                let past = crate::service::duty_watch::as_of(conn, then.date, tz, &calendar, &org)?;
                repo_stats::summary_as_of(
                    conn,
                    group,
                    &vis,
                    &filter,
                    (then, &past),
                    rollup.as_ref(),
                )?
            }
            None => crate::db::repo::tallies::summary(
                conn,
                group,
                &vis,
                &filter,
                &today,
                rollup.as_ref(),
            )?,
        };
        if group == GroupBy::Unit {
            // The year's duty quotas beside the measures, grouped as the measures are.
            let day = as_of.as_ref().map_or(today.date, |t| t.date);
            let duties = crate::service::duties::year(
                conn,
                &actor,
                day.year(),
                filter.units.as_deref(),
                day,
                &calendar,
                &org,
            )?;
            let mut total = QuotaCounts::default();
            let mut by_group: HashMap<String, QuotaCounts> = HashMap::new();
            for (duty, quotas) in &duties {
                let key = match &rollup {
                    Some(r) => r.group_of.get(&duty.unit_id).cloned(),
                    None => Some(duty.unit_id.clone()),
                };
                for q in quotas {
                    total.add(q.light);
                    if let Some(key) = &key {
                        by_group.entry(key.clone()).or_default().add(q.light);
                    }
                }
            }
            for g in &mut stats.groups {
                g.duties = Some(by_group.remove(&g.key).unwrap_or_default());
            }
            // A unit with duties and no measures (the 党组 itself) is a group too.
            let mut rest: Vec<(String, QuotaCounts)> = by_group.into_iter().collect();
            rest.sort_by(|a, b| a.0.cmp(&b.0));
            for (key, counts) in rest {
                let label = crate::db::repo::units::find(conn, &key)?
                    .map_or_else(|| key.clone(), |u| u.name);
                stats.groups.push(crate::domain::stats::StatsGroup {
                    key,
                    label,
                    numbers: Default::default(),
                    duties: Some(counts),
                });
            }
            stats.duties = Some(total);
        }
        Ok(stats)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// The overdue dashboard (督办): red and yellow measures, earliest due first, with their
/// lead unit and finding.
#[utoipa::path(tag = "dashboards", operation_id = "dashboard_overdue", params(DashboardQuery),
    responses((status = 200, description = "A page of items needing attention.", body = Dashboard)))]
#[get("/dashboard/overdue")]
pub async fn overdue(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<DashboardQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    const SORT: &str = "due_date";
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit);
    let vis: Visibility = caller.visibility();
    let today = state.today();
    let filter = MeasureFilter {
        inspection_id: q.inspection_id.map(|u| u.to_string()),
        units: state.units_under(q.unit_id, q.descendants).await?,
        ..MeasureFilter::default()
    };
    let in_read = today.clone();
    let (page, (red, yellow), units, found) = read(&state, move |conn| {
        let page = measures::needing_attention(conn, &filter, &vis, &in_read, after, limit)?;
        let lights = measures::count_lights(conn, &filter, &vis, &in_read)?;
        let unit_ids: Vec<String> = page
            .rows
            .iter()
            .map(|(m, _)| m.lead_unit_id.clone())
            .collect();
        let finding_ids: Vec<String> = page
            .rows
            .iter()
            .map(|(m, _)| m.finding_id.clone())
            .collect();
        let units: HashMap<String, (String, String)> = units::table
            .filter(units::id.eq_any(unit_ids))
            .select((units::id, units::code, units::name))
            .load::<(String, String, String)>(conn)?
            .into_iter()
            .map(|(id, code, name)| (id, (code, name)))
            .collect();
        let found: HashMap<String, (String, String)> = findings::table
            .filter(findings::id.eq_any(finding_ids))
            .select((findings::id, findings::code, findings::title))
            .load::<(String, String, String)>(conn)?
            .into_iter()
            .map(|(id, code, title)| (id, (code, title)))
            .collect();
        Ok((page, lights, units, found))
    })
    .await?;
    let next_cursor = page.rows.last().filter(|_| page.has_more).map(|(r, _)| {
        encode_cursor(
            SORT,
            measures::sort_key(r, Default::default()),
            r.id.clone(),
        )
    });
    let items = page
        .rows
        .into_iter()
        .map(|(m, supporting)| {
            let (unit_code, unit_name) = units.get(&m.lead_unit_id).cloned().unwrap_or_default();
            let (finding_code, finding_title) =
                found.get(&m.finding_id).cloned().unwrap_or_default();
            Ok(DashboardItem {
                measure: Measure::from_row(m, supporting, &today)?,
                lead_unit_code: unit_code,
                lead_unit_name: unit_name,
                finding_code,
                finding_title,
            })
        })
        .collect::<Result<_, ApiError>>()?;
    Ok(HttpResponse::Ok().json(Dashboard {
        items,
        next_cursor,
        red,
        yellow,
    }))
}
