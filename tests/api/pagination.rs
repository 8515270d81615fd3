use std::collections::HashSet;

use futures_util::future::join_all;
use serde_json::{json, Value};

use crate::helpers::id_of;
use crate::helpers::{days, problem, spawn_app, TestApp};

/// Creates `n` measures, 16 requests in flight at a time (concurrent writers must never
/// see "database is locked").
async fn many_measures(app: &TestApp, finding: &str, lead: &str, n: usize) {
    let path = format!("/api/v1/findings/{finding}/measures");
    let bodies: Vec<Value> = (0..n)
        .map(|i| {
            let mut body = json!({
                "content": format!("第{i}项整改措施"), "kind": "time_bound",
                "lead_unit_id": lead, "accountable_leader": "党组书记、主任",
                "due_date": days((i % 37) as i64 - 10)
            });
            if i % 10 == 0 {
                body["kind"] = json!("long_term");
                body.as_object_mut().unwrap().remove("due_date");
            }
            body
        })
        .collect();
    for chunk in bodies.chunks(16) {
        let results = join_all(chunk.iter().map(|b| app.post(&path, b))).await;
        for res in results {
            assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        }
    }
}

/// Walks every page and returns the ids in order, checking `total` on each page.
async fn walk(app: &TestApp, query: &str, limit: usize, expected_total: usize) -> Vec<String> {
    let mut ids = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let mut path = format!("/api/v1/measures?limit={limit}&{query}");
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get_json(&path).await;
        assert_eq!(page["total"].as_u64().unwrap() as usize, expected_total);
        let items = page["items"].as_array().unwrap();
        assert!(items.len() <= limit);
        ids.extend(items.iter().map(|m| id_of(m).to_string()));
        match page["next_cursor"].as_str() {
            Some(c) => {
                assert_eq!(items.len(), limit, "only the last page is short");
                cursor = Some(c.to_string());
            }
            None => break,
        }
        assert!(ids.len() <= expected_total, "the walk does not end");
    }
    ids
}

#[tokio::test]
async fn walking_all_pages_of_1000_measures_has_no_duplicates_or_gaps() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    many_measures(&app, id_of(&finding), &unit, 1000).await;

    let everything = app
        .get_json("/api/v1/measures?limit=500&sort=created_at")
        .await;
    assert_eq!(everything["total"], 1000);

    for sort in ["due_date", "-due_date", "created_at"] {
        let ids = walk(&app, &format!("sort={sort}"), 97, 1000).await;
        assert_eq!(ids.len(), 1000, "{sort}: no gaps");
        assert_eq!(
            ids.iter().collect::<HashSet<_>>().len(),
            1000,
            "{sort}: no duplicates"
        );
    }
    // Pages follow the order of one big page.
    let walked = walk(&app, "sort=due_date", 97, 1000).await;
    let mut whole = vec![];
    let first = app.get_json("/api/v1/measures?limit=500").await;
    whole.extend(
        first["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| id_of(m).to_string()),
    );
    let c = first["next_cursor"].as_str().unwrap();
    let second = app
        .get_json(&format!("/api/v1/measures?limit=500&cursor={c}"))
        .await;
    whole.extend(
        second["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| id_of(m).to_string()),
    );
    assert_eq!(second["next_cursor"], Value::Null);
    assert_eq!(walked, whole);

    // A filtered walk keeps its own total.
    let overdue = app.get_json("/api/v1/measures?overdue=true&limit=1").await["total"]
        .as_u64()
        .unwrap() as usize;
    assert!(overdue > 0 && overdue < 1000);
    let ids = walk(&app, "overdue=true", 50, overdue).await;
    assert_eq!(ids.iter().collect::<HashSet<_>>().len(), overdue);
}

#[tokio::test]
async fn lists_default_to_50_and_cap_at_500() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    many_measures(&app, id_of(&finding), &unit, 60).await;
    let page = app.get_json("/api/v1/measures").await;
    assert_eq!(page["items"].as_array().unwrap().len(), 50);
    assert!(page["next_cursor"].is_string());
    assert_eq!(page["total"], 60);
    for bad in ["0", "501", "-1", "ten"] {
        let p = problem(app.get(&format!("/api/v1/measures?limit={bad}")).await, 400).await;
        assert_eq!(p["errors"][0]["field"], "limit", "{bad}");
    }
    app.get_json("/api/v1/measures?limit=500").await;
}

#[tokio::test]
async fn a_cursor_is_opaque_and_bound_to_its_list_order() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    many_measures(&app, id_of(&finding), &unit, 5).await;
    let page = app.get_json("/api/v1/measures?limit=2").await;
    let cursor = page["next_cursor"].as_str().unwrap();
    let p = problem(
        app.get(&format!(
            "/api/v1/measures?limit=2&sort=created_at&cursor={cursor}"
        ))
        .await,
        400,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "cursor");
    for bad in ["garbage", "eyJ4IjoxfQ", "%00%01"] {
        let p = problem(
            app.get(&format!("/api/v1/measures?cursor={bad}")).await,
            400,
        )
        .await;
        assert_eq!(p["errors"][0]["field"], "cursor", "{bad}");
    }
}

#[tokio::test]
async fn other_lists_page_the_same_way() {
    let app = spawn_app().await;
    for i in 0..7 {
        app.unit(&format!("U{i:02}"), &format!("科室{i}")).await;
    }
    let mut seen = vec![];
    let mut cursor = String::new();
    loop {
        let page = app
            .get_json(&format!("/api/v1/units?limit=3{cursor}"))
            .await;
        assert_eq!(page["total"], 7);
        seen.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|u| u["code"].as_str().unwrap().to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(c) => cursor = format!("&cursor={c}"),
            None => break,
        }
    }
    assert_eq!(seen, (0..7).map(|i| format!("U{i:02}")).collect::<Vec<_>>());

    let unit = app.get_json("/api/v1/units?limit=1").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    for i in 0..5 {
        let body = json!({"code": format!("XC-{i}"), "source_type": "audit", "title": "审计", "issuer": "市审计局", "feedback_date": days(-i)});
        let inspection = app.created("/api/v1/inspections", &body).await;
        app.finding(id_of(&inspection), &unit).await;
    }
    let first = app.get_json("/api/v1/inspections?limit=2").await;
    let second = app
        .get_json(&format!(
            "/api/v1/inspections?limit=2&cursor={}",
            first["next_cursor"].as_str().unwrap()
        ))
        .await;
    let codes: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|i| i["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, ["XC-0", "XC-1", "XC-2", "XC-3"]);
    let findings = app.get_json("/api/v1/findings?limit=4").await;
    let rest = app
        .get_json(&format!(
            "/api/v1/findings?limit=4&cursor={}",
            findings["next_cursor"].as_str().unwrap()
        ))
        .await;
    assert_eq!(
        findings["items"].as_array().unwrap().len() + rest["items"].as_array().unwrap().len(),
        5
    );
    assert_eq!(rest["next_cursor"], Value::Null);
}

/// Every page of `path` as `token`, by cursor: the ids in order.
async fn pages_as(app: &TestApp, token: &str, path: &str) -> (Vec<String>, i64) {
    let (mut ids, mut cursor) = (vec![], None::<String>);
    for _ in 0..100 {
        let mut req = app.anon.get(app.url(path)).bearer_auth(token);
        if let Some(c) = &cursor {
            req = req.query(&[("cursor", c)]);
        }
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 200, "{path} after {cursor:?}");
        let page: Value = res.json().await.unwrap();
        let total = page["total"].as_i64().unwrap();
        ids.extend(
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| id_of(m).to_string()),
        );
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_string()),
            None => return (ids, total),
        }
    }
    panic!("more than 100 pages");
}

#[tokio::test]
async fn a_unit_that_sees_most_of_the_ledger_pages_through_exactly_what_it_sees() {
    // A unit that sees a large share of the ledger has its pages found by walking the due
    // dates rather than by sorting all it sees (SQLite): the pages must be the same set.
    let app = spawn_app().await;
    let ours = app.unit("JRB-ZHK", "综合科").await;
    let theirs = app.unit("JRB-CWK", "财务科").await;
    let inspection = app.inspection("XC-2026-09").await;
    let our_finding = app.finding(&inspection, &ours).await;
    let their_finding = app.finding(&inspection, &theirs).await;
    let mut seen = HashSet::new();
    for i in 0..24i64 {
        let due = Some(days(i % 7 - 3));
        let m = match i % 4 {
            // We lead it.
            0 => app.measure(id_of(&their_finding), &ours, due).await,
            // They lead it under our finding.
            1 => app.measure(id_of(&our_finding), &theirs, due).await,
            // They lead it, we support.
            2 => {
                app.created(
                    &format!("/api/v1/findings/{}/measures", id_of(&their_finding)),
                    &json!({"content": format!("协同措施{i}"), "kind": "time_bound",
                        "lead_unit_id": theirs, "accountable_leader": "分管领导",
                        "supporting_unit_ids": [ours], "due_date": days(i % 7 - 3)}),
                )
                .await
            }
            // Theirs alone: we never see it.
            _ => app.measure(id_of(&their_finding), &theirs, due).await,
        };
        if i % 4 != 3 {
            seen.insert(id_of(&m).to_string());
        }
    }
    let unit = crate::helpers::token("li.zhk", "unit", Some("JRB-ZHK"));
    for sort in ["due_date", "-due_date", "created_at"] {
        let (ids, total) = pages_as(
            &app,
            &unit,
            &format!("/api/v1/measures?limit=2&sort={sort}"),
        )
        .await;
        assert_eq!(total, 18, "{sort}");
        let unique: HashSet<_> = ids.iter().cloned().collect();
        assert_eq!(ids.len(), unique.len(), "{sort}: a measure on two pages");
        assert_eq!(unique, seen, "{sort}: exactly what the unit sees");
        // The same order as one page holding everything.
        let (whole, _) = pages_as(
            &app,
            &unit,
            &format!("/api/v1/measures?limit=100&sort={sort}"),
        )
        .await;
        assert_eq!(ids, whole, "{sort}");
    }
}
