use diesel::prelude::*;

use crate::db::forms::{NewUnit, UnitFilter};
use crate::db::models::UnitRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{new_id, After, Page, WriteCtx};
use crate::db::schema::units;
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::text;

pub fn create(
    conn: &mut DbConnection,
    input: &NewUnit,
    ctx: &WriteCtx,
) -> Result<UnitRow, ApiError> {
    let taken: i64 = units::table
        .filter(units::code.eq(&input.code))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(text!(
            "unit-code-taken",
            code = &input.code
        )));
    }
    let parent_id = input.parent_id.clone();
    if let Some(parent) = &parent_id {
        if find(conn, parent)?.is_none() {
            return Err(ApiError::field("parent_id", text!("unit-id-unknown")));
        }
    }
    let row = UnitRow {
        id: new_id(),
        code: input.code.trim().to_string(),
        name: input.name.trim().to_string(),
        parent_id,
        created_at: ctx.now,
        updated_at: ctx.now,
        created_by: ctx.actor.clone(),
        updated_by: ctx.actor.clone(),
    };
    diesel::insert_into(units::table)
        .values(&row)
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "unit.create",
        ("unit", &row.id),
        None,
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<UnitRow>, ApiError> {
    Ok(units::table
        .find(id)
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<UnitRow, ApiError> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("unit"))
}

pub fn find_by_code(conn: &mut DbConnection, code: &str) -> Result<Option<UnitRow>, ApiError> {
    Ok(units::table
        .filter(units::code.eq(code))
        .select(UnitRow::as_select())
        .first(conn)
        .optional()?)
}

/// The ids among `ids` that name no unit.
pub fn missing(conn: &mut DbConnection, ids: &[String]) -> Result<Vec<String>, ApiError> {
    if ids.is_empty() {
        return Ok(vec![]);
    }
    let found: Vec<String> = units::table
        .filter(units::id.eq_any(ids))
        .select(units::id)
        .load(conn)?;
    Ok(ids
        .iter()
        .filter(|id| !found.contains(id))
        .cloned()
        .collect())
}

fn filtered(q: &UnitFilter) -> units::BoxedQuery<'static, crate::db::connection::MultiBackend> {
    let mut query = units::table.into_boxed();
    if let Some(parent) = &q.parent_id {
        query = query.filter(units::parent_id.eq(parent.clone()));
    }
    query
}

/// Units ordered by code.
pub fn list(
    conn: &mut DbConnection,
    q: &UnitFilter,
    after: Option<After>,
    limit: i64,
) -> Result<Page<UnitRow>, ApiError> {
    let total: i64 = filtered(q).count().get_result(conn)?;
    let mut query = filtered(q);
    if let Some(After { key, id }) = after {
        query = query.filter(
            units::code
                .gt(key.clone())
                .or(units::code.eq(key).and(units::id.gt(id))),
        );
    }
    let rows = query
        .order((units::code.asc(), units::id.asc()))
        .limit(limit + 1)
        .select(UnitRow::as_select())
        .load(conn)?;
    Ok(Page::from_probe(rows, limit, total))
}

/// Every unit (the tree is small: a city's or a province's units).
pub fn all(conn: &mut DbConnection) -> Result<Vec<UnitRow>, ApiError> {
    Ok(units::table.select(UnitRow::as_select()).load(conn)?)
}
