//! Audit events as the history endpoints show them.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use super::utc;
use crate::db::models::EventRow;
use crate::domain::org::Organisation;

/// One change, as the append-only audit trail recorded it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Event {
    /// Position in the whole trail.
    pub seq: i64,
    pub id: String,
    pub at: DateTime<Utc>,
    /// The token's `sub` (or `system`/`seed`).
    pub actor: String,
    /// Who that is, as people call them: the name recorded with the event (the people
    /// directory's, else the token's), else the directory's now, else the login id.
    pub actor_name: String,
    pub role: String,
    /// What happened: `measure.create`, `measure.submit`, `evidence.upload`, `finding.closed`…
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    /// The object before the change (absent for a creation).
    #[schema(value_type = Option<Object>)]
    pub before: Option<Value>,
    /// The object after the change; an action's input is under `action_input`.
    #[schema(value_type = Option<Object>)]
    pub after: Option<Value>,
    /// SHA-256 chaining this event to the one before.
    pub hash: String,
}

impl Event {
    pub fn named(r: EventRow, org: &Organisation) -> Event {
        let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str(&t).ok());
        Event {
            seq: r.seq,
            id: r.id,
            at: utc(r.at),
            actor_name: r
                .actor_name
                .unwrap_or_else(|| org.display_name(&r.actor, None)),
            actor: r.actor,
            role: r.role,
            action: r.action,
            object_type: r.object_type,
            object_id: r.object_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            hash: r.hash,
        }
    }
}

/// A page of history, oldest first.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EventPage {
    pub items: Vec<Event>,
    /// Pass back as `cursor` for the next page; `null` on the last.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct HistoryQuery {
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// `next_cursor` of the previous page.
    pub cursor: Option<String>,
}

#[derive(Debug, Clone, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct FeedQuery {
    /// `next_cursor` of the previous call; absent: from the beginning.
    pub after: Option<String>,
    /// Page size, 1–500 (default 50).
    #[validate(range(min = 1, max = 500))]
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// Only events about what this unit (and every unit below it) answers for, leads or
    /// supports.
    pub unit_id: Option<uuid::Uuid>,
    /// With `unit_id`: `false` for that unit alone.
    pub descendants: Option<bool>,
    /// Seconds (0–30) to wait for a new event when there is none yet (long polling).
    #[validate(range(min = 0, max = 30))]
    #[param(minimum = 0, maximum = 30)]
    pub wait: Option<u32>,
}

/// A page of the change feed.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Feed {
    pub items: Vec<Event>,
    /// Always present, also on an empty page: pass it as `after` to resume exactly here.
    pub next_cursor: String,
}
