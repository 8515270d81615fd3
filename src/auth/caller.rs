//! The authenticated caller, as handlers receive it, and the two questions they ask of it:
//! may this role ever do this (`check_role`), and may it do it to this item (`check`).

use std::future::{ready, Ready};

use actix_web::dev::Payload;
use actix_web::{FromRequest, HttpMessage, HttpRequest};

use crate::db::repo::{Visibility, WriteCtx};
use crate::domain::permissions::{decide, ever_allowed, Action, Decision, Role, Scope};
use crate::error::ApiError;

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
    /// What this caller may see: everything, or what concerns its unit.
    pub fn visibility(&self) -> Visibility {
        match (&self.unit, self.role.is_unit_scoped()) {
            (Some((id, _)), true) => Visibility::Unit(id.clone()),
            // A unit-scoped role always has a unit (the middleware rejects it otherwise);
            // if not, it sees nothing rather than everything.
            (None, true) => Visibility::Unit(String::new()),
            (_, false) => Visibility::All,
        }
    }

    /// 403 unless the role may do this to some item.
    pub fn check_role(&self, action: Action) -> Result<(), ApiError> {
        if ever_allowed(self.role, action) {
            Ok(())
        } else {
            Err(self.forbidden(action))
        }
    }

    /// Decides for one item: 403 when the caller sees it but may not do this, 404 (as if
    /// it did not exist) when the caller may not see it at all.
    pub fn check(&self, action: Action, scope: Scope, what: &str) -> Result<(), ApiError> {
        match decide(self.role, action, scope) {
            Decision::Allow => Ok(()),
            Decision::Forbidden => Err(self.forbidden(action)),
            Decision::Hidden => Err(ApiError::not_found(what)),
        }
    }

    fn forbidden(&self, action: Action) -> ApiError {
        ApiError::Forbidden(format!(
            "the {} role may not {}",
            self.role.as_str(),
            action.describe()
        ))
    }

    /// Stamps writes with the caller's `sub`.
    pub fn write_ctx(&self) -> WriteCtx {
        WriteCtx::new(Some(self.sub.clone()), self.role.as_str())
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
