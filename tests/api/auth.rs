//! Authentication over HTTP: every way a token can be wrong answers 401 with
//! `WWW-Authenticate: Bearer error="invalid_token"` and says why; the probes and the
//! contract stay public; writes record who made them.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use reqwest::Method;
use serde_json::{json, Value};
use zhenggai::auth::keys::{JwtConfig, KeySource};
use zhenggai::auth::token::{Claims, Signer};

use crate::helpers::id_of;
use crate::helpers::{problem, spawn_app, spawn_app_with, token, TestApp, TEST_SECRET};

const RSA_PUBLIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/rsa-public.pem");
const RSA_PRIVATE: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/rsa-private.pem"
);
const EC_PUBLIC: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ec-public.pem");
const EC_PRIVATE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/ec-private.pem");

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

fn claims(role: &str, unit: Option<&str>) -> Claims {
    Claims {
        sub: "tester".into(),
        name: Some("测试员".into()),
        role: Some(role.into()),
        unit: unit.map(str::to_string),
        units: None,
        exp: now() + 600,
        iat: Some(now()),
        nbf: None,
        iss: None,
        aud: None,
    }
}

fn hs256(claims: &Claims, secret: &str) -> String {
    Signer::Secret(secret.as_bytes().to_vec())
        .sign(claims)
        .unwrap()
}

/// A token from a raw JSON payload: HS256 with `secret`, or unsigned (`alg: none`).
fn raw(payload: Value, secret: Option<&[u8]>) -> String {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    match secret {
        Some(key) => encode(
            &Header::new(Algorithm::HS256),
            &payload,
            &EncodingKey::from_secret(key),
        )
        .unwrap(),
        None => format!(
            "{}.{}.",
            URL_SAFE_NO_PAD.encode(json!({"alg": "none", "typ": "JWT"}).to_string()),
            URL_SAFE_NO_PAD.encode(payload.to_string())
        ),
    }
}

/// Asserts the request was refused as unauthenticated, with `why` in the English detail
/// (asked for with `Accept-Language: en`) and a Chinese one by default.
async fn refused(app: &TestApp, authorization: Option<&str>, why: &str) {
    let mut req = app.anon.get(app.url("/api/v1/units"));
    if let Some(value) = authorization {
        req = req.header("Authorization", value);
    }
    let zh = problem(req.send().await.unwrap(), 401).await;
    let told = zh["detail"].as_str().unwrap();
    assert!(
        told.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)),
        "{told}"
    );
    let mut req = app
        .anon
        .get(app.url("/api/v1/units"))
        .header("Accept-Language", "en");
    if let Some(value) = authorization {
        req = req.header("Authorization", value);
    }
    let res = req.send().await.unwrap();
    let challenge = res
        .headers()
        .get("www-authenticate")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    let body = problem(res, 401).await;
    assert!(
        challenge.starts_with("Bearer ") && challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    let detail = body["detail"].as_str().unwrap();
    assert!(detail.contains(why), "{authorization:?}: {detail}");
    assert_eq!(body["type"], "urn:zhenggai:problem:unauthorized");
}

async fn accepted(app: &TestApp, token: &str) {
    let res = app
        .send(Method::GET, "/api/v1/units", Some(token), None)
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

#[tokio::test]
async fn missing_and_malformed_headers_are_refused() {
    let app = spawn_app().await;
    refused(&app, None, "bearer token is required").await;
    refused(&app, Some("Basic YWRtaW46YWRtaW4="), "Bearer scheme").await;
    refused(&app, Some("Bearer"), "no token").await;
    refused(&app, Some("Bearer    "), "no token").await;
    refused(&app, Some("Bearer not-a-jwt"), "malformed").await;
    refused(&app, Some("Bearer a.b.c"), "malformed").await;
    // The scheme is case-insensitive (RFC 7235).
    accepted(&app, &token("x", "viewer", None)).await;
    let res = app
        .anon
        .get(app.url("/api/v1/units"))
        .header(
            "Authorization",
            format!("bearer {}", token("x", "viewer", None)),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
}

#[tokio::test]
async fn bad_signatures_and_alg_none_are_refused() {
    let app = spawn_app().await;
    let other = hs256(
        &claims("admin", None),
        "another-secret-of-at-least-32-chars!!",
    );
    refused(&app, Some(&format!("Bearer {other}")), "signature").await;

    let payload = serde_json::to_value(claims("admin", None)).unwrap();
    let none = raw(payload.clone(), None);
    refused(&app, Some(&format!("Bearer {none}")), "").await;

    // A tampered payload under a genuine signature.
    let genuine = hs256(&claims("viewer", None), TEST_SECRET);
    let parts: Vec<&str> = genuine.split('.').collect();
    let forged_payload = URL_SAFE_NO_PAD.encode(
        serde_json::to_string(&claims("admin", None))
            .unwrap()
            .as_bytes(),
    );
    let forged = format!("{}.{}.{}", parts[0], forged_payload, parts[2]);
    refused(&app, Some(&format!("Bearer {forged}")), "signature").await;

    // The same claims, correctly signed, get in: the refusals above are about the token.
    let good = raw(payload, Some(TEST_SECRET.as_bytes()));
    accepted(&app, &good).await;
}

#[tokio::test]
async fn an_hs256_token_keyed_with_the_public_key_is_refused_by_an_rs256_service() {
    let app = spawn_app_with(|c| {
        c.jwt = JwtConfig {
            key: KeySource::PublicKeyFile(RSA_PUBLIC.into()),
            private_key: Some(RSA_PRIVATE.into()),
            ..JwtConfig::secret(TEST_SECRET)
        };
    })
    .await;
    let public_pem = std::fs::read(RSA_PUBLIC).unwrap();
    let payload = serde_json::to_value(claims("admin", None)).unwrap();
    let confused = raw(payload, Some(&public_pem));
    refused(&app, Some(&format!("Bearer {confused}")), "algorithm").await;
    let hs = hs256(&claims("admin", None), TEST_SECRET);
    refused(&app, Some(&format!("Bearer {hs}")), "algorithm").await;

    let rs = Signer::PrivatePem(std::fs::read(RSA_PRIVATE).unwrap())
        .sign(&claims("admin", None))
        .unwrap();
    accepted(&app, &rs).await;
}

#[tokio::test]
async fn an_es256_identity_provider_key_works() {
    let app = spawn_app_with(|c| {
        c.jwt.key = KeySource::PublicKeyFile(EC_PUBLIC.into());
    })
    .await;
    let es = Signer::PrivatePem(std::fs::read(EC_PRIVATE).unwrap())
        .sign(&claims("viewer", None))
        .unwrap();
    accepted(&app, &es).await;
    let rs = Signer::PrivatePem(std::fs::read(RSA_PRIVATE).unwrap())
        .sign(&claims("viewer", None))
        .unwrap();
    refused(&app, Some(&format!("Bearer {rs}")), "algorithm").await;
}

#[tokio::test]
async fn expired_and_not_yet_valid_tokens_are_refused_beyond_the_leeway() {
    let app = spawn_app().await;
    let mut expired = claims("admin", None);
    expired.exp = now() - 3600;
    refused(
        &app,
        Some(&format!("Bearer {}", hs256(&expired, TEST_SECRET))),
        "expired",
    )
    .await;
    let mut early = claims("admin", None);
    early.nbf = Some(now() + 3600);
    refused(
        &app,
        Some(&format!("Bearer {}", hs256(&early, TEST_SECRET))),
        "not valid yet",
    )
    .await;
    // Within the default 60 s leeway, a clock a little off still works.
    let mut skewed = claims("admin", None);
    skewed.exp = now() - 5;
    skewed.nbf = Some(now() + 5);
    accepted(&app, &hs256(&skewed, TEST_SECRET)).await;
}

#[tokio::test]
async fn issuer_and_audience_are_enforced_when_configured() {
    let app = spawn_app_with(|c| {
        c.jwt.options.issuer = Some("gov-idp".into());
        c.jwt.options.audience = Some("zhenggai".into());
    })
    .await;
    let mut good = claims("viewer", None);
    good.iss = Some("gov-idp".into());
    good.aud = Some("zhenggai".into());
    accepted(&app, &hs256(&good, TEST_SECRET)).await;
    let cases = [
        ("iss", json!("someone-else"), "issuer"),
        ("aud", json!("another-system"), "audience"),
        ("iss", Value::Null, "iss"),
        ("aud", Value::Null, "aud"),
    ];
    for (claim, value, why) in cases {
        let mut payload = serde_json::to_value(&good).unwrap();
        if value.is_null() {
            payload.as_object_mut().unwrap().remove(claim);
        } else {
            payload[claim] = value;
        }
        let token = raw(payload, Some(TEST_SECRET.as_bytes()));
        refused(&app, Some(&format!("Bearer {token}")), why).await;
    }
}

#[tokio::test]
async fn roles_and_units_must_be_known() {
    let app = spawn_app().await;
    app.unit("JRB-ZHK", "综合科").await;
    let sign = |payload: Value| format!("Bearer {}", raw(payload, Some(TEST_SECRET.as_bytes())));
    let exp = now() + 600;
    refused(&app, Some(&sign(json!({"sub": "a", "exp": exp}))), "role").await;
    refused(
        &app,
        Some(&sign(json!({"sub": "a", "exp": exp, "role": "root"}))),
        "role",
    )
    .await;
    refused(
        &app,
        Some(&sign(json!({"sub": "a", "exp": exp, "role": "unit"}))),
        "must name its unit",
    )
    .await;
    refused(
        &app,
        Some(&sign(
            json!({"sub": "a", "exp": exp, "role": "leader", "unit": "NO-SUCH"}),
        )),
        "unit that does not exist",
    )
    .await;
    refused(
        &app,
        Some(&sign(
            json!({"sub": "a", "exp": exp, "role": "office", "unit": "NO-SUCH"}),
        )),
        "unit that does not exist",
    )
    .await;
    refused(
        &app,
        Some(&sign(json!({"exp": exp, "role": "admin"}))),
        "sub",
    )
    .await;
    refused(
        &app,
        Some(&sign(json!({"sub": "a", "role": "admin"}))),
        "exp",
    )
    .await;
    accepted(&app, &token("li", "unit", Some("JRB-ZHK"))).await;
    // A unit created after a token named it is found (misses are not cached).
    refused(
        &app,
        Some(&format!(
            "Bearer {}",
            token("zhou", "unit", Some("JRB-CWS"))
        )),
        "unit that does not exist",
    )
    .await;
    app.unit("JRB-CWS", "财务审计处").await;
    accepted(&app, &token("zhou", "unit", Some("JRB-CWS"))).await;
}

#[tokio::test]
async fn probes_and_the_contract_need_no_token() {
    let app = spawn_app().await;
    for path in ["/healthz", "/readyz", "/openapi.json", "/docs/"] {
        let res = app.anon.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    for (method, path) in [
        (Method::GET, "/api/v1/inspections"),
        (Method::GET, "/api/v1/findings"),
        (Method::GET, "/api/v1/measures"),
        (Method::POST, "/api/v1/units"),
        (
            Method::PATCH,
            "/api/v1/measures/00000000-0000-0000-0000-000000000000",
        ),
    ] {
        let res = app.send(method.clone(), path, None, Some(&json!({}))).await;
        problem(res, 401).await;
    }
}

#[tokio::test]
async fn writes_record_the_token_subject() {
    let app = spawn_app().await;
    let zhk = app.unit("JRB-ZHK", "综合科").await;
    let office = token("wang.office", "office", None);
    let res = app
        .send(
            Method::POST,
            "/api/v1/inspections",
            Some(&office),
            Some(&json!({
                "code": "XC-2022-03", "source_type": "xuncha", "title": "市委第三巡察组巡察反馈问题整改",
                "issuer": "市委第三巡察组", "feedback_date": crate::helpers::days(-30)
            })),
        )
        .await;
    let inspection: Value = res.json().await.unwrap();
    assert_eq!(inspection["created_by"], "wang.office");
    assert_eq!(inspection["updated_by"], "wang.office");
    let finding = app.finding(id_of(&inspection), &zhk).await;
    assert_eq!(finding["created_by"], "admin-test");
    let measure = app
        .measure(id_of(&finding), &zhk, Some(crate::helpers::days(30)))
        .await;
    let staff = token("li.zhk", "unit", Some("JRB-ZHK"));
    let res = app
        .send(
            Method::PATCH,
            &format!("/api/v1/measures/{}", id_of(&measure)),
            Some(&staff),
            Some(&json!({"responsible_person": "李明"})),
        )
        .await;
    let changed: Value = res.json().await.unwrap();
    assert_eq!(changed["created_by"], "admin-test");
    assert_eq!(changed["updated_by"], "li.zhk");
}

#[tokio::test]
async fn a_header_with_critical_extensions_and_a_token_valid_for_centuries_are_refused() {
    use jsonwebtoken::{encode, Algorithm, EncodingKey, Header};
    let app = spawn_app().await;
    // A genuine signature over a header that says "crit": RFC 7515 §4.1.11 says refuse.
    let header =
        URL_SAFE_NO_PAD.encode(json!({"alg": "HS256", "typ": "JWT", "crit": ["exp"]}).to_string());
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_string(&claims("admin", None)).unwrap());
    let signed = format!("{header}.{payload}");
    let mac = {
        use hmac::{Hmac, Mac};
        let mut mac = Hmac::<sha2::Sha256>::new_from_slice(TEST_SECRET.as_bytes()).unwrap();
        mac.update(signed.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    };
    refused(&app, Some(&format!("Bearer {signed}.{mac}")), "crit").await;
    // The same claims without crit are fine: the refusal is the header's.
    let plain = encode(
        &Header::new(Algorithm::HS256),
        &claims("admin", None),
        &EncodingKey::from_secret(TEST_SECRET.as_bytes()),
    )
    .unwrap();
    accepted(&app, &plain).await;
    // Valid until 2200.
    let mut forever = claims("admin", None);
    forever.exp = 7_258_118_400;
    refused(
        &app,
        Some(&format!("Bearer {}", hs256(&forever, TEST_SECRET))),
        "366 days",
    )
    .await;
}

#[tokio::test]
async fn the_public_key_may_be_given_as_pem_text() {
    let pem = std::fs::read_to_string(RSA_PUBLIC).unwrap();
    let app = spawn_app_with(|c| {
        c.jwt.key = KeySource::PublicKeyFile(pem.replace('\n', "\\n").into());
    })
    .await;
    let rs = Signer::PrivatePem(std::fs::read(RSA_PRIVATE).unwrap())
        .sign(&claims("viewer", None))
        .unwrap();
    accepted(&app, &rs).await;
}
