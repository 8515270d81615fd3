//! The rectification ledger (整改台账) as offices keep it in Excel: its columns, how a
//! cell reads and prints, and how a sheet's rows become typed rows. No I/O: the readers in
//! `crate::documents` turn files into [`Cell`] grids, the importer resolves units and codes.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::enums::{Category, MeasureKind, MeasureStatus, SourceType, Warning};
use crate::i18n::Text;
use crate::text;

macro_rules! columns {
    ($($variant:ident => ($label:literal, $width:literal)),+ $(,)?) => {
        /// A ledger column, in the order offices use.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Column { $($variant),+ }

        impl Column {
            pub const ALL: &'static [Column] = &[$(Column::$variant),+];

            /// The header offices write.
            pub fn label(self) -> &'static str {
                match self { $(Column::$variant => $label),+ }
            }

            /// A width, in characters, that fits what the column usually holds.
            pub fn width(self) -> f64 {
                match self { $(Column::$variant => $width as f64),+ }
            }
        }
    };
}

columns! {
    Seq => ("序号", 6),
    FindingCode => ("问题编号", 16),
    Source => ("问题来源", 14),
    Category => ("问题类别", 12),
    Description => ("问题描述", 36),
    Content => ("整改措施", 36),
    Kind => ("整改类型", 10),
    LeadUnit => ("牵头单位", 16),
    SupportingUnits => ("配合单位", 14),
    AccountableLeader => ("责任领导", 14),
    ResponsiblePerson => ("责任人", 12),
    DueDate => ("完成时限", 12),
    OriginalDueDate => ("原定时限", 12),
    ExtensionCount => ("延期次数", 8),
    Status => ("整改状态", 11),
    Warning => ("预警", 7),
    LatestProgress => ("最新进展", 30),
    ClosedOn => ("销号时间", 12),
    EvidenceCount => ("佐证材料数", 9),
    ReminderCount => ("催办次数", 8),
    // Not in the offices' list: it names a measure so that re-importing a sheet matches
    // measures by code. Optional on import; without it a measure matches by its text.
    MeasureCode => ("措施编号", 18),
}

impl Column {
    /// The columns an import cannot do without (完成时限 only for measures that end).
    pub const REQUIRED: &'static [Column] = &[
        Column::FindingCode,
        Column::Description,
        Column::Content,
        Column::Kind,
        Column::LeadUnit,
        Column::DueDate,
    ];

    /// Which column a header cell names: the label itself, or a name offices also use.
    /// Spaces, line breaks, asterisks and notes in brackets are ignored.
    pub fn from_header(text: &str) -> Option<Column> {
        let key = normalize_header(text);
        if key.is_empty() {
            return None;
        }
        if let Some(c) = Column::ALL.iter().find(|c| c.label() == key) {
            return Some(*c);
        }
        let alias = match key.as_str() {
            "编号" | "问题序号" => Column::FindingCode,
            "来源" | "问题出处" => Column::Source,
            "类别" | "问题类型" | "问题分类" => Column::Category,
            "存在问题" | "问题" | "问题表现" | "反馈问题" | "问题内容" => {
                Column::Description
            }
            "措施" | "具体措施" | "整改任务" | "整改措施及目标" => Column::Content,
            "整改方式" | "措施类型" => Column::Kind,
            "责任单位" | "牵头部门" | "责任部门" | "牵头科室" => Column::LeadUnit,
            "配合部门" | "协办单位" | "配合科室" => Column::SupportingUnits,
            "分管领导" | "责任领导人" => Column::AccountableLeader,
            "具体责任人" | "经办人" => Column::ResponsiblePerson,
            "整改时限" | "完成时间" | "整改期限" | "时限" | "完成期限" => {
                Column::DueDate
            }
            "原整改时限" | "原完成时限" => Column::OriginalDueDate,
            "状态" | "完成情况" | "整改进度" => Column::Status,
            "预警状态" | "红黄绿灯" => Column::Warning,
            "进展情况" | "整改进展" | "最新进展情况" => Column::LatestProgress,
            "销号日期" => Column::ClosedOn,
            "佐证材料" | "佐证材料数量" => Column::EvidenceCount,
            "措施序号" => Column::MeasureCode,
            _ => return None,
        };
        Some(alias)
    }
}

fn normalize_header(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for ch in text.chars() {
        match ch {
            '(' | '（' | '[' | '【' => depth += 1,
            ')' | '）' | ']' | '】' => depth = (depth - 1).max(0),
            _ if depth > 0 => {}
            '*' | '＊' | ':' | '：' => {}
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// How a cell starts when a spreadsheet would run it as a formula or a DDE command: the
/// ASCII signs, their fullwidth forms (Excel and WPS take ＝ as =) and the pipe. The CSV
/// export puts an apostrophe before such text; the importer takes it off.
pub const FORMULA_STARTS: [char; 11] =
    ['=', '+', '-', '@', '\t', '\r', '|', '＝', '＋', '－', '＠'];

/// One cell as a reader found it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    Empty,
    Text(String),
    Number(f64),
    Date(NaiveDate),
}

impl Cell {
    pub fn is_empty(&self) -> bool {
        match self {
            Cell::Empty => true,
            Cell::Text(t) => t.trim().is_empty(),
            _ => false,
        }
    }

    /// The cell as text, the way a person would read it back.
    pub fn text(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(t) => t.trim().to_string(),
            Cell::Number(n) if n.fract() == 0.0 && n.abs() < 1e15 => format!("{}", *n as i64),
            Cell::Number(n) => n.to_string(),
            Cell::Date(d) => d.to_string(),
        }
    }
}

/// Reads a date as offices write it: a date cell, an Excel day number, `2022-12-31`,
/// `2022/12/31`, `2022.12.31`, `20221231`, `2022年12月31日`, or a month (`2022年12月`,
/// `2022年12月底前`) meaning its last day. A trailing 前 (before) changes nothing.
pub fn parse_date(cell: &Cell) -> Result<NaiveDate, Text> {
    match cell {
        Cell::Date(d) => Ok(*d),
        Cell::Number(n) if n.fract() == 0.0 && (1.0..2_958_466.0).contains(n) => {
            excel_day(*n as i64).ok_or_else(|| text!("cell-not-date"))
        }
        Cell::Number(_) => Err(text!("cell-not-date")),
        Cell::Empty => Err(text!("cell-empty")),
        Cell::Text(t) => parse_date_text(t.trim()),
    }
}

fn excel_day(n: i64) -> Option<NaiveDate> {
    if (1..=99_999).contains(&n) && n > 20_000 {
        NaiveDate::from_ymd_opt(1899, 12, 30)?.checked_add_days(chrono::Days::new(n as u64))
    } else {
        None
    }
}

fn parse_date_text(text: &str) -> Result<NaiveDate, Text> {
    let bad = || text!("cell-date-unreadable", value = text);
    let mut numbers: Vec<&str> = Vec::new();
    let mut start: Option<usize> = None;
    for (i, ch) in text.char_indices() {
        if ch.is_ascii_digit() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(s) = start.take() {
            numbers.push(&text[s..i]);
        }
        if !"-/.年月日号底前之内 :T".contains(ch) {
            return Err(bad());
        }
    }
    if let Some(s) = start {
        numbers.push(&text[s..]);
    }
    let num = |s: &str| s.parse::<u32>().map_err(|_| bad());
    match numbers.as_slice() {
        [all] if all.len() == 8 => NaiveDate::parse_from_str(all, "%Y%m%d").map_err(|_| bad()),
        [y, m] if y.len() == 4 => {
            let (y, m) = (num(y)? as i32, num(m)?);
            month_end(y, m).ok_or_else(bad)
        }
        [y, m, d, ..] if y.len() == 4 => {
            NaiveDate::from_ymd_opt(num(y)? as i32, num(m)?, num(d)?).ok_or_else(bad)
        }
        _ => Err(bad()),
    }
}

fn month_end(year: i32, month: u32) -> Option<NaiveDate> {
    let first = NaiveDate::from_ymd_opt(year, month, 1)?;
    let next = if month == 12 {
        NaiveDate::from_ymd_opt(year + 1, 1, 1)?
    } else {
        NaiveDate::from_ymd_opt(year, month + 1, 1)?
    };
    debug_assert!(first.month() == month);
    next.pred_opt()
}

/// Reads an enumerated cell: its Chinese label or the API identifier.
fn parse_label<T: Copy>(
    text: &str,
    all: &[T],
    label: fn(T) -> &'static str,
    ident: fn(T) -> &'static str,
) -> Result<T, Text> {
    let key: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    all.iter()
        .copied()
        .find(|v| label(*v) == key || ident(*v).eq_ignore_ascii_case(&key))
        .ok_or_else(|| {
            let names: Vec<&str> = all.iter().map(|v| label(*v)).collect();
            text!("cell-not-one-of", value = text, allowed = names)
        })
}

pub fn parse_kind(text: &str) -> Result<MeasureKind, Text> {
    parse_label(
        text,
        MeasureKind::ALL,
        MeasureKind::label,
        MeasureKind::as_str,
    )
}

pub fn parse_category(text: &str) -> Result<Category, Text> {
    parse_label(text, Category::ALL, Category::label, Category::as_str)
}

pub fn parse_status(text: &str) -> Result<MeasureStatus, Text> {
    parse_label(
        text,
        MeasureStatus::ALL,
        MeasureStatus::label,
        MeasureStatus::as_str,
    )
}

/// Splits a list of units as people write it: `财务科、综合科`, `财务科,综合科`, one per line.
pub fn split_units(text: &str) -> Vec<String> {
    text.split(['、', ',', '，', ';', '；', '\n', '/'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// One measure of the ledger, as export prints it.
#[derive(Debug, Clone)]
pub struct LedgerLine {
    pub finding_code: String,
    /// The finding is under listed supervision (挂牌督办).
    pub listed: bool,
    pub source: String,
    pub category: Category,
    /// The finding's title (the report's "关于…问题的整改情况").
    pub finding_title: String,
    pub description: String,
    pub content: String,
    pub kind: MeasureKind,
    pub lead_unit: String,
    pub supporting_units: Vec<String>,
    pub accountable_leader: String,
    pub responsible_person: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub original_due_date: Option<NaiveDate>,
    pub extension_count: i32,
    pub status: MeasureStatus,
    pub warning: Warning,
    /// Calendar days and working days past due (超期X个工作日); 0 when not overdue.
    pub overdue_days: i64,
    pub overdue_working_days: i64,
    pub latest_progress: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub evidence_count: i64,
    /// Reminders (催办) sent about it.
    pub reminder_count: i64,
    pub measure_code: String,
}

/// What a ledger cell holds, typed so a spreadsheet gets real dates and numbers.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Text(String),
    Number(i64),
    Date(NaiveDate),
    Blank,
}

impl Value {
    pub fn to_text(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::Number(n) => n.to_string(),
            Value::Date(d) => d.to_string(),
            Value::Blank => String::new(),
        }
    }
}

impl LedgerLine {
    pub fn value(&self, column: Column, seq: usize) -> Value {
        let text = |s: &str| {
            if s.is_empty() {
                Value::Blank
            } else {
                Value::Text(s.to_string())
            }
        };
        let date = |d: Option<NaiveDate>| d.map_or(Value::Blank, Value::Date);
        match column {
            Column::Seq => Value::Number(seq as i64),
            Column::FindingCode => text(&self.finding_code),
            Column::Source => text(&self.source),
            Column::Category => text(self.category.label()),
            Column::Description => text(&self.description),
            Column::Content => text(&self.content),
            Column::Kind => text(self.kind.label()),
            Column::LeadUnit => text(&self.lead_unit),
            Column::SupportingUnits => text(&self.supporting_units.join("、")),
            Column::AccountableLeader => text(&self.accountable_leader),
            Column::ResponsiblePerson => text(self.responsible_person.as_deref().unwrap_or("")),
            Column::DueDate => match (self.due_date, self.kind) {
                (None, MeasureKind::LongTerm) => text(MeasureKind::LongTerm.label()),
                (d, _) => date(d),
            },
            Column::OriginalDueDate => date(self.original_due_date),
            Column::ExtensionCount => Value::Number(self.extension_count.into()),
            Column::Status => text(self.status.label()),
            Column::Warning => text(self.warning.label()),
            Column::LatestProgress => text(self.latest_progress.as_deref().unwrap_or("")),
            Column::ClosedOn => date(self.closed_on),
            Column::EvidenceCount => Value::Number(self.evidence_count),
            Column::ReminderCount => Value::Number(self.reminder_count),
            Column::MeasureCode => text(&self.measure_code),
        }
    }
}

/// A problem with one cell of an imported sheet. `row` is the sheet's row number as a
/// spreadsheet program shows it (1-based); `column` is the header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CellError {
    pub row: usize,
    /// The column's header, e.g. 完成时限; null when the problem is with the whole row.
    pub column: Option<String>,
    /// The cell as the sheet has it.
    pub value: String,
    pub message: crate::i18n::Text,
}

/// A problem with one cell of an imported sheet, told in the language of the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct SheetProblem {
    /// The sheet's row number as a spreadsheet program shows it (1-based).
    pub row: usize,
    /// The column's header, e.g. 完成时限; null only when the sheet has no header row.
    pub column: Option<String>,
    /// The cell as the sheet has it.
    pub value: String,
    /// What is wrong with it, told.
    pub message: String,
}

impl CellError {
    pub fn told(&self, lang: crate::i18n::Lang) -> SheetProblem {
        SheetProblem {
            row: self.row,
            column: self.column.clone(),
            value: self.value.clone(),
            message: self.message.told(lang),
        }
    }
}

/// One sheet row, typed. Unit names stay as written: the importer resolves them.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRow {
    pub row: usize,
    pub finding_code: String,
    /// 问题来源 as written, when the sheet has it.
    pub source: Option<String>,
    pub category: Option<Category>,
    pub description: String,
    pub content: String,
    pub kind: MeasureKind,
    pub lead_unit: String,
    pub supporting_units: Vec<String>,
    pub accountable_leader: Option<String>,
    pub responsible_person: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub original_due_date: Option<NaiveDate>,
    pub extension_count: Option<i32>,
    pub status: Option<MeasureStatus>,
    pub latest_progress: Option<String>,
    pub closed_on: Option<NaiveDate>,
    pub measure_code: Option<String>,
}

/// Where the header is and which column each header cell names.
#[derive(Debug, Clone)]
pub struct Header {
    /// Index of the header row in the grid.
    pub index: usize,
    pub columns: Vec<(usize, Column)>,
}

impl Header {
    pub fn position(&self, column: Column) -> Option<usize> {
        self.columns
            .iter()
            .find(|(_, c)| *c == column)
            .map(|(i, _)| *i)
    }
}

/// Finds the header among the first rows (a sheet often has a merged title above it): the
/// first row that names 问题编号 and 整改措施. Missing required columns and a column named
/// twice are errors.
pub fn find_header(grid: &[Vec<Cell>]) -> Result<Header, Vec<CellError>> {
    let found = grid.iter().take(20).enumerate().find_map(|(index, row)| {
        let named: Vec<(usize, Column, bool)> = row
            .iter()
            .enumerate()
            .filter_map(|(i, cell)| {
                let text = cell.text();
                let exact = |c: Column| normalize_header(&text) == c.label();
                Column::from_header(&text).map(|c| (i, c, exact(c)))
            })
            .collect();
        // A column's own label outranks a name that only means it too: a sheet with both
        // 牵头单位 and 责任单位 reads 牵头单位 and ignores the other.
        let columns: Vec<(usize, Column)> = named
            .iter()
            .filter(|(_, c, exact)| *exact || !named.iter().any(|(_, x, e)| x == c && *e))
            .map(|(i, c, _)| (*i, *c))
            .collect();
        let names = |c: Column| columns.iter().any(|(_, x)| *x == c);
        (names(Column::FindingCode) && names(Column::Content)).then_some(Header { index, columns })
    });
    let Some(header) = found else {
        return Err(vec![CellError {
            row: 1,
            column: None,
            value: String::new(),
            message: text!("sheet-no-header"),
        }]);
    };
    let mut errors = Vec::new();
    for column in Column::REQUIRED {
        if header.position(*column).is_none() {
            errors.push(CellError {
                row: header.index + 1,
                column: Some(column.label().into()),
                value: String::new(),
                message: text!("sheet-column-missing", column = column.label()),
            });
        }
    }
    for (i, (pos, column)) in header.columns.iter().enumerate() {
        if header.columns[..i].iter().any(|(_, c)| c == column) {
            errors.push(CellError {
                row: header.index + 1,
                column: Some(column.label().into()),
                value: grid[header.index][*pos].text(),
                message: text!("sheet-column-twice", column = column.label()),
            });
        }
    }
    if errors.is_empty() {
        Ok(header)
    } else {
        Err(errors)
    }
}

/// Turns the rows under the header into typed rows, reporting every bad cell. Blank rows
/// are skipped. A row whose finding cells (问题编号, 问题描述) are both blank continues the
/// finding above it, as sheets that merged those cells read once unmerged or saved as CSV.
pub fn parse_rows(grid: &[Vec<Cell>], header: &Header) -> (Vec<ImportRow>, Vec<CellError>) {
    let mut rows: Vec<ImportRow> = Vec::new();
    let mut errors = Vec::new();
    let mut previous: Option<(String, String, Option<Category>)> = None;
    for (index, cells) in grid.iter().enumerate().skip(header.index + 1) {
        let cell = |c: Column| {
            header
                .position(c)
                .and_then(|i| cells.get(i))
                .unwrap_or(&Cell::Empty)
        };
        // Blank rows, rows with nothing in the columns that make a measure, and the lines
        // under the table (合计, 填表人：…, 审核人：…) are not ledger rows.
        if Column::REQUIRED.iter().all(|c| cell(*c).is_empty()) || is_footer(cells) {
            continue;
        }
        let row = index + 1;
        let mut bad = |column: Column, value: &Cell, message: Text| {
            errors.push(CellError {
                row,
                column: Some(column.label().into()),
                value: value.text(),
                message,
            });
        };
        // PostgreSQL cannot store U+0000 in text and SQLite can: refused for both.
        let mut with_nul = false;
        for (i, column) in &header.columns {
            if let Some(value @ Cell::Text(text)) = cells.get(*i) {
                if text.contains('\0') {
                    bad(*column, value, text!("nul-char"));
                    with_nul = true;
                }
            }
        }
        if with_nul {
            continue;
        }
        let optional = |c: Column| Some(cell(c).text()).filter(|t| !t.is_empty());
        let mut finding_code = cell(Column::FindingCode).text();
        let mut description = cell(Column::Description).text();
        let mut category = None;
        if let Some(text) = optional(Column::Category) {
            match parse_category(&text) {
                Ok(c) => category = Some(c),
                Err(m) => bad(Column::Category, cell(Column::Category), m),
            }
        }
        if finding_code.is_empty() && description.is_empty() && category.is_none() {
            if let Some((code, desc, cat)) = &previous {
                finding_code = code.clone();
                description = desc.clone();
                category = *cat;
            }
        }
        for (column, value) in [
            (Column::FindingCode, &finding_code),
            (Column::Description, &description),
        ] {
            if value.is_empty() {
                bad(
                    column,
                    cell(column),
                    text!("cell-required", column = column.label()),
                );
            }
        }
        let content = cell(Column::Content).text();
        if content.is_empty() {
            bad(
                Column::Content,
                cell(Column::Content),
                text!("cell-required", column = Column::Content.label()),
            );
        }
        let kind = match optional(Column::Kind) {
            None => {
                bad(
                    Column::Kind,
                    cell(Column::Kind),
                    text!("cell-required", column = Column::Kind.label()),
                );
                None
            }
            Some(text) => parse_kind(&text)
                .map_err(|m| bad(Column::Kind, cell(Column::Kind), m))
                .ok(),
        };
        let lead_unit = cell(Column::LeadUnit).text();
        if lead_unit.is_empty() {
            bad(
                Column::LeadUnit,
                cell(Column::LeadUnit),
                text!("cell-required", column = Column::LeadUnit.label()),
            );
        }
        let due = cell(Column::DueDate);
        let due_date = match (kind, due.is_empty()) {
            (Some(MeasureKind::LongTerm), true) => None,
            (Some(MeasureKind::LongTerm), false)
                if parse_kind(&due.text()) == Ok(MeasureKind::LongTerm) || due.text() == "长期" =>
            {
                None
            }
            (_, true) => {
                if kind.is_some() {
                    bad(Column::DueDate, due, text!("cell-due-required"));
                }
                None
            }
            (_, false) => parse_date(due)
                .map_err(|m| bad(Column::DueDate, due, m))
                .ok(),
        };
        let mut optional_date = |c: Column| {
            let value = cell(c);
            if value.is_empty() {
                return None;
            }
            parse_date(value).map_err(|m| bad(c, value, m)).ok()
        };
        let original_due_date = optional_date(Column::OriginalDueDate);
        let closed_on = optional_date(Column::ClosedOn);
        let extension_count =
            optional(Column::ExtensionCount).and_then(|text| match text.parse::<i32>() {
                Ok(n) if (0..=99).contains(&n) => Some(n),
                _ => {
                    bad(
                        Column::ExtensionCount,
                        cell(Column::ExtensionCount),
                        text!("cell-extension-count"),
                    );
                    None
                }
            });
        let status = optional(Column::Status).and_then(|text| {
            parse_status(&text)
                .map_err(|m| bad(Column::Status, cell(Column::Status), m))
                .ok()
        });
        if !finding_code.is_empty() {
            previous = Some((finding_code.clone(), description.clone(), category));
        }
        let Some(kind) = kind else { continue };
        rows.push(ImportRow {
            row,
            source: optional(Column::Source),
            finding_code,
            category,
            description,
            content,
            kind,
            lead_unit,
            supporting_units: optional(Column::SupportingUnits)
                .map(|t| split_units(&t))
                .unwrap_or_default(),
            accountable_leader: optional(Column::AccountableLeader),
            responsible_person: optional(Column::ResponsiblePerson),
            due_date,
            original_due_date,
            extension_count,
            status,
            latest_progress: optional(Column::LatestProgress),
            closed_on,
            measure_code: optional(Column::MeasureCode),
        });
    }
    check_consistency(&rows, &mut errors);
    errors.sort_by_key(|e| e.row);
    (rows, errors)
}

/// A finding's own source from the sheet's 问题来源: none when it is the inspection's own
/// (its issuer, as the export writes it); else the text as `source_ref`, and the kind it
/// names (…考核 → assessment) when it names one.
pub fn own_source(text: Option<&str>, issuer: &str) -> (Option<SourceType>, Option<String>) {
    let Some(text) = text
        .map(str::trim)
        .filter(|t| !t.is_empty() && *t != issuer)
    else {
        return (None, None);
    };
    let kind = SourceType::ALL
        .iter()
        .copied()
        .filter(|k| text.contains(k.label()))
        // The last named wins: "巡察组审计发现" is an audit's.
        .max_by_key(|k| text.rfind(k.label()));
    (kind, Some(text.to_string()))
}

/// A line offices put under the table: every filled cell is a total or a signature label.
fn is_footer(cells: &[Cell]) -> bool {
    const LABELS: &[&str] = &[
        "填表人",
        "填报人",
        "制表人",
        "审核人",
        "审核",
        "联系人",
        "联系电话",
        "负责人",
        "填报日期",
        "填表日期",
        "合计",
        "小计",
        "总计",
        "备注",
    ];
    let mut filled = cells.iter().filter(|c| !c.is_empty()).peekable();
    filled.peek().is_some()
        && filled.all(|c| {
            let text = c.text();
            LABELS.iter().any(|l| text.starts_with(l))
        })
}

/// Rows of one finding agree on its description and category; a measure appears once.
fn check_consistency(rows: &[ImportRow], errors: &mut Vec<CellError>) {
    for (i, row) in rows.iter().enumerate() {
        let earlier = &rows[..i];
        let described = earlier
            .iter()
            .find(|r| r.finding_code == row.finding_code && !r.description.is_empty());
        if let Some(first) = described {
            if !row.description.is_empty() && first.description != row.description {
                errors.push(CellError {
                    row: row.row,
                    column: Some(Column::Description.label().into()),
                    value: row.description.clone(),
                    message: text!(
                        "sheet-described-differently",
                        finding = &row.finding_code,
                        row = first.row
                    ),
                });
            }
            if row.category.is_some() && first.category.is_some() && first.category != row.category
            {
                errors.push(CellError {
                    row: row.row,
                    column: Some(Column::Category.label().into()),
                    value: row
                        .category
                        .map(|c| c.label().to_string())
                        .unwrap_or_default(),
                    message: text!(
                        "sheet-other-category",
                        finding = &row.finding_code,
                        row = first.row
                    ),
                });
            }
        }
        let same_finding = earlier
            .iter()
            .filter(|r| r.finding_code == row.finding_code);
        let duplicate = match &row.measure_code {
            Some(code) => same_finding
                .clone()
                .find(|r| r.measure_code.as_ref() == Some(code))
                .map(|r| (Column::MeasureCode, code.clone(), r.row)),
            None => None,
        }
        .or_else(|| {
            same_finding
                .clone()
                .find(|r| {
                    r.content == row.content
                        && (r.measure_code.is_none() || row.measure_code.is_none())
                })
                .map(|r| (Column::Content, row.content.clone(), r.row))
        });
        if let Some((column, value, other)) = duplicate {
            errors.push(CellError {
                row: row.row,
                column: Some(column.label().into()),
                value,
                message: text!(
                    "sheet-duplicate",
                    other = other,
                    column = column.label(),
                    finding = &row.finding_code
                ),
            });
        }
    }
}

/// How many items an import created, changed, and found as they were.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct ImportCounts {
    pub created: usize,
    pub updated: usize,
    pub unchanged: usize,
}

/// What an import did (or, in a dry run, would do).
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ImportReport {
    /// True when nothing was written.
    pub dry_run: bool,
    /// Data rows read (blank rows are not counted).
    pub rows: usize,
    pub findings: ImportCounts,
    pub measures: ImportCounts,
    /// Always empty in a 200 answer: a sheet with errors answers 422 with the same list.
    pub errors: Vec<SheetProblem>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sheets_source_is_the_findings_own_unless_it_is_the_inspections() {
        let issuer = "市委第三巡察组";
        assert_eq!(own_source(Some("市委第三巡察组"), issuer), (None, None));
        assert_eq!(own_source(Some("  "), issuer), (None, None));
        assert_eq!(own_source(None, issuer), (None, None));
        assert_eq!(
            own_source(Some("2021年党风廉政建设责任制考核"), issuer),
            (
                Some(SourceType::Assessment),
                Some("2021年党风廉政建设责任制考核".to_string())
            )
        );
        assert_eq!(
            own_source(Some("市审计局"), issuer),
            (Some(SourceType::Audit), Some("市审计局".to_string()))
        );
        assert_eq!(
            own_source(Some("群众来信"), issuer),
            (None, Some("群众来信".to_string()))
        );
    }

    fn text(s: &str) -> Cell {
        Cell::Text(s.to_string())
    }

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn dates_read_as_offices_write_them() {
        for (input, want) in [
            ("2022-12-31", d(2022, 12, 31)),
            ("2022/6/30", d(2022, 6, 30)),
            ("2022.06.30", d(2022, 6, 30)),
            ("20220630", d(2022, 6, 30)),
            ("2022年6月30日", d(2022, 6, 30)),
            ("2022年6月30日前", d(2022, 6, 30)),
            ("2022年6月底前", d(2022, 6, 30)),
            ("2024年2月", d(2024, 2, 29)),
            ("2022-12-31 00:00:00", d(2022, 12, 31)),
        ] {
            assert_eq!(parse_date(&text(input)), Ok(want), "{input}");
        }
        assert_eq!(parse_date(&Cell::Number(44926.0)), Ok(d(2022, 12, 31)));
        assert_eq!(parse_date(&Cell::Date(d(2023, 1, 2))), Ok(d(2023, 1, 2)));
        for bad in ["明年", "2022-13-01", "2022-02-30", "12/31", "下周", "3"] {
            assert!(parse_date(&text(bad)).is_err(), "{bad}");
        }
        assert!(parse_date(&Cell::Number(3.5)).is_err());
    }

    #[test]
    fn labels_and_identifiers_both_read() {
        assert_eq!(parse_kind("立行立改"), Ok(MeasureKind::Immediate));
        assert_eq!(parse_kind(" 长期坚持 "), Ok(MeasureKind::LongTerm));
        assert_eq!(parse_kind("time_bound"), Ok(MeasureKind::TimeBound));
        let refused = parse_kind("马上改").unwrap_err();
        assert!(refused.told(crate::i18n::Lang::ZhCn).contains("立行立改"));
        assert!(refused.told(crate::i18n::Lang::En).contains("马上改"));
        assert_eq!(parse_status("已销号"), Ok(MeasureStatus::Closed));
        assert_eq!(parse_category("党的建设"), Ok(Category::PartyBuilding));
    }

    #[test]
    fn headers_match_labels_and_aliases() {
        assert_eq!(Column::from_header("完成时限"), Some(Column::DueDate));
        assert_eq!(Column::from_header(" 整改\n时限 "), Some(Column::DueDate));
        assert_eq!(Column::from_header("*问题编号"), Some(Column::FindingCode));
        assert_eq!(
            Column::from_header("牵头单位（部门）"),
            Some(Column::LeadUnit)
        );
        assert_eq!(Column::from_header("责任单位"), Some(Column::LeadUnit));
        assert_eq!(Column::from_header("备注"), None);
        let both = grid(&[&[
            "问题编号",
            "整改措施",
            "责任单位",
            "牵头单位",
            "问题描述",
            "整改类型",
            "完成时限",
        ]]);
        let header = find_header(&both).unwrap();
        assert_eq!(
            header.position(Column::LeadUnit),
            Some(3),
            "the label wins over an alias"
        );
        let twice = grid(&[&[
            "问题编号",
            "整改措施",
            "责任单位",
            "牵头部门",
            "问题描述",
            "整改类型",
            "完成时限",
        ]]);
        let errors = find_header(&twice).unwrap_err();
        assert_eq!(
            errors[0].message.told(crate::i18n::Lang::ZhCn),
            "有不止一列名为“牵头单位”。"
        );
        assert_eq!(Column::from_header(""), None);
        let labels: std::collections::HashSet<_> = Column::ALL.iter().map(|c| c.label()).collect();
        assert_eq!(labels.len(), Column::ALL.len(), "labels are distinct");
        for c in Column::ALL {
            assert_eq!(Column::from_header(c.label()), Some(*c));
        }
    }

    fn grid(rows: &[&[&str]]) -> Vec<Vec<Cell>> {
        rows.iter()
            .map(|r| {
                r.iter()
                    .map(|s| if s.is_empty() { Cell::Empty } else { text(s) })
                    .collect()
            })
            .collect()
    }

    const HEAD: &[&str] = &[
        "问题编号",
        "问题描述",
        "整改措施",
        "整改类型",
        "牵头单位",
        "完成时限",
    ];

    #[test]
    fn the_header_is_found_under_a_title_and_required_columns_are_checked() {
        let g = grid(&[
            &["某某整改台账"],
            &[],
            HEAD,
            &["P1", "问题", "措施", "立行立改", "综合科", "2022-05-01"],
        ]);
        let header = find_header(&g).unwrap();
        assert_eq!(header.index, 2);
        let (rows, errors) = parse_rows(&g, &header);
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].row, 4);
        assert_eq!(rows[0].due_date, Some(d(2022, 5, 1)));

        let missing = grid(&[&["问题编号", "整改措施"]]);
        let errors = find_header(&missing).unwrap_err();
        let named: Vec<_> = errors.iter().filter_map(|e| e.column.clone()).collect();
        assert_eq!(named, ["问题描述", "整改类型", "牵头单位", "完成时限"]);
        assert!(find_header(&grid(&[&["a", "b"]])).is_err());
    }

    #[test]
    fn every_bad_cell_is_reported_with_its_row_and_column() {
        let g = grid(&[
            HEAD,
            &["P1", "问题", "措施", "马上改", "综合科", "2022-05-01"],
            &["P1", "问题", "措施二", "限期整改", "", "明年"],
            &["P2", "", "措施", "限期整改", "综合科", ""],
            &["P3", "问题三", "", "长期坚持", "综合科", ""],
            &["P2", "问题", "措施", "限期整改", "综合科", "2022-05-01"],
        ]);
        let header = find_header(&g).unwrap();
        let (_, errors) = parse_rows(&g, &header);
        let got: Vec<(usize, &str)> = errors
            .iter()
            .map(|e| (e.row, e.column.as_deref().unwrap_or("")))
            .collect();
        assert_eq!(
            got,
            [
                (2, "整改类型"),
                (3, "牵头单位"),
                (3, "完成时限"),
                (4, "问题描述"),
                (4, "完成时限"),
                (5, "整改措施"),
                (6, "整改措施"),
            ]
        );
        assert_eq!(errors[2].value, "明年");
    }

    #[test]
    fn a_finding_reads_the_same_in_each_of_its_rows() {
        let g = grid(&[
            HEAD,
            &["P1", "问题", "措施一", "立行立改", "综合科", "2022-05-01"],
            &[
                "P1",
                "另一个问题",
                "措施二",
                "立行立改",
                "综合科",
                "2022-05-01",
            ],
        ]);
        let (_, errors) = parse_rows(&g, &find_header(&g).unwrap());
        assert_eq!(errors.len(), 1);
        assert_eq!(
            (errors[0].row, errors[0].column.as_deref()),
            (3, Some("问题描述"))
        );
        let told = errors[0].message.told(crate::i18n::Lang::ZhCn);
        assert!(told.contains("第 2 行"), "{told}");
    }

    #[test]
    fn blank_finding_cells_continue_the_finding_above() {
        let g = grid(&[
            HEAD,
            &["P1", "问题", "措施一", "立行立改", "综合科", "2022-05-01"],
            &["", "", "措施二", "长期坚持", "综合科", "长期坚持"],
            &["", "", "", "", "", ""],
        ]);
        let mut g = g;
        g.push(vec![
            text("填表人：张三"),
            Cell::Empty,
            text("审核人：李四"),
        ]);
        let (rows, errors) = parse_rows(&g, &find_header(&g).unwrap());
        assert!(errors.is_empty(), "{errors:?}");
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].finding_code, "P1");
        assert_eq!(rows[1].due_date, None);
    }

    #[test]
    fn units_split_on_the_separators_people_use() {
        assert_eq!(
            split_units("财务科、综合科, 人事科；"),
            ["财务科", "综合科", "人事科"]
        );
        assert!(split_units(" ").is_empty());
    }
}
