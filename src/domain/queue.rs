//! Work queues (待办): what awaits a caller, by role, and in which order. Pure; the
//! service gathers the items, this ranks them.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::enums::Warning;
use super::permissions::Role;

/// What an item waits for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum QueueKind {
    /// A unit: a finding assigned to it, to claim (认领).
    FindingToClaim,
    /// A unit: a claimed finding whose plan (整改方案) is still to submit.
    PlanToSubmit,
    /// A unit: a plan the office sent back.
    PlanReturned,
    /// A unit: a measure it may start now.
    MeasureToStart,
    /// A unit: a long-term measure whose next report is due within the yellow window.
    ReportDue,
    /// A unit: a long-term measure that missed its report.
    ReportMissed,
    /// A unit: a closure request sent back for rework (退回).
    ClosureReturned,
    /// A unit: the office decided one of its extension requests (in the last 7 days).
    ExtensionDecided,
    /// A leader: a closure request to endorse (签字背书).
    ClosureToEndorse,
    /// The office: a plan to approve.
    PlanToApprove,
    /// The office: an endorsed closure request to verify (审核销号).
    ClosureToVerify,
    /// The office: an extension request to decide.
    ExtensionToDecide,
    /// The office and supervisors: a red measure nobody reminded in N working days.
    RedNotReminded,
    /// The office: an open measure whose named accountable leader is gone from the
    /// directory or no longer over its lead unit (after a move or a handover).
    MeasureWithoutHolder,
    /// The office and a unit: a duty (年度任务) whose quota is behind the pace of its
    /// running period.
    DutyBehind,
    /// The office and a unit: a duty whose quota ended its last period short (未完成).
    DutyMissed,
}

impl QueueKind {
    pub const ALL: [QueueKind; 16] = [
        QueueKind::FindingToClaim,
        QueueKind::PlanToSubmit,
        QueueKind::PlanReturned,
        QueueKind::MeasureToStart,
        QueueKind::ReportDue,
        QueueKind::ReportMissed,
        QueueKind::ClosureReturned,
        QueueKind::ExtensionDecided,
        QueueKind::ClosureToEndorse,
        QueueKind::PlanToApprove,
        QueueKind::ClosureToVerify,
        QueueKind::ExtensionToDecide,
        QueueKind::RedNotReminded,
        QueueKind::MeasureWithoutHolder,
        QueueKind::DutyBehind,
        QueueKind::DutyMissed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            QueueKind::FindingToClaim => "finding_to_claim",
            QueueKind::PlanToSubmit => "plan_to_submit",
            QueueKind::PlanReturned => "plan_returned",
            QueueKind::MeasureToStart => "measure_to_start",
            QueueKind::ReportDue => "report_due",
            QueueKind::ReportMissed => "report_missed",
            QueueKind::ClosureReturned => "closure_returned",
            QueueKind::ExtensionDecided => "extension_decided",
            QueueKind::ClosureToEndorse => "closure_to_endorse",
            QueueKind::PlanToApprove => "plan_to_approve",
            QueueKind::ClosureToVerify => "closure_to_verify",
            QueueKind::ExtensionToDecide => "extension_to_decide",
            QueueKind::RedNotReminded => "red_not_reminded",
            QueueKind::MeasureWithoutHolder => "measure_without_holder",
            QueueKind::DutyBehind => "duty_behind",
            QueueKind::DutyMissed => "duty_missed",
        }
    }

    /// The kinds a role's queue holds.
    pub fn for_role(role: Role) -> &'static [QueueKind] {
        use QueueKind::*;
        match role {
            Role::Unit => &[
                FindingToClaim,
                PlanToSubmit,
                PlanReturned,
                MeasureToStart,
                ReportDue,
                ReportMissed,
                ClosureReturned,
                ExtensionDecided,
                DutyBehind,
                DutyMissed,
            ],
            Role::Leader => &[ClosureToEndorse],
            Role::Office | Role::Admin => &[
                PlanToApprove,
                ClosureToVerify,
                ExtensionToDecide,
                RedNotReminded,
                MeasureWithoutHolder,
                DutyBehind,
                DutyMissed,
            ],
            Role::Supervisor => &[RedNotReminded],
            Role::Viewer => &[],
        }
    }
}

/// One thing waiting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub struct QueueItem {
    pub kind: QueueKind,
    /// `finding`, `measure`, `extension` or `duty`.
    pub object_type: String,
    pub object_id: String,
    /// The finding's or measure's code (for an extension request, its measure's).
    pub code: String,
    pub title: String,
    /// The unit that answers for it (the finding's responsible unit, the measure's lead).
    pub unit_id: String,
    pub unit: String,
    /// Since when it waits.
    pub since: Option<DateTime<Utc>>,
    /// The day it is due, if any (a measure's deadline, a report's due day).
    pub due: Option<NaiveDate>,
    /// The measure's light today (findings: their worst measure's).
    pub warning: Option<Warning>,
    /// Its finding is under listed supervision (挂牌督办): it comes first.
    pub listed: bool,
    /// The measure names the caller as its accountable leader: it comes first for them.
    pub names_you: bool,
}

impl QueueItem {
    /// Most urgent first: listed, naming the caller, red, yellow, the earliest due, the
    /// longest waiting. A text that sorts the same way (and names the item), for paging.
    pub fn sort_key(&self) -> String {
        let light = match self.warning {
            Some(Warning::Red) => 0,
            Some(Warning::Yellow) => 1,
            _ => 2,
        };
        format!(
            "{}{}{}|{}|{}|{}|{}",
            u8::from(!self.listed),
            u8::from(!self.names_you),
            light,
            self.due
                .map_or_else(|| "9999-12-31".to_string(), |d| d.to_string()),
            self.since.map_or_else(
                || "9999".to_string(),
                |t| t.format("%Y-%m-%dT%H:%M:%S%.6f").to_string()
            ),
            self.kind.as_str(),
            self.object_id
        )
    }
}

/// Sorts the items most urgent first.
pub fn rank(items: &mut [QueueItem]) {
    items.sort_by_cached_key(QueueItem::sort_key);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(id: &str, listed: bool, warning: Option<Warning>, due: Option<&str>) -> QueueItem {
        QueueItem {
            kind: QueueKind::ClosureToVerify,
            object_type: "measure".into(),
            object_id: id.into(),
            code: id.into(),
            title: String::new(),
            unit_id: String::new(),
            unit: String::new(),
            since: None,
            due: due.map(|d| d.parse().unwrap()),
            warning,
            listed,
            names_you: false,
        }
    }

    #[test]
    fn listed_then_red_then_yellow_then_the_earliest_due() {
        let mut items = vec![
            item(
                "green-early",
                false,
                Some(Warning::Green),
                Some("2022-01-01"),
            ),
            item("yellow", false, Some(Warning::Yellow), Some("2022-07-08")),
            item("red-late", false, Some(Warning::Red), Some("2022-06-30")),
            item("red-early", false, Some(Warning::Red), Some("2022-05-31")),
            item("listed-green", true, Some(Warning::Green), None),
        ];
        rank(&mut items);
        let order: Vec<&str> = items.iter().map(|i| i.object_id.as_str()).collect();
        assert_eq!(
            order,
            [
                "listed-green",
                "red-early",
                "red-late",
                "yellow",
                "green-early"
            ]
        );
    }

    #[test]
    fn every_role_has_its_kinds_and_no_kind_is_nobodys() {
        for kind in QueueKind::ALL {
            assert!(
                Role::ALL
                    .iter()
                    .any(|r| QueueKind::for_role(*r).contains(&kind)),
                "{kind:?}"
            );
        }
        assert!(QueueKind::for_role(Role::Viewer).is_empty());
    }
}
