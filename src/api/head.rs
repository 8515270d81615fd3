//! `HEAD` wherever `GET` works (RFC 9110 §9.3.2): the request is routed as the `GET` it
//! mirrors — same checks, same headers, same `ETag` — and the server leaves out the body.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;

pub async fn as_get(
    mut req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    if req.method() == Method::HEAD {
        // The connection remembers the request was HEAD and sends no body.
        req.head_mut().method = Method::GET;
    }
    next.call(req).await
}
