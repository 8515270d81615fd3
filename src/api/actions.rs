//! The closing workflow over HTTP: `POST /measures/{id}/actions/{action}` and
//! `POST /findings/{id}/actions/{action}`, one operation per action so that each has its
//! own body in the OpenAPI document. Every action answers the updated object with its ETag,
//! honours `If-Match`, and is refused with 409 (state, allowed actions) when the state does
//! not allow it.

use actix_web::{post, web, HttpResponse};
use uuid::Uuid;

use super::dto::actions::{
    ActionInput, ApprovePlanBody, ClaimBody, EndorseBody, ReopenBody, ReportBody, ReturnBody,
    ReturnPlanBody, StartBody, SubmitBody, SubmitPlanBody, VerifyBody,
};
use super::dto::findings::Finding;
use super::dto::measures::Measure;
use super::extract::{etag, Body, IfMatch};
use super::{write_on, AppState};
use crate::auth::caller::Caller;
use crate::domain::workflow::{FindingAction, MeasureAction};
use crate::error::ApiError;
use crate::service::workflow;

async fn on_measure(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    if_match: Option<i32>,
    action: MeasureAction,
    input: ActionInput,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let effective = input.effective_date();
    let input = input.into();
    let (row, units) = write_on(&state, &caller, effective, move |conn, ctx| {
        crate::service::oversight::act(conn, ctx, &id, action, &input, if_match)
    })
    .await?;
    let body = Measure::from_row(row, units, &state.today())?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body))
}

async fn on_finding(
    state: web::Data<AppState>,
    caller: Caller,
    id: Uuid,
    if_match: Option<i32>,
    action: FindingAction,
    input: ActionInput,
) -> Result<HttpResponse, ApiError> {
    let id = id.to_string();
    let effective = input.effective_date();
    let input = input.into();
    let today = state.today();
    let body = write_on(&state, &caller, effective, move |conn, ctx| {
        let row = workflow::act_on_finding(conn, ctx, &id, action, &input, if_match)?;
        Ok(super::findings::present(conn, vec![row], &today)?.remove(0))
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(body.version))
        .json(body))
}

/// One operation per action, so each has its own body in the OpenAPI document; `$summary`
/// and `$what` become its description.
macro_rules! action {
    ($on:ident, $object:ty, $id:literal, $after:literal,
     $name:ident, $path:literal, $op:literal, $body:ident, $summary:literal, $what:literal) => {
        #[doc = $summary]
        #[doc = ""]
        #[doc = $what]
        #[utoipa::path(tag = "workflow", operation_id = $op,
            params(("id" = Uuid, Path, description = $id),
                   ("If-Match" = Option<String>, Header, description = "The ETag last seen; a stale one answers 412")),
            request_body = $body, responses(
            (status = 200, description = $after, body = $object,
                headers(("ETag" = String, description = "The new version"))),
            (status = 403, description = "The caller may see the item but not do this: `rule` names the rule that refused (`start_measure`, `submit_measure`, `endorse_measure`, `distinct_verifier`, `named_endorser`, …), `detail` says it in English and `detail_zh` in Chinese.",
                body = crate::error::Problem, content_type = "application/problem+json"),
            (status = 404, description = "No such item, or none the caller may see.",
                body = crate::error::Problem, content_type = "application/problem+json"),
            (status = 409, description = "The state does not allow this; `current_state` and `allowed_actions` say what does.",
                body = crate::error::Problem, content_type = "application/problem+json"),
            (status = 412, description = "`If-Match` names an older version; nothing changed.",
                body = crate::error::Problem, content_type = "application/problem+json"),
        ))]
        #[post($path)]
        pub async fn $name(
            state: web::Data<AppState>,
            caller: Caller,
            id: web::Path<Uuid>,
            IfMatch(if_match): IfMatch,
            Body(input): Body<$body>,
        ) -> Result<HttpResponse, ApiError> {
            $on(state, caller, id.into_inner(), if_match, $body::DOES, input.into()).await
        }
    };
}

macro_rules! measure_action {
    ($($rest:tt)*) => {
        action!(on_measure, Measure, "Measure id", "The measure after the action.", $($rest)*);
    };
}

macro_rules! finding_action {
    ($($rest:tt)*) => {
        action!(on_finding, Finding, "Finding id", "The finding after the action.", $($rest)*);
    };
}

measure_action!(start, "/measures/{id}/actions/start", "start_measure", StartBody, "Start work on a measure (not_started → in_progress).",
    "The staff of the measure's lead unit or of the finding's responsible unit (or the office). A 立行立改 measure starts once the finding is claimed; a time-bound or long-term one once its plan is approved (409 before). The body may be left out.");
measure_action!(report, "/measures/{id}/actions/report", "report_progress", ReportBody, "Report progress (进展报送).",
    "The staff of the lead unit, of a supporting unit (配合单位) or of the finding's responsible unit. Text, percent done and optionally evidence of this measure. A long-term measure becomes `ongoing` (长期坚持).");
measure_action!(submit, "/measures/{id}/actions/submit", "submit_closure", SubmitBody, "Ask for closure (申请销号): in_progress/ongoing → submitted.",
    "The staff of the lead unit or of the finding's responsible unit (not a supporting unit). Needs a closing statement and at least one evidence file of this measure; the cited evidence is frozen.");
measure_action!(
    endorse,
    "/measures/{id}/actions/endorse",
    "endorse_closure",
    EndorseBody,
    "Endorse a closure request (签字背书): submitted → endorsed.",
    "A leader over the measure's lead unit (its own, one it oversees, or a unit above it); when the measure names `accountable_leader_sub`, that person only. Never the one who asked for closure."
);
measure_action!(verify, "/measures/{id}/actions/verify", "verify_closure", VerifyBody, "Verify and close (审核验收, 销号): endorsed → closed.",
    "The office. The verifier is never the one who submitted (403). The finding closes with its last measure.");
measure_action!(
    return_closure,
    "/measures/{id}/actions/return",
    "return_closure",
    ReturnBody,
    "Return a closure request for rework (退回): submitted/endorsed → in_progress.",
    "The office or a leader over the measure's lead unit; a reason is required."
);
measure_action!(
    reopen,
    "/measures/{id}/actions/reopen",
    "reopen_measure",
    ReopenBody,
    "Reopen a closed measure after a re-check (回头看): closed → in_progress.",
    "The office or a supervisor; a reason is required. Its finding reopens too. Recorded as a re-check that found the problem back (`POST /measures/{id}/rechecks` with `result: relapsed`, dated today)."
);

finding_action!(
    claim,
    "/findings/{id}/actions/claim",
    "claim_finding",
    ClaimBody,
    "Claim a finding (认领): assigned → claimed.",
    "The responsible unit's staff. The body may be left out."
);
finding_action!(
    submit_plan,
    "/findings/{id}/actions/submit_plan",
    "submit_plan",
    SubmitPlanBody,
    "Submit the rectification plan (整改方案): claimed → plan_submitted.",
    "The responsible unit's staff; the finding needs at least one measure."
);
finding_action!(
    approve_plan,
    "/findings/{id}/actions/approve_plan",
    "approve_plan",
    ApprovePlanBody,
    "Approve the plan: plan_submitted → in_progress.",
    "The office."
);
finding_action!(
    return_plan,
    "/findings/{id}/actions/return_plan",
    "return_plan",
    ReturnPlanBody,
    "Return the plan for rework: plan_submitted → claimed.",
    "The office; a reason is required. The unit may then change and add measures again."
);
