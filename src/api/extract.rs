//! Request extractors that turn every kind of bad input into a problem+json answer:
//! `Body<T>` (JSON body, parsed then validated), `Params<T>` (query string), and the
//! error handler for path parameters.
//!
//! A body is always a write, and says which (`Guarded`): a caller whose role may never do
//! it is refused with 403 before the body is read.

use std::future::Future;
use std::pin::Pin;

use actix_web::dev::Payload;
use actix_web::http::header;
use actix_web::{web, FromRequest, HttpMessage, HttpRequest};
use futures_util::StreamExt;
use serde::de::DeserializeOwned;
use validator::Validate;

use crate::api::serde_text;
use crate::auth::caller::Caller;
use crate::domain::permissions::Action;
use crate::domain::rules::FieldError;
use crate::error::field_errors;
use crate::error::ApiError;
use crate::text;

/// Largest JSON body accepted (bytes).
pub const MAX_JSON_BODY: usize = 256 * 1024;

/// The action a request body performs.
pub trait Guarded {
    const ACTION: Action;
    /// The body may be left out entirely (it has no required fields): read as `{}`.
    const EMPTY_OK: bool = false;
}

/// A JSON request body: the caller's role checked, then the media type and size, parsed
/// strictly (unknown fields rejected), then validated.
pub struct Body<T>(pub T);

impl<T: DeserializeOwned + Validate + Guarded + 'static> FromRequest for Body<T> {
    type Error = ApiError;
    type Future = Pin<Box<dyn Future<Output = Result<Self, ApiError>>>>;

    fn from_request(req: &HttpRequest, payload: &mut Payload) -> Self::Future {
        let allowed = match req.extensions().get::<Caller>() {
            Some(caller) => caller.check_role(T::ACTION),
            None => Err(ApiError::Unauthorized(text!("token-required"))),
        };
        if let Err(e) = allowed {
            return Box::pin(std::future::ready(Err(e)));
        }
        let content_type_ok = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                let essence = v
                    .split(';')
                    .next()
                    .unwrap_or("")
                    .trim()
                    .to_ascii_lowercase();
                essence == "application/json" || essence.ends_with("+json")
            })
            .unwrap_or(false);
        let declared_len = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let mut payload = payload.take();
        Box::pin(async move {
            let may_be_empty = T::EMPTY_OK && declared_len.unwrap_or(0) == 0;
            if !content_type_ok && !may_be_empty {
                return Err(ApiError::UnsupportedMediaType(text!("body-not-json")));
            }
            if declared_len.is_some_and(|n| n > MAX_JSON_BODY) {
                return Err(too_large());
            }
            let mut body = web::BytesMut::new();
            while let Some(chunk) = payload.next().await {
                let chunk = chunk.map_err(|e| {
                    ApiError::bad_request(text!("body-unreadable", cause = e.to_string()))
                })?;
                if body.len() + chunk.len() > MAX_JSON_BODY {
                    return Err(too_large());
                }
                body.extend_from_slice(&chunk);
            }
            if may_be_empty && body.is_empty() {
                body.extend_from_slice(b"{}");
            } else if !content_type_ok {
                return Err(ApiError::UnsupportedMediaType(text!("body-not-json")));
            }
            let value = parse_json::<T>(&body)?;
            value
                .validate()
                .map_err(|e| ApiError::Validation(field_errors(&e)))?;
            Ok(Body(value))
        })
    }
}

fn too_large() -> ApiError {
    ApiError::PayloadTooLarge(text!("body-too-large", kib = MAX_JSON_BODY / 1024))
}

pub fn parse_json<T: DeserializeOwned>(body: &[u8]) -> Result<T, ApiError> {
    if body.is_empty() {
        return Err(ApiError::bad_request(text!("body-empty")));
    }
    // Syntax first (400), then shape (422): a body like `[1,2` is malformed, not mistyped.
    // A key given twice is malformed too: which one counts would be a guess.
    let strict::Strict(value) = serde_json::from_slice(body)
        .map_err(|e| ApiError::bad_request(serde_text::syntax_error(&e)))?;
    // PostgreSQL cannot store U+0000 in text and SQLite can: refuse it for both.
    if let Some(path) = strict::nul_at(&value, "") {
        return Err(ApiError::Validation(vec![FieldError::new(
            path,
            text!("nul-char"),
        )]));
    }
    serde_path_to_error::deserialize(value).map_err(|e| {
        let path = e.path().to_string();
        let message = strip_position(&e.into_inner().to_string());
        let mut field = if path == "." { String::new() } else { path };
        // A missing field is named by the message, not the path (which ends above it).
        if let Some(name) = named_field(&message, "missing field `") {
            field = if field.is_empty() {
                name
            } else {
                format!("{field}.{name}")
            };
        }
        ApiError::Validation(vec![FieldError::new(
            field,
            serde_text::value_error(&message),
        )])
    })
}

mod strict {
    //! A JSON document read into a `Value` in one pass, refused when a key repeats in an
    //! object (serde_json would keep the last one silently).

    use std::collections::HashSet;
    use std::fmt;

    use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
    use serde_json::{Map, Number, Value};

    pub struct Strict(pub Value);

    impl<'de> Deserialize<'de> for Strict {
        fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Strict, D::Error> {
            d.deserialize_any(StrictVisitor)
        }
    }

    struct StrictVisitor;

    impl<'de> Visitor<'de> for StrictVisitor {
        type Value = Strict;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("JSON")
        }

        fn visit_bool<E>(self, v: bool) -> Result<Strict, E> {
            Ok(Strict(Value::Bool(v)))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Strict, E> {
            Ok(Strict(Value::Number(v.into())))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Strict, E> {
            Ok(Strict(Value::Number(v.into())))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<Strict, E> {
            Number::from_f64(v)
                .map(|n| Strict(Value::Number(n)))
                .ok_or_else(|| E::custom("not a finite number"))
        }
        fn visit_str<E>(self, v: &str) -> Result<Strict, E> {
            Ok(Strict(Value::String(v.to_string())))
        }
        fn visit_string<E>(self, v: String) -> Result<Strict, E> {
            Ok(Strict(Value::String(v)))
        }
        fn visit_unit<E>(self) -> Result<Strict, E> {
            Ok(Strict(Value::Null))
        }

        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Strict, A::Error> {
            let mut items = Vec::new();
            while let Some(Strict(item)) = seq.next_element::<Strict>()? {
                items.push(item);
            }
            Ok(Strict(Value::Array(items)))
        }

        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Strict, A::Error> {
            let mut seen = HashSet::new();
            let mut object = Map::new();
            while let Some(key) = map.next_key::<String>()? {
                if !seen.insert(key.clone()) {
                    return Err(de::Error::custom(format!("the key {key:?} appears twice")));
                }
                let Strict(value) = map.next_value::<Strict>()?;
                object.insert(key, value);
            }
            Ok(Strict(Value::Object(object)))
        }
    }

    /// The path of the first string holding U+0000, if any.
    pub fn nul_at(value: &serde_json::Value, path: &str) -> Option<String> {
        use serde_json::Value;
        let join = |key: &str| {
            if path.is_empty() {
                key.to_string()
            } else {
                format!("{path}.{key}")
            }
        };
        match value {
            Value::String(s) if s.contains('\0') => Some(path.to_string()),
            Value::Array(items) => items
                .iter()
                .enumerate()
                .find_map(|(i, v)| nul_at(v, &format!("{path}[{i}]"))),
            Value::Object(map) => map.iter().find_map(|(k, v)| {
                if k.contains('\0') {
                    Some(join(k))
                } else {
                    nul_at(v, &join(k))
                }
            }),
            _ => None,
        }
    }
}

/// serde_json appends " at line 1 column 12"; the field path says more.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message.to_string(),
    }
}

/// `If-Match` on a write: the version (`ETag`) the client last saw. Absent or `*` means
/// "whatever is current"; a stale one makes the write answer 412 and change nothing.
pub struct IfMatch(pub Option<i32>);

impl FromRequest for IfMatch {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_if_match(req.headers().get(header::IF_MATCH)))
    }
}

fn parse_if_match(value: Option<&header::HeaderValue>) -> Result<IfMatch, ApiError> {
    let Some(value) = value else {
        return Ok(IfMatch(None));
    };
    let bad = || ApiError::BadRequest {
        detail: text!("if-match-invalid"),
        errors: vec![FieldError::new("If-Match", text!("if-match-not-ours"))],
    };
    let text = value.to_str().map_err(|_| bad())?.trim();
    if text == "*" {
        return Ok(IfMatch(None));
    }
    let tag = text.strip_prefix("W/").unwrap_or(text);
    let opaque = tag
        .strip_prefix('"')
        .and_then(|t| t.strip_suffix('"'))
        .filter(|t| !t.contains('"'))
        .ok_or_else(bad)?;
    // A well-formed tag this service never sent names no version: it is not the current
    // one, so the write answers 412 like any stale tag (RFC 9110 §13.1.1).
    Ok(IfMatch(Some(opaque.parse::<i32>().unwrap_or(NO_VERSION))))
}

/// The version a foreign `If-Match` tag stands for: none an object ever has.
const NO_VERSION: i32 = -1;

/// The `ETag` header for an object at `version`.
pub fn etag(version: i32) -> (header::HeaderName, String) {
    (header::ETAG, format!("\"{version}\""))
}

/// A query string, parsed strictly (unknown parameters rejected) and validated. Every
/// failure is a 400 naming the parameter.
pub struct Params<T>(pub T);

impl<T: DeserializeOwned + Validate + 'static> FromRequest for Params<T> {
    type Error = ApiError;
    type Future = std::future::Ready<Result<Self, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        std::future::ready(parse_query(req.query_string()))
    }
}

fn parse_query<T: DeserializeOwned + Validate>(query: &str) -> Result<Params<T>, ApiError> {
    let pairs = form_urlencoded::parse(query.as_bytes());
    let de = serde_urlencoded::Deserializer::new(pairs);
    let value: T = serde_path_to_error::deserialize(de).map_err(|e| {
        let path = e.path().to_string();
        let message = e.into_inner().to_string();
        let field = if path == "." {
            unknown_field_name(&message).unwrap_or_default()
        } else {
            path
        };
        let message = serde_text::value_error(&message);
        ApiError::BadRequest {
            detail: text!("query-invalid-because", why = message.clone()),
            errors: vec![FieldError::new(field, message)],
        }
    })?;
    value.validate().map_err(|e| {
        let errors = field_errors(&e);
        ApiError::BadRequest {
            detail: text!("query-invalid"),
            errors,
        }
    })?;
    Ok(Params(value))
}

fn unknown_field_name(message: &str) -> Option<String> {
    named_field(message, "unknown field `")
}

fn named_field(message: &str, prefix: &str) -> Option<String> {
    let rest = message.strip_prefix(prefix)?;
    Some(rest.split('`').next()?.to_string())
}

/// Path parameters (ids) that do not parse answer 400, in the same shape.
pub fn path_error(err: actix_web::error::PathError, _req: &HttpRequest) -> actix_web::Error {
    ApiError::BadRequest {
        detail: text!("path-invalid", cause = err.to_string()),
        errors: vec![FieldError::new("id", text!("must-be-uuid"))],
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn if_match_reads_strong_weak_star_and_foreign_tags_and_refuses_the_rest() {
        let parse = |v: &str| parse_if_match(Some(&header::HeaderValue::from_str(v).unwrap()));
        assert_eq!(parse("\"3\"").unwrap().0, Some(3));
        assert_eq!(parse("W/\"12\"").unwrap().0, Some(12));
        assert_eq!(parse("*").unwrap().0, None);
        assert_eq!(parse_if_match(None).unwrap().0, None);
        // A tag this service never sent stands for no version: the write answers 412.
        assert_eq!(parse("\"x\"").unwrap().0, Some(NO_VERSION));
        for bad in ["3", "\"3", ""] {
            assert!(parse(bad).is_err(), "{bad}");
        }
    }

    #[derive(serde::Deserialize, Validate, Debug)]
    #[serde(deny_unknown_fields)]
    struct Q {
        #[validate(range(min = 1, max = 500))]
        limit: Option<u32>,
    }

    #[test]
    fn query_errors_name_the_parameter() {
        let err = parse_query::<Q>("limit=abc").err().unwrap();
        assert!(matches!(&err, ApiError::BadRequest { errors, .. } if errors[0].field == "limit"));
        let err = parse_query::<Q>("limt=5").err().unwrap();
        assert!(matches!(&err, ApiError::BadRequest { errors, .. } if errors[0].field == "limt"));
        let err = parse_query::<Q>("limit=501").err().unwrap();
        assert!(matches!(&err, ApiError::BadRequest { errors, .. } if errors[0].field == "limit"));
        assert_eq!(parse_query::<Q>("limit=5").ok().unwrap().0.limit, Some(5));
    }

    #[test]
    fn json_syntax_is_400_and_shape_is_422() {
        #[derive(serde::Deserialize, Debug)]
        #[serde(deny_unknown_fields)]
        #[allow(dead_code)]
        struct B {
            n: u32,
        }
        assert!(matches!(
            parse_json::<B>(b"{"),
            Err(ApiError::BadRequest { .. })
        ));
        match parse_json::<B>(br#"{"n": "x"}"#) {
            Err(ApiError::Validation(errors)) => assert_eq!(errors[0].field, "n"),
            other => panic!("{other:?}"),
        }
        match parse_json::<B>(br#"{"n": 1, "m": 2}"#) {
            Err(ApiError::Validation(errors)) => {
                assert!(errors[0]
                    .message
                    .told(crate::i18n::Lang::En)
                    .contains("Unknown field"))
            }
            other => panic!("{other:?}"),
        }
    }
}
