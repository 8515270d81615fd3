use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::page::page_type;
use super::{not_blank, utc};
use crate::db::forms::{NewUnit, UnitFilter};
use crate::db::models::UnitRow;

/// A new unit (单位/科室) in the tree 市委 → 局 → 科室/支部.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"code": "JRB-ZHK", "name": "综合科", "parent_id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e01"}))]
pub struct CreateUnit {
    /// Unique business code.
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub code: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub name: String,
    /// The unit above this one; none for a root.
    pub parent_id: Option<Uuid>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e02", "code": "JRB-ZHK", "name": "综合科",
    "parent_id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e01",
    "created_at": "2022-04-20T01:00:00Z", "updated_at": "2022-04-20T01:00:00Z",
    "created_by": "admin", "updated_by": "admin"
}))]
pub struct Unit {
    pub id: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

impl From<UnitRow> for Unit {
    fn from(r: UnitRow) -> Unit {
        Unit {
            id: r.id,
            code: r.code,
            name: r.name,
            parent_id: r.parent_id,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            created_by: r.created_by,
            updated_by: r.updated_by,
        }
    }
}

page_type!(UnitPage, Unit, "units, ordered by code");

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UnitQuery {
    /// Only the direct children of this unit.
    pub parent_id: Option<Uuid>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl From<CreateUnit> for NewUnit {
    fn from(u: CreateUnit) -> NewUnit {
        NewUnit {
            code: u.code,
            name: u.name,
            parent_id: u.parent_id.map(|p| p.to_string()),
        }
    }
}

impl From<&UnitQuery> for UnitFilter {
    fn from(q: &UnitQuery) -> UnitFilter {
        UnitFilter {
            parent_id: q.parent_id.map(|p| p.to_string()),
        }
    }
}
