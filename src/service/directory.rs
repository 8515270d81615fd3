//! The organisation as of the ledger's version: the unit tree and the people directory,
//! loaded once per version (units and people change rarely; every change is a write that
//! advances the version) and shared by every request.

use std::sync::{Arc, RwLock};

use crate::db::repo::{people, units};
use crate::db::version::LedgerVersion;
use crate::db::{Db, DbConnection};
use crate::domain::org::{Organisation, Person, UnitNode};
use crate::error::ApiError;

pub struct Directory {
    db: Db,
    ledger: LedgerVersion,
    cached: RwLock<Option<(i64, Arc<Organisation>)>>,
}

impl Directory {
    pub fn new(db: Db, ledger: LedgerVersion) -> Directory {
        Directory {
            db,
            ledger,
            cached: RwLock::new(None),
        }
    }

    /// The organisation as of now. Blocking: call it off the async threads.
    pub fn now(&self) -> Result<Arc<Organisation>, ApiError> {
        let version = self.ledger.get();
        if let Some((at, org)) = self.cached.read().ok().and_then(|c| c.clone()) {
            if at == version {
                return Ok(org);
            }
        }
        self.reload(version)
    }

    /// The organisation as of the current version, when it is loaded already (no I/O).
    pub fn cached(&self) -> Option<Arc<Organisation>> {
        let version = self.ledger.get();
        self.cached
            .read()
            .ok()
            .and_then(|c| c.clone())
            .filter(|(at, _)| *at == version)
            .map(|(_, org)| org)
    }

    /// Reads it again whatever the version says (a unit another process just created).
    pub fn fresh(&self) -> Result<Arc<Organisation>, ApiError> {
        self.reload(self.ledger.get())
    }

    fn reload(&self, version: i64) -> Result<Arc<Organisation>, ApiError> {
        // The version is read before the tables: a write committing meanwhile advances it,
        // so the next request loads again.
        let mut conn = self.db.read()?;
        let org = Arc::new(load(&mut conn)?);
        if let Ok(mut cached) = self.cached.write() {
            *cached = Some((version, org.clone()));
        }
        Ok(org)
    }
}

/// The organisation as the database holds it.
pub fn load(conn: &mut DbConnection) -> Result<Organisation, ApiError> {
    let units = units::all(conn)?
        .into_iter()
        .map(|u| UnitNode {
            id: u.id,
            code: u.code,
            name: u.name,
            parent_id: u.parent_id,
        })
        .collect();
    let people = people::all(conn)?
        .into_iter()
        .map(|p| Person {
            oversees_unit_ids: p.oversees(),
            sub: p.sub,
            name: p.name,
            title: p.title,
            unit_id: p.unit_id,
        })
        .collect();
    Ok(Organisation::new(units, people))
}
