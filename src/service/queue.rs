//! What awaits a caller (待办), by role and scope: gathered kind by kind, ranked by
//! `domain::queue`.

use std::collections::{BTreeMap, HashMap};

use chrono::{Duration, NaiveDateTime};
use diesel::prelude::*;

use crate::db::models::{FindingRow, MeasureRow};
use crate::db::repo::queue::{self, Tie};
use crate::db::schema::measures;
use crate::db::DbConnection;
use crate::domain::calendar::Calendar;
use crate::domain::deadline::{office_hours, Today};
use crate::domain::enums::{SupervisionLevel, Warning};
use crate::domain::org::Organisation;
use crate::domain::permissions::Actor;
use crate::domain::queue::{rank, QueueItem, QueueKind};
use crate::error::ApiError;
use crate::service::duty_watch;

/// What the queue needs besides the database.
pub struct QueueCtx<'a> {
    pub today: Today,
    pub tz: chrono_tz::Tz,
    pub calendar: &'a Calendar,
    pub org: &'a Organisation,
    /// A red measure reminded longer ago than this many working days is queued again.
    pub remind_after_days: u32,
    /// Only these kinds (all of the role's when empty).
    pub only: Option<QueueKind>,
}

/// Everything waiting, most urgent first, and how many of each kind (exact, even where
/// the items stop at `queue::CAP` per kind).
pub fn gather(
    conn: &mut DbConnection,
    who: &Actor,
    ctx: &QueueCtx,
) -> Result<(Vec<QueueItem>, BTreeMap<QueueKind, i64>), ApiError> {
    let mut g = Gather {
        conn,
        who,
        ctx,
        items: Vec::new(),
        counts: BTreeMap::new(),
        claimed: None,
        duties: None,
    };
    for kind in QueueKind::for_role(who.role) {
        if ctx.only.is_some_and(|only| only != *kind) {
            continue;
        }
        g.kind(*kind)?;
    }
    let Gather {
        mut items, counts, ..
    } = g;
    rank(&mut items);
    Ok((items, counts))
}

struct Gather<'a, 'c> {
    conn: &'a mut DbConnection,
    who: &'a Actor,
    ctx: &'a QueueCtx<'c>,
    items: Vec<QueueItem>,
    counts: BTreeMap<QueueKind, i64>,
    /// Claimed findings and which of them had a plan returned: read once for both kinds.
    claimed: Option<(Vec<FindingRow>, Vec<String>)>,
    /// The duties waiting on someone: counted once for both kinds.
    duties: Option<std::rc::Rc<Vec<duty_watch::Waiting>>>,
}

impl Gather<'_, '_> {
    fn unit_name(&self, id: &str) -> String {
        self.ctx
            .org
            .unit(id)
            .map_or_else(|| id.to_string(), |u| u.name.clone())
    }

    fn add_findings(&mut self, kind: QueueKind, rows: Vec<FindingRow>, count: i64) {
        self.counts.insert(kind, count);
        for f in rows {
            self.items.push(QueueItem {
                kind,
                object_type: "finding".into(),
                object_id: f.id.clone(),
                code: f.code.clone(),
                title: f.title.clone(),
                unit: self.unit_name(&f.responsible_unit_id),
                unit_id: f.responsible_unit_id.clone(),
                since: Some(f.updated_at.and_utc()),
                due: None,
                warning: None,
                listed: f.supervision_level == SupervisionLevel::Listed,
                names_you: false,
            });
        }
    }

    fn add_measures(
        &mut self,
        kind: QueueKind,
        rows: Vec<MeasureRow>,
        count: i64,
        since: impl Fn(&MeasureRow) -> Option<NaiveDateTime>,
        due: impl Fn(&MeasureRow) -> Option<chrono::NaiveDate>,
    ) -> Result<(), ApiError> {
        self.counts.insert(kind, count);
        let found: HashMap<String, FindingRow> = queue::findings_of(
            self.conn,
            rows.iter().map(|m| m.finding_id.clone()).collect(),
        )?
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
        for m in rows {
            let finding = found.get(&m.finding_id);
            self.items.push(QueueItem {
                kind,
                object_type: "measure".into(),
                object_id: m.id.clone(),
                code: m.code.clone(),
                title: finding.map(|f| f.title.clone()).unwrap_or_default(),
                unit: self.unit_name(&m.lead_unit_id),
                unit_id: m.lead_unit_id.clone(),
                since: since(&m).map(|t| t.and_utc()),
                due: due(&m),
                warning: Some(m.light(&self.ctx.today).warning),
                listed: finding.is_some_and(|f| f.supervision_level == SupervisionLevel::Listed),
                names_you: m.accountable_leader_sub.as_deref() == Some(self.who.sub.as_str()),
            });
        }
        Ok(())
    }

    fn kind(&mut self, kind: QueueKind) -> Result<(), ApiError> {
        use QueueKind as K;
        let vis = self.who.visibility.clone();
        let today = &self.ctx.today;
        let status = |s: &'static str| measures::status.eq(s);
        match kind {
            K::FindingToClaim => {
                let (rows, n) = queue::findings_owned(self.conn, &vis, &["assigned"])?;
                self.add_findings(kind, rows, n);
            }
            K::PlanToSubmit | K::PlanReturned => {
                let (rows, returned) = match &self.claimed {
                    Some(read) => read.clone(),
                    None => {
                        let (rows, _) = queue::findings_owned(self.conn, &vis, &["claimed"])?;
                        let ids: Vec<String> = rows.iter().map(|f| f.id.clone()).collect();
                        let read = (rows, queue::plans_returned(self.conn, &ids)?);
                        self.claimed = Some(read.clone());
                        read
                    }
                };
                let mine: Vec<FindingRow> = rows
                    .iter()
                    .filter(|f| returned.contains(&f.id) == (kind == K::PlanReturned))
                    .cloned()
                    .collect();
                let n = mine.len() as i64;
                self.add_findings(kind, mine, n);
            }
            K::PlanToApprove => {
                let (rows, n) = queue::findings_owned(self.conn, &vis, &["plan_submitted"])?;
                self.add_findings(kind, rows, n);
            }
            K::MeasureToStart => {
                // Those the finding lets start now (`workflow::finding_admits`).
                let (rows, n) = queue::measures(self.conn, &vis, Tie::Works, |q| {
                    q.filter(status("not_started")).filter(
                        measures::finding_id
                            .eq_any(
                                crate::db::schema::findings::table
                                    .filter(
                                        crate::db::schema::findings::status
                                            .eq_any(["in_progress", "long_term"]),
                                    )
                                    .select(crate::db::schema::findings::id),
                            )
                            .or(measures::kind.eq("immediate").and(
                                measures::finding_id.eq_any(
                                    crate::db::schema::findings::table
                                        .filter(crate::db::schema::findings::status.eq("claimed"))
                                        .select(crate::db::schema::findings::id),
                                ),
                            )),
                    )
                })?;
                self.add_measures(kind, rows, n, |m| Some(m.created_at), |m| m.due_date)?;
            }
            K::ReportDue | K::ReportMissed => {
                let missed = kind == K::ReportMissed;
                let (rows, n) = queue::measures(self.conn, &vis, Tie::Works, move |q| {
                    let q = q
                        .filter(measures::kind.eq("long_term"))
                        .filter(measures::status.eq_any(["in_progress", "ongoing"]))
                        .filter(measures::clock_stopped.eq(false));
                    if missed {
                        q.filter(measures::report_due.lt(today.date))
                    } else {
                        q.filter(measures::report_due.ge(today.date))
                            .filter(measures::report_due.le(today.yellow_until))
                    }
                })?;
                self.add_measures(kind, rows, n, |m| m.last_report_at, |m| m.report_due)?;
            }
            K::ClosureReturned => {
                let (rows, n) = queue::measures(self.conn, &vis, Tie::Works, |q| {
                    q.filter(status("in_progress"))
                        .filter(measures::return_count.gt(0))
                        .filter(measures::submitted_by.is_not_null())
                })?;
                self.add_measures(kind, rows, n, |m| Some(m.updated_at), |m| m.due_date)?;
            }
            K::ClosureToEndorse => {
                let sub = self.who.sub.clone();
                let (rows, n) = queue::measures(self.conn, &vis, Tie::Leads, move |q| {
                    q.filter(status("submitted")).filter(
                        measures::accountable_leader_sub
                            .is_null()
                            .or(measures::accountable_leader_sub.eq(sub.clone())),
                    )
                })?;
                self.add_measures(kind, rows, n, |m| m.submitted_at, |m| m.due_date)?;
            }
            K::ClosureToVerify => {
                let (rows, n) = queue::measures(self.conn, &vis, Tie::Works, |q| {
                    q.filter(status("endorsed"))
                })?;
                self.add_measures(kind, rows, n, |m| Some(m.updated_at), |m| m.due_date)?;
            }
            K::RedNotReminded => {
                let day = self
                    .ctx
                    .calendar
                    .sub_working_days(today.date, self.ctx.remind_after_days);
                let cutoff = office_hours(day, self.ctx.tz);
                let (rows, n) = queue::measures(self.conn, &vis, Tie::Works, move |q| {
                    q.filter(measures::status.ne("closed"))
                        .filter(measures::clock_stopped.eq(false))
                        .filter(
                            measures::due_date
                                .lt(today.date)
                                .or(measures::report_due.lt(today.date))
                                .or(measures::quota_light.eq(Warning::Red.as_str())),
                        )
                        .filter(
                            measures::last_reminded_at
                                .is_null()
                                .or(measures::last_reminded_at.lt(cutoff)),
                        )
                })?;
                self.add_measures(kind, rows, n, |m| m.last_reminded_at, |m| m.due_date)?;
            }
            K::MeasureWithoutHolder => {
                let org = self.ctx.org;
                let (rows, _) = queue::measures(self.conn, &vis, Tie::Works, |q| {
                    q.filter(measures::status.ne("closed"))
                        .filter(measures::accountable_leader_sub.is_not_null())
                })?;
                let stranded: Vec<MeasureRow> = rows
                    .into_iter()
                    .filter(|m| {
                        let holder = m.accountable_leader_sub.as_deref().unwrap_or_default();
                        match org.person(holder) {
                            None => true,
                            Some(p) => org
                                .scope(&p.roots())
                                .binary_search(&m.lead_unit_id)
                                .is_err(),
                        }
                    })
                    .collect();
                let n = stranded.len() as i64;
                self.add_measures(kind, stranded, n, |m| Some(m.updated_at), |m| m.due_date)?;
            }
            K::DutyBehind | K::DutyMissed => {
                let waiting = match &self.duties {
                    Some(read) => read.clone(),
                    None => {
                        let read = std::rc::Rc::new(duty_watch::waiting(
                            self.conn,
                            self.who,
                            today.date,
                            self.ctx.calendar,
                            self.ctx.org,
                        )?);
                        self.duties = Some(read.clone());
                        read
                    }
                };
                let mut n = 0;
                for w in waiting.iter() {
                    let (what, light) = if kind == K::DutyBehind {
                        (&w.behind, Warning::Yellow)
                    } else {
                        (&w.missed, Warning::Red)
                    };
                    let Some(due) = what.iter().map(|(_, due)| *due).min() else {
                        continue;
                    };
                    n += 1;
                    let periods: Vec<&str> = what.iter().map(|(p, _)| p.as_str()).collect();
                    self.items.push(QueueItem {
                        kind,
                        object_type: "duty".into(),
                        object_id: w.duty.id.clone(),
                        code: w.duty.code.clone(),
                        title: format!("{}（{}）", w.duty.title, periods.join("；")),
                        unit: self.unit_name(&w.duty.unit_id),
                        unit_id: w.duty.unit_id.clone(),
                        since: None,
                        due: Some(due),
                        warning: Some(light),
                        listed: false,
                        names_you: false,
                    });
                }
                self.counts.insert(kind, n);
            }
            K::ExtensionToDecide | K::ExtensionDecided => {
                let (statuses, since): (&[&str], _) = if kind == K::ExtensionToDecide {
                    (&["pending"], None)
                } else {
                    (
                        &["approved", "rejected"],
                        Some(office_hours(today.date, self.ctx.tz) - Duration::days(7)),
                    )
                };
                let (rows, n) = queue::extensions(self.conn, &vis, statuses, since)?;
                self.counts.insert(kind, n);
                let of: HashMap<String, MeasureRow> = queue::measures_by_id(
                    self.conn,
                    rows.iter().map(|e| e.measure_id.clone()).collect(),
                )?
                .into_iter()
                .map(|m| (m.id.clone(), m))
                .collect();
                let found: HashMap<String, FindingRow> = queue::findings_of(
                    self.conn,
                    of.values().map(|m| m.finding_id.clone()).collect(),
                )?
                .into_iter()
                .map(|f| (f.id.clone(), f))
                .collect();
                for e in rows {
                    let Some(m) = of.get(&e.measure_id) else {
                        continue;
                    };
                    let finding = found.get(&m.finding_id);
                    self.items.push(QueueItem {
                        kind,
                        object_type: "extension".into(),
                        object_id: e.id.clone(),
                        code: m.code.clone(),
                        title: finding.map(|f| f.title.clone()).unwrap_or_default(),
                        unit: self.unit_name(&m.lead_unit_id),
                        unit_id: m.lead_unit_id.clone(),
                        since: Some(e.decided_at.unwrap_or(e.requested_at).and_utc()),
                        due: Some(e.requested_due_date),
                        warning: Some(m.light(today).warning).filter(|w| *w != Warning::Green),
                        listed: finding
                            .is_some_and(|f| f.supervision_level == SupervisionLevel::Listed),
                        names_you: false,
                    });
                }
            }
        }
        Ok(())
    }
}
