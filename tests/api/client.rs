//! The server driven through the Rust client progenitor generates from
//! `openapi.yaml` (the `tasks-api-client` crate, builder style): what a
//! Rust user gets.

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
        list_id: None,
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
            .create_task()
            .body(input(&format!("Task {i}")))
            .send()
            .await
            .expect("201");
        assert_eq!(created.status(), 201);
        assert_eq!(created.title.as_str(), format!("Task {i}"));
    }
    let page = client
        .list_tasks()
        .page(2u64)
        .per_page(5u64)
        .send()
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
        .create_task()
        .body(input("Write SDK docs"))
        .send()
        .await
        .expect("201");
    let etag = created.headers()["etag"].to_str().expect("etag").to_owned();
    let task = created.into_inner();
    let fetched = client
        .get_task()
        .id(task.id)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(
        serde_json::to_value(&fetched).expect("json"),
        serde_json::to_value(&task).expect("json")
    );

    let replaced = client
        .replace_task()
        .id(task.id)
        .if_match(&etag)
        .body(TaskInput {
            done: true,
            ..input("Rewritten")
        })
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(
        (replaced.title.as_str(), replaced.done),
        ("Rewritten", true)
    );

    let stale = problem(
        client
            .replace_task()
            .id(task.id)
            .if_match(&etag)
            .body(input("late"))
            .send()
            .await,
    );
    assert_eq!(stale.status, 412);
    assert_eq!(stale.type_, "urn:tasks-api:problem:precondition-failed");

    let patch = TaskPatch {
        title: Some("Patched".try_into().expect("title")),
        ..TaskPatch::default()
    };
    let patched = client
        .update_task()
        .id(task.id)
        .body(patch)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!((patched.title.as_str(), patched.done), ("Patched", true));

    let deleted = client.delete_task().id(task.id).send().await.expect("204");
    assert_eq!(deleted.status(), 204);

    let missing = problem(client.get_task().id(task.id).send().await);
    assert_eq!(missing.status, 404);
    assert_eq!(missing.type_, "urn:tasks-api:problem:task-not-found");

    let invalid = problem(client.list_tasks().per_page(500u64).send().await);
    assert_eq!(invalid.status, 400);
    assert_eq!(invalid.errors.len(), 1);
    assert_eq!(invalid.errors[0].parameter.as_deref(), Some("per_page"));
    assert!(missing.errors.is_empty());
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
    use tasks_api_client::types::{Change, ChangePage, Task};

    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");
    let mut ids = Vec::new();
    for i in 1..=5 {
        let created = client
            .create_task()
            .body(input(&format!("Task {i}")))
            .send()
            .await
            .expect("201");
        ids.push(created.id);
    }
    let mut replica = BTreeMap::new();
    // The feed's entries are typed by kind: a changed task carries the
    // task, a tombstone its deletion time.
    fn apply(replica: &mut BTreeMap<i64, Task>, page: &ChangePage) {
        for change in &page.changes {
            match change {
                Change::ChangedTask(changed) => replica.insert(changed.id, changed.task.clone()),
                Change::Tombstone(gone) => replica.remove(&gone.id),
            };
        }
    }
    let mut since: Option<String> = None;
    loop {
        let mut request = client.list_changes().per_page(2u64);
        if let Some(token) = &since {
            request = request.since(token.as_str());
        }
        let page = request.send().await.expect("200");
        apply(&mut replica, &page);
        since = Some(page.next_since.clone());
        if !page.has_more {
            break;
        }
    }
    assert_eq!(replica.keys().copied().collect::<Vec<_>>(), ids);

    client.delete_task().id(ids[0]).send().await.expect("204");
    let token = since.expect("a token");
    let page = client
        .list_changes()
        .since(token.as_str())
        .send()
        .await
        .expect("200");
    apply(&mut replica, &page);
    let [Change::Tombstone(gone)] = page.changes.as_slice() else {
        panic!("one tombstone expected, got {:?}", page.changes)
    };
    assert_eq!(gone.id, ids[0]);
    assert!(
        gone.etag.is_some(),
        "a trashed task's tombstone has its etag"
    );
    assert_eq!(replica.keys().copied().collect::<Vec<_>>(), ids[1..]);

    let expired = problem(client.list_changes().since("AQ").send().await);
    assert_eq!(expired.status, 400);
}

#[tokio::test]
async fn generated_client_clears_nullable_members_with_a_merge_patch() {
    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");
    let due = chrono::DateTime::parse_from_rfc3339("2027-01-02T03:04:05Z")
        .expect("an instant")
        .to_utc();
    let task = client
        .create_task()
        .body(TaskInput {
            description: Some("notes".try_into().expect("a description")),
            due_at: Some(due),
            ..input("Clear me")
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(task.due_at, Some(due));

    // `None` leaves a member out; `Some(None)` sends `null`, which clears.
    let kept = client
        .update_task()
        .id(task.id)
        .body(TaskPatch {
            done: Some(true),
            ..TaskPatch::default()
        })
        .send()
        .await
        .expect("200");
    assert_eq!(
        kept.description.as_deref().map(|d| d.as_str()),
        Some("notes")
    );
    assert_eq!(kept.due_at, Some(due));
    let cleared = client
        .update_task()
        .id(task.id)
        .body(TaskPatch {
            description: Some(None),
            due_at: Some(None),
            ..TaskPatch::default()
        })
        .send()
        .await
        .expect("200");
    assert_eq!((cleared.description.as_ref(), cleared.due_at), (None, None));
    assert!(cleared.done);
}

#[tokio::test]
async fn generated_client_sends_a_batch_built_from_the_operation_types() {
    use tasks_api_client::types::{
        BatchOperation, BatchOperationBatchCreate, BatchOperationBatchCreateOp,
        BatchOperationBatchDelete, BatchOperationBatchDeleteOp, BatchOperationBatchUpdate,
        BatchOperationBatchUpdateOp, BatchRequest,
    };
    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");
    let first = client
        .create_task()
        .body(input("first"))
        .send()
        .await
        .expect("201");
    let etag = first.headers()["etag"].to_str().expect("etag").to_owned();
    let operations: Vec<BatchOperation> = vec![
        BatchOperationBatchCreate {
            op: BatchOperationBatchCreateOp::Create,
            task: input("second"),
        }
        .into(),
        BatchOperationBatchUpdate {
            op: BatchOperationBatchUpdateOp::Update,
            id: first.id,
            if_match: Some(etag),
            task: TaskPatch {
                done: Some(true),
                ..TaskPatch::default()
            },
        }
        .into(),
        BatchOperationBatchDelete {
            op: BatchOperationBatchDeleteOp::Delete,
            id: first.id,
            if_match: None,
        }
        .into(),
    ];
    let done = client
        .batch_tasks()
        .body(BatchRequest { operations })
        .send()
        .await
        .expect("200")
        .into_inner();
    let statuses: Vec<u16> = done.results.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [201, 200, 204]);
    let created = done.results[0].task.as_ref().expect("the created task");
    assert_eq!(created.title.as_str(), "second");
    assert!(done.results[1].task.as_ref().is_some_and(|t| t.done));
}

#[tokio::test]
async fn generated_client_nests_moves_and_labels_tasks() {
    use tasks_api_client::types::{MoveBefore, Sort};
    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");
    let parent = client
        .create_task()
        .body(input("parent"))
        .send()
        .await
        .expect("201")
        .into_inner();
    let mut children = Vec::new();
    for title in ["one", "two"] {
        let mut body = input(title);
        body.parent_id = Some(parent.id);
        body.labels = vec!["Errand".try_into().expect("a valid label")];
        let child = client
            .create_task()
            .body(body)
            .send()
            .await
            .expect("201")
            .into_inner();
        assert_eq!(child.parent_id, Some(parent.id));
        assert_eq!(child.labels[0].as_str(), "errand");
        children.push(child);
    }
    // A move is one of three shapes; `MoveBefore` has no `after_id` to set.
    let moved = client
        .move_task()
        .id(children[1].id)
        .body(MoveBefore {
            parent_id: Some(parent.id),
            list_id: None,
            after_id: (),
            before_id: children[0].id,
        })
        .send()
        .await
        .expect("200")
        .into_inner();
    assert!(moved.position < children[0].position);
    let ordered = client
        .list_tasks()
        .parent_id(parent.id.to_string())
        .sort(Sort::Position)
        .send()
        .await
        .expect("200")
        .into_inner();
    let titles: Vec<&str> = ordered.items.iter().map(|t| t.title.as_str()).collect();
    assert_eq!(titles, ["two", "one"]);
    let labels = client.list_labels().send().await.expect("200").into_inner();
    assert_eq!(labels.labels.len(), 1);
    assert_eq!(
        (labels.labels[0].name.as_str(), labels.labels[0].tasks),
        ("errand", 2)
    );
}

#[tokio::test]
async fn generated_client_makes_a_scoped_key_and_reads_the_403() {
    use tasks_api_client::types::{KeyRequest, Scope};
    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");
    let me = client.get_me().send().await.expect("200");
    assert!(me.credential.scopes.contains(&Scope::Admin));
    let made = client
        .create_key()
        .body(KeyRequest {
            name: "widget".try_into().expect("a name"),
            scopes: vec![Scope::TasksRead],
            expires_at: None,
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(made.scopes, [Scope::TasksRead]);
    let widget = tasks_api_client::with_api_key(&app.base, &made.key).expect("client");
    widget.list_tasks().send().await.expect("200");
    let refused = problem(widget.create_task().body(input("no")).send().await);
    assert_eq!(refused.status, 403);
    assert_eq!(refused.type_, "urn:tasks-api:problem:insufficient-scope");
    client.revoke_key().id(made.id).send().await.expect("204");
    let revoked = problem(widget.list_tasks().send().await);
    assert_eq!(revoked.status, 401);
}

#[tokio::test]
async fn generated_client_shares_a_list_and_moves_a_task_into_it() {
    use tasks_api_client::types::{ListInput, MoveLast, Role, RoleInput};
    let app = spawn_app().await;
    let client = tasks_api_client::with_api_key(&app.base, &app.key).expect("client");
    let list = client
        .create_list()
        .body(ListInput {
            title: "Groceries".try_into().expect("title"),
        })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(list.role, Role::Owner);
    let ben = app.as_owner("ben").await;
    let members = client
        .set_member()
        .list_id(list.id)
        .owner("ben")
        .body(RoleInput { role: Role::Viewer })
        .send()
        .await
        .expect("201")
        .into_inner();
    assert_eq!(members.members.len(), 2);
    let task = client
        .create_task()
        .body(input("milk"))
        .send()
        .await
        .expect("201")
        .into_inner();
    let moved = client
        .move_task()
        .id(task.id)
        .body(MoveLast {
            parent_id: None,
            list_id: Some(list.id),
            after_id: (),
            before_id: (),
        })
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(moved.list_id, list.id);
    let bens = tasks_api_client::with_api_key(&app.base, &ben.key).expect("client");
    let seen = bens
        .list_tasks()
        .list_id(list.id)
        .send()
        .await
        .expect("200")
        .into_inner();
    assert_eq!(seen.items.len(), 1);
    let refused = problem(
        bens.update_task()
            .id(task.id)
            .body(TaskPatch::default())
            .send()
            .await,
    );
    assert_eq!(refused.status, 403);
    assert_eq!(refused.type_, "urn:tasks-api:problem:role-needed");
    let lists = bens.list_lists().send().await.expect("200").into_inner();
    assert!(
        lists
            .items
            .iter()
            .any(|l| l.id == list.id && l.role == Role::Viewer)
    );
}
