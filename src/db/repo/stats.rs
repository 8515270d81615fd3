//! Statistics in one aggregate pass per table: counts, lights, rates and the average working
//! days to close, grouped by unit, inspection, category or kind, within the caller's scope.
//! Plain SQL (`SUM(CASE …)`) that both databases run; only the placeholders differ.

use std::collections::HashMap;

use diesel::prelude::*;
use diesel::sql_types::{BigInt, Date, Nullable, Text};
use diesel::{sql_query, QueryableByName};

use crate::db::schema::{inspections, units};
use crate::domain::enums::{Category, MeasureKind, SourceType};
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
struct Sql {
    text: String,
    binds: Vec<Bind>,
    postgres: bool,
}

enum Bind {
    Text(String),
    Date(chrono::NaiveDate),
}

impl Sql {
    fn new(postgres: bool) -> Sql {
        Sql {
            text: String::new(),
            binds: vec![],
            postgres,
        }
    }

    fn push(&mut self, text: &str) -> &mut Sql {
        self.text.push_str(text);
        self
    }

    fn bind(&mut self, value: Bind) -> &mut Sql {
        self.binds.push(value);
        if self.postgres {
            let n = self.binds.len();
            self.text.push_str(&format!("${n}"));
        } else {
            self.text.push('?');
        }
        self
    }

    fn load<T>(self, conn: &mut DbConnection) -> Result<Vec<T>, ApiError>
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

/// Measure numbers per group (every grouping partitions the measures).
pub fn measures(
    conn: &mut DbConnection,
    group: GroupBy,
    vis: &Visibility,
    filter: &StatsFilter,
    today: &Today,
) -> Result<Vec<MeasureCounts>, ApiError> {
    let postgres = matches!(conn, DbConnection::Postgresql(_));
    let key = match group {
        GroupBy::Unit => "m.lead_unit_id",
        GroupBy::Inspection => "m.inspection_id",
        GroupBy::Category => "f.category",
        GroupBy::Kind => "m.kind",
        GroupBy::Source => "COALESCE(f.source_type, i.source_type)",
    };
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
    .push(&format!(") THEN 1 ELSE 0 END) AS red, SUM(CASE WHEN {open} AND m.due_date >= "))
    .bind(Bind::Date(today.date))
    .push(" AND m.due_date <= ")
    .bind(Bind::Date(today.yellow_until))
    .push(" AND (m.report_due IS NULL OR m.report_due >= ")
    .bind(Bind::Date(today.date))
    .push(
        ") THEN 1 ELSE 0 END) AS yellow, \
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

/// Findings per group (unit: responsible unit), when the grouping applies to findings.
pub fn findings(
    conn: &mut DbConnection,
    group: Option<GroupBy>,
    vis: &Visibility,
    filter: &StatsFilter,
) -> Result<Option<Vec<(String, i64)>>, ApiError> {
    let key = match group {
        Some(GroupBy::Unit) => "f.responsible_unit_id",
        Some(GroupBy::Inspection) => "f.inspection_id",
        Some(GroupBy::Category) => "f.category",
        Some(GroupBy::Kind) => return Ok(None),
        Some(GroupBy::Source) => "COALESCE(f.source_type, i.source_type)",
        None => "'all'",
    };
    let postgres = matches!(conn, DbConnection::Postgresql(_));
    let mut sql = Sql::new(postgres);
    sql.push(&format!(
        "SELECT {key} AS key, COUNT(*) AS findings FROM findings f \
         JOIN inspections i ON i.id = f.inspection_id WHERE 1 = 1"
    ));
    if let Visibility::Units(units) = vis {
        sql.push(" AND (");
        any_of(&mut sql, "f.responsible_unit_id", units);
        sql.push(" OR f.id IN (SELECT m.finding_id FROM measures m WHERE ");
        involving(&mut sql, units);
        sql.push("))");
    }
    if let Some(inspection) = &filter.inspection_id {
        sql.push(" AND f.inspection_id = ")
            .bind(Bind::Text(inspection.clone()));
    }
    if let Some(units) = &filter.units {
        sql.push(" AND ");
        any_of(&mut sql, "f.responsible_unit_id", units);
    }
    if group.is_some() {
        sql.push(&format!(" GROUP BY {key}"));
    }
    let rows: Vec<FindingCount> = sql.load(conn)?;
    Ok(Some(
        rows.into_iter().map(|r| (r.key, r.findings)).collect(),
    ))
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
    let mut rows = measures(conn, group, vis, filter, today)?;
    let mut finding_counts: Option<HashMap<String, i64>> =
        findings(conn, Some(group), vis, filter)?.map(|v| v.into_iter().collect());
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
    let total_findings = findings(conn, None, vis, filter)?
        .and_then(|v| v.first().map(|(_, n)| *n))
        .unwrap_or(0);
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
            }
        })
        .collect();
    groups.sort_by(|a, b| a.label.cmp(&b.label).then(a.key.cmp(&b.key)));
    let total = summed.numbers(total_findings);
    Ok(Stats {
        group_by: group,
        groups,
        total,
    })
}
