//! `Accept-Language`: the language problems are told in for this request (Chinese unless
//! the client asks for English; `ZHENGGAI_LANG` sets the default), carried by
//! `i18n::in_language` to wherever an error is turned into its answer.

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header;
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{HttpResponse, ResponseError};

use crate::error::ApiError;
use crate::i18n::{self, Lang};

pub async fn negotiate(
    default: Lang,
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let asked = req
        .headers()
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    let lang = i18n::negotiate(asked, default);
    i18n::in_language(lang, async move {
        match next.call(req).await {
            Ok(res) => Ok(res.map_into_boxed_body()),
            // The server answers an error that leaves the middleware after this scope:
            // it is told in the request's language still.
            Err(error) => Err(Told { error, lang }.into()),
        }
    })
    .await
}

/// An error on its way out, with the language to tell it in.
#[derive(Debug)]
struct Told {
    error: actix_web::Error,
    lang: Lang,
}

impl std::fmt::Display for Told {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.error.fmt(f)
    }
}

impl ResponseError for Told {
    fn status_code(&self) -> StatusCode {
        self.error.as_response_error().status_code()
    }

    fn error_response(&self) -> HttpResponse {
        match self.error.as_error::<ApiError>() {
            Some(api) => api.response_in(self.lang),
            None => self.error.error_response(),
        }
    }
}
