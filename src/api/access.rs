//! Loading one item on behalf of a caller: found, in the caller's scope, and allowed for
//! the action — or 404 (missing or hidden, indistinguishable) or 403.

use crate::auth::caller::Caller;
use crate::db::models::{FindingRow, InspectionRow};
use crate::db::repo::measures::MeasureWithUnits;
use crate::db::repo::{findings, inspections, measures, visibility};
use crate::db::DbConnection;
use crate::domain::permissions::Action;
use crate::error::ApiError;

pub fn inspection(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: Action,
) -> Result<InspectionRow, ApiError> {
    let row = inspections::get(conn, id)?;
    let scope = visibility::inspection_scope(conn, &caller.visibility(), id)?;
    caller.check(action, scope, "inspection")?;
    Ok(row)
}

pub fn finding(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: Action,
) -> Result<FindingRow, ApiError> {
    let row = findings::get(conn, id)?;
    let scope = visibility::finding_scope(conn, &caller.visibility(), &row)?;
    caller.check(action, scope, "finding")?;
    Ok(row)
}

/// Evidence and extension requests are seen as their measure is: a hidden measure makes
/// them read as missing (`what` not found).
pub fn under_measure(
    conn: &mut DbConnection,
    caller: &Caller,
    measure_id: &str,
    action: Action,
    what: &str,
) -> Result<(), ApiError> {
    match measure(conn, caller, measure_id, action) {
        Err(ApiError::NotFound(_)) => Err(ApiError::not_found(what)),
        Err(e) => Err(e),
        Ok(_) => Ok(()),
    }
}

pub fn measure(
    conn: &mut DbConnection,
    caller: &Caller,
    id: &str,
    action: Action,
) -> Result<MeasureWithUnits, ApiError> {
    let (row, supporting) = measures::get(conn, id)?;
    let scope = visibility::measure_scope(conn, &caller.visibility(), &row, &supporting)?;
    caller.check(action, scope, "measure")?;
    Ok((row, supporting))
}
