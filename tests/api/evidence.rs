//! Evidence files over HTTP: what is accepted, what is refused before it is stored, and
//! what comes back out.

use reqwest::Method;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

use crate::helpers::id_of;
use crate::helpers::{problem, spawn_app, spawn_app_with, token, TestApp, PDF};

/// A unit, its claimed finding and a measure; returns (app, staff token, measure id).
async fn measure() -> (TestApp, String, String) {
    measure_on(spawn_app().await).await
}

async fn measure_on(app: TestApp) -> (TestApp, String, String) {
    let (unit, _, finding) = app.ledger().await;
    let finding = id_of(&finding).to_string();
    let measure = app
        .measure(&finding, &unit, Some(crate::helpers::days(30)))
        .await["id"]
        .as_str()
        .unwrap()
        .to_string();
    (app, token("li.zhk", "unit", Some("ZHK")), measure)
}

fn png() -> Vec<u8> {
    let mut bytes = vec![0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A];
    bytes.extend_from_slice(&[0, 0, 0, 13, b'I', b'H', b'D', b'R']);
    bytes.extend_from_slice(&[0; 32]);
    bytes
}

#[tokio::test]
async fn an_upload_is_stored_by_its_content_and_comes_back_byte_for_byte() {
    let (app, staff, measure) = measure().await;
    let name = "关于差旅费报销问题整改情况的报告.pdf";
    let res = app.upload(&staff, &measure, name, PDF.to_vec()).await;
    assert_eq!(res.status(), 201);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let e: Value = res.json().await.unwrap();
    let sha: String = Sha256::digest(PDF)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(e["sha256"], sha);
    assert_eq!(e["size"], PDF.len());
    assert_eq!(e["media_type"], "application/pdf");
    assert_eq!(e["file_name"], name);
    assert_eq!(e["description"], "整改情况报告（盖章扫描件）");
    assert_eq!(e["effective_date"], "2022-06-28");
    assert_eq!(e["uploaded_by"], "li.zhk");
    assert_eq!(e["frozen"], false);
    assert_eq!(app.get_json(&location).await["id"], e["id"]);

    let res = app
        .send(
            Method::GET,
            e["content_url"].as_str().unwrap(),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(res.status(), 200);
    let headers = res.headers().clone();
    assert_eq!(headers["content-type"], "application/pdf");
    assert_eq!(headers["etag"].to_str().unwrap(), format!("\"{sha}\""));
    let disposition = headers["content-disposition"].to_str().unwrap();
    assert!(disposition.starts_with("attachment"), "{disposition}");
    assert!(
        disposition.contains("filename*=UTF-8''%E5%85%B3%E4%BA%8E"),
        "{disposition}"
    );
    assert_eq!(headers["x-content-type-options"], "nosniff");
    assert_eq!(res.bytes().await.unwrap().as_ref(), PDF);
    // Unchanged content is not sent again.
    let res = app
        .anon
        .get(app.url(e["content_url"].as_str().unwrap()))
        .bearer_auth(&staff)
        .header("If-None-Match", format!("\"{sha}\""))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 304);
    let list = app
        .get_json(&format!("/api/v1/measures/{measure}/evidence"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn the_type_is_judged_by_the_bytes_not_the_name_or_header() {
    let (app, staff, measure) = measure().await;
    // A shell script dressed up as a PDF.
    let res = app
        .upload(
            &staff,
            &measure,
            "报告.pdf",
            b"#!/bin/sh\nrm -rf /\n".to_vec(),
        )
        .await;
    let body = problem(res, 415).await;
    assert!(body["detail"].as_str().unwrap().contains("PDF"));
    // A PNG named .pdf is a PNG.
    let res = app.upload(&staff, &measure, "现场照片.pdf", png()).await;
    assert_eq!(res.status(), 201);
    assert_eq!(
        res.json::<Value>().await.unwrap()["media_type"],
        "image/png"
    );
    let res = app.upload(&staff, &measure, "空.pdf", vec![]).await;
    problem(res, 422).await;
    // Nothing refused was kept.
    let list = app
        .get_json(&format!("/api/v1/measures/{measure}/evidence"))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn hostile_file_names_are_only_metadata() {
    let (app, staff, measure) = measure().await;
    for (given, kept) in [
        ("../../../../etc/passwd.pdf", "passwd.pdf"),
        ("..\\..\\windows\\system.ini.pdf", "system.ini.pdf"),
        ("..", "evidence"),
    ] {
        let res = app.upload(&staff, &measure, given, PDF.to_vec()).await;
        assert_eq!(res.status(), 201, "{given}");
        let e: Value = res.json().await.unwrap();
        assert_eq!(e["file_name"], kept, "{given}");
    }
    // Stored under its hash inside the storage directory, nowhere else.
    let root = app.config.storage_dir.clone();
    let mut files = vec![];
    for dir in std::fs::read_dir(root.join("sha256")).unwrap() {
        for f in std::fs::read_dir(dir.unwrap().path()).unwrap() {
            files.push(f.unwrap().file_name().into_string().unwrap());
        }
    }
    assert_eq!(files.len(), 1, "one content, stored once: {files:?}");
    assert!(!root.join("passwd.pdf").exists());
}

#[tokio::test]
async fn too_large_uploads_are_refused_and_leave_nothing_behind() {
    let (app, staff, measure) = measure().await;
    // The test app allows 1 MiB.
    let mut big = PDF.to_vec();
    big.resize(1024 * 1024 + 1, b' ');
    let res = app.upload(&staff, &measure, "大文件.pdf", big).await;
    problem(res, 413).await;
    // Declared too large: refused before the body is read.
    let res = app
        .anon
        .post(app.url(&format!("/api/v1/measures/{measure}/evidence")))
        .bearer_auth(&staff)
        .header("content-type", "multipart/form-data; boundary=x")
        .header("content-length", "999999999")
        .body(vec![0u8; 16])
        .send()
        .await;
    if let Ok(res) = res {
        problem(res, 413).await;
    }
    let tmp = app.config.storage_dir.join("tmp");
    assert_eq!(std::fs::read_dir(tmp).unwrap().count(), 0);
    let list = app
        .get_json(&format!("/api/v1/measures/{measure}/evidence"))
        .await;
    assert!(list["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn malformed_forms_are_clear_errors() {
    let (app, staff, measure) = measure().await;
    let path = format!("/api/v1/measures/{measure}/evidence");
    let res = app
        .send(
            Method::POST,
            &path,
            Some(&staff),
            Some(&json!({"file": "x"})),
        )
        .await;
    problem(res, 415).await;
    let form = reqwest::multipart::Form::new().text("description", "没有文件");
    let res = app
        .anon
        .post(app.url(&path))
        .bearer_auth(&staff)
        .multipart(form)
        .send()
        .await
        .unwrap();
    let body = problem(res, 422).await;
    assert_eq!(body["errors"][0]["field"], "file");
    let part = reqwest::multipart::Part::bytes(PDF.to_vec()).file_name("a.pdf");
    let form = reqwest::multipart::Form::new()
        .part("file", part)
        .text("effective_date", "去年");
    let res = app
        .anon
        .post(app.url(&path))
        .bearer_auth(&staff)
        .multipart(form)
        .send()
        .await
        .unwrap();
    problem(res, 422).await;
}

#[tokio::test]
async fn evidence_follows_its_measures_permissions() {
    let (app, staff, measure) = measure().await;
    let res = app.upload(&staff, &measure, "a.pdf", PDF.to_vec()).await;
    let e: Value = res.json().await.unwrap();
    let id = id_of(&e);
    app.unit("CWS", "财务审计处").await;
    let stranger = token("zhou.cws", "unit", Some("CWS"));
    let leader = token("zhang", "leader", Some("ZHK"));
    let viewer = token("screen", "viewer", None);
    for path in [
        format!("/api/v1/evidence/{id}"),
        format!("/api/v1/evidence/{id}/content"),
        format!("/api/v1/measures/{measure}/evidence"),
    ] {
        let res = app.send(Method::GET, &path, Some(&stranger), None).await;
        problem(res, 404).await;
        let res = app.send(Method::GET, &path, Some(&viewer), None).await;
        assert_eq!(res.status(), 200, "{path}");
    }
    for who in [&leader, &viewer] {
        let res = app.upload(who, &measure, "b.pdf", PDF.to_vec()).await;
        problem(res, 403).await;
    }
    let res = app.upload(&stranger, &measure, "b.pdf", PDF.to_vec()).await;
    problem(res, 404).await;
    let res = app
        .send(
            Method::DELETE,
            &format!("/api/v1/evidence/{id}"),
            Some(&stranger),
            None,
        )
        .await;
    problem(res, 404).await;
    // Its own unit may withdraw it while no closure request cites it; the record stays.
    let res = app
        .send(
            Method::DELETE,
            &format!("/api/v1/evidence/{id}"),
            Some(&staff),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    let e = app.get_json(&format!("/api/v1/evidence/{id}")).await;
    assert_eq!(e["withdrawn_by"], "li.zhk");
    let list = app
        .get_json(&format!("/api/v1/measures/{measure}/evidence"))
        .await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let list = app
        .get_json(&format!(
            "/api/v1/measures/{measure}/evidence?include_withdrawn=true"
        ))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn uploads_past_the_few_at_once_and_their_queue_are_told_to_come_back_and_keep_nothing() {
    let app = spawn_app_with(|c| {
        c.uploads = zhenggai::api::gate::GateSize {
            at_once: 1,
            queue: 0,
        }
    })
    .await;
    let (app, staff, measure) = measure_on(app).await;
    let path = format!("/api/v1/measures/{measure}/evidence");
    // One upload sends its first bytes and holds the rest back. Should it reach the gate
    // while a probe below holds the one turn, it is refused itself and sent again.
    let held = || {
        let (more, rest) = tokio::sync::mpsc::channel::<Vec<u8>>(4);
        let stream = futures_util::stream::unfold(rest, |mut rest| async move {
            rest.recv()
                .await
                .map(|chunk| (Ok::<_, std::io::Error>(chunk), rest))
        });
        let part = reqwest::multipart::Part::stream(reqwest::Body::wrap_stream(stream))
            .file_name("慢.pdf")
            .mime_str("application/pdf")
            .unwrap();
        let send = app
            .anon
            .post(app.url(&path))
            .bearer_auth(&staff)
            .multipart(reqwest::multipart::Form::new().part("file", part))
            .send();
        more.try_send(PDF[..8].to_vec()).unwrap();
        (more, tokio::spawn(send))
    };
    let (mut more, mut slow) = held();
    // Probes go one at a time: a probe refused means the held upload has the turn.
    let mut before = 0;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    let refused = loop {
        if slow.is_finished() {
            let res = slow.await.unwrap().unwrap();
            assert_eq!(res.status(), 503, "the held upload ended early");
            (more, slow) = held();
        }
        let res = app.upload(&staff, &measure, "快.pdf", PDF.to_vec()).await;
        match res.status().as_u16() {
            201 => before += 1,
            503 => break res,
            other => panic!("answered {other}"),
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the held upload never took its turn"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    };
    assert!(refused.headers().contains_key("retry-after"));
    let body = problem(refused, 503).await;
    assert!(
        body["detail"].as_str().unwrap().contains("上传过多"),
        "{body}"
    );
    // The held upload finishes and is kept; then there is room again.
    more.send(PDF[8..].to_vec()).await.unwrap();
    drop(more);
    assert_eq!(slow.await.unwrap().unwrap().status(), 201);
    let res = app.upload(&staff, &measure, "再传.pdf", png()).await;
    assert_eq!(res.status(), 201);
    let listed = app.get_json(&path).await;
    let names: Vec<&str> = listed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["file_name"].as_str().unwrap())
        .collect();
    assert_eq!(names.len(), before + 2, "{names:?}");
    assert!(names.contains(&"慢.pdf") && names.contains(&"再传.pdf"));
}
