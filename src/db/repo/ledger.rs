//! The ledger view (整改台账): measures joined with their finding, inspection, units,
//! latest progress report and evidence count, one page at a time.

use std::collections::HashMap;

use diesel::prelude::*;

use crate::db::forms::MeasureFilter;
use crate::db::repo::as_of::AsOf;
use crate::db::repo::measures::{self, MeasureWithUnits};
use crate::db::repo::{After, Visibility};
use crate::db::schema::{evidence, findings, inspections, progress_reports, units};
use crate::db::DbConnection;
use crate::domain::deadline::Today;
use crate::domain::enums::MeasureStatus;
use crate::domain::ledger::LedgerLine;
use crate::error::ApiError;

/// Unit names by id: a small table, read once per export or import.
pub fn unit_names(conn: &mut DbConnection) -> Result<HashMap<String, String>, ApiError> {
    Ok(units::table
        .select((units::id, units::name))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// What turns rows into lines: the day (for the lights), the zone (for dates of events)
/// and the units' names; for lines as they stood at the end of a past day, that day
/// (`today` is then that day too).
pub struct LineCtx {
    pub today: Today,
    pub tz: chrono_tz::Tz,
    pub unit_names: HashMap<String, String>,
    pub as_of: Option<AsOf>,
}

/// One page of ledger lines, and where the next page starts (None: this was the last).
pub fn page(
    conn: &mut DbConnection,
    q: &MeasureFilter,
    vis: &Visibility,
    after: Option<After>,
    limit: i64,
    ctx: &LineCtx,
) -> Result<(Vec<LedgerLine>, Option<After>), ApiError> {
    let rows = measures::page_uncounted(conn, q, vis, &ctx.today, after, limit)?;
    let sort = q.sort;
    let next = rows
        .last()
        .filter(|_| rows.len() as i64 == limit)
        .map(|(r, _)| After {
            key: measures::sort_key(r, sort),
            id: r.id.clone(),
        });
    Ok((lines(conn, rows, ctx)?, next))
}

/// Ledger lines for these measures, in their order.
pub fn lines(
    conn: &mut DbConnection,
    rows: Vec<MeasureWithUnits>,
    ctx: &LineCtx,
) -> Result<Vec<LedgerLine>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|(r, _)| r.id.clone()).collect();
    let mut finding_ids: Vec<String> = rows.iter().map(|(r, _)| r.finding_id.clone()).collect();
    finding_ids.sort();
    finding_ids.dedup();
    // Findings under listed supervision (挂牌督办) are marked where they are printed.
    let listed: Vec<String> = findings::table
        .filter(findings::id.eq_any(&finding_ids))
        .filter(findings::supervision_level.eq("listed"))
        .select(findings::id)
        .load(conn)?;
    // A finding's own source (a 考核 finding in a 巡察's ledger) names itself.
    let own_sources: HashMap<String, String> = findings::table
        .filter(findings::id.eq_any(&finding_ids))
        .filter(
            findings::source_type
                .is_not_null()
                .or(findings::source_ref.is_not_null()),
        )
        .select((findings::id, findings::source_type, findings::source_ref))
        .load::<(String, Option<String>, Option<String>)>(conn)?
        .into_iter()
        .map(|(id, kind, reference)| {
            let label = kind
                .as_deref()
                .and_then(crate::domain::enums::SourceType::parse)
                .map(|k| k.label().to_string());
            (id, reference.or(label).unwrap_or_default())
        })
        .collect();
    type Finding = (String, String, String, String, String);
    let findings: HashMap<String, Finding> = findings::table
        .filter(findings::id.eq_any(&finding_ids))
        .select((
            findings::id,
            findings::code,
            findings::category,
            findings::description,
            findings::inspection_id,
            findings::title,
        ))
        .load::<(String, String, String, String, String, String)>(conn)?
        .into_iter()
        .map(|(id, code, category, description, inspection, title)| {
            (id, (code, category, description, inspection, title))
        })
        .collect();
    let mut inspection_ids: Vec<&String> = findings.values().map(|f| &f.3).collect();
    inspection_ids.sort();
    inspection_ids.dedup();
    let sources: HashMap<String, String> = inspections::table
        .filter(inspections::id.eq_any(inspection_ids))
        .select((inspections::id, inspections::issuer))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect();
    let latest = latest_progress(conn, &ids, ctx.as_of.as_ref().map(|a| a.end()))?;
    let evidence_counts: HashMap<String, i64> = evidence::table
        .filter(evidence::measure_id.eq_any(&ids))
        .filter(evidence::deleted_at.is_null())
        .group_by(evidence::measure_id)
        .select((evidence::measure_id, diesel::dsl::count_star()))
        .load::<(String, i64)>(conn)?
        .into_iter()
        .collect();
    let name = |id: &str| {
        ctx.unit_names
            .get(id)
            .cloned()
            .unwrap_or_else(|| id.to_string())
    };
    rows.into_iter()
        .map(|(r, supporting)| {
            let (finding_code, category, description, inspection, finding_title) = findings
                .get(&r.finding_id)
                .cloned()
                .ok_or_else(|| ApiError::Internal(format!("measure {} has no finding", r.id)))?;
            let status = r.status;
            let light = r.light(&ctx.today);
            Ok(LedgerLine {
                listed: listed.contains(&r.finding_id),
                source: own_sources
                    .get(&r.finding_id)
                    .or_else(|| sources.get(&inspection))
                    .cloned()
                    .unwrap_or_default(),
                finding_code,
                category: crate::db::models::typed(category)?,
                finding_title,
                description,
                kind: r.kind,
                lead_unit: name(&r.lead_unit_id),
                supporting_units: supporting.iter().map(|u| name(u)).collect(),
                warning: light.warning,
                overdue_days: light.overdue_days,
                overdue_working_days: light.overdue_working_days,
                status,
                latest_progress: latest.get(&r.id).cloned(),
                evidence_count: evidence_counts.get(&r.id).copied().unwrap_or(0),
                reminder_count: i64::from(r.reminder_count),
                closed_on: r
                    .closed_at
                    .filter(|_| status == MeasureStatus::Closed)
                    .map(|t| t.and_utc().with_timezone(&ctx.tz).date_naive()),
                content: r.content,
                accountable_leader: r.accountable_leader,
                responsible_person: r.responsible_person,
                due_date: r.due_date,
                original_due_date: r.original_due_date,
                extension_count: r.extension_count,
                measure_code: r.code,
            })
        })
        .collect()
}

/// The text of each measure's latest progress report.
pub fn latest_progress(
    conn: &mut DbConnection,
    ids: &[String],
    before: Option<chrono::NaiveDateTime>,
) -> Result<HashMap<String, String>, ApiError> {
    let mut query = progress_reports::table
        .filter(progress_reports::measure_id.eq_any(ids))
        .into_boxed();
    if let Some(before) = before {
        // A report entered late counts on its effective day (`reported_at`).
        query = query.filter(progress_reports::reported_at.lt(before));
    }
    let reports: Vec<(String, String)> = query
        .order((
            progress_reports::reported_at.asc(),
            progress_reports::id.asc(),
        ))
        .select((progress_reports::measure_id, progress_reports::text))
        .load(conn)?;
    // Later reports overwrite earlier ones.
    Ok(reports.into_iter().collect())
}
