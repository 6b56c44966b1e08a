//! The server driven through the Rust client progenitor generates from
//! `openapi.yaml` (the `tasks-api-client` crate): what a Rust user gets.

use std::num::NonZeroU64;

use tasks_api_client::Error;
use tasks_api_client::types::{Problem, TaskInput, TaskPatch};

use crate::helpers::spawn_app;

fn input(title: &str) -> TaskInput {
    TaskInput {
        title: title.try_into().expect("a valid title"),
        description: None,
        done: false,
        due_at: None,
        labels: Vec::new(),
        parent_id: None,
    }
}

/// The typed problem of an error response.
fn problem<T: std::fmt::Debug>(result: Result<T, Error<Problem>>) -> Problem {
    match result {
        Err(Error::ErrorResponse(response)) => response.into_inner(),
        other => panic!("expected a problem response, got {other:?}"),
    }
}

#[tokio::test]
async fn generated_client_runs_the_checkpoint_scenario() {
    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");
    for i in 1..=12 {
        let created = client
            .create_task(None, &input(&format!("Task {i}")))
            .await
            .expect("201");
        assert_eq!(created.status(), 201);
        assert_eq!(created.title.as_str(), format!("Task {i}"));
    }
    let page = client
        // cursor, done, due_after, due_before, label, page, parent_id,
        // per_page, q, show_deleted, sort, updated_before, updated_since
        // (progenitor orders the query parameters by name).
        .list_tasks(
            None,
            None,
            None,
            None,
            None,
            NonZeroU64::new(2),
            None,
            NonZeroU64::new(5),
            None,
            None,
            None,
            None,
            None,
        )
        .await
        .expect("200")
        .into_inner();
    let titles: Vec<&str> = page.items.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["Task 6", "Task 7", "Task 8", "Task 9", "Task 10"]);
    assert_eq!(
        (page.total, page.total_pages, page.page),
        (Some(12), Some(3), Some(2))
    );
}

#[tokio::test]
async fn generated_client_does_full_crud_and_reads_problems_as_typed_values() {
    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");

    let created = client
        .create_task(None, &input("Write SDK docs"))
        .await
        .expect("201");
    let etag = created.headers()["etag"].to_str().expect("etag").to_owned();
    let task = created.into_inner();
    let fetched = client
        .get_task(task.id, None)
        .await
        .expect("200")
        .into_inner();
    assert_eq!(
        serde_json::to_value(&fetched).expect("json"),
        serde_json::to_value(&task).expect("json")
    );

    let replaced = client
        .replace_task(
            task.id,
            Some(&etag),
            &TaskInput {
                done: true,
                ..input("Rewritten")
            },
        )
        .await
        .expect("200")
        .into_inner();
    assert_eq!(
        (replaced.title.as_str(), replaced.done),
        ("Rewritten", true)
    );

    let stale = problem(
        client
            .replace_task(task.id, Some(&etag), &input("late"))
            .await,
    );
    assert_eq!(stale.status, 412);
    assert_eq!(stale.type_, "urn:tasks-api:problem:precondition-failed");

    let patch = TaskPatch {
        title: Some("Patched".try_into().expect("title")),
        description: None,
        done: None,
        due_at: None,
        labels: None,
        parent_id: None,
    };
    let patched = client
        .update_task(task.id, None, &patch)
        .await
        .expect("200")
        .into_inner();
    assert_eq!((patched.title.as_str(), patched.done), ("Patched", true));

    let deleted = client.delete_task(task.id, None, None).await.expect("204");
    assert_eq!(deleted.status(), 204);

    let missing = problem(client.get_task(task.id, None).await);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.type_, "urn:tasks-api:problem:task-not-found");

    let invalid = problem(
        client
            .list_tasks(
                None,
                None,
                None,
                None,
                None,
                None,
                None,
                NonZeroU64::new(500),
                None,
                None,
                None,
                None,
                None,
            )
            .await,
    );
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.errors.len(), 1);
    assert_eq!(invalid.errors[0].parameter.as_deref(), Some("per_page"));
}

#[tokio::test]
async fn generated_client_validates_titles_the_way_the_server_does() {
    // The published pattern is compiled into the client: a blank title is
    // refused before any request is made, exactly as the server would.
    for blank in ["", "   ", "\u{3000}\t"] {
        let title: Result<tasks_api_client::types::TaskInputTitle, _> = blank.try_into();
        assert!(title.is_err(), "{blank:?} accepted by the client");
    }
    let long = "x".repeat(201);
    let title: Result<tasks_api_client::types::TaskInputTitle, _> = long.as_str().try_into();
    assert!(title.is_err());
}

#[tokio::test]
async fn generated_client_keeps_a_replica_through_the_change_feed() {
    use std::collections::BTreeMap;
    use tasks_api_client::types::{ChangePage, ListChangesSince, Task};

    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");
    let mut ids = Vec::new();
    for i in 1..=5 {
        let created = client
            .create_task(None, &input(&format!("Task {i}")))
            .await
            .expect("201");
        ids.push(created.id);
    }
    let mut replica = BTreeMap::new();
    fn apply(replica: &mut BTreeMap<i64, Task>, page: &ChangePage) {
        for change in &page.changes {
            match (&change.task, change.deleted) {
                (Some(task), false) => replica.insert(change.id, task.clone()),
                _ => replica.remove(&change.id),
            };
        }
    }
    let mut since: Option<ListChangesSince> = None;
    loop {
        let page = client
            .list_changes(NonZeroU64::new(2), since.as_ref(), None)
            .await
            .expect("200");
        apply(&mut replica, &page);
        since = Some(page.next_since.parse().expect("token"));
        if !page.has_more {
            break;
        }
    }
    assert_eq!(replica.keys().copied().collect::<Vec<_>>(), ids);

    client.delete_task(ids[0], None, None).await.expect("204");
    let page = client
        .list_changes(None, since.as_ref(), None)
        .await
        .expect("200");
    apply(&mut replica, &page);
    assert_eq!(page.changes.len(), 1);
    assert!(page.changes[0].deleted && page.changes[0].deleted_at.is_some());
    assert_eq!(replica.keys().copied().collect::<Vec<_>>(), ids[1..]);

    let expired = problem(
        client
            .list_changes(None, Some(&"AQ".parse().expect("text")), None)
            .await,
    );
    assert_eq!(expired.status, 400);
}

#[tokio::test]
async fn generated_client_nests_moves_and_labels_tasks() {
    use tasks_api_client::types::{Sort, TaskMove};
    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");
    let parent = client
        .create_task(None, &input("parent"))
        .await
        .expect("201")
        .into_inner();
    let mut children = Vec::new();
    for title in ["one", "two"] {
        let mut body = input(title);
        body.parent_id = Some(parent.id);
        body.labels = vec!["Errand".try_into().expect("a valid label")];
        let child = client
            .create_task(None, &body)
            .await
            .expect("201")
            .into_inner();
        assert_eq!(child.parent_id, Some(parent.id));
        assert_eq!(child.labels[0].as_str(), "errand");
        children.push(child);
    }
    let moved = client
        .move_task(
            children[1].id,
            None,
            &TaskMove {
                parent_id: Some(parent.id),
                after_id: None,
                before_id: Some(children[0].id),
            },
        )
        .await
        .expect("200")
        .into_inner();
    assert!(moved.position < children[0].position);
    let parent_id = parent.id.to_string().parse().expect("a parent filter");
    let ordered = client
        .list_tasks(
            None,
            None,
            None,
            None,
            None,
            None,
            Some(&parent_id),
            None,
            None,
            None,
            Some(Sort::Position),
            None,
            None,
        )
        .await
        .expect("200")
        .into_inner();
    let titles: Vec<&str> = ordered.items.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["two", "one"]);
    let labels = client.list_labels().await.expect("200").into_inner();
    assert_eq!(labels.labels.len(), 1);
    assert_eq!(
        (labels.labels[0].name.as_str(), labels.labels[0].tasks),
        ("errand", 2)
    );
}
