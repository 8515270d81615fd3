use crate::helpers::id_of;
use crate::helpers::spawn_app;

#[tokio::test]
async fn healthz_answers_ok() {
    let app = spawn_app().await;
    let body = app.get_json("/healthz").await;
    assert_eq!(body["status"], "ok");
}

#[tokio::test]
async fn readyz_names_the_database_that_answered() {
    let app = spawn_app().await;
    let body = app.get_json("/readyz").await;
    assert_eq!(body["status"], "ok");
    let expected = if app.config.database_url.starts_with("postgres") {
        "postgresql"
    } else {
        "sqlite"
    };
    assert_eq!(body["database"], expected);
}

#[tokio::test]
async fn metrics_count_requests_and_lights_for_readers_of_everything() {
    let app = crate::helpers::spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    app.measure(id_of(&finding), &unit, Some(crate::helpers::days(-1)))
        .await;
    app.get_json("/api/v1/measures").await;
    let viewer = crate::helpers::token("prometheus", "viewer", None);
    let res = app
        .send(reqwest::Method::GET, "/metrics", Some(&viewer), None)
        .await;
    assert_eq!(res.status(), 200);
    let text = res.text().await.unwrap();
    assert!(text.contains("zhenggai_http_requests_total{"), "{text}");
    assert!(text.contains(r#"endpoint="/api/v1/measures""#), "{text}");
    assert!(text.contains("zhenggai_http_requests_duration_seconds_bucket"));
    assert!(
        text.contains(r#"zhenggai_measures{warning="red"} 1"#),
        "{text}"
    );
    assert!(text.contains(r#"zhenggai_db_pool_connections{pool="read",state="open"}"#));
    assert!(text.contains("zhenggai_webhook_backlog 0"), "{text}");
    let res = app.send(reqwest::Method::GET, "/metrics", None, None).await;
    assert_eq!(res.status(), 401);
    let staff = crate::helpers::token("li", "unit", Some("ZHK"));
    let res = app
        .send(reqwest::Method::GET, "/metrics", Some(&staff), None)
        .await;
    assert_eq!(res.status(), 403);
}

#[tokio::test]
async fn every_response_carries_a_request_id() {
    let app = crate::helpers::spawn_app().await;
    let res = app.get("/healthz").await;
    let generated = res.headers()["x-request-id"].to_str().unwrap().to_string();
    assert_eq!(generated.len(), 32);
    let res = app
        .anon
        .get(app.url("/api/v1/units"))
        .header("X-Request-Id", "gov-gateway-42")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(res.headers()["x-request-id"], "gov-gateway-42");
    let res = app
        .anon
        .get(app.url("/healthz"))
        .header("X-Request-Id", "bad id with spaces")
        .send()
        .await
        .unwrap();
    assert_ne!(res.headers()["x-request-id"], "bad id with spaces");
}

/// Arms a trap on PostgreSQL: the next statement that reads or writes `units` kills its
/// own backend, once — a connection breaking in the middle of the work.
fn arm_connection_break(url: &str) {
    use diesel::connection::SimpleConnection;
    let mut conn = zhenggai::db::connection::establish(url).unwrap();
    conn.batch_execute(
        "CREATE SEQUENCE IF NOT EXISTS kill_switch;
         ALTER SEQUENCE kill_switch RESTART;
         CREATE OR REPLACE FUNCTION kill_once() RETURNS boolean LANGUAGE plpgsql AS $$
         BEGIN
           IF nextval('kill_switch') = 1 THEN
             PERFORM pg_terminate_backend(pg_backend_pid());
           END IF;
           RETURN true;
         END $$;
         ALTER TABLE units ENABLE ROW LEVEL SECURITY;
         ALTER TABLE units FORCE ROW LEVEL SECURITY;
         DROP POLICY IF EXISTS break_once ON units;
         CREATE POLICY break_once ON units USING (kill_once());",
    )
    .unwrap();
}

/// How often the trap was passed since it was armed (2: it fired, and the work ran again).
fn trap_passes(url: &str) -> i64 {
    use diesel::prelude::*;
    use diesel::sql_types::BigInt;
    #[derive(QueryableByName)]
    struct N {
        #[diesel(sql_type = BigInt)]
        n: i64,
    }
    let mut conn = zhenggai::db::connection::establish(url).unwrap();
    let zhenggai::db::DbConnection::Postgresql(pg) = &mut conn else {
        unreachable!()
    };
    diesel::sql_query("SELECT last_value AS n FROM kill_switch")
        .get_result::<N>(pg)
        .unwrap()
        .n
}

#[tokio::test]
async fn work_on_a_connection_that_breaks_runs_once_more_on_a_fresh_one() {
    let app = spawn_app().await;
    let url = app.config.database_url.clone();
    if !url.starts_with("postgres") {
        // An embedded SQLite database has no connection to lose.
        return;
    }
    app.unit("ZHK", "综合科").await;
    assert_eq!(app.get_json("/api/v1/units?limit=3").await["total"], 1);
    // A read whose connection dies under it answers from a fresh one.
    arm_connection_break(&url);
    let res = app.get("/api/v1/units?limit=4").await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.json::<serde_json::Value>().await.unwrap()["total"], 1);
    assert!(trap_passes(&url) >= 2, "the trap fired on the first pass");
    // A write whose connection dies during its work (nothing committed) runs again, once:
    // exactly one unit is created.
    arm_connection_break(&url);
    let res = app
        .post(
            "/api/v1/units",
            &serde_json::json!({"code": "CWS", "name": "财务室"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    assert!(trap_passes(&url) >= 2);
    assert_eq!(app.get_json("/api/v1/units?limit=5").await["total"], 2);
}
