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

/// PATCHes without `If-Match` of one task from two servers at once all
/// apply: on PostgreSQL each reads the task before it locks anything, so
/// one can lose its race to another; it tries again, and its last try
/// locks the list before it reads, so it cannot lose (three lost races in
/// a row were a 503).
#[tokio::test]
async fn concurrent_patches_of_one_task_from_two_servers_all_apply() {
    let first = spawn_app().await;
    let second = spawn_app_on(&first).await;
    let id = id_of(&first.create("contended").await);
    let mut handles = Vec::new();
    for i in 0..48 {
        let app = if i % 2 == 0 { &first } else { &second };
        let (client, url) = (app.client.clone(), app.url(&format!("/api/tasks/{id}")));
        handles.push(tokio::spawn(async move {
            let resp = client
                .patch(url)
                .header("content-type", "application/merge-patch+json")
                .body(json!({ "description": format!("d{i}") }).to_string())
                .send()
                .await
                .expect("sent");
            (resp.status().as_u16(), resp.text().await.expect("body"))
        }));
    }
    for handle in handles {
        let (status, body) = handle.await.expect("join");
        assert_eq!(status, 200, "{body}");
    }
    // Every PATCH changed the description: 48 new versions.
    let etag = format!("\"{id}-49\"");
    assert_eq!(first.get_task(id).await.header("etag"), Some(etag.as_str()));
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

/// Top-level creates that wait together are stored together (one INSERT per
/// owner and group on SQLite): each still gets its own id, change, place
/// last in its owner's order, labels and counts, next to other writes in
/// the same group (subtask creates, patches) and another owner's creates.
#[tokio::test]
async fn concurrent_creates_of_two_owners_each_go_last_with_their_labels() {
    let ann = spawn_app().await;
    let bob = ann.as_owner("bob").await;
    let parent = id_of(&ann.create("parent").await);
    // On SQLite, another connection holds the write lock while the writes
    // arrive, so they wait in the queue and form groups of many.
    let lock = match &ann.db_path {
        Some(path) => {
            use sea_orm::sqlx::{Connection, Executor, SqliteConnection};
            let url = format!("sqlite://{}", path.display());
            let mut other = SqliteConnection::connect(&url).await.expect("connect");
            other.execute("BEGIN IMMEDIATE").await.expect("lock");
            Some(other)
        }
        None => None,
    };
    // Bob only creates top-level tasks; the subtasks and patches are Ann's.
    let is_bob = |i: usize| i.is_multiple_of(3) && i % 8 != 5 && i != 7;
    let mut writes = Vec::new();
    for i in 0..48 {
        let app = if is_bob(i) { bob.clone() } else { ann.clone() };
        writes.push(tokio::spawn(async move {
            let body = match i {
                // Subtasks and a patch among the creates.
                _ if i % 8 == 5 => json!({ "title": format!("sub{i}"), "parent_id": parent }),
                7 => {
                    let patch = json!({ "description": format!("p{i}") });
                    let patched = app.patch_task(parent, &patch).await;
                    return (i, patched.status.as_u16(), None);
                }
                _ => json!({ "title": format!("t{i}"), "done": i.is_multiple_of(2), "labels": [format!("l{}", i % 4)] }),
            };
            let created = app.post_task(&body).await;
            let stored = created.json();
            // The answer is this request's own task.
            assert_eq!(stored["title"], body["title"], "write {i}");
            if let Some(done) = body.get("done") {
                assert_eq!(&stored["done"], done, "write {i}");
                assert_eq!(stored["labels"], body["labels"], "write {i}");
            }
            (i, created.status.as_u16(), Some(stored))
        }));
    }
    if let Some(mut other) = lock {
        use sea_orm::sqlx::Executor;
        tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        other.execute("ROLLBACK").await.expect("unlock");
    }
    let mut made = std::collections::BTreeMap::new();
    for write in writes {
        let (i, status, body) = write.await.expect("write");
        assert!(status == 201 || status == 200, "write {i}: {status}");
        if let Some(body) = body {
            made.insert(i, body);
        }
    }
    for (app, mine) in [(&ann, 1), (&bob, 0)] {
        let created: Vec<_> = made
            .iter()
            .filter(|(i, _)| is_bob(**i) == (mine == 0))
            .map(|(_, body)| body)
            .collect();
        // Each answer is what is stored.
        for body in &created {
            let stored = app.get_task(id_of(body)).await;
            assert_eq!(stored.json(), **body);
            assert_eq!(
                stored.header("etag"),
                Some(format!("\"{}-1\"", id_of(body)).as_str())
            );
        }
        // A task created later is placed later: top-level order = id order.
        let top = app
            .get("/api/tasks?parent_id=null&sort=position&per_page=100")
            .await
            .json();
        let ids: Vec<i64> = top["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(id_of)
            .collect();
        let mut by_id = ids.clone();
        by_id.sort_unstable();
        assert_eq!(ids, by_id, "positions follow creation");
        let positions: Vec<&str> = top["items"]
            .as_array()
            .expect("items")
            .iter()
            .map(|t| t["position"].as_str().expect("position"))
            .collect();
        assert!(
            positions.windows(2).all(|w| w[0] < w[1]),
            "two tasks share a place: {positions:?}"
        );
        let top_level = created.iter().filter(|b| b["parent_id"].is_null()).count();
        assert_eq!(
            ids.len(),
            top_level + mine,
            "every top-level task listed once"
        );
        // Counts and labels as written.
        let done = created.iter().filter(|b| b["done"] == true).count();
        assert_eq!(app.get("/api/tasks?done=true").await.json()["total"], done);
        assert_eq!(
            app.get("/api/tasks").await.json()["total"],
            created.len() + mine
        );
        let labelled = created
            .iter()
            .filter(|b| !b["labels"].as_array().expect("labels").is_empty())
            .count();
        let counted: u64 = app.get("/api/labels").await.json()["labels"]
            .as_array()
            .expect("labels")
            .iter()
            .map(|l| l["tasks"].as_u64().expect("count"))
            .sum();
        assert_eq!(counted as usize, labelled);
        // One change each in the feed, on its own number.
        let feed = app.get("/api/tasks/changes?per_page=1000").await.json();
        let changed: std::collections::BTreeSet<i64> = feed["changes"]
            .as_array()
            .expect("changes")
            .iter()
            .map(id_of)
            .collect();
        assert_eq!(changed.len(), created.len() + mine);
    }
}
