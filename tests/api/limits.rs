//! Nothing queues forever: reads past the time limit are stopped and answered 503, reads
//! whose client went away are stopped, and expensive reads beyond a bounded queue are told
//! to come back. On a synthetic ledger big enough that statistics take real time.

use std::time::Duration;

use reqwest::Method;

use crate::helpers::{problem, spawn_app_with, today, token, TestApp};

/// Measures in the synthetic ledger: statistics over them take tens of milliseconds.
const MEASURES: usize = 20_000;

async fn big_app(adjust: impl FnOnce(&mut zhenggai::config::Config)) -> TestApp {
    let app = spawn_app_with(adjust).await;
    let db = zhenggai::db::Db::open(&app.config.database_url, 1).expect("open");
    zhenggai::synthetic::load(&db, MEASURES, today()).expect("synthetic ledger");
    app
}

/// `zhenggai_reads_stopped_total{why}` as `/metrics` shows it now.
async fn stopped(app: &TestApp, why: &str) -> u64 {
    let viewer = token("prometheus", "viewer", None);
    let res = app.send(Method::GET, "/metrics", Some(&viewer), None).await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    let name = format!(r#"zhenggai_reads_stopped_total{{why="{why}"}} "#);
    text.lines()
        .find_map(|l| l.strip_prefix(&name))
        .map_or(0, |n| n.trim().parse().expect("a count"))
}

#[tokio::test]
async fn a_read_past_the_time_limit_is_stopped_and_answered_503_with_retry_after() {
    // Statistics by category count every row (no tally holds them): far past 10 ms.
    let app = big_app(|c| c.query_timeout = Some(Duration::from_millis(10))).await;
    let res = app.get("/api/v1/stats?group_by=category").await;
    let retry = res.headers().get("retry-after").cloned();
    let body = problem(res, 503).await;
    assert_eq!(retry.expect("Retry-After").to_str().unwrap(), "5");
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("查询用时超过上限"),
        "{body}"
    );
    // English on request, like every problem.
    let res = app
        .client
        .get(app.url("/api/v1/stats?group_by=category"))
        .header("accept-language", "en")
        .send()
        .await
        .unwrap();
    let body = problem(res, 503).await;
    assert!(
        body["detail"]
            .as_str()
            .unwrap()
            .contains("longer than allowed"),
        "{body}"
    );
    // Nothing is left stuck: a small read right after is answered.
    let res = app.get("/api/v1/units?limit=1").await;
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn without_the_limit_the_same_statistics_are_answered() {
    let app = big_app(|c| c.query_timeout = None).await;
    let stats = app.get_json("/api/v1/stats?group_by=category").await;
    assert_eq!(stats["total"]["measures"], MEASURES);
}

/// A read that would run for minutes: SQLite counts far, PostgreSQL sleeps.
fn endless(conn: &mut zhenggai::db::DbConnection) -> Result<i64, String> {
    use diesel::RunQueryDsl;
    #[derive(diesel::QueryableByName)]
    struct N {
        #[diesel(sql_type = diesel::sql_types::BigInt)]
        n: i64,
    }
    let sql = match conn {
        zhenggai::db::DbConnection::Sqlite(_) => {
            "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c) \
             SELECT count(*) AS n FROM (SELECT x FROM c LIMIT 100000000)"
        }
        zhenggai::db::DbConnection::Postgresql(_) => "SELECT pg_sleep(120)::text::bigint AS n",
    };
    diesel::sql_query(sql)
        .get_result::<N>(conn)
        .map(|r| r.n)
        .map_err(|e| e.to_string())
}

/// Runs `endless` as the API runs a read (on a pooled connection, under `limit::within`).
fn run_endless(
    db: &zhenggai::db::Db,
    stop: std::sync::Arc<zhenggai::db::limit::Stop>,
    timeout: Option<Duration>,
) -> std::thread::JoinHandle<Result<i64, String>> {
    let db = db.clone();
    std::thread::spawn(move || {
        zhenggai::db::limit::within(timeout, stop.clone(), || {
            let mut conn = db.read().map_err(|e| e.to_string())?;
            stop.running_on(conn.backend_pid);
            let done = endless(&mut conn);
            stop.running_on(None);
            done
        })
    })
}

#[test]
fn a_read_is_stopped_when_its_request_goes_away() {
    let (url, _dir) = crate::helpers::fresh_database_url();
    let db = zhenggai::db::Db::open_migrated_limited(&url, 2, None).expect("open");
    let stop = zhenggai::db::limit::Stop::new();
    let worker = run_endless(&db, stop.clone(), None);
    std::thread::sleep(Duration::from_millis(300));
    let asked = std::time::Instant::now();
    zhenggai::db::limit::stop(&db, &stop);
    let result = worker.join().expect("no panic");
    let why = result.expect_err("the read was stopped, not finished");
    assert!(zhenggai::db::limit::is_stopped(&why), "{why}");
    assert!(asked.elapsed() < Duration::from_secs(10), "stopped at once");
    // The connection it ran on serves the next read normally.
    let mut conn = db.read().unwrap();
    use diesel::connection::SimpleConnection;
    conn.batch_execute("SELECT 1")
        .expect("a working connection");
}

#[test]
fn a_read_is_stopped_at_its_time_limit_on_either_database() {
    let (url, _dir) = crate::helpers::fresh_database_url();
    let limit = Duration::from_millis(300);
    let db = zhenggai::db::Db::open_migrated_limited(&url, 2, Some(limit)).expect("open");
    let started = std::time::Instant::now();
    let result = run_endless(&db, zhenggai::db::limit::Stop::new(), Some(limit))
        .join()
        .expect("no panic");
    let why = result.expect_err("the read was stopped, not finished");
    assert!(zhenggai::db::limit::is_stopped(&why), "{why}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[tokio::test]
async fn expensive_reads_beyond_the_queue_are_told_to_come_back() {
    let app = big_app(|c| {
        c.expensive = zhenggai::api::gate::GateSize {
            at_once: 1,
            queue: 1,
        }
    })
    .await;
    // Sixteen different questions (identical ones would share one answer).
    let paths: Vec<String> = ["unit", "inspection", "category", "kind"]
        .iter()
        .flat_map(|group| {
            (1..=4).map(move |back| {
                let day = today() - chrono::Duration::days(back);
                format!("/api/v1/stats?group_by={group}&as_of={day}")
            })
        })
        .collect();
    let asks = paths.iter().map(|p| app.get(p));
    let answers = futures_util::future::join_all(asks).await;
    let mut busy = 0;
    let mut answered = 0;
    for res in answers {
        match res.status().as_u16() {
            200 => answered += 1,
            503 => {
                assert!(res.headers().contains_key("retry-after"));
                let body = problem(res, 503).await;
                assert!(
                    body["detail"].as_str().unwrap().contains("请求过多"),
                    "{body}"
                );
                busy += 1;
            }
            other => panic!("answered {other}"),
        }
    }
    assert!(
        answered >= 2,
        "the running one and the waiting one: {answered}"
    );
    assert!(busy >= 1, "the rest came back busy");
    assert!(stopped(&app, "busy").await >= busy);
    // The cheap paths never wait on the gate.
    let res = app.get("/api/v1/measures?limit=50").await;
    assert_eq!(res.status(), 200);
}
