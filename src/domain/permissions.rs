//! Who may do what: one table of role × action × how the item relates to the caller's
//! units. Pure; the use cases ask it before every operation, and lists apply the same scope
//! in SQL. A refusal names its rule in words a clerk understands (`Refusal`).

use crate::i18n::Text;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// The role a token carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Everything, including units.
    Admin,
    /// Rectification office / inspection team (整改办/巡察组).
    Office,
    /// Staff of a responsible unit (责任单位).
    Unit,
    /// Accountable leader of a unit (责任领导).
    Leader,
    /// Discipline inspection (纪检监察): reads everything.
    Supervisor,
    /// Dashboards: read-only.
    Viewer,
}

impl Role {
    pub const ALL: [Role; 6] = [
        Role::Admin,
        Role::Office,
        Role::Unit,
        Role::Leader,
        Role::Supervisor,
        Role::Viewer,
    ];

    /// Roles that act for their units and see only their items.
    pub fn is_unit_scoped(self) -> bool {
        matches!(self, Role::Unit | Role::Leader)
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Office => "office",
            Role::Unit => "unit",
            Role::Leader => "leader",
            Role::Supervisor => "supervisor",
            Role::Viewer => "viewer",
        }
    }
}

/// Why something was refused (403), as a rule: a stable code for programs and the rule's
/// words for people (the catalogue's `refusal-<code>`, or a message of its own).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub rule: String,
    pub text: Text,
}

impl Refusal {
    pub fn new(rule: &str, text: Text) -> Refusal {
        Refusal {
            rule: rule.to_string(),
            text,
        }
    }
}

macro_rules! actions {
    ($($(#[$doc:meta])* $name:ident => $code:literal;)*) => {
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Action {
            $($(#[$doc])* $name,)*
        }

        impl Action {
            pub const ALL: &'static [Action] = &[$(Action::$name,)*];

            /// The rule's code, as a refusal names it (`rule` in the problem).
            pub fn code(self) -> &'static str {
                match self {
                    $(Action::$name => $code,)*
                }
            }

            /// Who may do this, as the refusal says it.
            pub fn refusal(self) -> Refusal {
                match self {
                    $(Action::$name => Refusal::new($code, crate::i18n::Text::new(concat!("refusal-", $code))),)*
                }
            }
        }
    };
}

actions! {
    ReadUnits => "read_units";
    /// Create or change units.
    CreateUnit => "create_unit";
    ReadInspections => "read_inspections";
    WriteInspection => "write_inspection";
    ReadFindings => "read_findings";
    /// File, edit or reassign a finding.
    WriteFinding => "write_finding";
    ReadMeasures => "read_measures";
    CreateMeasure => "create_measure";
    EditMeasure => "edit_measure";
    /// Begin the work on a measure.
    StartMeasure => "start_measure";
    /// Report progress (进展报送).
    ReportProgress => "report_progress";
    /// Upload evidence (佐证材料).
    UploadEvidence => "upload_evidence";
    WithdrawEvidence => "withdraw_evidence";
    /// Ask for closure (申请销号).
    SubmitMeasure => "submit_measure";
    /// Ask for more time (延期申请).
    RequestExtension => "request_extension";
    /// The accountable leader's signature on a closure request (签字背书).
    EndorseMeasure => "endorse_measure";
    /// Check the evidence and close (审核验收/销号).
    VerifyMeasure => "verify_measure";
    /// Send a closure request back for rework (退回).
    ReturnMeasure => "return_measure";
    /// Remind a unit of a measure (催办).
    RemindMeasure => "remind_measure";
    /// Put a finding under listed supervision (挂牌督办), or take it off.
    SuperviseFinding => "supervise_finding";
    /// Re-check a closed measure (回头看) and record what was found.
    RecheckMeasure => "recheck_measure";
    /// Reopen a closed measure after a re-check (回头看).
    ReopenMeasure => "reopen_measure";
    /// The unit's side of a finding: claim it (认领), submit its plan.
    WorkFinding => "work_finding";
    /// Approve or return a finding's plan.
    ReviewPlan => "review_plan";
    /// Approve or reject an extension request.
    DecideExtension => "decide_extension";
    /// Check the audit trail's hash chain.
    VerifyAudit => "verify_audit";
    /// Subscribe other systems to events (webhooks).
    ManageWebhooks => "manage_webhooks";
    /// Keep the people directory (人员名录).
    ManagePeople => "manage_people";
    ReadDuties => "read_duties";
    /// Set up or change annual duties (年度任务) and their quotas.
    WriteDuty => "write_duty";
    /// Record an activity held (开展情况), or withdraw one.
    RecordActivity => "record_activity";
    /// Add kinds of activity.
    ManageActivityKinds => "manage_activity_kinds";
    /// Record a handover (责任交接) of measures from one holder to another.
    HandOver => "hand_over";
}

/// One way an item relates to the caller's units (only matters for unit-scoped roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The finding is assigned to one of the caller's units (责任单位), or the item belongs
    /// to such a finding.
    Responsible,
    /// One of the caller's units leads the measure (牵头单位), or a measure of the item.
    Lead,
    /// One of the caller's units supports the measure (配合单位), or a measure of the item.
    Supporting,
    /// Nothing of the caller's units.
    Unrelated,
}

impl Scope {
    pub const ALL: [Scope; 4] = [
        Scope::Responsible,
        Scope::Lead,
        Scope::Supporting,
        Scope::Unrelated,
    ];
}

/// Every way an item relates to the caller's units at once: a unit may both own a finding
/// and lead one of its measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Ties {
    pub responsible: bool,
    pub lead: bool,
    pub supporting: bool,
}

impl Ties {
    /// How callers who see everything relate to every item.
    pub const ALL: Ties = Ties {
        responsible: true,
        lead: true,
        supporting: true,
    };

    pub fn scopes(self) -> Vec<Scope> {
        let mut scopes = Vec::new();
        if self.responsible {
            scopes.push(Scope::Responsible);
        }
        if self.lead {
            scopes.push(Scope::Lead);
        }
        if self.supporting {
            scopes.push(Scope::Supporting);
        }
        if scopes.is_empty() {
            scopes.push(Scope::Unrelated);
        }
        scopes
    }

    pub fn any(self) -> bool {
        self.responsible || self.lead || self.supporting
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Decision {
    /// 404: the caller may not even know the item exists.
    Hidden,
    /// 403: the caller may see the item but not do this.
    Forbidden,
    Allow,
}

/// The decision for one relation.
pub fn decide(role: Role, action: Action, scope: Scope) -> Decision {
    use Action::*;
    use Decision::*;
    let read = matches!(
        action,
        ReadUnits | ReadInspections | ReadFindings | ReadMeasures | ReadDuties
    );
    match role {
        Role::Admin => Allow,
        // The office signs for nobody: endorsing is the unit leader's own act.
        Role::Office => match action {
            CreateUnit | EndorseMeasure => Forbidden,
            _ => Allow,
        },
        Role::Supervisor => match action {
            _ if read => Allow,
            ReopenMeasure | VerifyAudit | RemindMeasure | SuperviseFinding | RecheckMeasure => {
                Allow
            }
            _ => Forbidden,
        },
        Role::Viewer => {
            if read {
                Allow
            } else {
                Forbidden
            }
        }
        Role::Unit | Role::Leader => {
            if action == ReadUnits {
                // The unit directory is needed to name lead and supporting units.
                return Allow;
            }
            if matches!(
                action,
                CreateUnit
                    | VerifyAudit
                    | ManageWebhooks
                    | ManagePeople
                    | WriteDuty
                    | ManageActivityKinds
            ) {
                return Forbidden;
            }
            if scope == Scope::Unrelated {
                return Hidden;
            }
            if read {
                return Allow;
            }
            let allowed = match (role, scope) {
                // The finding's own unit: its plan and every measure of it.
                (Role::Unit, Scope::Responsible) => matches!(
                    action,
                    CreateMeasure
                        | EditMeasure
                        | StartMeasure
                        | ReportProgress
                        | UploadEvidence
                        | WithdrawEvidence
                        | SubmitMeasure
                        | RequestExtension
                        | WorkFinding
                        | RecordActivity
                ),
                // The lead unit works its measure, whoever owns the finding.
                (Role::Unit, Scope::Lead) => matches!(
                    action,
                    StartMeasure
                        | ReportProgress
                        | UploadEvidence
                        | WithdrawEvidence
                        | SubmitMeasure
                        | RequestExtension
                ),
                // A supporting unit contributes, and nothing more.
                (Role::Unit, Scope::Supporting) => {
                    matches!(action, ReportProgress | UploadEvidence)
                }
                // A leader signs for the measures its units lead.
                (Role::Leader, Scope::Lead) => {
                    matches!(action, EndorseMeasure | ReturnMeasure | HandOver)
                }
                // A leader records what the units he answers for held (a 中心组学习 he chaired).
                (Role::Leader, Scope::Responsible) => action == RecordActivity,
                _ => false,
            };
            if allowed {
                Allow
            } else {
                Forbidden
            }
        }
    }
}

/// The decision for an item with all its ties: the most any of them allows.
pub fn decide_ties(role: Role, action: Action, ties: Ties) -> Decision {
    ties.scopes()
        .into_iter()
        .map(|scope| decide(role, action, scope))
        .max()
        .unwrap_or(Decision::Hidden)
}

/// False when the role may never do this, whatever the item: such requests are refused
/// (403) before their body is even read.
pub fn ever_allowed(role: Role, action: Action) -> bool {
    Scope::ALL
        .into_iter()
        .any(|scope| decide(role, action, scope) != Decision::Forbidden)
}

/// What a caller may see.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Visibility {
    /// Everything (admin, office, supervisor, viewer): every item counts as their own.
    All,
    /// What concerns these units (by id): the caller's unit, the units it oversees (分管),
    /// and every unit below them. Sorted, without repeats.
    Units(Vec<String>),
}

impl Visibility {
    pub fn units(mut ids: Vec<String>) -> Visibility {
        ids.sort();
        ids.dedup();
        Visibility::Units(ids)
    }

    pub fn covers(&self, unit: &str) -> bool {
        match self {
            Visibility::All => true,
            Visibility::Units(ids) => ids.binary_search_by(|id| id.as_str().cmp(unit)).is_ok(),
        }
    }

    /// A measure's ties from its finding's responsible unit and its lead and supporting
    /// units.
    pub fn measure_ties(
        &self,
        finding_responsible: &str,
        lead: &str,
        supporting: &[String],
    ) -> Ties {
        match self {
            Visibility::All => Ties::ALL,
            Visibility::Units(_) => Ties {
                responsible: self.covers(finding_responsible),
                lead: self.covers(lead),
                supporting: supporting.iter().any(|s| self.covers(s)),
            },
        }
    }
}

/// Who acts: a caller's role and what it sees, or the system itself (the seed, an import
/// from the command line, background jobs), which acts with every right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub sub: String,
    /// The name it goes by (the people directory's, else the token's), recorded with
    /// what it does.
    pub name: Option<String>,
    pub role: Role,
    pub visibility: Visibility,
    /// Recorded as role `system` in the audit trail.
    pub system: bool,
}

impl Actor {
    /// The system, acting with every right.
    pub fn system(sub: &str) -> Actor {
        Actor {
            sub: sub.to_string(),
            name: None,
            role: Role::Admin,
            visibility: Visibility::All,
            system: true,
        }
    }

    /// A step of a ledger recorded elsewhere, replayed in the role that took it (a seed's
    /// extension request was asked by a unit), over the whole ledger.
    pub fn recorded(sub: &str, role: Role) -> Actor {
        Actor {
            sub: sub.to_string(),
            name: None,
            role,
            visibility: Visibility::All,
            system: false,
        }
    }

    /// The role written into the audit trail.
    pub fn label(&self) -> &'static str {
        if self.system {
            "system"
        } else {
            self.role.as_str()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use Action as X;

    /// Expected decisions per role and action, by relation: Responsible, Lead, Supporting,
    /// Unrelated. A = allow, F = forbidden (403), H = hidden (404).
    #[rustfmt::skip]
    const TABLE: &[(Role, &[(Action, &str)])] = &[
        (Role::Admin, &[
            (X::ReadUnits, "AAAA"), (X::CreateUnit, "AAAA"), (X::ReadInspections, "AAAA"),
            (X::WriteInspection, "AAAA"), (X::ReadFindings, "AAAA"), (X::WriteFinding, "AAAA"),
            (X::ReadMeasures, "AAAA"), (X::CreateMeasure, "AAAA"), (X::EditMeasure, "AAAA"),
            (X::StartMeasure, "AAAA"), (X::ReportProgress, "AAAA"), (X::UploadEvidence, "AAAA"),
            (X::WithdrawEvidence, "AAAA"), (X::SubmitMeasure, "AAAA"),
            (X::RequestExtension, "AAAA"), (X::EndorseMeasure, "AAAA"),
            (X::VerifyMeasure, "AAAA"), (X::ReturnMeasure, "AAAA"), (X::ReopenMeasure, "AAAA"),
            (X::RemindMeasure, "AAAA"), (X::SuperviseFinding, "AAAA"), (X::RecheckMeasure, "AAAA"),
            (X::WorkFinding, "AAAA"), (X::ReviewPlan, "AAAA"), (X::DecideExtension, "AAAA"),
            (X::VerifyAudit, "AAAA"), (X::ManageWebhooks, "AAAA"), (X::ManagePeople, "AAAA"),
            (X::HandOver, "AAAA"),
            (X::ReadDuties, "AAAA"), (X::WriteDuty, "AAAA"), (X::RecordActivity, "AAAA"),
            (X::ManageActivityKinds, "AAAA"),
        ]),
        (Role::Office, &[
            (X::ReadUnits, "AAAA"), (X::CreateUnit, "FFFF"), (X::ReadInspections, "AAAA"),
            (X::WriteInspection, "AAAA"), (X::ReadFindings, "AAAA"), (X::WriteFinding, "AAAA"),
            (X::ReadMeasures, "AAAA"), (X::CreateMeasure, "AAAA"), (X::EditMeasure, "AAAA"),
            (X::StartMeasure, "AAAA"), (X::ReportProgress, "AAAA"), (X::UploadEvidence, "AAAA"),
            (X::WithdrawEvidence, "AAAA"), (X::SubmitMeasure, "AAAA"),
            (X::RequestExtension, "AAAA"), (X::EndorseMeasure, "FFFF"),
            (X::VerifyMeasure, "AAAA"), (X::ReturnMeasure, "AAAA"), (X::ReopenMeasure, "AAAA"),
            (X::RemindMeasure, "AAAA"), (X::SuperviseFinding, "AAAA"), (X::RecheckMeasure, "AAAA"),
            (X::WorkFinding, "AAAA"), (X::ReviewPlan, "AAAA"), (X::DecideExtension, "AAAA"),
            (X::VerifyAudit, "AAAA"), (X::ManageWebhooks, "AAAA"), (X::ManagePeople, "AAAA"),
            (X::HandOver, "AAAA"),
            (X::ReadDuties, "AAAA"), (X::WriteDuty, "AAAA"), (X::RecordActivity, "AAAA"),
            (X::ManageActivityKinds, "AAAA"),
        ]),
        (Role::Unit, &[
            (X::ReadUnits, "AAAA"), (X::CreateUnit, "FFFF"), (X::ReadInspections, "AAAH"),
            (X::WriteInspection, "FFFH"), (X::ReadFindings, "AAAH"), (X::WriteFinding, "FFFH"),
            (X::ReadMeasures, "AAAH"), (X::CreateMeasure, "AFFH"), (X::EditMeasure, "AFFH"),
            (X::StartMeasure, "AAFH"), (X::ReportProgress, "AAAH"), (X::UploadEvidence, "AAAH"),
            (X::WithdrawEvidence, "AAFH"), (X::SubmitMeasure, "AAFH"),
            (X::RequestExtension, "AAFH"), (X::EndorseMeasure, "FFFH"),
            (X::VerifyMeasure, "FFFH"), (X::ReturnMeasure, "FFFH"), (X::ReopenMeasure, "FFFH"),
            (X::RemindMeasure, "FFFH"), (X::SuperviseFinding, "FFFH"), (X::RecheckMeasure, "FFFH"),
            (X::WorkFinding, "AFFH"), (X::ReviewPlan, "FFFH"), (X::DecideExtension, "FFFH"),
            (X::VerifyAudit, "FFFF"), (X::ManageWebhooks, "FFFF"), (X::ManagePeople, "FFFF"),
            (X::HandOver, "FFFH"),
            (X::ReadDuties, "AAAH"), (X::WriteDuty, "FFFF"), (X::RecordActivity, "AFFH"),
            (X::ManageActivityKinds, "FFFF"),
        ]),
        (Role::Leader, &[
            (X::ReadUnits, "AAAA"), (X::CreateUnit, "FFFF"), (X::ReadInspections, "AAAH"),
            (X::WriteInspection, "FFFH"), (X::ReadFindings, "AAAH"), (X::WriteFinding, "FFFH"),
            (X::ReadMeasures, "AAAH"), (X::CreateMeasure, "FFFH"), (X::EditMeasure, "FFFH"),
            (X::StartMeasure, "FFFH"), (X::ReportProgress, "FFFH"), (X::UploadEvidence, "FFFH"),
            (X::WithdrawEvidence, "FFFH"), (X::SubmitMeasure, "FFFH"),
            (X::RequestExtension, "FFFH"), (X::EndorseMeasure, "FAFH"),
            (X::VerifyMeasure, "FFFH"), (X::ReturnMeasure, "FAFH"), (X::ReopenMeasure, "FFFH"),
            (X::RemindMeasure, "FFFH"), (X::SuperviseFinding, "FFFH"), (X::RecheckMeasure, "FFFH"),
            (X::WorkFinding, "FFFH"), (X::ReviewPlan, "FFFH"), (X::DecideExtension, "FFFH"),
            (X::VerifyAudit, "FFFF"), (X::ManageWebhooks, "FFFF"), (X::ManagePeople, "FFFF"),
            (X::HandOver, "FAFH"),
            (X::ReadDuties, "AAAH"), (X::WriteDuty, "FFFF"), (X::RecordActivity, "AFFH"),
            (X::ManageActivityKinds, "FFFF"),
        ]),
        (Role::Supervisor, &[
            (X::ReadUnits, "AAAA"), (X::CreateUnit, "FFFF"), (X::ReadInspections, "AAAA"),
            (X::WriteInspection, "FFFF"), (X::ReadFindings, "AAAA"), (X::WriteFinding, "FFFF"),
            (X::ReadMeasures, "AAAA"), (X::CreateMeasure, "FFFF"), (X::EditMeasure, "FFFF"),
            (X::StartMeasure, "FFFF"), (X::ReportProgress, "FFFF"), (X::UploadEvidence, "FFFF"),
            (X::WithdrawEvidence, "FFFF"), (X::SubmitMeasure, "FFFF"),
            (X::RequestExtension, "FFFF"), (X::EndorseMeasure, "FFFF"),
            (X::VerifyMeasure, "FFFF"), (X::ReturnMeasure, "FFFF"), (X::ReopenMeasure, "AAAA"),
            (X::RemindMeasure, "AAAA"), (X::SuperviseFinding, "AAAA"), (X::RecheckMeasure, "AAAA"),
            (X::WorkFinding, "FFFF"), (X::ReviewPlan, "FFFF"), (X::DecideExtension, "FFFF"),
            (X::VerifyAudit, "AAAA"), (X::ManageWebhooks, "FFFF"), (X::ManagePeople, "FFFF"),
            (X::HandOver, "FFFF"),
            (X::ReadDuties, "AAAA"), (X::WriteDuty, "FFFF"), (X::RecordActivity, "FFFF"),
            (X::ManageActivityKinds, "FFFF"),
        ]),
        (Role::Viewer, &[
            (X::ReadUnits, "AAAA"), (X::CreateUnit, "FFFF"), (X::ReadInspections, "AAAA"),
            (X::WriteInspection, "FFFF"), (X::ReadFindings, "AAAA"), (X::WriteFinding, "FFFF"),
            (X::ReadMeasures, "AAAA"), (X::CreateMeasure, "FFFF"), (X::EditMeasure, "FFFF"),
            (X::StartMeasure, "FFFF"), (X::ReportProgress, "FFFF"), (X::UploadEvidence, "FFFF"),
            (X::WithdrawEvidence, "FFFF"), (X::SubmitMeasure, "FFFF"),
            (X::RequestExtension, "FFFF"), (X::EndorseMeasure, "FFFF"),
            (X::VerifyMeasure, "FFFF"), (X::ReturnMeasure, "FFFF"), (X::ReopenMeasure, "FFFF"),
            (X::RemindMeasure, "FFFF"), (X::SuperviseFinding, "FFFF"), (X::RecheckMeasure, "FFFF"),
            (X::WorkFinding, "FFFF"), (X::ReviewPlan, "FFFF"), (X::DecideExtension, "FFFF"),
            (X::VerifyAudit, "FFFF"), (X::ManageWebhooks, "FFFF"), (X::ManagePeople, "FFFF"),
            (X::HandOver, "FFFF"),
            (X::ReadDuties, "AAAA"), (X::WriteDuty, "FFFF"), (X::RecordActivity, "FFFF"),
            (X::ManageActivityKinds, "FFFF"),
        ]),
    ];

    fn expected(role: Role, action: Action, scope: Scope) -> Decision {
        let (_, rows) = TABLE.iter().find(|(r, _)| *r == role).expect("role listed");
        let (_, cells) = rows
            .iter()
            .find(|(a, _)| *a == action)
            .unwrap_or_else(|| panic!("{role:?} {action:?} missing"));
        let i = Scope::ALL.iter().position(|s| *s == scope).unwrap();
        match cells.as_bytes()[i] {
            b'A' => Decision::Allow,
            b'F' => Decision::Forbidden,
            _ => Decision::Hidden,
        }
    }

    #[test]
    fn every_cell_of_the_permission_table() {
        for (role, rows) in TABLE {
            assert_eq!(
                rows.len(),
                Action::ALL.len(),
                "{role:?}: every action listed"
            );
        }
        for role in Role::ALL {
            for action in Action::ALL {
                for scope in Scope::ALL {
                    assert_eq!(
                        decide(role, *action, scope),
                        expected(role, *action, scope),
                        "{role:?} {action:?} {scope:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn an_item_with_several_ties_allows_what_any_of_them_allows() {
        let owner_and_lead = Ties {
            responsible: true,
            lead: true,
            supporting: false,
        };
        // Editing comes from owning the finding, endorsing from leading the measure.
        assert_eq!(
            decide_ties(Role::Unit, Action::EditMeasure, owner_and_lead),
            Decision::Allow
        );
        assert_eq!(
            decide_ties(Role::Leader, Action::EndorseMeasure, owner_and_lead),
            Decision::Allow
        );
        let supporting = Ties {
            supporting: true,
            ..Ties::default()
        };
        assert_eq!(
            decide_ties(Role::Unit, Action::SubmitMeasure, supporting),
            Decision::Forbidden
        );
        assert_eq!(
            decide_ties(Role::Unit, Action::ReportProgress, supporting),
            Decision::Allow
        );
        assert_eq!(
            decide_ties(Role::Unit, Action::ReadMeasures, Ties::default()),
            Decision::Hidden
        );
    }

    #[test]
    fn a_role_is_turned_away_early_only_when_no_scope_allows_or_hides() {
        assert!(!ever_allowed(Role::Viewer, Action::EditMeasure));
        assert!(!ever_allowed(Role::Office, Action::CreateUnit));
        assert!(!ever_allowed(Role::Unit, Action::CreateUnit));
        assert!(!ever_allowed(Role::Unit, Action::ManagePeople));
        // Unrelated items answer 404, so the request must reach the item first.
        assert!(ever_allowed(Role::Unit, Action::WriteFinding));
        assert!(ever_allowed(Role::Leader, Action::EditMeasure));
        assert!(ever_allowed(Role::Unit, Action::EditMeasure));
    }

    #[test]
    fn every_rule_has_its_own_words() {
        let mut codes: Vec<_> = Action::ALL.iter().map(|a| a.code()).collect();
        codes.sort();
        codes.dedup();
        assert_eq!(codes.len(), Action::ALL.len(), "codes are distinct");
        let zh_of = |a: &Action| a.refusal().text.told(crate::i18n::Lang::ZhCn);
        let mut zh: Vec<_> = Action::ALL.iter().map(zh_of).collect();
        zh.sort();
        zh.dedup();
        assert_eq!(
            zh.len(),
            Action::ALL.len(),
            "no two rules share their words"
        );
        assert_eq!(
            zh_of(&Action::SubmitMeasure),
            "只有牵头单位或问题责任单位可以申请销号。"
        );
        let en = Action::SubmitMeasure
            .refusal()
            .text
            .told(crate::i18n::Lang::En);
        assert!(en.starts_with("Only the lead unit"), "{en}");
    }

    #[test]
    fn a_scope_covers_its_units_only() {
        let v = Visibility::units(vec!["b".into(), "a".into(), "b".into()]);
        assert_eq!(v, Visibility::Units(vec!["a".into(), "b".into()]));
        assert!(v.covers("a") && v.covers("b") && !v.covers("c"));
        let ties = v.measure_ties("c", "a", &["d".into()]);
        assert_eq!(
            ties,
            Ties {
                responsible: false,
                lead: true,
                supporting: false
            }
        );
        assert_eq!(Visibility::All.measure_ties("x", "y", &[]), Ties::ALL);
        assert_eq!(
            v.measure_ties("x", "y", &["b".into()]).scopes(),
            vec![Scope::Supporting]
        );
        assert_eq!(
            v.measure_ties("x", "y", &[]).scopes(),
            vec![Scope::Unrelated]
        );
    }

    #[test]
    fn roles_parse_from_their_claim_values() {
        for role in Role::ALL {
            assert_eq!(Role::parse(role.as_str()), Some(role));
        }
        assert_eq!(Role::parse("root"), None);
        assert!(
            Role::Unit.is_unit_scoped()
                && Role::Leader.is_unit_scoped()
                && !Role::Office.is_unit_scoped()
        );
    }
}
