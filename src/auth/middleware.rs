//! The gate in front of `/api/v1`: no valid bearer token, no entry (401). A valid token
//! becomes a `Caller` in the request's extensions.

use std::collections::HashMap;
use std::sync::RwLock;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::ResponseError;
use actix_web::{web, HttpMessage};

use super::caller::Caller;
use super::token::Verifier;
use crate::db::repo::units;
use crate::db::Db;
use crate::error::ApiError;

/// Verifies tokens and resolves the unit codes they name.
pub struct Authenticator {
    verifier: Verifier,
    db: Db,
    /// Unit code → id. Units are never deleted or recoded, so a hit stays true; misses are
    /// not kept, so a unit created later is found.
    units: RwLock<HashMap<String, String>>,
}

impl Authenticator {
    pub fn new(verifier: Verifier, db: Db) -> Authenticator {
        Authenticator {
            verifier,
            db,
            units: RwLock::new(HashMap::new()),
        }
    }

    async fn unit_id(&self, code: &str) -> Result<String, ApiError> {
        if let Some(id) = self.units.read().ok().and_then(|m| m.get(code).cloned()) {
            return Ok(id);
        }
        let wanted = code.to_string();
        let db = self.db.clone();
        let found = web::block(move || {
            let mut conn = db.read()?;
            units::find_by_code(&mut conn, &wanted)
        })
        .await??;
        let Some(unit) = found else {
            return Err(ApiError::Unauthorized(
                "the token names a unit that does not exist".into(),
            ));
        };
        if let Ok(mut cache) = self.units.write() {
            cache.insert(code.to_string(), unit.id.clone());
        }
        Ok(unit.id)
    }

    /// The caller a request's `Authorization` header proves.
    pub async fn caller(&self, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let token = bearer_token(headers)?;
        let identity = self
            .verifier
            .verify(token)
            .map_err(|e| ApiError::Unauthorized(e.to_string()))?;
        let unit = match identity.unit_code {
            Some(code) => Some((self.unit_id(&code).await?, code)),
            None => None,
        };
        Ok(Caller {
            sub: identity.sub,
            name: identity.name,
            role: identity.role,
            unit,
        })
    }
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    let unauthorized = |why: &str| Err(ApiError::Unauthorized(why.into()));
    let mut values = headers.get_all(header::AUTHORIZATION);
    let Some(value) = values.next() else {
        return unauthorized("a bearer token is required (Authorization: Bearer <JWT>)");
    };
    if values.next().is_some() {
        return unauthorized("send one Authorization header, not several");
    }
    let Ok(value) = value.to_str() else {
        return unauthorized("the Authorization header is not readable text");
    };
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return unauthorized("the Authorization header must use the Bearer scheme");
    }
    let token = token.trim();
    if token.is_empty() {
        return unauthorized("the Authorization header carries no token");
    }
    Ok(token)
}

/// `from_fn` middleware: authenticates, then hands the request on with its `Caller`.
pub async fn authenticate(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, actix_web::Error> {
    let auth = req
        .app_data::<web::Data<Authenticator>>()
        .cloned()
        .ok_or_else(|| ApiError::Internal("the authenticator is missing".into()))?;
    match auth.caller(req.headers()).await {
        Ok(caller) => {
            req.extensions_mut().insert(caller);
            Ok(next.call(req).await?.map_into_left_body())
        }
        // Answered here (not raised) so the outer middleware see and tag the response.
        Err(refusal) => Ok(req
            .into_response(refusal.error_response())
            .map_into_right_body()),
    }
}
