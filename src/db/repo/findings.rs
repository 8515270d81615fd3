use diesel::prelude::*;

use crate::db::connection::MultiBackend;
use crate::db::forms::{FindingChanges, FindingFilter, NewFinding};
use crate::db::models::FindingRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{
    check_unit, check_version, inspections, new_id, visibility, warnings, After, Page, Visibility,
    WriteCtx,
};
use crate::db::schema::findings;
use crate::db::DbConnection;
use crate::domain::codes;
use crate::domain::deadline::Today;
use crate::domain::enums::{FindingStatus, Level, SupervisionLevel};
use crate::error::ApiError;
use crate::text;

fn check_code_free(
    conn: &mut DbConnection,
    inspection_id: &str,
    code: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let mut query = findings::table
        .filter(findings::inspection_id.eq(inspection_id.to_string()))
        .filter(findings::code.eq(code.to_string()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(findings::id.ne(id.to_string()));
    }
    let taken: i64 = query.count().get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(text!("finding-code-taken", code = code)));
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    inspection_id: &str,
    input: &NewFinding,
    ctx: &WriteCtx,
) -> Result<FindingRow, ApiError> {
    // Concurrent creates in one inspection would pick the same next code: take turns.
    inspections::lock(conn, inspection_id)?;
    let inspection = inspections::get(conn, inspection_id)?;
    let unit = input.responsible_unit_id.clone();
    check_unit(conn, "responsible_unit_id", Some(&unit))?;
    let code = match &input.code {
        Some(code) => {
            check_code_free(conn, inspection_id, code.trim(), None)?;
            code.trim().to_string()
        }
        None => {
            let taken: Vec<String> = findings::table
                .filter(findings::inspection_id.eq(inspection_id))
                .select(findings::code)
                .load(conn)?;
            codes::next_finding_code(&inspection.code, taken.iter().map(String::as_str))
        }
    };
    let row = FindingRow {
        id: new_id(),
        inspection_id: inspection.id,
        code,
        category: input.category,
        level: input.level.unwrap_or(Level::General),
        supervision_level: input.supervision_level.unwrap_or(SupervisionLevel::Normal),
        title: input.title.trim().to_string(),
        description: input.description.trim().to_string(),
        responsible_unit_id: unit,
        primary_accountable: input
            .primary_accountable
            .as_ref()
            .map(|s| s.trim().to_string()),
        status: FindingStatus::Assigned,
        closed_at: None,
        source_type: input.source_type.map(|s| s.as_str().to_string()),
        source_ref: input.source_ref.as_ref().map(|s| s.trim().to_string()),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
        created_by: ctx.actor.clone(),
        updated_by: ctx.actor.clone(),
    };
    diesel::insert_into(findings::table)
        .values(row.clone())
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "finding.create",
        ("finding", &row.id),
        None,
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Holds the finding's row lock until the transaction ends (a no-op update: portable).
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<(), ApiError> {
    diesel::update(findings::table.find(id))
        .set(findings::id.eq(findings::id))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<FindingRow>, ApiError> {
    Ok(findings::table
        .find(id)
        .select(FindingRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<FindingRow, ApiError> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("finding"))
}

pub fn find_by_code(
    conn: &mut DbConnection,
    inspection_id: &str,
    code: &str,
) -> Result<Option<FindingRow>, ApiError> {
    Ok(findings::table
        .filter(findings::inspection_id.eq(inspection_id))
        .filter(findings::code.eq(code))
        .select(FindingRow::as_select())
        .first(conn)
        .optional()?)
}

/// How many of an inspection's findings are closed (已整改销号).
/// The ids of an inspection's findings.
pub fn ids_in(conn: &mut DbConnection, inspection_id: &str) -> Result<Vec<String>, ApiError> {
    Ok(findings::table
        .filter(findings::inspection_id.eq(inspection_id))
        .select(findings::id)
        .load(conn)?)
}

pub fn count_closed(conn: &mut DbConnection, inspection_id: &str) -> Result<i64, ApiError> {
    Ok(findings::table
        .filter(findings::inspection_id.eq(inspection_id))
        .filter(findings::status.eq(FindingStatus::Closed.as_str()))
        .count()
        .get_result(conn)?)
}

/// The codes of the inspections that have a finding coded `code`.
pub fn inspections_with_code(conn: &mut DbConnection, code: &str) -> Result<Vec<String>, ApiError> {
    use crate::db::schema::inspections;
    Ok(findings::table
        .inner_join(inspections::table.on(inspections::id.eq(findings::inspection_id)))
        .filter(findings::code.eq(code))
        .select(inspections::code)
        .order(inspections::code)
        .load(conn)?)
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    input: &FindingChanges,
    expected: Option<i32>,
    ctx: &WriteCtx,
) -> Result<FindingRow, ApiError> {
    let mut row = get(conn, id)?;
    check_version("finding", row.version, expected)?;
    let before = snapshot(&row);
    if let Some(code) = &input.code {
        check_code_free(conn, &row.inspection_id, code.trim(), Some(id))?;
        row.code = code.trim().to_string();
    }
    if let Some(category) = input.category {
        row.category = category;
    }
    if let Some(level) = input.level {
        row.level = level;
    }
    if let Some(supervision) = input.supervision_level {
        row.supervision_level = supervision;
    }
    if let Some(title) = &input.title {
        row.title = title.trim().to_string();
    }
    if let Some(description) = &input.description {
        row.description = description.trim().to_string();
    }
    if let Some(unit) = &input.responsible_unit_id {
        let unit = unit.clone();
        check_unit(conn, "responsible_unit_id", Some(&unit))?;
        row.responsible_unit_id = unit;
    }
    if let Some(accountable) = &input.primary_accountable {
        row.primary_accountable = accountable.as_ref().map(|s| s.trim().to_string());
    }
    if let Some(source) = input.source_type {
        row.source_type = source.map(|s| s.as_str().to_string());
    }
    if let Some(reference) = &input.source_ref {
        row.source_ref = reference.as_ref().map(|s| s.trim().to_string());
    }
    let row = save(conn, row, ctx)?;
    events::append(
        conn,
        ctx,
        "finding.update",
        ("finding", id),
        Some(before),
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Writes a changed row, bumping its version; a concurrent change in between is a 409.
pub fn save(
    conn: &mut DbConnection,
    mut row: FindingRow,
    ctx: &WriteCtx,
) -> Result<FindingRow, ApiError> {
    let old_version = row.version;
    row.version += 1;
    row.updated_at = ctx.now;
    row.updated_by = ctx.actor.clone();
    let changed = diesel::update(
        findings::table
            .filter(findings::id.eq(row.id.clone()))
            .filter(findings::version.eq(old_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::Conflict(text!(
            "concurrent-item",
            what = crate::error::item("finding")
        )));
    }
    Ok(row)
}

fn filtered(
    q: &FindingFilter,
    vis: &Visibility,
    today: &Today,
) -> findings::BoxedQuery<'static, MultiBackend> {
    let mut query = visibility::filter_findings(findings::table.into_boxed(), vis);
    if let Some(warning) = q.warning {
        query = warnings::filter_findings(query, warning, today);
    }
    if let Some(inspection) = &q.inspection_id {
        query = query.filter(findings::inspection_id.eq(inspection.clone()));
    }
    if let Some(units) = &q.units {
        query = query.filter(findings::responsible_unit_id.eq_any(units.clone()));
    }
    if let Some(status) = q.status {
        query = query.filter(findings::status.eq(status.as_str()));
    }
    if let Some(category) = q.category {
        query = query.filter(findings::category.eq(category.as_str()));
    }
    if let Some(level) = q.level {
        query = query.filter(findings::level.eq(level.as_str()));
    }
    query
}

/// The findings `vis` may see, ordered by code (问题编号).
pub fn list(
    conn: &mut DbConnection,
    q: &FindingFilter,
    vis: &Visibility,
    today: &Today,
    after: Option<After>,
    limit: i64,
) -> Result<Page<FindingRow>, ApiError> {
    let total: i64 = filtered(q, vis, today).count().get_result(conn)?;
    let mut query = filtered(q, vis, today);
    if let Some(After { key, id }) = after {
        query = query.filter(
            findings::code
                .gt(key.clone())
                .or(findings::code.eq(key).and(findings::id.gt(id))),
        );
    }
    let rows = query
        .order((findings::code.asc(), findings::id.asc()))
        .limit(limit + 1)
        .select(FindingRow::as_select())
        .load(conn)?;
    Ok(Page::from_probe(rows, limit, total))
}

/// Puts a finding into a recorded state (seed data describing a ledger in progress).
pub fn restore_state(
    conn: &mut DbConnection,
    id: &str,
    status: FindingStatus,
    closed_at: Option<chrono::NaiveDateTime>,
    ctx: &WriteCtx,
) -> Result<FindingRow, ApiError> {
    let mut row = get(conn, id)?;
    let before = snapshot(&row);
    row.status = status;
    row.closed_at = if status == FindingStatus::Closed {
        closed_at.or(Some(ctx.now))
    } else {
        None
    };
    let row = save(conn, row, ctx)?;
    events::append(
        conn,
        ctx,
        "finding.restore",
        ("finding", id),
        Some(before),
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// A finding's own source: its type and what it is called (both `None`: the inspection's).
pub type OwnSource = (Option<String>, Option<String>);

/// An inspection's findings by their own source, with counts.
pub fn sources_of(
    conn: &mut DbConnection,
    inspection_id: &str,
) -> Result<Vec<(OwnSource, i64)>, ApiError> {
    let rows: Vec<OwnSource> = findings::table
        .filter(findings::inspection_id.eq(inspection_id.to_string()))
        .select((findings::source_type, findings::source_ref))
        .load(conn)?;
    let mut counted: Vec<(OwnSource, i64)> = Vec::new();
    for row in rows {
        match counted.iter_mut().find(|(k, _)| *k == row) {
            Some((_, n)) => *n += 1,
            None => counted.push((row, 1)),
        }
    }
    Ok(counted)
}
