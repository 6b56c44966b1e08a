//! Owners, API keys, isolation, rate limits, CORS and security headers.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id_of, ids_of, spawn_app, spawn_app_with};

/// A key of the right shape that no owner has.
const UNKNOWN_KEY: &str = "tsk_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

/// Sends `method path` with extra `headers` through `app`'s client.
async fn send(app: &TestApp, method: Method, path: &str, headers: &[(&str, &str)]) -> Reply {
    let mut req = app.client.request(method, app.url(path));
    for (name, value) in headers {
        req = req.header(*name, *value);
    }
    if matches!(req.try_clone().map(|r| r.build()), Some(Ok(ref r)) if r.method() != Method::GET && r.method() != Method::DELETE && r.method() != Method::OPTIONS)
    {
        req = req
            .header("content-type", "application/json")
            .body(json!({ "title": "x" }).to_string());
    }
    Reply::from(req.send().await.expect("sent")).await
}

/// Every operation on tasks, as (method, path).
fn operations(id: i64) -> Vec<(Method, String)> {
    vec![
        (Method::GET, "/api/tasks".to_owned()),
        (Method::POST, "/api/tasks".to_owned()),
        (Method::GET, format!("/api/tasks/{id}")),
        (Method::PUT, format!("/api/tasks/{id}")),
        (Method::PATCH, format!("/api/tasks/{id}")),
        (Method::DELETE, format!("/api/tasks/{id}")),
    ]
}

#[tokio::test]
async fn every_operation_without_a_valid_key_is_a_401_problem_with_a_bearer_challenge() {
    let app = spawn_app().await;
    let id = id_of(&app.create("mine").await);
    let cases = [
        (app.anonymous(), "Bearer realm=\"tasks-api\""),
        (app.with_key("not a key"), "error=\"invalid_token\""),
        (app.with_key(UNKNOWN_KEY), "error=\"invalid_token\""),
        (
            app.with_key(&format!("{}x", app.key)),
            "error=\"invalid_token\"",
        ),
    ];
    // Every operation without a key; two with each kind of bad key (20
    // failures in all would trip the per-address limit).
    for (n, (client, challenge)) in cases.into_iter().enumerate() {
        let ops = operations(id);
        let ops = if n == 0 {
            ops
        } else {
            vec![ops[0].clone(), ops[5].clone()]
        };
        for (method, path) in ops {
            let reply = send(&client, method.clone(), &path, &[]).await;
            let problem = reply.problem(401);
            assert_eq!(problem["type"], "urn:tasks-api:problem:unauthorized");
            let header = reply.header("www-authenticate").unwrap_or_default();
            assert!(header.starts_with("Bearer"), "{method} {path}: {header}");
            assert!(header.contains(challenge), "{method} {path}: {header}");
            assert!(reply.header("ratelimit").is_none(), "a 401 has no quota");
        }
    }
    // A scheme other than Bearer.
    let reply = send(
        &app,
        Method::GET,
        "/api/tasks",
        &[("authorization", "Basic eDp5")],
    )
    .await;
    reply.problem(401);
    // Nothing was changed by any of it.
    assert_eq!(app.get_task(id).await.json()["title"], "mine");
}

#[tokio::test]
async fn probes_documentation_and_the_contract_are_public() {
    let app = spawn_app().await.anonymous();
    for path in [
        "/healthz",
        "/readyz",
        "/docs",
        "/openapi.json",
        "/openapi.yaml",
    ] {
        assert_eq!(app.get(path).await.status, 200, "{path}");
    }
}

#[tokio::test]
async fn a_revoked_key_is_refused_and_other_keys_go_on() {
    let app = spawn_app_with(|c| c.key_cache_secs = 0).await;
    let other = app.with_key(&app.make_key("default").await);
    assert_eq!(app.get("/api/tasks").await.status, 200);
    let prefix = &app.key[..12];
    assert!(
        tasks_api::auth::store::revoke(&app.db().await, prefix)
            .await
            .expect("revoke")
    );
    app.get("/api/tasks").await.problem(401);
    // The same owner's other key still works, and sees the same tasks.
    assert_eq!(other.get("/api/tasks").await.status, 200);
}

#[tokio::test]
async fn a_revoked_key_is_refused_within_the_key_cache_time() {
    let app = spawn_app_with(|c| c.key_cache_secs = 1).await;
    assert_eq!(app.get("/api/tasks").await.status, 200);
    tasks_api::auth::store::revoke(&app.db().await, &app.key[..12])
        .await
        .expect("revoke");
    let revoked = Instant::now();
    while app.get("/api/tasks").await.status == 200 {
        assert!(revoked.elapsed() < Duration::from_secs(3), "still accepted");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!("revoked key refused after {:?}", revoked.elapsed());
}

/// What `app` gets for `method path` (status and problem type).
async fn outcome(app: &TestApp, method: Method, path: &str, headers: &[(&str, &str)]) -> String {
    let reply = send(app, method, path, headers).await;
    let kind = if reply.text.is_empty() {
        String::new()
    } else {
        reply.json()["type"].as_str().unwrap_or_default().to_owned()
    };
    format!("{} {kind}", reply.status.as_u16())
}

#[tokio::test]
async fn another_owners_task_is_exactly_as_missing_as_one_that_never_existed() {
    let alice = spawn_app().await;
    let bob = alice.as_owner("bob").await;
    let task = alice.create("alice's").await;
    let id = id_of(&task);
    let tag = alice
        .get_task(id)
        .await
        .header("etag")
        .unwrap_or_default()
        .to_owned();
    let missing = id + 1000;
    let conditions: [&[(&str, &str)]; 4] = [
        &[],
        &[("if-match", "*")],
        &[("if-match", tag.as_str())],
        &[("if-none-match", "*")],
    ];
    for headers in conditions {
        for (method, path) in operations(id).into_iter().skip(2) {
            let theirs = outcome(&bob, method.clone(), &path, headers).await;
            let none = path.replace(&id.to_string(), &missing.to_string());
            let nobody = outcome(&bob, method.clone(), &none, headers).await;
            assert_eq!(theirs, nobody, "{method} {path} {headers:?}");
            assert!(
                theirs.starts_with("404") || theirs.starts_with("412"),
                "{theirs}"
            );
        }
    }
    let after = alice.get_task(id).await;
    assert_eq!(after.json(), task, "bob changed alice's task");
}

#[tokio::test]
async fn idempotency_keys_are_per_owner() {
    let alice = spawn_app().await;
    let bob = alice.as_owner("bob").await;
    let body = json!({ "title": "same" });
    let post = |app: &TestApp| {
        let request = app
            .client
            .post(app.url("/api/tasks"))
            .header("idempotency-key", "shared-key")
            .json(&body);
        async move { Reply::from(request.send().await.expect("sent")).await }
    };
    let first = post(&alice).await;
    assert_eq!(first.status, 201);
    let theirs = post(&bob).await;
    assert_eq!(theirs.status, 201, "{}", theirs.text);
    assert_ne!(
        id_of(&theirs.json()),
        id_of(&first.json()),
        "replayed alice's"
    );
    // Each owner's retry replays its own first response.
    assert_eq!(post(&alice).await.text, first.text);
    assert_eq!(post(&bob).await.text, theirs.text);
    assert_eq!(alice.get("/api/tasks").await.json()["total"], 1);
    assert_eq!(bob.get("/api/tasks").await.json()["total"], 1);
}

#[tokio::test]
async fn lists_totals_cursors_and_links_count_only_the_owners_tasks() {
    let alice = spawn_app().await;
    let bob = alice.as_owner("bob").await;
    let mut mine = Vec::new();
    for i in 0..7 {
        mine.push(id_of(&alice.create(&format!("a{i}")).await));
        bob.create(&format!("b{i}")).await;
    }
    bob.create("b7").await;
    let page = alice.get("/api/tasks?per_page=3&page=3").await;
    assert_eq!(page.json()["total"], 7);
    assert_eq!(page.json()["total_pages"], 3);
    let link = page.header("link").unwrap_or_default();
    assert!(link.contains("page=3>; rel=\"last\""), "{link}");
    // Cursor paging through alice's list: hers, all of them, in order.
    let mut seen = Vec::new();
    let mut query = "/api/tasks?per_page=2".to_owned();
    loop {
        let reply = alice.get(&query).await.json();
        seen.extend(ids_of(&reply));
        match reply["next_cursor"].as_str() {
            Some(cursor) => query = format!("/api/tasks?per_page=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, mine);
    assert_eq!(bob.get("/api/tasks").await.json()["total"], 8);
}

#[tokio::test]
async fn two_owners_hammering_concurrently_never_read_or_write_each_others_tasks() {
    let app = spawn_app().await;
    let owners = [app.as_owner("alice").await, app.as_owner("bob").await];
    let mut runs = Vec::new();
    for (me, other) in [(0usize, 1usize), (1, 0)] {
        for worker in 0..4 {
            let (me_app, other_app) = (owners[me].clone(), owners[other].clone());
            runs.push(tokio::spawn(async move {
                hammer(&me_app, &other_app, &format!("o{me}w{worker}")).await
            }));
        }
    }
    let (mut tried, mut leaked) = (0, 0);
    for run in runs {
        let (t, l) = run.await.expect("worker");
        tried += t;
        leaked += l;
    }
    // Every task each owner sees is its own, and none was touched by the other.
    for (i, owner) in owners.iter().enumerate() {
        let mut query = "/api/tasks?per_page=100".to_owned();
        let mut count = 0;
        loop {
            let page = owner.get(&query).await.json();
            for task in page["items"].as_array().expect("items") {
                let title = task["title"].as_str().unwrap_or_default();
                assert!(
                    title.starts_with(&format!("o{i}")),
                    "owner {i} sees {title}"
                );
                assert_eq!(task["done"], false, "the other owner patched {title}");
                count += 1;
            }
            match page["next_cursor"].as_str() {
                Some(c) => query = format!("/api/tasks?per_page=100&cursor={c}"),
                None => break,
            }
        }
        assert_eq!(count, 4 * 10, "owner {i} lost or gained tasks");
    }
    println!("cross-owner attempts: {tried} tried, {leaked} leaked");
    assert!(tried >= 8 * 10 * 3);
    assert_eq!(leaked, 0);
}

/// Creates 10 tasks as `me`, and after each tries to read, patch and delete
/// the other owner's newest tasks; returns (attempts, leaks).
async fn hammer(me: &TestApp, other: &TestApp, tag: &str) -> (usize, usize) {
    let (mut tried, mut leaked) = (0, 0);
    for i in 0..10 {
        me.create(&format!("{tag}-{i}")).await;
        let theirs = other.get("/api/tasks?sort=-id&per_page=5").await.json();
        for id in ids_of(&theirs) {
            let path = format!("/api/tasks/{id}");
            for (method, body) in [
                (Method::GET, None),
                (Method::PATCH, Some(json!({ "done": true }))),
                (Method::DELETE, None),
            ] {
                let reply = me
                    .request(
                        method,
                        &path,
                        Some("application/json"),
                        body.map(|b: Value| b.to_string()),
                    )
                    .await;
                tried += 1;
                if reply.status != 404 {
                    leaked += 1;
                }
            }
        }
    }
    (tried, leaked)
}

#[tokio::test]
async fn over_the_rate_limit_is_a_429_with_retry_after_and_ratelimit_fields() {
    let app = spawn_app_with(|c| {
        c.rate_limit_per_sec = 0.5;
        c.rate_limit_burst = 3.0;
    })
    .await;
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let reply = app.get("/api/tasks").await;
        assert_eq!(reply.status, 200);
        assert_eq!(
            reply.header("ratelimit-policy"),
            Some("\"per-key\";q=3;w=6")
        );
        remaining.push(reply.header("ratelimit").unwrap_or_default().to_owned());
    }
    assert!(
        remaining[0].starts_with("\"per-key\";r=2;"),
        "{remaining:?}"
    );
    assert!(
        remaining[2].starts_with("\"per-key\";r=0;"),
        "{remaining:?}"
    );
    let limited = app.get("/api/tasks").await;
    let problem = limited.problem(429);
    assert_eq!(problem["type"], "urn:tasks-api:problem:too-many-requests");
    let retry: u64 = limited
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((1..=2).contains(&retry), "{retry}");
    // `t` means the same on the 429 as on the 200 before it: seconds until
    // the quota resets (the bucket is full), not when to retry.
    let reset = |field: &str| -> u64 {
        field
            .rsplit(";t=")
            .next()
            .and_then(|t| t.parse().ok())
            .unwrap_or_else(|| panic!("no t in {field:?}"))
    };
    let limited_field = limited.header("ratelimit").unwrap_or_default();
    assert!(
        limited_field.starts_with("\"per-key\";r=0;"),
        "{limited_field}"
    );
    assert!(
        reset(limited_field) + 1 >= reset(&remaining[2]) && reset(limited_field) >= 5,
        "t on the 429 ({limited_field}) says when the bucket is full, as the 200's ({}) did",
        remaining[2]
    );
    // Another key has a bucket of its own.
    let other = app.as_owner("bob").await;
    assert_eq!(other.get("/api/tasks").await.status, 200);
}

#[tokio::test]
async fn a_304_costs_nothing_so_polling_with_etags_is_free() {
    let app = spawn_app_with(|c| {
        c.rate_limit_per_sec = 0.01;
        c.rate_limit_burst = 2.0;
    })
    .await;
    let created = app.post_task(&json!({ "title": "polled" })).await;
    let tag = created.header("etag").unwrap_or_default().to_owned();
    let path = format!("/api/tasks/{}", id_of(&created.json()));
    for _ in 0..20 {
        let reply = send(&app, Method::GET, &path, &[("if-none-match", &tag)]).await;
        assert_eq!(reply.status, 304);
        assert!(reply.header("ratelimit").is_some_and(|v| v.contains("r=1")));
    }
    assert_eq!(app.get(&path).await.status, 200);
    app.get(&path).await.problem(429);
}

#[tokio::test]
async fn failed_authentications_are_limited_per_address() {
    let app = spawn_app().await;
    let guesser = app.with_key(UNKNOWN_KEY);
    let mut statuses = Vec::new();
    for _ in 0..30 {
        statuses.push(guesser.get("/api/tasks").await.status.as_u16());
    }
    let refused = statuses.iter().filter(|s| **s == 401).count();
    println!("30 guesses: {refused} checked (401), the rest refused unchecked (429)");
    assert_eq!(refused, 20, "{statuses:?}");
    assert!(statuses[20..].iter().all(|s| *s == 429), "{statuses:?}");
    let limited = guesser.get("/api/tasks").await;
    limited.problem(429);
    assert!(limited.header("retry-after").is_some());
    // While the address is blocked, keys are not checked at all: a valid
    // one from there waits too (documented).
    app.get("/api/tasks").await.problem(429);
}

#[tokio::test]
async fn cors_allows_the_named_origins_only_and_never_credentials() {
    let app = spawn_app_with(|c| c.cors_origins = vec!["https://app.example".into()]).await;
    let preflight = send(
        &app.anonymous(),
        Method::OPTIONS,
        "/api/tasks/1",
        &[
            ("origin", "https://app.example"),
            ("access-control-request-method", "PATCH"),
            ("access-control-request-headers", "authorization, if-match"),
        ],
    )
    .await;
    assert_eq!(preflight.status, 200, "{}", preflight.text);
    assert_eq!(
        preflight.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let methods = preflight
        .header("access-control-allow-methods")
        .unwrap_or_default();
    assert!(methods.contains("PATCH"), "{methods}");
    assert!(
        preflight
            .header("access-control-allow-credentials")
            .is_none()
    );

    let actual = send(
        &app,
        Method::GET,
        "/api/tasks",
        &[("origin", "https://app.example")],
    )
    .await;
    assert_eq!(actual.status, 200);
    assert_eq!(
        actual.header("access-control-allow-origin"),
        Some("https://app.example")
    );
    let exposed = actual
        .header("access-control-expose-headers")
        .unwrap_or_default();
    assert!(exposed.to_lowercase().contains("etag"), "{exposed}");

    let foreign = send(
        &app,
        Method::GET,
        "/api/tasks",
        &[("origin", "https://evil.example")],
    )
    .await;
    assert!(foreign.header("access-control-allow-origin").is_none());
    let problem = foreign.problem(403);
    assert_eq!(
        problem["type"],
        "urn:tasks-api:problem:cross-origin-refused"
    );

    // With no origins configured, nothing is allowed cross-origin.
    let closed = spawn_app().await;
    let reply = send(
        &closed,
        Method::GET,
        "/api/tasks",
        &[("origin", "https://app.example")],
    )
    .await;
    assert!(reply.header("access-control-allow-origin").is_none());
}

#[tokio::test]
async fn with_cors_off_other_origins_are_refused_everywhere_and_the_own_origin_is_served() {
    let app = spawn_app().await;
    let own = app.base.trim_end_matches('/').to_owned();
    let foreign = "https://app.example.com";
    let id = id_of(&app.create("x").await);
    let task = format!("/api/tasks/{id}");
    for (method, path, with_key) in [
        (Method::GET, "/api/tasks", true),
        (Method::POST, "/api/tasks", true),
        (Method::DELETE, task.as_str(), true),
        (Method::GET, "/openapi.json", false),
        (Method::GET, "/healthz", false),
    ] {
        let client = if with_key {
            app.clone()
        } else {
            app.anonymous()
        };
        let reply = send(&client, method.clone(), path, &[("origin", foreign)]).await;
        let problem = reply.problem(403);
        assert_eq!(
            problem["type"], "urn:tasks-api:problem:cross-origin-refused",
            "{method} {path}"
        );
        assert!(reply.header("access-control-allow-origin").is_none());
    }
    // Nothing was created or deleted from the other origin.
    assert_eq!(app.get("/api/tasks").await.json()["total"], 1);
    // A preflight carries no credentials: refused as cross-origin, never 401.
    let preflight = send(
        &app.anonymous(),
        Method::OPTIONS,
        "/api/tasks",
        &[
            ("origin", foreign),
            ("access-control-request-method", "POST"),
            (
                "access-control-request-headers",
                "authorization, content-type",
            ),
        ],
    )
    .await;
    let problem = preflight.problem(403);
    assert_eq!(
        problem["type"],
        "urn:tasks-api:problem:cross-origin-refused"
    );
    // Swagger UI's own requests (its origin is the server's) work.
    let created = send(
        &app,
        Method::POST,
        "/api/tasks",
        &[("origin", own.as_str())],
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let listed = send(&app, Method::GET, "/api/tasks", &[("origin", own.as_str())]).await;
    assert_eq!(listed.status, 200, "{}", listed.text);
    // And a named origin still passes CORS while the own origin needs none.
    let open = spawn_app_with(|c| c.cors_origins = vec![foreign.into()]).await;
    let own = open.base.trim_end_matches('/').to_owned();
    let mine = send(
        &open,
        Method::GET,
        "/api/tasks",
        &[("origin", own.as_str())],
    )
    .await;
    assert_eq!(mine.status, 200, "{}", mine.text);
}

#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let app = spawn_app().await;
    let id = id_of(&app.create("x").await);
    let replies = [
        ("/healthz", app.get("/healthz").await),
        ("/api/tasks", app.get("/api/tasks").await),
        ("task", app.get_task(id).await),
        ("404", app.get("/nowhere").await),
        ("401", app.anonymous().get("/api/tasks").await),
        ("docs", app.get("/docs").await),
    ];
    for (what, reply) in &replies {
        assert_eq!(
            reply.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
    }
    let cache = |i: usize| replies[i].1.header("cache-control").map(str::to_owned);
    assert_eq!(cache(1).as_deref(), Some("no-store"), "list");
    assert_eq!(
        cache(2).as_deref(),
        Some("private, no-cache"),
        "task with ETag"
    );
    assert_eq!(cache(4).as_deref(), Some("no-store"), "401");
    let csp = replies[5]
        .1
        .header("content-security-policy")
        .unwrap_or_default();
    assert!(
        csp.contains("default-src 'none'") && csp.contains("script-src 'sha256-"),
        "{csp}"
    );
}

#[tokio::test]
async fn auth_none_is_the_first_owner_and_only_on_loopback() {
    let app = spawn_app_with(|c| c.auth = tasks_api::config::AuthMode::None).await;
    let open = app.anonymous();
    let created = open.post_task(&json!({ "title": "no key" })).await;
    assert_eq!(created.status, 201);
    assert!(created.header("ratelimit").is_none());

    let mut config = (*app.config).clone();
    config.bind = "0.0.0.0:0".into();
    let refused = tasks_api::startup::Application::build(config.clone()).await;
    let message = refused.err().map(|e| e.to_string()).unwrap_or_default();
    assert!(message.contains("--allow-unauthenticated"), "{message}");
    // Refused before the database is touched: no file is created.
    if app.db_path.is_some() {
        let dir = tempfile::tempdir().expect("dir");
        let path = dir.path().join("never.db");
        let mut elsewhere = config.clone();
        elsewhere.database_url = format!("sqlite://{}", path.display());
        let refused = tasks_api::startup::Application::build(elsewhere).await;
        assert!(refused.is_err());
        assert!(
            !path.exists(),
            "the refused start created {}",
            path.display()
        );
    }
    config.allow_unauthenticated = true;
    assert!(tasks_api::startup::Application::build(config).await.is_ok());
}

#[tokio::test]
async fn keys_are_long_random_prefixed_and_stored_only_as_hashes() {
    let app = spawn_app().await;
    let keys: BTreeSet<String> = [
        app.key.clone(),
        app.make_key("x").await,
        app.make_key("y").await,
    ]
    .into_iter()
    .collect();
    assert_eq!(keys.len(), 3);
    for key in &keys {
        assert!(key.starts_with("tsk_") && key.len() == 36, "{key}");
    }
    let listed = tasks_api::auth::store::list_keys(&app.db().await, None)
        .await
        .expect("list");
    assert_eq!(listed.len(), 3);
    let text = format!("{listed:?}");
    for key in &keys {
        assert!(!text.contains(key.as_str()), "a key is listed in the clear");
        assert!(listed.iter().any(|k| key.starts_with(&k.prefix)));
    }
}
