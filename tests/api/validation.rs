//! Invalid input is a 400 problem naming every bad field, table-driven.

use serde_json::{Value, json};

use crate::helpers::{id_of, spawn_app};

fn invalid_bodies() -> Vec<(&'static str, Value, Vec<&'static str>)> {
    let long_title = "x".repeat(201);
    let long_description = "d".repeat(10_001);
    vec![
        ("missing title", json!({}), vec!["#/title"]),
        ("empty title", json!({ "title": "" }), vec!["#/title"]),
        (
            "whitespace-only title",
            json!({ "title": " \t\n " }),
            vec!["#/title"],
        ),
        (
            "Unicode whitespace-only title",
            json!({ "title": "\u{3000}\u{00a0}\u{2028}\u{feff}" }),
            vec!["#/title"],
        ),
        (
            "title too long",
            json!({ "title": long_title }),
            vec!["#/title"],
        ),
        ("title a number", json!({ "title": 5 }), vec!["#/title"]),
        ("title null", json!({ "title": null }), vec!["#/title"]),
        ("title an array", json!({ "title": ["a"] }), vec!["#/title"]),
        (
            "description too long",
            json!({ "title": "ok", "description": long_description }),
            vec!["#/description"],
        ),
        (
            "description an object",
            json!({ "title": "ok", "description": {} }),
            vec!["#/description"],
        ),
        (
            "done a string",
            json!({ "title": "ok", "done": "yes" }),
            vec!["#/done"],
        ),
        (
            "done null",
            json!({ "title": "ok", "done": null }),
            vec!["#/done"],
        ),
        (
            "due_at not a date",
            json!({ "title": "ok", "due_at": "tomorrow" }),
            vec!["#/due_at"],
        ),
        (
            "due_at without offset",
            json!({ "title": "ok", "due_at": "2026-01-01T10:00:00" }),
            vec!["#/due_at"],
        ),
        (
            "due_at a date only",
            json!({ "title": "ok", "due_at": "2026-01-01" }),
            vec!["#/due_at"],
        ),
        (
            "due_at in the year 10000 in UTC",
            json!({ "title": "ok", "due_at": "9999-12-31T23:59:59-23:59" }),
            vec!["#/due_at"],
        ),
        (
            "due_at in the year -1 in UTC",
            json!({ "title": "ok", "due_at": "0000-01-01T00:00:00+23:59" }),
            vec!["#/due_at"],
        ),
        (
            "due_at a number",
            json!({ "title": "ok", "due_at": 1_700_000_000 }),
            vec!["#/due_at"],
        ),
        (
            "everything wrong at once",
            json!({ "title": "  ", "description": 1, "done": "no", "due_at": "x" }),
            vec!["#/title", "#/description", "#/done", "#/due_at"],
        ),
    ]
}

#[tokio::test]
async fn invalid_create_bodies_are_400_naming_every_bad_field() {
    let app = spawn_app().await;
    for (case, body, fields) in invalid_bodies() {
        let reply = app.post_task(&body).await;
        assert_eq!(reply.status, 400, "{case}: {}", reply.text);
        let mut got = reply.invalid_fields();
        got.sort();
        let mut want: Vec<String> = fields.iter().map(|f| f.to_string()).collect();
        want.sort();
        assert_eq!(got, want, "{case}");
    }
    let page = app.get("/api/tasks").await.json();
    assert_eq!(page["total"], 0, "nothing invalid was stored");
}

#[tokio::test]
async fn invalid_replace_bodies_are_400_and_change_nothing() {
    let app = spawn_app().await;
    let created = app.create("original").await;
    let id = id_of(&created);
    for (case, body, fields) in invalid_bodies() {
        let reply = app.put_task(id, &body).await;
        assert_eq!(reply.status, 400, "{case}: {}", reply.text);
        assert_eq!(reply.invalid_fields().len(), fields.len(), "{case}");
    }
    assert_eq!(app.get_task(id).await.json(), created);
}

#[tokio::test]
async fn validation_messages_say_what_is_wrong() {
    let app = spawn_app().await;
    let reply = app.post_task(&json!({ "title": "   " })).await;
    assert_eq!(
        reply.field_errors(),
        [("#/title".to_owned(), "must not be blank".to_owned())]
    );
    let reply = app.get("/api/tasks?per_page=0").await;
    assert_eq!(
        reply.field_errors(),
        [(
            "per_page".to_owned(),
            "must be between 1 and 100".to_owned()
        )]
    );
}

#[tokio::test]
async fn the_longest_valid_title_is_accepted_as_sent() {
    let app = spawn_app().await;
    let title = "é".repeat(200);
    let task = app.create(&title).await;
    assert_eq!(task["title"], title);
}

#[tokio::test]
async fn invalid_list_parameters_are_400_naming_each_parameter() {
    let app = spawn_app().await;
    let long_q = format!("q={}", "a".repeat(201));
    let cases: [(&str, &[&str]); 15] = [
        (&long_q, &["q"]),
        // PostgreSQL cannot compare text with a NUL: refused on every backend.
        ("q=%00", &["q"]),
        ("q=a%00b&done=true", &["q"]),
        ("page=0", &["page"]),
        ("page=-1", &["page"]),
        ("page=abc", &["page"]),
        ("page=1.5", &["page"]),
        ("page=99999999999999999999", &["page"]),
        ("per_page=0", &["per_page"]),
        ("per_page=101", &["per_page"]),
        ("per_page=ten", &["per_page"]),
        ("sort=name", &["sort"]),
        ("sort=--id", &["sort"]),
        ("done=maybe", &["done"]),
        (
            "page=0&per_page=1000&sort=x&done=2",
            &["page", "per_page", "done", "sort"],
        ),
    ];
    for (query, params) in cases {
        let reply = app.get(&format!("/api/tasks?{query}")).await;
        assert_eq!(reply.invalid_fields(), params, "{query}");
    }
}

#[tokio::test]
async fn every_instant_returned_is_one_the_api_accepts_back() {
    let app = spawn_app().await;
    let id = id_of(&app.create("t").await);
    for outside in ["9999-12-31T23:59:59-23:59", "0000-01-01T00:00:00+23:59"] {
        let patch = app.patch_task(id, &json!({ "due_at": outside })).await;
        assert_eq!(patch.invalid_fields(), ["#/due_at"], "PATCH {outside}");
        let encoded = outside.replace('+', "%2B");
        for name in ["due_after", "due_before", "updated_since", "updated_before"] {
            let reply = app.get(&format!("/api/tasks?{name}={encoded}")).await;
            assert_eq!(reply.invalid_fields(), [name], "{name}={outside}");
        }
    }
    // The extremes that are in range come back in UTC and go back as they came.
    for (sent, utc) in [
        ("9999-12-31T23:00:00-00:59", "9999-12-31T23:59:00.000000Z"),
        ("0000-01-01T23:59:00+23:59", "0000-01-01T00:00:00.000000Z"),
    ] {
        let task = app
            .create_with(json!({ "title": "edge", "due_at": sent }))
            .await;
        assert_eq!(task["due_at"], utc, "{sent}");
        let put = app
            .put_task(id_of(&task), &json!({ "title": "edge", "due_at": utc }))
            .await;
        assert_eq!(put.status, 200, "{utc}: {}", put.text);
        assert_eq!(put.json()["due_at"], utc);
    }
}

#[tokio::test]
async fn a_bad_path_id_is_400_naming_id() {
    let app = spawn_app().await;
    for id in ["abc", "1.5", "99999999999999999999", "%20", "%FF", "1%2F2"] {
        let path = format!("/api/tasks/{id}");
        for method in [reqwest::Method::GET, reqwest::Method::DELETE] {
            let reply = app.request(method.clone(), &path, None, None).await;
            assert_eq!(reply.invalid_fields(), ["id"], "{method} {path}");
        }
        let reply = app.put_task_raw(&path).await;
        assert_eq!(reply.invalid_fields(), ["id"], "PUT {path}");
    }
}
