use std::collections::HashMap;

use chrono::NaiveDate;
use diesel::dsl::sql;
use diesel::prelude::*;
use diesel::sql_types::{Bool, Date, Text, Timestamp};

use crate::db::connection::MultiBackend;
use crate::db::forms::MeasureFilter;
use crate::db::models::{MeasureRow, SupportingUnitRow};
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{visibility, warnings, After, Page, Visibility, WriteCtx};
use crate::db::schema::{measure_supporting_units as msu, measures};
use crate::db::DbConnection;
use crate::domain::calendar::Calendar;
use crate::domain::deadline;
use crate::domain::deadline::Today;
use crate::domain::enums::MeasureSort;
use crate::domain::enums::{MeasureStatus, ReportCycle, Warning};
use crate::error::ApiError;
use crate::text;

/// A measure row with its supporting units.
pub type MeasureWithUnits = (MeasureRow, Vec<String>);

/// Whether another measure of the finding (not `except`) has this code.
pub fn code_taken(
    conn: &mut DbConnection,
    finding_id: &str,
    code: &str,
    except: Option<&str>,
) -> Result<bool, ApiError> {
    let mut query = measures::table
        .filter(measures::finding_id.eq(finding_id.to_string()))
        .filter(measures::code.eq(code.to_string()))
        .into_boxed();
    if let Some(id) = except {
        query = query.filter(measures::id.ne(id.to_string()));
    }
    let taken: i64 = query.count().get_result(conn)?;
    Ok(taken > 0)
}

/// The codes a finding's measures use.
pub fn codes_in_finding(
    conn: &mut DbConnection,
    finding_id: &str,
) -> Result<Vec<String>, ApiError> {
    Ok(measures::table
        .filter(measures::finding_id.eq(finding_id.to_string()))
        .select(measures::code)
        .load(conn)?)
}

/// Inserts a new measure with its supporting units, as one `measure.create` event.
pub fn insert(
    conn: &mut DbConnection,
    mut row: MeasureRow,
    supporting: Vec<String>,
    ctx: &WriteCtx,
) -> Result<MeasureWithUnits, ApiError> {
    refresh_deadlines(&mut row, &ctx.calendar);
    diesel::insert_into(measures::table)
        .values(row.clone())
        .execute(conn)?;
    replace_supporting(conn, &row.id, &supporting)?;
    events::append(
        conn,
        ctx,
        "measure.create",
        ("measure", &row.id),
        None,
        Some(measure_snapshot(&row, &supporting)),
    )?;
    Ok((row, supporting))
}

/// Sets a measure's supporting units (配合单位) to `supporting`.
pub fn replace_supporting(
    conn: &mut DbConnection,
    measure_id: &str,
    supporting: &[String],
) -> Result<(), ApiError> {
    diesel::delete(msu::table.filter(msu::measure_id.eq(measure_id))).execute(conn)?;
    // One statement per row: batch inserts are not portable across MultiConnection backends.
    for unit in supporting {
        let row = SupportingUnitRow {
            measure_id: measure_id.to_string(),
            unit_id: unit.clone(),
        };
        diesel::insert_into(msu::table).values(&row).execute(conn)?;
    }
    Ok(())
}

/// Supporting units of several measures, in one query.
pub fn supporting_of(
    conn: &mut DbConnection,
    ids: &[String],
) -> Result<HashMap<String, Vec<String>>, ApiError> {
    let mut map: HashMap<String, Vec<String>> = HashMap::new();
    if ids.is_empty() {
        return Ok(map);
    }
    let rows: Vec<(String, String)> = msu::table
        .filter(msu::measure_id.eq_any(ids))
        .order((msu::measure_id, msu::unit_id))
        .select((msu::measure_id, msu::unit_id))
        .load(conn)?;
    for (measure, unit) in rows {
        map.entry(measure).or_default().push(unit);
    }
    Ok(map)
}

fn with_units(
    conn: &mut DbConnection,
    rows: Vec<MeasureRow>,
) -> Result<Vec<MeasureWithUnits>, ApiError> {
    let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
    let mut supporting = supporting_of(conn, &ids)?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let units = supporting.remove(&r.id).unwrap_or_default();
            (r, units)
        })
        .collect())
}

/// Holds the measure's row lock until the transaction ends (a no-op update: portable).
pub fn lock(conn: &mut DbConnection, id: &str) -> Result<(), ApiError> {
    diesel::update(measures::table.find(id))
        .set(measures::id.eq(measures::id))
        .execute(conn)?;
    Ok(())
}

pub fn find(conn: &mut DbConnection, id: &str) -> Result<Option<MeasureRow>, ApiError> {
    Ok(measures::table
        .find(id)
        .select(MeasureRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<MeasureWithUnits, ApiError> {
    let row = find(conn, id)?.ok_or_else(|| ApiError::not_found("measure"))?;
    let mut list = with_units(conn, vec![row])?;
    Ok(list.remove(0))
}

/// An inspection's measures: code by id.
pub fn codes_in_inspection(
    conn: &mut DbConnection,
    inspection_id: &str,
) -> Result<std::collections::HashMap<String, String>, ApiError> {
    Ok(measures::table
        .filter(measures::inspection_id.eq(inspection_id))
        .select((measures::id, measures::code))
        .load::<(String, String)>(conn)?
        .into_iter()
        .collect())
}

/// The measure coded `code`, whatever its finding (codes such as XC-2022-03-01-2 carry
/// their inspection and finding).
pub fn with_code(conn: &mut DbConnection, code: &str) -> Result<Option<MeasureRow>, ApiError> {
    Ok(measures::table
        .filter(measures::code.eq(code))
        .order(measures::id.asc())
        .select(MeasureRow::as_select())
        .first(conn)
        .optional()?)
}

pub fn find_by_code(
    conn: &mut DbConnection,
    finding_id: &str,
    code: &str,
) -> Result<Option<MeasureRow>, ApiError> {
    Ok(measures::table
        .filter(measures::finding_id.eq(finding_id))
        .filter(measures::code.eq(code))
        .select(MeasureRow::as_select())
        .first(conn)
        .optional()?)
}

/// The measures of one finding, oldest first.
pub fn of_finding(
    conn: &mut DbConnection,
    finding_id: &str,
) -> Result<Vec<MeasureWithUnits>, ApiError> {
    let rows = measures::table
        .filter(measures::finding_id.eq(finding_id))
        .order((measures::created_at.asc(), measures::id.asc()))
        .select(MeasureRow::as_select())
        .load(conn)?;
    with_units(conn, rows)
}

/// A measure as the audit log records it: the row and its supporting units.
pub fn measure_snapshot(row: &MeasureRow, supporting: &[String]) -> serde_json::Value {
    let mut value = snapshot(row);
    if let Some(object) = value.as_object_mut() {
        object.insert("supporting_unit_ids".into(), snapshot(&supporting));
    }
    value
}

/// Recomputes what the warning lights read in SQL: the next report due of an open
/// long-term measure, and whether a pending closure request stops the clock.
pub fn refresh_deadlines(row: &mut MeasureRow, calendar: &Calendar) {
    let (status, kind) = (row.status, row.kind);
    let cycle = row.report_cycle.as_deref().and_then(ReportCycle::parse);
    let since = row.last_report_at.unwrap_or(row.created_at).date();
    row.report_due = deadline::next_report_due(status, kind, cycle, since);
    row.clock_stopped =
        deadline::clock_stopped(status, row.due_date, row.submitted_at.map(|t| t.date()));
    let closed_on = row
        .closed_at
        .map(|t| t.date())
        .filter(|_| status == MeasureStatus::Closed);
    row.closed_on_time = closed_on.zip(row.due_date).map(|(on, due)| on <= due);
    // A measure recorded as closed before it was entered here (a seed, an imported sheet)
    // has no time to close that means anything.
    row.days_to_close = closed_on
        .filter(|on| *on >= row.created_at.date())
        .map(|on| calendar.working_days_between(row.created_at.date(), on) as i32);
}

/// Writes a changed row, bumping its version; a concurrent change in between is a 409.
pub fn save(
    conn: &mut DbConnection,
    mut row: MeasureRow,
    ctx: &WriteCtx,
) -> Result<MeasureRow, ApiError> {
    let old_version = row.version;
    row.version += 1;
    row.updated_at = ctx.now;
    row.updated_by = ctx.actor.clone();
    refresh_deadlines(&mut row, &ctx.calendar);
    let changed = diesel::update(
        measures::table
            .filter(measures::id.eq(row.id.clone()))
            .filter(measures::version.eq(old_version)),
    )
    .set(row.clone())
    .execute(conn)?;
    if changed == 0 {
        return Err(ApiError::Conflict(text!(
            "concurrent-item",
            what = crate::error::item("measure")
        )));
    }
    Ok(row)
}

fn filtered(
    q: &MeasureFilter,
    vis: &Visibility,
    today: &Today,
) -> measures::BoxedQuery<'static, MultiBackend> {
    filtered_as(q, vis, today, false)
}

/// `filtered`, with the visibility tested row by row along the sort order when `in_order`.
fn filtered_as(
    q: &MeasureFilter,
    vis: &Visibility,
    today: &Today,
    in_order: bool,
) -> measures::BoxedQuery<'static, MultiBackend> {
    let table = measures::table.into_boxed();
    let mut query = if in_order {
        visibility::filter_measures_in_order(table, vis)
    } else {
        visibility::filter_measures(table, vis)
    };
    if let Some(finding) = &q.finding_id {
        query = query.filter(measures::finding_id.eq(finding.clone()));
    }
    if let Some(inspection) = &q.inspection_id {
        query = query.filter(measures::inspection_id.eq(inspection.clone()));
    }
    if let Some(units) = &q.units {
        let supported = msu::table
            .filter(msu::unit_id.eq_any(units.clone()))
            .select(msu::measure_id);
        query = query.filter(
            measures::lead_unit_id
                .eq_any(units.clone())
                .or(measures::id.eq_any(supported)),
        );
    }
    if let Some(status) = q.status {
        query = query.filter(measures::status.eq(status.as_str()));
    }
    if let Some(kind) = q.kind {
        query = query.filter(measures::kind.eq(kind.as_str()));
    }
    if let Some(overdue) = q.overdue {
        query = warnings::filter_overdue(query, overdue, today);
    }
    if let Some(warning) = q.warning {
        query = warnings::filter_measures(query, warning, today);
    }
    if let Some(before) = q.due_before {
        query = query.filter(measures::due_date.le(before));
    }
    if let Some(after) = q.due_after {
        query = query.filter(measures::due_date.ge(after));
    }
    query
}

/// The sort key of a row under `sort`, as the cursor carries it.
pub fn sort_key(row: &MeasureRow, sort: MeasureSort) -> String {
    match sort {
        MeasureSort::DueDate | MeasureSort::DueDateDesc => row.due_sort.to_string(),
        MeasureSort::CreatedAt => row.created_at.format("%Y-%m-%dT%H:%M:%S%.6f").to_string(),
    }
}

/// The measures `vis` may see, filtered and sorted as asked.
pub fn list(
    conn: &mut DbConnection,
    q: &MeasureFilter,
    vis: &Visibility,
    today: &Today,
    after: Option<After>,
    limit: i64,
) -> Result<Page<MeasureWithUnits>, ApiError> {
    list_where(conn, q, vis, today, false, after, limit)
}

/// The red and yellow measures `vis` may see, earliest due first (the overdue dashboard).
pub fn needing_attention(
    conn: &mut DbConnection,
    q: &MeasureFilter,
    vis: &Visibility,
    today: &Today,
    after: Option<After>,
    limit: i64,
) -> Result<Page<MeasureWithUnits>, ApiError> {
    list_where(conn, q, vis, today, true, after, limit)
}

/// How many measures `vis` sees with each light, within the filters of `q`.
pub fn count_lights(
    conn: &mut DbConnection,
    q: &MeasureFilter,
    vis: &Visibility,
    today: &Today,
) -> Result<(i64, i64), ApiError> {
    if super::tallies::covers(q, vis) && q.warning.is_none() && q.overdue.is_none() {
        let day = super::tallies::lights(conn, today)?;
        return Ok((day.red, day.yellow));
    }
    let red = warnings::filter_measures(filtered(q, vis, today), Warning::Red, today)
        .count()
        .get_result(conn)?;
    let yellow = warnings::filter_measures(filtered(q, vis, today), Warning::Yellow, today)
        .count()
        .get_result(conn)?;
    Ok((red, yellow))
}

fn list_where(
    conn: &mut DbConnection,
    q: &MeasureFilter,
    vis: &Visibility,
    today: &Today,
    attention: bool,
    after: Option<After>,
    limit: i64,
) -> Result<Page<MeasureWithUnits>, ApiError> {
    let select = |in_order: bool| {
        let query = filtered_as(q, vis, today, in_order);
        if attention {
            warnings::filter_attention(query, today)
        } else {
            query
        }
    };
    // The whole ledger's count is kept in the tallies; anything narrower is counted.
    let total: i64 = match super::tallies::list_total(conn, q, vis, today, attention)? {
        Some(total) => total,
        None => select(false).count().get_result(conn)?,
    };
    let in_order = page_in_order(conn, vis, total, limit)?;
    let rows = ordered(select(in_order), q.sort, after, limit + 1, conn)?;
    let page = Page::from_probe(rows, limit, total);
    Ok(Page {
        rows: with_units(conn, page.rows)?,
        has_more: page.has_more,
        total: page.total,
    })
}

/// Whether a unit's page is found faster by walking the ledger in the sort order and
/// testing each row (about `limit × ledger / total` rows read) than by gathering all
/// `total` rows the unit sees from the unit indexes and sorting them. SQLite alone: it
/// cannot merge the three index lookups in order, PostgreSQL's planner weighs this itself.
/// A unit seeing 44,000 of 1,000,000 measures: ~1,200 rows read instead of 44,000 sorted.
fn page_in_order(
    conn: &mut DbConnection,
    vis: &Visibility,
    total: i64,
    limit: i64,
) -> Result<bool, ApiError> {
    if !matches!(vis, Visibility::Units(_))
        || !matches!(conn, DbConnection::Sqlite(_))
        || total <= 2 * (limit + 1)
    {
        return Ok(false);
    }
    let ledger = super::tallies::measures(conn)?;
    Ok((limit + 1).saturating_mul(ledger) / total < total)
}

/// Up to `limit` rows of `query` in `sort` order, after the keyset position `after`.
fn ordered(
    mut query: measures::BoxedQuery<'static, MultiBackend>,
    sort: MeasureSort,
    after: Option<After>,
    limit: i64,
    conn: &mut DbConnection,
) -> Result<Vec<MeasureRow>, ApiError> {
    let bad_cursor = || ApiError::bad_param("cursor", text!("cursor-foreign"));
    // Each keyset is one row-value comparison, `(key, id) > (…, …)`, which both databases
    // answer by seeking the (key, id) index straight to the cursor. Ties matter: a quarter
    // of a ledger may have no due date (one key), and a range on the key alone with the
    // tie settled by `id` read every tied row before the cursor again on every page — an
    // export of a million measures took minutes.
    query = match sort {
        MeasureSort::DueDate => {
            if let Some(After { key, id }) = after {
                let due: NaiveDate = key.parse().map_err(|_| bad_cursor())?;
                query = query.filter(
                    sql::<Bool>(r#"("measures"."due_sort", "measures"."id") > ("#)
                        .bind::<Date, _>(due)
                        .sql(", ")
                        .bind::<Text, _>(id)
                        .sql(")"),
                );
            }
            query.order((measures::due_sort.asc(), measures::id.asc()))
        }
        MeasureSort::DueDateDesc => {
            if let Some(After { key, id }) = after {
                let due: NaiveDate = key.parse().map_err(|_| bad_cursor())?;
                query = query.filter(
                    sql::<Bool>(r#"("measures"."due_sort", "measures"."id") < ("#)
                        .bind::<Date, _>(due)
                        .sql(", ")
                        .bind::<Text, _>(id)
                        .sql(")"),
                );
            }
            query.order((measures::due_sort.desc(), measures::id.desc()))
        }
        MeasureSort::CreatedAt => {
            if let Some(After { key, id }) = after {
                let at = chrono::NaiveDateTime::parse_from_str(&key, "%Y-%m-%dT%H:%M:%S%.f")
                    .map_err(|_| bad_cursor())?;
                query = query.filter(
                    sql::<Bool>(r#"("measures"."created_at", "measures"."id") > ("#)
                        .bind::<Timestamp, _>(at)
                        .sql(", ")
                        .bind::<Text, _>(id)
                        .sql(")"),
                );
            }
            query.order((measures::created_at.asc(), measures::id.asc()))
        }
    };
    Ok(query
        .limit(limit)
        .select(MeasureRow::as_select())
        .load(conn)?)
}

/// One page of the measures `vis` may see, without counting them all (for exports that
/// walk every page).
pub fn page_uncounted(
    conn: &mut DbConnection,
    q: &MeasureFilter,
    vis: &Visibility,
    today: &Today,
    after: Option<After>,
    limit: i64,
) -> Result<Vec<MeasureWithUnits>, ApiError> {
    let rows = ordered(filtered(q, vis, today), q.sort, after, limit, conn)?;
    with_units(conn, rows)
}

/// Records a progress report (进展报送) of a measure.
pub fn add_report(
    conn: &mut DbConnection,
    entry: &crate::db::models::ProgressReportRow,
) -> Result<(), ApiError> {
    diesel::insert_into(crate::db::schema::progress_reports::table)
        .values(entry)
        .execute(conn)?;
    Ok(())
}

/// The status and kind of each of a finding's measures.
pub fn states_in_finding(
    conn: &mut DbConnection,
    finding_id: &str,
) -> Result<Vec<(String, String)>, ApiError> {
    Ok(measures::table
        .filter(measures::finding_id.eq(finding_id.to_string()))
        .select((measures::status, measures::kind))
        .load(conn)?)
}
