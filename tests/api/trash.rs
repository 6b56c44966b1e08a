//! The trash (Google AIP-164): delete, undelete, purge, retention.

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Reply, TestApp, id_of, ids_of, spawn_app};

async fn undelete(app: &TestApp, id: i64, if_match: Option<&str>) -> Reply {
    let mut request = app
        .client
        .post(app.url(&format!("/api/tasks/{id}/undelete")));
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    Reply::from(request.send().await.expect("sent")).await
}

async fn delete(app: &TestApp, path: &str, if_match: Option<&str>) -> Reply {
    let mut request = app.client.delete(app.url(path));
    if let Some(tag) = if_match {
        request = request.header("if-match", tag);
    }
    Reply::from(request.send().await.expect("sent")).await
}

#[tokio::test]
async fn a_deleted_task_is_gone_from_reads_but_kept_in_the_trash_and_undeletable() {
    let app = spawn_app().await;
    let kept = app.create("kept").await;
    let task = app.create("trashed").await;
    let id = id_of(&task);
    assert_eq!(app.delete_task(id).await.status, 204);
    app.get_task(id).await.problem(404);
    assert_eq!(app.put_task(id, &json!({ "title": "x" })).await.status, 404);
    assert_eq!(
        app.patch_task(id, &json!({ "done": true })).await.status,
        404
    );
    assert_eq!(
        app.delete_task(id).await.status,
        404,
        "already in the trash"
    );
    let page = app.get("/api/tasks").await.json();
    assert_eq!(
        (ids_of(&page), page["total"].clone()),
        (vec![id_of(&kept)], json!(1))
    );
    let all = app.get("/api/tasks?show_deleted=true").await.json();
    assert_eq!(ids_of(&all), [id_of(&kept), id]);
    assert!(all["items"][1]["deleted_at"].is_string(), "{all}");
    assert_eq!(all["items"][0]["deleted_at"], Value::Null);

    let restored = undelete(&app, id, None).await;
    assert_eq!(restored.status, 200, "{}", restored.text);
    let body = restored.json();
    assert_eq!(
        (id_of(&body), body["title"].clone()),
        (id, json!("trashed"))
    );
    assert_eq!(body["deleted_at"], Value::Null);
    let tag = restored.header("etag").unwrap_or_default().to_owned();
    assert_eq!(
        tag,
        format!("\"{id}-3\""),
        "created 1, trashed 2, restored 3"
    );
    let fetched = app.get_task(id).await;
    assert_eq!(fetched.json(), body);
    undelete(&app, id, None).await.problem(409);
    undelete(&app, id + 100, None).await.problem(404);
}

#[tokio::test]
async fn if_match_guards_trash_undelete_and_purge() {
    let app = spawn_app().await;
    let id = id_of(&app.create("guarded").await);
    let path = format!("/api/tasks/{id}");
    delete(&app, &path, Some("\"1-9\"")).await.problem(412);
    assert_eq!(
        delete(&app, &path, Some(&format!("\"{id}-1\"")))
            .await
            .status,
        204
    );
    undelete(&app, id, Some(&format!("\"{id}-1\"")))
        .await
        .problem(412);
    assert_eq!(
        undelete(&app, id, Some(&format!("\"{id}-2\"")))
            .await
            .status,
        200
    );
    let purge = format!("{path}?purge=true");
    delete(&app, &purge, Some(&format!("\"{id}-2\"")))
        .await
        .problem(412);
    assert_eq!(
        delete(&app, &purge, Some(&format!("\"{id}-3\"")))
            .await
            .status,
        204
    );
    undelete(&app, id, None).await.problem(404);
}

#[tokio::test]
async fn purge_removes_for_good_from_the_list_or_the_trash() {
    let app = spawn_app().await;
    let live = id_of(&app.create("live").await);
    let trashed = id_of(&app.create("trashed").await);
    assert_eq!(app.delete_task(trashed).await.status, 204);
    for id in [live, trashed] {
        let reply = delete(&app, &format!("/api/tasks/{id}?purge=true"), None).await;
        assert_eq!(reply.status, 204, "{}", reply.text);
        undelete(&app, id, None).await.problem(404);
    }
    let all = app.get("/api/tasks?show_deleted=true").await.json();
    assert_eq!(all["total"], 0);
    let bad = app
        .request(
            Method::DELETE,
            &format!("/api/tasks/{live}?purge=maybe"),
            None,
            None,
        )
        .await;
    assert_eq!(bad.invalid_fields(), ["purge"]);
}

#[tokio::test]
async fn the_trash_is_emptied_after_the_retention() {
    let app = spawn_app().await;
    let old = id_of(&app.create("old").await);
    assert_eq!(app.delete_task(old).await.status, 204);
    let cutoff = tasks_api::domain::Timestamp::now();
    let recent = id_of(&app.create("recent").await);
    assert_eq!(app.delete_task(recent).await.status, 204);
    let purged = tasks_api::db::tasks::purge_trash_of_every_owner(&app.db().await, cutoff)
        .await
        .expect("purge");
    assert_eq!(purged, 1);
    undelete(&app, old, None).await.problem(404);
    assert_eq!(undelete(&app, recent, None).await.status, 200);
}

#[tokio::test]
async fn another_owners_trash_is_invisible() {
    let alice = spawn_app().await;
    let bob = alice.as_owner("bob").await;
    let id = id_of(&alice.create("alice's").await);
    assert_eq!(alice.delete_task(id).await.status, 204);
    undelete(&bob, id, None).await.problem(404);
    assert_eq!(
        bob.get("/api/tasks?show_deleted=true").await.json()["total"],
        0
    );
    assert_eq!(
        delete(&bob, &format!("/api/tasks/{id}?purge=true"), None)
            .await
            .status,
        404
    );
    assert_eq!(undelete(&alice, id, None).await.status, 200);
}

#[tokio::test]
async fn the_feed_gives_a_trashed_task_the_etag_a_conditional_undelete_needs() {
    let app = spawn_app().await;
    let id = id_of(&app.create("to the trash").await);
    let gone = id_of(&app.create("for good").await);
    let (_, token) = {
        let page = app.get("/api/tasks/changes").await.json();
        ((), page["next_since"].as_str().expect("since").to_owned())
    };
    assert_eq!(app.delete_task(id).await.status, 204);
    assert_eq!(
        delete(&app, &format!("/api/tasks/{gone}?purge=true"), None)
            .await
            .status,
        204
    );
    let page = app
        .get(&format!("/api/tasks/changes?since={token}"))
        .await
        .json();
    let tombstone = |of: i64| {
        page["changes"]
            .as_array()
            .and_then(|c| c.iter().find(|c| c["id"] == of).cloned())
            .unwrap_or_else(|| panic!("no tombstone of {of}: {page}"))
    };
    let trashed = tombstone(id);
    assert_eq!(trashed["deleted"], true);
    let tag = trashed["etag"]
        .as_str()
        .expect("a trashed task's etag")
        .to_owned();
    assert!(
        tombstone(gone).get("etag").is_none(),
        "a task removed for good has no version"
    );
    // A stale tag is refused; the feed's tag restores it.
    undelete(&app, id, Some(&format!("\"{id}-1\"")))
        .await
        .problem(412);
    let restored = undelete(&app, id, Some(&tag)).await;
    assert_eq!(restored.status, 200, "{}", restored.text);
}
