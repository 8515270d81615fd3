//! Who does what as the offices are organised, over HTTP: a measure's lead unit works it
//! whoever owns the finding, a supporting unit reports and uploads only, a leader signs for
//! the units it leads; the unit tree is a scope; the people directory gives one token to a
//! leader over several units; handovers move measures and show in their histories.
//!
//! The world: 市金融办 (BAN) above 综合科 (ZHK), 机关党支部 (DZB) and 财务室 (CWS); 其他局
//! (QT) outside. Finding F belongs to CWS; its measures are led by ZHK and supported by
//! DZB.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{days, id_of, problem, spawn_app, token, TestApp, PDF};

struct World {
    app: TestApp,
    ban: String,
    zhk: String,
    dzb: String,
    cws: String,
    qt: String,
    finding: String,
}

async fn world() -> World {
    let app = spawn_app().await;
    let ban = app.unit("BAN", "市金融办").await;
    let child = |code: &'static str, name: &'static str| {
        let (app, ban) = (&app, ban.clone());
        async move {
            id_of(
                &app.created(
                    "/api/v1/units",
                    &json!({"code": code, "name": name, "parent_id": ban}),
                )
                .await,
            )
            .to_string()
        }
    };
    let zhk = child("ZHK", "综合科").await;
    let dzb = child("DZB", "机关党支部").await;
    let cws = child("CWS", "财务室").await;
    let qt = app.unit("QT", "其他局").await;
    let inspection = app.inspection("XC-2022-03").await;
    let finding = id_of(&app.finding(&inspection, &cws).await).to_string();
    for action in ["claim", "submit_plan", "approve_plan"] {
        if action == "submit_plan" {
            // A plan needs a measure.
            fresh_in(&app, &finding, &zhk, &dzb).await;
        }
        let res = app
            .post(
                &format!("/api/v1/findings/{finding}/actions/{action}"),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200, "{action}: {}", res.text().await.unwrap());
    }
    World {
        app,
        ban,
        zhk,
        dzb,
        cws,
        qt,
        finding,
    }
}

async fn fresh_in(app: &TestApp, finding: &str, lead: &str, supporting: &str) -> String {
    id_of(
        &app.created(
            &format!("/api/v1/findings/{finding}/measures"),
            &json!({
                "content": "建立差旅费报销联审机制", "kind": "time_bound", "due_date": days(30),
                "lead_unit_id": lead, "supporting_unit_ids": [supporting],
                "accountable_leader": "党组成员、副主任"
            }),
        )
        .await,
    )
    .to_string()
}

fn staff(unit: &str) -> String {
    token(
        &format!("{}-staff", unit.to_lowercase()),
        "unit",
        Some(unit),
    )
}

fn leader(unit: &str) -> String {
    token(
        &format!("{}-leader", unit.to_lowercase()),
        "leader",
        Some(unit),
    )
}

impl World {
    /// A measure led by 综合科 and supported by 机关党支部, in `state`.
    async fn measure(&self, state: &str) -> (String, Option<String>) {
        let id = fresh_in(&self.app, &self.finding, &self.zhk, &self.dzb).await;
        if state == "not_started" {
            return (id, None);
        }
        self.admin(&id, "start", json!({})).await;
        let evidence = self.upload(&self.admin_token(), &id).await;
        let evidence = id_of(&evidence.json::<Value>().await.unwrap()).to_string();
        if state == "submitted" {
            let res = self
                .app
                .act(
                    &token("office-li", "office", None),
                    &format!("/api/v1/measures/{id}/actions/submit"),
                    json!({"statement": "已建立联审机制。", "evidence_ids": [evidence]}),
                )
                .await;
            assert_eq!(res.status(), 200);
        }
        (id, Some(evidence))
    }

    fn admin_token(&self) -> String {
        token("admin-test", "admin", None)
    }

    async fn admin(&self, id: &str, action: &str, body: Value) {
        let res = self
            .app
            .post(&format!("/api/v1/measures/{id}/actions/{action}"), &body)
            .await;
        assert_eq!(res.status(), 200, "{action}");
    }

    async fn upload(&self, token: &str, id: &str) -> reqwest::Response {
        self.app
            .upload(token, id, "联审机制.pdf", PDF.to_vec())
            .await
    }

    /// Runs one unit-side operation on a fresh measure as `token`; the status it answers.
    async fn try_op(&self, op: &str, token: &str) -> (u16, Value) {
        let state = match op {
            "start" => "not_started",
            _ => "started",
        };
        let (id, evidence) = self.measure(state).await;
        let res = match op {
            "start" | "report" | "submit" => {
                let body = match op {
                    "report" => json!({"text": "已起草联审办法。", "percent": 40}),
                    "submit" => {
                        json!({"statement": "已建立联审机制。", "evidence_ids": [evidence]})
                    }
                    _ => json!({}),
                };
                self.app
                    .act(token, &format!("/api/v1/measures/{id}/actions/{op}"), body)
                    .await
            }
            "upload" => self.upload(token, &id).await,
            "withdraw" => {
                self.app
                    .send(
                        Method::DELETE,
                        &format!("/api/v1/evidence/{}", evidence.unwrap()),
                        Some(token),
                        None,
                    )
                    .await
            }
            "extend" => {
                self.app
                    .act(
                        token,
                        &format!("/api/v1/measures/{id}/extensions"),
                        json!({"requested_due_date": days(60), "reason": "需与市财政局会签"}),
                    )
                    .await
            }
            other => panic!("no op {other}"),
        };
        let status = res.status().as_u16();
        let body = res.json::<Value>().await.unwrap_or(Value::Null);
        (status, body)
    }
}

#[tokio::test]
async fn lead_supporting_responsible_and_other_units_each_do_what_their_tie_allows() {
    let w = world().await;
    // Callers: the finding's unit (CWS), the lead unit (ZHK), the supporting unit (DZB),
    // an unrelated one (QT), and the parent of them all (BAN), whose scope holds its 科室.
    let callers = ["CWS", "ZHK", "DZB", "QT", "BAN"];
    let cells: [(&str, [u16; 5], &str); 6] = [
        ("start", [200, 200, 403, 404, 200], "start_measure"),
        ("report", [200, 200, 200, 404, 200], "report_progress"),
        ("upload", [201, 201, 201, 404, 201], "upload_evidence"),
        ("withdraw", [204, 204, 403, 404, 204], "withdraw_evidence"),
        ("submit", [200, 200, 403, 404, 200], "submit_measure"),
        ("extend", [201, 201, 403, 404, 201], "request_extension"),
    ];
    for (op, expected, rule) in cells {
        for (caller, want) in callers.iter().zip(expected) {
            let (status, body) = w.try_op(op, &staff(caller)).await;
            assert_eq!(status, want, "{caller} staff {op}: {body}");
            if status == 403 {
                // The refusal names this operation's rule, in Chinese and in English.
                assert_eq!(body["rule"], rule, "{op}: {body}");
                assert!(
                    body["detail_zh"].as_str().unwrap().starts_with("只有"),
                    "{body}"
                );
                assert_eq!(body["detail"], body["detail_zh"], "{body}");
                assert!(body["detail"].as_str().unwrap().ends_with("。"), "{body}");
            }
        }
    }
    let (_, body) = w.try_op("submit", &staff("DZB")).await;
    assert_eq!(
        body["detail_zh"],
        "只有牵头单位或问题责任单位可以申请销号。"
    );
}

#[tokio::test]
async fn a_leader_signs_for_the_units_it_leads_and_nobody_else() {
    let w = world().await;
    // The leaders of the finding's unit, the lead unit, the supporting unit, another unit,
    // and of the parent unit above them all.
    let callers = ["CWS", "ZHK", "DZB", "QT", "BAN"];
    for (action, expected) in [
        ("endorse", [403, 200, 403, 404, 200]),
        ("return", [403, 200, 403, 404, 200]),
    ] {
        for (caller, want) in callers.iter().zip(expected) {
            let (id, _) = w.measure("submitted").await;
            let body = match action {
                "return" => json!({"reason": "佐证材料不全"}),
                _ => json!({}),
            };
            let res = w
                .app
                .act(
                    &leader(caller),
                    &format!("/api/v1/measures/{id}/actions/{action}"),
                    body,
                )
                .await;
            let status = res.status().as_u16();
            let body: Value = res.json().await.unwrap();
            assert_eq!(status, want, "{caller} leader {action}: {body}");
            if status == 403 {
                assert_eq!(body["rule"], format!("{action}_measure"), "{body}");
            }
        }
    }
    // The leader's own role never works the measure.
    let (status, body) = w.try_op("report", &leader("ZHK")).await;
    assert_eq!(status, 403);
    assert_eq!(body["rule"], "report_progress");
}

#[tokio::test]
async fn the_parent_unit_sees_and_counts_its_whole_subtree() {
    let w = world().await;
    let other_finding = id_of(
        &w.app
            .finding(&w.app.inspection("XC-2023-01").await, &w.qt)
            .await,
    )
    .to_string();
    w.app.measure(&other_finding, &w.qt, Some(days(30))).await;
    let first = fresh_in(&w.app, &w.finding, &w.zhk, &w.dzb).await;
    // 综合科 leads two measures (the plan's and this one), and supports nothing.
    let total = |v: &Value| v["total"].as_i64().unwrap();
    for who in [staff("BAN"), leader("BAN")] {
        let seen = w
            .app
            .send(Method::GET, "/api/v1/measures", Some(&who), None)
            .await
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(
            total(&seen),
            2,
            "the parent sees both child measures: {seen}"
        );
        let res = w
            .app
            .send(
                Method::GET,
                &format!("/api/v1/measures/{first}"),
                Some(&who),
                None,
            )
            .await;
        assert_eq!(res.status(), 200);
        let hidden = w
            .app
            .send(Method::GET, "/api/v1/findings", Some(&who), None)
            .await
            .json::<Value>()
            .await
            .unwrap();
        assert_eq!(total(&hidden), 1, "not the other unit's finding");
    }
    // 其他局 sees none of it.
    let theirs = w
        .app
        .send(Method::GET, "/api/v1/measures", Some(&staff("QT")), None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(total(&theirs), 1);

    // unit_id matches the unit and its descendants unless told otherwise.
    let under = w
        .app
        .get_json(&format!("/api/v1/measures?unit_id={}", w.ban))
        .await;
    assert_eq!(total(&under), 2);
    let alone = w
        .app
        .get_json(&format!(
            "/api/v1/measures?unit_id={}&descendants=false",
            w.ban
        ))
        .await;
    assert_eq!(total(&alone), 0);
    let findings = w
        .app
        .get_json(&format!("/api/v1/findings?unit_id={}", w.ban))
        .await;
    assert_eq!(total(&findings), 1);
    let dashboard = w
        .app
        .get_json(&format!("/api/v1/dashboard/overdue?unit_id={}", w.ban))
        .await;
    assert!(dashboard["items"].is_array());

    // The roll-up: one group per child of 市金融办, each its whole subtree, plus the
    // parent's own items; the groups sum to the ledger's totals.
    let rollup = w
        .app
        .get_json(&format!("/api/v1/stats?group_by=unit&parent_id={}", w.ban))
        .await;
    let groups = rollup["groups"].as_array().unwrap();
    let keys: Vec<&str> = groups.iter().map(|g| g["key"].as_str().unwrap()).collect();
    for child in [&w.zhk, &w.dzb, &w.cws, &w.ban] {
        assert!(keys.contains(&child.as_str()), "{child} in {keys:?}");
    }
    assert!(!keys.contains(&w.qt.as_str()));
    let measures_of = |key: &str| {
        groups
            .iter()
            .find(|g| g["key"] == key)
            .map(|g| g["measures"].as_i64().unwrap())
            .unwrap()
    };
    assert_eq!(measures_of(&w.zhk), 2);
    assert_eq!(measures_of(&w.cws), 0);
    assert_eq!(measures_of(&w.ban), 0);
    let summed: i64 = groups.iter().map(|g| g["measures"].as_i64().unwrap()).sum();
    assert_eq!(summed, rollup["total"]["measures"].as_i64().unwrap());
    assert_eq!(
        summed, 2,
        "the subtree holds 2 measures; 其他局's is outside"
    );
    let findings_summed: i64 = groups.iter().map(|g| g["findings"].as_i64().unwrap()).sum();
    assert_eq!(findings_summed, 1);
    let p = problem(
        w.app
            .get(&format!("/api/v1/stats?group_by=kind&parent_id={}", w.ban))
            .await,
        400,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("group_by=unit"),
        "{p}"
    );
}

#[tokio::test]
async fn a_leader_over_several_units_needs_one_token() {
    let w = world().await;
    let qt_finding = id_of(
        &w.app
            .finding(&w.app.inspection("XC-2023-01").await, &w.qt)
            .await,
    )
    .to_string();
    w.app.measure(&qt_finding, &w.qt, Some(days(30))).await;
    // From the directory: works in 综合科, oversees 其他局.
    let person = w
        .app
        .created(
            "/api/v1/people",
            &json!({"sub": "zhang.fg", "name": "张建国", "title": "党组成员、副主任",
                    "unit_id": w.zhk, "oversees_unit_ids": [w.qt]}),
        )
        .await;
    assert_eq!(person["oversees_unit_ids"], json!([w.qt]));
    // The token says 机关党支部, but the directory knows the person: it wins.
    let zhang = token("zhang.fg", "leader", Some("DZB"));
    let seen = w
        .app
        .send(Method::GET, "/api/v1/measures", Some(&zhang), None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(seen["total"], 2, "综合科's and 其他局's: {seen}");
    // Same `unit` claim, different scope: the answers (and their cache entries) differ.
    let plain = token("zhk.leader", "leader", Some("ZHK"));
    let overseer = token("zhang.fg", "leader", Some("ZHK"));
    let mut seen = Vec::new();
    for who in [&plain, &overseer, &plain] {
        let res = w
            .app
            .send(Method::GET, "/api/v1/measures", Some(who), None)
            .await;
        let tag = res.headers()["etag"].to_str().unwrap().to_string();
        let total = res.json::<Value>().await.unwrap()["total"].clone();
        seen.push((tag, total));
    }
    assert_eq!(seen[0].1, 1);
    assert_eq!(seen[1].1, 2);
    assert_ne!(seen[0].0, seen[1].0);
    assert_eq!(seen[0], seen[2]);
    // From the token, for identity providers that carry 分管: `units`.
    let claims = json!({"sub": "wang.fg", "role": "leader", "units": ["ZHK", "QT"]});
    let wang = crate::helpers::token_with(claims);
    let seen = w
        .app
        .send(Method::GET, "/api/v1/measures", Some(&wang), None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(seen["total"], 2, "{seen}");
    // A unit code that does not exist is refused.
    let bad = crate::helpers::token_with(json!({"sub": "x", "role": "leader", "units": ["NOPE"]}));
    assert_eq!(
        w.app
            .send(Method::GET, "/api/v1/measures", Some(&bad), None)
            .await
            .status(),
        401
    );

    // Moving the person's oversight lists what they still hold outside the new scope.
    let held = id_of(&w.app.measure(&qt_finding, &w.qt, Some(days(30))).await).to_string();
    let res = w
        .app
        .patch(
            &format!("/api/v1/measures/{held}"),
            &json!({"accountable_leader_sub": "zhang.fg", "accountable_leader": "张建国"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = w
        .app
        .patch("/api/v1/people/zhang.fg", &json!({"oversees_unit_ids": []}))
        .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    let stranded: Vec<&str> = body["still_held_outside_scope"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(stranded, vec![held.as_str()]);
    let seen = w
        .app
        .send(Method::GET, "/api/v1/measures", Some(&zhang), None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(seen["total"], 1, "only 综合科's now");

    // Only the office and administrators keep the directory; everyone reads it.
    let res = w
        .app
        .act(
            &staff("ZHK"),
            "/api/v1/people",
            json!({"sub": "li", "name": "李四"}),
        )
        .await;
    let p = problem(res, 403).await;
    assert_eq!(p["rule"], "manage_people");
    let list = w
        .app
        .send(Method::GET, "/api/v1/people", Some(&staff("QT")), None)
        .await;
    assert_eq!(list.status(), 200);
    let res = w
        .app
        .post(
            "/api/v1/people",
            &json!({"sub": "zhao", "name": "赵六", "unit_id": w.cws, "oversees_unit_ids": [w.finding]}),
        )
        .await;
    let p = problem(res, 422).await;
    assert_eq!(p["errors"][0]["field"], "oversees_unit_ids[0]");
    assert_eq!(
        w.app.get("/api/v1/people/zhao").await.status(),
        404,
        "a refused entry leaves nothing behind"
    );
}

#[tokio::test]
async fn a_named_accountable_leader_signs_alone() {
    let w = world().await;
    w.app
        .created(
            "/api/v1/people",
            &json!({"sub": "zhang.fg", "name": "张建国", "unit_id": w.zhk}),
        )
        .await;
    let (id, _) = w.measure("not_started").await;
    let res = w
        .app
        .patch(
            &format!("/api/v1/measures/{id}"),
            &json!({"accountable_leader_sub": "nobody"}),
        )
        .await;
    let p = problem(res, 422).await;
    assert_eq!(p["errors"][0]["field"], "accountable_leader_sub");
    let res = w
        .app
        .patch(
            &format!("/api/v1/measures/{id}"),
            &json!({"accountable_leader_sub": "zhang.fg", "accountable_leader": "张建国"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    w.admin(&id, "start", json!({})).await;
    let evidence = w
        .upload(&staff("ZHK"), &id)
        .await
        .json::<Value>()
        .await
        .unwrap();
    let res = w
        .app
        .act(
            &staff("ZHK"),
            &format!("/api/v1/measures/{id}/actions/submit"),
            json!({"statement": "已建立。", "evidence_ids": [id_of(&evidence)]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let path = format!("/api/v1/measures/{id}/actions/endorse");
    let p = problem(w.app.act(&leader("ZHK"), &path, json!({})).await, 403).await;
    assert_eq!(p["rule"], "named_endorser");
    assert!(p["detail_zh"].as_str().unwrap().contains("zhang.fg"), "{p}");
    let res = w
        .app
        .act(&token("zhang.fg", "leader", Some("ZHK")), &path, json!({}))
        .await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_handover_moves_a_leaders_open_measures_and_shows_in_their_histories() {
    let w = world().await;
    for (sub, name) in [("zhang.fg", "张建国"), ("li.fg", "李明")] {
        w.app
            .created(
                "/api/v1/people",
                &json!({"sub": sub, "name": name, "unit_id": w.zhk}),
            )
            .await;
    }
    let mut held = Vec::new();
    for state in ["not_started", "started", "started"] {
        let (id, _) = w.measure(state).await;
        held.push(id);
    }
    // Named on the first before it started; the started ones by name (as sheets do).
    let res = w
        .app
        .patch(
            &format!("/api/v1/measures/{}", held[0]),
            &json!({"accountable_leader_sub": "zhang.fg", "accountable_leader": "张建国"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    // A started measure's holder is no plain edit.
    let p = problem(
        w.app
            .patch(
                &format!("/api/v1/measures/{}", held[1]),
                &json!({"accountable_leader": "张建国"}),
            )
            .await,
        409,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("handover"));

    // A leader of another unit may not hand over 综合科's measures.
    let body = json!({
        "role": "accountable_leader",
        "from": {"name": "党组成员、副主任"}, "to": {"sub": "li.fg", "name": "李明"},
        "unit_id": w.zhk, "reason": "分管领导调整", "effective_date": days(0)
    });
    let res = w
        .app
        .act(&leader("QT"), "/api/v1/handovers", body.clone())
        .await;
    let p = problem(res, 422).await;
    assert_eq!(
        p["errors"][0]["field"], "from",
        "nothing of theirs to hand over: {p}"
    );

    // The lead unit's leader hands over every open measure held under the old title.
    let res = w.app.act(&leader("ZHK"), "/api/v1/handovers", body).await;
    assert_eq!(res.status(), 201);
    let handover: Value = res.json().await.unwrap();
    let moved: Vec<&str> = handover["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    // The plan's measure and held[1], held[2] carry the title; held[0] names 张建国.
    assert!(moved.contains(&held[1].as_str()) && moved.contains(&held[2].as_str()));
    assert!(!moved.contains(&held[0].as_str()));
    for id in &moved {
        let m = w.app.get_json(&format!("/api/v1/measures/{id}")).await;
        assert_eq!(m["accountable_leader"], "李明");
        assert_eq!(m["accountable_leader_sub"], "li.fg");
        let history = w
            .app
            .get_json(&format!("/api/v1/measures/{id}/history"))
            .await;
        let events = history["items"].as_array().unwrap();
        let handed = events
            .iter()
            .find(|e| e["action"] == "measure.handover")
            .expect("a handover event");
        assert_eq!(handed["after"]["handover_id"], handover["id"]);
    }

    // By login id: 张建国's measure moves, nothing else.
    let res = w
        .app
        .post(
            "/api/v1/handovers",
            &json!({
                "role": "accountable_leader",
                "from": {"sub": "zhang.fg", "name": "张建国"}, "to": {"sub": "li.fg", "name": "李明"},
                "reason": "张建国同志调任", "effective_date": days(1)
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let second: Value = res.json().await.unwrap();
    assert_eq!(second["measures"].as_array().unwrap().len(), 1);
    assert_eq!(second["measures"][0]["id"], held[0]);

    // Listed, filtered, and read back with the measures it moved.
    let list = w.app.get_json("/api/v1/handovers?person=li.fg").await;
    assert_eq!(list["total"], 2);
    assert_eq!(
        list["items"][0]["id"], second["id"],
        "latest effective first"
    );
    let list = w.app.get_json("/api/v1/handovers?person=zhang.fg").await;
    assert_eq!(list["total"], 1);
    let list = w
        .app
        .get_json(&format!("/api/v1/handovers?from={}", days(1)))
        .await;
    assert_eq!(list["total"], 1);
    let one = w
        .app
        .get_json(&format!("/api/v1/handovers/{}", id_of(&handover)))
        .await;
    assert_eq!(one["measures"].as_array().unwrap().len(), moved.len());
    // Another unit's staff do not see it.
    let res = w
        .app
        .send(
            Method::GET,
            &format!("/api/v1/handovers/{}", id_of(&handover)),
            Some(&staff("QT")),
            None,
        )
        .await;
    assert_eq!(res.status(), 404);
    // Handing over a measure the person does not hold changes nothing.
    let res = w
        .app
        .post(
            "/api/v1/handovers",
            &json!({
                "role": "responsible_person", "from": {"name": "不存在的人"}, "to": {"name": "王五"},
                "measure_ids": [held[1]], "reason": "调整", "effective_date": days(0)
            }),
        )
        .await;
    let p = problem(res, 422).await;
    assert_eq!(p["errors"][0]["field"], "measure_ids[0]");
    assert_eq!(
        w.app.get_json("/api/v1/handovers").await["total"],
        2,
        "the refused handover was not recorded"
    );
}

#[tokio::test]
async fn histories_and_closure_slips_name_people_not_login_ids() {
    let w = world().await;
    w.app
        .created(
            "/api/v1/people",
            &json!({"sub": "zhang.fg", "name": "张建国", "unit_id": w.zhk}),
        )
        .await;
    let (id, evidence) = w.measure("started").await;
    // 综合科's clerk is not in the directory; the token carries a name.
    let clerk = crate::helpers::token_with(
        json!({"sub": "zhk.li", "name": "李晓红", "role": "unit", "unit": "ZHK"}),
    );
    let res = w
        .app
        .act(
            &clerk,
            &format!("/api/v1/measures/{id}/actions/submit"),
            json!({"statement": "已建立联审机制。", "evidence_ids": [evidence]}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = w
        .app
        .act(
            &token("zhang.fg", "leader", Some("ZHK")),
            &format!("/api/v1/measures/{id}/actions/endorse"),
            json!({}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let office = token("wang.office", "office", None);
    let res = w
        .app
        .act(
            &office,
            &format!("/api/v1/measures/{id}/actions/verify"),
            json!({"comment": "材料齐全，同意销号"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let history = w
        .app
        .get_json(&format!("/api/v1/measures/{id}/history"))
        .await;
    let named = |action: &str| {
        history["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["action"] == action)
            .map(|e| (e["actor"].clone(), e["actor_name"].clone()))
            .unwrap()
    };
    assert_eq!(named("measure.submit"), (json!("zhk.li"), json!("李晓红")));
    assert_eq!(
        named("measure.endorse"),
        (json!("zhang.fg"), json!("张建国"))
    );
    // Nobody named the office clerk: the login id is all there is.
    assert_eq!(named("measure.verify").1, json!("wang.office"));
    let slip = w
        .app
        .get(&format!("/api/v1/measures/{id}/closure-slip.md"))
        .await
        .text()
        .await
        .unwrap();
    assert!(slip.contains("李晓红") && slip.contains("张建国"), "{slip}");
    assert!(
        !slip.contains("zhk.li") && !slip.contains("| zhang.fg"),
        "{slip}"
    );
    // The names are sealed into the audit chain, which still checks out.
    let audit = w.app.get_json("/api/v1/audit/verify").await;
    assert_eq!(audit["intact"], true, "{audit}");

    // The change feed narrows to a unit's subtree.
    let feed = w
        .app
        .get_json(&format!("/api/v1/events?unit_id={}&limit=500", w.ban))
        .await;
    let about_measures = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["object_type"] == "measure")
        .count();
    assert!(about_measures > 0);
    let other = w
        .app
        .get_json(&format!("/api/v1/events?unit_id={}&limit=500", w.qt))
        .await;
    assert!(other["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["object_type"] != "measure"));
}

/// "Done means": the demo ledger (the example ledger's 19 measures) worked as its actors
/// would, with the directory the seed brings.
#[tokio::test]
async fn the_demo_ledger_is_worked_as_its_office_is_organised() {
    let app = spawn_app().await;
    let report = app.seed(zhenggai::seed::DEMO);
    assert_eq!((report.people, report.handovers), (7, 1));
    let all = app.get_json("/api/v1/measures?limit=100").await;
    let by_code = |code: &str| {
        all["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["code"] == code)
            .unwrap_or_else(|| panic!("{code}"))
            .clone()
    };
    let jrb = app.get_json("/api/v1/units?limit=100").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "JRB")
        .map(|u| id_of(u).to_string())
        .unwrap();

    // The 党组书记 of 市金融办 sees every measure of its 科室, and the roll-up sums to the
    // ledger's totals.
    let chen = token("jrb.chen", "leader", Some("JRB"));
    let seen = app
        .send(Method::GET, "/api/v1/measures", Some(&chen), None)
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(seen["total"], 19);
    let rollup = app
        .send(
            Method::GET,
            &format!("/api/v1/stats?group_by=unit&parent_id={jrb}"),
            Some(&chen),
            None,
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    let sum = |field: &str| -> i64 {
        rollup["groups"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g[field].as_i64().unwrap())
            .sum()
    };
    assert_eq!(sum("measures"), 19, "{rollup}");
    assert_eq!(sum("findings"), 10);
    assert_eq!(sum("closed"), rollup["total"]["closed"].as_i64().unwrap());
    assert_eq!(
        rollup["groups"].as_array().unwrap().len(),
        7,
        "市金融办 and its six 科室"
    );

    // 综合科 closes 05-2 (the finding is 财务室's) with its own staff and its 分管领导.
    let li = token("zhk.li", "unit", Some("JRB-ZHK"));
    let liu = token("jrb.liu", "leader", Some("JRB"));
    let office = token("jrb.office", "office", None);
    let close = |code: &'static str| {
        let (app, li, liu, office) = (&app, li.clone(), liu.clone(), office.clone());
        let id = id_of(&by_code(code)).to_string();
        async move {
            let res = app.upload(&li, &id, "整改佐证.pdf", PDF.to_vec()).await;
            assert_eq!(res.status(), 201, "{code} upload");
            let evidence = id_of(&res.json::<Value>().await.unwrap()).to_string();
            for (who, action, body) in [
                (
                    &li,
                    "submit",
                    json!({"statement": "已按要求完成整改。", "evidence_ids": [evidence]}),
                ),
                (&liu, "endorse", json!({})),
                (&office, "verify", json!({"comment": "同意销号"})),
            ] {
                let res = app
                    .act(
                        who,
                        &format!("/api/v1/measures/{id}/actions/{action}"),
                        body,
                    )
                    .await;
                let status = res.status();
                assert_eq!(
                    status,
                    200,
                    "{code} {action}: {}",
                    res.text().await.unwrap()
                );
            }
            id
        }
    };
    let closed = close("XC-2022-03-05-2").await;
    assert_eq!(
        app.get_json(&format!("/api/v1/measures/{closed}")).await["status"],
        "closed"
    );
    // 07-2 (风险防控科's finding) was closed before; after a 回头看 reopens it, 综合科 closes
    // it again the same way.
    let again = id_of(&by_code("XC-2022-03-07-2")).to_string();
    let res = app
        .act(
            &office,
            &format!("/api/v1/measures/{again}/actions/reopen"),
            json!({"reason": "回头看发现制度执行不到位"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    close("XC-2022-03-07-2").await;

    // 机关党支部 reports on the measure it supports, and cannot ask for its closure.
    let zhao = token("dzb.zhao", "unit", Some("JRB-DZB"));
    let supported = id_of(&by_code("XC-2022-03-01-2")).to_string();
    let res = app
        .act(
            &zhao,
            &format!("/api/v1/measures/{supported}/actions/report"),
            json!({"text": "支部已开展专题组织生活会。", "percent": 70}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .upload(&zhao, &supported, "组织生活会记录.pdf", PDF.to_vec())
        .await;
    assert_eq!(res.status(), 201);
    let theirs = id_of(&res.json::<Value>().await.unwrap()).to_string();
    let res = app
        .act(
            &zhao,
            &format!("/api/v1/measures/{supported}/actions/submit"),
            json!({"statement": "已完成。", "evidence_ids": [theirs]}),
        )
        .await;
    let p = problem(res, 403).await;
    assert_eq!(p["detail_zh"], "只有牵头单位或问题责任单位可以申请销号。");

    // The recorded handover moved 机关党支部's measures to 刘建华, and shows in their
    // histories.
    let handovers = app.get_json("/api/v1/handovers").await;
    assert_eq!(handovers["total"], 1);
    let detail = app
        .get_json(&format!(
            "/api/v1/handovers/{}",
            id_of(&handovers["items"][0])
        ))
        .await;
    let moved: Vec<&str> = detail["measures"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    assert_eq!(moved, vec!["XC-2022-03-03-1", "XC-2022-03-03-2"]);
    let m = app
        .get_json(&format!(
            "/api/v1/measures/{}",
            id_of(&by_code("XC-2022-03-03-1"))
        ))
        .await;
    assert_eq!(
        (
            m["accountable_leader"].clone(),
            m["accountable_leader_sub"].clone()
        ),
        (json!("刘建华"), json!("jrb.liu"))
    );
    let history = app
        .get_json(&format!("/api/v1/measures/{}/history", id_of(&m)))
        .await;
    assert!(history["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "measure.handover"));
}

#[tokio::test]
async fn a_directory_entry_with_no_units_sees_nothing_and_nothing_fails() {
    let w = world().await;
    w.app
        .created(
            "/api/v1/people",
            &json!({"sub": "retired.fg", "name": "退休领导"}),
        )
        .await;
    // The token names a unit, but the directory says the person acts for none.
    for role in ["leader", "unit"] {
        let who = token("retired.fg", role, Some("ZHK"));
        for path in [
            "/api/v1/measures",
            "/api/v1/findings",
            "/api/v1/inspections",
            "/api/v1/extensions",
            "/api/v1/handovers",
            "/api/v1/rechecks",
            "/api/v1/queue",
            "/api/v1/dashboard/overdue",
        ] {
            let res = w.app.send(Method::GET, path, Some(&who), None).await;
            assert_eq!(res.status(), 200, "{role} {path}");
            let body: Value = res.json().await.unwrap();
            assert_eq!(
                body["total"].as_i64().unwrap_or(0),
                0,
                "{role} {path}: {body}"
            );
        }
        let stats = w
            .app
            .send(Method::GET, "/api/v1/stats", Some(&who), None)
            .await;
        assert_eq!(stats.status(), 200);
        let stats: Value = stats.json().await.unwrap();
        assert_eq!(stats["total"]["measures"], 0);
        let feed = w
            .app
            .send(Method::GET, "/api/v1/events", Some(&who), None)
            .await;
        assert_eq!(feed.status(), 200);
    }
}
