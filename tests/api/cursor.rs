//! Keyset paging with `cursor` and the `Link` header.

use std::collections::BTreeSet;

use serde_json::{Value, json};

use crate::helpers::{TestApp, ids_of, spawn_app};

const SORTS: [&str; 10] = [
    "id",
    "-id",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "due_at",
    "-due_at",
    "title",
    "-title",
];

/// Tasks with tied titles and due dates, and null due dates.
async fn seed(app: &TestApp, n: usize) {
    for i in 0..n {
        let due = match i % 3 {
            0 => Value::Null,
            1 => json!("2026-06-01T00:00:00Z"),
            _ => json!(format!("2026-0{}-01T00:00:00Z", 1 + i % 9)),
        };
        app.create_with(json!({ "title": format!("t{}", i % 4), "due_at": due }))
            .await;
    }
}

/// Ids of every page reached through `next_cursor`, starting at `first`.
async fn walk(app: &TestApp, first: &str, query: &str) -> Vec<i64> {
    let mut ids = Vec::new();
    let mut reply = app.get(first).await;
    loop {
        assert_eq!(reply.status, 200, "{}", reply.text);
        let page = reply.json();
        ids.extend(ids_of(&page));
        match page["next_cursor"].as_str() {
            Some(cursor) => {
                reply = app
                    .get(&format!("/api/tasks?{query}&cursor={cursor}"))
                    .await;
                let next = reply.json();
                for absent in ["page", "total", "total_pages"] {
                    assert!(next.get(absent).is_none(), "cursor page has {absent}");
                }
            }
            None => return ids,
        }
    }
}

#[tokio::test]
async fn cursor_pages_visit_every_task_once_in_page_order_for_every_sort() {
    let app = spawn_app().await;
    seed(&app, 23).await;
    for sort in SORTS {
        let all = app
            .get(&format!("/api/tasks?sort={sort}&per_page=100"))
            .await;
        let expected: Vec<i64> = ids_of(&all.json());
        let query = format!("sort={sort}&per_page=4");
        let ids = walk(&app, &format!("/api/tasks?{query}"), &query).await;
        assert_eq!(ids, expected, "sort={sort}");
    }
}

#[tokio::test]
async fn cursor_paging_works_with_filters_and_a_changing_page_size() {
    let app = spawn_app().await;
    seed(&app, 20).await;
    app.patch_task(3, &json!({ "done": true })).await;
    app.patch_task(7, &json!({ "done": true })).await;
    let first = app
        .get("/api/tasks?q=T1&done=false&sort=-due_at&per_page=2")
        .await;
    let page = first.json();
    let cursor = page["next_cursor"].as_str().expect("more pages");
    let second = app
        .get(&format!(
            "/api/tasks?q=T1&done=false&sort=-due_at&per_page=50&cursor={cursor}"
        ))
        .await;
    assert_eq!(second.status, 200, "{}", second.text);
    let mut ids: Vec<i64> = ids_of(&page);
    ids.extend(ids_of(&second.json()));
    let all = app
        .get("/api/tasks?q=T1&done=false&sort=-due_at&per_page=100")
        .await;
    let expected: Vec<i64> = ids_of(&all.json());
    assert_eq!(ids, expected);
    assert!(second.json()["next_cursor"].is_null());
}

#[tokio::test]
async fn cursor_paging_is_stable_while_tasks_are_added_and_deleted() {
    for sort in ["id", "-id", "title", "-due_at", "due_at", "-updated_at"] {
        let app = spawn_app().await;
        seed(&app, 30).await;
        let before: BTreeSet<i64> = (1..=30).collect();
        let mut deleted = BTreeSet::new();
        let mut seen = Vec::new();
        let query = format!("sort={sort}&per_page=4");
        let mut url = format!("/api/tasks?{query}");
        let mut round = 0;
        loop {
            let page = app.get(&url).await.json();
            seen.extend(ids_of(&page));
            // Between pages: add two tasks and delete one not yet seen.
            round += 1;
            app.create_with(json!({ "title": format!("t{}", round % 4) }))
                .await;
            app.create_with(json!({ "title": "late", "due_at": "2026-06-01T00:00:00Z" }))
                .await;
            let victim = 30 - round;
            if victim > 0 && !seen.contains(&victim) {
                assert_eq!(app.delete_task(victim).await.status, 204);
                deleted.insert(victim);
            }
            match page["next_cursor"].as_str() {
                Some(cursor) => url = format!("/api/tasks?{query}&cursor={cursor}"),
                None => break,
            }
        }
        let unique: BTreeSet<i64> = seen.iter().copied().collect();
        assert_eq!(
            unique.len(),
            seen.len(),
            "sort={sort}: a task was seen twice"
        );
        let survivors: BTreeSet<i64> = before.difference(&deleted).copied().collect();
        let missed: Vec<_> = survivors.difference(&unique).collect();
        assert!(missed.is_empty(), "sort={sort}: skipped {missed:?}");
    }
}

#[tokio::test]
async fn next_cursor_is_given_in_page_mode_and_null_on_the_last_page() {
    let app = spawn_app().await;
    seed(&app, 7).await;
    let first = app.get("/api/tasks?per_page=5").await.json();
    let cursor = first["next_cursor"].as_str().expect("a cursor");
    let rest = app
        .get(&format!("/api/tasks?per_page=5&cursor={cursor}"))
        .await
        .json();
    let ids: Vec<i64> = ids_of(&rest);
    assert_eq!(ids, [6, 7]);
    assert!(rest["next_cursor"].is_null());
    let last = app.get("/api/tasks?page=2&per_page=5").await.json();
    assert!(last["next_cursor"].is_null());
    let past = app.get("/api/tasks?page=9&per_page=5").await.json();
    assert!(past["next_cursor"].is_null());
}

#[tokio::test]
async fn bad_cursors_are_400_naming_cursor() {
    let app = spawn_app().await;
    seed(&app, 5).await;
    let page = app.get("/api/tasks?sort=title&per_page=2&q=t").await.json();
    let cursor = page["next_cursor"].as_str().expect("cursor").to_owned();
    let cases = [
        "cursor=garbage".to_owned(),
        "cursor=".to_owned(),
        "cursor=e30".to_owned(),
        format!("cursor={}x", &cursor[..cursor.len() - 1]),
        format!("sort=title&cursor={cursor}"),
        format!("sort=-title&q=t&cursor={cursor}"),
        format!("sort=title&q=t&done=true&cursor={cursor}"),
        format!("sort=title&q=t&page=1&cursor={cursor}"),
        format!("sort=id&q=t&cursor={cursor}"),
    ];
    for query in cases {
        let reply = app.get(&format!("/api/tasks?{query}")).await;
        assert_eq!(reply.invalid_fields(), ["cursor"], "{query}");
    }
    let ok = app
        .get(&format!("/api/tasks?sort=title&q=t&cursor={cursor}"))
        .await;
    assert_eq!(ok.status, 200, "{}", ok.text);
}

fn links(reply: &crate::helpers::Reply) -> Vec<(String, String)> {
    reply
        .header("link")
        .unwrap_or_default()
        .split(", ")
        .filter(|l| !l.is_empty())
        .map(|link| {
            let (url, rel) = link.split_once("; ").expect("url; rel");
            (
                rel.trim_start_matches("rel=\"")
                    .trim_end_matches('"')
                    .to_owned(),
                url.trim_start_matches('<').trim_end_matches('>').to_owned(),
            )
        })
        .collect()
}

#[tokio::test]
async fn page_mode_links_first_prev_next_last_and_keep_other_parameters() {
    let app = spawn_app().await;
    for i in 1..=12 {
        app.create(&format!("Task {i}")).await;
    }
    let reply = app
        .get("/api/tasks?q=task&page=2&per_page=5&sort=-id")
        .await;
    assert_eq!(
        links(&reply),
        [
            (
                "first".into(),
                "/api/tasks?q=task&per_page=5&sort=-id&page=1".into()
            ),
            (
                "prev".into(),
                "/api/tasks?q=task&per_page=5&sort=-id&page=1".into()
            ),
            (
                "next".into(),
                "/api/tasks?q=task&per_page=5&sort=-id&page=3".into()
            ),
            (
                "last".into(),
                "/api/tasks?q=task&per_page=5&sort=-id&page=3".into()
            ),
        ]
    );
    let first = app.get("/api/tasks?per_page=5").await;
    let rels: Vec<String> = links(&first).into_iter().map(|(r, _)| r).collect();
    assert_eq!(rels, ["first", "next", "last"]);
}

#[tokio::test]
async fn following_next_links_visits_every_task_exactly_once() {
    let app = spawn_app().await;
    seed(&app, 17).await;
    for start in [
        "/api/tasks?per_page=4&sort=-due_at",
        "/api/tasks?per_page=3&sort=title",
    ] {
        let mut ids = Vec::new();
        let mut url = Some(start.to_owned());
        while let Some(next) = url {
            let reply = app.get(&next).await;
            assert_eq!(reply.status, 200, "{next}: {}", reply.text);
            ids.extend(ids_of(&reply.json()));
            url = links(&reply)
                .into_iter()
                .find(|(rel, _)| rel == "next")
                .map(|(_, u)| u);
        }
        let unique: BTreeSet<i64> = ids.iter().copied().collect();
        assert_eq!((ids.len(), unique.len()), (17, 17), "{start}");
    }
}

#[tokio::test]
async fn cursor_mode_links_only_next() {
    let app = spawn_app().await;
    seed(&app, 5).await;
    let page = app.get("/api/tasks?per_page=2").await.json();
    let cursor = page["next_cursor"].as_str().expect("cursor");
    let reply = app
        .get(&format!("/api/tasks?per_page=2&cursor={cursor}"))
        .await;
    let rels = links(&reply);
    assert_eq!(rels.len(), 1);
    assert_eq!(rels[0].0, "next");
    assert!(rels[0].1.starts_with("/api/tasks?per_page=2&cursor="));
}
