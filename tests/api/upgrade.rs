//! A database made by an earlier release (migrations 1 and 2: no owners)
//! keeps everything after the upgrade through every later migration, given
//! to the first owner; its tasks become top-level, unlabelled, in id order.

use sea_orm::{ConnectionTrait, Database};
use sea_orm_migration::MigratorTrait;
use serde_json::json;

use crate::helpers::{fresh_database, ids_of, spawn_app_at};

/// The body of the 201 the previous release stored for an idempotency key.
const STORED_BODY: &str = r#"{"created_at":"2026-11-25T10:00:00.000000Z","description":null,"done":false,"due_at":null,"id":2,"title":"second","updated_at":"2026-11-25T10:00:00.000000Z"}"#;

#[tokio::test]
async fn a_database_from_the_previous_release_keeps_its_tasks_and_keys_for_the_first_owner() {
    let dir = tempfile::tempdir().expect("dir");
    let (url, path) = fresh_database(&dir).await;
    // The previous release's schema, with its data, written as it wrote it.
    {
        let connect = match path {
            Some(_) => format!("{url}?mode=rwc"),
            None => url.clone(),
        };
        let old = Database::connect(connect).await.expect("connect");
        tasks_api::db::migration::Migrator::up(&old, Some(2))
            .await
            .expect("previous release's migrations");
        let micros = 1_795_600_800_000_000_i64; // 2026-11-25T10:00:00Z
        for (title, done) in [("first", false), ("second", false), ("third", true)] {
            old.execute_unprepared(&format!(
                "INSERT INTO tasks (title, description, done, due_at, created_at, updated_at, version) \
                 VALUES ('{title}', NULL, {done}, NULL, {micros}, {micros}, 1)"
            ))
            .await
            .expect("insert a task");
        }
        let hash = tasks_api::digest::sha256_hex(br#"{"title":"second"}"#);
        let now = tasks_api::domain::Timestamp::now().as_micros();
        old.execute_unprepared(&format!(
            "INSERT INTO idempotency_keys (\"key\", request_hash, status, body, location, etag, created_at) \
             VALUES ('retry-me', '{hash}', 201, '{STORED_BODY}', '/api/tasks/2', '\"2-1\"', {now})"
        ))
        .await
        .expect("insert an idempotency key");
    }

    let app = spawn_app_at(dir, url, path).await;
    let page = app.get("/api/tasks").await.json();
    assert_eq!(ids_of(&page), [1, 2, 3], "{page}");
    assert_eq!(page["items"][2]["done"], true);
    assert_eq!(page["items"][0]["title"], "first");
    // The kept counts start from the tasks as they were.
    assert_eq!(page["total"], 3);
    assert_eq!(app.get("/api/tasks?done=true").await.json()["total"], 1);
    // The change feed numbers the old tasks by id: a full sync has them.
    let sync = app.get("/api/tasks/changes").await.json();
    let synced: Vec<&serde_json::Value> = sync["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|c| &c["id"])
        .collect();
    assert_eq!(synced, [&json!(1), &json!(2), &json!(3)], "{sync}");
    let token = sync["next_since"].as_str().expect("token").to_owned();

    // A retry of a create the previous release performed is still a replay.
    let retry = app
        .client
        .post(app.url("/api/tasks"))
        .header("idempotency-key", "retry-me")
        .json(&json!({ "title": "second" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(retry.status(), 201);
    assert_eq!(retry.text().await.expect("body"), STORED_BODY);

    // New tasks get new ids; another owner sees none of the old ones.
    let created = app.create("after the upgrade").await;
    assert_eq!(created["id"], 4);
    let since = app
        .get(&format!("/api/tasks/changes?since={token}"))
        .await
        .json();
    assert_eq!(since["changes"][0]["task"], created, "{since}");

    // Old tasks are top-level, unlabelled, in id order; the new one comes
    // after them, and they move like any other.
    let ordered = app.get("/api/tasks?sort=position").await.json();
    assert_eq!(ids_of(&ordered), [1, 2, 3, 4], "{ordered}");
    for task in ordered["items"].as_array().expect("items") {
        assert_eq!(
            (&task["parent_id"], &task["labels"]),
            (&json!(null), &json!([]))
        );
    }
    let moved = app
        .client
        .post(app.url("/api/tasks/4/move"))
        .json(&json!({ "before_id": 1 }))
        .send()
        .await
        .expect("sent");
    assert_eq!(moved.status(), 200);
    let ordered = app
        .get("/api/tasks?parent_id=null&sort=position")
        .await
        .json();
    assert_eq!(ids_of(&ordered), [4, 1, 2, 3], "{ordered}");
    let bob = app.as_owner("bob").await;
    assert_eq!(bob.get("/api/tasks").await.json()["total"], 0);
    assert_eq!(bob.get_task(1).await.status, 404);
}

/// A key made before scopes existed (migration 7's `api_keys`, no `scopes`
/// column) keeps full access after the upgrade: tasks, keys and `admin`.
#[tokio::test]
async fn a_key_from_before_scopes_keeps_every_scope() {
    let dir = tempfile::tempdir().expect("dir");
    let (url, path) = fresh_database(&dir).await;
    let secret = "tsk_BeforeScopes0123456789abcdefABCD";
    {
        let connect = match path {
            Some(_) => format!("{url}?mode=rwc"),
            None => url.clone(),
        };
        let old = Database::connect(connect).await.expect("connect");
        tasks_api::db::migration::Migrator::up(&old, Some(7))
            .await
            .expect("the migrations before scopes");
        let hash = tasks_api::digest::sha256_hex(secret.as_bytes());
        old.execute_unprepared(&format!(
            "INSERT INTO api_keys (owner_id, name, prefix, hash, created_at) \
             VALUES (1, 'old', '{}', '{hash}', 1795600800000000)",
            &secret[..12]
        ))
        .await
        .expect("insert a key as release 7 did");
    }
    let app = spawn_app_at(dir, url, path).await.with_key(secret);
    let me = app.get("/api/me").await.json();
    assert_eq!(
        me["credential"]["scopes"],
        json!(["tasks:read", "tasks:write", "keys:manage", "admin"]),
        "{me}"
    );
    assert_eq!(app.get("/api/owners").await.status, 200);
    assert_eq!(app.create("still allowed").await["title"], "still allowed");
}
