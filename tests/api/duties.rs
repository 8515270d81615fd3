//! Annual duties (年度任务) and their quotas, the activities that count toward them, and
//! the progress lights, over HTTP.

use chrono::Datelike;
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{id_of, problem, spawn_app, today, token, TestApp};

fn year() -> i32 {
    today().year()
}

/// A quota of `min` 中心组学习 per `period`, for the unit.
fn study(min: i64, period: &str) -> Value {
    json!({"metric": "党组理论学习中心组集中学习", "min": min, "unit": "times",
           "period": period, "per": "unit", "activity_kinds": ["center_group_study"]})
}

async fn duty(app: &TestApp, code: &str, unit: &str, year: i32, quotas: Value) -> Value {
    app.created(
        "/api/v1/duties",
        &json!({"code": code, "title": "全年开展党组理论学习中心组集中学习不少于8次",
                "year": year, "unit_id": unit, "source": "党建工作计划 第5条", "quotas": quotas}),
    )
    .await
}

async fn held(app: &TestApp, who: &str, unit: &str, day: &str, extra: Value) -> reqwest::Response {
    let mut body = json!({"kind": "center_group_study", "title": "中心组集中学习",
                          "held_on": day, "unit_id": unit});
    if let (Some(b), Some(e)) = (body.as_object_mut(), extra.as_object()) {
        for (k, v) in e {
            b.insert(k.clone(), v.clone());
        }
    }
    app.act(who, "/api/v1/activities", body).await
}

async fn progress(app: &TestApp, duty: &Value, query: &str) -> Value {
    app.get_json(&format!("/api/v1/duties/{}/progress{query}", id_of(duty)))
        .await
}

#[tokio::test]
async fn the_office_sets_up_duties_and_their_quotas_are_checked() {
    let app = spawn_app().await;
    let unit = app.unit("ZHK", "综合科").await;
    let d = duty(&app, "DJ-05", &unit, year(), json!([study(8, "year")])).await;
    assert_eq!(d["quotas"][0]["min"], 8.0);
    assert_eq!(d["version"], 1);
    // The unit may not set up its own duties.
    let staff = token("zhk.li", "unit", Some("ZHK"));
    let body = json!({"code": "DJ-06", "title": "x", "year": year(), "unit_id": unit,
                      "quotas": [study(1, "year")]});
    let p = problem(app.act(&staff, "/api/v1/duties", body).await, 403).await;
    assert_eq!(p["rule"], "write_duty");
    // Unknown kinds, a quota per person naming nobody, a taken code.
    let mut per_person = study(1, "year");
    per_person["per"] = json!("person");
    let mut unknown = study(1, "year");
    unknown["activity_kinds"] = json!(["no_such_kind"]);
    let res = app
        .post(
            "/api/v1/duties",
            &json!({"code": "DJ-07", "title": "x", "year": year(), "unit_id": unit,
                    "quotas": [per_person, unknown]}),
        )
        .await;
    let p = problem(res, 422).await;
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(
        fields,
        ["quotas[0].persons", "quotas[1].activity_kinds"],
        "{p}"
    );
    let res = app
        .post(
            "/api/v1/duties",
            &json!({"code": "DJ-05", "title": "x", "year": year(), "unit_id": unit,
                    "quotas": [study(1, "year")]}),
        )
        .await;
    problem(res, 409).await;
    // PATCH with If-Match replaces the quotas.
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/duties/{}", id_of(&d)),
            Some(&token("wang.office", "office", None)),
            Some(&json!({"quotas": [study(10, "year")]})),
        )
        .await;
    assert_eq!(res.status(), 200);
    let changed: Value = res.json().await.unwrap();
    assert_eq!(
        (
            changed["quotas"][0]["min"].as_f64(),
            changed["version"].as_i64()
        ),
        (Some(10.0), Some(2))
    );
    // The unit reads its duties; another unit does not see them.
    let listed = app
        .send(Method::GET, "/api/v1/duties", Some(&staff), None)
        .await;
    assert_eq!(listed.json::<Value>().await.unwrap()["total"], 1);
    app.unit("CWS", "财务室").await;
    let other = token("cws.sun", "unit", Some("CWS"));
    let res = app
        .send(
            Method::GET,
            &format!("/api/v1/duties/{}", id_of(&d)),
            Some(&other),
            None,
        )
        .await;
    assert_eq!(res.status(), 404);
}

#[tokio::test]
async fn activities_count_period_by_period_and_missed_periods_are_red() {
    let app = spawn_app().await;
    let unit = app.unit("ZHK", "综合科").await;
    // Last year's monthly quota: every period is over.
    let last = year() - 1;
    let d = duty(&app, "DJ-01", &unit, last, json!([study(1, "month")])).await;
    let staff = token("zhk.li", "unit", Some("ZHK"));
    for day in ["03-05", "03-19", "07-10"] {
        let res = held(&app, &staff, &unit, &format!("{last}-{day}"), json!({})).await;
        assert_eq!(res.status(), 201);
    }
    let p = progress(&app, &d, "").await;
    let q = &p["quotas"][0];
    let done: Vec<f64> = q["periods"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["done"].as_f64().unwrap())
        .collect();
    let mut expected = vec![0.0; 12];
    expected[2] = 2.0;
    expected[6] = 1.0;
    assert_eq!(done, expected);
    assert_eq!(q["missed"], 10);
    assert_eq!(q["light"], "red");
    assert_eq!(p["light"], "red");
    assert_eq!(q["periods"][2]["state"], "met");
    assert_eq!(q["periods"][2]["period"]["label"], format!("{last}-03"));
    assert_eq!(q["periods"][0]["state"], "missed");
    // As it stood at the end of March: January and February missed, April to come.
    let p = progress(&app, &d, &format!("?as_of={last}-03-31")).await;
    let q = &p["quotas"][0];
    assert_eq!(q["missed"], 2);
    assert_eq!(q["periods"][3]["state"], "upcoming");
    // Withdrawing an activity takes it out of the count, and the record stays.
    let list = app
        .send(
            Method::GET,
            "/api/v1/activities?kind=center_group_study",
            Some(&staff),
            None,
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(list["total"], 3);
    let july = list["items"][0].clone();
    assert_eq!(july["held_on"], format!("{last}-07-10"), "latest first");
    let path = format!("/api/v1/activities/{}/actions/withdraw", id_of(&july));
    let res = app
        .act(&staff, &path, json!({"reason": "误登记，实为支部学习。"}))
        .await;
    assert_eq!(res.status(), 200);
    let w: Value = res.json().await.unwrap();
    assert_eq!(
        (w["withdrawn"].as_bool(), w["withdrawn_by"].as_str()),
        (Some(true), Some("zhk.li"))
    );
    problem(
        app.act(&staff, &path, json!({"reason": "again"})).await,
        409,
    )
    .await;
    let p = progress(&app, &d, "").await;
    assert_eq!(p["quotas"][0]["periods"][6]["done"], 0.0);
    assert_eq!(p["quotas"][0]["missed"], 11);
    let all = app.get_json("/api/v1/activities?withdrawn=true").await;
    assert_eq!(all["total"], 3);
    assert_eq!(app.get_json("/api/v1/activities").await["total"], 2);
    let history = app.get_json("/api/v1/events?limit=500").await;
    assert!(history["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|e| e["action"] == "activity.withdraw"));
}

#[tokio::test]
async fn bad_activities_are_refused_and_change_nothing() {
    let app = spawn_app().await;
    let unit = app.unit("ZHK", "综合科").await;
    let other = app.unit("CWS", "财务室").await;
    let d = duty(&app, "DJ-02", &unit, year(), json!([study(8, "year")])).await;
    let staff = token("zhk.li", "unit", Some("ZHK"));
    let tomorrow = (today() + chrono::Duration::days(1)).to_string();
    let p = problem(held(&app, &staff, &unit, &tomorrow, json!({})).await, 422).await;
    assert_eq!(p["errors"][0]["field"], "held_on", "{p}");
    // Recorded for a duty: within its year, of a kind it counts.
    let last_year = format!("{}-06-01", year() - 1);
    let res = held(
        &app,
        &staff,
        &unit,
        &last_year,
        json!({"duty_id": id_of(&d)}),
    )
    .await;
    let p = problem(res, 422).await;
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .contains("不在该任务所属的"),
        "{p}"
    );
    let res = held(
        &app,
        &staff,
        &unit,
        &today().to_string(),
        json!({"duty_id": id_of(&d), "kind": "heart_talk"}),
    )
    .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "kind");
    let res = held(
        &app,
        &staff,
        &unit,
        &today().to_string(),
        json!({"kind": "nope"}),
    )
    .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "kind");
    // Another unit's activity: not the caller's to record.
    let res = held(&app, &staff, &other, &today().to_string(), json!({})).await;
    assert_eq!(res.status(), 404);
    let long = "长".repeat(101);
    let res = held(
        &app,
        &staff,
        &unit,
        &today().to_string(),
        json!({"persons": [long]}),
    )
    .await;
    assert_eq!(problem(res, 422).await["errors"][0]["field"], "persons");
    // A viewer records nothing.
    let viewer = token("view", "viewer", None);
    let p = problem(
        held(&app, &viewer, &unit, &today().to_string(), json!({})).await,
        403,
    )
    .await;
    assert_eq!(p["rule"], "record_activity");
    assert_eq!(
        app.get_json("/api/v1/activities?withdrawn=true").await["total"],
        0
    );
    // A clerk's date is read.
    let typed = format!(
        "{}年{}月{}日",
        today().year(),
        today().month(),
        today().day()
    );
    let res = held(&app, &staff, &unit, &typed, json!({"duty_id": id_of(&d)})).await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        progress(&app, &d, "").await["quotas"][0]["periods"][0]["done"],
        1.0
    );
}

#[tokio::test]
async fn per_person_hours_and_people_are_counted_each_their_way() {
    let app = spawn_app().await;
    let unit = app.unit("ZHK", "综合科").await;
    let last = year() - 1;
    let d = duty(
        &app,
        "DJ-09",
        &unit,
        last,
        json!([
            {"metric": "支部领导班子成员集中学习", "min": 56, "unit": "hours", "period": "year",
             "per": "person", "persons": ["zhk.chen", "zhk.liu"], "activity_kinds": ["study_hours"]},
            {"metric": "发展党员", "min": 1, "unit": "people", "period": "year", "per": "unit",
             "activity_kinds": ["member_admission"]},
            {"metric": "理论宣讲或形势报告", "min": 1, "unit": "times", "period": "year",
             "per": "person", "persons": ["zhk.chen", "zhk.liu"], "activity_kinds": ["theory_talk"]}
        ]),
    )
    .await;
    let staff = token("zhk.li", "unit", Some("ZHK"));
    for (kind, day, extra) in [
        (
            "study_hours",
            "04-10",
            json!({"hours": 32, "persons": ["zhk.chen", "zhk.liu"]}),
        ),
        (
            "study_hours",
            "09-12",
            json!({"hours": 24.5, "persons": ["zhk.chen"]}),
        ),
        ("member_admission", "06-30", json!({"count": 2})),
        ("theory_talk", "05-20", json!({"persons": ["zhk.liu"]})),
    ] {
        let mut extra = extra;
        extra["kind"] = json!(kind);
        let res = held(&app, &staff, &unit, &format!("{last}-{day}"), extra).await;
        assert_eq!(res.status(), 201);
    }
    let p = progress(&app, &d, "").await;
    let by_person = |q: &Value| -> Vec<(String, f64, String)> {
        q["periods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p["person"].as_str().unwrap().to_string(),
                    p["done"].as_f64().unwrap(),
                    p["state"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert_eq!(
        by_person(&p["quotas"][0]),
        [
            ("zhk.chen".into(), 56.5, "met".into()),
            ("zhk.liu".into(), 32.0, "missed".into())
        ]
    );
    assert_eq!(p["quotas"][1]["periods"][0]["done"], 2.0);
    assert_eq!(p["quotas"][1]["light"], "green");
    assert_eq!(
        by_person(&p["quotas"][2]),
        [
            ("zhk.chen".into(), 0.0, "missed".into()),
            ("zhk.liu".into(), 1.0, "met".into())
        ]
    );
    // The year's view counts quotas by light, for what the caller sees.
    let year_view = app
        .send(
            Method::GET,
            &format!("/api/v1/duties/progress?year={last}"),
            Some(&staff),
            None,
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(year_view["duties"].as_array().unwrap().len(), 1);
    assert_eq!(
        year_view["quotas"],
        json!({"green": 1, "yellow": 0, "red": 2})
    );
    app.unit("CWS", "财务室").await;
    let other = token("cws.sun", "unit", Some("CWS"));
    let theirs = app
        .send(
            Method::GET,
            &format!("/api/v1/duties/progress?year={last}"),
            Some(&other),
            None,
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(theirs["duties"], json!([]));
    // The year's report says the same in the offices' words.
    let md = app
        .get(&format!(
            "/api/v1/duties/report.md?year={last}&unit_id={unit}"
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(
        md.contains(&format!("综合科{last}年度任务落实情况报告")),
        "{md}"
    );
    assert!(md.contains("承担年度任务1项，明确量化指标3个"), "{md}");
    assert!(md.contains("已完成1个"), "{md}");
    assert!(md.contains("未按期完成或难以按期完成2个"), "{md}");
    assert!(
        md.contains(&format!(
            "理论宣讲或形势报告（DJ-09）：要求每人每年不少于1次，本期已完成1次，未按期完成，{last}年（zhk.chen）未达到规定次数"
        )),
        "{md}"
    );
    let docx = app
        .get(&format!("/api/v1/duties/report.docx?year={last}"))
        .await;
    assert_eq!(docx.status(), 200);
    assert!(docx.headers()["content-type"]
        .to_str()
        .unwrap()
        .contains("wordprocessingml"));
}

#[tokio::test]
async fn the_office_extends_the_kinds_of_activity() {
    let app = spawn_app().await;
    let kinds = app.get_json("/api/v1/activity-kinds").await;
    let codes: Vec<&str> = kinds["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|k| k["code"].as_str().unwrap())
        .collect();
    for seeded in [
        "party_group_meeting",
        "center_group_study",
        "report_upward",
        "study_hours",
    ] {
        assert!(codes.contains(&seeded), "{seeded} in {codes:?}");
    }
    let office = token("wang.office", "office", None);
    let res = app
        .act(
            &office,
            "/api/v1/activity-kinds",
            json!({"code": "branch_visit", "name": "走访联系党支部"}),
        )
        .await;
    assert_eq!(res.status(), 201);
    problem(
        app.act(
            &office,
            "/api/v1/activity-kinds",
            json!({"code": "branch_visit", "name": "again"}),
        )
        .await,
        409,
    )
    .await;
    let p = problem(
        app.act(
            &office,
            "/api/v1/activity-kinds",
            json!({"code": "Bad Code", "name": "x"}),
        )
        .await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["field"], "code");
    app.unit("ZHK", "综合科").await;
    let staff = token("zhk.li", "unit", Some("ZHK"));
    let p = problem(
        app.act(
            &staff,
            "/api/v1/activity-kinds",
            json!({"code": "mine", "name": "x"}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p["rule"], "manage_activity_kinds");
}

#[tokio::test]
async fn the_demo_counts_its_seeded_activities_and_a_new_one_moves_its_quota() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    // The hand count: the seed's activities that fall in this year.
    let demo: Value = serde_json::from_str(zhenggai::seed::DEMO).unwrap();
    let this_year = |a: &&Value| {
        (today() - chrono::Duration::days(a["days_ago"].as_i64().unwrap())).year() == year()
    };
    let seeded = |kind: &str| -> Vec<Value> {
        demo["activities"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|a| a["kind"] == kind)
            .filter(this_year)
            .cloned()
            .collect()
    };
    let all = app
        .get_json(&format!("/api/v1/duties/progress?year={}", year()))
        .await;
    let quota = |code: &str, i: usize| -> Value {
        all["duties"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["duty"]["code"] == code)
            .unwrap_or_else(|| panic!("{code} in {all}"))["quotas"][i]
            .clone()
    };
    let study = quota("DJ-05", 0);
    assert_eq!(
        study["periods"][0]["done"].as_f64().unwrap(),
        seeded("center_group_study").len() as f64
    );
    let hours: f64 = seeded("study_hours")
        .iter()
        .map(|a| a["hours"].as_f64().unwrap())
        .sum();
    assert_eq!(
        quota("DJ-09", 0)["periods"][0]["done"].as_f64().unwrap(),
        hours
    );
    assert_eq!(quota("DJ-09", 0)["periods"][0]["person"], "dzb.zhao");
    // The seed's 14 duties, and two long-term measures whose own quota (set on the measure)
    // became a duty kept for them: 19 quotas in all, each with a light.
    let duties = all["duties"].as_array().unwrap();
    assert_eq!(duties.len(), 16);
    let mut own: Vec<&str> = duties
        .iter()
        .filter_map(|d| d["duty"]["source"].as_str())
        .filter(|s| s.starts_with("整改措施 "))
        .collect();
    own.sort();
    assert_eq!(own, ["整改措施 KH-2021-01-2", "整改措施 XC-2022-03-09-1"]);
    let q = &all["quotas"];
    let lit =
        q["green"].as_i64().unwrap() + q["yellow"].as_i64().unwrap() + q["red"].as_i64().unwrap();
    assert_eq!(lit, 19);
    // Stats by unit count the same quotas, group by group.
    let stats = app.get_json("/api/v1/stats?group_by=unit").await;
    assert_eq!(stats["duties"], all["quotas"], "{stats}");
    let per_group: i64 = stats["groups"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| {
            let d = &g["duties"];
            d["green"].as_i64().unwrap()
                + d["yellow"].as_i64().unwrap()
                + d["red"].as_i64().unwrap()
        })
        .sum();
    assert_eq!(per_group, 19);
    let party_group = stats["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["label"] == "市金融办")
        .unwrap_or_else(|| panic!("the 党组's own unit is a group: {stats}"));
    assert!(
        party_group["duties"]["red"].as_i64().unwrap()
            + party_group["duties"]["yellow"].as_i64().unwrap()
            + party_group["duties"]["green"].as_i64().unwrap()
            > 0
    );
    // The rectification report fills its long-term items' numbers from the count.
    let xc = app.get_json("/api/v1/inspections?limit=10").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["code"] == "XC-2022-03")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let md = app
        .get(&format!("/api/v1/inspections/{xc}/report.md"))
        .await
        .text()
        .await
        .unwrap();
    let n = seeded("center_group_study").len();
    assert!(
        md.contains(&format!(
            "党组理论学习中心组集中学习：全年开展{n}次，完成年度任务的{:.0}%",
            (n.min(8) as f64) / 8.0 * 100.0
        )),
        "{md}"
    );
    assert!(md.contains("七、年度任务落实情况"), "{md}");
    // A 中心组学习 held today, recorded by the 党组's office: the quota moves by one.
    let jrb = app.get_json("/api/v1/units?limit=50").await["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|u| u["code"] == "JRB")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let office = token("jrb.office", "office", None);
    let res = held(
        &app,
        &office,
        &jrb,
        &today().to_string(),
        json!({"persons": ["jrb.chen"]}),
    )
    .await;
    assert_eq!(res.status(), 201);
    let dj05 = all["duties"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["duty"]["code"] == "DJ-05")
        .unwrap()["duty"]
        .clone();
    let again = progress(&app, &dj05, "").await;
    assert_eq!(
        again["quotas"][0]["periods"][0]["done"].as_f64().unwrap(),
        study["periods"][0]["done"].as_f64().unwrap() + 1.0
    );
}

async fn import_plan(app: &TestApp, csv: &str, query: &str) -> reqwest::Response {
    let part = reqwest::multipart::Part::bytes(csv.as_bytes().to_vec()).file_name("计划.csv");
    app.anon
        .post(app.url(&format!("/api/v1/duties/import{query}")))
        .bearer_auth(token("wang.office", "office", None))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn a_plan_sheet_imports_as_duties_all_or_nothing() {
    let app = spawn_app().await;
    app.unit("JRB", "市金融办").await;
    app.unit("DZB", "机关党支部").await;
    let good = "2026年党建工作计划量化指标\n\
        任务编号,工作任务,责任单位,责任人,指标,最低次数,单位,周期,对象\n\
        DJ-01,每月召开党组会议不少于2次,市金融办,,党组会议,2,次,每月,单位\n\
        DJ-07,专题研究意识形态工作并向上级报告,JRB,,专题研究意识形态工作,2,次,全年,单位\n\
        DJ-07,,,,向上级专题报告,1,次,全年,单位\n\
        DJ-09,支部班子成员集中学习不少于56学时,DZB,赵六、钱七,集中学习培训,56,学时,全年,每人\n";
    let bad = format!(
        "{good}DJ-10,发展党员,DZB,,发展党员,一名,名,每两年,单位\nDJ-11,走访,无此单位,,走访群众,1,次,全年,单位\n"
    );
    let res = import_plan(&app, &bad, "?dry_run=false").await;
    let status = res.status();
    let text = res.text().await.unwrap();
    assert_eq!(status, 422, "{text}");
    let p: Value = serde_json::from_str(&text).unwrap();
    let cells: Vec<(i64, String)> = p["sheet_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_i64().unwrap(),
                e["column"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    assert_eq!(
        cells,
        [
            (7, "最低次数".to_string()),
            (7, "周期".to_string()),
            (8, "指标".to_string()),
            (8, "责任单位".to_string())
        ],
        "{p}"
    );
    assert_eq!(
        app.get_json("/api/v1/duties").await["total"],
        0,
        "nothing written"
    );
    // A dry run says what it would do and writes nothing.
    let res = import_plan(&app, good, "").await;
    assert_eq!(res.status(), 200);
    let report: Value = res.json().await.unwrap();
    assert_eq!(
        report,
        json!({"dry_run": true, "rows": 4, "created": 3, "existing": 0})
    );
    assert_eq!(app.get_json("/api/v1/duties").await["total"], 0);
    let res = import_plan(&app, good, "?dry_run=false&year=2026").await;
    assert_eq!(res.status(), 200);
    let duties = app.get_json("/api/v1/duties?year=2026").await;
    assert_eq!(duties["total"], 3);
    let dj07 = duties["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DJ-07")
        .unwrap();
    let kinds: Vec<&str> = dj07["quotas"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| q["activity_kinds"][0].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["ideology_study", "report_upward"]);
    let dj09 = duties["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "DJ-09")
        .unwrap();
    assert_eq!(dj09["quotas"][0]["persons"], json!(["赵六", "钱七"]));
    assert_eq!(dj09["quotas"][0]["unit"], "hours");
    // Again: every 任务编号 is known and left as it stands.
    let again: Value = import_plan(&app, good, "?dry_run=false")
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        (again["created"].as_i64(), again["existing"].as_i64()),
        (Some(0), Some(3))
    );
    // The unit cannot import plans.
    let part = reqwest::multipart::Part::bytes(good.as_bytes().to_vec()).file_name("计划.csv");
    let res = app
        .anon
        .post(app.url("/api/v1/duties/import"))
        .bearer_auth(token("zhk.li", "unit", Some("JRB")))
        .multipart(reqwest::multipart::Form::new().part("file", part))
        .send()
        .await
        .unwrap();
    assert_eq!(problem(res, 403).await["rule"], "write_duty");
}
