//! Backup, restore and check, online. A backup is a directory: every table as JSON lines
//! read in one consistent snapshot (a read transaction; REPEATABLE READ on PostgreSQL)
//! while the service runs, every evidence file the snapshot references, and a manifest
//! with the ledger version, the audit head and the SHA-256 of every file. It is logical,
//! so a backup of SQLite restores into PostgreSQL and back. `restore` verifies every hash
//! before it writes, fills an empty database in one transaction, and requires the restored
//! audit chain to be intact and to end at the manifest's head. `check` verifies a running
//! ledger: the chain, every stored file, and the columns derived from others.

use std::collections::{BTreeMap, HashSet};
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};

use chrono::Utc;
use diesel::prelude::*;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::db::models::{
    ActivityKindRow, ActivityRow, DeliveryRow, DutyNoticeRow, DutyRow, EventRow, EvidenceRow,
    ExtensionRow, FindingRow, HandoverMeasureRow, HandoverRow, InspectionRow, MeasureRow,
    NoticeRow, PersonRow, ProgressReportRow, RecheckRow, SupportingUnitRow, UnitRow, WebhookRow,
};
use crate::db::repo::{events, measures as measure_repo};
use crate::db::schema::{
    activities, activity_kinds, deadline_notices, duties, duty_notices, event_head,
    events as event_table, evidence, extensions, findings, handover_measures, handovers,
    inspections, measure_supporting_units, measures, people, progress_reports, rechecks, units,
    webhook_deliveries, webhooks,
};
use crate::db::{Db, DbConnection};
use crate::domain::calendar::Calendar;
use crate::storage::Storage;

pub const FORMAT: &str = "zhenggai-backup/1";
const PAGE: i64 = 5000;

/// What a backup holds, written last: a backup without one is incomplete.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Manifest {
    pub format: String,
    pub created_at: String,
    pub source: String,
    /// The sequence number of the last audit event in the snapshot.
    pub ledger_version: i64,
    /// Its hash: the restored chain must end here.
    pub audit_head: String,
    /// Table → its file's rows and SHA-256.
    pub tables: BTreeMap<String, TableFile>,
    /// Evidence files by SHA-256, with their sizes.
    pub files: BTreeMap<String, u64>,
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct TableFile {
    pub rows: u64,
    pub sha256: String,
}

/// A failure inside a transaction: a message, and diesel's errors roll it back too.
struct Failed(String);

impl From<String> for Failed {
    fn from(s: String) -> Failed {
        Failed(s)
    }
}

impl From<&str> for Failed {
    fn from(s: &str) -> Failed {
        Failed(s.to_string())
    }
}

impl From<diesel::result::Error> for Failed {
    fn from(e: diesel::result::Error) -> Failed {
        Failed(db_error(e))
    }
}

fn io(what: impl std::fmt::Display) -> impl Fn(std::io::Error) -> String {
    move |e| format!("{what}: {e}")
}

fn db_error(e: impl std::fmt::Display) -> String {
    format!("database: {e}")
}

/// Writes a table as JSON lines, hashing as it goes.
struct TableWriter {
    out: BufWriter<File>,
    hasher: Sha256,
    rows: u64,
    path: PathBuf,
}

impl TableWriter {
    fn create(dir: &Path, table: &str) -> Result<TableWriter, String> {
        let path = dir.join("tables").join(format!("{table}.jsonl"));
        let file = File::create(&path).map_err(io(path.display()))?;
        Ok(TableWriter {
            out: BufWriter::new(file),
            hasher: Sha256::new(),
            rows: 0,
            path,
        })
    }

    fn row<T: Serialize>(&mut self, row: &T) -> Result<(), String> {
        let mut line = serde_json::to_vec(row).map_err(|e| e.to_string())?;
        line.push(b'\n');
        self.hasher.update(&line);
        self.out.write_all(&line).map_err(io(self.path.display()))?;
        self.rows += 1;
        Ok(())
    }

    fn finish(mut self) -> Result<TableFile, String> {
        self.out.flush().map_err(io(self.path.display()))?;
        self.out
            .get_ref()
            .sync_all()
            .map_err(io(self.path.display()))?;
        Ok(TableFile {
            rows: self.rows,
            sha256: hex(&self.hasher.finalize()),
        })
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn sha256_of(path: &Path) -> Result<(String, u64), String> {
    let file = File::open(path).map_err(io(path.display()))?;
    crate::storage::hash_copy(file, std::io::sink()).map_err(io(path.display()))
}

/// Dumps a table keyed by a text `id`, a page at a time in id order.
macro_rules! dump_by_id {
    ($conn:expr, $dir:expr, $tables:expr, $name:literal, $table:ident, $row:ty, $each:expr) => {{
        let mut w = TableWriter::create($dir, $name)?;
        let mut after = String::new();
        loop {
            let page: Vec<$row> = $table::table
                .filter($table::id.gt(after.clone()))
                .order($table::id.asc())
                .limit(PAGE)
                .select(<$row>::as_select())
                .load($conn)
                .map_err(db_error)?;
            for row in &page {
                #[allow(clippy::redundant_closure_call)]
                ($each)(row);
                w.row(row)?;
            }
            match page.last() {
                Some(last) if page.len() as i64 == PAGE => after = last.id.clone(),
                _ => break,
            }
        }
        $tables.insert($name.to_string(), w.finish()?);
    }};
}

/// Dumps a small table whole.
macro_rules! dump_all {
    ($conn:expr, $dir:expr, $tables:expr, $name:literal, $table:ident, $row:ty) => {{
        let mut w = TableWriter::create($dir, $name)?;
        let rows: Vec<$row> = $table::table
            .select(<$row>::as_select())
            .load($conn)
            .map_err(db_error)?;
        for row in &rows {
            w.row(row)?;
        }
        $tables.insert($name.to_string(), w.finish()?);
    }};
}

/// Takes a backup of the running ledger into `dir` (created; must be empty).
pub fn backup(db: &Db, storage: &Storage, dir: &Path) -> Result<Manifest, String> {
    if dir.exists()
        && std::fs::read_dir(dir)
            .map_err(io(dir.display()))?
            .next()
            .is_some()
    {
        return Err(format!(
            "{} is not empty; back up into a new directory",
            dir.display()
        ));
    }
    std::fs::create_dir_all(dir.join("tables")).map_err(io(dir.display()))?;
    std::fs::create_dir_all(dir.join("evidence")).map_err(io(dir.display()))?;
    let mut pooled = db.read().map_err(db_error)?;
    let conn: &mut DbConnection = &mut pooled;
    let source = match conn {
        DbConnection::Sqlite(_) => "sqlite",
        DbConnection::Postgresql(_) => "postgres",
    };
    let mut tables = BTreeMap::new();
    let mut files: BTreeMap<String, u64> = BTreeMap::new();
    let (ledger_version, audit_head) = conn
        .transaction::<_, Failed, _>(|conn| {
            if matches!(conn, DbConnection::Postgresql(_)) {
                diesel::sql_query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                    .execute(conn)
                    .map_err(db_error)?;
            }
            let head: (i64, String) = event_head::table
                .find(1)
                .select((event_head::last_seq, event_head::last_hash))
                .first(conn)
                .map_err(db_error)?;
            dump_by_id!(conn, dir, tables, "units", units, UnitRow, |_| ());
            dump_by_id!(
                conn,
                dir,
                tables,
                "inspections",
                inspections,
                InspectionRow,
                |_| ()
            );
            dump_by_id!(conn, dir, tables, "findings", findings, FindingRow, |_| ());
            dump_by_id!(conn, dir, tables, "measures", measures, MeasureRow, |_| ());
            dump_all!(
                conn,
                dir,
                tables,
                "measure_supporting_units",
                measure_supporting_units,
                SupportingUnitRow
            );
            dump_by_id!(
                conn,
                dir,
                tables,
                "progress_reports",
                progress_reports,
                ProgressReportRow,
                |_| ()
            );
            dump_by_id!(
                conn,
                dir,
                tables,
                "evidence",
                evidence,
                EvidenceRow,
                |r: &EvidenceRow| {
                    files.insert(r.sha256.clone(), r.size as u64);
                }
            );
            dump_by_id!(
                conn,
                dir,
                tables,
                "extensions",
                extensions,
                ExtensionRow,
                |_| ()
            );
            dump_events(conn, dir, &mut tables)?;
            dump_by_id!(conn, dir, tables, "webhooks", webhooks, WebhookRow, |_| ());
            dump_by_id!(
                conn,
                dir,
                tables,
                "webhook_deliveries",
                webhook_deliveries,
                DeliveryRow,
                |_| ()
            );
            dump_all!(
                conn,
                dir,
                tables,
                "deadline_notices",
                deadline_notices,
                NoticeRow
            );
            dump_all!(conn, dir, tables, "people", people, PersonRow);
            dump_by_id!(
                conn,
                dir,
                tables,
                "handovers",
                handovers,
                HandoverRow,
                |_| ()
            );
            dump_all!(
                conn,
                dir,
                tables,
                "handover_measures",
                handover_measures,
                HandoverMeasureRow
            );
            dump_by_id!(conn, dir, tables, "rechecks", rechecks, RecheckRow, |_| ());
            dump_all!(
                conn,
                dir,
                tables,
                "activity_kinds",
                activity_kinds,
                ActivityKindRow
            );
            dump_by_id!(conn, dir, tables, "duties", duties, DutyRow, |_| ());
            dump_by_id!(
                conn,
                dir,
                tables,
                "activities",
                activities,
                ActivityRow,
                |_| ()
            );
            dump_all!(
                conn,
                dir,
                tables,
                "duty_notices",
                duty_notices,
                DutyNoticeRow
            );
            Ok(head)
        })
        .map_err(|e| e.0)?;
    drop(pooled);
    // Files are content-addressed and never deleted, so the snapshot's are all there.
    for (sha, size) in &files {
        let from = storage
            .read(sha, None)
            .map_err(io(format!("evidence file {sha}")))?
            .ok_or_else(|| format!("evidence file {sha} is missing from {}", storage.describe()))?;
        let to = dir.join("evidence").join(sha);
        let file = File::create(&to).map_err(io(to.display()))?;
        let (copied, copied_size) =
            crate::storage::hash_copy(from, file).map_err(io(format!("evidence file {sha}")))?;
        if &copied != sha || copied_size != *size {
            return Err(format!(
                "evidence file {sha} in storage does not match its record (it hashes to {copied})"
            ));
        }
    }
    let manifest = Manifest {
        format: FORMAT.into(),
        created_at: Utc::now().to_rfc3339(),
        source: source.into(),
        ledger_version,
        audit_head,
        tables,
        files,
    };
    let path = dir.join("manifest.json");
    let text = serde_json::to_vec_pretty(&manifest).map_err(|e| e.to_string())?;
    let mut file = File::create(&path).map_err(io(path.display()))?;
    file.write_all(&text).map_err(io(path.display()))?;
    file.sync_all().map_err(io(path.display()))?;
    Ok(manifest)
}

fn dump_events(
    conn: &mut DbConnection,
    dir: &Path,
    tables: &mut BTreeMap<String, TableFile>,
) -> Result<(), String> {
    let mut w = TableWriter::create(dir, "events")?;
    let mut after = 0;
    loop {
        let page: Vec<EventRow> = event_table::table
            .filter(event_table::seq.gt(after))
            .order(event_table::seq.asc())
            .limit(PAGE)
            .select(EventRow::as_select())
            .load(conn)
            .map_err(db_error)?;
        for row in &page {
            w.row(row)?;
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.seq,
            _ => break,
        }
    }
    tables.insert("events".into(), w.finish()?);
    Ok(())
}

/// Reads a backup's manifest and checks every file in it against its hash.
pub fn verify_backup(dir: &Path) -> Result<Manifest, String> {
    let path = dir.join("manifest.json");
    let text = std::fs::read(&path).map_err(io(path.display()))?;
    let manifest: Manifest = serde_json::from_slice(&text)
        .map_err(|e| format!("{}: not a backup manifest: {e}", path.display()))?;
    if manifest.format != FORMAT {
        return Err(format!(
            "{}: format {} is not {FORMAT}",
            path.display(),
            manifest.format
        ));
    }
    for (table, expected) in &manifest.tables {
        let path = dir.join("tables").join(format!("{table}.jsonl"));
        let (sha, _) = sha256_of(&path)?;
        if sha != expected.sha256 {
            return Err(format!(
                "{}: altered (its SHA-256 is not the manifest's)",
                path.display()
            ));
        }
    }
    for (sha, size) in &manifest.files {
        let path = dir.join("evidence").join(sha);
        let (actual, actual_size) = sha256_of(&path)?;
        if &actual != sha || actual_size != *size {
            return Err(format!(
                "{}: altered (its SHA-256 is {actual})",
                path.display()
            ));
        }
    }
    Ok(manifest)
}

fn read_rows<T: DeserializeOwned>(dir: &Path, table: &str) -> Result<Vec<T>, String> {
    let path = dir.join("tables").join(format!("{table}.jsonl"));
    // A backup taken before the table existed has none of it (`verify_backup` has
    // checked every table the manifest lists).
    if !path.exists() {
        return Ok(Vec::new());
    }
    let file = File::open(&path).map_err(io(path.display()))?;
    let mut rows = Vec::new();
    for (i, line) in BufReader::new(file).lines().enumerate() {
        let line = line.map_err(io(path.display()))?;
        rows.push(
            serde_json::from_str(&line)
                .map_err(|e| format!("{} line {}: {e}", path.display(), i + 1))?,
        );
    }
    Ok(rows)
}

macro_rules! restore_table {
    ($conn:expr, $dir:expr, $name:literal, $table:ident, $row:ty) => {{
        let rows: Vec<$row> = read_rows($dir, $name)?;
        // One statement per row: batch inserts are not portable across backends.
        for row in rows {
            diesel::insert_into($table::table)
                .values(row)
                .execute($conn)
                .map_err(|e| format!("restoring {}: {e}", $name))?;
        }
    }};
}

/// Restores a backup into an empty database and storage; answers its manifest.
pub fn restore(db: &Db, storage: &Storage, dir: &Path) -> Result<Manifest, String> {
    let manifest = verify_backup(dir)?;
    let mut conn = db.write().map_err(db_error)?;
    let present: i64 = units::table
        .count()
        .get_result(&mut **conn)
        .map_err(db_error)?;
    let logged: i64 = event_table::table
        .count()
        .get_result(&mut **conn)
        .map_err(db_error)?;
    if present > 0 || logged > 0 {
        return Err("the database is not empty; restore into a new one".into());
    }
    // Files first: content-addressed, so a second try after a failure finds them in place.
    for sha in manifest.files.keys() {
        put_file(storage, &dir.join("evidence").join(sha), sha)?;
    }
    conn.transaction::<_, Failed, _>(|conn| {
        let mut unit_rows: Vec<UnitRow> = read_rows(dir, "units")?;
        // Parents before children, whatever order the ids give.
        let mut placed: HashSet<String> = HashSet::new();
        while !unit_rows.is_empty() {
            let before = unit_rows.len();
            let (ready, waiting): (Vec<UnitRow>, Vec<UnitRow>) = unit_rows
                .into_iter()
                .partition(|u| u.parent_id.as_ref().is_none_or(|p| placed.contains(p)));
            for row in ready {
                placed.insert(row.id.clone());
                diesel::insert_into(units::table)
                    .values(row)
                    .execute(conn)
                    .map_err(|e| format!("restoring units: {e}"))?;
            }
            if waiting.len() == before {
                return Err(Failed("units: a parent is missing from the backup".into()));
            }
            unit_rows = waiting;
        }
        restore_table!(conn, dir, "inspections", inspections, InspectionRow);
        restore_table!(conn, dir, "findings", findings, FindingRow);
        restore_table!(conn, dir, "measures", measures, MeasureRow);
        restore_table!(
            conn,
            dir,
            "measure_supporting_units",
            measure_supporting_units,
            SupportingUnitRow
        );
        restore_table!(
            conn,
            dir,
            "progress_reports",
            progress_reports,
            ProgressReportRow
        );
        restore_table!(conn, dir, "evidence", evidence, EvidenceRow);
        restore_table!(conn, dir, "extensions", extensions, ExtensionRow);
        restore_table!(conn, dir, "events", event_table, EventRow);
        diesel::update(event_head::table.find(1))
            .set((
                event_head::last_seq.eq(manifest.ledger_version),
                event_head::last_hash.eq(manifest.audit_head.clone()),
                // Everything restored is new to whoever polled this database before.
                event_head::shown_seq.eq(manifest.ledger_version),
            ))
            .execute(conn)
            .map_err(db_error)?;
        restore_table!(conn, dir, "webhooks", webhooks, WebhookRow);
        restore_table!(
            conn,
            dir,
            "webhook_deliveries",
            webhook_deliveries,
            DeliveryRow
        );
        restore_table!(conn, dir, "deadline_notices", deadline_notices, NoticeRow);
        restore_table!(conn, dir, "people", people, PersonRow);
        restore_table!(conn, dir, "handovers", handovers, HandoverRow);
        restore_table!(
            conn,
            dir,
            "handover_measures",
            handover_measures,
            HandoverMeasureRow
        );
        restore_table!(conn, dir, "rechecks", rechecks, RecheckRow);
        if dir.join("tables").join("activity_kinds.jsonl").exists() {
            // The kinds a fresh database is seeded with give way to the backup's own.
            diesel::delete(activity_kinds::table)
                .execute(conn)
                .map_err(db_error)?;
        }
        restore_table!(conn, dir, "activity_kinds", activity_kinds, ActivityKindRow);
        restore_table!(conn, dir, "duties", duties, DutyRow);
        restore_table!(conn, dir, "activities", activities, ActivityRow);
        restore_table!(conn, dir, "duty_notices", duty_notices, DutyNoticeRow);
        let chain = events::verify(conn).map_err(|e| e.to_string())?;
        if let Some(broken) = chain.first_broken {
            return Err(Failed(format!(
                "the restored audit trail is broken at event {}: {}",
                broken.seq, broken.reason
            )));
        }
        Ok(())
    })
    .map_err(|e| e.0)?;
    Ok(manifest)
}

/// Stores a file under its hash, checking the hash on the way.
fn put_file(storage: &Storage, from: &Path, sha: &str) -> Result<(), String> {
    if let Ok(Some(stored)) = storage.read(sha, None) {
        if crate::storage::hash_copy(stored, std::io::sink()).is_ok_and(|(actual, _)| actual == sha)
        {
            return Ok(());
        }
    }
    let mut upload = storage.begin().map_err(io("evidence storage"))?;
    let mut file = File::open(from).map_err(io(from.display()))?;
    let mut buf = vec![0; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(io(from.display()))?;
        if n == 0 {
            break;
        }
        upload
            .write(&buf[..n])
            .map_err(|e| format!("evidence storage: {e}"))?;
    }
    let done = upload
        .finish()
        .map_err(|e| format!("evidence storage: {e}"))?;
    if done.sha256 != sha {
        return Err(format!("{}: altered while restoring", from.display()));
    }
    storage.commit(done).map_err(io("evidence storage"))
}

/// What `check` found wrong; empty when the ledger is intact.
#[derive(Debug, Default)]
pub struct CheckReport {
    pub events: i64,
    pub files: usize,
    pub measures: usize,
    pub problems: Vec<String>,
}

/// Verifies the audit chain, re-hashes every stored evidence file, recomputes the
/// measures' derived columns and recounts the dashboards' tallies.
pub fn check(db: &Db, storage: &Storage, calendar: &Calendar) -> Result<CheckReport, String> {
    let mut conn = db.read().map_err(db_error)?;
    let mut report = CheckReport::default();
    let chain = events::verify(&mut conn).map_err(|e| e.to_string())?;
    report.events = chain.events;
    if let Some(broken) = chain.first_broken {
        report.problems.push(format!(
            "audit trail broken at event {} ({}): {}",
            broken.seq, broken.id, broken.reason
        ));
    }
    let hashes: Vec<(String, String)> = evidence::table
        .select((evidence::id, evidence::sha256))
        .order(evidence::id.asc())
        .load(&mut **conn)
        .map_err(db_error)?;
    let mut seen = HashSet::new();
    for (id, sha) in hashes {
        if !seen.insert(sha.clone()) {
            continue;
        }
        report.files += 1;
        match storage.read(&sha, None) {
            Ok(Some(stored)) => match crate::storage::hash_copy(stored, std::io::sink()) {
                Ok((actual, _)) if actual == sha => {}
                Ok((actual, _)) => report.problems.push(format!(
                    "evidence {id}: its file is altered (hashes to {actual}, recorded {sha})"
                )),
                Err(e) => report.problems.push(format!("evidence {id}: {e}")),
            },
            Ok(None) => report
                .problems
                .push(format!("evidence {id}: its file {sha} is missing")),
            Err(e) => report.problems.push(format!("evidence {id}: {e}")),
        }
    }
    let mut after = String::new();
    loop {
        let page: Vec<MeasureRow> = measures::table
            .filter(measures::id.gt(after.clone()))
            .order(measures::id.asc())
            .limit(PAGE)
            .select(MeasureRow::as_select())
            .load(&mut **conn)
            .map_err(db_error)?;
        for row in &page {
            report.measures += 1;
            let mut derived = row.clone();
            measure_repo::refresh_deadlines(&mut derived, calendar);
            let kept = (
                row.report_due,
                row.clock_stopped,
                row.closed_on_time,
                row.days_to_close,
            );
            let recounted = (
                derived.report_due,
                derived.clock_stopped,
                derived.closed_on_time,
                derived.days_to_close,
            );
            if kept != recounted || row.due_sort != crate::domain::deadline::sort_key(row.due_date)
            {
                report.problems.push(format!(
                    "measure {} ({}): derived columns {kept:?} should be {recounted:?}",
                    row.code, row.id
                ));
            }
        }
        match page.last() {
            Some(last) if page.len() as i64 == PAGE => after = last.id.clone(),
            _ => break,
        }
    }
    // The dashboards' tallies, recounted from the rows.
    let drift = crate::db::repo::tallies::drift(&mut conn).map_err(|e| e.to_string())?;
    report.problems.extend(drift);
    Ok(report)
}

/// Takes a backup into `schedule.dir/zhenggai-<UTC time>` and keeps the newest
/// `schedule.keep` complete ones; answers the new backup's directory.
pub fn scheduled(
    db: &Db,
    storage: &Storage,
    schedule: &crate::config::BackupSchedule,
) -> Result<PathBuf, String> {
    let name = format!("zhenggai-{}", Utc::now().format("%Y%m%dT%H%M%S%.3fZ"));
    let dir = schedule.dir.join(name);
    if let Err(e) = backup(db, storage, &dir) {
        // A backup without its manifest is no backup: leave nothing that looks like one.
        let _ = std::fs::remove_dir_all(&dir);
        return Err(e);
    }
    let mut complete: Vec<PathBuf> = std::fs::read_dir(&schedule.dir)
        .map_err(io(schedule.dir.display()))?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("zhenggai-"))
                && p.join("manifest.json").exists()
        })
        .collect();
    complete.sort();
    while complete.len() > schedule.keep.max(1) {
        let oldest = complete.remove(0);
        std::fs::remove_dir_all(&oldest).map_err(io(oldest.display()))?;
    }
    Ok(dir)
}
