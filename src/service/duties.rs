//! Annual duties (年度任务) and the activities (开展情况) that count toward their quotas:
//! setting them up, recording and withdrawing activities, and the progress of each quota.

use chrono::{Datelike, NaiveDate};

use crate::db::forms::{DutyChanges, NewActivity, NewDuty};
use crate::db::models::{ActivityKindRow, ActivityRow, DutyRow};
use crate::db::repo::{check_version, duties, measures, new_id, units, WriteCtx};
use crate::db::DbConnection;
use crate::domain::calendar::Calendar;
use crate::domain::duties::{self as rules, DutyQuota, Held, QuotaProgress};
use crate::domain::org::Organisation;
use crate::domain::permissions::{Action, Actor, Ties};
use crate::domain::rules::FieldError;
use crate::error::ApiError;
use crate::service::{access, validated};

/// How a duty or an activity relates to the caller: it belongs to one of its units.
fn ties(actor: &Actor, unit_id: &str) -> Ties {
    Ties {
        responsible: actor.visibility.covers(unit_id),
        ..Ties::default()
    }
}

fn quotas_of(row: &DutyRow) -> Result<Vec<DutyQuota>, ApiError> {
    serde_json::from_str(&row.quotas)
        .map_err(|e| ApiError::Internal(format!("duty {} quotas: {e}", row.id)))
}

fn quotas_json(quotas: &[DutyQuota]) -> String {
    serde_json::to_string(quotas).unwrap_or_else(|_| "[]".into())
}

/// The kinds of activity quotas count.
pub fn kinds(conn: &mut DbConnection) -> Result<Vec<ActivityKindRow>, ApiError> {
    duties::kinds(conn)
}

/// Adds a kind (the office names what its plans count). Office and admin.
pub fn add_kind(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    code: &str,
    name: &str,
) -> Result<ActivityKindRow, ApiError> {
    access::check(
        &ctx.who,
        Action::ManageActivityKinds,
        Ties::ALL,
        "activity kind",
    )?;
    let code = code.trim();
    if code.is_empty()
        || code.len() > 64
        || !code
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        return Err(ApiError::field(
            "code",
            "a code is 1–64 characters of a–z, 0–9 and _ (e.g. branch_visit)",
        ));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::field("name", "a name is 1–100 characters"));
    }
    let row = ActivityKindRow {
        code: code.to_string(),
        name: name.to_string(),
        created_at: ctx.now,
        created_by: ctx.actor.clone().unwrap_or_else(|| "system".into()),
    };
    duties::insert_kind(conn, &row, ctx)?;
    Ok(row)
}

fn check_quotas(conn: &mut DbConnection, quotas: &[DutyQuota]) -> Result<(), ApiError> {
    let known: Vec<String> = duties::kinds(conn)?.into_iter().map(|k| k.code).collect();
    crate::db::repo::into_validation(
        rules::check_quotas(quotas, &known)
            .into_iter()
            .map(|(field, message)| FieldError::new(field, message))
            .collect(),
    )
}

/// Sets up a duty. Office and admin.
pub fn create(conn: &mut DbConnection, ctx: &WriteCtx, form: NewDuty) -> Result<DutyRow, ApiError> {
    access::check(&ctx.who, Action::WriteDuty, Ties::ALL, "duty")?;
    let form = validated(form)?;
    let mut errors = Vec::new();
    if units::find(conn, &form.unit_id)?.is_none() {
        errors.push(FieldError::new("unit_id", "no unit has this id"));
    }
    if let Some(m) = &form.measure_id {
        if measures::find(conn, m)?.is_none() {
            errors.push(FieldError::new("measure_id", "no measure has this id"));
        }
    }
    crate::db::repo::into_validation(errors)?;
    check_quotas(conn, &form.quotas)?;
    let row = DutyRow {
        id: new_id(),
        code: form.code.trim().to_string(),
        title: form.title.trim().to_string(),
        year: form.year,
        unit_id: form.unit_id,
        source: form.source.map(|s| s.trim().to_string()),
        measure_id: form.measure_id,
        quotas: quotas_json(&form.quotas),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
        created_by: ctx.actor.clone(),
        updated_by: ctx.actor.clone(),
    };
    duties::insert(conn, &row, ctx)?;
    Ok(row)
}

/// Changes a duty's title, source or quotas. Office and admin.
pub fn update(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    changes: DutyChanges,
    expected: Option<i32>,
) -> Result<DutyRow, ApiError> {
    let before = get(conn, &ctx.who, id, Action::WriteDuty)?;
    check_version("duty", before.version, expected)?;
    let changes = validated(changes)?;
    let mut row = before.clone();
    if let Some(title) = changes.title {
        row.title = title.trim().to_string();
    }
    if let Some(source) = changes.source {
        row.source = source.map(|s| s.trim().to_string());
    }
    if let Some(quotas) = changes.quotas {
        check_quotas(conn, &quotas)?;
        row.quotas = quotas_json(&quotas);
    }
    duties::save(conn, &before, row, ctx)
}

/// A duty the actor may `action` on: 404 outside its units.
pub fn get(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    action: Action,
) -> Result<DutyRow, ApiError> {
    let row = duties::get(conn, id)?;
    access::check(actor, action, ties(actor, &row.unit_id), "duty")?;
    Ok(row)
}

/// Records an activity held by one of the caller's units. Not in the future; with a
/// duty, within its year and of a kind it counts.
pub fn record(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    form: NewActivity,
) -> Result<ActivityRow, ApiError> {
    access::check(
        &ctx.who,
        Action::RecordActivity,
        ties(&ctx.who, &form.unit_id),
        "unit",
    )?;
    let form = validated(form)?;
    let mut errors = Vec::new();
    if units::find(conn, &form.unit_id)?.is_none() {
        errors.push(FieldError::new("unit_id", "no unit has this id"));
    }
    let kinds: Vec<String> = duties::kinds(conn)?.into_iter().map(|k| k.code).collect();
    if !kinds.contains(&form.kind) {
        errors.push(FieldError::new(
            "kind",
            format!(
                "{:?} is not an activity kind (GET /api/v1/activity-kinds)",
                form.kind
            ),
        ));
    }
    let today = ctx.today();
    if form.held_on > today {
        errors.push(FieldError::new(
            "held_on",
            format!(
                "{} is still to come (today is {today}): record an activity once it was held",
                form.held_on
            ),
        ));
    }
    if let Some(duty) = &form.duty_id {
        match duties::find(conn, duty)? {
            None => errors.push(FieldError::new("duty_id", "no duty has this id")),
            Some(d) => {
                if form.held_on.year() != d.year {
                    errors.push(FieldError::new(
                        "held_on",
                        format!("{} lies outside the duty's year {}", form.held_on, d.year),
                    ));
                }
                if !quotas_of(&d)?
                    .iter()
                    .any(|q| q.activity_kinds.contains(&form.kind))
                {
                    errors.push(FieldError::new(
                        "kind",
                        format!("duty {} counts no activity of kind {}", d.code, form.kind),
                    ));
                }
            }
        }
    }
    let persons: Vec<String> = form
        .persons
        .iter()
        .map(|p| p.trim().to_string())
        .filter(|p| !p.is_empty())
        .collect();
    if form.persons.iter().any(|p| p.trim().is_empty()) {
        errors.push(FieldError::new("persons", "a person is a login or a name"));
    }
    if form.persons.iter().any(|p| p.contains('\0')) {
        errors.push(FieldError::new("persons", "contains the NUL character"));
    }
    if form.persons.iter().any(|p| p.chars().count() > 100) {
        errors.push(FieldError::new(
            "persons",
            "a person is a login or a name of at most 100 characters",
        ));
    }
    crate::db::repo::into_validation(errors)?;
    let row = ActivityRow {
        id: new_id(),
        kind: form.kind,
        title: form.title.trim().to_string(),
        held_on: form.held_on,
        unit_id: form.unit_id,
        duty_id: form.duty_id,
        persons: serde_json::to_string(&persons).unwrap_or_else(|_| "[]".into()),
        hours: form.hours,
        count: form.count,
        note: form
            .note
            .map(|n| n.trim().to_string())
            .filter(|n| !n.is_empty()),
        evidence_ids: serde_json::to_string(&form.evidence_ids).unwrap_or_else(|_| "[]".into()),
        withdrawn_at: None,
        withdrawn_by: None,
        withdraw_reason: None,
        created_at: ctx.now,
        created_by: ctx.actor.clone().unwrap_or_else(|| "system".into()),
    };
    duties::insert_activity(conn, &row, ctx)?;
    Ok(row)
}

/// An activity the actor may `action` on: 404 outside its units.
pub fn activity(
    conn: &mut DbConnection,
    actor: &Actor,
    id: &str,
    action: Action,
) -> Result<ActivityRow, ApiError> {
    let row = duties::get_activity(conn, id)?;
    access::check(actor, action, ties(actor, &row.unit_id), "activity")?;
    Ok(row)
}

/// Withdraws an activity recorded in error: it stops counting, and the record stays with
/// who withdrew it and why.
pub fn withdraw(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    id: &str,
    reason: &str,
) -> Result<ActivityRow, ApiError> {
    let row = activity(conn, &ctx.who, id, Action::RecordActivity)?;
    if row.withdrawn_at.is_some() {
        return Err(ApiError::WrongState {
            message: "the activity is already withdrawn".into(),
            current: "withdrawn".into(),
            allowed: vec![],
        });
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 || reason.contains('\0') {
        return Err(ApiError::field(
            "reason",
            "say why it is withdrawn (1–2000 characters)",
        ));
    }
    duties::withdraw_activity(conn, &row, reason, ctx)
}

/// Each quota's progress at the end of `day`, counting what the duty's unit and the units
/// below it held.
pub fn progress(
    conn: &mut DbConnection,
    duty: &DutyRow,
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<Vec<QuotaProgress>, ApiError> {
    let mut counted = count_all(conn, std::slice::from_ref(duty), day, calendar, org)?;
    Ok(counted.pop().map(|(_, q)| q).unwrap_or_default())
}

/// Several duties counted with one read of the activities they count (a year's view, the
/// stats and the reports ask for many at once).
fn count_all(
    conn: &mut DbConnection,
    rows: &[DutyRow],
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<Vec<(DutyRow, Vec<QuotaProgress>)>, ApiError> {
    let subtrees: Vec<Vec<String>> = rows.iter().map(|d| org.subtree(&d.unit_id)).collect();
    let mut units: Vec<String> = subtrees.iter().flatten().cloned().collect();
    units.sort();
    units.dedup();
    let (Some(first), Some(last)) = (
        rows.iter().map(|d| d.year).min(),
        rows.iter().map(|d| d.year).max(),
    ) else {
        return Ok(Vec::new());
    };
    let from = NaiveDate::from_ymd_opt(first, 1, 1).unwrap_or(day);
    let to = NaiveDate::from_ymd_opt(last, 12, 31).unwrap_or(day);
    let held: Vec<(String, Held)> = duties::held(conn, &units, from, to)?
        .into_iter()
        .map(|a| {
            (
                a.unit_id,
                Held {
                    persons: serde_json::from_str(&a.persons).unwrap_or_default(),
                    kind: a.kind,
                    held_on: a.held_on,
                    hours: a.hours,
                    count: a.count,
                },
            )
        })
        .collect();
    rows.iter()
        .zip(subtrees)
        .map(|(duty, subtree)| {
            let mine: Vec<Held> = held
                .iter()
                .filter(|(unit, h)| h.held_on.year() == duty.year && subtree.contains(unit))
                .map(|(_, h)| h.clone())
                .collect();
            let quotas = quotas_of(duty)?
                .iter()
                .map(|q| rules::progress(q, duty.year, &mine, day, calendar))
                .collect();
            Ok((duty.clone(), quotas))
        })
        .collect()
}

/// A duty's quotas, parsed.
pub fn quotas(duty: &DutyRow) -> Result<Vec<DutyQuota>, ApiError> {
    quotas_of(duty)
}

/// Every duty of `year` the actor sees (of `units`, when given), counted at the end of `day`.
pub fn year(
    conn: &mut DbConnection,
    actor: &Actor,
    year: i32,
    units: Option<&[String]>,
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<Vec<(DutyRow, Vec<QuotaProgress>)>, ApiError> {
    let seen: Vec<DutyRow> = duties::of_year(conn, year, units)?
        .into_iter()
        .filter(|d| actor.visibility.covers(&d.unit_id))
        .collect();
    count_all(conn, &seen, day, calendar, org)
}

/// The duties of `day`'s year that keep measures of an inspection, each with its measure's
/// code, counted at the end of `day`.
pub fn of_inspection(
    conn: &mut DbConnection,
    inspection_id: &str,
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<Vec<(String, DutyRow, Vec<QuotaProgress>)>, ApiError> {
    let codes = measures::codes_in_inspection(conn, inspection_id)?;
    let linked: Vec<DutyRow> = duties::of_year(conn, day.year(), None)?
        .into_iter()
        .filter(|d| d.measure_id.as_ref().is_some_and(|m| codes.contains_key(m)))
        .collect();
    Ok(count_all(conn, &linked, day, calendar, org)?
        .into_iter()
        .map(|(duty, quotas)| {
            let code = duty
                .measure_id
                .as_ref()
                .and_then(|m| codes.get(m))
                .cloned()
                .unwrap_or_default();
            (code, duty, quotas)
        })
        .collect())
}
