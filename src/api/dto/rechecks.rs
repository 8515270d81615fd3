//! Re-checks (回头看) as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::measures::Measure;
use super::page::page_type;
use super::{not_blank, stored, utc};
use crate::db::models::RecheckRow;
pub use crate::domain::enums::RecheckResult;
use crate::error::ApiError;
use crate::service::oversight::RecheckForm;

/// A re-check of a closed measure (回头看).
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "result": "holds", "note": "抽查2022年9月以来差旅费报销凭证30份，均符合新办法规定。",
    "checked_on": "2022-12-15"
}))]
pub struct CreateRecheck {
    /// `holds`: the rectification holds, the measure stays closed; `relapsed`: the problem is
    /// back, the measure (and its finding) reopen.
    pub result: RecheckResult,
    #[validate(length(min = 1, max = 5000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 5000, pattern = "\\S")]
    pub note: String,
    /// The day it was checked: not in the future, not before the measure closed.
    #[serde(deserialize_with = "super::clerk_date")]
    pub checked_on: NaiveDate,
    /// Evidence of this measure the check relied on.
    #[serde(default)]
    #[validate(length(max = 50))]
    pub evidence_ids: Vec<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Recheck {
    pub id: String,
    pub measure_id: String,
    pub result: RecheckResult,
    pub note: String,
    pub checked_on: NaiveDate,
    pub evidence_ids: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

/// The re-check and the measure after it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct RecheckRecorded {
    pub recheck: Recheck,
    pub measure: Measure,
}

impl TryFrom<RecheckRow> for Recheck {
    type Error = ApiError;

    fn try_from(r: RecheckRow) -> Result<Recheck, ApiError> {
        Ok(Recheck {
            result: stored(
                RecheckResult::parse(&r.result),
                "rechecks.result",
                &r.result,
            )?,
            evidence_ids: serde_json::from_str(&r.evidence_ids).unwrap_or_default(),
            id: r.id,
            measure_id: r.measure_id,
            note: r.note,
            checked_on: r.checked_on,
            created_at: utc(r.created_at),
            created_by: r.created_by,
        })
    }
}

impl From<CreateRecheck> for RecheckForm {
    fn from(r: CreateRecheck) -> RecheckForm {
        RecheckForm {
            result: r.result,
            note: r.note,
            checked_on: r.checked_on,
            evidence_ids: r.evidence_ids.iter().map(Uuid::to_string).collect(),
        }
    }
}

page_type!(RecheckPage, Recheck, "re-checks, latest first");

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RecheckQuery {
    pub measure_id: Option<Uuid>,
    pub inspection_id: Option<Uuid>,
    pub result: Option<RecheckResult>,
    /// The measure's lead unit (and every unit below it).
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone.
    pub descendants: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}
