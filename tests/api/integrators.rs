//! What a generic HTTP client expects: every GET answers 304 to its own tag (weak or
//! strong, or `*`), and a list's next page is a `Link` (RFC 8288) as well as `next_cursor`.

use serde_json::Value;

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_single_item_answers_304_to_its_own_etag_weak_or_strong() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    let measure = app
        .measure(
            finding["id"].as_str().unwrap(),
            &unit,
            Some(crate::helpers::days(30)),
        )
        .await;
    let path = format!("/api/v1/measures/{}", measure["id"].as_str().unwrap());
    let res = app.get(&path).await;
    assert_eq!(res.status(), 200);
    let tag = res.headers()["etag"].to_str().unwrap().to_string();
    for asked in [
        tag.clone(),
        format!("W/{tag}"),
        "\"0\", ".to_string() + &tag,
        "*".into(),
    ] {
        let res = app
            .client
            .get(app.url(&path))
            .header("If-None-Match", &asked)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 304, "If-None-Match: {asked}");
        assert_eq!(res.headers()["etag"].to_str().unwrap(), tag);
        assert!(res.bytes().await.unwrap().is_empty());
    }
    // Another version's tag gets the item.
    let res = app
        .client
        .get(app.url(&path))
        .header("If-None-Match", "\"999\"")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn a_list_links_its_next_page_keeping_the_filters() {
    let app = spawn_app().await;
    let (unit, _, finding) = app.ledger().await;
    for n in 0..3 {
        app.measure(
            finding["id"].as_str().unwrap(),
            &unit,
            Some(crate::helpers::days(30 + n)),
        )
        .await;
    }
    let mut path = "/api/v1/measures?sort=due_date&limit=1".to_string();
    let mut seen = vec![];
    loop {
        let res = app.get(&path).await;
        assert_eq!(res.status(), 200);
        let link = res
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_string());
        let page: Value = res.json().await.unwrap();
        for m in page["items"].as_array().unwrap() {
            seen.push(m["id"].as_str().unwrap().to_string());
        }
        match (link, page["next_cursor"].as_str()) {
            (Some(link), Some(cursor)) => {
                let target = link
                    .strip_prefix('<')
                    .and_then(|l| l.split_once(">; rel=\"next\""))
                    .map(|(t, _)| t.to_string())
                    .unwrap_or_else(|| panic!("{link}"));
                assert!(target.contains("sort=due_date") && target.contains("limit=1"));
                assert!(target.ends_with(&format!("cursor={cursor}")), "{target}");
                path = target;
            }
            (None, None) => break,
            other => panic!("Link and next_cursor disagree: {other:?}"),
        }
    }
    let total = app.get_json("/api/v1/measures").await["total"]
        .as_u64()
        .unwrap();
    assert_eq!(seen.len() as u64, total);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len() as u64, total, "no page repeats an item");
}

#[tokio::test]
async fn head_answers_wherever_get_does_with_the_same_headers_and_no_body() {
    let app = spawn_app().await;
    for path in [
        "/healthz",
        "/api/v1/measures",
        "/api/v1/stats",
        "/openapi.json",
    ] {
        let get = app.get(path).await;
        assert_eq!(get.status(), 200, "GET {path}");
        let head = app.client.head(app.url(path)).send().await.unwrap();
        assert_eq!(head.status(), 200, "HEAD {path}");
        assert_eq!(
            head.headers().get("content-type"),
            get.headers().get("content-type"),
            "{path}"
        );
        assert_eq!(
            head.headers().get("etag"),
            get.headers().get("etag"),
            "{path}"
        );
        assert!(head.bytes().await.unwrap().is_empty(), "{path}");
    }
    // And it is refused as GET would be.
    let res = app
        .anon
        .head(app.url("/api/v1/measures"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
}

#[tokio::test]
async fn a_runaway_client_is_limited_per_token_and_told_when_to_come_back() {
    use zhenggai::api::rate_limit::RateLimit;
    let app = crate::helpers::spawn_app_with(|c| {
        c.rate_limit = RateLimit {
            requests: 5,
            per_secs: 60,
        }
    })
    .await;
    let runaway = crate::helpers::token("screen-1", "viewer", None);
    let header = |res: &reqwest::Response, name: &str| -> Option<u64> {
        res.headers()
            .get(name)
            .map(|v| v.to_str().unwrap().parse().unwrap())
    };
    let mut remaining = vec![];
    for _ in 0..5 {
        let res = app
            .anon
            .get(app.url("/api/v1/measures"))
            .bearer_auth(&runaway)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(header(&res, "ratelimit-limit"), Some(5));
        assert!(header(&res, "ratelimit-reset").unwrap() <= 60);
        remaining.push(header(&res, "ratelimit-remaining").unwrap());
    }
    assert_eq!(remaining, [4, 3, 2, 1, 0]);
    let res = app
        .anon
        .get(app.url("/api/v1/measures"))
        .bearer_auth(&runaway)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    let retry = header(&res, "retry-after").unwrap();
    assert!((1..=12).contains(&retry), "Retry-After: {retry}");
    assert_eq!(header(&res, "ratelimit-remaining"), Some(0));
    let p = crate::helpers::problem(res, 429).await;
    assert_eq!(p["type"], "urn:zhenggai:problem:too-many-requests");
    assert!(p["detail"].as_str().unwrap().contains("Retry-After"), "{p}");
    // Another token is not held back by it, and probes are never counted.
    let other = crate::helpers::token("screen-2", "viewer", None);
    let res = app
        .anon
        .get(app.url("/api/v1/measures"))
        .bearer_auth(&other)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    for _ in 0..10 {
        let res = app.anon.get(app.url("/healthz")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers().get("ratelimit-limit").is_none());
    }
}
