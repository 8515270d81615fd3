//! Retried POSTs: `Idempotency-Key` gives the first answer again instead of doing the work
//! twice; a key is kept per caller in the database (another instance, a restart) for 24
//! hours; another request under a used key is 422; two at once never both write.

use diesel::prelude::*;
use reqwest::Response;
use serde_json::{json, Value};
use zhenggai::db::schema::idempotency_keys as keys;

use crate::helpers::{days, error_fields, id_of, problem, spawn_app_with, token, TestApp, PDF};
use crate::workflow::story;

struct Answered {
    status: u16,
    location: Option<String>,
    etag: Option<String>,
    replayed: bool,
    body: String,
}

async fn answered(res: Response) -> Answered {
    let header = |name: &str| {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().to_string())
    };
    Answered {
        status: res.status().as_u16(),
        location: header("location"),
        etag: header("etag"),
        replayed: header("idempotent-replayed").as_deref() == Some("true"),
        body: res.text().await.unwrap(),
    }
}

async fn post_keyed(app: &TestApp, who: &str, path: &str, key: &str, body: &Value) -> Response {
    app.anon
        .post(app.url(path))
        .bearer_auth(who)
        .header("Idempotency-Key", key)
        .json(body)
        .send()
        .await
        .unwrap()
}

fn measure_body(lead: &str, content: &str) -> Value {
    json!({"content": content, "kind": "time_bound", "lead_unit_id": lead,
           "accountable_leader": "党组成员、副主任", "due_date": days(30)})
}

async fn total(app: &TestApp) -> i64 {
    app.get_json("/api/v1/measures").await["total"]
        .as_i64()
        .unwrap()
}

fn admin() -> String {
    token("admin-test", "admin", None)
}

#[tokio::test]
async fn a_retried_create_answers_the_first_answer_and_creates_nothing_more() {
    let app = spawn_app_with(|_| {}).await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let body = measure_body(&unit, "修订《机关差旅费管理办法》");

    let first = answered(post_keyed(&app, &admin(), &path, "key-0001", &body).await).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert!(!first.replayed);
    assert!(first.location.is_some());
    let again = answered(post_keyed(&app, &admin(), &path, "key-0001", &body).await).await;
    assert_eq!(again.status, 201);
    assert!(again.replayed, "a replay says so");
    assert_eq!(again.body, first.body);
    assert_eq!(again.location, first.location);
    assert_eq!(again.etag, first.etag);
    assert_eq!(total(&app).await, 1, "one measure, not two");

    // The key quoted as the IETF draft writes it is the same key.
    let quoted = answered(post_keyed(&app, &admin(), &path, "\"key-0001\"", &body).await).await;
    assert!(quoted.replayed);
    // Without a key, or with another, the same body is a new request.
    let res = app.post(&path, &body).await;
    assert_eq!(res.status(), 201);
    let other = answered(post_keyed(&app, &admin(), &path, "key-0002", &body).await).await;
    assert_eq!(other.status, 201);
    assert!(!other.replayed);
    assert_eq!(total(&app).await, 3);
}

#[tokio::test]
async fn another_request_under_a_used_key_is_refused_and_changes_nothing() {
    let app = spawn_app_with(|_| {}).await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let res = post_keyed(&app, &admin(), &path, "k1", &measure_body(&unit, "甲")).await;
    assert_eq!(res.status(), 201);

    let res = post_keyed(&app, &admin(), &path, "k1", &measure_body(&unit, "乙")).await;
    let body = problem(res, 422).await;
    assert_eq!(error_fields(&body), vec!["Idempotency-Key"], "{body}");
    assert!(body["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains(&path));
    // The same key on another path is another request too.
    let res = post_keyed(
        &app,
        &admin(),
        "/api/v1/units",
        "k1",
        &json!({"code": "X", "name": "办公室"}),
    )
    .await;
    problem(res, 422).await;
    assert_eq!(total(&app).await, 1);
    assert_eq!(
        app.get_json("/api/v1/units").await["total"],
        1,
        "no unit was created"
    );
}

#[tokio::test]
async fn keys_belong_to_their_caller() {
    let app = spawn_app_with(|_| {}).await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let body = measure_body(&unit, "修订办法");
    let office = token("wang.office", "office", None);
    let a = answered(post_keyed(&app, &admin(), &path, "shared", &body).await).await;
    let b = answered(post_keyed(&app, &office, &path, "shared", &body).await).await;
    assert_eq!((a.status, b.status), (201, 201));
    assert!(!b.replayed, "another caller's key is not this one's");
    assert_ne!(a.location, b.location);
    assert_eq!(total(&app).await, 2);
}

#[tokio::test]
async fn a_request_that_wrote_nothing_keeps_no_key() {
    let app = spawn_app_with(|_| {}).await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let mut bad = measure_body(&unit, "修订办法");
    bad["due_date"] = json!("not a date");
    let res = post_keyed(&app, &admin(), &path, "fix-and-retry", &bad).await;
    problem(res, 422).await;
    // Corrected, the same key runs: nothing had been done under it.
    let res = post_keyed(
        &app,
        &admin(),
        &path,
        "fix-and-retry",
        &measure_body(&unit, "修订办法"),
    )
    .await;
    assert_eq!(res.status(), 201);
    assert_eq!(total(&app).await, 1);
}

#[tokio::test]
async fn a_retried_action_is_done_once_and_answers_as_the_first_time() {
    let s = story().await;
    s.started().await;
    let before = s
        .app
        .get_json(&format!("/api/v1/measures/{}/history", s.measure))
        .await;
    let report = json!({"text": "已完成办法修订初稿。", "percent": 60});
    let first = answered(post_keyed(&s.app, &s.staff, &s.m("report"), "r-1", &report).await).await;
    assert_eq!(first.status, 200, "{}", first.body);
    let again = answered(post_keyed(&s.app, &s.staff, &s.m("report"), "r-1", &report).await).await;
    assert!(again.replayed);
    assert_eq!((again.status, &again.body), (200, &first.body));
    let after = s
        .app
        .get_json(&format!("/api/v1/measures/{}/history", s.measure))
        .await;
    let n = |h: &Value| h["items"].as_array().map_or(0, Vec::len);
    assert_eq!(
        n(&after),
        n(&before) + 1,
        "one progress report in the audit trail"
    );
    let measure: Value = s
        .app
        .get_json(&format!("/api/v1/measures/{}", s.measure))
        .await;
    assert_eq!(measure["progress_percent"], 60, "{measure}");
}

#[tokio::test]
async fn a_retried_upload_with_a_new_boundary_is_the_same_upload() {
    let s = story().await;
    let upload = |boundary: &'static str, pdf: &'static [u8]| {
        let app = &s.app;
        let staff = s.staff.clone();
        let path = format!("/api/v1/measures/{}/evidence", s.measure);
        async move {
            let mut body = Vec::new();
            body.extend_from_slice(format!("--{boundary}\r\nContent-Disposition: form-data; name=\"description\"\r\n\r\n整改报告\r\n--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"report.pdf\"\r\nContent-Type: application/pdf\r\n\r\n").as_bytes());
            body.extend_from_slice(pdf);
            body.extend_from_slice(format!("\r\n--{boundary}--\r\n").as_bytes());
            app.anon
                .post(app.url(&path))
                .bearer_auth(staff)
                .header("Idempotency-Key", "upload-1")
                .header(
                    "content-type",
                    format!("multipart/form-data; boundary={boundary}"),
                )
                .body(body)
                .send()
                .await
                .unwrap()
        }
    };
    let first = answered(upload("first-boundary-1111", PDF).await).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let again = answered(upload("retry-boundary-2222", PDF).await).await;
    assert!(again.replayed, "{}", again.body);
    assert_eq!(again.body, first.body);
    let listed = s
        .app
        .get_json(&format!("/api/v1/measures/{}/evidence", s.measure))
        .await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    // Another file under the key is another request.
    let other: &'static [u8] = b"%PDF-1.4\n% another report\n%%EOF\n";
    let res = upload("third-boundary", other).await;
    problem(res, 422).await;
}

#[tokio::test]
async fn keys_are_kept_in_the_database_for_every_instance() {
    let a = spawn_app_with(|_| {}).await;
    let (unit, _, finding) = a.ledger().await;
    let url = a.config.database_url.clone();
    let files = a.config.storage_dir.clone();
    // A second instance on the same database (as after a restart, or behind a balancer).
    let b = spawn_app_with(move |c| {
        c.database_url = url;
        c.storage_dir = files;
    })
    .await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let body = measure_body(&unit, "修订办法");
    let first = answered(post_keyed(&a, &admin(), &path, "across", &body).await).await;
    let again = answered(post_keyed(&b, &admin(), &path, "across", &body).await).await;
    assert_eq!(first.status, 201);
    assert!(again.replayed, "instance B knows A's key: {}", again.body);
    assert_eq!(again.body, first.body);
    assert_eq!(total(&a).await, 1);
}

#[tokio::test]
async fn requests_sent_at_once_under_one_key_write_once() {
    let app = spawn_app_with(|c| c.pool_size = 8).await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let body = measure_body(&unit, "修订办法");
    let who = admin();
    let sends = (0..8).map(|_| post_keyed(&app, &who, &path, "at-once", &body));
    let mut locations = std::collections::HashSet::new();
    for res in futures_util::future::join_all(sends).await {
        let status = res.status().as_u16();
        match status {
            201 => {
                locations.insert(res.headers()["location"].to_str().unwrap().to_string());
            }
            409 => {
                assert_eq!(res.headers()["retry-after"], "1");
                let body = problem(res, 409).await;
                assert_eq!(body["type"], "urn:zhenggai:problem:in-progress", "{body}");
            }
            other => panic!("answered {other}: {}", res.text().await.unwrap()),
        }
    }
    assert_eq!(locations.len(), 1, "every 201 names the one measure");
    assert_eq!(total(&app).await, 1);
    // Once it settled, the key answers the first answer.
    let again = answered(post_keyed(&app, &admin(), &path, "at-once", &body).await).await;
    assert!(again.replayed);
    assert_eq!(again.location.as_ref(), locations.iter().next());
}

fn age_keys(app: &TestApp, by: chrono::Duration, forget_answer: bool) {
    let mut conn =
        zhenggai::db::connection::establish(&app.config.database_url).expect("connection");
    let rows: Vec<(String, String, chrono::NaiveDateTime)> = keys::table
        .select((keys::caller, keys::idem_key, keys::claimed_at))
        .load(&mut conn)
        .unwrap();
    for (caller, key, at) in rows {
        let target = keys::table
            .filter(keys::caller.eq(&caller))
            .filter(keys::idem_key.eq(&key));
        diesel::update(target)
            .set(keys::claimed_at.eq(at - by))
            .execute(&mut conn)
            .unwrap();
        if forget_answer {
            let target = keys::table
                .filter(keys::caller.eq(&caller))
                .filter(keys::idem_key.eq(&key));
            diesel::update(target)
                .set((keys::status.eq(None::<i32>), keys::body.eq(None::<Vec<u8>>)))
                .execute(&mut conn)
                .unwrap();
        }
    }
}

#[tokio::test]
async fn a_key_is_kept_for_24_hours() {
    let app = spawn_app_with(|_| {}).await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let body = measure_body(&unit, "修订办法");
    let res = post_keyed(&app, &admin(), &path, "day-old", &body).await;
    assert_eq!(res.status(), 201);
    age_keys(&app, chrono::Duration::hours(23), false);
    let again = answered(post_keyed(&app, &admin(), &path, "day-old", &body).await).await;
    assert!(again.replayed, "23 hours on, still the first answer");
    age_keys(&app, chrono::Duration::hours(2), false);
    let later = answered(post_keyed(&app, &admin(), &path, "day-old", &body).await).await;
    assert_eq!(later.status, 201);
    assert!(!later.replayed, "25 hours on, the key is free again");
    assert_eq!(total(&app).await, 2);
}

#[tokio::test]
async fn a_key_whose_answer_was_lost_says_so_and_never_writes_again() {
    let app = spawn_app_with(|_| {}).await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let body = measure_body(&unit, "修订办法");
    let res = post_keyed(&app, &admin(), &path, "lost", &body).await;
    assert_eq!(res.status(), 201);
    // As if the server stopped after the commit, before it kept the answer: a moment
    // later the request counts as still running, then as done with its answer lost.
    age_keys(&app, chrono::Duration::seconds(1), true);
    let res = post_keyed(&app, &admin(), &path, "lost", &body).await;
    assert_eq!(res.headers()["retry-after"], "1");
    problem(res, 409).await;
    age_keys(&app, chrono::Duration::minutes(10), false);
    let res = post_keyed(&app, &admin(), &path, "lost", &body).await;
    assert!(res.headers().get("retry-after").is_none());
    let body = problem(res, 409).await;
    assert_eq!(body["type"], "urn:zhenggai:problem:conflict", "{body}");
    assert_eq!(total(&app).await, 1);
}

#[tokio::test]
async fn a_malformed_key_is_a_bad_request() {
    let app = spawn_app_with(|_| {}).await;
    for key in ["", "has space", &"k".repeat(256)] {
        let res = app
            .anon
            .post(app.url("/api/v1/units"))
            .bearer_auth(admin())
            .header("Idempotency-Key", key)
            .json(&json!({"code": "BGS", "name": "办公室"}))
            .send()
            .await
            .unwrap();
        let body = problem(res, 400).await;
        assert_eq!(
            error_fields(&body),
            vec!["Idempotency-Key"],
            "{key:?}: {body}"
        );
    }
    assert_eq!(app.get_json("/api/v1/units").await["total"], 0);
}
