//! Importing a plan sheet (工作计划) as duties: every row read and checked first — units,
//! activity kinds, numbers, periods — then, unless it is a dry run, each new 任务编号 set up
//! as a duty with its rows as quotas, all in one transaction. A 任务编号 already known is
//! left as it stands (change it with PATCH).

use serde::Serialize;
use utoipa::ToSchema;

use super::import::UnitIndex;
use crate::db::forms::NewDuty;
use crate::db::repo::{duties, WriteCtx};
use crate::db::DbConnection;
use crate::domain::duties::DutyQuota;
use crate::domain::ledger::{Cell, CellError};
use crate::domain::plan::{self, PlanRow};
use crate::error::ApiError;
use crate::service;
use crate::text;

/// What an import did, or would do.
#[derive(Debug, Clone, Serialize, serde::Deserialize, ToSchema)]
pub struct PlanImportReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// Quota rows read.
    pub rows: usize,
    /// Duties set up (or that a real run would set up).
    pub created: usize,
    /// 任务编号 already known, left as they stand.
    pub existing: usize,
}

/// A row with its activity kind and its unit's id.
type Resolved<'a> = (&'a PlanRow, String, String);

pub fn run(
    conn: &mut DbConnection,
    grid: &[Vec<Cell>],
    year: i32,
    dry_run: bool,
    ctx: &WriteCtx,
) -> Result<PlanImportReport, ApiError> {
    let (rows, mut errors) = plan::parse(grid);
    let units = UnitIndex::load(conn)?;
    let kinds: Vec<(String, String)> = duties::kinds(conn)?
        .into_iter()
        .map(|k| (k.code, k.name))
        .collect();
    // Rows of one 任务编号, in the sheet's order, each with its kind and unit.
    let mut groups: Vec<(String, Vec<Resolved>)> = Vec::new();
    for row in &rows {
        let kind = plan::kind_of(row, &kinds).map_err(|e| errors.push(e)).ok();
        let unit_id = units
            .find(&row.unit)
            .map_err(|message| {
                errors.push(CellError {
                    row: row.row,
                    column: Some("责任单位".into()),
                    value: row.unit.clone(),
                    message,
                })
            })
            .ok();
        let (Some(kind), Some(unit_id)) = (kind, unit_id) else {
            continue;
        };
        match groups.iter_mut().find(|(code, _)| *code == row.code) {
            Some((_, group)) => {
                let (first, _, first_unit) = &group[0];
                if *first_unit != unit_id {
                    errors.push(CellError {
                        row: row.row,
                        column: Some("责任单位".into()),
                        value: row.unit.clone(),
                        message: text!(
                            "plan-one-unit",
                            code = &row.code,
                            unit = &first.unit,
                            row = first.row
                        ),
                    });
                }
                group.push((row, kind, unit_id));
            }
            None => groups.push((row.code.clone(), vec![(row, kind, unit_id)])),
        }
    }
    let mut planned = Vec::new();
    for (code, group) in &groups {
        let (first, _, unit_id) = &group[0];
        let quotas = group
            .iter()
            .map(|(r, kind, _)| DutyQuota {
                metric: r.metric.clone(),
                min: r.min,
                unit: r.unit_of,
                period: r.period,
                per: r.per,
                persons: r.persons.clone(),
                activity_kinds: vec![kind.clone()],
                report_to: None,
                due_within_period: None,
            })
            .collect();
        planned.push((
            first.row,
            NewDuty {
                code: code.clone(),
                title: first.title.clone(),
                year: first.year.unwrap_or(year),
                unit_id: unit_id.clone(),
                source: Some("工作计划导入".into()),
                measure_id: None,
                quotas,
            },
        ));
    }
    if !errors.is_empty() {
        errors.sort_by_key(|e| e.row);
        return Err(ApiError::Sheet(errors));
    }
    let mut report = PlanImportReport {
        dry_run,
        rows: rows.len(),
        created: 0,
        existing: 0,
    };
    for (row, form) in planned {
        if duties::find_by_code(conn, &form.code)?.is_some() {
            report.existing += 1;
            continue;
        }
        report.created += 1;
        if !dry_run {
            service::duties::create(conn, ctx, form).map_err(|e| at_row(row, e))?;
        }
    }
    Ok(report)
}

/// A use case's refusal, as a problem of the row it came from.
fn at_row(row: usize, e: ApiError) -> ApiError {
    match e {
        ApiError::Validation(fields) => ApiError::Sheet(
            fields
                .into_iter()
                .map(|f| CellError {
                    row,
                    column: None,
                    value: String::new(),
                    message: text!("field-says", field = f.field, message = f.message),
                })
                .collect(),
        ),
        other => other,
    }
}
