//! `Idempotency-Key` on POST: performed once, replayed after.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_on};

impl TestApp {
    async fn post_keyed(&self, key: &str, body: &Value) -> Reply {
        let resp = self
            .client
            .post(self.url("/api/tasks"))
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("sent");
        Reply::from(resp).await
    }

    async fn total(&self) -> i64 {
        self.get("/api/tasks").await.json()["total"]
            .as_i64()
            .expect("total")
    }
}

#[tokio::test]
async fn a_retry_with_the_same_key_and_body_replays_the_first_response() {
    let app = spawn_app().await;
    let body = json!({ "title": "pay rent", "due_at": "2026-12-01T00:00:00+02:00" });
    let first = app.post_keyed("key-1", &body).await;
    assert_eq!(first.status, 201);
    // The same JSON with members in another order and spacing is the same body.
    let same = serde_json::from_str::<Value>(
        r#"{ "due_at": "2026-12-01T00:00:00+02:00",  "title": "pay rent" }"#,
    )
    .expect("json");
    let retry = app.post_keyed("key-1", &same).await;
    assert_eq!(retry.status, 201);
    assert_eq!(retry.text, first.text);
    for header in ["location", "etag", "content-type"] {
        assert_eq!(retry.header(header), first.header(header), "{header}");
    }
    // Only the replay says it is one (as Stripe's `Idempotent-Replayed`).
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(retry.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn the_same_key_with_another_body_is_422() {
    let app = spawn_app().await;
    assert_eq!(
        app.post_keyed("k", &json!({ "title": "a" })).await.status,
        201
    );
    app.post_keyed("k", &json!({ "title": "b" }))
        .await
        .problem(422);
    assert_eq!(app.total().await, 1);
}

#[tokio::test]
async fn a_refused_request_does_not_use_up_its_key() {
    let app = spawn_app().await;
    app.post_keyed("k2", &json!({ "title": "" }))
        .await
        .problem(400);
    let ok = app.post_keyed("k2", &json!({ "title": "now valid" })).await;
    assert_eq!(ok.status, 201, "{}", ok.text);
}

#[tokio::test]
async fn invalid_keys_are_400_naming_the_header() {
    let app = spawn_app().await;
    let long = "k".repeat(256);
    // (Leading and trailing spaces never reach the server: HTTP strips them.)
    for key in ["", long.as_str(), "tab\there"] {
        let reply = app.post_keyed(key, &json!({ "title": "x" })).await;
        assert_eq!(reply.invalid_fields(), ["Idempotency-Key"], "{key:?}");
    }
    let non_ascii = app
        .client
        .post(app.url("/api/tasks"))
        .header(
            "Idempotency-Key",
            reqwest::header::HeaderValue::from_bytes(b"caf\xc3\xa9").expect("bytes"),
        )
        .json(&json!({ "title": "x" }))
        .send()
        .await
        .expect("sent");
    let reply = Reply::from(non_ascii).await;
    assert_eq!(reply.invalid_fields(), ["Idempotency-Key"]);
    assert_eq!(app.total().await, 0);
}

#[tokio::test]
async fn concurrent_retries_across_two_servers_create_exactly_one_task() {
    let first = spawn_app().await;
    let second = spawn_app_on(&first).await;
    let mut handles = Vec::new();
    for i in 0..16 {
        let app = if i % 2 == 0 { &first } else { &second };
        let (client, url) = (app.client.clone(), app.url("/api/tasks"));
        handles.push(tokio::spawn(async move {
            let resp = client
                .post(url)
                .header("Idempotency-Key", "same-everywhere")
                .json(&json!({ "title": "once" }))
                .send()
                .await
                .expect("sent");
            (resp.status().as_u16(), resp.text().await.expect("body"))
        }));
    }
    let mut bodies = std::collections::BTreeSet::new();
    for handle in handles {
        let (status, body) = handle.await.expect("join");
        assert_eq!(status, 201, "{body}");
        bodies.insert(body);
    }
    assert_eq!(bodies.len(), 1, "every retry got the first response");
    assert_eq!(first.total().await, 1);
}
