//! Subtasks, manual order (moves) and labels, over HTTP.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id_of, ids_of, spawn_app, spawn_app_on};

async fn move_task(app: &TestApp, id: i64, body: Value, if_match: Option<&str>) -> Reply {
    let mut request = app
        .client
        .post(app.url(&format!("/api/tasks/{id}/move")))
        .json(&body);
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    Reply::from(request.send().await.expect("sent")).await
}

async fn moved(app: &TestApp, id: i64, body: Value) -> Value {
    let reply = move_task(app, id, body, None).await;
    assert_eq!(reply.status, 200, "{}", reply.text);
    reply.json()
}

async fn undelete(app: &TestApp, id: i64) -> Reply {
    app.request(
        Method::POST,
        &format!("/api/tasks/{id}/undelete"),
        None,
        None,
    )
    .await
}

/// Every task under `parent` (`"null"`: top level) in manual order,
/// read page by page through cursors; asserts no task comes twice and
/// the positions strictly increase.
async fn order_under(app: &TestApp, parent: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut positions: Vec<String> = Vec::new();
    let mut path = format!("/api/tasks?parent_id={parent}&sort=position&per_page=3");
    loop {
        let page = app.get(&path).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let page = page.json();
        for task in page["items"].as_array().expect("items") {
            ids.push(id_of(task));
            positions.push(task["position"].as_str().expect("position").to_owned());
        }
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!(
                    "/api/tasks?parent_id={parent}&sort=position&per_page=3&cursor={cursor}"
                )
            }
            None => break,
        }
    }
    assert!(
        positions.windows(2).all(|w| w[0] < w[1]),
        "positions out of order: {positions:?}"
    );
    let distinct: BTreeSet<i64> = ids.iter().copied().collect();
    assert_eq!(distinct.len(), ids.len(), "a task twice: {ids:?}");
    ids
}

#[tokio::test]
async fn subtasks_are_refused_a_missing_foreign_trashed_or_too_deep_parent() {
    let app = spawn_app().await;
    let root = id_of(&app.create("root").await);
    let child = app
        .create_with(json!({ "title": "child", "parent_id": root }))
        .await;
    assert_eq!(child["parent_id"], root);
    let top = app.create("top").await;
    assert_eq!(top["parent_id"], Value::Null);

    let refused = |reply: Reply| reply.field_errors();
    let missing = app
        .post_task(&json!({ "title": "x", "parent_id": 999 }))
        .await;
    assert_eq!(
        refused(missing),
        [(
            "#/parent_id".to_owned(),
            "there is no task with id 999".to_owned()
        )]
    );
    let bob = app.as_owner("bob").await;
    let foreign = bob
        .post_task(&json!({ "title": "x", "parent_id": root }))
        .await;
    assert_eq!(
        refused(foreign),
        [(
            "#/parent_id".to_owned(),
            format!("there is no task with id {root}")
        )]
    );
    let wrong_type = app
        .post_task(&json!({ "title": "", "parent_id": "1" }))
        .await;
    assert_eq!(wrong_type.invalid_fields(), ["#/title", "#/parent_id"]);

    // Depth: a chain of 5 levels takes no sixth.
    let mut chain = vec![root, id_of(&child)];
    for level in 3..=5 {
        let parent = *chain.last().expect("a parent");
        let task = app
            .create_with(json!({ "title": format!("level {level}"), "parent_id": parent }))
            .await;
        chain.push(id_of(&task));
    }
    let too_deep = app
        .post_task(&json!({ "title": "level 6", "parent_id": chain[4] }))
        .await;
    assert_eq!(
        refused(too_deep),
        [(
            "#/parent_id".to_owned(),
            "would nest subtasks deeper than 5 levels".to_owned()
        )]
    );
    // A subtree moved under another keeps within the depth too.
    let pair = id_of(&app.create("pair").await);
    app.create_with(json!({ "title": "pair child", "parent_id": pair }))
        .await;
    let deep_move = move_task(&app, pair, json!({ "parent_id": chain[3] }), None).await;
    assert_eq!(deep_move.invalid_fields(), ["#/parent_id"]);
    assert_eq!(
        moved(&app, pair, json!({ "parent_id": chain[2] })).await["parent_id"],
        chain[2]
    );

    // Cycles: under itself or under its own subtask.
    for parent in [root, chain[3]] {
        let cycle = move_task(&app, root, json!({ "parent_id": parent }), None).await;
        assert_eq!(
            refused(cycle),
            [(
                "#/parent_id".to_owned(),
                "must not be the task itself or one of its subtasks".to_owned()
            )]
        );
    }
    // A trashed parent takes no new subtask.
    let trashed = id_of(&app.create("trashed").await);
    assert_eq!(app.delete_task(trashed).await.status, 204);
    let under_trash = app
        .post_task(&json!({ "title": "x", "parent_id": trashed }))
        .await;
    assert_eq!(under_trash.invalid_fields(), ["#/parent_id"]);

    // PUT and PATCH may repeat the parent, not change it.
    let id = id_of(&child);
    let same = app
        .patch_task(id, &json!({ "parent_id": root, "done": true }))
        .await;
    assert_eq!(same.status, 200, "{}", same.text);
    let changed = app.patch_task(id, &json!({ "parent_id": null })).await;
    assert_eq!(changed.invalid_fields(), ["#/parent_id"]);
    let put = app
        .put_task(id, &json!({ "title": "child", "parent_id": top["id"] }))
        .await;
    assert_eq!(put.invalid_fields(), ["#/parent_id"]);
    let put_without = app.put_task(id, &json!({ "title": "child again" })).await;
    assert_eq!(
        put_without.json()["parent_id"],
        root,
        "PUT keeps the parent"
    );

    // Refused creates used nothing up: the kept totals still count.
    let page = app.get("/api/tasks?per_page=100").await.json();
    assert_eq!(page["total"], json!(ids_of(&page).len()));
    // The filters.
    assert_eq!(
        ids_of(
            &app.get(&format!("/api/tasks?parent_id={root}"))
                .await
                .json()
        ),
        [id]
    );
    let top_level = ids_of(&app.get("/api/tasks?parent_id=null").await.json());
    assert_eq!(top_level, [root, id_of(&top)]);
    let bad = app.get("/api/tasks?parent_id=x").await;
    assert_eq!(bad.invalid_fields(), ["parent_id"]);
}

#[tokio::test]
async fn trashing_a_parent_trashes_its_subtree_and_undelete_restores_what_went_with_it() {
    let app = spawn_app().await;
    let parent = id_of(&app.create("parent").await);
    let under = |title: &str, parent: i64| json!({ "title": title, "parent_id": parent });
    let a = id_of(&app.create_with(under("a", parent)).await);
    let a1 = id_of(&app.create_with(under("a1", a)).await);
    let b = id_of(&app.create_with(under("b", parent)).await);
    let early = id_of(&app.create_with(under("trashed before", parent)).await);
    assert_eq!(app.delete_task(early).await.status, 204);
    let (_, token) = crate::changes::drain(&app, None, 100).await;

    assert_eq!(app.delete_task(parent).await.status, 204);
    for id in [parent, a, a1, b] {
        assert_eq!(app.get_task(id).await.status, 404, "task {id}");
    }
    assert_eq!(app.get("/api/tasks").await.json()["total"], 0);
    // One tombstone per task of the subtree.
    let (changes, _) = crate::changes::drain(&app, Some(&token), 100).await;
    let gone: BTreeSet<i64> = changes
        .iter()
        .filter(|c| c["deleted"] == true)
        .map(|c| c["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(gone, BTreeSet::from([parent, a, a1, b]), "{changes:?}");

    // A subtask cannot come back while its parent is in the trash.
    let orphan = undelete(&app, a1).await.problem(409);
    assert_eq!(orphan["type"], "urn:tasks-api:problem:parent-deleted");
    let restored = undelete(&app, parent).await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    let live = ids_of(&app.get("/api/tasks?sort=id").await.json());
    assert_eq!(live, [parent, a, a1, b], "the one trashed before stays");
    assert_eq!(app.get("/api/tasks").await.json()["total"], 4);
    assert_eq!(undelete(&app, early).await.status, 200);

    // Purging removes the whole subtree, in the trash or not.
    let purge = app
        .request(
            Method::DELETE,
            &format!("/api/tasks/{a}?purge=true"),
            None,
            None,
        )
        .await;
    assert_eq!(purge.status, 204);
    let everything = app.get("/api/tasks?show_deleted=true").await.json();
    assert_eq!(ids_of(&everything), [parent, b, early]);
    assert_eq!(undelete(&app, a1).await.status, 404);
    assert_eq!(app.get("/api/tasks").await.json()["total"], 3);
}

#[tokio::test]
async fn moves_place_tasks_after_before_or_last_and_lists_follow_the_order() {
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 1..=5 {
        ids.push(id_of(&app.create(&format!("t{i}")).await));
    }
    let [t1, t2, t3, t4, t5] = ids[..] else {
        panic!("five tasks")
    };
    assert_eq!(order_under(&app, "null").await, [t1, t2, t3, t4, t5]);
    let before = app.get_task(t5).await;
    let etag = before.header("etag").expect("etag").to_owned();
    let after = moved(&app, t5, json!({ "after_id": t1 })).await;
    assert_eq!(order_under(&app, "null").await, [t1, t5, t2, t3, t4]);
    assert_eq!(after["parent_id"], Value::Null);
    moved(&app, t1, json!({ "before_id": t4 })).await;
    assert_eq!(order_under(&app, "null").await, [t5, t2, t3, t1, t4]);
    moved(&app, t5, json!({})).await;
    assert_eq!(order_under(&app, "null").await, [t2, t3, t1, t4, t5]);
    let descending = ids_of(&app.get("/api/tasks?sort=-position").await.json());
    assert_eq!(descending, [t5, t4, t1, t3, t2]);

    // A move to where the task is changes nothing, not even the ETag.
    let current = app.get_task(t3).await;
    let tag = current.header("etag").expect("etag").to_owned();
    let same = move_task(&app, t3, json!({ "after_id": t2 }), Some(&tag)).await;
    assert_eq!(same.status, 200);
    assert_eq!(same.header("etag"), Some(tag.as_str()));
    // If-Match: the stale ETag of t5 is refused.
    let stale = move_task(&app, t5, json!({ "after_id": t2 }), Some(&etag)).await;
    stale.problem(412);

    // Under a parent: the subtasks' own order.
    let moved_in = moved(&app, t4, json!({ "parent_id": t1 })).await;
    assert_eq!(moved_in["parent_id"], t1);
    moved(&app, t5, json!({ "parent_id": t1, "before_id": t4 })).await;
    assert_eq!(order_under(&app, &t1.to_string()).await, [t5, t4]);
    assert_eq!(order_under(&app, "null").await, [t2, t3, t1]);
    moved(&app, t5, json!({ "parent_id": null, "after_id": t2 })).await;
    assert_eq!(order_under(&app, "null").await, [t2, t5, t3, t1]);

    // Anchors must be siblings under the new parent; one anchor at most.
    let not_sibling = move_task(&app, t2, json!({ "after_id": t4 }), None).await;
    assert_eq!(
        not_sibling.field_errors(),
        [(
            "#/after_id".to_owned(),
            format!("there is no top-level task with id {t4}")
        )]
    );
    let itself = move_task(&app, t2, json!({ "before_id": t2 }), None).await;
    assert_eq!(itself.invalid_fields(), ["#/before_id"]);
    let both = move_task(&app, t2, json!({ "after_id": t3, "before_id": t1 }), None).await;
    assert_eq!(both.invalid_fields(), ["#/after_id", "#/before_id"]);
    assert_eq!(move_task(&app, 999, json!({}), None).await.status, 404);
    let bob = app.as_owner("bob").await;
    assert_eq!(move_task(&bob, t2, json!({}), None).await.status, 404);
}

#[tokio::test]
async fn placing_again_and_again_in_one_gap_keeps_the_order_and_short_keys() {
    let app = spawn_app().await;
    let first = id_of(&app.create("first").await);
    let x = id_of(&app.create("x").await);
    let y = id_of(&app.create("y").await);
    let last = id_of(&app.create("last").await);
    // Each move puts one of two tasks between `first` and the other: the
    // gap halves every time, until the neighbourhood is re-spaced.
    let mut longest = 0;
    for round in 0..300 {
        let (mover, other) = if round % 2 == 0 { (y, x) } else { (x, y) };
        let task = moved(&app, mover, json!({ "after_id": first })).await;
        longest = longest.max(task["position"].as_str().expect("position").len());
        if round % 50 == 0 || round == 299 {
            assert_eq!(
                order_under(&app, "null").await,
                [first, mover, other, last],
                "round {round}"
            );
        }
    }
    assert!(longest <= 49, "keys grew to {longest} characters");
    let page = app.get("/api/tasks?sort=position").await.json();
    assert!(
        page["items"]
            .as_array()
            .expect("items")
            .iter()
            .all(|t| t["position"].as_str().expect("position").len() <= 16),
        "re-spaced keys are short again: {page}"
    );
}

#[tokio::test]
async fn concurrent_moves_by_several_clients_end_in_one_total_order() {
    let app = spawn_app().await;
    // Two servers on one database: on PostgreSQL, two processes' pools.
    let other = spawn_app_on(&app).await;
    let anchor = id_of(&app.create("anchor").await);
    let mut ids = vec![anchor];
    for i in 0..16 {
        ids.push(id_of(&app.create(&format!("t{i}")).await));
    }
    // Eight clients move eight tasks into the same gap at once: all of
    // them succeed, and all end up right after the anchor.
    let movers: Vec<i64> = ids[9..].to_vec();
    let mut handles = Vec::new();
    for (i, &id) in movers.iter().enumerate() {
        let server = if i % 2 == 0 {
            app.clone()
        } else {
            other.clone()
        };
        handles.push(tokio::spawn(async move {
            move_task(&server, id, json!({ "after_id": anchor }), None)
                .await
                .status
        }));
    }
    for handle in handles {
        assert_eq!(handle.await.expect("mover"), 200);
    }
    let order = order_under(&app, "null").await;
    assert_eq!(order.len(), ids.len());
    assert_eq!(order[0], anchor);
    let next: BTreeSet<i64> = order[1..=movers.len()].iter().copied().collect();
    assert_eq!(next, movers.iter().copied().collect());

    // Then random moves from four clients: every task once, in one order.
    let mut handles = Vec::new();
    for client in 0..4_u64 {
        let server = if client % 2 == 0 {
            app.clone()
        } else {
            other.clone()
        };
        let ids = ids.clone();
        handles.push(tokio::spawn(async move {
            let mut seed = client * 7919 + 13;
            for _ in 0..25 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                let pick = |n: u64| ids[(n % ids.len() as u64) as usize];
                let (id, target) = (pick(seed >> 33), pick(seed >> 17));
                let body = match seed % 3 {
                    0 => json!({ "after_id": target }),
                    1 => json!({ "before_id": target }),
                    _ => json!({}),
                };
                let status = move_task(&server, id, body, None).await.status;
                // 400 only for a task anchored to itself.
                assert!(status == 200 || (status == 400 && id == target), "{status}");
            }
        }));
    }
    for handle in handles {
        handle.await.expect("client");
    }
    let order = order_under(&app, "null").await;
    let all: BTreeSet<i64> = order.iter().copied().collect();
    assert_eq!(all, ids.iter().copied().collect::<BTreeSet<_>>());
    // Both servers read the same order.
    assert_eq!(order_under(&other, "null").await, order);
}

#[tokio::test]
async fn labels_are_normalised_filtered_with_cursors_and_counted() {
    let app = spawn_app().await;
    let created = app
        .create_with(json!({ "title": "a", "labels": [" Work", "urgent", "work "] }))
        .await;
    assert_eq!(created["labels"], json!(["urgent", "work"]));
    let a = id_of(&created);
    let mut work = vec![a];
    for i in 0..5 {
        let task = app
            .create_with(json!({ "title": format!("w{i}"), "labels": ["WORK"] }))
            .await;
        work.push(id_of(&task));
    }
    let home = id_of(
        &app.create_with(json!({ "title": "h", "labels": ["home"] }))
            .await,
    );
    let plain = id_of(&app.create("plain").await);
    assert_eq!(app.get_task(plain).await.json()["labels"], json!([]));

    // The filter, page by page through cursors.
    let mut seen = Vec::new();
    let mut path = "/api/tasks?label=Work&per_page=2&page=1".to_owned();
    loop {
        let page = app.get(&path).await.json();
        seen.extend(ids_of(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/tasks?label=work&per_page=2&cursor={cursor}"),
            None => break,
        }
    }
    assert_eq!(seen, work);
    let page = app.get("/api/tasks?label=work&per_page=2").await.json();
    assert_eq!(
        (page["total"].clone(), page["total_pages"].clone()),
        (json!(6), json!(3))
    );
    let both = app.get("/api/tasks?label=urgent&label=work").await.json();
    assert_eq!(ids_of(&both), [a]);
    assert_eq!(
        ids_of(&app.get("/api/tasks?label=none").await.json()),
        Vec::<i64>::new()
    );
    let bad = app.get("/api/tasks?label=a,b&label=%20").await;
    assert_eq!(bad.invalid_fields(), ["label", "label"]);
    let many: Vec<String> = (0..21).map(|i| format!("label=l{i}")).collect();
    let too_many = app.get(&format!("/api/tasks?{}", many.join("&"))).await;
    assert_eq!(
        too_many.field_errors(),
        [(
            "label".to_owned(),
            "may be given at most 20 times".to_owned()
        )]
    );

    // A merge patch replaces the set; null clears it.
    let patched = app.patch_task(a, &json!({ "labels": ["Home"] })).await;
    let tag = patched.header("etag").expect("etag").to_owned();
    assert_eq!(patched.json()["labels"], json!(["home"]));
    let homes = ids_of(&app.get("/api/tasks?label=home").await.json());
    assert_eq!(homes, [a, home]);
    assert_eq!(
        ids_of(&app.get("/api/tasks?label=urgent").await.json()),
        Vec::<i64>::new()
    );
    // The same set spelled otherwise is no change: the ETag stays.
    let unchanged = app.patch_task(a, &json!({ "labels": ["HOME"] })).await;
    assert_eq!(unchanged.header("etag"), Some(tag.as_str()));
    let cleared = app
        .patch_task(home, &json!({ "labels": null }))
        .await
        .json();
    assert_eq!(cleared["labels"], json!([]));

    // Counts: live tasks only, by name; another owner sees none.
    assert_eq!(app.delete_task(work[1]).await.status, 204);
    let labels = app.get("/api/labels").await;
    assert_eq!(labels.status, 200, "{}", labels.text);
    assert_eq!(
        labels.json(),
        json!({ "labels": [{ "name": "home", "tasks": 1 }, { "name": "work", "tasks": 4 }] })
    );
    let bob = app.as_owner("bob").await;
    assert_eq!(bob.get("/api/labels").await.json(), json!({ "labels": [] }));
    assert_eq!(
        ids_of(&bob.get("/api/tasks?label=work").await.json()),
        Vec::<i64>::new()
    );

    // Invalid labels are named one by one.
    let invalid = app
        .post_task(&json!({ "title": "x", "labels": ["ok", "", "a,b", 3] }))
        .await;
    assert_eq!(
        invalid.invalid_fields(),
        ["#/labels/1", "#/labels/2", "#/labels/3"]
    );
    let many: Vec<String> = (0..21).map(|i| format!("l{i}")).collect();
    let too_many = app
        .post_task(&json!({ "title": "x", "labels": many }))
        .await;
    assert_eq!(
        too_many.field_errors(),
        [(
            "#/labels".to_owned(),
            "must have at most 20 labels".to_owned()
        )]
    );
    // Purging a labelled task takes its labels with it.
    let purge = app
        .request(
            Method::DELETE,
            &format!("/api/tasks/{}?purge=true", work[2]),
            None,
            None,
        )
        .await;
    assert_eq!(purge.status, 204);
    let counts = app.get("/api/labels").await.json();
    assert_eq!(counts["labels"][1], json!({ "name": "work", "tasks": 3 }));
}

#[tokio::test]
async fn a_label_on_many_tasks_filters_like_a_label_on_few() {
    // Over 1,024 tasks with a label, the filter looks each task up rather
    // than reading the label's entries whole: the same answers either way.
    let app = spawn_app().await;
    let mut bulk = Vec::new();
    for round in 0..11 {
        let operations: Vec<Value> = (0..100)
            .map(|i| {
                let n = round * 100 + i;
                let labels = if n % 3 == 0 {
                    json!(["bulk", "third"])
                } else {
                    json!(["bulk"])
                };
                json!({ "op": "create", "task": { "title": format!("b{n}"), "labels": labels } })
            })
            .collect();
        let reply = app
            .send_json(
                Method::POST,
                "/api/tasks/batch",
                &json!({ "operations": operations }),
            )
            .await;
        assert_eq!(reply.status, 200, "{}", reply.text);
        for result in reply.json()["results"].as_array().expect("results") {
            bulk.push(id_of(&result["task"]));
        }
    }
    let thirds: Vec<i64> = bulk.iter().copied().step_by(3).collect();
    for (query, expected) in [("label=bulk", &bulk), ("label=third&label=BULK", &thirds)] {
        let mut seen = Vec::new();
        let mut path = format!("/api/tasks?{query}&per_page=100&sort=-id");
        loop {
            let page = app.get(&path).await.json();
            seen.extend(ids_of(&page));
            match page["next_cursor"].as_str() {
                Some(cursor) => {
                    path = format!("/api/tasks?{query}&per_page=100&sort=-id&cursor={cursor}")
                }
                None => break,
            }
        }
        let mut descending = expected.clone();
        descending.reverse();
        assert_eq!(seen, descending, "{query}");
        let counted = app
            .get(&format!("/api/tasks?{query}&per_page=1"))
            .await
            .json();
        assert_eq!(counted["total"], json!(expected.len()), "{query}");
    }
}

#[tokio::test]
async fn moves_and_label_changes_reach_the_change_feed_with_new_etags() {
    let app = spawn_app().await;
    let a = id_of(&app.create("a").await);
    let b = id_of(&app.create("b").await);
    let (_, token) = crate::changes::drain(&app, None, 100).await;
    let before = app.get_task(b).await;
    let moved = move_task(&app, b, json!({ "before_id": a }), None).await;
    assert_ne!(moved.header("etag"), before.header("etag"));
    let labelled = app.patch_task(a, &json!({ "labels": ["x"] })).await;
    assert_eq!(labelled.status, 200);
    let (changes, _) = crate::changes::drain(&app, Some(&token), 100).await;
    let seen: Vec<(i64, Value, Value)> = changes
        .iter()
        .map(|c| {
            let task = &c["task"];
            (
                id_of(task),
                task["position"].clone(),
                task["labels"].clone(),
            )
        })
        .collect();
    assert_eq!(
        seen,
        [
            (b, moved.json()["position"].clone(), json!([])),
            (a, json!("a0"), json!(["x"])),
        ]
    );
    assert_eq!(changes[0]["etag"].as_str(), moved.header("etag"));
}

#[tokio::test]
async fn batches_and_idempotent_creates_take_parents_and_refuse_bad_ones_whole() {
    let app = spawn_app().await;
    let parent = id_of(&app.create("parent").await);
    let batch = |operations: Value| {
        let app = app.clone();
        async move {
            app.send_json(
                Method::POST,
                "/api/tasks/batch",
                &json!({ "operations": operations }),
            )
            .await
        }
    };
    let done = batch(json!([
        { "op": "create", "task": { "title": "under", "parent_id": parent, "labels": ["B"] } },
        { "op": "create", "task": { "title": "top" } },
    ]))
    .await;
    assert_eq!(done.status, 200, "{}", done.text);
    let results = done.json()["results"].clone();
    assert_eq!(results[0]["task"]["parent_id"], parent);
    assert_eq!(results[0]["task"]["labels"], json!(["b"]));
    assert_eq!(results[1]["task"]["parent_id"], Value::Null);

    let refused = batch(json!([
        { "op": "create", "task": { "title": "fine" } },
        { "op": "create", "task": { "title": "orphan", "parent_id": 999 } },
    ]))
    .await;
    assert_eq!(
        refused.field_errors(),
        [(
            "#/operations/1/task/parent_id".to_owned(),
            "there is no task with id 999".to_owned()
        )]
    );
    let titles = app.titles("per_page=100").await;
    assert!(!titles.contains(&"fine".to_owned()), "{titles:?}");
    assert_eq!(app.get("/api/tasks").await.json()["total"], 3);

    // A refused idempotent create does not use up its key.
    let keyed = |body: Value| {
        let app = app.clone();
        async move {
            let reply = app
                .client
                .post(app.url("/api/tasks"))
                .header("idempotency-key", "parent-key")
                .json(&body)
                .send()
                .await
                .expect("sent");
            Reply::from(reply).await
        }
    };
    let bad = keyed(json!({ "title": "x", "parent_id": 999 })).await;
    assert_eq!(bad.invalid_fields(), ["#/parent_id"]);
    let good = keyed(json!({ "title": "x", "parent_id": parent })).await;
    assert_eq!(good.status, 201, "{}", good.text);
    assert_eq!(good.json()["parent_id"], parent);
    let replay = keyed(json!({ "title": "x", "parent_id": parent })).await;
    assert_eq!((replay.status.as_u16(), replay.text), (201, good.text));
    assert_eq!(app.get("/api/tasks").await.json()["total"], 4);
}

#[tokio::test]
async fn concurrent_tree_writes_never_orphan_cycle_or_share_a_place() {
    let app = spawn_app().await;
    let other = spawn_app_on(&app).await;
    for i in 0..12 {
        app.create(&format!("root {i}")).await;
    }
    let mut handles = Vec::new();
    for client in 0..4_u64 {
        let server = if client % 2 == 0 {
            app.clone()
        } else {
            other.clone()
        };
        handles.push(tokio::spawn(async move {
            let mut seed = client * 104_729 + 7;
            for step in 0..60 {
                seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
                // Ids the run can have made (some missing, trashed or purged).
                let id = 1 + ((seed >> 33) % 20) as i64;
                let other_id = 1 + ((seed >> 13) % 20) as i64;
                let reply = match seed % 6 {
                    0 | 1 => {
                        let body =
                            json!({ "title": format!("c{client}-{step}"), "parent_id": other_id });
                        server.post_task(&body).await
                    }
                    2 => move_task(&server, id, json!({ "parent_id": other_id }), None).await,
                    3 => move_task(&server, id, json!({ "after_id": other_id }), None).await,
                    4 => server.delete_task(id).await,
                    _ => undelete(&server, id).await,
                };
                // Refusals are fine; failures are not.
                assert!(
                    reply.status.as_u16() < 500,
                    "op {} on {id}/{other_id}: {}",
                    seed % 6,
                    reply.text
                );
            }
        }));
    }
    for handle in handles {
        handle.await.expect("client");
    }
    let all = app
        .get("/api/tasks?show_deleted=true&per_page=100")
        .await
        .json();
    let tasks: Vec<&Value> = all["items"].as_array().expect("items").iter().collect();
    assert!(tasks.len() < 100, "one page holds them all");
    assert!(
        tasks.iter().any(|t| !t["parent_id"].is_null()),
        "some nesting happened"
    );
    let by_id: std::collections::BTreeMap<i64, &Value> =
        tasks.iter().map(|t| (id_of(t), *t)).collect();
    let mut places = BTreeSet::new();
    for task in &tasks {
        let trashed = !task["deleted_at"].is_null();
        // Its chain up ends at the top within 5 levels, through tasks that
        // exist, and a live task has no trashed ancestor.
        let mut depth = 1;
        let mut at = task["parent_id"].as_i64();
        while let Some(parent) = at {
            let up = by_id
                .get(&parent)
                .unwrap_or_else(|| panic!("task {} lost its parent {parent}", id_of(task)));
            assert!(
                trashed || up["deleted_at"].is_null(),
                "live task {} under trashed {parent}",
                id_of(task)
            );
            depth += 1;
            assert!(
                depth <= 5,
                "task {} nests {depth} deep (or cycles)",
                id_of(task)
            );
            at = up["parent_id"].as_i64();
        }
        let place = (
            task["parent_id"].as_i64(),
            task["position"].as_str().map(str::to_owned),
        );
        assert!(places.insert(place.clone()), "two tasks share {place:?}");
    }
    let live = tasks.iter().filter(|t| t["deleted_at"].is_null()).count();
    assert_eq!(app.get("/api/tasks").await.json()["total"], json!(live));
}

#[tokio::test]
async fn a_label_is_checked_as_stored_and_c1_controls_are_refused_everywhere() {
    let app = spawn_app().await;
    let id = id_of(&app.create("t").await);
    // 17 × `İ` is 17 characters as sent and 34 once lower-cased.
    let long = "İ".repeat(17);
    let c1 = ["a\u{0085}b", "a\u{0090}b", "a\u{009f}b", "a\u{0080}b"];
    let mut bodies = vec![json!([long])];
    bodies.extend(c1.iter().map(|label| json!([label])));
    for labels in bodies {
        let what = format!("labels {labels}");
        let create = app
            .post_task(&json!({ "title": "t", "labels": labels }))
            .await;
        assert_eq!(create.invalid_fields(), ["#/labels/0"], "create, {what}");
        let put = app
            .put_task(id, &json!({ "title": "t", "labels": labels }))
            .await;
        assert_eq!(put.invalid_fields(), ["#/labels/0"], "PUT, {what}");
        let patch = app.patch_task(id, &json!({ "labels": labels })).await;
        assert_eq!(patch.invalid_fields(), ["#/labels/0"], "PATCH, {what}");
        let batch = app
            .send_json(
                Method::POST,
                "/api/tasks/batch",
                &json!({ "operations": [
                    { "op": "create", "task": { "title": "t", "labels": labels } },
                    { "op": "update", "id": id, "task": { "labels": labels } },
                ] }),
            )
            .await;
        assert_eq!(
            batch.invalid_fields(),
            [
                "#/operations/0/task/labels/0",
                "#/operations/1/task/labels/0"
            ],
            "batch, {what}"
        );
    }
    // Sixteen lengthen to 32: accepted, and stored as they read.
    let most = app
        .create_with(json!({ "title": "t", "labels": ["İ".repeat(16)] }))
        .await;
    assert_eq!(
        most["labels"][0].as_str().map(|l| l.chars().count()),
        Some(32)
    );
}

#[tokio::test]
async fn a_row_stored_by_an_older_release_breaking_todays_rules_still_reads() {
    let app = spawn_app().await;
    let task = app
        .create_with(json!({ "title": "old", "labels": ["x"] }))
        .await;
    let id = id_of(&task);
    let other = id_of(&app.create("other").await);
    // What the release before this one stored for 17 × `İ`: 34 characters.
    let stored = "i\u{0307}".repeat(17);
    let db = app.db().await;
    {
        use sea_orm::ConnectionTrait;
        for sql in [
            format!("UPDATE tasks SET labels = '{stored}' WHERE id = {id}"),
            format!("UPDATE task_labels SET label = '{stored}' WHERE task_id = {id}"),
        ] {
            if let Err(err) = db.writer().execute_unprepared(&sql).await {
                panic!("{sql}: {err}");
            }
        }
    }
    let list = app.get("/api/tasks").await;
    assert_eq!(list.status, 200, "{}", list.text);
    assert_eq!(ids_of(&list.json()), [id, other]);
    assert_eq!(list.json()["items"][0]["labels"], json!([stored]));
    for path in [
        "/api/tasks?show_deleted=true".to_owned(),
        format!("/api/tasks/{id}"),
        "/api/tasks/changes".to_owned(),
        "/api/labels".to_owned(),
    ] {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        assert!(reply.text.contains(&stored), "{path}: {}", reply.text);
    }
    // It can still be changed, trashed and restored.
    let patched = app.patch_task(id, &json!({ "done": true })).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["labels"], json!([stored]));
    let put = app
        .put_task(id, &json!({ "title": "old", "labels": ["y"] }))
        .await;
    assert_eq!(put.status, 200, "{}", put.text);
    assert_eq!(app.delete_task(id).await.status, 204);
    assert_eq!(undelete(&app, id).await.status, 200);
}

#[tokio::test]
async fn a_position_cursor_stays_exact_when_the_siblings_are_re_spaced() {
    let app = spawn_app().await;
    let parent = id_of(&app.create("P").await);
    let mut children = Vec::new();
    for i in 0..40 {
        let child = app
            .create_with(json!({ "title": format!("c{i}"), "parent_id": parent }))
            .await;
        children.push(id_of(&child));
    }
    let m1 = id_of(&app.create("m1").await);
    let m2 = id_of(&app.create("m2").await);
    let path = format!("/api/tasks?parent_id={parent}&sort=position&per_page=10");
    let first = app.get(&path).await.json();
    assert_eq!(ids_of(&first), children[..10]);
    let cursor = first["next_cursor"].as_str().expect("a cursor").to_owned();
    let c10_before = app.get_task(children[10]).await.json()["position"].clone();

    // Placing again and again in one gap runs out of room there: the
    // server re-spaces the siblings around it (their order unchanged).
    for round in 0..240 {
        let id = if round % 2 == 0 { m1 } else { m2 };
        moved(
            &app,
            id,
            json!({ "parent_id": parent, "after_id": children[9] }),
        )
        .await;
    }
    let c10_after = app.get_task(children[10]).await.json()["position"].clone();
    assert_ne!(c10_before, c10_after, "the test needs a re-spacing");

    let mut rest = Vec::new();
    let mut next = Some(cursor);
    while let Some(cursor) = next {
        let page = app.get(&format!("{path}&cursor={cursor}")).await;
        assert_eq!(page.status, 200, "{}", page.text);
        let page = page.json();
        rest.extend(ids_of(&page));
        next = page["next_cursor"].as_str().map(str::to_owned);
    }
    // Exactly what now follows c9: the two moved tasks, then c10…c39.
    let now = order_under(&app, &parent.to_string()).await;
    let after_c9 = now
        .iter()
        .position(|&id| id == children[9])
        .map(|at| now[at + 1..].to_vec())
        .unwrap_or_default();
    assert_eq!(rest, after_c9);
    assert!(children[10..].iter().all(|id| rest.contains(id)));
}
