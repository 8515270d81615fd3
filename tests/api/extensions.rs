//! Extension requests (延期申请): asked by the unit, decided by the office; approval moves
//! the deadline and keeps the original.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::conflict_of;
use crate::helpers::id_of;
use crate::helpers::{days, problem, spawn_app, token};

#[tokio::test]
async fn an_approved_extension_moves_the_deadline_and_keeps_the_original() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let m = app.measure(id_of(&finding), &unit, Some(days(-2))).await;
    let id = id_of(&m);
    assert_eq!(m["overdue"], true);
    let staff = token("li.zhk", "unit", Some("ZHK"));
    let office = token("wang.office", "office", None);
    let ask = |due: String| {
        let app = &app;
        let staff = &staff;
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/measures/{id}/extensions"),
                Some(staff),
                Some(
                    &json!({"requested_due_date": due, "reason": "需待市财政局新规出台后同步修订"}),
                ),
            )
            .await
        }
    };
    // Not earlier than the current deadline.
    problem(ask(days(-5)).await, 422).await;
    let res = ask(days(60)).await;
    assert_eq!(res.status(), 201);
    let ext: Value = res.json().await.unwrap();
    assert_eq!(ext["status"], "pending");
    assert_eq!(ext["previous_due_date"], days(-2));
    // One at a time.
    conflict_of(ask(days(90)).await, "conflict").await;
    let ext_id = id_of(&ext);
    // The unit cannot approve its own request.
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/extensions/{ext_id}/approve"),
            Some(&staff),
            None,
        )
        .await;
    problem(res, 403).await;
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/extensions/{ext_id}/approve"),
            Some(&office),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let ext: Value = res.json().await.unwrap();
    assert_eq!(ext["status"], "approved");
    assert_eq!(ext["decided_by"], "wang.office");
    let m = app.get_json(&format!("/api/v1/measures/{id}")).await;
    assert_eq!(m["due_date"], days(60));
    assert_eq!(m["original_due_date"], days(-2));
    assert_eq!(m["extension_count"], 1);
    assert_eq!(m["overdue"], false);
    // Decided once only.
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/extensions/{ext_id}/reject"),
            Some(&office),
            Some(&json!({"reason": "迟了"})),
        )
        .await;
    let body = problem(res, 409).await;
    assert_eq!(body["current_state"], "approved");
    let history = app
        .get_json(&format!("/api/v1/measures/{id}/history"))
        .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec!["measure.create", "extension.request", "extension.approve"]
    );
}

#[tokio::test]
async fn a_rejection_needs_a_reason_and_leaves_the_deadline() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let m = app.measure(id_of(&finding), &unit, Some(days(3))).await;
    let id = id_of(&m);
    let staff = token("li.zhk", "unit", Some("ZHK"));
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/measures/{id}/extensions"),
            Some(&staff),
            Some(&json!({"requested_due_date": days(30), "reason": "人手不足"})),
        )
        .await;
    let ext: Value = res.json().await.unwrap();
    let path = format!("/api/v1/extensions/{}/reject", id_of(&ext));
    let office = token("wang.office", "office", None);
    problem(
        app.send(Method::POST, &path, Some(&office), Some(&json!({})))
            .await,
        422,
    )
    .await;
    let res = app
        .send(
            Method::POST,
            &path,
            Some(&office),
            Some(&json!({"reason": "理由不充分，应按期完成"})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let ext: Value = res.json().await.unwrap();
    assert_eq!(ext["status"], "rejected");
    assert_eq!(ext["decision_note"], "理由不充分，应按期完成");
    let m = app.get_json(&format!("/api/v1/measures/{id}")).await;
    assert_eq!(m["due_date"], days(3));
    assert_eq!(m["extension_count"], 0);
    let list = app
        .get_json(&format!("/api/v1/measures/{id}/extensions"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    // Another unit sees none of it.
    app.unit("CWS", "财务审计处").await;
    let stranger = token("zhou", "unit", Some("CWS"));
    let res = app
        .send(
            Method::GET,
            &format!("/api/v1/extensions/{}", id_of(&ext)),
            Some(&stranger),
            None,
        )
        .await;
    problem(res, 404).await;
}

#[tokio::test]
async fn long_term_measures_have_no_deadline_to_extend() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let m = app.measure(id_of(&finding), &unit, None).await;
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/measures/{}/extensions", id_of(&m)),
            Some(&token("li.zhk", "unit", Some("ZHK"))),
            Some(&json!({"requested_due_date": days(30), "reason": "长期"})),
        )
        .await;
    problem(res, 409).await;
}

#[tokio::test]
async fn the_office_lists_what_waits_for_its_decision_oldest_first_and_a_unit_only_its_own() {
    let app = spawn_app().await;
    let (zhk, _, finding) = app.ledger().await;
    let other = app.unit("CWS", "财务室").await;
    let inspection = app.inspection("XC-2023-01").await;
    let theirs = app.finding(&inspection, &other).await;
    let ask = |measure: String, unit: &'static str| {
        let app = &app;
        async move {
            let res = app
                .send(
                    Method::POST,
                    &format!("/api/v1/measures/{measure}/extensions"),
                    Some(&token("staff", "unit", Some(unit))),
                    Some(&json!({"requested_due_date": days(60), "reason": "需跨部门协调"})),
                )
                .await;
            assert_eq!(res.status(), 201);
            res.json::<Value>().await.unwrap()
        }
    };
    let mut asked = vec![];
    for _ in 0..2 {
        let m = app.measure(id_of(&finding), &zhk, Some(days(5))).await;
        asked.push(ask(id_of(&m).to_string(), "ZHK").await);
    }
    let m = app.measure(id_of(&theirs), &other, Some(days(5))).await;
    asked.push(ask(id_of(&m).to_string(), "CWS").await);
    // One is decided: it leaves the pending queue.
    let office = token("wang.office", "office", None);
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/extensions/{}/approve", id_of(&asked[0])),
            Some(&office),
            Some(&json!({})),
        )
        .await;
    assert_eq!(res.status(), 200);

    let list = |query: String, who: String| {
        let app = &app;
        async move {
            let res = app
                .send(
                    Method::GET,
                    &format!("/api/v1/extensions{query}"),
                    Some(&who),
                    None,
                )
                .await;
            assert_eq!(res.status(), 200);
            res.json::<Value>().await.unwrap()
        }
    };
    let ids = |page: &Value| -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| id_of(e).to_string())
            .collect()
    };
    let pending = list("?status=pending".into(), office.clone()).await;
    assert_eq!(ids(&pending), vec![id_of(&asked[1]), id_of(&asked[2])]);
    assert_eq!(pending["total"], 2);
    // Paged, the oldest first.
    let first = list("?status=pending&limit=1".into(), office.clone()).await;
    assert_eq!(ids(&first), vec![id_of(&asked[1])]);
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    let res = app
        .send(
            Method::GET,
            &format!("/api/v1/extensions?status=pending&limit=1&cursor={cursor}"),
            Some(&office),
            None,
        )
        .await;
    let second: Value = res.json().await.unwrap();
    assert_eq!(ids(&second), vec![id_of(&asked[2])]);
    assert!(second["next_cursor"].is_null());
    // 综合科 sees its own two requests, not 财务室's.
    let own = list(String::new(), token("staff", "unit", Some("ZHK"))).await;
    assert_eq!(ids(&own), vec![id_of(&asked[0]), id_of(&asked[1])]);
    let by_unit = list(format!("?unit_id={other}"), office).await;
    assert_eq!(ids(&by_unit), vec![id_of(&asked[2])]);
}
