//! Seed data: a ledger in JSON (see seeds/demo.json), loaded through the same validation and
//! repository code as the API. Dates are shifted so that the file's `as_of` day becomes
//! today, so the demo always shows red, yellow and green items. Loading twice adds nothing:
//! items are matched by their codes.

use std::collections::HashMap;
use std::fmt;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime, Utc};
use chrono_tz::Tz;
use diesel::Connection;
use serde::Deserialize;
use validator::Validate;

use crate::api::dto::findings::CreateFinding;
use crate::api::dto::inspections::CreateInspection;
use crate::api::dto::measures::{CreateMeasure, Quota};
use crate::api::dto::units::CreateUnit;
use crate::api::extract::field_errors;
use crate::db::repo::{extensions, findings, inspections, measures, units, WriteCtx};
use crate::db::{Db, DbConnection};
use crate::domain::deadline;
use crate::domain::enums::{
    Category, FindingStatus, Level, MeasureKind, MeasureStatus, ReportCycle, SourceType,
    SupervisionLevel,
};
use crate::error::ApiError;

/// The demo ledger, built into the binary so `zhenggai seed` works from any directory.
pub const DEMO: &str = include_str!("../seeds/demo.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    /// The day the ledger describes; shifted to today on load.
    pub as_of: NaiveDate,
    #[serde(default)]
    pub units: Vec<SeedUnit>,
    #[serde(default)]
    pub inspections: Vec<SeedInspection>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedUnit {
    pub code: String,
    pub name: String,
    pub parent: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedInspection {
    pub code: String,
    pub source_type: SourceType,
    pub title: String,
    pub issuer: String,
    pub target_unit: Option<String>,
    pub feedback_date: NaiveDate,
    pub concentrated_period_end: Option<NaiveDate>,
    #[serde(default)]
    pub findings: Vec<SeedFinding>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFinding {
    pub code: String,
    pub category: Category,
    pub level: Option<Level>,
    pub supervision_level: Option<SupervisionLevel>,
    pub title: String,
    pub description: String,
    pub responsible_unit: String,
    pub primary_accountable: Option<String>,
    pub status: Option<FindingStatus>,
    pub closed_at: Option<NaiveDate>,
    #[serde(default)]
    pub measures: Vec<SeedMeasure>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedMeasure {
    pub code: String,
    pub content: String,
    pub kind: MeasureKind,
    pub lead_unit: String,
    #[serde(default)]
    pub supporting_units: Vec<String>,
    pub accountable_leader: String,
    pub responsible_person: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub completion_criteria: Option<String>,
    pub report_cycle: Option<ReportCycle>,
    pub quota: Option<Quota>,
    pub status: Option<MeasureStatus>,
    pub closed_at: Option<NaiveDate>,
    /// A pending extension request (延期申请), as the unit filed it.
    pub extension_request: Option<SeedExtension>,
    /// Closure requests the office sent back (退回), oldest first.
    #[serde(default)]
    pub returns: Vec<SeedReturn>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedExtension {
    pub requested_due_date: NaiveDate,
    pub reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedReturn {
    pub on: NaiveDate,
    pub reason: String,
}

/// What a load did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SeedReport {
    pub units: usize,
    pub inspections: usize,
    pub findings: usize,
    pub measures: usize,
    pub skipped: usize,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seeded {} units, {} inspections, {} findings, {} measures ({} already present)",
            self.units, self.inspections, self.findings, self.measures, self.skipped
        )
    }
}

#[derive(Debug, thiserror::Error)]
pub enum SeedError {
    #[error("the seed file is not valid: {0}")]
    Parse(String),
    #[error("{at}: {error}")]
    Rejected { at: String, error: String },
    #[error("database: {0}")]
    Database(String),
}

pub fn load_text(db: &Db, text: &str, tz: Tz) -> Result<SeedReport, SeedError> {
    let file: SeedFile = serde_json::from_str(text).map_err(|e| SeedError::Parse(e.to_string()))?;
    let today = deadline::today(Utc::now(), tz);
    let mut conn = db.write().map_err(|e| SeedError::Database(e.to_string()))?;
    conn.transaction(|conn| load(conn, &file, today))
}

fn rejected(at: &str, error: ApiError) -> SeedError {
    let detail = match &error {
        ApiError::Validation(errors) => errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    };
    SeedError::Rejected {
        at: at.to_string(),
        error: detail,
    }
}

impl From<diesel::result::Error> for SeedError {
    fn from(e: diesel::result::Error) -> SeedError {
        SeedError::Database(e.to_string())
    }
}

fn validated<T: Validate>(at: &str, input: T) -> Result<T, SeedError> {
    input
        .validate()
        .map_err(|e| rejected(at, ApiError::Validation(field_errors(&e))))?;
    Ok(input)
}

/// Loads a parsed seed file in the caller's transaction, with dates moved by
/// `today - as_of` days.
pub fn load(
    conn: &mut DbConnection,
    file: &SeedFile,
    today: NaiveDate,
) -> Result<SeedReport, SeedError> {
    let shift = today - file.as_of;
    let moved = |d: NaiveDate| d + shift;
    let ctx = WriteCtx::new(Some("seed".to_string()), "system");
    let mut report = SeedReport::default();
    let mut unit_ids: HashMap<String, uuid::Uuid> = HashMap::new();

    for unit in &file.units {
        let at = format!("unit {}", unit.code);
        let existing = units::find_by_code(conn, &unit.code).map_err(|e| rejected(&at, e))?;
        let id = match existing {
            Some(row) => {
                report.skipped += 1;
                row.id
            }
            None => {
                let parent_id = unit
                    .parent
                    .as_ref()
                    .map(|p| lookup(&unit_ids, &at, p))
                    .transpose()?;
                let input = validated(
                    &at,
                    CreateUnit {
                        code: unit.code.clone(),
                        name: unit.name.clone(),
                        parent_id,
                    },
                )?;
                report.units += 1;
                units::create(conn, &input, &ctx)
                    .map_err(|e| rejected(&at, e))?
                    .id
            }
        };
        unit_ids.insert(unit.code.clone(), parse_id(&id)?);
    }

    for inspection in &file.inspections {
        let at = format!("inspection {}", inspection.code);
        let inspection_id = match inspections::find_by_code(conn, &inspection.code)
            .map_err(|e| rejected(&at, e))?
        {
            Some(row) => {
                report.skipped += 1;
                row.id
            }
            None => {
                let target_unit_id = inspection
                    .target_unit
                    .as_ref()
                    .map(|u| lookup(&unit_ids, &at, u))
                    .transpose()?;
                let input = validated(
                    &at,
                    CreateInspection {
                        code: inspection.code.clone(),
                        source_type: inspection.source_type,
                        title: inspection.title.clone(),
                        issuer: inspection.issuer.clone(),
                        target_unit_id,
                        feedback_date: moved(inspection.feedback_date),
                        concentrated_period_end: inspection.concentrated_period_end.map(moved),
                    },
                )?;
                report.inspections += 1;
                inspections::create(conn, &input, &ctx)
                    .map_err(|e| rejected(&at, e))?
                    .id
            }
        };
        for finding in &inspection.findings {
            let at = format!("finding {}", finding.code);
            let finding_id = match findings::find_by_code(conn, &inspection_id, &finding.code)
                .map_err(|e| rejected(&at, e))?
            {
                Some(row) => {
                    report.skipped += 1;
                    row.id
                }
                None => {
                    let input = validated(
                        &at,
                        CreateFinding {
                            code: Some(finding.code.clone()),
                            category: finding.category,
                            level: finding.level,
                            supervision_level: finding.supervision_level,
                            title: finding.title.clone(),
                            description: finding.description.clone(),
                            responsible_unit_id: lookup(&unit_ids, &at, &finding.responsible_unit)?,
                            primary_accountable: finding.primary_accountable.clone(),
                        },
                    )?;
                    report.findings += 1;
                    findings::create(conn, &inspection_id, &input, &ctx)
                        .map_err(|e| rejected(&at, e))?
                        .id
                }
            };
            let mut created_measures = false;
            for measure in &finding.measures {
                let at = format!("measure {}", measure.code);
                if measures::find_by_code(conn, &finding_id, &measure.code)
                    .map_err(|e| rejected(&at, e))?
                    .is_some()
                {
                    report.skipped += 1;
                    continue;
                }
                let supporting_unit_ids = measure
                    .supporting_units
                    .iter()
                    .map(|u| lookup(&unit_ids, &at, u))
                    .collect::<Result<_, _>>()?;
                let input = validated(
                    &at,
                    CreateMeasure {
                        code: Some(measure.code.clone()),
                        content: measure.content.clone(),
                        kind: measure.kind,
                        lead_unit_id: lookup(&unit_ids, &at, &measure.lead_unit)?,
                        supporting_unit_ids,
                        accountable_leader: measure.accountable_leader.clone(),
                        responsible_person: measure.responsible_person.clone(),
                        due_date: measure.due_date.map(moved),
                        completion_criteria: measure.completion_criteria.clone(),
                        report_cycle: measure.report_cycle,
                        quota: measure.quota.clone(),
                    },
                )?;
                let (row, _) = measures::create(conn, &finding_id, &input, &ctx)
                    .map_err(|e| rejected(&at, e))?;
                let past = measures::Recorded {
                    status: measure.status,
                    closed_at: measure.closed_at.map(|d| at_office_hours(moved(d))),
                    return_count: (!measure.returns.is_empty())
                        .then_some(measure.returns.len() as i32),
                    ..measures::Recorded::default()
                };
                if !past.is_empty() {
                    measures::restore(conn, &row.id, &past, &ctx).map_err(|e| rejected(&at, e))?;
                }
                if let Some(ext) = &measure.extension_request {
                    let requester = WriteCtx::new(Some("seed".to_string()), "unit");
                    extensions::request(
                        conn,
                        &requester,
                        &row.id,
                        moved(ext.requested_due_date),
                        &ext.reason,
                    )
                    .map_err(|e| rejected(&at, e))?;
                }
                report.measures += 1;
                created_measures = true;
            }
            if created_measures {
                if let Some(status) = finding.status {
                    let closed_at = finding.closed_at.map(|d| at_office_hours(moved(d)));
                    findings::restore_state(conn, &finding_id, status, closed_at, &ctx)
                        .map_err(|e| rejected(&at, e))?;
                }
            }
        }
    }
    Ok(report)
}

fn lookup(
    ids: &HashMap<String, uuid::Uuid>,
    at: &str,
    code: &str,
) -> Result<uuid::Uuid, SeedError> {
    ids.get(code).copied().ok_or_else(|| SeedError::Rejected {
        at: at.to_string(),
        error: format!("unit {code} is not listed under units"),
    })
}

fn parse_id(id: &str) -> Result<uuid::Uuid, SeedError> {
    id.parse()
        .map_err(|_| SeedError::Database(format!("stored id {id} is not a UUID")))
}

/// A recorded day becomes 10:00 Beijing time (02:00 UTC).
fn at_office_hours(d: NaiveDate) -> NaiveDateTime {
    d.and_time(NaiveTime::from_hms_opt(2, 0, 0).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_demo_parses_and_references_known_units() {
        let file: SeedFile = serde_json::from_str(DEMO).unwrap();
        let codes: Vec<&str> = file.units.iter().map(|u| u.code.as_str()).collect();
        let mut measures = 0;
        for inspection in &file.inspections {
            for finding in &inspection.findings {
                assert!(codes.contains(&finding.responsible_unit.as_str()));
                for m in &finding.measures {
                    assert!(codes.contains(&m.lead_unit.as_str()), "{}", m.code);
                    measures += 1;
                }
            }
        }
        assert_eq!(measures, 19, "the example ledger has 19 measures");
    }
}
