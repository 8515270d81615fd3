//! `zhenggai seed --synthetic N`: a realistic ledger of N measures for benchmarks — about
//! 50 units, N/20 findings in N/2000 inspections, a spread of kinds, states and due dates,
//! about 15% overdue — written in batches (a million rows in minutes on SQLite). It is
//! reproducible (a fixed pseudo-random sequence) and recorded as one audit event.

use std::time::Instant;

use chrono::{Duration, NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use diesel::Connection;

use crate::db::models::{FindingRow, InspectionRow, MeasureRow, SupportingUnitRow, UnitRow};
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::{measures as measure_repo, new_id, WriteCtx};
use crate::db::schema::{findings, inspections, measure_supporting_units, measures, units};
use crate::db::{Db, DbConnection};
use crate::domain::deadline;
use crate::domain::enums::{
    Category, FindingStatus, Level, MeasureKind, MeasureStatus, SourceType, SupervisionLevel,
};
use crate::error::ApiError;

const UNITS: usize = 50;
const BATCH: usize = 400;

/// xorshift64*: small, fast, and the same ledger every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// 0..n
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }

    fn percent(&mut self) -> u64 {
        self.below(100)
    }
}

pub struct Report {
    pub units: usize,
    pub inspections: usize,
    pub findings: usize,
    pub measures: usize,
    pub seconds: f64,
}

impl std::fmt::Display for Report {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "synthetic ledger: {} units, {} inspections, {} findings, {} measures in {:.1} s",
            self.units, self.inspections, self.findings, self.measures, self.seconds
        )
    }
}

macro_rules! insert_batch {
    ($conn:expr, $table:expr, $rows:expr) => {
        match $conn {
            DbConnection::Sqlite(c) => diesel::insert_into($table).values($rows).execute(c),
            DbConnection::Postgresql(c) => diesel::insert_into($table).values($rows).execute(c),
        }
    };
}

pub fn load(db: &Db, n: usize, today: NaiveDate) -> Result<Report, ApiError> {
    let started = Instant::now();
    let mut pooled = db.write()?;
    let conn: &mut DbConnection = &mut pooled;
    let taken: i64 = units::table
        .filter(units::code.eq("SYN-U01"))
        .count()
        .get_result(conn)?;
    if taken > 0 {
        return Err(ApiError::Conflict(crate::text!("synthetic-exists")));
    }
    let ctx = WriteCtx::new(
        crate::domain::permissions::Actor::system("synthetic"),
        std::sync::Arc::new(crate::domain::calendar::Calendar::load(None).unwrap_or_default()),
    );
    let now = ctx.now;
    let mut rng = Rng(0x5EED_2022_0930_0001);
    let inspection_count = (n / 2000).max(1);
    let finding_count = (n / 20).max(1);
    let report = conn.transaction(|conn| {
        let unit_rows: Vec<UnitRow> = (1..=UNITS)
            .map(|i| UnitRow {
                id: new_id(),
                code: format!("SYN-U{i:02}"),
                name: format!("第{i}责任单位"),
                parent_id: None,
                created_at: now,
                updated_at: now,
                created_by: ctx.actor.clone(),
                updated_by: ctx.actor.clone(),
            })
            .collect();
        insert_batch!(conn, units::table, &unit_rows)?;
        let inspection_rows: Vec<InspectionRow> = (1..=inspection_count)
            .map(|i| InspectionRow {
                id: new_id(),
                code: format!("SYN-{i:04}"),
                source_type: SourceType::Xuncha,
                title: format!("第{i}轮巡察反馈问题整改"),
                issuer: "市委巡察组".into(),
                target_unit_id: None,
                feedback_date: today - Duration::days(365),
                concentrated_period_end: None,
                version: 1,
                created_at: now,
                updated_at: now,
                created_by: ctx.actor.clone(),
                updated_by: ctx.actor.clone(),
            })
            .collect();
        for chunk in inspection_rows.chunks(BATCH) {
            insert_batch!(conn, inspections::table, chunk.to_vec())?;
        }
        let categories = Category::ALL;
        let mut finding_rows = Vec::with_capacity(BATCH);
        let mut findings_of: Vec<(String, String, String)> = Vec::with_capacity(finding_count);
        for i in 0..finding_count {
            let inspection = &inspection_rows[i % inspection_count];
            let unit = &unit_rows[rng.below(UNITS as u64) as usize];
            let row = FindingRow {
                id: new_id(),
                inspection_id: inspection.id.clone(),
                code: format!("{}-{:05}", inspection.code, i / inspection_count + 1),
                category: categories[rng.below(categories.len() as u64) as usize],
                level: if rng.percent() < 20 {
                    Level::Key
                } else {
                    Level::General
                },
                supervision_level: if rng.percent() < 5 {
                    SupervisionLevel::Listed
                } else {
                    SupervisionLevel::Normal
                },
                title: format!("第{}项问题：制度执行不严格", i + 1),
                source_type: None,
                source_ref: None,
                description: "巡察发现相关制度执行不到位，存在薄弱环节。".into(),
                responsible_unit_id: unit.id.clone(),
                primary_accountable: Some("主要负责同志".into()),
                status: FindingStatus::InProgress,
                closed_at: None,
                version: 1,
                created_at: now,
                updated_at: now,
                created_by: ctx.actor.clone(),
                updated_by: ctx.actor.clone(),
            };
            findings_of.push((row.id.clone(), row.inspection_id.clone(), row.code.clone()));
            finding_rows.push(row);
            if finding_rows.len() == BATCH {
                insert_batch!(conn, findings::table, finding_rows.clone())?;
                finding_rows.clear();
            }
        }
        if !finding_rows.is_empty() {
            insert_batch!(conn, findings::table, finding_rows.clone())?;
        }
        let mut measure_rows = Vec::with_capacity(BATCH);
        let mut supporting_rows = Vec::with_capacity(BATCH);
        for i in 0..n {
            let (finding_id, inspection_id, finding_code) = &findings_of[i % finding_count];
            let lead = &unit_rows[rng.below(UNITS as u64) as usize];
            let nth = i / finding_count + 1;
            let row = synthetic_measure(
                &mut rng,
                nth,
                finding_id,
                inspection_id,
                finding_code,
                lead,
                now,
                today,
                &ctx,
            );
            if rng.percent() < 30 {
                let helper = &unit_rows[rng.below(UNITS as u64) as usize];
                if helper.id != lead.id {
                    supporting_rows.push(SupportingUnitRow {
                        measure_id: row.id.clone(),
                        unit_id: helper.id.clone(),
                    });
                }
            }
            measure_rows.push(row);
            if measure_rows.len() == BATCH {
                insert_batch!(conn, measures::table, measure_rows.clone())?;
                measure_rows.clear();
                insert_batch!(conn, measure_supporting_units::table, &supporting_rows)?;
                supporting_rows.clear();
            }
        }
        if !measure_rows.is_empty() {
            insert_batch!(conn, measures::table, measure_rows.clone())?;
        }
        if !supporting_rows.is_empty() {
            insert_batch!(conn, measure_supporting_units::table, &supporting_rows)?;
        }
        let summary = serde_json::json!({
            "units": UNITS, "inspections": inspection_count, "findings": finding_count, "measures": n
        });
        events::append(conn, &ctx, "seed.synthetic", ("ledger", "synthetic"), None, Some(snapshot(&summary)))?;
        Ok::<_, ApiError>(Report {
            units: UNITS,
            inspections: inspection_count,
            findings: finding_count,
            measures: n,
            seconds: 0.0,
        })
    })?;
    Ok(Report {
        seconds: started.elapsed().as_secs_f64(),
        ..report
    })
}

#[allow(clippy::too_many_arguments)]
fn synthetic_measure(
    rng: &mut Rng,
    nth: usize,
    finding_id: &str,
    inspection_id: &str,
    finding_code: &str,
    lead: &UnitRow,
    now: NaiveDateTime,
    today: NaiveDate,
    ctx: &WriteCtx,
) -> MeasureRow {
    let kind = match rng.percent() {
        0..=19 => MeasureKind::Immediate,
        20..=74 => MeasureKind::TimeBound,
        _ => MeasureKind::LongTerm,
    };
    // About 15% overdue: open and past due. The rest: closed, or due ahead.
    let roll = rng.percent();
    let (status, due) = if kind == MeasureKind::LongTerm {
        let status = if roll < 70 {
            MeasureStatus::Ongoing
        } else {
            MeasureStatus::InProgress
        };
        (status, None)
    } else if roll < 20 {
        let status = if rng.percent() < 40 {
            MeasureStatus::NotStarted
        } else {
            MeasureStatus::InProgress
        };
        (
            status,
            Some(today - Duration::days(1 + rng.below(180) as i64)),
        )
    } else if roll < 50 {
        (
            MeasureStatus::Closed,
            Some(today - Duration::days(rng.below(300) as i64)),
        )
    } else {
        let status = match rng.percent() {
            0..=24 => MeasureStatus::NotStarted,
            25..=84 => MeasureStatus::InProgress,
            85..=94 => MeasureStatus::Submitted,
            _ => MeasureStatus::Endorsed,
        };
        (status, Some(today + Duration::days(rng.below(240) as i64)))
    };
    let closed = status == MeasureStatus::Closed;
    let mut row = MeasureRow {
        id: new_id(),
        finding_id: finding_id.to_string(),
        inspection_id: inspection_id.to_string(),
        code: format!("{finding_code}-{nth}"),
        content: "健全制度机制，开展专项整治，建立长效管理".into(),
        kind,
        lead_unit_id: lead.id.clone(),
        accountable_leader: "分管负责同志".into(),
        accountable_leader_sub: None,
        pending_extension_id: None,
        pending_extension_due: None,
        reminder_count: 0,
        last_reminded_at: None,
        recheck_count: 0,
        relapse_count: 0,
        quota_light: None,
        responsible_person: Some(format!("{}负责人", lead.name)),
        due_date: due,
        original_due_date: due,
        due_sort: deadline::sort_key(due),
        completion_criteria: None,
        report_cycle: (kind == MeasureKind::LongTerm).then(|| "quarterly".into()),
        quota_metric: None,
        quota_min_count: None,
        quota_period: None,
        status,
        extension_count: i32::from(rng.percent() < 5),
        closed_at: closed.then(|| {
            due.unwrap_or(today).and_hms_opt(10, 0, 0).unwrap_or(now)
                - Duration::days(rng.below(20) as i64)
        }),
        version: 1,
        created_at: now - Duration::days(200),
        updated_at: now,
        created_by: ctx.actor.clone(),
        updated_by: ctx.actor.clone(),
        progress_percent: if closed {
            100
        } else {
            (rng.below(10) * 10) as i32
        },
        last_report_at: (kind == MeasureKind::LongTerm)
            .then(|| now - Duration::days(rng.below(80) as i64)),
        closing_statement: None,
        submitted_by: matches!(
            status,
            MeasureStatus::Submitted | MeasureStatus::Endorsed | MeasureStatus::Closed
        )
        .then(|| "synthetic".into()),
        submitted_at: None,
        endorsed_by: None,
        verified_by: closed.then(|| "synthetic-office".into()),
        report_due: None,
        clock_stopped: false,
        return_count: i32::from(rng.percent() < 3),
        closed_on_time: None,
        days_to_close: None,
    };
    measure_repo::refresh_deadlines(&mut row, &ctx.calendar);
    row
}
