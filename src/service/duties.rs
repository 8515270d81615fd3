//! Annual duties (年度任务) and the activities (开展情况) that count toward their quotas:
//! setting them up, recording and withdrawing activities, and the progress of each quota.

use chrono::{Datelike, NaiveDate};

use crate::db::forms::{DutyChanges, NewActivity, NewDuty};
use crate::db::models::{ActivityKindRow, ActivityRow, DutyRow, MeasureRow};
use crate::db::repo::{check_version, duties, measures, new_id, units, WriteCtx};
use crate::db::DbConnection;
use crate::domain::calendar::Calendar;
use crate::domain::duties::{self as rules, DutyQuota, QuotaProgress};
use crate::domain::enums::QuotaPeriod;
use crate::domain::org::Organisation;
use crate::domain::permissions::{Action, Actor, Ties};
use crate::domain::rules::FieldError;
use crate::error::ApiError;
pub use crate::service::duty_counts::year;
use crate::service::duty_counts::{count_all, is_own, own_source, quotas_of};
use crate::service::duty_watch::{refresh_lights, Touched};
use crate::service::{access, validated};
use crate::text;

/// How a duty or an activity relates to the caller: it belongs to one of its units.
fn ties(actor: &Actor, unit_id: &str) -> Ties {
    Ties {
        responsible: actor.visibility.covers(unit_id),
        ..Ties::default()
    }
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
        return Err(ApiError::field("code", text!("activity-kind-code")));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 {
        return Err(ApiError::field(
            "name",
            text!("length-between", min = 1, max = 100),
        ));
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
        errors.push(FieldError::new("unit_id", text!("unit-id-unknown")));
    }
    if let Some(m) = &form.measure_id {
        match measures::find(conn, m)? {
            None => errors.push(FieldError::new("measure_id", text!("measure-id-unknown"))),
            Some(measure) => {
                // One measure's quota is counted once: its own duty already keeps it.
                if let Some(d) = duties::of_measure(conn, m, form.year)?
                    .into_iter()
                    .find(is_own)
                {
                    return Err(ApiError::Conflict(text!(
                        "duty-measure-own",
                        measure = &measure.code,
                        duty = &d.code,
                        year = d.year,
                        id = &d.id
                    )));
                }
            }
        }
    }
    crate::db::repo::into_validation(errors)?;
    check_quotas(conn, &form.quotas)?;
    let row = new_row(
        ctx,
        NewDuty {
            code: form.code.trim().to_string(),
            title: form.title.trim().to_string(),
            source: form.source.map(|s| s.trim().to_string()),
            ..form
        },
    );
    duties::insert(conn, &row, ctx)?;
    if let Some(m) = &row.measure_id {
        keep_lights(conn, ctx, Touched::Measure(m))?;
    }
    Ok(row)
}

/// A new duty's row, at version 1, set up by the caller now.
fn new_row(ctx: &WriteCtx, form: NewDuty) -> DutyRow {
    DutyRow {
        id: new_id(),
        code: form.code,
        title: form.title,
        year: form.year,
        unit_id: form.unit_id,
        source: form.source,
        measure_id: form.measure_id,
        quotas: quotas_json(&form.quotas),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
        created_by: ctx.actor.clone(),
        updated_by: ctx.actor.clone(),
    }
}

/// The quota lights a write may have moved, brought up to today in the same transaction.
fn keep_lights(conn: &mut DbConnection, ctx: &WriteCtx, touched: Touched) -> Result<(), ApiError> {
    let org = crate::service::directory::load(conn)?;
    refresh_lights(conn, ctx, touched, ctx.today(), &org)?;
    Ok(())
}

/// A long-term measure's own quota ("每年…不少于2次", set on the measure) is kept by a duty
/// of this year linked to it: set up with the measure's quota when none links it yet, its
/// quota following the measure's after that. What counts toward it is the activity kind
/// the metric names (the office names others with `PATCH /duties/{id}`).
pub fn keep_measure_quota(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    measure: &MeasureRow,
) -> Result<(), ApiError> {
    let (Some(metric), Some(min), Some(period)) = (
        measure.quota_metric.clone(),
        measure.quota_min_count,
        measure.quota_period.as_deref().and_then(QuotaPeriod::parse),
    ) else {
        return Ok(());
    };
    let year = ctx.today().year();
    let source = own_source(&measure.code);
    let linked = duties::of_measure(conn, &measure.id, year)?;
    let kinds: Vec<(String, String)> = duties::kinds(conn)?
        .into_iter()
        .map(|k| (k.code, k.name))
        .collect();
    let own = |kept: Option<&DutyQuota>| DutyQuota {
        metric: metric.clone(),
        min: f64::from(min),
        unit: rules::QuotaUnit::Times,
        period,
        per: rules::QuotaPer::Unit,
        persons: Vec::new(),
        activity_kinds: match kept {
            Some(q) if q.metric == metric => q.activity_kinds.clone(),
            _ => crate::domain::plan::kind_named(&metric, &kinds)
                .into_iter()
                .collect(),
        },
        report_to: kept.and_then(|q| q.report_to.clone()),
        due_within_period: kept.and_then(|q| q.due_within_period),
    };
    match linked.as_slice() {
        [] => {
            let inspection = crate::db::repo::inspections::get(conn, &measure.inspection_id)?;
            // The measure's code names its inspection when it starts with it (XC-2022-03-01-2).
            let stem = if measure.code.starts_with(&inspection.code) {
                measure.code.clone()
            } else {
                format!("{}-{}", inspection.code, measure.code)
            };
            let mut code = format!("{stem}-{year}");
            let mut n = 1;
            while duties::find_by_code(conn, &code)?.is_some() {
                n += 1;
                code = format!("{stem}-{year}-{n}");
            }
            let row = new_row(
                ctx,
                NewDuty {
                    code,
                    title: measure.content.chars().take(2000).collect(),
                    year,
                    unit_id: measure.lead_unit_id.clone(),
                    source: Some(source),
                    measure_id: Some(measure.id.clone()),
                    quotas: vec![own(None)],
                },
            );
            duties::insert(conn, &row, ctx)?;
        }
        // The measure's own duty (one quota, set up from it): its quota follows.
        [duty] if duty.source.as_deref() == Some(source.as_str()) => {
            let quotas = quotas_of(duty)?;
            if quotas.len() == 1 && quotas[0] != own(quotas.first()) {
                let mut row = duty.clone();
                row.quotas = quotas_json(&[own(quotas.first())]);
                duties::save(conn, duty, row, ctx)?;
            }
        }
        // Duties the office set up for it: theirs to keep.
        _ => return Ok(()),
    }
    keep_lights(conn, ctx, Touched::Measure(&measure.id))
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
    let row = duties::save(conn, &before, row, ctx)?;
    if let Some(m) = &row.measure_id {
        keep_lights(conn, ctx, Touched::Measure(m))?;
    }
    Ok(row)
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
        errors.push(FieldError::new("unit_id", text!("unit-id-unknown")));
    }
    let kinds: Vec<String> = duties::kinds(conn)?.into_iter().map(|k| k.code).collect();
    if !kinds.contains(&form.kind) {
        errors.push(FieldError::new(
            "kind",
            text!("activity-kind-unknown", kind = &form.kind),
        ));
    }
    let today = ctx.today();
    if form.held_on > today {
        errors.push(FieldError::new(
            "held_on",
            text!("activity-future", day = form.held_on, today = today),
        ));
    }
    if let Some(duty) = &form.duty_id {
        match duties::find(conn, duty)? {
            None => errors.push(FieldError::new("duty_id", text!("duty-id-unknown"))),
            Some(d) => {
                if form.held_on.year() != d.year {
                    errors.push(FieldError::new(
                        "held_on",
                        text!("activity-outside-year", day = form.held_on, year = d.year),
                    ));
                }
                if !quotas_of(&d)?
                    .iter()
                    .any(|q| q.activity_kinds.contains(&form.kind))
                {
                    errors.push(FieldError::new(
                        "kind",
                        text!(
                            "activity-kind-not-counted",
                            duty = &d.code,
                            kind = &form.kind
                        ),
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
        errors.push(FieldError::new("persons", text!("person-blank")));
    }
    if form.persons.iter().any(|p| p.contains('\0')) {
        errors.push(FieldError::new("persons", text!("nul-char")));
    }
    if form.persons.iter().any(|p| p.chars().count() > 100) {
        errors.push(FieldError::new("persons", text!("person-too-long")));
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
    keep_lights(conn, ctx, Touched::Unit(&row.unit_id))?;
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
            message: text!("activity-withdrawn"),
            current: "withdrawn".into(),
            allowed: vec![],
        });
    }
    let reason = reason.trim();
    if reason.is_empty() || reason.chars().count() > 2000 || reason.contains('\0') {
        return Err(ApiError::field("reason", text!("withdraw-reason")));
    }
    let row = duties::withdraw_activity(conn, &row, reason, ctx)?;
    keep_lights(conn, ctx, Touched::Unit(&row.unit_id))?;
    Ok(row)
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

/// A duty's quotas, parsed.
pub fn quotas(duty: &DutyRow) -> Result<Vec<DutyQuota>, ApiError> {
    quotas_of(duty)
}

/// The duties a ledger export covers, as the actor sees them: those keeping the
/// inspection's measures, or without one the whole year's (of `units`, when given).
pub fn of_ledger(
    conn: &mut DbConnection,
    actor: &Actor,
    inspection_id: Option<&str>,
    units: Option<&[String]>,
    day: NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<Vec<(DutyRow, Vec<QuotaProgress>)>, ApiError> {
    let Some(inspection) = inspection_id else {
        return year(conn, actor, day.year(), units, day, calendar, org);
    };
    Ok(of_inspection(conn, inspection, day, calendar, org)?
        .into_iter()
        .filter(|(_, d, _)| actor.visibility.covers(&d.unit_id))
        .filter(|(_, d, _)| units.is_none_or(|u| u.contains(&d.unit_id)))
        .map(|(_, d, q)| (d, q))
        .collect())
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
    let linked: Vec<DutyRow> = crate::db::repo::duty_watch::linked(conn, day.year())?
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
