//! Bodies of the workflow actions (`POST …/actions/{action}`), one type per action so that
//! each has its own schema in the OpenAPI document.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;
use validator::Validate;

use super::not_blank;
use crate::domain::permissions::Action;
use crate::domain::workflow::{FindingAction, MeasureAction};
use crate::service::workflow::{ActionForm, ClosureForm, ProgressForm};

/// Nothing to say but, when entering history late, the day; the body may be left out.
#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NoFields {
    /// 补录 (office and admin only): the day this step really happened, when history is
    /// entered late; not in the future, not before the feedback date or the previous step.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub effective_date: Option<chrono::NaiveDate>,
}

/// A progress report (进展报送).
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "已完成《机关差旅费管理办法》修订初稿，正在征求意见。", "percent": 60}))]
pub struct ReportProgress {
    #[validate(length(min = 1, max = 5000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 5000, pattern = "\\S")]
    pub text: String,
    /// Share of the work done, 0–100.
    #[validate(range(min = 0, max = 100))]
    #[schema(minimum = 0, maximum = 100)]
    pub percent: i32,
    /// Evidence of this measure the report points to.
    #[validate(length(max = 50))]
    #[schema(max_items = 50)]
    pub evidence_ids: Option<Vec<Uuid>>,
    /// 补录 (office and admin only): the day this step really happened, when history is
    /// entered late; not in the future, not before the feedback date or the previous step.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub effective_date: Option<chrono::NaiveDate>,
}

/// A closure request (申请销号): what was done, and the evidence (佐证材料) for it.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({
    "statement": "已印发《机关差旅费管理办法（修订）》，对2021年以来差旅费报销逐笔复核，违规报销款已全部退回。",
    "evidence_ids": ["01934f2e-9c00-7a11-8b22-3c4d5e6f7a8b"]
}))]
pub struct SubmitClosure {
    #[validate(length(min = 1, max = 5000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 5000, pattern = "\\S")]
    pub statement: String,
    /// At least one evidence file of this measure; cited evidence is frozen.
    #[validate(length(min = 1, max = 50))]
    #[schema(min_items = 1, max_items = 50)]
    pub evidence_ids: Vec<Uuid>,
    /// 补录 (office and admin only): the day this step really happened, when history is
    /// entered late; not in the future, not before the feedback date or the previous step.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub effective_date: Option<chrono::NaiveDate>,
}

/// An optional comment (endorse, verify, approve a plan or an extension).
#[derive(Debug, Clone, Default, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Comment {
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub comment: Option<String>,
    /// 补录 (office and admin only): the day this step really happened, when history is
    /// entered late; not in the future, not before the feedback date or the previous step.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub effective_date: Option<chrono::NaiveDate>,
}

/// Why (required): a return, a reopen, a returned plan, a rejected extension.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"reason": "佐证材料不完整，缺少退款凭证。"}))]
pub struct Reason {
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub reason: String,
    /// 补录 (office and admin only): the day this step really happened, when history is
    /// entered late; not in the future, not before the feedback date or the previous step.
    #[serde(default, deserialize_with = "super::clerk_date_opt")]
    pub effective_date: Option<chrono::NaiveDate>,
}

/// A reminder (催办): what the unit is reminded of.
#[derive(Debug, Clone, Deserialize, Serialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(example = json!({"text": "该措施已超期，请于3个工作日内报送整改进展并说明原因。"}))]
pub struct Reminder {
    #[validate(length(min = 1, max = 2000), custom(function = "not_blank"))]
    #[schema(min_length = 1, max_length = 2000, pattern = "\\S")]
    pub text: String,
}

/// What an action carries into the ledger and the audit trail.
#[derive(Debug, Clone, Serialize)]
#[serde(untagged)]
pub enum ActionInput {
    None(NoFields),
    Report(ReportProgress),
    Submit(SubmitClosure),
    Comment(Comment),
    Reason(Reason),
}

impl ActionInput {
    /// The day the step really happened, when entered late (补录).
    pub fn effective_date(&self) -> Option<chrono::NaiveDate> {
        match self {
            ActionInput::None(b) => b.effective_date,
            ActionInput::Report(b) => b.effective_date,
            ActionInput::Submit(b) => b.effective_date,
            ActionInput::Comment(b) => b.effective_date,
            ActionInput::Reason(b) => b.effective_date,
        }
    }
}

impl From<ActionInput> for ActionForm {
    fn from(input: ActionInput) -> ActionForm {
        match input {
            ActionInput::None(_) => ActionForm::None {},
            ActionInput::Report(r) => ActionForm::Report(ProgressForm {
                text: r.text,
                percent: r.percent,
                evidence_ids: r.evidence_ids,
            }),
            ActionInput::Submit(s) => ActionForm::Submit(ClosureForm {
                statement: s.statement,
                evidence_ids: s.evidence_ids,
            }),
            ActionInput::Comment(c) => ActionForm::Comment { comment: c.comment },
            ActionInput::Reason(r) => ActionForm::Reason { reason: r.reason },
        }
    }
}

/// Typed wrappers, one per action: each names the action it takes, and its permission —
/// checked before its body is read — is that action's (`MeasureAction::permission`).
macro_rules! action_body {
    ($($name:ident($inner:ident) => $variant:ident, $kind:ident($act:ident);)+) => {
        $(
            #[derive(Debug, Clone, Deserialize, ToSchema)]
            #[serde(transparent)]
            pub struct $name(pub $inner);

            impl Validate for $name {
                fn validate(&self) -> Result<(), validator::ValidationErrors> {
                    self.0.validate()
                }
            }

            impl From<$name> for ActionInput {
                fn from(body: $name) -> ActionInput {
                    ActionInput::$variant(body.0)
                }
            }

            action_body!(@does $name $kind $act);

            impl crate::api::extract::Guarded for $name {
                const ACTION: Action = action_body!(@permission $kind $act);
                const EMPTY_OK: bool = action_body!(@empty $variant);
            }
        )+
    };
    (@does $name:ident Measure $act:ident) => {
        impl $name {
            pub const DOES: MeasureAction = MeasureAction::$act;
        }
    };
    (@does $name:ident Finding $act:ident) => {
        impl $name {
            pub const DOES: FindingAction = FindingAction::$act;
        }
    };
    (@does $name:ident Permission $act:ident) => {};
    (@permission Measure $act:ident) => { MeasureAction::$act.permission() };
    (@permission Finding $act:ident) => { FindingAction::$act.permission() };
    (@permission Permission $act:ident) => { Action::$act };
    (@empty None) => { true };
    (@empty Comment) => { true };
    (@empty $other:ident) => { false };
}

action_body! {
    StartBody(NoFields) => None, Measure(Start);
    ReportBody(ReportProgress) => Report, Measure(Report);
    SubmitBody(SubmitClosure) => Submit, Measure(Submit);
    EndorseBody(Comment) => Comment, Measure(Endorse);
    VerifyBody(Comment) => Comment, Measure(Verify);
    ReturnBody(Reason) => Reason, Measure(Return);
    ReopenBody(Reason) => Reason, Measure(Reopen);
    ListSupervisionBody(Reason) => Reason, Permission(SuperviseFinding);
    UnlistSupervisionBody(Reason) => Reason, Permission(SuperviseFinding);
    ClaimBody(NoFields) => None, Finding(Claim);
    SubmitPlanBody(NoFields) => None, Finding(SubmitPlan);
    ApprovePlanBody(Comment) => Comment, Finding(ApprovePlan);
    ReturnPlanBody(Reason) => Reason, Finding(ReturnPlan);
    ApproveExtensionBody(Comment) => Comment, Permission(DecideExtension);
    RejectExtensionBody(Reason) => Reason, Permission(DecideExtension);
}
