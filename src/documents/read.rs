//! Reads an uploaded sheet into a grid of cells: an xlsx workbook (the sheet named 整改台账
//! or the first with a ledger header; merged cells carry their value into every cell they
//! cover) or CSV (UTF-8 with or without a BOM, or GB18030 as Excel on a Chinese Windows
//! saves it). Hostile files are bounded: rows, columns, text and the unpacked size.

use std::io::Cursor;

use calamine::{DataRef, Reader, Xlsx, XlsxError};
use encoding_rs::GB18030;

use crate::domain::ledger::{find_header, Cell};
use crate::error::ApiError;
use crate::i18n::Text;
use crate::text;

/// More rows than any ledger has; bounds the memory a hostile file can ask for.
pub const MAX_ROWS: usize = 100_000;
/// A ledger has about twenty columns; cells further right are notes, not data.
const MAX_COLUMNS: usize = 40;

/// The first bytes of an OLE2 compound file: an Excel 97–2003 workbook (.xls).
const OLE2: &[u8] = b"\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1";
/// How far an xlsx may unpack, by its own account (a sheet of 100,000 rows is ~60 MB).
const MAX_UNPACKED: u64 = 256 * 1024 * 1024;
/// Text held at once while reading a sheet.
const MAX_TEXT: usize = 64 * 1024 * 1024;

/// Reads `bytes` as an xlsx workbook when they are a zip archive, as CSV otherwise.
/// Excel 97–2003 (.xls) and OpenDocument (.ods) files are refused with a way out: their
/// readers lay out the whole sheet in memory at once, so two cells far apart in a small
/// file would take gigabytes.
pub fn grid(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ApiError> {
    let save_as = |what: &str| ApiError::UnsupportedMediaType(text!("sheet-save-as", what = what));
    if bytes.starts_with(OLE2) {
        return Err(save_as("Excel 97–2003 (.xls)"));
    }
    if bytes.starts_with(b"PK\x03\x04") {
        let head = &bytes[..bytes.len().min(100)];
        let odf: &[u8] = b"application/vnd.oasis.opendocument";
        if head.windows(odf.len()).any(|w| w == odf) {
            return Err(save_as("OpenDocument (.ods)"));
        }
        return xlsx(bytes);
    }
    csv(bytes)
}

fn unreadable(what: Text, cause: impl Into<crate::i18n::Arg>) -> ApiError {
    ApiError::Validation(vec![crate::domain::rules::FieldError::new(
        "file",
        text!("file-unreadable", what = what, cause = cause),
    )])
}

fn too_large(what: Text) -> ApiError {
    ApiError::PayloadTooLarge(what)
}

/// Refuses an archive that says it unpacks to more than any ledger needs (a zip bomb).
fn check_archive(bytes: &[u8]) -> Result<(), ApiError> {
    let mut archive = zip::ZipArchive::new(Cursor::new(bytes))
        .map_err(|e| unreadable(text!("file-xlsx"), e.to_string()))?;
    let mut unpacked: u64 = 0;
    for i in 0..archive.len() {
        let entry = archive
            .by_index_raw(i)
            .map_err(|e| unreadable(text!("file-xlsx"), e.to_string()))?;
        unpacked = unpacked.saturating_add(entry.size());
    }
    if unpacked > MAX_UNPACKED {
        return Err(too_large(text!(
            "xlsx-unpacks-large",
            mb = unpacked / 1024 / 1024,
            max = MAX_UNPACKED / 1024 / 1024
        )));
    }
    Ok(())
}

/// The ledger sheet of a workbook: the one named 整改台账, else the first with a ledger
/// header (a workbook often opens with a 填表说明 or 汇总 sheet), else the first.
fn xlsx(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ApiError> {
    check_archive(bytes)?;
    let bad = |e: XlsxError| unreadable(text!("file-xlsx"), e.to_string());
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(bad)?;
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
    first.ok_or_else(|| unreadable(text!("file-xlsx"), text!("xlsx-no-sheet")))
}

/// Puts `value` at (`row`, `col`), growing the grid as far as that.
fn place(grid: &mut Vec<Vec<Cell>>, row: usize, col: usize, value: Cell) {
    if grid.len() <= row {
        grid.resize(row + 1, Vec::new());
    }
    let line = &mut grid[row];
    if line.len() <= col {
        line.resize(col + 1, Cell::Empty);
    }
    line[col] = value;
}

/// One sheet, cell by cell as the file lists them (never laid out whole): at most
/// `MAX_ROWS` rows, `MAX_COLUMNS` columns (cells further right are not ledger columns)
/// and `MAX_TEXT` bytes of text.
fn sheet(book: &mut Xlsx<Cursor<&[u8]>>, name: &str) -> Result<Vec<Vec<Cell>>, ApiError> {
    let bad = |e: XlsxError| unreadable(text!("file-xlsx"), e.to_string());
    let merged = book.merge_cells_by_sheet_name(name).map_err(bad)?;
    let mut grid: Vec<Vec<Cell>> = Vec::new();
    let mut text = 0usize;
    let mut cells = book.worksheet_cells_reader(name).map_err(bad)?;
    while let Some(found) = cells.next_cell().map_err(bad)? {
        let (row, col) = found.get_position();
        let (row, col) = (row as usize, col as usize);
        let value = cell(found.get_value());
        if value.is_empty() || col >= MAX_COLUMNS {
            continue;
        }
        if row >= MAX_ROWS {
            return Err(too_large(text!("sheet-too-many-rows", max = MAX_ROWS)));
        }
        if let Cell::Text(t) = &value {
            check_cell(row, col, t)?;
            text += t.len();
            if text > MAX_TEXT {
                return Err(too_large(text!(
                    "sheet-too-much-text",
                    mb = MAX_TEXT / 1024 / 1024
                )));
            }
        }
        place(&mut grid, row, col, value);
    }
    // A merged block keeps its value in the top-left cell only; every row it spans means it.
    for block in merged {
        let (top, left) = (block.start.0 as usize, block.start.1 as usize);
        let value = match grid.get(top).and_then(|r| r.get(left)) {
            Some(v) if !v.is_empty() => v.clone(),
            _ => continue,
        };
        let bottom = (block.end.0 as usize).min(grid.len().saturating_sub(1));
        let right = (block.end.1 as usize).min(MAX_COLUMNS - 1);
        for row in top..=bottom {
            for col in left..=right {
                if grid[row].get(col).is_none_or(Cell::is_empty) {
                    place(&mut grid, row, col, value.clone());
                }
            }
        }
    }
    Ok(grid)
}

/// Excel's own limit for one cell: a longer one is no ledger cell, and refusing it early
/// keeps a hostile sheet from filling memory with copies of it.
const MAX_CELL_CHARS: usize = 32_767;

fn check_cell(row: usize, col: usize, text: &str) -> Result<(), ApiError> {
    // Bytes first: cheap, and at most 4 per character.
    if text.len() > MAX_CELL_CHARS && text.chars().count() > MAX_CELL_CHARS {
        return Err(too_large(text!(
            "sheet-cell-too-long",
            row = row + 1,
            column = col + 1,
            max = MAX_CELL_CHARS
        )));
    }
    Ok(())
}

fn cell(data: &DataRef) -> Cell {
    match data {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) | DataRef::DateTimeIso(s) | DataRef::DurationIso(s) => {
            Cell::Text(s.clone())
        }
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Int(n) => Cell::Number(*n as f64),
        DataRef::Float(f) => Cell::Number(*f),
        DataRef::Bool(b) => Cell::Text(if *b { "是" } else { "否" }.into()),
        DataRef::DateTime(d) => match d.as_datetime() {
            Some(t) => Cell::Date(t.date()),
            None => Cell::Text(d.to_string()),
        },
        DataRef::Error(e) => Cell::Text(format!("#{e:?}")),
    }
}

fn csv(bytes: &[u8]) -> Result<Vec<Vec<Cell>>, ApiError> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = match std::str::from_utf8(bytes) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => {
            let (text, _, had_errors) = GB18030.decode(bytes);
            if had_errors {
                return Err(unreadable(text!("file-csv"), text!("csv-encoding")));
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
        let record = record.map_err(|e| unreadable(text!("file-csv"), e.to_string()))?;
        for (col, field) in record.iter().take(MAX_COLUMNS).enumerate() {
            check_cell(grid.len(), col, field)?;
        }
        if grid.len() >= MAX_ROWS {
            return Err(ApiError::PayloadTooLarge(text!(
                "sheet-too-many-rows",
                max = MAX_ROWS
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
        Some(rest) if rest.starts_with(crate::domain::ledger::FORMULA_STARTS) => rest,
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
    fn a_cell_beyond_excels_limit_is_refused() {
        let long = "整".repeat(MAX_CELL_CHARS + 1);
        let sheet = format!("问题编号,问题描述\nP-1,{long}\n");
        let refused = grid(sheet.as_bytes()).expect_err("too long");
        assert!(refused.to_string().contains("Row 2 column 2"), "{refused}");
        let fits = format!("问题编号,问题描述\nP-1,{}\n", "整".repeat(MAX_CELL_CHARS));
        assert!(grid(fits.as_bytes()).is_ok());
    }

    #[test]
    fn cells_far_apart_do_not_make_a_huge_grid() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "问题编号").unwrap();
        sheet.write_string(0, 1, "整改措施").unwrap();
        sheet.write_string(90_000, 16_000, "far right").unwrap();
        sheet.write_string(5, 2, "措施").unwrap();
        let grid = grid(&book.save_to_buffer().unwrap()).unwrap();
        assert_eq!(grid.len(), 6, "the far cell is beyond the ledger's columns");
        assert_eq!(grid[5][2], Cell::Text("措施".into()));
        assert!(grid.iter().all(|r| r.len() <= MAX_COLUMNS));

        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet()
            .write_string(1_000_000, 0, "far down")
            .unwrap();
        let err = super::grid(&book.save_to_buffer().unwrap()).unwrap_err();
        assert!(matches!(err, ApiError::PayloadTooLarge(_)), "{err:?}");
    }

    #[test]
    fn xls_and_ods_are_refused_with_a_way_out() {
        for name in ["office-ledger.xls", "office-ledger.ods"] {
            let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
            let err = grid(&std::fs::read(path).unwrap()).unwrap_err();
            match err {
                ApiError::UnsupportedMediaType(m) => {
                    let m = m.told(crate::i18n::Lang::ZhCn);
                    assert!(m.contains(".xlsx"), "{m}")
                }
                other => panic!("{name}: {other:?}"),
            }
        }
    }

    #[test]
    fn an_archive_that_unpacks_beyond_the_limit_is_refused_before_it_is_read() {
        let mut book = rust_xlsxwriter::Workbook::new();
        book.add_worksheet().write_string(0, 0, "问题编号").unwrap();
        let mut bytes = book.save_to_buffer().unwrap();
        assert!(grid(&bytes).is_ok());
        // Claim in the central directory that the first entry unpacks to 4 GB.
        let at = bytes
            .windows(4)
            .position(|w| w == b"PK\x01\x02")
            .expect("a central directory");
        bytes[at + 24..at + 28].copy_from_slice(&u32::MAX.to_le_bytes());
        let err = grid(&bytes).unwrap_err();
        assert!(matches!(err, ApiError::PayloadTooLarge(_)), "{err:?}");
    }

    #[test]
    fn a_broken_zip_is_a_clear_error() {
        let err = grid(b"PK\x03\x04not really a zip").unwrap_err();
        assert!(matches!(err, ApiError::Validation(_)), "{err:?}");
    }
}
