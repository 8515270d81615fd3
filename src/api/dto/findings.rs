use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::measures::Measure;
use super::page::page_type;
use super::{not_blank, nullable, utc};
use crate::db::forms::{FindingChanges, FindingFilter, NewFinding};
use crate::db::models::FindingRow;
use crate::domain::enums::{Category, FindingStatus, Level, SourceType, SupervisionLevel, Warning};
use crate::domain::workflow;
use crate::error::ApiError;

/// A new finding (问题) of an inspection, assigned (交办) to its responsible unit.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "XC-2022-03-05", "category": "strict_governance", "level": "key", "supervision_level": "listed",
    "title": "执行中央八项规定精神不严格，差旅费报销不规范",
    "description": "住宿地与培训地同地仍报销市内交通补助；出差与报销日期填报不准确；短距离出差违规报销差旅费。",
    "responsible_unit_id": "01934f2e-7b1c-7d2a-9a51-0c1f6b2d9e02", "primary_accountable": "党组书记、主任"
}))]
pub struct CreateFinding {
    /// 问题编号, unique in the inspection; generated (`<inspection code>-01`, `-02`…) when absent.
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub code: Option<String>,
    pub category: Category,
    /// Default `general`.
    pub level: Option<Level>,
    /// Default `normal`; `listed` is 挂牌督办.
    pub supervision_level: Option<SupervisionLevel>,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub title: String,
    #[validate(length(min = 1, max = 10000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 10000, pattern = "\\S")]
    pub description: String,
    /// 责任单位.
    pub responsible_unit_id: Uuid,
    /// 第一责任人.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub primary_accountable: Option<String>,
    /// 问题来源, when not the inspection's: a 考核 finding kept in a 巡察's ledger.
    pub source_type: Option<SourceType>,
    /// What that source is called, e.g. 2021年党风廉政建设责任制考核.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub source_ref: Option<String>,
}

/// Changes to a finding; absent fields stay, `null` clears an optional one. Changing
/// `responsible_unit_id` reassigns the finding.
#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"level": "key", "supervision_level": "listed"}))]
pub struct UpdateFinding {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub code: Option<String>,
    pub category: Option<Category>,
    pub level: Option<Level>,
    pub supervision_level: Option<SupervisionLevel>,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 10000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 10000, pattern = "\\S")]
    pub description: Option<String>,
    pub responsible_unit_id: Option<Uuid>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    #[schema(value_type = Option<String>, nullable)]
    pub primary_accountable: Option<Option<String>>,
    /// `null`: the inspection's source again.
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<SourceType>, nullable)]
    pub source_type: Option<Option<SourceType>>,
    #[serde(default, deserialize_with = "nullable")]
    #[validate(length(min = 1, max = 200))]
    #[schema(value_type = Option<String>, nullable, min_length = 1, max_length = 200)]
    pub source_ref: Option<Option<String>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Finding {
    pub id: String,
    pub inspection_id: String,
    pub code: String,
    pub category: Category,
    pub level: Level,
    pub supervision_level: SupervisionLevel,
    pub title: String,
    pub description: String,
    pub responsible_unit_id: String,
    pub primary_accountable: Option<String>,
    /// Its own source; `null`: its inspection's (`source_type` of the inspection).
    pub source_type: Option<SourceType>,
    pub source_ref: Option<String>,
    pub status: FindingStatus,
    pub closed_at: Option<DateTime<Utc>>,
    /// 红黄绿灯: its worst measure's light.
    pub warning: Warning,
    /// The workflow actions its state allows (`POST /findings/{id}/actions/{action}`);
    /// `long_term` and `closed` follow from its measures.
    pub allowed_actions: Vec<String>,
    /// Bumped by every change; also the `ETag`.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

/// A finding with its measures (任务清单).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FindingDetail {
    #[serde(flatten)]
    pub finding: Finding,
    pub measures: Vec<Measure>,
}

impl Finding {
    /// The finding with its light (from `repo::warnings::of_findings`).
    pub fn from_row(r: FindingRow, warning: Warning) -> Result<Finding, ApiError> {
        let status = r.status;
        Ok(Finding {
            warning,
            allowed_actions: workflow::finding_actions(status)
                .into_iter()
                .map(String::from)
                .collect(),
            category: r.category,
            level: r.level,
            supervision_level: r.supervision_level,
            status,
            id: r.id,
            inspection_id: r.inspection_id,
            code: r.code,
            title: r.title,
            description: r.description,
            responsible_unit_id: r.responsible_unit_id,
            primary_accountable: r.primary_accountable,
            source_type: r.source_type.as_deref().and_then(SourceType::parse),
            source_ref: r.source_ref,
            closed_at: r.closed_at.map(utc),
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            created_by: r.created_by,
            updated_by: r.updated_by,
        })
    }
}

page_type!(FindingPage, Finding, "findings, ordered by code");

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FindingQuery {
    pub inspection_id: Option<Uuid>,
    /// The responsible unit.
    pub unit_id: Option<Uuid>,
    /// With `unit_id`: `false` for that unit alone; by default it and every unit below it.
    pub descendants: Option<bool>,
    pub status: Option<FindingStatus>,
    pub category: Option<Category>,
    pub level: Option<Level>,
    /// Only findings with this light today (their worst measure's).
    pub warning: Option<Warning>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl From<CreateFinding> for NewFinding {
    fn from(f: CreateFinding) -> NewFinding {
        NewFinding {
            code: f.code,
            category: f.category,
            level: f.level,
            supervision_level: f.supervision_level,
            title: f.title,
            description: f.description,
            responsible_unit_id: f.responsible_unit_id.to_string(),
            primary_accountable: f.primary_accountable,
            source_type: f.source_type,
            source_ref: f.source_ref,
        }
    }
}

impl From<UpdateFinding> for FindingChanges {
    fn from(f: UpdateFinding) -> FindingChanges {
        FindingChanges {
            code: f.code,
            category: f.category,
            level: f.level,
            supervision_level: f.supervision_level,
            title: f.title,
            description: f.description,
            responsible_unit_id: f.responsible_unit_id.map(|u| u.to_string()),
            primary_accountable: f.primary_accountable,
            source_type: f.source_type,
            source_ref: f.source_ref,
        }
    }
}

impl From<&FindingQuery> for FindingFilter {
    fn from(q: &FindingQuery) -> FindingFilter {
        FindingFilter {
            inspection_id: q.inspection_id.map(|u| u.to_string()),
            // Widened to the units below by the handler (`AppState::units_under`).
            units: None,
            status: q.status,
            category: q.category,
            level: q.level,
            warning: q.warning,
        }
    }
}
