//! The change feed: full syncs, tokens, tombstones, 304s, 410s, owners, and
//! a client that syncs while others write.

use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id_of, spawn_app, spawn_app_on, spawn_app_with};

/// `GET /api/tasks/changes` with `since` (if any) and `per_page`.
async fn feed(app: &TestApp, since: Option<&str>, per_page: u32) -> Reply {
    let mut path = format!("/api/tasks/changes?per_page={per_page}");
    if let Some(token) = since {
        path.push_str(&format!("&since={token}"));
    }
    app.get(&path).await
}

/// Every page from `since` until the feed has no more: (changes, token).
pub(crate) async fn drain(
    app: &TestApp,
    since: Option<&str>,
    per_page: u32,
) -> (Vec<Value>, String) {
    let mut since = since.map(str::to_owned);
    let mut changes = Vec::new();
    loop {
        let reply = feed(app, since.as_deref(), per_page).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let page = reply.json();
        changes.extend(page["changes"].as_array().expect("changes").iter().cloned());
        since = Some(page["next_since"].as_str().expect("token").to_owned());
        if page["has_more"] == false {
            return (changes, since.unwrap_or_default());
        }
    }
}

/// (id, deleted) of each change.
fn summary(changes: &[Value]) -> Vec<(i64, bool)> {
    changes
        .iter()
        .map(|c| (c["id"].as_i64().expect("id"), c["deleted"] == true))
        .collect()
}

/// The version in a task's ETag, `"id-version"`.
fn version_of(etag: &str) -> u64 {
    let (_, version) = etag.trim_matches('"').rsplit_once('-').expect("id-version");
    version.parse().expect("version")
}

async fn delete(app: &TestApp, path: &str) -> u16 {
    app.request(Method::DELETE, path, None, None)
        .await
        .status
        .as_u16()
}

#[tokio::test]
async fn changes_come_in_commit_order_with_tombstones_and_etags() {
    let app = spawn_app().await;
    let ids: Vec<i64> = {
        let mut ids = Vec::new();
        for title in ["a", "b", "c"] {
            ids.push(id_of(&app.create(title).await));
        }
        ids
    };
    // A full sync, two per page: every task, once, by number.
    let (all, token) = drain(&app, None, 2).await;
    assert_eq!(
        summary(&all),
        ids.iter().map(|&id| (id, false)).collect::<Vec<_>>()
    );
    let first = &all[0];
    assert_eq!(first["task"]["title"], "a");
    let get = app.get_task(ids[0]).await;
    assert_eq!(first["etag"].as_str(), get.header("etag"));
    assert!(first.get("deleted_at").is_none(), "{first}");

    // Then: a change, a trashing, a create, a purge, an undelete.
    let patched = app.patch_task(ids[0], &json!({ "done": true })).await;
    assert_eq!(patched.status, 200);
    assert_eq!(delete(&app, &format!("/api/tasks/{}", ids[1])).await, 204);
    let d = id_of(&app.create("d").await);
    assert_eq!(
        delete(&app, &format!("/api/tasks/{}?purge=true", ids[2])).await,
        204
    );
    let (changes, _) = drain(&app, Some(&token), 100).await;
    assert_eq!(
        summary(&changes),
        [(ids[0], false), (ids[1], true), (d, false), (ids[2], true)]
    );
    assert_eq!(changes[0]["task"], patched.json());
    assert_eq!(changes[0]["etag"].as_str(), patched.header("etag"));
    // A task in the trash has a version an undelete's If-Match can name;
    // one removed for good has none.
    for (tombstone, members) in [
        (
            &changes[1],
            &["deleted", "deleted_at", "etag", "id", "list_id"][..],
        ),
        (&changes[3], &["deleted", "deleted_at", "id", "list_id"][..]),
    ] {
        let keys: Vec<&String> = tombstone.as_object().expect("object").keys().collect();
        assert_eq!(keys, members, "{tombstone}");
    }
    let restored = app
        .request(
            Method::POST,
            &format!("/api/tasks/{}/undelete", ids[1]),
            None,
            None,
        )
        .await;
    assert_eq!(restored.status, 200);
    let (changes, _) = drain(&app, Some(&token), 100).await;
    // The undeleted task moved to the end, as it now is: once.
    assert_eq!(
        summary(&changes),
        [(ids[0], false), (d, false), (ids[2], true), (ids[1], false)]
    );
    assert_eq!(changes[3]["task"], restored.json());
}

#[tokio::test]
async fn a_batch_is_in_the_feed_in_its_order() {
    let app = spawn_app().await;
    let keep = id_of(&app.create("keep").await);
    let (_, token) = drain(&app, None, 100).await;
    let operations = json!({ "operations": [
        { "op": "create", "task": { "title": "x" } },
        { "op": "delete", "id": keep },
        { "op": "create", "task": { "title": "y" } },
    ]});
    let done = app
        .send_json(Method::POST, "/api/tasks/batch", &operations)
        .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let (changes, _) = drain(&app, Some(&token), 100).await;
    let titles: Vec<&Value> = changes.iter().map(|c| &c["task"]["title"]).collect();
    assert_eq!(titles, [&json!("x"), &Value::Null, &json!("y")]);
    assert_eq!(changes[1]["id"], keep);
}

#[tokio::test]
async fn polling_with_if_none_match_is_304_until_something_changes() {
    let app = spawn_app().await;
    app.create("a").await;
    let (_, token) = drain(&app, None, 100).await;
    let path = format!("/api/tasks/changes?since={token}");
    let first = app.get(&path).await;
    assert_eq!(first.json()["changes"], json!([]));
    let tag = first.header("etag").expect("etag").to_owned();
    let poll = |tag: String| {
        let request = app.client.get(app.url(&path)).header("if-none-match", tag);
        async move { Reply::from(request.send().await.expect("sent")).await }
    };
    let unchanged = poll(tag.clone()).await;
    assert_eq!(unchanged.status, 304);
    assert_eq!(unchanged.header("etag"), Some(tag.as_str()));
    assert_eq!(unchanged.text, "");
    // Another request's tag is not this one's.
    let other = app.get("/api/tasks/changes").await;
    assert_eq!(
        poll(other.header("etag").expect("etag").to_owned())
            .await
            .status,
        200
    );

    // Writes refused on what they read change nothing, not even the tag.
    let missing = json!({ "done": true });
    assert_eq!(app.patch_task(999_999, &missing).await.status, 404);
    let undelete_live = "/api/tasks/1/undelete";
    assert_eq!(
        app.request(Method::POST, undelete_live, None, None)
            .await
            .status,
        409
    );
    assert_eq!(poll(tag.clone()).await.status, 304);

    let created = app.create("b").await;
    let changed = poll(tag.clone()).await;
    assert_eq!(changed.status, 200);
    assert_ne!(changed.header("etag"), Some(tag.as_str()));
    assert_eq!(changed.json()["changes"][0]["task"], created);
}

#[tokio::test]
async fn a_token_older_than_the_kept_history_is_410_and_a_full_sync_is_not() {
    let app = spawn_app().await;
    let mut live = Vec::new();
    for title in ["a", "b", "c"] {
        live.push(id_of(&app.create(title).await));
    }
    let (_, old) = drain(&app, None, 100).await;
    for title in ["gone 1", "gone 2"] {
        let id = id_of(&app.create(title).await);
        assert_eq!(
            delete(&app, &format!("/api/tasks/{id}?purge=true")).await,
            204
        );
    }
    // Before the retention ends, the old token still sees both deletions.
    let (changes, _) = drain(&app, Some(&old), 100).await;
    assert_eq!(changes.iter().filter(|c| c["deleted"] == true).count(), 2);

    let db = app.db().await;
    let forgotten = tasks_api::db::changes::prune_every_owners_history(
        &db,
        tasks_api::domain::Timestamp::now(),
    )
    .await
    .expect("prune");
    assert_eq!(forgotten, 2);
    let gone = feed(&app, Some(&old), 100).await.problem(410);
    assert_eq!(gone["type"], "urn:tasks-api:problem:sync-token-expired");
    assert!(
        gone["detail"]
            .as_str()
            .expect("detail")
            .contains("without `since`")
    );

    // A full sync starts after the forgotten deletions: its own tokens are
    // served, page by page, though they are numbered before them.
    let (all, _) = drain(&app, None, 1).await;
    assert_eq!(
        summary(&all),
        live.iter().map(|&id| (id, false)).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn the_trash_retention_turns_a_trashed_task_into_the_same_tombstone() {
    let app = spawn_app().await;
    let (_, token) = drain(&app, None, 100).await;
    let id = id_of(&app.create("old").await);
    assert_eq!(delete(&app, &format!("/api/tasks/{id}")).await, 204);
    let (before, _) = drain(&app, Some(&token), 100).await;
    let db = app.db().await;
    let purged =
        tasks_api::db::tasks::purge_trash_of_every_owner(&db, tasks_api::domain::Timestamp::now())
            .await
            .expect("purge");
    assert_eq!(purged, 1);
    let (after, _) = drain(&app, Some(&token), 100).await;
    assert_eq!(summary(&before), [(id, true)]);
    // The same tombstone, at the same place, but with no version left to
    // undelete.
    let mut expected = before.clone();
    if let Some(tombstone) = expected[0].as_object_mut() {
        tombstone.remove("etag");
    }
    assert_eq!(after, expected);
}

#[tokio::test]
async fn bad_tokens_and_page_sizes_are_400s_naming_the_parameter() {
    let app = spawn_app().await;
    for query in [
        "since=nope",
        "since=AQ",
        "per_page=0",
        "per_page=1001",
        "per_page=x",
    ] {
        let reply = app.get(&format!("/api/tasks/changes?{query}")).await;
        let name = query.split('=').next().unwrap_or_default();
        assert_eq!(reply.invalid_fields(), [name], "{query}");
    }
    let both = app.get("/api/tasks/changes?since=nope&per_page=0").await;
    assert_eq!(both.invalid_fields(), ["per_page", "since"]);
    // A token of another owner's feed.
    let bob = app.as_owner("bob").await;
    let (_, token) = drain(&bob, None, 100).await;
    let reply = feed(&app, Some(&token), 100).await;
    assert_eq!(reply.invalid_fields(), ["since"]);
}

#[tokio::test]
async fn each_owner_has_a_feed_of_its_own() {
    let alice = spawn_app().await;
    let bob = alice.as_owner("bob").await;
    alice.create("alice's").await;
    let id = id_of(&alice.create("alice's, deleted").await);
    assert_eq!(
        delete(&alice, &format!("/api/tasks/{id}?purge=true")).await,
        204
    );
    let (changes, _) = drain(&bob, None, 100).await;
    assert_eq!(changes, Vec::<Value>::new());
    let mine = id_of(&bob.create("bob's").await);
    let (changes, _) = drain(&bob, None, 100).await;
    assert_eq!(summary(&changes), [(mine, false)]);
    assert_eq!(
        alice.get("/api/tasks/changes").await.json()["changes"]
            .as_array()
            .map(Vec::len),
        Some(1)
    );
}

/// A small deterministic random sequence (no dependency for one test).
pub(crate) struct Lcg(pub u64);

impl Lcg {
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

/// Creates, changes, trashes, undeletes and purges its own tasks.
async fn writer(app: TestApp, seed: u64, ops: usize) {
    let mut rng = Lcg(seed);
    let mut mine: Vec<i64> = Vec::new();
    for i in 0..ops {
        let pick = |rng: &mut Lcg, mine: &[i64]| mine[rng.below(mine.len() as u64) as usize];
        let op = if mine.is_empty() { 0 } else { rng.below(10) };
        let status = match op {
            0..=3 => {
                let task = app.create(&format!("w{seed} t{i}")).await;
                mine.push(id_of(&task));
                201
            }
            4..=5 => {
                let id = pick(&mut rng, &mine);
                let patch = json!({ "title": format!("w{seed} p{i}"), "done": i % 2 == 0 });
                app.patch_task(id, &patch).await.status.as_u16()
            }
            6..=7 => delete(&app, &format!("/api/tasks/{}", pick(&mut rng, &mine))).await,
            8 => {
                let path = format!("/api/tasks/{}/undelete", pick(&mut rng, &mine));
                app.request(Method::POST, &path, None, None)
                    .await
                    .status
                    .as_u16()
            }
            _ => {
                delete(
                    &app,
                    &format!("/api/tasks/{}?purge=true", pick(&mut rng, &mine)),
                )
                .await
            }
        };
        assert!(
            matches!(status, 200 | 201 | 204 | 404 | 409),
            "op {op}: {status}"
        );
    }
}

/// A client's copy: each task with the version of its ETag.
#[derive(Default)]
struct Replica {
    tasks: BTreeMap<i64, (u64, Value)>,
    /// The highest version shown of each task: a change shown twice, or an
    /// older one after a newer, fails.
    versions: BTreeMap<i64, u64>,
    /// (id, deleted_at) of each tombstone shown, which is shown once.
    tombstones: HashSet<(i64, String)>,
    applied: usize,
}

impl Replica {
    fn apply(&mut self, page: &Value) {
        for change in page["changes"].as_array().expect("changes") {
            let id = change["id"].as_i64().expect("id");
            self.applied += 1;
            if change["deleted"] == true {
                let at = change["deleted_at"]
                    .as_str()
                    .expect("deleted_at")
                    .to_owned();
                assert!(
                    self.tombstones.insert((id, at)),
                    "tombstone shown twice: {change}"
                );
                self.tasks.remove(&id);
                continue;
            }
            let version = version_of(change["etag"].as_str().expect("etag"));
            let seen = self.versions.insert(id, version);
            assert!(
                seen.is_none_or(|v| v < version),
                "{id}: version {version} after {seen:?}"
            );
            self.tasks.insert(id, (version, change["task"].clone()));
        }
    }
}

/// Follows the feed until `stop` is set and a page read after it has no
/// more; each page is applied to the replica in order.
async fn sync(app: TestApp, stop: Arc<AtomicBool>) -> Replica {
    let mut replica = Replica::default();
    let mut since: Option<String> = None;
    loop {
        let stopping = stop.load(Ordering::SeqCst);
        let reply = feed(&app, since.as_deref(), 7).await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        let page = reply.json();
        replica.apply(&page);
        since = page["next_since"].as_str().map(str::to_owned);
        if page["has_more"] == false {
            if stopping {
                return replica;
            }
            tokio::time::sleep(std::time::Duration::from_millis(3)).await;
        }
    }
}

#[tokio::test]
async fn a_syncing_client_ends_with_exactly_the_servers_tasks_while_three_write() {
    let first = spawn_app().await;
    // Two servers on one database: on PostgreSQL, two pools as two
    // processes would have.
    let second = spawn_app_on(&first).await;
    let writers: Vec<_> = (0..3)
        .map(|w| {
            let app = if w % 2 == 0 {
                first.clone()
            } else {
                second.clone()
            };
            tokio::spawn(writer(app, 11 + w, 80))
        })
        .collect();
    // The client starts while the writers are at work: a full sync under
    // writes, then changes.
    tokio::time::sleep(std::time::Duration::from_millis(30)).await;
    let stop = Arc::new(AtomicBool::new(false));
    let syncer = tokio::spawn(sync(second.clone(), stop.clone()));
    for w in writers {
        w.await.expect("writer");
    }
    stop.store(true, Ordering::SeqCst);
    let replica = syncer.await.expect("syncer");

    let mut server = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/tasks?per_page=100".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = first.get(&path).await.json();
        for task in page["items"].as_array().expect("items") {
            let id = id_of(task);
            let etag = first.get_task(id).await.header("etag").map(version_of);
            server.insert(id, (etag.expect("etag"), task.clone()));
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => break,
        }
    }
    println!(
        "synced {} tasks through {} changes",
        server.len(),
        replica.applied
    );
    assert!(
        server.len() > 20,
        "too few tasks to prove much: {}",
        server.len()
    );
    assert!(!replica.tombstones.is_empty());
    assert_eq!(replica.tasks, server);
    // The totals the server keeps counted stayed exact under the same writes.
    let done = server
        .values()
        .filter(|(_, task)| task["done"] == true)
        .count();
    for (filter, expected) in [("", server.len()), ("&done=true", done)] {
        let page = first
            .get(&format!("/api/tasks?per_page=1{filter}"))
            .await
            .json();
        assert_eq!(page["total"], expected, "total{filter}");
    }
}

/// The ordering the feed relies on: while one write of an owner is open
/// (it has taken its number but not committed), another waits, so a change
/// can never commit with a number lower than one a reader has seen.
#[tokio::test]
async fn a_write_waits_for_the_open_write_of_the_same_owner() {
    use tasks_api::domain::{ListId, Timestamp};
    let app = spawn_app().await;
    let (_, token) = drain(&app, None, 100).await;
    let db = app.db().await;
    let open = db.begin_write().await.expect("begin");
    let draft = crate::helpers::draft("first, committed last");
    // The first owner made by a fresh database is the test app's; its
    // inbox has its id.
    let new = [(&draft, Timestamp::now())];
    let held = tasks_api::db::tasks::append_all(&open, ListId(1), &new)
        .await
        .expect("insert")
        .pop()
        .expect("a top-level task");
    let second = {
        let app = app.clone();
        tokio::spawn(async move { app.create("second").await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(
        !second.is_finished(),
        "a second write committed past an open one"
    );
    let (changes, _) = drain(&app, Some(&token), 100).await;
    assert_eq!(changes, Vec::<Value>::new());
    open.commit().await.expect("commit");
    let second = id_of(&second.await.expect("second write"));
    let (changes, _) = drain(&app, Some(&token), 100).await;
    assert_eq!(summary(&changes), [(held.id, false), (second, false)]);
}

/// A 304 ends its snapshot without a COMMIT: the read connection it used
/// must not go on serving from that snapshot. With one read connection,
/// every later read uses the same one, so a stale snapshot would hide the
/// task created after the poll.
#[tokio::test]
async fn a_read_after_a_304_sees_later_writes() {
    let app = spawn_app_with(|config| config.read_connections = 1).await;
    app.create("a").await;
    for _ in 0..3 {
        let first = app.get("/api/tasks/changes").await;
        let tag = first.header("etag").expect("etag").to_owned();
        let poll = app
            .client
            .get(app.url("/api/tasks/changes"))
            .header("if-none-match", &tag);
        let unchanged = Reply::from(poll.send().await.expect("sent")).await;
        assert_eq!(unchanged.status, 304);
        let created = app.create("after the poll").await;
        let id = created["id"].as_i64().expect("id");
        assert_eq!(app.get_task(id).await.status, 200, "task {id} unseen");
        let listed = app.get("/api/tasks?per_page=100").await.json();
        assert!(
            listed["items"]
                .as_array()
                .expect("items")
                .iter()
                .any(|t| t["id"] == id)
        );
    }
    let feed = app.get("/api/tasks/changes").await.json();
    assert_eq!(feed["changes"].as_array().expect("changes").len(), 4);
}
