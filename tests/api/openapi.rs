use serde_json::Value;

use crate::helpers::spawn_app;

fn committed() -> Value {
    let text =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .expect("openapi/openapi.json");
    serde_json::from_str(&text).expect("committed spec is JSON")
}

#[tokio::test]
async fn the_committed_spec_is_what_the_server_serves() {
    let generated = zhenggai::openapi::document();
    assert!(
        generated == committed(),
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
    let app = spawn_app().await;
    let served = app.get_json("/openapi.json").await;
    assert_eq!(served, generated);
}

#[test]
fn every_operation_and_response_is_described() {
    let doc = zhenggai::openapi::document();
    assert_eq!(doc["openapi"], "3.1.0");
    let paths = doc["paths"].as_object().unwrap();
    for required in [
        "/api/v1/units",
        "/api/v1/units/{id}",
        "/api/v1/inspections",
        "/api/v1/inspections/{id}",
        "/api/v1/inspections/{id}/findings",
        "/api/v1/findings",
        "/api/v1/findings/{id}",
        "/api/v1/findings/{id}/measures",
        "/api/v1/measures",
        "/api/v1/measures/{id}",
        "/healthz",
        "/readyz",
    ] {
        assert!(paths.contains_key(required), "{required} missing");
    }
    let responses = &doc["components"]["responses"];
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let text = op["description"]
                .as_str()
                .or(op["summary"].as_str())
                .unwrap_or("");
            assert!(!text.is_empty(), "{method} {path} has no description");
            for (status, response) in op["responses"].as_object().unwrap() {
                let response = match response["$ref"].as_str() {
                    Some(r) => &responses[r.rsplit('/').next().unwrap()],
                    None => response,
                };
                assert!(
                    response["description"]
                        .as_str()
                        .is_some_and(|d| !d.is_empty()),
                    "{method} {path} {status}"
                );
                if status.starts_with('4') || status.starts_with('5') {
                    assert!(
                        response["content"]["application/problem+json"].is_object(),
                        "{method} {path} {status} is not problem+json"
                    );
                }
            }
            if path.contains('{') {
                assert!(
                    op["responses"]["404"].is_object(),
                    "{method} {path} lacks 404"
                );
            }
            if op.get("requestBody").is_some() {
                assert!(
                    op["responses"]["422"].is_object(),
                    "{method} {path} lacks 422"
                );
            }
        }
    }
}

#[tokio::test]
async fn swagger_ui_is_served_from_the_binary() {
    let app = spawn_app().await;
    let res = app.get("/docs/").await;
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(html.to_lowercase().contains("swagger"));
    let res = app.get("/docs/swagger-ui-bundle.js").await;
    assert_eq!(res.status(), 200);
    let res = app.get("/docs/swagger-initializer.js").await;
    assert!(res.text().await.unwrap().contains("/openapi.json"));
}
