//! What the duties keep watch over, over HTTP: the quota light of the long-term measures
//! they keep (and their warning, the worse of both), the scanner's `duty.behind` and
//! `duty.missed` (once per quota and period, announced to webhooks, visible to the unit),
//! the queue's duty items, the workbook's sheet of duties, and a measure's own quota kept
//! by a duty set up for it.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::Datelike;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{id_of, problem, spawn_app, spawn_app_with, today, token, TestApp};

fn office() -> String {
    token("wang.office", "office", None)
}

/// The long-term measure's own duty, as `GET /duties?measure_id=` lists it.
async fn duty_of(app: &TestApp, measure: &Value) -> Value {
    let list = app
        .get_json(&format!("/api/v1/duties?measure_id={}", id_of(measure)))
        .await;
    let items = list["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "one duty keeps the measure: {list}");
    items[0].clone()
}

async fn measure_now(app: &TestApp, measure: &Value) -> Value {
    app.get_json(&format!("/api/v1/measures/{}", id_of(measure)))
        .await
}

async fn codes_with(app: &TestApp, query: &str) -> Vec<String> {
    app.get_json(&format!("/api/v1/measures?{query}&limit=100"))
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap().to_string())
        .collect()
}

async fn meeting(app: &TestApp, unit: &str) -> Value {
    app.created(
        "/api/v1/activities",
        &json!({"kind": "party_group_meeting", "title": "党组会议研究党建工作",
                "held_on": today(), "unit_id": unit}),
    )
    .await
}

#[tokio::test]
async fn a_measure_kept_by_a_duty_shows_its_quota_light_and_the_worse_warning() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    // A long-term measure with its own quota, one no month can meet: its duty is red.
    let measure = app
        .created(
            &format!("/api/v1/findings/{}/measures", id_of(&finding)),
            &json!({"content": "党组每月研究党建工作", "kind": "long_term", "lead_unit_id": unit,
                    "accountable_leader": "党组书记",
                    "quota": {"metric": "党组会议研究党建工作", "min_count": 10000, "period": "month"}}),
        )
        .await;
    let duty = duty_of(&app, &measure).await;
    let code = measure["code"].as_str().unwrap();
    assert_eq!(duty["source"], format!("整改措施 {code}"));
    assert_eq!(duty["year"], today().year());
    assert_eq!(duty["unit_id"], unit);
    let quota = &duty["quotas"][0];
    assert_eq!(quota["min"], 10000.0);
    assert_eq!(quota["period"], "month");
    // What counts toward it is the kind its metric names (党组会议).
    assert_eq!(quota["activity_kinds"], json!(["party_group_meeting"]));

    let m = measure_now(&app, &measure).await;
    assert_eq!(m["quota_light"], "red", "{m}");
    assert_eq!(
        m["warning"], "red",
        "no deadline, no report missed: red by its quota"
    );
    assert!(codes_with(&app, "warning=red")
        .await
        .contains(&code.to_string()));
    assert!(!codes_with(&app, "warning=green")
        .await
        .contains(&code.to_string()));
    let stats = app.get_json("/api/v1/stats?group_by=kind").await;
    assert_eq!(stats["total"]["red"], 1, "{stats}");

    // The office may not count the measure's quota twice.
    let again = json!({"code": "TWICE", "title": "再设一项", "year": today().year(),
                       "unit_id": unit, "measure_id": id_of(&measure),
                       "quotas": [duty["quotas"][0].clone()]});
    let p = problem(app.act(&office(), "/api/v1/duties", again).await, 409).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains(duty["code"].as_str().unwrap()),
        "{p}"
    );

    // The measure's quota changes: its duty's quota follows, and one meeting meets it.
    let res = app
        .patch(
            &format!("/api/v1/measures/{}", id_of(&measure)),
            &json!({"quota": {"metric": "党组会议研究党建工作", "min_count": 1, "period": "month"}}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let followed = duty_of(&app, &measure).await;
    assert_eq!(followed["id"], duty["id"], "the same duty");
    assert_eq!(followed["quotas"][0]["min"], 1.0);
    let held = meeting(&app, &unit).await;
    let m = measure_now(&app, &measure).await;
    assert_eq!(m["quota_light"], "green", "{m}");
    assert_eq!(m["warning"], "green");
    assert!(codes_with(&app, "warning=green")
        .await
        .contains(&code.to_string()));

    // Withdrawn, the meeting stops counting: the light is the duty's own again.
    let res = app
        .act(
            &office(),
            &format!("/api/v1/activities/{}/actions/withdraw", id_of(&held)),
            json!({"reason": "录入错误"}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let counted = app
        .get_json(&format!("/api/v1/duties/{}/progress", id_of(&duty)))
        .await;
    let m = measure_now(&app, &measure).await;
    assert_eq!(m["quota_light"], counted["light"], "{counted}");
    assert_eq!(counted["quotas"][0]["done"], 0.0);
    // Every change of the light is in the measure's history.
    let history = app
        .get_json(&format!("/api/v1/measures/{}/history", id_of(&measure)))
        .await;
    let changes = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["action"] == "measure.quota_light")
        .count();
    assert!(changes >= 2, "{history}");
}

/// Waits for the scanner, then reads the duty's events as `who` sees them.
async fn duty_events(app: &TestApp, who: &str, duty: &str) -> Vec<Value> {
    let res = app
        .send(Method::GET, "/api/v1/events?limit=500", Some(who), None)
        .await;
    let feed: Value = res.json().await.unwrap();
    feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["object_id"] == duty)
        .filter(|e| e["action"] == "duty.behind" || e["action"] == "duty.missed")
        .cloned()
        .collect()
}

#[tokio::test]
async fn the_scanner_announces_quotas_behind_and_periods_missed_once_and_they_wait_in_queues() {
    let app = spawn_app_with(|c| c.scan_interval_secs = 1).await;
    let unit = app.unit("ZHK", "综合科").await;
    app.unit("CWS", "财务室").await;
    let hook = app
        .created(
            "/api/v1/webhooks",
            &json!({"url": "http://127.0.0.1:9/hook", "events": ["duty.behind", "duty.missed"],
                    "secret": "0123456789abcdef"}),
        )
        .await;
    // Every month at least 10000 meetings: the running month cannot be met (behind), and
    // each month before it this year ended short (missed).
    let duty = app
        .created(
            "/api/v1/duties",
            &json!({"code": "DJ-01", "title": "每月召开党组会议", "year": today().year(),
                    "unit_id": unit, "quotas": [{"metric": "党组会议", "min": 10000,
                    "unit": "times", "period": "month", "per": "unit",
                    "activity_kinds": ["party_group_meeting"]}]}),
        )
        .await;
    let id = id_of(&duty).to_string();
    let past_months = (today().month() - 1) as usize;
    for _ in 0..150 {
        if duty_events(&app, &office(), &id).await.len() == 1 + past_months {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Several scans later, still once each.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    let events = duty_events(&app, &office(), &id).await;
    let behind: Vec<&Value> = events
        .iter()
        .filter(|e| e["action"] == "duty.behind")
        .collect();
    let missed = events.len() - behind.len();
    assert_eq!(behind.len(), 1, "{events:?}");
    assert_eq!(missed, past_months, "{events:?}");
    let running = format!("{}-{:02}", today().year(), today().month());
    let after = &behind[0]["after"];
    assert_eq!(after["period"], running, "{after}");
    assert_eq!(after["code"], "DJ-01");
    assert_eq!(after["short"][0]["min"], 10000.0);
    // The unit sees its duty's notices; another unit does not.
    let staff = token("zhk.li", "unit", Some("ZHK"));
    assert_eq!(duty_events(&app, &staff, &id).await.len(), events.len());
    let stranger = token("cws.chen", "unit", Some("CWS"));
    assert!(duty_events(&app, &stranger, &id).await.is_empty());
    // Each announcement is queued for the webhook.
    let deliveries = app
        .get_json(&format!("/api/v1/webhooks/{}/deliveries", id_of(&hook)))
        .await;
    let announced = deliveries["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["event_type"] == "duty.behind" || d["event_type"] == "duty.missed")
        .count();
    assert_eq!(announced, events.len(), "{deliveries}");

    // The office's queue and the unit's hold the duty; the other unit's does not.
    let queue_of = |who: String| {
        let app = &app;
        async move {
            let res = app
                .send(Method::GET, "/api/v1/queue?limit=500", Some(&who), None)
                .await;
            assert_eq!(res.status(), 200);
            let q: Value = res.json().await.unwrap();
            q["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|i| i["object_type"] == "duty")
                .map(|i| (i["kind"].as_str().unwrap().to_string(), i.clone()))
                .collect::<Vec<_>>()
        }
    };
    for who in [office(), staff.clone()] {
        let items = queue_of(who).await;
        let kinds: Vec<&str> = items.iter().map(|(k, _)| k.as_str()).collect();
        assert!(kinds.contains(&"duty_behind"), "{items:?}");
        // The month just ended was missed (in January none of this year has ended).
        assert_eq!(kinds.contains(&"duty_missed"), past_months > 0, "{items:?}");
        let (_, item) = items.iter().find(|(k, _)| k == "duty_behind").unwrap();
        assert_eq!(item["object_id"], id);
        assert_eq!(item["unit_id"], unit);
        assert_eq!(item["warning"], "yellow");
    }
    assert!(queue_of(stranger).await.is_empty());
}

#[tokio::test]
async fn the_workbook_counts_the_years_duties_period_by_period() {
    let app = spawn_app().await;
    app.seed(include_str!("../../seeds/demo.json"));
    let res = app
        .send(Method::GET, "/api/v1/ledger.xlsx", Some(&office()), None)
        .await;
    assert_eq!(res.status(), 200);
    let bytes = res.bytes().await.unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let sheet = book.worksheet_range("年度任务完成情况").unwrap();
    let rows: Vec<Vec<String>> = sheet
        .rows()
        .map(|r| {
            r.iter()
                .map(|c| match c {
                    Data::Float(f) => format!("{f}"),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    assert_eq!(
        rows[0],
        [
            "任务编号",
            "工作任务",
            "责任单位",
            "指标",
            "周期",
            "对象",
            "完成",
            "最低",
            "单位",
            "尚差",
            "状态",
            "预警"
        ]
    );
    // One row per quota, period begun and person: as the year's progress counts them.
    let year = today().year();
    let all = app
        .get_json(&format!("/api/v1/duties/progress?year={year}"))
        .await;
    let mut expected = Vec::new();
    for d in all["duties"].as_array().unwrap() {
        for q in d["quotas"].as_array().unwrap() {
            for p in q["periods"].as_array().unwrap() {
                if p["state"] != "upcoming" {
                    expected.push((
                        d["duty"]["code"].as_str().unwrap().to_string(),
                        q["quota"]["metric"].as_str().unwrap().to_string(),
                        format!("{}", p["done"].as_f64().unwrap()),
                        format!("{}", p["min"].as_f64().unwrap()),
                        match p["light"].as_str().unwrap() {
                            "red" => "红灯",
                            "yellow" => "黄灯",
                            _ => "绿灯",
                        }
                        .to_string(),
                    ));
                }
            }
        }
    }
    let written: Vec<(String, String, String, String, String)> = rows[1..]
        .iter()
        .map(|r| {
            (
                r[0].clone(),
                r[3].clone(),
                r[6].clone(),
                r[7].clone(),
                r[11].clone(),
            )
        })
        .collect();
    assert!(expected.len() > 20, "{expected:?}");
    assert_eq!(written, expected);
    // The 党组's study quota, in words a clerk reads.
    let study = rows
        .iter()
        .find(|r| r[0] == "DJ-05")
        .expect("DJ-05 in the sheet");
    assert_eq!(study[4], format!("{year}年"));
    assert_eq!(study[5], "单位");
    assert_eq!(study[8], "次");
    assert_eq!(study[2], "市金融办");
    // A per-person quota names each person.
    assert!(
        rows.iter().any(|r| r[0] == "DJ-09" && r[5] != "单位"),
        "{rows:?}"
    );
}
