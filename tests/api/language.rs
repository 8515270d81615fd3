//! Problems in the clerk's language: Chinese unless the client asks for English
//! (`Accept-Language`), or the service is set up otherwise (`ZHENGGAI_LANG`); the
//! identifiers stay in the structured members whatever the language.

use reqwest::header::{ACCEPT_LANGUAGE, CONTENT_LANGUAGE, VARY};
use serde_json::{json, Value};

use crate::helpers::{problem, spawn_app_with, TestApp};
use crate::workflow::story;

async fn told(res: reqwest::Response, status: u16) -> (String, Value) {
    let language = res
        .headers()
        .get(CONTENT_LANGUAGE)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let vary = res
        .headers()
        .get(VARY)
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    assert!(vary.contains("Accept-Language"), "Vary: {vary}");
    (language, problem(res, status).await)
}

async fn start_as(s: &crate::workflow::Story, accept: Option<&str>) -> reqwest::Response {
    let mut req = s
        .app
        .anon
        .post(s.app.url(&s.m("start")))
        .bearer_auth(&s.staff)
        .json(&json!({}));
    if let Some(accept) = accept {
        req = req.header(ACCEPT_LANGUAGE, accept);
    }
    req.send().await.unwrap()
}

#[tokio::test]
async fn a_wrong_state_is_told_in_chinese_by_default_and_in_english_on_request() {
    let s = story().await;
    s.submitted().await;

    let (language, p) = told(start_as(&s, None).await, 409).await;
    assert_eq!(language, "zh-CN");
    assert_eq!(p["title"], "与当前状态冲突");
    assert_eq!(
        p["detail"],
        "该措施当前状态为“已申请销号”，不能执行“开始整改”；当前可执行：签字背书、退回。"
    );
    assert_eq!(p["current_state"], "submitted");
    assert_eq!(p["allowed_actions"], json!(["endorse", "return"]));

    let (language, p) = told(start_as(&s, Some("en-US,en;q=0.9")).await, 409).await;
    assert_eq!(language, "en");
    assert_eq!(p["title"], "Conflict");
    assert_eq!(
        p["detail"],
        "This measure is “closure requested”, so “start” cannot be done; what can be done \
         now: endorse, return."
    );
    assert_eq!(p["current_state"], "submitted");

    // Weights count: Chinese is preferred here, though English is listed first.
    let (language, p) = told(start_as(&s, Some("en;q=0.2, zh-CN;q=0.8")).await, 409).await;
    assert_eq!(language, "zh-CN");
    assert!(p["detail"].as_str().unwrap().starts_with("该措施"), "{p}");
    // A language the catalogues do not hold falls back to the default.
    let (language, _) = told(start_as(&s, Some("fr-FR")).await, 409).await;
    assert_eq!(language, "zh-CN");
    // Nothing changed, in any language.
    let m = s
        .app
        .get_json(&format!("/api/v1/measures/{}", s.measure))
        .await;
    assert_eq!(m["status"], "submitted");
}

async fn create_measure(
    app: &TestApp,
    finding: &str,
    body: Value,
    accept: &str,
) -> (String, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/v1/findings/{finding}/measures")))
        .header(ACCEPT_LANGUAGE, accept)
        .json(&body)
        .send()
        .await
        .unwrap();
    told(res, 422).await
}

#[tokio::test]
async fn serde_and_validation_messages_are_translated_and_fields_stay_identifiers() {
    let s = story().await;
    let zhk = s.app.get_json("/api/v1/units").await["items"][0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let body = json!({"content": "建立差旅费报销审核台账", "kind": "done", "lead_unit_id": zhk, "accountable_leader": "党组成员、副主任"});
    let (language, p) = create_measure(&s.app, &s.finding, body.clone(), "zh-CN").await;
    assert_eq!(language, "zh-CN");
    assert_eq!(p["title"], "请求内容未通过校验");
    assert_eq!(p["errors"][0]["field"], "kind", "{p}");
    let message = p["errors"][0]["message"].as_str().unwrap();
    assert!(
        message.contains("“done”不是可用的取值")
            && message
                .contains("immediate（立行立改）、time_bound（限期整改）、long_term（长期坚持）"),
        "{message}"
    );
    assert!(!message.contains("unknown variant"), "{message}");
    let (language, p) = create_measure(&s.app, &s.finding, body, "en").await;
    assert_eq!(language, "en");
    assert_eq!(p["errors"][0]["field"], "kind");
    let message = p["errors"][0]["message"].as_str().unwrap();
    assert!(message.contains("Unknown value `done`"), "{message}");

    // A missing field is named in `field`, and in the message.
    let body =
        json!({"content": "建立差旅费报销审核台账", "kind": "immediate", "lead_unit_id": zhk});
    let (_, p) = create_measure(&s.app, &s.finding, body, "zh-CN").await;
    assert_eq!(p["errors"][0]["field"], "accountable_leader", "{p}");
    assert_eq!(
        p["errors"][0]["message"],
        "缺少必填字段“accountable_leader”。"
    );

    // A rule of the ledger names the field in the clerk's words.
    let body = json!({"content": "建立差旅费报销审核台账", "kind": "time_bound", "lead_unit_id": zhk, "accountable_leader": "党组成员、副主任"});
    let (_, p) = create_measure(&s.app, &s.finding, body.clone(), "zh").await;
    assert_eq!(p["errors"][0]["field"], "due_date", "{p}");
    assert_eq!(p["errors"][0]["message"], "限期整改措施须填写完成时限。");
    let (_, p) = create_measure(&s.app, &s.finding, body, "en").await;
    assert_eq!(
        p["errors"][0]["message"],
        "A time-bound measure needs a due date."
    );

    // A validator limit, and malformed JSON.
    let long = "整".repeat(5001);
    let body = json!({"content": long, "kind": "immediate", "lead_unit_id": zhk, "accountable_leader": "党组成员、副主任", "due_date": "2026-12-31"});
    let (_, p) = create_measure(&s.app, &s.finding, body, "zh-CN").await;
    assert_eq!(p["errors"][0]["field"], "content", "{p}");
    assert!(
        p["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("长度"),
        "{p}"
    );
    let res = s
        .app
        .client
        .post(
            s.app
                .url(&format!("/api/v1/findings/{}/measures", s.finding)),
        )
        .header("content-type", "application/json")
        .body("{\"content\": ")
        .send()
        .await
        .unwrap();
    let (_, p) = told(res, 400).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .starts_with("JSON 格式错误（第 1 行"),
        "{p}"
    );
    // Nothing was created by any of it.
    let f = s
        .app
        .get_json(&format!("/api/v1/findings/{}", s.finding))
        .await;
    assert_eq!(f["measures"].as_array().unwrap().len(), 1, "{f}");
}

#[tokio::test]
async fn zhenggai_lang_sets_the_default_and_every_kind_of_problem_follows_it() {
    let app = spawn_app_with(|c| c.lang = zhenggai::i18n::Lang::En).await;
    let missing = "/api/v1/measures/0190f3a4-0000-7000-8000-000000000000";
    let (language, p) = told(app.get(missing).await, 404).await;
    assert_eq!(language, "en");
    assert_eq!(p["detail"], "No such measure.");
    let res = app
        .client
        .get(app.url(missing))
        .header(ACCEPT_LANGUAGE, "zh-CN")
        .send()
        .await
        .unwrap();
    let (language, p) = told(res, 404).await;
    assert_eq!(language, "zh-CN");
    assert_eq!(
        (p["title"].as_str(), p["detail"].as_str()),
        (Some("未找到"), Some("未找到该整改措施。"))
    );

    // Refused before any handler runs (no token), and a route that does not exist.
    let res = app
        .anon
        .get(app.url("/api/v1/units"))
        .header(ACCEPT_LANGUAGE, "zh")
        .send()
        .await
        .unwrap();
    let (language, p) = told(res, 401).await;
    assert_eq!(language, "zh-CN");
    assert_eq!(
        p["detail"],
        "须提供身份令牌（Authorization: Bearer <JWT>）。"
    );
    let (_, p) = told(app.get("/api/v1/nothing-here").await, 404).await;
    assert_eq!(p["detail"], "No route for GET /api/v1/nothing-here.");

    // A sheet's problems, row by row, with the column as the sheet names it.
    let inspection = app.inspection("XC-2022-03").await;
    let sheet = "问题编号,问题描述,整改措施,整改类型,牵头单位,完成时限\nXC-1,差旅费报销不规范,逐笔复核,马上改,不存在的科,明年\n";
    let part = reqwest::multipart::Part::bytes(sheet.as_bytes().to_vec()).file_name("台账.csv");
    let form = reqwest::multipart::Form::new().part("file", part);
    let res = app
        .client
        .post(app.url(&format!("/api/v1/inspections/{inspection}/ledger/import")))
        .header(ACCEPT_LANGUAGE, "zh-CN")
        .multipart(form)
        .send()
        .await
        .unwrap();
    let (_, p) = told(res, 422).await;
    let cells: Vec<(String, String)> = p["sheet_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["column"].as_str().unwrap().to_string(),
                e["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    assert!(
        cells.contains(&(
            "整改类型".into(),
            "“马上改”不是可用的取值，可用：立行立改、限期整改、长期坚持。".into()
        )),
        "{cells:?}"
    );
    assert!(
        cells.contains(&(
            "牵头单位".into(),
            "没有名称或编号为“不存在的科”的单位。".into()
        )),
        "{cells:?}"
    );
    assert_eq!(p["detail"], "表格中有 3 处问题，未导入任何内容。", "{p}");
}
