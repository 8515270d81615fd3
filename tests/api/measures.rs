use serde_json::{json, Value};

use crate::helpers::conflict_of;
use crate::helpers::id_of;
use crate::helpers::{days, error_fields, problem, spawn_app, today, TestApp};

fn measure(lead: &str, kind: &str, due: Option<String>) -> Value {
    let mut body = json!({
        "content": "对2021年以来差旅费逐笔自查，违规款项全部清退", "kind": kind,
        "lead_unit_id": lead, "accountable_leader": "党组成员、副主任"
    });
    if let Some(due) = due {
        body["due_date"] = json!(due);
    }
    body
}

fn measures_path(finding: &Value) -> String {
    format!("/api/v1/findings/{}/measures", id_of(finding))
}

#[tokio::test]
async fn a_measure_carries_its_responsibility_list() {
    let app = spawn_app().await;
    let (unit, inspection, finding) = app.ledger().await;
    let cws = app.unit("CWS", "财务室").await;
    let jgk = app.unit("JGK", "地方金融监管科").await;
    let mut body = measure(&unit, "time_bound", Some(days(20)));
    body["supporting_unit_ids"] = json!([cws, jgk]);
    body["responsible_person"] = json!("综合科科长");
    body["completion_criteria"] = json!("办法经党组会审议通过并印发");
    // A quota belongs to a long-term measure only.
    body["quota"] = json!({"metric": "专题培训", "min_count": 4, "period": "year"});
    let p = problem(app.post(&measures_path(&finding), &body).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "quota", "{p}");
    body.as_object_mut().unwrap().remove("quota");
    let res = app.post(&measures_path(&finding), &body).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let created: Value = res.json().await.unwrap();
    assert_eq!(created["code"], "XC-2022-03-01-1");
    assert_eq!(created["inspection_id"], inspection.as_str());
    assert_eq!(created["lead_unit_id"], unit.as_str());
    let mut supporting: Vec<&str> = created["supporting_unit_ids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    supporting.sort();
    let mut expected = [cws.as_str(), jgk.as_str()];
    expected.sort();
    assert_eq!(supporting, expected);
    assert_eq!(created["due_date"], days(20));
    assert_eq!(created["original_due_date"], days(20));
    assert_eq!(created["status"], "not_started");
    assert_eq!(created["extension_count"], 0);
    assert!(created["quota"].is_null());
    assert_eq!(created["responsible_person"], "综合科科长");
    assert_eq!(app.get_json(&location).await, created);
    // A long-term one (长期坚持) carries the quota, and no due date.
    let mut long = measure(&unit, "long_term", None);
    long["quota"] = json!({"metric": "专题培训", "min_count": 4, "period": "year"});
    let kept = app.created(&measures_path(&finding), &long).await;
    assert_eq!(kept["quota"]["min_count"], 4);
    long["due_date"] = json!(days(30));
    let p = problem(app.post(&measures_path(&finding), &long).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "due_date");
    let second = app
        .created(
            &measures_path(&finding),
            &measure(&unit, "immediate", Some(days(1))),
        )
        .await;
    assert_eq!(second["code"], "XC-2022-03-01-3");
}

#[tokio::test]
async fn deadlines_follow_the_kind_and_the_feedback_date() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let path = measures_path(&finding);
    for kind in ["time_bound", "immediate"] {
        let p = problem(app.post(&path, &measure(&unit, kind, None)).await, 422).await;
        assert_eq!(error_fields(&p), ["due_date"], "{kind}");
    }
    // The helper's inspection has its feedback 60 days back.
    let p = problem(
        app.post(&path, &measure(&unit, "time_bound", Some(days(-61))))
            .await,
        422,
    )
    .await;
    assert_eq!(error_fields(&p), ["due_date"]);
    assert_eq!(
        app.get_json("/api/v1/measures").await["total"],
        0,
        "nothing was written"
    );
    let long_term = app.created(&path, &measure(&unit, "long_term", None)).await;
    assert_eq!(long_term["due_date"], Value::Null);
    assert_eq!(
        long_term["report_cycle"], "quarterly",
        "long-term measures report quarterly by default"
    );
    assert_eq!(long_term["warning"], "green");
    app.created(&path, &measure(&unit, "time_bound", Some(days(-60))))
        .await;
}

#[tokio::test]
async fn units_of_a_measure_must_exist_and_differ() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let path = measures_path(&finding);
    let mut body = measure(&unit, "time_bound", Some(days(5)));
    body["supporting_unit_ids"] = json!([unit]);
    assert_eq!(
        error_fields(&problem(app.post(&path, &body).await, 422).await),
        ["supporting_unit_ids"]
    );
    body["supporting_unit_ids"] = json!([uuid::Uuid::now_v7()]);
    assert_eq!(
        error_fields(&problem(app.post(&path, &body).await, 422).await),
        ["supporting_unit_ids"]
    );
    let body = measure(
        &uuid::Uuid::now_v7().to_string(),
        "time_bound",
        Some(days(5)),
    );
    assert_eq!(
        error_fields(&problem(app.post(&path, &body).await, 422).await),
        ["lead_unit_id"]
    );
    problem(
        app.post(
            &format!("/api/v1/findings/{}/measures", uuid::Uuid::now_v7()),
            &measure(&unit, "long_term", None),
        )
        .await,
        404,
    )
    .await;
    assert_eq!(app.get_json("/api/v1/measures").await["total"], 0);
}

#[tokio::test]
async fn a_duplicate_measure_code_in_a_finding_is_409() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let mut body = measure(&unit, "long_term", None);
    body["code"] = json!("05-2");
    app.created(&measures_path(&finding), &body).await;
    conflict_of(app.post(&measures_path(&finding), &body).await, "conflict").await;
    assert_eq!(app.get_json("/api/v1/measures").await["total"], 1);
}

#[tokio::test]
async fn overdue_days_and_warning_lights_are_computed_in_beijing_time() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let path = measures_path(&finding);
    let red = app
        .created(&path, &measure(&unit, "time_bound", Some(days(-5))))
        .await;
    let due_today = app
        .created(&path, &measure(&unit, "time_bound", Some(days(0))))
        .await;
    // The yellow window is 3 working days, by the Chinese calendar.
    let calendar = zhenggai::domain::calendar::Calendar::load(None).unwrap();
    let last_yellow = calendar.yellow_until(today(), 3);
    let yellow = app
        .created(
            &path,
            &measure(&unit, "time_bound", Some(last_yellow.to_string())),
        )
        .await;
    let green = app
        .created(
            &path,
            &measure(
                &unit,
                "time_bound",
                Some(last_yellow.succ_opt().unwrap().to_string()),
            ),
        )
        .await;
    assert_eq!(
        (
            red["overdue"].clone(),
            red["overdue_days"].clone(),
            red["warning"].clone()
        ),
        (json!(true), json!(5), json!("red"))
    );
    assert_eq!(
        (due_today["overdue"].clone(), due_today["warning"].clone()),
        (json!(false), json!("yellow"))
    );
    assert_eq!(
        (yellow["overdue"].clone(), yellow["warning"].clone()),
        (json!(false), json!("yellow"))
    );
    assert_eq!(
        (
            green["overdue"].clone(),
            green["overdue_days"].clone(),
            green["warning"].clone()
        ),
        (json!(false), json!(0), json!("green"))
    );
    let overdue = app.get_json("/api/v1/measures?overdue=true").await;
    assert_eq!(overdue["total"], 1);
    assert_eq!(overdue["items"][0]["id"], red["id"]);
    assert_eq!(
        app.get_json("/api/v1/measures?overdue=false").await["total"],
        3
    );
    for (light, expected) in [("red", &red), ("green", &green)] {
        let list = app
            .get_json(&format!("/api/v1/measures?warning={light}"))
            .await;
        assert_eq!(list["total"], 1, "{light}");
        assert_eq!(list["items"][0]["id"], expected["id"], "{light}");
    }
    let list = app.get_json("/api/v1/measures?warning=yellow").await;
    assert_eq!(list["total"], 2);
    // The finding shows its worst light, and filters by it.
    let f = app
        .get_json(&format!("/api/v1/findings/{}", id_of(&finding)))
        .await;
    assert_eq!(f["warning"], "red");
    assert_eq!(
        app.get_json("/api/v1/findings?warning=red").await["total"],
        1
    );
    assert_eq!(
        app.get_json("/api/v1/findings?warning=green").await["total"],
        0
    );
}

/// Units ZHK and CWS, inspection XC-2022-03 with finding -01 and one measure in each state
/// that the API cannot yet reach by itself, loaded as `zhenggai seed` would.
fn seeded_states(app: &TestApp) {
    let as_of = today().to_string();
    let seed = json!({
        "as_of": as_of,
        "units": [{"code": "ZHK", "name": "综合科"}, {"code": "CWS", "name": "财务室"}],
        "inspections": [{
            "code": "XC-2022-03", "source_type": "xuncha", "title": "巡察反馈问题整改", "issuer": "市委第三巡察组",
            "feedback_date": days(-90),
            "findings": [
                {"code": "XC-2022-03-01", "category": "strict_governance", "title": "差旅费报销不规范", "description": "违规报销。",
                 "responsible_unit": "ZHK", "status": "in_progress", "measures": [
                    {"code": "M-CLOSED", "content": "逐笔自查并清退", "kind": "immediate", "lead_unit": "ZHK",
                     "accountable_leader": "副主任", "due_date": days(-30), "status": "closed", "closed_at": days(-31)},
                    {"code": "M-STARTED", "content": "修订差旅费管理办法", "kind": "time_bound", "lead_unit": "ZHK",
                     "supporting_units": ["CWS"], "accountable_leader": "副主任", "due_date": days(-2), "status": "in_progress"}
                ]},
                {"code": "XC-2022-03-02", "category": "business", "title": "调查研究不够", "description": "调研不够。",
                 "responsible_unit": "CWS", "status": "closed", "closed_at": days(-1), "measures": [
                    {"code": "M-DONE", "content": "开展调研", "kind": "immediate", "lead_unit": "CWS",
                     "accountable_leader": "副主任", "due_date": days(-10), "status": "closed", "closed_at": days(-11)}
                ]}
            ]
        }]
    });
    app.seed(&seed.to_string());
}

async fn by_code(app: &TestApp, code: &str) -> Value {
    let all = app.get_json("/api/v1/measures?limit=500").await;
    all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["code"] == code)
        .cloned()
        .expect(code)
}

#[tokio::test]
async fn closed_measures_are_never_overdue_and_cannot_be_edited() {
    let app = spawn_app().await;
    seeded_states(&app);
    let closed = by_code(&app, "M-CLOSED").await;
    assert_eq!(closed["status"], "closed");
    assert_eq!(
        (closed["overdue"].clone(), closed["warning"].clone()),
        (json!(false), json!("green"))
    );
    let started = by_code(&app, "M-STARTED").await;
    assert_eq!(
        (started["overdue"].clone(), started["overdue_days"].clone()),
        (json!(true), json!(2))
    );
    let path = format!("/api/v1/measures/{}", id_of(&closed));
    problem(app.patch(&path, &json!({"content": "改写"})).await, 409).await;
    assert_eq!(app.get_json(&path).await, closed);
}

#[tokio::test]
async fn a_started_measure_moves_its_deadline_only_by_extension() {
    let app = spawn_app().await;
    seeded_states(&app);
    let started = by_code(&app, "M-STARTED").await;
    let path = format!("/api/v1/measures/{}", id_of(&started));
    let p = conflict_of(
        app.patch(&path, &json!({"due_date": days(30)})).await,
        "conflict",
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("延期申请"), "{p}");
    problem(app.patch(&path, &json!({"kind": "long_term"})).await, 409).await;
    let res = app
        .patch(
            &path,
            &json!({"completion_criteria": "办法印发并组织全员学习"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["due_date"], started["due_date"]);
    assert_eq!(body["completion_criteria"], "办法印发并组织全员学习");
    // Who answers for a started measure changes by a recorded handover, not an edit.
    for change in [
        json!({"responsible_person": "财务室主任"}),
        json!({"accountable_leader": "另一位副主任"}),
    ] {
        let p = conflict_of(app.patch(&path, &change).await, "wrong-state").await;
        assert!(p["detail"].as_str().unwrap().contains("handover"), "{p}");
        assert_eq!(p["current_state"], "in_progress");
    }
    let after = app.get_json(&path).await;
    assert_eq!(after["responsible_person"], started["responsible_person"]);
    assert_eq!(after["accountable_leader"], started["accountable_leader"]);
}

#[tokio::test]
async fn a_closed_finding_takes_no_more_measures() {
    let app = spawn_app().await;
    seeded_states(&app);
    let closed = app.get_json("/api/v1/findings?status=closed").await;
    assert_eq!(closed["total"], 1);
    let lead = by_code(&app, "M-DONE").await["lead_unit_id"]
        .as_str()
        .unwrap()
        .to_string();
    problem(
        app.post(
            &measures_path(&closed["items"][0]),
            &measure(&lead, "long_term", None),
        )
        .await,
        409,
    )
    .await;
}

#[tokio::test]
async fn patch_before_start_moves_due_and_original_due_together() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let cws = app.unit("CWS", "财务室").await;
    let m = app
        .created(
            &measures_path(&finding),
            &measure(&unit, "time_bound", Some(days(10))),
        )
        .await;
    let path = format!("/api/v1/measures/{}", id_of(&m));
    let quota = json!({"quota": {"metric": "调研", "min_count": 12, "period": "year"}});
    let p = problem(app.patch(&path, &quota).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "quota");
    let res = app
        .patch(
            &path,
            &json!({"due_date": days(20), "supporting_unit_ids": [cws]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["due_date"], days(20));
    assert_eq!(body["original_due_date"], days(20));
    assert_eq!(body["supporting_unit_ids"], json!([cws]));
    assert_eq!(body["version"], 2);
    // Clearing the due date of a time-bound measure breaks the schedule rule.
    let p = problem(app.patch(&path, &json!({"due_date": null})).await, 422).await;
    assert_eq!(error_fields(&p), ["due_date"]);
    let res = app
        .patch(&path, &json!({"quota": null, "supporting_unit_ids": []}))
        .await;
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["quota"], Value::Null);
    assert_eq!(body["supporting_unit_ids"], json!([]));
    assert_eq!(app.get_json(&path).await, body);
}

#[tokio::test]
async fn measures_filter_by_every_documented_field() {
    let app = spawn_app().await;
    seeded_states(&app);
    let zhk = by_code(&app, "M-CLOSED").await["lead_unit_id"]
        .as_str()
        .unwrap()
        .to_string();
    let started = by_code(&app, "M-STARTED").await;
    let cws = started["supporting_unit_ids"][0]
        .as_str()
        .unwrap()
        .to_string();
    let finding = started["finding_id"].as_str().unwrap().to_string();
    let inspection = started["inspection_id"].as_str().unwrap().to_string();
    let codes = |q: String| {
        let app = &app;
        async move {
            let page = app.get_json(&format!("/api/v1/measures?{q}")).await;
            let mut codes: Vec<String> = page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["code"].as_str().unwrap().to_string())
                .collect();
            assert_eq!(page["total"].as_u64().unwrap() as usize, codes.len());
            codes.sort();
            codes
        }
    };
    assert_eq!(
        codes(format!("finding_id={finding}")).await,
        ["M-CLOSED", "M-STARTED"]
    );
    assert_eq!(
        codes(format!("inspection_id={inspection}")).await,
        ["M-CLOSED", "M-DONE", "M-STARTED"]
    );
    assert_eq!(
        codes(format!("unit_id={zhk}")).await,
        ["M-CLOSED", "M-STARTED"]
    );
    assert_eq!(
        codes(format!("unit_id={cws}")).await,
        ["M-DONE", "M-STARTED"],
        "lead or supporting"
    );
    assert_eq!(codes("status=closed".into()).await, ["M-CLOSED", "M-DONE"]);
    assert_eq!(codes("status=in_progress".into()).await, ["M-STARTED"]);
    assert_eq!(codes("kind=time_bound".into()).await, ["M-STARTED"]);
    assert_eq!(codes("overdue=true".into()).await, ["M-STARTED"]);
    assert_eq!(codes("overdue=false".into()).await, ["M-CLOSED", "M-DONE"]);
    assert_eq!(
        codes(format!("due_before={}", days(-10))).await,
        ["M-CLOSED", "M-DONE"],
        "inclusive"
    );
    assert_eq!(
        codes(format!("due_after={}", days(-10))).await,
        ["M-DONE", "M-STARTED"],
        "inclusive"
    );
    assert_eq!(
        codes(format!("due_after={}&due_before={}", days(-20), days(-5))).await,
        ["M-DONE"]
    );
    assert_eq!(
        codes(format!("unit_id={cws}&overdue=true")).await,
        ["M-STARTED"]
    );
}

#[tokio::test]
async fn measures_sort_by_due_date_either_way_or_by_creation() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let path = measures_path(&finding);
    let late = app
        .created(&path, &measure(&unit, "time_bound", Some(days(30))))
        .await;
    let none = app.created(&path, &measure(&unit, "long_term", None)).await;
    let early = app
        .created(&path, &measure(&unit, "time_bound", Some(days(3))))
        .await;
    let ids = |q: &'static str| {
        let app = &app;
        async move {
            let page = app.get_json(&format!("/api/v1/measures?{q}")).await;
            page["items"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["id"].clone())
                .collect::<Vec<_>>()
        }
    };
    assert_eq!(
        ids("").await,
        [early["id"].clone(), late["id"].clone(), none["id"].clone()]
    );
    assert_eq!(
        ids("sort=due_date").await,
        [early["id"].clone(), late["id"].clone(), none["id"].clone()]
    );
    assert_eq!(
        ids("sort=-due_date").await,
        [none["id"].clone(), late["id"].clone(), early["id"].clone()]
    );
    assert_eq!(
        ids("sort=created_at").await,
        [late["id"].clone(), none["id"].clone(), early["id"].clone()]
    );
}

#[tokio::test]
async fn a_stored_status_no_state_names_is_an_error_naming_column_and_value() {
    use diesel::RunQueryDsl;
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let created = app
        .created(
            &measures_path(&finding),
            &measure(&unit, "time_bound", Some(days(20))),
        )
        .await;
    let id = id_of(&created).to_string();
    let mut conn =
        zhenggai::db::connection::establish(&app.config.database_url).expect("connection");
    diesel::sql_query(format!(
        "UPDATE measures SET status = 'half_done' WHERE id = '{id}'"
    ))
    .execute(&mut conn)
    .expect("update");
    let error = zhenggai::db::repo::measures::get(&mut conn, &id)
        .expect_err("an unknown status must not be read as a state")
        .to_string();
    assert!(error.contains("status"), "{error}");
    assert!(error.contains("half_done"), "{error}");
    // Over HTTP it is the server's fault, logged, and never a default state.
    problem(app.get(&format!("/api/v1/measures/{id}")).await, 500).await;
}
