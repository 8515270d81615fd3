use std::time::Duration;

use diesel::connection::SimpleConnection;
use diesel::r2d2::{self, ManageConnection, PooledConnection};
use diesel::ConnectionError;

use super::connection::{establish, Backend, DbConnection};

/// r2d2 manager that connects by URL scheme (see `connection::establish`).
#[derive(Debug, Clone)]
pub struct Manager {
    url: String,
}

impl ManageConnection for Manager {
    type Connection = DbConnection;
    type Error = diesel::r2d2::Error;

    fn connect(&self) -> Result<DbConnection, Self::Error> {
        establish(&self.url).map_err(diesel::r2d2::Error::ConnectionError)
    }

    fn is_valid(&self, conn: &mut DbConnection) -> Result<(), Self::Error> {
        conn.batch_execute("SELECT 1")
            .map_err(diesel::r2d2::Error::QueryError)
    }

    fn has_broken(&self, _conn: &mut DbConnection) -> bool {
        false
    }
}

pub type Pool = r2d2::Pool<Manager>;
pub type PooledConn = PooledConnection<Manager>;

/// The database handle the app shares: reads go through `read`, writes through `write`.
/// On SQLite `write` is a pool of one connection, so writers queue in the process instead
/// of failing with "database is locked"; on PostgreSQL both are the same pool.
#[derive(Clone)]
pub struct Db {
    pub backend: Backend,
    read: Pool,
    write: Pool,
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

        let manager = Manager {
            url: url.to_string(),
        };
        // min_idle 0: r2d2 then opens connections only inside `get()`, never in the
        // background. A background connect still running when the process exits races
        // libpq's TLS library being torn down, and crashed one `zhenggai seed` in ~15.
        let build = |size: u32| {
            r2d2::Pool::builder()
                .max_size(size)
                .min_idle(Some(0))
                .connection_timeout(Duration::from_secs(10))
                .build(manager.clone())
                .map_err(|e| OpenError::Pool(e.to_string()))
        };
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
        })
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
        let db = Db::open(url, max_connections)?;
        for version in db.run_migrations()? {
            log::info!("applied migration {version}");
        }
        Ok(db)
    }

    pub fn run_migrations(&self) -> Result<Vec<String>, OpenError> {
        let mut conn = self.write().map_err(|e| OpenError::Pool(e.to_string()))?;
        super::migrations::run(&mut conn).map_err(|e| OpenError::Migrate(e.to_string()))
    }
}
