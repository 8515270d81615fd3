//! The authenticated caller, as handlers receive it; `actor()` is who the use cases see.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use std::sync::Arc;

use crate::db::repo::WriteCtx;
use crate::domain::calendar::Calendar;
use crate::domain::permissions::{Action, Actor, Role, Scope, Visibility};
use crate::error::ApiError;
use crate::service::access;

/// Who is calling: set by the authentication middleware after the token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub sub: String,
    pub name: Option<String>,
    pub role: Role,
    /// The caller's unit, when the token names one: (id, code).
    pub unit: Option<(String, String)>,
}

impl Caller {
    /// The caller as the use cases see it: its role and what it may see (everything, or
    /// what concerns its unit).
    pub fn actor(&self) -> Actor {
        let visibility = match (&self.unit, self.role.is_unit_scoped()) {
            (Some((id, _)), true) => Visibility::Unit(id.clone()),
            // A unit-scoped role always has a unit (the middleware rejects it otherwise);
            // if not, it sees nothing rather than everything.
            (None, true) => Visibility::Unit(String::new()),
            (_, false) => Visibility::All,
        };
        Actor {
            sub: self.sub.clone(),
            role: self.role,
            visibility,
            system: false,
        }
    }

    pub fn visibility(&self) -> Visibility {
        self.actor().visibility
    }

    /// 403 unless the role may do this to some item.
    pub fn check_role(&self, action: Action) -> Result<(), ApiError> {
        access::check_role(&self.actor(), action)
    }

    /// 403 when the caller sees the item but may not do this, 404 when it may not see it.
    pub fn check(&self, action: Action, scope: Scope, what: &str) -> Result<(), ApiError> {
        access::check(&self.actor(), action, scope, what)
    }

    /// Stamps writes with the caller's `sub`.
    pub fn write_ctx(&self, calendar: Arc<Calendar>) -> WriteCtx {
        WriteCtx::new(self.actor(), calendar)
    }
}

impl FromRequest for Caller {
    type Error = ApiError;
    type Future = Ready<Result<Caller, ApiError>>;

    fn from_request(req: &HttpRequest, _: &mut Payload) -> Self::Future {
        ready(
            req.extensions()
                .get::<Caller>()
                .cloned()
                .ok_or_else(|| ApiError::Unauthorized("a bearer token is required".into())),
        )
    }
}
