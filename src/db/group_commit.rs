//! Group commit on SQLite: the writes that arrive while one transaction is being written
//! share the next one — one `COMMIT`, one fsync with `synchronous=FULL` — each in a
//! savepoint of its own, so that each request stays all-or-nothing: one that fails rolls
//! back alone (its audit events with it, the hash chain unbroken), the others commit.
//! Nobody is answered before the transaction holding their write is committed.
//!
//! No write waits for a batch to fill: a batch is whatever queued up meanwhile, so a lone
//! write commits as soon as it is done, and many writers share the cost of the fsync.

use std::sync::mpsc;

use diesel::Connection;

use super::{Db, DbConnection};
use crate::error::ApiError;
use crate::text;

/// Writes in one transaction at most: a bound on how long the first one waits.
pub const MAX_BATCH: usize = 64;

/// One request's write, as the committing thread runs and answers it.
pub trait Write: Send {
    /// Does the work (again, when the connection broke the first time). An error rolls
    /// back this write's savepoint alone; `ApiError::ConnectionLost` runs the batch again.
    fn run(&mut self, conn: &mut DbConnection) -> Result<(), ApiError>;
    /// Answers the request: `Ok` when its write is committed, else why not.
    fn answer(self: Box<Self>, outcome: Result<(), ApiError>);
}

/// Hands writes to the committing thread.
#[derive(Clone)]
pub struct GroupCommit {
    jobs: mpsc::Sender<Box<dyn Write>>,
    /// Transactions the thread ran, and the writes they carried (`/metrics`).
    pub batches: prometheus::IntCounter,
    pub batched: prometheus::IntCounter,
}

fn counter(name: &str, help: &str) -> std::io::Result<prometheus::IntCounter> {
    prometheus::IntCounter::with_opts(prometheus::Opts::new(name, help).namespace("zhenggai"))
        .map_err(std::io::Error::other)
}

impl GroupCommit {
    /// Starts the committing thread for `db`; it ends when the last handle is dropped.
    pub fn start(db: Db) -> std::io::Result<GroupCommit> {
        let (jobs, queue) = mpsc::channel::<Box<dyn Write>>();
        let batches = counter(
            "write_batches_total",
            "Transactions of grouped writes (SQLite)",
        )?;
        let batched = counter("batched_writes_total", "Writes run in grouped transactions")?;
        let counts = (batches.clone(), batched.clone());
        std::thread::Builder::new()
            .name("group-commit".into())
            .spawn(move || {
                while let Ok(first) = queue.recv() {
                    let mut batch = vec![first];
                    while batch.len() < MAX_BATCH {
                        match queue.try_recv() {
                            Ok(job) => batch.push(job),
                            Err(_) => break,
                        }
                    }
                    counts.0.inc();
                    counts.1.inc_by(batch.len() as u64);
                    run_batch(&db, batch);
                }
            })?;
        Ok(GroupCommit {
            jobs,
            batches,
            batched,
        })
    }

    /// Queues a write; it is answered once its batch is committed or abandoned.
    pub fn submit(&self, job: Box<dyn Write>) {
        if let Err(mpsc::SendError(job)) = self.jobs.send(job) {
            job.answer(Err(ApiError::Unavailable(text!("shutting-down"))));
        }
    }
}

/// Why a batch did not commit, told to each of its writes.
enum Abandoned {
    /// The connection broke during the work: nothing was committed.
    Broke,
    /// The database refused the transaction or its commit (as its own error says).
    Refused(String),
}

impl Abandoned {
    fn error(&self) -> ApiError {
        match self {
            Abandoned::Broke => ApiError::ConnectionLost(text!("unavailable-connection-lost")),
            Abandoned::Refused(why) => {
                ApiError::from(diesel::result::Error::QueryBuilderError(why.clone().into()))
            }
        }
    }
}

/// Runs the batch in one transaction, each write in a savepoint, and answers everyone.
fn run_batch(db: &Db, mut batch: Vec<Box<dyn Write>>) {
    let mut outcome = Err(Abandoned::Broke);
    let mut failures: Vec<Option<ApiError>> = vec![];
    for attempt in 0..2 {
        let mut conn = match db.write() {
            Ok(conn) => conn,
            Err(e) => {
                let why = e.to_string();
                for job in batch {
                    log::warn!("database pool: {why}");
                    job.answer(Err(ApiError::Unavailable(text!("unavailable-database"))));
                }
                return;
            }
        };
        failures = Vec::with_capacity(batch.len());
        let mut broke = false;
        let done = conn.transaction::<(), diesel::result::Error, _>(|conn| {
            super::connection::begin_writing(conn)?;
            for job in batch.iter_mut() {
                // A write that panics (a bug) fails alone, as on a blocking thread it would;
                // it must not take the committing thread, and every later write, with it.
                let ran = conn.transaction::<(), ApiError, _>(|conn| {
                    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| job.run(conn)))
                        .unwrap_or_else(|_| Err(ApiError::Internal("a write panicked".into())))
                });
                match ran {
                    Ok(()) => failures.push(None),
                    Err(ApiError::ConnectionLost(_)) => {
                        broke = true;
                        return Err(diesel::result::Error::RollbackTransaction);
                    }
                    Err(e) => failures.push(Some(e)),
                }
            }
            Ok(())
        });
        outcome = match done {
            Ok(()) => Ok(()),
            Err(_) if broke => Err(Abandoned::Broke),
            Err(e) => Err(Abandoned::Refused(e.to_string())),
        };
        if broke && attempt == 0 {
            log::warn!("write batch again on a fresh connection (nothing was committed)");
            continue;
        }
        break;
    }
    let mut failures = failures.into_iter();
    for job in batch {
        let own = failures.next().flatten();
        job.answer(match (&outcome, own) {
            (_, Some(own)) => Err(own),
            (Ok(()), None) => Ok(()),
            (Err(why), None) => Err(why.error()),
        });
    }
}
