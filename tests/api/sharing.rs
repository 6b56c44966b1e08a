//! Lists and sharing over HTTP: lists made, renamed, trashed, restored and
//! purged; tasks placed in lists; members and their roles; who may do what
//! (the role × operation matrix); moves between lists.

use reqwest::Method;
use serde_json::{Value, json};
use tasks_api::auth::scope::Scope;
use tasks_api::auth::store::Grant;

use crate::helpers::{Reply, TestApp, id_of, ids_of, spawn_app};

/// An owner's list shared with an editor and a viewer; a stranger; and a
/// key of the owner that may only read.
pub(crate) struct Crew {
    pub owner: TestApp,
    pub editor: TestApp,
    pub viewer: TestApp,
    pub stranger: TestApp,
    pub reader: TestApp,
    pub list: i64,
}

pub(crate) async fn make_list(app: &TestApp, title: &str) -> i64 {
    let made = app
        .send_json(Method::POST, "/api/lists", &json!({ "title": title }))
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    made.json()["id"].as_i64().expect("list id")
}

pub(crate) async fn set_role(app: &TestApp, list: i64, member: &str, role: &str) -> Reply {
    app.send_json(
        Method::PUT,
        &format!("/api/lists/{list}/members/{member}"),
        &json!({ "role": role }),
    )
    .await
}

pub(crate) async fn crew(app: &TestApp, tag: &str) -> Crew {
    let owner = app.as_owner(&format!("olivia {tag}")).await;
    let editor = app.as_owner(&format!("edgar {tag}")).await;
    let viewer = app.as_owner(&format!("vera {tag}")).await;
    let stranger = app.as_owner(&format!("sam {tag}")).await;
    let read_only = Grant {
        scopes: [Scope::TasksRead].into_iter().collect(),
        expires_at: None,
    };
    let reader = app.with_key(&app.make_key_with(&format!("olivia {tag}"), read_only).await);
    let list = make_list(&owner, &format!("shared {tag}")).await;
    for (name, role) in [("edgar", "editor"), ("vera", "viewer")] {
        let added = set_role(&owner, list, &format!("{name} {tag}"), role).await;
        assert_eq!(added.status, 201, "{}", added.text);
    }
    Crew {
        owner,
        editor,
        viewer,
        stranger,
        reader,
        list,
    }
}

async fn task_in(app: &TestApp, list: i64, title: &str) -> Value {
    let made = app
        .post_task(&json!({ "title": title, "list_id": list }))
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    made.json()
}

#[tokio::test]
async fn lists_are_made_renamed_trashed_restored_and_purged_with_their_tasks() {
    let app = spawn_app().await;
    let lists = app.get("/api/lists").await;
    assert_eq!(lists.status, 200, "{}", lists.text);
    let items = lists.json()["items"].clone();
    assert_eq!(items.as_array().map(Vec::len), Some(1), "only the inbox");
    assert_eq!(items[0]["inbox"], true);
    assert_eq!(items[0]["role"], "owner");
    let inbox = items[0]["id"].as_i64().expect("inbox id");

    let made = app
        .send_json(
            Method::POST,
            "/api/lists",
            &json!({ "title": "  Groceries " }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let list = made.json()["id"].as_i64().expect("id");
    assert_eq!(made.json()["title"], "Groceries");
    assert_eq!(made.json()["inbox"], false);
    assert_eq!(
        made.header("location"),
        Some(&*format!("/api/lists/{list}"))
    );
    let tag = made.header("etag").expect("etag").to_owned();
    let fetched = app.get(&format!("/api/lists/{list}")).await;
    assert_eq!(fetched.json(), made.json());
    let cached = app
        .call(
            Method::GET,
            &format!("/api/lists/{list}"),
            None,
            Some(("if-none-match", &tag)),
        )
        .await;
    assert_eq!(cached.status, 304);

    let milk = task_in(&app, list, "milk").await;
    let plain = app.create("in the inbox").await;
    assert_eq!(plain["list_id"], inbox, "no list_id: the inbox");
    assert_eq!(milk["list_id"], list);
    assert_eq!(app.get("/api/tasks").await.json()["total"], 2, "every list");
    let only = app.get(&format!("/api/tasks?list_id={list}")).await.json();
    assert_eq!(ids_of(&only), [id_of(&milk)]);
    assert_eq!(only["total"], 1);

    let stale = app
        .call(
            Method::PATCH,
            &format!("/api/lists/{list}"),
            Some(json!({ "title": "x" })),
            Some(("if-match", "\"list-1-99\"")),
        )
        .await;
    assert_eq!(stale.status, 412, "{}", stale.text);
    let renamed = app
        .call(
            Method::PATCH,
            &format!("/api/lists/{list}"),
            Some(json!({ "title": "Shopping" })),
            Some(("if-match", &tag)),
        )
        .await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    assert_eq!(renamed.json()["title"], "Shopping");
    assert_ne!(renamed.header("etag"), Some(&*tag));

    let no_inbox_delete = app
        .call(Method::DELETE, &format!("/api/lists/{inbox}"), None, None)
        .await;
    assert_eq!(
        no_inbox_delete.problem(409)["type"],
        "urn:tasks-api:problem:inbox"
    );

    let trashed = app
        .call(Method::DELETE, &format!("/api/lists/{list}"), None, None)
        .await;
    assert_eq!(trashed.status, 204, "{}", trashed.text);
    assert_eq!(app.get(&format!("/api/lists/{list}")).await.status, 404);
    assert_eq!(
        app.get_task(id_of(&milk)).await.status,
        404,
        "its tasks go too"
    );
    assert_eq!(app.get("/api/tasks").await.json()["total"], 1);
    let writes = app.patch_task(id_of(&milk), &json!({ "done": true })).await;
    assert_eq!(writes.status, 404, "a trashed list's tasks take no writes");

    let back = app
        .call(
            Method::POST,
            &format!("/api/lists/{list}/undelete"),
            None,
            None,
        )
        .await;
    assert_eq!(back.status, 200, "{}", back.text);
    assert_eq!(back.json()["deleted_at"], Value::Null);
    assert_eq!(app.get_task(id_of(&milk)).await.json(), milk, "as it was");
    assert_eq!(app.get("/api/tasks").await.json()["total"], 2);

    let purged = app
        .call(
            Method::DELETE,
            &format!("/api/lists/{list}?purge=true"),
            None,
            None,
        )
        .await;
    assert_eq!(purged.status, 204, "{}", purged.text);
    let again = app
        .call(
            Method::POST,
            &format!("/api/lists/{list}/undelete"),
            None,
            None,
        )
        .await;
    assert_eq!(again.status, 404, "gone for good");
    assert_eq!(app.get_task(id_of(&milk)).await.status, 404);
    assert_eq!(app.get("/api/tasks").await.json()["total"], 1);
}

#[tokio::test]
async fn tasks_go_to_the_list_named_their_parents_list_or_the_inbox() {
    let app = spawn_app().await;
    let work = make_list(&app, "Work").await;
    let home = make_list(&app, "Home").await;
    let report = task_in(&app, work, "report").await;
    let child = app
        .post_task(&json!({ "title": "charts", "parent_id": id_of(&report) }))
        .await;
    assert_eq!(child.status, 201, "{}", child.text);
    assert_eq!(
        child.json()["list_id"],
        work,
        "a subtask goes with its parent"
    );
    let elsewhere = app
        .post_task(&json!({ "title": "x", "parent_id": id_of(&report), "list_id": home }))
        .await;
    assert_eq!(
        elsewhere.invalid_fields(),
        ["#/parent_id"],
        "{}",
        elsewhere.text
    );
    let unknown = app
        .post_task(&json!({ "title": "x", "list_id": 999_999 }))
        .await;
    assert_eq!(unknown.invalid_fields(), ["#/list_id"], "{}", unknown.text);
    let not_null = app
        .post_task(&json!({ "title": "x", "list_id": null }))
        .await;
    assert_eq!(
        not_null.invalid_fields(),
        ["#/list_id"],
        "{}",
        not_null.text
    );
    let moved_by_put = app
        .put_task(
            id_of(&report),
            &json!({ "title": "report", "list_id": home }),
        )
        .await;
    assert_eq!(
        moved_by_put.invalid_fields(),
        ["#/list_id"],
        "{}",
        moved_by_put.text
    );
    let same_list = app
        .put_task(
            id_of(&report),
            &json!({ "title": "report v2", "list_id": work }),
        )
        .await;
    assert_eq!(same_list.status, 200, "{}", same_list.text);

    let labelled = app
        .post_task(&json!({ "title": "paint", "list_id": home, "labels": ["diy"] }))
        .await;
    assert_eq!(labelled.status, 201);
    let everywhere = app.get("/api/labels").await.json();
    assert_eq!(everywhere["labels"][0]["name"], "diy");
    let at_work = app.get(&format!("/api/labels?list_id={work}")).await.json();
    assert_eq!(at_work["labels"], json!([]));
    let bad = app.get("/api/labels?list_id=abc").await;
    assert_eq!(bad.invalid_fields(), ["list_id"]);
    let unseen = app.get("/api/tasks?list_id=999999").await;
    assert_eq!(unseen.invalid_fields(), ["list_id"]);
    let cursor_page = app
        .get(&format!("/api/tasks?list_id={work}&per_page=1&sort=id"))
        .await
        .json();
    let cursor = cursor_page["next_cursor"].as_str().expect("a cursor");
    let other_list = app
        .get(&format!(
            "/api/tasks?list_id={home}&per_page=1&sort=id&cursor={cursor}"
        ))
        .await;
    assert_eq!(
        other_list.invalid_fields(),
        ["cursor"],
        "a cursor belongs to its list"
    );
}

#[tokio::test]
async fn members_are_added_changed_and_removed_and_a_list_keeps_an_owner() {
    let app = spawn_app().await;
    let c = crew(&app, "m").await;
    let members = c
        .viewer
        .get(&format!("/api/lists/{}/members", c.list))
        .await;
    assert_eq!(members.status, 200, "{}", members.text);
    let roles: Vec<(String, String)> = members.json()["members"]
        .as_array()
        .expect("members")
        .iter()
        .map(|m| {
            (
                m["name"].as_str().unwrap_or_default().to_owned(),
                m["role"].as_str().unwrap_or_default().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        roles,
        [
            ("olivia m".to_owned(), "owner".to_owned()),
            ("edgar m".to_owned(), "editor".to_owned()),
            ("vera m".to_owned(), "viewer".to_owned()),
        ]
    );
    assert_eq!(
        c.stranger
            .get(&format!("/api/lists/{}/members", c.list))
            .await
            .status,
        404
    );
    let demote_last = set_role(&c.owner, c.list, "olivia m", "editor").await;
    assert_eq!(
        demote_last.problem(409)["type"],
        "urn:tasks-api:problem:last-owner"
    );
    let leave_last = c
        .owner
        .call(
            Method::DELETE,
            &format!("/api/lists/{}/members/olivia m", c.list),
            None,
            None,
        )
        .await;
    assert_eq!(leave_last.status, 409);
    let by_editor = set_role(&c.editor, c.list, "sam m", "viewer").await;
    assert_eq!(
        by_editor.problem(403)["type"],
        "urn:tasks-api:problem:role-needed"
    );
    let nobody = set_role(&c.owner, c.list, "nobody at all", "viewer").await;
    assert_eq!(nobody.status, 404, "{}", nobody.text);
    let bad_role = set_role(&c.owner, c.list, "sam m", "admin").await;
    assert_eq!(bad_role.invalid_fields(), ["#/role"]);
    let same = set_role(&c.owner, c.list, "vera m", "viewer").await;
    assert_eq!(same.status, 200, "giving the role it has changes nothing");
    let promoted = set_role(&c.owner, c.list, "edgar m", "owner").await;
    assert_eq!(promoted.status, 200);
    let now_owner = set_role(&c.editor, c.list, "olivia m", "viewer").await;
    assert_eq!(now_owner.status, 200, "another owner may demote the first");
    let left = c
        .viewer
        .call(
            Method::DELETE,
            &format!("/api/lists/{}/members/vera m", c.list),
            None,
            None,
        )
        .await;
    assert_eq!(left.status, 204, "a member may leave");
    assert_eq!(
        c.viewer.get(&format!("/api/lists/{}", c.list)).await.status,
        404
    );

    let inbox = app.get("/api/lists").await.json()["items"][0]["id"]
        .as_i64()
        .expect("inbox");
    let share_inbox = set_role(&app, inbox, "sam m", "viewer").await;
    assert_eq!(
        share_inbox.problem(409)["type"],
        "urn:tasks-api:problem:inbox"
    );
}

/// What each caller gets for each operation on the shared list and its
/// tasks: the owner and the editor write, the viewer reads (403 naming the
/// role on a write), the stranger gets what a list or task that never
/// existed gives, and the owner's read-only key is refused writes by its
/// scope first.
#[tokio::test]
async fn the_role_and_operation_matrix_answers_exactly() {
    let app = spawn_app().await;
    let c = crew(&app, "x").await;
    let other = make_list(&c.owner, "elsewhere").await;
    let shared_with_editor = set_role(&c.owner, other, "edgar x", "editor").await;
    assert_eq!(shared_with_editor.status, 201);
    let actors = [
        ("owner", &c.owner),
        ("editor", &c.editor),
        ("viewer", &c.viewer),
        ("stranger", &c.stranger),
        ("read-only key", &c.reader),
    ];
    // (operation, [owner, editor, viewer, stranger, read-only key])
    type Op = fn(i64, i64, i64) -> (Method, String, Option<Value>);
    let table: Vec<(&str, Op, [u16; 5])> = vec![
        (
            "get list",
            |l, _, _| (Method::GET, format!("/api/lists/{l}"), None),
            [200, 200, 200, 404, 200],
        ),
        (
            "list members",
            |l, _, _| (Method::GET, format!("/api/lists/{l}/members"), None),
            [200, 200, 200, 404, 200],
        ),
        (
            "list feed",
            |l, _, _| (Method::GET, format!("/api/lists/{l}/changes"), None),
            [200, 200, 200, 404, 200],
        ),
        (
            "list tasks",
            |l, _, _| (Method::GET, format!("/api/tasks?list_id={l}"), None),
            [200, 200, 200, 400, 200],
        ),
        (
            "labels",
            |l, _, _| (Method::GET, format!("/api/labels?list_id={l}"), None),
            [200, 200, 200, 400, 200],
        ),
        (
            "get task",
            |_, t, _| (Method::GET, format!("/api/tasks/{t}"), None),
            [200, 200, 200, 404, 200],
        ),
        (
            "create task",
            |l, _, _| {
                (
                    Method::POST,
                    "/api/tasks".into(),
                    Some(json!({ "title": "new", "list_id": l })),
                )
            },
            [201, 201, 403, 400, 403],
        ),
        (
            "replace task",
            |_, t, _| {
                (
                    Method::PUT,
                    format!("/api/tasks/{t}"),
                    Some(json!({ "title": "put" })),
                )
            },
            [200, 200, 403, 404, 403],
        ),
        (
            "update task",
            |_, t, _| {
                (
                    Method::PATCH,
                    format!("/api/tasks/{t}"),
                    Some(json!({ "done": true })),
                )
            },
            [200, 200, 403, 404, 403],
        ),
        (
            "move task",
            |_, t, _| {
                (
                    Method::POST,
                    format!("/api/tasks/{t}/move"),
                    Some(json!({})),
                )
            },
            [200, 200, 403, 404, 403],
        ),
        (
            "move to another list",
            |_, t, o| {
                (
                    Method::POST,
                    format!("/api/tasks/{t}/move"),
                    Some(json!({ "list_id": o })),
                )
            },
            [200, 200, 403, 404, 403],
        ),
        (
            "batch update",
            |_, t, _| {
                (
                    Method::POST,
                    "/api/tasks/batch".into(),
                    Some(
                        json!({ "operations": [{ "op": "update", "id": t, "task": { "done": true } }] }),
                    ),
                )
            },
            [200, 200, 403, 404, 403],
        ),
        (
            "delete task",
            |_, t, _| (Method::DELETE, format!("/api/tasks/{t}"), None),
            [204, 204, 403, 404, 403],
        ),
        (
            "purge task",
            |_, t, _| (Method::DELETE, format!("/api/tasks/{t}?purge=true"), None),
            [204, 204, 403, 404, 403],
        ),
        (
            "rename list",
            |l, _, _| {
                (
                    Method::PATCH,
                    format!("/api/lists/{l}"),
                    Some(json!({ "title": "renamed" })),
                )
            },
            [200, 403, 403, 404, 403],
        ),
        (
            "add member",
            |l, _, _| {
                (
                    Method::PUT,
                    format!("/api/lists/{l}/members/1"),
                    Some(json!({ "role": "viewer" })),
                )
            },
            [201, 403, 403, 404, 403],
        ),
    ];
    for (name, op, expected) in &table {
        for ((who, actor), status) in actors.iter().zip(expected) {
            let task = task_in(&c.owner, c.list, "subject").await;
            let (method, path, body) = op(c.list, id_of(&task), other);
            let reply = match body {
                Some(body) => actor.send_json(method, &path, &body).await,
                None => actor.call(method, &path, None, None).await,
            };
            assert_eq!(reply.status, *status, "{name} by the {who}: {}", reply.text);
            if *status == 403 && *who != "read-only key" {
                let problem = reply.json();
                assert_eq!(
                    problem["type"], "urn:tasks-api:problem:role-needed",
                    "{name}"
                );
            }
            // Put back what the owner's one-off operations changed.
            if *name == "add member" && *status == 201 {
                let removed = c
                    .owner
                    .call(
                        Method::DELETE,
                        &format!("/api/lists/{}/members/1", c.list),
                        None,
                        None,
                    )
                    .await;
                assert_eq!(removed.status, 204);
            }
        }
    }

    // Undelete, conditional writes and replays, per role.
    for ((who, actor), status) in actors.iter().zip([200u16, 200, 403, 404, 403]) {
        let task = task_in(&c.owner, c.list, "binned").await;
        let id = id_of(&task);
        assert_eq!(c.owner.delete_task(id).await.status, 204);
        let back = actor
            .call(
                Method::POST,
                &format!("/api/tasks/{id}/undelete"),
                None,
                None,
            )
            .await;
        assert_eq!(back.status, status, "undelete by the {who}: {}", back.text);
    }
    for ((who, actor), status) in actors.iter().zip([412u16, 412, 403, 412, 403]) {
        let task = task_in(&c.owner, c.list, "guarded").await;
        let stale = actor
            .call(
                Method::PATCH,
                &format!("/api/tasks/{}", id_of(&task)),
                Some(json!({ "done": true })),
                Some(("if-match", "\"1-999\"")),
            )
            .await;
        assert_eq!(
            stale.status, status,
            "stale If-Match by the {who}: {}",
            stale.text
        );
    }
    let key = ("idempotency-key", "matrix-1");
    let body = json!({ "title": "once", "list_id": c.list });
    let first = c
        .editor
        .call(Method::POST, "/api/tasks", Some(body.clone()), Some(key))
        .await;
    assert_eq!(first.status, 201, "{}", first.text);
    let replay = c
        .editor
        .call(Method::POST, "/api/tasks", Some(body.clone()), Some(key))
        .await;
    assert_eq!(replay.status, 201);
    assert_eq!(replay.header("idempotent-replayed"), Some("true"));
    let demoted = set_role(&c.owner, c.list, "edgar x", "viewer").await;
    assert_eq!(demoted.status, 200);
    let after = c
        .editor
        .call(Method::POST, "/api/tasks", Some(body), Some(key))
        .await;
    assert_eq!(
        after.status, 403,
        "a replay is checked like a new request: {}",
        after.text
    );
}

#[tokio::test]
async fn a_task_moves_to_another_list_with_its_subtree() {
    let app = spawn_app().await;
    let from = make_list(&app, "from").await;
    let to = make_list(&app, "to").await;
    let root = task_in(&app, from, "root").await;
    let child = app
        .post_task(&json!({ "title": "child", "parent_id": id_of(&root), "labels": ["x"] }))
        .await
        .json();
    let grandchild = app
        .post_task(&json!({ "title": "grandchild", "parent_id": id_of(&child), "done": true }))
        .await
        .json();
    let first_there = task_in(&app, to, "already there").await;
    let (_, token) = crate::changes::drain(&app, None, 100).await;

    let moved = app
        .send_json(
            Method::POST,
            &format!("/api/tasks/{}/move", id_of(&root)),
            &json!({ "list_id": to, "before_id": id_of(&first_there) }),
        )
        .await;
    assert_eq!(moved.status, 200, "{}", moved.text);
    assert_eq!(moved.json()["list_id"], to);
    assert_eq!(moved.json()["parent_id"], Value::Null);
    let in_to = app
        .get(&format!(
            "/api/tasks?list_id={to}&sort=position&parent_id=null"
        ))
        .await
        .json();
    assert_eq!(ids_of(&in_to), [id_of(&root), id_of(&first_there)]);
    for task in [&child, &grandchild] {
        let now = app.get_task(id_of(task)).await.json();
        assert_eq!(now["list_id"], to, "{now}");
        assert_eq!(
            now["parent_id"], task["parent_id"],
            "the subtree keeps its shape"
        );
    }
    let counted = |list: i64, done: &'static str| {
        let app = app.clone();
        async move {
            app.get(&format!("/api/tasks?list_id={list}{done}"))
                .await
                .json()["total"]
                .clone()
        }
    };
    assert_eq!(counted(from, "").await, 0);
    assert_eq!(counted(to, "").await, 4);
    assert_eq!(counted(to, "&done=true").await, 1);
    assert_eq!(
        app.get(&format!("/api/labels?list_id={to}")).await.json()["labels"][0]["tasks"],
        1
    );
    let (changes, _) = crate::changes::drain(&app, Some(&token), 100).await;
    // Per list in id order: the tombstones in `from`, the changes in `to`.
    let summary: Vec<(i64, bool, i64)> = changes
        .iter()
        .map(|c| {
            let list = c["list_id"]
                .as_i64()
                .or(c["task"]["list_id"].as_i64())
                .unwrap_or(0);
            (c["id"].as_i64().unwrap_or(0), c["deleted"] == true, list)
        })
        .collect();
    let ids = [id_of(&root), id_of(&child), id_of(&grandchild)];
    let mut expected: Vec<(i64, bool, i64)> = ids.iter().map(|&id| (id, true, from)).collect();
    expected.extend(ids.iter().map(|&id| (id, false, to)));
    assert_eq!(summary, expected);

    let viewer = app.as_owner("vic").await;
    assert_eq!(set_role(&app, from, "vic", "viewer").await.status, 201);
    let vics = make_list(&viewer, "vic's").await;
    assert_eq!(
        set_role(&viewer, vics, "default", "editor").await.status,
        201
    );
    let into_viewed = viewer
        .send_json(
            Method::POST,
            &format!("/api/tasks/{}/move", id_of(&root)),
            &json!({ "list_id": vics }),
        )
        .await;
    assert_eq!(into_viewed.status, 404, "vic does not see the task");
    let parent_elsewhere = app
        .send_json(
            Method::POST,
            &format!("/api/tasks/{}/move", id_of(&root)),
            &json!({ "list_id": from, "parent_id": id_of(&first_there) }),
        )
        .await;
    assert_eq!(
        parent_elsewhere.invalid_fields(),
        ["#/parent_id"],
        "{}",
        parent_elsewhere.text
    );
    let to_vics = app
        .send_json(
            Method::POST,
            &format!("/api/tasks/{}/move", id_of(&root)),
            &json!({ "list_id": vics }),
        )
        .await;
    assert_eq!(
        to_vics.status, 200,
        "an editor of both lists moves: {}",
        to_vics.text
    );
    assert_eq!(viewer.get_task(id_of(&grandchild)).await.status, 200);
}

/// A page of every list the caller sees reads the lists it last saw and
/// checks them in the same statement: a list shared or unshared a moment
/// ago is in (or out of) the very next page.
#[tokio::test]
async fn the_next_page_after_a_share_or_removal_shows_it_at_once() {
    let app = spawn_app().await;
    let guest = app.as_owner("guest").await;
    guest.create("mine").await;
    let list = make_list(&app, "shared").await;
    task_in(&app, list, "theirs").await;
    let titles = |page: Value| -> Vec<String> { crate::helpers::titles_of(&page) };
    assert_eq!(
        titles(guest.get("/api/tasks?page=1").await.json()),
        ["mine"]
    );
    assert_eq!(set_role(&app, list, "guest", "viewer").await.status, 201);
    let both = guest.get("/api/tasks?page=1&sort=title").await.json();
    assert_eq!(titles(both.clone()), ["mine", "theirs"]);
    assert_eq!(both["total"], 2);
    let removed = app
        .call(
            Method::DELETE,
            &format!("/api/lists/{list}/members/guest"),
            None,
            None,
        )
        .await;
    assert_eq!(removed.status, 204);
    let page = guest.get("/api/tasks?page=1").await.json();
    assert_eq!(titles(page.clone()), ["mine"]);
    assert_eq!(page["total"], 1);
    // A trashed list goes the same way for its members.
    assert_eq!(set_role(&app, list, "guest", "viewer").await.status, 201);
    assert_eq!(guest.get("/api/tasks?page=1").await.json()["total"], 2);
    let trashed = app
        .call(Method::DELETE, &format!("/api/lists/{list}"), None, None)
        .await;
    assert_eq!(trashed.status, 204);
    assert_eq!(guest.get("/api/tasks?page=1").await.json()["total"], 1);
    assert_eq!(
        guest.get("/api/tasks?page=9").await.json()["total"],
        1,
        "past the end too"
    );
}
