//! `X-Request-Id`: taken from the request when it is a sane token, otherwise made up;
//! echoed on the response and written in the access log, so a complaint can be traced.

use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;

pub const HEADER: &str = "x-request-id";

fn acceptable(id: &str) -> bool {
    (1..=64).contains(&id.len())
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

pub async fn tag(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, actix_web::Error> {
    let name = HeaderName::from_static(HEADER);
    let id = req
        .headers()
        .get(&name)
        .and_then(|v| v.to_str().ok())
        .filter(|v| acceptable(v))
        .map(str::to_string)
        .unwrap_or_else(|| uuid::Uuid::now_v7().simple().to_string());
    let value = HeaderValue::from_str(&id).unwrap_or(HeaderValue::from_static("invalid"));
    req.headers_mut().insert(name.clone(), value.clone());
    // Inner middleware answers refusals (a 401, say) as responses, not errors, so they
    // pass here and carry the id too.
    let mut res = next.call(req).await?;
    res.headers_mut().insert(name, value);
    Ok(res)
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_sane_ids_are_echoed() {
        assert!(super::acceptable("01J9Z-abc_1.2"));
        assert!(!super::acceptable(""));
        assert!(!super::acceptable("a b"));
        assert!(!super::acceptable("x\r\nSet-Cookie: y"));
        assert!(!super::acceptable(&"a".repeat(65)));
    }
}
