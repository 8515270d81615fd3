//! The tallies the database keeps in the transaction of every write to measures and
//! findings (triggers; migration `2026-12-04-000001_tallies`): the numbers every
//! dashboard asks for, read in O(groups) instead of counting the ledger, and the recount
//! that checks them (`zhenggai check`).
//!
//! They answer for callers who see everything, without filters: statistics per lead unit,
//! today's lights and the overdue count. Anything narrower counts the rows, as before.

use std::collections::{BTreeMap, HashMap};

use diesel::sql_types::{BigInt, Text};
use diesel::QueryableByName;

use super::stats::{Bind, MeasureCounts, Sql};
use crate::db::DbConnection;
use crate::domain::deadline::Today;
use crate::error::ApiError;

fn sql(conn: &DbConnection) -> Sql {
    Sql::new(matches!(conn, DbConnection::Postgresql(_)))
}

#[derive(Debug, QueryableByName)]
struct Lights {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    overdue: i64,
    #[diesel(sql_type = BigInt)]
    red: i64,
    #[diesel(sql_type = BigInt)]
    yellow: i64,
}

/// Today's lights per lead unit, from the open measures' tally: sums over due dates.
fn lights_by_unit(conn: &mut DbConnection, today: &Today) -> Result<Vec<Lights>, ApiError> {
    let mut q = sql(conn);
    q.push("SELECT lead_unit_id AS key, CAST(COALESCE(SUM(CASE WHEN due_sort < ")
        .bind(Bind::Date(today.date))
        .push(" THEN measures ELSE 0 END), 0) AS BIGINT) AS overdue, ")
        .push("CAST(COALESCE(SUM(CASE WHEN due_sort < ")
        .bind(Bind::Date(today.date))
        .push(" OR report_due < ")
        .bind(Bind::Date(today.date))
        .push(" OR quota_light = 'red' THEN measures ELSE 0 END), 0) AS BIGINT) AS red, ")
        .push("CAST(COALESCE(SUM(CASE WHEN due_sort >= ")
        .bind(Bind::Date(today.date))
        .push(" AND report_due >= ")
        .bind(Bind::Date(today.date))
        .push(" AND quota_light <> 'red' AND (due_sort <= ")
        .bind(Bind::Date(today.yellow_until))
        .push(
            " OR quota_light = 'yellow') THEN measures ELSE 0 END), 0) AS BIGINT) AS yellow \
             FROM open_tallies GROUP BY lead_unit_id",
        );
    q.load(conn)
}

/// Measure numbers per lead unit, as `stats::measures` counts them for a caller who sees
/// everything, without filters (`findings` is left 0: findings count per responsible unit).
pub fn measures_by_unit(
    conn: &mut DbConnection,
    today: &Today,
) -> Result<Vec<MeasureCounts>, ApiError> {
    let sum = |expr: &str, name: &str| format!("CAST(SUM({expr}) AS BIGINT) AS {name}");
    let columns = [
        sum("measures", "measures"),
        "CAST(0 AS BIGINT) AS findings".to_string(),
        sum(
            "CASE WHEN status = 'closed' THEN measures ELSE 0 END",
            "closed",
        ),
        sum(
            "CASE WHEN status IN ('submitted', 'endorsed', 'closed') THEN measures ELSE 0 END",
            "completed",
        ),
        "CAST(NULL AS BIGINT) AS overdue".to_string(),
        "CAST(NULL AS BIGINT) AS red".to_string(),
        "CAST(NULL AS BIGINT) AS yellow".to_string(),
        sum("extensions", "extensions"),
        sum("returns", "returns"),
        sum(
            "CASE WHEN status = 'closed' AND has_due THEN measures ELSE 0 END",
            "closed_with_due",
        ),
        sum("on_time", "on_time"),
        sum("days_to_close", "days_to_close"),
        sum("timed", "timed"),
        sum(
            "CASE WHEN kind <> 'long_term' THEN measures ELSE 0 END",
            "fixed",
        ),
        sum(
            "CASE WHEN kind <> 'long_term' AND status = 'closed' THEN measures ELSE 0 END",
            "fixed_closed",
        ),
        sum("reminders", "reminders"),
        sum("rechecked", "rechecked"),
        sum("relapsed", "relapsed"),
    ];
    let mut q = sql(conn);
    q.push(&format!(
        "SELECT lead_unit_id AS key, {} FROM measure_tallies GROUP BY lead_unit_id \
         HAVING SUM(measures) > 0 ORDER BY lead_unit_id",
        columns.join(", ")
    ));
    let mut rows: Vec<MeasureCounts> = q.load(conn)?;
    let lights: HashMap<String, Lights> = lights_by_unit(conn, today)?
        .into_iter()
        .map(|l| (l.key.clone(), l))
        .collect();
    for row in &mut rows {
        let light = lights.get(&row.key);
        row.overdue = Some(light.map_or(0, |l| l.overdue));
        row.red = Some(light.map_or(0, |l| l.red));
        row.yellow = Some(light.map_or(0, |l| l.yellow));
    }
    Ok(rows)
}

#[derive(Debug, QueryableByName)]
struct Count {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    n: i64,
}

/// Findings per responsible unit.
pub fn findings_by_unit(conn: &mut DbConnection) -> Result<Vec<(String, i64)>, ApiError> {
    let mut q = sql(conn);
    q.push(
        "SELECT responsible_unit_id AS key, findings AS n FROM finding_tallies WHERE findings > 0",
    );
    let rows: Vec<Count> = q.load(conn)?;
    Ok(rows.into_iter().map(|r| (r.key, r.n)).collect())
}

/// The numbers `stats::summary` counts, read from the tallies when they hold them — by
/// unit, for a caller who sees everything, without filters: O(units), not O(ledger).
pub fn summary(
    conn: &mut DbConnection,
    group: crate::domain::stats::GroupBy,
    vis: &super::Visibility,
    filter: &super::stats::StatsFilter,
    today: &Today,
    rollup: Option<&crate::domain::org::Rollup>,
) -> Result<crate::domain::stats::Stats, ApiError> {
    let whole = group == crate::domain::stats::GroupBy::Unit
        && matches!(vis, super::Visibility::All)
        && filter.inspection_id.is_none()
        && filter.units.is_none();
    if !whole {
        return super::stats::summary(conn, group, vis, filter, today, rollup);
    }
    let rows = measures_by_unit(conn, today)?;
    let by_unit = findings_by_unit(conn)?;
    let total_findings = by_unit.iter().map(|(_, n)| n).sum();
    let counts = Some(by_unit.into_iter().collect());
    super::stats::assemble(conn, group, rows, counts, total_findings, rollup)
}

/// Today's numbers of the whole ledger that depend on the day.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DayCounts {
    pub overdue: i64,
    pub red: i64,
    pub yellow: i64,
}

/// Today's overdue, red and yellow measures in the whole ledger.
pub fn lights(conn: &mut DbConnection, today: &Today) -> Result<DayCounts, ApiError> {
    Ok(lights_by_unit(conn, today)?
        .iter()
        .fold(DayCounts::default(), |t, l| DayCounts {
            overdue: t.overdue + l.overdue,
            red: t.red + l.red,
            yellow: t.yellow + l.yellow,
        }))
}

/// Whether a list is of the whole ledger (but for its light or being overdue): the caller
/// sees everything and filters by nothing else.
pub fn covers(q: &crate::db::forms::MeasureFilter, vis: &super::Visibility) -> bool {
    matches!(vis, super::Visibility::All)
        && q.finding_id.is_none()
        && q.inspection_id.is_none()
        && q.units.is_none()
        && q.status.is_none()
        && q.kind.is_none()
        && q.due_before.is_none()
        && q.due_after.is_none()
}

/// How many measures a whole-ledger list holds (`attention`: only the red and yellow
/// ones), when the tallies can tell: the caller sees everything and filters by nothing
/// but the light or being overdue. None otherwise.
pub fn list_total(
    conn: &mut DbConnection,
    q: &crate::db::forms::MeasureFilter,
    vis: &super::Visibility,
    today: &Today,
    attention: bool,
) -> Result<Option<i64>, ApiError> {
    use crate::domain::enums::Warning;
    let overdue_only = q.overdue == Some(true) && q.warning.is_none() && !attention;
    if !covers(q, vis) || !(q.overdue.is_none() || overdue_only) {
        return Ok(None);
    }
    let day = lights(conn, today)?;
    if q.overdue == Some(true) {
        return Ok(Some(day.overdue));
    }
    Ok(Some(match (attention, q.warning) {
        (_, Some(Warning::Red)) => day.red,
        (_, Some(Warning::Yellow)) => day.yellow,
        (true, Some(Warning::Green)) => 0,
        (true, None) => day.red + day.yellow,
        (false, Some(Warning::Green)) => measures(conn)? - day.red - day.yellow,
        (false, None) => measures(conn)?,
    }))
}

/// Every measure in the ledger.
pub fn measures(conn: &mut DbConnection) -> Result<i64, ApiError> {
    let mut q = sql(conn);
    q.push(
        "SELECT 'all' AS key, CAST(COALESCE(SUM(measures), 0) AS BIGINT) AS n FROM measure_tallies",
    );
    let rows: Vec<Count> = q.load(conn)?;
    Ok(rows.first().map_or(0, |r| r.n))
}

/// One tally row as text: its key and its numbers.
#[derive(Debug, QueryableByName)]
struct Row {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    numbers: String,
}

/// What each tally holds, and what the rows say it should hold: `(tally, kept, counted)`,
/// each a map from the key to its numbers.
const RECOUNTS: [(&str, &str, &str); 3] = [
    (
        "measure_tallies",
        "SELECT lead_unit_id || '|' || kind || '|' || status || '|' || \
         CASE WHEN has_due THEN '1' ELSE '0' END AS key, \
         CAST(measures AS TEXT) || ' ' || CAST(extensions AS TEXT) || ' ' || CAST(returns AS TEXT) \
         || ' ' || CAST(on_time AS TEXT) || ' ' || CAST(days_to_close AS TEXT) || ' ' || \
         CAST(timed AS TEXT) || ' ' || CAST(reminders AS TEXT) || ' ' || CAST(rechecked AS TEXT) \
         || ' ' || CAST(relapsed AS TEXT) AS numbers FROM measure_tallies WHERE measures <> 0",
        "SELECT lead_unit_id || '|' || kind || '|' || status || '|' || \
         CASE WHEN due_date IS NULL THEN '0' ELSE '1' END AS key, \
         CAST(COUNT(*) AS TEXT) || ' ' || CAST(SUM(extension_count) AS TEXT) || ' ' || \
         CAST(SUM(return_count) AS TEXT) || ' ' || \
         CAST(SUM(CASE WHEN closed_on_time THEN 1 ELSE 0 END) AS TEXT) || ' ' || \
         CAST(COALESCE(SUM(days_to_close), 0) AS TEXT) || ' ' || CAST(COUNT(days_to_close) AS TEXT) \
         || ' ' || CAST(SUM(reminder_count) AS TEXT) || ' ' || CAST(SUM(recheck_count) AS TEXT) \
         || ' ' || CAST(SUM(relapse_count) AS TEXT) AS numbers FROM measures \
         GROUP BY lead_unit_id, kind, status, CASE WHEN due_date IS NULL THEN '0' ELSE '1' END",
    ),
    (
        "open_tallies",
        "SELECT lead_unit_id || '|' || CAST(due_sort AS TEXT) || '|' || CAST(report_due AS TEXT) \
         || '|' || quota_light AS key, CAST(measures AS TEXT) AS numbers FROM open_tallies \
         WHERE measures <> 0",
        "SELECT lead_unit_id || '|' || CAST(due_sort AS TEXT) || '|' || \
         COALESCE(CAST(report_due AS TEXT), '9999-12-31') || '|' || COALESCE(quota_light, '') AS key, \
         CAST(COUNT(*) AS TEXT) AS numbers FROM measures \
         WHERE status <> 'closed' AND clock_stopped = FALSE \
         GROUP BY lead_unit_id, due_sort, report_due, quota_light",
    ),
    (
        "finding_tallies",
        "SELECT responsible_unit_id AS key, CAST(findings AS TEXT) AS numbers FROM finding_tallies \
         WHERE findings <> 0",
        "SELECT responsible_unit_id AS key, CAST(COUNT(*) AS TEXT) AS numbers FROM findings \
         GROUP BY responsible_unit_id",
    ),
];

/// Recounts every tally from the rows: one line per key where they differ (none: intact).
pub fn drift(conn: &mut DbConnection) -> Result<Vec<String>, ApiError> {
    let mut out = vec![];
    for (tally, kept, counted) in RECOUNTS {
        let load =
            |conn: &mut DbConnection, text: &str| -> Result<BTreeMap<String, String>, ApiError> {
                let mut q = sql(conn);
                q.push(text);
                let rows: Vec<Row> = q.load(conn)?;
                Ok(rows.into_iter().map(|r| (r.key, r.numbers)).collect())
            };
        let kept = load(conn, kept)?;
        let counted = load(conn, counted)?;
        let keys: std::collections::BTreeSet<&String> = kept.keys().chain(counted.keys()).collect();
        for key in keys {
            let (k, c) = (kept.get(key), counted.get(key));
            if k != c {
                out.push(format!(
                    "{tally} [{key}]: holds {}, the rows count {}",
                    k.map_or("nothing", String::as_str),
                    c.map_or("nothing", String::as_str)
                ));
            }
        }
    }
    Ok(out)
}
