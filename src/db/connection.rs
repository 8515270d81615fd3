use diesel::connection::SimpleConnection;
use diesel::{Connection, ConnectionError, PgConnection, SqliteConnection};

/// One connection type for both databases (diesel's MultiConnection).
#[derive(diesel::MultiConnection)]
pub enum DbConnection {
    Postgresql(PgConnection),
    Sqlite(SqliteConnection),
}

/// Which database a `DATABASE_URL` points at, decided by its scheme alone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Postgres,
    Sqlite,
}

impl Backend {
    pub fn of_url(url: &str) -> Backend {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            Backend::Sqlite
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Backend::Postgres => "postgresql",
            Backend::Sqlite => "sqlite",
        }
    }
}

/// The path of an SQLite database from a URL (`sqlite://x.db`, `sqlite:x.db` or a plain path).
pub fn sqlite_path(url: &str) -> &str {
    url.strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))
        .unwrap_or(url)
}

/// libpq waits forever on an unreachable host unless told otherwise: fail fast instead.
pub fn postgres_url_with_timeout(url: &str) -> String {
    if url.contains("connect_timeout=") {
        url.to_string()
    } else if url.contains('?') {
        format!("{url}&connect_timeout=5")
    } else {
        format!("{url}?connect_timeout=5")
    }
}

/// Connects with the concrete backend type so that the caller sees the real error
/// (wrong password, unknown host…), not MultiConnection's generic one.
pub fn establish(url: &str) -> Result<DbConnection, ConnectionError> {
    match Backend::of_url(url) {
        Backend::Postgres => {
            PgConnection::establish(&postgres_url_with_timeout(url)).map(DbConnection::Postgresql)
        }
        Backend::Sqlite => {
            let mut conn = SqliteConnection::establish(sqlite_path(url))?;
            // Per-connection settings; WAL is set once, before the pool opens (see pool.rs).
            conn.batch_execute(
                "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = FULL;",
            )
            .map_err(ConnectionError::CouldntSetupConfiguration)?;
            Ok(DbConnection::Sqlite(conn))
        }
    }
}

/// Takes SQLite's write lock first thing in a transaction, as `BEGIN IMMEDIATE` would. A
/// transaction that reads and then writes would otherwise be refused ("database is locked",
/// at once, no waiting) whenever another process — a second server on the same file,
/// `zhenggai seed` beside one — committed in between; taken first, the lock is waited for
/// (`busy_timeout`) instead. PostgreSQL needs nothing.
pub fn begin_writing(conn: &mut DbConnection) -> diesel::QueryResult<()> {
    match conn {
        DbConnection::Sqlite(c) => {
            c.batch_execute("UPDATE event_head SET last_seq = last_seq WHERE id = 1")
        }
        DbConnection::Postgresql(_) => Ok(()),
    }
}
