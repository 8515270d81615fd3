//! Request and response bodies: serde + validator + utoipa. Never diesel rows.

pub mod actions;
pub mod events;
pub mod evidence;
pub mod extensions;
pub mod findings;
pub mod handovers;
pub mod inspections;
pub mod ledger;
pub mod measures;
pub mod page;
pub mod people;
pub mod queue;
pub mod rechecks;
pub mod stats;
pub mod units;

use chrono::{DateTime, NaiveDateTime, Utc};
use serde::{Deserialize, Deserializer};

use crate::error::ApiError;

/// For PATCH fields that may be cleared: absent → `None`, `null` → `Some(None)`.
pub fn nullable<'de, T, D>(d: D) -> Result<Option<Option<T>>, D::Error>
where
    T: Deserialize<'de>,
    D: Deserializer<'de>,
{
    Option::<T>::deserialize(d).map(Some)
}

pub fn utc(t: NaiveDateTime) -> DateTime<Utc> {
    t.and_utc()
}

/// Text read back from the database that names no known enum value: a broken row, not
/// the client's fault.
pub fn stored<T>(value: Option<T>, column: &str, text: &str) -> Result<T, ApiError> {
    value.ok_or_else(|| ApiError::Internal(format!("unknown value {text:?} in column {column}")))
}

pub use crate::domain::rules::not_blank;
