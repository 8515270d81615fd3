use crate::helpers::id_of;
use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let body = app.get_json("/healthz").await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_names_the_database_that_answered() {
    let app = spawn_app().await;
    let body = app.get_json("/readyz").await;
    assert_eq!(body["status"], "ok");
    let expected = if app.config.database_url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn metrics_count_requests_and_lights_for_readers_of_everything() {
    let app = crate::helpers::spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    app.measure(id_of(&finding), &unit, Some(crate::helpers::days(-1)))
        .await;
    app.get_json("/api/v1/measures").await;
    let viewer = crate::helpers::token("prometheus", "viewer", None);
    let res = app
        .send(reqwest::Method::GET, "/metrics", Some(&viewer), None)
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.contains("zhenggai_http_requests_total{"), "{text}");
    assert!(text.contains(r#"endpoint="/api/v1/measures""#), "{text}");
    assert!(text.contains("zhenggai_http_requests_duration_seconds_bucket"));
    assert!(
        text.contains(r#"zhenggai_measures{warning="red"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"zhenggai_db_pool_connections{pool="read",state="open"}"#));
    assert!(text.contains("zhenggai_webhook_backlog 0"), "{text}");
    let res = app.send(reqwest::Method::GET, "/metrics", None, None).await;
    assert_eq!(res.status(), 401);
    let staff = crate::helpers::token("li", "unit", Some("ZHK"));
    let res = app
        .send(reqwest::Method::GET, "/metrics", Some(&staff), None)
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = crate::helpers::spawn_app().await;
    let res = app.get("/healthz").await;
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 32);
    let res = app
        .anon
        .get(app.url("/api/v1/units"))
        .header("X-Request-Id", "gov-gateway-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["x-request-id"], "gov-gateway-42");
    let res = app
        .anon
        .get(app.url("/healthz"))
        .header("X-Request-Id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(res.headers()["x-request-id"], "bad id with spaces");
}
