use serde_json::{json, Value};

use crate::helpers::conflict_of;
use crate::helpers::id_of;
use crate::helpers::{days, error_fields, problem, spawn_app};

fn xc(code: &str) -> Value {
    json!({
        "code": code, "source_type": "xuncha", "title": "市委第三巡察组对市金融办党组巡察反馈问题整改",
        "issuer": "市委第三巡察组", "feedback_date": "2022-04-20", "concentrated_period_end": "2022-07-20"
    })
}

#[tokio::test]
async fn an_inspection_is_filed_read_and_listed() {
    let app = spawn_app().await;
    let created = app.created("/api/v1/inspections", &xc("XC-2022-03")).await;
    assert_eq!(created["source_type"], "xuncha");
    assert_eq!(created["feedback_date"], "2022-04-20");
    assert_eq!(created["version"], 1);
    let id = id_of(&created);
    let read = app.get_json(&format!("/api/v1/inspections/{id}")).await;
    assert_eq!(read, created);
    let list = app.get_json("/api/v1/inspections").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["id"], id);
}

#[tokio::test]
async fn a_duplicate_inspection_code_is_409() {
    let app = spawn_app().await;
    app.created("/api/v1/inspections", &xc("XC-2022-03")).await;
    problem(
        app.post("/api/v1/inspections", &xc("XC-2022-03")).await,
        409,
    )
    .await;
    assert_eq!(app.get_json("/api/v1/inspections").await["total"], 1);
}

#[tokio::test]
async fn inspections_list_latest_feedback_first_and_filter_by_source_type() {
    let app = spawn_app().await;
    app.created("/api/v1/inspections", &xc("XC-2022-03")).await;
    let mut audit = xc("SJ-2023-01");
    audit["source_type"] = json!("audit");
    audit["feedback_date"] = json!("2023-03-01");
    audit["concentrated_period_end"] = Value::Null;
    app.created("/api/v1/inspections", &audit).await;
    let all = app.get_json("/api/v1/inspections").await;
    assert_eq!(all["items"][0]["code"], "SJ-2023-01");
    assert_eq!(all["items"][1]["code"], "XC-2022-03");
    let audits = app.get_json("/api/v1/inspections?source_type=audit").await;
    assert_eq!(audits["total"], 1);
    assert_eq!(audits["items"][0]["code"], "SJ-2023-01");
}

#[tokio::test]
async fn patch_changes_given_fields_clears_nulls_and_bumps_the_version() {
    let app = spawn_app().await;
    let created = app.created("/api/v1/inspections", &xc("XC-2022-03")).await;
    let path = format!("/api/v1/inspections/{}", id_of(&created));
    let res = app
        .patch(
            &path,
            &json!({"issuer": "市委第五巡察组", "concentrated_period_end": null}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let updated: Value = res.json().await.unwrap();
    assert_eq!(updated["issuer"], "市委第五巡察组");
    assert_eq!(updated["concentrated_period_end"], Value::Null);
    assert_eq!(updated["title"], created["title"], "absent fields stay");
    assert_eq!(updated["version"], 2);
    assert_eq!(app.get_json(&path).await, updated);
}

#[tokio::test]
async fn the_concentrated_period_cannot_end_before_feedback() {
    let app = spawn_app().await;
    let mut body = xc("XC-2022-03");
    body["concentrated_period_end"] = json!("2022-04-19");
    let p = problem(app.post("/api/v1/inspections", &body).await, 422).await;
    assert_eq!(error_fields(&p), ["concentrated_period_end"]);
    assert_eq!(app.get_json("/api/v1/inspections").await["total"], 0);

    let created = app.created("/api/v1/inspections", &xc("XC-2022-03")).await;
    let path = format!("/api/v1/inspections/{}", id_of(&created));
    let p = problem(
        app.patch(&path, &json!({"feedback_date": "2022-08-01"}))
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&p), ["concentrated_period_end"]);
    assert_eq!(app.get_json(&path).await["feedback_date"], "2022-04-20");
}

#[tokio::test]
async fn feedback_date_cannot_move_past_a_measure_due_date() {
    let app = spawn_app().await;
    let (unit, inspection, finding) = app.ledger().await;
    app.measure(id_of(&finding), &unit, Some(days(-30))).await;
    let path = format!("/api/v1/inspections/{inspection}");
    let p = problem(
        app.patch(&path, &json!({"feedback_date": days(-10)})).await,
        422,
    )
    .await;
    assert_eq!(error_fields(&p), ["feedback_date"]);
    assert_eq!(app.get_json(&path).await["feedback_date"], days(-60));
    let ok = app.patch(&path, &json!({"feedback_date": days(-40)})).await;
    assert_eq!(ok.status(), 200);
}

#[tokio::test]
async fn patching_to_a_taken_code_is_409() {
    let app = spawn_app().await;
    app.created("/api/v1/inspections", &xc("XC-2022-03")).await;
    let other = app.created("/api/v1/inspections", &xc("XC-2022-04")).await;
    let path = format!("/api/v1/inspections/{}", id_of(&other));
    conflict_of(
        app.patch(&path, &json!({"code": "XC-2022-03"})).await,
        "conflict",
    )
    .await;
    assert_eq!(app.get_json(&path).await["code"], "XC-2022-04");
}
