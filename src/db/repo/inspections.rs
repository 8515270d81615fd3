use diesel::prelude::*;

use crate::db::connection::MultiBackend;
use crate::db::forms::{InspectionChanges, InspectionFilter, NewInspection};
use crate::db::models::InspectionRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{
    check_unit, check_version, into_validation, new_id, visibility, After, Page, Visibility,
    WriteCtx,
};
use crate::db::schema::{inspections, measures};
use crate::db::DbConnection;
use crate::domain::rules;
use crate::error::ApiError;
use crate::text;

fn check_code_free(
    conn: &mut DbConnection,
    code: &str,
    except: Option<&str>,
) -> Result<(), ApiError> {
    let mut query = inspections::table
        .filter(inspections::code.eq(code))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(inspections::id.ne(id.to_string()));
    }
    let taken: i64 = query.count().get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(text!(
            "inspection-code-taken",
            code = code
        )));
    }
    Ok(())
}

pub fn create(
    conn: &mut DbConnection,
    input: &NewInspection,
    ctx: &WriteCtx,
) -> Result<InspectionRow, ApiError> {
    into_validation(rules::check_inspection_dates(
        input.feedback_date,
        input.concentrated_period_end,
    ))?;
    let code = input.code.trim();
    check_code_free(conn, code, None)?;
    let target = input.target_unit_id.clone();
    check_unit(conn, "target_unit_id", target.as_deref())?;
    let row = InspectionRow {
        id: new_id(),
        code: code.to_string(),
        source_type: input.source_type,
        title: input.title.trim().to_string(),
        issuer: input.issuer.trim().to_string(),
        target_unit_id: target,
        feedback_date: input.feedback_date,
        concentrated_period_end: input.concentrated_period_end,
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
        created_by: ctx.actor.clone(),
        updated_by: ctx.actor.clone(),
    };
    diesel::insert_into(inspections::table)
        .values(row.clone())
        .execute(conn)?;
    events::append(
        conn,
        ctx,
        "inspection.create",
        ("inspection", &row.id),
        None,
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Holds the inspection's row lock until the transaction ends (a no-op update: portable).
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<(), ApiError> {
    diesel::update(inspections::table.find(id))
        .set(inspections::id.eq(inspections::id))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<InspectionRow>, ApiError> {
    Ok(inspections::table
        .find(id)
        .select(InspectionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<InspectionRow, ApiError> {
    find(conn, id)?.ok_or_else(|| ApiError::not_found("inspection"))
}

pub fn find_by_code(
    conn: &mut DbConnection,
    code: &str,
) -> Result<Option<InspectionRow>, ApiError> {
    Ok(inspections::table
        .filter(inspections::code.eq(code))
        .select(InspectionRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn update(
    conn: &mut DbConnection,
    id: &str,
    input: &InspectionChanges,
    expected: Option<i32>,
    ctx: &WriteCtx,
) -> Result<InspectionRow, ApiError> {
    let mut row = get(conn, id)?;
    check_version("inspection", row.version, expected)?;
    let before = snapshot(&row);
    if let Some(code) = &input.code {
        check_code_free(conn, code.trim(), Some(id))?;
        row.code = code.trim().to_string();
    }
    if let Some(source_type) = input.source_type {
        row.source_type = source_type;
    }
    if let Some(title) = &input.title {
        row.title = title.trim().to_string();
    }
    if let Some(issuer) = &input.issuer {
        row.issuer = issuer.trim().to_string();
    }
    if let Some(target) = &input.target_unit_id {
        row.target_unit_id = target.clone();
        check_unit(conn, "target_unit_id", row.target_unit_id.as_deref())?;
    }
    if let Some(feedback) = input.feedback_date {
        row.feedback_date = feedback;
    }
    if let Some(end) = input.concentrated_period_end {
        row.concentrated_period_end = end;
    }
    into_validation(rules::check_inspection_dates(
        row.feedback_date,
        row.concentrated_period_end,
    ))?;
    if input.feedback_date.is_some() {
        // No measure may end up due before the (new) feedback date.
        let earlier: i64 = measures::table
            .filter(measures::inspection_id.eq(id))
            .filter(measures::due_date.lt(row.feedback_date))
            .count()
            .get_result(conn)?;
        if earlier > 0 {
            return Err(ApiError::field(
                "feedback_date",
                text!("feedback-after-due", count = earlier),
            ));
        }
    }
    let row = save(conn, row, ctx)?;
    events::append(
        conn,
        ctx,
        "inspection.update",
        ("inspection", id),
        Some(before),
        Some(snapshot(&row)),
    )?;
    Ok(row)
}

/// Writes a changed row, bumping its version; a concurrent change in between is a 409.
pub fn save(
    conn: &mut DbConnection,
    mut row: InspectionRow,
    ctx: &WriteCtx,
) -> Result<InspectionRow, ApiError> {
    let old_version = row.version;
    row.version += 1;
    row.updated_at = ctx.now;
    row.updated_by = ctx.actor.clone();
    let changed = diesel::update(
        inspections::table
            .filter(inspections::id.eq(row.id.clone()))
            .filter(inspections::version.eq(old_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::Conflict(text!(
            "concurrent-item",
            what = crate::error::item("inspection")
        )));
    }
    Ok(row)
}

fn filtered(
    q: &InspectionFilter,
    vis: &Visibility,
) -> inspections::BoxedQuery<'static, MultiBackend> {
    let mut query = visibility::filter_inspections(inspections::table.into_boxed(), vis);
    if let Some(source_type) = q.source_type {
        query = query.filter(inspections::source_type.eq(source_type.as_str()));
    }
    query
}

/// The inspections `vis` may see, the latest feedback date first.
pub fn list(
    conn: &mut DbConnection,
    q: &InspectionFilter,
    vis: &Visibility,
    after: Option<After>,
    limit: i64,
) -> Result<Page<InspectionRow>, ApiError> {
    let total: i64 = filtered(q, vis).count().get_result(conn)?;
    let mut query = filtered(q, vis);
    if let Some(After { key, id }) = after {
        let date: chrono::NaiveDate = key
            .parse()
            .map_err(|_| ApiError::bad_param("cursor", text!("cursor-foreign")))?;
        query = query.filter(
            inspections::feedback_date
                .lt(date)
                .or(inspections::feedback_date
                    .eq(date)
                    .and(inspections::id.lt(id))),
        );
    }
    let rows = query
        .order((inspections::feedback_date.desc(), inspections::id.desc()))
        .limit(limit + 1)
        .select(InspectionRow::as_select())
        .load(conn)?;
    Ok(Page::from_probe(rows, limit, total))
}
