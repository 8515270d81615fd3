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
