//! Query of the ledger exports, and the import's answer.

use chrono::NaiveDate;
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::measures::MeasureSort;
use crate::db::forms::MeasureFilter;
pub use crate::documents::export::{Paper, Print};
use crate::domain::enums::{MeasureKind, MeasureStatus, Warning};
pub use crate::domain::ledger::{ImportCounts, ImportReport};

/// The filters of `GET /measures`, without paging: an export holds every match.
#[derive(Debug, Clone, Default, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LedgerQuery {
    pub finding_id: Option<Uuid>,
    pub inspection_id: Option<Uuid>,
    /// Lead or supporting unit.
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone; by default it and every unit below it.
    pub descendants: Option<bool>,
    pub status: Option<MeasureStatus>,
    pub kind: Option<MeasureKind>,
    /// Only overdue (`true`) or only not overdue (`false`) measures.
    pub overdue: Option<bool>,
    /// Due on or before this date.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub due_before: Option<NaiveDate>,
    /// Due on or after this date.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub due_after: Option<NaiveDate>,
    /// Only measures with this light today (红黄绿灯).
    pub warning: Option<Warning>,
    /// `created_at` (default: the order the ledger was filled in), `due_date` or `-due_date`.
    pub sort: Option<MeasureSort>,
    /// The workbook's paper: `a3` (default; every column, A3 landscape) or `a4` (the core
    /// columns on A4 landscape, for reading: import the full workbook). Not for CSV.
    #[param(inline)]
    pub paper: Option<Paper>,
    /// `zh` writes the workbook's dates as 2026年8月29日 (date cells still); `iso`
    /// (default) as 2026-08-29. CSV keeps ISO dates.
    #[param(inline)]
    pub date_style: Option<DateStyle>,
}

/// How the workbook writes dates.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum DateStyle {
    #[default]
    Iso,
    Zh,
}

impl LedgerQuery {
    /// How the workbook prints.
    pub fn print(&self) -> Print {
        Print {
            paper: self.paper.unwrap_or_default(),
            chinese_dates: self.date_style == Some(DateStyle::Zh),
        }
    }
}

impl From<LedgerQuery> for MeasureFilter {
    fn from(q: LedgerQuery) -> MeasureFilter {
        MeasureFilter {
            finding_id: q.finding_id.map(|u| u.to_string()),
            inspection_id: q.inspection_id.map(|u| u.to_string()),
            // Widened to the units below by the handler (`AppState::units_under`).
            units: None,
            status: q.status,
            kind: q.kind,
            overdue: q.overdue,
            due_before: q.due_before,
            due_after: q.due_after,
            warning: q.warning,
            sort: q.sort.unwrap_or(MeasureSort::CreatedAt),
        }
    }
}

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportQuery {
    /// Check the sheet and report what an import would do, writing nothing. Defaults to
    /// `true`: pass `dry_run=false` to write.
    pub dry_run: Option<bool>,
}

/// `multipart/form-data` fields of an import.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct LedgerUpload {
    /// The sheet: xlsx or CSV. At most `ZHENGGAI_MAX_UPLOAD_MB` (default 50 MB).
    #[schema(value_type = String, format = Binary)]
    pub file: Vec<u8>,
}
