//! Annual duties (年度任务), the kinds of activity they count, the activities held
//! (开展情况), and how far each quota has come.

use actix_web::http::header;
use actix_web::{get, patch, post, web, HttpResponse};
use chrono::Datelike;
use uuid::Uuid;

use super::dto::duties::{
    Activity, ActivityKind, ActivityKindList, ActivityPage, ActivityQuery, CreateActivity,
    CreateDuty, Duty, DutyPage, DutyProgress, DutyQuery, PlanImportQuery, ProgressQuery,
    QuotaCounts, UpdateDuty, WithdrawActivity, YearProgress, YearProgressQuery,
};
use super::dto::page::{decode_cursor, encode_cursor, limit};
use super::extract::{etag, Body, Guarded, IfMatch, Params};
use super::reports::{answer, Kind};
use super::{read, write, AppState};
use crate::auth::caller::Caller;
use crate::db::forms::{ActivityFilter, DutyFilter};
use crate::db::models::DutyRow;
use crate::db::repo::duties as repo;
use crate::db::DbConnection;
use crate::documents::duties::DutyReport;
use crate::documents::plan::PlanImportReport;
use crate::domain::calendar::Calendar;
use crate::domain::duties::worst_of;
use crate::domain::org::Organisation;
use crate::domain::permissions::Action;
use crate::error::{ApiError, Problem};
use crate::service::duties as service;
use crate::text;

impl Guarded for CreateDuty {
    const ACTION: Action = Action::WriteDuty;
}

impl Guarded for UpdateDuty {
    const ACTION: Action = Action::WriteDuty;
}

impl Guarded for ActivityKind {
    const ACTION: Action = Action::ManageActivityKinds;
}

impl Guarded for CreateActivity {
    const ACTION: Action = Action::RecordActivity;
}

impl Guarded for WithdrawActivity {
    const ACTION: Action = Action::RecordActivity;
}

/// The kinds of activity quotas count, by code.
///
/// Seeded with the kinds the plans name (党组会议, 党组理论学习中心组集中学习, 谈心谈话…);
/// the office adds its own.
#[utoipa::path(tag = "duties", operation_id = "list_activity_kinds", responses(
    (status = 200, description = "The kinds.", body = ActivityKindList),
))]
#[get("/activity-kinds")]
pub async fn kinds(state: web::Data<AppState>, caller: Caller) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadDuties)?;
    let rows = read(&state, service::kinds).await?;
    Ok(HttpResponse::Ok().json(ActivityKindList {
        items: rows.into_iter().map(ActivityKind::from).collect(),
    }))
}

/// Add a kind of activity. Office and admin.
#[utoipa::path(tag = "duties", operation_id = "create_activity_kind", request_body = ActivityKind, responses(
    (status = 201, description = "Added.", body = ActivityKind),
    (status = 403, description = "Only the office or an administrator.", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The code is taken.", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "A bad code or name.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/activity-kinds")]
pub async fn add_kind(
    state: web::Data<AppState>,
    caller: Caller,
    Body(input): Body<ActivityKind>,
) -> Result<HttpResponse, ApiError> {
    let row = write(&state, &caller, move |conn, ctx| {
        service::add_kind(conn, ctx, &input.code, &input.name)
    })
    .await?;
    Ok(HttpResponse::Created().json(ActivityKind::from(row)))
}

/// Set up an annual duty (年度任务) with its quotas.
///
/// Each quota is one "不少于X": at least `min` `unit`s (times, hours, people) in each
/// `period` (month, quarter, half year, year), for the unit or for each of `persons`,
/// counting the activities of `activity_kinds` held by the duty's unit and the units below
/// it. Office and admin.
#[utoipa::path(tag = "duties", operation_id = "create_duty", request_body = CreateDuty, responses(
    (status = 201, description = "Set up.", body = Duty,
        headers(("Location" = String, description = "The duty's URL"))),
    (status = 403, description = "Only the office or an administrator (`rule`: `write_duty`).", body = Problem, content_type = "application/problem+json"),
    (status = 409, description = "The code is taken.", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "An unknown unit, measure or activity kind, or a quota per person naming nobody.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/duties")]
pub async fn create(
    state: web::Data<AppState>,
    caller: Caller,
    Body(input): Body<CreateDuty>,
) -> Result<HttpResponse, ApiError> {
    let row = write(&state, &caller, move |conn, ctx| {
        service::create(conn, ctx, input.into())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/duties/{}", row.id)))
        .insert_header(etag(row.version))
        .json(Duty::try_from(row)?))
}

const SORT: &str = "code";

/// List duties, by code. A unit or leader sees its units' duties.
#[utoipa::path(tag = "duties", operation_id = "list_duties", params(DutyQuery), responses(
    (status = 200, description = "A page of duties.", body = DutyPage),
))]
#[get("/duties")]
pub async fn list(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<DutyQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadDuties)?;
    let after = decode_cursor(q.cursor.as_deref(), SORT)?;
    let limit = limit(q.limit);
    let filter = DutyFilter {
        year: q.year,
        units: state.units_under(q.unit_id, q.descendants).await?,
        measure_id: q.measure_id.map(|m| m.to_string()),
    };
    let vis = caller.visibility();
    let page = read(&state, move |conn| {
        repo::list(conn, &filter, &vis, after, limit)
    })
    .await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|r| encode_cursor(SORT, r.code.clone(), r.id.clone()));
    Ok(HttpResponse::Ok().json(DutyPage {
        items: page
            .rows
            .into_iter()
            .map(Duty::try_from)
            .collect::<Result<_, _>>()?,
        next_cursor,
        total: page.total,
    }))
}

/// One duty.
#[utoipa::path(tag = "duties", operation_id = "get_duty",
    params(("id" = Uuid, Path, description = "Duty id")), responses(
    (status = 200, description = "The duty.", body = Duty,
        headers(("ETag" = String, description = "Its version"))),
    (status = 404, description = "No such duty, or not the caller's.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/duties/{id}")]
pub async fn get(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadDuties)?;
    let id = id.into_inner().to_string();
    let actor = caller.actor();
    let row = read(&state, move |conn| {
        service::get(conn, &actor, &id, Action::ReadDuties)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(row.version))
        .json(Duty::try_from(row)?))
}

/// Change a duty's title, source or quotas. Office and admin.
#[utoipa::path(tag = "duties", operation_id = "update_duty",
    params(("id" = Uuid, Path, description = "Duty id"),
           ("If-Match" = Option<String>, Header, description = "The ETag last seen; a stale one answers 412")),
    request_body = UpdateDuty, responses(
    (status = 200, description = "Changed.", body = Duty),
    (status = 412, description = "Changed by someone else since.", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "An unknown activity kind, or a field breaks its limits.", body = Problem, content_type = "application/problem+json"),
))]
#[patch("/duties/{id}")]
pub async fn update(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    IfMatch(if_match): IfMatch,
    Body(input): Body<UpdateDuty>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let row = write(&state, &caller, move |conn, ctx| {
        service::update(conn, ctx, &id, input.into(), if_match)
    })
    .await?;
    Ok(HttpResponse::Ok()
        .insert_header(etag(row.version))
        .json(Duty::try_from(row)?))
}

fn counted(
    conn: &mut DbConnection,
    duty: DutyRow,
    day: chrono::NaiveDate,
    calendar: &Calendar,
    org: &Organisation,
) -> Result<DutyProgress, ApiError> {
    let quotas = service::progress(conn, &duty, day, calendar, org)?;
    Ok(DutyProgress {
        light: worst_of(quotas.iter().map(|q| q.light)),
        as_of: day,
        duty: Duty::try_from(duty)?,
        quotas,
    })
}

/// The day counts are made to: `as_of` (not in the future), else today.
fn count_day(
    state: &AppState,
    as_of: Option<chrono::NaiveDate>,
) -> Result<chrono::NaiveDate, ApiError> {
    Ok(state
        .as_of(as_of)?
        .map_or_else(|| state.today().date, |t| t.date))
}

/// How far one duty's quotas have come: per period (and per person), done, the minimum,
/// what remains, and a light.
///
/// Red when a period ended short, or when what remains no longer fits in the period's
/// working days left (at most one activity, or eight hours, a working day); yellow when
/// behind the period's linear pace (the minimum times the share of its working days gone,
/// to the nearest whole); green otherwise.
#[utoipa::path(tag = "duties", operation_id = "duty_progress",
    params(("id" = Uuid, Path, description = "Duty id"), ProgressQuery), responses(
    (status = 200, description = "The quotas, counted.", body = DutyProgress),
    (status = 404, description = "No such duty, or not the caller's.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/duties/{id}/progress")]
pub async fn progress(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Params(q): Params<ProgressQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadDuties)?;
    let day = count_day(&state, q.as_of)?;
    let id = id.into_inner().to_string();
    let actor = caller.actor();
    let (calendar, directory) = (state.calendar.clone(), state.directory.clone());
    let org = web::block(move || directory.now()).await??;
    let body = read(&state, move |conn| {
        let duty = service::get(conn, &actor, &id, Action::ReadDuties)?;
        counted(conn, duty, day, &calendar, &org)
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// Every duty of a year, counted: which quotas are met, which behind pace, which periods
/// were missed — per unit (`unit_id`) or for everything the caller sees.
#[utoipa::path(tag = "duties", operation_id = "year_progress", params(YearProgressQuery), responses(
    (status = 200, description = "The year's duties, counted.", body = YearProgress),
))]
#[get("/duties/progress")]
pub async fn year_progress(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<YearProgressQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadDuties)?;
    let YearScope {
        day,
        year,
        units,
        org,
    } = year_scope(&state, &q).await?;
    let (actor, calendar) = (caller.actor(), state.calendar.clone());
    let body = read(&state, move |conn| {
        let mut duties = Vec::new();
        let mut counts = QuotaCounts::default();
        for (duty, quotas) in
            service::year(conn, &actor, year, units.as_deref(), day, &calendar, &org)?
        {
            for q in &quotas {
                counts.add(q.light);
            }
            duties.push(DutyProgress {
                light: worst_of(quotas.iter().map(|q| q.light)),
                as_of: day,
                duty: Duty::try_from(duty)?,
                quotas,
            });
        }
        Ok(YearProgress {
            year,
            as_of: day,
            duties,
            quotas: counts,
        })
    })
    .await?;
    Ok(HttpResponse::Ok().json(body))
}

/// What a year's view or paper counts: to which day, which year, whose units, and the
/// organisation (whose units lie below whose).
struct YearScope {
    day: chrono::NaiveDate,
    year: i32,
    units: Option<Vec<String>>,
    org: std::sync::Arc<Organisation>,
}

async fn year_scope(state: &AppState, q: &YearProgressQuery) -> Result<YearScope, ApiError> {
    let day = count_day(state, q.as_of)?;
    let directory = state.directory.clone();
    Ok(YearScope {
        day,
        year: q.year.unwrap_or(day.year()),
        units: state.units_under(q.unit_id, q.descendants).await?,
        org: web::block(move || directory.now()).await??,
    })
}

async fn report_of(
    state: web::Data<AppState>,
    caller: Caller,
    q: YearProgressQuery,
    kind: Kind,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadDuties)?;
    let YearScope {
        day,
        year,
        units,
        org,
    } = year_scope(&state, &q).await?;
    let unit_id = q.unit_id.map(|u| u.to_string());
    let (actor, calendar) = (caller.actor(), state.calendar.clone());
    let (doc, name) = read(&state, move |conn| {
        let who = match &unit_id {
            Some(id) => crate::db::repo::units::find(conn, id)?
                .map(|u| u.name)
                .ok_or_else(|| ApiError::bad_param("unit_id", text!("unit-id-unknown")))?,
            None => "各单位".to_string(),
        };
        let duties = service::year(conn, &actor, year, units.as_deref(), day, &calendar, &org)?;
        let report = DutyReport {
            year,
            as_of: day,
            who: who.clone(),
            duties,
            names: org.names(),
        };
        Ok((
            crate::documents::duties::compose(&report),
            format!("年度任务落实情况报告-{who}-{year}"),
        ))
    })
    .await?;
    answer(&doc, kind, &name)
}

/// The report on the year's duties (年度任务落实情况报告), as a Word file.
///
/// How many quotas the plan set and how many are met, on pace, behind or missed; a table of
/// every quota with its requirement and count; and each quota behind or missed, with the
/// periods that fell short. The fonts and layout of the rectification report. For what the
/// caller sees (`unit_id`: that unit and those below it).
#[utoipa::path(tag = "duties", operation_id = "duties_report_docx", params(YearProgressQuery), responses(
    (status = 200, description = "The report.", content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.document", body = Vec<u8>),
))]
#[get("/duties/report.docx")]
pub async fn report_docx(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<YearProgressQuery>,
) -> Result<HttpResponse, ApiError> {
    report_of(state, caller, q, Kind::Docx).await
}

/// The report on the year's duties, as Markdown (the same document as `report.docx`).
#[utoipa::path(tag = "duties", operation_id = "duties_report_md", params(YearProgressQuery), responses(
    (status = 200, description = "The report.", content_type = "text/markdown", body = String),
))]
#[get("/duties/report.md")]
pub async fn report_md(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<YearProgressQuery>,
) -> Result<HttpResponse, ApiError> {
    report_of(state, caller, q, Kind::Markdown).await
}

/// Import a plan sheet (工作计划) as duties: xlsx or CSV, one row per quota.
///
/// Columns 任务编号, 工作任务, 责任单位 (name or code), 责任人 (for 对象 每人: the persons),
/// 指标, 最低次数, 单位 (次/学时/名), 周期 (每月/每季度/每半年/全年), 对象 (单位/每人), and
/// optionally 活动类型 (a kind's code or name; by default the kind 指标 names) and 年度. Rows of
/// one 任务编号 are one duty. **A dry run is the default**; `dry_run=false` writes, all or
/// nothing. A sheet with problems answers 422 listing every one by row and column, and
/// writes nothing. A 任务编号 already known is left as it stands. Office and admin.
#[utoipa::path(tag = "duties", operation_id = "import_plan", params(PlanImportQuery),
    request_body(content = Vec<u8>, content_type = "multipart/form-data", description = "The sheet as the form field `file`."),
    responses(
    (status = 200, description = "What was (or would be) set up.", body = PlanImportReport),
    (status = 403, description = "Only the office or an administrator.", body = Problem, content_type = "application/problem+json"),
    (status = 413, description = "Over the upload limit.", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "Every problem of the sheet, by row and column; nothing written.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/duties/import")]
pub async fn import_plan(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<PlanImportQuery>,
    req: actix_web::HttpRequest,
    payload: web::Payload,
) -> Result<HttpResponse, ApiError> {
    caller.check_ledger_wide(Action::WriteDuty, "duty")?;
    let max = state.storage.max_bytes;
    let bytes = super::ledger::receive(&req, payload, max).await?;
    let grid = web::block(move || crate::documents::read::grid(&bytes)).await??;
    let dry_run = q.dry_run.unwrap_or(true);
    let year = q.year.unwrap_or(state.today().date.year());
    let report = write(&state, &caller, move |conn, ctx| {
        crate::documents::plan::run(conn, &grid, year, dry_run, ctx)
    })
    .await?;
    Ok(HttpResponse::Ok().json(report))
}

/// Record an activity held (开展情况): a 党组会, a 中心组学习, a 提醒谈话, a report sent
/// upward.
///
/// It counts toward every quota whose `activity_kinds` include its kind, in the period it
/// falls in, for its unit's duties and those of the units above it, and for each person it
/// names. Not in the future; with `duty_id`, within that duty's year. The unit's staff and
/// leaders for their units, and the office.
#[utoipa::path(tag = "duties", operation_id = "record_activity", request_body = CreateActivity, responses(
    (status = 201, description = "Recorded.", body = Activity,
        headers(("Location" = String, description = "The activity's URL"))),
    (status = 403, description = "Not the caller's unit (`rule`: `record_activity`).", body = Problem, content_type = "application/problem+json"),
    (status = 422, description = "In the future, outside the duty's year, an unknown kind or unit.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/activities")]
pub async fn record(
    state: web::Data<AppState>,
    caller: Caller,
    Body(input): Body<CreateActivity>,
) -> Result<HttpResponse, ApiError> {
    let row = write(&state, &caller, move |conn, ctx| {
        service::record(conn, ctx, input.into())
    })
    .await?;
    Ok(HttpResponse::Created()
        .insert_header((header::LOCATION, format!("/api/v1/activities/{}", row.id)))
        .json(Activity::from(row)))
}

const ACTIVITY_SORT: &str = "held_on";

/// List activities, latest first; withdrawn ones only with `withdrawn=true`.
#[utoipa::path(tag = "duties", operation_id = "list_activities", params(ActivityQuery), responses(
    (status = 200, description = "A page of activities.", body = ActivityPage),
))]
#[get("/activities")]
pub async fn activities(
    state: web::Data<AppState>,
    caller: Caller,
    Params(q): Params<ActivityQuery>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadDuties)?;
    let after = decode_cursor(q.cursor.as_deref(), ACTIVITY_SORT)?;
    let limit = limit(q.limit);
    let filter = ActivityFilter {
        units: state.units_under(q.unit_id, q.descendants).await?,
        kind: q.kind,
        duty_id: q.duty_id.map(|d| d.to_string()),
        from: q.from,
        to: q.to,
        person: q.person,
        withdrawn: q.withdrawn.unwrap_or(false),
    };
    let vis = caller.visibility();
    let page = read(&state, move |conn| {
        repo::list_activities(conn, &filter, &vis, after, limit)
    })
    .await?;
    let next_cursor = page
        .rows
        .last()
        .filter(|_| page.has_more)
        .map(|r| encode_cursor(ACTIVITY_SORT, r.held_on.to_string(), r.id.clone()));
    Ok(HttpResponse::Ok().json(ActivityPage {
        items: page.rows.into_iter().map(Activity::from).collect(),
        next_cursor,
        total: page.total,
    }))
}

/// One activity.
#[utoipa::path(tag = "duties", operation_id = "get_activity",
    params(("id" = Uuid, Path, description = "Activity id")), responses(
    (status = 200, description = "The activity.", body = Activity),
    (status = 404, description = "No such activity, or not the caller's.", body = Problem, content_type = "application/problem+json"),
))]
#[get("/activities/{id}")]
pub async fn activity(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
) -> Result<HttpResponse, ApiError> {
    caller.check_role(Action::ReadDuties)?;
    let id = id.into_inner().to_string();
    let actor = caller.actor();
    let row = read(&state, move |conn| {
        service::activity(conn, &actor, &id, Action::ReadDuties)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Activity::from(row)))
}

/// Withdraw an activity recorded in error, saying why: it stops counting, and its record
/// stays (with who withdrew it, when and why) in the list (`withdrawn=true`) and the audit
/// trail. Whoever may record it.
#[utoipa::path(tag = "duties", operation_id = "withdraw_activity",
    params(("id" = Uuid, Path, description = "Activity id")),
    request_body = WithdrawActivity, responses(
    (status = 200, description = "Withdrawn.", body = Activity),
    (status = 409, description = "Already withdrawn.", body = Problem, content_type = "application/problem+json"),
))]
#[post("/activities/{id}/actions/withdraw")]
pub async fn withdraw(
    state: web::Data<AppState>,
    caller: Caller,
    id: web::Path<Uuid>,
    Body(input): Body<WithdrawActivity>,
) -> Result<HttpResponse, ApiError> {
    let id = id.into_inner().to_string();
    let row = write(&state, &caller, move |conn, ctx| {
        service::withdraw(conn, ctx, &id, &input.reason)
    })
    .await?;
    Ok(HttpResponse::Ok().json(Activity::from(row)))
}
