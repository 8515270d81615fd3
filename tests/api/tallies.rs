//! The dashboards' tallies (kept by the database in every write's transaction) equal a full
//! recount after a random mix of every kind of write: an import, creates, patches of
//! measures and findings, every action, extensions approved and rejected, reminders,
//! rechecks and reopenings. And `zhenggai check` names a tally that drifted.

use std::collections::{BTreeMap, HashMap};

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    days, demo_skeleton, id_of, inspection_id, spawn_app, today, token, TestApp, PDF,
};
use zhenggai::db::repo::stats::{self, MeasureCounts, StatsFilter};
use zhenggai::db::repo::{tallies, Visibility};
use zhenggai::domain::deadline::Today;
use zhenggai::domain::stats::GroupBy;

const STEPS: usize = 240;

/// xorshift64*: the same mix every run, a different path through it per seed.
struct Rng(u64);

impl Rng {
    fn below(&mut self, n: usize) -> usize {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 33) as usize % n.max(1)
    }
}

/// A group's numbers as text, without the distinct findings (tallied apart).
fn numbers(rows: Vec<MeasureCounts>) -> BTreeMap<String, String> {
    rows.into_iter()
        .map(|r| {
            let n = |v: Option<i64>| v.unwrap_or(0);
            let text = format!(
                "measures {} closed {} completed {} overdue {} red {} yellow {} ext {} ret {} \
                 due-closed {} on-time {} days {} timed {} fixed {} fixed-closed {} rem {} rc {} rl {}",
                r.measures,
                n(r.closed),
                n(r.completed),
                n(r.overdue),
                n(r.red),
                n(r.yellow),
                n(r.extensions),
                n(r.returns),
                n(r.closed_with_due),
                n(r.on_time),
                n(r.days_to_close),
                n(r.timed),
                n(r.fixed),
                n(r.fixed_closed),
                n(r.reminders),
                n(r.rechecked),
                n(r.relapsed)
            );
            (r.key, text)
        })
        .collect()
}

/// The tallies recounted from the rows, and read as the dashboards read them, on several
/// days (today, tomorrow, a month on: a new day rewrites nothing).
fn assert_tallies_hold(app: &TestApp, step: usize) {
    let mut conn =
        zhenggai::db::connection::establish(&app.config.database_url).expect("connection");
    let drift = tallies::drift(&mut conn).expect("recount");
    assert!(drift.is_empty(), "after step {step}: {drift:#?}");
    let calendar: std::sync::Arc<_> = app.config.calendar().unwrap().into();
    for ahead in [0, 1, 30] {
        let day = Today::new(
            today() + chrono::Duration::days(ahead),
            calendar.clone(),
            app.config.yellow_days,
        );
        let counted = stats::measures(
            &mut conn,
            GroupBy::Unit,
            &Visibility::All,
            &StatsFilter::default(),
            &day,
        )
        .expect("count");
        let tallied = tallies::measures_by_unit(&mut conn, &day).expect("tallies");
        assert_eq!(
            numbers(tallied),
            numbers(counted),
            "after step {step}, {ahead} days on"
        );
    }
    let counted: HashMap<String, i64> = stats::findings(
        &mut conn,
        Some(GroupBy::Unit),
        &Visibility::All,
        &StatsFilter::default(),
    )
    .expect("count")
    .unwrap_or_default()
    .into_iter()
    .collect();
    let tallied: HashMap<String, i64> = tallies::findings_by_unit(&mut conn)
        .expect("tallies")
        .into_iter()
        .collect();
    assert_eq!(tallied, counted, "findings after step {step}");
}

/// The actions, in the order of `Mix::step`'s first operations.
const ACTIONS: [&str; 7] = [
    "start", "report", "submit", "endorse", "verify", "return", "reopen",
];

struct Mix {
    app: TestApp,
    office: String,
    units: Vec<(String, String)>,
    inspection: String,
    done: BTreeMap<&'static str, usize>,
}

impl Mix {
    async fn send(&self, who: &str, method: Method, path: &str, body: Value) -> (u16, Value) {
        let res = self.app.send(method, path, Some(who), Some(&body)).await;
        let status = res.status().as_u16();
        assert!(status < 500, "{path}: {status}");
        (status, res.json().await.unwrap_or(Value::Null))
    }

    fn admin(&self) -> String {
        token("admin-test", "admin", None)
    }

    /// One write, chosen by `op`, on measure `m` (as listed); counted when it succeeded.
    async fn step(&mut self, op: usize, m: &Value, rng: &mut Rng) {
        let id = id_of(m).to_string();
        let act = |a: &str| format!("/api/v1/measures/{id}/actions/{a}");
        let admin = self.admin();
        let office = self.office.clone();
        let (name, (status, _)) = match op {
            0 => (
                "start",
                self.send(&admin, Method::POST, &act("start"), json!({}))
                    .await,
            ),
            1 => (
                "report",
                self.send(
                    &admin,
                    Method::POST,
                    &act("report"),
                    json!({"text": "已完成阶段性整改。", "percent": 50}),
                )
                .await,
            ),
            2 => {
                let res = self.app.upload(&admin, &id, "佐证.pdf", PDF.to_vec()).await;
                let evidence = if res.status() == 201 {
                    id_of(&res.json::<Value>().await.unwrap()).to_string()
                } else {
                    String::new()
                };
                let body = json!({"statement": "已完成整改。", "evidence_ids": [evidence]});
                (
                    "submit",
                    self.send(&admin, Method::POST, &act("submit"), body).await,
                )
            }
            3 => {
                let code = self
                    .units
                    .iter()
                    .find(|(uid, _)| m["lead_unit_id"] == uid.as_str())
                    .map(|(_, code)| code.clone())
                    .unwrap_or_default();
                let leader = token("leader.mix", "leader", Some(&code));
                (
                    "endorse",
                    self.send(&leader, Method::POST, &act("endorse"), json!({}))
                        .await,
                )
            }
            4 => (
                "verify",
                self.send(&office, Method::POST, &act("verify"), json!({}))
                    .await,
            ),
            5 => (
                "return",
                self.send(
                    &office,
                    Method::POST,
                    &act("return"),
                    json!({"reason": "佐证材料不足"}),
                )
                .await,
            ),
            6 => (
                "reopen",
                self.send(
                    &office,
                    Method::POST,
                    &act("reopen"),
                    json!({"reason": "回头看发现反弹"}),
                )
                .await,
            ),
            7 => (
                "remind",
                self.send(
                    &office,
                    Method::POST,
                    &act("remind"),
                    json!({"text": "请抓紧整改。"}),
                )
                .await,
            ),
            8 => {
                let result = ["holds", "relapsed"][rng.below(2)];
                let body = json!({"result": result, "note": "抽查", "checked_on": days(0)});
                let path = format!("/api/v1/measures/{id}/rechecks");
                (
                    "recheck",
                    self.send(&office, Method::POST, &path, body).await,
                )
            }
            9 => {
                let later = m["due_date"]
                    .as_str()
                    .and_then(|d| d.parse::<chrono::NaiveDate>().ok())
                    .map_or(days(60), |d| {
                        (d.max(today()) + chrono::Duration::days(30)).to_string()
                    });
                let body = json!({"requested_due_date": later, "reason": "需与市财政局会签"});
                let path = format!("/api/v1/measures/{id}/extensions");
                let (status, asked) = self.send(&admin, Method::POST, &path, body).await;
                if status == 201 {
                    // In turn, so that both decisions happen.
                    let decided = self.done.get("extension approved").copied().unwrap_or(0)
                        + self.done.get("extension rejected").copied().unwrap_or(0);
                    let decide = ["approve", "reject"][decided % 2];
                    let path = format!("/api/v1/extensions/{}/{decide}", id_of(&asked));
                    let body = if decide == "approve" {
                        json!({})
                    } else {
                        json!({"reason": "理由不充分"})
                    };
                    let name = if decide == "approve" {
                        "extension approved"
                    } else {
                        "extension rejected"
                    };
                    (name, self.send(&office, Method::POST, &path, body).await)
                } else {
                    ("extension asked", (status, asked))
                }
            }
            10 => {
                let (unit, _) = self.units[rng.below(self.units.len())].clone();
                let body = if rng.below(2) == 0 {
                    json!({"lead_unit_id": unit})
                } else {
                    json!({"due_date": days(rng.below(40) as i64 - 10)})
                };
                let path = format!("/api/v1/measures/{id}");
                (
                    "patch measure",
                    self.send(&office, Method::PATCH, &path, body).await,
                )
            }
            11 => {
                let (unit, _) = self.units[rng.below(self.units.len())].clone();
                let finding = self.app.finding(&self.inspection, &unit).await;
                let due = if rng.below(3) == 0 {
                    None
                } else {
                    Some(days(rng.below(30) as i64 - 5))
                };
                self.app.measure(id_of(&finding), &unit, due).await;
                approved(&self.app, id_of(&finding)).await;
                ("create", (201, Value::Null))
            }
            _ => {
                let (unit, _) = self.units[rng.below(self.units.len())].clone();
                let path = format!("/api/v1/findings/{}", m["finding_id"].as_str().unwrap());
                let body = json!({"responsible_unit_id": unit});
                (
                    "patch finding",
                    self.send(&office, Method::PATCH, &path, body).await,
                )
            }
        };
        if status < 300 {
            *self.done.entry(name).or_default() += 1;
        }
    }
}

/// Claims, plans and approves a finding, so that its measures can start.
async fn approved(app: &TestApp, finding: &str) {
    for action in ["claim", "submit_plan", "approve_plan"] {
        app.post(
            &format!("/api/v1/findings/{finding}/actions/{action}"),
            &json!({}),
        )
        .await;
    }
}

#[tokio::test]
async fn the_tallies_equal_a_full_recount_after_a_random_mix_of_every_kind_of_write() {
    // An import first: the demo's 整改台账 of XC-2022-03 into a ledger that has its units.
    let source = spawn_app().await;
    source.seed(zhenggai::seed::DEMO);
    let xc = inspection_id(&source, "XC-2022-03").await;
    let sheet = source
        .get(&format!("/api/v1/ledger.xlsx?inspection_id={xc}"))
        .await
        .bytes()
        .await
        .unwrap()
        .to_vec();
    let app = spawn_app().await;
    app.seed(&demo_skeleton());
    assert_tallies_hold(&app, 0);
    let fresh = inspection_id(&app, "XC-2022-03").await;
    let part = reqwest::multipart::Part::bytes(sheet).file_name("台账.xlsx");
    let res = app
        .anon
        .post(app.url(&format!(
            "/api/v1/inspections/{fresh}/ledger/import?dry_run=false"
        )))
        .bearer_auth(token("wang.office", "office", None))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    let report: Value = res.json().await.unwrap();
    assert_eq!(report["measures"]["created"], 17, "{report}");
    assert_tallies_hold(&app, 0);
    let units = app.get_json("/api/v1/units?limit=100").await;
    let units: Vec<(String, String)> = units["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| {
            (
                id_of(u).to_string(),
                u["code"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let inspection = app.inspection("XC-2026-09").await;
    let mut mix = Mix {
        office: token("wang.office", "office", None),
        units,
        inspection,
        done: BTreeMap::new(),
        app,
    };
    for _ in 0..4 {
        let (unit, _) = mix.units[1].clone();
        let finding = mix.app.finding(&mix.inspection, &unit).await;
        mix.app
            .measure(id_of(&finding), &unit, Some(days(12)))
            .await;
    }
    // Plans approved, so that measures can start.
    let findings = mix.app.get_json("/api/v1/findings?limit=200").await;
    for f in findings["items"].as_array().unwrap() {
        approved(&mix.app, id_of(f)).await;
    }
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for step in 1..=STEPS {
        let list = mix.app.get_json("/api/v1/measures?limit=200").await;
        let items = list["items"].as_array().unwrap().clone();
        let m = &items[rng.below(items.len())];
        // Half the time a step the measure allows now, else any write at all.
        let allowed: Vec<usize> = m["allowed_actions"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|a| ACTIONS.iter().position(|x| a == x))
            // A closed measure may also be re-checked (op 8).
            .flat_map(|op| if op == 6 { vec![6, 8] } else { vec![op] })
            .collect();
        let op = if !allowed.is_empty() && rng.below(2) == 0 {
            allowed[rng.below(allowed.len())]
        } else {
            rng.below(13)
        };
        mix.step(op, m, &mut rng).await;
        if step % 20 == 0 {
            assert_tallies_hold(&mix.app, step);
        }
    }
    assert_tallies_hold(&mix.app, STEPS);
    // Every kind of write really happened in the mix.
    for name in [
        "start",
        "report",
        "submit",
        "endorse",
        "verify",
        "return",
        "reopen",
        "remind",
        "recheck",
        "extension approved",
        "extension rejected",
        "patch measure",
        "create",
        "patch finding",
    ] {
        assert!(
            mix.done.get(name).copied().unwrap_or(0) > 0,
            "no {name}: {:?}",
            mix.done
        );
    }
}

#[tokio::test]
async fn the_check_recounts_the_tallies_and_names_one_that_drifted() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let db = zhenggai::db::Db::open(&app.config.database_url, 1).expect("open");
    let storage =
        zhenggai::storage::Storage::open(&app.config.storage_dir, u64::MAX).expect("storage");
    let calendar = app.config.calendar().unwrap();
    let report = zhenggai::backup::check(&db, &storage, &calendar).expect("check");
    assert!(report.problems.is_empty(), "{:?}", report.problems);
    // A tally changed behind the triggers' back.
    let mut conn =
        zhenggai::db::connection::establish(&app.config.database_url).expect("connection");
    use diesel::connection::SimpleConnection;
    conn.batch_execute(
        "UPDATE open_tallies SET measures = measures + 2 \
         WHERE lead_unit_id = (SELECT MIN(lead_unit_id) FROM open_tallies)",
    )
    .unwrap();
    let report = zhenggai::backup::check(&db, &storage, &calendar).expect("check");
    assert!(
        report
            .problems
            .iter()
            .any(|p| p.starts_with("open_tallies [") && p.contains("the rows count")),
        "{:?}",
        report.problems
    );
    // Only what was changed: the rows of that one unit's open tally.
    assert!(
        report
            .problems
            .iter()
            .all(|p| p.starts_with("open_tallies [")),
        "{:?}",
        report.problems
    );
}
