//! Backup of a running ledger, restore into a fresh database and storage, and check.

use serde_json::Value;
use zhenggai::backup;
use zhenggai::db::Db;
use zhenggai::storage::Storage;

use crate::helpers::{id_of, spawn_app, token, TestApp, PDF};

fn ledger_of(app: &TestApp) -> (Db, Storage) {
    let db = Db::open(&app.config.database_url, 2).expect("open");
    let storage = Storage::open(&app.config.storage_dir, u64::MAX).expect("storage");
    (db, storage)
}

async fn everything(app: &TestApp) -> Vec<Value> {
    let mut all = Vec::new();
    for path in [
        "/api/v1/measures?limit=500&sort=created_at",
        "/api/v1/findings?limit=500",
        "/api/v1/events?limit=500",
        "/api/v1/people?limit=500",
        "/api/v1/handovers?limit=500",
        "/api/v1/duties?limit=500",
        "/api/v1/activities?limit=500",
    ] {
        let items = app.get_json(path).await["items"].clone();
        assert!(
            items.as_array().is_some_and(|a| !a.is_empty()),
            "{path} has something to restore"
        );
        all.push(items);
    }
    all
}

#[tokio::test]
async fn a_backup_of_a_running_ledger_restores_elsewhere_as_it_was() {
    let source = spawn_app().await;
    source.seed(zhenggai::seed::DEMO);
    let open = source
        .get_json("/api/v1/measures?status=in_progress&limit=1")
        .await["items"][0]
        .clone();
    let admin = token("chen.admin", "admin", None);
    let res = source
        .upload(&admin, id_of(&open), "整改报告.pdf", PDF.to_vec())
        .await;
    assert_eq!(res.status(), 201);
    let evidence: Value = res.json().await.unwrap();
    let before = everything(&source).await;

    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("backup-1");
    let (db, storage) = ledger_of(&source);
    let manifest = backup::backup(&db, &storage, &into).expect("backup");
    assert_eq!(manifest.files.len(), 1);
    assert!(manifest.ledger_version > 0);
    // Written after the backup: not in it.
    let mut later = PDF.to_vec();
    later.extend_from_slice(b"% later");
    let res = source.upload(&admin, id_of(&open), "后补.pdf", later).await;
    assert_eq!(res.status(), 201);

    let target = spawn_app().await;
    let (db, storage) = ledger_of(&target);
    backup::restore(&db, &storage, &into).expect("restore");
    assert_eq!(everything(&target).await, before);
    assert_eq!(
        target.get_json("/api/v1/audit/verify").await["intact"],
        true
    );
    let content = target
        .get(&format!("/api/v1/evidence/{}/content", id_of(&evidence)))
        .await;
    assert_eq!(content.status(), 200);
    assert_eq!(content.bytes().await.unwrap().to_vec(), PDF.to_vec());
    let listed = target
        .get_json(&format!("/api/v1/measures/{}/evidence", id_of(&open)))
        .await;
    assert_eq!(
        listed["items"].as_array().map(Vec::len),
        Some(1),
        "{listed}"
    );

    let calendar = target.config.calendar().unwrap();
    let report = backup::check(&db, &storage, &calendar).expect("check");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    assert_eq!(report.files, 1);
    // Restoring twice into the same ledger is refused.
    let again = backup::restore(&db, &storage, &into).expect_err("not empty");
    assert!(again.contains("not empty"), "{again}");
    // An altered stored file is named.
    let path = storage
        .path_of(evidence["sha256"].as_str().unwrap())
        .unwrap();
    std::fs::write(&path, b"not the evidence").unwrap();
    let report = backup::check(&db, &storage, &calendar).expect("check");
    assert!(
        report.problems.iter().any(|p| p.contains("altered")),
        "{:?}",
        report.problems
    );
}

#[tokio::test]
async fn an_altered_backup_is_refused_before_anything_is_written() {
    let source = spawn_app().await;
    source.seed(zhenggai::seed::DEMO);
    let dir = tempfile::tempdir().unwrap();
    let into = dir.path().join("b");
    let (db, storage) = ledger_of(&source);
    backup::backup(&db, &storage, &into).expect("backup");
    // One character of one row changed.
    let table = into.join("tables").join("measures.jsonl");
    let text = std::fs::read_to_string(&table).unwrap();
    std::fs::write(&table, text.replacen("not_started", "closed", 1)).unwrap();
    let target = spawn_app().await;
    let (db, storage) = ledger_of(&target);
    let refused = backup::restore(&db, &storage, &into).expect_err("altered");
    assert!(refused.contains("altered"), "{refused}");
    assert_eq!(target.get_json("/api/v1/units").await["total"], 0);
    assert_eq!(target.get_json("/api/v1/measures").await["total"], 0);
}

#[tokio::test]
async fn scheduled_backups_keep_the_newest_few() {
    let dir = tempfile::tempdir().unwrap();
    let base = dir.path().to_path_buf();
    let app = crate::helpers::spawn_app_with(|c| {
        c.backups = Some(zhenggai::config::BackupSchedule {
            dir: base.clone(),
            every_secs: 1,
            keep: 2,
        })
    })
    .await;
    app.seed(zhenggai::seed::DEMO);
    let complete = || -> Vec<std::path::PathBuf> {
        std::fs::read_dir(&base)
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.join("manifest.json").exists())
            .collect()
    };
    // Bounded: at most 15 s for two backups to be complete …
    for _ in 0..150 {
        if complete().len() >= 2 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // … then two or three more are taken, and only the newest two are kept.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let kept = complete();
    assert_eq!(kept.len(), 2, "{kept:?}");
    for backup in &kept {
        backup::verify_backup(backup).expect("a kept backup is whole");
    }
}
