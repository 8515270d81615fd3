//! Units of the tree (市委 → 局 → 科室/支部).

use crate::db::forms::NewUnit;
use crate::db::models::UnitRow;
use crate::db::repo::{units, WriteCtx};
use crate::db::DbConnection;
use crate::domain::permissions::{Action, Ties};
use crate::error::ApiError;
use crate::service::{access, validated};

/// Adds a unit. Admin.
pub fn create(conn: &mut DbConnection, ctx: &WriteCtx, form: NewUnit) -> Result<UnitRow, ApiError> {
    access::check(&ctx.who, Action::CreateUnit, Ties::ALL, "unit")?;
    let form = validated(form)?;
    units::create(conn, &form, ctx)
}
