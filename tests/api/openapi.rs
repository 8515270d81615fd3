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
    let init = res.text().await.unwrap();
    assert!(init.contains("/openapi.json"), "{init}");
    // Nothing sent to an outside validator, and the token kept across reloads.
    assert!(
        init.contains(r#""validatorUrl": "none""#) || init.contains(r#""validatorUrl":"none""#),
        "{init}"
    );
    assert!(init.contains("persistAuthorization"), "{init}");
}

#[test]
fn the_document_describes_conditional_gets_downloads_probes_and_each_errors_example() {
    let doc = committed();
    assert_eq!(doc["servers"], serde_json::json!([{"url": "/"}]));
    assert_eq!(doc["info"]["title"], "zhenggai API");
    for probe in ["/healthz", "/readyz"] {
        assert_eq!(
            doc["paths"][probe]["get"]["security"],
            serde_json::json!([]),
            "{probe}"
        );
    }
    let paths = doc["paths"].as_object().unwrap();
    for (path, item) in paths {
        if let Some(get) = item.get("get") {
            assert!(
                get["responses"].get("304").is_some(),
                "GET {path} documents 304"
            );
            let names: Vec<&str> = get["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            assert!(names.contains(&"If-None-Match"), "GET {path}");
            if path.starts_with("/api/") {
                assert!(names.contains(&"Accept-Language"), "GET {path}");
            }
        }
        if let Some(post) = item.get("post") {
            let names: Vec<&str> = post["parameters"]
                .as_array()
                .map(|ps| ps.iter().filter_map(|p| p["name"].as_str()).collect())
                .unwrap_or_default();
            assert!(names.contains(&"Idempotency-Key"), "POST {path}");
            let responses = post["responses"].as_object().unwrap();
            assert!(responses.contains_key("409"), "POST {path} documents 409");
            let ok = responses
                .iter()
                .find(|(s, _)| s.starts_with('2'))
                .map(|(_, r)| r)
                .unwrap();
            assert!(
                ok["headers"].get("Idempotent-Replayed").is_some(),
                "POST {path}"
            );
        }
        for op in item.as_object().unwrap().values() {
            for (status, response) in op["responses"].as_object().unwrap() {
                for (media, body) in response["content"].as_object().into_iter().flatten() {
                    if !media.contains("json") && !media.starts_with("text/") {
                        assert_eq!(
                            body["schema"]["format"], "binary",
                            "{path} {status} {media}"
                        );
                    }
                    if media == "application/problem+json" {
                        let example = &body["example"];
                        assert_eq!(example["status"].to_string(), *status, "{path} {status}");
                    }
                }
            }
        }
    }
    for (name, response) in doc["components"]["responses"].as_object().unwrap() {
        let example = &response["content"]["application/problem+json"]["example"];
        assert!(example["detail"].is_string(), "{name}: {example}");
    }
}
