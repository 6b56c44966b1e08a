//! ETags, `If-None-Match` and `If-Match` (RFC 9110 §13).

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Reply, TestApp, id_of, spawn_app};

impl TestApp {
    async fn with_header(
        &self,
        method: Method,
        path: &str,
        header: (&str, &str),
        body: Option<serde_json::Value>,
    ) -> Reply {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header(header.0, header.1);
        if let Some(body) = body {
            req = req.json(&body);
        }
        Reply::from(req.send().await.expect("sent")).await
    }
}

fn etag(reply: &Reply) -> String {
    reply.header("etag").expect("an ETag").to_owned()
}

#[tokio::test]
async fn every_task_response_has_a_strong_etag_that_changes_with_the_task() {
    let app = spawn_app().await;
    let created = app.post_task(&json!({ "title": "e" })).await;
    let id = id_of(&created.json());
    let tag = etag(&created);
    assert!(tag.starts_with('"') && !tag.starts_with("W/"), "{tag}");
    assert_eq!(etag(&app.get_task(id).await), tag, "POST and GET agree");

    let same = app.patch_task(id, &json!({ "title": "e" })).await;
    assert_eq!(etag(&same), tag, "a no-op PATCH keeps the ETag");
    let patched = app.patch_task(id, &json!({ "done": true })).await;
    assert_ne!(etag(&patched), tag);
    assert_eq!(etag(&app.get_task(id).await), etag(&patched));
    let replaced = app.put_task(id, &json!({ "title": "f" })).await;
    assert_ne!(etag(&replaced), etag(&patched));
    assert_eq!(etag(&app.get_task(id).await), etag(&replaced));
}

#[tokio::test]
async fn if_none_match_gives_304_with_the_etag_and_no_body() {
    let app = spawn_app().await;
    let created = app.post_task(&json!({ "title": "cache me" })).await;
    let id = id_of(&created.json());
    let tag = etag(&created);
    let path = format!("/api/tasks/{id}");
    let weak = format!("W/{tag}");
    let list = format!("\"0-0\", {tag}");
    for value in [tag.as_str(), "*", weak.as_str(), list.as_str()] {
        let reply = app
            .with_header(Method::GET, &path, ("If-None-Match", value), None)
            .await;
        assert_eq!(reply.status, 304, "If-None-Match: {value}");
        assert_eq!(etag(&reply), tag);
        assert!(reply.text.is_empty());
    }
    let other = app
        .with_header(Method::GET, &path, ("If-None-Match", "\"0-0\""), None)
        .await;
    assert_eq!(other.status, 200);
    assert_eq!(other.json(), created.json());
}

#[tokio::test]
async fn a_stale_if_match_is_412_and_changes_nothing() {
    let app = spawn_app().await;
    let created = app.post_task(&json!({ "title": "guarded" })).await;
    let id = id_of(&created.json());
    let old = etag(&created);
    app.patch_task(id, &json!({ "done": true })).await;
    let current = app.get_task(id).await;
    let path = format!("/api/tasks/{id}");

    let stale_patch = app
        .with_header(
            Method::PATCH,
            &path,
            ("If-Match", &old),
            Some(json!({ "title": "x" })),
        )
        .await;
    stale_patch.problem(412);
    let stale_put = app
        .with_header(
            Method::PUT,
            &path,
            ("If-Match", &old),
            Some(json!({ "title": "x" })),
        )
        .await;
    stale_put.problem(412);
    let weak = format!("W/{}", etag(&current));
    let weak_delete = app
        .with_header(Method::DELETE, &path, ("If-Match", &weak), None)
        .await;
    weak_delete.problem(412);
    app.with_header(Method::DELETE, &path, ("If-Match", &old), None)
        .await
        .problem(412);
    assert_eq!(app.get_task(id).await.json(), current.json());

    let fresh = app
        .with_header(
            Method::PATCH,
            &path,
            ("If-Match", &etag(&current)),
            Some(json!({ "title": "y" })),
        )
        .await;
    assert_eq!(fresh.status, 200, "{}", fresh.text);
    let deleted = app
        .with_header(Method::DELETE, &path, ("If-Match", &etag(&fresh)), None)
        .await;
    assert_eq!(deleted.status, 204);
}

#[tokio::test]
async fn if_match_star_needs_the_task_to_exist() {
    let app = spawn_app().await;
    let id = id_of(&app.create("star").await);
    let path = format!("/api/tasks/{id}");
    let ok = app
        .with_header(
            Method::PUT,
            &path,
            ("If-Match", "*"),
            Some(json!({ "title": "s" })),
        )
        .await;
    assert_eq!(ok.status, 200);
    app.with_header(Method::DELETE, "/api/tasks/999", ("If-Match", "*"), None)
        .await
        .problem(412);
    app.with_header(
        Method::PATCH,
        "/api/tasks/999",
        ("If-Match", "*"),
        Some(json!({})),
    )
    .await
    .problem(412);
}

#[tokio::test]
async fn a_malformed_if_match_matches_nothing_so_the_write_is_412() {
    let app = spawn_app().await;
    let id = id_of(&app.create("m").await);
    let reply = app
        .with_header(
            Method::PATCH,
            &format!("/api/tasks/{id}"),
            ("If-Match", "not-quoted"),
            Some(json!({})),
        )
        .await;
    reply.problem(412);
    let garbage = app
        .with_header(
            Method::GET,
            &format!("/api/tasks/{id}"),
            ("If-None-Match", "garbage"),
            None,
        )
        .await;
    assert_eq!(garbage.status, 200, "a malformed If-None-Match is ignored");
}

#[tokio::test]
async fn of_eight_racing_writers_with_one_etag_exactly_one_wins() {
    let app = spawn_app().await;
    let created = app.post_task(&json!({ "title": "race" })).await;
    let id = id_of(&created.json());
    let tag = etag(&created);
    for method in [Method::PATCH, Method::DELETE] {
        let tag = if method == Method::DELETE {
            etag(&app.get_task(id).await)
        } else {
            tag.clone()
        };
        let mut handles = Vec::new();
        for i in 0..8 {
            let (client, url, tag, method) = (
                app.client.clone(),
                app.url(&format!("/api/tasks/{id}")),
                tag.clone(),
                method.clone(),
            );
            handles.push(tokio::spawn(async move {
                let mut req = client.request(method, url).header("If-Match", tag);
                req = req.json(&json!({ "title": format!("writer {i}") }));
                req.send().await.expect("sent").status().as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for handle in handles {
            statuses.push(handle.await.expect("join"));
        }
        statuses.sort();
        let winner = if method == Method::DELETE { 204 } else { 200 };
        let mut expected = vec![winner];
        expected.extend([412; 7]);
        expected.sort();
        assert_eq!(statuses, expected, "{method}");
    }
}
