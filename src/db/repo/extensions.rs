//! Extension requests (延期申请): asked by the unit, decided by the office. Approval moves
//! the measure's `due_date`, keeps `original_due_date` and counts the extension.

use diesel::prelude::*;

use crate::db::models::ExtensionRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::WriteCtx;
use crate::db::schema::extensions;
use crate::db::DbConnection;
use crate::domain::enums::ExtensionStatus;
use crate::error::ApiError;

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
        return Err(ApiError::Conflict(
            "the request was decided concurrently; reload it".into(),
        ));
    }
    Ok(())
}
