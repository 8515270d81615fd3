//! The one error type. Every 4xx/5xx leaves as RFC 9457 `application/problem+json`.

use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;
use validator::{ValidationErrors, ValidationErrorsKind};

use crate::domain::permissions::Refusal;
use crate::domain::rules::FieldError;

pub const PROBLEM_JSON: &str = "application/problem+json";

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// No valid token: missing, malformed, expired, badly signed… (401).
    #[error("{0}")]
    Unauthorized(String),
    /// Authenticated, but may not do this (403): the rule that refused.
    #[error("{}", .0.en)]
    Forbidden(Refusal),
    #[error("{0}")]
    NotFound(String),
    /// It existed and was withdrawn; its record stays (410).
    #[error("{0}")]
    Gone(String),
    /// A malformed request: bad JSON, bad query string, bad path.
    #[error("{detail}")]
    BadRequest {
        detail: String,
        errors: Vec<FieldError>,
    },
    /// Well-formed, but the values break the rules.
    #[error("the request has invalid fields")]
    Validation(Vec<FieldError>),
    #[error("{0}")]
    Conflict(String),
    /// The item's state does not allow the action (409): says the state and what it allows.
    #[error("{message}")]
    WrongState {
        message: String,
        current: String,
        allowed: Vec<String>,
    },
    /// `If-Match` named a version that is no longer current (412).
    #[error("{0}")]
    PreconditionFailed(String),
    #[error("{0}")]
    PayloadTooLarge(String),
    #[error("{0}")]
    UnsupportedMediaType(String),
    #[error("{method} is not allowed here")]
    MethodNotAllowed { method: String, allow: Vec<String> },
    /// The service cannot answer now (database down, disk full…): retry later (503).
    #[error("{0}")]
    Unavailable(String),
    /// The database connection broke during the work (503, as `Unavailable`). Nothing of
    /// it was committed when it broke inside a transaction's work, so that work may be run
    /// again on a fresh connection (`api::read`, `api::write`).
    #[error("{0}")]
    ConnectionLost(String),
    /// Too little disk left to keep an upload (507).
    #[error("{0}")]
    InsufficientStorage(String),
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
    "title": "Unprocessable Content",
    "status": 422,
    "detail": "the request has invalid fields",
    "errors": [{"field": "due_date", "message": "a time_bound measure needs a due date"}]
}))]
pub struct Problem {
    /// A URI naming the kind of problem.
    #[serde(rename = "type")]
    pub type_: String,
    /// The HTTP status phrase.
    pub title: String,
    pub status: u16,
    /// What went wrong, for a person.
    pub detail: String,
    /// The same in Chinese, where the service words it (refusals, 403).
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
    pub sheet_errors: Option<Vec<crate::domain::ledger::CellError>>,
    /// For a refused workflow action: the item's current state…
    #[serde(skip_serializing_if = "Option::is_none")]
    pub current_state: Option<String>,
    /// …and the actions that state allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allowed_actions: Option<Vec<String>>,
}

#[derive(Debug, Serialize, serde::Deserialize, ToSchema)]
pub struct ProblemField {
    /// The request field, as a path (`quota.min_count`, `supporting_unit_ids[1]`).
    pub field: String,
    pub message: String,
}

impl ApiError {
    /// A 403 outside the permission table, with its rule's code and words.
    pub fn refused(rule: &str, zh: &str, en: &str) -> ApiError {
        ApiError::Forbidden(Refusal::new(rule, zh, en))
    }

    pub fn not_found(what: &str) -> ApiError {
        ApiError::NotFound(format!("{what} not found"))
    }

    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::Validation(vec![FieldError::new(field, message)])
    }

    pub fn bad_param(field: &str, message: impl Into<String>) -> ApiError {
        let message = message.into();
        ApiError::BadRequest {
            detail: format!("invalid query parameter `{field}`: {message}"),
            errors: vec![FieldError::new(field, message)],
        }
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
            ApiError::WrongState { .. } => "wrong-state",
            ApiError::PreconditionFailed(_) => "precondition-failed",
            ApiError::PayloadTooLarge(_) => "payload-too-large",
            ApiError::UnsupportedMediaType(_) => "unsupported-media-type",
            ApiError::MethodNotAllowed { .. } => "method-not-allowed",
            ApiError::Unavailable(_) | ApiError::ConnectionLost(_) => "unavailable",
            ApiError::InsufficientStorage(_) => "insufficient-storage",
            ApiError::Sheet(_) => "sheet",
            ApiError::Internal(_) => "internal",
        }
    }

    pub fn problem(&self) -> Problem {
        let status = self.status_code();
        let detail = match self {
            ApiError::Internal(_) => "an internal error occurred; it has been logged".to_string(),
            other => other.to_string(),
        };
        let errors = match self {
            ApiError::Validation(errors) | ApiError::BadRequest { errors, .. }
                if !errors.is_empty() =>
            {
                Some(
                    errors
                        .iter()
                        .map(|e| ProblemField {
                            field: e.field.clone(),
                            message: e.message.clone(),
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
            ApiError::Forbidden(refusal) => (Some(refusal.zh.clone()), Some(refusal.rule.clone())),
            _ => (None, None),
        };
        Problem {
            type_: format!("urn:zhenggai:problem:{}", self.slug()),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail,
            detail_zh,
            rule,
            errors,
            sheet_errors: match self {
                ApiError::Sheet(cells) => Some(cells.clone()),
                _ => None,
            },
            current_state,
            allowed_actions,
        }
    }
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
            ApiError::Conflict(_) | ApiError::WrongState { .. } => StatusCode::CONFLICT,
            ApiError::PreconditionFailed(_) => StatusCode::PRECONDITION_FAILED,
            ApiError::PayloadTooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            ApiError::UnsupportedMediaType(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::MethodNotAllowed { .. } => StatusCode::METHOD_NOT_ALLOWED,
            ApiError::Unavailable(_) | ApiError::ConnectionLost(_) => {
                StatusCode::SERVICE_UNAVAILABLE
            }
            ApiError::InsufficientStorage(_) => StatusCode::INSUFFICIENT_STORAGE,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
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
        if let ApiError::MethodNotAllowed { allow, .. } = self {
            response.insert_header((header::ALLOW, allow.join(", ")));
        }
        if let ApiError::Unauthorized(why) = self {
            // RFC 6750 §3; the description is the same sentence as `detail`.
            let why: String = why
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
        response.body(serde_json::to_string(&self.problem()).unwrap_or_default())
    }
}

impl From<crate::domain::workflow::WrongState> for ApiError {
    fn from(e: crate::domain::workflow::WrongState) -> ApiError {
        ApiError::WrongState {
            message: e.message(),
            current: e.current.to_string(),
            allowed: e.allowed.iter().map(|a| a.to_string()).collect(),
        }
    }
}

impl From<diesel::result::Error> for ApiError {
    fn from(e: diesel::result::Error) -> ApiError {
        use diesel::result::{DatabaseErrorKind, Error};
        match e {
            Error::NotFound => ApiError::NotFound("not found".into()),
            // The repos check codes first and answer with a precise message; this is the
            // lost race between two simultaneous creates.
            Error::DatabaseError(DatabaseErrorKind::UniqueViolation, _) => {
                ApiError::Conflict("an item with the same code already exists".into())
            }
            Error::DatabaseError(DatabaseErrorKind::ForeignKeyViolation, _) => {
                ApiError::Conflict("the item refers to, or is referred to by, another item".into())
            }
            Error::DatabaseError(DatabaseErrorKind::SerializationFailure, _) => {
                ApiError::Conflict("a concurrent change interfered; please retry".into())
            }
            other => {
                let text = other.to_string();
                if is_full(&text) {
                    ApiError::Unavailable("the database's disk is full; nothing was written".into())
                } else if is_connection_lost(&other, &text) {
                    ApiError::ConnectionLost("the database connection was lost; retry".into())
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
        ApiError::Unavailable("the database is not available right now".into())
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

fn describe(e: &validator::ValidationError) -> String {
    if let Some(message) = &e.message {
        return message.to_string();
    }
    let param = |name: &str| e.params.get(name).map(|v| v.to_string());
    match e.code.as_ref() {
        "length" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be {min} to {max} characters long"),
            (Some(min), None) => format!("must be at least {min} characters long"),
            (None, Some(max)) => format!("must be at most {max} characters long"),
            _ => "has the wrong length".into(),
        },
        "range" => match (param("min"), param("max")) {
            (Some(min), Some(max)) => format!("must be between {min} and {max}"),
            (Some(min), None) => format!("must be at least {min}"),
            (None, Some(max)) => format!("must be at most {max}"),
            _ => "is out of range".into(),
        },
        "blank" => "must not be blank".into(),
        other => format!("is invalid ({other})"),
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
