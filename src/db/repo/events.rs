//! The append-only event log: every change appends one event in the same transaction,
//! chained by hash (`domain::audit`). The table refuses UPDATE and DELETE by trigger.

use diesel::prelude::*;
use serde::Serialize;
use serde_json::Value;

use crate::db::models::EventRow;
use crate::db::repo::{new_id, visibility, Visibility, WriteCtx};
use crate::db::schema::{event_head, events};
use crate::db::DbConnection;
use crate::domain::audit::{self, Sealed};
use crate::error::ApiError;

/// A snapshot for `before`/`after`.
pub fn snapshot<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).unwrap_or(Value::Null)
}

/// Appends an event: `action` (e.g. `measure.verify`) on `object_type`/`object_id`.
pub fn append(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    action: &str,
    object: (&str, &str),
    before: Option<Value>,
    after: Option<Value>,
) -> Result<EventRow, ApiError> {
    // The no-op update takes the head's row lock: appends take turns, so the chain never
    // forks under concurrent transactions.
    diesel::update(event_head::table.find(1))
        .set(event_head::last_seq.eq(event_head::last_seq))
        .execute(conn)?;
    let (last_seq, last_hash): (i64, String) = event_head::table
        .find(1)
        .select((event_head::last_seq, event_head::last_hash))
        .first(conn)?;
    let before = before.map(|v| v.to_string());
    // A step entered late (补录) says so beside what it recorded; the event's own time stays
    // the real one.
    let after = match (after, ctx.effective) {
        (Some(mut value), Some(day)) if value.is_object() => {
            value["recorded_late"] = serde_json::json!(true);
            value["effective_date"] = serde_json::json!(day);
            Some(value)
        }
        (after, _) => after,
    };
    let after = after.map(|v| v.to_string());
    let id = new_id();
    let actor = ctx.actor.clone().unwrap_or_else(|| "system".into());
    let sealed = Sealed {
        seq: last_seq + 1,
        id: &id,
        at: ctx.now,
        actor: &actor,
        role: &ctx.role,
        action,
        object_type: object.0,
        object_id: object.1,
        before: before.as_deref(),
        after: after.as_deref(),
        actor_name: ctx.who.name.as_deref(),
    };
    let hash = audit::hash(&last_hash, &sealed);
    let row = EventRow {
        seq: sealed.seq,
        id: id.clone(),
        at: ctx.now,
        actor: actor.clone(),
        role: ctx.role.clone(),
        action: action.to_string(),
        object_type: object.0.to_string(),
        object_id: object.1.to_string(),
        before_json: before.clone(),
        after_json: after.clone(),
        prev_hash: last_hash,
        hash: hash.clone(),
        actor_name: ctx.who.name.clone(),
    };
    diesel::insert_into(events::table)
        .values(&row)
        .execute(conn)?;
    let shown = audit::changes_answers(action);
    diesel::update(event_head::table.find(1))
        .set((
            event_head::last_seq.eq(row.seq),
            event_head::last_hash.eq(hash),
        ))
        .execute(conn)?;
    if shown {
        diesel::update(event_head::table.find(1))
            .set(event_head::shown_seq.eq(row.seq))
            .execute(conn)?;
        ctx.last_shown.set(row.seq);
    }
    ctx.last_event.set(row.seq);
    // Announced to subscribers through the outbox, in this same transaction.
    super::webhooks::enqueue(conn, ctx, &row)?;
    Ok(row)
}

/// The sequence number of the latest event: the ledger's version.
pub fn last_seq(conn: &mut DbConnection) -> Result<i64, ApiError> {
    Ok(event_head::table
        .find(1)
        .select(event_head::last_seq)
        .first(conn)?)
}

/// The head of the chain and the last event that changed what answers show.
pub fn versions(conn: &mut DbConnection) -> Result<(i64, i64), ApiError> {
    Ok(event_head::table
        .find(1)
        .select((event_head::last_seq, event_head::shown_seq))
        .first(conn)?)
}

/// The change feed: events after `after` that `vis` may see, in order, up to the head of
/// the chain as it stood when read. Returns the events (at most `limit + 1`) and that head.
/// Events after `after` that `vis` sees, and — with `about` — only those about what those
/// units answer for, lead or support (and about units and people).
pub fn feed(
    conn: &mut DbConnection,
    vis: &Visibility,
    about: Option<&Visibility>,
    after: i64,
    limit: i64,
) -> Result<(Vec<EventRow>, i64), ApiError> {
    let head = last_seq(conn)?;
    let mut query = events::table
        .filter(events::seq.gt(after))
        .filter(events::seq.le(head))
        .into_boxed();
    query = visibility::filter_events(query, vis);
    if let Some(about) = about {
        query = visibility::filter_events(query, about);
    }
    let rows = query
        .order(events::seq.asc())
        .limit(limit + 1)
        .select(EventRow::as_select())
        .load(conn)?;
    Ok((rows, head))
}

/// The events of one object, oldest first, after `after_seq`.
pub fn of_object(
    conn: &mut DbConnection,
    object_type: &str,
    object_id: &str,
    after_seq: Option<i64>,
    limit: i64,
) -> Result<Vec<EventRow>, ApiError> {
    Ok(events::table
        .filter(events::object_type.eq(object_type.to_string()))
        .filter(events::object_id.eq(object_id.to_string()))
        .filter(events::seq.gt(after_seq.unwrap_or(0)))
        .order(events::seq.asc())
        .limit(limit + 1)
        .select(EventRow::as_select())
        .load(conn)?)
}

/// What `verify` found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct ChainReport {
    /// True when every event matches its hash and its predecessor.
    pub intact: bool,
    /// How many events were checked.
    pub events: i64,
    /// The first event that does not fit, when the chain is broken.
    pub first_broken: Option<BrokenEvent>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct BrokenEvent {
    pub seq: i64,
    pub id: String,
    pub reason: String,
}

/// Walks the whole chain in pages (memory stays flat however long it is), up to the head
/// read first: events appended while it walks are left for the next check.
pub fn verify(conn: &mut DbConnection) -> Result<ChainReport, ApiError> {
    const BATCH: i64 = 1000;
    let head = |conn: &mut DbConnection| -> Result<(i64, String), ApiError> {
        Ok(event_head::table
            .find(1)
            .select((event_head::last_seq, event_head::last_hash))
            .first(conn)?)
    };
    let (last_seq, last_hash) = head(conn)?;
    let mut prev_seq = 0;
    let mut prev_hash = audit::GENESIS.to_string();
    let mut checked = 0;
    loop {
        let batch: Vec<EventRow> = events::table
            .filter(events::seq.gt(prev_seq))
            .filter(events::seq.le(last_seq))
            .order(events::seq.asc())
            .limit(BATCH)
            .select(EventRow::as_select())
            .load(conn)?;
        for e in &batch {
            let sealed = Sealed {
                seq: e.seq,
                id: &e.id,
                at: e.at,
                actor: &e.actor,
                role: &e.role,
                action: &e.action,
                object_type: &e.object_type,
                object_id: &e.object_id,
                before: e.before_json.as_deref(),
                after: e.after_json.as_deref(),
                actor_name: e.actor_name.as_deref(),
            };
            checked += 1;
            if let Err(why) = audit::check(prev_seq, &prev_hash, &sealed, &e.prev_hash, &e.hash) {
                return Ok(broken(checked, e.seq, &e.id, why.describe()));
            }
            prev_seq = e.seq;
            prev_hash = e.hash.clone();
        }
        if (batch.len() as i64) < BATCH {
            break;
        }
    }
    // The head must point at the last event: events cut off the end are noticed too, and
    // so are events past the head that no write of the service put there.
    let beyond: i64 = events::table
        .filter(events::seq.gt(last_seq))
        .count()
        .get_result(conn)?;
    if beyond > 0 && head(conn)?.0 == last_seq {
        return Ok(broken(
            checked,
            last_seq + 1,
            "",
            format!("{beyond} event(s) follow the head at {last_seq} without moving it"),
        ));
    }
    if last_seq != prev_seq || last_hash != prev_hash {
        return Ok(broken(
            checked,
            last_seq,
            "",
            format!("the chain ends at event {prev_seq}, but {last_seq} events were written"),
        ));
    }
    Ok(ChainReport {
        intact: true,
        events: checked,
        first_broken: None,
    })
}

fn broken(checked: i64, seq: i64, id: &str, reason: String) -> ChainReport {
    ChainReport {
        intact: false,
        events: checked,
        first_broken: Some(BrokenEvent {
            seq,
            id: id.to_string(),
            reason,
        }),
    }
}

/// The latest event of an object among `actions`.
pub fn last_of(
    conn: &mut DbConnection,
    object_type: &str,
    object_id: &str,
    actions: &[&str],
) -> Result<Option<EventRow>, ApiError> {
    let actions: Vec<String> = actions.iter().map(|a| a.to_string()).collect();
    Ok(events::table
        .filter(events::object_type.eq(object_type.to_string()))
        .filter(events::object_id.eq(object_id.to_string()))
        .filter(events::action.eq_any(actions))
        .order(events::seq.desc())
        .select(EventRow::as_select())
        .first(conn)
        .optional()?)
}
