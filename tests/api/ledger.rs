//! The ledger as files: export to xlsx/csv, import back, and what the offices' own sheets
//! look like.

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use reqwest::Response;
use rust_xlsxwriter::{Format, Workbook};
use serde_json::{json, Value};

use crate::helpers::{demo_skeleton, id_of, inspection_id};
use crate::helpers::{problem, spawn_app, token, TestApp, PDF};

const XLSX: &str = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

/// Status, headers and body of a GET as `auth`.
async fn download(
    app: &TestApp,
    path: &str,
    auth: Option<&str>,
) -> (u16, reqwest::header::HeaderMap, Vec<u8>) {
    let res = app.send(reqwest::Method::GET, path, auth, None).await;
    let (status, headers) = (res.status().as_u16(), res.headers().clone());
    (status, headers, res.bytes().await.unwrap().to_vec())
}

async fn export(app: &TestApp, path: &str) -> Vec<u8> {
    let res = app.get(path).await;
    assert_eq!(res.status(), 200, "GET {path}");
    res.bytes().await.unwrap().to_vec()
}

fn csv_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let text = std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("BOM")).unwrap();
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes())
        .records()
        .map(|r| r.unwrap().iter().map(str::to_string).collect())
        .collect()
}

/// The ledger sheet of a workbook, from its header down, as text.
fn xlsx_rows(bytes: &[u8]) -> Vec<Vec<String>> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a valid xlsx");
    let range = book.worksheet_range("整改台账").expect("sheet 整改台账");
    let mut rows: Vec<Vec<String>> = range
        .rows()
        .map(|row| {
            row.iter()
                .map(|cell| match cell {
                    Data::Empty => String::new(),
                    Data::String(s) => s.clone(),
                    Data::Float(f) => format!("{}", *f as i64),
                    Data::Int(n) => n.to_string(),
                    Data::DateTime(d) => d.as_datetime().unwrap().date().to_string(),
                    other => other.to_string(),
                })
                .collect()
        })
        .collect();
    // A merged block (a finding's cells over its measures) means its value in every cell,
    // as a person reads it; the title row is merged too and is dropped below.
    let (top, left) = range.start().unwrap_or((0, 0));
    let merged = book
        .merge_cells_by_sheet_name("整改台账")
        .expect("merge cells read");
    for block in merged {
        let (r0, c0) = (block.start.0 - top, block.start.1 - left);
        let value = rows[r0 as usize][c0 as usize].clone();
        for r in r0..=block.end.0 - top {
            for c in c0..=(block.end.1 - left).min(rows[0].len() as u32 - 1) {
                rows[r as usize][c as usize] = value.clone();
            }
        }
    }
    rows.into_iter().skip(1).collect()
}

/// Which cells of the ledger sheet are merged, as (first row, last row, column), 0-based.
fn merged_cells(bytes: &[u8]) -> Vec<(u32, u32, u32)> {
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.to_vec())).expect("a valid xlsx");
    book.merge_cells_by_sheet_name("整改台账")
        .expect("merge cells read")
        .into_iter()
        .filter(|b| b.start.0 > 0)
        .map(|b| (b.start.0, b.end.0, b.start.1))
        .collect()
}

async fn import(
    app: &TestApp,
    auth: &str,
    inspection: &str,
    file_name: &str,
    bytes: Vec<u8>,
    query: &str,
) -> Response {
    let part = reqwest::multipart::Part::bytes(bytes).file_name(file_name.to_string());
    let form = reqwest::multipart::Form::new().part("file", part);
    app.anon
        .post(app.url(&format!(
            "/api/v1/inspections/{inspection}/ledger/import{query}"
        )))
        .bearer_auth(auth)
        .multipart(form)
        .send()
        .await
        .expect("request")
}

fn office() -> String {
    token("office-1", "office", None)
}

async fn imported(res: Response) -> Value {
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 200, "{body}");
    body
}

fn column(rows: &[Vec<String>], label: &str) -> usize {
    rows[0].iter().position(|h| h == label).unwrap()
}

#[tokio::test]
async fn an_exported_ledger_imports_into_a_fresh_database_and_exports_the_same() {
    let source = spawn_app().await;
    source.seed(zhenggai::seed::DEMO);
    let xc = inspection_id(&source, "XC-2022-03").await;
    // Something for 最新进展 and 佐证材料数 to show.
    let open = source
        .get_json(&format!(
            "/api/v1/measures?inspection_id={xc}&status=in_progress&limit=1"
        ))
        .await["items"][0]
        .clone();
    let open_id = id_of(&open);
    let res = source
        .post(
            &format!("/api/v1/measures/{open_id}/actions/report"),
            &json!({"text": "已完成制度修订初稿，正在征求意见", "percent": 60}),
        )
        .await;
    assert_eq!(res.status(), 200);
    let admin = token("admin-1", "admin", None);
    assert_eq!(
        source
            .upload(&admin, open_id, "初稿.pdf", PDF.to_vec())
            .await
            .status(),
        201
    );

    let query = format!("?inspection_id={xc}");
    let xlsx = export(&source, &format!("/api/v1/ledger.xlsx{query}")).await;
    let csv = export(&source, &format!("/api/v1/ledger.csv{query}")).await;
    let from_xlsx = xlsx_rows(&xlsx);
    let from_csv = csv_rows(&csv);
    assert_eq!(
        from_xlsx, from_csv,
        "the workbook and the CSV hold the same ledger"
    );
    assert_eq!(
        from_csv.len(),
        1 + 17,
        "a header and the 17 measures of XC-2022-03"
    );
    let progress = column(&from_csv, "最新进展");
    let evidence = column(&from_csv, "佐证材料数");
    let code = column(&from_csv, "措施编号");
    let row_of_open = from_csv
        .iter()
        .position(|r| r[code] == open["code"].as_str().unwrap())
        .unwrap();
    assert_eq!(
        from_csv[row_of_open][progress],
        "已完成制度修订初稿，正在征求意见"
    );
    assert_eq!(from_csv[row_of_open][evidence], "1");

    let target = spawn_app().await;
    target.seed(&demo_skeleton());
    let fresh = inspection_id(&target, "XC-2022-03").await;
    let report = imported(
        import(
            &target,
            &office(),
            &fresh,
            "台账.xlsx",
            xlsx.clone(),
            "?dry_run=false",
        )
        .await,
    )
    .await;
    assert_eq!(report["dry_run"], false);
    assert_eq!(report["rows"], 17);
    assert_eq!(
        report["findings"],
        json!({"created": 9, "updated": 0, "unchanged": 0})
    );
    assert_eq!(
        report["measures"],
        json!({"created": 17, "updated": 0, "unchanged": 0})
    );

    let again = csv_rows(
        &export(
            &target,
            &format!("/api/v1/ledger.csv?inspection_id={fresh}"),
        )
        .await,
    );
    assert_eq!(again.len(), from_csv.len());
    // The duties that keep long-term measures (their quota light) do not travel in a sheet
    // either: those measures' light may differ, and only theirs.
    let kept: Vec<String> = source
        .get_json(&format!("/api/v1/measures?inspection_id={xc}&limit=100"))
        .await["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| !m["quota_light"].is_null())
        .map(|m| m["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(
        kept.len(),
        5,
        "four duties of the plan, one the measure's own quota"
    );
    let light = column(&from_csv, "预警");
    for (i, (before, after)) in from_csv.iter().zip(&again).enumerate() {
        for (j, (b, a)) in before.iter().zip(after).enumerate() {
            if j == evidence && i == row_of_open {
                // Evidence files do not travel in a sheet.
                assert_eq!((b.as_str(), a.as_str()), ("1", "0"));
            } else if j == light && kept.contains(&before[code]) {
                continue;
            } else {
                assert_eq!(b, a, "row {i}, column {}", from_csv[0][j]);
            }
        }
    }

    // The same file again changes nothing, not even the audit trail.
    let events_before = target.get_json("/api/v1/events?limit=500").await["items"]
        .as_array()
        .unwrap()
        .len();
    for (name, bytes) in [("台账.xlsx", xlsx), ("台账.csv", csv)] {
        let report =
            imported(import(&target, &office(), &fresh, name, bytes, "?dry_run=false").await).await;
        assert_eq!(
            report["findings"],
            json!({"created": 0, "updated": 0, "unchanged": 9})
        );
        assert_eq!(
            report["measures"],
            json!({"created": 0, "updated": 0, "unchanged": 17})
        );
    }
    let events_after = target.get_json("/api/v1/events?limit=500").await["items"]
        .as_array()
        .unwrap()
        .len();
    assert_eq!(events_before, events_after);
}

#[tokio::test]
async fn the_workbook_looks_like_an_office_sheet() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let (status, headers, bytes) = download(&app, "/api/v1/ledger.xlsx", Some(&office())).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], XLSX);
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment;"), "{disposition}");
    assert!(disposition.contains("filename*=UTF-8''%E6%95%B4%E6%94%B9%E5%8F%B0%E8%B4%A6"));
    // The seed was written beside the server, which notices it within a second: until
    // then a tag may name the version before it. Once noticed, the tag holds.
    let mut etag = headers["etag"].to_str().unwrap().to_string();
    let mut answered = 0;
    for _ in 0..40 {
        let again = app
            .anon
            .get(app.url("/api/v1/ledger.xlsx"))
            .bearer_auth(office())
            .header("if-none-match", &etag)
            .send()
            .await
            .unwrap();
        answered = again.status().as_u16();
        if answered == 304 {
            break;
        }
        etag = again.headers()["etag"].to_str().unwrap().to_string();
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(answered, 304, "an unchanged ledger is not sent twice");

    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
    assert_eq!(
        book.sheet_names(),
        ["整改台账", "按单位统计", "年度任务完成情况"]
    );
    let sheet = book.worksheet_range("整改台账").unwrap();
    let title = sheet.get_value((0, 0)).unwrap().to_string();
    assert!(title.starts_with("整改台账（截至"), "{title}");
    let header: Vec<String> = (0..21)
        .map(|c| sheet.get_value((1, c)).unwrap().to_string())
        .collect();
    assert_eq!(
        header,
        [
            "序号",
            "问题编号",
            "问题来源",
            "问题类别",
            "问题描述",
            "整改措施",
            "整改类型",
            "牵头单位",
            "配合单位",
            "责任领导",
            "责任人",
            "完成时限",
            "原定时限",
            "延期次数",
            "整改状态",
            "预警",
            "最新进展",
            "销号时间",
            "佐证材料数",
            "催办次数",
            "措施编号"
        ]
    );
    assert_eq!(sheet.height(), 2 + 19);
    // Dates are dates, not text.
    let due = (2..21)
        .map(|r| sheet.get_value((r, 11)).unwrap())
        .find(|v| !matches!(v, Data::String(_)))
        .unwrap();
    assert!(matches!(due, Data::DateTime(_)), "{due:?}");
    let merged = book.merge_cells_by_sheet_name("整改台账").unwrap();
    // The title spans all 21 columns.
    assert_eq!((merged[0].start, merged[0].end), ((0, 0), (0, 20)));
    // A finding's own cells (问题编号, 问题来源, 问题类别, 问题描述) span its measures' rows,
    // as offices merge them: XC-2022-03-01 has two measures, rows 3 and 4.
    let finding_cells: Vec<(u32, u32, u32)> = merged_cells(&bytes)
        .into_iter()
        .filter(|(first, _, _)| *first == 2)
        .collect();
    assert_eq!(finding_cells, [(2, 3, 1), (2, 3, 2), (2, 3, 3), (2, 3, 4)]);
    assert_eq!(
        sheet.get_value((2, 1)).unwrap().to_string(),
        "XC-2022-03-01"
    );
    assert_eq!(sheet.get_value((3, 1)), Some(&Data::Empty));
    assert_eq!(
        sheet.get_value((3, 5)).unwrap().to_string(),
        "党组每年研究部署和听取党建工作汇报分别不少于2次",
        "the measure's own cells are not merged"
    );

    let stats = book.worksheet_range("按单位统计").unwrap();
    let heading = stats.get_value((0, 0)).unwrap().to_string();
    assert!(heading.starts_with("整改情况按单位统计（截至"), "{heading}");
    assert_eq!(stats.get_value((1, 0)).unwrap().to_string(), "单位");
    let last = stats.height() as u32 - 1;
    assert_eq!(stats.get_value((last, 0)).unwrap().to_string(), "合计");
    assert_eq!(
        stats.get_value((last, 2)),
        Some(&Data::Float(19.0)),
        "19 measures in all"
    );

    // What calamine does not read back: frozen panes, drop-downs and row colours.
    let sheet_xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    assert!(
        sheet_xml.contains(r#"<pane ySplit="2" topLeftCell="A3""#),
        "frozen header"
    );
    assert!(sheet_xml.contains(r#"<formula1>"立行立改,限期整改,长期坚持"</formula1>"#));
    assert!(sheet_xml
        .contains(r#"<formula1>"未开始,整改中,已申请销号,领导已签批,已销号,长期坚持"</formula1>"#));
    // Printed as offices print it: A3 landscape at 100% (no smaller scale), two pages
    // across with 序号、问题编号 on the left of each and the title and header on top; rows
    // tall enough for their wrapped text.
    assert!(
        sheet_xml.contains(r#"<pageSetup paperSize="8" orientation="landscape""#),
        "A3 landscape at full scale: {sheet_xml}"
    );
    assert!(
        zip_entry(&bytes, "xl/workbook.xml")
            .contains("整改台账!$A:$B,整改台账!$1:$2</definedName>"),
        "序号 and 问题编号 on the left, the title and header on top of every page"
    );
    let (scale, across) = zhenggai::documents::export::print_scale(
        zhenggai::domain::ledger::Column::ALL,
        zhenggai::documents::export::Paper::A3,
    );
    assert!(
        (scale, across) >= (70, 1) && across <= 2,
        "{scale}% over {across}"
    );
    assert!(
        zip_entry(&bytes, "xl/worksheets/sheet2.xml")
            .contains(r#"<pageSetup paperSize="9" fitToHeight="0" orientation="landscape""#),
        "按单位统计: A4 landscape, one page across"
    );
    // The merged description (three lines) over rows 3 and 4: together tall enough.
    let height = |r: u32| -> f64 {
        sheet_xml
            .split(&format!("<row r=\"{r}\" ht=\""))
            .nth(1)
            .and_then(|s| s.split('"').next())
            .and_then(|h| h.parse().ok())
            .unwrap_or(0.0)
    };
    assert!(
        height(3) + height(4) >= 42.0,
        "three lines for a long description: {} + {}",
        height(3),
        height(4)
    );
    let styles = zip_entry(&bytes, "xl/styles.xml");
    assert!(styles.contains("FFFFC7CE"), "a red fill for overdue rows");
    assert!(
        styles.contains("FFFFEB9C"),
        "a yellow fill for due-soon rows"
    );
}

#[tokio::test]
async fn the_a4_workbook_holds_the_core_columns_at_a_readable_scale_with_chinese_dates() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let bytes = export(&app, "/api/v1/ledger.xlsx?paper=a4&date_style=zh").await;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes.clone())).unwrap();
    let sheet = book.worksheet_range("整改台账").unwrap();
    let header: Vec<String> = (0..sheet.width() as u32)
        .map(|c| sheet.get_value((1, c)).unwrap().to_string())
        .collect();
    assert_eq!(
        header,
        [
            "序号",
            "问题编号",
            "问题描述",
            "整改措施",
            "牵头单位",
            "责任领导",
            "完成时限",
            "整改状态",
            "预警"
        ]
    );
    // Dates stay date cells, written 2026年8月29日.
    let due = (2..sheet.height() as u32)
        .map(|r| sheet.get_value((r, 6)).unwrap())
        .find(|v| !matches!(v, Data::String(_) | Data::Empty))
        .unwrap();
    assert!(matches!(due, Data::DateTime(_)), "{due:?}");
    assert!(zip_entry(&bytes, "xl/styles.xml")
        .contains(r#"formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;""#));
    let sheet_xml = zip_entry(&bytes, "xl/worksheets/sheet1.xml");
    let setup = sheet_xml
        .split("<pageSetup ")
        .nth(1)
        .and_then(|s| s.split("/>").next())
        .unwrap()
        .to_string();
    assert!(setup.contains(r#"paperSize="9""#), "{setup}");
    assert!(setup.contains(r#"orientation="landscape""#), "{setup}");
    let scale: u16 = setup
        .split("scale=\"")
        .nth(1)
        .and_then(|s| s.split('"').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or(100);
    assert!(scale >= 70, "readable at {scale}%");
    // A bad paper is a clear 400, not a default.
    let res = app
        .send(
            reqwest::Method::GET,
            "/api/v1/ledger.xlsx?paper=a5",
            Some(&office()),
            None,
        )
        .await;
    assert_eq!(res.status(), 400);
}

/// One file of a zip archive, as text (empty when the archive or the file is missing).
fn zip_entry(bytes: &[u8], name: &str) -> String {
    let Ok(mut archive) = zip::ZipArchive::new(Cursor::new(bytes.to_vec())) else {
        return String::new();
    };
    let Ok(mut file) = archive.by_name(name) else {
        return String::new();
    };
    let mut text = String::new();
    std::io::Read::read_to_string(&mut file, &mut text).unwrap();
    text
}

#[tokio::test]
async fn red_and_yellow_rows_are_the_red_and_yellow_measures() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let rows = xlsx_rows(&export(&app, "/api/v1/ledger.xlsx").await);
    let light = column(&rows, "预警");
    let code = column(&rows, "措施编号");
    let red = app.get_json("/api/v1/measures?warning=red&limit=100").await;
    let mut want: Vec<&str> = red["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["code"].as_str().unwrap())
        .collect();
    let mut got: Vec<&str> = rows
        .iter()
        .filter(|r| r[light] == "红灯")
        .map(|r| r[code].as_str())
        .collect();
    want.sort();
    got.sort();
    assert!(!want.is_empty());
    assert_eq!(got, want);
}

#[tokio::test]
async fn a_unit_exports_only_what_it_sees_and_the_csv_opens_in_excel() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let unit = token("cw-1", "unit", Some("JRB-CWS"));
    let (status, headers, bytes) = download(&app, "/api/v1/ledger.csv", Some(&unit)).await;
    assert_eq!(status, 200);
    assert_eq!(headers["content-type"], "text/csv; charset=utf-8");
    assert!(
        bytes.starts_with(b"\xEF\xBB\xBF"),
        "a BOM so Excel reads UTF-8"
    );
    let rows = csv_rows(&bytes);
    let seen = app
        .send(
            reqwest::Method::GET,
            "/api/v1/measures?limit=100",
            Some(&unit),
            None,
        )
        .await
        .json::<Value>()
        .await
        .unwrap();
    assert_eq!(rows.len() - 1, seen["total"].as_u64().unwrap() as usize);
    assert!(rows.len() - 1 < 19, "a unit does not see the whole ledger");
    let everyone = csv_rows(&export(&app, "/api/v1/ledger.csv?kind=long_term").await);
    assert_eq!(everyone.len() - 1, 8, "filters apply as on GET /measures");

    let res = app
        .send(reqwest::Method::GET, "/api/v1/ledger.csv", None, None)
        .await;
    problem(res, 401).await;
    let res = app
        .send(
            reqwest::Method::GET,
            "/api/v1/ledger.csv?limit=5",
            Some(&unit),
            None,
        )
        .await;
    problem(res, 400).await;
}

#[tokio::test]
async fn fullwidth_signs_and_pipes_are_defused_too() {
    let app = spawn_app().await;
    app.seed(&demo_skeleton());
    let xc = inspection_id(&app, "XC-2022-03").await;
    let sheet = "问题编号,问题描述,整改措施,整改类型,牵头单位,完成时限\n\
                 P-1,＝HYPERLINK(\"http://x\"),|cmd,立行立改,综合科,2030-01-31\n";
    let sheet = sheet.as_bytes().to_vec();
    imported(import(&app, &office(), &xc, "a.csv", sheet, "?dry_run=false").await).await;
    let csv =
        String::from_utf8(export(&app, &format!("/api/v1/ledger.csv?inspection_id={xc}")).await)
            .unwrap();
    assert!(csv.contains("'＝HYPERLINK"), "{csv}");
    assert!(csv.contains(",'|cmd,"), "{csv}");
    let report = imported(
        import(
            &app,
            &office(),
            &xc,
            "b.csv",
            csv.into_bytes(),
            "?dry_run=false",
        )
        .await,
    )
    .await;
    assert_eq!(report["measures"]["unchanged"], 1, "{report}");
}

#[tokio::test]
async fn a_nul_character_in_a_cell_is_named_by_row_and_column() {
    let app = spawn_app().await;
    app.seed(&demo_skeleton());
    let xc = inspection_id(&app, "XC-2022-03").await;
    let sheet = "问题编号,问题描述,整改措施,整改类型,牵头单位,完成时限\n\
                 P-1,问题,措施\u{0}一,立行立改,综合科,2030-01-31\n";
    let res = import(
        &app,
        &office(),
        &xc,
        "a.csv",
        sheet.as_bytes().to_vec(),
        "?dry_run=false",
    )
    .await;
    let p = problem(res, 422).await;
    assert_eq!(p["sheet_errors"][0]["row"], 2, "{p}");
    assert_eq!(p["sheet_errors"][0]["column"], "整改措施", "{p}");
}

#[tokio::test]
async fn formula_like_cells_are_defused_in_csv_and_restored_on_import() {
    let app = spawn_app().await;
    app.seed(&demo_skeleton());
    let xc = inspection_id(&app, "XC-2022-03").await;
    let sheet = "问题编号,问题描述,整改措施,整改类型,牵头单位,完成时限\n\
                 P-1,=HYPERLINK(\"http://x\"),@SUM(A1),立行立改,综合科,2030-01-31\n";
    imported(
        import(
            &app,
            &office(),
            &xc,
            "a.csv",
            sheet.as_bytes().to_vec(),
            "?dry_run=false",
        )
        .await,
    )
    .await;
    let csv =
        String::from_utf8(export(&app, &format!("/api/v1/ledger.csv?inspection_id={xc}")).await)
            .unwrap();
    assert!(csv.contains("\"'=HYPERLINK(\"\"http://x\"\")\""), "{csv}");
    assert!(csv.contains(",'@SUM(A1),"), "{csv}");
    let report = imported(
        import(
            &app,
            &office(),
            &xc,
            "b.csv",
            csv.into_bytes(),
            "?dry_run=false",
        )
        .await,
    )
    .await;
    assert_eq!(report["measures"]["unchanged"], 1, "{report}");
}

#[tokio::test]
async fn one_answer_lists_every_problem_of_a_row_each_at_its_column() {
    let app = spawn_app().await;
    app.seed(&demo_skeleton());
    let xc = inspection_id(&app, "XC-2022-03").await;
    // One row with a bad 整改类型, a bad date and an unknown 牵头单位; a duplicate code below.
    let sheet = "\u{feff}问题编号,问题描述,整改措施,整改类型,牵头单位,配合单位,完成时限,措施编号\n\
        P-01,会议记录不全,补齐会议记录,马上改,宣传科,人事处,明年,P-01-1\n\
        P-02,合同管理不规范,清理合同,限期整改,财务室,,2030-03-31,P-02-1\n\
        P-02,合同管理不规范,修订合同管理办法,限期整改,财务室,,2030-04-30,P-02-1\n";
    let res = import(
        &app,
        &office(),
        &xc,
        "错.csv",
        sheet.as_bytes().to_vec(),
        "?dry_run=false",
    )
    .await;
    let body = problem(res, 422).await;
    let got: Vec<(u64, String)> = body["sheet_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"]
                    .as_str()
                    .unwrap_or_else(|| panic!("every problem names its column: {e}"))
                    .to_string(),
            )
        })
        .collect();
    let mut want: Vec<(u64, String)> = [
        (2, "整改类型"),
        (2, "完成时限"),
        (2, "牵头单位"),
        (2, "配合单位"),
        (4, "措施编号"),
    ]
    .into_iter()
    .map(|(r, c)| (r, c.to_string()))
    .collect();
    let mut sorted = got.clone();
    sorted.sort();
    want.sort();
    assert_eq!(sorted, want, "{body}");
    assert_eq!(app.get_json("/api/v1/measures").await["total"], 0);
}

#[tokio::test]
async fn every_bad_cell_is_reported_and_nothing_is_written() {
    let app = spawn_app().await;
    app.seed(&demo_skeleton());
    let xc = inspection_id(&app, "XC-2022-03").await;
    let sheet = "\u{feff}问题编号,问题描述,整改措施,整改类型,牵头单位,配合单位,完成时限,措施编号\n\
        P-01,会议记录不全,补齐会议记录,立行立改,综合科,,2030-01-31,P-01-1\n\
        P-01,会议记录不全,建立会议记录审核制度,限期整改,宣传科,,2030-03-31,P-01-2\n\
        P-02,合同管理不规范,清理合同,马上改,财务室,,2030-03-31,P-02-1\n\
        P-02,合同管理不规范,修订合同管理办法,限期整改,财务室,综合科,明年,P-02-2\n\
        P-03,,明确责任,限期整改,综合科,,2030-03-31,P-03-1\n\
        P-03,资产管理混乱,,长期坚持,综合科,,,P-03-2\n\
        P-03,资产管理混乱,盘点资产,限期整改,综合科,人事处,2030-03-31,P-01-1\n\
        P-03,资产管理混乱,再次盘点,限期整改,综合科,,2030-04-31,P-01-1\n\
        ,,,,,,,\n";
    let res = import(
        &app,
        &office(),
        &xc,
        "错.csv",
        sheet.as_bytes().to_vec(),
        "?dry_run=false",
    )
    .await;
    let body = problem(res, 422).await;
    let got: Vec<(u64, String, String)> = body["sheet_errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap_or("").to_string(),
                e["value"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(u64, String, String)> = [
        (3, "牵头单位", "宣传科"),
        (4, "整改类型", "马上改"),
        (5, "完成时限", "明年"),
        (6, "问题描述", ""),
        (7, "整改措施", ""),
        (8, "配合单位", "人事处"),
        (9, "完成时限", "2030-04-31"),
        (9, "措施编号", "P-01-1"),
    ]
    .into_iter()
    .map(|(r, c, v)| (r, c.to_string(), v.to_string()))
    .collect();
    assert_eq!(got, want, "{body}");
    assert!(body["sheet_errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("宣传科"));
    assert_eq!(app.get_json("/api/v1/findings").await["total"], 0);
    assert_eq!(app.get_json("/api/v1/measures").await["total"], 0);
}

#[tokio::test]
async fn a_sheet_shaped_like_the_offices_own_imports() {
    let app = spawn_app().await;
    app.seed(&demo_skeleton());
    let xc = inspection_id(&app, "XC-2022-03").await;
    // A title merged across the top, the header on row 3, columns in the office's own
    // order and words, 问题编号/问题描述 merged down over their measures, a date typed as
    // text, and formatted but empty rows at the end.
    let mut book = Workbook::new();
    let sheet = book.add_worksheet();
    let bold = Format::new().set_bold();
    let date = Format::new().set_num_format("yyyy/m/d");
    sheet
        .merge_range(0, 0, 0, 6, "市金融办党组巡察反馈问题整改台账", &bold)
        .unwrap();
    sheet.write_string(1, 0, "填报单位：综合科").unwrap();
    for (c, head) in [
        "序号",
        "问题\n编号",
        "存在问题",
        "整改措施",
        "责任单位",
        "整改类型",
        "整改时限",
        "责任领导",
    ]
    .iter()
    .enumerate()
    {
        sheet
            .write_string_with_format(2, c as u16, *head, &bold)
            .unwrap();
    }
    sheet
        .merge_range(3, 1, 4, 1, "XC-2022-03-01", &Format::new())
        .unwrap();
    sheet
        .merge_range(3, 2, 4, 2, "党组会专题研究党建工作频次不足", &Format::new())
        .unwrap();
    sheet.write_number(3, 0, 1).unwrap();
    sheet.write_string(3, 3, "修订党组工作规则").unwrap();
    sheet.write_string(3, 4, "综合科").unwrap();
    sheet.write_string(3, 5, "立行立改").unwrap();
    sheet.write_string(3, 6, "2030年6月底前").unwrap();
    sheet.write_string(3, 7, "党组书记、主任").unwrap();
    sheet.write_number(4, 0, 2).unwrap();
    sheet
        .write_string(4, 3, "党组每年听取党建工作汇报不少于2次")
        .unwrap();
    sheet.write_string(4, 4, "JRB-ZHK").unwrap();
    sheet.write_string(4, 5, "长期坚持").unwrap();
    sheet.write_string(4, 6, "长期坚持").unwrap();
    sheet.write_number(5, 0, 3).unwrap();
    sheet.write_string(5, 1, "XC-2022-03-02").unwrap();
    sheet
        .write_string(5, 2, "理论学习中心组学习计划执行不到位")
        .unwrap();
    sheet.write_string(5, 3, "制定年度学习计划").unwrap();
    sheet.write_string(5, 4, "综合科").unwrap();
    sheet.write_string(5, 5, "限期整改").unwrap();
    sheet
        .write_date_with_format(
            5,
            6,
            chrono::NaiveDate::from_ymd_opt(2030, 3, 31).unwrap(),
            &date,
        )
        .unwrap();
    for r in 6..12 {
        sheet.write_blank(r, 3, &bold).unwrap();
    }
    let bytes = book.save_to_buffer().unwrap();

    let dry = imported(import(&app, &office(), &xc, "台账.xlsx", bytes.clone(), "").await).await;
    assert_eq!(dry["dry_run"], true, "a dry run unless asked otherwise");
    assert_eq!(dry["measures"]["created"], 3);
    assert_eq!(
        app.get_json("/api/v1/measures").await["total"],
        0,
        "the dry run wrote nothing"
    );

    let done =
        imported(import(&app, &office(), &xc, "台账.xlsx", bytes, "?dry_run=false").await).await;
    assert_eq!(done["rows"], 3);
    assert_eq!(done["findings"]["created"], 2);
    assert_eq!(done["measures"]["created"], 3);
    let measures = app.get_json("/api/v1/measures?sort=created_at").await;
    let items = measures["items"].as_array().unwrap();
    assert_eq!(items[0]["kind"], "immediate");
    assert_eq!(items[0]["due_date"], "2030-06-30");
    assert_eq!(items[0]["accountable_leader"], "党组书记、主任");
    assert_eq!(items[1]["kind"], "long_term");
    assert_eq!(items[1]["due_date"], Value::Null);
    assert_eq!(
        items[1]["accountable_leader"], "未明确",
        "a leader to be named"
    );
    assert_eq!(
        items[0]["finding_id"], items[1]["finding_id"],
        "the merged cells are one finding"
    );
    assert_eq!(items[2]["due_date"], "2030-03-31");
    let finding = app
        .get_json(&format!(
            "/api/v1/findings/{}",
            items[0]["finding_id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(finding["code"], "XC-2022-03-01");
    assert_eq!(finding["category"], "business", "the default category");
}

#[tokio::test]
async fn a_reimport_changes_what_the_rules_allow_and_reports_the_rest() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let xc = inspection_id(&app, "XC-2022-03").await;
    let mut rows = csv_rows(&export(&app, &format!("/api/v1/ledger.csv?inspection_id={xc}")).await);
    let status = column(&rows, "整改状态");
    let person = column(&rows, "责任人");
    let due = column(&rows, "完成时限");
    // A dated one: a long-term measure (长期坚持) takes no due date.
    let not_started = rows
        .iter()
        .position(|r| r[status] == "未开始" && r[due] != "长期坚持")
        .unwrap();
    let closed = rows.iter().position(|r| r[status] == "已销号").unwrap();
    let working = rows
        .iter()
        .position(|r| r[status] == "整改中" && r[due] != "长期坚持")
        .unwrap();
    rows[not_started][person] = "张三".into();
    rows[not_started][due] = "2031-01-31".into();
    let write = |rows: &[Vec<String>]| {
        let mut w = csv::Writer::from_writer(Vec::new());
        for r in rows {
            w.write_record(r).unwrap();
        }
        w.into_inner().unwrap()
    };
    let report = imported(
        import(
            &app,
            &office(),
            &xc,
            "a.csv",
            write(&rows),
            "?dry_run=false",
        )
        .await,
    )
    .await;
    assert_eq!(report["measures"]["updated"], 1, "{report}");
    assert_eq!(report["measures"]["unchanged"], 16);

    rows[working][due] = "2031-01-31".into();
    rows[closed][status] = "整改中".into();
    let res = import(
        &app,
        &office(),
        &xc,
        "b.csv",
        write(&rows),
        "?dry_run=false",
    )
    .await;
    let body = problem(res, 422).await;
    let errors = body["sheet_errors"].as_array().unwrap();
    let mut cells: Vec<(u64, &str)> = errors
        .iter()
        .map(|e| {
            (
                e["row"].as_u64().unwrap(),
                e["column"].as_str().unwrap_or(""),
            )
        })
        .collect();
    cells.sort();
    // Each at its column, never a whole row without one.
    let mut want = vec![
        (working as u64 + 1, "完成时限"),
        (closed as u64 + 1, "整改状态"),
    ];
    want.sort();
    assert_eq!(cells, want, "{body}");
    let moved = errors
        .iter()
        .find(|e| e["row"] == working as u64 + 1)
        .unwrap();
    assert!(
        moved["message"]
            .as_str()
            .unwrap()
            .contains("已开始整改的措施只能通过延期申请调整完成时限"),
        "{moved}"
    );
}

#[tokio::test]
async fn only_the_office_imports_and_into_its_inspections() {
    let app = spawn_app().await;
    app.seed(&demo_skeleton());
    let xc = inspection_id(&app, "XC-2022-03").await;
    let kh = inspection_id(&app, "KH-2021").await;
    let sheet = "问题编号,问题描述,整改措施,整改类型,牵头单位,完成时限\nXC-2022-03-01,问题,措施,立行立改,综合科,2030-01-31\n";
    let roles = [
        ("unit", Some("JRB-ZHK")),
        ("leader", Some("JRB-ZHK")),
        ("supervisor", None),
        ("viewer", None),
    ];
    let refused = |role: &str| {
        if role == "unit" || role == "leader" {
            404
        } else {
            403
        }
    };
    for (role, unit) in roles {
        // An inspection a unit has nothing in is hidden from it.
        let res = import(
            &app,
            &token("x", role, unit),
            &xc,
            "a.csv",
            sheet.as_bytes().to_vec(),
            "?dry_run=false",
        )
        .await;
        problem(res, refused(role)).await;
    }
    let admin = token("a", "admin", None);
    imported(
        import(
            &app,
            &admin,
            &xc,
            "a.csv",
            sheet.as_bytes().to_vec(),
            "?dry_run=false",
        )
        .await,
    )
    .await;
    for (role, unit) in roles {
        let res = import(
            &app,
            &token("x", role, unit),
            &xc,
            "a.csv",
            sheet.as_bytes().to_vec(),
            "?dry_run=false",
        )
        .await;
        problem(res, 403).await;
    }
    // The same finding code in another inspection is a mistake, not a new finding.
    let res = import(
        &app,
        &office(),
        &kh,
        "a.csv",
        sheet.as_bytes().to_vec(),
        "?dry_run=false",
    )
    .await;
    let body = problem(res, 422).await;
    assert_eq!(body["sheet_errors"][0]["column"], "问题编号");
    assert!(body["sheet_errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("XC-2022-03"));

    let missing = "00000000-0000-7000-8000-000000000000";
    let res = import(
        &app,
        &office(),
        missing,
        "a.csv",
        sheet.as_bytes().to_vec(),
        "",
    )
    .await;
    problem(res, 404).await;
    let res = import(
        &app,
        &office(),
        &xc,
        "a.xlsx",
        b"PK\x03\x04garbage".to_vec(),
        "",
    )
    .await;
    problem(res, 422).await;
    let res = import(
        &app,
        &office(),
        &xc,
        "a.csv",
        b"just,some\nwords,here\n".to_vec(),
        "",
    )
    .await;
    let body = problem(res, 422).await;
    assert!(body["sheet_errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("表头"));
    let res = import(&app, &office(), &xc, "a.csv", Vec::new(), "").await;
    problem(res, 422).await;
    let res = app
        .anon
        .post(app.url(&format!("/api/v1/inspections/{xc}/ledger/import")))
        .bearer_auth(office())
        .body(sheet)
        .send()
        .await
        .unwrap();
    problem(res, 415).await;
}

#[tokio::test]
async fn a_workbook_written_by_another_program_imports_and_xls_ods_are_refused() {
    // tests/fixtures/office-ledger.xlsx: a sheet written with openpyxl the way an office
    // lays it out (a 填表说明 sheet first; on the ledger sheet a merged title, a 填报单位
    // line, headers in the office's own words, 问题编号/反馈问题 merged over two measures
    // each, dates as dates and as text, 填表人/审核人 under the table). The .xls and .ods
    // beside it are the same sheet saved by LibreOffice.
    let app = spawn_app().await;
    app.seed(&demo_skeleton());
    let xc = inspection_id(&app, "XC-2022-03").await;
    let fixture = |name: &str| {
        std::fs::read(format!(
            "{}/tests/fixtures/{name}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
    };
    for name in ["office-ledger.xls", "office-ledger.ods"] {
        let res = import(&app, &office(), &xc, name, fixture(name), "").await;
        let body = problem(res, 415).await;
        assert!(body["detail"].as_str().unwrap().contains(".xlsx"), "{body}");
    }
    let bytes = fixture("office-ledger.xlsx");
    let report =
        imported(import(&app, &office(), &xc, "a.xlsx", bytes, "?dry_run=false").await).await;
    assert_eq!(report["rows"], 4, "{report}");
    assert_eq!(report["findings"]["created"], 2, "{report}");
    assert_eq!(report["measures"]["created"], 4, "{report}");
    let measures = app.get_json("/api/v1/measures?sort=created_at").await;
    let items = measures["items"].as_array().unwrap();
    let due: Vec<&Value> = items.iter().map(|m| &m["due_date"]).collect();
    assert_eq!(
        due,
        [
            &json!("2030-08-31"),
            &Value::Null,
            &json!("2030-06-30"),
            &json!("2030-09-30")
        ]
    );
    assert_eq!(items[0]["finding_id"], items[1]["finding_id"]);
    assert_eq!(items[2]["finding_id"], items[3]["finding_id"]);
    assert_ne!(items[0]["finding_id"], items[2]["finding_id"]);
    assert_eq!(items[1]["supporting_unit_ids"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn exports_at_once_take_turns_and_all_finish() {
    let app = spawn_app().await;
    app.seed(zhenggai::seed::DEMO);
    let expected = csv_rows(&export(&app, "/api/v1/ledger.csv?sort=due_date").await);
    // More than the exports allowed at once: the rest wait their turn, none is lost.
    let downloads = (0..2 * zhenggai::api::EXPORTS_AT_ONCE + 1).map(|i| {
        let path = if i % 2 == 0 {
            "/api/v1/ledger.csv?sort=due_date"
        } else {
            "/api/v1/ledger.xlsx"
        };
        let req = app
            .client
            .get(app.url(path))
            .header("cache-control", "no-cache");
        async move { (path, req.send().await.unwrap().bytes().await.unwrap()) }
    });
    for (path, bytes) in futures_util::future::join_all(downloads).await {
        if path.contains("csv") {
            assert_eq!(csv_rows(&bytes), expected);
        } else {
            assert_eq!(xlsx_rows(&bytes).len(), 1 + 19);
        }
    }
}

#[tokio::test]
async fn a_retried_import_answers_its_first_report_and_imports_once() {
    let source = spawn_app().await;
    source.seed(zhenggai::seed::DEMO);
    let xc = inspection_id(&source, "XC-2022-03").await;
    let xlsx = export(&source, &format!("/api/v1/ledger.xlsx?inspection_id={xc}")).await;
    let target = spawn_app().await;
    target.seed(&demo_skeleton());
    let fresh = inspection_id(&target, "XC-2022-03").await;
    let send = || {
        // reqwest picks a new multipart boundary for every form, as a rebuilt retry would.
        let part = reqwest::multipart::Part::bytes(xlsx.clone()).file_name("台账.xlsx");
        target
            .anon
            .post(target.url(&format!(
                "/api/v1/inspections/{fresh}/ledger/import?dry_run=false"
            )))
            .bearer_auth(office())
            .header("Idempotency-Key", "import-2022-03")
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send()
    };
    let first = send().await.unwrap();
    assert_eq!(first.headers().get("idempotent-replayed"), None);
    let first = imported(first).await;
    assert_eq!(first["measures"]["created"], 17, "{first}");
    let again = send().await.unwrap();
    assert_eq!(again.headers()["idempotent-replayed"], "true");
    // The first report again, not "17 unchanged" from importing the sheet a second time.
    assert_eq!(imported(again).await, first);
    assert_eq!(
        target
            .get_json(&format!("/api/v1/measures?inspection_id={fresh}"))
            .await["total"],
        17
    );
}
