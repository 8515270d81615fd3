//! The office's working day, over HTTP: reminders (催办), listed supervision (挂牌督办),
//! extension requests as a list and on their measure, and the work queue.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{days, id_of, problem, spawn_app, token, TestApp};

/// 综合科's finding, claimed and planned, with one started measure due in `due` days.
async fn started(app: &TestApp, due: i64) -> (String, String, String) {
    let (unit, _, finding) = app.ledger().await;
    let finding = id_of(&finding).to_string();
    let measure = id_of(&app.measure(&finding, &unit, Some(days(due))).await).to_string();
    for action in ["claim", "submit_plan", "approve_plan"] {
        let res = app
            .post(
                &format!("/api/v1/findings/{finding}/actions/{action}"),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200, "{action}");
    }
    let res = app
        .post(
            &format!("/api/v1/measures/{measure}/actions/start"),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    (unit, finding, measure)
}

#[tokio::test]
async fn the_office_reminds_and_every_reminder_is_counted_and_recorded() {
    let app = spawn_app().await;
    let (_, _, measure) = started(&app, 10).await;
    let office = token("wang.office", "office", None);
    let path = format!("/api/v1/measures/{measure}/actions/remind");
    for n in 1..=2 {
        let res = app
            .act(
                &office,
                &path,
                json!({"text": "请于3个工作日内报送整改进展。"}),
            )
            .await;
        assert_eq!(res.status(), 200);
        let m: Value = res.json().await.unwrap();
        assert_eq!(m["reminder_count"], n);
        assert!(m["last_reminded_at"].is_string());
    }
    let supervisor = token("jw.zhao", "supervisor", None);
    let res = app
        .act(&supervisor, &path, json!({"text": "纪委督促：抓紧整改。"}))
        .await;
    assert_eq!(res.status(), 200);
    // The unit cannot remind itself; a blank text is refused and changes nothing.
    let p = problem(
        app.act(
            &token("zhk", "unit", Some("ZHK")),
            &path,
            json!({"text": "x"}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p["rule"], "remind_measure");
    problem(app.act(&office, &path, json!({"text": "  "})).await, 422).await;
    let m = app.get_json(&format!("/api/v1/measures/{measure}")).await;
    assert_eq!(m["reminder_count"], 3);
    let history = app
        .get_json(&format!("/api/v1/measures/{measure}/history"))
        .await;
    let reminders: Vec<&Value> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "measure.remind")
        .collect();
    assert_eq!(reminders.len(), 3);
    assert_eq!(
        reminders[2]["after"]["action_input"]["text"],
        "纪委督促：抓紧整改。"
    );
}

#[tokio::test]
async fn a_finding_is_listed_for_supervision_with_a_reason_and_taken_off_again() {
    let app = spawn_app().await;
    let (_, finding, _) = started(&app, 10).await;
    let office = token("wang.office", "office", None);
    let list = format!("/api/v1/findings/{finding}/actions/list_supervision");
    let unlist = format!("/api/v1/findings/{finding}/actions/unlist_supervision");
    let res = app
        .act(
            &office,
            &list,
            json!({"reason": "整改进度滞后，列入市委督查室挂牌督办"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let f: Value = res.json().await.unwrap();
    assert_eq!(f["supervision_level"], "listed");
    // Twice is refused, saying what is allowed instead.
    let p = problem(
        app.act(&office, &list, json!({"reason": "again"})).await,
        409,
    )
    .await;
    assert_eq!(p["allowed_actions"], json!(["unlist_supervision"]));
    let p = problem(
        app.act(
            &token("zhk", "unit", Some("ZHK")),
            &unlist,
            json!({"reason": "x"}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p["rule"], "supervise_finding");
    problem(app.act(&office, &unlist, json!({})).await, 422).await;
    let res = app
        .act(
            &office,
            &unlist,
            json!({"reason": "已按期整改到位，撤销督办"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let history = app
        .get_json(&format!("/api/v1/findings/{finding}/history"))
        .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"finding.list_supervision"));
    assert!(actions.contains(&"finding.unlist_supervision"));
}

#[tokio::test]
async fn a_pending_extension_shows_on_its_measure_and_in_the_list() {
    let app = spawn_app().await;
    let (_, _, measure) = started(&app, 10).await;
    let staff = token("zhk", "unit", Some("ZHK"));
    let ask = |date: String| {
        let (app, staff, measure) = (&app, staff.clone(), measure.clone());
        async move {
            app.send(
                Method::POST,
                &format!("/api/v1/measures/{measure}/extensions"),
                Some(&staff),
                Some(&json!({"requested_due_date": date, "reason": "需与市财政局会签"})),
            )
            .await
        }
    };
    // Not later than the current due date, or already past: 422, nothing asked.
    for bad in [days(10), days(5)] {
        let p = problem(ask(bad).await, 422).await;
        assert_eq!(p["errors"][0]["field"], "requested_due_date");
    }
    let res = ask(days(40)).await;
    assert_eq!(res.status(), 201);
    let asked: Value = res.json().await.unwrap();
    let m = app.get_json(&format!("/api/v1/measures/{measure}")).await;
    assert_eq!(m["pending_extension"]["id"], asked["id"]);
    assert_eq!(m["pending_extension"]["requested_due_date"], days(40));
    let listed = app
        .get_json(&format!("/api/v1/extensions?measure_id={measure}"))
        .await;
    assert_eq!(listed["total"], 1);
    let other = app
        .get_json(&format!(
            "/api/v1/extensions?measure_id={}",
            uuid::Uuid::now_v7()
        ))
        .await;
    assert_eq!(other["total"], 0);
    let res = app
        .post(
            &format!("/api/v1/extensions/{}/approve", id_of(&asked)),
            &json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let m = app.get_json(&format!("/api/v1/measures/{measure}")).await;
    assert!(m["pending_extension"].is_null());
    assert_eq!(m["due_date"], days(40));
}
