//! Request ids, the access log and the metrics.

use std::collections::BTreeMap;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with};
use crate::process;

async fn with_request_id(app: &TestApp, path: &str, id: &str) -> Reply {
    let request = app.client.get(app.url(path)).header("x-request-id", id);
    Reply::from(request.send().await.expect("sent")).await
}

#[tokio::test]
async fn a_sane_request_id_is_echoed_and_any_other_replaced() {
    let app = spawn_app().await;
    let echoed = with_request_id(&app, "/api/tasks", "client-id-42").await;
    assert_eq!(echoed.header("x-request-id"), Some("client-id-42"));
    let long = "x".repeat(129);
    let mut generated = Vec::new();
    for bad in [long.as_str(), "has space", ""] {
        let reply = with_request_id(&app, "/api/tasks", bad).await;
        let id = reply.header("x-request-id").unwrap_or_default().to_owned();
        assert!(!id.is_empty() && id != bad, "{bad:?} became {id:?}");
        generated.push(id);
    }
    let plain = app.get("/healthz").await;
    generated.push(plain.header("x-request-id").unwrap_or_default().to_owned());
    generated.sort();
    generated.dedup();
    assert_eq!(generated.len(), 4, "generated ids repeat: {generated:?}");
}

#[tokio::test]
async fn every_problem_body_names_its_request_id() {
    let app = spawn_app().await;
    let replies = [
        with_request_id(&app, "/api/tasks/999", "trace-404").await,
        with_request_id(&app, "/api/tasks?per_page=0", "trace-400").await,
        with_request_id(&app.anonymous(), "/api/tasks", "trace-401").await,
        with_request_id(&app, "/nowhere", "trace-route").await,
    ];
    for reply in replies {
        let problem = reply.json();
        assert_eq!(
            problem["request_id"].as_str(),
            reply.header("x-request-id"),
            "{problem}"
        );
    }
    // A generated id too.
    let reply = app.get("/api/tasks/998").await;
    assert_eq!(
        reply.json()["request_id"].as_str(),
        reply.header("x-request-id")
    );
}

#[tokio::test]
async fn each_request_has_one_json_access_line_with_its_route_template_and_no_raw_path() {
    let (_dir, db) = process::temp_db();
    let server = process::start(&db, &[]);
    let http = reqwest::Client::new();
    let url = format!("{}/api/tasks/123456?secret=dont-log-me", server.base());
    let resp = http
        .get(&url)
        .header("x-request-id", "access-log-me")
        .send()
        .await
        .expect("get");
    assert_eq!(resp.status(), 404);
    let (_, log) = {
        server.signal("TERM");
        server.wait()
    };
    let mine: Vec<Value> = log
        .iter()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|line| line["request_id"] == "access-log-me")
        .collect();
    assert_eq!(mine.len(), 1, "one access line: {log:?}");
    let line = &mine[0];
    assert_eq!(line["target"], "access");
    assert_eq!(line["route"], "/api/tasks/{id}");
    assert_eq!(line["method"], "GET");
    assert_eq!(line["status"], 404);
    assert!(line["duration_ms"].is_f64(), "{line}");
    // Milliseconds to the microsecond, not a binary fraction's 16 digits.
    let duration = line["duration_ms"].to_string();
    assert!(
        duration.split_once('.').is_some_and(|(_, f)| f.len() <= 3),
        "{line}"
    );
    assert!(line["bytes"].as_u64().is_some_and(|b| b > 0), "{line}");
    assert_eq!(line["owner"], 1, "{line}");
    let text = log.join("\n");
    assert!(
        !text.contains("123456") && !text.contains("dont-log-me"),
        "{text}"
    );
}

/// The samples of an OpenMetrics exposition: `name{labels}` → value.
fn samples(text: &str) -> BTreeMap<String, f64> {
    text.lines()
        .filter(|line| !line.starts_with('#') && !line.is_empty())
        .filter_map(|line| {
            let (name, value) = line.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

async fn scrape(base: &str) -> BTreeMap<String, f64> {
    let resp = reqwest::get(format!("{base}/metrics"))
        .await
        .expect("scrape");
    assert_eq!(resp.status(), 200);
    let kind = resp.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_owned();
    assert!(kind.starts_with("application/openmetrics-text"), "{kind}");
    let text = resp.text().await.expect("text");
    assert!(text.ends_with("# EOF\n"), "not OpenMetrics: {text}");
    samples(&text)
}

#[tokio::test]
async fn metrics_count_exactly_the_requests_sent() {
    let app = spawn_app().await;
    let before = scrape(&app.base).await;
    for _ in 0..5 {
        app.get("/api/tasks").await;
    }
    for id in [999_991, 999_992, 999_993] {
        app.get_task(id).await;
    }
    for title in ["a", "b"] {
        app.post_task(&json!({ "title": title })).await;
    }
    app.request(
        Method::POST,
        "/api/tasks",
        Some("application/json"),
        Some("{}".into()),
    )
    .await;
    let after = scrape(&app.base).await;
    let delta = |key: &str| {
        after.get(key).copied().unwrap_or(0.0) - before.get(key).copied().unwrap_or(0.0)
    };
    let requests = |route: &str, method: &str, status: &str| {
        format!(
            "tasks_api_http_requests_total{{route=\"{route}\",method=\"{method}\",status=\"{status}\"}}"
        )
    };
    assert_eq!(delta(&requests("/api/tasks", "GET", "2xx")), 5.0);
    assert_eq!(delta(&requests("/api/tasks/{id}", "GET", "4xx")), 3.0);
    assert_eq!(delta(&requests("/api/tasks", "POST", "2xx")), 2.0);
    assert_eq!(delta(&requests("/api/tasks", "POST", "4xx")), 1.0);
    let histogram = "tasks_api_http_request_duration_seconds_count{route=\"/api/tasks\",method=\"GET\",status=\"2xx\"}";
    assert_eq!(delta(histogram), 5.0);
    assert_eq!(
        delta("tasks_api_db_query_duration_seconds_count{operation=\"insert\"}"),
        2.0
    );
    assert_eq!(
        delta("tasks_api_db_query_duration_seconds_count{operation=\"find\"}"),
        3.0
    );
    for gauge in [
        "tasks_api_http_requests_in_flight",
        "tasks_api_process_resident_memory_bytes",
        "tasks_api_process_open_fds",
        "tasks_api_process_uptime_seconds",
    ] {
        assert!(after.contains_key(gauge), "no {gauge}: {after:?}");
    }
    // SQLite has a read and a write pool; PostgreSQL one shared pool.
    let pool =
        |name: &str| format!("tasks_api_db_pool_connections{{pool=\"{name}\",state=\"idle\"}}");
    assert!(
        after.contains_key(&pool("read")) || after.contains_key(&pool("shared")),
        "no pool gauges"
    );
    // The scrape itself is the one request in flight.
    assert_eq!(after["tasks_api_http_requests_in_flight"], 1.0);
    assert!(
        after
            .keys()
            .any(|k| k.starts_with("tasks_api_build_info{version="))
    );
    // Bounded labels: no raw path or id.
    assert!(
        !after.keys().any(|k| k.contains("99999")),
        "an id as a label"
    );
}

#[tokio::test]
async fn rate_limited_requests_and_replays_are_counted() {
    let app = spawn_app_with(|c| {
        c.rate_limit_per_sec = 0.01;
        c.rate_limit_burst = 4.0;
    })
    .await;
    let before = scrape(&app.base).await;
    // Every counter is there before its first increment, at 0.
    for reason in ["key", "auth_failures"] {
        let key = format!("tasks_api_rate_limited_total{{reason=\"{reason}\"}}");
        assert_eq!(before.get(&key), Some(&0.0), "{key}");
    }
    for _ in 0..2 {
        let request = app
            .client
            .post(app.url("/api/tasks"))
            .header("idempotency-key", "count-me")
            .json(&json!({ "title": "once" }));
        assert_eq!(request.send().await.expect("sent").status(), 201);
    }
    for _ in 0..4 {
        app.get("/api/tasks").await;
    }
    let after = scrape(&app.base).await;
    let delta = |key: &str| {
        after.get(key).copied().unwrap_or(0.0) - before.get(key).copied().unwrap_or(0.0)
    };
    assert_eq!(delta("tasks_api_idempotent_replays_total"), 1.0);
    assert_eq!(delta("tasks_api_rate_limited_total{reason=\"key\"}"), 2.0);
}

#[tokio::test]
async fn metrics_can_have_an_address_of_their_own_or_be_off() {
    let app = spawn_app_with(|c| c.metrics_bind = Some("127.0.0.1:0".into())).await;
    let own = app.metrics_base.clone().expect("a metrics address");
    assert!(!scrape(&own).await.is_empty());
    assert_eq!(
        app.get("/metrics").await.status,
        404,
        "not on the API's address"
    );

    let off = spawn_app_with(|c| c.metrics = false).await;
    assert_eq!(off.get("/metrics").await.status, 404);
    assert!(off.get("/api/tasks").await.header("x-request-id").is_some());
}

/// Group commit: on SQLite, writes that wait for the write connection share
/// one transaction (each write-lock wait is one transaction); every write
/// is still answered, and every answered write is there.
#[tokio::test]
async fn concurrent_writes_share_transactions_on_sqlite() {
    let app = spawn_app().await;
    let wait = "tasks_api_db_write_lock_wait_seconds_count";
    let before = scrape(&app.base).await.get(wait).copied().unwrap_or(0.0);
    let writes: Vec<_> = (0..64)
        .map(|i| {
            let app = app.clone();
            tokio::spawn(async move {
                app.post_task(&json!({ "title": format!("g{i}") }))
                    .await
                    .status
            })
        })
        .collect();
    for write in writes {
        assert_eq!(write.await.expect("write"), 201);
    }
    let transactions = scrape(&app.base).await.get(wait).copied().unwrap_or(0.0) - before;
    assert_eq!(app.get("/api/tasks").await.json()["total"], 64);
    if crate::helpers::postgres().is_some() {
        // PostgreSQL groups commits itself: a transaction per write here
        // (and the start-up purges').
        assert!(transactions >= 64.0, "{transactions} transactions");
    } else {
        println!("64 concurrent creates in {transactions} transactions");
        assert!(
            (1.0..64.0).contains(&transactions),
            "{transactions} transactions"
        );
    }
}
