//! The audit trail cannot be quietly rewritten: the database refuses edits, and an edit
//! made anyway (by someone who drops the guard) is found by `audit verify`.

use diesel::connection::SimpleConnection;
use serde_json::json;
use zhenggai::db::connection::{establish, Backend};

use crate::helpers::id_of;
use crate::helpers::spawn_app;

#[tokio::test]
async fn every_write_is_chained_and_tampering_is_found() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let finding_id = id_of(&finding);
    app.measure(finding_id, &unit, Some(crate::helpers::days(10)))
        .await;
    app.patch(
        &format!("/api/v1/findings/{finding_id}"),
        &json!({"level": "key"}),
    )
    .await;
    let report = app.get_json("/api/v1/audit/verify").await;
    assert_eq!(report["intact"], true, "{report}");
    assert_eq!(
        report["events"], 5,
        "unit, inspection, finding, measure, patch"
    );
    assert!(report["first_broken"].is_null());

    let url = app.config.database_url.clone();
    let backend = Backend::of_url(&url);
    let mut conn = establish(&url).unwrap();
    // The table itself refuses changes and deletions.
    for sql in [
        "UPDATE events SET actor = 'nobody' WHERE seq = 3",
        "DELETE FROM events WHERE seq = 5",
    ] {
        let err = conn.batch_execute(sql).unwrap_err().to_string();
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    // Someone with the database's keys drops the guard and rewrites who filed the finding.
    let unguard = match backend {
        Backend::Sqlite => "DROP TRIGGER events_no_update; DROP TRIGGER events_no_delete;",
        Backend::Postgres => "ALTER TABLE events DISABLE TRIGGER events_append_only;",
    };
    conn.batch_execute(unguard).unwrap();
    conn.batch_execute("UPDATE events SET actor = 'nobody' WHERE seq = 3")
        .unwrap();
    let report = app.get_json("/api/v1/audit/verify").await;
    assert_eq!(report["intact"], false);
    assert_eq!(report["first_broken"]["seq"], 3, "{report}");
    assert!(report["first_broken"]["reason"]
        .as_str()
        .unwrap()
        .contains("changed"));
    // The command line says the same, with a failing exit status.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_zhenggai"))
        .args(["audit", "verify"])
        .env("DATABASE_URL", &url)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("BROKEN at event 3"), "{stdout}");

    // Putting the value back restores the chain; cutting off the last event is found too.
    conn.batch_execute("UPDATE events SET actor = 'admin-test' WHERE seq = 3")
        .unwrap();
    assert_eq!(app.get_json("/api/v1/audit/verify").await["intact"], true);
    // The name an author went by is sealed too: giving an event a name breaks the chain.
    conn.batch_execute("UPDATE events SET actor_name = '冒名者' WHERE seq = 3")
        .unwrap();
    let report = app.get_json("/api/v1/audit/verify").await;
    assert_eq!(report["first_broken"]["seq"], 3, "{report}");
    conn.batch_execute("UPDATE events SET actor_name = NULL WHERE seq = 3")
        .unwrap();
    assert_eq!(app.get_json("/api/v1/audit/verify").await["intact"], true);
    conn.batch_execute("DELETE FROM events WHERE seq = 5")
        .unwrap();
    let report = app.get_json("/api/v1/audit/verify").await;
    assert_eq!(report["intact"], false, "{report}");
}

#[test]
fn audit_verify_passes_on_an_intact_ledger() {
    let (url, _dir) = crate::helpers::fresh_database_url();
    let run = |args: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_zhenggai"))
            .args(args)
            .env("DATABASE_URL", &url)
            .output()
            .unwrap()
    };
    assert!(run(&["seed"]).status.success());
    let out = run(&["audit", "verify"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("intact"));
}

mod feed {
    use reqwest::Method;
    use serde_json::{json, Value};

    use crate::helpers::{days, id_of, spawn_app, token, TestApp};

    async fn page(app: &TestApp, who: &str, query: &str) -> Value {
        let res = app
            .send(
                Method::GET,
                &format!("/api/v1/events?{query}"),
                Some(who),
                None,
            )
            .await;
        assert_eq!(res.status(), 200);
        res.json().await.unwrap()
    }

    fn actions(page: &Value) -> Vec<String> {
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                format!(
                    "{} {}",
                    e["object_type"].as_str().unwrap(),
                    e["action"].as_str().unwrap()
                )
            })
            .collect()
    }

    #[tokio::test]
    async fn the_feed_is_ordered_resumable_and_scoped() {
        let app = spawn_app().await;
        let admin = token("root", "admin", None);
        let (unit, inspection, finding) = app.ledger().await;
        app.unit("CWS", "财务审计处").await;
        let cws = app.get_json("/api/v1/units?limit=10").await["items"]
            .as_array()
            .unwrap()
            .iter()
            .find(|u| u["code"] == "CWS")
            .unwrap()["id"]
            .as_str()
            .unwrap()
            .to_string();
        let other = app.finding(&inspection, &cws).await;
        app.measure(id_of(&finding), &unit, Some(days(9))).await;
        app.measure(id_of(&other), &cws, Some(days(9))).await;

        // Everything, in order, two at a time, resumed by cursor.
        let mut all = vec![];
        let mut cursor = String::new();
        let mut seqs = vec![];
        loop {
            let p = page(&app, &admin, &format!("limit=2&after={cursor}")).await;
            assert!(p["next_cursor"].is_string(), "always a cursor");
            seqs.extend(
                p["items"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|e| e["seq"].as_i64().unwrap()),
            );
            all.extend(actions(&p));
            let next = p["next_cursor"].as_str().unwrap().to_string();
            if p["items"].as_array().unwrap().is_empty() {
                assert_eq!(next, cursor, "an empty page keeps its place");
                break;
            }
            cursor = next;
        }
        assert_eq!(seqs, (1..=seqs.len() as i64).collect::<Vec<_>>());
        assert_eq!(
            all,
            vec![
                "unit unit.create",
                "inspection inspection.create",
                "finding finding.create",
                "unit unit.create",
                "finding finding.create",
                "measure measure.create",
                "measure measure.create"
            ]
        );
        // 综合科's staff see units, their inspection, their finding and measure only.
        let staff = token("li", "unit", Some("ZHK"));
        let p = page(&app, &staff, "limit=50").await;
        assert_eq!(
            actions(&p),
            vec![
                "unit unit.create",
                "inspection inspection.create",
                "finding finding.create",
                "unit unit.create",
                "measure measure.create"
            ]
        );
        // Resuming where the staff stopped shows nothing new, and keeps the place.
        let again = page(
            &app,
            &staff,
            &format!("after={}", p["next_cursor"].as_str().unwrap()),
        )
        .await;
        assert!(again["items"].as_array().unwrap().is_empty());
        assert_eq!(again["next_cursor"], p["next_cursor"]);
        let bad = app
            .send(
                Method::GET,
                "/api/v1/events?after=nonsense",
                Some(&admin),
                None,
            )
            .await;
        assert_eq!(bad.status(), 400);
        let bad = app
            .send(Method::GET, "/api/v1/events?wait=31", Some(&admin), None)
            .await;
        assert_eq!(bad.status(), 400);
    }

    #[tokio::test]
    async fn a_long_poll_wakes_up_when_something_happens() {
        let app = spawn_app().await;
        let admin = token("root", "admin", None);
        app.unit("ZHK", "综合科").await;
        let p = page(&app, &admin, "").await;
        let cursor = p["next_cursor"].as_str().unwrap().to_string();
        let started = std::time::Instant::now();
        let query = format!("after={cursor}&wait=20");
        let waiting = page(&app, &admin, &query);
        let writer = async {
            tokio::time::sleep(std::time::Duration::from_millis(300)).await;
            app.created(
                "/api/v1/units",
                &json!({"code": "CWS", "name": "财务审计处"}),
            )
            .await;
        };
        let (p, _) = tokio::join!(waiting, writer);
        assert_eq!(actions(&p), vec!["unit unit.create"]);
        assert!(
            started.elapsed() < std::time::Duration::from_secs(10),
            "woke up early"
        );
        // With nothing happening it gives up after `wait` with an empty page.
        let cursor = p["next_cursor"].as_str().unwrap();
        let p = page(&app, &admin, &format!("after={cursor}&wait=1")).await;
        assert!(p["items"].as_array().unwrap().is_empty());
        assert_eq!(p["next_cursor"], cursor);
    }
}
