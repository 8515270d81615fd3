//! Request and response bodies: serde + validator + utoipa. Never diesel rows.

pub mod actions;
pub mod duties;
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

/// What a date field says when it cannot be read.
pub const DATE_FORMS: &str =
    "is not a date; write it as 2026-12-30, 2026/12/30, 2026年12月30日 or 2026年12月底前";

/// A date as clerks type it: `2026-12-30`, `2026/12/30`, `2026年12月30日`, or a month
/// (`2026年12月底前`) meaning its last day — the forms the sheet import reads.
pub fn clerk_date<'de, D: Deserializer<'de>>(d: D) -> Result<chrono::NaiveDate, D::Error> {
    let text = String::deserialize(d)?;
    crate::domain::ledger::parse_date(&crate::domain::ledger::Cell::Text(text.clone()))
        .map_err(|_| serde::de::Error::custom(format!("{text:?} {DATE_FORMS}")))
}

/// An optional `clerk_date` (absent or `null`: none).
pub fn clerk_date_opt<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<chrono::NaiveDate>, D::Error> {
    match Option::<String>::deserialize(d)? {
        None => Ok(None),
        Some(text) => {
            crate::domain::ledger::parse_date(&crate::domain::ledger::Cell::Text(text.clone()))
                .map(Some)
                .map_err(|_| serde::de::Error::custom(format!("{text:?} {DATE_FORMS}")))
        }
    }
}

/// A PATCH date that may be cleared: absent → `None`, `null` → `Some(None)`.
pub fn clerk_date_nullable<'de, D: Deserializer<'de>>(
    d: D,
) -> Result<Option<Option<chrono::NaiveDate>>, D::Error> {
    clerk_date_opt(d).map(Some)
}
