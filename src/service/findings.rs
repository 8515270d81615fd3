//! Findings (问题清单): filed by the office under an inspection, assigned to a unit.

use crate::db::forms::{FindingChanges, NewFinding};
use crate::db::models::FindingRow;
use crate::db::repo::{findings, WriteCtx};
use crate::db::DbConnection;
use crate::domain::enums::FindingStatus;
use crate::domain::permissions::Action;
use crate::error::ApiError;
use crate::service::{access, validated};

/// Files a finding under an inspection, assigned (交办) to its responsible unit.
pub fn create(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    inspection_id: &str,
    form: NewFinding,
) -> Result<FindingRow, ApiError> {
    access::inspection(conn, &ctx.who, inspection_id, Action::WriteFinding)?;
    let form = validated(form)?;
    findings::create(conn, inspection_id, &form, ctx)
}

/// Changes a finding; `expected` is the `If-Match` version.
pub fn update(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    changes: FindingChanges,
    expected: Option<i32>,
) -> Result<FindingRow, ApiError> {
    access::finding(conn, &ctx.who, id, Action::WriteFinding)?;
    let changes = validated(changes)?;
    findings::lock(conn, id)?;
    findings::update(conn, id, &changes, expected, ctx)
}

/// Puts a finding into the state a ledger kept elsewhere records (a seed, an imported
/// sheet), as one `finding.restore` event. The workflow actions are the way to change
/// state in normal operation.
pub fn restore_state(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    status: FindingStatus,
    closed_at: Option<chrono::NaiveDateTime>,
) -> Result<FindingRow, ApiError> {
    access::finding(conn, &ctx.who, id, Action::WriteFinding)?;
    findings::restore_state(conn, id, status, closed_at, ctx)
}
