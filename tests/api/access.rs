//! Accounts and access over HTTP: scopes (every operation × every scope),
//! expiry, `/api/me`, self-service keys, provisioning owners, disabling
//! them, and the audit trail.

use reqwest::Method;
use serde_json::{Value, json};
use tasks_api::auth::scope::{Scope, Scopes};
use tasks_api::auth::store::Grant;
use tasks_api::domain::Timestamp;

use crate::helpers::{Reply, TestApp, spawn_app, spawn_app_with};

/// A key of the default owner holding exactly `scopes`.
async fn key_with(app: &TestApp, scopes: &[Scope]) -> TestApp {
    let grant = Grant {
        scopes: scopes.iter().copied().collect(),
        expires_at: None,
    };
    let key = app.make_key_with("default", grant).await;
    app.with_key(&key)
}

async fn send(app: &TestApp, method: Method, path: &str, body: Option<Value>) -> Reply {
    match body {
        Some(body) => app.send_json(method, path, &body).await,
        None => app.request(method, path, None, None).await,
    }
}

/// One operation of the contract: how to call it successfully, given
/// what `setup` made with an all-scopes key.
struct Call {
    operation: &'static str,
    scope: Option<Scope>,
    method: Method,
    path: String,
    body: Option<Value>,
    status: u16,
}

/// Makes what each operation needs and returns every authenticated
/// operation, callable once.
async fn calls(admin: &TestApp, round: usize) -> Vec<Call> {
    let task = |title: String| async move {
        let created = admin.post_task(&json!({ "title": title })).await;
        assert_eq!(created.status, 201, "{}", created.text);
        created.json()["id"].as_i64().expect("id")
    };
    let (a, b, c, d) = (
        task(format!("a{round}")).await,
        task(format!("b{round}")).await,
        task(format!("c{round}")).await,
        task(format!("d{round}")).await,
    );
    let trashed = task(format!("trashed{round}")).await;
    assert_eq!(admin.delete_task(trashed).await.status, 204);
    let made = admin
        .send_json(
            Method::POST,
            "/api/keys",
            &json!({ "name": format!("to revoke {round}"), "scopes": ["tasks:read"] }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let key_id = made.json()["id"].as_i64().expect("key id");
    let owner = admin
        .send_json(
            Method::POST,
            "/api/owners",
            &json!({ "name": format!("someone {round}") }),
        )
        .await;
    assert_eq!(owner.status, 201, "{}", owner.text);
    let owner_id = owner.json()["id"].as_i64().expect("owner id");
    let list = |title: String| async move {
        let made = admin
            .send_json(Method::POST, "/api/lists", &json!({ "title": title }))
            .await;
        assert_eq!(made.status, 201, "{}", made.text);
        made.json()["id"].as_i64().expect("list id")
    };
    let (shared, doomed, binned) = (
        list(format!("shared {round}")).await,
        list(format!("doomed {round}")).await,
        list(format!("binned {round}")).await,
    );
    let binning = admin
        .request(Method::DELETE, &format!("/api/lists/{binned}"), None, None)
        .await;
    assert_eq!(binning.status, 204, "{}", binning.text);
    let leaving = admin
        .send_json(
            Method::POST,
            "/api/owners",
            &json!({ "name": format!("leaving {round}") }),
        )
        .await;
    let leaving = leaving.json()["id"].as_i64().expect("owner id");
    let added = admin
        .send_json(
            Method::PUT,
            &format!("/api/lists/{shared}/members/{leaving}"),
            &json!({ "role": "editor" }),
        )
        .await;
    assert_eq!(added.status, 201, "{}", added.text);

    let call = |operation, scope, method, path: String, body, status| Call {
        operation,
        scope,
        method,
        path,
        body,
        status,
    };
    let read = Some(Scope::TasksRead);
    let write = Some(Scope::TasksWrite);
    let keys = Some(Scope::KeysManage);
    let admin_scope = Some(Scope::Admin);
    vec![
        call(
            "list_tasks",
            read,
            Method::GET,
            "/api/tasks".into(),
            None,
            200,
        ),
        call(
            "get_task",
            read,
            Method::GET,
            format!("/api/tasks/{a}"),
            None,
            200,
        ),
        call(
            "list_changes",
            read,
            Method::GET,
            "/api/tasks/changes".into(),
            None,
            200,
        ),
        call(
            "list_labels",
            read,
            Method::GET,
            "/api/labels".into(),
            None,
            200,
        ),
        call(
            "create_task",
            write,
            Method::POST,
            "/api/tasks".into(),
            Some(json!({ "title": "new" })),
            201,
        ),
        call(
            "replace_task",
            write,
            Method::PUT,
            format!("/api/tasks/{a}"),
            Some(json!({ "title": "put" })),
            200,
        ),
        call(
            "update_task",
            write,
            Method::PATCH,
            format!("/api/tasks/{b}"),
            Some(json!({ "done": true })),
            200,
        ),
        call(
            "move_task",
            write,
            Method::POST,
            format!("/api/tasks/{c}/move"),
            Some(json!({})),
            200,
        ),
        call(
            "delete_task",
            write,
            Method::DELETE,
            format!("/api/tasks/{d}"),
            None,
            204,
        ),
        call(
            "undelete_task",
            write,
            Method::POST,
            format!("/api/tasks/{trashed}/undelete"),
            None,
            200,
        ),
        call(
            "batch_tasks",
            write,
            Method::POST,
            "/api/tasks/batch".into(),
            Some(json!({ "operations": [{ "op": "create", "task": { "title": "batched" } }] })),
            200,
        ),
        call(
            "list_lists",
            read,
            Method::GET,
            "/api/lists".into(),
            None,
            200,
        ),
        call(
            "get_list",
            read,
            Method::GET,
            format!("/api/lists/{shared}"),
            None,
            200,
        ),
        call(
            "list_list_changes",
            read,
            Method::GET,
            format!("/api/lists/{shared}/changes"),
            None,
            200,
        ),
        call(
            "list_members",
            read,
            Method::GET,
            format!("/api/lists/{shared}/members"),
            None,
            200,
        ),
        call(
            "create_list",
            write,
            Method::POST,
            "/api/lists".into(),
            Some(json!({ "title": "new list" })),
            201,
        ),
        call(
            "update_list",
            write,
            Method::PATCH,
            format!("/api/lists/{shared}"),
            Some(json!({ "title": format!("renamed {round}") })),
            200,
        ),
        call(
            "delete_list",
            write,
            Method::DELETE,
            format!("/api/lists/{doomed}"),
            None,
            204,
        ),
        call(
            "undelete_list",
            write,
            Method::POST,
            format!("/api/lists/{binned}/undelete"),
            None,
            200,
        ),
        call(
            "set_member",
            write,
            Method::PUT,
            format!("/api/lists/{shared}/members/{owner_id}"),
            Some(json!({ "role": "viewer" })),
            201,
        ),
        call(
            "remove_member",
            write,
            Method::DELETE,
            format!("/api/lists/{shared}/members/{leaving}"),
            None,
            204,
        ),
        call("get_me", None, Method::GET, "/api/me".into(), None, 200),
        call(
            "list_keys",
            keys,
            Method::GET,
            "/api/keys".into(),
            None,
            200,
        ),
        call(
            "create_key",
            keys,
            Method::POST,
            "/api/keys".into(),
            Some(json!({ "name": format!("new {round}"), "scopes": ["keys:manage"] })),
            201,
        ),
        call(
            "revoke_key",
            keys,
            Method::DELETE,
            format!("/api/keys/{key_id}"),
            None,
            204,
        ),
        call(
            "list_owners",
            admin_scope,
            Method::GET,
            "/api/owners".into(),
            None,
            200,
        ),
        call(
            "create_owner",
            admin_scope,
            Method::POST,
            "/api/owners".into(),
            Some(json!({ "name": format!("made {round}") })),
            201,
        ),
        call(
            "create_owner_key",
            admin_scope,
            Method::POST,
            format!("/api/owners/{owner_id}/keys"),
            Some(json!({ "name": "first", "scopes": ["tasks:read", "admin"] })),
            201,
        ),
        call(
            "disable_owner",
            admin_scope,
            Method::POST,
            format!("/api/owners/{owner_id}/disable"),
            None,
            200,
        ),
        call(
            "enable_owner",
            admin_scope,
            Method::POST,
            format!("/api/owners/{owner_id}/enable"),
            None,
            200,
        ),
    ]
}

/// Each key holding one scope (and one holding none of them but the next)
/// calls every operation: the operations its scope covers succeed, every
/// other is a 403 `insufficient_scope` naming the scope, and the table
/// covers every authenticated operation of the contract.
#[tokio::test]
async fn every_operation_answers_each_scope_exactly() {
    let app = spawn_app().await;
    let spec: Value =
        serde_json::from_str(&tasks_api::api::service().spec()).expect("spec is JSON");
    for (round, held) in Scope::ALL.into_iter().enumerate() {
        let caller = key_with(&app, &[held]).await;
        let table = calls(&app, round).await;
        let mut covered: Vec<&str> = table.iter().map(|c| c.operation).collect();
        covered.sort_unstable();
        let mut declared = Vec::new();
        for (path, ops) in spec["paths"].as_object().expect("paths") {
            for (method, op) in ops.as_object().expect("ops") {
                let Some(requirement) = op["security"][0]["bearerAuth"].as_array() else {
                    continue;
                };
                let id = op["operationId"].as_str().unwrap_or_default();
                declared.push(id);
                let scope = table.iter().find(|c| c.operation == id).map(|c| c.scope);
                let named = requirement
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>();
                let expected: Vec<&str> = scope
                    .flatten()
                    .map(|s| poem_openapi::OAuthScopes::name(&s))
                    .into_iter()
                    .collect();
                assert_eq!(named, expected, "{method} {path} declares its scope");
            }
        }
        declared.sort_unstable();
        assert_eq!(covered, declared, "the matrix covers every operation");

        for call in table {
            let reply = send(&caller, call.method.clone(), &call.path, call.body.clone()).await;
            match call.scope {
                Some(needed) if needed != held => {
                    let name = poem_openapi::OAuthScopes::name(&needed);
                    let problem = reply.problem(403);
                    assert_eq!(problem["type"], "urn:tasks-api:problem:insufficient-scope");
                    assert!(
                        problem["detail"]
                            .as_str()
                            .unwrap_or_default()
                            .contains(name)
                    );
                    assert_eq!(
                        reply.header("www-authenticate"),
                        Some(
                            format!(
                                "Bearer realm=\"tasks-api\", error=\"insufficient_scope\", scope=\"{name}\""
                            )
                            .as_str()
                        ),
                        "{}",
                        call.operation
                    );
                }
                _ => assert_eq!(
                    reply.status.as_u16(),
                    call.status,
                    "{} with {held:?}: {}",
                    call.operation,
                    reply.text
                ),
            }
        }
    }
}

#[tokio::test]
async fn me_names_the_owner_and_the_credential() {
    let app = spawn_app().await;
    let reader = key_with(&app, &[Scope::TasksRead]).await;
    let me = reader.get("/api/me").await;
    assert_eq!(me.status, 200, "{}", me.text);
    let body = me.json();
    assert_eq!(body["owner"]["name"], "default");
    assert_eq!(body["owner"]["disabled_at"], Value::Null);
    assert_eq!(body["credential"]["kind"], "api_key");
    assert_eq!(body["credential"]["scopes"], json!(["tasks:read"]));
    assert_eq!(body["credential"]["expires_at"], Value::Null);
    assert!(body["credential"]["key_id"].is_i64());
}

#[tokio::test]
async fn an_expired_key_is_refused_with_invalid_token() {
    let app = spawn_app().await;
    let past = Timestamp::from_micros(Timestamp::now().as_micros() - 1_000_000);
    let key = app
        .make_key_with(
            "default",
            Grant {
                scopes: Scopes::all(),
                expires_at: past,
            },
        )
        .await;
    let refused = app.with_key(&key).get("/api/tasks").await;
    let problem = refused.problem(401);
    assert!(
        problem["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("expired"),
        "{problem}"
    );
    assert_eq!(
        refused.header("www-authenticate"),
        Some(
            "Bearer realm=\"tasks-api\", error=\"invalid_token\", error_description=\"the key expired\""
        )
    );
}

#[tokio::test]
async fn a_key_makes_keys_only_within_its_own_scopes_and_expiry() {
    let app = spawn_app().await;
    let soon = Timestamp::from_micros(Timestamp::now().as_micros() + 3_600_000_000);
    let key = app
        .make_key_with(
            "default",
            Grant {
                scopes: [Scope::TasksRead, Scope::KeysManage].into_iter().collect(),
                expires_at: soon,
            },
        )
        .await;
    let manager = app.with_key(&key);
    let make = |body: Value| {
        let manager = &manager;
        async move { manager.send_json(Method::POST, "/api/keys", &body).await }
    };

    let wider = make(json!({ "name": "wider", "scopes": ["tasks:write"] })).await;
    assert_eq!(
        wider.problem(403)["type"],
        "urn:tasks-api:problem:insufficient-scope"
    );
    let later = make(json!({
        "name": "later", "scopes": ["tasks:read"], "expires_at": "2999-01-01T00:00:00Z"
    }))
    .await;
    assert_eq!(later.invalid_fields(), ["#/expires_at"]);
    let past = make(json!({
        "name": "past", "scopes": ["tasks:read"], "expires_at": "2000-01-01T00:00:00Z"
    }))
    .await;
    assert_eq!(past.invalid_fields(), ["#/expires_at"]);
    let invalid = make(json!({ "name": "", "scopes": ["tasks:read", "tasks:delete"] })).await;
    assert_eq!(invalid.invalid_fields(), ["#/name", "#/scopes/1"]);

    // Without `expires_at`, the new key expires with the one that made it.
    let made = make(json!({ "name": "reader", "scopes": ["tasks:read"] })).await;
    assert_eq!(made.status, 201, "{}", made.text);
    let body = made.json();
    let secret = body["key"]
        .as_str()
        .expect("the key, shown once")
        .to_owned();
    assert_eq!(body["scopes"], json!(["tasks:read"]));
    let own_expiry = soon.map(Timestamp::to_rfc3339);
    assert_eq!(body["expires_at"].as_str(), own_expiry.as_deref());
    assert_eq!(
        made.header("location"),
        Some(format!("/api/keys/{}", body["id"]).as_str())
    );
    let taken = make(json!({ "name": "reader", "scopes": ["tasks:read"] })).await;
    assert_eq!(
        taken.problem(409)["type"],
        "urn:tasks-api:problem:name-taken"
    );

    // Listed without its secret; revoked, refused at once.
    let listed = manager.get("/api/keys").await.json();
    let keys = listed["keys"].as_array().expect("keys").clone();
    assert!(
        keys.iter()
            .any(|k| k["name"] == "reader" && k.get("key").is_none())
    );
    assert!(!listed.to_string().contains(&secret));
    let reader = app.with_key(&secret);
    assert_eq!(reader.get("/api/tasks").await.status, 200);
    let revoked = manager
        .request(
            Method::DELETE,
            &format!("/api/keys/{}", body["id"]),
            None,
            None,
        )
        .await;
    assert_eq!(revoked.status, 204);
    assert_eq!(reader.get("/api/tasks").await.status, 401);
    let again = manager
        .request(
            Method::DELETE,
            &format!("/api/keys/{}", body["id"]),
            None,
            None,
        )
        .await;
    assert_eq!(
        again.problem(404)["type"],
        "urn:tasks-api:problem:key-not-found"
    );
}

#[tokio::test]
async fn the_operators_maximum_lifetime_bounds_new_keys() {
    let app = spawn_app_with(|config| config.max_key_lifetime_days = Some(30)).await;
    let made = app
        .send_json(
            Method::POST,
            "/api/keys",
            &json!({ "name": "bounded", "scopes": ["tasks:read"] }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let expires = made.json()["expires_at"].as_str().map(str::to_owned);
    let in_30_days = Timestamp::from_micros(Timestamp::now().as_micros() + 30 * 86_400_000_000);
    let (Some(expires), Some(bound)) = (expires, in_30_days) else {
        panic!("an expiry is given")
    };
    let expires = Timestamp::parse_rfc3339(&expires).expect("an instant");
    assert!(expires <= bound && expires.as_micros() > bound.as_micros() - 60_000_000);
    let beyond = app
        .send_json(
            Method::POST,
            "/api/keys",
            &json!({ "name": "beyond", "scopes": ["tasks:read"], "expires_at": "2999-01-01T00:00:00Z" }),
        )
        .await;
    assert_eq!(beyond.invalid_fields(), ["#/expires_at"]);
}

#[tokio::test]
async fn an_admin_provisions_an_owner_who_then_works_alone_until_disabled() {
    let app = spawn_app().await;
    app.post_task(&json!({ "title": "the admin's own" })).await;
    let owner = app
        .send_json(Method::POST, "/api/owners", &json!({ "name": "ali" }))
        .await;
    assert_eq!(owner.status, 201, "{}", owner.text);
    let id = owner.json()["id"].as_i64().expect("id");
    let again = app
        .send_json(Method::POST, "/api/owners", &json!({ "name": "ali" }))
        .await;
    assert_eq!(
        again.problem(409)["type"],
        "urn:tasks-api:problem:name-taken"
    );
    let listed = app.get("/api/owners").await.json();
    let names: Vec<&str> = listed["owners"]
        .as_array()
        .map(|o| o.iter().filter_map(|o| o["name"].as_str()).collect())
        .unwrap_or_default();
    assert_eq!(names, ["default", "ali"]);

    let made = app
        .send_json(
            Method::POST,
            &format!("/api/owners/{id}/keys"),
            &json!({ "name": "ali's phone", "scopes": ["tasks:read", "tasks:write"] }),
        )
        .await;
    assert_eq!(made.status, 201, "{}", made.text);
    let ali = app.with_key(made.json()["key"].as_str().expect("key"));
    assert_eq!(ali.get("/api/tasks").await.json()["items"], json!([]));
    assert_eq!(
        ali.post_task(&json!({ "title": "ali's" })).await.status,
        201
    );
    assert_eq!(ali.get("/api/me").await.json()["owner"]["name"], "ali");
    let not_admin = ali.get("/api/owners").await;
    assert_eq!(
        not_admin.problem(403)["type"],
        "urn:tasks-api:problem:insufficient-scope"
    );

    let disabled = app
        .request(
            Method::POST,
            &format!("/api/owners/{id}/disable"),
            None,
            None,
        )
        .await;
    assert_eq!(disabled.status, 200, "{}", disabled.text);
    assert!(disabled.json()["disabled_at"].is_string());
    let refused = ali.get("/api/tasks").await;
    assert!(
        refused.problem(401)["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("disabled")
    );
    let enabled = app
        .request(
            Method::POST,
            &format!("/api/owners/{id}/enable"),
            None,
            None,
        )
        .await;
    assert_eq!(enabled.json()["disabled_at"], Value::Null);
    let back = ali.get("/api/tasks").await.json();
    assert_eq!(back["items"][0]["title"], "ali's", "the data was kept");

    let me = app.get("/api/me").await.json();
    let own = me["owner"]["id"].as_i64().expect("id");
    let yourself = app
        .request(
            Method::POST,
            &format!("/api/owners/{own}/disable"),
            None,
            None,
        )
        .await;
    assert_eq!(
        yourself.problem(409)["type"],
        "urn:tasks-api:problem:disabling-yourself"
    );
    let missing = app
        .request(Method::POST, "/api/owners/999/disable", None, None)
        .await;
    assert_eq!(
        missing.problem(404)["type"],
        "urn:tasks-api:problem:owner-not-found"
    );
}

#[tokio::test]
async fn key_and_owner_changes_are_audited_in_the_metrics() {
    let app = spawn_app().await;
    let count = |text: &str, event: &str| {
        let line = format!("tasks_api_audit_events_total{{event=\"{event}\"}} ");
        text.lines()
            .find_map(|l| l.strip_prefix(&line))
            .and_then(|n| n.trim().parse::<u64>().ok())
    };
    let before = app.get("/metrics").await.text;
    assert_eq!(count(&before, "key_created"), Some(0));
    app.send_json(
        Method::POST,
        "/api/keys",
        &json!({ "name": "audited", "scopes": ["tasks:read"] }),
    )
    .await;
    app.send_json(Method::POST, "/api/owners", &json!({ "name": "audited" }))
        .await;
    let after = app.get("/metrics").await.text;
    assert_eq!(count(&after, "key_created"), Some(1));
    assert_eq!(count(&after, "owner_created"), Some(1));
    assert_eq!(count(&after, "owner_disabled"), Some(0));
}
