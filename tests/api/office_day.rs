//! The office's working day, over HTTP: reminders (催办), listed supervision (挂牌督办),
//! extension requests as a list and on their measure, and the work queue.

use chrono::Datelike;
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
    // Counted in the stats and in the ledger's 催办次数 column.
    assert_eq!(app.get_json("/api/v1/stats").await["total"]["reminders"], 3);
    let csv = app.get("/api/v1/ledger.csv").await.text().await.unwrap();
    let rows: Vec<Vec<String>> = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(csv.trim_start_matches('\u{feff}').as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect();
    let at = rows
        .iter()
        .position(|r| r.iter().any(|c| c == "序号"))
        .unwrap();
    let column = rows[at]
        .iter()
        .position(|h| h == "催办次数")
        .expect("催办次数");
    assert_eq!(rows[at + 1][column], "3", "{csv}");
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
    // The report marks it where its open measure is listed.
    let md = app
        .get(&format!(
            "/api/v1/inspections/{}/report.md",
            f["inspection_id"].as_str().unwrap()
        ))
        .await
        .text()
        .await
        .unwrap();
    let code = f["code"].as_str().unwrap();
    assert!(md.contains(&format!("{code}（挂牌督办）")), "{md}");
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

fn kinds(page: &Value) -> Vec<(String, String)> {
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["kind"].as_str().unwrap().to_string(),
                i["code"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

async fn queue_of(app: &TestApp, token: &str, query: &str) -> Value {
    let res = app
        .send(
            Method::GET,
            &format!("/api/v1/queue{query}"),
            Some(token),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn one_call_shows_what_waits_for_each_role_most_urgent_first() {
    let app = spawn_app().await;
    let zhk = app.unit("ZHK", "综合科").await;
    let inspection = app.inspection("XC-2022-03").await;
    let office = token("wang.office", "office", None);
    let staff = token("zhk.li", "unit", Some("ZHK"));
    let leader = token("zhk.leader", "leader", Some("ZHK"));
    // F1 is assigned (to claim); F2 has its plan submitted (to approve); F3 is in progress
    // with a red measure, a submitted one, an endorsed one and a pending extension.
    let f1 = app.finding(&inspection, &zhk).await;
    let f2 = id_of(&app.finding(&inspection, &zhk).await).to_string();
    app.measure(&f2, &zhk, Some(days(30))).await;
    for action in ["claim", "submit_plan"] {
        app.post(
            &format!("/api/v1/findings/{f2}/actions/{action}"),
            &json!({}),
        )
        .await;
    }
    let f3 = id_of(&app.finding(&inspection, &zhk).await).to_string();
    let red = id_of(&app.measure(&f3, &zhk, Some(days(20))).await).to_string();
    let submitted = id_of(&app.measure(&f3, &zhk, Some(days(20))).await).to_string();
    let endorsed = id_of(&app.measure(&f3, &zhk, Some(days(20))).await).to_string();
    // One more, not started: the unit may start it.
    app.measure(&f3, &zhk, Some(days(25))).await;
    for action in ["claim", "submit_plan", "approve_plan"] {
        app.post(
            &format!("/api/v1/findings/{f3}/actions/{action}"),
            &json!({}),
        )
        .await;
    }
    for m in [&red, &submitted, &endorsed] {
        app.post(&format!("/api/v1/measures/{m}/actions/start"), &json!({}))
            .await;
    }
    for m in [&submitted, &endorsed] {
        let ev = app
            .upload(&staff, m, "a.pdf", crate::helpers::PDF.to_vec())
            .await;
        let ev = id_of(&ev.json::<Value>().await.unwrap()).to_string();
        let res = app
            .act(
                &staff,
                &format!("/api/v1/measures/{m}/actions/submit"),
                json!({"statement": "已完成。", "evidence_ids": [ev]}),
            )
            .await;
        assert_eq!(res.status(), 200);
    }
    let res = app
        .act(
            &leader,
            &format!("/api/v1/measures/{endorsed}/actions/endorse"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .act(
            &staff,
            &format!("/api/v1/measures/{red}/extensions"),
            json!({"requested_due_date": days(60), "reason": "需会签"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // The red one: its deadline passed (moved back directly in the database, as time would).
    let mut conn = zhenggai::db::connection::establish(&app.config.database_url).unwrap();
    diesel::RunQueryDsl::execute(
        diesel::sql_query(format!(
            "UPDATE measures SET due_date = '{}', due_sort = '{}' WHERE id = '{red}'",
            days(-3),
            days(-3)
        )),
        &mut conn,
    )
    .unwrap();

    // The office's morning.
    let page = queue_of(&app, &office, "").await;
    let got = kinds(&page);
    assert!(
        got.contains(&("plan_to_approve".into(), "XC-2022-03-02".into())),
        "{got:?}"
    );
    assert!(got.iter().any(|(k, _)| k == "closure_to_verify"));
    assert!(got.iter().any(|(k, _)| k == "extension_to_decide"));
    assert!(got.iter().any(|(k, _)| k == "red_not_reminded"));
    assert_eq!(page["counts"]["plan_to_approve"], 1);
    assert_eq!(page["counts"]["closure_to_verify"], 1);
    assert_eq!(page["counts"]["extension_to_decide"], 1);
    assert_eq!(page["counts"]["red_not_reminded"], 1);
    assert_eq!(page["counts"]["measure_without_holder"], 0);
    assert_eq!(page["total"], 4);
    // Red first.
    assert_eq!(page["items"][0]["warning"], "red", "{page}");
    // Reminding the red measure takes it off the list; listing a finding puts it first.
    app.act(
        &office,
        &format!("/api/v1/measures/{red}/actions/remind"),
        json!({"text": "请抓紧整改"}),
    )
    .await;
    let page = queue_of(&app, &office, "").await;
    assert_eq!(page["counts"]["red_not_reminded"], 0);
    app.act(
        &office,
        &format!("/api/v1/findings/{f2}/actions/list_supervision"),
        json!({"reason": "列入挂牌督办"}),
    )
    .await;
    let page = queue_of(&app, &office, "").await;
    assert_eq!(page["items"][0]["code"], "XC-2022-03-02");
    assert_eq!(page["items"][0]["listed"], true);
    // Paging: one at a time, nothing skipped or repeated.
    let mut seen = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let q = match &cursor {
            Some(c) => format!("?limit=1&cursor={c}"),
            None => "?limit=1".into(),
        };
        let p = queue_of(&app, &office, &q).await;
        seen.extend(kinds(&p));
        match p["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_string()),
            None => break,
        }
    }
    assert_eq!(seen, kinds(&queue_of(&app, &office, "").await));
    let only = queue_of(&app, &office, "?kind=closure_to_verify").await;
    assert_eq!(kinds(&only).len(), 1);

    // The unit's: its finding to claim and the measure it may start.
    let page = queue_of(&app, &staff, "").await;
    let got = kinds(&page);
    assert!(got.contains(&(
        "finding_to_claim".into(),
        f1["code"].as_str().unwrap().into()
    )));
    assert!(got.iter().any(|(k, _)| k == "measure_to_start"), "{got:?}");
    assert_eq!(page["counts"]["measure_to_start"], 1);
    assert!(got.iter().all(|(k, _)| k != "closure_to_verify"));
    // The leader's: the closure request to endorse.
    let page = queue_of(&app, &leader, "").await;
    assert_eq!(page["counts"]["closure_to_endorse"], 1);
    // Another unit's staff see none of it; a viewer has no queue.
    app.unit("QT", "其他局").await;
    let page = queue_of(&app, &token("qt", "unit", Some("QT")), "").await;
    assert_eq!(page["total"], 0);
    let page = queue_of(&app, &token("screen", "viewer", None), "").await;
    assert_eq!(page["total"], 0);
    assert_eq!(page["counts"], json!({}));
}

/// A started measure taken through submit, endorse and verify.
async fn closed(app: &TestApp) -> (String, String) {
    let (_, finding, measure) = started(app, 10).await;
    close(app, &measure).await;
    (finding, measure)
}

/// Submit, endorse and verify a started measure.
async fn close(app: &TestApp, measure: &str) {
    let staff = token("zhk.li", "unit", Some("ZHK"));
    let ev = app
        .upload(&staff, measure, "a.pdf", crate::helpers::PDF.to_vec())
        .await;
    let ev = id_of(&ev.json::<Value>().await.unwrap()).to_string();
    for (who, action, body) in [
        (
            staff.clone(),
            "submit",
            json!({"statement": "已完成。", "evidence_ids": [ev]}),
        ),
        (
            token("zhk.leader", "leader", Some("ZHK")),
            "endorse",
            json!({}),
        ),
        (token("wang.office", "office", None), "verify", json!({})),
    ] {
        let res = app
            .act(
                &who,
                &format!("/api/v1/measures/{measure}/actions/{action}"),
                body,
            )
            .await;
        assert_eq!(res.status(), 200, "{action}");
    }
}

#[tokio::test]
async fn a_recheck_holds_or_finds_the_problem_back_and_both_are_counted() {
    let app = spawn_app().await;
    let (finding, measure) = closed(&app).await;
    let office = token("wang.office", "office", None);
    let path = format!("/api/v1/measures/{measure}/rechecks");
    // Not in the future; not by the unit.
    let p = problem(
        app.act(
            &office,
            &path,
            json!({"result": "holds", "note": "抽查", "checked_on": days(1)}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "checked_on");
    let p = problem(
        app.act(
            &token("zhk.li", "unit", Some("ZHK")),
            &path,
            json!({"result": "holds", "note": "抽查", "checked_on": days(0)}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p["rule"], "recheck_measure");
    let res = app
        .act(
            &office,
            &path,
            json!({"result": "holds", "note": "抽查凭证30份，均合规。", "checked_on": days(0)}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["measure"]["status"], "closed");
    assert_eq!(body["measure"]["recheck_count"], 1);
    assert_eq!(body["recheck"]["result"], "holds");
    let supervisor = token("jw.zhao", "supervisor", None);
    let res = app
        .act(
            &supervisor,
            &path,
            json!({"result": "relapsed", "note": "又出现超标准报销。", "checked_on": days(0)}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["measure"]["status"], "in_progress");
    assert_eq!(body["measure"]["relapse_count"], 1);
    assert_eq!(body["measure"]["recheck_count"], 2);
    let f = app.get_json(&format!("/api/v1/findings/{finding}")).await;
    assert_ne!(f["status"], "closed");
    // An open measure is not re-checked.
    problem(
        app.act(
            &office,
            &path,
            json!({"result": "holds", "note": "x", "checked_on": days(0)}),
        )
        .await,
        409,
    )
    .await;
    let list = app
        .get_json(&format!("/api/v1/rechecks?measure_id={measure}"))
        .await;
    assert_eq!(list["total"], 2);
    let relapses = app.get_json("/api/v1/rechecks?result=relapsed").await;
    assert_eq!(relapses["total"], 1);
    let stats = app.get_json("/api/v1/stats").await;
    assert_eq!(stats["total"]["rechecked"], 2);
    assert_eq!(stats["total"]["relapsed"], 1);
    let history = app
        .get_json(&format!("/api/v1/measures/{measure}/history"))
        .await;
    let actions: Vec<&str> = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.ends_with(&["measure.recheck", "measure.recheck", "measure.reopen"]));
}

#[tokio::test]
async fn reopen_is_a_recheck_that_found_the_problem_back() {
    let app = spawn_app().await;
    let (_, measure) = closed(&app).await;
    let res = app
        .act(
            &token("wang.office", "office", None),
            &format!("/api/v1/measures/{measure}/actions/reopen"),
            json!({"reason": "回头看发现制度未执行"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let m: Value = res.json().await.unwrap();
    assert_eq!(
        (m["status"].clone(), m["relapse_count"].clone()),
        (json!("in_progress"), json!(1))
    );
    let list = app
        .get_json(&format!("/api/v1/rechecks?measure_id={measure}"))
        .await;
    assert_eq!(list["items"][0]["result"], "relapsed");
    assert_eq!(list["items"][0]["note"], "回头看发现制度未执行");
}

#[tokio::test]
async fn the_slip_of_a_measure_closed_twice_shows_both_cycles_and_what_each_cited() {
    let app = spawn_app().await;
    let (_, measure) = closed(&app).await;
    let office = token("wang.office", "office", None);
    let res = app
        .act(
            &office,
            &format!("/api/v1/measures/{measure}/rechecks"),
            json!({"result": "relapsed", "note": "回头看发现又有超标准报销", "checked_on": days(0)}),
        )
        .await;
    assert_eq!(res.status(), 201);
    // The second cycle cites a new file only.
    let staff = token("zhk.li", "unit", Some("ZHK"));
    let ev = app
        .upload(&staff, &measure, "second.pdf", crate::helpers::PDF.to_vec())
        .await;
    let second = id_of(&ev.json::<Value>().await.unwrap()).to_string();
    for (who, action, body) in [
        (
            staff.clone(),
            "submit",
            json!({"statement": "已再次整改。", "evidence_ids": [second]}),
        ),
        (
            token("zhk.leader", "leader", Some("ZHK")),
            "endorse",
            json!({}),
        ),
        (office.clone(), "verify", json!({})),
    ] {
        let res = app
            .act(
                &who,
                &format!("/api/v1/measures/{measure}/actions/{action}"),
                body,
            )
            .await;
        assert_eq!(res.status(), 200, "{action}");
    }
    let md = app
        .get(&format!("/api/v1/measures/{measure}/closure-slip.md"))
        .await
        .text()
        .await
        .unwrap();
    let order = [
        "第1次申请销号",
        "审核销号",
        "回头看（问题反弹）",
        "重新打开",
        "第2次申请销号",
    ];
    let mut at = 0;
    for step in order {
        let found = md[at..]
            .find(step)
            .unwrap_or_else(|| panic!("{step} after {at}: {md}"));
        at += found;
    }
    assert!(md.contains("回头看发现又有超标准报销"));
    let row = |name: &str| md.lines().find(|l| l.contains(name)).unwrap().to_string();
    assert!(row("second.pdf").contains("第2次"), "{md}");
    assert!(!row("second.pdf").contains("第1次"));
    assert!(
        row("a.pdf").contains("第1次") && !row("a.pdf").contains("第2次"),
        "{md}"
    );
}

#[tokio::test]
async fn dates_are_read_as_clerks_type_them_and_unreadable_ones_say_which_forms_work() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let path = format!("/api/v1/findings/{}/measures", id_of(&finding));
    let year = chrono::Utc::now().date_naive().year() + 1;
    for (typed, want) in [
        (format!("{year}/12/30"), format!("{year}-12-30")),
        (format!("{year}年12月30日"), format!("{year}-12-30")),
        (format!("{year}年11月底前"), format!("{year}-11-30")),
        (format!("{year}-02-03"), format!("{year}-02-03")),
    ] {
        let m = app
            .created(
                &path,
                &json!({"content": "修订制度", "kind": "time_bound", "due_date": typed,
                        "lead_unit_id": unit, "accountable_leader": "主任"}),
            )
            .await;
        assert_eq!(m["due_date"], want, "{typed}");
        let listed = app
            .get_json(&format!(
                "/api/v1/measures?due_before={}&due_after={}",
                urlencode(&typed),
                urlencode(&typed)
            ))
            .await;
        assert!(listed["total"].as_i64().unwrap() >= 1, "{typed}");
    }
    let res = app
        .post(
            &path,
            &json!({"content": "修订制度", "kind": "time_bound", "due_date": "下个月",
                    "lead_unit_id": unit, "accountable_leader": "主任"}),
        )
        .await;
    let p = problem(res, 422).await;
    assert_eq!(p["errors"][0]["field"], "due_date", "{p}");
    let message = p["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("2026/12/30") && message.contains("年12月底前"),
        "{message}"
    );
    let p = problem(app.get("/api/v1/measures?due_before=soon").await, 400).await;
    assert_eq!(p["errors"][0]["field"], "due_before", "{p}");
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' => (b as char).to_string(),
            other => format!("%{other:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn one_ledger_holds_findings_of_several_sources() {
    let app = spawn_app().await;
    let (unit, inspection, xc) = app.ledger().await;
    app.measure(id_of(&xc), &unit, Some(days(20))).await;
    // A second finding of the 巡察's ledger came from the annual 考核.
    let kh = app
        .created(
            &format!("/api/v1/inspections/{inspection}/findings"),
            &json!({
                "category": "strict_governance", "title": "党风廉政建设责任制落实不到位",
                "description": "考核发现责任分解不细。", "responsible_unit_id": unit,
                "source_type": "assessment", "source_ref": "2021年党风廉政建设责任制考核"
            }),
        )
        .await;
    assert_eq!(kh["source_type"], "assessment");
    app.measure(id_of(&kh), &unit, Some(days(30))).await;
    let stats = app.get_json("/api/v1/stats?group_by=source").await;
    let groups = stats["groups"].as_array().unwrap();
    let findings_of = |key: &str| {
        groups.iter().find(|g| g["key"] == key).map(|g| {
            (
                g["label"].clone(),
                g["findings"].clone(),
                g["measures"].clone(),
            )
        })
    };
    assert_eq!(
        findings_of("assessment"),
        Some((json!("考核"), json!(1), json!(1)))
    );
    assert_eq!(findings_of("xuncha").map(|f| f.1), Some(json!(1)));
    let csv = app
        .get(&format!("/api/v1/ledger.csv?inspection_id={inspection}"))
        .await
        .text()
        .await
        .unwrap();
    assert!(csv.contains("2021年党风廉政建设责任制考核"), "{csv}");
    // The sheet's 问题来源 goes back in: the same rows under new 问题编号 become new
    // findings, the 考核's with its own source and the 巡察's with none.
    let codes: Vec<String> = app
        .get_json(&format!("/api/v1/findings?inspection_id={inspection}"))
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["code"].as_str().unwrap().to_string())
        .collect();
    let mut copy = csv.clone();
    for code in &codes {
        copy = copy.replace(code.as_str(), &format!("{code}-B"));
    }
    // Measure codes follow their finding's; drop the column so the copies are new measures.
    let copy: String = copy
        .lines()
        .map(|line| {
            let cells: Vec<&str> = line.split(',').collect();
            cells[..cells.len() - 1].join(",")
        })
        .collect::<Vec<_>>()
        .join("\n");
    let part = reqwest::multipart::Part::bytes(copy.into_bytes()).file_name("copy.csv");
    let res = app
        .anon
        .post(app.url(&format!(
            "/api/v1/inspections/{inspection}/ledger/import?dry_run=false"
        )))
        .bearer_auth(token("office-1", "office", None))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let all = app
        .get_json(&format!(
            "/api/v1/findings?inspection_id={inspection}&limit=10"
        ))
        .await;
    let copied = |code: &String| {
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == format!("{code}-B"))
            .cloned()
            .unwrap_or_else(|| panic!("{code}-B in {all}"))
    };
    let kh_code = kh["code"].as_str().unwrap().to_string();
    for code in &codes {
        let f = copied(code);
        if *code == kh_code {
            assert_eq!(f["source_type"], "assessment", "{f}");
            assert_eq!(f["source_ref"], "2021年党风廉政建设责任制考核");
        } else {
            assert_eq!(f["source_type"], Value::Null, "{f}");
            assert_eq!(f["source_ref"], Value::Null);
        }
    }
    let md = app
        .get(&format!("/api/v1/inspections/{inspection}/report.md"))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        md.contains(
            "指出问题4个（其中市委第三巡察组反馈问题2个、2021年党风廉政建设责任制考核发现问题2个）"
        ),
        "{md}"
    );
    // Back to the inspection's own source.
    let res = app
        .patch(
            &format!("/api/v1/findings/{}", id_of(&kh)),
            &json!({"source_type": null, "source_ref": null}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let stats = app.get_json("/api/v1/stats?group_by=source").await;
    let groups = stats["groups"].as_array().unwrap();
    assert_eq!(groups.len(), 2, "the copy keeps its own source: {stats}");
    assert_eq!(
        groups.iter().find(|g| g["key"] == "xuncha").unwrap()["findings"],
        3
    );
}

#[tokio::test]
async fn rates_with_nothing_to_divide_are_null_and_long_term_items_can_be_left_out() {
    let app = spawn_app().await;
    let empty = app.get_json("/api/v1/stats").await;
    assert!(empty["total"]["completion_rate"].is_null(), "{empty}");
    assert!(empty["total"]["on_time_rate"].is_null());
    // One closed time-bound measure, one long-term one still going.
    let (unit, finding, measure) = started(&app, 10).await;
    app.measure(&finding, &unit, None).await;
    close(&app, &measure).await;
    let m = app.get_json(&format!("/api/v1/measures/{measure}")).await;
    let stats = app.get_json("/api/v1/stats").await;
    assert_eq!(stats["total"]["completion_rate"], 0.5);
    assert_eq!(stats["total"]["completion_rate_excluding_long_term"], 1.0);
    assert_eq!(stats["total"]["on_time_rate"], 1.0);
    let md = app
        .get(&format!(
            "/api/v1/inspections/{}/report.md",
            m["inspection_id"].as_str().unwrap()
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(md.contains("不计入的整改完成率为100.0%"), "{md}");
}

#[tokio::test]
async fn history_entered_late_keeps_its_days_and_its_on_time_rate() {
    let app = spawn_app().await;
    // The inspection's feedback came 60 days ago (`app.ledger`); the ledger moves in today
    // with a measure that was due 30 days ago and closed in time.
    let (unit, _, finding) = app.ledger().await;
    let finding = id_of(&finding).to_string();
    let measure = id_of(&app.measure(&finding, &unit, Some(days(-30))).await).to_string();
    let office = token("wang.office", "office", None);
    let clerk = token("zhou.office", "office", None);
    let admin = token("admin-replay", "admin", None);
    let step = |who: &String, object: &str, id: &str, action: &str, body: Value| {
        let (app, who) = (&app, who.clone());
        let path = format!("/api/v1/{object}/{id}/actions/{action}");
        async move { app.act(&who, &path, body).await }
    };
    // The unit cannot backdate (the leader neither: below).
    let staff = token("zhk.li", "unit", Some("ZHK"));
    let late_claim = json!({"effective_date": days(-58)});
    let res = step(&staff, "findings", &finding, "claim", late_claim).await;
    assert_eq!(problem(res, 403).await["rule"], "backdate");
    // Not in the future, not before the feedback.
    for bad in [days(1), days(-61)] {
        let res = step(
            &office,
            "findings",
            &finding,
            "claim",
            json!({"effective_date": bad}),
        )
        .await;
        let p = problem(res, 422).await;
        assert_eq!(p["errors"][0]["field"], "effective_date", "{p}");
    }
    for (action, day) in [("claim", -58), ("submit_plan", -55), ("approve_plan", -50)] {
        let res = step(
            &office,
            "findings",
            &finding,
            action,
            json!({"effective_date": days(day)}),
        )
        .await;
        assert_eq!(res.status(), 200, "{action}");
    }
    let res = step(
        &office,
        "measures",
        &measure,
        "start",
        json!({"effective_date": days(-49)}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let ev = app
        .upload(&clerk, &measure, "a.pdf", crate::helpers::PDF.to_vec())
        .await;
    let ev = id_of(&ev.json::<Value>().await.unwrap()).to_string();
    // Before the start: refused, naming the step it would precede.
    let early = json!({"statement": "已完成。", "evidence_ids": [ev], "effective_date": days(-50)});
    let p = problem(
        step(&clerk, "measures", &measure, "submit", early).await,
        422,
    )
    .await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("measure.start"),
        "{p}"
    );
    let submit =
        json!({"statement": "已完成。", "evidence_ids": [ev], "effective_date": days(-32)});
    assert_eq!(
        step(&clerk, "measures", &measure, "submit", submit)
            .await
            .status(),
        200
    );
    let leader = token("zhk.leader", "leader", Some("ZHK"));
    let late = json!({"effective_date": days(-31)});
    let res = step(&leader, "measures", &measure, "endorse", late.clone()).await;
    assert_eq!(problem(res, 403).await["rule"], "backdate");
    let res = step(&admin, "measures", &measure, "endorse", late).await;
    assert_eq!(res.status(), 200);
    let res = step(
        &office,
        "measures",
        &measure,
        "verify",
        json!({"effective_date": days(-31)}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let m: Value = res.json().await.unwrap();
    assert_eq!(m["status"], "closed");
    assert_eq!(&m["closed_at"].as_str().unwrap()[..10], days(-31));
    assert_eq!(&m["submitted_at"].as_str().unwrap()[..10], days(-32));
    // Closed before its due date: on time, as the office's sheet says.
    let stats = app.get_json("/api/v1/stats").await;
    assert_eq!(stats["total"]["on_time_rate"], 1.0, "{stats}");
    assert_eq!(stats["total"]["overdue"], 0);
    // The events keep their real time and say they were entered late.
    let history = app
        .get_json(&format!("/api/v1/measures/{measure}/history"))
        .await;
    let verify = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "measure.verify")
        .unwrap()
        .clone();
    assert_eq!(verify["after"]["recorded_late"], true);
    assert_eq!(verify["after"]["effective_date"], days(-31));
    assert_eq!(
        &verify["at"].as_str().unwrap()[..10],
        chrono::Utc::now().date_naive().to_string()
    );
}

#[tokio::test]
async fn the_queue_brings_back_what_was_returned_decided_or_left_without_a_holder() {
    let app = spawn_app().await;
    let (unit, finding, measure) = started(&app, 10).await;
    let staff = token("zhk.li", "unit", Some("ZHK"));
    let office = token("wang.office", "office", None);
    let count = |page: &Value, kind: &str| page["counts"][kind].as_i64().unwrap();
    // A returned plan: a second finding claimed, planned and sent back.
    let inspection = app.get_json(&format!("/api/v1/findings/{finding}")).await["inspection_id"]
        .as_str()
        .unwrap()
        .to_string();
    let second = id_of(&app.finding(&inspection, &unit).await).to_string();
    app.measure(&second, &unit, Some(days(20))).await;
    for (action, body) in [
        ("claim", json!({})),
        ("submit_plan", json!({})),
        ("return_plan", json!({"reason": "措施不具体"})),
    ] {
        let res = app
            .post(
                &format!("/api/v1/findings/{second}/actions/{action}"),
                &body,
            )
            .await;
        assert_eq!(res.status(), 200, "{action}");
    }
    // A returned closure request and a decided extension on the started measure.
    let ev = app
        .upload(&staff, &measure, "a.pdf", crate::helpers::PDF.to_vec())
        .await;
    let ev = id_of(&ev.json::<Value>().await.unwrap()).to_string();
    for (who, action, body) in [
        (
            &staff,
            "submit",
            json!({"statement": "已完成。", "evidence_ids": [ev]}),
        ),
        (&office, "return", json!({"reason": "佐证不足"})),
    ] {
        let res = app
            .act(
                who,
                &format!("/api/v1/measures/{measure}/actions/{action}"),
                body,
            )
            .await;
        assert_eq!(res.status(), 200, "{action}");
    }
    let asked = app
        .act(
            &staff,
            &format!("/api/v1/measures/{measure}/extensions"),
            json!({"requested_due_date": days(40), "reason": "需会签"}),
        )
        .await;
    let asked = id_of(&asked.json::<Value>().await.unwrap()).to_string();
    let res = app
        .act(
            &office,
            &format!("/api/v1/extensions/{asked}/reject"),
            json!({"reason": "不予延期"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let page = queue_of(&app, &staff, "").await;
    assert_eq!(count(&page, "plan_returned"), 1, "{page}");
    assert_eq!(count(&page, "plan_to_submit"), 0);
    assert_eq!(count(&page, "closure_returned"), 1);
    assert_eq!(count(&page, "extension_decided"), 1);

    // A named leader who moves away leaves the measure without a holder.
    app.created(
        "/api/v1/people",
        &json!({"sub": "zhang.fg", "name": "张建国", "unit_id": unit}),
    )
    .await;
    let m = app.measure(&finding, &unit, Some(days(30))).await;
    let res = app
        .patch(
            &format!("/api/v1/measures/{}", id_of(&m)),
            &json!({"accountable_leader_sub": "zhang.fg", "accountable_leader": "张建国"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(
        count(&queue_of(&app, &office, "").await, "measure_without_holder"),
        0
    );
    let other = app.unit("QT", "其他局").await;
    let res = app
        .patch("/api/v1/people/zhang.fg", &json!({"unit_id": other}))
        .await;
    assert_eq!(res.status(), 200);
    let page = queue_of(&app, &office, "?kind=measure_without_holder").await;
    assert_eq!(count(&page, "measure_without_holder"), 1);
    assert_eq!(page["items"][0]["object_id"], id_of(&m));
}

/// Working days in (from, to], walked day by day from what `GET /calendar/{year}` says.
async fn working_days_by_the_calendar(
    app: &TestApp,
    from: chrono::NaiveDate,
    to: chrono::NaiveDate,
) -> i64 {
    let mut years = std::collections::HashMap::new();
    for year in from.year()..=to.year() {
        let y = app.get_json(&format!("/api/v1/calendar/{year}")).await;
        let dates = |key: &str, field: Option<&str>| -> Vec<String> {
            y[key]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| match field {
                    Some(f) => v[f].as_str().unwrap().to_string(),
                    None => v.as_str().unwrap().to_string(),
                })
                .collect()
        };
        years.insert(
            year,
            (dates("holidays", Some("date")), dates("workdays", None)),
        );
    }
    let mut n = 0;
    let mut day = from;
    while day < to {
        day = day.succ_opt().unwrap();
        let (off, on) = &years[&day.year()];
        let text = day.to_string();
        let weekend = day.weekday().number_from_monday() > 5;
        if on.contains(&text) || (!weekend && !off.contains(&text)) {
            n += 1;
        }
    }
    n
}

#[tokio::test]
async fn overdue_is_counted_in_calendar_days_and_in_working_days() {
    let app = spawn_app().await;
    let (_, _, measure) = started(&app, -24).await;
    let m = app.get_json(&format!("/api/v1/measures/{measure}")).await;
    let today = crate::helpers::today();
    let due = today - chrono::Duration::days(24);
    let working = working_days_by_the_calendar(&app, due, today).await;
    assert_eq!(m["overdue_days"], 24);
    assert_eq!(m["overdue_working_days"], working, "{m}");
    assert!(working < 24, "weekends are not working days");
    // The report says it the offices' way.
    let md = app
        .get(&format!(
            "/api/v1/inspections/{}/report.md",
            m["inspection_id"].as_str().unwrap()
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(md.contains(&format!("超期{working}个工作日")), "{md}");
}

/// `GET /stats?as_of=…`'s total.
async fn total_as_of(app: &TestApp, day: &str) -> Value {
    app.get_json(&format!("/api/v1/stats?as_of={}", urlencode(day)))
        .await["total"]
        .clone()
}

#[tokio::test]
async fn numbers_as_they_stood_at_the_end_of_a_past_day() {
    let app = spawn_app().await;
    // A ledger moved in today: fed back 60 days ago, its history entered late.
    let (unit, _, finding) = app.ledger().await;
    let finding = id_of(&finding).to_string();
    let done = id_of(&app.measure(&finding, &unit, Some(days(-30))).await).to_string();
    let late = id_of(&app.measure(&finding, &unit, Some(days(-20))).await).to_string();
    let office = token("wang.office", "office", None);
    let admin = token("admin-replay", "admin", None);
    let on = |day: i64| json!({"effective_date": days(day)});
    for (action, day) in [("claim", -58), ("submit_plan", -55), ("approve_plan", -50)] {
        let path = format!("/api/v1/findings/{finding}/actions/{action}");
        assert_eq!(app.act(&office, &path, on(day)).await.status(), 200);
    }
    let step = |action: &str| format!("/api/v1/measures/{done}/actions/{action}");
    assert_eq!(
        app.act(&office, &step("start"), on(-49)).await.status(),
        200
    );
    let ev = app
        .upload(&office, &done, "a.pdf", crate::helpers::PDF.to_vec())
        .await;
    let ev = id_of(&ev.json::<Value>().await.unwrap()).to_string();
    let submit =
        json!({"statement": "已完成。", "evidence_ids": [ev], "effective_date": days(-32)});
    // A clerk enters the unit's request; someone else verifies it.
    let clerk = token("zhou.office", "office", None);
    assert_eq!(app.act(&clerk, &step("submit"), submit).await.status(), 200);
    assert_eq!(
        app.act(&admin, &step("endorse"), on(-31)).await.status(),
        200
    );
    assert_eq!(
        app.act(&office, &step("verify"), on(-31)).await.status(),
        200
    );

    // Before the plan was approved: the finding was pointed out, no measure set up yet.
    let t = total_as_of(&app, &days(-59)).await;
    assert_eq!(
        (t["findings"].as_i64(), t["measures"].as_i64()),
        (Some(1), Some(0)),
        "{t}"
    );
    assert_eq!(t["completion_rate"], Value::Null);
    // The plan approved: both measures set up, neither done.
    let t = total_as_of(&app, &days(-50)).await;
    assert_eq!(t["measures"], 2, "{t}");
    assert_eq!(t["closed"], 0);
    // Submitted, not yet verified: completed but not closed.
    let t = total_as_of(&app, &days(-32)).await;
    assert_eq!(
        (t["completed"].as_i64(), t["closed"].as_i64()),
        (Some(1), Some(0)),
        "{t}"
    );
    // Verified in time; the other measure not due yet.
    let t = total_as_of(&app, &days(-31)).await;
    assert_eq!(t["closed"], 1, "{t}");
    assert_eq!(t["on_time_rate"], 1.0);
    assert_eq!(t["completion_rate"], 0.5);
    assert_eq!(t["overdue"], 0);
    // Ten days ago the other one was ten days overdue, and red.
    let t = total_as_of(&app, &days(-10)).await;
    assert_eq!(
        (t["overdue"].as_i64(), t["red"].as_i64()),
        (Some(1), Some(1)),
        "{t}"
    );
    // As of today the trail gives what the live numbers say, group by group.
    for group in ["unit", "inspection", "category", "kind", "source"] {
        let live = app
            .get_json(&format!("/api/v1/stats?group_by={group}"))
            .await;
        let then = app
            .get_json(&format!(
                "/api/v1/stats?group_by={group}&as_of={}",
                crate::helpers::today()
            ))
            .await;
        assert_eq!(live, then, "group_by={group}");
    }
    // A clerk's date is read; a day to come is refused.
    let as_typed = chrono::NaiveDate::parse_from_str(&days(-31), "%Y-%m-%d").unwrap();
    let typed = format!(
        "{}年{}月{}日",
        as_typed.year(),
        as_typed.month(),
        as_typed.day()
    );
    assert_eq!(total_as_of(&app, &typed).await["closed"], 1);
    let res = app.get(&format!("/api/v1/stats?as_of={}", days(1))).await;
    let p = problem(res, 400).await;
    assert_eq!(p["errors"][0]["field"], "as_of", "{p}");

    // The report of that day says what stood then.
    let inspection = app.get_json(&format!("/api/v1/findings/{finding}")).await["inspection_id"]
        .as_str()
        .unwrap()
        .to_string();
    let report = |day: String| {
        let app = &app;
        let path = format!("/api/v1/inspections/{inspection}/report.md?as_of={day}");
        async move { app.get(&path).await.text().await.unwrap() }
    };
    let md = report(days(-31)).await;
    assert!(md.contains(&format!("（截至{typed}）")), "{md}");
    assert!(md.contains("已对账销号1条"), "{md}");
    assert!(md.contains("尚有1条"), "{md}");
    assert!(
        md.contains("超期未完成0条"),
        "nothing was overdue then: {md}"
    );
    assert!(!md.contains("个工作日"), "{md}");
    let md = report(days(-10)).await;
    assert!(md.contains("超期未完成1条"), "{md}");
    let m = app.get_json(&format!("/api/v1/measures/{late}")).await;
    let working = working_days_by_the_calendar(
        &app,
        chrono::NaiveDate::parse_from_str(m["due_date"].as_str().unwrap(), "%Y-%m-%d").unwrap(),
        crate::helpers::today() - chrono::Duration::days(10),
    )
    .await;
    assert!(md.contains(&format!("超期{working}个工作日")), "{md}");
}

#[tokio::test]
async fn the_demo_ledger_read_back_from_its_trail_as_of_today_is_the_live_ledger() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let today = crate::helpers::today();
    for group in ["unit", "inspection", "category", "kind", "source"] {
        let live = app
            .get_json(&format!("/api/v1/stats?group_by={group}"))
            .await;
        let then = app
            .get_json(&format!("/api/v1/stats?group_by={group}&as_of={today}"))
            .await;
        assert_eq!(live, then, "group_by={group}");
        assert!(live["total"]["measures"].as_i64().unwrap() > 0);
    }
    // A unit's view read back is its own view too (the directory's 综合科 clerk).
    let unit = token("zhk.li", "unit", Some("JRB-ZHK"));
    let read = |path: String| {
        let (app, unit) = (&app, unit.clone());
        async move {
            let res = app.send(Method::GET, &path, Some(&unit), None).await;
            assert_eq!(res.status(), 200, "{path}");
            res.json::<Value>().await.unwrap()
        }
    };
    let live = read("/api/v1/stats".into()).await;
    let then = read(format!("/api/v1/stats?as_of={today}")).await;
    assert_eq!(live, then);
    let all = app.get_json("/api/v1/stats").await;
    assert!(live["total"]["measures"].as_i64() < all["total"]["measures"].as_i64());
}
