//! Running a request's database work: reads within the time limit, stopped when their
//! client goes away; writes in one transaction each (on SQLite grouped with the writes
//! arriving at the same time), the ledger's version advanced once they commit.

use actix_web::web;
use chrono::Utc;
use diesel::Connection;

use super::{consistency, idempotency, metrics, polling, AppState};
use crate::auth::caller::Caller;
use crate::db::replica::Need;
use crate::db::repo::WriteCtx;
use crate::db::{limit, Db, DbConnection};
use crate::error::ApiError;
use crate::text;

/// Runs read queries on a pooled connection, off the async threads. When the connection
/// breaks under them (a database restart, a killed backend), they run once more on a fresh
/// one: reading twice changes nothing.
///
/// They run within the query time limit (503 past it), and stop when the request is
/// dropped before its answer — its client went away — rather than run on for nobody.
///
/// With a read replica (`DATABASE_READ_URL`) they run there when it has replayed what the
/// answer must show: not older than what this instance tags answers with, nor than the
/// caller's own write (`X-Zhenggai-Min-Version`).
pub async fn read<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    // A history or the change feed is tagged with the chain's head, the rest with the
    // shown version: a replica serves only once it has both.
    let need = Need {
        head: consistency::min_version().max(state.ledger.head()),
        shown: state.ledger.get(),
    };
    read_on(state, Some(need), f).await
}

/// The same, always on the primary (the readiness probe: can this instance write?).
pub async fn read_primary<T, F>(state: &AppState, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    read_on(state, None, f).await
}

async fn read_on<T, F>(state: &AppState, need: Option<Need>, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    let db = state.db.clone();
    let stop = limit::Stop::new();
    let watch = StopOnDrop {
        stop: Some(stop.clone()),
        db: db.clone(),
    };
    let running = stop.clone();
    let result = web::block(move || {
        limit::within(db.query_timeout(), running.clone(), || {
            let run = |f: F, need: Option<Need>| -> Result<T, ApiError> {
                let (mut conn, on_replica) = match need {
                    Some(need) => db.read_for(need)?,
                    None => (db.read()?, false),
                };
                metrics::count_read(on_replica);
                running.running_on(conn.backend_pid);
                let done = f(&mut conn);
                running.running_on(None);
                let replica_failed = match &done {
                    Err(ApiError::Internal(why)) => Some(why.clone()),
                    Err(ApiError::ConnectionLost(_)) => Some("connection lost".to_string()),
                    _ => None,
                };
                if let (true, Some(why), Some(replica)) = (on_replica, replica_failed, db.replica())
                {
                    // A replica can cancel a read that conflicts with its replay, or go
                    // away: the primary answers instead.
                    log::warn!("read on the primary after the replica failed: {why}");
                    replica.failed(&why);
                    return Err(ApiError::ConnectionLost(text!(
                        "unavailable-connection-lost"
                    )));
                }
                done
            };
            let result = match run(f.clone(), need) {
                Err(ApiError::ConnectionLost(why)) => {
                    log::warn!("read again on a fresh connection: {why}");
                    run(f, None)
                }
                done => done,
            };
            if let Err(ApiError::Unavailable(text)) = &result {
                if text.id == limit::TIMED_OUT {
                    let why = if running.is_cancelled() {
                        "cancelled"
                    } else {
                        "timeout"
                    };
                    log::warn!("read stopped ({why})");
                    metrics::count_stopped(why);
                }
            }
            result
        })
    })
    .await;
    watch.disarm();
    result?
}

/// Stops a read whose request was dropped before the read was done.
struct StopOnDrop {
    stop: Option<std::sync::Arc<limit::Stop>>,
    db: Db,
}

impl StopOnDrop {
    fn disarm(mut self) {
        self.stop = None;
    }
}

impl Drop for StopOnDrop {
    fn drop(&mut self) {
        let Some(stop) = self.stop.take() else { return };
        let db = self.db.clone();
        std::thread::spawn(move || limit::stop(&db, &stop));
    }
}

/// Runs a write in one transaction on the write connection, off the async threads,
/// stamped with the caller as its author.
pub async fn write<T, F>(state: &AppState, caller: &Caller, f: F) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, &WriteCtx) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    write_on(state, caller, None, f).await
}

/// The same, for a step that really happened on `effective` (补录), when given.
///
/// When the connection breaks during the transaction's work, nothing was committed and the
/// work runs once more on a fresh connection; when it breaks on the commit itself, whether
/// the write landed is unknown, and the answer is 503 for the client to look and retry.
pub async fn write_on<T, F>(
    state: &AppState,
    caller: &Caller,
    effective: Option<chrono::NaiveDate>,
    f: F,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, &WriteCtx) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    let db = state.db.clone();
    let mut ctx = caller.write_ctx(state.calendar.clone()).in_zone(state.tz);
    ctx.effective = effective;
    // The request's Idempotency-Key is claimed with its first write, atomically.
    let pending = idempotency::pending();
    let claim = pending.as_ref().and_then(|p| p.unclaimed());
    let ledger = state.ledger.clone();
    if let Some(committer) = &state.group_commit {
        let (reply, answer) = tokio::sync::oneshot::channel();
        committer.submit(Box::new(RequestWrite {
            f,
            ctx,
            claim,
            ledger,
            value: None,
            reply,
        }));
        let result = answer
            .await
            .map_err(|_| ApiError::Internal("a write went unanswered".into()))?;
        if result.is_ok() {
            consistency::wrote(state.ledger.head());
            if let Some(pending) = pending {
                pending.committed();
            }
        }
        return result;
    }
    let result = web::block(move || {
        let attempt = |f: F| -> Result<(Result<T, ApiError>, bool), ApiError> {
            let mut conn = db.write()?;
            let mut broke_in_work = false;
            let result = conn.transaction(|conn| {
                let done = work_then_claim(f, conn, &ctx, claim.as_ref());
                broke_in_work = matches!(done, Err(ApiError::ConnectionLost(_)));
                done
            });
            Ok((result, broke_in_work))
        };
        let result = match attempt(f.clone())? {
            (Err(ApiError::ConnectionLost(why)), true) => {
                log::warn!("write again on a fresh connection (nothing was committed): {why}");
                ctx.last_event.set(0);
                ctx.last_shown.set(0);
                attempt(f)?.0
            }
            (result, _) => result,
        };
        if result.is_ok() {
            // Committed: every poller's ETag is stale from here on — said here, where it
            // is said even when the request is dropped meanwhile (its client gone).
            ledger.advance(ctx.last_event.get(), ctx.last_shown.get());
        }
        Ok::<_, ApiError>(result)
    })
    .await??;
    if result.is_ok() {
        // The version to send back as X-Zhenggai-Min-Version: this write's, or later.
        consistency::wrote(state.ledger.head());
        if let Some(pending) = pending {
            pending.committed();
        }
    }
    result
}

/// The request's work, then its Idempotency-Key claimed as the last step, stamped when the
/// work is done: its age counts from about the commit, however long the work took.
fn work_then_claim<T, F>(
    f: F,
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    claim: Option<&crate::db::repo::idempotency::Claim>,
) -> Result<T, ApiError>
where
    F: FnOnce(&mut DbConnection, &WriteCtx) -> Result<T, ApiError>,
{
    let value = f(conn, ctx)?;
    if let Some(claim) = claim {
        crate::db::repo::idempotency::claim(conn, claim, Utc::now())?;
    }
    Ok(value)
}

/// A request's write as the group-commit thread runs it (see `db::group_commit`).
struct RequestWrite<T, F> {
    f: F,
    ctx: WriteCtx,
    claim: Option<crate::db::repo::idempotency::Claim>,
    ledger: polling::LedgerVersion,
    value: Option<T>,
    reply: tokio::sync::oneshot::Sender<Result<T, ApiError>>,
}

impl<T, F> crate::db::group_commit::Write for RequestWrite<T, F>
where
    F: FnOnce(&mut DbConnection, &WriteCtx) -> Result<T, ApiError> + Clone + Send + 'static,
    T: Send + 'static,
{
    fn run(&mut self, conn: &mut DbConnection) -> Result<(), ApiError> {
        self.ctx.last_event.set(0);
        self.ctx.last_shown.set(0);
        self.value = Some(work_then_claim(
            self.f.clone(),
            conn,
            &self.ctx,
            self.claim.as_ref(),
        )?);
        Ok(())
    }

    fn answer(self: Box<Self>, outcome: Result<(), ApiError>) {
        let this = *self;
        let result = outcome.and_then(|()| {
            this.value
                .ok_or_else(|| ApiError::Internal("a committed write without its answer".into()))
        });
        if result.is_ok() {
            // Committed: every poller's ETag is stale from here on.
            this.ledger
                .advance(this.ctx.last_event.get(), this.ctx.last_shown.get());
        }
        // A request dropped meanwhile (its client gone) is not told; its write stands.
        let _ = this.reply.send(result);
    }
}
