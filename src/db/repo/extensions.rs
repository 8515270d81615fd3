//! Extension requests (延期申请): asked by the unit, decided by the office. Approval moves
//! the measure's `due_date`, keeps `original_due_date` and counts the extension.

use diesel::prelude::*;

use crate::db::forms::ExtensionFilter;
use crate::db::models::ExtensionRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::WriteCtx;
use crate::db::repo::{After, Page, Visibility};
use crate::db::schema::{extensions, findings, measure_supporting_units as msu, measures};
use crate::db::DbConnection;
use crate::domain::enums::ExtensionStatus;
use crate::error::ApiError;
use crate::text;

pub fn get(conn: &mut DbConnection, id: &str) -> Result<ExtensionRow, ApiError> {
    extensions::table
        .find(id)
        .select(ExtensionRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("extension request"))
}

pub fn of_measure(
    conn: &mut DbConnection,
    measure_id: &str,
) -> Result<Vec<ExtensionRow>, ApiError> {
    Ok(extensions::table
        .filter(extensions::measure_id.eq(measure_id.to_string()))
        .order((extensions::requested_at.asc(), extensions::id.asc()))
        .select(ExtensionRow::as_select())
        .load(conn)?)
}

/// Whether a request for this measure is waiting for a decision.
pub fn pending_for(conn: &mut DbConnection, measure_id: &str) -> Result<bool, ApiError> {
    let pending: i64 = extensions::table
        .filter(extensions::measure_id.eq(measure_id.to_string()))
        .filter(extensions::status.eq(ExtensionStatus::Pending.as_str()))
        .count()
        .get_result(conn)?;
    Ok(pending > 0)
}

/// Records a new request, as one `extension.request` event.
pub fn insert(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    row: ExtensionRow,
) -> Result<ExtensionRow, ApiError> {
    diesel::insert_into(extensions::table)
        .values(row.clone())
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "extension.request",
        ("measure", &row.measure_id),
        None,
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Writes a decided request, bumping its version; a decision in between is a 409.
pub fn save_decision(
    conn: &mut DbConnection,
    row: &ExtensionRow,
    decided: &ExtensionRow,
) -> Result<(), ApiError> {
    let changed = diesel::update(
        extensions::table
            .filter(extensions::id.eq(row.id.clone()))
            .filter(extensions::version.eq(row.version)),
    )
    .set(decided.clone())
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::Conflict(text!("extension-decided-concurrently")));
    }
    Ok(())
}

/// Extension requests of the measures `vis` may see, oldest request first (the order they
/// wait in), a page at a time.
pub fn list(
    conn: &mut DbConnection,
    q: &ExtensionFilter,
    vis: &Visibility,
    after: Option<After>,
    limit: i64,
) -> Result<Page<ExtensionRow>, ApiError> {
    let filtered = || {
        let mut query = extensions::table.into_boxed();
        if let Visibility::Units(units) = vis {
            // The measures the units lead, support, or whose finding they answer for.
            let led = measures::table
                .filter(measures::lead_unit_id.eq_any(units.clone()))
                .select(measures::id);
            let supported = msu::table
                .filter(msu::unit_id.eq_any(units.clone()))
                .select(msu::measure_id);
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
                    .or(extensions::measure_id.eq_any(supported))
                    .or(extensions::measure_id.eq_any(owned)),
            );
        }
        if let Some(inspection) = &q.inspection_id {
            query = query.filter(
                extensions::measure_id.eq_any(
                    measures::table
                        .filter(measures::inspection_id.eq(inspection.clone()))
                        .select(measures::id),
                ),
            );
        }
        if let Some(units) = &q.units {
            let led = measures::table
                .filter(measures::lead_unit_id.eq_any(units.clone()))
                .select(measures::id);
            let supported = msu::table
                .filter(msu::unit_id.eq_any(units.clone()))
                .select(msu::measure_id);
            query = query.filter(
                extensions::measure_id
                    .eq_any(led)
                    .or(extensions::measure_id.eq_any(supported)),
            );
        }
        if let Some(status) = q.status {
            query = query.filter(extensions::status.eq(status.as_str()));
        }
        if let Some(measure) = &q.measure_id {
            query = query.filter(extensions::measure_id.eq(measure.clone()));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let mut query = filtered();
    if let Some(After { key, id }) = after {
        let at = chrono::NaiveDateTime::parse_from_str(&key, "%Y-%m-%dT%H:%M:%S%.f")
            .map_err(|_| ApiError::bad_param("cursor", text!("cursor-foreign")))?;
        query = query.filter(
            extensions::requested_at
                .gt(at)
                .or(extensions::requested_at.eq(at).and(extensions::id.gt(id))),
        );
    }
    let rows = query
        .order((extensions::requested_at.asc(), extensions::id.asc()))
        .limit(limit + 1)
        .select(ExtensionRow::as_select())
        .load(conn)?;
    Ok(Page::from_probe(rows, limit, total))
}

/// The cursor key of a request in `list`'s order.
pub fn sort_key(row: &ExtensionRow) -> String {
    row.requested_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
}
