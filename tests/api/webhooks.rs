//! Webhooks over HTTP: a receiver on 127.0.0.1 gets signed deliveries, retried after it
//! fails; disallowed targets are refused; the deadline scanner announces each measure once.

use std::sync::{Arc, Mutex};

use hmac::{Hmac, Mac};
use reqwest::Method;
use serde_json::{json, Value};
use sha2::Sha256;
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::id_of;
use crate::helpers::{days, problem, spawn_app, spawn_app_with, spawn_beside, token};

/// One request as received: its headers (lower-case names) and body.
type Request = (Vec<(String, String)>, String);

#[derive(Clone, Default)]
struct Received(Arc<Mutex<Vec<Request>>>);

/// A tiny HTTP receiver: answers 500 to the first `failures` requests, then 200.
async fn receiver(failures: usize) -> (String, Received) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/hooks", listener.local_addr().unwrap());
    let received = Received::default();
    let log = received.clone();
    tokio::spawn(async move {
        let mut seen = 0;
        loop {
            let Ok((mut socket, _)) = listener.accept().await else {
                return;
            };
            let mut buf = Vec::new();
            let mut chunk = [0u8; 4096];
            let (head, body) = loop {
                let n = socket.read(&mut chunk).await.unwrap_or(0);
                if n == 0 {
                    break (String::new(), String::new());
                }
                buf.extend_from_slice(&chunk[..n]);
                let text = String::from_utf8_lossy(&buf).to_string();
                if let Some((head, body)) = text.split_once("\r\n\r\n") {
                    let len = head
                        .lines()
                        .find_map(|l| {
                            l.to_ascii_lowercase()
                                .strip_prefix("content-length:")
                                .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                        })
                        .unwrap_or(0);
                    if body.len() >= len {
                        break (head.to_string(), body.to_string());
                    }
                }
            };
            let headers = head
                .lines()
                .skip(1)
                .filter_map(|l| l.split_once(':'))
                .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
                .collect();
            log.0.lock().unwrap().push((headers, body));
            seen += 1;
            let status = if seen <= failures {
                "500 Internal Server Error"
            } else {
                "200 OK"
            };
            let _ = socket
                .write_all(
                    format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                        .as_bytes(),
                )
                .await;
        }
    });
    (url, received)
}

async fn wait_for(received: &Received, n: usize) {
    for _ in 0..150 {
        if received.0.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!(
        "only {} deliveries arrived",
        received.0.lock().unwrap().len()
    );
}

#[tokio::test]
async fn deliveries_are_signed_and_retried_until_the_receiver_takes_them() {
    let app = spawn_app().await;
    let (url, received) = receiver(1).await;
    let office = token("wang.office", "office", None);
    let secret = "a-long-shared-secret-0123456789";
    let res = app
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Some(&office),
            Some(&json!({"url": url, "events": ["extension.requested"], "secret": secret})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let hook: Value = res.json().await.unwrap();
    assert!(hook.get("secret").is_none(), "the secret is never shown");
    let (unit, _, finding) = app.ledger().await;
    let m = app.measure(id_of(&finding), &unit, Some(days(5))).await;
    let res = app
        .send(
            Method::POST,
            &format!("/api/v1/measures/{}/extensions", id_of(&m)),
            Some(&token("li", "unit", Some("ZHK"))),
            Some(&json!({"requested_due_date": days(40), "reason": "需协调"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    // The first attempt fails (500); the retry comes a few seconds later.
    wait_for(&received, 2).await;
    let (headers, body) = received.0.lock().unwrap()[1].clone();
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    assert_eq!(header("x-zhenggai-event"), "extension.requested");
    let signature = header("x-zhenggai-signature");
    let (t, v1) = signature
        .strip_prefix("t=")
        .and_then(|s| s.split_once(",v1="))
        .expect("t=…,v1=…");
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.{body}").as_bytes());
    let expected: String = mac
        .finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(v1, expected, "the receiver can verify the signature");
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["type"], "extension.requested");
    assert_eq!(payload["object"]["id"], m["id"]);
    // Both attempts are in the log, the delivery marked delivered (the deliverer records
    // the answer just after the receiver has it: look again, for up to 15 s under load).
    let mut log = Value::Null;
    for _ in 0..150 {
        log = app
            .send(
                Method::GET,
                &format!("/api/v1/webhooks/{}/deliveries", id_of(&hook)),
                Some(&office),
                None,
            )
            .await
            .json::<Value>()
            .await
            .unwrap();
        if log["items"][0]["status"] == "delivered" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let delivery = &log["items"][0];
    assert_eq!(delivery["status"], "delivered", "{log}");
    assert_eq!(delivery["attempts"], 2);
    // Attempts append no audit event: the log is never answered from a tag (a 304 to `*`
    // would show a delivery still pending after it went out).
    let res = app
        .anon
        .get(app.url(&format!("/api/v1/webhooks/{}/deliveries", id_of(&hook))))
        .bearer_auth(&office)
        .header("If-None-Match", "*")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn targets_must_be_allowed_and_only_the_office_subscribes() {
    let app = spawn_app().await;
    let office = token("wang.office", "office", None);
    for url in [
        "http://192.168.1.10/hooks",
        "http://evil.example/x",
        "ftp://127.0.0.1/",
        "http://[127.0.0.5]:19150/x",
        "http://127.0.0.1:99999/x",
    ] {
        let res = app
            .send(
                Method::POST,
                "/api/v1/webhooks",
                Some(&office),
                Some(&json!({"url": url, "events": ["measure.closed"], "secret": "0123456789abcdef"})),
            )
            .await;
        let body = problem(res, 422).await;
        assert_eq!(body["errors"][0]["field"], "url", "{url}");
    }
    let res = app
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Some(&office),
            Some(&json!({"url": "http://127.0.0.1:9/h", "events": ["measure.exploded"], "secret": "0123456789abcdef"})),
        )
        .await;
    problem(res, 422).await;
    let res = app
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Some(&token("v", "viewer", None)),
            Some(&json!({"url": "http://127.0.0.1:9/h", "events": ["measure.closed"], "secret": "0123456789abcdef"})),
        )
        .await;
    problem(res, 403).await;
    let res = app
        .send(Method::GET, "/api/v1/webhooks", Some(&office), None)
        .await;
    assert_eq!(res.json::<Value>().await.unwrap()["items"], json!([]));
}

#[tokio::test]
async fn the_scanner_announces_each_deadline_once() {
    let app = spawn_app_with(|c| c.scan_interval_secs = 1).await;
    let (unit, _, finding) = app.ledger().await;
    let overdue = app.measure(id_of(&finding), &unit, Some(days(-2))).await;
    let soon = app.measure(id_of(&finding), &unit, Some(days(0))).await;
    let later = app.measure(id_of(&finding), &unit, Some(days(90))).await;
    let count = |m: &Value, action: &'static str| {
        let path = format!("/api/v1/measures/{}/history", id_of(m));
        let app = &app;
        async move {
            app.get_json(&path).await["items"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| e["action"] == action)
                .count()
        }
    };
    for _ in 0..150 {
        if count(&overdue, "measure.overdue").await == 1
            && count(&soon, "measure.due_soon").await == 1
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    }
    // Several scans later, still once each; the far-off measure never.
    tokio::time::sleep(std::time::Duration::from_millis(2500)).await;
    assert_eq!(count(&overdue, "measure.overdue").await, 1);
    assert_eq!(count(&soon, "measure.due_soon").await, 1);
    assert_eq!(count(&overdue, "measure.due_soon").await, 0);
    assert_eq!(count(&later, "measure.due_soon").await, 0);
    assert_eq!(count(&later, "measure.overdue").await, 0);
    assert_eq!(app.get_json("/api/v1/audit/verify").await["intact"], true);
}

#[tokio::test]
async fn subscriptions_are_audited_and_their_secret_is_sealed_at_rest() {
    let app = spawn_app().await;
    let office = token("wang.office", "office", None);
    let secret = "a-long-shared-secret-0123456789";
    let res = app
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Some(&office),
            Some(&json!({"url": "http://127.0.0.1:9/h", "events": ["measure.closed"], "secret": secret})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let hook: Value = res.json().await.unwrap();
    // At rest the secret is sealed with the data key, never kept as given.
    let db = zhenggai::db::Db::open(&app.config.database_url, 1).unwrap();
    let stored = zhenggai::db::repo::webhooks::get(&mut db.read().unwrap(), id_of(&hook))
        .unwrap()
        .secret;
    assert!(
        stored.starts_with("enc:v1:") && !stored.contains(secret),
        "{stored}"
    );
    let res = app
        .send(
            Method::DELETE,
            &format!("/api/v1/webhooks/{}", id_of(&hook)),
            Some(&office),
            None,
        )
        .await;
    assert_eq!(res.status(), 204);
    let feed = app.get_json("/api/v1/events?limit=50").await;
    let text = feed.to_string();
    let actions: Vec<&str> = feed["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert!(actions.contains(&"webhook.create"), "{actions:?}");
    assert!(actions.contains(&"webhook.disable"), "{actions:?}");
    assert!(
        !text.contains(secret),
        "the secret must not be in the audit trail"
    );
    assert_eq!(app.get_json("/api/v1/audit/verify").await["intact"], true);
}

#[tokio::test]
async fn two_instances_send_each_delivery_once() {
    let a = spawn_app().await;
    let b = spawn_beside(&a).await;
    let (url, received) = receiver(0).await;
    let office = token("wang.office", "office", None);
    let res = a
        .send(
            Method::POST,
            "/api/v1/webhooks",
            Some(&office),
            Some(&json!({"url": url, "events": ["extension.requested"], "secret": "a-long-shared-secret-0123456789"})),
        )
        .await;
    assert_eq!(res.status(), 201);
    let (unit, _, finding) = a.ledger().await;
    let unit_token = token("li", "unit", Some("ZHK"));
    let requests = 12;
    for n in 0..requests {
        // Written on either instance: both run a sender, at most one of them sends.
        let app = if n % 2 == 0 { &a } else { &b };
        let m = app.measure(id_of(&finding), &unit, Some(days(5))).await;
        let res = app
            .send(
                Method::POST,
                &format!("/api/v1/measures/{}/extensions", id_of(&m)),
                Some(&unit_token),
                Some(&json!({"requested_due_date": days(40), "reason": "需协调"})),
            )
            .await;
        assert_eq!(res.status(), 201);
    }
    wait_for(&received, requests).await;
    // Time for a second sender to send anything twice, were there one.
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let ids: Vec<String> = received
        .0
        .lock()
        .unwrap()
        .iter()
        .map(|(headers, _)| {
            headers
                .iter()
                .find(|(k, _)| k == "x-zhenggai-delivery")
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        })
        .collect();
    let unique: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(ids.len(), requests, "{ids:?}");
    assert_eq!(unique.len(), requests, "each delivery once: {ids:?}");
    if a.config.database_url.starts_with("postgres") {
        // One sender holds this ledger's lock; the other waits for it.
        use diesel::RunQueryDsl;
        #[derive(diesel::QueryableByName)]
        struct Holders {
            #[diesel(sql_type = diesel::sql_types::BigInt)]
            n: i64,
        }
        let mut conn = zhenggai::db::connection::establish(&a.config.database_url).unwrap();
        let holders: Holders = diesel::sql_query(
            "SELECT count(*) AS n FROM pg_locks WHERE locktype = 'advisory' AND granted \
             AND classid = 7274263 AND objid = hashtext(current_schema())::oid",
        )
        .get_result(&mut conn)
        .unwrap();
        assert_eq!(holders.n, 1);
    }
}
