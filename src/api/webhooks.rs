//! Webhook subscriptions (office and admin): other systems are told of changes by signed
//! POSTs. `X-Zhenggai-Signature: t=<unix>,v1=<hex HMAC-SHA256 of "<t>.<body>">` with the
//! subscription's secret.

use actix_web::http::header;
use actix_web::{delete, get, post, web, HttpResponse};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::dto::utc;
use super::extract::{Body, Guarded};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::models::{DeliveryRow, WebhookRow};
use crate::db::repo::{new_id, webhooks};
use crate::domain::permissions::Action;
use crate::domain::webhooks::EVENT_TYPES;
use crate::error::{ApiError, Problem};
use crate::text;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"url": "https://10.12.0.8/zhenggai/hooks", "events": ["measure.overdue", "measure.closed"], "secret": "a-long-shared-secret-0123456789"}))]
pub struct CreateWebhook {
    /// http(s) URL whose host is allowed by `ZHENGGAI_WEBHOOK_ALLOW`.
    #[validate(length(min = 8, max = 2000))]
    #[schema(min_length = 8, max_length = 2000)]
    pub url: String,
    /// Event types: measure.due_soon, measure.overdue, measure.submitted, measure.returned,
    /// measure.closed, measure.reopened, measure.reminded, measure.rechecked,
    /// measure.handed_over, finding.closed, finding.listed, finding.unlisted,
    /// extension.requested, extension.approved, extension.rejected, duty.behind (a quota's
    /// running period fell behind pace), duty.missed (a period ended short).
    #[validate(length(min = 1, max = 20))]
    #[schema(min_items = 1, max_items = 20)]
    pub events: Vec<String>,
    /// Signs every delivery; at least 16 characters. Never shown again.
    #[validate(length(min = 16, max = 200))]
    #[schema(min_length = 16, max_length = 200)]
    pub secret: String,
}

impl Guarded for CreateWebhook {
    const ACTION: Action = Action::ManageWebhooks;
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Webhook {
    pub id: String,
    pub url: String,
    pub events: Vec<String>,
    /// False once unsubscribed, or after failing for a day.
    pub active: bool,
    pub created_by: String,
    pub created_at: DateTime<Utc>,
    /// Deliveries have failed since then (null when the last one succeeded).
    pub failing_since: Option<DateTime<Utc>>,
    pub disabled_at: Option<DateTime<Utc>>,
}

impl From<WebhookRow> for Webhook {
    fn from(r: WebhookRow) -> Webhook {
        Webhook {
            events: serde_json::from_str(&r.events).unwrap_or_default(),
            id: r.id,
            url: r.url,
            active: r.active,
            created_by: r.created_by,
            created_at: utc(r.created_at),
            failing_since: r.failing_since.map(utc),
            disabled_at: r.disabled_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WebhookList {
    pub items: Vec<Webhook>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Delivery {
    pub id: String,
    pub event_type: String,
    /// pending (will be tried again at `next_attempt_at`), delivered, or failed.
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: DateTime<Utc>,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: DateTime<Utc>,
    pub delivered_at: Option<DateTime<Utc>>,
}

impl From<DeliveryRow> for Delivery {
    fn from(r: DeliveryRow) -> Delivery {
        Delivery {
            id: r.id,
            event_type: r.event_type,
            status: r.status,
            attempts: r.attempts,
            next_attempt_at: utc(r.next_attempt_at),
            last_status: r.last_status,
            last_error: r.last_error,
            created_at: utc(r.created_at),
            delivered_at: r.delivered_at.map(utc),
        }
    }
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct DeliveryList {
    /// The latest 200, newest first.
    pub items: Vec<Delivery>,
}

/// Subscribe a system to events.
#[utoipa::path(tag = "webhooks", operation_id = "create_webhook", request_body = CreateWebhook,
    responses((status = 201, description = "Subscribed.", body = Webhook,
        headers(("Location" = String, description = "The subscription's URL")))))]
#[post("/webhooks")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(input): Body<CreateWebhook>,
) -> Result<HttpResponse, ApiError> {
    caller.check_ledger_wide(Action::ManageWebhooks, "webhook")?;
    let url = input.url.trim().to_string();
    state
        .webhook_allow
        .permits(&url)
        .map_err(|why| ApiError::field("url", why))?;
    if let Some((i, e)) = input
        .events
        .iter()
        .enumerate()
        .find(|(_, e)| !EVENT_TYPES.contains(&e.as_str()))
    {
        return Err(ApiError::field(
            &format!("events[{i}]"),
            text!(
                "webhook-event-unknown",
                event = e,
                allowed = EVENT_TYPES.to_vec()
            ),
        ));
    }
    let mut events = input.events.clone();
    events.sort();
    events.dedup();
    let who = caller.clone();
    let secret = state
        .data_key
        .seal(&input.secret)
        .map_err(ApiError::Internal)?;
    let row = write(&state, &caller, move |conn, ctx| {
        crate::service::webhooks::create(
            conn,
            ctx,
            WebhookRow {
                id: new_id(),
                url,
                events: serde_json::json!(events).to_string(),
                secret,
                active: true,
                created_by: who.sub.clone(),
                created_at: ctx.now,
                failing_since: None,
                disabled_at: None,
            },
        )
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/webhooks/{}", row.id)))
        .json(Webhook::from(row)))
}

/// The active subscriptions.
#[utoipa::path(tag = "webhooks", operation_id = "list_webhooks",
    responses((status = 200, description = "Active subscriptions.", body = WebhookList)))]
#[get("/webhooks")]
pub async fn list(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.check_ledger_wide(Action::ManageWebhooks, "webhook")?;
    let rows = read(&state, webhooks::active).await?;
    Ok(HttpResponse::Ok().json(WebhookList {
        items: rows.into_iter().map(Webhook::from).collect(),
    }))
}

/// Unsubscribe; pending deliveries are dropped, the delivery log stays.
#[utoipa::path(tag = "webhooks", operation_id = "delete_webhook",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses((status = 204, description = "Unsubscribed."),
        (status = 404, description = "No such webhook.", body = Problem, content_type = "application/problem+json")))]
#[delete("/webhooks/{id}")]
pub async fn remove(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check_ledger_wide(Action::ManageWebhooks, "webhook")?;
    let id = id.into_inner().to_string();
    write(&state, &caller, move |conn, ctx| {
        crate::service::webhooks::disable(conn, ctx, &id)
    })
    .await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A subscription's delivery log.
#[utoipa::path(tag = "webhooks", operation_id = "webhook_deliveries",
    params(("id" = Uuid, Path, description = "Webhook id")),
    responses((status = 200, description = "The latest deliveries.", body = DeliveryList)))]
#[get("/webhooks/{id}/deliveries")]
pub async fn deliveries(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check_ledger_wide(Action::ManageWebhooks, "webhook")?;
    let id = id.into_inner().to_string();
    let rows = read(&state, move |conn| {
        webhooks::get(conn, &id)?;
        webhooks::deliveries(conn, &id)
    })
    .await?;
    Ok(HttpResponse::Ok().json(DeliveryList {
        items: rows.into_iter().map(Delivery::from).collect(),
    }))
}
