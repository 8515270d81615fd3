//! The ledger's versions: the head of the audit chain (the sequence number of the latest
//! event, which every committed write appends) and the *shown* version, the last event
//! that changed something an answer shows. ETags, the response cache and the organisation
//! snapshot follow the shown version, so the scanner's announcements (`measure.overdue`…)
//! do not throw every dashboard's answer away; the history and the change feed, which
//! show announcements, follow the head.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
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
    /// A LISTEN connection is up: other instances' commits arrive as they happen, and
    /// the once-a-second poll rests.
    listening: AtomicBool,
}

impl LedgerVersion {
    /// From the chain's head and the shown version, as `events::versions` reads them.
    pub fn new((head, shown): (i64, i64)) -> LedgerVersion {
        LedgerVersion(Arc::new(Inner {
            seq: AtomicI64::new(head),
            shown: AtomicI64::new(shown),
            changed: tokio::sync::Notify::new(),
            listening: AtomicBool::new(false),
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
                if version.is_listening() {
                    continue;
                }
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

    /// Whether other instances' commits are heard as they happen (PostgreSQL's LISTEN).
    pub fn is_listening(&self) -> bool {
        self.0.listening.load(Ordering::Acquire)
    }

    /// On PostgreSQL, hears every commit of every instance at once: a connection of its
    /// own LISTENs on `zhenggai_ledger` (a trigger on the chain's head NOTIFYs
    /// "head,shown,schema" on each commit; notes about other schemas' ledgers are ignored). When that connection drops, the poll in `follow` takes over until
    /// it is back; it reconnects every second. SQLite has one server: nothing to hear.
    pub fn listen(&self, db: Db) {
        if db.backend != crate::db::Backend::Postgres {
            return;
        }
        let owner = Arc::downgrade(&self.0);
        let spawned = std::thread::Builder::new()
            .name("ledger-listen".into())
            .spawn(move || {
                while let Some(inner) = owner.upgrade() {
                    let version = LedgerVersion(inner);
                    let why = version.hear(&db, &owner);
                    version.0.listening.store(false, Ordering::Release);
                    if let Some(why) = why {
                        log::warn!("ledger notifications lost ({why}); polling once a second");
                    }
                    drop(version);
                    std::thread::sleep(Duration::from_secs(1));
                }
            });
        if let Err(e) = spawned {
            log::warn!("cannot listen for other instances' writes: {e}");
        }
    }

    /// One LISTEN connection's life: `None` when the server is gone, else why it ended.
    fn hear(&self, db: &Db, owner: &std::sync::Weak<Inner>) -> Option<String> {
        use diesel::RunQueryDsl;
        let mut conn = match db.connect_alone() {
            Ok(conn) => conn,
            Err(e) => return Some(e.to_string()),
        };
        let crate::db::DbConnection::Postgresql(pg) = &mut conn else {
            return None;
        };
        // Named, so that an operator sees it for what it is in pg_stat_activity.
        let listen = "SET application_name = 'zhenggai ledger listener'; LISTEN zhenggai_ledger";
        if let Err(e) = diesel::connection::SimpleConnection::batch_execute(pg, listen) {
            return Some(e.to_string());
        }
        let schema: String = match diesel::select(diesel::dsl::sql::<diesel::sql_types::Text>(
            "current_schema()",
        ))
        .get_result(pg)
        {
            Ok(schema) => schema,
            Err(e) => return Some(e.to_string()),
        };
        // Commits made before the LISTEN took effect were not told: read the head once.
        match events::versions(&mut conn) {
            Ok((head, shown)) => self.advance(head, shown),
            Err(e) => return Some(e.to_string()),
        }
        let crate::db::DbConnection::Postgresql(pg) = &mut conn else {
            return None;
        };
        self.0.listening.store(true, Ordering::Release);
        log::info!("listening for ledger commits");
        let mut checked = std::time::Instant::now();
        loop {
            // Reading what has arrived does not block; a short nap between looks keeps
            // the delay to about 10 ms at the cost of a hundred idle wake-ups a second.
            for heard in pg.notifications_iter() {
                match heard {
                    Ok(note) => {
                        if let Some((head, shown)) = parse_note(&note.payload, &schema) {
                            self.advance(head, shown);
                        }
                    }
                    Err(e) => return Some(e.to_string()),
                }
            }
            if owner.strong_count() <= 1 {
                // Only this thread holds the version: its server is gone.
                return None;
            }
            if checked.elapsed() >= Duration::from_secs(1) {
                // A dead peer shows only when something is sent.
                if let Err(e) = diesel::sql_query("SELECT 1").execute(pg) {
                    return Some(e.to_string());
                }
                checked = std::time::Instant::now();
            }
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// "head,shown,schema" as the trigger says it, when it is about `schema`'s ledger.
fn parse_note(payload: &str, schema: &str) -> Option<(i64, i64)> {
    let mut parts = payload.splitn(3, ',');
    let (head, shown, about) = (parts.next()?, parts.next()?, parts.next()?);
    if about != schema {
        return None;
    }
    Some((head.parse().ok()?, shown.parse().ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_read_as_head_and_shown_and_others_or_nonsense_are_ignored() {
        assert_eq!(parse_note("42,40,public", "public"), Some((42, 40)));
        assert_eq!(parse_note("42,40,t_other", "public"), None);
        assert_eq!(parse_note("42,40", "public"), None);
        assert_eq!(parse_note("x,1,public", "public"), None);
    }
}
