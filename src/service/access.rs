//! May this actor do this: to anything (`check_role`), to this item (`check`), and loading
//! one item on its behalf — found, in its scope, and allowed for the action, or 404
//! (missing or hidden, indistinguishable) or 403 naming the rule that refused.

use crate::db::models::{FindingRow, InspectionRow};
use crate::db::repo::measures::MeasureWithUnits;
use crate::db::repo::{findings, inspections, measures, visibility};
use crate::db::DbConnection;
use crate::domain::permissions::{decide_ties, ever_allowed, Action, Actor, Decision, Ties};
use crate::error::ApiError;

/// 403 unless the role may do this to some item.
pub fn check_role(actor: &Actor, action: Action) -> Result<(), ApiError> {
    if ever_allowed(actor.role, action) {
        Ok(())
    } else {
        Err(ApiError::Forbidden(action.refusal()))
    }
}

/// Decides for one item: 403 when the actor sees it but may not do this, 404 (as if it
/// did not exist) when the actor may not see it at all.
pub fn check(actor: &Actor, action: Action, ties: Ties, what: &str) -> Result<(), ApiError> {
    match decide_ties(actor.role, action, ties) {
        Decision::Allow => Ok(()),
        Decision::Forbidden => Err(ApiError::Forbidden(action.refusal())),
        Decision::Hidden => Err(ApiError::not_found(what)),
    }
}

pub fn inspection(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    action: Action,
) -> Result<InspectionRow, ApiError> {
    let row = inspections::get(conn, id)?;
    let ties = visibility::inspection_ties(conn, &actor.visibility, id)?;
    check(actor, action, ties, "inspection")?;
    Ok(row)
}

pub fn finding(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    action: Action,
) -> Result<FindingRow, ApiError> {
    let row = findings::get(conn, id)?;
    let ties = visibility::finding_ties(conn, &actor.visibility, &row)?;
    check(actor, action, ties, "finding")?;
    Ok(row)
}

/// Evidence and extension requests are seen as their measure is: a hidden measure makes
/// them read as missing (`what` not found).
pub fn under_measure(
    conn: &mut DbConnection,
    actor: &Actor,
    measure_id: &str,
    action: Action,
    what: &str,
) -> Result<(), ApiError> {
    match measure(conn, actor, measure_id, action) {
        Err(ApiError::NotFound(_)) => Err(ApiError::not_found(what)),
        Err(e) => Err(e),
        Ok(_) => Ok(()),
    }
}

pub fn measure(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    action: Action,
) -> Result<MeasureWithUnits, ApiError> {
    let (row, supporting) = measures::get(conn, id)?;
    let ties = visibility::measure_ties(conn, &actor.visibility, &row, &supporting)?;
    check(actor, action, ties, "measure")?;
    Ok((row, supporting))
}
