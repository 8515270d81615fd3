//! The ledger's version: the sequence number of the latest audit event, which every
//! committed write appends. ETags, the response cache and the organisation snapshot are
//! keyed by it.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::db::repo::events;
use crate::db::Db;

/// The ledger's version as this process knows it, and a bell for long-pollers.
#[derive(Debug, Clone, Default)]
pub struct LedgerVersion(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    seq: AtomicI64,
    changed: tokio::sync::Notify,
}

impl LedgerVersion {
    pub fn new(start: i64) -> LedgerVersion {
        LedgerVersion(Arc::new(Inner {
            seq: AtomicI64::new(start),
            changed: tokio::sync::Notify::new(),
        }))
    }

    pub fn get(&self) -> i64 {
        self.0.seq.load(Ordering::Acquire)
    }

    /// A write committed up to event `seq` (never goes back).
    pub fn advance(&self, seq: i64) {
        if self.0.seq.fetch_max(seq, Ordering::AcqRel) < seq {
            self.0.changed.notify_waiters();
        }
    }

    /// Waits until the version passes `seen`, or `timeout` elapses.
    pub async fn wait_past(&self, seen: i64, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.0.changed.notified();
            if self.get() > seen {
                return;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return;
            }
        }
    }

    /// Follows writes made by other processes sharing the database (other instances on
    /// PostgreSQL, `zhenggai seed` beside a server): reads the chain's head every `every` on
    /// a thread of its own, which ends when the server that owns this version is gone.
    pub fn follow(&self, db: Db, every: Duration) {
        let owner = Arc::downgrade(&self.0);
        let spawned = std::thread::Builder::new()
            .name("ledger-version".into())
            .spawn(move || loop {
                std::thread::sleep(every);
                let Some(inner) = owner.upgrade() else {
                    break;
                };
                let version = LedgerVersion(inner);
                if let Ok(mut conn) = db.read() {
                    if let Ok(seq) = events::last_seq(&mut conn) {
                        version.advance(seq);
                    }
                }
            });
        if let Err(e) = spawned {
            log::warn!("cannot follow other instances' writes: {e}");
        }
    }
}
