//! Webhook subscriptions: made and ended by the office, each recorded in the audit trail
//! (without the shared secret).

use crate::db::models::WebhookRow;
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{webhooks, WriteCtx};
use crate::db::DbConnection;
use crate::domain::permissions::{Action, Ties};
use crate::error::ApiError;
use crate::service::access;

/// The subscription as the audit trail records it: everything but the secret.
fn recorded(row: &WebhookRow) -> serde_json::Value {
    let mut value = snapshot(row);
    if let Some(object) = value.as_object_mut() {
        object.remove("secret");
    }
    value
}

/// Subscribes `row.url` to its events.
pub fn create(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    row: WebhookRow,
) -> Result<WebhookRow, ApiError> {
    access::check(&ctx.who, Action::ManageWebhooks, Ties::ALL, "webhook")?;
    let row = webhooks::create(conn, row)?;
    events::append(
        conn,
        ctx,
        "webhook.create",
        ("webhook", &row.id),
        None,
        Some(recorded(&row)),
    )?;
    Ok(row)
}

/// Unsubscribes; the record and its delivery log stay.
pub fn disable(conn: &mut DbConnection, ctx: &WriteCtx, id: &str) -> Result<(), ApiError> {
    access::check(&ctx.who, Action::ManageWebhooks, Ties::ALL, "webhook")?;
    let before = webhooks::get(conn, id)?;
    webhooks::disable(conn, id, ctx.now)?;
    let after = webhooks::get(conn, id)?;
    events::append(
        conn,
        ctx,
        "webhook.disable",
        ("webhook", id),
        Some(recorded(&before)),
        Some(recorded(&after)),
    )?;
    Ok(())
}
