//! Re-checks (回头看): queries only.

use diesel::prelude::*;

use crate::db::models::RecheckRow;
use crate::db::repo::{visibility, After, Page, Visibility};
use crate::db::schema::{measures, rechecks};
use crate::db::DbConnection;
use crate::error::ApiError;

pub fn insert(conn: &mut DbConnection, row: &RecheckRow) -> Result<(), ApiError> {
    diesel::insert_into(rechecks::table)
        .values(row)
        .execute(conn)?;
    Ok(())
}

/// Which re-checks a list holds.
#[derive(Debug, Clone, Default)]
pub struct RecheckFilter {
    pub measure_id: Option<String>,
    pub inspection_id: Option<String>,
    pub result: Option<String>,
    /// Lead unit of the measure: any of these.
    pub units: Option<Vec<String>>,
}

/// Re-checks of measures `vis` sees, latest first, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    q: &RecheckFilter,
    vis: &Visibility,
    after: Option<After>,
    limit: i64,
) -> Result<Page<RecheckRow>, ApiError> {
    let seen: Vec<String> = {
        let mut query = visibility::filter_measures(measures::table.into_boxed(), vis);
        if let Some(m) = &q.measure_id {
            query = query.filter(measures::id.eq(m.clone()));
        }
        if let Some(i) = &q.inspection_id {
            query = query.filter(measures::inspection_id.eq(i.clone()));
        }
        if let Some(units) = &q.units {
            query = query.filter(measures::lead_unit_id.eq_any(units.clone()));
        }
        // Only measures that were re-checked: few, even in a large ledger.
        query
            .filter(measures::recheck_count.gt(0))
            .select(measures::id)
            .load(conn)?
    };
    let filtered = || {
        let mut query = rechecks::table
            .filter(rechecks::measure_id.eq_any(seen.clone()))
            .into_boxed();
        if let Some(result) = &q.result {
            query = query.filter(rechecks::result.eq(result.clone()));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let mut query = filtered();
    if let Some(After { key, id }) = after {
        let day = chrono::NaiveDate::parse_from_str(&key, "%Y-%m-%d")
            .map_err(|_| ApiError::bad_param("cursor", crate::text!("cursor-foreign")))?;
        query = query.filter(
            rechecks::checked_on
                .lt(day)
                .or(rechecks::checked_on.eq(day).and(rechecks::id.lt(id))),
        );
    }
    let rows = query
        .order((rechecks::checked_on.desc(), rechecks::id.desc()))
        .limit(limit + 1)
        .select(RecheckRow::as_select())
        .load(conn)?;
    Ok(Page::from_probe(rows, limit, total))
}

/// A measure's re-checks, oldest first.
pub fn of_measure(conn: &mut DbConnection, id: &str) -> Result<Vec<RecheckRow>, ApiError> {
    Ok(rechecks::table
        .filter(rechecks::measure_id.eq(id.to_string()))
        .order((rechecks::checked_on.asc(), rechecks::id.asc()))
        .select(RecheckRow::as_select())
        .load(conn)?)
}
