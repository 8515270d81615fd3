//! Writes the ledger as offices open it: an xlsx workbook (frozen header, widths, real
//! dates, drop-downs, red and yellow rows, a sheet of numbers by unit, a sheet of the
//! year's duties period by period) or a CSV
//! with a BOM. Rows are read a page at a time inside one read transaction, and the xlsx
//! worksheet is kept on disk while it is written, so memory stays flat for any size.

use std::collections::HashMap;
use std::io::Write;

use diesel::{Connection, RunQueryDsl};
use rust_xlsxwriter::{
    Color, DataValidation, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use super::duty_sheet;
use crate::db::forms::MeasureFilter;
use crate::db::models::DutyRow;
use crate::db::repo::ledger::{self, LineCtx};
use crate::db::repo::stats::StatsFilter;
use crate::db::repo::Visibility;
use crate::db::DbConnection;
use crate::domain::duties::QuotaProgress;
use crate::domain::enums::{Category, MeasureKind, MeasureStatus, Warning};
use crate::domain::ledger::{Column, LedgerLine, Value};
use crate::domain::stats::GroupBy;
use crate::domain::stats::{Numbers, Stats};
use crate::error::ApiError;

const PAGE: i64 = 1000;
/// Rows above the data in the xlsx: the title, then the header.
const TOP: u32 = 2;
const XLSX_MAX_ROWS: u32 = 1_048_576;
/// Rows whose height is fitted to their text (see `write_line`).
const SIZED_ROWS: u32 = 5_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FileFormat {
    Xlsx,
    Csv,
}

impl FileFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            FileFormat::Csv => "text/csv; charset=utf-8",
        }
    }

    pub fn extension(self) -> &'static str {
        match self {
            FileFormat::Xlsx => "xlsx",
            FileFormat::Csv => "csv",
        }
    }
}

/// The paper the workbook is laid out for.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Paper {
    /// A3 landscape, every column: how offices print the 台账.
    #[default]
    A3,
    /// A4 landscape, the core columns only (序号, 问题编号, 问题描述, 整改措施, 牵头单位,
    /// 责任领导, 完成时限, 整改状态, 预警): for reading, not for import.
    A4,
}

/// How the workbook prints.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Print {
    pub paper: Paper,
    /// Dates as 2026年8月29日 (still date cells, so they sort).
    pub chinese_dates: bool,
}

/// The core columns of the A4 layout.
const CORE: [Column; 9] = [
    Column::Seq,
    Column::FindingCode,
    Column::Description,
    Column::Content,
    Column::LeadUnit,
    Column::AccountableLeader,
    Column::DueDate,
    Column::Status,
    Column::Warning,
];

/// A finding's own cells, merged over its measures' rows as offices do.
const FINDING_COLUMNS: [Column; 4] = [
    Column::FindingCode,
    Column::Source,
    Column::Category,
    Column::Description,
];

/// The smallest print scale a 台账 is readable at arm's length.
pub const MIN_SCALE: u16 = 70;

/// The print scale (percent) and pages across for these columns on this paper (landscape,
/// 0.5 in margins): one page across when it fits at 70% or more, else two at up to 100%.
pub fn print_scale(columns: &[Column], paper: Paper) -> (u16, u16) {
    // Excel's column width: seven pixels a character and five of padding, at 96 dpi.
    let needed: f64 = columns.iter().map(|c| c.width() * 7.0 + 5.0).sum();
    let page = match paper {
        Paper::A3 => (16.54 - 1.0) * 96.0,
        Paper::A4 => (11.69 - 1.0) * 96.0,
    };
    let one = (page * 100.0 / needed).floor();
    if one >= 100.0 {
        (100, 1)
    } else if one >= f64::from(MIN_SCALE) {
        (one as u16, 1)
    } else {
        let two = (2.0 * page * 100.0 / needed)
            .floor()
            .clamp(f64::from(MIN_SCALE), 100.0);
        (two as u16, 2)
    }
}

/// What to export: the filters of `GET /measures`, seen as `vis` sees them.
pub struct Selection {
    pub query: MeasureFilter,
    pub vis: Visibility,
    pub title: String,
    /// The year's duties the selection covers, counted (the workbook's 年度任务完成情况),
    /// and people's names by login for the quotas that bind each person.
    pub duties: Vec<(DutyRow, Vec<QuotaProgress>)>,
    pub person_names: HashMap<String, String>,
    pub print: Print,
}

/// Writes the ledger to `out`; answers how many measures it holds.
pub fn export(
    conn: &mut DbConnection,
    format: FileFormat,
    selection: &Selection,
    ctx: &LineCtx,
    out: &mut (dyn Write + Send),
) -> Result<usize, ApiError> {
    conn.transaction(|conn| {
        // One snapshot for every page (SQLite's read transaction already is one).
        if matches!(conn, DbConnection::Postgresql(_)) {
            diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                .execute(conn)?;
        }
        let mut pages = Pages {
            conn,
            selection,
            ctx,
            after: None,
            done: false,
        };
        match format {
            FileFormat::Csv => write_csv(&mut pages, out),
            FileFormat::Xlsx => {
                let stats = crate::db::repo::tallies::summary(
                    pages.conn,
                    GroupBy::Unit,
                    &selection.vis,
                    &StatsFilter {
                        inspection_id: selection.query.inspection_id.clone(),
                        units: selection.query.units.clone(),
                    },
                    &ctx.today,
                    None,
                )?;
                write_xlsx(&mut pages, &stats, out)
            }
        }
    })
}

/// The selection's lines, a page at a time.
struct Pages<'a> {
    conn: &'a mut DbConnection,
    selection: &'a Selection,
    ctx: &'a LineCtx,
    after: Option<crate::db::repo::After>,
    done: bool,
}

impl Pages<'_> {
    fn next_page(&mut self) -> Result<Option<Vec<LedgerLine>>, ApiError> {
        if self.done {
            return Ok(None);
        }
        let (lines, next) = ledger::page(
            self.conn,
            &self.selection.query,
            &self.selection.vis,
            self.after.take(),
            PAGE,
            self.ctx,
        )?;
        self.done = next.is_none();
        self.after = next;
        Ok(Some(lines).filter(|l| !l.is_empty()))
    }
}

fn io_error(e: impl std::fmt::Display) -> ApiError {
    ApiError::Internal(format!("writing the export: {e}"))
}

/// A text cell Excel would run as a formula gets a leading apostrophe (CSV injection);
/// the importer takes it off again.
fn defuse(text: String) -> String {
    if text.starts_with(crate::domain::ledger::FORMULA_STARTS) {
        format!("'{text}")
    } else {
        text
    }
}

fn write_csv(pages: &mut Pages, out: &mut (dyn Write + Send)) -> Result<usize, ApiError> {
    // The BOM tells Excel the file is UTF-8, so Chinese text opens readable.
    out.write_all(b"\xEF\xBB\xBF").map_err(io_error)?;
    let mut csv = csv::Writer::from_writer(out);
    csv.write_record(Column::ALL.iter().map(|c| c.label()))
        .map_err(io_error)?;
    let mut seq = 0;
    while let Some(lines) = pages.next_page()? {
        for line in lines {
            seq += 1;
            csv.write_record(Column::ALL.iter().map(|c| match line.value(*c, seq) {
                Value::Text(t) => defuse(t),
                other => other.to_text(),
            }))
            .map_err(io_error)?;
        }
    }
    csv.flush().map_err(io_error)?;
    Ok(seq)
}

/// The cell formats of the ledger sheet.
struct Formats {
    title: Format,
    header: Format,
    /// Per light: text, then date.
    plain: (Format, Format),
    yellow: (Format, Format),
    red: (Format, Format),
}

impl Formats {
    fn new(chinese_dates: bool) -> Formats {
        let base = Format::new()
            .set_font_name("宋体")
            .set_font_size(10)
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter)
            .set_text_wrap();
        let date = if chinese_dates {
            "yyyy\"年\"m\"月\"d\"日\""
        } else {
            "yyyy-mm-dd"
        };
        let pair = |f: Format| (f.clone(), f.set_num_format(date));
        Formats {
            title: Format::new()
                .set_font_name("方正小标宋简体")
                .set_font_size(16)
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            header: base
                .clone()
                .set_bold()
                .set_align(FormatAlign::Center)
                .set_background_color(Color::RGB(0xD9E1F2)),
            plain: pair(base.clone()),
            yellow: pair(base.clone().set_background_color(Color::RGB(0xFFEB9C))),
            red: pair(base.set_background_color(Color::RGB(0xFFC7CE))),
        }
    }

    fn of(&self, warning: Warning) -> &(Format, Format) {
        match warning {
            Warning::Red => &self.red,
            Warning::Yellow => &self.yellow,
            Warning::Green => &self.plain,
        }
    }
}

fn write_xlsx(
    pages: &mut Pages,
    stats: &Stats,
    out: &mut (dyn Write + Send),
) -> Result<usize, ApiError> {
    let xlsx = |e: XlsxError| ApiError::Internal(format!("building the workbook: {e}"));
    let print = pages.selection.print;
    let formats = Formats::new(print.chinese_dates);
    let columns: &[Column] = match print.paper {
        Paper::A3 => Column::ALL,
        Paper::A4 => &CORE,
    };
    let mut workbook = Workbook::new();
    let last_col = (columns.len() - 1) as u16;
    let sheet = workbook
        .add_worksheet_with_constant_memory()
        .map_err(xlsx)?;
    sheet.set_name("整改台账").map_err(xlsx)?;
    for (i, column) in columns.iter().enumerate() {
        sheet
            .set_column_width(i as u16, column.width())
            .map_err(xlsx)?;
    }
    sheet.set_row_height(0, 32).map_err(xlsx)?;
    sheet
        .merge_range(0, 0, 0, last_col, &pages.selection.title, &formats.title)
        .map_err(xlsx)?;
    for (i, column) in columns.iter().enumerate() {
        sheet
            .write_string_with_format(1, i as u16, column.label(), &formats.header)
            .map_err(xlsx)?;
    }
    sheet.set_freeze_panes(TOP, 0).map_err(xlsx)?;
    sheet.set_default_row_height(28);
    // Printed as offices print it: A3 landscape (A4 for the core columns), at a scale
    // still readable, the title and header on top of every page and 序号、问题编号 on the
    // left of every page across.
    let (scale, _) = print_scale(columns, print.paper);
    sheet
        .set_paper_size(match print.paper {
            Paper::A3 => 8,
            Paper::A4 => 9,
        })
        .set_landscape()
        .set_margins(0.5, 0.5, 0.6, 0.6, 0.3, 0.3)
        .set_print_scale(scale)
        .set_footer("&C第 &P 页，共 &N 页");
    sheet.set_repeat_rows(0, TOP - 1).map_err(xlsx)?;
    sheet.set_repeat_columns(0, 1).map_err(xlsx)?;
    let mut count: u32 = 0;
    // A finding's measures, written together once the next finding begins.
    let mut group: Vec<LedgerLine> = Vec::new();
    let flush = |sheet: &mut Worksheet, group: &mut Vec<LedgerLine>, count: &mut u32| {
        let first = TOP + *count;
        if first as usize + group.len() > XLSX_MAX_ROWS as usize {
            return Err(ApiError::Conflict(crate::text!(
                "export-too-many-rows",
                max = XLSX_MAX_ROWS - TOP
            )));
        }
        let merged = group.len() > 1;
        for (i, line) in group.iter().enumerate() {
            let row = first + i as u32;
            *count += 1;
            let formats = formats.of(line.warning);
            if merged && i == 0 {
                // The finding's cells over all its rows, in the first row's colours.
                let last = first + group.len() as u32 - 1;
                for (col, column) in columns.iter().enumerate() {
                    if FINDING_COLUMNS.contains(column) {
                        let text = line.value(*column, *count as usize).to_text();
                        sheet
                            .merge_range(first, col as u16, last, col as u16, &text, &formats.0)
                            .map_err(xlsx)?;
                    }
                }
            }
            let skip: &[Column] = if merged { &FINDING_COLUMNS } else { &[] };
            // The merged text needs its lines over the group's rows: the last row makes up
            // what the rows above it lack.
            let extra = if merged && i + 1 == group.len() {
                let own: u32 = group.iter().map(|l| lines_of(l, columns, skip)).sum();
                let merged_lines = group
                    .first()
                    .map_or(1, |l| lines_of(l, &FINDING_COLUMNS, &[]));
                merged_lines.saturating_sub(own)
            } else {
                0
            };
            write_line(
                sheet,
                row,
                line,
                *count as usize,
                formats,
                columns,
                (skip, extra),
            )
            .map_err(xlsx)?;
        }
        group.clear();
        Ok(())
    };
    while let Some(lines) = pages.next_page()? {
        for line in lines {
            if group
                .last()
                .is_some_and(|l| l.finding_code != line.finding_code)
            {
                flush(sheet, &mut group, &mut count)?;
            }
            group.push(line);
        }
    }
    flush(sheet, &mut group, &mut count)?;
    let last_row = (TOP + count.max(1) - 1).max(TOP);
    sheet.autofilter(1, 0, last_row, last_col).map_err(xlsx)?;
    if print.paper == Paper::A3 {
        add_dropdowns(sheet).map_err(xlsx)?;
    }
    write_stats(workbook.add_worksheet(), stats, &pages.selection.title).map_err(xlsx)?;
    let cell = |w: Warning| &formats.of(w).0;
    duty_sheet::write(
        workbook.add_worksheet(),
        &pages.selection.duties,
        &pages.ctx.unit_names,
        &pages.selection.person_names,
        &duty_sheet::SheetFormats {
            header: &formats.header,
            cell: &cell,
        },
    )
    .map_err(xlsx)?;
    workbook.save_to_writer(out).map_err(xlsx)?;
    Ok(count as usize)
}

/// Lines a wrapped text needs in a column `width` characters wide (a Chinese character
/// takes two).
fn lines_needed(text: &str, width: f64) -> u32 {
    let units: usize = text.chars().map(|c| if c.is_ascii() { 1 } else { 2 }).sum();
    ((units as f64 / width).ceil() as u32).max(1)
}

/// The lines the row's longest text needs in these columns (leaving out `skip`), at most 12.
fn lines_of(line: &LedgerLine, columns: &[Column], skip: &[Column]) -> u32 {
    columns
        .iter()
        .filter(|c| !skip.contains(c))
        .map(|c| match line.value(*c, 0) {
            Value::Text(t) => lines_needed(&t, c.width()),
            _ => 1,
        })
        .max()
        .unwrap_or(1)
        .min(12)
}

/// Writes a row, `skip`ping the merged columns, `extra` lines taller than its own text needs.
fn write_line(
    sheet: &mut Worksheet,
    row: u32,
    line: &LedgerLine,
    seq: usize,
    formats: &(Format, Format),
    columns: &[Column],
    (skip, extra): (&[Column], u32),
) -> Result<(), XlsxError> {
    // Spreadsheet programs do not grow a row for wrapped text they did not write
    // themselves: give it the height its longest cell needs. The writer keeps every
    // such height until the end, so only the first rows get one (a ledger is rarely
    // longer); the rest keep the sheet's two-line default, and memory stays bounded.
    if row >= TOP + SIZED_ROWS {
        return write_cells(sheet, row, line, seq, formats, columns, skip);
    }
    let lines = lines_of(line, columns, skip) + extra;
    sheet.set_row_height(row, 14.0 * lines as f64)?;
    write_cells(sheet, row, line, seq, formats, columns, skip)
}

fn write_cells(
    sheet: &mut Worksheet,
    row: u32,
    line: &LedgerLine,
    seq: usize,
    (text, date): &(Format, Format),
    columns: &[Column],
    skip: &[Column],
) -> Result<(), XlsxError> {
    for (i, column) in columns.iter().enumerate() {
        if skip.contains(column) {
            continue;
        }
        let col = i as u16;
        match line.value(*column, seq) {
            Value::Text(t) => sheet.write_string_with_format(row, col, t, text)?,
            Value::Number(n) => sheet.write_number_with_format(row, col, n as f64, text)?,
            Value::Date(d) => sheet.write_date_with_format(row, col, d, date)?,
            Value::Blank => sheet.write_blank(row, col, text)?,
        };
    }
    Ok(())
}

/// Drop-downs for the enumerated columns, over every row a user may add.
fn add_dropdowns(sheet: &mut Worksheet) -> Result<(), XlsxError> {
    let lists: [(Column, Vec<&str>); 3] = [
        (
            Column::Category,
            Category::ALL.iter().map(|c| c.label()).collect(),
        ),
        (
            Column::Kind,
            MeasureKind::ALL.iter().map(|c| c.label()).collect(),
        ),
        (
            Column::Status,
            MeasureStatus::ALL.iter().map(|c| c.label()).collect(),
        ),
    ];
    for (column, labels) in lists {
        let col = Column::ALL
            .iter()
            .position(|c| *c == column)
            .unwrap_or_default() as u16;
        let validation = DataValidation::new()
            .allow_list_strings(&labels)?
            .set_error_title(column.label())?
            .set_error_message(format!("请从下拉列表中选择：{}", labels.join("、")))?;
        sheet.add_data_validation(TOP, col, XLSX_MAX_ROWS - 1, col, &validation)?;
    }
    Ok(())
}

/// The second sheet: numbers by lead unit, and the total, under a title; printed A4
/// landscape, one page across.
fn write_stats(sheet: &mut Worksheet, stats: &Stats, title: &str) -> Result<(), XlsxError> {
    sheet.set_name("按单位统计")?;
    sheet
        .set_paper_size(9)
        .set_landscape()
        .set_print_fit_to_pages(1, 0)
        .set_footer("&C第 &P 页，共 &N 页");
    let header = Format::new()
        .set_font_name("宋体")
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_align(FormatAlign::Center)
        .set_background_color(Color::RGB(0xD9E1F2));
    let cell = Format::new()
        .set_font_name("宋体")
        .set_border(FormatBorder::Thin);
    let percent = cell.clone().set_num_format("0.0%");
    let days = cell.clone().set_num_format("0.0");
    let heads = [
        "单位",
        "问题数",
        "措施数",
        "已完成",
        "已销号",
        "超期",
        "红灯",
        "黄灯",
        "绿灯",
        "延期次数",
        "退回次数",
        "完成率",
        "按期完成率",
        "平均销号用时（工作日）",
    ];
    sheet.set_column_width(0, 24)?;
    let title_format = Format::new()
        .set_font_name("方正小标宋简体")
        .set_font_size(16)
        .set_bold()
        .set_align(FormatAlign::Center)
        .set_align(FormatAlign::VerticalCenter);
    sheet.set_row_height(0, 32)?;
    let title = title.replacen("整改台账", "整改情况按单位统计", 1);
    sheet.merge_range(0, 0, 0, heads.len() as u16 - 1, &title, &title_format)?;
    for (i, head) in heads.iter().enumerate() {
        if i > 0 {
            sheet.set_column_width(i as u16, 11)?;
        }
        sheet.write_string_with_format(1, i as u16, *head, &header)?;
    }
    sheet.set_freeze_panes(2, 1)?;
    sheet.set_repeat_rows(0, 1)?;
    let rows = stats
        .groups
        .iter()
        .map(|g| (g.label.as_str(), &g.numbers))
        .chain(std::iter::once(("合计", &stats.total)));
    for (i, (label, n)) in rows.enumerate() {
        let row = i as u32 + 2;
        sheet.write_string_with_format(row, 0, label, &cell)?;
        let counts = counts(n);
        for (j, value) in counts.iter().enumerate() {
            sheet.write_number_with_format(row, j as u16 + 1, *value as f64, &cell)?;
        }
        let next = counts.len() as u16 + 1;
        // A rate with nothing to divide is "—", never 0%.
        for (col, rate) in [(next, n.completion_rate), (next + 1, n.on_time_rate)] {
            match rate {
                Some(r) => sheet.write_number_with_format(row, col, r, &percent)?,
                None => sheet.write_string_with_format(row, col, "—", &cell)?,
            };
        }
        match n.avg_working_days_to_close {
            Some(d) => sheet.write_number_with_format(row, next + 2, d, &days)?,
            None => sheet.write_blank(row, next + 2, &cell)?,
        };
    }
    Ok(())
}

fn counts(n: &Numbers) -> [i64; 10] {
    [
        n.findings,
        n.measures,
        n.completed,
        n.closed,
        n.overdue,
        n.red,
        n.yellow,
        n.green,
        n.extensions,
        n.returns,
    ]
}

/// The sheet's title: the inspection's when the export is of one, and the day.
pub fn title(inspection: Option<&str>, today: chrono::NaiveDate) -> String {
    let subject = inspection.unwrap_or("");
    // "…反馈问题整改" + "台账", not "…整改整改台账".
    let ledger = if subject.ends_with("整改") {
        "台账"
    } else {
        "整改台账"
    };
    format!("{subject}{ledger}（截至{today}）")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_and_row_heights() {
        let day = chrono::NaiveDate::from_ymd_opt(2022, 9, 30).unwrap();
        assert_eq!(title(None, day), "整改台账（截至2022-09-30）");
        assert_eq!(
            title(Some("市委第三巡察组巡察反馈问题整改"), day),
            "市委第三巡察组巡察反馈问题整改台账（截至2022-09-30）"
        );
        assert_eq!(lines_needed("", 10.0), 1);
        assert_eq!(lines_needed("综合科", 10.0), 1);
        assert_eq!(lines_needed(&"很".repeat(20), 10.0), 4);
    }
}
