//! Sign-in through an identity provider: the tests run their own issuer on
//! loopback (a discovery document and a JWKS, from key pairs made with
//! openssl in `tests/api/oidc/`), sign tokens with `jsonwebtoken` (the
//! ecosystem's library, not the server's code), rotate the keys mid-test,
//! and check every refusal.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use poem::web::Data;
use poem::{EndpointExt, Route, get, handler};
use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{TestApp, spawn_app_with};

const AUDIENCE: &str = "tasks-api";

fn fixture(name: &str) -> Vec<u8> {
    std::fs::read(format!(
        "{}/tests/api/oidc/{name}",
        env!("CARGO_MANIFEST_DIR")
    ))
    .expect("a test key")
}

/// The test issuer: serves what `jwks` holds now, counting fetches.
struct Issuer {
    url: String,
    jwks: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

#[derive(Clone)]
struct IssuerState {
    url: String,
    jwks: Arc<Mutex<Value>>,
    fetches: Arc<AtomicUsize>,
}

#[handler]
fn discovery(state: Data<&IssuerState>) -> poem::web::Json<Value> {
    poem::web::Json(json!({
        "issuer": state.url,
        "jwks_uri": format!("{}/jwks", state.url),
        "id_token_signing_alg_values_supported": ["RS256", "ES256", "EdDSA"],
    }))
}

#[handler]
fn jwks(state: Data<&IssuerState>) -> poem::web::Json<Value> {
    state.fetches.fetch_add(1, Ordering::SeqCst);
    poem::web::Json(state.jwks.lock().map(|j| j.clone()).unwrap_or_default())
}

/// The JWKS with the public keys named (`rsa1`, `ec2`, `ed3`).
fn key_set(kids: &[&str]) -> Value {
    let all: Value = serde_json::from_slice(&fixture("jwks.json")).expect("jwks.json");
    json!({ "keys": kids.iter().map(|kid| all[kid].clone()).collect::<Vec<_>>() })
}

async fn start_issuer(kids: &[&str]) -> Issuer {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let port = listener.local_addr().expect("addr").port();
    drop(listener);
    let url = format!("http://127.0.0.1:{port}");
    let state = IssuerState {
        url: url.clone(),
        jwks: Arc::new(Mutex::new(key_set(kids))),
        fetches: Arc::new(AtomicUsize::new(0)),
    };
    let app = Route::new()
        .at("/.well-known/openid-configuration", get(discovery))
        .at("/jwks", get(jwks))
        .data(state.clone());
    let acceptor = poem::listener::TcpListener::bind(format!("127.0.0.1:{port}"));
    tokio::spawn(async move { poem::Server::new(acceptor).run(app).await });
    for _ in 0..50 {
        if reqwest::get(format!("{url}/jwks")).await.is_ok() {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    state.fetches.store(0, Ordering::SeqCst);
    Issuer {
        url,
        jwks: state.jwks,
        fetches: state.fetches,
    }
}

fn now() -> i64 {
    chrono::Utc::now().timestamp()
}

/// A token signed with the key `kid` (its own algorithm), with `claims`
/// over the defaults (issuer, audience, an hour's life, subject alice).
fn token(issuer: &Issuer, kid: &str, claims: Value) -> String {
    let (algorithm, key) = match kid {
        "rsa1" => (
            Algorithm::RS256,
            EncodingKey::from_rsa_pem(&fixture("rsa1.pem")),
        ),
        "ec2" => (
            Algorithm::ES256,
            EncodingKey::from_ec_pem(&fixture("ec2.pem")),
        ),
        "ed3" => (
            Algorithm::EdDSA,
            EncodingKey::from_ed_pem(&fixture("ed3.pem")),
        ),
        other => panic!("no test key {other}"),
    };
    let mut header = Header::new(algorithm);
    header.kid = Some(kid.to_owned());
    let mut body = json!({
        "iss": issuer.url, "aud": AUDIENCE, "sub": "alice",
        "iat": now(), "exp": now() + 3600, "scope": "openid tasks:read tasks:write",
    });
    if let (Some(body), Some(extra)) = (body.as_object_mut(), claims.as_object()) {
        for (k, v) in extra {
            body.insert(k.clone(), v.clone());
        }
    }
    jsonwebtoken::encode(&header, &body, &key.expect("a key")).expect("signed")
}

/// A token whose header and body are written by hand, signature as given.
fn forged(header: Value, body: Value, signature: &[u8]) -> String {
    use base64::Engine;
    let b64 = |bytes: &[u8]| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    format!(
        "{}.{}.{}",
        b64(header.to_string().as_bytes()),
        b64(body.to_string().as_bytes()),
        b64(signature)
    )
}

async fn app_for(issuer: &Issuer, burst: f64) -> TestApp {
    let url = issuer.url.clone();
    spawn_app_with(move |config| {
        config.oidc_issuer = Some(url);
        config.oidc_audience = Some(AUDIENCE.to_owned());
        config.rate_limit_burst = burst;
        // Refilled slowly enough that a burst is all a test gets.
        config.rate_limit_per_sec = burst / 100.0;
        config.auth_failure_burst = 1000.0;
    })
    .await
}

/// `GET path` with `Authorization: Bearer token`: (status, error_description).
async fn call(app: &TestApp, token: &str, method: Method, path: &str) -> (u16, String, Value) {
    let response = reqwest::Client::new()
        .request(method, app.url(path))
        .bearer_auth(token)
        .header("content-type", "application/json")
        .body(r#"{"title": "from a token"}"#)
        .send()
        .await
        .expect("sent");
    let status = response.status().as_u16();
    let challenge = response
        .headers()
        .get("www-authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = response.json().await.unwrap_or(Value::Null);
    (status, challenge, body)
}

#[tokio::test]
async fn a_providers_token_signs_in_its_subject_as_an_owner_made_on_first_sight() {
    let issuer = start_issuer(&["rsa1"]).await;
    let app = app_for(&issuer, 200.0).await;
    let alice = token(&issuer, "rsa1", json!({}));
    let (status, _, created) = call(&app, &alice, Method::POST, "/api/tasks").await;
    assert_eq!(status, 201, "{created}");
    let (status, _, me) = call(&app, &alice, Method::GET, "/api/me").await;
    assert_eq!(status, 200);
    assert_eq!(me["owner"]["name"], "oidc:alice");
    assert_eq!(me["credential"]["kind"], "token");
    assert_eq!(
        me["credential"]["scopes"],
        json!(["tasks:read", "tasks:write"])
    );
    assert_eq!(me["credential"]["key_id"], Value::Null);
    assert!(me["credential"]["expires_at"].is_string());
    // Another token of the same subject is the same owner; another subject
    // sees none of alice's tasks.
    let again = token(&issuer, "rsa1", json!({ "iat": now() - 1 }));
    let (_, _, page) = call(&app, &again, Method::GET, "/api/tasks").await;
    assert_eq!(page["items"][0]["title"], "from a token");
    let bob = token(&issuer, "rsa1", json!({ "sub": "bob" }));
    let (_, _, page) = call(&app, &bob, Method::GET, "/api/tasks").await;
    assert_eq!(page["items"], json!([]));
    // Its scopes are the token's: a read-only token may not write.
    let reader = token(
        &issuer,
        "rsa1",
        json!({ "sub": "carol", "scope": "openid tasks:read" }),
    );
    let (status, challenge, _) = call(&app, &reader, Method::POST, "/api/tasks").await;
    assert_eq!(status, 403);
    assert!(challenge.contains("insufficient_scope"), "{challenge}");
    // The operator's key still works beside tokens.
    assert_eq!(app.get("/api/tasks").await.status, 200);
    assert_eq!(
        issuer.fetches.load(Ordering::SeqCst),
        1,
        "the JWKS is cached"
    );
}

#[tokio::test]
async fn keys_rotate_without_a_restart_and_an_unknown_key_refetches_once() {
    let issuer = start_issuer(&["rsa1"]).await;
    let app = app_for(&issuer, 200.0).await;
    let first = token(&issuer, "rsa1", json!({}));
    assert_eq!(call(&app, &first, Method::GET, "/api/tasks").await.0, 200);
    assert_eq!(issuer.fetches.load(Ordering::SeqCst), 1);

    // The provider rotates to an EC key: the first token naming it makes
    // the server fetch the JWKS again, once.
    if let Ok(mut served) = issuer.jwks.lock() {
        *served = key_set(&["ec2", "ed3"]);
    }
    let rotated = token(&issuer, "ec2", json!({}));
    assert_eq!(call(&app, &rotated, Method::GET, "/api/tasks").await.0, 200);
    assert_eq!(issuer.fetches.load(Ordering::SeqCst), 2);
    let ed = token(&issuer, "ed3", json!({}));
    assert_eq!(
        call(&app, &ed, Method::GET, "/api/tasks").await.0,
        200,
        "EdDSA"
    );
    assert_eq!(issuer.fetches.load(Ordering::SeqCst), 2);

    // The retired key is unknown now (for a token not verified in the last
    // --key-cache-secs); so is a made-up kid: no refetch within the rate
    // limit.
    let retired = token(&issuer, "rsa1", json!({ "jti": "after rotation" }));
    let (status, challenge, _) = call(&app, &retired, Method::GET, "/api/tasks").await;
    assert_eq!(status, 401);
    assert!(
        challenge.contains("signing key is not one of the provider's"),
        "{challenge}"
    );
    let mut header = Header::new(Algorithm::RS256);
    header.kid = Some("nope".to_owned());
    let key = EncodingKey::from_rsa_pem(&fixture("rsa1.pem")).expect("key");
    let unknown = jsonwebtoken::encode(
        &header,
        &json!({ "iss": issuer.url, "aud": AUDIENCE, "sub": "x", "exp": now() + 60 }),
        &key,
    )
    .expect("signed");
    assert_eq!(call(&app, &unknown, Method::GET, "/api/tasks").await.0, 401);
    assert_eq!(
        issuer.fetches.load(Ordering::SeqCst),
        2,
        "refetches are rate-limited"
    );
}

#[tokio::test]
async fn every_bad_token_is_a_401_that_says_why() {
    let issuer = start_issuer(&["rsa1"]).await;
    let app = app_for(&issuer, 200.0).await;
    let claims =
        json!({ "iss": issuer.url, "aud": AUDIENCE, "sub": "mallory", "exp": now() + 600 });
    // `alg: none`, and HS256 "signed" with the provider's public key.
    let none = forged(json!({ "alg": "none", "typ": "JWT" }), claims.clone(), b"");
    let public_pem = fixture("rsa1.pub.pem");
    let hmac = jsonwebtoken::encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(&public_pem).expect("an HMAC key"),
    )
    .expect("signed");
    let mut rs512 = Header::new(Algorithm::RS512);
    rs512.kid = Some("rsa1".to_owned());
    let rs512 = jsonwebtoken::encode(
        &rs512,
        &claims,
        &EncodingKey::from_rsa_pem(&fixture("rsa1.pem")).expect("key"),
    )
    .expect("signed");
    let tampered = {
        let good = token(&issuer, "rsa1", json!({ "sub": "mallory" }));
        let mut parts: Vec<String> = good.split('.').map(str::to_owned).collect();
        let other = token(&issuer, "rsa1", json!({ "sub": "admin" }));
        parts[1] = other.split('.').nth(1).unwrap_or_default().to_owned();
        parts.join(".")
    };
    let cases = [
        (none, "algorithm 'none'"),
        (hmac, "algorithm 'HS256'"),
        (rs512, "algorithm 'RS512'"),
        (
            token(&issuer, "rsa1", json!({ "iss": "https://evil.example" })),
            "not issued by",
        ),
        (
            token(&issuer, "rsa1", json!({ "aud": "another-api" })),
            "not for this audience",
        ),
        (
            token(&issuer, "rsa1", json!({ "exp": now() - 300 })),
            "has expired",
        ),
        (
            token(&issuer, "rsa1", json!({ "nbf": now() + 300 })),
            "not valid yet",
        ),
        (tampered, "signature does not verify"),
        (
            token(&issuer, "rsa1", json!({ "sub": null })),
            "names no owner",
        ),
    ];
    for (bad, why) in cases {
        let (status, challenge, body) = call(&app, &bad, Method::GET, "/api/tasks").await;
        assert_eq!(status, 401, "{why}: {body}");
        assert!(challenge.contains("error=\"invalid_token\""), "{challenge}");
        assert!(challenge.contains(why), "{why}: {challenge}");
        assert_eq!(body["type"], "urn:tasks-api:problem:unauthorized");
        assert!(
            !body.to_string().contains("BEGIN"),
            "no key material: {body}"
        );
    }
    // A small clock skew is forgiven.
    let skewed = token(
        &issuer,
        "rsa1",
        json!({ "exp": now() - 20, "nbf": now() + 20 }),
    );
    assert_eq!(call(&app, &skewed, Method::GET, "/api/tasks").await.0, 200);
}

#[tokio::test]
async fn tokens_share_their_owners_quota_and_a_disabled_owner_is_refused() {
    let issuer = start_issuer(&["rsa1"]).await;
    let app = app_for(&issuer, 3.0).await;
    // Three fresh tokens of one subject spend one bucket of 3: the fourth
    // request is a 429 whatever token it carries.
    let mut statuses = Vec::new();
    for i in 0..4 {
        let fresh = token(
            &issuer,
            "rsa1",
            json!({ "sub": "dave", "jti": format!("t{i}") }),
        );
        statuses.push(call(&app, &fresh, Method::GET, "/api/me").await.0);
    }
    assert_eq!(statuses, [200, 200, 200, 429]);

    let erin = token(&issuer, "rsa1", json!({ "sub": "erin" }));
    let (_, _, me) = call(&app, &erin, Method::GET, "/api/me").await;
    let id = me["owner"]["id"].as_i64().expect("an owner");
    let disabled = app
        .request(
            Method::POST,
            &format!("/api/owners/{id}/disable"),
            None,
            None,
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    let (status, challenge, _) = call(&app, &erin, Method::GET, "/api/tasks").await;
    assert_eq!(status, 401);
    assert!(challenge.contains("disabled"), "{challenge}");
}

/// A provider that accepts connections and never answers: the first token
/// waits out the fetch timeout (5 s) and is a 503; the next ones are 503
/// at once instead of queueing behind it for another 5 s each.
#[tokio::test]
async fn a_provider_that_does_not_answer_makes_503s_without_queueing_requests() {
    let silent = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let url = format!("http://{}", silent.local_addr().expect("addr"));
    tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((socket, _)) = silent.accept().await {
            held.push(socket);
        }
    });
    let issuer = Issuer {
        url,
        jwks: Arc::new(Mutex::new(Value::Null)),
        fetches: Arc::new(AtomicUsize::new(0)),
    };
    let app = app_for(&issuer, 200.0).await;
    let alice = token(&issuer, "rsa1", json!({}));
    let (status, _, body) = call(&app, &alice, Method::GET, "/api/tasks").await;
    assert_eq!(status, 503, "{body}");
    let started = std::time::Instant::now();
    for _ in 0..3 {
        assert_eq!(call(&app, &alice, Method::GET, "/api/tasks").await.0, 503);
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(2),
        "the provider is not asked again at once: {:?}",
        started.elapsed()
    );
    assert_eq!(app.get("/api/tasks").await.status, 200, "keys still work");
}
