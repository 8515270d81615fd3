//! The binary itself: `openapi`, `seed`, `migrate`, and how it fails.

use std::process::Command;

fn zhenggai() -> Command {
    Command::new(env!("CARGO_BIN_EXE_zhenggai"))
}

#[test]
fn openapi_prints_the_committed_document() {
    let out = zhenggai().arg("openapi").output().unwrap();
    assert!(out.status.success());
    let printed = String::from_utf8(out.stdout).unwrap();
    let committed =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi/openapi.json"))
            .unwrap();
    assert_eq!(printed, committed);
}

#[test]
fn seed_and_migrate_work_from_any_directory_and_seed_twice_adds_nothing() {
    let (url, _dir) = crate::helpers::fresh_database_url();
    let elsewhere = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = zhenggai()
            .args(args)
            .env("DATABASE_URL", &url)
            .current_dir(elsewhere.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    assert!(run(&["migrate"]).contains("up to date"));
    assert!(run(&["seed"]).contains("19 measures"));
    assert!(run(&["seed"]).contains("0 measures (38 already present)"));
}

#[test]
fn an_unreachable_postgres_fails_fast_with_the_real_error() {
    let started = std::time::Instant::now();
    let out = zhenggai()
        .arg("migrate")
        .env(
            "DATABASE_URL",
            "postgres://zhenggai:secret@127.0.0.1:1/zhenggai",
        )
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("cannot connect to the postgresql database"),
        "{stderr}"
    );
    assert!(
        stderr.to_lowercase().contains("connection refused") || stderr.contains("127.0.0.1"),
        "{stderr}"
    );
    assert!(!stderr.contains("multiconnection"), "{stderr}");
    assert!(
        !stderr.contains("secret"),
        "the password is never printed: {stderr}"
    );
    assert!(started.elapsed().as_secs() < 20, "fails fast");
}

#[test]
fn a_bad_time_zone_is_refused_at_start() {
    let out = zhenggai()
        .arg("migrate")
        .env("ZHENGGAI_TZ", "Mars/Olympus")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("ZHENGGAI_TZ"));
}
