use chrono::NaiveDate;
use validator::Validate;

use crate::domain::enums::SourceType;
use crate::domain::rules::not_blank;

/// A new inspection round.
#[derive(Debug, Clone, Validate)]
pub struct NewInspection {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    pub code: String,
    pub source_type: SourceType,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    pub title: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub issuer: String,
    pub target_unit_id: Option<String>,
    pub feedback_date: NaiveDate,
    pub concentrated_period_end: Option<NaiveDate>,
}

/// Changes to an inspection: `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, Validate)]
pub struct InspectionChanges {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    pub code: Option<String>,
    pub source_type: Option<SourceType>,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub issuer: Option<String>,
    pub target_unit_id: Option<Option<String>>,
    pub feedback_date: Option<NaiveDate>,
    pub concentrated_period_end: Option<Option<NaiveDate>>,
}

/// Which inspections a list holds.
#[derive(Debug, Clone, Default)]
pub struct InspectionFilter {
    pub source_type: Option<SourceType>,
}
