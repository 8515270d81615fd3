//! The people directory (人员名录): queries only.

use diesel::prelude::*;

use crate::db::forms::PersonFilter;
use crate::db::models::{MeasureRow, PersonRow};
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{After, Page, WriteCtx};
use crate::db::schema::{measures, people};
use crate::db::DbConnection;
use crate::error::ApiError;
use crate::text;

pub fn all(conn: &mut DbConnection) -> Result<Vec<PersonRow>, ApiError> {
    Ok(people::table.select(PersonRow::as_select()).load(conn)?)
}

pub fn find(conn: &mut DbConnection, sub: &str) -> Result<Option<PersonRow>, ApiError> {
    Ok(people::table
        .find(sub)
        .select(PersonRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, sub: &str) -> Result<PersonRow, ApiError> {
    find(conn, sub)?.ok_or_else(|| ApiError::not_found("person"))
}

pub fn insert(
    conn: &mut DbConnection,
    row: PersonRow,
    ctx: &WriteCtx,
) -> Result<PersonRow, ApiError> {
    if find(conn, &row.sub)?.is_some() {
        return Err(ApiError::Conflict(text!("person-exists", sub = &row.sub)));
    }
    diesel::insert_into(people::table)
        .values(&row)
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "person.create",
        ("person", &row.sub),
        None,
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Saves a changed entry (its version advances) and records the change.
pub fn save(
    conn: &mut DbConnection,
    before: &PersonRow,
    mut row: PersonRow,
    ctx: &WriteCtx,
) -> Result<PersonRow, ApiError> {
    row.version = before.version + 1;
    row.updated_at = ctx.now;
    row.updated_by = ctx.actor.clone();
    let changed = diesel::update(people::table.find(&before.sub))
        .filter(people::version.eq(before.version))
        .set(&row)
        .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::Conflict(text!(
            "concurrent-item",
            what = crate::error::item("person")
        )));
    }
    events::append(
        conn,
        ctx,
        "person.update",
        ("person", &row.sub),
        Some(snapshot(before)),
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Entries by login id, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    q: &PersonFilter,
    after: Option<After>,
    limit: i64,
) -> Result<Page<PersonRow>, ApiError> {
    let filtered = || {
        let mut query = people::table.into_boxed();
        if let Some(unit) = &q.unit_id {
            // Oversight is a JSON array of ids; ids are UUIDs, so a quoted match is exact.
            query = query.filter(
                people::unit_id
                    .eq(unit.clone())
                    .or(people::oversees_unit_ids.like(format!("%\"{unit}\"%"))),
            );
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let mut query = filtered();
    if let Some(After { id, .. }) = after {
        query = query.filter(people::sub.gt(id));
    }
    let rows = query
        .order(people::sub.asc())
        .limit(limit + 1)
        .select(PersonRow::as_select())
        .load(conn)?;
    Ok(Page::from_probe(rows, limit, total))
}

/// Open measures a person holds: as the named accountable leader (by login id), or by
/// name as accountable leader or responsible person.
pub fn holdings(
    conn: &mut DbConnection,
    sub: &str,
    name: &str,
) -> Result<Vec<MeasureRow>, ApiError> {
    Ok(measures::table
        .filter(measures::status.ne("closed"))
        .filter(
            measures::accountable_leader_sub
                .eq(sub.to_string())
                .or(measures::accountable_leader.eq(name.to_string()))
                .or(measures::responsible_person.eq(name.to_string())),
        )
        .order(measures::code.asc())
        .select(MeasureRow::as_select())
        .load(conn)?)
}
