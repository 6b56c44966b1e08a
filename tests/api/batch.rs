//! Batches: up to 100 writes in one transaction, all or nothing.

use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id_of, spawn_app};

/// `POST /api/tasks/batch` with `operations`.
pub(crate) async fn batch(app: &TestApp, operations: Value) -> Reply {
    let body = json!({ "operations": operations });
    app.send_json(reqwest::Method::POST, "/api/tasks/batch", &body)
        .await
}

fn pointers(problem: &Value) -> Vec<String> {
    problem["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .map(|e| e["pointer"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn a_batch_creates_updates_and_deletes_in_order() {
    let app = spawn_app().await;
    let a = id_of(&app.create("a").await);
    let b = id_of(&app.create("b").await);
    let reply = batch(
        &app,
        json!([
            { "op": "create", "task": { "title": "c" } },
            { "op": "update", "id": a, "if_match": format!("\"{a}-1\""), "task": { "done": true } },
            { "op": "delete", "id": b },
            { "op": "create", "task": { "title": "d", "due_at": "2026-12-24T18:00:00Z" } },
        ]),
    )
    .await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let results = reply.json()["results"].clone();
    let statuses: Vec<_> = results
        .as_array()
        .expect("results")
        .iter()
        .map(|r| r["status"].clone())
        .collect();
    assert_eq!(statuses, [201, 200, 204, 201]);
    assert_eq!(results[1]["task"]["done"], true);
    assert_eq!(results[1]["etag"], format!("\"{a}-2\""));
    assert_eq!(results[2]["task"], Value::Null);
    assert_eq!(app.titles("").await, ["a", "c", "d"]);
    assert_eq!(app.get_task(b).await.status, 404, "deleted to the trash");
}

#[tokio::test]
async fn one_failing_operation_fails_the_whole_batch_and_is_named() {
    let app = spawn_app().await;
    let a = id_of(&app.create("a").await);
    let missing = batch(
        &app,
        json!([
            { "op": "create", "task": { "title": "never" } },
            { "op": "update", "id": a, "task": { "title": "never either" } },
            { "op": "delete", "id": a + 1000 },
        ]),
    )
    .await;
    let problem = missing.problem(404);
    assert_eq!(pointers(&problem), ["#/operations/2"]);
    let stale = batch(
        &app,
        json!([
            { "op": "create", "task": { "title": "never" } },
            { "op": "update", "id": a, "if_match": "\"1-99\"", "task": { "done": true } },
        ]),
    )
    .await;
    assert_eq!(pointers(&stale.problem(412)), ["#/operations/1"]);
    // Nothing of either batch happened.
    assert_eq!(app.titles("").await, ["a"]);
    assert_eq!(
        app.get_task(a).await.header("etag"),
        Some(format!("\"{a}-1\"").as_str())
    );
}

#[tokio::test]
async fn every_invalid_member_of_every_operation_is_named_by_its_pointer() {
    let app = spawn_app().await;
    let reply = batch(
        &app,
        json!([
            { "op": "create", "task": { "title": "" } },
            { "op": "update", "id": "seven", "task": {} },
            { "op": "rename" },
            { "op": "update", "id": 1, "task": { "done": null, "due_at": "soon" } },
            { "op": "create" },
            "not an object",
        ]),
    )
    .await;
    assert_eq!(
        reply.invalid_fields(),
        [
            "#/operations/0/task/title",
            "#/operations/1/id",
            "#/operations/2/op",
            "#/operations/3/task/due_at",
            "#/operations/3/task/done",
            "#/operations/4/task",
            "#/operations/5",
        ]
    );
}

#[tokio::test]
async fn a_batch_has_1_to_100_operations() {
    let app = spawn_app().await;
    let create = json!({ "op": "create", "task": { "title": "x" } });
    let full = batch(&app, Value::Array(vec![create.clone(); 100])).await;
    assert_eq!(full.status, 200, "{}", full.text);
    for operations in [json!([]), Value::Array(vec![create; 101]), json!("many")] {
        let reply = batch(&app, operations).await;
        assert_eq!(reply.invalid_fields(), ["#/operations"]);
    }
    assert_eq!(app.get("/api/tasks").await.json()["total"], 100);
}

#[tokio::test]
async fn a_batch_cannot_touch_another_owners_tasks() {
    let alice = spawn_app().await;
    let bob = alice.as_owner("bob").await;
    let theirs = id_of(&alice.create("alice's").await);
    let reply = batch(&bob, json!([{ "op": "delete", "id": theirs }])).await;
    assert_eq!(pointers(&reply.problem(404)), ["#/operations/0"]);
    assert_eq!(alice.get_task(theirs).await.status, 200);
}

#[tokio::test]
async fn a_batch_with_an_idempotency_key_is_performed_once() {
    let app = spawn_app().await;
    let post = |body: Value| {
        let request = app
            .client
            .post(app.url("/api/tasks/batch"))
            .header("idempotency-key", "batch-once")
            .json(&body);
        async move { Reply::from(request.send().await.expect("sent")).await }
    };
    let body = json!({ "operations": [
        { "op": "create", "task": { "title": "once" } },
        { "op": "create", "task": { "title": "twice?" } },
    ] });
    let first = post(body.clone()).await;
    assert_eq!(first.status, 200, "{}", first.text);
    let again = post(body).await;
    assert_eq!(
        (again.status, again.text.clone()),
        (first.status, first.text.clone())
    );
    assert_eq!(first.header("idempotent-replayed"), None);
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    assert_eq!(app.get("/api/tasks").await.json()["total"], 2);
    let other =
        post(json!({ "operations": [{ "op": "create", "task": { "title": "other" } }] })).await;
    other.problem(422);
    // A batch that failed used up nothing: the same key works after.
    let failing = app
        .client
        .post(app.url("/api/tasks/batch"))
        .header("idempotency-key", "failed-first")
        .json(&json!({ "operations": [{ "op": "delete", "id": 999 }] }))
        .send()
        .await
        .expect("sent");
    assert_eq!(failing.status(), 404);
    let retried = app
        .client
        .post(app.url("/api/tasks/batch"))
        .header("idempotency-key", "failed-first")
        .json(&json!({ "operations": [{ "op": "create", "task": { "title": "fine" } }] }))
        .send()
        .await
        .expect("sent");
    assert_eq!(retried.status(), 200);
    // A create's key never replays a batch (and the other way round).
    let create = app
        .client
        .post(app.url("/api/tasks"))
        .header("idempotency-key", "batch-once")
        .json(&json!({ "title": "once" }))
        .send()
        .await
        .expect("sent");
    assert_eq!(create.status(), 422);
}

/// On SQLite a batch shares its transaction with the writes waiting beside
/// it: a failing one undoes its own operations and nothing of theirs.
#[tokio::test]
async fn a_failing_batch_among_concurrent_writes_undoes_only_itself() {
    let app = spawn_app().await;
    let mut writes = Vec::new();
    for i in 0..48 {
        let app = app.clone();
        writes.push(tokio::spawn(async move {
            if i % 4 == 0 {
                let failing = json!([
                    { "op": "create", "task": { "title": format!("never {i}") } },
                    { "op": "delete", "id": 999_999 },
                ]);
                batch(&app, failing).await.status.as_u16()
            } else {
                app.post_task(&json!({ "title": format!("kept {i}") }))
                    .await
                    .status
                    .as_u16()
            }
        }));
    }
    let mut statuses = Vec::new();
    for write in writes {
        statuses.push(write.await.expect("write"));
    }
    assert_eq!(statuses.iter().filter(|&&s| s == 201).count(), 36);
    assert_eq!(statuses.iter().filter(|&&s| s == 404).count(), 12);
    let page = app.get("/api/tasks?per_page=100").await.json();
    assert_eq!(page["total"], 36);
    let titles = crate::helpers::titles_of(&page);
    assert!(titles.iter().all(|t| t.starts_with("kept")), "{titles:?}");
}

#[tokio::test]
async fn runs_of_creates_in_a_batch_are_each_their_own_task_in_order() {
    let app = spawn_app().await;
    let parent = id_of(&app.create("parent").await);
    // Two runs of top-level creates (each stored together) around a
    // subtask and an update, which must still happen between them.
    let operations = json!([
        { "op": "create", "task": { "title": "t1", "labels": ["x"] } },
        { "op": "create", "task": { "title": "t2", "done": true } },
        { "op": "create", "task": { "title": "t3" } },
        { "op": "create", "task": { "title": "sub", "parent_id": parent } },
        { "op": "update", "id": parent, "task": { "title": "parent2" } },
        { "op": "create", "task": { "title": "t4", "labels": ["x", "y"] } },
        { "op": "create", "task": { "title": "t5" } },
    ]);
    let titles: Vec<Value> = operations
        .as_array()
        .expect("operations")
        .iter()
        .map(|op| op["task"]["title"].clone())
        .collect();
    let reply = batch(&app, operations).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    let results = reply.json()["results"].as_array().expect("results").clone();
    let statuses: Vec<_> = results.iter().map(|r| r["status"].clone()).collect();
    assert_eq!(statuses, [201, 201, 201, 201, 200, 201, 201]);
    let mut ids = Vec::new();
    for (result, title) in results.iter().zip(&titles) {
        let task = &result["task"];
        assert_eq!(&task["title"], title, "each result is its own operation's");
        let id = id_of(task);
        let stored = app.get_task(id).await;
        assert_eq!(&stored.json(), task, "the answer is what was stored");
        assert_eq!(result["etag"], stored.header("etag").expect("etag"));
        ids.push(id);
    }
    assert_eq!(ids[4], parent);
    // Ids follow the operations; top-level positions too.
    let created: Vec<i64> = ids.iter().copied().filter(|id| *id != parent).collect();
    assert!(created.windows(2).all(|w| w[0] < w[1]), "{created:?}");
    assert_eq!(
        app.titles("parent_id=null&sort=position").await,
        ["parent2", "t1", "t2", "t3", "t4", "t5"]
    );
    assert_eq!(app.titles("label=x").await, ["t1", "t4"]);
    let done = app.get("/api/tasks?done=true").await.json();
    assert_eq!(done["total"], 1);
    assert_eq!(app.get("/api/tasks").await.json()["total"], 7);
    // The feed has the operations in their order (the parent's create is
    // superseded by its update).
    let feed = app.get("/api/tasks/changes?per_page=100").await.json();
    let fed: Vec<Value> = feed["changes"]
        .as_array()
        .expect("changes")
        .iter()
        .map(|change| change["task"]["title"].clone())
        .collect();
    assert_eq!(fed, titles);
}
