//! Concurrent writers and two servers on one SQLite file.

use serde_json::json;

use crate::helpers::{id_of, spawn_app, spawn_app_on};

#[tokio::test]
async fn concurrent_creates_all_succeed_with_distinct_ids() {
    let app = spawn_app().await;
    let mut handles = Vec::new();
    for i in 0..64 {
        let client = app.client.clone();
        let url = app.url("/api/tasks");
        handles.push(tokio::spawn(async move {
            let resp = client
                .post(url)
                .json(&json!({ "title": format!("c{i}") }))
                .send()
                .await
                .expect("sent");
            (
                resp.status().as_u16(),
                resp.json::<serde_json::Value>().await,
            )
        }));
    }
    let mut ids = std::collections::BTreeSet::new();
    for handle in handles {
        let (status, body) = handle.await.expect("join");
        assert_eq!(status, 201);
        ids.insert(id_of(&body.expect("json")));
    }
    assert_eq!(ids.len(), 64);
    assert_eq!(app.get("/api/tasks").await.json()["total"], 64);
}

#[tokio::test]
async fn two_servers_on_one_database_serve_one_data_set() {
    let first = spawn_app().await;
    let second = spawn_app_on(&first).await;

    let created = first.create("shared").await;
    let id = id_of(&created);
    assert_eq!(second.get_task(id).await.json(), created);

    let patched = second.patch_task(id, &json!({ "done": true })).await;
    assert_eq!(patched.status, 200);
    assert_eq!(first.get_task(id).await.json(), patched.json());

    let mut handles = Vec::new();
    for i in 0..40 {
        let app = if i % 2 == 0 { &first } else { &second };
        let (client, url) = (app.client.clone(), app.url("/api/tasks"));
        handles.push(tokio::spawn(async move {
            client
                .post(url)
                .json(&json!({ "title": format!("n{i}") }))
                .send()
                .await
                .expect("sent")
                .status()
                .as_u16()
        }));
    }
    for handle in handles {
        assert_eq!(handle.await.expect("join"), 201);
    }
    assert_eq!(second.delete_task(id).await.status, 204);
    first.get_task(id).await.problem(404);
    assert_eq!(first.get("/api/tasks").await.json()["total"], 40);
}
