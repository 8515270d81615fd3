//! Pure rules of the rectification domain: no actix, no diesel.

pub mod audit;
pub mod calendar;
pub mod codes;
pub mod deadline;
pub mod duties;
pub mod enums;
pub mod idempotency;
pub mod ledger;
pub mod org;
pub mod permissions;
pub mod plan;
pub mod queue;
pub mod quota;
pub mod rules;
pub mod stats;
pub mod webhooks;
pub mod workflow;
