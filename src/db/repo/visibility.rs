//! What a unit-scoped caller may see, in SQL: lists are filtered in the query (so `total`
//! and pagination stay right), and single items get their `Ties` for the permission table.
//!
//! A caller's units (its own, those it oversees, and every unit below them) see a finding
//! one of them is responsible for, or one with a measure one of them leads or supports; a
//! measure one of them leads or supports, or one of a finding they are responsible for; and
//! an inspection with any of those.

use diesel::prelude::*;

use crate::db::connection::MultiBackend;
use crate::db::models::{FindingRow, MeasureRow};
use crate::db::schema::{
    activities, duties, events, findings, inspections, measure_supporting_units as msu, measures,
};
use crate::db::DbConnection;
use crate::domain::permissions::Ties;
use crate::error::ApiError;

pub use crate::domain::permissions::Visibility;

/// The condition "one of the units leads or supports this measure".
macro_rules! involves {
    ($units:expr) => {
        measures::lead_unit_id
            .eq_any($units.clone())
            .or(measures::id.eq_any(
                msu::table
                    .filter(msu::unit_id.eq_any($units.clone()))
                    .select(msu::measure_id),
            ))
    };
}

/// Measures the units lead or support, selecting `$column`.
macro_rules! involving {
    ($units:expr, $column:expr) => {
        measures::table.filter(involves!($units)).select($column)
    };
}

pub fn filter_findings(
    query: findings::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> findings::BoxedQuery<'static, MultiBackend> {
    match vis {
        Visibility::All => query,
        Visibility::Units(units) => query.filter(
            findings::responsible_unit_id
                .eq_any(units.clone())
                .or(findings::id.eq_any(involving!(units, measures::finding_id))),
        ),
    }
}

pub fn filter_measures(
    query: measures::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> measures::BoxedQuery<'static, MultiBackend> {
    match vis {
        Visibility::All => query,
        Visibility::Units(units) => query.filter(
            involves!(units).or(measures::finding_id.eq_any(
                findings::table
                    .filter(findings::responsible_unit_id.eq_any(units.clone()))
                    .select(findings::id),
            )),
        ),
    }
}

/// The same condition, written so that SQLite cannot answer it from the indexes on the
/// unit columns (`column || ''` is no column): it then walks the sort order's index and
/// tests each row, which for a unit that sees a good share of a large ledger finds a page
/// long before gathering and sorting everything the unit sees would (see
/// `measures::list_where`).
pub fn filter_measures_in_order(
    query: measures::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> measures::BoxedQuery<'static, MultiBackend> {
    match vis {
        Visibility::All => query,
        Visibility::Units(units) => query.filter(
            measures::lead_unit_id
                .concat("")
                .eq_any(units.clone())
                .or(measures::id.concat("").eq_any(
                    msu::table
                        .filter(msu::unit_id.eq_any(units.clone()))
                        .select(msu::measure_id),
                ))
                .or(measures::finding_id.concat("").eq_any(
                    findings::table
                        .filter(findings::responsible_unit_id.eq_any(units.clone()))
                        .select(findings::id),
                )),
        ),
    }
}

/// The ids of the measures the units see.
macro_rules! measures_seen {
    ($units:expr) => {
        measures::table
            .filter(
                involves!($units).or(measures::finding_id.eq_any(
                    findings::table
                        .filter(findings::responsible_unit_id.eq_any($units.clone()))
                        .select(findings::id),
                )),
            )
            .select(measures::id)
    };
}

pub fn filter_inspections(
    query: inspections::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> inspections::BoxedQuery<'static, MultiBackend> {
    match vis {
        Visibility::All => query,
        Visibility::Units(units) => query.filter(
            inspections::id
                .eq_any(
                    findings::table
                        .filter(findings::responsible_unit_id.eq_any(units.clone()))
                        .select(findings::inspection_id),
                )
                .or(inspections::id.eq_any(involving!(units, measures::inspection_id))),
        ),
    }
}

/// Audit events about units and people, and about inspections, findings and measures
/// `vis` sees.
pub fn filter_events(
    query: events::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> events::BoxedQuery<'static, MultiBackend> {
    let Visibility::Units(units) = vis else {
        return query;
    };
    let findings_seen = findings::table
        .filter(
            findings::responsible_unit_id
                .eq_any(units.clone())
                .or(findings::id.eq_any(involving!(units, measures::finding_id))),
        )
        .select(findings::id);
    let inspections_seen = findings::table
        .filter(findings::responsible_unit_id.eq_any(units.clone()))
        .select(findings::inspection_id);
    let inspections_involved = involving!(units, measures::inspection_id);
    query.filter(
        events::object_type
            .eq_any(["unit", "person"])
            .or(events::object_type
                .eq("measure")
                .and(events::object_id.eq_any(measures_seen!(units))))
            .or(events::object_type
                .eq("finding")
                .and(events::object_id.eq_any(findings_seen)))
            .or(events::object_type.eq("inspection").and(
                events::object_id
                    .eq_any(inspections_seen)
                    .or(events::object_id.eq_any(inspections_involved)),
            ))
            // Their units' duties (duty.behind, duty.missed) and activities.
            .or(events::object_type.eq("duty").and(
                events::object_id.eq_any(
                    duties::table
                        .filter(duties::unit_id.eq_any(units.clone()))
                        .select(duties::id),
                ),
            ))
            .or(events::object_type.eq("activity").and(
                events::object_id.eq_any(
                    activities::table
                        .filter(activities::unit_id.eq_any(units.clone()))
                        .select(activities::id),
                ),
            )),
    )
}

/// Whether one of the units leads (`lead`) or supports (`supporting`) a measure matching
/// the filter.
fn involvement(
    conn: &mut DbConnection,
    units: &[String],
    of: measures::BoxedQuery<'static, MultiBackend>,
    of_again: measures::BoxedQuery<'static, MultiBackend>,
) -> Result<(bool, bool), ApiError> {
    let units = units.to_vec();
    let led: i64 = of
        .filter(measures::lead_unit_id.eq_any(units.clone()))
        .count()
        .get_result(conn)?;
    let supported: i64 = of_again
        .filter(
            measures::id.eq_any(
                msu::table
                    .filter(msu::unit_id.eq_any(units))
                    .select(msu::measure_id),
            ),
        )
        .count()
        .get_result(conn)?;
    Ok((led > 0, supported > 0))
}

pub fn inspection_ties(
    conn: &mut DbConnection,
    vis: &Visibility,
    inspection_id: &str,
) -> Result<Ties, ApiError> {
    let Visibility::Units(units) = vis else {
        return Ok(Ties::ALL);
    };
    let responsible: i64 = findings::table
        .filter(findings::inspection_id.eq(inspection_id.to_string()))
        .filter(findings::responsible_unit_id.eq_any(units.clone()))
        .count()
        .get_result(conn)?;
    let of = || {
        measures::table
            .filter(measures::inspection_id.eq(inspection_id.to_string()))
            .into_boxed()
    };
    let (lead, supporting) = involvement(conn, units, of(), of())?;
    Ok(Ties {
        responsible: responsible > 0,
        lead,
        supporting,
    })
}

pub fn finding_ties(
    conn: &mut DbConnection,
    vis: &Visibility,
    finding: &FindingRow,
) -> Result<Ties, ApiError> {
    let Visibility::Units(units) = vis else {
        return Ok(Ties::ALL);
    };
    let of = || {
        measures::table
            .filter(measures::finding_id.eq(finding.id.clone()))
            .into_boxed()
    };
    let (lead, supporting) = involvement(conn, units, of(), of())?;
    Ok(Ties {
        responsible: vis.covers(&finding.responsible_unit_id),
        lead,
        supporting,
    })
}

pub fn measure_ties(
    conn: &mut DbConnection,
    vis: &Visibility,
    measure: &MeasureRow,
    supporting: &[String],
) -> Result<Ties, ApiError> {
    if *vis == Visibility::All {
        return Ok(Ties::ALL);
    }
    let responsible: String = findings::table
        .find(measure.finding_id.clone())
        .select(findings::responsible_unit_id)
        .first(conn)?;
    Ok(vis.measure_ties(&responsible, &measure.lead_unit_id, supporting))
}

/// Handovers that moved a measure `vis` sees.
pub fn filter_handovers(
    query: crate::db::schema::handovers::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> crate::db::schema::handovers::BoxedQuery<'static, MultiBackend> {
    use crate::db::schema::{handover_measures as hm, handovers};
    let Visibility::Units(units) = vis else {
        return query;
    };
    query.filter(
        handovers::id.eq_any(
            hm::table
                .filter(hm::measure_id.eq_any(measures_seen!(units)))
                .select(hm::handover_id),
        ),
    )
}

/// The ids among `ids` of measures `vis` sees.
pub fn measures_seen_among(
    conn: &mut DbConnection,
    vis: &Visibility,
    ids: Vec<String>,
) -> Result<Vec<String>, ApiError> {
    let query = measures::table
        .filter(measures::id.eq_any(ids))
        .into_boxed();
    Ok(filter_measures(query, vis)
        .select(measures::id)
        .load(conn)?)
}
