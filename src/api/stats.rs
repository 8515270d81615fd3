//! Statistics and the overdue dashboard: what the city's screens poll all day, scoped by
//! role like every list.

use std::collections::HashMap;

use actix_web::{get, web, HttpResponse};
use diesel::prelude::*;

use super::dto::measures::{Measure, MeasureQuery};
use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::dto::stats::{
    Dashboard, DashboardItem, DashboardQuery, Numbers, Stats, StatsGroup, StatsQuery,
};
use super::extract::Params;
use super::{read, AppState};
use crate::auth::caller::Caller;
use crate::db::repo::stats::{self as repo_stats, GroupBy, StatsFilter};
use crate::db::repo::{measures, Visibility};
use crate::db::schema::{findings, inspections, units};
use crate::db::DbConnection;
use crate::domain::enums::{Category, MeasureKind};
use crate::domain::permissions::Action;
use crate::error::ApiError;

/// Names for the group keys.
fn labels(
    conn: &mut DbConnection,
    group: GroupBy,
    keys: Vec<String>,
) -> Result<HashMap<String, String>, ApiError> {
    Ok(match group {
        GroupBy::Unit => units::table
            .filter(units::id.eq_any(keys))
            .select((units::id, units::name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect(),
        GroupBy::Inspection => inspections::table
            .filter(inspections::id.eq_any(keys))
            .select((inspections::id, inspections::code))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect(),
        GroupBy::Category => keys
            .into_iter()
            .filter_map(|k| Category::parse(&k).map(|c| (k, c.label().to_string())))
            .collect(),
        GroupBy::Kind => keys
            .into_iter()
            .filter_map(|k| MeasureKind::parse(&k).map(|c| (k, c.label().to_string())))
            .collect(),
    })
}

/// Numbers per unit, inspection, category or kind (整改完成率, 按期完成率, 红黄绿灯…).
///
/// `group_by=unit` groups measures by their lead unit and findings by their responsible
/// unit. Rates are 0–1. A unit or leader gets the numbers of what it sees.
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
    let filter = StatsFilter {
        inspection_id: q.inspection_id.map(|u| u.to_string()),
        unit_id: q.unit_id.map(|u| u.to_string()),
    };
    let vis = caller.visibility();
    let today = state.today();
    let body = read(&state, move |conn| {
        let rows = repo_stats::measures(conn, group, &vis, &filter, today)?;
        let finding_counts: Option<HashMap<String, i64>> =
            repo_stats::findings(conn, Some(group), &vis, &filter)?
                .map(|v| v.into_iter().collect());
        // Every grouping partitions the measures: the total is the sum of the groups.
        let summed = rows.iter().fold(Default::default(), |sum, r| sum + r);
        let total_findings = repo_stats::findings(conn, None, &vis, &filter)?
            .and_then(|v| v.first().map(|(_, n)| *n))
            .unwrap_or(0);
        let mut keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
        if let Some(counts) = &finding_counts {
            keys.extend(
                counts
                    .keys()
                    .filter(|k| !keys.contains(k))
                    .cloned()
                    .collect::<Vec<_>>(),
            );
        }
        let names = labels(conn, group, keys.clone())?;
        let mut groups: Vec<StatsGroup> = keys
            .into_iter()
            .map(|key| {
                let counts = rows
                    .iter()
                    .find(|r| r.key == key)
                    .cloned()
                    .unwrap_or_default();
                let findings = match &finding_counts {
                    Some(c) => c.get(&key).copied().unwrap_or(0),
                    None => counts.findings,
                };
                StatsGroup {
                    label: names.get(&key).cloned().unwrap_or_else(|| key.clone()),
                    key,
                    numbers: Numbers::from_counts(&counts, findings),
                }
            })
            .collect();
        groups.sort_by(|a, b| a.label.cmp(&b.label).then(a.key.cmp(&b.key)));
        let total = Numbers::from_counts(&summed, total_findings);
        Ok(Stats {
            group_by: group,
            groups,
            total,
        })
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
    let filter = MeasureQuery {
        inspection_id: q.inspection_id,
        unit_id: q.unit_id,
        ..MeasureQuery::default()
    };
    let (page, (red, yellow), units, found) = read(&state, move |conn| {
        let page = measures::needing_attention(conn, &filter, &vis, today, after, limit)?;
        let lights = measures::count_lights(conn, &filter, &vis, today)?;
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
                measure: Measure::from_row(m, supporting, today)?,
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
