//! Sharing while clients sync and write: the feed's list events (a list
//! shared, renamed, unshared, trashed), replicas of three owners kept
//! exact through shared lists while writers on two servers work and a
//! member is removed and re-added, and a removal in force for the very
//! next write on the other server.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use reqwest::Method;
use serde_json::{Value, json};

use crate::changes::Lcg;
use crate::helpers::{TestApp, id_of, spawn_app, spawn_app_on};
use crate::sharing::{make_list, set_role};

/// A client's copy of what it sees: lists and tasks, kept by the feed's
/// rules (docs/sync.md): a list tombstone drops the list and its tasks; a
/// task tombstone drops the task only if the copy is in that list.
#[derive(Default, Debug)]
struct Replica {
    lists: BTreeMap<i64, Value>,
    tasks: BTreeMap<i64, Value>,
    list_events: usize,
    changes: usize,
}

impl Replica {
    fn apply(&mut self, page: &Value) {
        for event in page["lists"].as_array().expect("lists") {
            let id = event["id"].as_i64().expect("list id");
            self.list_events += 1;
            if event["deleted"] == true {
                self.lists.remove(&id);
                self.tasks.retain(|_, task| task["list_id"] != id);
            } else {
                self.lists.insert(id, event["list"].clone());
            }
        }
        for change in page["changes"].as_array().expect("changes") {
            let id = change["id"].as_i64().expect("id");
            self.changes += 1;
            if change["deleted"] == true {
                if self
                    .tasks
                    .get(&id)
                    .is_some_and(|t| t["list_id"] == change["list_id"])
                {
                    self.tasks.remove(&id);
                }
            } else {
                self.tasks.insert(id, change["task"].clone());
            }
        }
    }

    /// Every page from where it is until the feed has no more.
    async fn catch_up(&mut self, app: &TestApp, since: &mut Option<String>) {
        loop {
            let mut path = "/api/tasks/changes?per_page=9".to_owned();
            if let Some(token) = since.as_deref() {
                path.push_str(&format!("&since={token}"));
            }
            let reply = app.get(&path).await;
            assert_eq!(reply.status, 200, "{}", reply.text);
            let page = reply.json();
            self.apply(&page);
            *since = page["next_since"].as_str().map(str::to_owned);
            if page["has_more"] == false {
                return;
            }
        }
    }
}

/// Every task `app`'s owner sees, by id, as the list reads them.
async fn seen(app: &TestApp) -> BTreeMap<i64, Value> {
    let mut tasks = BTreeMap::new();
    let mut cursor: Option<String> = None;
    loop {
        let mut path = "/api/tasks?per_page=100&sort=id".to_owned();
        if let Some(c) = &cursor {
            path.push_str(&format!("&cursor={c}"));
        }
        let page = app.get(&path).await.json();
        for task in page["items"].as_array().expect("items") {
            tasks.insert(id_of(task), task.clone());
        }
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return tasks,
        }
    }
}

async fn list_ids(app: &TestApp) -> Vec<i64> {
    let page = app.get("/api/lists?per_page=200").await.json();
    page["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|l| l["id"].as_i64())
        .collect()
}

#[tokio::test]
async fn the_feed_shows_a_list_shared_renamed_unshared_and_trashed() {
    let app = spawn_app().await;
    let bea = app.as_owner("bea").await;
    let mut replica = Replica::default();
    let mut since = None;
    replica.catch_up(&bea, &mut since).await;
    assert_eq!(replica.lists.len(), 1, "bea's inbox: {:?}", replica.lists);
    let list = make_list(&app, "Trip").await;
    let tasks: Vec<i64> = {
        let mut ids = Vec::new();
        for title in ["tickets", "hotel", "bags"] {
            let made = app
                .post_task(&json!({ "title": title, "list_id": list }))
                .await;
            ids.push(id_of(&made.json()));
        }
        ids
    };
    replica.catch_up(&bea, &mut since).await;
    assert!(!replica.lists.contains_key(&list), "not shared yet");
    assert_eq!(set_role(&app, list, "bea", "viewer").await.status, 201);
    replica.catch_up(&bea, &mut since).await;
    assert_eq!(replica.lists[&list]["role"], "viewer");
    assert_eq!(
        replica.tasks.keys().copied().collect::<Vec<_>>(),
        tasks,
        "every task of it"
    );

    let renamed = app
        .send_json(
            Method::PATCH,
            &format!("/api/lists/{list}"),
            &json!({ "title": "Lisbon" }),
        )
        .await;
    assert_eq!(renamed.status, 200);
    let changes_before = replica.changes;
    replica.catch_up(&bea, &mut since).await;
    assert_eq!(replica.lists[&list]["title"], "Lisbon");
    assert_eq!(
        replica.changes, changes_before,
        "a rename is the list's change only"
    );
    assert_eq!(set_role(&app, list, "bea", "editor").await.status, 200);
    replica.catch_up(&bea, &mut since).await;
    assert_eq!(replica.lists[&list]["role"], "editor");

    let removed = app
        .call(
            Method::DELETE,
            &format!("/api/lists/{list}/members/bea"),
            None,
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    replica.catch_up(&bea, &mut since).await;
    assert!(!replica.lists.contains_key(&list));
    assert!(replica.tasks.is_empty(), "its tasks go with it");
    // Changed while bea cannot see it; re-shared: all of it again.
    app.patch_task(tasks[0], &json!({ "done": true })).await;
    assert_eq!(set_role(&app, list, "bea", "viewer").await.status, 201);
    replica.catch_up(&bea, &mut since).await;
    assert_eq!(replica.tasks.len(), 3);
    assert_eq!(replica.tasks[&tasks[0]]["done"], true);

    // One list's own feed, with tokens of its own.
    let one = bea.get(&format!("/api/lists/{list}/changes")).await;
    assert_eq!(one.status, 200, "{}", one.text);
    assert_eq!(one.json()["changes"].as_array().map(Vec::len), Some(3));
    let token = one.json()["next_since"].as_str().expect("token").to_owned();
    let crossed = bea.get(&format!("/api/tasks/changes?since={token}")).await;
    assert_eq!(crossed.invalid_fields(), ["since"]);

    assert_eq!(
        app.call(Method::DELETE, &format!("/api/lists/{list}"), None, None)
            .await
            .status,
        204
    );
    replica.catch_up(&bea, &mut since).await;
    assert!(!replica.lists.contains_key(&list), "trashed: gone");
    assert!(replica.tasks.is_empty());
    assert_eq!(replica.tasks, seen(&bea).await);
}

/// Random writes of one owner over the lists it may edit: creates,
/// patches, trash, undelete, purge, and moves between its lists.
async fn writer(app: TestApp, lists: Vec<i64>, seed: u64, ops: usize) {
    let mut rng = Lcg(seed);
    let mut mine: Vec<i64> = Vec::new();
    for op in 0..ops {
        let list = lists[rng.below(lists.len() as u64) as usize];
        let pick = |rng: &mut Lcg, mine: &[i64]| mine[rng.below(mine.len() as u64) as usize];
        let status = match rng.below(10) {
            _ if mine.is_empty() => 0,
            0..=2 => 0,
            3..=4 => {
                let id = pick(&mut rng, &mine);
                app.patch_task(
                    id,
                    &json!({ "title": format!("t{op}"), "done": op % 2 == 0 }),
                )
                .await
                .status
                .as_u16()
            }
            5 => app.delete_task(pick(&mut rng, &mine)).await.status.as_u16(),
            6 => {
                let path = format!("/api/tasks/{}/undelete", pick(&mut rng, &mine));
                app.call(Method::POST, &path, None, None)
                    .await
                    .status
                    .as_u16()
            }
            7 => {
                let path = format!("/api/tasks/{}?purge=true", pick(&mut rng, &mine));
                app.call(Method::DELETE, &path, None, None)
                    .await
                    .status
                    .as_u16()
            }
            _ => {
                let path = format!("/api/tasks/{}/move", pick(&mut rng, &mine));
                let body = json!({ "list_id": list });
                app.send_json(Method::POST, &path, &body)
                    .await
                    .status
                    .as_u16()
            }
        };
        if status == 0 {
            let made = app
                .post_task(&json!({ "title": format!("n{op}"), "list_id": list }))
                .await;
            assert_eq!(made.status, 201, "{}", made.text);
            mine.push(id_of(&made.json()));
            continue;
        }
        // 404: another writer purged or moved it away; 409: not trashed.
        assert!(matches!(status, 200 | 204 | 404 | 409), "op {op}: {status}");
    }
}

async fn follow(app: TestApp, stop: Arc<AtomicBool>) -> Replica {
    let mut replica = Replica::default();
    let mut since = None;
    loop {
        let stopping = stop.load(Ordering::SeqCst);
        replica.catch_up(&app, &mut since).await;
        if stopping {
            return replica;
        }
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
}

/// Three owners: ana's list shared with ben (editor) and cal (viewer),
/// ben's shared with ana (editor); ana and ben write on two servers,
/// moving tasks between the lists; cal is removed from ana's list and
/// added back while every client syncs. Each replica ends equal to what
/// its owner sees.
#[tokio::test]
async fn replicas_of_three_owners_stay_exact_through_shared_lists() {
    let first = spawn_app().await;
    let second = spawn_app_on(&first).await;
    let ana = first.as_owner("ana").await;
    let ben = second.as_owner("ben").await;
    let cal = first.as_owner("cal").await;
    let anas = make_list(&ana, "ana's").await;
    let bens = make_list(&ben, "ben's").await;
    assert_eq!(set_role(&ana, anas, "ben", "editor").await.status, 201);
    assert_eq!(set_role(&ana, anas, "cal", "viewer").await.status, 201);
    assert_eq!(set_role(&ben, bens, "ana", "editor").await.status, 201);
    let stop = Arc::new(AtomicBool::new(false));
    let syncers: Vec<_> = [ana.clone(), ben.clone(), cal.clone()]
        .into_iter()
        .map(|app| tokio::spawn(follow(app, stop.clone())))
        .collect();
    let writers = [
        tokio::spawn(writer(ana.clone(), vec![anas, bens], 21, 70)),
        tokio::spawn(writer(ben.clone(), vec![anas, bens], 22, 70)),
    ];
    for round in 0..3 {
        tokio::time::sleep(std::time::Duration::from_millis(40 + round * 10)).await;
        let gone = ana
            .call(
                Method::DELETE,
                &format!("/api/lists/{anas}/members/cal"),
                None,
                None,
            )
            .await;
        assert_eq!(gone.status, 204, "{}", gone.text);
        tokio::time::sleep(std::time::Duration::from_millis(25)).await;
        assert_eq!(set_role(&ana, anas, "cal", "viewer").await.status, 201);
    }
    for w in writers {
        w.await.expect("writer");
    }
    stop.store(true, Ordering::SeqCst);
    for (syncer, (who, app)) in
        syncers
            .into_iter()
            .zip([("ana", &ana), ("ben", &ben), ("cal", &cal)])
    {
        let replica = syncer.await.expect("syncer");
        let server = seen(app).await;
        println!(
            "{who}: {} tasks in {} lists through {} changes and {} list events",
            server.len(),
            replica.lists.len(),
            replica.changes,
            replica.list_events
        );
        assert!(server.len() > 5, "{who}: too few tasks to prove much");
        assert_eq!(replica.tasks, server, "{who}'s replica");
        let lists: Vec<i64> = replica.lists.keys().copied().collect();
        assert_eq!(lists, list_ids(app).await, "{who}'s lists");
    }
}

/// After `DELETE …/members/{owner}` returns, no write of that member
/// succeeds, even one sent at once to another server (process) on the
/// same database, where it has been writing all along.
#[tokio::test]
async fn a_removed_member_writes_nothing_once_the_removal_returns() {
    let first = spawn_app().await;
    let second = spawn_app_on(&first).await;
    let owner = first.as_owner("olga").await;
    let member = second.as_owner("mia").await;
    let list = make_list(&owner, "shared").await;
    assert_eq!(set_role(&owner, list, "mia", "editor").await.status, 201);
    let task = owner
        .post_task(&json!({ "title": "busy", "list_id": list }))
        .await
        .json();
    let id = id_of(&task);
    let stop = Arc::new(AtomicBool::new(false));
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let (member, stop) = (member.clone(), stop.clone());
            tokio::spawn(async move {
                let mut writes = Vec::new();
                let mut n = 0;
                while !stop.load(Ordering::SeqCst) {
                    n += 1;
                    let sent = Instant::now();
                    let status = member
                        .patch_task(id, &json!({ "title": format!("w{w} {n}") }))
                        .await
                        .status
                        .as_u16();
                    writes.push((sent, status));
                }
                writes
            })
        })
        .collect();
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    let removal = owner
        .call(
            Method::DELETE,
            &format!("/api/lists/{list}/members/mia"),
            None,
            None,
        )
        .await;
    assert_eq!(removal.status, 204);
    let removed = Instant::now();
    tokio::time::sleep(std::time::Duration::from_millis(150)).await;
    stop.store(true, Ordering::SeqCst);
    let (mut done, mut after) = (0u64, 0);
    for w in writers {
        for (sent, status) in w.await.expect("writer") {
            if sent > removed {
                assert_eq!(status, 404, "a write sent after the removal returned");
                after += 1;
            }
            if status == 200 {
                done += 1;
            }
        }
    }
    println!("{done} writes done before the removal, {after} refused after");
    assert!(done > 0 && after > 0, "the writers raced the removal");
    // Every write answered 200 is in the task's version, none more.
    let now = owner.get_task(id).await;
    let version: u64 = now
        .header("etag")
        .and_then(|t| t.trim_matches('"').rsplit('-').next()?.parse().ok())
        .expect("version");
    assert_eq!(version, 1 + done);
}

/// Change numbers are per list: on PostgreSQL a write to one list does not
/// wait for an open write to another list of the same owner (each locks its
/// own list's row), while a second write to the same list still waits, so
/// each list's numbers are taken in commit order. (SQLite has one writer:
/// every write waits there.)
#[tokio::test]
async fn writes_to_two_lists_of_one_owner_do_not_wait_for_each_other() {
    use tasks_api::domain::{ListId, Timestamp};
    if crate::helpers::postgres().is_none() {
        return;
    }
    let app = spawn_app().await;
    let other = make_list(&app, "other").await;
    let db = app.db().await;
    let open = db.begin_write().await.expect("begin");
    let draft = crate::helpers::draft("held open");
    // The first owner's inbox (list 1), left uncommitted.
    tasks_api::db::tasks::append_all(&open, ListId(1), &[(&draft, Timestamp::now())])
        .await
        .expect("insert");
    let elsewhere = tokio::time::timeout(
        std::time::Duration::from_secs(5),
        app.post_task(&json!({ "title": "in the other list", "list_id": other })),
    )
    .await
    .expect("a write to another list does not wait");
    assert_eq!(elsewhere.status, 201, "{}", elsewhere.text);
    let same = {
        let app = app.clone();
        tokio::spawn(async move { app.create("same list").await })
    };
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert!(!same.is_finished(), "a write to the same list waits");
    open.commit().await.expect("commit");
    same.await.expect("second write");
}
