//! The audit trail cannot be quietly rewritten: the database refuses edits, and an edit
//! made anyway (by someone who drops the guard) is found by `audit verify`.

use diesel::connection::SimpleConnection;
use serde_json::json;
use zhenggai::db::connection::{establish, Backend};

use crate::helpers::spawn_app;

#[tokio::test]
async fn every_write_is_chained_and_tampering_is_found() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let finding_id = finding["id"].as_str().unwrap();
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
