//! The work queues' queries: open findings and measures in a caller's scope by state, and
//! extension requests. Each answers at most `CAP` rows (the most urgent) and the exact
//! count.

use diesel::prelude::*;

use crate::db::connection::MultiBackend;
use crate::db::models::{ExtensionRow, FindingRow, MeasureRow};
use crate::db::repo::Visibility;
use crate::db::schema::{events, extensions, findings, measures};
use crate::db::DbConnection;
use crate::error::ApiError;

/// Items of one kind the queue shows at most (the counts are exact).
pub const CAP: i64 = 500;

type Measures = measures::BoxedQuery<'static, MultiBackend>;

/// How a measure must relate to the caller's units to be theirs to act on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tie {
    /// The units lead it, or answer for its finding (the unit's work).
    Works,
    /// The units lead it (a leader's signature).
    Leads,
}

fn tied(query: Measures, vis: &Visibility, tie: Tie) -> Measures {
    let Visibility::Units(units) = vis else {
        return query;
    };
    match tie {
        Tie::Leads => query.filter(measures::lead_unit_id.eq_any(units.clone())),
        Tie::Works => query.filter(
            measures::lead_unit_id
                .eq_any(units.clone())
                .or(measures::finding_id.eq_any(
                    findings::table
                        .filter(findings::responsible_unit_id.eq_any(units.clone()))
                        .select(findings::id),
                )),
        ),
    }
}

/// Open measures tied to the caller that `filter` keeps, earliest due first.
pub fn measures(
    conn: &mut DbConnection,
    vis: &Visibility,
    tie: Tie,
    filter: impl Fn(Measures) -> Measures,
) -> Result<(Vec<MeasureRow>, i64), ApiError> {
    let base = || filter(tied(measures::table.into_boxed(), vis, tie));
    let count: i64 = base().count().get_result(conn)?;
    let rows = base()
        .order((measures::due_sort.asc(), measures::id.asc()))
        .limit(CAP)
        .select(MeasureRow::as_select())
        .load(conn)?;
    Ok((rows, count))
}

/// Findings in `statuses` the caller's units answer for (every one for the office).
pub fn findings_owned(
    conn: &mut DbConnection,
    vis: &Visibility,
    statuses: &[&str],
) -> Result<(Vec<FindingRow>, i64), ApiError> {
    let statuses: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
    let base = || {
        let query = findings::table
            .filter(findings::status.eq_any(statuses.clone()))
            .into_boxed();
        match vis {
            Visibility::All => query,
            Visibility::Units(units) => {
                query.filter(findings::responsible_unit_id.eq_any(units.clone()))
            }
        }
    };
    let count: i64 = base().count().get_result(conn)?;
    let rows = base()
        .order((findings::updated_at.asc(), findings::id.asc()))
        .limit(CAP)
        .select(FindingRow::as_select())
        .load(conn)?;
    Ok((rows, count))
}

/// Which of these findings had a plan sent back.
pub fn plans_returned(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<String>, ApiError> {
    Ok(events::table
        .filter(events::object_type.eq("finding"))
        .filter(events::action.eq("finding.return_plan"))
        .filter(events::object_id.eq_any(ids.to_vec()))
        .select(events::object_id)
        .distinct()
        .load(conn)?)
}

/// Extension requests in `statuses` on measures the caller's units lead or answer for,
/// decided since `decided_since` (when given), oldest first.
pub fn extensions(
    conn: &mut DbConnection,
    vis: &Visibility,
    statuses: &[&str],
    decided_since: Option<chrono::NaiveDateTime>,
) -> Result<(Vec<ExtensionRow>, i64), ApiError> {
    let statuses: Vec<String> = statuses.iter().map(|s| s.to_string()).collect();
    let base = || {
        let mut query = extensions::table
            .filter(extensions::status.eq_any(statuses.clone()))
            .into_boxed();
        if let Visibility::Units(units) = vis {
            // The unit's own work: measures its units lead, or of findings they answer for.
            let led = measures::table
                .filter(measures::lead_unit_id.eq_any(units.clone()))
                .select(measures::id);
            let owned = measures::table
                .filter(
                    measures::finding_id.eq_any(
                        findings::table
                            .filter(findings::responsible_unit_id.eq_any(units.clone()))
                            .select(findings::id),
                    ),
                )
                .select(measures::id);
            query = query.filter(
                extensions::measure_id
                    .eq_any(led)
                    .or(extensions::measure_id.eq_any(owned)),
            );
        }
        if let Some(since) = decided_since {
            query = query.filter(extensions::decided_at.ge(since));
        }
        query
    };
    let count: i64 = base().count().get_result(conn)?;
    let rows = base()
        .order((extensions::requested_at.asc(), extensions::id.asc()))
        .limit(CAP)
        .select(ExtensionRow::as_select())
        .load(conn)?;
    Ok((rows, count))
}

/// The findings of these measures, by id.
pub fn findings_of(conn: &mut DbConnection, ids: Vec<String>) -> Result<Vec<FindingRow>, ApiError> {
    Ok(findings::table
        .filter(findings::id.eq_any(ids))
        .select(FindingRow::as_select())
        .load(conn)?)
}

/// The measures with these ids.
pub fn measures_by_id(
    conn: &mut DbConnection,
    ids: Vec<String>,
) -> Result<Vec<MeasureRow>, ApiError> {
    Ok(measures::table
        .filter(measures::id.eq_any(ids))
        .select(MeasureRow::as_select())
        .load(conn)?)
}
