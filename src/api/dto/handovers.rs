//! Handovers (责任交接) as the API shows them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::page::page_type;
use super::people::HeldMeasure;
use super::{not_blank, stored, utc};
use crate::db::forms::{HandoverFilter, Holder, NewHandover};
use crate::db::models::HandoverRow;
use crate::domain::enums::HolderRole;
use crate::error::ApiError;

/// A person on one side of a handover.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct HolderRef {
    /// Their login id, when the people directory has them (required to name a successor
    /// who will endorse as the measures' accountable leader).
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub sub: Option<String>,
    /// The name (or title) as the measures write it.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
}

/// Hand measures over from one holder to another (责任交接).
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "role": "accountable_leader",
    "from": {"sub": "zhang.fg", "name": "张建国"}, "to": {"sub": "li.fg", "name": "李明"},
    "unit_id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e02",
    "reason": "分管领导调整：张建国同志调任，分管工作由李明同志接任", "effective_date": "2022-09-01"
}))]
pub struct CreateHandover {
    pub role: HolderRole,
    #[validate(nested)]
    pub from: HolderRef,
    #[validate(nested)]
    pub to: HolderRef,
    /// Without `measure_ids`: only measures led by this unit or one below it.
    pub unit_id: Option<Uuid>,
    /// The measures to move. Without it, every open measure `from` holds in `role`.
    #[validate(length(min = 1, max = 1000))]
    pub measure_ids: Option<Vec<Uuid>>,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
    /// The day the successor takes over.
    #[serde(deserialize_with = "super::clerk_date")]
    pub effective_date: NaiveDate,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Handover {
    pub id: String,
    pub role: HolderRole,
    pub from: HolderOut,
    pub to: HolderOut,
    pub unit_id: Option<String>,
    pub reason: String,
    pub effective_date: NaiveDate,
    pub created_at: DateTime<Utc>,
    pub created_by: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HolderOut {
    pub sub: Option<String>,
    pub name: String,
}

/// A handover with the measures it moved.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HandoverDetail {
    #[serde(flatten)]
    pub handover: Handover,
    pub measures: Vec<HeldMeasure>,
}

impl TryFrom<HandoverRow> for Handover {
    type Error = ApiError;

    fn try_from(r: HandoverRow) -> Result<Handover, ApiError> {
        Ok(Handover {
            role: stored(HolderRole::parse(&r.role), "handovers.role", &r.role)?,
            id: r.id,
            from: HolderOut {
                sub: r.from_sub,
                name: r.from_name,
            },
            to: HolderOut {
                sub: r.to_sub,
                name: r.to_name,
            },
            unit_id: r.unit_id,
            reason: r.reason,
            effective_date: r.effective_date,
            created_at: utc(r.created_at),
            created_by: r.created_by,
        })
    }
}

page_type!(HandoverPage, Handover, "handovers, latest effective first");

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HandoverQuery {
    /// Handovers within this unit (and those below it), or moving a measure one of them
    /// leads.
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone.
    pub descendants: Option<bool>,
    /// Handed over by or to this person: a login id or a name.
    #[validate(length(min = 1, max = 200))]
    pub person: Option<String>,
    /// Effective on or after this day.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub from: Option<NaiveDate>,
    /// Effective on or before this day.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub to: Option<NaiveDate>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn holder(h: HolderRef) -> Holder {
    Holder {
        sub: h.sub,
        name: h.name,
    }
}

impl From<CreateHandover> for NewHandover {
    fn from(h: CreateHandover) -> NewHandover {
        NewHandover {
            role: h.role,
            from: holder(h.from),
            to: holder(h.to),
            unit_id: h.unit_id.map(|u| u.to_string()),
            measure_ids: h
                .measure_ids
                .map(|ids| ids.iter().map(Uuid::to_string).collect()),
            reason: h.reason,
            effective_date: h.effective_date,
        }
    }
}

impl From<&HandoverQuery> for HandoverFilter {
    fn from(q: &HandoverQuery) -> HandoverFilter {
        HandoverFilter {
            // Widened to the units below by the handler (`AppState::units_under`).
            units: None,
            person: q.person.clone(),
            from_date: q.from,
            to_date: q.to,
        }
    }
}
