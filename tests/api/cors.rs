//! A dashboard on another origin: its preflights pass without a token, its answers show
//! the headers it reads; an origin not on `ZHENGGAI_CORS_ORIGINS` gets no CORS headers.

use reqwest::Method;

use crate::helpers::{spawn_app, spawn_app_with, token};

const PORTAL: &str = "https://portal.example.gov.cn";

fn header(res: &reqwest::Response, name: &str) -> Option<String> {
    res.headers()
        .get(name)
        .map(|v| v.to_str().unwrap().to_string())
}

#[tokio::test]
async fn an_allowed_origin_preflights_without_a_token_and_reads_the_headers_it_needs() {
    let app = spawn_app_with(|c| c.cors_origins = vec![PORTAL.into()]).await;
    let preflight = app
        .anon
        .request(Method::OPTIONS, app.url("/api/v1/measures"))
        .header("Origin", PORTAL)
        .header("Access-Control-Request-Method", "POST")
        .header(
            "Access-Control-Request-Headers",
            "authorization, content-type, if-match, idempotency-key",
        )
        .send()
        .await
        .unwrap();
    assert_eq!(preflight.status(), 204);
    assert_eq!(
        header(&preflight, "access-control-allow-origin").as_deref(),
        Some(PORTAL)
    );
    let methods = header(&preflight, "access-control-allow-methods").unwrap();
    assert!(
        methods.contains("POST") && methods.contains("PATCH"),
        "{methods}"
    );
    let allowed = header(&preflight, "access-control-allow-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "authorization",
        "if-match",
        "idempotency-key",
        "accept-language",
    ] {
        assert!(allowed.contains(h), "{h} in {allowed}");
    }

    let viewer = token("screen", "viewer", None);
    let res = app
        .anon
        .get(app.url("/api/v1/measures"))
        .header("Origin", PORTAL)
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some(PORTAL)
    );
    let exposed = header(&res, "access-control-expose-headers")
        .unwrap()
        .to_ascii_lowercase();
    for h in [
        "etag",
        "link",
        "location",
        "x-request-id",
        "ratelimit-remaining",
        "retry-after",
        "idempotent-replayed",
    ] {
        assert!(exposed.contains(h), "{h} in {exposed}");
    }
    // A refusal carries them too, so the page can read why.
    let res = app
        .anon
        .get(app.url("/api/v1/measures"))
        .header("Origin", PORTAL)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        header(&res, "access-control-allow-origin").as_deref(),
        Some(PORTAL)
    );
}

#[tokio::test]
async fn another_origin_and_an_unconfigured_service_send_no_cors_headers() {
    let app = spawn_app_with(|c| c.cors_origins = vec![PORTAL.into()]).await;
    let viewer = token("screen", "viewer", None);
    let res = app
        .anon
        .get(app.url("/api/v1/measures"))
        .header("Origin", "https://elsewhere.example.com")
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), None);
    let preflight = app
        .anon
        .request(Method::OPTIONS, app.url("/api/v1/measures"))
        .header("Origin", "https://elsewhere.example.com")
        .header("Access-Control-Request-Method", "POST")
        .send()
        .await
        .unwrap();
    assert_eq!(header(&preflight, "access-control-allow-origin"), None);
    assert!(
        preflight.status().is_client_error(),
        "{}",
        preflight.status()
    );

    let plain = spawn_app().await;
    let res = plain
        .anon
        .get(plain.url("/api/v1/measures"))
        .header("Origin", PORTAL)
        .bearer_auth(&viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    assert_eq!(header(&res, "access-control-allow-origin"), None);
}
