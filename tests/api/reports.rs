//! The rectification report and the closure slip: real numbers, valid Word files.

use std::io::{Cursor, Read};

use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::{id_of, inspection_id};
use crate::helpers::{problem, spawn_app, token, TestApp, PDF};
use crate::workflow::story;

const DOCX: &str = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

async fn text_of(app: &TestApp, path: &str, auth: &str) -> (u16, String) {
    let res = app.send(reqwest::Method::GET, path, Some(auth), None).await;
    (res.status().as_u16(), res.text().await.unwrap())
}

/// The text of a docx's body: every `<w:t>` run, joined.
fn docx_text(bytes: &[u8]) -> (String, String) {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes.to_vec())).expect("a zip archive");
    let mut part = |name: &str| {
        let mut xml = String::new();
        zip.by_name(name)
            .unwrap_or_else(|_| panic!("{name} in the package"))
            .read_to_string(&mut xml)
            .unwrap();
        xml
    };
    assert!(part("[Content_Types].xml").contains("wordprocessingml.document.main+xml"));
    let document = part("word/document.xml");
    let styles = part("word/styles.xml");
    let mut text = String::new();
    for piece in document.split("<w:t").skip(1) {
        let start = piece.find('>').unwrap() + 1;
        let end = piece.find("</w:t>").unwrap_or(start);
        text.push_str(&piece[start..end]);
    }
    (text, document + &styles)
}

#[tokio::test]
async fn the_report_on_the_example_ledger_says_what_a_hand_count_says() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let xc = inspection_id(&app, "XC-2022-03").await;
    let (status, md) = text_of(
        &app,
        &format!("/api/v1/inspections/{xc}/report.md"),
        &token("o", "office", None),
    )
    .await;
    assert_eq!(status, 200, "{md}");
    // Counted by hand in seeds/demo.json, inspection XC-2022-03: 9 problems, 17 measures
    // (4 立行立改, 6 限期整改, 7 长期坚持); 6 closed and none merely submitted; two open
    // measures past due; one finding (XC-2022-03-07) closed; one closure request returned
    // (XC-2022-03-05-2), one extension asked but not yet approved. 6/17 = 35.3%.
    assert!(
        md.starts_with("# 市委第三巡察组对市金融办党组巡察反馈问题整改情况报告\n"),
        "{md}"
    );
    for expected in [
        "市委第三巡察组向市金融办反馈了巡察意见，指出问题9个",
        "分解细化为17项具体整改措施",
        "共反馈问题9个，制定整改措施17条，其中立行立改4条、限期整改6条、长期坚持7条",
        "已完成整改措施6条，其中经审核验收已对账销号6条，整改完成率35.3%，按期完成率100.0%；1个问题已整改销号",
        "累计批准延期0次，退回重新整改1次；超期未完成2条",
        "尚有4条立行立改、限期整改措施未对账销号，其中超期2条",
        "7条长期坚持措施",
        "| 财务室 | 1 | 1 | 1 | 1 | 100.0% | 0 | 0 |",
    ] {
        assert!(md.contains(expected), "missing {expected:?} in\n{md}");
    }
    assert!(
        !md.contains("平均用时"),
        "seeded closures have no time to close"
    );
    let open_rows = md
        .lines()
        .skip_while(|l| !l.starts_with("## 五、尚未完成的整改事项"))
        .take_while(|l| !l.starts_with("## 六"))
        .filter(|l| l.starts_with("| ") && !l.starts_with("| 序号"))
        .count();
    assert_eq!(open_rows, 4);
    // A part per problem, in ledger order, each measure saying where it stands.
    let parts: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("### （") && l.contains("问题的整改情况"))
        .collect();
    assert_eq!(parts.len(), 9, "{parts:?}");
    assert!(parts[0].starts_with("### （一）关于“"), "{parts:?}");
    assert!(parts[8].starts_with("### （九）关于“"), "{parts:?}");
    assert!(md.contains("## 二、具体问题整改情况"), "{md}");
    assert!(
        md.contains("### （二）关于“‘第一议题’制度落实质量不高"),
        "quotation marks inside quotation marks are single: {parts:?}"
    );
    assert!(
        md.contains("长期坚持，尚未报送进展；党组理论学习中心组集中学习：全年开展"),
        "a long-term measure kept by a duty says what was done: {md}"
    );
    let sections: Vec<&str> = md
        .lines()
        .filter(|l| l.starts_with("## "))
        .map(|l| l.trim_start_matches("## "))
        .collect();
    assert_eq!(
        sections,
        [
            "一、总体整改情况",
            "二、具体问题整改情况",
            "三、分类整改情况",
            "四、各责任单位整改情况",
            "五、尚未完成的整改事项",
            "六、长期坚持事项",
            "七、年度任务落实情况",
            "八、下一步工作"
        ]
    );
    // Six measures closed, each with its day; the two overdue named in the next steps.
    assert_eq!(md.matches("日对账销号。").count(), 6, "{md}");
    assert!(md.contains("针对该问题，制定整改措施"), "{md}");
    assert!(md.contains("一是"), "{md}");
    let next = md
        .lines()
        .skip_while(|l| !l.starts_with("## 八、下一步工作"))
        .nth(2)
        .unwrap_or_default();
    assert!(next.contains("对超期未完成的2条措施"), "{next}");
    assert!(next.contains("对7条长期坚持事项"), "{next}");
    assert!(next.contains("1项待审批的延期申请"), "{next}");

    let res = app
        .send(
            reqwest::Method::GET,
            &format!("/api/v1/inspections/{xc}/report.docx"),
            Some(&token("v", "viewer", None)),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["content-type"], DOCX);
    let (text, xml) = docx_text(&res.bytes().await.unwrap());
    assert!(text.contains("市委第三巡察组对市金融办党组巡察反馈问题整改情况报告"));
    assert!(text.contains("共反馈问题9个，制定整改措施17条"), "{text}");
    assert!(
        text.contains("修订《机关差旅费管理办法》"),
        "the open items are listed"
    );
    assert!(
        xml.contains("w:eastAsia=\"仿宋_GB2312\""),
        "Chinese text in an East Asian font"
    );
    assert!(xml.contains("w:eastAsia=\"黑体\""));
    assert!(
        xml.contains("w:eastAsia=\"楷体_GB2312\""),
        "subheadings in 楷体"
    );
    assert!(
        xml.contains("<w:tblHeader />"),
        "table headers repeat on every page"
    );
}

#[tokio::test]
async fn the_report_is_for_those_who_see_every_unit() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let xc = inspection_id(&app, "XC-2022-03").await;
    app.unit("JRB-RSK", "人事科").await;
    let path = format!("/api/v1/inspections/{xc}/report.md");
    for (role, unit, status) in [
        ("admin", None, 200),
        ("office", None, 200),
        ("supervisor", None, 200),
        ("viewer", None, 200),
        ("unit", Some("JRB-ZHK"), 403),
        ("leader", Some("JRB-ZHK"), 403),
        // A unit with nothing in the inspection does not see it at all.
        ("unit", Some("JRB-RSK"), 404),
    ] {
        let (got, body) = text_of(&app, &path, &token("x", role, unit)).await;
        assert_eq!(got, status, "{role} {unit:?}: {body}");
    }
    let res = app.send(reqwest::Method::GET, &path, None, None).await;
    problem(res, 401).await;
    let res = app
        .get("/api/v1/inspections/00000000-0000-7000-8000-000000000000/report.docx")
        .await;
    problem(res, 404).await;
}

#[tokio::test]
async fn the_closure_slip_shows_the_evidence_and_who_signed() {
    let s = story().await;
    let slip = format!("/api/v1/measures/{}/closure-slip.docx", s.measure);
    let res = s
        .app
        .send(reqwest::Method::GET, &slip, Some(&s.office), None)
        .await;
    let body = problem(res, 409).await;
    assert!(
        body["detail"].as_str().unwrap().contains("销号后"),
        "{body}"
    );

    s.submitted().await;
    s.ok(&s.leader, &s.m("endorse"), json!({"comment": "情况属实"}))
        .await;
    s.ok(
        &s.office,
        &s.m("verify"),
        json!({"comment": "佐证材料齐全，同意销号"}),
    )
    .await;

    let res = s
        .app
        .send(reqwest::Method::GET, &slip, Some(&s.staff), None)
        .await;
    assert_eq!(res.status(), 200, "the unit gets its own measure's slip");
    assert_eq!(res.headers()["content-type"], DOCX);
    let (text, _) = docx_text(&res.bytes().await.unwrap());
    let sha = Sha256::digest(PDF)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect::<String>();
    for expected in [
        "对账销号单",
        "修订《机关差旅费管理办法》",
        "整改报告.pdf",
        sha.as_str(),
        "已修订印发办法，违规款项已退回。",
        "申请销号",
        "li.zhk",
        "领导签批",
        "zhang.leader",
        "审核销号",
        "wang.office",
        // Boxes to sign and seal, each with its date.
        "经办人签字",
        "责任领导签字",
        "审核人签字",
        "单位（盖章）",
        "年　　月　　日",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text}");
    }
    // The audit references on the slip are the chain's own.
    let history: Value = s
        .app
        .get_json(&format!("/api/v1/measures/{}/history", s.measure))
        .await;
    let verify = history["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["action"] == "measure.verify")
        .unwrap()
        .clone();
    let md = s
        .app
        .get(&format!("/api/v1/measures/{}/closure-slip.md", s.measure))
        .await
        .text()
        .await
        .unwrap();
    let line = md.lines().find(|l| l.contains("审核销号")).unwrap();
    assert!(
        line.contains(&format!("#{}", verify["seq"])),
        "{line} / {verify}"
    );

    s.app.unit("JRB-CWS", "财务室").await;
    let other = token("zhou.cws", "unit", Some("JRB-CWS"));
    let res = s
        .app
        .send(reqwest::Method::GET, &slip, Some(&other), None)
        .await;
    problem(res, 404).await;
}

#[tokio::test]
async fn a_slip_for_a_closure_recorded_before_zhenggai_says_so() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let closed = app.get_json("/api/v1/measures?status=closed&limit=1").await["items"][0].clone();
    let md = app
        .get(&format!(
            "/api/v1/measures/{}/closure-slip.md",
            id_of(&closed)
        ))
        .await
        .text()
        .await
        .unwrap();
    assert!(md.contains(closed["content"].as_str().unwrap()), "{md}");
    assert!(md.contains("由原有台账录入"), "{md}");
    assert!(!md.contains("| 审核销号 |"), "no steps are made up: {md}");
}
