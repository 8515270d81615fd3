use validator::Validate;

use crate::domain::rules::not_blank;

/// A new unit in the tree.
#[derive(Debug, Clone, Validate)]
pub struct NewUnit {
    #[validate(length(min = 1, max = 64), custom(function = "not_blank"))]
    pub code: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub name: String,
    pub parent_id: Option<String>,
}

/// Which units a list holds.
#[derive(Debug, Clone, Default)]
pub struct UnitFilter {
    /// Only the direct children of this unit.
    pub parent_id: Option<String>,
}
