//! Every kind of bad input answers problem+json and changes nothing.

use serde_json::json;

use crate::helpers::id_of;
use crate::helpers::{error_fields, problem, spawn_app};

async fn units_total(app: &crate::helpers::TestApp) -> u64 {
    app.get_json("/api/v1/units").await["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn malformed_json_is_400() {
    let app = spawn_app().await;
    for body in ["{", "{\"code\": }", "not json", "[1,2"] {
        let res = app
            .client
            .post(app.url("/api/v1/units"))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap();
        let p = problem(res, 400).await;
        assert!(
            p["detail"].as_str().unwrap().contains("JSON 格式错误"),
            "{body}: {p}"
        );
    }
    let res = app
        .client
        .post(app.url("/api/v1/units"))
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    problem(res, 400).await;
    assert_eq!(units_total(&app).await, 0);
}

#[tokio::test]
async fn unknown_fields_are_rejected_by_name() {
    let app = spawn_app().await;
    let p = problem(
        app.post(
            "/api/v1/units",
            &json!({"code": "A", "name": "综合科", "nmae": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert!(p["errors"][0]["message"].as_str().unwrap().contains("nmae"));
    assert_eq!(units_total(&app).await, 0);
}

#[tokio::test]
async fn wrong_types_and_enums_name_the_field_path() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let base = json!({"content": "整改", "kind": "time_bound", "lead_unit_id": unit, "accountable_leader": "主任", "due_date": "2099-01-01"});
    let cases = [
        ("kind", json!("someday"), "kind"),
        ("due_date", json!("2022-13-01"), "due_date"),
        ("due_date", json!(20220630), "due_date"),
        ("lead_unit_id", json!("not-a-uuid"), "lead_unit_id"),
        (
            "supporting_unit_ids",
            json!(["x"]),
            "supporting_unit_ids[0]",
        ),
        (
            "quota",
            json!({"metric": "学习", "min_count": "two", "period": "year"}),
            "quota.min_count",
        ),
        (
            "quota",
            json!({"metric": "学习", "min_count": 0, "period": "year"}),
            "quota.min_count",
        ),
        ("content", json!(""), "content"),
        ("content", json!("   "), "content"),
        ("accountable_leader", json!(null), "accountable_leader"),
    ];
    for (field, value, expected) in cases {
        let mut body = base.clone();
        body[field] = value.clone();
        let p = problem(app.post(&path, &body).await, 422).await;
        assert!(
            error_fields(&p).contains(&expected.to_string()),
            "{field}={value}: {p}"
        );
    }
    let mut missing = base.clone();
    missing.as_object_mut().unwrap().remove("content");
    let p = problem(app.post(&path, &missing).await, 422).await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("content"),
        "{p}"
    );
    assert_eq!(app.get_json("/api/v1/measures").await["total"], 0);
}

#[tokio::test]
async fn a_body_that_is_not_json_is_415() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/v1/units"))
        .header("content-type", "text/plain")
        .body(r#"{"code":"A","name":"B"}"#)
        .send()
        .await
        .unwrap();
    problem(res, 415).await;
    let res = app
        .client
        .post(app.url("/api/v1/units"))
        .body(r#"{"code":"A","name":"B"}"#)
        .send()
        .await
        .unwrap();
    problem(res, 415).await;
    assert_eq!(units_total(&app).await, 0);
}

#[tokio::test]
async fn an_oversized_body_is_413() {
    let app = spawn_app().await;
    let big = json!({"code": "A", "name": "综".repeat(200_000)});
    problem(app.post("/api/v1/units", &big).await, 413).await;
    // Chunked, without a Content-Length: refused while reading.
    let body = reqwest::Body::wrap_stream(futures_util::stream::iter(
        (0..64).map(|_| Ok::<_, std::io::Error>(vec![b' '; 16 * 1024])),
    ));
    let res = app
        .client
        .post(app.url("/api/v1/units"))
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    problem(res, 413).await;
    assert_eq!(units_total(&app).await, 0);
}

#[tokio::test]
async fn a_bad_uuid_in_a_path_is_400() {
    let app = spawn_app().await;
    for path in [
        "/api/v1/units/123",
        "/api/v1/measures/not-a-uuid",
        "/api/v1/findings/%E9%97%AE%E9%A2%98",
        "/api/v1/inspections/1' OR '1'='1",
    ] {
        let p = problem(app.get(path).await, 400).await;
        assert_eq!(error_fields(&p), ["id"], "{path}");
    }
    problem(app.patch("/api/v1/measures/xyz", &json!({})).await, 400).await;
}

#[tokio::test]
async fn bad_query_values_are_400_naming_the_parameter() {
    let app = spawn_app().await;
    for (query, field) in [
        ("overdue=maybe", "overdue"),
        ("due_before=yesterday", "due_before"),
        ("status=done", "status"),
        ("kind=forever", "kind"),
        ("sort=priority", "sort"),
        ("unit_id=abc", "unit_id"),
        ("colour=red", "colour"),
    ] {
        let p = problem(app.get(&format!("/api/v1/measures?{query}")).await, 400).await;
        assert_eq!(error_fields(&p), [field], "{query}: {p}");
    }
    for (path, field) in [
        ("/api/v1/findings?level=high", "level"),
        ("/api/v1/inspections?source_type=x", "source_type"),
        ("/api/v1/units?parent_id=1", "parent_id"),
    ] {
        let p = problem(app.get(path).await, 400).await;
        assert_eq!(error_fields(&p), [field], "{path}");
    }
}

#[tokio::test]
async fn unknown_routes_are_404_and_wrong_methods_405_with_allow() {
    let app = spawn_app().await;
    problem(app.get("/api/v1/nothing").await, 404).await;
    problem(app.get("/").await, 404).await;
    let res = app
        .client
        .delete(app.url("/api/v1/units"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, POST");
    problem(res, 405).await;
    let res = app
        .client
        .put(app.url(&format!("/api/v1/measures/{}", uuid::Uuid::now_v7())))
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["allow"], "GET, PATCH");
    problem(res, 405).await;
}

#[tokio::test]
async fn empty_patch_is_harmless_and_404s_stay_404() {
    let app = spawn_app().await;
    let (_, inspection, _) = app.ledger().await;
    let path = format!("/api/v1/inspections/{inspection}");
    let before = app.get_json(&path).await;
    let res = app.patch(&path, &json!({})).await;
    assert_eq!(res.status(), 200);
    problem(
        app.patch(
            &format!("/api/v1/inspections/{}", uuid::Uuid::now_v7()),
            &json!({"title": "x"}),
        )
        .await,
        404,
    )
    .await;
    let after = app.get_json(&path).await;
    assert_eq!(after["title"], before["title"]);
}

/// Sends raw bytes on a connection of its own and reads until the server closes it (or
/// 30 s pass), without waiting for a request of its own making to finish being sent.
async fn raw_exchange(app: &crate::helpers::TestApp, request: Vec<u8>) -> String {
    let addr = app.base.trim_start_matches("http://").to_string();
    tokio::task::spawn_blocking(move || {
        use std::io::{Read, Write};
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(std::time::Duration::from_secs(30)))
            .unwrap();
        // The server may answer and close before all of it is sent.
        let _ = stream.write_all(&request);
        let mut answer = Vec::new();
        let mut chunk = [0u8; 4096];
        loop {
            match stream.read(&mut chunk) {
                Ok(0) => break,
                Ok(n) => answer.extend_from_slice(&chunk[..n]),
                Err(e) if e.kind() == std::io::ErrorKind::ConnectionReset => break,
                Err(e) => panic!("no answer, or the connection stayed open: {e} after {answer:?}"),
            }
        }
        String::from_utf8_lossy(&answer).into_owned()
    })
    .await
    .unwrap()
}

#[tokio::test]
async fn a_head_over_the_limit_is_431_with_a_problem_body() {
    let app = spawn_app().await;
    let token = "a".repeat(133 * 1024);
    let request =
        format!("GET /api/v1/units HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {token}\r\n\r\n");
    let answer = raw_exchange(&app, request.into_bytes()).await;
    let (head, body) = answer.split_once("\r\n\r\n").expect("a whole answer");
    assert!(head.starts_with("HTTP/1.1 431 "), "{head}");
    assert!(
        head.contains("content-type: application/problem+json"),
        "{head}"
    );
    let problem: serde_json::Value = serde_json::from_str(body).expect("a problem body");
    assert_eq!(problem["status"], 431);
    assert!(problem["detail"].as_str().unwrap().contains("128 KiB"));
    // The server goes on serving.
    assert_eq!(app.get("/healthz").await.status(), 200);
}

#[tokio::test]
async fn a_connection_that_never_sends_a_byte_is_closed() {
    let app = spawn_app().await;
    // Nothing sent: after the 5 s allowed for a request head, 408 and the connection closes
    // (the read would time out after 30 s if it stayed open).
    let answer = raw_exchange(&app, Vec::new()).await;
    assert!(answer.starts_with("HTTP/1.1 408 "), "{answer:?}");
}
