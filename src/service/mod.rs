//! The use cases, one function each: access check, state and schedule rules, repo writes,
//! audit event and outbox — in the caller's transaction. Handlers, the sheet importer, the
//! seed and the CLI all call these, so no entry point can skip a rule (the synthetic
//! benchmark ledger alone writes rows in bulk).
//! Each write takes the connection, the write context (who acts, as `ctx.who`), the target
//! and a typed form.

pub mod access;
pub mod directory;
pub mod duties;
pub mod duty_counts;
pub mod duty_watch;
pub mod evidence;
pub mod extensions;
pub mod findings;
pub mod handovers;
pub mod inspections;
pub mod measures;
pub mod oversight;
pub mod people;
pub mod queue;
pub mod units;
pub mod webhooks;
pub mod workflow;

use validator::Validate;

use crate::error::{field_errors, ApiError};

/// The form, if its fields keep their limits (422 naming each field otherwise).
pub fn validated<T: Validate>(form: T) -> Result<T, ApiError> {
    form.validate()
        .map_err(|e| ApiError::Validation(field_errors(&e)))?;
    Ok(form)
}
