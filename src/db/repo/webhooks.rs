//! Webhook subscriptions, the delivery outbox (written in the transaction of the change it
//! announces), and the deadline notices of the scanner.

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::models::{DeliveryRow, EventRow, NoticeRow, WebhookRow};
use crate::db::repo::{new_id, WriteCtx};
use crate::db::schema::{deadline_notices, webhook_deliveries, webhooks};
use crate::db::DbConnection;
use crate::domain::webhooks::{self as rules, DISABLE_AFTER_SECS};
use crate::error::ApiError;

pub fn create(conn: &mut DbConnection, row: WebhookRow) -> Result<WebhookRow, ApiError> {
    diesel::insert_into(webhooks::table)
        .values(&row)
        .execute(conn)?;
    Ok(row)
}

/// Every subscription, ended ones too.
pub fn all(conn: &mut DbConnection) -> Result<Vec<WebhookRow>, ApiError> {
    Ok(webhooks::table.select(WebhookRow::as_select()).load(conn)?)
}

pub fn set_secret(conn: &mut DbConnection, id: &str, secret: &str) -> Result<(), ApiError> {
    diesel::update(webhooks::table.find(id))
        .set(webhooks::secret.eq(secret))
        .execute(conn)?;
    Ok(())
}

pub fn active(conn: &mut DbConnection) -> Result<Vec<WebhookRow>, ApiError> {
    Ok(webhooks::table
        .filter(webhooks::active.eq(true))
        .order(webhooks::created_at.asc())
        .select(WebhookRow::as_select())
        .load(conn)?)
}

pub fn get(conn: &mut DbConnection, id: &str) -> Result<WebhookRow, ApiError> {
    webhooks::table
        .find(id)
        .select(WebhookRow::as_select())
        .first(conn)
        .optional()?
        .ok_or_else(|| ApiError::not_found("webhook"))
}

/// Unsubscribes (the record and its delivery log stay).
pub fn disable(conn: &mut DbConnection, id: &str, now: NaiveDateTime) -> Result<(), ApiError> {
    get(conn, id)?;
    diesel::update(webhooks::table.find(id))
        .set((
            webhooks::active.eq(false),
            webhooks::disabled_at.eq(Some(now)),
        ))
        .execute(conn)?;
    diesel::update(
        webhook_deliveries::table
            .filter(webhook_deliveries::webhook_id.eq(id.to_string()))
            .filter(webhook_deliveries::status.eq("pending")),
    )
    .set((
        webhook_deliveries::status.eq("failed"),
        webhook_deliveries::last_error.eq(Some("the webhook was disabled")),
    ))
    .execute(conn)?;
    Ok(())
}

pub fn deliveries(conn: &mut DbConnection, id: &str) -> Result<Vec<DeliveryRow>, ApiError> {
    Ok(webhook_deliveries::table
        .filter(webhook_deliveries::webhook_id.eq(id.to_string()))
        .order((
            webhook_deliveries::created_at.desc(),
            webhook_deliveries::id.desc(),
        ))
        .limit(200)
        .select(DeliveryRow::as_select())
        .load(conn)?)
}

/// Puts one delivery per interested subscription into the outbox for an audit event.
pub fn enqueue(conn: &mut DbConnection, ctx: &WriteCtx, event: &EventRow) -> Result<(), ApiError> {
    let Some(kind) = rules::event_type(&event.action) else {
        return Ok(());
    };
    let hooks = active(conn)?;
    let payload = serde_json::json!({
        "id": event.id,
        "type": kind,
        "occurred_at": event.at.and_utc(),
        "actor": event.actor,
        "object": {"type": event.object_type, "id": event.object_id},
        "data": event.after_json.as_deref().and_then(|a| serde_json::from_str::<serde_json::Value>(a).ok()),
    })
    .to_string();
    for hook in hooks {
        let wanted: Vec<String> = serde_json::from_str(&hook.events).unwrap_or_default();
        if !wanted.iter().any(|w| w == kind) {
            continue;
        }
        let row = DeliveryRow {
            id: new_id(),
            webhook_id: hook.id,
            event_type: kind.to_string(),
            payload: payload.clone(),
            status: "pending".into(),
            attempts: 0,
            next_attempt_at: ctx.now,
            last_status: None,
            last_error: None,
            created_at: ctx.now,
            delivered_at: None,
        };
        diesel::insert_into(webhook_deliveries::table)
            .values(&row)
            .execute(conn)?;
    }
    Ok(())
}

/// Deliveries due now, each claimed for a minute so another worker leaves it alone.
pub fn claim_due(
    conn: &mut DbConnection,
    now: NaiveDateTime,
    limit: i64,
) -> Result<Vec<(DeliveryRow, WebhookRow)>, ApiError> {
    let due: Vec<DeliveryRow> = webhook_deliveries::table
        .filter(webhook_deliveries::status.eq("pending"))
        .filter(webhook_deliveries::next_attempt_at.le(now))
        .order(webhook_deliveries::next_attempt_at.asc())
        .limit(limit)
        .select(DeliveryRow::as_select())
        .load(conn)?;
    let mut claimed = vec![];
    for d in due {
        let taken = diesel::update(
            webhook_deliveries::table
                .filter(webhook_deliveries::id.eq(d.id.clone()))
                .filter(webhook_deliveries::next_attempt_at.eq(d.next_attempt_at)),
        )
        .set(webhook_deliveries::next_attempt_at.eq(now + Duration::seconds(60)))
        .execute(conn)?;
        if taken == 1 {
            let hook = get(conn, &d.webhook_id)?;
            claimed.push((d, hook));
        }
    }
    Ok(claimed)
}

/// Records an attempt's outcome; a hook failing for a day is disabled.
pub fn record(
    conn: &mut DbConnection,
    delivery: &DeliveryRow,
    hook: &WebhookRow,
    outcome: Result<u16, (Option<u16>, String)>,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let attempts = delivery.attempts + 1;
    match outcome {
        Ok(status) => {
            diesel::update(webhook_deliveries::table.find(&delivery.id))
                .set((
                    webhook_deliveries::status.eq("delivered"),
                    webhook_deliveries::attempts.eq(attempts),
                    webhook_deliveries::last_status.eq(Some(i32::from(status))),
                    webhook_deliveries::last_error.eq(None::<String>),
                    webhook_deliveries::delivered_at.eq(Some(now)),
                ))
                .execute(conn)?;
            diesel::update(webhooks::table.find(&hook.id))
                .set(webhooks::failing_since.eq(None::<NaiveDateTime>))
                .execute(conn)?;
        }
        Err((status, error)) => {
            diesel::update(webhook_deliveries::table.find(&delivery.id))
                .set((
                    webhook_deliveries::attempts.eq(attempts),
                    webhook_deliveries::last_status.eq(status.map(i32::from)),
                    webhook_deliveries::last_error.eq(Some(error)),
                    webhook_deliveries::next_attempt_at
                        .eq(now + Duration::seconds(rules::backoff_secs(attempts))),
                ))
                .execute(conn)?;
            let since = hook.failing_since.unwrap_or(now);
            if hook.failing_since.is_none() {
                diesel::update(webhooks::table.find(&hook.id))
                    .set(webhooks::failing_since.eq(Some(now)))
                    .execute(conn)?;
            }
            if (now - since).num_seconds() >= DISABLE_AFTER_SECS {
                log::warn!("webhook {} has failed for a day; disabled", hook.id);
                disable(conn, &hook.id, now)?;
            }
        }
    }
    Ok(())
}

/// Remembers that `measure_id` was announced as `kind` for `due_date`; false if it already was.
pub fn notice(conn: &mut DbConnection, row: &NoticeRow) -> Result<bool, ApiError> {
    let seen: i64 = deadline_notices::table
        .filter(deadline_notices::measure_id.eq(row.measure_id.clone()))
        .filter(deadline_notices::kind.eq(row.kind.clone()))
        .filter(deadline_notices::due_date.eq(row.due_date))
        .count()
        .get_result(conn)?;
    if seen > 0 {
        return Ok(false);
    }
    diesel::insert_into(deadline_notices::table)
        .values(row)
        .execute(conn)?;
    Ok(true)
}
