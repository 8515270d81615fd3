//! `zhenggai export` and `zhenggai import`: the ledger files from the command line, with
//! the rights of the office (everything in view) and the same code as the API.

use std::io::Write;
use std::path::Path;

use chrono::Utc;
use diesel::Connection;

use super::export::{self, FileFormat, Selection};
use crate::config::Config;
use crate::db::forms::MeasureFilter;
use crate::db::repo::ledger::{unit_names, LineCtx};
use crate::db::repo::{inspections, Visibility, WriteCtx};
use crate::db::DbConnection;
use crate::domain::deadline::{self, Today};
use crate::domain::enums::MeasureSort;
use crate::domain::ledger::ImportReport;
use crate::domain::permissions::Actor;
use crate::error::ApiError;

fn today(config: &Config) -> Result<Today, String> {
    Ok(Today::new(
        deadline::today(Utc::now(), config.tz),
        config.calendar()?.into(),
        config.yellow_days,
    ))
}

fn connect(config: &Config) -> Result<crate::db::PooledConn, String> {
    let db = crate::db::Db::open_migrated(&config.database_url, config.pool_size)
        .map_err(|e| e.to_string())?;
    db.write().map_err(|e| e.to_string())
}

fn inspection_id(conn: &mut DbConnection, code: &str) -> Result<String, String> {
    inspections::find_by_code(conn, code)
        .map_err(|e| e.to_string())?
        .map(|i| i.id)
        .ok_or_else(|| format!("no inspection has code {code}"))
}

/// Writes the ledger (of one inspection, or all) to `out` or standard output.
pub fn export_to(
    config: &Config,
    format: FileFormat,
    inspection: Option<&str>,
    out: Option<&Path>,
) -> Result<String, String> {
    let mut conn = connect(config)?;
    let mut query = MeasureFilter {
        sort: MeasureSort::CreatedAt,
        ..MeasureFilter::default()
    };
    let mut subject = None;
    if let Some(code) = inspection {
        let id = inspection_id(&mut conn, code)?;
        let row = inspections::get(&mut conn, &id).map_err(|e| e.to_string())?;
        query.inspection_id = Some(id);
        subject = Some(row.title);
    }
    let today = today(config)?;
    let day = today.date;
    let ctx = LineCtx {
        today,
        tz: config.tz,
        unit_names: unit_names(&mut conn).map_err(|e| e.to_string())?,
        as_of: None,
    };
    let org = crate::service::directory::load(&mut conn).map_err(|e| e.to_string())?;
    let duties = crate::service::duties::of_ledger(
        &mut conn,
        &crate::domain::permissions::Actor::system("cli"),
        query.inspection_id.as_deref(),
        None,
        day,
        &ctx.today.calendar,
        &org,
    )
    .map_err(|e| e.to_string())?;
    let selection = Selection {
        query,
        vis: Visibility::All,
        title: export::title(subject.as_deref(), day),
        duties,
        person_names: org.names(),
        print: export::Print::default(),
    };
    let mut sink: Box<dyn Write + Send> = match out {
        Some(path) => Box::new(std::io::BufWriter::new(
            std::fs::File::create(path)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
        )),
        None => Box::new(std::io::BufWriter::new(std::io::stdout())),
    };
    let count = export::export(&mut conn, format, &selection, &ctx, &mut *sink)
        .map_err(|e| e.to_string())?;
    sink.flush().map_err(|e| e.to_string())?;
    Ok(format!("exported {count} measures"))
}

/// Imports a sheet into the inspection coded `inspection`; prints every problem, by row
/// and column, when the sheet has some.
pub fn import_file(
    config: &Config,
    file: &Path,
    inspection: &str,
    dry_run: bool,
) -> Result<String, String> {
    let bytes = std::fs::read(file).map_err(|e| format!("cannot read {}: {e}", file.display()))?;
    let grid = super::read::grid(&bytes).map_err(describe)?;
    let mut conn = connect(config)?;
    let id = inspection_id(&mut conn, inspection)?;
    let ctx = WriteCtx::new(Actor::system("import"), config.calendar()?.into());
    let report = conn
        .transaction(|conn| super::import::run(conn, &id, &grid, dry_run, &ctx, config.tz))
        .map_err(describe)?;
    Ok(summary(&report))
}

fn summary(r: &ImportReport) -> String {
    format!(
        "{}{} rows: findings {} new, {} changed, {} unchanged; measures {} new, {} changed, {} unchanged",
        if r.dry_run { "dry run (nothing written): " } else { "" },
        r.rows,
        r.findings.created,
        r.findings.updated,
        r.findings.unchanged,
        r.measures.created,
        r.measures.updated,
        r.measures.unchanged
    )
}

fn describe(e: ApiError) -> String {
    match e {
        ApiError::Sheet(cells) => {
            let mut text = format!(
                "the sheet has {} problem(s); nothing was imported",
                cells.len()
            );
            for c in cells {
                let column = c.column.unwrap_or_default();
                let value = if c.value.is_empty() {
                    String::new()
                } else {
                    format!(" {:?}", c.value)
                };
                text.push_str(&format!("\n  row {} {column}{value}: {}", c.row, c.message));
            }
            text
        }
        ApiError::Validation(fields) => fields
            .iter()
            .map(|f| f.message.to_string())
            .collect::<Vec<_>>()
            .join("; "),
        other => other.to_string(),
    }
}
