//! Who may do what: one table of role × action × scope. Pure; the API asks it before every
//! operation, and lists apply the same scope in SQL.

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

    /// Roles that act for one unit and see only its items.
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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Action {
    ReadUnits,
    CreateUnit,
    ReadInspections,
    WriteInspection,
    ReadFindings,
    /// File, edit or reassign a finding.
    WriteFinding,
    ReadMeasures,
    CreateMeasure,
    EditMeasure,
    /// The unit's side of a measure: start, report progress, upload or withdraw evidence,
    /// ask for closure (申请销号) or for more time (延期申请).
    WorkMeasure,
    /// The accountable leader's signature on a closure request (签字背书).
    EndorseMeasure,
    /// Check the evidence and close (审核验收/销号).
    VerifyMeasure,
    /// Send a closure request back for rework (退回).
    ReturnMeasure,
    /// Reopen a closed measure after a re-check (回头看).
    ReopenMeasure,
    /// The unit's side of a finding: claim it (认领), submit its plan.
    WorkFinding,
    /// Approve or return a finding's plan.
    ReviewPlan,
    /// Approve or reject an extension request.
    DecideExtension,
    /// Check the audit trail's hash chain.
    VerifyAudit,
    /// Subscribe other systems to events (webhooks).
    ManageWebhooks,
}

impl Action {
    /// What the action is, for a 403's detail.
    pub fn describe(self) -> &'static str {
        match self {
            Action::ReadUnits => "read units",
            Action::CreateUnit => "create units",
            Action::ReadInspections => "read inspections",
            Action::WriteInspection => "create or change inspections",
            Action::ReadFindings => "read findings",
            Action::WriteFinding => "file, change or reassign findings",
            Action::ReadMeasures => "read measures",
            Action::CreateMeasure => "add measures to this finding",
            Action::EditMeasure => "change this measure",
            Action::WorkMeasure => "report on, submit or extend this measure",
            Action::EndorseMeasure => "endorse closure requests",
            Action::VerifyMeasure => "verify and close measures",
            Action::ReturnMeasure => "return closure requests",
            Action::ReopenMeasure => "reopen closed measures",
            Action::WorkFinding => "claim findings or submit their plans",
            Action::ReviewPlan => "approve or return plans",
            Action::DecideExtension => "decide extension requests",
            Action::VerifyAudit => "check the audit trail",
            Action::ManageWebhooks => "manage webhooks",
        }
    }

    pub const ALL: [Action; 19] = [
        Action::ReadUnits,
        Action::CreateUnit,
        Action::ReadInspections,
        Action::WriteInspection,
        Action::ReadFindings,
        Action::WriteFinding,
        Action::ReadMeasures,
        Action::CreateMeasure,
        Action::EditMeasure,
        Action::WorkMeasure,
        Action::EndorseMeasure,
        Action::VerifyMeasure,
        Action::ReturnMeasure,
        Action::ReopenMeasure,
        Action::WorkFinding,
        Action::ReviewPlan,
        Action::DecideExtension,
        Action::VerifyAudit,
        Action::ManageWebhooks,
    ];
}

/// How an item relates to the caller's unit (only matters for unit-scoped roles).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// The finding is assigned to the caller's unit (or the item belongs to such a finding).
    Responsible,
    /// The caller's unit leads or supports a measure of it, but is not responsible.
    Involved,
    /// Nothing of the caller's unit.
    Unrelated,
}

impl Scope {
    pub const ALL: [Scope; 3] = [Scope::Responsible, Scope::Involved, Scope::Unrelated];

    /// Responsibility wins over involvement.
    pub fn of(responsible: bool, involved: bool) -> Scope {
        match (responsible, involved) {
            (true, _) => Scope::Responsible,
            (false, true) => Scope::Involved,
            (false, false) => Scope::Unrelated,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Allow,
    /// 403: the caller may see the item but not do this.
    Forbidden,
    /// 404: the caller may not even know the item exists.
    Hidden,
}

pub fn decide(role: Role, action: Action, scope: Scope) -> Decision {
    use Action::*;
    use Decision::*;
    let read = matches!(
        action,
        ReadUnits | ReadInspections | ReadFindings | ReadMeasures
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
            ReopenMeasure | VerifyAudit => Allow,
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
            if matches!(action, CreateUnit | VerifyAudit | ManageWebhooks) {
                return Forbidden;
            }
            let own = match role {
                Role::Unit => matches!(
                    action,
                    CreateMeasure | EditMeasure | WorkMeasure | WorkFinding
                ),
                _ => matches!(action, EndorseMeasure | ReturnMeasure),
            };
            match (scope, read) {
                (Scope::Unrelated, _) => Hidden,
                (_, true) => Allow,
                (Scope::Responsible, false) if own => Allow,
                _ => Forbidden,
            }
        }
    }
}

/// False when the role may never do this, whatever the item: such requests are refused
/// (403) before their body is even read.
pub fn ever_allowed(role: Role, action: Action) -> bool {
    Scope::ALL
        .into_iter()
        .any(|scope| decide(role, action, scope) != Decision::Forbidden)
}

/// What a caller may see.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Visibility {
    /// Everything (admin, office, supervisor, viewer): every item counts as their own.
    All,
    /// What concerns this unit (by id).
    Unit(String),
}

impl Visibility {
    /// A measure's scope from its finding's responsible unit and its lead and supporting
    /// units.
    pub fn measure_scope(
        &self,
        finding_responsible: &str,
        lead: &str,
        supporting: &[String],
    ) -> Scope {
        match self {
            Visibility::All => Scope::Responsible,
            Visibility::Unit(unit) => Scope::of(
                finding_responsible == unit,
                lead == unit || supporting.iter().any(|s| s == unit),
            ),
        }
    }
}

/// Who acts: a caller's role and what it sees, or the system itself (the seed, an import
/// from the command line, background jobs), which acts with every right.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub sub: String,
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

    /// Expected decisions, one row per role and action: [Responsible, Involved, Unrelated].
    /// A = allow, F = forbidden (403), H = hidden (404).
    const TABLE: &[(Role, Action, [char; 3])] = &[
        (Role::Admin, Action::ReadUnits, ['A', 'A', 'A']),
        (Role::Admin, Action::CreateUnit, ['A', 'A', 'A']),
        (Role::Admin, Action::ReadInspections, ['A', 'A', 'A']),
        (Role::Admin, Action::WriteInspection, ['A', 'A', 'A']),
        (Role::Admin, Action::ReadFindings, ['A', 'A', 'A']),
        (Role::Admin, Action::WriteFinding, ['A', 'A', 'A']),
        (Role::Admin, Action::ReadMeasures, ['A', 'A', 'A']),
        (Role::Admin, Action::CreateMeasure, ['A', 'A', 'A']),
        (Role::Admin, Action::EditMeasure, ['A', 'A', 'A']),
        (Role::Admin, Action::WorkMeasure, ['A', 'A', 'A']),
        (Role::Admin, Action::EndorseMeasure, ['A', 'A', 'A']),
        (Role::Admin, Action::VerifyMeasure, ['A', 'A', 'A']),
        (Role::Admin, Action::ReturnMeasure, ['A', 'A', 'A']),
        (Role::Admin, Action::ReopenMeasure, ['A', 'A', 'A']),
        (Role::Admin, Action::WorkFinding, ['A', 'A', 'A']),
        (Role::Admin, Action::ReviewPlan, ['A', 'A', 'A']),
        (Role::Admin, Action::DecideExtension, ['A', 'A', 'A']),
        (Role::Admin, Action::VerifyAudit, ['A', 'A', 'A']),
        (Role::Admin, Action::ManageWebhooks, ['A', 'A', 'A']),
        (Role::Office, Action::ReadUnits, ['A', 'A', 'A']),
        (Role::Office, Action::CreateUnit, ['F', 'F', 'F']),
        (Role::Office, Action::ReadInspections, ['A', 'A', 'A']),
        (Role::Office, Action::WriteInspection, ['A', 'A', 'A']),
        (Role::Office, Action::ReadFindings, ['A', 'A', 'A']),
        (Role::Office, Action::WriteFinding, ['A', 'A', 'A']),
        (Role::Office, Action::ReadMeasures, ['A', 'A', 'A']),
        (Role::Office, Action::CreateMeasure, ['A', 'A', 'A']),
        (Role::Office, Action::EditMeasure, ['A', 'A', 'A']),
        (Role::Office, Action::WorkMeasure, ['A', 'A', 'A']),
        (Role::Office, Action::EndorseMeasure, ['F', 'F', 'F']),
        (Role::Office, Action::VerifyMeasure, ['A', 'A', 'A']),
        (Role::Office, Action::ReturnMeasure, ['A', 'A', 'A']),
        (Role::Office, Action::ReopenMeasure, ['A', 'A', 'A']),
        (Role::Office, Action::WorkFinding, ['A', 'A', 'A']),
        (Role::Office, Action::ReviewPlan, ['A', 'A', 'A']),
        (Role::Office, Action::DecideExtension, ['A', 'A', 'A']),
        (Role::Office, Action::VerifyAudit, ['A', 'A', 'A']),
        (Role::Office, Action::ManageWebhooks, ['A', 'A', 'A']),
        (Role::Unit, Action::ReadUnits, ['A', 'A', 'A']),
        (Role::Unit, Action::CreateUnit, ['F', 'F', 'F']),
        (Role::Unit, Action::ReadInspections, ['A', 'A', 'H']),
        (Role::Unit, Action::WriteInspection, ['F', 'F', 'H']),
        (Role::Unit, Action::ReadFindings, ['A', 'A', 'H']),
        (Role::Unit, Action::WriteFinding, ['F', 'F', 'H']),
        (Role::Unit, Action::ReadMeasures, ['A', 'A', 'H']),
        (Role::Unit, Action::CreateMeasure, ['A', 'F', 'H']),
        (Role::Unit, Action::EditMeasure, ['A', 'F', 'H']),
        (Role::Unit, Action::WorkMeasure, ['A', 'F', 'H']),
        (Role::Unit, Action::EndorseMeasure, ['F', 'F', 'H']),
        (Role::Unit, Action::VerifyMeasure, ['F', 'F', 'H']),
        (Role::Unit, Action::ReturnMeasure, ['F', 'F', 'H']),
        (Role::Unit, Action::ReopenMeasure, ['F', 'F', 'H']),
        (Role::Unit, Action::WorkFinding, ['A', 'F', 'H']),
        (Role::Unit, Action::ReviewPlan, ['F', 'F', 'H']),
        (Role::Unit, Action::DecideExtension, ['F', 'F', 'H']),
        (Role::Unit, Action::VerifyAudit, ['F', 'F', 'F']),
        (Role::Unit, Action::ManageWebhooks, ['F', 'F', 'F']),
        (Role::Leader, Action::ReadUnits, ['A', 'A', 'A']),
        (Role::Leader, Action::CreateUnit, ['F', 'F', 'F']),
        (Role::Leader, Action::ReadInspections, ['A', 'A', 'H']),
        (Role::Leader, Action::WriteInspection, ['F', 'F', 'H']),
        (Role::Leader, Action::ReadFindings, ['A', 'A', 'H']),
        (Role::Leader, Action::WriteFinding, ['F', 'F', 'H']),
        (Role::Leader, Action::ReadMeasures, ['A', 'A', 'H']),
        (Role::Leader, Action::CreateMeasure, ['F', 'F', 'H']),
        (Role::Leader, Action::EditMeasure, ['F', 'F', 'H']),
        (Role::Leader, Action::WorkMeasure, ['F', 'F', 'H']),
        (Role::Leader, Action::EndorseMeasure, ['A', 'F', 'H']),
        (Role::Leader, Action::VerifyMeasure, ['F', 'F', 'H']),
        (Role::Leader, Action::ReturnMeasure, ['A', 'F', 'H']),
        (Role::Leader, Action::ReopenMeasure, ['F', 'F', 'H']),
        (Role::Leader, Action::WorkFinding, ['F', 'F', 'H']),
        (Role::Leader, Action::ReviewPlan, ['F', 'F', 'H']),
        (Role::Leader, Action::DecideExtension, ['F', 'F', 'H']),
        (Role::Leader, Action::VerifyAudit, ['F', 'F', 'F']),
        (Role::Leader, Action::ManageWebhooks, ['F', 'F', 'F']),
        (Role::Supervisor, Action::ReadUnits, ['A', 'A', 'A']),
        (Role::Supervisor, Action::CreateUnit, ['F', 'F', 'F']),
        (Role::Supervisor, Action::ReadInspections, ['A', 'A', 'A']),
        (Role::Supervisor, Action::WriteInspection, ['F', 'F', 'F']),
        (Role::Supervisor, Action::ReadFindings, ['A', 'A', 'A']),
        (Role::Supervisor, Action::WriteFinding, ['F', 'F', 'F']),
        (Role::Supervisor, Action::ReadMeasures, ['A', 'A', 'A']),
        (Role::Supervisor, Action::CreateMeasure, ['F', 'F', 'F']),
        (Role::Supervisor, Action::EditMeasure, ['F', 'F', 'F']),
        (Role::Supervisor, Action::WorkMeasure, ['F', 'F', 'F']),
        (Role::Supervisor, Action::EndorseMeasure, ['F', 'F', 'F']),
        (Role::Supervisor, Action::VerifyMeasure, ['F', 'F', 'F']),
        (Role::Supervisor, Action::ReturnMeasure, ['F', 'F', 'F']),
        (Role::Supervisor, Action::ReopenMeasure, ['A', 'A', 'A']),
        (Role::Supervisor, Action::WorkFinding, ['F', 'F', 'F']),
        (Role::Supervisor, Action::ReviewPlan, ['F', 'F', 'F']),
        (Role::Supervisor, Action::DecideExtension, ['F', 'F', 'F']),
        (Role::Supervisor, Action::VerifyAudit, ['A', 'A', 'A']),
        (Role::Supervisor, Action::ManageWebhooks, ['F', 'F', 'F']),
        (Role::Viewer, Action::ReadUnits, ['A', 'A', 'A']),
        (Role::Viewer, Action::CreateUnit, ['F', 'F', 'F']),
        (Role::Viewer, Action::ReadInspections, ['A', 'A', 'A']),
        (Role::Viewer, Action::WriteInspection, ['F', 'F', 'F']),
        (Role::Viewer, Action::ReadFindings, ['A', 'A', 'A']),
        (Role::Viewer, Action::WriteFinding, ['F', 'F', 'F']),
        (Role::Viewer, Action::ReadMeasures, ['A', 'A', 'A']),
        (Role::Viewer, Action::CreateMeasure, ['F', 'F', 'F']),
        (Role::Viewer, Action::EditMeasure, ['F', 'F', 'F']),
        (Role::Viewer, Action::WorkMeasure, ['F', 'F', 'F']),
        (Role::Viewer, Action::EndorseMeasure, ['F', 'F', 'F']),
        (Role::Viewer, Action::VerifyMeasure, ['F', 'F', 'F']),
        (Role::Viewer, Action::ReturnMeasure, ['F', 'F', 'F']),
        (Role::Viewer, Action::ReopenMeasure, ['F', 'F', 'F']),
        (Role::Viewer, Action::WorkFinding, ['F', 'F', 'F']),
        (Role::Viewer, Action::ReviewPlan, ['F', 'F', 'F']),
        (Role::Viewer, Action::DecideExtension, ['F', 'F', 'F']),
        (Role::Viewer, Action::VerifyAudit, ['F', 'F', 'F']),
        (Role::Viewer, Action::ManageWebhooks, ['F', 'F', 'F']),
    ];

    #[test]
    fn every_cell_of_the_permission_table() {
        assert_eq!(
            TABLE.len(),
            Role::ALL.len() * Action::ALL.len(),
            "every role × action is listed"
        );
        for role in Role::ALL {
            for action in Action::ALL {
                let row = TABLE
                    .iter()
                    .find(|(r, a, _)| *r == role && *a == action)
                    .unwrap_or_else(|| panic!("{role:?} {action:?} missing"));
                for (i, scope) in Scope::ALL.into_iter().enumerate() {
                    let expected = match row.2[i] {
                        'A' => Decision::Allow,
                        'F' => Decision::Forbidden,
                        _ => Decision::Hidden,
                    };
                    assert_eq!(
                        decide(role, action, scope),
                        expected,
                        "{role:?} {action:?} {scope:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn a_role_is_turned_away_early_only_when_no_scope_allows_or_hides() {
        assert!(!ever_allowed(Role::Viewer, Action::EditMeasure));
        assert!(!ever_allowed(Role::Office, Action::CreateUnit));
        assert!(!ever_allowed(Role::Unit, Action::CreateUnit));
        // Unrelated items answer 404, so the request must reach the item first.
        assert!(ever_allowed(Role::Unit, Action::WriteFinding));
        assert!(ever_allowed(Role::Leader, Action::EditMeasure));
        assert!(ever_allowed(Role::Unit, Action::EditMeasure));
    }

    #[test]
    fn responsibility_outranks_involvement() {
        assert_eq!(Scope::of(true, true), Scope::Responsible);
        assert_eq!(Scope::of(true, false), Scope::Responsible);
        assert_eq!(Scope::of(false, true), Scope::Involved);
        assert_eq!(Scope::of(false, false), Scope::Unrelated);
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
