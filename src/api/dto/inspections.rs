use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;
use validator::Validate;

use super::page::page_type;
use super::{not_blank, nullable, utc};
use crate::db::forms::{InspectionChanges, InspectionFilter, NewInspection};
use crate::db::models::InspectionRow;
use crate::domain::enums::SourceType;
use crate::error::ApiError;

/// A new inspection round (巡视/巡察/审计…) whose findings the units must rectify.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "code": "XC-2022-03", "source_type": "xuncha", "title": "市委第三巡察组对市金融办党组巡察反馈问题整改",
    "issuer": "市委第三巡察组", "feedback_date": "2022-04-20", "concentrated_period_end": "2022-07-20"
}))]
pub struct CreateInspection {
    /// Unique business code, e.g. `XC-2022-03`.
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub code: String,
    pub source_type: SourceType,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub title: String,
    /// Who inspected, e.g. 市委第三巡察组.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub issuer: String,
    /// The inspected unit.
    pub target_unit_id: Option<Uuid>,
    /// 反馈日期: rectification starts here; no measure may be due before it.
    #[serde(deserialize_with = "super::clerk_date")]
    pub feedback_date: NaiveDate,
    /// 集中整改期 end.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub concentrated_period_end: Option<NaiveDate>,
}

/// Changes to an inspection; absent fields stay as they are, `null` clears an optional one.
#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"concentrated_period_end": "2022-08-20"}))]
pub struct UpdateInspection {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 64, pattern = "\\S")]
    pub code: Option<String>,
    pub source_type: Option<SourceType>,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 500, pattern = "\\S")]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 200, pattern = "\\S")]
    pub issuer: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    #[schema(value_type = Option<Uuid>, nullable)]
    pub target_unit_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub feedback_date: Option<NaiveDate>,
    #[serde(default, deserialize_with = "super::clerk_date_nullable")]
    #[schema(value_type = Option<NaiveDate>, nullable)]
    pub concentrated_period_end: Option<Option<NaiveDate>>,
}

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Inspection {
    pub id: String,
    pub code: String,
    pub source_type: SourceType,
    pub title: String,
    pub issuer: String,
    pub target_unit_id: Option<String>,
    pub feedback_date: NaiveDate,
    pub concentrated_period_end: Option<NaiveDate>,
    /// Bumped by every change.
    pub version: i32,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

impl TryFrom<InspectionRow> for Inspection {
    type Error = ApiError;

    fn try_from(r: InspectionRow) -> Result<Inspection, ApiError> {
        Ok(Inspection {
            source_type: r.source_type,
            id: r.id,
            code: r.code,
            title: r.title,
            issuer: r.issuer,
            target_unit_id: r.target_unit_id,
            feedback_date: r.feedback_date,
            concentrated_period_end: r.concentrated_period_end,
            version: r.version,
            created_at: utc(r.created_at),
            updated_at: utc(r.updated_at),
            created_by: r.created_by,
            updated_by: r.updated_by,
        })
    }
}

page_type!(
    InspectionPage,
    Inspection,
    "inspections, latest feedback date first"
);

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InspectionQuery {
    pub source_type: Option<SourceType>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

impl From<CreateInspection> for NewInspection {
    fn from(i: CreateInspection) -> NewInspection {
        NewInspection {
            code: i.code,
            source_type: i.source_type,
            title: i.title,
            issuer: i.issuer,
            target_unit_id: i.target_unit_id.map(|u| u.to_string()),
            feedback_date: i.feedback_date,
            concentrated_period_end: i.concentrated_period_end,
        }
    }
}

impl From<UpdateInspection> for InspectionChanges {
    fn from(i: UpdateInspection) -> InspectionChanges {
        InspectionChanges {
            code: i.code,
            source_type: i.source_type,
            title: i.title,
            issuer: i.issuer,
            target_unit_id: i.target_unit_id.map(|t| t.map(|u| u.to_string())),
            feedback_date: i.feedback_date,
            concentrated_period_end: i.concentrated_period_end,
        }
    }
}

impl From<&InspectionQuery> for InspectionFilter {
    fn from(q: &InspectionQuery) -> InspectionFilter {
        InspectionFilter {
            source_type: q.source_type,
        }
    }
}
