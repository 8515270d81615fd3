//! Table rows as diesel sees them. States, kinds and categories are the domain's enums,
//! stored as TEXT; a stored value that names none is an error naming column and value.
//! Never sent to clients as they are (`api/dto` maps them);
//! serialized only into the audit log's before/after snapshots.

use chrono::{NaiveDate, NaiveDateTime};
use diesel::prelude::*;
use serde::{Deserialize, Serialize};

use crate::domain::deadline::{self, DeadlineState, Today};
use crate::domain::enums::{
    Category, ExtensionStatus, FindingStatus, Level, MeasureKind, MeasureStatus, SourceType,
    SupervisionLevel, Warning,
};

use super::schema::{
    activities, activity_kinds, deadline_notices, duties, duty_notices, events, evidence,
    extensions, findings, handover_measures, handovers, idempotency_keys, inspections,
    measure_supporting_units, measures, people, progress_reports, rechecks, units,
    webhook_deliveries, webhooks,
};

#[derive(
    Debug,
    Clone,
    Serialize,
    Deserialize,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(table_name = units, treat_none_as_null = true)]
pub struct UnitRow {
    pub id: String,
    pub code: String,
    pub name: String,
    pub parent_id: Option<String>,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

#[derive(
    Debug,
    Clone,
    Serialize,
    Deserialize,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(table_name = inspections, treat_none_as_null = true)]
pub struct InspectionRow {
    pub id: String,
    pub code: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub source_type: SourceType,
    pub title: String,
    pub issuer: String,
    pub target_unit_id: Option<String>,
    pub feedback_date: NaiveDate,
    pub concentrated_period_end: Option<NaiveDate>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

#[derive(
    Debug,
    Clone,
    Serialize,
    Deserialize,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(table_name = findings, treat_none_as_null = true)]
pub struct FindingRow {
    pub id: String,
    pub inspection_id: String,
    pub code: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub category: Category,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub level: Level,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub supervision_level: SupervisionLevel,
    pub title: String,
    pub description: String,
    pub responsible_unit_id: String,
    pub primary_accountable: Option<String>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: FindingStatus,
    pub closed_at: Option<NaiveDateTime>,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
    /// The finding's own source (`SourceType` text), when not its inspection's.
    pub source_type: Option<String>,
    /// What the source is called (e.g. 2021年党风廉政建设责任制考核), when not the inspection.
    pub source_ref: Option<String>,
}

#[derive(
    Debug,
    Clone,
    Serialize,
    Deserialize,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
/// Also what a measure's audit events keep of it (`db::repo::as_of` reads them back; the
/// `serde(default)`s let snapshots written before a column existed still read).
#[diesel(table_name = measures, treat_none_as_null = true)]
pub struct MeasureRow {
    pub id: String,
    pub finding_id: String,
    pub inspection_id: String,
    pub code: String,
    pub content: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub kind: MeasureKind,
    pub lead_unit_id: String,
    pub accountable_leader: String,
    pub responsible_person: Option<String>,
    pub due_date: Option<NaiveDate>,
    pub original_due_date: Option<NaiveDate>,
    #[serde(default)]
    pub due_sort: NaiveDate,
    pub completion_criteria: Option<String>,
    pub report_cycle: Option<String>,
    pub quota_metric: Option<String>,
    pub quota_min_count: Option<i32>,
    pub quota_period: Option<String>,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: MeasureStatus,
    #[serde(default)]
    pub extension_count: i32,
    pub closed_at: Option<NaiveDateTime>,
    #[serde(default)]
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
    #[serde(default)]
    pub progress_percent: i32,
    pub last_report_at: Option<NaiveDateTime>,
    pub closing_statement: Option<String>,
    pub submitted_by: Option<String>,
    pub submitted_at: Option<NaiveDateTime>,
    pub endorsed_by: Option<String>,
    pub verified_by: Option<String>,
    /// When an open long-term measure owes its next report (kept by `measures::save`).
    pub report_due: Option<NaiveDate>,
    /// A closure request submitted before the due date is under review.
    #[serde(default)]
    pub clock_stopped: bool,
    /// Closure requests returned for rework (退回次数).
    #[serde(default)]
    pub return_count: i32,
    /// Closed on or before its due date (null while open or without one).
    pub closed_on_time: Option<bool>,
    /// Working days from being set up to being closed.
    pub days_to_close: Option<i32>,
    /// The accountable leader as a person (login id): then only they endorse.
    pub accountable_leader_sub: Option<String>,
    /// The extension request waiting for a decision, and the day it asks for.
    pub pending_extension_id: Option<String>,
    pub pending_extension_due: Option<NaiveDate>,
    /// Reminders (催办) the office or the supervisors sent, and the last one.
    #[serde(default)]
    pub reminder_count: i32,
    pub last_reminded_at: Option<NaiveDateTime>,
    /// Re-checks (回头看) after closing, and how many found it relapsed.
    #[serde(default)]
    pub recheck_count: i32,
    #[serde(default)]
    pub relapse_count: i32,
    /// The light of the duty quotas that keep it (long-term measures), kept by
    /// `service::duties::refresh_lights` alone: a save of the measure never writes it.
    #[serde(default)]
    #[diesel(skip_update)]
    pub quota_light: Option<String>,
}

impl MeasureRow {
    /// Its light today (`domain::deadline::light`).
    pub fn light(&self, today: &Today) -> DeadlineState {
        deadline::light(
            self.status,
            self.due_date,
            self.report_due,
            self.clock_stopped,
            self.quota(),
            today,
        )
    }

    /// The light of the duty quotas that keep it, when any do.
    pub fn quota(&self) -> Option<Warning> {
        self.quota_light.as_deref().and_then(Warning::parse)
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = measure_supporting_units)]
pub struct SupportingUnitRow {
    pub measure_id: String,
    pub unit_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = progress_reports)]
pub struct ProgressReportRow {
    pub id: String,
    pub measure_id: String,
    pub text: String,
    pub percent: i32,
    /// JSON array of evidence ids.
    pub evidence_ids: String,
    pub reported_by: String,
    pub reported_at: NaiveDateTime,
}

#[derive(
    Debug,
    Clone,
    Serialize,
    Deserialize,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(table_name = evidence, treat_none_as_null = true)]
pub struct EvidenceRow {
    pub id: String,
    pub measure_id: String,
    pub sha256: String,
    pub size: i64,
    pub media_type: String,
    pub file_name: String,
    pub description: Option<String>,
    pub effective_date: Option<NaiveDate>,
    pub uploaded_by: String,
    pub uploaded_at: NaiveDateTime,
    pub frozen_at: Option<NaiveDateTime>,
    pub deleted_at: Option<NaiveDateTime>,
    pub deleted_by: Option<String>,
}

#[derive(
    Debug,
    Clone,
    Serialize,
    Deserialize,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(table_name = extensions, treat_none_as_null = true)]
pub struct ExtensionRow {
    pub id: String,
    pub measure_id: String,
    pub requested_due_date: NaiveDate,
    pub previous_due_date: Option<NaiveDate>,
    pub reason: String,
    #[diesel(deserialize_as = String, serialize_as = String)]
    pub status: ExtensionStatus,
    pub requested_by: String,
    pub requested_at: NaiveDateTime,
    pub decided_by: Option<String>,
    pub decided_at: Option<NaiveDateTime>,
    pub decision_note: Option<String>,
    pub version: i32,
}

#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = events)]
pub struct EventRow {
    pub seq: i64,
    pub id: String,
    pub at: NaiveDateTime,
    pub actor: String,
    pub role: String,
    pub action: String,
    pub object_type: String,
    pub object_id: String,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub prev_hash: String,
    pub hash: String,
    /// The name the author went by: the people directory's, else the token's.
    pub actor_name: Option<String>,
}

#[derive(
    Debug,
    Clone,
    Serialize,
    Deserialize,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(table_name = webhooks, treat_none_as_null = true)]
pub struct WebhookRow {
    pub id: String,
    pub url: String,
    /// JSON array of event types.
    pub events: String,
    pub secret: String,
    pub active: bool,
    pub created_by: String,
    pub created_at: NaiveDateTime,
    pub failing_since: Option<NaiveDateTime>,
    pub disabled_at: Option<NaiveDateTime>,
}

#[derive(
    Debug,
    Clone,
    Serialize,
    Deserialize,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(table_name = webhook_deliveries, treat_none_as_null = true)]
pub struct DeliveryRow {
    pub id: String,
    pub webhook_id: String,
    pub event_type: String,
    pub payload: String,
    /// pending, delivered or failed (the hook was disabled).
    pub status: String,
    pub attempts: i32,
    pub next_attempt_at: NaiveDateTime,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub created_at: NaiveDateTime,
    pub delivered_at: Option<NaiveDateTime>,
}

#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = deadline_notices)]
pub struct NoticeRow {
    pub measure_id: String,
    pub kind: String,
    pub due_date: NaiveDate,
}

/// A caller's `Idempotency-Key`: claimed with the write it guards, answered once the
/// answer went out (`status` and the rest stay empty until then).
#[derive(Debug, Clone, Queryable, Selectable, Insertable)]
#[diesel(table_name = idempotency_keys)]
pub struct IdempotencyRow {
    pub caller: String,
    pub idem_key: String,
    pub fingerprint: String,
    pub method: String,
    pub path: String,
    pub claimed_at: NaiveDateTime,
    pub status: Option<i32>,
    /// JSON: `[[name, value], …]`.
    pub headers: Option<String>,
    pub body: Option<Vec<u8>>,
    pub answered_at: Option<NaiveDateTime>,
}

/// A duty's period announced once: `behind` (pace) or `missed` (ended short).
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = duty_notices)]
pub struct DutyNoticeRow {
    pub duty_id: String,
    pub metric: String,
    pub period: String,
    pub kind: String,
    pub noticed_at: NaiveDateTime,
}

/// A TEXT column selected on its own, typed: an unknown value is an error naming the
/// column and the value, never a default.
pub fn typed<T>(text: String) -> Result<T, crate::error::ApiError>
where
    T: TryFrom<String, Error = crate::domain::enums::UnknownValue>,
{
    T::try_from(text).map_err(|e| crate::error::ApiError::Internal(e.to_string()))
}

/// An entry of the people directory; `oversees_unit_ids` is a JSON array of unit ids.
#[derive(
    Debug,
    Clone,
    Serialize,
    Deserialize,
    Queryable,
    Selectable,
    Insertable,
    AsChangeset,
    Identifiable,
)]
#[diesel(table_name = people, primary_key(sub), treat_none_as_null = true)]
pub struct PersonRow {
    pub sub: String,
    pub name: String,
    pub title: Option<String>,
    pub unit_id: Option<String>,
    pub oversees_unit_ids: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

impl PersonRow {
    pub fn oversees(&self) -> Vec<String> {
        serde_json::from_str(&self.oversees_unit_ids).unwrap_or_default()
    }
}

/// A recorded handover (责任交接); the measures it moved are in `handover_measures`.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = handovers)]
pub struct HandoverRow {
    pub id: String,
    pub role: String,
    pub from_sub: Option<String>,
    pub from_name: String,
    pub to_sub: Option<String>,
    pub to_name: String,
    pub unit_id: Option<String>,
    pub reason: String,
    pub effective_date: NaiveDate,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

/// A re-check of a closed measure (回头看); `evidence_ids` is a JSON array.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = rechecks)]
pub struct RecheckRow {
    pub id: String,
    pub measure_id: String,
    pub result: String,
    pub note: String,
    pub checked_on: NaiveDate,
    pub evidence_ids: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

/// Which measures a handover moved.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = handover_measures)]
pub struct HandoverMeasureRow {
    pub handover_id: String,
    pub measure_id: String,
}

/// A kind of activity (党组会议, 中心组学习…) that quotas count.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable)]
#[diesel(table_name = activity_kinds)]
pub struct ActivityKindRow {
    pub code: String,
    pub name: String,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}

/// An annual duty (年度任务); `quotas` is a JSON array of `domain::duties::DutyQuota`.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = duties, treat_none_as_null = true)]
pub struct DutyRow {
    pub id: String,
    pub code: String,
    pub title: String,
    pub year: i32,
    pub unit_id: String,
    pub source: Option<String>,
    pub measure_id: Option<String>,
    pub quotas: String,
    pub version: i32,
    pub created_at: NaiveDateTime,
    pub updated_at: NaiveDateTime,
    pub created_by: Option<String>,
    pub updated_by: Option<String>,
}

/// An activity held (开展情况); `persons` and `evidence_ids` are JSON arrays. Withdrawn,
/// it stays with who withdrew it and why.
#[derive(Debug, Clone, Serialize, Deserialize, Queryable, Selectable, Insertable, AsChangeset)]
#[diesel(table_name = activities, treat_none_as_null = true)]
pub struct ActivityRow {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub held_on: NaiveDate,
    pub unit_id: String,
    pub duty_id: Option<String>,
    pub persons: String,
    pub hours: Option<f64>,
    pub count: Option<i32>,
    pub note: Option<String>,
    pub evidence_ids: String,
    pub withdrawn_at: Option<NaiveDateTime>,
    pub withdrawn_by: Option<String>,
    pub withdraw_reason: Option<String>,
    pub created_at: NaiveDateTime,
    pub created_by: String,
}
