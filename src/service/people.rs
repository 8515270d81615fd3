//! The people directory (人员名录): who works in which unit, which units a leader oversees
//! (分管). A caller's scope comes from here when the directory knows its `sub`.

use crate::db::forms::{NewPerson, PersonChanges};
use crate::db::models::{MeasureRow, PersonRow};
use crate::db::repo::{check_version, people, units, WriteCtx};
use crate::db::DbConnection;
use crate::domain::permissions::{Action, Ties};
use crate::domain::rules::FieldError;
use crate::error::ApiError;
use crate::service::{access, directory, validated};
use crate::text;

/// The units named must exist (422 naming each field otherwise).
fn check_units(
    conn: &mut DbConnection,
    unit_id: Option<&String>,
    oversees: &[String],
) -> Result<(), ApiError> {
    let mut errors = Vec::new();
    if let Some(unit) = unit_id {
        if units::find(conn, unit)?.is_none() {
            errors.push(FieldError::new("unit_id", text!("unit-id-unknown")));
        }
    }
    let missing = units::missing(conn, oversees)?;
    for (i, id) in oversees.iter().enumerate() {
        if missing.contains(id) {
            errors.push(FieldError::new(
                format!("oversees_unit_ids[{i}]"),
                text!("unit-id-unknown"),
            ));
        }
    }
    crate::db::repo::into_validation(errors)
}

fn oversees_json(ids: &[String]) -> String {
    let mut ids = ids.to_vec();
    ids.sort();
    ids.dedup();
    serde_json::to_string(&ids).unwrap_or_else(|_| "[]".into())
}

/// Adds an entry. Admin and office.
pub fn create(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    form: NewPerson,
) -> Result<PersonRow, ApiError> {
    access::check(&ctx.who, Action::ManagePeople, Ties::ALL, "person")?;
    let form = validated(form)?;
    check_units(conn, form.unit_id.as_ref(), &form.oversees_unit_ids)?;
    let row = PersonRow {
        sub: form.sub.trim().to_string(),
        name: form.name.trim().to_string(),
        title: form.title.as_ref().map(|t| t.trim().to_string()),
        unit_id: form.unit_id.clone(),
        oversees_unit_ids: oversees_json(&form.oversees_unit_ids),
        version: 1,
        created_at: ctx.now,
        updated_at: ctx.now,
        created_by: ctx.actor.clone(),
        updated_by: ctx.actor.clone(),
    };
    people::insert(conn, row, ctx)
}

/// Changes an entry. When its unit or oversight moves, the answer lists the open measures
/// the person still holds whose lead unit lies outside the new scope: they want a
/// handover.
pub fn update(
    conn: &mut DbConnection,
    ctx: &WriteCtx,
    sub: &str,
    changes: PersonChanges,
    expected: Option<i32>,
) -> Result<(PersonRow, Vec<MeasureRow>), ApiError> {
    access::check(&ctx.who, Action::ManagePeople, Ties::ALL, "person")?;
    let changes = validated(changes)?;
    let before = people::get(conn, sub)?;
    check_version("person", before.version, expected)?;
    let mut row = before.clone();
    if let Some(name) = &changes.name {
        row.name = name.trim().to_string();
    }
    if let Some(title) = &changes.title {
        row.title = title.as_ref().map(|t| t.trim().to_string());
    }
    if let Some(unit) = &changes.unit_id {
        row.unit_id = unit.clone();
    }
    if let Some(oversees) = &changes.oversees_unit_ids {
        row.oversees_unit_ids = oversees_json(oversees);
    }
    check_units(conn, row.unit_id.as_ref(), &row.oversees())?;
    let row = people::save(conn, &before, row, ctx)?;
    let stranded = if changes.moves_scope() {
        outside_scope(conn, &row)?
    } else {
        vec![]
    };
    Ok((row, stranded))
}

/// The open measures `person` holds whose lead unit is outside its scope.
pub fn outside_scope(
    conn: &mut DbConnection,
    person: &PersonRow,
) -> Result<Vec<MeasureRow>, ApiError> {
    let org = directory::load(conn)?;
    let roots: Vec<String> = person
        .unit_id
        .iter()
        .cloned()
        .chain(person.oversees())
        .collect();
    let scope = org.scope(&roots);
    Ok(people::holdings(conn, &person.sub, &person.name)?
        .into_iter()
        .filter(|m| scope.binary_search(&m.lead_unit_id).is_err())
        .collect())
}
