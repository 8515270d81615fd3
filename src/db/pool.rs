use std::ops::{Deref, DerefMut};
use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel::{ConnectionError, RunQueryDsl};

use super::connection::{establish, Backend, DbConnection};
use super::replica::{Need, Replica, ReplicaSettings};

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

/// The database handle the app shares: reads go through `read`, writes through `write`.
/// On SQLite `write` is a pool of one connection, so writers queue in the process instead
/// of failing with "database is locked"; on PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Db {
    pub backend: Backend,
    read: Pool,
    write: Pool,
    /// A streaming replica for reads (`DATABASE_READ_URL`), when there is one.
    replica: Option<std::sync::Arc<Replica>>,
    url: std::sync::Arc<str>,
    /// How long one read may run (`ZHENGGAI_QUERY_TIMEOUT_MS`); none for the CLI.
    query_timeout: Option<Duration>,
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

impl Db {
    /// Opens the database, failing fast with the real error when it cannot be reached.
    pub fn open(url: &str, max_connections: u32) -> Result<Db, OpenError> {
        Db::open_limited(url, max_connections, None)
    }

    /// The same, with reads stopped after `query_timeout` (see `db::limit`).
    pub fn open_limited(
        url: &str,
        max_connections: u32,
        query_timeout: Option<Duration>,
    ) -> Result<Db, OpenError> {
        crate::db::limit::install_sqlite_handler();
        let backend = Backend::of_url(url);
        // One direct connection first: it reports the real error, and on SQLite it switches
        // the file to WAL once, before several pooled connections could race to do it.
        let mut first = establish(url).map_err(|source| OpenError::Connect {
            backend: backend.name(),
            source,
        })?;
        if backend == Backend::Sqlite {
            first
                .batch_execute("PRAGMA journal_mode = WAL;")
                .map_err(OpenError::Setup)?;
        }
        drop(first);

        let build = |size: u32| build_pool(url, size, query_timeout, Duration::from_secs(10));
        let (read, write) = match backend {
            Backend::Sqlite => (build(max_connections.max(1))?, build(1)?),
            Backend::Postgres => {
                let pool = build(max_connections.max(2))?;
                (pool.clone(), pool)
            }
        };
        Ok(Db {
            backend,
            read,
            write,
            replica: None,
            url: url.into(),
            query_timeout,
        })
    }

    /// Sends reads to a streaming replica when it can serve them (see `db::replica`).
    pub fn with_replica(mut self, settings: &ReplicaSettings, size: u32) -> Result<Db, OpenError> {
        self.replica = Some(Replica::open(settings, size, self.query_timeout)?);
        Ok(self)
    }

    /// The read replica, when there is one.
    pub fn replica(&self) -> Option<&Replica> {
        self.replica.as_deref()
    }

    /// A connection for a read that must show at least `need`: on the replica when it has
    /// replayed that far (and is up and keeping up), else on the primary. True: the replica.
    pub fn read_for(&self, need: Need) -> Result<(PooledConn, bool), r2d2::PoolError> {
        if let Some(conn) = self.replica().and_then(|r| r.connection_for(need)) {
            return Ok((conn, true));
        }
        Ok((self.read.get()?, false))
    }

    /// How long one read may run; none: no limit.
    pub fn query_timeout(&self) -> Option<Duration> {
        self.query_timeout
    }

    /// A connection of its own, outside the pools (to cancel a query on PostgreSQL).
    pub fn connect_alone(&self) -> Result<DbConnection, ConnectionError> {
        establish(&self.url)
    }

    /// (open connections, idle connections) of the read and the write pool.
    pub fn usage(&self) -> [(&'static str, u32, u32); 2] {
        let (r, w) = (self.read.state(), self.write.state());
        [
            ("read", r.connections, r.idle_connections),
            ("write", w.connections, w.idle_connections),
        ]
    }

    pub fn read(&self) -> Result<PooledConn, r2d2::PoolError> {
        self.read.get()
    }

    pub fn write(&self) -> Result<PooledConn, r2d2::PoolError> {
        self.write.get()
    }

    /// Opens the database and brings its schema up to date.
    pub fn open_migrated(url: &str, max_connections: u32) -> Result<Db, OpenError> {
        Db::open_migrated_limited(url, max_connections, None)
    }

    /// The same, with the reads' time limit.
    pub fn open_migrated_limited(
        url: &str,
        max_connections: u32,
        query_timeout: Option<Duration>,
    ) -> Result<Db, OpenError> {
        let db = Db::open_limited(url, max_connections, query_timeout)?;
        for version in db.run_migrations()? {
            log::info!("applied migration {version}");
        }
        Ok(db)
    }

    /// Migrations run on a connection of their own: no time limit stops a long one.
    pub fn run_migrations(&self) -> Result<Vec<String>, OpenError> {
        let mut conn = self.connect_alone().map_err(|source| OpenError::Connect {
            backend: self.backend.name(),
            source,
        })?;
        super::migrations::run(&mut conn).map_err(|e| OpenError::Migrate(e.to_string()))
    }
}
