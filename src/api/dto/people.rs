//! The people directory (人员名录) as the API shows it.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::page::page_type;
use super::{not_blank, nullable, utc};
use crate::db::forms::{NewPerson, PersonChanges, PersonFilter};
use crate::db::models::{MeasureRow, PersonRow};
use crate::domain::enums::MeasureStatus;

/// A person in the directory: where they work, and the units a leader oversees (分管).
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "sub": "zhang.fg", "name": "张建国", "title": "党组成员、副主任",
    "unit_id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e02",
    "oversees_unit_ids": ["01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e03", "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e04"]
}))]
pub struct CreatePerson {
    /// The login id their tokens carry as `sub`.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub sub: String,
    /// The name printed on papers and shown in histories.
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: String,
    /// 职务, e.g. 党组成员、副主任.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub title: Option<String>,
    /// The unit they work in.
    pub unit_id: Option<Uuid>,
    /// The units they oversee beside their own (分管): their scope is all of these with
    /// every unit below them.
    #[serde(default)]
    #[validate(length(max = 100))]
    pub oversees_unit_ids: Vec<Uuid>,
}

/// Changes to an entry; absent fields stay, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"oversees_unit_ids": ["01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e03"]}))]
pub struct UpdatePerson {
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 100, pattern = "\\S")]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 200))]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 200)]
    pub title: Option<Option<String>>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub unit_id: Option<Option<Uuid>>,
    #[validate(length(max = 100))]
    pub oversees_unit_ids: Option<Vec<Uuid>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({
    "sub": "zhang.fg", "name": "张建国", "title": "党组成员、副主任",
    "unit_id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e02",
    "oversees_unit_ids": ["01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e03"], "version": 1,
    "created_at": "2022-04-20T01:00:00Z", "updated_at": "2022-04-20T01:00:00Z"
}))]
pub struct Person {
    pub sub: String,
    pub name: String,
    pub title: Option<String>,
    pub unit_id: Option<String>,
    pub oversees_unit_ids: Vec<String>,
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// An open measure someone holds, in short.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct HeldMeasure {
    pub id: String,
    pub code: String,
    pub content: String,
    pub lead_unit_id: String,
    pub status: MeasureStatus,
    pub accountable_leader: String,
    pub responsible_person: Option<String>,
}

/// A changed entry, and — when its unit or oversight moved — the open measures the person
/// still holds outside the new scope (hand them over: `POST /handovers`).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct PersonUpdated {
    pub person: Person,
    pub still_held_outside_scope: Vec<HeldMeasure>,
}

impl From<PersonRow> for Person {
    fn from(r: PersonRow) -> Person {
        Person {
            oversees_unit_ids: r.oversees(),
            sub: r.sub,
            name: r.name,
            title: r.title,
            unit_id: r.unit_id,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
        }
    }
}

impl From<MeasureRow> for HeldMeasure {
    fn from(m: MeasureRow) -> HeldMeasure {
        HeldMeasure {
            id: m.id,
            code: m.code,
            content: m.content,
            lead_unit_id: m.lead_unit_id,
            status: m.status,
            accountable_leader: m.accountable_leader,
            responsible_person: m.responsible_person,
        }
    }
}

page_type!(PersonPage, Person, "people, ordered by login id");

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct PersonQuery {
    /// Working in this unit, or overseeing it.
    pub unit_id: Option<Uuid>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

fn ids(list: &[Uuid]) -> Vec<String> {
    list.iter().map(Uuid::to_string).collect()
}

impl From<CreatePerson> for NewPerson {
    fn from(p: CreatePerson) -> NewPerson {
        NewPerson {
            sub: p.sub,
            name: p.name,
            title: p.title,
            unit_id: p.unit_id.map(|u| u.to_string()),
            oversees_unit_ids: ids(&p.oversees_unit_ids),
        }
    }
}

impl From<UpdatePerson> for PersonChanges {
    fn from(p: UpdatePerson) -> PersonChanges {
        PersonChanges {
            name: p.name,
            title: p.title,
            unit_id: p.unit_id.map(|u| u.map(|u| u.to_string())),
            oversees_unit_ids: p.oversees_unit_ids.map(|l| ids(&l)),
        }
    }
}

impl From<&PersonQuery> for PersonFilter {
    fn from(q: &PersonQuery) -> PersonFilter {
        PersonFilter {
            unit_id: q.unit_id.map(|u| u.to_string()),
        }
    }
}
