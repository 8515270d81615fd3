use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2;
use diesel::ConnectionError;

use super::connection::{establish, Backend, DbConnection};
pub use super::manager::{build_pool, Conn, Manager, OpenError, Pool, PooledConn};
use super::replica::{Need, Replica, ReplicaSettings};

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
