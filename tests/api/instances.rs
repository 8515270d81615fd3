//! Several instances on one database: what one commits, the others show. On PostgreSQL
//! every commit is NOTIFYed and each instance LISTENs, so the other instance's ETags move
//! within milliseconds; two servers on one SQLite file follow each other by polling the
//! chain's head once a second.

use std::time::{Duration, Instant};

use serde_json::json;

use crate::helpers::*;

/// How long instance B takes to answer anew after instance A acknowledged a write.
async fn seen_after_write(a: &TestApp, b: &TestApp, n: usize) -> Duration {
    let path = "/api/v1/units?limit=100";
    let tag = b.get(path).await.headers()["etag"]
        .to_str()
        .unwrap()
        .to_string();
    let code = format!("INST-{n:03}");
    a.unit(&code, "第二实例可见").await;
    let written = Instant::now();
    loop {
        let res = b
            .client
            .get(b.url(path))
            .header("If-None-Match", &tag)
            .send()
            .await
            .unwrap();
        if res.status() == 200 {
            let elapsed = written.elapsed();
            let body: serde_json::Value = res.json().await.unwrap();
            assert!(
                body["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|u| u["code"] == json!(code)),
                "a new tag carries the new unit"
            );
            return elapsed;
        }
        assert_eq!(res.status(), 304);
        assert!(
            written.elapsed() < Duration::from_secs(5),
            "never seen on B"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

#[tokio::test]
async fn a_write_on_one_instance_is_seen_on_the_other_at_once() {
    let a = spawn_app().await;
    let b = spawn_beside(&a).await;
    let postgres = a.config.database_url.starts_with("postgres");
    let rounds = if postgres { 60 } else { 3 };
    let mut seen = vec![];
    for n in 0..rounds {
        seen.push(seen_after_write(&a, &b, n).await);
    }
    seen.sort();
    let p99 = seen[(seen.len() * 99).div_ceil(100) - 1];
    if postgres {
        // LISTEN/NOTIFY: the commit is told to B as it happens.
        assert!(p99 < Duration::from_millis(100), "p99 {p99:?}: {seen:?}");
    } else {
        // One SQLite file, two servers: B reads the chain's head once a second.
        assert!(p99 < Duration::from_millis(1500), "p99 {p99:?}: {seen:?}");
    }
    // And the other way round.
    let back = seen_after_write(&b, &a, 999).await;
    assert!(back < Duration::from_millis(1500), "{back:?}");
}

/// The count of reads that ran `on` (replica or primary), from `/metrics`.
async fn reads_on(app: &TestApp, on: &str) -> f64 {
    let text = app.get("/metrics").await.text().await.unwrap();
    text.lines()
        .find(|l| l.starts_with(&format!("zhenggai_reads_total{{on=\"{on}\"}}")))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn a_write_answers_with_its_version_and_a_bad_min_version_is_refused() {
    let app = spawn_app().await;
    let res = app
        .post("/api/v1/units", &json!({"code": "VER-1", "name": "版本"}))
        .await;
    assert_eq!(res.status(), 201);
    let written: i64 = res.headers()["x-zhenggai-version"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(written > 0);
    let ok = app
        .client
        .get(app.url("/api/v1/units"))
        .header("X-Zhenggai-Min-Version", written.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status(), 200);
    let body: serde_json::Value = ok.json().await.unwrap();
    assert!(body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|u| u["code"] == "VER-1"));
    for bad in ["soon", "-1", "1.5"] {
        let res = app
            .client
            .get(app.url("/api/v1/units"))
            .header("X-Zhenggai-Min-Version", bad)
            .send()
            .await
            .unwrap();
        let p = problem(res, 400).await;
        assert!(
            p.to_string().contains("X-Zhenggai-Min-Version"),
            "{bad}: {p}"
        );
    }
}

#[tokio::test]
async fn reads_go_to_a_replica_that_keeps_up_and_to_the_primary_when_it_is_down() {
    let probe = spawn_app().await;
    if !probe.config.database_url.starts_with("postgres") {
        // An SQLite file has no replica: the setting is refused at start-up.
        let refused = zhenggai::db::replica::ReplicaSettings::new(
            &probe.config.database_url,
            "postgres://127.0.0.1:1/none".into(),
            2000,
        );
        assert!(refused
            .unwrap_err()
            .contains("needs DATABASE_URL=postgres://"));
        return;
    }
    // A "replica" that does not answer: every read on the primary, and /readyz says so.
    let down = spawn_app_with(|c| {
        c.replica = Some(
            zhenggai::db::replica::ReplicaSettings::new(
                &c.database_url,
                "postgres://zhenggai:zhenggai@127.0.0.1:1/none?sslmode=disable".into(),
                2000,
            )
            .unwrap(),
        )
    })
    .await;
    let ready = down.get_json("/readyz").await;
    assert_eq!(ready["replica"]["status"], "down", "{ready}");
    assert_eq!(ready["replica"]["reads_on"], "primary");
    down.unit("DOWN-1", "只读库不可用").await;
    let before = reads_on(&down, "primary").await;
    let units = down.get_json("/api/v1/units").await;
    assert_eq!(units["total"], 1);
    assert!(reads_on(&down, "primary").await > before);
    assert_eq!(reads_on(&down, "replica").await, 0.0);

    // A replica in step (here the primary's own database, which is as current as a
    // replica can be): reads go there, and what was just written is in them.
    let live = spawn_app_with(|c| {
        c.replica = Some(
            zhenggai::db::replica::ReplicaSettings::new(
                &c.database_url,
                c.database_url.clone(),
                2000,
            )
            .unwrap(),
        )
    })
    .await;
    assert_eq!(live.get_json("/readyz").await["replica"]["status"], "ok");
    live.unit("LIVE-1", "只读库").await;
    let before = reads_on(&live, "replica").await;
    let units = live.get_json("/api/v1/units").await;
    assert_eq!(units["total"], 1);
    assert!(reads_on(&live, "replica").await > before);
}

#[tokio::test]
async fn a_caller_reads_its_own_write_on_another_instance_that_has_not_heard_of_it() {
    let a = spawn_app().await;
    let b = spawn_beside(&a).await;
    // B has the list cached at the version it knows.
    assert_eq!(b.get_json("/api/v1/units").await["total"], 0);
    let res = a
        .post(
            "/api/v1/units",
            &json!({"code": "RYW-1", "name": "读己所写"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    let version = res.headers()["x-zhenggai-version"]
        .to_str()
        .unwrap()
        .to_string();
    // At once on B, which may not have heard of the write yet (on SQLite it looks once a
    // second): with the version, the answer is at least that new, never B's cached one.
    let res = b
        .client
        .get(b.url("/api/v1/units"))
        .header("X-Zhenggai-Min-Version", &version)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["total"], 1, "{body}");
}
