//! The keys of retried POSTs (`Idempotency-Key`), per caller: claimed inside the write's
//! own transaction, answered when the answer went out, forgotten after 24 hours.

use chrono::{Duration, NaiveDateTime, Timelike};
use diesel::prelude::*;
use diesel::result::{DatabaseErrorKind, Error};

use crate::db::models::IdempotencyRow;
use crate::db::schema::idempotency_keys as keys;
use crate::db::DbConnection;
use crate::domain::idempotency::KEPT_HOURS;
use crate::error::ApiError;
use crate::text;

/// A request's key, as the request carries it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    pub caller: String,
    pub key: String,
    pub fingerprint: String,
    pub method: String,
    pub path: String,
}

/// What is kept of an answer: its status, the headers that describe it, its body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

/// A key still kept: the request it was first used for, and its answer once given.
#[derive(Debug, Clone)]
pub struct Kept {
    pub fingerprint: String,
    /// The request it was first used for.
    pub method: String,
    pub path: String,
    pub claimed_at: NaiveDateTime,
    pub answer: Option<Answer>,
}

fn oldest_kept(now: NaiveDateTime) -> NaiveDateTime {
    now - Duration::hours(KEPT_HOURS)
}

/// The caller's key, unless it is older than 24 hours.
pub fn find(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    now: NaiveDateTime,
) -> Result<Option<Kept>, ApiError> {
    let row: Option<IdempotencyRow> = keys::table
        .filter(keys::caller.eq(caller))
        .filter(keys::idem_key.eq(key))
        .filter(keys::claimed_at.ge(oldest_kept(now)))
        .select(IdempotencyRow::as_select())
        .first(conn)
        .optional()?;
    let Some(row) = row else { return Ok(None) };
    let answer = match (row.status, row.body) {
        (Some(status), Some(body)) => Some(Answer {
            status: u16::try_from(status)
                .map_err(|_| ApiError::Internal(format!("idempotency key: status {status}")))?,
            headers: serde_json::from_str(row.headers.as_deref().unwrap_or("[]"))
                .map_err(|e| ApiError::Internal(format!("idempotency key headers: {e}")))?,
            body,
        }),
        _ => None,
    };
    Ok(Some(Kept {
        fingerprint: row.fingerprint,
        method: row.method,
        path: row.path,
        claimed_at: row.claimed_at,
        answer,
    }))
}

/// Claims the key for this request, in the transaction of the write it guards: the key is
/// kept exactly when the write commits. Another request that claimed it first (and
/// committed) makes this one 409, its transaction rolled back.
pub fn claim(
    conn: &mut DbConnection,
    claim: &Claim,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<(), ApiError> {
    // Microseconds, as PostgreSQL keeps them.
    let now = now.naive_utc();
    let now = now
        .with_nanosecond(now.nanosecond() / 1000 * 1000)
        .unwrap_or(now);
    // A key past its 24 hours may be used afresh.
    diesel::delete(
        keys::table
            .filter(keys::caller.eq(&claim.caller))
            .filter(keys::idem_key.eq(&claim.key))
            .filter(keys::claimed_at.lt(oldest_kept(now))),
    )
    .execute(conn)?;
    let row = IdempotencyRow {
        caller: claim.caller.clone(),
        idem_key: claim.key.clone(),
        fingerprint: claim.fingerprint.clone(),
        method: claim.method.clone(),
        path: claim.path.clone(),
        claimed_at: now,
        status: None,
        headers: None,
        body: None,
        answered_at: None,
    };
    match diesel::insert_into(keys::table).values(&row).execute(conn) {
        Ok(_) => Ok(()),
        Err(Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _)) => {
            Err(ApiError::InProgress(text!("idempotency-key-running")))
        }
        Err(e) => Err(e.into()),
    }
}

/// Keeps the answer the claimed request was given.
pub fn answer(
    conn: &mut DbConnection,
    caller: &str,
    key: &str,
    answer: &Answer,
    now: NaiveDateTime,
) -> Result<(), ApiError> {
    let headers = serde_json::to_string(&answer.headers)
        .map_err(|e| ApiError::Internal(format!("idempotency key headers: {e}")))?;
    diesel::update(
        keys::table
            .filter(keys::caller.eq(caller))
            .filter(keys::idem_key.eq(key)),
    )
    .set((
        keys::status.eq(Some(i32::from(answer.status))),
        keys::headers.eq(Some(headers)),
        keys::body.eq(Some(answer.body.clone())),
        keys::answered_at.eq(Some(now)),
    ))
    .execute(conn)?;
    Ok(())
}

/// Forgets every key older than 24 hours; how many.
pub fn sweep(conn: &mut DbConnection, now: NaiveDateTime) -> Result<usize, ApiError> {
    Ok(diesel::delete(keys::table.filter(keys::claimed_at.lt(oldest_kept(now)))).execute(conn)?)
}
