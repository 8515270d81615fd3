//! 对账销号 over HTTP: the whole story from the example ledger, and every way it can be
//! cut short — wrong states, wrong people, stale versions, two verifiers at once.

use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

use crate::helpers::id_of;
use crate::helpers::{days, problem, spawn_app, token, TestApp, PDF};

pub struct Story {
    pub app: TestApp,
    pub office: String,
    pub staff: String,
    pub leader: String,
    pub finding: String,
    pub measure: String,
}

/// 综合科 has finding XC-2022-03-01 (差旅费报销不规范) assigned; its staff add a measure.
pub async fn story() -> Story {
    let app = spawn_app().await;
    let zhk = app.unit("JRB-ZHK", "综合科").await;
    let inspection = app.inspection("XC-2022-03").await;
    let finding = app.finding(&inspection, &zhk).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let staff = token("li.zhk", "unit", Some("JRB-ZHK"));
    let res = app
        .act(
            &staff,
            &format!("/api/v1/findings/{finding}/measures"),
            json!({
                "content": "修订《机关差旅费管理办法》，对2021年以来差旅费报销逐笔复核", "kind": "time_bound",
                "lead_unit_id": zhk, "accountable_leader": "党组成员、副主任", "due_date": days(30)
            }),
        )
        .await;
    assert_eq!(res.status(), 201);
    let measure = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    Story {
        app,
        office: token("wang.office", "office", None),
        staff,
        leader: token("zhang.leader", "leader", Some("JRB-ZHK")),
        finding,
        measure,
    }
}

impl Story {
    pub fn m(&self, action: &str) -> String {
        format!("/api/v1/measures/{}/actions/{action}", self.measure)
    }

    pub fn f(&self, action: &str) -> String {
        format!("/api/v1/findings/{}/actions/{action}", self.finding)
    }

    pub async fn ok(&self, who: &str, path: &str, body: Value) -> Value {
        let res = self.app.act(who, path, body).await;
        let status = res.status();
        let text = res.text().await.unwrap();
        assert_eq!(status, StatusCode::OK, "{path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    /// Claimed, planned, approved and started: ready to report and submit.
    pub async fn started(&self) {
        self.ok(&self.staff, &self.f("claim"), json!({})).await;
        self.ok(&self.staff, &self.f("submit_plan"), json!({}))
            .await;
        self.ok(
            &self.office,
            &self.f("approve_plan"),
            json!({"comment": "同意"}),
        )
        .await;
        self.ok(&self.staff, &self.m("start"), json!({})).await;
    }

    pub async fn evidence(&self) -> String {
        let res = self
            .app
            .upload(&self.staff, &self.measure, "整改报告.pdf", PDF.to_vec())
            .await;
        assert_eq!(res.status(), 201);
        res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn submitted(&self) -> String {
        self.started().await;
        let evidence = self.evidence().await;
        self.ok(
            &self.staff,
            &self.m("submit"),
            json!({"statement": "已修订印发办法，违规款项已退回。", "evidence_ids": [evidence]}),
        )
        .await;
        evidence
    }

    async fn measure_now(&self) -> Value {
        self.app
            .get_json(&format!("/api/v1/measures/{}", self.measure))
            .await
    }
}

async fn wrong_state(res: reqwest::Response, current: &str, allowed: &[&str]) {
    let body = problem(res, 409).await;
    assert_eq!(body["type"], "urn:zhenggai:problem:wrong-state");
    assert_eq!(body["current_state"], current, "{body}");
    assert_eq!(body["allowed_actions"], json!(allowed), "{body}");
}

#[tokio::test]
async fn the_whole_story_closes_a_finding_with_evidence_and_a_second_person() {
    let s = story().await;
    // Nothing moves before the unit claims the finding.
    let res = s.app.act(&s.staff, &s.m("start"), json!({})).await;
    wrong_state(res, "assigned", &[]).await;

    let f = s.ok(&s.staff, &s.f("claim"), json!({})).await;
    assert_eq!(f["status"], "claimed");
    assert_eq!(f["allowed_actions"], json!(["submit_plan"]));
    s.ok(&s.staff, &s.f("submit_plan"), json!({})).await;
    // After the plan is in, only the office adds measures.
    let res = s
        .app
        .act(
            &s.staff,
            &format!("/api/v1/findings/{}/measures", s.finding),
            json!({"content": "补充措施", "kind": "immediate", "due_date": days(5),
                   "lead_unit_id": s.measure_now().await["lead_unit_id"], "accountable_leader": "主任"}),
        )
        .await;
    assert_eq!(res.status(), 409);
    let f = s
        .ok(
            &s.office,
            &s.f("approve_plan"),
            json!({"comment": "方案可行"}),
        )
        .await;
    assert_eq!(f["status"], "in_progress");

    let m = s.ok(&s.staff, &s.m("start"), json!({})).await;
    assert_eq!(m["status"], "in_progress");
    let m = s
        .ok(
            &s.staff,
            &s.m("report"),
            json!({"text": "已完成办法修订初稿。", "percent": 60}),
        )
        .await;
    assert_eq!(m["progress_percent"], 60);
    // No closure without evidence.
    let res = s
        .app
        .act(
            &s.staff,
            &s.m("submit"),
            json!({"statement": "已整改", "evidence_ids": []}),
        )
        .await;
    problem(res, 422).await;
    let evidence = s.evidence().await;
    let m = s
        .ok(
            &s.staff,
            &s.m("submit"),
            json!({"statement": "已印发《机关差旅费管理办法（修订）》，违规报销款已全部退回。", "evidence_ids": [evidence]}),
        )
        .await;
    assert_eq!(m["status"], "submitted");
    assert_eq!(m["submitted_by"], "li.zhk");
    // Cited evidence is frozen.
    let res = s
        .app
        .send(
            Method::DELETE,
            &format!("/api/v1/evidence/{evidence}"),
            Some(&s.staff),
            None,
        )
        .await;
    problem(res, 409).await;
    let e = s
        .app
        .get_json(&format!("/api/v1/evidence/{evidence}"))
        .await;
    assert_eq!(e["frozen"], true);

    // The office cannot skip the leader's endorsement.
    let res = s.app.act(&s.office, &s.m("verify"), json!({})).await;
    wrong_state(res, "submitted", &["endorse", "return"]).await;
    let m = s
        .ok(&s.leader, &s.m("endorse"), json!({"comment": "情况属实"}))
        .await;
    assert_eq!(m["status"], "endorsed");
    assert_eq!(m["endorsed_by"], "zhang.leader");
    let m = s
        .ok(
            &s.office,
            &s.m("verify"),
            json!({"comment": "佐证材料齐全，同意销号"}),
        )
        .await;
    assert_eq!(m["status"], "closed");
    assert_eq!(m["verified_by"], "wang.office");
    assert!(m["closed_at"].is_string());
    assert_eq!(m["allowed_actions"], json!(["reopen"]));
    // Its last measure verified, the finding closes by itself.
    let f = s
        .app
        .get_json(&format!("/api/v1/findings/{}", s.finding))
        .await;
    assert_eq!(f["status"], "closed");

    // A closed measure is read-only.
    let res = s
        .app
        .patch(
            &format!("/api/v1/measures/{}", s.measure),
            &json!({"content": "改写"}),
        )
        .await;
    problem(res, 409).await;
    let res = s
        .app
        .upload(&s.staff, &s.measure, "补充.pdf", PDF.to_vec())
        .await;
    problem(res, 409).await;

    // Every step is in the history, in order, with who did it.
    let h = s
        .app
        .get_json(&format!("/api/v1/measures/{}/history", s.measure))
        .await;
    let steps: Vec<(&str, &str)> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["action"].as_str().unwrap(), e["actor"].as_str().unwrap()))
        .collect();
    assert_eq!(
        steps,
        vec![
            ("measure.create", "li.zhk"),
            ("measure.start", "li.zhk"),
            ("measure.report", "li.zhk"),
            ("evidence.upload", "li.zhk"),
            ("measure.submit", "li.zhk"),
            ("measure.endorse", "zhang.leader"),
            ("measure.verify", "wang.office"),
        ]
    );
    let verify = &h["items"][6];
    assert_eq!(verify["before"]["status"], "endorsed");
    assert_eq!(verify["after"]["status"], "closed");
    assert_eq!(
        verify["after"]["action_input"]["comment"],
        "佐证材料齐全，同意销号"
    );
    let h = s
        .app
        .get_json(&format!("/api/v1/findings/{}/history", s.finding))
        .await;
    let actions: Vec<&str> = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        vec![
            "finding.create",
            "finding.claim",
            "finding.submit_plan",
            "finding.approve_plan",
            "finding.closed"
        ]
    );

    // A re-check finds a relapse: reopened with a reason, and the finding with it.
    let res = s.app.act(&s.office, &s.m("reopen"), json!({})).await;
    problem(res, 422).await;
    let supervisor = token("zhao.jjz", "supervisor", None);
    let m = s
        .ok(
            &supervisor,
            &s.m("reopen"),
            json!({"reason": "回头看发现仍有违规报销"}),
        )
        .await;
    assert_eq!(m["status"], "in_progress");
    let f = s
        .app
        .get_json(&format!("/api/v1/findings/{}", s.finding))
        .await;
    assert_eq!(f["status"], "in_progress");
    let audit = s.app.get_json("/api/v1/audit/verify").await;
    assert_eq!(audit["intact"], true, "{audit}");
}

#[tokio::test]
async fn the_verifier_is_never_the_submitter() {
    let s = story().await;
    s.started().await;
    let evidence = s.evidence().await;
    // The office submits on the unit's behalf…
    s.ok(
        &s.office,
        &s.m("submit"),
        json!({"statement": "代为申请销号", "evidence_ids": [evidence]}),
    )
    .await;
    s.ok(&s.leader, &s.m("endorse"), json!({})).await;
    // …so the same person may not verify it.
    let res = s.app.act(&s.office, &s.m("verify"), json!({})).await;
    let body = problem(res, 403).await;
    assert!(
        body["detail"].as_str().unwrap().contains("另一人"),
        "{body}"
    );
    assert_eq!(s.measure_now().await["status"], "endorsed");
    let other = token("chen.office", "office", None);
    s.ok(&other, &s.m("verify"), json!({})).await;
}

#[tokio::test]
async fn returns_need_a_reason_and_send_the_measure_back() {
    let s = story().await;
    s.submitted().await;
    for body in [json!({}), json!({"reason": "   "})] {
        let res = s.app.act(&s.leader, &s.m("return"), body).await;
        problem(res, 422).await;
    }
    assert_eq!(s.measure_now().await["status"], "submitted");
    let m = s
        .ok(
            &s.leader,
            &s.m("return"),
            json!({"reason": "佐证材料缺少退款凭证"}),
        )
        .await;
    assert_eq!(m["status"], "in_progress");
    assert_eq!(m["return_count"], 1);
    let h = s
        .app
        .get_json(&format!("/api/v1/measures/{}/history", s.measure))
        .await;
    let last = h["items"].as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["action"], "measure.return");
    assert_eq!(
        last["after"]["action_input"]["reason"],
        "佐证材料缺少退款凭证"
    );
    // Plans too.
    let res = s.app.act(&s.office, &s.f("return_plan"), json!({})).await;
    problem(res, 422).await;
}

#[tokio::test]
async fn wrong_states_answer_409_with_what_is_allowed_and_change_nothing() {
    let s = story().await;
    s.ok(&s.staff, &s.f("claim"), json!({})).await;
    let before = s.measure_now().await;
    let admin = token("root", "admin", None);
    for (action, body) in [
        ("report", json!({"text": "进展", "percent": 10})),
        (
            "submit",
            json!({"statement": "完成", "evidence_ids": ["01900000-0000-7000-8000-000000000000"]}),
        ),
        ("endorse", json!({})),
        ("verify", json!({})),
        ("return", json!({"reason": "退回"})),
        ("reopen", json!({"reason": "重开"})),
    ] {
        let res = s.app.act(&admin, &s.m(action), body).await;
        wrong_state(res, "not_started", &["start"]).await;
    }
    for action in ["claim", "approve_plan"] {
        let res = s.app.act(&s.office, &s.f(action), json!({})).await;
        wrong_state(res, "claimed", &["submit_plan"]).await;
    }
    assert_eq!(s.measure_now().await, before);
    // A finding with no measures has no plan to submit.
    let zhk = before["lead_unit_id"].as_str().unwrap();
    let inspection = s.app.inspection("XC-2023-01").await;
    let empty = s.app.finding(&inspection, zhk).await;
    let path = format!("/api/v1/findings/{}/actions/", id_of(&empty));
    s.ok(&s.staff, &format!("{path}claim"), json!({})).await;
    let res = s
        .app
        .act(&s.staff, &format!("{path}submit_plan"), json!({}))
        .await;
    problem(res, 409).await;
}

#[tokio::test]
async fn each_action_belongs_to_its_role() {
    let s = story().await;
    let viewer = token("screen", "viewer", None);
    let other_unit = {
        s.app.unit("JRB-CWS", "财务审计处").await;
        token("zhou.cws", "unit", Some("JRB-CWS"))
    };
    // Claiming: the responsible unit's staff, not its leader, a viewer or another unit.
    for (who, status) in [(&s.leader, 403), (&viewer, 403), (&other_unit, 404)] {
        let res = s.app.act(who, &s.f("claim"), json!({})).await;
        assert_eq!(res.status().as_u16(), status);
    }
    s.ok(&s.staff, &s.f("claim"), json!({})).await;
    s.ok(&s.staff, &s.f("submit_plan"), json!({})).await;
    // Approving the plan: the office, not the unit.
    let res = s.app.act(&s.staff, &s.f("approve_plan"), json!({})).await;
    assert_eq!(res.status(), 403);
    s.ok(&s.office, &s.f("approve_plan"), json!({})).await;
    for (who, status) in [(&s.leader, 403), (&viewer, 403), (&other_unit, 404)] {
        let res = s.app.act(who, &s.m("start"), json!({})).await;
        assert_eq!(res.status().as_u16(), status);
    }
    s.ok(&s.staff, &s.m("start"), json!({})).await;
    let evidence = s.evidence().await;
    s.ok(
        &s.staff,
        &s.m("submit"),
        json!({"statement": "完成", "evidence_ids": [evidence]}),
    )
    .await;
    // Endorsing: the unit's leader only — not its staff, not the office.
    for who in [&s.staff, &s.office, &viewer] {
        let res = s.app.act(who, &s.m("endorse"), json!({})).await;
        assert_eq!(res.status(), 403);
    }
    let other_leader = token("qian.cws", "leader", Some("JRB-CWS"));
    let res = s.app.act(&other_leader, &s.m("endorse"), json!({})).await;
    assert_eq!(res.status(), 404);
    s.ok(&s.leader, &s.m("endorse"), json!({})).await;
    // Verifying: the office only.
    for who in [&s.staff, &s.leader, &viewer] {
        let res = s.app.act(who, &s.m("verify"), json!({})).await;
        assert_eq!(res.status(), 403);
    }
    s.ok(&s.office, &s.m("verify"), json!({})).await;
    // Reopening: office or supervisor, never the unit.
    for who in [&s.staff, &s.leader, &viewer] {
        let res = s
            .app
            .act(who, &s.m("reopen"), json!({"reason": "回头看"}))
            .await;
        assert_eq!(res.status(), 403);
    }
    // The audit check is for office, supervisors and admin.
    for (who, status) in [(&s.staff, 403), (&viewer, 403), (&s.office, 200)] {
        let res = s
            .app
            .send(Method::GET, "/api/v1/audit/verify", Some(who), None)
            .await;
        assert_eq!(res.status().as_u16(), status);
    }
}

#[tokio::test]
async fn a_stale_if_match_answers_412_and_changes_nothing() {
    let s = story().await;
    let res = s
        .app
        .send(
            Method::GET,
            &format!("/api/v1/measures/{}", s.measure),
            Some(&s.staff),
            None,
        )
        .await;
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    assert_eq!(etag, "\"1\"");
    let patch = |tag: &'static str| {
        let app = &s.app;
        let path = format!("/api/v1/measures/{}", s.measure);
        async move {
            app.anon
                .patch(app.url(&path))
                .bearer_auth(token("li.zhk", "unit", Some("JRB-ZHK")))
                .header("If-Match", tag)
                .json(&json!({"responsible_person": "李明"}))
                .send()
                .await
                .unwrap()
        }
    };
    let res = patch("\"1\"").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["etag"], "\"2\"");
    let before = s.measure_now().await;
    let res = patch("\"1\"").await;
    let body = problem(res, 412).await;
    assert_eq!(body["type"], "urn:zhenggai:problem:precondition-failed");
    assert_eq!(s.measure_now().await, before);
    // A tag this service never sent is not the current one either: 412, nothing changes.
    let res = patch("\"stale-version\"").await;
    problem(res, 412).await;
    assert_eq!(s.measure_now().await, before);
    // Not a tag at all is a malformed header.
    let res = patch("yesterday").await;
    problem(res, 400).await;
    // Actions honour it too.
    s.ok(&s.staff, &s.f("claim"), json!({})).await;
    s.ok(&s.staff, &s.f("submit_plan"), json!({})).await;
    s.ok(&s.office, &s.f("approve_plan"), json!({})).await;
    let res = s
        .app
        .anon
        .post(s.app.url(&s.m("start")))
        .bearer_auth(&s.staff)
        .header("If-Match", "\"1\"")
        .send()
        .await
        .unwrap();
    problem(res, 412).await;
    assert_eq!(s.measure_now().await["status"], "not_started");
    let res = s
        .app
        .anon
        .post(s.app.url(&s.m("start")))
        .bearer_auth(&s.staff)
        .header("If-Match", "\"2\"")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "an empty body is fine for start");
    assert_eq!(res.headers()["etag"], "\"3\"");
}

#[tokio::test]
async fn of_simultaneous_verifies_exactly_one_wins() {
    let s = story().await;
    s.submitted().await;
    s.ok(&s.leader, &s.m("endorse"), json!({})).await;
    let verifiers: Vec<String> = (0..6)
        .map(|i| token(&format!("office-{i}"), "office", None))
        .collect();
    let path = s.m("verify");
    let results = futures_util::future::join_all(
        verifiers
            .iter()
            .map(|t| s.app.act(t, &path, json!({"comment": "同意销号"}))),
    )
    .await;
    let statuses: Vec<u16> = results.iter().map(|r| r.status().as_u16()).collect();
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert!(
        statuses.iter().all(|s| *s == 200 || *s == 409),
        "{statuses:?}"
    );
    let h = s
        .app
        .get_json(&format!("/api/v1/measures/{}/history", s.measure))
        .await;
    let verifies = h["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "measure.verify")
        .count();
    assert_eq!(verifies, 1);
    assert_eq!(s.app.get_json("/api/v1/audit/verify").await["intact"], true);
}

#[tokio::test]
async fn a_time_bound_measure_starts_once_the_plan_is_approved_an_immediate_one_at_once() {
    let s = story().await;
    s.ok(&s.staff, &s.f("claim"), json!({})).await;
    let immediate = s
        .app
        .created_as(
            &s.staff,
            &format!("/api/v1/findings/{}/measures", s.finding),
            json!({"content": "立即清退违规报销款", "kind": "immediate",
                   "lead_unit_id": s.app.get_json(&format!("/api/v1/measures/{}", s.measure)).await["lead_unit_id"],
                   "accountable_leader": "党组成员、副主任", "due_date": days(5)}),
        )
        .await;
    s.ok(&s.staff, &s.f("submit_plan"), json!({})).await;
    // 限期整改 waits for the plan …
    let p = problem(s.app.act(&s.staff, &s.m("start"), json!({})).await, 409).await;
    assert_eq!(p["type"], "urn:zhenggai:problem:wrong-state", "{p}");
    assert_eq!(p["current_state"], "plan_submitted", "{p}");
    assert!(p["detail"].as_str().unwrap().contains("整改方案"), "{p}");
    assert_eq!(s.measure_now().await["status"], "not_started");
    // … 立行立改 does not.
    let started = s
        .ok(
            &s.staff,
            &format!("/api/v1/measures/{}/actions/start", id_of(&immediate)),
            json!({}),
        )
        .await;
    assert_eq!(started["status"], "in_progress");
    s.ok(&s.office, &s.f("approve_plan"), json!({})).await;
    let started = s.ok(&s.staff, &s.m("start"), json!({})).await;
    assert_eq!(started["status"], "in_progress");
}
