//! Extension requests (延期申请).

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::page::page_type;
use super::{not_blank, utc};
use crate::db::forms::ExtensionFilter;
use crate::db::models::ExtensionRow;
use crate::domain::enums::ExtensionStatus;
use crate::domain::permissions::Action;
use crate::error::ApiError;

/// A unit asks for a later due date.
#[derive(Debug, Clone, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"requested_due_date": "2022-09-30", "reason": "涉及跨部门协调，需待市财政局新规出台后同步修订。"}))]
pub struct RequestExtension {
    #[serde(deserialize_with = "super::clerk_date")]
    pub requested_due_date: NaiveDate,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
}

impl crate::api::extract::Guarded for RequestExtension {
    const ACTION: Action = Action::RequestExtension;
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Extension {
    pub id: String,
    pub measure_id: String,
    pub requested_due_date: NaiveDate,
    /// The due date when it was asked for.
    pub previous_due_date: Option<NaiveDate>,
    pub reason: String,
    pub status: ExtensionStatus,
    pub requested_by: String,
    pub requested_at: DateTime<Utc>,
    pub decided_by: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    /// The approver's comment or the rejection's reason.
    pub decision_note: Option<String>,
}

impl TryFrom<ExtensionRow> for Extension {
    type Error = ApiError;

    fn try_from(r: ExtensionRow) -> Result<Extension, ApiError> {
        Ok(Extension {
            status: r.status,
            id: r.id,
            measure_id: r.measure_id,
            requested_due_date: r.requested_due_date,
            previous_due_date: r.previous_due_date,
            reason: r.reason,
            requested_by: r.requested_by,
            requested_at: utc(r.requested_at),
            decided_by: r.decided_by,
            decided_at: r.decided_at.map(utc),
            decision_note: r.decision_note,
        })
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ExtensionList {
    pub items: Vec<Extension>,
}

page_type!(
    ExtensionPage,
    Extension,
    "extension requests, the oldest first"
);

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExtensionQuery {
    /// `pending` for the requests waiting for a decision.
    pub status: Option<ExtensionStatus>,
    pub inspection_id: Option<Uuid>,
    /// The requests of one measure.
    pub measure_id: Option<Uuid>,
    /// Lead or supporting unit of the measure.
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone; by default it and every unit below it.
    pub descendants: Option<bool>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl From<&ExtensionQuery> for ExtensionFilter {
    fn from(q: &ExtensionQuery) -> ExtensionFilter {
        ExtensionFilter {
            status: q.status,
            inspection_id: q.inspection_id.map(|u| u.to_string()),
            measure_id: q.measure_id.map(|u| u.to_string()),
            // Widened to the units below by the handler (`AppState::units_under`).
            units: None,
        }
    }
}
