//! The files offices use: the ledger workbook and CSV (written page by page, read back all
//! or nothing), the rectification report and the closure slip. The rules of the sheet
//! (its columns, cells and rows) live in `crate::domain::ledger`.

pub mod commands;
pub mod document;
pub mod duties;
pub mod duty_sheet;
pub mod export;
pub mod import;
pub mod plan;
pub mod read;
pub mod report;
pub mod sink;
pub mod slip;
