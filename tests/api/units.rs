use serde_json::json;

use crate::helpers::conflict_of;
use crate::helpers::id_of;
use crate::helpers::{error_fields, problem, spawn_app};

#[tokio::test]
async fn a_created_unit_can_be_read_back_from_its_location() {
    let app = spawn_app().await;
    let res = app
        .post("/api/v1/units", &json!({"code": "JRB", "name": "市金融办"}))
        .await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: serde_json::Value = res.json().await.unwrap();
    assert_eq!(location, format!("/api/v1/units/{}", id_of(&created)));
    let read = app.get_json(&location).await;
    assert_eq!(read["code"], "JRB");
    assert_eq!(read["name"], "市金融办");
    assert_eq!(read["parent_id"], serde_json::Value::Null);
    // UUIDv7 ids
    let id = uuid::Uuid::parse_str(id_of(&read)).unwrap();
    assert_eq!(id.get_version_num(), 7);
}

#[tokio::test]
async fn a_duplicate_unit_code_is_409_and_changes_nothing() {
    let app = spawn_app().await;
    app.unit("JRB", "市金融办").await;
    let res = app
        .post("/api/v1/units", &json!({"code": "JRB", "name": "另一个"}))
        .await;
    conflict_of(res, "conflict").await;
    let list = app.get_json("/api/v1/units").await;
    assert_eq!(list["total"], 1);
    assert_eq!(list["items"][0]["name"], "市金融办");
}

#[tokio::test]
async fn a_unit_parent_must_exist() {
    let app = spawn_app().await;
    let body = json!({"code": "ZHK", "name": "综合科", "parent_id": uuid::Uuid::now_v7()});
    let p = problem(app.post("/api/v1/units", &body).await, 422).await;
    assert_eq!(error_fields(&p), ["parent_id"]);
}

#[tokio::test]
async fn units_form_a_tree_listed_by_parent() {
    let app = spawn_app().await;
    let root = app.unit("JRB", "市金融办").await;
    for (code, name) in [("JRB-ZHK", "综合科"), ("JRB-CWS", "财务室")] {
        app.created(
            "/api/v1/units",
            &json!({"code": code, "name": name, "parent_id": root}),
        )
        .await;
    }
    app.unit("OTHER", "市财政局").await;
    let children = app
        .get_json(&format!("/api/v1/units?parent_id={root}"))
        .await;
    assert_eq!(children["total"], 2);
    let codes: Vec<&str> = children["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["JRB-CWS", "JRB-ZHK"], "ordered by code");
    assert!(children["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|u| u["parent_id"] == root.as_str()));
    assert_eq!(app.get_json("/api/v1/units").await["total"], 4);
}

#[tokio::test]
async fn an_unknown_unit_is_404() {
    let app = spawn_app().await;
    problem(
        app.get(&format!("/api/v1/units/{}", uuid::Uuid::now_v7()))
            .await,
        404,
    )
    .await;
}
