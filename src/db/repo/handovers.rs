//! Handovers (责任交接): queries only.

use diesel::prelude::*;

use crate::db::forms::HandoverFilter;
use crate::db::models::{HandoverRow, MeasureRow};
use crate::db::repo::{visibility, After, Page, Visibility};
use crate::db::schema::{handover_measures as hm, handovers, measures};
use crate::db::DbConnection;
use crate::error::ApiError;

pub fn insert(
    conn: &mut DbConnection,
    row: &HandoverRow,
    measure_ids: &[String],
) -> Result<(), ApiError> {
    diesel::insert_into(handovers::table)
        .values(row)
        .execute(conn)?;
    for id in measure_ids {
        diesel::insert_into(hm::table)
            .values((hm::handover_id.eq(&row.id), hm::measure_id.eq(id)))
            .execute(conn)?;
    }
    Ok(())
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<HandoverRow, ApiError> {
    handovers::table
        .find(id)
        .select(HandoverRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("handover"))
}

/// The measures a handover moved, by code.
pub fn measures_of(conn: &mut DbConnection, id: &str) -> Result<Vec<MeasureRow>, ApiError> {
    Ok(measures::table
        .filter(
            measures::id.eq_any(
                hm::table
                    .filter(hm::handover_id.eq(id.to_string()))
                    .select(hm::measure_id),
            ),
        )
        .order(measures::code.asc())
        .select(MeasureRow::as_select())
        .load(conn)?)
}

/// Open measures that may be held by this person (by login id or by name); the domain's
/// `holds` decides which are.
pub fn candidates(
    conn: &mut DbConnection,
    sub: Option<&str>,
    name: &str,
) -> Result<Vec<MeasureRow>, ApiError> {
    let mut query = measures::table
        .filter(measures::status.ne("closed"))
        .into_boxed();
    let by_name = measures::accountable_leader
        .eq(name.to_string())
        .or(measures::responsible_person.eq(name.to_string()));
    query = match sub {
        Some(sub) => query.filter(by_name.or(measures::accountable_leader_sub.eq(sub.to_string()))),
        None => query.filter(by_name),
    };
    Ok(query
        .order(measures::code.asc())
        .select(MeasureRow::as_select())
        .load(conn)?)
}

/// Handovers `vis` may see, latest effective first, a page at a time.
pub fn list(
    conn: &mut DbConnection,
    q: &HandoverFilter,
    vis: &Visibility,
    after: Option<After>,
    limit: i64,
) -> Result<Page<HandoverRow>, ApiError> {
    let filtered = || {
        let mut query = visibility::filter_handovers(handovers::table.into_boxed(), vis);
        if let Some(units) = &q.units {
            query = query.filter(
                handovers::unit_id
                    .eq_any(units.clone())
                    .or(handovers::id.eq_any(
                        hm::table
                            .filter(
                                hm::measure_id.eq_any(
                                    measures::table
                                        .filter(measures::lead_unit_id.eq_any(units.clone()))
                                        .select(measures::id),
                                ),
                            )
                            .select(hm::handover_id),
                    )),
            );
        }
        if let Some(person) = &q.person {
            query = query.filter(
                handovers::from_sub
                    .eq(person.clone())
                    .or(handovers::to_sub.eq(person.clone()))
                    .or(handovers::from_name.eq(person.clone()))
                    .or(handovers::to_name.eq(person.clone())),
            );
        }
        if let Some(from) = q.from_date {
            query = query.filter(handovers::effective_date.ge(from));
        }
        if let Some(to) = q.to_date {
            query = query.filter(handovers::effective_date.le(to));
        }
        query
    };
    let total: i64 = filtered().count().get_result(conn)?;
    let mut query = filtered();
    if let Some(After { key, id }) = after {
        // Keys are ISO dates: they order as text.
        let day = chrono::NaiveDate::parse_from_str(&key, "%Y-%m-%d")
            .map_err(|_| ApiError::bad_param("cursor", crate::text!("cursor-foreign")))?;
        query = query.filter(
            handovers::effective_date
                .lt(day)
                .or(handovers::effective_date.eq(day).and(handovers::id.lt(id))),
        );
    }
    let rows = query
        .order((handovers::effective_date.desc(), handovers::id.desc()))
        .limit(limit + 1)
        .select(HandoverRow::as_select())
        .load(conn)?;
    Ok(Page::from_probe(rows, limit, total))
}
