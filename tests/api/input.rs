//! Input that both databases must answer the same way: refused before anything is
//! written, in the same problem+json shape.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{days, error_fields, id_of, problem, spawn_app, token, PDF};

#[tokio::test]
async fn a_nul_character_in_any_text_is_refused_on_both_databases() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let body = json!({"content": "a\u{0}b", "kind": "time_bound", "lead_unit_id": unit,
                      "accountable_leader": "分管领导", "due_date": days(10)});
    let p = problem(app.post(&path, &body).await, 422).await;
    assert_eq!(error_fields(&p), vec!["content"], "{p}");
    // In a list, too, and nothing was written.
    let mut body = body;
    body["content"] = json!("整改措施");
    body["supporting_unit_ids"] = json!([]);
    body["responsible_person"] = json!("李\u{0}四");
    let p = problem(app.post(&path, &body).await, 422).await;
    assert_eq!(error_fields(&p), vec!["responsible_person"], "{p}");
    assert_eq!(app.get_json("/api/v1/measures").await["total"], 0);

    // A form field of an upload.
    let m = app.measure(id_of(&finding), &unit, Some(days(10))).await;
    let part = reqwest::multipart::Part::bytes(PDF.to_vec())
        .file_name("a.pdf")
        .mime_str("application/pdf")
        .unwrap();
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("description", "扫描件\u{0}");
    let res = app
        .anon
        .post(app.url(&format!("/api/v1/measures/{}/evidence", id_of(&m))))
        .bearer_auth(token("li.zhk", "unit", Some("ZHK")))
        .multipart(form)
        .send()
        .await
        .unwrap();
    let p = problem(res, 422).await;
    assert_eq!(error_fields(&p), vec!["description"], "{p}");
}

#[tokio::test]
async fn a_key_given_twice_is_malformed_json() {
    let app = spawn_app().await;
    let res = app
        .anon
        .post(app.url("/api/v1/units"))
        .bearer_auth(token("admin", "admin", None))
        .header("content-type", "application/json")
        .body(r#"{"code": "A", "name": "综合科", "code": "B"}"#)
        .send()
        .await
        .unwrap();
    let p = problem(res, 400).await;
    assert!(p["detail"].as_str().unwrap().contains("重复出现"), "{p}");
    assert_eq!(app.get_json("/api/v1/units").await["total"], 0);
}

#[tokio::test]
async fn withdrawn_evidence_keeps_its_record_but_its_file_is_gone() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let m = app.measure(id_of(&finding), &unit, Some(days(10))).await;
    let staff = token("li.zhk", "unit", Some("ZHK"));
    let res = app
        .upload(&staff, id_of(&m), "凭证.pdf", PDF.to_vec())
        .await;
    assert_eq!(res.status(), 201);
    let evidence: Value = res.json().await.unwrap();
    let content = format!("/api/v1/evidence/{}/content", id_of(&evidence));
    assert_eq!(app.get(&content).await.status(), 200);
    let res = app
        .send(
            Method::DELETE,
            &format!("/api/v1/evidence/{}", id_of(&evidence)),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    problem(app.get(&content).await, 410).await;
    let record = app
        .get_json(&format!("/api/v1/evidence/{}", id_of(&evidence)))
        .await;
    assert_eq!(record["sha256"], evidence["sha256"]);
    assert!(record["withdrawn_at"].is_string(), "{record}");
}

#[tokio::test]
async fn a_nearly_full_disk_is_not_ready_and_refuses_uploads_with_507() {
    // More free space asked for than any disk here has: 10 TB.
    let app = crate::helpers::spawn_app_with(|c| c.min_free_mb = 10_000_000).await;
    let res = app.get("/readyz").await;
    assert!(res.headers().get("retry-after").is_some());
    let p = problem(res, 503).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("ZHENGGAI_MIN_FREE_MB"),
        "{p}"
    );
    assert_eq!(app.get("/healthz").await.status(), 200);

    let (unit, _, finding) = app.ledger().await;
    let m = app.measure(id_of(&finding), &unit, Some(days(10))).await;
    let res = app
        .upload(
            &token("li.zhk", "unit", Some("ZHK")),
            id_of(&m),
            "a.pdf",
            PDF.to_vec(),
        )
        .await;
    assert!(res.headers().get("retry-after").is_some());
    problem(res, 507).await;
    let listed = app
        .get_json(&format!("/api/v1/measures/{}/evidence", id_of(&m)))
        .await;
    assert_eq!(listed["items"], json!([]));
}

#[tokio::test]
async fn with_room_on_the_disk_the_service_is_ready() {
    let app = spawn_app().await;
    let res = app.get("/readyz").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<Value>().await.unwrap()["status"], "ok");
}
