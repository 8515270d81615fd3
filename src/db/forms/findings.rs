use validator::Validate;

use crate::domain::enums::{Category, FindingStatus, Level, SupervisionLevel, Warning};
use crate::domain::rules::not_blank;

/// A new finding, assigned to its responsible unit.
#[derive(Debug, Clone, Validate)]
pub struct NewFinding {
    /// Generated from the inspection's code when absent.
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    pub code: Option<String>,
    pub category: Category,
    pub level: Option<Level>,
    pub supervision_level: Option<SupervisionLevel>,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    pub title: String,
    #[validate(length(min = 1, max = 10000), custom(function = "not_blank"))]
    pub description: String,
    pub responsible_unit_id: String,
    #[validate(length(min = 1, max = 200))]
    pub primary_accountable: Option<String>,
    /// Its own source, when not its inspection's (a 考核 finding in a 巡察's ledger).
    pub source_type: Option<crate::domain::enums::SourceType>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub source_ref: Option<String>,
}

/// Changes to a finding: `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, Validate)]
pub struct FindingChanges {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    pub code: Option<String>,
    pub category: Option<Category>,
    pub level: Option<Level>,
    pub supervision_level: Option<SupervisionLevel>,
    #[validate(length(min = 1, max = 500), custom(function = "not_blank"))]
    pub title: Option<String>,
    #[validate(length(min = 1, max = 10000), custom(function = "not_blank"))]
    pub description: Option<String>,
    pub responsible_unit_id: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub primary_accountable: Option<Option<String>>,
    pub source_type: Option<Option<crate::domain::enums::SourceType>>,
    #[validate(length(min = 1, max = 200))]
    pub source_ref: Option<Option<String>>,
}

impl FindingChanges {
    pub fn is_empty(&self) -> bool {
        self.code.is_none()
            && self.category.is_none()
            && self.level.is_none()
            && self.supervision_level.is_none()
            && self.title.is_none()
            && self.description.is_none()
            && self.responsible_unit_id.is_none()
            && self.primary_accountable.is_none()
            && self.source_type.is_none()
            && self.source_ref.is_none()
    }
}

/// Which findings a list holds.
#[derive(Debug, Clone, Default)]
pub struct FindingFilter {
    pub inspection_id: Option<String>,
    /// The responsible unit: any of these (a unit and those below it).
    pub units: Option<Vec<String>>,
    pub status: Option<FindingStatus>,
    pub category: Option<Category>,
    pub level: Option<Level>,
    pub warning: Option<Warning>,
}
