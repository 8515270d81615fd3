//! Statistics, the overdue dashboard and the calendar over HTTP. The numbers on the demo
//! ledger were counted by hand from seeds/demo.json (as of 2022-10-02; dates shift with
//! today, so overdue stays overdue): 10 findings, 19 measures, 6 closed, 1 more submitted,
//! 3 past due (XC-2022-03-03-1, XC-2022-03-05-2 and the submitted KH-2021-01-1).

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::id_of;
use crate::helpers::{days, problem, spawn_app, today, token};

fn group<'a>(stats: &'a Value, label: &str) -> &'a Value {
    stats["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["label"] == label)
        .unwrap_or_else(|| panic!("no group {label} in {stats}"))
}

#[tokio::test]
async fn stats_on_the_demo_ledger_match_a_count_by_hand() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let stats = app.get_json("/api/v1/stats?group_by=category").await;
    let total = &stats["total"];
    assert_eq!(total["findings"], 10);
    assert_eq!(total["measures"], 19);
    assert_eq!(total["closed"], 6);
    assert_eq!(total["completed"], 7);
    assert_eq!(total["overdue"], 3);
    assert_eq!(total["red"], 3);
    assert_eq!(
        total["red"].as_i64().unwrap()
            + total["yellow"].as_i64().unwrap()
            + total["green"].as_i64().unwrap(),
        19
    );
    assert_eq!(total["completion_rate"], 0.3158);
    assert_eq!(total["extensions"], 0);
    // Per category (measures by their finding's category): 全面从严治党 8, 党的建设 6,
    // 业务工作 3, 政治建设 2.
    let counts: Vec<(&str, i64)> = ["全面从严治党", "党的建设", "业务工作", "政治建设"]
        .into_iter()
        .map(|l| (l, group(&stats, l)["measures"].as_i64().unwrap()))
        .collect();
    assert_eq!(
        counts,
        vec![
            ("全面从严治党", 8),
            ("党的建设", 6),
            ("业务工作", 3),
            ("政治建设", 2)
        ]
    );
    let kinds = app.get_json("/api/v1/stats?group_by=kind").await;
    assert_eq!(group(&kinds, "长期坚持")["measures"], 8);
    // By unit: 综合科 leads 14 measures, 4 of them closed.
    let units = app.get_json("/api/v1/stats?group_by=unit").await;
    let zhk = group(&units, "综合科");
    assert_eq!(
        (zhk["measures"].as_i64(), zhk["closed"].as_i64()),
        (Some(14), Some(4))
    );
    // A unit's staff get the numbers of what they see, nothing more.
    let fkk = token("fkk", "unit", Some("JRB-FKK"));
    let res = app
        .send(Method::GET, "/api/v1/stats?group_by=unit", Some(&fkk), None)
        .await;
    let own: Value = res.json().await.unwrap();
    assert!(own["total"]["measures"].as_i64().unwrap() < 19, "{own}");
    assert_eq!(
        own["total"]["measures"],
        app.send(Method::GET, "/api/v1/measures", Some(&fkk), None)
            .await
            .json::<Value>()
            .await
            .unwrap()["total"]
    );
    problem(app.get("/api/v1/stats?group_by=colour").await, 400).await;
}

#[tokio::test]
async fn the_dashboard_lists_red_then_yellow_with_who_answers_for_them() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let board = app.get_json("/api/v1/dashboard/overdue?limit=2").await;
    assert_eq!(board["red"], 3);
    let items = board["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    assert_eq!(
        items[0]["measure"]["code"], "KH-2021-01-1",
        "most overdue first"
    );
    assert_eq!(items[0]["lead_unit_name"], "综合科");
    assert!(items[0]["finding_title"].as_str().unwrap().len() > 3);
    assert!(items.iter().all(|i| i["measure"]["warning"] != "green"));
    let mut seen = 2;
    let mut cursor = board["next_cursor"].as_str().map(str::to_string);
    while let Some(c) = cursor {
        let page = app
            .get_json(&format!("/api/v1/dashboard/overdue?limit=2&cursor={c}"))
            .await;
        seen += page["items"].as_array().unwrap().len();
        cursor = page["next_cursor"].as_str().map(str::to_string);
    }
    assert_eq!(
        seen as i64,
        board["red"].as_i64().unwrap() + board["yellow"].as_i64().unwrap()
    );
}

#[tokio::test]
async fn a_timely_closure_request_stops_the_clock_until_it_is_returned() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let finding_id = id_of(&finding);
    let m = app.measure(finding_id, &unit, Some(days(0))).await;
    let id = id_of(&m);
    assert_eq!(m["warning"], "yellow", "due today");
    let admin = token("root", "admin", None);
    let act = |action: &'static str, body: Value| {
        let app = &app;
        let admin = &admin;
        async move {
            let res = app
                .act(
                    admin,
                    &format!("/api/v1/measures/{id}/actions/{action}"),
                    body,
                )
                .await;
            assert_eq!(res.status(), 200, "{action}");
            res.json::<Value>().await.unwrap()
        }
    };
    for step in ["claim", "submit_plan", "approve_plan"] {
        let res = app
            .act(
                &admin,
                &format!("/api/v1/findings/{finding_id}/actions/{step}"),
                json!({}),
            )
            .await;
        assert_eq!(res.status(), 200, "{step}");
    }
    act("start", json!({})).await;
    let res = app
        .upload(&admin, id, "报告.pdf", crate::helpers::PDF.to_vec())
        .await;
    let evidence: Value = res.json().await.unwrap();
    let m = act(
        "submit",
        json!({"statement": "按期完成", "evidence_ids": [evidence["id"]]}),
    )
    .await;
    assert_eq!(m["clock_stopped"], true);
    assert_eq!(m["warning"], "green");
    let m = act("return", json!({"reason": "材料不全"})).await;
    assert_eq!(m["clock_stopped"], false);
    assert_eq!(m["warning"], "yellow");
}

#[tokio::test]
async fn the_calendar_is_served_and_readiness_says_what_it_covers() {
    let app = spawn_app().await;
    let year = app.get_json("/api/v1/calendar/2024").await;
    assert!(year["source"].as_str().unwrap().contains("chinesecalendar"));
    let holidays: Vec<&str> = year["holidays"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["date"].as_str().unwrap())
        .collect();
    assert!(holidays.contains(&"2024-02-12"));
    assert!(year["workdays"]
        .as_array()
        .unwrap()
        .contains(&json!("2024-02-04")));
    let unknown = app.get_json("/api/v1/calendar/2035").await;
    assert!(unknown["source"]
        .as_str()
        .unwrap()
        .contains("weekends only"));
    problem(app.get("/api/v1/calendar/20240").await, 400).await;
    let ready = app.get_json("/readyz").await;
    assert!(ready["calendar"]["years"]
        .as_array()
        .unwrap()
        .contains(&json!(2026)));
    assert_eq!(
        ready["calendar"]["current_year_covered"],
        json!(today().format("%Y").to_string().parse::<i32>().unwrap() <= 2026)
    );
}

#[tokio::test]
async fn polls_get_304_until_a_write_changes_the_ledger() {
    let app = spawn_app().await;
    // Written through the API, so the server knows its ledger version at once (writes by
    // another process are followed within a second).
    let (unit, _, finding) = app.ledger().await;
    app.unit("JRB-FKK", "风险防控科").await;
    app.measure(id_of(&finding), &unit, Some(days(-3))).await;
    let viewer = token("screen", "viewer", None);
    let poll = |etag: Option<String>| {
        let app = &app;
        let viewer = &viewer;
        async move {
            let mut req = app
                .anon
                .get(app.url("/api/v1/dashboard/overdue?limit=50"))
                .bearer_auth(viewer);
            if let Some(tag) = etag {
                req = req.header("If-None-Match", tag);
            }
            req.send().await.unwrap()
        }
    };
    let first = poll(None).await;
    assert_eq!(first.status(), 200);
    let tag = first.headers()["etag"].to_str().unwrap().to_string();
    let again = poll(Some(tag.clone())).await;
    assert_eq!(again.status(), 304);
    assert_eq!(again.headers()["etag"].to_str().unwrap(), tag);
    assert!(again.bytes().await.unwrap().is_empty());
    // Another caller, or another query, has another tag.
    let res = app
        .anon
        .get(app.url("/api/v1/dashboard/overdue?limit=50"))
        .bearer_auth(token("fkk", "unit", Some("JRB-FKK")))
        .header("If-None-Match", &tag)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // A write anywhere makes the old tag stale, and no stored answer outlives it.
    let before = app.get_json("/api/v1/units").await["total"]
        .as_i64()
        .unwrap();
    assert_eq!(app.get_json("/api/v1/units").await["total"], before);
    app.unit("JRB-NEW", "新设科室").await;
    assert_eq!(app.get_json("/api/v1/units").await["total"], before + 1);
    let after = poll(Some(tag.clone())).await;
    assert_eq!(after.status(), 200);
    assert_ne!(after.headers()["etag"].to_str().unwrap(), tag);
    // A refused write changes nothing, and the tag stays.
    let tag = after.headers()["etag"].to_str().unwrap().to_string();
    let res = app
        .send(
            Method::POST,
            "/api/v1/units",
            Some(&viewer),
            Some(&json!({"code": "X", "name": "X"})),
        )
        .await;
    assert_eq!(res.status(), 403);
    assert_eq!(poll(Some(tag)).await.status(), 304);
    // Every list answers with a tag.
    for path in [
        "/api/v1/measures",
        "/api/v1/findings",
        "/api/v1/stats",
        "/api/v1/units",
    ] {
        let res = app.get(path).await;
        assert!(res.headers().contains_key("etag"), "{path}");
    }
}

/// The tag a GET answers with now.
async fn tag_of(app: &crate::helpers::TestApp, path: &str) -> String {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "GET {path}");
    res.headers()["etag"].to_str().unwrap().to_string()
}

async fn status_with(app: &crate::helpers::TestApp, path: &str, tag: &str) -> u16 {
    app.client
        .get(app.url(path))
        .header("If-None-Match", tag)
        .send()
        .await
        .unwrap()
        .status()
        .as_u16()
}

#[tokio::test]
async fn the_scanners_announcements_leave_every_dashboards_answer_current() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let late = app.measure(id_of(&finding), &unit, Some(days(-2))).await;
    let history = format!("/api/v1/measures/{}/history", id_of(&late));
    let polled = [
        "/api/v1/measures",
        "/api/v1/stats?group_by=unit",
        "/api/v1/dashboard/overdue",
        "/api/v1/queue",
    ];
    let mut tags = vec![];
    for path in polled {
        tags.push(tag_of(&app, path).await);
    }
    let history_tag = tag_of(&app, &history).await;

    // The scanner announces the overdue measure, as a scan beside the server would.
    let mut conn =
        zhenggai::db::connection::establish(&app.config.database_url).expect("connection");
    let calendar = std::sync::Arc::new(app.config.calendar().unwrap());
    let day = zhenggai::domain::deadline::Today::new(today(), calendar.clone(), 3);
    let announced = zhenggai::background::scan(&mut conn, &day, calendar).unwrap();
    assert!(announced >= 1, "the overdue measure was announced");
    drop(conn);
    // The server notices the new head of the chain within a second.
    let mut seen = false;
    for _ in 0..100 {
        if status_with(&app, &history, &history_tag).await == 200 {
            seen = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(seen, "the history shows the announcement");
    let actions: Vec<String> = app.get_json(&history).await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap().to_string())
        .collect();
    assert!(
        actions.contains(&"measure.overdue".to_string()),
        "{actions:?}"
    );
    for (path, tag) in polled.iter().zip(&tags) {
        assert_eq!(
            status_with(&app, path, tag).await,
            304,
            "{path}: an announcement changes nothing it shows"
        );
    }

    // A real change does move them.
    let res = app
        .patch(
            &format!("/api/v1/measures/{}", id_of(&late)),
            &json!({"responsible_person": "李明"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(status_with(&app, polled[0], &tags[0]).await, 200);
}
