//! What must hold when requests race: one of two conflicting writes wins, the other is
//! told why, and nothing ends in a state neither would have left.

use futures_util::future::join;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{id_of, problem, token, PDF};
use crate::workflow::story;

#[tokio::test]
async fn withdrawing_evidence_and_citing_it_in_a_closure_request_never_both_succeed() {
    let s = story().await;
    s.started().await;
    let office = token("wang.office", "office", None);
    for round in 0..12 {
        // A fresh measure each round, started, with one file.
        let m = s
            .app
            .created_as(
                &office,
                &format!("/api/v1/findings/{}/measures", s.finding),
                json!({"content": format!("第{round}轮：逐笔复核差旅费"), "kind": "time_bound",
                       "lead_unit_id": s.app.get_json(&format!("/api/v1/measures/{}", s.measure)).await["lead_unit_id"],
                       "accountable_leader": "党组成员、副主任", "due_date": crate::helpers::days(30)}),
            )
            .await;
        let m = id_of(&m).to_string();
        s.ok(
            &s.staff,
            &format!("/api/v1/measures/{m}/actions/start"),
            json!({}),
        )
        .await;
        let res = s.app.upload(&s.staff, &m, "凭证.pdf", PDF.to_vec()).await;
        assert_eq!(res.status(), 201);
        let evidence = id_of(&res.json::<Value>().await.unwrap()).to_string();
        let (evidence_path, submit_path) = (
            format!("/api/v1/evidence/{evidence}"),
            format!("/api/v1/measures/{m}/actions/submit"),
        );
        let withdraw = s
            .app
            .send(Method::DELETE, &evidence_path, Some(&s.staff), None);
        let submit = s.app.act(
            &s.staff,
            &submit_path,
            json!({"statement": "已整改到位。", "evidence_ids": [evidence]}),
        );
        let (withdrawn, submitted) = join(withdraw, submit).await;
        let (withdrawn, submitted) = (withdrawn.status().as_u16(), submitted.status().as_u16());
        let file = s
            .app
            .get_json(&format!("/api/v1/evidence/{evidence}"))
            .await;
        let measure = s.app.get_json(&format!("/api/v1/measures/{m}")).await;
        match (withdrawn, submitted) {
            (204, 422) => {
                assert!(file["withdrawn_at"].is_string(), "{file}");
                assert_eq!(file["frozen"], false, "{file}");
                assert_eq!(measure["status"], "in_progress");
            }
            (409, 200) => {
                assert!(file["withdrawn_at"].is_null(), "{file}");
                assert_eq!(file["frozen"], true, "{file}");
                assert_eq!(measure["status"], "submitted");
            }
            other => panic!("round {round}: withdraw and submit answered {other:?}"),
        }
    }
}

#[tokio::test]
async fn simultaneous_changes_without_if_match_take_turns() {
    let s = story().await;
    let office = token("wang.office", "office", None);
    let path = format!("/api/v1/measures/{}", s.measure);
    let before = s.app.get_json(&path).await["version"].as_i64().unwrap();
    let bodies: Vec<Value> = (0..20)
        .map(|i| json!({"responsible_person": format!("科员{i}")}))
        .collect();
    let changes = bodies
        .iter()
        .map(|body| s.app.send(Method::PATCH, &path, Some(&office), Some(body)));
    let statuses: Vec<u16> = futures_util::future::join_all(changes)
        .await
        .iter()
        .map(|r| r.status().as_u16())
        .collect();
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    assert_eq!(
        s.app.get_json(&path).await["version"].as_i64().unwrap(),
        before + 20
    );
}

#[tokio::test]
async fn every_signature_on_a_closure_request_is_a_distinct_person() {
    let s = story().await;
    s.started().await;
    let evidence = s.evidence().await;
    let admin = token("chen.admin", "admin", None);
    s.ok(
        &admin,
        &s.m("submit"),
        json!({"statement": "已整改到位。", "evidence_ids": [evidence]}),
    )
    .await;
    // Who asked may not endorse, nor verify.
    let p = problem(s.app.act(&admin, &s.m("endorse"), json!({})).await, 403).await;
    assert!(
        p["detail"].as_str().unwrap().contains("申请销号的人"),
        "{p}"
    );
    let second = token("zhao.admin", "admin", None);
    s.ok(&second, &s.m("endorse"), json!({})).await;
    let p = problem(s.app.act(&admin, &s.m("verify"), json!({})).await, 403).await;
    assert!(
        p["detail"].as_str().unwrap().contains("申请销号的人"),
        "{p}"
    );
    // Who endorsed may not verify.
    let p = problem(s.app.act(&second, &s.m("verify"), json!({})).await, 403).await;
    assert!(
        p["detail"].as_str().unwrap().contains("签字背书的人"),
        "{p}"
    );
    let closed = s.ok(&s.office, &s.m("verify"), json!({})).await;
    assert_eq!(closed["status"], "closed");
}
