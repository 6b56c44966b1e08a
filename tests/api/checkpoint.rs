//! The teaching checkpoint's closing check, unchanged forever.

use serde_json::json;

use crate::helpers::{id_of, spawn_app, titles_of};

#[tokio::test]
async fn checkpoint_page_two_of_five_lists_tasks_six_to_ten() {
    let app = spawn_app().await;
    for i in 1..=12 {
        app.create(&format!("Task {i}")).await;
    }

    let reply = app.get("/api/tasks?page=2&per_page=5").await;
    assert_eq!(reply.status, 200);
    let page = reply.json();
    assert_eq!(
        titles_of(&page),
        ["Task 6", "Task 7", "Task 8", "Task 9", "Task 10"]
    );
    assert_eq!(page["page"], 2);
    assert_eq!(page["per_page"], 5);
    assert_eq!(page["total"], 12);
    assert_eq!(page["total_pages"], 3);
}

#[tokio::test]
async fn checkpoint_post_returns_201_with_the_new_task() {
    let app = spawn_app().await;
    let reply = app.post_task(&json!({ "title": "Write tests" })).await;
    assert_eq!(reply.status, 201);
    let task = reply.json();
    assert_eq!(task["title"], "Write tests");
    assert_eq!(task["done"], false);
    assert_eq!(
        reply.header("location"),
        Some(format!("/api/tasks/{}", id_of(&task)).as_str())
    );
}

#[tokio::test]
async fn checkpoint_post_with_empty_title_is_400_naming_title() {
    let app = spawn_app().await;
    let reply = app.post_task(&json!({ "title": "" })).await;
    assert_eq!(reply.invalid_fields(), ["#/title"]);
}

#[tokio::test]
async fn checkpoint_get_unknown_task_is_404_and_delete_is_204_then_404() {
    let app = spawn_app().await;
    app.get_task(999).await.problem(404);

    let id = id_of(&app.create("Task 1").await);
    let deleted = app.delete_task(id).await;
    assert_eq!(deleted.status, 204);
    assert!(deleted.text.is_empty());
    app.get_task(id).await.problem(404);
    app.delete_task(id).await.problem(404);
}
