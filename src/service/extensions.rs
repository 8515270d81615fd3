//! Extension requests (延期申请): asked by the unit, decided by the office.

use chrono::NaiveDate;

use crate::db::models::ExtensionRow;
use crate::db::repo::{extensions, WriteCtx};
use crate::db::DbConnection;
use crate::domain::permissions::{Action, Actor};
use crate::error::ApiError;
use crate::service::access;

/// The request, if `who` may do `action` on its measure (hidden ones read as missing).
pub fn visible(
    conn: &mut DbConnection,
    who: &Actor,
    id: &str,
    action: Action,
) -> Result<ExtensionRow, ApiError> {
    let row = extensions::get(conn, id)?;
    access::under_measure(conn, who, &row.measure_id, action, "extension request")?;
    Ok(row)
}

/// Asks for a later due date; one request at a time.
pub fn request(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    measure_id: &str,
    requested: NaiveDate,
    reason: &str,
) -> Result<ExtensionRow, ApiError> {
    access::measure(conn, &ctx.who, measure_id, Action::WorkMeasure)?;
    extensions::request(conn, ctx, measure_id, requested, reason)
}

/// Approves (moving the deadline) or rejects a pending request.
pub fn decide(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    approve: bool,
    note: Option<&str>,
) -> Result<ExtensionRow, ApiError> {
    visible(conn, &ctx.who, id, Action::DecideExtension)?;
    extensions::decide(conn, ctx, id, approve, note)
}
