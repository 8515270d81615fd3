//! The closing workflow (对账销号) as pure state machines: which action moves a measure or a
//! finding from which state to which, and the rules around them. DOMAIN.md "State machines".

use serde::Serialize;

use super::enums::{FindingStatus, MeasureKind, MeasureStatus};
use super::permissions::{Action, Refusal};
use crate::i18n::{Arg, Text};

/// What can be done to a measure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum MeasureAction {
    Start,
    Report,
    Submit,
    Endorse,
    Verify,
    Return,
    Reopen,
}

impl MeasureAction {
    pub const ALL: [MeasureAction; 7] = [
        MeasureAction::Start,
        MeasureAction::Report,
        MeasureAction::Submit,
        MeasureAction::Endorse,
        MeasureAction::Verify,
        MeasureAction::Return,
        MeasureAction::Reopen,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            MeasureAction::Start => "start",
            MeasureAction::Report => "report",
            MeasureAction::Submit => "submit",
            MeasureAction::Endorse => "endorse",
            MeasureAction::Verify => "verify",
            MeasureAction::Return => "return",
            MeasureAction::Reopen => "reopen",
        }
    }

    /// The action as the office names it.
    pub fn label(self) -> &'static str {
        match self {
            MeasureAction::Start => "开始整改",
            MeasureAction::Report => "报送进展",
            MeasureAction::Submit => "申请销号",
            MeasureAction::Endorse => "签字背书",
            MeasureAction::Verify => "审核销号",
            MeasureAction::Return => "退回",
            MeasureAction::Reopen => "重新打开",
        }
    }

    fn term(self) -> Arg {
        let id = match self {
            MeasureAction::Start => "MeasureAction-start",
            MeasureAction::Report => "MeasureAction-report",
            MeasureAction::Submit => "MeasureAction-submit",
            MeasureAction::Endorse => "MeasureAction-endorse",
            MeasureAction::Verify => "MeasureAction-verify",
            MeasureAction::Return => "MeasureAction-return",
            MeasureAction::Reopen => "MeasureAction-reopen",
        };
        Arg::Term {
            id,
            zh: self.label(),
        }
    }

    /// The permission the action needs.
    pub const fn permission(self) -> Action {
        match self {
            MeasureAction::Start => Action::StartMeasure,
            MeasureAction::Report => Action::ReportProgress,
            MeasureAction::Submit => Action::SubmitMeasure,
            MeasureAction::Endorse => Action::EndorseMeasure,
            MeasureAction::Verify => Action::VerifyMeasure,
            MeasureAction::Return => Action::ReturnMeasure,
            MeasureAction::Reopen => Action::ReopenMeasure,
        }
    }
}

/// What can be done to a finding by hand (`long_term` and `closed` follow its measures).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum FindingAction {
    Claim,
    SubmitPlan,
    ApprovePlan,
    ReturnPlan,
}

impl FindingAction {
    pub const ALL: [FindingAction; 4] = [
        FindingAction::Claim,
        FindingAction::SubmitPlan,
        FindingAction::ApprovePlan,
        FindingAction::ReturnPlan,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FindingAction::Claim => "claim",
            FindingAction::SubmitPlan => "submit_plan",
            FindingAction::ApprovePlan => "approve_plan",
            FindingAction::ReturnPlan => "return_plan",
        }
    }

    /// The action as the office names it.
    pub fn label(self) -> &'static str {
        match self {
            FindingAction::Claim => "认领",
            FindingAction::SubmitPlan => "提交整改方案",
            FindingAction::ApprovePlan => "批准整改方案",
            FindingAction::ReturnPlan => "退回整改方案",
        }
    }

    fn term(self) -> Arg {
        let id = match self {
            FindingAction::Claim => "FindingAction-claim",
            FindingAction::SubmitPlan => "FindingAction-submit_plan",
            FindingAction::ApprovePlan => "FindingAction-approve_plan",
            FindingAction::ReturnPlan => "FindingAction-return_plan",
        };
        Arg::Term {
            id,
            zh: self.label(),
        }
    }

    pub const fn permission(self) -> Action {
        match self {
            FindingAction::Claim | FindingAction::SubmitPlan => Action::WorkFinding,
            FindingAction::ApprovePlan | FindingAction::ReturnPlan => Action::ReviewPlan,
        }
    }
}

/// An action the current state does not allow (409): what the state is, and what it allows
/// — as identifiers, and as a message in the office's words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrongState {
    pub action: &'static str,
    pub current: &'static str,
    pub allowed: Vec<&'static str>,
    pub text: Text,
}

impl WrongState {
    pub fn message(&self) -> String {
        self.text.to_string()
    }
}

/// Where `action` takes a measure in `status`, if anywhere.
pub fn measure_next(
    status: MeasureStatus,
    kind: MeasureKind,
    action: MeasureAction,
) -> Option<MeasureStatus> {
    use MeasureAction as A;
    use MeasureStatus as S;
    match (status, action) {
        (S::NotStarted, A::Start) => Some(S::InProgress),
        // A long-term measure keeps going (长期坚持) once it reports.
        (S::InProgress, A::Report) if kind == MeasureKind::LongTerm => Some(S::Ongoing),
        (S::InProgress, A::Report) => Some(S::InProgress),
        (S::Ongoing, A::Report) => Some(S::Ongoing),
        (S::InProgress | S::Ongoing, A::Submit) => Some(S::Submitted),
        (S::Submitted, A::Endorse) => Some(S::Endorsed),
        (S::Endorsed, A::Verify) => Some(S::Closed),
        (S::Submitted | S::Endorsed, A::Return) => Some(S::InProgress),
        (S::Closed, A::Reopen) => Some(S::InProgress),
        _ => None,
    }
}

/// The actions a measure in `status` allows.
pub fn measure_actions(status: MeasureStatus, kind: MeasureKind) -> Vec<&'static str> {
    MeasureAction::ALL
        .into_iter()
        .filter(|a| measure_next(status, kind, *a).is_some())
        .map(MeasureAction::as_str)
        .collect()
}

pub fn measure_transition(
    status: MeasureStatus,
    kind: MeasureKind,
    action: MeasureAction,
) -> Result<MeasureStatus, WrongState> {
    measure_next(status, kind, action).ok_or_else(|| {
        let allowed = MeasureAction::ALL
            .into_iter()
            .filter(|a| measure_next(status, kind, *a).is_some())
            .map(|a| (a.as_str(), a.term()))
            .collect();
        let text = Text::new("wrong-state-measure").with("current", status);
        wrong_state(
            text,
            (action.as_str(), action.term()),
            status.as_str(),
            allowed,
        )
    })
}

pub fn finding_next(status: FindingStatus, action: FindingAction) -> Option<FindingStatus> {
    use FindingAction as A;
    use FindingStatus as S;
    match (status, action) {
        (S::Assigned, A::Claim) => Some(S::Claimed),
        (S::Claimed, A::SubmitPlan) => Some(S::PlanSubmitted),
        (S::PlanSubmitted, A::ApprovePlan) => Some(S::InProgress),
        (S::PlanSubmitted, A::ReturnPlan) => Some(S::Claimed),
        _ => None,
    }
}

pub fn finding_actions(status: FindingStatus) -> Vec<&'static str> {
    FindingAction::ALL
        .into_iter()
        .filter(|a| finding_next(status, *a).is_some())
        .map(FindingAction::as_str)
        .collect()
}

pub fn finding_transition(
    status: FindingStatus,
    action: FindingAction,
) -> Result<FindingStatus, WrongState> {
    finding_next(status, action).ok_or_else(|| {
        let allowed = FindingAction::ALL
            .into_iter()
            .filter(|a| finding_next(status, *a).is_some())
            .map(|a| (a.as_str(), a.term()))
            .collect();
        let text = Text::new("wrong-state-finding").with("current", status);
        wrong_state(
            text,
            (action.as_str(), action.term()),
            status.as_str(),
            allowed,
        )
    })
}

/// A refused action of either machine: `text` (which names the state) completed with the
/// action and what the state allows, each as identifier and as the office's word.
fn wrong_state(
    text: Text,
    (action, action_term): (&'static str, Arg),
    current: &'static str,
    allowed: Vec<(&'static str, Arg)>,
) -> WrongState {
    let (ids, terms): (Vec<&'static str>, Vec<Arg>) = allowed.into_iter().unzip();
    WrongState {
        action,
        current,
        text: text
            .with("action", action_term)
            .with("count", ids.len())
            .with("allowed", Arg::List(terms)),
        allowed: ids,
    }
}

/// A finding's status as its measures imply: closed when every measure is closed (its last
/// verify closes it), 阶段性完成 (`long_term`) when only long-term ones remain open, and
/// back in progress when a measure reopens or a new one is added.
pub fn derive_finding(
    status: FindingStatus,
    measures: &[(MeasureStatus, MeasureKind)],
) -> FindingStatus {
    use FindingStatus as S;
    if measures.is_empty() {
        return status;
    }
    let open: Vec<_> = measures
        .iter()
        .filter(|(s, _)| *s != MeasureStatus::Closed)
        .collect();
    if open.is_empty() {
        return S::Closed;
    }
    let only_long_term_open = open.iter().all(|(_, k)| *k == MeasureKind::LongTerm);
    match status {
        S::Closed => {
            if only_long_term_open {
                S::LongTerm
            } else {
                S::InProgress
            }
        }
        S::InProgress if only_long_term_open => S::LongTerm,
        S::LongTerm if !only_long_term_open => S::InProgress,
        other => other,
    }
}

/// Whether the finding lets `action` happen to a measure of `kind` yet: nothing before the
/// unit has claimed it (认领); a 限期整改 or 长期坚持 measure starts only once the plan
/// (整改方案) is approved, a 立行立改 one as soon as the finding is claimed. The refusal
/// says what is awaited.
pub fn finding_admits(
    finding: FindingStatus,
    kind: MeasureKind,
    action: MeasureAction,
) -> Result<(), Text> {
    use FindingStatus as F;
    match (finding, kind, action) {
        (F::Assigned, _, _) => Err(crate::text!("finding-not-claimed")),
        (
            F::Claimed | F::PlanSubmitted,
            MeasureKind::TimeBound | MeasureKind::LongTerm,
            MeasureAction::Start,
        ) => Err(crate::text!("plan-not-approved")),
        _ => Ok(()),
    }
}

/// Who may still add measures to a finding in `status`: its unit until the plan is
/// submitted (again after a returned plan), the office until the finding closes.
pub fn may_add_measure(finding: FindingStatus, by_unit: bool) -> Result<(), Text> {
    use FindingStatus as S;
    match (finding, by_unit) {
        (S::Closed, _) => Err(crate::text!("finding-closed-no-measures")),
        (S::Assigned | S::Claimed, true) | (_, false) => Ok(()),
        (other, true) => Err(crate::text!(
            "finding-plan-submitted-office-adds",
            status = other
        )),
    }
}

/// A distinct person at every signature of a closure request: the one who endorses did not
/// ask for it, the one who verifies did neither. The refusal, if `signer` signed already.
pub fn distinct_signer(
    action: MeasureAction,
    submitted_by: Option<&str>,
    endorsed_by: Option<&str>,
    signer: &str,
) -> Result<(), Refusal> {
    match action {
        MeasureAction::Endorse if submitted_by == Some(signer) => Err(Refusal::new(
            "distinct_endorser",
            crate::text!("refusal-distinct_endorser"),
        )),
        MeasureAction::Verify if submitted_by == Some(signer) => Err(Refusal::new(
            "distinct_verifier",
            crate::text!("refusal-distinct_verifier-submitter"),
        )),
        MeasureAction::Verify if endorsed_by == Some(signer) => Err(Refusal::new(
            "distinct_verifier",
            crate::text!("refusal-distinct_verifier-endorser"),
        )),
        _ => Ok(()),
    }
}

/// When a measure names its accountable leader as a person (`accountable_leader_sub`),
/// only that person signs its closure request.
pub fn named_endorser(
    action: MeasureAction,
    accountable_sub: Option<&str>,
    signer: &str,
) -> Result<(), Refusal> {
    match (action, accountable_sub) {
        (MeasureAction::Endorse, Some(named)) if named != signer => Err(Refusal::new(
            "named_endorser",
            crate::text!("refusal-named_endorser", named = named),
        )),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MeasureKind as K;
    use MeasureStatus as S;

    #[test]
    fn the_measure_machine_is_exactly_the_diagram() {
        use MeasureAction as A;
        const ANY: &[K] = &[K::Immediate, K::TimeBound, K::LongTerm];
        const FIXED: &[K] = &[K::Immediate, K::TimeBound];
        let diagram: [(S, &[K], A, S); 11] = [
            (S::NotStarted, ANY, A::Start, S::InProgress),
            (S::InProgress, FIXED, A::Report, S::InProgress),
            (S::InProgress, &[K::LongTerm], A::Report, S::Ongoing),
            (S::Ongoing, ANY, A::Report, S::Ongoing),
            (S::InProgress, ANY, A::Submit, S::Submitted),
            (S::Ongoing, ANY, A::Submit, S::Submitted),
            (S::Submitted, ANY, A::Endorse, S::Endorsed),
            (S::Endorsed, ANY, A::Verify, S::Closed),
            (S::Submitted, ANY, A::Return, S::InProgress),
            (S::Endorsed, ANY, A::Return, S::InProgress),
            (S::Closed, ANY, A::Reopen, S::InProgress),
        ];
        for from in S::ALL {
            for kind in K::ALL {
                for action in MeasureAction::ALL {
                    let expected = diagram
                        .iter()
                        .find(|(f, kinds, a, _)| f == from && *a == action && kinds.contains(kind))
                        .map(|(_, _, _, to)| *to);
                    assert_eq!(
                        measure_next(*from, *kind, action),
                        expected,
                        "{from:?} {kind:?} {action:?}"
                    );
                }
            }
        }
    }

    #[test]
    fn no_verify_without_submit_and_endorse() {
        for from in [
            S::NotStarted,
            S::InProgress,
            S::Ongoing,
            S::Submitted,
            S::Closed,
        ] {
            let err = measure_transition(from, K::TimeBound, MeasureAction::Verify).unwrap_err();
            assert_eq!(err.current, from.as_str());
            assert!(!err.allowed.contains(&"verify"));
        }
        let err =
            measure_transition(S::Submitted, K::TimeBound, MeasureAction::Verify).unwrap_err();
        assert_eq!(err.allowed, vec!["endorse", "return"]);
        assert_eq!(
            err.text.told(crate::i18n::Lang::ZhCn),
            "该措施当前状态为“已申请销号”，不能执行“审核销号”；当前可执行：签字背书、退回。"
        );
        assert!(err
            .message()
            .contains("what can be done now: endorse, return"));
    }

    #[test]
    fn a_closed_measure_only_reopens() {
        assert_eq!(measure_actions(S::Closed, K::TimeBound), vec!["reopen"]);
        assert_eq!(measure_actions(S::NotStarted, K::LongTerm), vec!["start"]);
    }

    #[test]
    fn the_finding_machine_and_its_plan() {
        use FindingAction as A;
        use FindingStatus as F;
        assert_eq!(finding_next(F::Assigned, A::Claim), Some(F::Claimed));
        assert_eq!(
            finding_next(F::Claimed, A::SubmitPlan),
            Some(F::PlanSubmitted)
        );
        assert_eq!(
            finding_next(F::PlanSubmitted, A::ApprovePlan),
            Some(F::InProgress)
        );
        assert_eq!(
            finding_next(F::PlanSubmitted, A::ReturnPlan),
            Some(F::Claimed)
        );
        for status in F::ALL {
            for action in FindingAction::ALL {
                let expected = matches!(
                    (status, action),
                    (F::Assigned, A::Claim)
                        | (F::Claimed, A::SubmitPlan)
                        | (F::PlanSubmitted, A::ApprovePlan | A::ReturnPlan)
                );
                assert_eq!(finding_next(*status, action).is_some(), expected);
            }
        }
        let err = finding_transition(F::Closed, A::Claim).unwrap_err();
        assert_eq!(err.current, "closed");
        assert!(err.allowed.is_empty());
    }

    #[test]
    fn a_finding_follows_its_measures() {
        use FindingStatus as F;
        let closed = (S::Closed, K::TimeBound);
        let open = (S::InProgress, K::TimeBound);
        let long = (S::Ongoing, K::LongTerm);
        assert_eq!(derive_finding(F::InProgress, &[closed, closed]), F::Closed);
        assert_eq!(derive_finding(F::Claimed, &[closed]), F::Closed);
        assert_eq!(
            derive_finding(F::InProgress, &[closed, open]),
            F::InProgress
        );
        assert_eq!(derive_finding(F::InProgress, &[closed, long]), F::LongTerm);
        assert_eq!(derive_finding(F::Closed, &[closed, open]), F::InProgress);
        assert_eq!(
            derive_finding(F::LongTerm, &[closed, long, open]),
            F::InProgress
        );
        // Before the plan is approved, open long-term work does not make it 阶段性完成.
        assert_eq!(derive_finding(F::Claimed, &[closed, long]), F::Claimed);
        assert_eq!(derive_finding(F::Assigned, &[]), F::Assigned);
    }

    #[test]
    fn measures_are_added_by_the_unit_before_its_plan_and_by_the_office_until_closed() {
        use FindingStatus as F;
        assert!(may_add_measure(F::Assigned, true).is_ok());
        assert!(may_add_measure(F::Claimed, true).is_ok());
        assert!(may_add_measure(F::PlanSubmitted, true).is_err());
        assert!(may_add_measure(F::InProgress, true).is_err());
        assert!(may_add_measure(F::InProgress, false).is_ok());
        assert!(may_add_measure(F::Closed, false).is_err());
        use MeasureAction as A;
        assert!(finding_admits(F::Assigned, K::Immediate, A::Start).is_err());
        assert!(finding_admits(F::Claimed, K::Immediate, A::Start).is_ok());
        for waiting in [F::Claimed, F::PlanSubmitted] {
            for kind in [K::TimeBound, K::LongTerm] {
                let refused = finding_admits(waiting, kind, A::Start).expect_err("plan first");
                let refused = refused.told(crate::i18n::Lang::ZhCn);
                assert!(refused.contains("整改方案"), "{refused}");
                assert!(finding_admits(waiting, kind, A::Report).is_ok());
            }
        }
        for approved in [F::InProgress, F::LongTerm] {
            assert!(finding_admits(approved, K::TimeBound, A::Start).is_ok());
        }
    }

    #[test]
    fn every_signature_is_a_distinct_person() {
        use MeasureAction as A;
        let (asked, endorsed) = (Some("li.zhk"), Some("zhang.leader"));
        assert!(distinct_signer(A::Endorse, asked, None, "li.zhk").is_err());
        assert!(distinct_signer(A::Endorse, asked, None, "zhang.leader").is_ok());
        assert!(distinct_signer(A::Verify, asked, endorsed, "li.zhk").is_err());
        assert!(distinct_signer(A::Verify, asked, endorsed, "zhang.leader").is_err());
        assert!(distinct_signer(A::Verify, asked, endorsed, "wang.office").is_ok());
        assert!(distinct_signer(A::Verify, None, None, "wang.office").is_ok());
        // Other actions sign nothing.
        assert!(distinct_signer(A::Report, asked, endorsed, "li.zhk").is_ok());
        let refused = distinct_signer(A::Verify, asked, endorsed, "zhang.leader").unwrap_err();
        assert_eq!(refused.rule, "distinct_verifier");
        assert!(refused
            .text
            .told(crate::i18n::Lang::ZhCn)
            .contains("第三人"));
    }

    #[test]
    fn a_named_leader_signs_alone() {
        use MeasureAction as A;
        assert!(named_endorser(A::Endorse, Some("zhang.fg"), "zhang.fg").is_ok());
        let refused = named_endorser(A::Endorse, Some("zhang.fg"), "li.other").unwrap_err();
        for lang in [crate::i18n::Lang::ZhCn, crate::i18n::Lang::En] {
            assert!(refused.text.told(lang).contains("zhang.fg"));
        }
        assert!(named_endorser(A::Endorse, None, "anyone").is_ok());
        assert!(named_endorser(A::Verify, Some("zhang.fg"), "wang.office").is_ok());
    }
}
