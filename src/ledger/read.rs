//! Reads an uploaded sheet into a grid of cells: a workbook (xlsx, xls or ods; the sheet
//! named 整改台账 or the first with a ledger header; merged cells carry their value into
//! every cell they cover) or CSV (UTF-8 with or without a BOM, or GB18030 as Excel on a
//! Chinese Windows saves it).

use std::io::Cursor;

use calamine::{open_workbook_auto_from_rs, Data, Reader, Sheets};
use encoding_rs::GB18030;

use crate::domain::ledger::{find_header, Cell};
use crate::error::ApiError;

/// More rows than any ledger has; bounds the memory a hostile file can ask for.
pub const MAX_ROWS: usize = 200_000;
const MAX_COLUMNS: usize = 200;

/// The first bytes of an OLE2 compound file: an Excel 97–2003 workbook (.xls).
const OLE2: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";

/// Reads `bytes` as a workbook (xlsx, or xls/ods as older Excel and WPS/LibreOffice
/// save them) when they look like one, as CSV otherwise.
pub fn grid(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ApiError> {
    let grid = if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(OLE2) {
        workbook(bytes)?
    } else {
        csv(bytes)?
    };
    if grid.len() > MAX_ROWS {
        return Err(ApiError::PayloadTooLarge(format!(
            "the sheet has {} rows; an import takes at most {MAX_ROWS}",
            grid.len()
        )));
    }
    Ok(grid)
}

fn unreadable(what: &str, e: impl std::fmt::Display) -> ApiError {
    ApiError::Validation(vec![crate::domain::rules::FieldError::new(
        "file",
        format!("cannot read the file as {what}: {e}"),
    )])
}

/// The ledger sheet of a workbook: the one named 整改台账, else the first with a ledger
/// header (a workbook often opens with a 说明 or 汇总 sheet), else the first.
fn workbook(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ApiError> {
    let bad = |e: calamine::Error| unreadable("a spreadsheet (xlsx, xls or ods)", e);
    let mut book: Sheets<_> = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(bad)?;
    let names = book.sheet_names();
    let mut order: Vec<&String> = names.iter().filter(|n| n.as_str() == "整改台账").collect();
    order.extend(names.iter().filter(|n| n.as_str() != "整改台账"));
    let mut first = None;
    for name in order {
        let grid = sheet(&mut book, name)?;
        if find_header(&grid).is_ok() {
            return Ok(grid);
        }
        first.get_or_insert(grid);
    }
    first.ok_or_else(|| unreadable("a spreadsheet", "it has no sheet"))
}

fn sheet(book: &mut Sheets<Cursor<&[u8]>>, name: &str) -> Result<Vec<Vec<Cell>>, ApiError> {
    let bad = |e: calamine::Error| unreadable("a spreadsheet (xlsx, xls or ods)", e);
    let range = book.worksheet_range(name).map_err(bad)?;
    let merged = match book {
        Sheets::Xlsx(x) => x
            .merge_cells_by_sheet_name(name)
            .map_err(|e| bad(e.into()))?,
        Sheets::Xls(x) => x
            .merge_cells_by_sheet_name(name)
            .map_err(|e| bad(e.into()))?,
        // ODS and XLSB: calamine does not report merged blocks; their rows read as
        // continuation rows (blank finding cells continue the finding above).
        _ => Vec::new(),
    };
    let Some((end_row, end_col)) = range.end() else {
        return Ok(Vec::new());
    };
    let rows = end_row as usize + 1;
    let cols = (end_col as usize + 1).min(MAX_COLUMNS);
    if rows > MAX_ROWS {
        return Err(ApiError::PayloadTooLarge(format!(
            "the sheet has {rows} rows; an import takes at most {MAX_ROWS}"
        )));
    }
    let mut grid: Vec<Vec<Cell>> = (0..rows)
        .map(|r| {
            (0..cols)
                .map(|c| {
                    range
                        .get_value((r as u32, c as u32))
                        .map(cell)
                        .unwrap_or(Cell::Empty)
                })
                .collect()
        })
        .collect();
    // A merged block keeps its value in the top-left cell only; every row it spans means it.
    for block in merged {
        let (top, left) = (block.start.0 as usize, block.start.1 as usize);
        let value = match grid.get(top).and_then(|r| r.get(left)) {
            Some(v) if !v.is_empty() => v.clone(),
            _ => continue,
        };
        let (bottom, right) = (block.end.0 as usize, block.end.1 as usize);
        for line in grid.iter_mut().take(bottom + 1).skip(top) {
            for target in line.iter_mut().take(right + 1).skip(left) {
                if target.is_empty() {
                    *target = value.clone();
                }
            }
        }
    }
    Ok(grid)
}

fn cell(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Int(n) => Cell::Number(*n as f64),
        Data::Float(f) => Cell::Number(*f),
        Data::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.into()),
        Data::DateTime(d) => match d.as_datetime() {
            Some(t) => Cell::Date(t.date()),
            None => Cell::Text(d.to_string()),
        },
        Data::DateTimeIso(s) | Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

fn csv(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let (text, _, had_errors) = GB18030.decode(bytes);
            if had_errors {
                return Err(unreadable("CSV", "the text is neither UTF-8 nor GB18030"));
            }
            text
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut grid = Vec::new();
    for record in reader.records() {
        let record = record.map_err(|e| unreadable("CSV", e))?;
        if grid.len() >= MAX_ROWS {
            return Err(ApiError::PayloadTooLarge(format!(
                "the sheet has more than {MAX_ROWS} rows"
            )));
        }
        grid.push(
            record
                .iter()
                .take(MAX_COLUMNS)
                .map(|field| {
                    let field = undefuse(field);
                    if field.trim().is_empty() {
                        Cell::Empty
                    } else {
                        Cell::Text(field.to_string())
                    }
                })
                .collect(),
        );
    }
    Ok(grid)
}

/// Takes off the apostrophe the export puts before formula-like text.
fn undefuse(field: &str) -> &str {
    match field.strip_prefix('\'') {
        Some(rest) if rest.starts_with(['=', '+', '-', '@', '\t', '\r']) => rest,
        _ => field,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_reads_utf8_with_bom_and_gb18030() {
        let utf8 = "\u{feff}问题编号,整改措施\nP1,'=1+1\n";
        let grid = grid(utf8.as_bytes()).unwrap();
        assert_eq!(grid[0][0], Cell::Text("问题编号".into()));
        assert_eq!(grid[1][1], Cell::Text("=1+1".into()));
        let (gbk, _, _) = GB18030.encode("问题编号,整改措施\nP1,立行立改\n");
        let grid = super::grid(&gbk).unwrap();
        assert_eq!(grid[1][1], Cell::Text("立行立改".into()));
    }

    #[test]
    fn a_broken_zip_is_a_clear_error() {
        let err = grid(b"PK\x03\x04not really a zip").unwrap_err();
        assert!(matches!(err, ApiError::Validation(_)), "{err:?}");
    }
}
