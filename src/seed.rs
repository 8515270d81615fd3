//! Seed data: a ledger in JSON (see seeds/demo.json), loaded through the same use cases as
//! the API (`service`). Dates are shifted so that the file's `as_of` day becomes
//! today, so the demo always shows red, yellow and green items. Loading twice adds nothing:
//! items are matched by their codes.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use chrono::{NaiveDate, NaiveDateTime, Utc};
use chrono_tz::Tz;
use diesel::Connection;
use serde::Deserialize;

use crate::db::forms::{
    Holder, NewFinding, NewHandover, NewInspection, NewMeasure, NewPerson, NewUnit,
};
use crate::db::repo::{findings, handovers, inspections, measures, people, units, WriteCtx};
use crate::db::{Db, DbConnection};
use chrono::Datelike;

use crate::domain::calendar::Calendar;
use crate::domain::deadline;
use crate::domain::enums::{
    Category, FindingStatus, HolderRole, Level, MeasureKind, MeasureStatus, ReportCycle,
    SourceType, SupervisionLevel,
};
use crate::domain::permissions::{Actor, Role};
use crate::domain::quota::Quota;
use crate::error::ApiError;
use crate::service::{self, measures::Recorded};

/// The demo ledger, built into the binary so `zhenggai seed` works from any directory.
pub const DEMO: &str = include_str!("../seeds/demo.json");

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedFile {
    /// The day the ledger describes; shifted to today on load.
    pub as_of: NaiveDate,
    #[serde(default)]
    pub units: Vec<SeedUnit>,
    /// The people directory (人员名录): who works where, who oversees what.
    #[serde(default)]
    pub people: Vec<SeedPerson>,
    #[serde(default)]
    pub inspections: Vec<SeedInspection>,
    /// Handovers (责任交接) recorded after the ledger was set up, in order.
    #[serde(default)]
    pub handovers: Vec<SeedHandover>,
    /// Annual duties (年度任务) of the year the seed is loaded in.
    #[serde(default)]
    pub duties: Vec<SeedDuty>,
    /// Activities held this year, dated so many days before the day the seed is loaded
    /// (those that would fall in the year before are left out).
    #[serde(default)]
    pub activities: Vec<SeedActivity>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedDuty {
    pub code: String,
    pub title: String,
    pub unit: String,
    pub source: Option<String>,
    /// The long-term measure (code) it keeps, linked when the ledger carries it.
    pub measure: Option<String>,
    pub quotas: Vec<crate::domain::duties::DutyQuota>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedActivity {
    pub kind: String,
    pub title: String,
    pub unit: String,
    pub days_ago: i64,
    #[serde(default)]
    pub persons: Vec<String>,
    pub hours: Option<f64>,
    pub count: Option<i32>,
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedPerson {
    pub sub: String,
    pub name: String,
    pub title: Option<String>,
    pub unit: Option<String>,
    /// Unit codes the person oversees (分管).
    #[serde(default)]
    pub oversees: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedHolder {
    pub sub: Option<String>,
    pub name: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SeedHandover {
    pub role: HolderRole,
    pub from: SeedHolder,
    pub to: SeedHolder,
    /// Only measures led by this unit (code) or one below it.
    pub unit: Option<String>,
    pub reason: String,
    pub effective_date: NaiveDate,
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
    /// Its own source, when not the inspection's.
    pub source_type: Option<SourceType>,
    pub source_ref: Option<String>,
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
    /// The leader's login id in the seed's people directory.
    #[serde(default)]
    pub accountable_leader_sub: Option<String>,
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
    pub people: usize,
    pub handovers: usize,
    pub duties: usize,
    pub activities: usize,
    pub skipped: usize,
}

impl fmt::Display for SeedReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "seeded {} units, {} people, {} inspections, {} findings, {} measures, {} handovers, \
             {} duties, {} activities ({} already present)",
            self.units,
            self.people,
            self.inspections,
            self.findings,
            self.measures,
            self.handovers,
            self.duties,
            self.activities,
            self.skipped
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

pub fn load_text(
    db: &Db,
    text: &str,
    tz: Tz,
    calendar: Arc<Calendar>,
) -> Result<SeedReport, SeedError> {
    let file: SeedFile = serde_json::from_str(text).map_err(|e| SeedError::Parse(e.to_string()))?;
    let today = deadline::today(Utc::now(), tz);
    let mut conn = db.write().map_err(|e| SeedError::Database(e.to_string()))?;
    conn.transaction(|conn| load(conn, &file, today, tz, calendar))
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

/// Loads a parsed seed file in the caller's transaction, with dates moved by
/// `today - as_of` days, through the same use cases as the API.
pub fn load(
    conn: &mut DbConnection,
    file: &SeedFile,
    today: NaiveDate,
    tz: Tz,
    calendar: Arc<Calendar>,
) -> Result<SeedReport, SeedError> {
    let mut loader = Loader {
        conn,
        ctx: WriteCtx::new(Actor::system("seed"), calendar).in_zone(tz),
        shift: today - file.as_of,
        tz,
        report: SeedReport::default(),
        unit_ids: HashMap::new(),
    };
    for unit in &file.units {
        loader.unit(unit)?;
    }
    for person in &file.people {
        loader.person(person)?;
    }
    for inspection in &file.inspections {
        let inspection_id = loader.inspection(inspection)?;
        for finding in &inspection.findings {
            loader.finding(&inspection_id, finding)?;
        }
    }
    for handover in &file.handovers {
        loader.handover(handover)?;
    }
    let mut new_duties = false;
    for duty in &file.duties {
        new_duties |= loader.duty(duty, today.year())?;
    }
    // Activities have no code: they come with the duties, once.
    if new_duties {
        for activity in &file.activities {
            loader.activity(activity, today)?;
        }
    }
    Ok(loader.report)
}

struct Loader<'a> {
    conn: &'a mut DbConnection,
    ctx: WriteCtx,
    shift: chrono::Duration,
    tz: Tz,
    report: SeedReport,
    /// Unit code → id.
    unit_ids: HashMap<String, String>,
}

impl Loader<'_> {
    fn moved(&self, d: NaiveDate) -> NaiveDate {
        d + self.shift
    }

    /// A recorded day as a moment: office hours in the configured zone.
    fn at_office_hours(&self, d: NaiveDate) -> NaiveDateTime {
        deadline::office_hours(self.moved(d), self.tz)
    }

    fn unit_id(&self, at: &str, code: &str) -> Result<String, SeedError> {
        self.unit_ids
            .get(code)
            .cloned()
            .ok_or_else(|| SeedError::Rejected {
                at: at.to_string(),
                error: format!("unit {code} is not listed under units"),
            })
    }

    fn unit(&mut self, unit: &SeedUnit) -> Result<(), SeedError> {
        let at = format!("unit {}", unit.code);
        let id = match units::find_by_code(self.conn, &unit.code).map_err(|e| rejected(&at, e))? {
            Some(row) => {
                self.report.skipped += 1;
                row.id
            }
            None => {
                let form = NewUnit {
                    code: unit.code.clone(),
                    name: unit.name.clone(),
                    parent_id: unit
                        .parent
                        .as_ref()
                        .map(|p| self.unit_id(&at, p))
                        .transpose()?,
                };
                self.report.units += 1;
                service::units::create(self.conn, &self.ctx, form)
                    .map_err(|e| rejected(&at, e))?
                    .id
            }
        };
        self.unit_ids.insert(unit.code.clone(), id);
        Ok(())
    }

    fn person(&mut self, person: &SeedPerson) -> Result<(), SeedError> {
        let at = format!("person {}", person.sub);
        if people::find(self.conn, &person.sub)
            .map_err(|e| rejected(&at, e))?
            .is_some()
        {
            self.report.skipped += 1;
            return Ok(());
        }
        let form = NewPerson {
            sub: person.sub.clone(),
            name: person.name.clone(),
            title: person.title.clone(),
            unit_id: person
                .unit
                .as_ref()
                .map(|u| self.unit_id(&at, u))
                .transpose()?,
            oversees_unit_ids: person
                .oversees
                .iter()
                .map(|u| self.unit_id(&at, u))
                .collect::<Result<_, _>>()?,
        };
        self.report.people += 1;
        service::people::create(self.conn, &self.ctx, form).map_err(|e| rejected(&at, e))?;
        Ok(())
    }

    /// A duty for `year`, once (by code); true when it was set up now.
    fn duty(&mut self, d: &SeedDuty, year: i32) -> Result<bool, SeedError> {
        let at = format!("duty {}", d.code);
        let exists = crate::db::repo::duties::list(
            self.conn,
            &crate::db::forms::DutyFilter {
                year: Some(year),
                ..Default::default()
            },
            &crate::domain::permissions::Visibility::All,
            None,
            500,
        )
        .map_err(|e| rejected(&at, e))?
        .rows
        .iter()
        .any(|r| r.code == d.code);
        if exists {
            self.report.skipped += 1;
            return Ok(false);
        }
        let form = crate::db::forms::NewDuty {
            code: d.code.clone(),
            title: d.title.clone(),
            year,
            unit_id: self.unit_id(&at, &d.unit)?,
            source: d.source.clone(),
            // Linked when the ledger loaded carries the measure (a seed may leave it out).
            measure_id: match &d.measure {
                Some(code) => crate::db::repo::measures::with_code(self.conn, code)
                    .map_err(|e| rejected(&at, e))?
                    .map(|m| m.id),
                None => None,
            },
            quotas: d.quotas.clone(),
        };
        service::duties::create(self.conn, &self.ctx, form).map_err(|e| rejected(&at, e))?;
        self.report.duties += 1;
        Ok(true)
    }

    fn activity(&mut self, a: &SeedActivity, today: NaiveDate) -> Result<(), SeedError> {
        let held_on = today - chrono::Duration::days(a.days_ago);
        if held_on.year() != today.year() {
            return Ok(());
        }
        let at = format!("activity {} ({})", a.title, a.days_ago);
        let form = crate::db::forms::NewActivity {
            kind: a.kind.clone(),
            title: a.title.clone(),
            held_on,
            unit_id: self.unit_id(&at, &a.unit)?,
            duty_id: None,
            persons: a.persons.clone(),
            hours: a.hours,
            count: a.count,
            note: a.note.clone(),
            evidence_ids: vec![],
        };
        service::duties::record(self.conn, &self.ctx, form).map_err(|e| rejected(&at, e))?;
        self.report.activities += 1;
        Ok(())
    }

    /// A handover, once: a second load finds it recorded (same holders, same day).
    fn handover(&mut self, h: &SeedHandover) -> Result<(), SeedError> {
        let at = format!("handover {} → {}", h.from.name, h.to.name);
        let effective_date = self.moved(h.effective_date);
        let recorded = handovers::list(
            self.conn,
            &crate::db::forms::HandoverFilter {
                person: Some(h.to.name.clone()),
                from_date: Some(effective_date),
                to_date: Some(effective_date),
                ..Default::default()
            },
            &crate::domain::permissions::Visibility::All,
            None,
            1000,
        )
        .map_err(|e| rejected(&at, e))?;
        if recorded
            .rows
            .iter()
            .any(|r| r.from_name == h.from.name && r.role == h.role.as_str())
        {
            self.report.skipped += 1;
            return Ok(());
        }
        let holder = |s: &SeedHolder| Holder {
            sub: s.sub.clone(),
            name: s.name.clone(),
        };
        let form = NewHandover {
            role: h.role,
            from: holder(&h.from),
            to: holder(&h.to),
            unit_id: h.unit.as_ref().map(|u| self.unit_id(&at, u)).transpose()?,
            measure_ids: None,
            reason: h.reason.clone(),
            effective_date,
        };
        self.report.handovers += 1;
        service::handovers::hand_over(self.conn, &self.ctx, form).map_err(|e| rejected(&at, e))?;
        Ok(())
    }

    fn inspection(&mut self, inspection: &SeedInspection) -> Result<String, SeedError> {
        let at = format!("inspection {}", inspection.code);
        if let Some(row) =
            inspections::find_by_code(self.conn, &inspection.code).map_err(|e| rejected(&at, e))?
        {
            self.report.skipped += 1;
            return Ok(row.id);
        }
        let form = NewInspection {
            code: inspection.code.clone(),
            source_type: inspection.source_type,
            title: inspection.title.clone(),
            issuer: inspection.issuer.clone(),
            target_unit_id: inspection
                .target_unit
                .as_ref()
                .map(|u| self.unit_id(&at, u))
                .transpose()?,
            feedback_date: self.moved(inspection.feedback_date),
            concentrated_period_end: inspection.concentrated_period_end.map(|d| self.moved(d)),
        };
        self.report.inspections += 1;
        Ok(service::inspections::create(self.conn, &self.ctx, form)
            .map_err(|e| rejected(&at, e))?
            .id)
    }

    fn finding(&mut self, inspection_id: &str, finding: &SeedFinding) -> Result<(), SeedError> {
        let at = format!("finding {}", finding.code);
        let finding_id = match findings::find_by_code(self.conn, inspection_id, &finding.code)
            .map_err(|e| rejected(&at, e))?
        {
            Some(row) => {
                self.report.skipped += 1;
                row.id
            }
            None => {
                let form = NewFinding {
                    source_type: finding.source_type,
                    source_ref: finding.source_ref.clone(),
                    code: Some(finding.code.clone()),
                    category: finding.category,
                    level: finding.level,
                    supervision_level: finding.supervision_level,
                    title: finding.title.clone(),
                    description: finding.description.clone(),
                    responsible_unit_id: self.unit_id(&at, &finding.responsible_unit)?,
                    primary_accountable: finding.primary_accountable.clone(),
                };
                self.report.findings += 1;
                service::findings::create(self.conn, &self.ctx, inspection_id, form)
                    .map_err(|e| rejected(&at, e))?
                    .id
            }
        };
        let mut created_measures = false;
        for measure in &finding.measures {
            created_measures |= self.measure(&finding_id, measure)?;
        }
        if created_measures {
            if let Some(status) = finding.status {
                let closed_at = finding.closed_at.map(|d| self.at_office_hours(d));
                service::findings::restore_state(
                    self.conn,
                    &self.ctx,
                    &finding_id,
                    status,
                    closed_at,
                )
                .map_err(|e| rejected(&at, e))?;
            }
        }
        Ok(())
    }

    /// Adds a measure with its recorded past; false when it was there already.
    fn measure(&mut self, finding_id: &str, measure: &SeedMeasure) -> Result<bool, SeedError> {
        let at = format!("measure {}", measure.code);
        if measures::find_by_code(self.conn, finding_id, &measure.code)
            .map_err(|e| rejected(&at, e))?
            .is_some()
        {
            self.report.skipped += 1;
            return Ok(false);
        }
        let form = NewMeasure {
            code: Some(measure.code.clone()),
            content: measure.content.clone(),
            kind: measure.kind,
            lead_unit_id: self.unit_id(&at, &measure.lead_unit)?,
            supporting_unit_ids: measure
                .supporting_units
                .iter()
                .map(|u| self.unit_id(&at, u))
                .collect::<Result<_, _>>()?,
            accountable_leader: measure.accountable_leader.clone(),
            accountable_leader_sub: measure.accountable_leader_sub.clone(),
            responsible_person: measure.responsible_person.clone(),
            due_date: measure.due_date.map(|d| self.moved(d)),
            completion_criteria: measure.completion_criteria.clone(),
            report_cycle: measure.report_cycle,
            quota: measure.quota.clone(),
        };
        let past = Recorded {
            status: measure.status,
            closed_at: measure.closed_at.map(|d| self.at_office_hours(d)),
            return_count: (!measure.returns.is_empty()).then_some(measure.returns.len() as i32),
            ..Recorded::default()
        };
        let (row, _) = service::measures::create(self.conn, &self.ctx, finding_id, form, &past)
            .map_err(|e| rejected(&at, e))?;
        if let Some(ext) = &measure.extension_request {
            // Asked by the unit, as the office's sheet records it.
            let requester = WriteCtx::new(
                Actor::recorded("seed", Role::Unit),
                self.ctx.calendar.clone(),
            );
            service::extensions::request(
                self.conn,
                &requester,
                &row.id,
                self.moved(ext.requested_due_date),
                &ext.reason,
            )
            .map_err(|e| rejected(&at, e))?;
        }
        self.report.measures += 1;
        Ok(true)
    }
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
