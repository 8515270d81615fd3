//! Table rows as diesel sees them. Never serialized to clients: `api/dto` maps them.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;

use super::schema::{findings, inspections, measure_supporting_units, measures, units};

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = units, treat_none_as_null = true)]
pub struct UnitRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = inspections, treat_none_as_null = true)]
pub struct InspectionRow {
    pub id: String,
    pub code: String,
    pub source_type: String,
    pub title: String,
    pub issuer: String,
    pub target_unit_id: Option<String>,
    pub feedback_date: NaiveDate,
    pub concentrated_period_end: Option<NaiveDate>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = findings, treat_none_as_null = true)]
pub struct FindingRow {
    pub id: String,
    pub inspection_id: String,
    pub code: String,
    pub category: String,
    pub level: String,
    pub supervision_level: String,
    pub title: String,
    pub description: String,
    pub responsible_unit_id: String,
    pub primary_accountable: Option<String>,
    pub status: String,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable, AsChangeset, Identifiable)]
#[diesel(table_name = measures, treat_none_as_null = true)]
pub struct MeasureRow {
    pub id: String,
    pub finding_id: String,
    pub inspection_id: String,
    pub code: String,
    pub content: String,
    pub kind: String,
    pub lead_unit_id: String,
    pub accountable_leader: String,
    pub responsible_person: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub original_due_date: Option<NaiveDate>,
    pub due_sort: NaiveDate,
    pub completion_criteria: Option<String>,
    pub report_cycle: Option<String>,
    pub quota_metric: Option<String>,
    pub quota_min_count: Option<i32>,
    pub quota_period: Option<String>,
    pub status: String,
    pub extension_count: i32,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = measure_supporting_units)]
pub struct SupportingUnitRow {
    pub measure_id: String,
    pub unit_id: String,
}
