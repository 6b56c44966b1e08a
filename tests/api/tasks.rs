//! Create, read, replace, patch and delete one task.

use serde_json::json;

use crate::helpers::{id_of, spawn_app};

#[tokio::test]
async fn created_task_has_every_field_and_equals_the_following_get() {
    let app = spawn_app().await;
    let created = app
        .create_with(json!({
            "title": "  Plan trip \t",
            "description": "Book trains",
            "done": true,
            "due_at": "2026-12-01T09:30:00.1234567+01:00",
        }))
        .await;
    assert_eq!(created["title"], "Plan trip", "title is trimmed");
    assert_eq!(created["description"], "Book trains");
    assert_eq!(created["done"], true);
    assert_eq!(
        created["due_at"], "2026-12-01T08:30:00.123456Z",
        "due_at in UTC, microseconds"
    );
    for stamp in ["created_at", "updated_at"] {
        let text = created[stamp].as_str().expect("timestamp");
        assert!(text.ends_with('Z') && text.len() == 27, "{stamp}: {text}");
    }
    assert_eq!(created["created_at"], created["updated_at"]);

    let fetched = app.get_task(id_of(&created)).await;
    assert_eq!(fetched.status, 200);
    assert_eq!(fetched.json(), created);
}

#[tokio::test]
async fn null_fields_are_present_as_null() {
    let app = spawn_app().await;
    let task = app.create("Minimal").await;
    let object = task.as_object().expect("object");
    assert_eq!(object.len(), 12, "{task}");
    assert!(task["description"].is_null());
    assert!(task["parent_id"].is_null(), "top level");
    assert_eq!(task["labels"], serde_json::json!([]));
    assert!(task["due_at"].is_null());
    assert!(task["deleted_at"].is_null(), "not in the trash");
}

#[tokio::test]
async fn read_only_and_unknown_fields_are_ignored() {
    let app = spawn_app().await;
    let task = app
        .create_with(json!({
            "title": "Mine",
            "id": 4242,
            "created_at": "2000-01-01T00:00:00Z",
            "updated_at": 7,
            "colour": "red",
        }))
        .await;
    assert_ne!(id_of(&task), 4242);
    assert_ne!(task["created_at"], "2000-01-01T00:00:00.000000Z");
    assert!(task.get("colour").is_none());
}

#[tokio::test]
async fn put_replaces_the_whole_task_and_clears_omitted_fields() {
    let app = spawn_app().await;
    let created = app
        .create_with(json!({
            "title": "Old", "description": "notes", "done": true,
            "due_at": "2026-01-01T00:00:00Z",
        }))
        .await;
    let id = id_of(&created);

    let reply = app.put_task(id, &json!({ "title": "New" })).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let replaced = reply.json();
    assert_eq!(replaced["title"], "New");
    assert!(replaced["description"].is_null());
    assert_eq!(replaced["done"], false);
    assert!(replaced["due_at"].is_null());
    assert_eq!(replaced["created_at"], created["created_at"]);
    assert_ne!(replaced["updated_at"], created["updated_at"]);
    assert_eq!(app.get_task(id).await.json(), replaced);
}

#[tokio::test]
async fn put_on_a_missing_task_is_404() {
    let app = spawn_app().await;
    app.put_task(77, &json!({ "title": "x" }))
        .await
        .problem(404);
}

#[tokio::test]
async fn patch_changes_only_the_members_sent_and_null_clears() {
    let app = spawn_app().await;
    let created = app
        .create_with(json!({
            "title": "Keep", "description": "clear me", "done": false,
            "due_at": "2026-05-05T05:05:05Z",
        }))
        .await;
    let id = id_of(&created);

    let reply = app
        .patch_task(id, &json!({ "done": true, "description": null }))
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let patched = reply.json();
    assert_eq!(patched["title"], "Keep");
    assert_eq!(patched["done"], true);
    assert!(patched["description"].is_null());
    assert_eq!(patched["due_at"], "2026-05-05T05:05:05.000000Z");
    assert_eq!(app.get_task(id).await.json(), patched);

    let cleared = app.patch_task(id, &json!({ "due_at": null })).await.json();
    assert!(cleared["due_at"].is_null());
}

#[tokio::test]
async fn patch_accepts_plain_application_json_too() {
    let app = spawn_app().await;
    let id = id_of(&app.create("x").await);
    let reply = app
        .send_json(
            reqwest::Method::PATCH,
            &format!("/api/tasks/{id}"),
            &json!({ "title": "y" }),
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    assert_eq!(reply.json()["title"], "y");
}

#[tokio::test]
async fn patch_that_changes_nothing_keeps_updated_at() {
    let app = spawn_app().await;
    let created = app.create("Same").await;
    let id = id_of(&created);
    let unchanged = app
        .patch_task(id, &json!({ "title": "Same", "done": false }))
        .await
        .json();
    assert_eq!(unchanged, created);
    let empty = app.patch_task(id, &json!({})).await.json();
    assert_eq!(empty, created);
}

#[tokio::test]
async fn patch_with_null_title_or_done_is_400_and_changes_nothing() {
    let app = spawn_app().await;
    let created = app.create("Stay").await;
    let id = id_of(&created);
    let reply = app
        .patch_task(id, &json!({ "title": null, "done": null }))
        .await;
    let mut fields = reply.invalid_fields();
    fields.sort();
    assert_eq!(fields, ["#/done", "#/title"]);
    assert_eq!(app.get_task(id).await.json(), created);
}

#[tokio::test]
async fn patch_on_a_missing_task_is_404() {
    let app = spawn_app().await;
    app.patch_task(5, &json!({ "done": true }))
        .await
        .problem(404);
}

#[tokio::test]
async fn ids_are_not_reused_after_delete() {
    let app = spawn_app().await;
    let first = id_of(&app.create("a").await);
    assert_eq!(app.delete_task(first).await.status, 204);
    let second = id_of(&app.create("b").await);
    assert!(second > first, "{second} reuses {first}");
}

#[tokio::test]
async fn head_works_wherever_get_does() {
    let app = spawn_app().await;
    let id = id_of(&app.create("h").await);
    for path in [
        format!("/api/tasks/{id}"),
        "/api/tasks".to_owned(),
        "/healthz".to_owned(),
    ] {
        let reply = app.request(reqwest::Method::HEAD, &path, None, None).await;
        assert_eq!(reply.status, 200, "HEAD {path}");
        assert!(reply.text.is_empty(), "HEAD {path} has a body");
    }
}

#[tokio::test]
async fn a_write_survives_a_clean_stop_and_a_restart() {
    // A fresh database (this server only makes it; it never serves here).
    let maker = spawn_app().await;
    let url = maker.database_url.clone();
    let start = |url: String| async move {
        let mut config = tasks_api::config::Config::for_database(url);
        config.bind = "127.0.0.1:0".into();
        config.auth = tasks_api::config::AuthMode::None;
        let app = tasks_api::startup::Application::build(config)
            .await
            .expect("builds");
        let base = format!("http://127.0.0.1:{}", app.port());
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let handle = tokio::spawn(app.run_until_stopped(async {
            let _ = stopped.await;
        }));
        (base, stop, handle)
    };
    let client = reqwest::Client::new();

    let (base, stop, handle) = start(url.clone()).await;
    let created: serde_json::Value = client
        .post(format!("{base}/api/tasks"))
        .json(&json!({ "title": "durable" }))
        .send()
        .await
        .expect("post")
        .json()
        .await
        .expect("json");
    let _ = stop.send(());
    handle.await.expect("join").expect("clean stop");

    let (base, _stop, _handle) = start(url).await;
    let fetched: serde_json::Value = client
        .get(format!("{base}/api/tasks/{}", id_of(&created)))
        .send()
        .await
        .expect("get")
        .json()
        .await
        .expect("json");
    assert_eq!(fetched, created);
}
