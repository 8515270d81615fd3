//! The gate in front of `/api/v1`: no valid bearer token, no entry (401). A valid token
//! becomes a `Caller` in the request's extensions.

use std::sync::Arc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderMap};
use actix_web::middleware::Next;
use actix_web::ResponseError;
use actix_web::{web, HttpMessage};

use super::caller::Caller;
use super::token::{Identity, Verifier};
use crate::domain::org::Organisation;
use crate::domain::permissions::Visibility;
use crate::error::ApiError;
use crate::i18n::Text;
use crate::service::directory::Directory;
use crate::text;

/// Verifies tokens and resolves who they name: the unit codes, and the caller's scope from
/// the people directory (else from the token).
pub struct Authenticator {
    verifier: Verifier,
    directory: Arc<Directory>,
}

impl Authenticator {
    pub fn new(verifier: Verifier, directory: Arc<Directory>) -> Authenticator {
        Authenticator {
            verifier,
            directory,
        }
    }

    /// The caller a request's `Authorization` header proves.
    pub async fn caller(&self, headers: &HeaderMap) -> Result<Caller, ApiError> {
        let token = bearer_token(headers)?;
        let identity = self
            .verifier
            .verify(token)
            .map_err(|e| ApiError::Unauthorized(e.text()))?;
        // The organisation as of this version is nearly always at hand: resolved here,
        // without a hop to a blocking thread (and back) on every request.
        if let Some(org) = self.directory.cached() {
            if knows_every_unit(&org, &identity) {
                return resolve_in(&org, identity);
            }
        }
        let directory = self.directory.clone();
        web::block(move || resolve(&directory, identity)).await?
    }
}

fn knows_every_unit(org: &Organisation, identity: &Identity) -> bool {
    identity
        .unit_code
        .iter()
        .chain(identity.unit_codes.iter())
        .all(|c| org.unit_id(c).is_some())
}

/// Who the verified identity is in the organisation. A code the snapshot does not know
/// may be a unit another process just created: the snapshot is read again once.
fn resolve(directory: &Directory, identity: Identity) -> Result<Caller, ApiError> {
    let mut org = directory.now()?;
    if !knows_every_unit(&org, &identity) {
        org = directory.fresh()?;
    }
    resolve_in(&org, identity)
}

fn resolve_in(org: &Organisation, identity: Identity) -> Result<Caller, ApiError> {
    let codes: Vec<&String> = identity
        .unit_code
        .iter()
        .chain(identity.unit_codes.iter())
        .collect();
    let mut ids = Vec::with_capacity(codes.len());
    for code in &codes {
        match org.unit_id(code) {
            Some(id) => ids.push(id.to_string()),
            None => return Err(ApiError::Unauthorized(text!("token-unit-unknown"))),
        }
    }
    let person = org.person(&identity.sub);
    // The directory says where a person works and what they oversee; the token only when
    // the directory does not know them.
    let roots = match person {
        Some(p) => p.roots(),
        None => ids.clone(),
    };
    let unit = match person.and_then(|p| p.unit_id.clone()) {
        Some(id) => org.unit(&id).map(|u| (u.id.clone(), u.code.clone())),
        None => identity
            .unit_code
            .as_ref()
            .zip(ids.first())
            .map(|(code, id)| (id.clone(), code.clone())),
    };
    let visibility = if identity.role.is_unit_scoped() {
        // A unit-scoped caller without units sees nothing rather than everything.
        Visibility::Units(org.scope(&roots))
    } else {
        Visibility::All
    };
    Ok(Caller {
        name: person.map(|p| p.name.clone()).or(identity.name),
        sub: identity.sub,
        role: identity.role,
        unit,
        visibility,
    })
}

fn bearer_token(headers: &HeaderMap) -> Result<&str, ApiError> {
    let unauthorized = |why: Text| Err(ApiError::Unauthorized(why));
    let mut values = headers.get_all(header::AUTHORIZATION);
    let Some(value) = values.next() else {
        return unauthorized(text!("token-required-header"));
    };
    if values.next().is_some() {
        return unauthorized(text!("token-several-headers"));
    }
    let Ok(value) = value.to_str() else {
        return unauthorized(text!("token-header-unreadable"));
    };
    let (scheme, token) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !scheme.eq_ignore_ascii_case("bearer") {
        return unauthorized(text!("token-not-bearer"));
    }
    let token = token.trim();
    if token.is_empty() {
        return unauthorized(text!("token-empty"));
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
