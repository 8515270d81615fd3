//! The connection pool's parts: the r2d2 manager that connects by URL (setting
//! PostgreSQL's statement timeout and noting its backend pid), and how a pool is built —
//! for the primary (`pool::Db`) and for a read replica (`replica`) alike.

use std::ops::{Deref, DerefMut};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel::{ConnectionError, RunQueryDsl};

use super::connection::{establish, DbConnection};

/// r2d2 manager that connects by URL scheme (see `connection::establish`).
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
    /// PostgreSQL's `statement_timeout` on every connection (none: no limit).
    query_timeout: Option<Duration>,
}

/// A pooled connection, and the PostgreSQL backend serving it (to cancel its query).
pub struct Conn {
    inner: DbConnection,
    pub backend_pid: Option<i32>,
}

impl Deref for Conn {
    type Target = DbConnection;
    fn deref(&self) -> &DbConnection {
        &self.inner
    }
}

impl DerefMut for Conn {
    fn deref_mut(&mut self) -> &mut DbConnection {
        &mut self.inner
    }
}

impl ManageConnection for Manager {
    type Connection = Conn;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<Conn, Self::Error> {
        let mut inner = establish(&self.url).map_err(diesel::r2d2::Error::ConnectionError)?;
        let backend_pid = match &mut inner {
            DbConnection::Postgresql(pg) => {
                if let Some(limit) = self.query_timeout {
                    pg.batch_execute(&format!("SET statement_timeout = {}", limit.as_millis()))
                        .map_err(diesel::r2d2::Error::QueryError)?;
                }
                let pid = diesel::select(diesel::dsl::sql::<diesel::sql_types::Integer>(
                    "pg_backend_pid()",
                ))
                .get_result::<i32>(pg)
                .map_err(diesel::r2d2::Error::QueryError)?;
                Some(pid)
            }
            DbConnection::Sqlite(_) => None,
        };
        Ok(Conn { inner, backend_pid })
    }

    fn is_valid(&self, conn: &mut Conn) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut Conn) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = PooledConnection<Manager>;

/// A pool for `url` that connects only when asked.
pub fn build_pool(
    url: &str,
    size: u32,
    query_timeout: Option<Duration>,
    wait: Duration,
) -> Result<Pool, OpenError> {
    // min_idle 0: r2d2 then opens connections only inside `get()`, never in the
    // background. A background connect still running when the process exits races
    // libpq's TLS library being torn down, and crashed one `zhenggai seed` in ~15.
    r2d2::Pool::builder()
        .max_size(size)
        .min_idle(Some(0))
        .connection_timeout(wait)
        .build(Manager {
            url: url.to_string(),
            query_timeout,
        })
        .map_err(|e| OpenError::Pool(e.to_string()))
}

#[derive(Debug, thiserror::Error)]
pub enum OpenError {
    #[error("cannot connect to the {backend} database: {source}")]
    Connect {
        backend: &'static str,
        source: ConnectionError,
    },
    #[error("cannot set up the SQLite database: {0}")]
    Setup(diesel::result::Error),
    #[error("cannot open the connection pool: {0}")]
    Pool(String),
    #[error("cannot run migrations: {0}")]
    Migrate(String),
}
