//! Handovers (责任交接): a leader or a responsible person leaves, and the measures they
//! held move to their successor in one transaction — each with a `measure.handover` event
//! carrying the handover's id — and the handover itself is recorded.

use crate::db::forms::NewHandover;
use crate::db::models::{HandoverRow, MeasureRow};
use crate::db::repo::events::{self, snapshot};
use crate::db::repo::measures::measure_snapshot;
use crate::db::repo::{
    handovers, measures, new_id, people, units, visibility, Visibility, WriteCtx,
};
use crate::db::DbConnection;
use crate::domain::enums::{HolderRole, MeasureStatus};
use crate::domain::org::holds;
use crate::domain::permissions::Action;
use crate::domain::rules::FieldError;
use crate::error::ApiError;
use crate::service::{access, directory, validated};
use crate::text;

fn held_by(form: &NewHandover, m: &MeasureRow) -> bool {
    holds(
        form.role,
        form.from.sub.as_deref(),
        form.from.name.trim(),
        m.accountable_leader_sub.as_deref(),
        &m.accountable_leader,
        m.responsible_person.as_deref(),
    )
}

/// The form's own problems: the same person on both sides, a successor or unit the
/// directory does not know.
fn check_form(conn: &mut DbConnection, form: &NewHandover) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    let same_sub = form.from.sub.is_some() && form.from.sub == form.to.sub;
    if same_sub || (form.from.sub.is_none() && form.from.name.trim() == form.to.name.trim()) {
        errors.push(FieldError::new("to", text!("handover-same-person")));
    }
    if let Some(sub) = &form.to.sub {
        if people::find(conn, sub.trim())?.is_none() {
            errors.push(FieldError::new("to.sub", text!("person-sub-unknown")));
        }
    }
    if let Some(unit) = &form.unit_id {
        if units::find(conn, unit)?.is_none() {
            errors.push(FieldError::new("unit_id", text!("unit-id-unknown")));
        }
    }
    if form.role == HolderRole::ResponsiblePerson && form.to.sub.is_some() {
        errors.push(FieldError::new(
            "to.sub",
            text!("handover-responsible-by-name"),
        ));
    }
    crate::db::repo::into_validation(errors)
}

/// The measures to move: those named, or every open one `from` holds in the role (led
/// within `unit_id` if given, and within what the actor sees).
fn chosen(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    form: &NewHandover,
) -> Result<Vec<String>, ApiError> {
    if let Some(ids) = &form.measure_ids {
        let mut ids = ids.clone();
        ids.dedup();
        return Ok(ids);
    }
    let within = match &form.unit_id {
        Some(unit) => Some(directory::load(conn)?.subtree(unit)),
        None => None,
    };
    let ids: Vec<String> =
        handovers::candidates(conn, form.from.sub.as_deref(), form.from.name.trim())?
            .into_iter()
            .filter(|m| held_by(form, m))
            .filter(|m| ctx.who.visibility.covers(&m.lead_unit_id))
            .filter(|m| {
                within
                    .as_ref()
                    .is_none_or(|units| units.binary_search(&m.lead_unit_id).is_ok())
            })
            .map(|m| m.id)
            .collect();
    if ids.is_empty() {
        return Err(ApiError::field(
            "from",
            text!(
                "handover-nothing-held",
                name = form.from.name.trim(),
                role = form.role
            ),
        ));
    }
    Ok(ids)
}

/// Records a handover and moves its measures. Office, admin, or a leader for the measures
/// its units lead.
pub fn hand_over(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    form: NewHandover,
) -> Result<(HandoverRow, Vec<MeasureRow>), ApiError> {
    access::check_role(&ctx.who, Action::HandOver)?;
    let form = validated(form)?;
    check_form(conn, &form)?;
    let ids = chosen(conn, ctx, &form)?;
    let handover = HandoverRow {
        id: new_id(),
        role: form.role.as_str().to_string(),
        from_sub: form.from.sub.as_ref().map(|s| s.trim().to_string()),
        from_name: form.from.name.trim().to_string(),
        to_sub: form.to.sub.as_ref().map(|s| s.trim().to_string()),
        to_name: form.to.name.trim().to_string(),
        unit_id: form.unit_id.clone(),
        reason: form.reason.trim().to_string(),
        effective_date: form.effective_date,
        created_at: ctx.now,
        created_by: ctx.actor.clone().unwrap_or_default(),
    };
    let mut moved = Vec::with_capacity(ids.len());
    let mut not_held = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        access::measure(conn, &ctx.who, id, Action::HandOver)?;
        measures::lock(conn, id)?;
        let (mut row, supporting) = measures::get(conn, id)?;
        if row.status == MeasureStatus::Closed {
            return Err(ApiError::WrongState {
                message: text!("handover-measure-closed", code = &row.code),
                current: row.status.to_string(),
                allowed: vec![],
            });
        }
        if !held_by(&form, &row) {
            not_held.push(FieldError::new(
                format!("measure_ids[{i}]"),
                text!(
                    "handover-not-held",
                    code = &row.code,
                    name = &handover.from_name,
                    role = form.role
                ),
            ));
            continue;
        }
        let before = measure_snapshot(&row, &supporting);
        match form.role {
            HolderRole::AccountableLeader => {
                row.accountable_leader = handover.to_name.clone();
                row.accountable_leader_sub = handover.to_sub.clone();
            }
            HolderRole::ResponsiblePerson => {
                row.responsible_person = Some(handover.to_name.clone());
            }
        }
        let row = measures::save(conn, row, ctx)?;
        let mut after = measure_snapshot(&row, &supporting);
        after["handover_id"] = serde_json::json!(handover.id);
        after["handover_reason"] = serde_json::json!(handover.reason);
        events::append(
            conn,
            ctx,
            "measure.handover",
            ("measure", id),
            Some(before),
            Some(after),
        )?;
        moved.push(row);
    }
    crate::db::repo::into_validation(not_held)?;
    let moved_ids: Vec<String> = moved.iter().map(|m| m.id.clone()).collect();
    handovers::insert(conn, &handover, &moved_ids)?;
    let mut record = snapshot(&handover);
    record["measure_ids"] = serde_json::json!(moved_ids);
    events::append(
        conn,
        ctx,
        "handover.create",
        ("handover", &handover.id),
        None,
        Some(record),
    )?;
    Ok((handover, moved))
}

/// A handover as `vis` may see it, with the moved measures it sees: a unit sees a handover
/// that moved one of its measures, and only those (404 otherwise).
pub fn visible(
    conn: &mut DbConnection,
    vis: &Visibility,
    id: &str,
) -> Result<(HandoverRow, Vec<MeasureRow>), ApiError> {
    let row = handovers::get(conn, id)?;
    let moved = handovers::measures_of(conn, id)?;
    if *vis == Visibility::All {
        return Ok((row, moved));
    }
    let ids =
        visibility::measures_seen_among(conn, vis, moved.iter().map(|m| m.id.clone()).collect())?;
    let seen: Vec<MeasureRow> = moved.into_iter().filter(|m| ids.contains(&m.id)).collect();
    if seen.is_empty() {
        return Err(ApiError::not_found("handover"));
    }
    Ok((row, seen))
}
