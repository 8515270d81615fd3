//! The OpenAPI 3.1 document. Paths come from the routes themselves (utoipa-actix-web), so
//! the router and the contract cannot drift; `finish` adds the shared problem+json error
//! responses to every operation.

use serde_json::{json, Map, Value};
use utoipa::OpenApi;

use crate::api::dto::measures::MeasureSort;
use crate::domain::idempotency::MAX_KEY_LEN;
use crate::error::{Problem, ProblemField};

#[derive(OpenApi)]
#[openapi(
    info(
        title = "zhenggai API",
        description = "zhenggai 整改台账 — a rectification (整改) tracker: inspections (巡视/巡察/审计/督查), their findings \
(问题清单), the measures that fix them (任务清单) with lead units, leaders, responsible people and deadlines \
(责任清单), and what is overdue.\n\nEvery error is RFC 9457 `application/problem+json`, told in Chinese unless `Accept-Language` asks \
for English (`en`); `Content-Language` says which. Identifiers stay in `current_state`, `allowed_actions`, \
`rule` and `errors[].field` whatever the language. Lists are keyset-paginated: \
pass `next_cursor` back as `cursor`.\n\n\
Every `/api/v1` operation needs `Authorization: Bearer <JWT>` with claims `sub`, `role` (admin, office, \
unit, leader, supervisor, viewer), `unit` (a unit code; required for unit and leader) and `exp`. A unit or \
leader sees only its unit's findings and measures; another unit's item answers 404.",
        license(name = "MIT OR Apache-2.0", identifier = "MIT OR Apache-2.0"),
    ),
    components(schemas(Problem, ProblemField, MeasureSort)),
    tags(
        (name = "units", description = "单位: the unit tree whose members own findings and measures."),
        (name = "people", description = "人员名录与责任交接: who works where, which units a leader oversees (分管), and recorded handovers of measures from one holder to another."),
        (name = "inspections", description = "巡视巡察: an inspection round and its feedback date."),
        (name = "findings", description = "问题清单: what an inspection found, assigned to a responsible unit."),
        (name = "measures", description = "任务清单/责任清单: measures with owners, deadlines and warning lights."),
        (name = "workflow", description = "对账销号: claim, plan, start, report, submit with evidence, endorse, verify, return, reopen."),
        (name = "evidence", description = "佐证材料: files that show a measure was done; frozen once a closure request cites them."),
        (name = "extensions", description = "延期申请: a later due date, asked by the unit and decided by the office."),
        (name = "dashboards", description = "统计与督办: numbers per unit, inspection, category or kind, and the red and yellow items."),
        (name = "ledger", description = "整改台账与报告: the ledger as xlsx/CSV in the offices' columns, import back (all or nothing), the 整改情况报告 and the 对账销号单."),
        (name = "webhooks", description = "Signed, retried notifications to other systems (measure.overdue, measure.closed, …)."),
        (name = "calendar", description = "工作日: the working-day calendar deadlines count in."),
        (name = "audit", description = "审计留痕: the append-only, hash-chained history of every change."),
        (name = "health", description = "Liveness and readiness probes."),
    )
)]
pub struct ApiDoc;

/// The complete document as the service serves it at `/openapi.json`.
pub fn document() -> Value {
    use utoipa_actix_web::AppExt;
    let (_, api) = actix_web::App::new()
        .into_utoipa_app()
        .openapi(ApiDoc::openapi())
        .configure(crate::api::routes)
        .split_for_parts();
    finish(api)
}

/// Pretty JSON of the document, as committed in `openapi/openapi.json`.
pub fn document_pretty() -> String {
    let mut text = serde_json::to_string_pretty(&document()).unwrap_or_default();
    text.push('\n');
    text
}

const STANDARD_ERRORS: &[(&str, &str, &str)] = &[
    (
        "401",
        "Unauthorized",
        "No valid bearer token: missing, malformed, expired, not yet valid, badly signed, for \
another issuer or audience, or naming an unknown role or unit. `WWW-Authenticate` says \
`Bearer error=\"invalid_token\"`.",
    ),
    ("403", "Forbidden", "The caller's role may not do this."),
    (
        "400",
        "BadRequest",
        "The request is malformed: bad JSON, query parameter, cursor or id.",
    ),
    ("404", "NotFound", "No such item."),
    (
        "409",
        "Conflict",
        "The item's state does not allow this (`current_state`, `allowed_actions`), a code is \
taken, or the request with this `Idempotency-Key` is still being carried out (type \
`in-progress`, with `Retry-After`).",
    ),
    (
        "412",
        "PreconditionFailed",
        "`If-Match` names an older version than the current one; nothing changed. Reload and retry.",
    ),
    ("413", "PayloadTooLarge", "The body is larger than allowed."),
    ("415", "UnsupportedMediaType", "The body is not JSON."),
    (
        "422",
        "UnprocessableContent",
        "The body is well-formed but breaks the rules; `errors` lists each field.",
    ),
    (
        "429",
        "TooManyRequests",
        "More requests than `ZHENGGAI_RATE_LIMIT` allows this token (or address); `Retry-After` \
says when to ask again. Every answer carries `RateLimit-Limit`, `RateLimit-Remaining` and \
`RateLimit-Reset`.",
    ),
    (
        "500",
        "InternalError",
        "An internal error; details are logged, never sent.",
    ),
    (
        "503",
        "Unavailable",
        "The database is not available right now.",
    ),
];

fn finish(api: utoipa::openapi::OpenApi) -> Value {
    let mut doc = serde_json::to_value(&api).unwrap_or_else(|_| json!({}));
    if let Some(components) = doc
        .pointer_mut("/components")
        .and_then(Value::as_object_mut)
    {
        components.insert(
            "securitySchemes".into(),
            json!({SECURITY_SCHEME: {
                "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
                "description": "A JWT signed with the service's key (HS256 secret, or RS256/ES256 \
            from an identity provider). `zhenggai token --sub S --role R [--unit CODE]` issues one."
            }}),
        );
    }
    let responses = doc
        .pointer_mut("/components")
        .and_then(Value::as_object_mut)
        .map(|c| c.entry("responses").or_insert_with(|| json!({})));
    if let Some(Value::Object(responses)) = responses {
        for (_, name, description) in STANDARD_ERRORS {
            let status = name_status(name);
            responses.insert(
                name.to_string(),
                json!({
                    "description": description,
                    "content": {"application/problem+json": {
                        "schema": {"$ref": "#/components/schemas/Problem"},
                        "example": example(status),
                    }}
                }),
            );
        }
    }
    if let Some(Value::Object(paths)) = doc.get_mut("paths") {
        for (path, item) in paths.iter_mut() {
            let Value::Object(item) = item else { continue };
            for (method, op) in item.iter_mut() {
                if let Value::Object(op) = op {
                    if method == "patch" {
                        add_if_match(op);
                    }
                    if method == "get" {
                        add_conditional_get(op);
                    }
                    if path.starts_with("/api/") {
                        add_versions(method, op);
                    }
                    if method == "post" && path.starts_with("/api/") {
                        add_idempotency_key(op);
                    }
                    type_downloads_as_binary(op);
                    if path.starts_with("/api/") {
                        add_accept_language(op);
                    }
                    add_error_responses(path, op);
                }
            }
        }
    }
    if let Some(doc) = doc.as_object_mut() {
        // Relative: the document is served by the API it describes.
        doc.insert("servers".into(), json!([{"url": "/"}]));
    }
    doc
}

/// Problems are told in the language `Accept-Language` asks for (`api::language`).
fn add_accept_language(op: &mut Map<String, Value>) {
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    if let Value::Array(params) = params {
        params.push(json!({
            "name": "Accept-Language", "in": "header", "required": false,
            "description": "The language of problem messages: zh-CN (the default, ZHENGGAI_LANG) \
                or en; the answer's Content-Language says which",
            "schema": {"type": "string", "examples": ["zh-CN", "en"]}
        }));
    }
}

/// Every GET answers with an `ETag` and, to `If-None-Match` with it (weak or strong, or
/// `*`), 304 with no body (`api::polling`).
fn add_conditional_get(op: &mut Map<String, Value>) {
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    if let Value::Array(params) = params {
        params.push(json!({
            "name": "If-None-Match", "in": "header", "required": false,
            "description": "An ETag this answer carried: 304 while it is still current",
            "schema": {"type": "string"}
        }));
    }
    let Some(Value::Object(responses)) = op.get_mut("responses") else {
        return;
    };
    if let Some(Value::Object(ok)) = responses.get_mut("200") {
        let headers = ok.entry("headers").or_insert_with(|| json!({}));
        if let Value::Object(headers) = headers {
            headers.insert(
                "ETag".into(),
                json!({"description": "The answer's version; send it back as If-None-Match",
                       "schema": {"type": "string"}}),
            );
        }
    }
    responses.insert(
        "304".into(),
        json!({"description": "Not modified: the `If-None-Match` tag is still current.",
               "headers": {"ETag": {"schema": {"type": "string"}}}}),
    );
}

/// Read-your-writes across instances and a read replica (`api::consistency`): a write
/// answers with the version it committed; a read may ask to be at least that new.
fn add_versions(method: &str, op: &mut Map<String, Value>) {
    if method == "get" {
        let params = op.entry("parameters").or_insert_with(|| json!([]));
        if let Value::Array(params) = params {
            params.push(json!({
                "name": "X-Zhenggai-Min-Version", "in": "header", "required": false,
                "description": "The `X-Zhenggai-Version` one of your writes answered with: this \
                    answer is then at least that new, whichever instance serves it and whether \
                    it reads on a replica or on the primary. Not a whole number: 400.",
                "schema": {"type": "integer", "format": "int64", "minimum": 0}
            }));
        }
        return;
    }
    add_success_header(
        op,
        "X-Zhenggai-Version",
        json!({"description": "The ledger version this write committed (the audit chain's head \
            after it); send it as X-Zhenggai-Min-Version to read your own write from any instance",
            "schema": {"type": "integer", "format": "int64"}}),
    );
}

/// Documents `header` on every 2xx answer of `op`.
fn add_success_header(op: &mut Map<String, Value>, name: &str, header: Value) {
    let Some(Value::Object(responses)) = op.get_mut("responses") else {
        return;
    };
    for (status, response) in responses.iter_mut() {
        if !status.starts_with('2') {
            continue;
        }
        if let Value::Object(response) = response {
            let headers = response.entry("headers").or_insert_with(|| json!({}));
            if let Value::Object(headers) = headers {
                headers.insert(name.into(), header.clone());
            }
        }
    }
}

/// Files (a workbook, a report, evidence) are bytes under their own media type, not JSON
/// arrays of numbers: a generated client then downloads them.
fn type_downloads_as_binary(op: &mut Map<String, Value>) {
    let Some(Value::Object(responses)) = op.get_mut("responses") else {
        return;
    };
    for response in responses.values_mut() {
        let Some(Value::Object(content)) = response.get_mut("content") else {
            continue;
        };
        for (media, body) in content.iter_mut() {
            let textual = media.contains("json") || media.starts_with("text/");
            if !textual {
                body["schema"] = json!({"type": "string", "format": "binary"});
            }
        }
    }
}

const SECURITY_SCHEME: &str = "bearerAuth";

/// Every POST may be retried safely with an `Idempotency-Key` (`api::idempotency`).
fn add_idempotency_key(op: &mut Map<String, Value>) {
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    if let Value::Array(params) = params {
        params.push(json!({
            "name": "Idempotency-Key", "in": "header", "required": false,
            "description": "Makes a retry safe: a key of your choosing (a UUID, say), unique per \
                request. Sent again with the same request within 24 hours, it answers the first \
                answer again (status, body, Location, ETag; marked Idempotent-Replayed: true) \
                without doing anything; with another request, 422; while the first is still \
                being carried out, 409 with Retry-After. Kept per caller (the token's sub). A \
                request that changed nothing (refused, invalid) keeps no key.",
            "schema": {"type": "string", "minLength": 1, "maxLength": MAX_KEY_LEN}
        }));
    }
    add_success_header(
        op,
        "Idempotent-Replayed",
        json!({"description": "`true` when this is the first answer to an Idempotency-Key, \
            given again", "schema": {"type": "string", "enum": ["true"]}}),
    );
    let Some(Value::Object(responses)) = op.get_mut("responses") else {
        return;
    };
    responses
        .entry("409")
        .or_insert_with(|| json!({"$ref": "#/components/responses/Conflict"}));
}

fn name_status(name: &str) -> u16 {
    STANDARD_ERRORS
        .iter()
        .find(|(_, n, _)| *n == name)
        .and_then(|(status, _, _)| status.parse().ok())
        .unwrap_or(500)
}

/// What the server answers with this status, as it answers it (in Chinese, the default).
fn example(status: u16) -> Value {
    use crate::domain::permissions::Action;
    use crate::domain::rules::FieldError;
    use crate::error::ApiError;
    use crate::text;
    let error = match status {
        400 => ApiError::bad_param("cursor", text!("cursor-foreign")),
        401 => ApiError::Unauthorized(text!("token-expired")),
        403 => ApiError::Forbidden(Action::SubmitMeasure.refusal()),
        404 => ApiError::not_found("measure"),
        409 => crate::domain::workflow::measure_transition(
            crate::domain::enums::MeasureStatus::Submitted,
            crate::domain::enums::MeasureKind::TimeBound,
            crate::domain::workflow::MeasureAction::Start,
        )
        .map_or_else(ApiError::from, |_| ApiError::Internal(String::new())),
        412 => crate::db::repo::check_version("measure", 3, Some(2))
            .err()
            .unwrap_or_else(|| ApiError::Internal(String::new())),
        413 => ApiError::PayloadTooLarge(text!("body-too-large", kib = 256)),
        415 => ApiError::UnsupportedMediaType(text!("body-not-json")),
        422 => ApiError::Validation(vec![FieldError::new(
            "due_date",
            text!(
                "due-date-needed",
                kind = crate::domain::enums::MeasureKind::TimeBound
            ),
        )]),
        410 => ApiError::Gone(text!("evidence-withdrawn")),
        416 => ApiError::RangeNotSatisfiable(52_431),
        429 => ApiError::TooManyRequests(text!("rate-limited", limit = 3000, secs = 60)),
        503 => ApiError::Unavailable(text!("unavailable-database")),
        507 => ApiError::InsufficientStorage(text!("upload-disk-full")),
        _ => ApiError::Internal(String::new()),
    };
    serde_json::to_value(error.problem(crate::i18n::Lang::ZhCn)).unwrap_or_default()
}

/// PATCH takes `If-Match` (optimistic concurrency), as the workflow actions declare.
fn add_if_match(op: &mut Map<String, Value>) {
    let params = op.entry("parameters").or_insert_with(|| json!([]));
    if let Value::Array(params) = params {
        if !params.iter().any(|p| p["name"] == "If-Match") {
            params.push(json!({
                "name": "If-Match", "in": "header", "required": false,
                "description": "The ETag last seen; a stale one answers 412 and changes nothing",
                "schema": {"type": "string"}
            }));
        }
    }
}

fn add_error_responses(path: &str, op: &mut Map<String, Value>) {
    let has_body = op.contains_key("requestBody");
    let has_path_param = path.contains('{');
    let has_query = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|ps| ps.iter().any(|p| p.get("in") == Some(&json!("query"))));
    let is_api = path.starts_with("/api/");
    let has_if_match = op
        .get("parameters")
        .and_then(Value::as_array)
        .is_some_and(|ps| ps.iter().any(|p| p["name"] == "If-Match"));
    // Probes and the contract itself are read without a token (`/metrics` says otherwise).
    if is_api {
        op.insert("security".into(), json!([{SECURITY_SCHEME: []}]));
    } else {
        op.entry("security").or_insert_with(|| json!([]));
    }
    let Some(Value::Object(responses)) = op.get_mut("responses") else {
        return;
    };
    // A problem the route declares itself (409, say) shows its own status's example.
    for (status, response) in responses.iter_mut() {
        let Ok(code) = status.parse::<u16>() else {
            continue;
        };
        if let Some(Value::Object(problem)) =
            response.pointer_mut("/content/application~1problem+json")
        {
            problem.entry("example").or_insert_with(|| example(code));
        }
    }
    for (status, name, _) in STANDARD_ERRORS {
        let applies = match *status {
            "401" | "403" => is_api,
            "400" => has_body || has_path_param || has_query,
            "404" => has_path_param,
            "412" => has_if_match,
            "413" | "415" | "422" => has_body,
            "500" => true,
            "429" | "503" => is_api,
            _ => false,
        };
        if applies && !responses.contains_key(*status) {
            responses.insert(
                status.to_string(),
                json!({"$ref": format!("#/components/responses/{name}")}),
            );
        }
    }
}

/// Paths and their methods, for answering 405 with an `Allow` header.
pub fn route_table(doc: &Value) -> Vec<(String, Vec<String>)> {
    let mut table = vec![];
    if let Some(Value::Object(paths)) = doc.get("paths") {
        for (path, item) in paths {
            let methods = item
                .as_object()
                .map(|ops| {
                    ops.keys()
                        .filter(|k| {
                            matches!(
                                k.as_str(),
                                "get" | "put" | "post" | "delete" | "patch" | "head" | "options"
                            )
                        })
                        .map(|k| k.to_uppercase())
                        .collect()
                })
                .unwrap_or_default();
            table.push((path.clone(), methods));
        }
    }
    table
}
