use chrono::NaiveDate;
use validator::Validate;

use crate::domain::enums::HolderRole;
use crate::domain::rules::not_blank;

/// One side of a handover: a person by name, and by login id when the directory has them.
#[derive(Debug, Clone, Validate)]
pub struct Holder {
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub sub: Option<String>,
    #[validate(length(min = 1, max = 200), custom(function = "not_blank"))]
    pub name: String,
}

/// A handover (责任交接): measures move from one holder to another.
#[derive(Debug, Clone, Validate)]
pub struct NewHandover {
    pub role: HolderRole,
    #[validate(nested)]
    pub from: Holder,
    #[validate(nested)]
    pub to: Holder,
    /// Without `measure_ids`: only the measures led by this unit or one below it.
    pub unit_id: Option<String>,
    /// The measures to move; without them, every open measure `from` holds in `role`.
    #[validate(length(min = 1, max = 1000))]
    pub measure_ids: Option<Vec<String>>,
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    pub reason: String,
    pub effective_date: NaiveDate,
}

/// Which handovers a list holds.
#[derive(Debug, Clone, Default)]
pub struct HandoverFilter {
    /// Handovers within any of these units (a unit and those below it), or moving a measure
    /// one of them leads.
    pub units: Option<Vec<String>>,
    /// Handed over by or to this person (login id or name).
    pub person: Option<String>,
    /// Effective on or after.
    pub from_date: Option<NaiveDate>,
    /// Effective on or before.
    pub to_date: Option<NaiveDate>,
}
