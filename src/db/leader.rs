//! One of each background job across instances: on PostgreSQL a job runs only on the
//! instance holding its advisory lock, taken on a connection of its own and held for as
//! long as that connection lives. When the instance dies, even by `kill -9`, its
//! connection closes, PostgreSQL lets the lock go, and the next instance to ask (each asks
//! on every tick of the job, about once a second) takes it over. An SQLite file has one
//! server: the job is always its own.
//!
//! A lock is per ledger: its second half is the hash of the schema the ledger lives in,
//! for one database may hold several ledgers (each in a schema of its own).

use diesel::RunQueryDsl;

use super::{Db, DbConnection};

/// The advisory lock ids of the jobs that must run once (the deadline scanner takes
/// `SCANNER` in its own transaction, see `background::scan`).
pub const SCANNER: i32 = 7274262;
pub const WEBHOOKS: i32 = 7274263;

/// A job's claim to run on this instance.
pub struct Leader {
    db: Db,
    job: &'static str,
    key: i32,
    held: Option<DbConnection>,
    waiting: Option<DbConnection>,
}

#[derive(diesel::QueryableByName)]
struct Taken {
    #[diesel(sql_type = diesel::sql_types::Bool)]
    taken: bool,
}

impl Leader {
    pub fn new(db: Db, job: &'static str, key: i32) -> Leader {
        Leader {
            db,
            job,
            key,
            held: None,
            waiting: None,
        }
    }

    /// Whether the job is this instance's to run now: keeps the lock while its connection
    /// answers, else tries to take it.
    pub fn is_mine(&mut self) -> bool {
        if self.db.backend != super::Backend::Postgres {
            return true;
        }
        if let Some(conn) = &mut self.held {
            if diesel::sql_query("SELECT 1").execute(conn).is_ok() {
                return true;
            }
            log::warn!("{}: the lock's connection broke; asking again", self.job);
            self.held = None;
        }
        // The connection that asks is kept while it waits, not opened anew every second.
        let Some(mut conn) = self.waiting.take().or_else(|| self.connect()) else {
            return false;
        };
        let asked = diesel::sql_query(
            "SELECT pg_try_advisory_lock($1, hashtext(current_schema())) AS taken",
        )
        .bind::<diesel::sql_types::Integer, _>(self.key)
        .get_result::<Taken>(&mut conn);
        match asked {
            Ok(Taken { taken: true }) => {
                log::info!("{} runs on this instance", self.job);
                self.held = Some(conn);
                true
            }
            // Another instance runs it; ask again next time on the same connection.
            Ok(_) => {
                self.waiting = Some(conn);
                false
            }
            // A broken connection is dropped; the next ask opens another.
            Err(_) => false,
        }
    }

    /// A connection of its own, named for the job in `pg_stat_activity`.
    fn connect(&self) -> Option<DbConnection> {
        let mut conn = self.db.connect_alone().ok()?;
        diesel::sql_query(format!(
            "SET application_name = 'zhenggai {}'",
            self.job.replace('\'', "")
        ))
        .execute(&mut conn)
        .ok()?;
        Some(conn)
    }
}
