//! Imports a ledger sheet into one inspection, all or nothing. Every cell is checked
//! first (headers, required cells, labels, dates, units, duplicates); then every row is
//! written inside one transaction through the same repository code as the API, and any
//! rule it breaks (a due date moved on a started measure, a closed measure edited…) is
//! reported against its row too. Nothing is kept unless every row is good, and a dry run
//! keeps nothing either way.
//!
//! Findings are matched by 问题编号 within the inspection, measures by 措施编号 within
//! their finding, or by their text when the sheet has no codes; so importing the same
//! sheet twice changes nothing. A new measure takes its recorded state from the sheet
//! (整改状态, 销号时间, 原定时限, 延期次数, 最新进展) so that a ledger kept in Excel moves
//! over as it stands; an existing one changes state only through the workflow.

use std::collections::HashMap;

use chrono_tz::Tz;
use diesel::Connection;

use crate::db::forms::{FindingChanges, MeasureChanges, NewFinding, NewMeasure};
use crate::db::models::FindingRow;
use crate::db::repo::measures::MeasureWithUnits;
use crate::db::repo::{findings, measures, WriteCtx};
use crate::db::schema::units;
use crate::db::DbConnection;
use crate::domain::deadline::office_hours;
use crate::domain::enums::{Category, FindingStatus, MeasureStatus};
use crate::domain::ledger::{
    self, Cell, CellError, Column, Header, ImportCounts, ImportReport, ImportRow,
};
use crate::error::ApiError;
use crate::i18n::Text;
use crate::service::measures::Recorded;
use crate::service::{self, workflow};
use crate::text;

/// 责任领导 is optional in a sheet but every measure names one: this stands in until the
/// unit fills it in.
pub const LEADER_UNKNOWN: &str = "未明确";

/// Checks `grid` and writes it into the inspection (unless `dry_run`). A sheet with
/// problems is `ApiError::Sheet` listing every one of them.
pub fn run(
    conn: &mut DbConnection,
    inspection_id: &str,
    grid: &[Vec<Cell>],
    dry_run: bool,
    ctx: &WriteCtx,
    tz: Tz,
) -> Result<ImportReport, ApiError> {
    let header = ledger::find_header(grid).map_err(ApiError::Sheet)?;
    let (rows, mut errors) = ledger::parse_rows(grid, &header);
    let units = UnitIndex::load(conn)?;
    // Rows a bad cell kept from being read still have their units checked: every problem
    // comes back in one answer, so one round of corrections suffices.
    let parsed: Vec<usize> = rows.iter().map(|r| r.row).collect();
    let mut dropped: Vec<usize> = errors
        .iter()
        .map(|e| e.row)
        .filter(|r| !parsed.contains(r))
        .collect();
    dropped.dedup();
    for row in dropped {
        if let Some(cells) = grid.get(row - 1) {
            units.check_cells(row, cells, &header, &mut errors);
        }
    }
    // A row with a bad cell is reported as such; the rules (codes, workflow) are checked
    // on the others, so nothing is reported twice.
    let mut bad_rows: Vec<usize> = errors.iter().map(|e| e.row).collect();
    bad_rows.sort_unstable();
    bad_rows.dedup();
    let planned: Vec<Planned> = rows
        .into_iter()
        .filter_map(|row| units.resolve(row, &mut errors))
        .filter(|p| bad_rows.binary_search(&p.row.row).is_err())
        .collect();
    let seen = (ctx.last_event.get(), ctx.last_shown.get());
    let outcome = conn.transaction(|conn| {
        let mut writer = Writer {
            conn,
            ctx,
            header: &header,
            inspection_id,
            tz,
            report: ImportReport {
                dry_run,
                rows: planned.len(),
                findings: ImportCounts::default(),
                measures: ImportCounts::default(),
                errors: Vec::new(),
            },
            errors: Vec::new(),
        };
        writer.write_all(&planned)?;
        let report = writer.report;
        // The cells' problems and the rules' (duplicate codes, workflow refusals), together.
        let mut all = errors.clone();
        all.extend(writer.errors);
        if !all.is_empty() {
            all.sort_by_key(|e| e.row);
            return Err(Abort::Sheet(all));
        }
        if dry_run {
            return Err(Abort::DryRun(report));
        }
        Ok(report)
    });
    match outcome {
        Ok(report) => Ok(report),
        Err(abort) => {
            // Rolled back: the events appended in between never happened.
            ctx.last_event.set(seen.0);
            ctx.last_shown.set(seen.1);
            match abort {
                Abort::DryRun(report) => Ok(report),
                Abort::Sheet(errors) => Err(ApiError::Sheet(errors)),
                Abort::Failed(e) => Err(e),
            }
        }
    }
}

/// Why the import's transaction rolls back.
enum Abort {
    DryRun(ImportReport),
    Sheet(Vec<CellError>),
    Failed(ApiError),
}

impl From<diesel::result::Error> for Abort {
    fn from(e: diesel::result::Error) -> Abort {
        Abort::Failed(e.into())
    }
}

impl From<ApiError> for Abort {
    fn from(e: ApiError) -> Abort {
        Abort::Failed(e)
    }
}

/// A row with its units resolved to ids.
struct Planned {
    row: ImportRow,
    lead: String,
    supporting: Vec<String>,
}

/// Units by code and by name.
pub(crate) struct UnitIndex {
    by_code: HashMap<String, String>,
    by_name: HashMap<String, Vec<String>>,
}

impl UnitIndex {
    pub(crate) fn load(conn: &mut DbConnection) -> Result<UnitIndex, ApiError> {
        use diesel::prelude::*;
        let all: Vec<(String, String, String)> = units::table
            .select((units::id, units::code, units::name))
            .load(conn)?;
        let mut index = UnitIndex {
            by_code: HashMap::new(),
            by_name: HashMap::new(),
        };
        for (id, code, name) in all {
            index.by_code.insert(code, id.clone());
            index.by_name.entry(name).or_default().push(id);
        }
        Ok(index)
    }

    pub(crate) fn find(&self, text: &str) -> Result<String, Text> {
        if let Some(id) = self.by_code.get(text) {
            return Ok(id.clone());
        }
        match self.by_name.get(text).map(Vec::as_slice) {
            Some([id]) => Ok(id.clone()),
            Some(_) => Err(text!("unit-name-ambiguous", name = text)),
            None => Err(text!("unit-name-unknown", name = text)),
        }
    }

    /// The units a row names, checked from its cells (for a row not read for other reasons).
    fn check_cells(
        &self,
        row: usize,
        cells: &[Cell],
        header: &Header,
        errors: &mut Vec<CellError>,
    ) {
        let text = |c: Column| {
            header
                .position(c)
                .and_then(|i| cells.get(i))
                .map(Cell::text)
                .unwrap_or_default()
        };
        let lead = text(Column::LeadUnit);
        if !lead.trim().is_empty() {
            if let Err(message) = self.find(lead.trim()) {
                errors.push(CellError {
                    row,
                    column: Some(Column::LeadUnit.label().into()),
                    value: lead.clone(),
                    message,
                });
            }
        }
        for name in ledger::split_units(&text(Column::SupportingUnits)) {
            if let Err(message) = self.find(&name) {
                errors.push(CellError {
                    row,
                    column: Some(Column::SupportingUnits.label().into()),
                    value: name,
                    message,
                });
            }
        }
    }

    fn resolve(&self, row: ImportRow, errors: &mut Vec<CellError>) -> Option<Planned> {
        let mut bad = |column: Column, value: &str, message: Text| {
            errors.push(CellError {
                row: row.row,
                column: Some(column.label().into()),
                value: value.to_string(),
                message,
            })
        };
        let lead = self
            .find(&row.lead_unit)
            .map_err(|m| bad(Column::LeadUnit, &row.lead_unit, m))
            .ok();
        let mut supporting = Vec::new();
        for name in &row.supporting_units {
            match self.find(name) {
                Ok(id) if Some(&id) == lead.as_ref() => {
                    bad(Column::SupportingUnits, name, text!("supporting-is-lead"))
                }
                Ok(id) if supporting.contains(&id) => {
                    bad(Column::SupportingUnits, name, text!("supporting-twice"))
                }
                Ok(id) => supporting.push(id),
                Err(m) => bad(Column::SupportingUnits, name, m),
            }
        }
        Some(Planned {
            lead: lead?,
            supporting,
            row,
        })
    }
}

struct Writer<'a> {
    conn: &'a mut DbConnection,
    ctx: &'a WriteCtx,
    header: &'a Header,
    inspection_id: &'a str,
    tz: Tz,
    report: ImportReport,
    /// What the rules refused, row by row.
    errors: Vec<CellError>,
}

impl Writer<'_> {
    fn write_all(&mut self, planned: &[Planned]) -> Result<(), Abort> {
        let mut order: Vec<&str> = Vec::new();
        for p in planned {
            if !order.contains(&p.row.finding_code.as_str()) {
                order.push(&p.row.finding_code);
            }
        }
        for code in order {
            let group: Vec<&Planned> = planned
                .iter()
                .filter(|p| p.row.finding_code == code)
                .collect();
            // Each finding in a savepoint of its own: a broken rule is reported, and
            // the rest of the sheet is still checked.
            let result = self.conn.transaction(|conn| {
                write_finding(
                    conn,
                    self.ctx,
                    self.header,
                    self.inspection_id,
                    self.tz,
                    &group,
                )
            });
            match result {
                Ok((finding, measures)) => {
                    add(&mut self.report.findings, finding);
                    for m in measures {
                        add(&mut self.report.measures, m);
                    }
                }
                Err(Failures(failures)) => {
                    for RowFailure { row, column, error } in failures {
                        let sheet_row = group.iter().find(|p| p.row.row == row).map(|p| &p.row);
                        self.errors
                            .extend(cell_errors(row, column, sheet_row, error)?);
                    }
                }
            }
        }
        self.errors.sort_by_key(|e| e.row);
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Created,
    Updated,
    Unchanged,
}

fn add(counts: &mut ImportCounts, outcome: Outcome) {
    match outcome {
        Outcome::Created => counts.created += 1,
        Outcome::Updated => counts.updated += 1,
        Outcome::Unchanged => counts.unchanged += 1,
    }
}

/// A rule broken while writing `row`; a problem of the whole row (a code taken, a state
/// refusing) is shown at `column`.
struct RowFailure {
    row: usize,
    column: Column,
    error: ApiError,
}

impl From<diesel::result::Error> for RowFailure {
    fn from(e: diesel::result::Error) -> RowFailure {
        RowFailure {
            row: 0,
            column: Column::FindingCode,
            error: e.into(),
        }
    }
}

/// Every rule a finding's rows broke.
struct Failures(Vec<RowFailure>);

impl From<RowFailure> for Failures {
    fn from(f: RowFailure) -> Failures {
        Failures(vec![f])
    }
}

impl From<diesel::result::Error> for Failures {
    fn from(e: diesel::result::Error) -> Failures {
        Failures(vec![e.into()])
    }
}

/// A finding's failure, at its 问题编号.
fn at(row: usize) -> impl Fn(ApiError) -> RowFailure {
    move |error| RowFailure {
        row,
        column: Column::FindingCode,
        error,
    }
}

/// A measure's failure, at its 措施编号 when the sheet has one, else its 整改措施.
fn at_measure(row: usize, header: &Header) -> impl Fn(ApiError) -> RowFailure {
    let column = if header.position(Column::MeasureCode).is_some() {
        Column::MeasureCode
    } else {
        Column::Content
    };
    move |error| RowFailure { row, column, error }
}

/// A rule the repository enforced, as the sheet's cells; a failure of the database
/// itself ends the import.
fn cell_errors(
    row: usize,
    at: Column,
    sheet_row: Option<&ImportRow>,
    error: ApiError,
) -> Result<Vec<CellError>, Abort> {
    let whole_row = |message: Text| CellError {
        row,
        column: Some(at.label().to_string()),
        value: sheet_row.map(|r| cell_value(r, at)).unwrap_or_default(),
        message,
    };
    Ok(match error {
        ApiError::Validation(fields) => fields
            .into_iter()
            .map(|f| {
                let column = column_of(&f.field).or(Some(at));
                CellError {
                    row,
                    column: column.map(|c| c.label().to_string()),
                    value: column
                        .zip(sheet_row)
                        .map(|(c, r)| cell_value(r, c))
                        .unwrap_or_default(),
                    message: f.message,
                }
            })
            .collect(),
        ApiError::Conflict(m) | ApiError::PreconditionFailed(m) => vec![whole_row(m)],
        ApiError::WrongState { message, .. } => vec![whole_row(message)],
        other => return Err(Abort::Failed(other)),
    })
}

fn column_of(field: &str) -> Option<Column> {
    let root = field.split(['.', '[']).next().unwrap_or(field);
    Some(match root {
        "code" => Column::MeasureCode,
        "finding_code" => Column::FindingCode,
        "content" => Column::Content,
        "kind" => Column::Kind,
        "lead_unit_id" | "responsible_unit_id" => Column::LeadUnit,
        "supporting_unit_ids" => Column::SupportingUnits,
        "accountable_leader" => Column::AccountableLeader,
        "responsible_person" => Column::ResponsiblePerson,
        "due_date" => Column::DueDate,
        "description" | "title" => Column::Description,
        "category" => Column::Category,
        "status" => Column::Status,
        _ => return None,
    })
}

/// A finding's title when the sheet gives only its description: the first clause.
pub fn title_of(description: &str) -> String {
    let first = description
        .split(['。', '；', ';', '\n'])
        .map(str::trim)
        .find(|s| !s.is_empty())
        .unwrap_or(description);
    let mut title: String = first.chars().take(60).collect();
    if first.chars().count() > 60 {
        title.push('…');
    }
    title
}

fn write_finding(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    header: &Header,
    inspection_id: &str,
    tz: Tz,
    group: &[&Planned],
) -> Result<(Outcome, Vec<Outcome>), Failures> {
    let first = group[0];
    let row = first.row.row;
    let existing =
        findings::find_by_code(conn, inspection_id, &first.row.finding_code).map_err(at(row))?;
    let (mut finding, outcome) = match existing {
        None => {
            let elsewhere =
                findings::inspections_with_code(conn, &first.row.finding_code).map_err(at(row))?;
            if let Some(other) = elsewhere.first() {
                return Err(Failures::from(at(row)(ApiError::field(
                    "finding_code",
                    text!(
                        "import-finding-elsewhere",
                        finding = &first.row.finding_code,
                        other = other
                    ),
                ))));
            }
            let issuer = crate::db::repo::inspections::get(conn, inspection_id)
                .map_err(at(row))?
                .issuer;
            let source = group.iter().find_map(|p| p.row.source.as_deref());
            let (source_type, source_ref) = crate::domain::ledger::own_source(source, &issuer);
            let form = NewFinding {
                source_type,
                source_ref,
                code: Some(first.row.finding_code.clone()),
                category: group
                    .iter()
                    .find_map(|p| p.row.category)
                    .unwrap_or(Category::Business),
                level: None,
                supervision_level: None,
                title: title_of(&first.row.description),
                description: first.row.description.clone(),
                responsible_unit_id: first.lead.clone(),
                primary_accountable: None,
            };
            let created =
                service::findings::create(conn, ctx, inspection_id, form).map_err(at(row))?;
            (created, Outcome::Created)
        }
        Some(found) => update_finding(conn, ctx, found, first)?,
    };
    let mut outcomes = Vec::new();
    let mut restored = false;
    let mut failures = Vec::new();
    let current = measures::of_finding(conn, &finding.id).map_err(at(row))?;
    for p in group {
        let matched = current.iter().find(|(m, _)| match &p.row.measure_code {
            Some(code) => &m.code == code,
            None => m.content == p.row.content,
        });
        // Each measure in a savepoint: a refused one is reported and the rest still checked.
        let result = conn.transaction(|conn| match matched {
            None => create_measure(conn, ctx, header, &finding, p, tz)
                .map(|under_way| (Outcome::Created, under_way)),
            Some(found) => update_measure(conn, ctx, header, found, p).map(|o| (o, false)),
        });
        match result {
            Ok((outcome, under_way)) => {
                restored |= under_way;
                outcomes.push(outcome);
            }
            Err(failure) => failures.push(failure),
        }
    }
    if !failures.is_empty() {
        return Err(Failures(failures));
    }
    if restored && outcome == Outcome::Created {
        // A finding whose measures arrive under way is under way too.
        finding = service::findings::restore_state(
            conn,
            ctx,
            &finding.id,
            FindingStatus::InProgress,
            None,
        )
        .map_err(at(row))?;
    }
    if outcomes.contains(&Outcome::Created) {
        // As when a measure is added through the API: a finding at 阶段性完成 that gets a
        // new measure is under way again, one whose measures all arrived closed is closed.
        workflow::follow_measures(conn, ctx, finding).map_err(at(row))?;
    }
    Ok((outcome, outcomes))
}

fn update_finding(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    found: FindingRow,
    first: &Planned,
) -> Result<(FindingRow, Outcome), RowFailure> {
    let row = first.row.row;
    let mut change = FindingChanges::default();
    if found.description != first.row.description {
        change.description = Some(first.row.description.clone());
    }
    if let Some(category) = first.row.category {
        if found.category != category {
            change.category = Some(category);
        }
    }
    if change.description.is_none() && change.category.is_none() {
        return Ok((found, Outcome::Unchanged));
    }
    let updated = service::findings::update(conn, ctx, &found.id, change, None).map_err(at(row))?;
    Ok((updated, Outcome::Updated))
}

/// Adds a measure and its recorded past; answers whether it arrives already under way.
fn create_measure(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    header: &Header,
    finding: &FindingRow,
    p: &Planned,
    tz: Tz,
) -> Result<bool, RowFailure> {
    let r = &p.row;
    let form = NewMeasure {
        code: r.measure_code.clone(),
        content: r.content.clone(),
        kind: r.kind,
        lead_unit_id: p.lead.clone(),
        supporting_unit_ids: p.supporting.clone(),
        accountable_leader: r
            .accountable_leader
            .clone()
            .unwrap_or_else(|| LEADER_UNKNOWN.to_string()),
        accountable_leader_sub: None,
        responsible_person: r.responsible_person.clone(),
        due_date: r.due_date,
        completion_criteria: None,
        report_cycle: None,
        quota: None,
    };
    let past = Recorded {
        status: r.status.filter(|s| *s != MeasureStatus::NotStarted),
        closed_at: r
            .closed_on
            .filter(|_| r.status == Some(MeasureStatus::Closed))
            .map(|day| office_hours(day, tz)),
        original_due_date: r.original_due_date.filter(|d| Some(*d) != r.due_date),
        extension_count: r.extension_count.filter(|n| *n > 0),
        return_count: None,
        latest_progress: r.latest_progress.clone(),
    };
    service::measures::create(conn, ctx, &finding.id, form, &past)
        .map_err(at_measure(r.row, header))?;
    Ok(past.status.is_some())
}

fn update_measure(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    header: &Header,
    (found, supporting): &MeasureWithUnits,
    p: &Planned,
) -> Result<Outcome, RowFailure> {
    let r = &p.row;
    let fail = |column: Column, message: Text| RowFailure {
        row: r.row,
        column,
        error: ApiError::Validation(vec![crate::domain::rules::FieldError::new(
            column_field(column),
            message,
        )]),
    };
    if let Some(status) = r.status {
        if status != found.status {
            let current = found.status.label();
            return Err(fail(
                Column::Status,
                text!("import-status-workflow", current = current),
            ));
        }
    }
    let has = |c: Column| header.columns.iter().any(|(_, x)| *x == c);
    let mut change = MeasureChanges::default();
    if r.content != found.content {
        change.content = Some(r.content.clone());
    }
    if r.kind != found.kind {
        change.kind = Some(r.kind);
    }
    if p.lead != found.lead_unit_id {
        change.lead_unit_id = Some(p.lead.clone());
    }
    if has(Column::SupportingUnits) {
        let mut want = p.supporting.clone();
        let mut have = supporting.clone();
        want.sort();
        have.sort();
        if want != have {
            change.supporting_unit_ids = Some(p.supporting.clone());
        }
    }
    if let Some(leader) = &r.accountable_leader {
        if *leader != found.accountable_leader {
            change.accountable_leader = Some(leader.clone());
        }
    }
    if has(Column::ResponsiblePerson) && r.responsible_person != found.responsible_person {
        change.responsible_person = Some(r.responsible_person.clone());
    }
    if r.due_date != found.due_date {
        if !crate::domain::rules::due_date_editable(found.status) {
            return Err(fail(
                Column::DueDate,
                text!("import-due-through-extension", status = found.status),
            ));
        }
        change.due_date = Some(r.due_date);
    }
    if change.is_empty() {
        return Ok(Outcome::Unchanged);
    }
    service::measures::update(conn, ctx, &found.id, change, None)
        .map_err(at_measure(r.row, header))?;
    Ok(Outcome::Updated)
}

/// What the sheet holds in `column`, as read.
fn cell_value(r: &ImportRow, column: Column) -> String {
    let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
    match column {
        Column::FindingCode => r.finding_code.clone(),
        Column::Category => r
            .category
            .map(|c| c.label().to_string())
            .unwrap_or_default(),
        Column::Description => r.description.clone(),
        Column::Content => r.content.clone(),
        Column::Kind => r.kind.label().to_string(),
        Column::LeadUnit => r.lead_unit.clone(),
        Column::SupportingUnits => r.supporting_units.join("、"),
        Column::AccountableLeader => r.accountable_leader.clone().unwrap_or_default(),
        Column::ResponsiblePerson => r.responsible_person.clone().unwrap_or_default(),
        Column::DueDate => date(r.due_date),
        Column::OriginalDueDate => date(r.original_due_date),
        Column::Status => r.status.map(|s| s.label().to_string()).unwrap_or_default(),
        Column::MeasureCode => r.measure_code.clone().unwrap_or_default(),
        _ => String::new(),
    }
}

/// The request field a column stands for (the inverse of `column_of`).
fn column_field(column: Column) -> &'static str {
    match column {
        Column::Status => "status",
        Column::DueDate => "due_date",
        _ => "row",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_title_is_the_first_clause_of_the_description() {
        assert_eq!(
            title_of("党组会专题研究党建工作频次不足；党建任务虽已分解。"),
            "党组会专题研究党建工作频次不足"
        );
        let long = "很".repeat(80);
        assert_eq!(title_of(&long).chars().count(), 61);
    }

    #[test]
    fn repository_fields_map_to_sheet_columns() {
        assert_eq!(column_of("due_date"), Some(Column::DueDate));
        assert_eq!(
            column_of("supporting_unit_ids[1]"),
            Some(Column::SupportingUnits)
        );
        assert_eq!(column_of("quota.min_count"), None);
    }
}
