//! Statistics in one aggregate pass per table: counts, lights, rates and the average working
//! days to close, grouped by unit, inspection, category or kind, within the caller's scope.
//! Plain SQL (`SUM(CASE …)`) that both databases run; only the placeholders differ.

use std::collections::{BTreeMap, HashMap, HashSet};

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel::{sql_query, QueryableByName};

use crate::db::models::MeasureRow;
use crate::db::repo::as_of::{self, AsOf};
use crate::db::schema::{inspections, units};
use crate::domain::enums::{Category, MeasureKind, MeasureStatus, SourceType, Warning};
use crate::domain::org::Rollup;
use crate::domain::stats::{self, GroupBy, Numbers, Stats, StatsGroup};

use crate::db::repo::Visibility;
use crate::db::DbConnection;
use crate::domain::deadline::Today;
use crate::error::ApiError;

#[derive(Debug, Clone, Default)]
pub struct StatsFilter {
    pub inspection_id: Option<String>,
    /// Lead or supporting unit of the measure (responsible unit for findings): any of
    /// these (a unit and those below it).
    pub units: Option<Vec<String>>,
}

/// One group's raw numbers.
#[derive(Debug, Clone, Default, QueryableByName)]
pub struct MeasureCounts {
    #[diesel(sql_type = Text)]
    pub key: String,
    #[diesel(sql_type = BigInt)]
    pub measures: i64,
    #[diesel(sql_type = BigInt)]
    pub findings: i64,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub closed: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub completed: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub overdue: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub red: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub yellow: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub extensions: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub returns: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub closed_with_due: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub on_time: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub days_to_close: Option<i64>,
    /// Closed measures whose time to close is known.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub timed: Option<i64>,
    /// Measures that are not long-term, and those of them closed.
    #[diesel(sql_type = Nullable<BigInt>)]
    pub fixed: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub fixed_closed: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub reminders: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub rechecked: Option<i64>,
    #[diesel(sql_type = Nullable<BigInt>)]
    pub relapsed: Option<i64>,
}

impl MeasureCounts {
    /// The group's numbers, with its rates.
    pub fn numbers(&self, findings: i64) -> Numbers {
        let c = self;
        let closed = c.closed.unwrap_or(0);
        let red = c.red.unwrap_or(0);
        let yellow = c.yellow.unwrap_or(0);
        Numbers {
            findings,
            measures: c.measures,
            closed,
            completed: c.completed.unwrap_or(0),
            overdue: c.overdue.unwrap_or(0),
            red,
            yellow,
            green: c.measures - red - yellow,
            extensions: c.extensions.unwrap_or(0),
            returns: c.returns.unwrap_or(0),
            reminders: c.reminders.unwrap_or(0),
            rechecked: c.rechecked.unwrap_or(0),
            relapsed: c.relapsed.unwrap_or(0),
            completion_rate: stats::ratio(closed, c.measures),
            completion_rate_excluding_long_term: stats::ratio(
                c.fixed_closed.unwrap_or(0),
                c.fixed.unwrap_or(0),
            ),
            on_time_rate: stats::ratio(c.on_time.unwrap_or(0), c.closed_with_due.unwrap_or(0)),
            avg_working_days_to_close: c.timed.filter(|n| *n > 0).map(|timed| {
                (c.days_to_close.unwrap_or(0) as f64 / timed as f64 * 10.0).round() / 10.0
            }),
        }
    }
}

impl std::ops::Add<&MeasureCounts> for MeasureCounts {
    type Output = MeasureCounts;

    fn add(self, r: &MeasureCounts) -> MeasureCounts {
        let add = |a: Option<i64>, b: Option<i64>| Some(a.unwrap_or(0) + b.unwrap_or(0));
        MeasureCounts {
            key: "all".into(),
            measures: self.measures + r.measures,
            // Distinct findings do not add up across groups; the caller counts them apart.
            findings: self.findings + r.findings,
            closed: add(self.closed, r.closed),
            completed: add(self.completed, r.completed),
            overdue: add(self.overdue, r.overdue),
            red: add(self.red, r.red),
            yellow: add(self.yellow, r.yellow),
            extensions: add(self.extensions, r.extensions),
            returns: add(self.returns, r.returns),
            closed_with_due: add(self.closed_with_due, r.closed_with_due),
            on_time: add(self.on_time, r.on_time),
            days_to_close: add(self.days_to_close, r.days_to_close),
            timed: add(self.timed, r.timed),
            fixed: add(self.fixed, r.fixed),
            fixed_closed: add(self.fixed_closed, r.fixed_closed),
            reminders: add(self.reminders, r.reminders),
            rechecked: add(self.rechecked, r.rechecked),
            relapsed: add(self.relapsed, r.relapsed),
        }
    }
}

#[derive(Debug, Clone, QueryableByName)]
struct FindingCount {
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = BigInt)]
    findings: i64,
}

/// Placeholders: `?` for SQLite, `$n` for PostgreSQL.
pub(super) struct Sql {
    text: String,
    binds: Vec<Bind>,
    postgres: bool,
}

pub(super) enum Bind {
    Text(String),
    Date(chrono::NaiveDate),
}

impl Sql {
    pub(super) fn new(postgres: bool) -> Sql {
        Sql {
            text: String::new(),
            binds: vec![],
            postgres,
        }
    }

    pub(super) fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    pub(super) fn bind(&mut self, value: Bind) -> &mut Sql {
        self.binds.push(value);
        if self.postgres {
            let n = self.binds.len();
            self.text.push_str(&format!("${n}"));
        } else {
            self.text.push('?');
        }
        self
    }

    pub(super) fn load<T>(self, conn: &mut DbConnection) -> Result<Vec<T>, ApiError>
    where
        T: QueryableByName<diesel::sqlite::Sqlite> + QueryableByName<diesel::pg::Pg> + 'static,
    {
        macro_rules! run {
            ($c:expr) => {{
                let mut q = sql_query(self.text).into_boxed();
                for b in self.binds {
                    q = match b {
                        Bind::Text(t) => q.bind::<Text, _>(t),
                        Bind::Date(d) => q.bind::<Date, _>(d),
                    };
                }
                Ok(q.load::<T>($c)?)
            }};
        }
        match conn {
            DbConnection::Sqlite(c) => run!(c),
            DbConnection::Postgresql(c) => run!(c),
        }
    }
}

/// `column IN (…)` over the ids, bound one by one (an empty list matches nothing).
fn any_of<'a>(sql: &'a mut Sql, column: &str, ids: &[String]) -> &'a mut Sql {
    if ids.is_empty() {
        return sql.push("1 = 0");
    }
    sql.push(column).push(" IN (");
    for (i, id) in ids.iter().enumerate() {
        if i > 0 {
            sql.push(", ");
        }
        sql.bind(Bind::Text(id.clone()));
    }
    sql.push(")")
}

/// "One of the units leads or supports `m`."
fn involving(sql: &mut Sql, units: &[String]) {
    sql.push("(");
    any_of(sql, "m.lead_unit_id", units);
    sql.push(" OR m.id IN (SELECT measure_id FROM measure_supporting_units WHERE ");
    any_of(sql, "unit_id", units);
    sql.push("))");
}

fn scope(sql: &mut Sql, vis: &Visibility, filter: &StatsFilter) {
    if let Visibility::Units(units) = vis {
        sql.push(" AND (");
        involving(sql, units);
        sql.push(" OR m.finding_id IN (SELECT id FROM findings WHERE ");
        any_of(sql, "responsible_unit_id", units);
        sql.push("))");
    }
    if let Some(inspection) = &filter.inspection_id {
        sql.push(" AND m.inspection_id = ")
            .bind(Bind::Text(inspection.clone()));
    }
    if let Some(units) = &filter.units {
        sql.push(" AND ");
        involving(sql, units);
    }
}

/// The grouping key of a measure (unit: its lead unit).
fn measure_key(group: GroupBy) -> &'static str {
    match group {
        GroupBy::Unit => "m.lead_unit_id",
        GroupBy::Inspection => "m.inspection_id",
        GroupBy::Category => "f.category",
        GroupBy::Kind => "m.kind",
        GroupBy::Source => "COALESCE(f.source_type, i.source_type)",
    }
}

/// Measure numbers per group (every grouping partitions the measures).
pub fn measures(
    conn: &mut DbConnection,
    group: GroupBy,
    vis: &Visibility,
    filter: &StatsFilter,
    today: &Today,
) -> Result<Vec<MeasureCounts>, ApiError> {
    let postgres = matches!(conn, DbConnection::Postgresql(_));
    let key = measure_key(group);
    let open = "m.status <> 'closed' AND m.clock_stopped = FALSE";
    let mut sql = Sql::new(postgres);
    sql.push(&format!(
        "SELECT {key} AS key, COUNT(*) AS measures, COUNT(DISTINCT m.finding_id) AS findings, \
         SUM(CASE WHEN m.status = 'closed' THEN 1 ELSE 0 END) AS closed, \
         SUM(CASE WHEN m.status IN ('submitted', 'endorsed', 'closed') THEN 1 ELSE 0 END) AS completed, \
         SUM(CASE WHEN {open} AND m.due_date < "
    ))
    .bind(Bind::Date(today.date))
    .push(&format!(" THEN 1 ELSE 0 END) AS overdue, SUM(CASE WHEN {open} AND (m.due_date < "))
    .bind(Bind::Date(today.date))
    .push(" OR m.report_due < ")
    .bind(Bind::Date(today.date))
    .push(&format!(
        " OR m.quota_light = 'red') THEN 1 ELSE 0 END) AS red, \
         SUM(CASE WHEN {open} AND (m.due_date IS NULL OR m.due_date >= "
    ))
    .bind(Bind::Date(today.date))
    .push(") AND (m.due_date <= ")
    .bind(Bind::Date(today.yellow_until))
    .push(" OR m.quota_light = 'yellow') AND (m.report_due IS NULL OR m.report_due >= ")
    .bind(Bind::Date(today.date))
    .push(
        ") AND (m.quota_light IS NULL OR m.quota_light <> 'red') THEN 1 ELSE 0 END) AS yellow, \
         SUM(m.extension_count) AS extensions, SUM(m.return_count) AS returns, \
         SUM(CASE WHEN m.status = 'closed' AND m.due_date IS NOT NULL THEN 1 ELSE 0 END) AS closed_with_due, \
         SUM(CASE WHEN m.closed_on_time = TRUE THEN 1 ELSE 0 END) AS on_time, \
         SUM(m.days_to_close) AS days_to_close, COUNT(m.days_to_close) AS timed, \
         SUM(CASE WHEN m.kind <> 'long_term' THEN 1 ELSE 0 END) AS fixed, \
         SUM(CASE WHEN m.kind <> 'long_term' AND m.status = 'closed' THEN 1 ELSE 0 END) AS fixed_closed, \
         SUM(m.reminder_count) AS reminders, SUM(m.recheck_count) AS rechecked, \
         SUM(m.relapse_count) AS relapsed FROM measures m",
    );
    // Only the category lives on the finding; the other groupings need no join.
    if matches!(group, GroupBy::Category | GroupBy::Source) {
        sql.push(" JOIN findings f ON f.id = m.finding_id");
    }
    if group == GroupBy::Source {
        sql.push(" JOIN inspections i ON i.id = m.inspection_id");
    }
    sql.push(" WHERE 1 = 1");
    scope(&mut sql, vis, filter);
    sql.push(&format!(" GROUP BY {key} ORDER BY {key}"));
    sql.load(conn)
}

/// The grouping key of a finding (unit: its responsible unit); none for `kind`.
fn finding_key(group: Option<GroupBy>) -> Option<&'static str> {
    Some(match group {
        Some(GroupBy::Unit) => "f.responsible_unit_id",
        Some(GroupBy::Inspection) => "f.inspection_id",
        Some(GroupBy::Category) => "f.category",
        Some(GroupBy::Kind) => return None,
        Some(GroupBy::Source) => "COALESCE(f.source_type, i.source_type)",
        None => "'all'",
    })
}

/// The findings within `vis` and the filter (`f`, joined with its inspection `i`).
fn finding_scope(sql: &mut Sql, vis: &Visibility, filter: &StatsFilter) {
    if let Visibility::Units(units) = vis {
        sql.push(" AND (");
        any_of(sql, "f.responsible_unit_id", units);
        sql.push(" OR f.id IN (SELECT m.finding_id FROM measures m WHERE ");
        involving(sql, units);
        sql.push("))");
    }
    if let Some(inspection) = &filter.inspection_id {
        sql.push(" AND f.inspection_id = ")
            .bind(Bind::Text(inspection.clone()));
    }
    if let Some(units) = &filter.units {
        sql.push(" AND ");
        any_of(sql, "f.responsible_unit_id", units);
    }
}

/// Findings per group (unit: responsible unit), when the grouping applies to findings.
pub fn findings(
    conn: &mut DbConnection,
    group: Option<GroupBy>,
    vis: &Visibility,
    filter: &StatsFilter,
) -> Result<Option<Vec<(String, i64)>>, ApiError> {
    let Some(key) = finding_key(group) else {
        return Ok(None);
    };
    let postgres = matches!(conn, DbConnection::Postgresql(_));
    let mut sql = Sql::new(postgres);
    sql.push(&format!(
        "SELECT {key} AS key, COUNT(*) AS findings FROM findings f \
         JOIN inspections i ON i.id = f.inspection_id WHERE 1 = 1"
    ));
    finding_scope(&mut sql, vis, filter);
    if group.is_some() {
        sql.push(&format!(" GROUP BY {key}"));
    }
    let rows: Vec<FindingCount> = sql.load(conn)?;
    Ok(Some(
        rows.into_iter().map(|r| (r.key, r.findings)).collect(),
    ))
}

/// A finding or measure with its grouping key: its finding (a finding's own id) and the
/// feedback date of its inspection.
#[derive(Debug, Clone, QueryableByName)]
struct Keyed {
    #[diesel(sql_type = Text)]
    id: String,
    #[diesel(sql_type = Text)]
    key: String,
    #[diesel(sql_type = Text)]
    finding_id: String,
    #[diesel(sql_type = Date)]
    feedback_date: chrono::NaiveDate,
}

/// The findings within scope, each with its grouping key (none for `kind`).
fn keyed_findings(
    conn: &mut DbConnection,
    group: Option<GroupBy>,
    vis: &Visibility,
    filter: &StatsFilter,
) -> Result<Option<Vec<Keyed>>, ApiError> {
    let Some(key) = finding_key(group) else {
        return Ok(None);
    };
    let mut sql = Sql::new(matches!(conn, DbConnection::Postgresql(_)));
    sql.push(&format!(
        "SELECT f.id AS id, {key} AS key, f.id AS finding_id, i.feedback_date AS feedback_date \
         FROM findings f JOIN inspections i ON i.id = f.inspection_id WHERE 1 = 1"
    ));
    finding_scope(&mut sql, vis, filter);
    Ok(Some(sql.load(conn)?))
}

/// The measures within scope, each with its grouping key as it is now.
fn keyed_measures(
    conn: &mut DbConnection,
    group: GroupBy,
    vis: &Visibility,
    filter: &StatsFilter,
) -> Result<Vec<Keyed>, ApiError> {
    let key = measure_key(group);
    let mut sql = Sql::new(matches!(conn, DbConnection::Postgresql(_)));
    sql.push(&format!(
        "SELECT m.id AS id, {key} AS key, m.finding_id AS finding_id, \
         i.feedback_date AS feedback_date FROM measures m JOIN findings f ON f.id = m.finding_id JOIN inspections i ON i.id = m.inspection_id \
         WHERE 1 = 1"
    ));
    scope(&mut sql, vis, filter);
    sql.load(conn)
}

/// Names for the group keys.
fn labels(
    conn: &mut DbConnection,
    group: GroupBy,
    keys: Vec<String>,
) -> Result<HashMap<String, String>, ApiError> {
    Ok(match group {
        GroupBy::Unit => units::table
            .filter(units::id.eq_any(keys))
            .select((units::id, units::name))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect(),
        GroupBy::Inspection => inspections::table
            .filter(inspections::id.eq_any(keys))
            .select((inspections::id, inspections::code))
            .load::<(String, String)>(conn)?
            .into_iter()
            .collect(),
        GroupBy::Category => keys
            .into_iter()
            .filter_map(|k| Category::parse(&k).map(|c| (k, c.label().to_string())))
            .collect(),
        GroupBy::Kind => keys
            .into_iter()
            .filter_map(|k| MeasureKind::parse(&k).map(|c| (k, c.label().to_string())))
            .collect(),
        GroupBy::Source => keys
            .into_iter()
            .filter_map(|k| SourceType::parse(&k).map(|c| (k, c.label().to_string())))
            .collect(),
    })
}

/// Numbers per group and in total, as `GET /stats` answers them, within `vis`.
/// Numbers per group, or per rolled-up unit (`rollup`, with `GroupBy::Unit`).
pub fn summary(
    conn: &mut DbConnection,
    group: GroupBy,
    vis: &Visibility,
    filter: &StatsFilter,
    today: &Today,
    rollup: Option<&Rollup>,
) -> Result<Stats, ApiError> {
    let rows = measures(conn, group, vis, filter, today)?;
    let finding_counts: Option<HashMap<String, i64>> =
        findings(conn, Some(group), vis, filter)?.map(|v| v.into_iter().collect());
    let total_findings = findings(conn, None, vis, filter)?
        .and_then(|v| v.first().map(|(_, n)| *n))
        .unwrap_or(0);
    assemble(conn, group, rows, finding_counts, total_findings, rollup)
}

/// The same numbers as they stood at the end of a past day (`today` is that day), from
/// the audit trail (`db::repo::as_of`): the measures and findings that existed by then, in
/// the state their last step by then left them. What is counted is what `vis` and the
/// filter cover now.
pub fn summary_as_of(
    conn: &mut DbConnection,
    group: GroupBy,
    vis: &Visibility,
    filter: &StatsFilter,
    (today, as_of): (&Today, &AsOf),
    rollup: Option<&Rollup>,
) -> Result<Stats, ApiError> {
    let keyed = keyed_measures(conn, group, vis, filter)?;
    let ids: Vec<(String, String)> = keyed
        .iter()
        .map(|k| (k.id.clone(), k.finding_id.clone()))
        .collect();
    let then = as_of::measures(conn, &ids, as_of)?;
    let mut tallies: BTreeMap<String, (MeasureCounts, HashSet<String>)> = BTreeMap::new();
    for k in &keyed {
        let Some(m) = then.get(&k.id) else { continue };
        let key = match group {
            GroupBy::Unit => m.lead_unit_id.clone(),
            GroupBy::Inspection => m.inspection_id.clone(),
            GroupBy::Kind => m.kind.as_str().to_string(),
            GroupBy::Category | GroupBy::Source => k.key.clone(),
        };
        let (counts, findings) = tallies.entry(key.clone()).or_insert_with(|| {
            (
                MeasureCounts {
                    key,
                    ..Default::default()
                },
                HashSet::new(),
            )
        });
        tally(counts, m, today);
        findings.insert(m.finding_id.clone());
    }
    let rows: Vec<MeasureCounts> = tallies
        .into_values()
        .map(|(counts, findings)| MeasureCounts {
            findings: findings.len() as i64,
            ..counts
        })
        .collect();
    // A finding counts from its inspection's feedback (when it was pointed out, whenever it
    // was typed in), or from its filing or its measures, were they earlier.
    let with_measures: HashSet<&str> = then.values().map(|m| m.finding_id.as_str()).collect();
    let existed = |conn: &mut DbConnection, found: Vec<Keyed>| -> Result<Vec<Keyed>, ApiError> {
        let ids: Vec<String> = found.iter().map(|f| f.id.clone()).collect();
        let filed = as_of::finding_statuses(conn, &ids, as_of)?;
        Ok(found
            .into_iter()
            .filter(|f| {
                f.feedback_date <= as_of.day
                    || filed.contains_key(&f.id)
                    || with_measures.contains(f.id.as_str())
            })
            .collect())
    };
    let finding_counts = match keyed_findings(conn, Some(group), vis, filter)? {
        Some(found) => {
            let mut counts: HashMap<String, i64> = HashMap::new();
            for f in existed(conn, found)? {
                *counts.entry(f.key).or_default() += 1;
            }
            Some(counts)
        }
        None => None,
    };
    let total_findings = match keyed_findings(conn, None, vis, filter)? {
        Some(found) => existed(conn, found)?.len() as i64,
        None => 0,
    };
    assemble(conn, group, rows, finding_counts, total_findings, rollup)
}

/// Adds one measure to its group's numbers, as the aggregate SQL of [`measures`] counts
/// it (the lights by `domain::deadline`, which the SQL restates).
fn tally(c: &mut MeasureCounts, m: &MeasureRow, today: &Today) {
    let one = |yes: bool| Some(i64::from(yes));
    let add = |a: &mut Option<i64>, n: Option<i64>| *a = Some(a.unwrap_or(0) + n.unwrap_or(0));
    let light = m.light(today);
    let closed = m.status == MeasureStatus::Closed;
    c.measures += 1;
    add(&mut c.closed, one(closed));
    add(
        &mut c.completed,
        one(matches!(
            m.status,
            MeasureStatus::Submitted | MeasureStatus::Endorsed | MeasureStatus::Closed
        )),
    );
    add(&mut c.overdue, one(light.overdue));
    add(&mut c.red, one(light.warning == Warning::Red));
    add(&mut c.yellow, one(light.warning == Warning::Yellow));
    add(&mut c.extensions, Some(i64::from(m.extension_count)));
    add(&mut c.returns, Some(i64::from(m.return_count)));
    add(&mut c.closed_with_due, one(closed && m.due_date.is_some()));
    add(&mut c.on_time, one(m.closed_on_time == Some(true)));
    add(&mut c.days_to_close, m.days_to_close.map(i64::from));
    add(&mut c.timed, one(m.days_to_close.is_some()));
    let fixed = m.kind != MeasureKind::LongTerm;
    add(&mut c.fixed, one(fixed));
    add(&mut c.fixed_closed, one(fixed && closed));
    add(&mut c.reminders, Some(i64::from(m.reminder_count)));
    add(&mut c.rechecked, Some(i64::from(m.recheck_count)));
    add(&mut c.relapsed, Some(i64::from(m.relapse_count)));
}

/// Groups and total from the per-group numbers: rolled up the unit tree when asked, with
/// each group's label.
pub(super) fn assemble(
    conn: &mut DbConnection,
    group: GroupBy,
    mut rows: Vec<MeasureCounts>,
    mut finding_counts: Option<HashMap<String, i64>>,
    total_findings: i64,
    rollup: Option<&Rollup>,
) -> Result<Stats, ApiError> {
    if let Some(rollup) = rollup {
        let into = |key: &str| rollup.group_of.get(key).cloned();
        let mut merged: Vec<MeasureCounts> = Vec::new();
        for row in rows {
            let Some(key) = into(&row.key) else { continue };
            match merged.iter_mut().find(|m| m.key == key) {
                Some(m) => {
                    let key = std::mem::take(&mut m.key);
                    *m = MeasureCounts {
                        key,
                        ..std::mem::take(m) + &row
                    };
                }
                None => merged.push(MeasureCounts { key, ..row }),
            }
        }
        for key in &rollup.groups {
            if !merged.iter().any(|m| &m.key == key) {
                merged.push(MeasureCounts {
                    key: key.clone(),
                    ..Default::default()
                });
            }
        }
        rows = merged;
        finding_counts = finding_counts.map(|counts| {
            let mut summed: HashMap<String, i64> = HashMap::new();
            for (key, n) in counts {
                if let Some(group) = into(&key) {
                    *summed.entry(group).or_default() += n;
                }
            }
            summed
        });
    }
    // Every grouping partitions the measures: the total is the sum of the groups.
    let summed: MeasureCounts = rows.iter().fold(Default::default(), |sum, r| sum + r);
    let mut keys: Vec<String> = rows.iter().map(|r| r.key.clone()).collect();
    if let Some(counts) = &finding_counts {
        keys.extend(
            counts
                .keys()
                .filter(|k| !keys.contains(k))
                .cloned()
                .collect::<Vec<_>>(),
        );
    }
    let names = labels(conn, group, keys.clone())?;
    let mut groups: Vec<StatsGroup> = keys
        .into_iter()
        .map(|key| {
            let counts = rows
                .iter()
                .find(|r| r.key == key)
                .cloned()
                .unwrap_or_default();
            let findings = match &finding_counts {
                Some(c) => c.get(&key).copied().unwrap_or(0),
                None => counts.findings,
            };
            StatsGroup {
                label: names.get(&key).cloned().unwrap_or_else(|| key.clone()),
                key,
                numbers: counts.numbers(findings),
                duties: None,
            }
        })
        .collect();
    groups.sort_by(|a, b| a.label.cmp(&b.label).then(a.key.cmp(&b.key)));
    let total = summed.numbers(total_findings);
    Ok(Stats {
        group_by: group,
        groups,
        total,
        duties: None,
    })
}
