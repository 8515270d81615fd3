//! The ledger as files: export to xlsx/csv (streamed page by page), import from xlsx/csv
//! (all or nothing), and the documents offices file: the rectification report and the
//! closure slip. The rules of the sheet live in `crate::domain::ledger`.

pub mod commands;
pub mod document;
pub mod export;
pub mod import;
pub mod read;
pub mod report;
pub mod sink;
pub mod slip;
