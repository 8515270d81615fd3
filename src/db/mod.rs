//! Database access: one connection type over SQLite and PostgreSQL, the pools, migrations.
//! Queries live in `repo/`; rows in `models.rs`.

pub mod connection;
pub mod forms;
pub mod group_commit;
pub mod leader;
pub mod limit;
pub mod manager;
pub mod migrations;
pub mod models;
pub mod page;
pub mod pool;
pub mod replica;
pub mod repo;
pub mod schema;
pub mod version;

pub use connection::{Backend, DbConnection};
pub use pool::{Db, PooledConn};
