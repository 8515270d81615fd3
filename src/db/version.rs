//! The ledger's versions: the head of the audit chain (the sequence number of the latest
//! event, which every committed write appends) and the *shown* version, the last event
//! that changed something an answer shows. ETags, the response cache and the organisation
//! snapshot follow the shown version, so the scanner's announcements (`measure.overdue`…)
//! do not throw every dashboard's answer away; the history and the change feed, which
//! show announcements, follow the head.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use crate::db::repo::events;
use crate::db::Db;

/// The ledger's versions as this process knows them, and a bell for long-pollers.
#[derive(Debug, Clone, Default)]
pub struct LedgerVersion(Arc<Inner>);

#[derive(Debug, Default)]
struct Inner {
    seq: AtomicI64,
    shown: AtomicI64,
    changed: tokio::sync::Notify,
}

impl LedgerVersion {
    /// From the chain's head and the shown version, as `events::versions` reads them.
    pub fn new((head, shown): (i64, i64)) -> LedgerVersion {
        LedgerVersion(Arc::new(Inner {
            seq: AtomicI64::new(head),
            shown: AtomicI64::new(shown),
            changed: tokio::sync::Notify::new(),
        }))
    }

    /// The version answers that show items, numbers and dashboards follow.
    pub fn get(&self) -> i64 {
        self.0.shown.load(Ordering::Acquire)
    }

    /// The head of the audit chain: what the history and the change feed follow.
    pub fn head(&self) -> i64 {
        self.0.seq.load(Ordering::Acquire)
    }

    /// A write committed up to event `head`, the last one that changed what answers show
    /// being `shown` (0: none of them did). Neither ever goes back.
    pub fn advance(&self, head: i64, shown: i64) {
        self.0.shown.fetch_max(shown, Ordering::AcqRel);
        if self.0.seq.fetch_max(head, Ordering::AcqRel) < head {
            self.0.changed.notify_waiters();
        }
    }

    /// Waits until the chain's head passes `seen`, or `timeout` elapses.
    pub async fn wait_past(&self, seen: i64, timeout: Duration) {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.0.changed.notified();
            if self.head() > seen {
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
                    if let Ok((head, shown)) = events::versions(&mut conn) {
                        version.advance(head, shown);
                    }
                }
            });
        if let Err(e) = spawned {
            log::warn!("cannot follow other instances' writes: {e}");
        }
    }
}
