//! The one error type. Every 4xx/5xx leaves as RFC 9457 `application/problem+json`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;
use validator::{ValidationErrors, ValidationErrorsKind};

use crate::domain::ledger::SheetProblem;
use crate::domain::permissions::Refusal;
use crate::domain::rules::FieldError;
use crate::i18n::{Lang, Text};
use crate::text;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid token: missing, malformed, expired, badly signed… (401).
    #[error("{0}")]
    Unauthorized(Text),
    /// Authenticated, but may not do this (403): the rule that refused.
    #[error("{}", .0.text)]
    Forbidden(Refusal),
    #[error("{0}")]
    NotFound(Text),
    /// It existed and was withdrawn; its record stays (410).
    #[error("{0}")]
    Gone(Text),
    /// A malformed request: bad JSON, bad query string, bad path.
    #[error("{detail}")]
    BadRequest {
        detail: Text,
        errors: Vec<FieldError>,
    },
    /// Well-formed, but the values break the rules.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Conflict(Text),
    /// The same request (same `Idempotency-Key`) is still being carried out (409);
    /// `Retry-After` says when its answer may be there.
    #[error("{0}")]
    InProgress(Text),
    /// The item's state does not allow the action (409): says the state and what it allows.
    #[error("{message}")]
    WrongState {
        message: Text,
        current: String,
        allowed: Vec<String>,
    },
    /// `If-Match` named a version that is no longer current (412).
    #[error("{0}")]
    PreconditionFailed(Text),
    #[error("{0}")]
    PayloadTooLarge(Text),
    #[error("{0}")]
    UnsupportedMediaType(Text),
    #[error("{method} is not allowed here")]
    MethodNotAllowed { method: String, allow: Vec<String> },
    /// The caller asked too often (429); `Retry-After` says when to ask again.
    #[error("{0}")]
    TooManyRequests(Text),
    /// The service cannot answer now (database down, disk full…): retry later (503).
    #[error("{0}")]
    Unavailable(Text),
    /// The database connection broke during the work (503, as `Unavailable`). Nothing of
    /// it was committed when it broke inside a transaction's work, so that work may be run
    /// again on a fresh connection (`api::read`, `api::write`).
    #[error("{0}")]
    ConnectionLost(Text),
    /// Too little disk left to keep an upload (507).
    #[error("{0}")]
    InsufficientStorage(Text),
    /// A `Range` outside the file (416); the file's size goes in `Content-Range`.
    #[error("the range is outside the file's {0} bytes")]
    RangeNotSatisfiable(u64),
    /// An imported sheet has problems (422): every bad cell, by row and column.
    #[error("the sheet has {} problem(s); nothing was imported", .0.len())]
    Sheet(Vec<crate::domain::ledger::CellError>),
    /// Logged in full, never shown to the client.
    #[error("internal error: {0}")]
    Internal(String),
}

/// RFC 9457 problem details, as every error response carries them.
#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
#[schema(example = json!({
    "type": "urn:zhenggai:problem:validation",
    "title": "请求内容未通过校验",
    "status": 422,
    "detail": "请求中有不符合要求的字段。",
    "errors": [{"field": "due_date", "message": "限期整改措施须填写完成时限。"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub type_: String,
    /// What kind of problem, in the language of `Content-Language` (the HTTP status,
    /// told).
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person, in the language of `Content-Language` (Chinese
    /// unless `Accept-Language` asks for English).
    pub detail: String,
    /// For a refusal (403): the rule's words in Chinese, whatever the language asked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail_zh: Option<String>,
    /// For a refusal (403): the rule that refused, as a stable code (`submit_measure`,
    /// `distinct_verifier`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// One entry per invalid field (validation and bad-request problems).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<ProblemField>>,
    /// For an imported sheet: every problem, by row (as the spreadsheet numbers it) and
    /// column (its header).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheet_errors: Option<Vec<SheetProblem>>,
    /// For a refused workflow action: the item's current state…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// …and the actions that state allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ProblemField {
    /// The request field, as a path (`quota.min_count`, `supporting_unit_ids[1]`): the
    /// identifier, whatever the language.
    pub field: String,
    /// What is wrong with it, told.
    pub message: String,
}

impl ApiError {
    /// A 403 outside the permission table, with its rule's code and words.
    pub fn refused(rule: &str, text: Text) -> ApiError {
        ApiError::Forbidden(Refusal::new(rule, text))
    }

    /// 404 for a kind of item the caller cannot see or that does not exist.
    pub fn not_found(what: &str) -> ApiError {
        ApiError::NotFound(text!("not-found-item", what = item(what)))
    }

    pub fn field(field: &str, message: Text) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn bad_param(field: &str, message: Text) -> ApiError {
        ApiError::BadRequest {
            detail: text!("bad-param", field = field, why = message.clone()),
            errors: vec![FieldError::new(field, message)],
        }
    }

    /// A malformed request with no particular field to blame.
    pub fn bad_request(detail: Text) -> ApiError {
        ApiError::BadRequest {
            detail,
            errors: vec![],
        }
    }

    /// What went wrong, told in `lang` (the `detail` of the problem).
    pub fn detail(&self, lang: Lang) -> String {
        let text = match self {
            ApiError::Unauthorized(t)
            | ApiError::NotFound(t)
            | ApiError::Gone(t)
            | ApiError::Conflict(t)
            | ApiError::InProgress(t)
            | ApiError::PreconditionFailed(t)
            | ApiError::PayloadTooLarge(t)
            | ApiError::UnsupportedMediaType(t)
            | ApiError::Unavailable(t)
            | ApiError::TooManyRequests(t)
            | ApiError::ConnectionLost(t)
            | ApiError::InsufficientStorage(t) => t.clone(),
            ApiError::RangeNotSatisfiable(size) => text!("range-not-satisfiable", size = *size),
            ApiError::Forbidden(refusal) => refusal.text.clone(),
            ApiError::BadRequest { detail, .. } => detail.clone(),
            ApiError::WrongState { message, .. } => message.clone(),
            ApiError::Validation(_) => text!("invalid-fields"),
            ApiError::MethodNotAllowed { method, .. } => {
                text!("method-not-allowed", method = method)
            }
            ApiError::Sheet(cells) => text!("sheet-problems", count = cells.len()),
            ApiError::Internal(_) => text!("internal"),
        };
        text.told(lang)
    }

    fn slug(&self) -> &'static str {
        match self {
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::NotFound(_) => "not-found",
            ApiError::Gone(_) => "gone",
            ApiError::BadRequest { .. } => "bad-request",
            ApiError::Validation(_) => "validation",
            ApiError::Conflict(_) => "conflict",
            ApiError::InProgress(_) => "in-progress",
            ApiError::WrongState { .. } => "wrong-state",
            ApiError::PreconditionFailed(_) => "precondition-failed",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Unavailable(_) | ApiError::ConnectionLost(_) => "unavailable",
            ApiError::TooManyRequests(_) => "too-many-requests",
            ApiError::InsufficientStorage(_) => "insufficient-storage",
            ApiError::RangeNotSatisfiable(_) => "range-not-satisfiable",
            ApiError::Sheet(_) => "sheet",
            ApiError::Internal(_) => "internal",
        }
    }

    /// The problem, told in `lang`.
    pub fn problem(&self, lang: Lang) -> Problem {
        let status = self.status_code();
        let errors = match self {
            ApiError::Validation(errors) | ApiError::BadRequest { errors, .. }
                if !errors.is_empty() =>
            {
                Some(
                    errors
                        .iter()
                        .map(|e| ProblemField {
                            field: e.field.clone(),
                            message: e.message.told(lang),
                        })
                        .collect(),
                )
            }
            _ => None,
        };
        let (current_state, allowed_actions) = match self {
            ApiError::WrongState {
                current, allowed, ..
            } => (Some(current.clone()), Some(allowed.clone())),
            _ => (None, None),
        };
        let (detail_zh, rule) = match self {
            ApiError::Forbidden(refusal) => (
                Some(refusal.text.told(Lang::ZhCn)),
                Some(refusal.rule.clone()),
            ),
            _ => (None, None),
        };
        Problem {
            type_: format!("urn:zhenggai:problem:{}", self.slug()),
            title: title(status, lang),
            status: status.as_u16(),
            detail: self.detail(lang),
            detail_zh,
            rule,
            errors,
            sheet_errors: match self {
                ApiError::Sheet(cells) => Some(cells.iter().map(|c| c.told(lang)).collect()),
                _ => None,
            },
            current_state,
            allowed_actions,
        }
    }
}

/// A kind of item, as messages name it (`measure` → 整改措施).
pub fn item(what: &str) -> Text {
    match what {
        "unit" => text!("item-unit"),
        "inspection" => text!("item-inspection"),
        "finding" => text!("item-finding"),
        "measure" => text!("item-measure"),
        "extension request" => text!("item-extension"),
        "evidence" => text!("item-evidence"),
        "person" => text!("item-person"),
        "webhook" => text!("item-webhook"),
        "duty" => text!("item-duty"),
        "activity" => text!("item-activity"),
        "handover" => text!("item-handover"),
        _ => text!("item-other"),
    }
}

/// The HTTP status, told in `lang` (the problem's `title`).
pub fn title(status: StatusCode, lang: Lang) -> String {
    let text = match status.as_u16() {
        400 => text!("title-400"),
        401 => text!("title-401"),
        403 => text!("title-403"),
        404 => text!("title-404"),
        405 => text!("title-405"),
        406 => text!("title-406"),
        408 => text!("title-408"),
        409 => text!("title-409"),
        410 => text!("title-410"),
        412 => text!("title-412"),
        413 => text!("title-413"),
        414 => text!("title-414"),
        415 => text!("title-415"),
        416 => text!("title-416"),
        422 => text!("title-422"),
        429 => text!("title-429"),
        431 => text!("title-431"),
        503 => text!("title-503"),
        507 => text!("title-507"),
        s if s >= 500 => text!("title-500"),
        _ => text!("title-400"),
    };
    text.told(lang)
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Gone(_) => StatusCode::GONE,
            ApiError::BadRequest { .. } => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) | ApiError::Sheet(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::Conflict(_) | ApiError::InProgress(_) | ApiError::WrongState { .. } => {
                StatusCode::CONFLICT
            }
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) | ApiError::ConnectionLost(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::RangeNotSatisfiable(_) => StatusCode::RANGE_NOT_SATISFIABLE,
            ApiError::TooManyRequests(_) => StatusCode::TOO_MANY_REQUESTS,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        self.response_in(crate::i18n::current())
    }
}

impl ApiError {
    /// The answer, told in `lang`.
    pub fn response_in(&self, lang: Lang) -> HttpResponse {
        if let ApiError::Internal(cause) = self {
            log::error!("internal error: {cause}");
        }
        let mut response = HttpResponse::build(self.status_code());
        response.insert_header((header::CONTENT_TYPE, PROBLEM_JSON));
        if matches!(
            self,
            ApiError::Unavailable(_)
                | ApiError::ConnectionLost(_)
                | ApiError::InsufficientStorage(_)
        ) {
            log::warn!("answering {}: {self}", self.status_code().as_u16());
            response.insert_header((header::RETRY_AFTER, RETRY_AFTER_SECS.to_string()));
        }
        if let ApiError::RangeNotSatisfiable(size) = self {
            response.insert_header((header::CONTENT_RANGE, format!("bytes */{size}")));
        }
        if let ApiError::InProgress(_) = self {
            response.insert_header((header::RETRY_AFTER, "1"));
        }
        if let ApiError::MethodNotAllowed { allow, .. } = self {
            response.insert_header((header::ALLOW, allow.join(", ")));
        }
        if let ApiError::Unauthorized(why) = self {
            // RFC 6750 §3: the description is `detail` in English (the header is ASCII).
            let why: String = why
                .told(Lang::En)
                .chars()
                .filter(|c| (c.is_ascii_graphic() || *c == ' ') && !matches!(c, '"' | '\\'))
                .collect();
            response.insert_header((
                header::WWW_AUTHENTICATE,
                format!(
                    r#"Bearer realm="zhenggai", error="invalid_token", error_description="{why}""#
                ),
            ));
        }
        response.insert_header((header::CONTENT_LANGUAGE, lang.tag()));
        response.insert_header((header::VARY, "Accept-Language"));
        response.body(serde_json::to_string(&self.problem(lang)).unwrap_or_default())
    }
}

impl From<crate::domain::workflow::WrongState> for ApiError {
    fn from(e: crate::domain::workflow::WrongState) -> ApiError {
        ApiError::WrongState {
            message: e.text,
            current: e.current.to_string(),
            allowed: e.allowed.iter().map(|a| a.to_string()).collect(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::NotFound(text!("not-found")),
            // The repos check codes first and answer with a precise message; this is the
            // lost race between two simultaneous creates.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict(text!("conflict-same-code"))
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::Conflict(text!("conflict-reference"))
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Conflict(text!("conflict-concurrent"))
            }
            other => {
                let text = other.to_string();
                if crate::db::limit::is_stopped(&text) {
                    ApiError::Unavailable(text!("unavailable-query-timeout"))
                } else if is_full(&text) {
                    ApiError::Unavailable(text!("unavailable-disk-full"))
                } else if is_connection_lost(&other, &text)
                    || text.contains("deadlock detected")
                    || text.contains("database is locked")
                {
                    // A deadlock (two writes taking the same tally rows in opposite order)
                    // rolled the whole transaction back: like a lost connection, nothing
                    // was committed, and the write runs once more. So does an SQLite write
                    // refused because another process (a second server on the same file,
                    // `zhenggai seed` beside it) wrote since its transaction began to read.
                    ApiError::ConnectionLost(text!("unavailable-connection-lost"))
                } else {
                    ApiError::Internal(format!("database: {other}"))
                }
            }
        }
    }
}

/// Seconds a client is asked to wait after a 503 or 507.
pub const RETRY_AFTER_SECS: u32 = 5;

fn is_full(text: &str) -> bool {
    text.contains("database or disk is full")
        || text.contains("No space left on device")
        || text.contains("could not extend file")
}

fn is_connection_lost(e: &diesel::result::Error, text: &str) -> bool {
    use diesel::result::{DatabaseErrorKind, Error};
    matches!(
        e,
        Error::DatabaseError(DatabaseErrorKind::ClosedConnection, _)
    ) || text.contains("server closed the connection")
        || text.contains("terminating connection")
        || text.contains("connection to server")
        || text.contains("the database system is shutting down")
        || text.contains("the database system is starting up")
}

impl From<diesel::r2d2::PoolError> for ApiError {
    fn from(e: diesel::r2d2::PoolError) -> ApiError {
        log::warn!("database pool: {e}");
        ApiError::Unavailable(text!("unavailable-database"))
    }
}

impl From<actix_web::error::BlockingError> for ApiError {
    fn from(e: actix_web::error::BlockingError) -> ApiError {
        ApiError::Internal(format!("blocking task: {e}"))
    }
}

/// Flattens validator's nested errors into `{field, message}` with dotted paths.
pub fn field_errors(errors: &ValidationErrors) -> Vec<FieldError> {
    let mut out = vec![];
    collect(errors, "", &mut out);
    out.sort_by(|a, b| a.field.cmp(&b.field));
    out
}

fn collect(errors: &ValidationErrors, prefix: &str, out: &mut Vec<FieldError>) {
    for (field, kind) in errors.errors() {
        let path = if prefix.is_empty() {
            field.to_string()
        } else {
            format!("{prefix}.{field}")
        };
        match kind {
            ValidationErrorsKind::Field(list) => {
                for e in list {
                    out.push(FieldError::new(&path, describe(e)));
                }
            }
            ValidationErrorsKind::Struct(inner) => collect(inner, &path, out),
            ValidationErrorsKind::List(items) => {
                for (i, inner) in items {
                    collect(inner, &format!("{path}[{i}]"), out);
                }
            }
        }
    }
}

fn describe(e: &validator::ValidationError) -> Text {
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    match (e.code.as_ref(), param("min"), param("max")) {
        ("length", Some(min), Some(max)) => text!("length-between", min = min, max = max),
        ("length", Some(min), None) if min == "1" => text!("blank"),
        ("length", Some(min), None) => text!("length-min", min = min),
        ("length", None, Some(max)) => text!("length-max", max = max),
        ("range", Some(min), Some(max)) => text!("range-between", min = min, max = max),
        ("range", Some(min), None) => text!("range-min", min = min),
        ("range", None, Some(max)) => text!("range-max", max = max),
        ("blank", _, _) => text!("blank"),
        (other, _, _) => text!("invalid-value", code = other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_disk_and_a_lost_connection_are_503_not_500() {
        use diesel::result::{DatabaseErrorKind, Error};
        let db = |kind, message: &str| {
            ApiError::from(Error::DatabaseError(kind, Box::new(message.to_string())))
        };
        for e in [
            db(DatabaseErrorKind::Unknown, "database or disk is full"),
            db(
                DatabaseErrorKind::Unknown,
                "could not extend file \"base/16384/2619\": No space left on device",
            ),
            db(DatabaseErrorKind::ClosedConnection, "connection closed"),
            db(
                DatabaseErrorKind::Unknown,
                "terminating connection due to administrator command",
            ),
        ] {
            assert_eq!(e.status_code(), StatusCode::SERVICE_UNAVAILABLE, "{e}");
        }
        let other = db(
            DatabaseErrorKind::Unknown,
            "syntax error at or near \"SELEC\"",
        );
        assert_eq!(other.status_code(), StatusCode::INTERNAL_SERVER_ERROR);
    }
}
