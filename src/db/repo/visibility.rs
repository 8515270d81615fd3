//! What a unit-scoped caller may see, in SQL: lists are filtered in the query (so `total`
//! and pagination stay right), and single items get their `Scope` for the permission table.
//!
//! A unit sees a finding it is responsible for, or one with a measure it leads or supports;
//! a measure it leads or supports, or one of a finding it is responsible for; and an
//! inspection with any of those.

use diesel::prelude::*;

use crate::db::connection::MultiBackend;
use crate::db::models::{FindingRow, MeasureRow};
use crate::db::schema::{events, findings, inspections, measure_supporting_units as msu, measures};
use crate::db::DbConnection;
use crate::domain::permissions::Scope;
use crate::error::ApiError;

pub use crate::domain::permissions::Visibility;

/// The condition "the unit leads or supports this measure".
macro_rules! involves {
    ($unit:expr) => {
        measures::lead_unit_id
            .eq($unit.clone())
            .or(measures::id.eq_any(
                msu::table
                    .filter(msu::unit_id.eq($unit.clone()))
                    .select(msu::measure_id),
            ))
    };
}

/// Measures the unit leads or supports, selecting `$column`.
macro_rules! involving {
    ($unit:expr, $column:expr) => {
        measures::table.filter(involves!($unit)).select($column)
    };
}

pub fn filter_findings(
    query: findings::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> findings::BoxedQuery<'static, MultiBackend> {
    match vis {
        Visibility::All => query,
        Visibility::Unit(unit) => query.filter(
            findings::responsible_unit_id
                .eq(unit.clone())
                .or(findings::id.eq_any(involving!(unit, measures::finding_id))),
        ),
    }
}

pub fn filter_measures(
    query: measures::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> measures::BoxedQuery<'static, MultiBackend> {
    match vis {
        Visibility::All => query,
        Visibility::Unit(unit) => query.filter(
            involves!(unit).or(measures::finding_id.eq_any(
                findings::table
                    .filter(findings::responsible_unit_id.eq(unit.clone()))
                    .select(findings::id),
            )),
        ),
    }
}

pub fn filter_inspections(
    query: inspections::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> inspections::BoxedQuery<'static, MultiBackend> {
    match vis {
        Visibility::All => query,
        Visibility::Unit(unit) => query.filter(
            inspections::id
                .eq_any(
                    findings::table
                        .filter(findings::responsible_unit_id.eq(unit.clone()))
                        .select(findings::inspection_id),
                )
                .or(inspections::id.eq_any(involving!(unit, measures::inspection_id))),
        ),
    }
}

/// Audit events about units, and about inspections, findings and measures `vis` sees.
pub fn filter_events(
    query: events::BoxedQuery<'static, MultiBackend>,
    vis: &Visibility,
) -> events::BoxedQuery<'static, MultiBackend> {
    let Visibility::Unit(unit) = vis else {
        return query;
    };
    let own_findings = findings::table
        .filter(findings::responsible_unit_id.eq(unit.clone()))
        .select(findings::id);
    let measures_seen = measures::table
        .filter(involves!(unit).or(measures::finding_id.eq_any(own_findings)))
        .select(measures::id);
    let findings_seen = findings::table
        .filter(
            findings::responsible_unit_id
                .eq(unit.clone())
                .or(findings::id.eq_any(involving!(unit, measures::finding_id))),
        )
        .select(findings::id);
    let inspections_seen = findings::table
        .filter(findings::responsible_unit_id.eq(unit.clone()))
        .select(findings::inspection_id);
    let inspections_involved = involving!(unit, measures::inspection_id);
    query.filter(
        events::object_type
            .eq("unit")
            .or(events::object_type
                .eq("measure")
                .and(events::object_id.eq_any(measures_seen)))
            .or(events::object_type
                .eq("finding")
                .and(events::object_id.eq_any(findings_seen)))
            .or(events::object_type.eq("inspection").and(
                events::object_id
                    .eq_any(inspections_seen)
                    .or(events::object_id.eq_any(inspections_involved)),
            )),
    )
}

pub fn inspection_scope(
    conn: &mut DbConnection,
    vis: &Visibility,
    inspection_id: &str,
) -> Result<Scope, ApiError> {
    let Visibility::Unit(unit) = vis else {
        return Ok(Scope::Responsible);
    };
    let responsible: i64 = findings::table
        .filter(findings::inspection_id.eq(inspection_id.to_string()))
        .filter(findings::responsible_unit_id.eq(unit.clone()))
        .count()
        .get_result(conn)?;
    if responsible > 0 {
        return Ok(Scope::Responsible);
    }
    let involved: i64 = measures::table
        .filter(measures::inspection_id.eq(inspection_id.to_string()))
        .filter(involves!(unit))
        .count()
        .get_result(conn)?;
    Ok(Scope::of(false, involved > 0))
}

pub fn finding_scope(
    conn: &mut DbConnection,
    vis: &Visibility,
    finding: &FindingRow,
) -> Result<Scope, ApiError> {
    let Visibility::Unit(unit) = vis else {
        return Ok(Scope::Responsible);
    };
    if &finding.responsible_unit_id == unit {
        return Ok(Scope::Responsible);
    }
    let involved: i64 = measures::table
        .filter(measures::finding_id.eq(finding.id.clone()))
        .filter(involves!(unit))
        .count()
        .get_result(conn)?;
    Ok(Scope::of(false, involved > 0))
}

pub fn measure_scope(
    conn: &mut DbConnection,
    vis: &Visibility,
    measure: &MeasureRow,
    supporting: &[String],
) -> Result<Scope, ApiError> {
    if *vis == Visibility::All {
        return Ok(Scope::Responsible);
    }
    let responsible: String = findings::table
        .find(measure.finding_id.clone())
        .select(findings::responsible_unit_id)
        .first(conn)?;
    Ok(vis.measure_scope(&responsible, &measure.lead_unit_id, supporting))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_measure_belongs_to_the_finding_owner_and_involves_its_lead_and_supporters() {
        let a = Visibility::Unit("A".into());
        let none: Vec<String> = vec![];
        assert_eq!(a.measure_scope("A", "B", &none), Scope::Responsible);
        assert_eq!(a.measure_scope("B", "A", &none), Scope::Involved);
        assert_eq!(
            a.measure_scope("B", "C", &["D".into(), "A".into()]),
            Scope::Involved
        );
        assert_eq!(a.measure_scope("B", "C", &["D".into()]), Scope::Unrelated);
        assert_eq!(
            Visibility::All.measure_scope("B", "C", &none),
            Scope::Responsible
        );
    }
}
