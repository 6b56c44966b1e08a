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

/// A database from before lists (migration 8): each owner's tasks go to its
/// inbox, a list with the owner's id, keeping their parents, order,
/// labels, trash and counts; the history's tombstones stay; a feed token
/// issued before is 410 (one full sync); new lists get new ids.
#[tokio::test]
async fn a_database_from_before_lists_puts_each_owners_tasks_in_its_inbox() {
    let dir = tempfile::tempdir().expect("dir");
    let (url, path) = fresh_database(&dir).await;
    {
        let connect = match path {
            Some(_) => format!("{url}?mode=rwc"),
            None => url.clone(),
        };
        let old = Database::connect(connect).await.expect("connect");
        tasks_api::db::migration::Migrator::up(&old, Some(8))
            .await
            .expect("the migrations before lists");
        let at = 1_795_600_800_000_000_i64;
        for sql in [
            format!("INSERT INTO owners (name, created_at) VALUES ('zoe', {at})"),
            // The first owner: a parent with a labelled child, a second
            // top-level task, one in the trash; one removed for good.
            format!(
                "INSERT INTO tasks (id, owner_id, title, done, created_at, updated_at, version, \
                 change_seq, parent_id, position, labels) VALUES \
                 (1, 1, 'parent', false, {at}, {at}, 1, 1, NULL, 'a0', ''), \
                 (2, 1, 'child', true, {at}, {at}, 1, 2, 1, 'a0', 'errand'), \
                 (3, 1, 'second', false, {at}, {at}, 1, 3, NULL, 'a1', ''), \
                 (5, 2, 'zoe''s', false, {at}, {at}, 1, 5, NULL, 'a0', '')"
            ),
            format!(
                "INSERT INTO tasks (id, owner_id, title, done, created_at, updated_at, version, \
                 deleted_at, change_seq, parent_id, position, labels) VALUES \
                 (4, 1, 'binned', false, {at}, {at}, 2, {at}, 6, NULL, 'a2', '')"
            ),
            "INSERT INTO task_labels (task_id, label, owner_id) VALUES (2, 'errand', 1)".to_owned(),
            format!(
                "INSERT INTO tombstones (owner_id, change_seq, task_id, deleted_at) VALUES (1, 7, 9, {at})"
            ),
            "UPDATE owners SET change_seq = 7, live_tasks = 3, live_done = 1 WHERE id = 1"
                .to_owned(),
            "UPDATE owners SET change_seq = 5, live_tasks = 1, live_done = 0 WHERE id = 2"
                .to_owned(),
        ] {
            old.execute_unprepared(&sql)
                .await
                .expect("write as release 8 did");
        }
        if path.is_none() {
            // Ids written by hand: PostgreSQL's sequence moves past them.
            old.execute_unprepared("SELECT setval(pg_get_serial_sequence('tasks', 'id'), 5)")
                .await
                .expect("sequence");
        }
    }
    let app = spawn_app_at(dir, url, path).await;
    let lists = app.get("/api/lists").await.json();
    assert_eq!(lists["items"][0]["id"], 1, "{lists}");
    assert_eq!(lists["items"][0]["inbox"], true);
    assert_eq!(lists["items"][0]["title"], "Inbox");
    let page = app.get("/api/tasks?sort=id").await.json();
    assert_eq!(ids_of(&page), [1, 2, 3], "{page}");
    assert_eq!(page["total"], 3, "the counts moved with the tasks");
    assert_eq!(app.get("/api/tasks?done=true").await.json()["total"], 1);
    for task in page["items"].as_array().expect("items") {
        assert_eq!(task["list_id"], 1, "{task}");
    }
    assert_eq!(page["items"][1]["parent_id"], 1);
    let labelled = app.get("/api/tasks?label=errand").await.json();
    assert_eq!(ids_of(&labelled), [2]);
    let top = app
        .get("/api/tasks?parent_id=null&sort=position")
        .await
        .json();
    assert_eq!(ids_of(&top), [1, 3]);
    let trash = app.get("/api/tasks?show_deleted=true&sort=id").await.json();
    assert_eq!(ids_of(&trash), [1, 2, 3, 4]);
    let zoe = app.as_owner("zoe").await;
    let hers = zoe.get("/api/tasks").await.json();
    assert_eq!(ids_of(&hers), [5], "{hers}");
    assert_eq!(hers["items"][0]["list_id"], 2, "zoe's inbox has her id");

    // A token of the feed before lists: 410, and a full sync instead.
    let mut old_token = vec![1u8];
    for n in [1i64, 3, 0] {
        old_token.extend_from_slice(&n.to_be_bytes());
    }
    use base64::Engine;
    let old_token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(old_token);
    let gone = app
        .get(&format!("/api/tasks/changes?since={old_token}"))
        .await;
    assert_eq!(gone.status, 410, "{}", gone.text);
    let sync = app.get("/api/tasks/changes").await.json();
    let ids: Vec<i64> = sync["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .filter(|c| c["deleted"] == false)
        .filter_map(|c| c["id"].as_i64())
        .collect();
    assert_eq!(ids, [1, 2, 3], "{sync}");
    assert_eq!(sync["lists"][0]["list"]["id"], 1);
    // The next task takes the inbox's next number; a new list a new id.
    let created = app.create("after lists").await;
    let since = sync["next_since"].as_str().expect("token");
    let next = app
        .get(&format!("/api/tasks/changes?since={since}"))
        .await
        .json();
    assert_eq!(next["changes"][0]["task"], created, "{next}");
    let made = app
        .send_json(
            reqwest::Method::POST,
            "/api/lists",
            &json!({ "title": "new" }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    assert!(made.json()["id"].as_i64().unwrap_or(0) > 2, "{}", made.text);
}
