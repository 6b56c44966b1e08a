//! A list of 1,000 live tasks or more keeps its tasks in the sort indexes,
//! a smaller one does not (docs/performance.md, "Sort indexes for big lists
//! only"): whichever it is, and across the change, a list's pages in every
//! order and filter hold every task it has, by whatever way each came.

use reqwest::Method;
use serde_json::{Value, json};

use crate::batch::batch;
use crate::helpers::{TestApp, id_of, spawn_app};
use crate::sharing::make_list;

/// The mark from which a list is sorted (`db::sorted::SORTED_FROM`).
const SORTED_FROM: usize = 1_000;

/// Every page of `query` on `list`, by page number: the items' titles, and
/// the total the first page gave.
async fn walk(app: &TestApp, list: i64, query: &str) -> (Vec<String>, u64) {
    let (mut titles, mut total) = (Vec::new(), None);
    for page in 1.. {
        let path = format!("/api/tasks?list_id={list}&per_page=100&page={page}&{query}");
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        let body = reply.json();
        total.get_or_insert(body["total"].as_u64().expect("total"));
        let items = body["items"].as_array().expect("items").clone();
        if items.is_empty() {
            break;
        }
        titles.extend(items.iter().map(title));
    }
    (titles, total.unwrap_or(0))
}

/// The same, by cursor.
async fn walk_by_cursor(app: &TestApp, list: i64, query: &str) -> Vec<String> {
    let mut titles = Vec::new();
    let mut path = format!("/api/tasks?list_id={list}&per_page=100&{query}");
    loop {
        let reply = app.get(&path).await;
        assert_eq!(reply.status, 200, "{path}: {}", reply.text);
        let body = reply.json();
        titles.extend(body["items"].as_array().expect("items").iter().map(title));
        match body["next_cursor"].as_str() {
            Some(cursor) => {
                path = format!("/api/tasks?list_id={list}&per_page=100&cursor={cursor}&{query}")
            }
            None => return titles,
        }
    }
}

fn title(task: &Value) -> String {
    task["title"].as_str().expect("title").to_owned()
}

/// `count` tasks into `list` by batches, titled so that title order is not
/// id order, every third done, half with a due date (also not in id order):
/// their ids.
async fn fill(app: &TestApp, list: i64, count: usize) -> Vec<i64> {
    let mut ids = Vec::with_capacity(count);
    for start in (0..count).step_by(100) {
        let operations: Vec<Value> = (start..count.min(start + 100))
            .map(|i| {
                let mut task = json!({
                    "title": format!("t{:04}", (i * 7919) % 10_000),
                    "list_id": list,
                    "done": i % 3 == 0,
                });
                if i % 2 == 0 {
                    task["due_at"] = json!(format!("2030-01-{:02}T00:00:00Z", 1 + (i * 13) % 28));
                }
                json!({ "op": "create", "task": task })
            })
            .collect();
        let done = batch(app, json!(operations)).await;
        assert_eq!(done.status, 200, "{}", done.text);
        let results = done.json()["results"].as_array().expect("results").clone();
        ids.extend(results.iter().map(|r| id_of(&r["task"])));
    }
    ids
}

/// Every way a task joins a list, into `list`: a create, one in a batch, a
/// subtask, a move from `other`, and the undelete of `trashed` (a task of
/// `list` in the trash).
async fn join_every_way(app: &TestApp, list: i64, other: i64, trashed: i64, tag: &str) {
    let created = app
        .post_task(&json!({ "title": format!("{tag} created"), "list_id": list }))
        .await;
    assert_eq!(created.status, 201, "{}", created.text);
    let one = json!([
        { "op": "create", "task": { "title": format!("{tag} batched"), "list_id": list } },
    ]);
    let batched = batch(app, one).await;
    assert_eq!(batched.status, 200, "{}", batched.text);
    let parent = id_of(&created.json());
    let child = json!({ "title": format!("{tag} subtask"), "parent_id": parent });
    assert_eq!(app.post_task(&child).await.status, 201);
    let elsewhere = app
        .post_task(&json!({ "title": format!("{tag} moved"), "list_id": other }))
        .await;
    let moved = app
        .send_json(
            Method::POST,
            &format!("/api/tasks/{}/move", id_of(&elsewhere.json())),
            &json!({ "list_id": list }),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    let undeleted = app
        .call(
            Method::POST,
            &format!("/api/tasks/{trashed}/undelete"),
            None,
            None,
        )
        .await;
    assert_eq!(undeleted.status, 200, "{}", undeleted.text);
}

/// Each order and filter of `list`'s pages against its tasks read in id
/// order (a walk no sort index serves) and sorted here.
async fn assert_every_order_lists_all(app: &TestApp, list: i64) {
    let (by_id, total) = walk(app, list, "").await;
    assert_eq!(by_id.len() as u64, total);
    let mut by_title = by_id.clone();
    by_title.sort();
    assert_eq!(
        walk(app, list, "sort=title").await,
        (by_title.clone(), total)
    );
    assert_eq!(walk_by_cursor(app, list, "sort=title").await, by_title);
    by_title.reverse();
    assert_eq!(walk_by_cursor(app, list, "sort=-title").await, by_title);
    for sort in ["created_at", "-updated_at", "due_at", "-due_at"] {
        let (mut titles, counted) = walk(app, list, &format!("sort={sort}")).await;
        assert_eq!(counted, total, "{sort}");
        let mut by_cursor = walk_by_cursor(app, list, &format!("sort={sort}")).await;
        assert_eq!(by_cursor, titles, "{sort}: by cursor as by page");
        titles.sort();
        by_cursor.sort();
        let mut all = by_id.clone();
        all.sort();
        assert_eq!(titles, all, "{sort}: every task, once");
    }
    let (done, done_total) = walk(app, list, "done=true").await;
    let (not_done, _) = walk(app, list, "done=false").await;
    assert_eq!(done.len() as u64, done_total);
    assert_eq!(done.len() + not_done.len(), by_id.len());
}

#[tokio::test]
async fn a_list_lists_every_task_it_takes_before_and_after_it_is_sorted() {
    let app = spawn_app().await;
    let (big, small) = (make_list(&app, "big").await, make_list(&app, "small").await);
    fill(&app, big, SORTED_FROM - 10).await;
    let trash = |list: i64, title: &'static str| {
        let app = &app;
        async move {
            let made = app
                .post_task(&json!({ "title": title, "list_id": list }))
                .await;
            let id = id_of(&made.json());
            assert_eq!(app.delete_task(id).await.status, 204);
            id
        }
    };
    // In the trash of the big list before it is sorted.
    let trashed_before = trash(big, "trashed before").await;
    let trashed_small = trash(small, "trashed small").await;
    join_every_way(&app, small, big, trashed_small, "small").await;
    assert_every_order_lists_all(&app, small).await;
    // Past the mark (by batch, whose counts come after its reservation):
    // the first create of `join_every_way` sorts the list.
    fill(&app, big, 10).await;
    join_every_way(&app, big, small, trashed_before, "big").await;
    assert_every_order_lists_all(&app, big).await;
    let (titles, total) = walk(&app, big, "sort=title").await;
    assert!(total as usize > SORTED_FROM, "{total}");
    for title in [
        "big created",
        "big batched",
        "big subtask",
        "big moved",
        "trashed before",
    ] {
        assert!(titles.contains(&title.to_owned()), "{title}");
    }
    // And out again: a task moved from the sorted list to the small one is
    // listed there in every order.
    let out = app
        .post_task(&json!({ "title": "a moved out", "list_id": big }))
        .await;
    let moved = app
        .send_json(
            Method::POST,
            &format!("/api/tasks/{}/move", id_of(&out.json())),
            &json!({ "list_id": small }),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_every_order_lists_all(&app, small).await;
    assert_eq!(walk(&app, small, "sort=title").await.0[0], "a moved out");
    assert_every_order_lists_all(&app, big).await;
}

#[tokio::test]
async fn a_list_mostly_in_the_trash_lists_every_live_task_as_it_grows() {
    let app = spawn_app().await;
    let (list, other) = (
        make_list(&app, "trashy").await,
        make_list(&app, "other").await,
    );
    // 1,000 tasks, 990 of them trashed: few live, many rows.
    let ids = fill(&app, list, SORTED_FROM).await;
    for chunk in ids[10..].chunks(100) {
        let operations: Vec<Value> = chunk
            .iter()
            .map(|id| json!({ "op": "delete", "id": id }))
            .collect();
        let done = batch(&app, json!(operations)).await;
        assert_eq!(done.status, 200, "{}", done.text);
    }
    assert_every_order_lists_all(&app, list).await;
    // Past 2,000 changes (the list is counted whole there), then every way in.
    for i in 0..15 {
        let made = app
            .post_task(&json!({ "title": format!("late {i:02}"), "list_id": list }))
            .await;
        assert_eq!(made.status, 201, "{}", made.text);
    }
    join_every_way(&app, list, other, ids[500], "trashy").await;
    // This process read the list unsorted above, and trusts that for a
    // second (db::sorted::RECHECK): past it, its pages walk the indexes.
    tokio::time::sleep(std::time::Duration::from_millis(1_100)).await;
    assert_every_order_lists_all(&app, list).await;
    let (titles, total) = walk(&app, list, "sort=-title").await;
    assert_eq!(total, 10 + 15 + 5, "ten kept, fifteen late, five joined");
    assert!(titles.contains(&"trashy moved".to_owned()));
    let (all, _) = walk(&app, list, "show_deleted=true&sort=title").await;
    assert_eq!(
        all.len(),
        SORTED_FROM + 15 + 4,
        "every row, the trash's too"
    );
}
