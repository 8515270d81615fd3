//! The authenticated caller, as handlers receive it; `actor()` is who the use cases see.

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use std::sync::Arc;

use crate::db::repo::WriteCtx;
use crate::domain::calendar::Calendar;
use crate::domain::permissions::{Action, Actor, Role, Ties, Visibility};
use crate::error::ApiError;
use crate::service::access;

/// Who is calling: set by the authentication middleware after the token checked out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Caller {
    pub sub: String,
    /// The people directory's name, else the token's.
    pub name: Option<String>,
    pub role: Role,
    /// The caller's own unit, when it has one: (id, code).
    pub unit: Option<(String, String)>,
    /// What the caller sees: everything, or its units (its own, those it oversees, and
    /// every unit below them).
    pub visibility: Visibility,
}

impl Caller {
    /// The caller as the use cases see it: its role and what it may see.
    pub fn actor(&self) -> Actor {
        Actor {
            sub: self.sub.clone(),
            name: self.name.clone(),
            role: self.role,
            visibility: self.visibility.clone(),
            system: false,
        }
    }

    pub fn visibility(&self) -> Visibility {
        self.visibility.clone()
    }

    /// 403 unless the role may do this to some item.
    pub fn check_role(&self, action: Action) -> Result<(), ApiError> {
        access::check_role(&self.actor(), action)
    }

    /// For what belongs to nobody's unit (webhooks, units): 403 unless the role may.
    pub fn check_ledger_wide(&self, action: Action, what: &str) -> Result<(), ApiError> {
        access::check(&self.actor(), action, Ties::ALL, what)
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
                .ok_or_else(|| ApiError::Unauthorized(crate::text!("token-required"))),
        )
    }
}
