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
    assert!(
        printed == committed,
        "openapi/openapi.json is stale: run `cargo run -- openapi > openapi/openapi.json`"
    );
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
    let first = run(&["seed"]);
    assert!(first.contains("19 measures"), "{first}");
    assert!(first.contains("14 duties"), "{first}");
    let again = run(&["seed"]);
    assert!(
        again.contains("0 measures, 0 handovers, 0 duties, 0 activities (60 already present)"),
        "{again}"
    );
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

/// `zhenggai token` with only the given JWT settings from the environment.
fn token_command(
    dir: &std::path::Path,
    env: &[(&str, &str)],
    args: &[&str],
) -> std::process::Output {
    let mut cmd = zhenggai();
    cmd.arg("token").args(args).current_dir(dir);
    for name in [
        "ZHENGGAI_JWT_SECRET",
        "ZHENGGAI_JWT_SECRET_FILE",
        "ZHENGGAI_JWT_PUBLIC_KEY",
        "ZHENGGAI_JWT_PRIVATE_KEY",
        "ZHENGGAI_JWT_ISSUER",
        "ZHENGGAI_JWT_AUDIENCE",
        "DATABASE_URL",
    ] {
        cmd.env_remove(name);
    }
    cmd.envs(env.iter().copied()).output().unwrap()
}

#[tokio::test]
async fn token_prints_a_token_the_service_accepts_using_the_secret_file_it_shares() {
    use zhenggai::auth::keys::KeySource;
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("ledger.db");
    let out = token_command(
        dir.path(),
        &[("DATABASE_URL", db.to_str().unwrap())],
        &[
            "--sub", "li.zhk", "--role", "unit", "--unit", "JRB-ZHK", "--ttl", "30m",
        ],
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let token = String::from_utf8(out.stdout).unwrap().trim().to_string();
    // The secret was created beside the database, readable by its owner only.
    let secret_file = dir.path().join("ledger.db.jwt-secret");
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&secret_file)
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    // A service using that file accepts the token, with the claims asked for.
    let app =
        crate::helpers::spawn_app_with(|c| c.jwt.key = KeySource::SecretFile(secret_file)).await;
    let out = token_command(
        dir.path(),
        &[("DATABASE_URL", db.to_str().unwrap())],
        &["--sub", "admin", "--role", "admin"],
    );
    let admin = String::from_utf8(out.stdout).unwrap().trim().to_string();
    let res = app
        .send(
            reqwest::Method::POST,
            "/api/v1/units",
            Some(&admin),
            Some(&serde_json::json!({"code": "JRB-ZHK", "name": "综合科"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let res = app
        .send(reqwest::Method::GET, "/api/v1/findings", Some(&token), None)
        .await;
    assert_eq!(res.status(), 200);
    let res = app
        .send(
            reqwest::Method::POST,
            "/api/v1/units",
            Some(&token),
            Some(&serde_json::json!({"code": "X", "name": "X"})),
        )
        .await;
    assert_eq!(res.status(), 403, "a unit token is a unit token");
    let payload = token.split('.').nth(1).unwrap();
    use base64::Engine;
    let claims: serde_json::Value = serde_json::from_slice(
        &base64::engine::general_purpose::URL_SAFE_NO_PAD
            .decode(payload)
            .unwrap(),
    )
    .unwrap();
    assert_eq!(claims["sub"], "li.zhk");
    assert_eq!(claims["unit"], "JRB-ZHK");
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        1800
    );
}

#[test]
fn token_refuses_what_the_service_would_refuse() {
    let dir = tempfile::tempdir().unwrap();
    let secret = [(
        "ZHENGGAI_JWT_SECRET",
        "a-shared-secret-of-thirty-two-chars!",
    )];
    let stderr = |out: std::process::Output| {
        assert!(!out.status.success());
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    assert!(stderr(token_command(
        dir.path(),
        &secret,
        &["--sub", "a", "--role", "leader"]
    ))
    .contains("--unit"));
    assert!(stderr(token_command(
        dir.path(),
        &secret,
        &["--sub", "a", "--role", "root"]
    ))
    .contains("admin, office, unit, leader, supervisor, viewer"));
    assert!(stderr(token_command(
        dir.path(),
        &secret,
        &["--sub", "a", "--role", "admin", "--ttl", "forever"]
    ))
    .contains("8h"));
    let public = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rsa-public.pem");
    let ec_private = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ec-private.pem");
    let rsa_private = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/rsa-private.pem"
    );
    let args = ["--sub", "a", "--role", "admin"];
    assert!(stderr(token_command(
        dir.path(),
        &[("ZHENGGAI_JWT_PUBLIC_KEY", public)],
        &args
    ))
    .contains("ZHENGGAI_JWT_PRIVATE_KEY"));
    assert!(stderr(token_command(
        dir.path(),
        &[
            ("ZHENGGAI_JWT_PUBLIC_KEY", public),
            ("ZHENGGAI_JWT_PRIVATE_KEY", ec_private)
        ],
        &args
    ))
    .contains("do the keys match"));
    let out = token_command(
        dir.path(),
        &[
            ("ZHENGGAI_JWT_PUBLIC_KEY", public),
            ("ZHENGGAI_JWT_PRIVATE_KEY", rsa_private),
        ],
        &args,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stderr(token_command(
        dir.path(),
        &[("ZHENGGAI_JWT_SECRET", "short")],
        &args
    ))
    .contains("at least 32"));
}

#[tokio::test]
async fn a_synthetic_ledger_is_realistic_and_loaded_once() {
    let app = crate::helpers::spawn_app().await;
    let run = || {
        zhenggai()
            .args(["seed", "--synthetic", "4000"])
            .env("DATABASE_URL", &app.config.database_url)
            .output()
            .unwrap()
    };
    let out = run();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("4000 measures"));
    let again = run();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("already"));
    // The server learns of another process's writes within a second.
    tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
    let stats = app.get_json("/api/v1/stats?group_by=kind").await;
    let total = &stats["total"];
    assert_eq!(total["measures"], 4000);
    assert_eq!(total["findings"], 200);
    let overdue = total["overdue"].as_f64().unwrap() / 4000.0;
    assert!(
        (0.10..0.20).contains(&overdue),
        "about 15% overdue: {overdue}"
    );
    assert_eq!(
        stats["groups"].as_array().unwrap().len(),
        3,
        "all three kinds"
    );
    assert!(total["closed"].as_i64().unwrap() > 0);
    assert_eq!(app.get_json("/api/v1/units").await["total"], 50);
    assert_eq!(app.get_json("/api/v1/audit/verify").await["intact"], true);
}

#[test]
fn export_and_import_work_from_the_command_line() {
    let (url, _dir) = crate::helpers::fresh_database_url();
    let files = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        zhenggai()
            .args(args)
            .env("DATABASE_URL", &url)
            .current_dir(files.path())
            .output()
            .unwrap()
    };
    assert!(run(&["seed"]).status.success());
    let out = run(&[
        "export",
        "--format",
        "csv",
        "--inspection",
        "XC-2022-03",
        "-o",
        "台账.csv",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("exported 17 measures"));
    let sheet = std::fs::read_to_string(files.path().join("台账.csv")).unwrap();
    assert!(sheet.starts_with("\u{feff}序号,问题编号,问题来源"));

    let out = run(&[
        "import",
        "台账.csv",
        "--inspection",
        "XC-2022-03",
        "--dry-run",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let said = String::from_utf8_lossy(&out.stdout);
    assert!(said.contains("dry run"), "{said}");
    assert!(
        said.contains("measures 0 new, 0 changed, 17 unchanged"),
        "{said}"
    );

    let bad = sheet.replacen("限期整改", "马上改", 1);
    std::fs::write(files.path().join("错.csv"), bad).unwrap();
    let out = run(&["import", "错.csv", "--inspection", "XC-2022-03"]);
    assert!(!out.status.success());
    let said = String::from_utf8_lossy(&out.stderr);
    assert!(said.contains("nothing was imported"), "{said}");
    assert!(said.contains("整改类型 \"马上改\""), "{said}");

    let out = run(&["export", "--format", "xlsx"]);
    assert!(out.status.success());
    assert!(
        out.stdout.starts_with(b"PK\x03\x04"),
        "the workbook goes to standard output"
    );
    let out = run(&["import", "台账.csv", "--inspection", "NO-SUCH"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("no inspection has code NO-SUCH"));
}

#[test]
fn backup_restore_and_check_from_the_command_line() {
    let (source, _a) = crate::helpers::fresh_database_url();
    let (target, _b) = crate::helpers::fresh_database_url();
    let files = tempfile::tempdir().unwrap();
    let run = |url: &str, storage: &str, args: &[&str]| {
        zhenggai()
            .args(args)
            .env("DATABASE_URL", url)
            .env("ZHENGGAI_STORAGE_DIR", files.path().join(storage))
            .output()
            .unwrap()
    };
    let ok = |out: std::process::Output| {
        assert!(
            out.status.success(),
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    ok(run(&source, "a", &["seed"]));
    let dir = files.path().join("backup");
    let dir = dir.to_str().unwrap();
    let said = ok(run(&source, "a", &["backup", dir]));
    assert!(said.contains("backed up"), "{said}");
    // Into the same directory again: refused, the first backup is kept.
    assert!(!run(&source, "a", &["backup", dir]).status.success());
    let said = ok(run(&target, "b", &["restore", dir]));
    assert!(said.contains("audit trail intact"), "{said}");
    let said = ok(run(&target, "b", &["check"]));
    assert!(said.contains("intact"), "{said}");
    // A second restore into the now-full ledger fails and says why.
    let out = run(&target, "b", &["restore", dir]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("not empty"));
}
