//! What the queries and use cases take: plain, typed forms (ids as text, enums typed),
//! one per write and one filter per list, beside the rows they fill. The API's request
//! types convert into these (`From`); the seed and the sheet importer build them directly.
//! Each form carries the limits of its fields (`validate()`), so every entry point meets
//! the same ones.

pub mod duties;
pub mod findings;
pub mod handovers;
pub mod inspections;
pub mod measures;
pub mod people;
pub mod units;

pub use duties::{ActivityFilter, DutyChanges, DutyFilter, NewActivity, NewDuty};
pub use findings::{FindingChanges, FindingFilter, NewFinding};
pub use handovers::{HandoverFilter, Holder, NewHandover};
pub use inspections::{InspectionChanges, InspectionFilter, NewInspection};
pub use measures::{MeasureChanges, MeasureFilter, NewMeasure};
pub use people::{NewPerson, PersonChanges, PersonFilter};
pub use units::{NewUnit, UnitFilter};

/// Which extension requests a list holds (the office's queue of pending ones, say).
#[derive(Debug, Clone, Default)]
pub struct ExtensionFilter {
    pub status: Option<crate::domain::enums::ExtensionStatus>,
    pub inspection_id: Option<String>,
    pub measure_id: Option<String>,
    /// Lead or supporting unit of the measure: any of these (a unit and those below it).
    pub units: Option<Vec<String>>,
}
