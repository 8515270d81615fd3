//! Spawns the real app on port 0 with its own fresh database — a temp SQLite file, or a
//! fresh PostgreSQL schema when TEST_DATABASE_URL is set — and talks HTTP to it.

use chrono::NaiveDate;
use reqwest::{Response, StatusCode};
use serde_json::{json, Value};
use tempfile::TempDir;
use zhenggai::auth::keys::JwtConfig;
use zhenggai::auth::token::{Claims, Signer};
use zhenggai::config::Config;
use zhenggai::db::Db;
use zhenggai::startup;

/// The HS256 secret test apps verify with.
pub const TEST_SECRET: &str = "zhenggai-test-secret-0123456789abcdef";

pub struct TestApp {
    pub base: String,
    /// Sends an admin token with every request (unless the request sets its own).
    pub client: reqwest::Client,
    /// Sends no token at all.
    pub anon: reqwest::Client,
    pub config: Config,
    _dir: Option<TempDir>,
    _files: TempDir,
}

/// A token signed with the test secret, valid for an hour.
pub fn token(sub: &str, role: &str, unit: Option<&str>) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = Claims {
        sub: sub.into(),
        name: None,
        role: Some(role.into()),
        unit: unit.map(str::to_string),
        units: None,
        exp: now + 3600,
        iat: Some(now),
        nbf: None,
        iss: None,
        aud: None,
    };
    Signer::Secret(TEST_SECRET.as_bytes().to_vec())
        .sign(&claims)
        .expect("sign")
}

/// A token with these claims (plus `exp`), signed with the test secret.
pub fn token_with(mut claims: Value) -> String {
    claims["exp"] = json!(chrono::Utc::now().timestamp() + 3600);
    let claims: Claims = serde_json::from_value(claims).expect("claims");
    Signer::Secret(TEST_SECRET.as_bytes().to_vec())
        .sign(&claims)
        .expect("sign")
}

pub fn shanghai() -> chrono_tz::Tz {
    chrono_tz::Asia::Shanghai
}

/// Today in the app's zone.
pub fn today() -> NaiveDate {
    chrono::Utc::now().with_timezone(&shanghai()).date_naive()
}

pub fn days(n: i64) -> String {
    (today() + chrono::Duration::days(n)).to_string()
}

/// A database URL of its own for one test.
pub fn fresh_database_url() -> (String, Option<TempDir>) {
    match std::env::var("TEST_DATABASE_URL") {
        Ok(admin) if !admin.is_empty() => (fresh_pg_schema(&admin), None),
        _ => {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("zhenggai-test.db");
            (path.to_string_lossy().into_owned(), Some(dir))
        }
    }
}

fn fresh_pg_schema(admin: &str) -> String {
    use diesel::connection::SimpleConnection;
    let schema = format!("t_{}", uuid::Uuid::now_v7().simple());
    let mut conn =
        zhenggai::db::connection::establish(admin).expect("connect to TEST_DATABASE_URL");
    conn.batch_execute(&format!("CREATE SCHEMA {schema}"))
        .expect("create schema");
    let sep = if admin.contains('?') { '&' } else { '?' };
    format!("{admin}{sep}options=-csearch_path%3D{schema}")
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// An app whose config `adjust` changed first (another key, issuer, audience…).
pub async fn spawn_app_with(adjust: impl FnOnce(&mut Config)) -> TestApp {
    let (database_url, dir) = fresh_database_url();
    let files = tempfile::tempdir().expect("temp dir");
    let mut config = Config {
        database_url,
        replica: None,
        bind: "127.0.0.1:0".into(),
        tz: shanghai(),
        pool_size: 4,
        query_timeout: Some(std::time::Duration::from_secs(30)),
        expensive: zhenggai::api::gate::GateSize {
            at_once: 2,
            queue: 16,
        },
        uploads: zhenggai::api::gate::GateSize {
            at_once: 4,
            queue: 64,
        },
        workers: Some(1),
        jwt: JwtConfig::secret(TEST_SECRET),
        storage_dir: files.path().join("evidence"),
        storage_remote: None,
        max_upload_bytes: 1024 * 1024,
        calendar_dir: None,
        yellow_days: 3,
        remind_after_days: 5,
        webhook_allow: zhenggai::domain::webhooks::Allowlist::parse("127.0.0.1").unwrap(),
        // No scans in the middle of a test that compares versions or the audit trail; the
        // tests of the scanner ask for one a second (`spawn_app_with`).
        scan_interval_secs: 3600,
        min_free_mb: 1,
        data_key_file: files.path().join("data-key"),
        backups: None,
        lang: zhenggai::i18n::Lang::default(),
        cors_origins: vec![],
        rate_limit: zhenggai::api::rate_limit::RateLimit::DEFAULT,
    };
    adjust(&mut config);
    serve(config, dir, files)
}

/// Another instance beside `app`: the same database, evidence store and data key, its
/// own process state (ledger version, caches) — what a second machine behind the same
/// load balancer would be. `app` must outlive it.
pub async fn spawn_beside(app: &TestApp) -> TestApp {
    let files = tempfile::tempdir().expect("temp dir");
    serve(app.config.clone(), None, files)
}

fn serve(config: Config, dir: Option<TempDir>, files: TempDir) -> TestApp {
    let verifier = config.jwt.verifier().expect("JWT key");
    let db = startup::open_for_serving(&config).expect("open test database");
    let (server, addr) = startup::build_server(&config, db, verifier).expect("bind");
    tokio::spawn(server);
    let mut headers = reqwest::header::HeaderMap::new();
    let admin = format!("Bearer {}", token("admin-test", "admin", None));
    headers.insert(
        reqwest::header::AUTHORIZATION,
        admin.parse().expect("header"),
    );
    TestApp {
        base: format!("http://{addr}"),
        client: client().default_headers(headers).build().expect("client"),
        anon: client().build().expect("client"),
        config,
        _dir: dir,
        _files: files,
    }
}

/// A client that lets an idle connection go before the server does (it closes them after
/// 5 s): a request sent on a connection the server is closing at that moment fails.
fn client() -> reqwest::ClientBuilder {
    reqwest::Client::builder().pool_idle_timeout(std::time::Duration::from_secs(2))
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub async fn get(&self, path: &str) -> Response {
        self.client
            .get(self.url(path))
            .send()
            .await
            .expect("request")
    }

    pub async fn post(&self, path: &str, body: &Value) -> Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    pub async fn patch(&self, path: &str, body: &Value) -> Response {
        self.client
            .patch(self.url(path))
            .json(body)
            .send()
            .await
            .expect("request")
    }

    /// Sends a request with `token` (or none) and an optional JSON body.
    pub async fn send(
        &self,
        method: reqwest::Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> Response {
        let mut req = self.anon.request(method, self.url(path));
        if let Some(token) = token {
            req = req.bearer_auth(token);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        req.send().await.expect("request")
    }

    pub async fn get_json(&self, path: &str) -> Value {
        let res = self.get(path).await;
        assert_eq!(res.status(), StatusCode::OK, "GET {path}");
        res.json().await.expect("json")
    }

    /// POSTs and expects 201, returning the body.
    /// POSTs `body` as `token` and requires 201.
    pub async fn created_as(&self, token: &str, path: &str, body: Value) -> Value {
        let res = self.act(token, path, body).await;
        let status = res.status().as_u16();
        let text = res.text().await.unwrap();
        assert_eq!(status, 201, "POST {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    pub async fn created(&self, path: &str, body: &Value) -> Value {
        let res = self.post(path, body).await;
        let status = res.status();
        let body: Value = res.json().await.expect("json");
        assert_eq!(status, StatusCode::CREATED, "POST {path}: {body}");
        body
    }

    pub async fn unit(&self, code: &str, name: &str) -> String {
        let unit = self
            .created("/api/v1/units", &json!({"code": code, "name": name}))
            .await;
        id_of(&unit).to_string()
    }

    /// An inspection whose feedback date lies 60 days back.
    pub async fn inspection(&self, code: &str) -> String {
        let body = json!({
            "code": code, "source_type": "xuncha", "title": "市委第三巡察组巡察反馈问题整改",
            "issuer": "市委第三巡察组", "feedback_date": days(-60)
        });
        self.created("/api/v1/inspections", &body).await["id"]
            .as_str()
            .unwrap()
            .to_string()
    }

    pub async fn finding(&self, inspection_id: &str, unit_id: &str) -> Value {
        let body = json!({
            "category": "strict_governance", "title": "差旅费报销不规范",
            "description": "短距离出差违规报销差旅费。", "responsible_unit_id": unit_id
        });
        self.created(
            &format!("/api/v1/inspections/{inspection_id}/findings"),
            &body,
        )
        .await
    }

    pub async fn measure(&self, finding_id: &str, lead: &str, due: Option<String>) -> Value {
        let mut body = json!({
            "content": "修订《机关差旅费管理办法》", "kind": "time_bound",
            "lead_unit_id": lead, "accountable_leader": "党组成员、副主任"
        });
        match due {
            Some(d) => body["due_date"] = json!(d),
            None => body["kind"] = json!("long_term"),
        }
        self.created(&format!("/api/v1/findings/{finding_id}/measures"), &body)
            .await
    }

    /// A unit, an inspection and a finding: the usual start of a test.
    pub async fn ledger(&self) -> (String, String, Value) {
        let unit = self.unit("ZHK", "综合科").await;
        let inspection = self.inspection("XC-2022-03").await;
        let finding = self.finding(&inspection, &unit).await;
        (unit, inspection, finding)
    }

    /// Loads seed JSON into this app's database, as `zhenggai seed FILE` does.
    pub fn seed(&self, text: &str) -> zhenggai::seed::SeedReport {
        let db = Db::open(&self.config.database_url, 1).expect("open");
        zhenggai::seed::load_text(
            &db,
            text,
            shanghai(),
            self.config.calendar().unwrap().into(),
        )
        .expect("seed")
    }
}

/// The demo ledger's units, people and duties, without its findings (nor, with no
/// measures, its handovers): a ledger to import the demo's sheets into.
pub fn demo_skeleton() -> String {
    let mut demo: Value = serde_json::from_str(zhenggai::seed::DEMO).unwrap();
    for inspection in demo["inspections"].as_array_mut().unwrap() {
        inspection["findings"] = json!([]);
    }
    demo["handovers"] = json!([]);
    demo.to_string()
}

/// The id of the inspection with this code.
pub async fn inspection_id(app: &TestApp, code: &str) -> String {
    let list = app.get_json("/api/v1/inspections?limit=100").await;
    list["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == code)
        .map(|i| id_of(i).to_string())
        .unwrap_or_else(|| panic!("no inspection {code}"))
}

/// The `id` of an object the API answered.
pub fn id_of(v: &Value) -> &str {
    v["id"].as_str().unwrap_or_else(|| panic!("no id in {v}"))
}

/// Asserts an RFC 9457 problem response and returns its body.
pub async fn problem(res: Response, status: u16) -> Value {
    assert_eq!(res.status().as_u16(), status, "status");
    let content_type = res
        .headers()
        .get("content-type")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert_eq!(content_type, "application/problem+json");
    let body: Value = res.json().await.expect("problem json");
    assert_eq!(body["status"], status, "{body}");
    assert!(
        body["type"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["title"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    assert!(
        body["detail"].as_str().is_some_and(|t| !t.is_empty()),
        "{body}"
    );
    body
}

/// A 409 of one kind: `conflict` (a code taken, a request already pending, a concurrent
/// change) or `wrong-state` (the item's state does not allow this), told apart by `type`.
pub async fn conflict_of(res: Response, kind: &str) -> Value {
    let body = problem(res, 409).await;
    assert_eq!(
        body["type"],
        format!("urn:zhenggai:problem:{kind}"),
        "{body}"
    );
    body
}

/// The fields named in a problem's `errors`.
pub fn error_fields(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|e| e["field"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

/// A small but genuine PDF.
pub const PDF: &[u8] =
    b"%PDF-1.4\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n";

impl TestApp {
    /// Uploads `bytes` as evidence of a measure, as `token`.
    pub async fn upload(
        &self,
        token: &str,
        measure_id: &str,
        file_name: &str,
        bytes: Vec<u8>,
    ) -> Response {
        let part = reqwest::multipart::Part::bytes(bytes)
            .file_name(file_name.to_string())
            .mime_str("application/pdf")
            .expect("mime");
        let form = reqwest::multipart::Form::new()
            .part("file", part)
            .text("description", "整改情况报告（盖章扫描件）")
            .text("effective_date", "2022-06-28");
        self.anon
            .post(self.url(&format!("/api/v1/measures/{measure_id}/evidence")))
            .bearer_auth(token)
            .multipart(form)
            .send()
            .await
            .expect("request")
    }

    /// POSTs a workflow action as `token`.
    pub async fn act(&self, token: &str, path: &str, body: Value) -> Response {
        self.send(reqwest::Method::POST, path, Some(token), Some(&body))
            .await
    }
}
