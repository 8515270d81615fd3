use actix_web::{get, web, HttpResponse};

use super::dto::queue::{QueuePage, QueueQuery};
use super::extract::Params;
use super::{read, AppState};
use crate::auth::caller::Caller;
use crate::db::page::{decode_cursor, encode_cursor, limit};
use crate::domain::permissions::Action;
use crate::error::ApiError;
use crate::service::queue::{gather, QueueCtx};

const SORT: &str = "urgency";

/// What awaits me (待办): the work queue.
///
/// By role and scope. A unit: findings to claim (`finding_to_claim`), plans to submit or
/// sent back (`plan_to_submit`, `plan_returned`), measures it may start
/// (`measure_to_start`), long-term reports due or missed (`report_due`, `report_missed`),
/// closure requests sent back (`closure_returned`), extension decisions of the last 7
/// days (`extension_decided`). A leader: closure requests to endorse of the measures its
/// units lead (`closure_to_endorse`; those naming the leader come first). The office:
/// plans to approve (`plan_to_approve`), endorsed requests to verify
/// (`closure_to_verify`), extension requests to decide (`extension_to_decide`), red
/// measures not reminded in `ZHENGGAI_REMIND_AFTER_DAYS` working days
/// (`red_not_reminded`), measures whose named leader left their scope
/// (`measure_without_holder`). Supervisors: `red_not_reminded`. Most urgent first: listed
/// findings (挂牌督办), then red, yellow, the earliest due, the longest waiting. `counts`
/// gives every kind's number for badges.
#[utoipa::path(tag = "dashboards", operation_id = "work_queue", params(QueueQuery),
    responses((status = 200, description = "A page of the queue, with counts per kind.", body = QueuePage)))]
#[get("/queue")]
pub async fn waiting(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<QueueQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadMeasures)?;
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit) as usize;
    let who = caller.actor();
    let (today, tz, calendar) = (state.today(), state.tz, state.calendar.clone());
    let (remind_after_days, only) = (state.remind_after_days, q.kind);
    let directory = state.directory.clone();
    let (items, counts) = read(&state, move |conn| {
        let org = directory.now()?;
        let ctx = QueueCtx {
            today,
            tz,
            calendar: &calendar,
            org: &org,
            remind_after_days,
            only,
        };
        gather(conn, &who, &ctx)
    })
    .await?;
    let from = after.map(|a| a.key);
    let mut page: Vec<_> = items
        .into_iter()
        .filter(|i| from.as_ref().is_none_or(|k| i.sort_key() > *k))
        .take(limit + 1)
        .collect();
    let has_more = page.len() > limit;
    page.truncate(limit);
    let next_cursor = page
        .last()
        .filter(|_| has_more)
        .map(|i| encode_cursor(SORT, i.sort_key(), i.object_id.clone()));
    Ok(HttpResponse::Ok().json(QueuePage {
        items: page,
        next_cursor,
        total: counts.values().sum(),
        counts,
    }))
}
