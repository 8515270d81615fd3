//! Inspection rounds (巡视、巡察、审计…).

use crate::db::forms::{InspectionChanges, NewInspection};
use crate::db::models::InspectionRow;
use crate::db::repo::{inspections, WriteCtx};
use crate::db::DbConnection;
use crate::domain::permissions::{Action, Ties};
use crate::error::ApiError;
use crate::service::{access, validated};

/// Opens an inspection round. Admin and office.
pub fn create(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    form: NewInspection,
) -> Result<InspectionRow, ApiError> {
    access::check(&ctx.who, Action::WriteInspection, Ties::ALL, "inspection")?;
    let form = validated(form)?;
    inspections::create(conn, &form, ctx)
}

/// Changes an inspection; `expected` is the `If-Match` version.
pub fn update(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    changes: InspectionChanges,
    expected: Option<i32>,
) -> Result<InspectionRow, ApiError> {
    access::inspection(conn, &ctx.who, id, Action::WriteInspection)?;
    let changes = validated(changes)?;
    inspections::lock(conn, id)?;
    inspections::update(conn, id, &changes, expected, ctx)
}
