use validator::Validate;

use crate::domain::rules::not_blank;

/// A new entry of the people directory.
#[derive(Debug, Clone, Validate)]
pub struct NewPerson {
    /// The login id tokens carry as `sub`.
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub sub: String,
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    pub name: String,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub title: Option<String>,
    pub unit_id: Option<String>,
    #[validate(length(max = 100))]
    pub oversees_unit_ids: Vec<String>,
}

/// Changes to an entry: `None` keeps a field, `Some(None)` clears an optional one.
#[derive(Debug, Clone, Default, Validate)]
pub struct PersonChanges {
    #[validate(length(min = 1, max = 100), custom(function = "not_blank"))]
    pub name: Option<String>,
    #[validate(length(min = 1, max = 200))]
    pub title: Option<Option<String>>,
    pub unit_id: Option<Option<String>>,
    #[validate(length(max = 100))]
    pub oversees_unit_ids: Option<Vec<String>>,
}

impl PersonChanges {
    pub fn is_empty(&self) -> bool {
        self.name.is_none()
            && self.title.is_none()
            && self.unit_id.is_none()
            && self.oversees_unit_ids.is_none()
    }

    /// Whether the change moves the person's scope (unit or oversight).
    pub fn moves_scope(&self) -> bool {
        self.unit_id.is_some() || self.oversees_unit_ids.is_some()
    }
}

/// Which entries a list holds.
#[derive(Debug, Clone, Default)]
pub struct PersonFilter {
    /// Working in this unit, or overseeing it.
    pub unit_id: Option<String>,
}
