//! How long a read may run, and stopping it when its client went away.
//!
//! PostgreSQL enforces the limit itself (`statement_timeout`, set on every pooled
//! connection) and stops a query on request (`pg_cancel_backend` from another connection).
//! SQLite has neither; a progress handler, installed on every connection this process
//! opens, asks every few thousand virtual-machine steps whether the read running on this
//! thread is past its deadline or cancelled, and interrupts it if so.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, Once};
use std::time::{Duration, Instant};

/// A read's stop signal, shared by the request (which cancels it when it is dropped before
/// the answer) and the thread running the query.
#[derive(Debug, Default)]
pub struct Stop {
    cancelled: AtomicBool,
    /// The PostgreSQL backend running the read, while it runs (to cancel it there).
    backend: Mutex<Option<i32>>,
}

impl Stop {
    pub fn new() -> Arc<Stop> {
        Arc::new(Stop::default())
    }

    pub fn is_cancelled(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed)
    }

    /// Marks the read cancelled; returns the PostgreSQL backend still running it, if any.
    /// The backend stays locked by the guard while the caller cancels it, so that the
    /// connection cannot go back to the pool (and serve someone else) meanwhile.
    pub fn cancel(&self) -> std::sync::MutexGuard<'_, Option<i32>> {
        self.cancelled.store(true, Ordering::Relaxed);
        self.backend.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// The read runs on `backend` now (Some) or is done with it (None).
    pub fn running_on(&self, backend: Option<i32>) {
        *self.backend.lock().unwrap_or_else(|e| e.into_inner()) = backend;
    }
}

struct Current {
    deadline: Option<Instant>,
    stop: Arc<Stop>,
}

thread_local! {
    static CURRENT: RefCell<Option<Current>> = const { RefCell::new(None) };
}

/// The message a read stopped at the time limit answers (503).
pub const TIMED_OUT: &str = "unavailable-query-timeout";

/// Runs `f` on this thread with a deadline (none: no limit) and a stop signal that
/// SQLite's progress handler watches.
pub fn within<T>(timeout: Option<Duration>, stop: Arc<Stop>, f: impl FnOnce() -> T) -> T {
    let deadline = timeout.map(|t| Instant::now() + t);
    CURRENT.with(|c| *c.borrow_mut() = Some(Current { deadline, stop }));
    struct Clear;
    impl Drop for Clear {
        fn drop(&mut self) {
            CURRENT.with(|c| *c.borrow_mut() = None);
        }
    }
    let _clear = Clear;
    f()
}

/// Whether the read running on this thread should stop now.
fn should_stop() -> bool {
    CURRENT.with(|c| match &*c.borrow() {
        Some(current) => {
            current.stop.is_cancelled() || current.deadline.is_some_and(|d| Instant::now() >= d)
        }
        None => false,
    })
}

/// Virtual-machine steps between two looks at the clock (about a tenth of a millisecond).
const STEPS: i32 = 4000;

unsafe extern "C" fn progress(_: *mut std::ffi::c_void) -> std::ffi::c_int {
    std::ffi::c_int::from(should_stop())
}

unsafe extern "C" fn on_open(
    db: *mut libsqlite3_sys::sqlite3,
    _err: *mut *mut std::ffi::c_char,
    _api: *const libsqlite3_sys::sqlite3_api_routines,
) -> std::ffi::c_int {
    // SAFETY: SQLite hands a valid, open connection to every auto-extension; the handler
    // keeps no pointer (its argument is null) and only reads this thread's state.
    unsafe {
        libsqlite3_sys::sqlite3_progress_handler(db, STEPS, Some(progress), std::ptr::null_mut())
    };
    libsqlite3_sys::SQLITE_OK
}

/// Puts the progress handler on every SQLite connection opened from now on.
pub fn install_sqlite_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: registering a function with the signature SQLite expects; it is called
        // by `sqlite3_open` for each new connection.
        let rc = unsafe { libsqlite3_sys::sqlite3_auto_extension(Some(on_open)) };
        if rc != libsqlite3_sys::SQLITE_OK {
            log::warn!("cannot install the SQLite query time limit (code {rc})");
        }
    });
}

/// Stops the read `stop` belongs to: SQLite's progress handler sees the flag; PostgreSQL
/// is told from another connection, while the read still holds its own (see
/// `Stop::cancel`). Blocks for as long as telling PostgreSQL takes.
pub fn stop(db: &super::Db, stop: &Stop) {
    let backend = stop.cancel();
    if let Some(pid) = *backend {
        cancel_on_postgres(db, pid);
    }
}

/// Asks PostgreSQL to stop what backend `pid` runs, from a connection of its own (the
/// pool may be exhausted by the very reads that make this necessary).
fn cancel_on_postgres(db: &super::Db, pid: i32) {
    use diesel::RunQueryDsl;
    let stopped = db
        .connect_alone()
        .map_err(|e| e.to_string())
        .and_then(|mut conn| {
            diesel::sql_query(format!("SELECT pg_cancel_backend({pid})"))
                .execute(&mut conn)
                .map_err(|e| e.to_string())
        });
    if let Err(e) = stopped {
        log::warn!("cannot stop the read of a request gone away: {e}");
    }
}

/// Whether a database error is a query stopped by the limit or by a cancel.
pub fn is_stopped(text: &str) -> bool {
    text == "interrupted"
        || text.contains("canceling statement due to statement timeout")
        || text.contains("canceling statement due to user request")
}
