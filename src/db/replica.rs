//! Reads from a streaming replica (`DATABASE_READ_URL`). Lists, statistics, dashboards,
//! exports and the change feed read there when it is up, keeps up within
//! `ZHENGGAI_REPLICA_MAX_LAG_MS`, and has replayed what the answer must show; otherwise
//! they read on the primary. A read is never answered from older data than this instance
//! tags its answers with, nor older than the version the caller says it wrote
//! (`X-Zhenggai-Min-Version`): before each read the replica's own head of the chain is
//! compared with both.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::{Arc, Weak};
use std::time::Duration;

use diesel::RunQueryDsl;

use super::manager::{build_pool, OpenError, Pool, PooledConn};

/// Where reads may go, and how far behind that may be.
#[derive(Debug, Clone)]
pub struct ReplicaSettings {
    pub url: String,
    pub max_lag: Duration,
}

impl ReplicaSettings {
    /// A replica of a PostgreSQL primary, itself PostgreSQL; else why not.
    pub fn new(primary: &str, url: String, max_lag_ms: u32) -> Result<Self, &'static str> {
        use super::Backend;
        if Backend::of_url(primary) != Backend::Postgres {
            return Err("a read replica needs DATABASE_URL=postgres://… (an SQLite file has none)");
        }
        if Backend::of_url(&url) != Backend::Postgres {
            return Err("expected postgres://…");
        }
        Ok(ReplicaSettings {
            url,
            max_lag: Duration::from_millis(u64::from(max_lag_ms)),
        })
    }
}

/// How the replica stands, as last seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ReplicaStatus {
    /// Reads go there.
    Ok,
    /// Behind by more than `ZHENGGAI_REPLICA_MAX_LAG_MS`: reads go to the primary.
    Lagging,
    /// Does not answer: reads go to the primary.
    Down,
}

/// The replica's pool and what the watcher last saw of it.
pub struct Replica {
    pool: Pool,
    max_lag: Duration,
    seen: Arc<Seen>,
}

#[derive(Default)]
struct Seen {
    up: AtomicBool,
    /// Milliseconds of replay behind the primary's last commit; -1: unknown.
    lag_ms: AtomicI64,
}

/// The versions a read must not be older than.
#[derive(Debug, Clone, Copy, Default)]
pub struct Need {
    /// The chain's head: as far as this instance knows it, or as far as the caller wrote
    /// (`X-Zhenggai-Min-Version`), whichever is later.
    pub head: i64,
    /// The shown version this instance tags answers with.
    pub shown: i64,
}

#[derive(diesel::QueryableByName)]
struct Lag {
    #[diesel(sql_type = diesel::sql_types::BigInt)]
    lag_ms: i64,
}

/// Replay delay on a standby: 0 when it has replayed all it received (or is no standby at
/// all), else the age of the last transaction it replayed; -1 when it cannot tell.
const LAG: &str = "SELECT COALESCE(CASE WHEN NOT pg_is_in_recovery() \
     OR pg_last_wal_receive_lsn() = pg_last_wal_replay_lsn() THEN 0 \
     ELSE (EXTRACT(EPOCH FROM now() - pg_last_xact_replay_timestamp()) * 1000)::bigint END, -1) \
     AS lag_ms";

impl Replica {
    /// The pool (no connection is made yet: a replica down at start-up only sends reads
    /// to the primary) and a watcher that looks at the replica twice a second.
    pub fn open(
        settings: &ReplicaSettings,
        size: u32,
        query_timeout: Option<Duration>,
    ) -> Result<Arc<Replica>, OpenError> {
        let pool = build_pool(&settings.url, size, query_timeout, Duration::from_secs(1))?;
        let replica = Arc::new(Replica {
            pool,
            max_lag: settings.max_lag,
            seen: Arc::new(Seen {
                up: AtomicBool::new(false),
                lag_ms: AtomicI64::new(-1),
            }),
        });
        replica.look();
        watch(Arc::downgrade(&replica));
        Ok(replica)
    }

    /// Looks at the replica once: up or not, and how far behind.
    fn look(&self) {
        let lag = self
            .pool
            .get()
            .map_err(|e| e.to_string())
            .and_then(|mut conn| {
                let conn: &mut super::DbConnection = &mut conn;
                diesel::sql_query(LAG)
                    .get_result::<Lag>(conn)
                    .map_err(|e| e.to_string())
            });
        match lag {
            Ok(lag) => {
                if !self.seen.up.swap(true, Ordering::AcqRel) {
                    log::info!("the read replica answers: reads go there");
                }
                self.seen.lag_ms.store(lag.lag_ms, Ordering::Release);
            }
            Err(why) => self.lost(&why),
        }
    }

    fn lost(&self, why: &str) {
        if self.seen.up.swap(false, Ordering::AcqRel) {
            log::warn!("the read replica does not answer ({why}): reads go to the primary");
        }
    }

    /// Up and keeping up, or why not; and its lag as last seen (milliseconds).
    pub fn status(&self) -> (ReplicaStatus, Option<i64>) {
        let lag = self.seen.lag_ms.load(Ordering::Acquire);
        let lag = (lag >= 0).then_some(lag);
        let status = if !self.seen.up.load(Ordering::Acquire) {
            ReplicaStatus::Down
        } else if lag.is_none_or(|ms| ms as u128 > self.max_lag.as_millis()) {
            ReplicaStatus::Lagging
        } else {
            ReplicaStatus::Ok
        };
        (status, lag)
    }

    /// A replica connection that has replayed what `need` asks for; none: read on the
    /// primary.
    pub fn connection_for(&self, need: Need) -> Option<PooledConn> {
        if self.status().0 != ReplicaStatus::Ok {
            return None;
        }
        let mut conn = match self.pool.get() {
            Ok(conn) => conn,
            Err(e) => {
                self.lost(&e.to_string());
                return None;
            }
        };
        match super::repo::events::versions(&mut conn) {
            Ok((head, shown)) if head >= need.head && shown >= need.shown => Some(conn),
            Ok(_) => None,
            Err(e) => {
                self.lost(&e.to_string());
                None
            }
        }
    }

    /// The replica went wrong under a read (a conflict with recovery, a lost connection):
    /// looked at again before the next read goes there.
    pub fn failed(&self, why: &str) {
        self.lost(why);
    }
}

/// Looks at the replica every half second until it is dropped.
fn watch(replica: Weak<Replica>) {
    let spawned = std::thread::Builder::new()
        .name("replica-watch".into())
        .spawn(move || loop {
            std::thread::sleep(Duration::from_millis(500));
            match replica.upgrade() {
                Some(replica) => replica.look(),
                None => break,
            }
        });
    if let Err(e) = spawned {
        log::warn!("cannot watch the read replica: {e}");
    }
}
