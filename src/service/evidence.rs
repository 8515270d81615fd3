//! Evidence (佐证材料): uploaded by the unit while its measure is open, withdrawn only
//! while no closure request cites it. The bytes live in `storage`.

use crate::db::models::{EvidenceRow, MeasureRow};
use crate::db::repo::{evidence, measures, WriteCtx};
use crate::db::DbConnection;
use crate::domain::permissions::{Action, Actor};
use crate::error::ApiError;
use crate::service::access;

/// The evidence, if `who` may do `action` on its measure (hidden ones read as missing).
pub fn visible(
    conn: &mut DbConnection,
    who: &Actor,
    id: &str,
    action: Action,
) -> Result<EvidenceRow, ApiError> {
    let row = evidence::get(conn, id)?;
    access::under_measure(conn, who, &row.measure_id, action, "evidence")?;
    Ok(row)
}

/// Whether `who` may upload to this measure now: asked before a byte is received.
pub fn may_upload(
    conn: &mut DbConnection,
    who: &Actor,
    measure_id: &str,
) -> Result<MeasureRow, ApiError> {
    let (measure, _) = access::measure(conn, who, measure_id, Action::UploadEvidence)?;
    evidence::check_measure_open(measure.status)?;
    Ok(measure)
}

/// Records an uploaded file (already in storage) as evidence of its measure.
pub fn create(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    row: EvidenceRow,
) -> Result<EvidenceRow, ApiError> {
    access::measure(conn, &ctx.who, &row.measure_id, Action::UploadEvidence)?;
    let row = EvidenceRow {
        uploaded_at: ctx.now,
        ..row
    };
    evidence::create(conn, row, ctx)
}

/// Withdraws evidence that no closure request cites (the row and the file stay).
pub fn withdraw(conn: &mut DbConnection, ctx: &WriteCtx, id: &str) -> Result<(), ApiError> {
    let row = visible(conn, &ctx.who, id, Action::WithdrawEvidence)?;
    // The closure request citing it takes the same lock: one of the two waits, then sees
    // the other's result (frozen, or withdrawn).
    measures::lock(conn, &row.measure_id)?;
    evidence::withdraw(conn, id, ctx)
}
