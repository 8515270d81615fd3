//! Who may do what, over HTTP: every endpoint × every role × own / involved / other unit's
//! item → the expected status, written out by hand so that loosening any single rule
//! fails a cell. Then the lists: a unit's caller lists, counts and pages only its own.
//!
//! The world: units A, B, C. The callers' unit is A.
//! - I1 (A's own):   FA responsible A, with MA led by C; FO responsible B, with MO led by B.
//! - I3 (involved):  FX responsible B, with MX led by B and supported by A, and MY led by C.
//! - I2 (other's):   FB responsible B, with MB led by B.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::id_of;
use crate::helpers::{days, spawn_app, token, TestApp};

const ROLES: [&str; 6] = ["admin", "office", "unit", "leader", "supervisor", "viewer"];

struct World {
    units: [String; 3],
    i1: String,
    i2: String,
    i3: String,
    fa: String,
    fb: String,
    fx: String,
    fo: String,
    ma: String,
    mo: String,
    mb: String,
    mx: String,
    my: String,
}

async fn world(app: &TestApp) -> World {
    let a = app.unit("A", "综合科").await;
    let b = app.unit("B", "财务审计处").await;
    let c = app.unit("C", "机关党委").await;
    let i1 = app.inspection("XC-2022-03").await;
    let i2 = app.inspection("XC-2023-01").await;
    let i3 = app.inspection("SJ-2024-02").await;
    let id = |v: Value| id_of(&v).to_string();
    let fa = id(app.finding(&i1, &a).await);
    let fx = id(app.finding(&i3, &b).await);
    let fb = id(app.finding(&i2, &b).await);
    let fo = id(app.finding(&i1, &b).await);
    let ma = id(app.measure(&fa, &c, Some(days(30))).await);
    let mo = id(app.measure(&fo, &b, Some(days(30))).await);
    let mb = id(app.measure(&fb, &b, Some(days(30))).await);
    let my = id(app.measure(&fx, &c, Some(days(30))).await);
    let mx = id(app
        .created(
            &format!("/api/v1/findings/{fx}/measures"),
            &json!({
                "content": "建立财务报销联审机制", "kind": "time_bound", "due_date": days(40),
                "lead_unit_id": b, "supporting_unit_ids": [a], "accountable_leader": "分管副主任"
            }),
        )
        .await);
    World {
        units: [a, b, c],
        i1,
        i2,
        i3,
        fa,
        fb,
        fx,
        fo,
        ma,
        mo,
        mb,
        mx,
        my,
    }
}

fn caller_token(role: &str) -> String {
    let unit = matches!(role, "unit" | "leader").then_some("A");
    token(&format!("{role}-matrix"), role, unit)
}

/// A body valid for each kind of write, fresh codes each time.
fn body(kind: &str, n: usize, unit: &str) -> Value {
    match kind {
        "unit" => json!({"code": format!("U{n}"), "name": format!("新单位{n}")}),
        "inspection" => json!({
            "code": format!("DC-{n}"), "source_type": "supervision", "title": "专项督查",
            "issuer": "市委督查室", "feedback_date": days(-10)
        }),
        "finding" => json!({
            "category": "strict_governance", "title": "公务接待超标准", "description": "超标准接待。",
            "responsible_unit_id": unit
        }),
        "measure" => json!({
            "content": "开展专项整治", "kind": "time_bound", "due_date": days(20),
            "lead_unit_id": unit, "accountable_leader": "主任"
        }),
        "patch-inspection" => json!({"title": format!("巡察反馈问题整改（第{n}次修订）")}),
        "patch-finding" => json!({"title": format!("差旅费报销不规范（第{n}次修订）")}),
        "patch-measure" => json!({"content": format!("修订差旅费管理办法（第{n}次修订）")}),
        other => panic!("no body for {other}"),
    }
}

#[tokio::test]
async fn every_endpoint_every_role_own_involved_and_other_items() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let b = &w.units[1];
    // New findings and measures go to C, so the writes leave A's scope as it was.
    let c = &w.units[2];
    // (method, path, body kind, expected status for admin, office, unit, leader, supervisor, viewer)
    let cells: Vec<(Method, String, &str, [u16; 6])> = vec![
        // Units: everyone reads the directory; only admin creates.
        (Method::GET, "/api/v1/units".into(), "", [200; 6]),
        (Method::GET, format!("/api/v1/units/{b}"), "", [200; 6]),
        (
            Method::POST,
            "/api/v1/units".into(),
            "unit",
            [201, 403, 403, 403, 403, 403],
        ),
        // Inspections.
        (Method::GET, "/api/v1/inspections".into(), "", [200; 6]),
        (
            Method::POST,
            "/api/v1/inspections".into(),
            "inspection",
            [201, 201, 403, 403, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/v1/inspections/{}", w.i1),
            "",
            [200; 6],
        ),
        (
            Method::GET,
            format!("/api/v1/inspections/{}", w.i3),
            "",
            [200; 6],
        ),
        (
            Method::GET,
            format!("/api/v1/inspections/{}", w.i2),
            "",
            [200, 200, 404, 404, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/inspections/{}", w.i1),
            "patch-inspection",
            [200, 200, 403, 403, 403, 403],
        ),
        (
            Method::PATCH,
            format!("/api/v1/inspections/{}", w.i3),
            "patch-inspection",
            [200, 200, 403, 403, 403, 403],
        ),
        (
            Method::PATCH,
            format!("/api/v1/inspections/{}", w.i2),
            "patch-inspection",
            [200, 200, 404, 404, 403, 403],
        ),
        // Findings.
        (Method::GET, "/api/v1/findings".into(), "", [200; 6]),
        (
            Method::POST,
            format!("/api/v1/inspections/{}/findings", w.i1),
            "finding",
            [201, 201, 403, 403, 403, 403],
        ),
        (
            Method::POST,
            format!("/api/v1/inspections/{}/findings", w.i3),
            "finding",
            [201, 201, 403, 403, 403, 403],
        ),
        (
            Method::POST,
            format!("/api/v1/inspections/{}/findings", w.i2),
            "finding",
            [201, 201, 404, 404, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/v1/findings/{}", w.fa),
            "",
            [200; 6],
        ),
        (
            Method::GET,
            format!("/api/v1/findings/{}", w.fx),
            "",
            [200; 6],
        ),
        (
            Method::GET,
            format!("/api/v1/findings/{}", w.fb),
            "",
            [200, 200, 404, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/findings/{}", w.fo),
            "",
            [200, 200, 404, 404, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/findings/{}", w.fa),
            "patch-finding",
            [200, 200, 403, 403, 403, 403],
        ),
        (
            Method::PATCH,
            format!("/api/v1/findings/{}", w.fx),
            "patch-finding",
            [200, 200, 403, 403, 403, 403],
        ),
        (
            Method::PATCH,
            format!("/api/v1/findings/{}", w.fb),
            "patch-finding",
            [200, 200, 404, 404, 403, 403],
        ),
        // Measures: the responsible unit's staff add and edit them; its leader only reads.
        (Method::GET, "/api/v1/measures".into(), "", [200; 6]),
        (
            Method::GET,
            "/api/v1/extensions?status=pending".into(),
            "",
            [200; 6],
        ),
        (
            Method::POST,
            format!("/api/v1/findings/{}/measures", w.fa),
            "measure",
            [201, 201, 201, 403, 403, 403],
        ),
        (
            Method::POST,
            format!("/api/v1/findings/{}/measures", w.fx),
            "measure",
            [201, 201, 403, 403, 403, 403],
        ),
        (
            Method::POST,
            format!("/api/v1/findings/{}/measures", w.fb),
            "measure",
            [201, 201, 404, 404, 403, 403],
        ),
        (
            Method::GET,
            format!("/api/v1/measures/{}", w.ma),
            "",
            [200; 6],
        ),
        (
            Method::GET,
            format!("/api/v1/measures/{}", w.mx),
            "",
            [200; 6],
        ),
        (
            Method::GET,
            format!("/api/v1/measures/{}", w.my),
            "",
            [200, 200, 404, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/measures/{}", w.mb),
            "",
            [200, 200, 404, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/measures/{}", w.mo),
            "",
            [200, 200, 404, 404, 200, 200],
        ),
        (
            Method::PATCH,
            format!("/api/v1/measures/{}", w.mo),
            "patch-measure",
            [200, 200, 404, 404, 403, 403],
        ),
        (
            Method::PATCH,
            format!("/api/v1/measures/{}", w.ma),
            "patch-measure",
            [200, 200, 200, 403, 403, 403],
        ),
        (
            Method::PATCH,
            format!("/api/v1/measures/{}", w.mx),
            "patch-measure",
            [200, 200, 403, 403, 403, 403],
        ),
        (
            Method::PATCH,
            format!("/api/v1/measures/{}", w.my),
            "patch-measure",
            [200, 200, 404, 404, 403, 403],
        ),
        (
            Method::PATCH,
            format!("/api/v1/measures/{}", w.mb),
            "patch-measure",
            [200, 200, 404, 404, 403, 403],
        ),
        // The ledger as files: everyone exports what they see; the report counts every
        // unit, so not the unit roles; a slip is seen as its measure (409: not closed yet).
        (Method::GET, "/api/v1/ledger.xlsx".into(), "", [200; 6]),
        (Method::GET, "/api/v1/ledger.csv".into(), "", [200; 6]),
        (
            Method::GET,
            format!("/api/v1/inspections/{}/report.md", w.i1),
            "",
            [200, 200, 403, 403, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/inspections/{}/report.docx", w.i2),
            "",
            [200, 200, 404, 404, 200, 200],
        ),
        (
            Method::GET,
            format!("/api/v1/measures/{}/closure-slip.docx", w.ma),
            "",
            [409; 6],
        ),
        (
            Method::GET,
            format!("/api/v1/measures/{}/closure-slip.md", w.mb),
            "",
            [409, 409, 404, 404, 409, 409],
        ),
        // Import: who may is decided before the body is read (a JSON body is then 415).
        (
            Method::POST,
            format!("/api/v1/inspections/{}/ledger/import", w.i1),
            "finding",
            [415, 415, 403, 403, 403, 403],
        ),
        (
            Method::POST,
            format!("/api/v1/inspections/{}/ledger/import", w.i2),
            "finding",
            [415, 415, 404, 404, 403, 403],
        ),
    ];
    let mut n = 0;
    let mut wrong = vec![];
    for (method, path, kind, expected) in &cells {
        for (role, want) in ROLES.iter().zip(expected) {
            n += 1;
            let body = (!kind.is_empty()).then(|| self::body(kind, n, c));
            let res = app
                .send(
                    method.clone(),
                    path,
                    Some(&caller_token(role)),
                    body.as_ref(),
                )
                .await;
            let got = res.status().as_u16();
            if got != *want {
                let text = res.text().await.unwrap_or_default();
                wrong.push(format!(
                    "{method} {path} as {role}: {got}, want {want} ({text})"
                ));
            } else if got == 403 || got == 404 {
                let problem: Value = res.json().await.unwrap();
                let slug = if got == 403 { "forbidden" } else { "not-found" };
                assert_eq!(
                    problem["type"],
                    format!("urn:zhenggai:problem:{slug}"),
                    "{method} {path} as {role}"
                );
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} cells wrong:\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

/// The ids a list returns, walking every page.
async fn walk(app: &TestApp, token: &str, path: &str) -> (Vec<String>, i64) {
    let mut ids = vec![];
    let mut total = None;
    let sep = if path.contains('?') { '&' } else { '?' };
    let mut url = format!("{path}{sep}limit=1");
    loop {
        let res = app.send(Method::GET, &url, Some(token), None).await;
        assert_eq!(res.status(), 200, "{url}");
        let page: Value = res.json().await.unwrap();
        let t = page["total"].as_i64().unwrap();
        assert_eq!(*total.get_or_insert(t), t, "total is stable across pages");
        for item in page["items"].as_array().unwrap() {
            ids.push(id_of(item).to_string());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => url = format!("{path}{sep}limit=1&cursor={cursor}"),
            None => break,
        }
    }
    ids.sort();
    (ids, total.unwrap_or(0))
}

fn sorted(ids: &[&String]) -> Vec<String> {
    let mut ids: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    ids.sort();
    ids
}

#[tokio::test]
async fn a_unit_lists_counts_and_pages_only_what_concerns_it() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let b = &w.units[1];
    for role in ["unit", "leader"] {
        let t = caller_token(role);
        let cases: Vec<(String, Vec<String>)> = vec![
            ("/api/v1/inspections".into(), sorted(&[&w.i1, &w.i3])),
            ("/api/v1/findings".into(), sorted(&[&w.fa, &w.fx])),
            ("/api/v1/measures".into(), sorted(&[&w.ma, &w.mx])),
            (format!("/api/v1/findings?inspection_id={}", w.i2), vec![]),
            (
                format!("/api/v1/findings?inspection_id={}", w.i1),
                sorted(&[&w.fa]),
            ),
            (
                format!("/api/v1/measures?inspection_id={}", w.i1),
                sorted(&[&w.ma]),
            ),
            (format!("/api/v1/findings?unit_id={b}"), sorted(&[&w.fx])),
            (format!("/api/v1/measures?unit_id={b}"), sorted(&[&w.mx])),
            (
                format!("/api/v1/measures?finding_id={}", w.fx),
                sorted(&[&w.mx]),
            ),
            (format!("/api/v1/measures?finding_id={}", w.fb), vec![]),
            (
                "/api/v1/measures?overdue=false&sort=-due_date".into(),
                sorted(&[&w.ma, &w.mx]),
            ),
        ];
        for (path, want) in cases {
            let (ids, total) = walk(&app, &t, &path).await;
            assert_eq!(ids, want, "{role} {path}");
            assert_eq!(total, want.len() as i64, "{role} {path} total");
        }
        // Through a finding it is only involved in, a unit sees only its own measures.
        let res = app
            .send(
                Method::GET,
                &format!("/api/v1/findings/{}", w.fx),
                Some(&t),
                None,
            )
            .await;
        let detail: Value = res.json().await.unwrap();
        let measures: Vec<&str> = detail["measures"]
            .as_array()
            .unwrap()
            .iter()
            .map(id_of)
            .collect();
        assert_eq!(measures, vec![w.mx.as_str()], "{role}");
        // Its own finding shows every measure, whoever leads it.
        let res = app
            .send(
                Method::GET,
                &format!("/api/v1/findings/{}", w.fa),
                Some(&t),
                None,
            )
            .await;
        let detail: Value = res.json().await.unwrap();
        assert_eq!(detail["measures"][0]["id"], w.ma.as_str());
    }
    // Everyone else lists everything.
    for role in ["admin", "office", "supervisor", "viewer"] {
        let t = caller_token(role);
        let (ids, total) = walk(&app, &t, "/api/v1/measures").await;
        assert_eq!(ids, sorted(&[&w.ma, &w.mb, &w.mo, &w.mx, &w.my]), "{role}");
        assert_eq!(total, 5);
        let (_, total) = walk(&app, &t, "/api/v1/findings").await;
        assert_eq!(total, 4, "{role}");
    }
    // Unit B's staff see B's side of the same world.
    let t = token("zhou", "unit", Some("B"));
    let (ids, _) = walk(&app, &t, "/api/v1/findings").await;
    assert_eq!(ids, sorted(&[&w.fb, &w.fo, &w.fx]));
    let (ids, _) = walk(&app, &t, "/api/v1/measures").await;
    assert_eq!(ids, sorted(&[&w.mb, &w.mo, &w.mx, &w.my]));
}

#[tokio::test]
async fn a_hidden_item_is_indistinguishable_from_a_missing_one() {
    let app = spawn_app().await;
    let w = world(&app).await;
    let t = caller_token("unit");
    let missing = "01900000-0000-7000-8000-000000000000";
    for (kind, hidden) in [
        ("inspections", &w.i2),
        ("findings", &w.fb),
        ("measures", &w.mb),
    ] {
        let get = |id: String| {
            let app = &app;
            let t = &t;
            async move {
                let res = app
                    .send(Method::GET, &format!("/api/v1/{kind}/{id}"), Some(t), None)
                    .await;
                (res.status().as_u16(), res.text().await.unwrap())
            }
        };
        assert_eq!(
            get(hidden.clone()).await,
            get(missing.to_string()).await,
            "{kind}"
        );
    }
    // A refused write changes nothing.
    let before = app.get_json(&format!("/api/v1/measures/{}", w.mb)).await;
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/measures/{}", w.mb),
            Some(&t),
            Some(&json!({"content": "改掉别人的措施"})),
        )
        .await;
    assert_eq!(res.status(), 404);
    let after = app.get_json(&format!("/api/v1/measures/{}", w.mb)).await;
    assert_eq!(before, after);
}

#[tokio::test]
async fn a_role_that_may_never_write_is_refused_before_its_body_is_read() {
    let app = spawn_app().await;
    let res = app
        .send(
            Method::POST,
            "/api/v1/units",
            Some(&caller_token("viewer")),
            Some(&json!({"not": "a unit"})),
        )
        .await;
    assert_eq!(res.status(), 403);
    let res = app
        .anon
        .post(app.url("/api/v1/inspections"))
        .bearer_auth(caller_token("supervisor"))
        .header("content-type", "text/plain")
        .body("garbage")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 403);
}
