use serde_json::{json, Value};

use crate::helpers::id_of;
use crate::helpers::{days, error_fields, problem, spawn_app};

fn finding(unit: &str, category: &str, level: &str) -> Value {
    json!({
        "category": category, "level": level, "title": "党组主体责任落实有差距",
        "description": "党组会专题研究党建工作频次不足。", "responsible_unit_id": unit
    })
}

#[tokio::test]
async fn finding_codes_are_generated_from_the_inspection_code() {
    let app = spawn_app().await;
    let unit = app.unit("ZHK", "综合科").await;
    let inspection = app.inspection("XC-2022-03").await;
    let first = app.finding(&inspection, &unit).await;
    let second = app.finding(&inspection, &unit).await;
    assert_eq!(first["code"], "XC-2022-03-01");
    assert_eq!(second["code"], "XC-2022-03-02");
    assert_eq!(first["status"], "assigned");
    assert_eq!(first["level"], "general");
    assert_eq!(first["supervision_level"], "normal");
    assert_eq!(first["inspection_id"], inspection.as_str());
}

#[tokio::test]
async fn a_finding_code_is_unique_within_its_inspection_only() {
    let app = spawn_app().await;
    let unit = app.unit("ZHK", "综合科").await;
    let a = app.inspection("XC-2022-03").await;
    let b = app.inspection("XC-2022-04").await;
    let mut body = finding(&unit, "business", "key");
    body["code"] = json!("Q-01");
    app.created(&format!("/api/v1/inspections/{a}/findings"), &body)
        .await;
    problem(
        app.post(&format!("/api/v1/inspections/{a}/findings"), &body)
            .await,
        409,
    )
    .await;
    app.created(&format!("/api/v1/inspections/{b}/findings"), &body)
        .await;
    assert_eq!(app.get_json("/api/v1/findings").await["total"], 2);
}

#[tokio::test]
async fn a_finding_needs_an_existing_inspection_and_unit() {
    let app = spawn_app().await;
    let unit = app.unit("ZHK", "综合科").await;
    let missing = uuid::Uuid::now_v7();
    problem(
        app.post(
            &format!("/api/v1/inspections/{missing}/findings"),
            &finding(&unit, "business", "key"),
        )
        .await,
        404,
    )
    .await;
    let inspection = app.inspection("XC-2022-03").await;
    let p = problem(
        app.post(
            &format!("/api/v1/inspections/{inspection}/findings"),
            &finding(&missing.to_string(), "business", "key"),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&p), ["responsible_unit_id"]);
    assert_eq!(app.get_json("/api/v1/findings").await["total"], 0);
}

#[tokio::test]
async fn get_finding_includes_its_measures() {
    let app = spawn_app().await;
    let (unit, _, f) = app.ledger().await;
    let id = id_of(&f);
    let m1 = app.measure(id, &unit, Some(days(10))).await;
    let m2 = app.measure(id, &unit, None).await;
    let detail = app.get_json(&format!("/api/v1/findings/{id}")).await;
    assert_eq!(detail["code"], f["code"]);
    let ids: Vec<&Value> = detail["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| &m["id"])
        .collect();
    assert_eq!(ids, [&m1["id"], &m2["id"]]);
    assert_eq!(detail["measures"][0]["warning"], "green");
}

#[tokio::test]
async fn findings_filter_by_inspection_unit_status_category_and_level() {
    let app = spawn_app().await;
    let zhk = app.unit("ZHK", "综合科").await;
    let cws = app.unit("CWS", "财务室").await;
    let a = app.inspection("XC-2022-03").await;
    let b = app.inspection("SJ-2023-01").await;
    let post = |inspection: String, body: Value| {
        let app = &app;
        async move {
            app.created(&format!("/api/v1/inspections/{inspection}/findings"), &body)
                .await
        }
    };
    post(a.clone(), finding(&zhk, "party_building", "key")).await;
    post(a.clone(), finding(&cws, "strict_governance", "general")).await;
    post(b.clone(), finding(&zhk, "strict_governance", "key")).await;
    let count = |q: String| {
        let app = &app;
        async move {
            app.get_json(&format!("/api/v1/findings?{q}")).await["total"]
                .as_i64()
                .unwrap()
        }
    };
    assert_eq!(count(format!("inspection_id={a}")).await, 2);
    assert_eq!(count(format!("unit_id={zhk}")).await, 2);
    assert_eq!(count(format!("unit_id={cws}")).await, 1);
    assert_eq!(count("category=strict_governance".into()).await, 2);
    assert_eq!(count("level=key".into()).await, 2);
    assert_eq!(count("status=assigned".into()).await, 3);
    assert_eq!(count("status=closed".into()).await, 0);
    assert_eq!(
        count(format!("inspection_id={a}&level=key&unit_id={zhk}")).await,
        1
    );
    let listed = app
        .get_json(&format!("/api/v1/findings?inspection_id={b}"))
        .await;
    assert_eq!(listed["items"][0]["code"], "SJ-2023-01-01");
}

#[tokio::test]
async fn patch_reassigns_and_clears() {
    let app = spawn_app().await;
    let (_, _, f) = app.ledger().await;
    let other = app.unit("CWS", "财务室").await;
    let path = format!("/api/v1/findings/{}", id_of(&f));
    let res = app.patch(&path, &json!({"responsible_unit_id": other, "primary_accountable": "党组书记", "supervision_level": "listed"})).await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["responsible_unit_id"], other.as_str());
    assert_eq!(body["supervision_level"], "listed");
    assert_eq!(body["version"], 2);
    let res = app
        .patch(&path, &json!({"primary_accountable": null}))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["primary_accountable"], Value::Null);
    assert_eq!(body["responsible_unit_id"], other.as_str());
    let p = problem(
        app.patch(&path, &json!({"responsible_unit_id": uuid::Uuid::now_v7()}))
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&p), ["responsible_unit_id"]);
    assert_eq!(
        app.get_json(&path).await["responsible_unit_id"],
        other.as_str()
    );
}

#[tokio::test]
async fn simultaneous_findings_get_distinct_generated_codes() {
    let app = spawn_app().await;
    let unit = app.unit("ZHK", "综合科").await;
    let inspection = app.inspection("XC-2022-03").await;
    let path = format!("/api/v1/inspections/{inspection}/findings");
    let body = finding(&unit, "business", "general");
    let results = futures_util::future::join_all((0..20).map(|_| app.post(&path, &body))).await;
    let mut codes = vec![];
    for res in results {
        assert_eq!(res.status(), 201);
        let created: Value = res.json().await.unwrap();
        codes.push(created["code"].as_str().unwrap().to_string());
    }
    codes.sort();
    let expected: Vec<String> = (1..=20).map(|i| format!("XC-2022-03-{i:02}")).collect();
    assert_eq!(codes, expected);
}
