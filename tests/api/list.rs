//! Listing: paging, filters and every sort.

use serde_json::json;

use crate::helpers::{TestApp, id_of, ids_of, spawn_app};

#[tokio::test]
async fn defaults_are_page_1_of_10_ordered_by_id() {
    let app = spawn_app().await;
    for i in 1..=11 {
        app.create(&format!("t{i}")).await;
    }
    let page = app.get("/api/tasks").await.json();
    assert_eq!(page["page"], 1);
    assert_eq!(page["per_page"], 10);
    assert_eq!(page["total"], 11);
    assert_eq!(page["total_pages"], 2);
    let ids: Vec<i64> = ids_of(&page);
    assert_eq!(ids, (1..=10).collect::<Vec<_>>());
}

#[tokio::test]
async fn a_page_past_the_end_is_200_with_no_items() {
    let app = spawn_app().await;
    app.create("only").await;
    for query in [
        "page=2",
        "page=9223372036854775807",
        "page=9223372036854775807&per_page=100",
    ] {
        let reply = app.get(&format!("/api/tasks?{query}")).await;
        assert_eq!(reply.status, 200, "{query}: {}", reply.text);
        let page = reply.json();
        assert_eq!(page["items"], json!([]), "{query}");
        assert_eq!(page["total"], 1, "{query}");
    }
}

#[tokio::test]
async fn an_empty_list_has_zero_pages() {
    let app = spawn_app().await;
    let page = app.get("/api/tasks").await.json();
    assert_eq!(page["items"], json!([]));
    assert_eq!(page["total"], 0);
    assert_eq!(page["total_pages"], 0);
}

#[tokio::test]
async fn done_filters_and_counts() {
    let app = spawn_app().await;
    app.create_with(json!({ "title": "a", "done": true })).await;
    app.create_with(json!({ "title": "b" })).await;
    app.create_with(json!({ "title": "c", "done": true })).await;
    assert_eq!(app.titles("done=true").await, ["a", "c"]);
    assert_eq!(app.titles("done=false").await, ["b"]);
    let page = app.get("/api/tasks?done=true").await.json();
    assert_eq!(page["total"], 2);
}

#[tokio::test]
async fn q_matches_a_substring_ignoring_ascii_case() {
    let app = spawn_app().await;
    for title in ["Buy MILK", "milkshake", "Bread", "Semi-skimmed milk"] {
        app.create(title).await;
    }
    assert_eq!(
        app.titles("q=milk").await,
        ["Buy MILK", "milkshake", "Semi-skimmed milk"]
    );
    assert_eq!(app.titles("q=BREAD").await, ["Bread"]);
    assert_eq!(app.titles("q=nothing").await, Vec::<String>::new());
}

#[tokio::test]
async fn q_treats_like_wildcards_and_backslash_literally() {
    let app = spawn_app().await;
    for title in [
        "100% done",
        "1000 done",
        "a_b",
        "axb",
        r"back\slash",
        "backslash",
    ] {
        app.create(title).await;
    }
    assert_eq!(app.titles("q=0%25").await, ["100% done"]);
    assert_eq!(app.titles("q=a_b").await, ["a_b"]);
    assert_eq!(app.titles("q=k%5Cs").await, [r"back\slash"]);
}

#[tokio::test]
async fn filters_combine_with_paging() {
    let app = spawn_app().await;
    for i in 1..=7 {
        app.create_with(json!({ "title": format!("job {i}"), "done": i % 2 == 1 }))
            .await;
    }
    let page = app
        .get("/api/tasks?done=true&q=JOB&page=2&per_page=3")
        .await
        .json();
    assert_eq!(page["total"], 4);
    assert_eq!(page["total_pages"], 2);
    assert_eq!(crate::helpers::titles_of(&page), ["job 7"]);
}

async fn seed_for_sorting(app: &TestApp) {
    // Titles, due dates (some null, some tied) and an update that reorders
    // updated_at relative to created_at.
    let rows = [
        ("banana", Some("2026-03-01T00:00:00Z")),
        ("apple", None),
        ("cherry", Some("2026-01-01T00:00:00Z")),
        ("apple", Some("2026-03-01T00:00:00Z")),
        ("Zebra", None),
    ];
    for (title, due) in rows {
        app.create_with(json!({ "title": title, "due_at": due }))
            .await;
    }
    let reply = app.patch_task(1, &json!({ "done": true })).await;
    assert_eq!(reply.status, 200);
}

async fn ids(app: &TestApp, sort: &str) -> Vec<i64> {
    let reply = app.get(&format!("/api/tasks?sort={sort}")).await;
    assert_eq!(reply.status, 200, "sort={sort}: {}", reply.text);
    ids_of(&reply.json())
}

#[tokio::test]
async fn every_sort_orders_with_ties_broken_by_id_and_null_due_dates_last() {
    let app = spawn_app().await;
    seed_for_sorting(&app).await;
    let cases: [(&str, &[i64]); 10] = [
        ("id", &[1, 2, 3, 4, 5]),
        ("-id", &[5, 4, 3, 2, 1]),
        ("created_at", &[1, 2, 3, 4, 5]),
        ("-created_at", &[5, 4, 3, 2, 1]),
        ("updated_at", &[2, 3, 4, 5, 1]),
        ("-updated_at", &[1, 5, 4, 3, 2]),
        // Nulls last in both directions.
        ("due_at", &[3, 1, 4, 2, 5]),
        ("-due_at", &[4, 1, 3, 5, 2]),
        // Code-point order: "Z" (U+005A) sorts before lower case.
        ("title", &[5, 2, 4, 1, 3]),
        ("-title", &[3, 1, 4, 2, 5]),
    ];
    for (sort, expected) in cases {
        assert_eq!(ids(&app, sort).await, expected, "sort={sort}");
    }
}

/// `+` in a query string is a space: timestamps travel with `Z` or `%2B`.
fn enc(instant: &str) -> String {
    instant.replace('+', "%2B")
}

#[tokio::test]
async fn due_ranges_are_half_open_and_skip_tasks_without_a_due_date() {
    let app = spawn_app().await;
    for (title, due) in [
        ("jan", Some("2026-01-15T00:00:00Z")),
        ("feb", Some("2026-02-01T00:00:00Z")),
        ("mar", Some("2026-03-01T00:00:00+01:00")),
        ("none", None),
    ] {
        app.create_with(json!({ "title": title, "due_at": due }))
            .await;
    }
    let feb = "2026-02-01T00:00:00Z";
    assert_eq!(
        app.titles(&format!("due_after={feb}")).await,
        ["feb", "mar"]
    );
    assert_eq!(app.titles(&format!("due_before={feb}")).await, ["jan"]);
    assert_eq!(
        app.titles(&format!("due_after=2026-01-01T00:00:00Z&due_before={feb}"))
            .await,
        ["jan"]
    );
    // Offsets are instants: 2026-03-01T00:00+01:00 is 2026-02-28T23:00Z.
    let titles = app
        .titles(&format!("due_before={}", enc("2026-03-01T00:30:00+02:00")))
        .await;
    assert_eq!(titles, ["jan", "feb"]);
}

#[tokio::test]
async fn updated_ranges_select_what_changed_and_work_with_cursors() {
    let app = spawn_app().await;
    let a = app.create("a").await;
    let b = app.create("b").await;
    let c = app.create("c").await;
    let since = b["updated_at"].as_str().expect("updated_at").to_owned();
    assert_eq!(
        app.titles(&format!("updated_since={since}")).await,
        ["b", "c"]
    );
    assert_eq!(app.titles(&format!("updated_before={since}")).await, ["a"]);
    // A change moves a task into the range.
    app.patch_task(id_of(&a), &json!({ "done": true })).await;
    assert_eq!(
        app.titles(&format!("updated_since={since}&sort=updated_at"))
            .await,
        ["b", "c", "a"]
    );
    // Cursor pages keep the range, and a cursor is bound to it.
    let first = app
        .get(&format!("/api/tasks?updated_since={since}&per_page=2"))
        .await
        .json();
    let cursor = first["next_cursor"].as_str().expect("a cursor").to_owned();
    let next = app
        .get(&format!(
            "/api/tasks?updated_since={since}&per_page=2&cursor={cursor}"
        ))
        .await
        .json();
    assert_eq!(ids_of(&first), [id_of(&a), id_of(&b)]);
    assert_eq!(ids_of(&next), [id_of(&c)]);
    let other = app
        .get(&format!("/api/tasks?per_page=2&cursor={cursor}"))
        .await;
    assert_eq!(other.invalid_fields(), ["cursor"]);
}

#[tokio::test]
async fn bad_range_parameters_are_400_naming_each() {
    let app = spawn_app().await;
    let reply = app
        .get("/api/tasks?updated_since=yesterday&due_before=2026-01-01&due_after=2026-01-01T00:00:00Z")
        .await;
    assert_eq!(reply.invalid_fields(), ["updated_since", "due_before"]);
}

/// The totals the server keeps counted (all, done, not done) against the
/// totals it counts row by row (any range filter takes that path; this one
/// matches every task).
async fn assert_totals_exact(app: &TestApp, after: &str) {
    for done in ["", "&done=true", "&done=false"] {
        let kept = app
            .get(&format!("/api/tasks?per_page=1{done}"))
            .await
            .json();
        let counted = app
            .get(&format!(
                "/api/tasks?per_page=1{done}&updated_since=1970-01-01T00:00:00Z"
            ))
            .await
            .json();
        assert_eq!(
            kept["total"], counted["total"],
            "after {after}, filter {done:?}"
        );
        // Past the end, the total is read on its own.
        let far = app.get(&format!("/api/tasks?page=999{done}")).await.json();
        assert_eq!(
            far["total"], counted["total"],
            "after {after}, page 999 {done:?}"
        );
    }
}

#[tokio::test]
async fn kept_totals_stay_exact_through_every_kind_of_write() {
    use reqwest::Method;
    let app = spawn_app().await;
    let mut ids = Vec::new();
    for i in 0..6 {
        let task = app
            .create_with(json!({ "title": format!("t{i}"), "done": i % 3 == 0 }))
            .await;
        ids.push(id_of(&task));
    }
    assert_totals_exact(&app, "creates").await;
    let retry = |body: serde_json::Value| {
        app.client
            .post(app.url("/api/tasks"))
            .header("idempotency-key", "once")
            .json(&body)
            .send()
    };
    for _ in 0..2 {
        assert_eq!(
            retry(json!({ "title": "once", "done": true }))
                .await
                .expect("sent")
                .status(),
            201
        );
    }
    assert_totals_exact(&app, "an idempotent create and its replay").await;
    assert_eq!(
        app.patch_task(ids[1], &json!({ "done": true }))
            .await
            .status,
        200
    );
    assert_eq!(
        app.patch_task(ids[0], &json!({ "done": false }))
            .await
            .status,
        200
    );
    assert_eq!(
        app.patch_task(ids[2], &json!({ "title": "same done" }))
            .await
            .status,
        200
    );
    assert_eq!(
        app.put_task(ids[3], &json!({ "title": "replaced" }))
            .await
            .status,
        200
    );
    assert_totals_exact(&app, "patches and a put").await;
    let batch = json!({ "operations": [
        { "op": "create", "task": { "title": "b", "done": true } },
        { "op": "update", "id": ids[4], "task": { "done": true } },
        { "op": "delete", "id": ids[1] },
    ]});
    assert_eq!(
        app.send_json(Method::POST, "/api/tasks/batch", &batch)
            .await
            .status,
        200
    );
    let failing = json!({ "operations": [
        { "op": "create", "task": { "title": "never", "done": true } },
        { "op": "delete", "id": 999_999 },
    ]});
    assert_eq!(
        app.send_json(Method::POST, "/api/tasks/batch", &failing)
            .await
            .status,
        404
    );
    assert_totals_exact(&app, "batches").await;
    assert_eq!(app.delete_task(ids[5]).await.status, 204);
    let undelete = format!("/api/tasks/{}/undelete", ids[1]);
    assert_eq!(
        app.request(Method::POST, &undelete, None, None)
            .await
            .status,
        200
    );
    assert_totals_exact(&app, "trash and undelete").await;
    for (id, trashed_first) in [(ids[1], false), (ids[4], true)] {
        if trashed_first {
            assert_eq!(app.delete_task(id).await.status, 204);
        }
        let purge = format!("/api/tasks/{id}?purge=true");
        assert_eq!(
            app.request(Method::DELETE, &purge, None, None).await.status,
            204
        );
    }
    assert_totals_exact(&app, "purges of a live and a trashed task").await;
    assert_eq!(app.delete_task(ids[0]).await.status, 204);
    let db = app.db().await;
    let purged =
        tasks_api::db::tasks::purge_trash_of_every_owner(&db, tasks_api::domain::Timestamp::now())
            .await
            .expect("purge");
    assert_eq!(purged, 2);
    assert_totals_exact(&app, "the trash retention").await;
}
