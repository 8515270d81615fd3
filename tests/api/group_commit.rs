//! Concurrent writes: on SQLite they share transactions (group commit), each request still
//! all-or-nothing — one refused inside its transaction rolls back alone, with its audit
//! event, and the hash chain stays whole. The same answers on PostgreSQL, which writes in
//! parallel instead.

use serde_json::{json, Value};

use crate::helpers::{days, id_of, spawn_app, token, TestApp};

const MEASURES: usize = 24;

async fn metric(app: &TestApp, name: &str) -> u64 {
    let viewer = token("prometheus", "viewer", None);
    let res = app
        .send(reqwest::Method::GET, "/metrics", Some(&viewer), None)
        .await;
    let text = res.text().await.unwrap();
    text.lines()
        .find_map(|l| l.strip_prefix(&format!("{name} ")))
        .map_or(0, |n| n.trim().parse().expect("a number"))
}

/// A finding with `MEASURES` measures whose plan is approved: each ready to start.
async fn planned() -> (TestApp, Vec<String>) {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let finding = id_of(&finding).to_string();
    let mut ids = vec![];
    for _ in 0..MEASURES {
        let m = app.measure(&finding, &unit, Some(days(20))).await;
        ids.push(id_of(&m).to_string());
    }
    for action in ["claim", "submit_plan", "approve_plan"] {
        let res = app
            .post(
                &format!("/api/v1/findings/{finding}/actions/{action}"),
                &json!({}),
            )
            .await;
        assert_eq!(res.status(), 200, "{action}");
    }
    (app, ids)
}

#[tokio::test]
async fn concurrent_writes_each_stand_or_fall_alone_and_the_chain_stays_whole() {
    let (app, ids) = planned().await;
    let (batches, batched) = (
        metric(&app, "zhenggai_write_batches_total").await,
        metric(&app, "zhenggai_batched_writes_total").await,
    );
    let office = token("wang.office", "office", None);
    // For every measure at once: a start (allowed) and a verify (refused in its
    // transaction: a measure just started has nothing to verify).
    let admin = token("admin-test", "admin", None);
    let act = |who: &str, id: &str, action: &str| {
        let (who, path) = (
            who.to_string(),
            format!("/api/v1/measures/{id}/actions/{action}"),
        );
        let app = &app;
        async move { app.act(&who, &path, json!({})).await }
    };
    let starts = ids.iter().map(|id| act(&admin, id, "start"));
    let verifies = ids.iter().map(|id| act(&office, id, "verify"));
    let (started, verified) = futures_util::future::join(
        futures_util::future::join_all(starts),
        futures_util::future::join_all(verifies),
    )
    .await;
    assert!(started.iter().all(|r| r.status() == 200));
    assert!(verified.iter().all(|r| r.status() == 409));
    for id in &ids {
        let m = app.get_json(&format!("/api/v1/measures/{id}")).await;
        assert_eq!(m["status"], "in_progress");
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
            actions.iter().filter(|a| **a == "measure.start").count(),
            1,
            "{actions:?}"
        );
        assert!(!actions.contains(&"measure.verify"), "{actions:?}");
    }
    let mut conn =
        zhenggai::db::connection::establish(&app.config.database_url).expect("connection");
    let chain = zhenggai::db::repo::events::verify(&mut conn).expect("verify");
    assert!(chain.first_broken.is_none(), "{:?}", chain.first_broken);
    if !app.config.database_url.starts_with("postgres") {
        let batches = metric(&app, "zhenggai_write_batches_total").await - batches;
        let batched = metric(&app, "zhenggai_batched_writes_total").await - batched;
        assert_eq!(
            batched,
            2 * MEASURES as u64,
            "every write went through a batch"
        );
        assert!(
            batches < batched,
            "some transactions carried several writes: {batches} for {batched}"
        );
    }
    let _: Value = app.get_json("/api/v1/stats").await;
}

#[tokio::test]
async fn a_write_refused_at_its_last_step_leaves_nothing_of_its_work_behind() {
    // Two different reports under one Idempotency-Key, at once, for each measure: the key
    // is claimed as each write's last step, so the second's claim is refused after its
    // report was written — and that report must go with it.
    let (app, ids) = planned().await;
    for id in &ids {
        let res = app
            .post(&format!("/api/v1/measures/{id}/actions/start"), &json!({}))
            .await;
        assert_eq!(res.status(), 200);
    }
    let admin = token("admin-test", "admin", None);
    let report = |id: &str, percent: u32| {
        let (app, admin) = (&app, admin.clone());
        let path = format!("/api/v1/measures/{id}/actions/report");
        let key = format!("report-{id}");
        async move {
            app.anon
                .post(app.url(&path))
                .bearer_auth(admin)
                .header("Idempotency-Key", key)
                .json(&json!({"text": "已完成阶段性整改。", "percent": percent}))
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }
    };
    let asks = ids
        .iter()
        .flat_map(|id| [report(id, 10), report(id, 20)])
        .collect::<Vec<_>>();
    let answers = futures_util::future::join_all(asks).await;
    for (id, pair) in ids.iter().zip(answers.chunks(2)) {
        assert!(pair.contains(&200), "{pair:?}");
        assert!(pair.iter().all(|s| [200, 409, 422].contains(s)), "{pair:?}");
        let history = app
            .get_json(&format!("/api/v1/measures/{id}/history"))
            .await;
        let reports = history["items"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "measure.report")
            .count();
        assert_eq!(reports, 1, "one report per key for {id}: {pair:?}");
    }
    let mut conn =
        zhenggai::db::connection::establish(&app.config.database_url).expect("connection");
    let chain = zhenggai::db::repo::events::verify(&mut conn).expect("verify");
    assert!(chain.first_broken.is_none(), "{:?}", chain.first_broken);
}
