//! The contract: `openapi.yaml` is exactly what the server serves and says
//! what PRODUCT.md promises.

use serde_json::{Value, json};
use tasks_api::domain::task::{NO_NUL_PATTERN, TITLE_PATTERN};

use crate::helpers::spawn_app;

fn spec() -> Value {
    serde_json::from_str(&tasks_api::api::service().spec()).expect("spec is JSON")
}

/// The one pin of the committed contract: fails when `openapi.yaml` differs
/// from the document the code generates, showing the difference; run with
/// `EXPECTORATE=overwrite` to rewrite it after an API change.
#[test]
fn openapi_yaml_matches_the_code() {
    expectorate::assert_contents("openapi.yaml", &tasks_api::api::service().spec_yaml());
}

#[tokio::test]
async fn the_served_spec_is_the_generated_one() {
    let app = spawn_app().await;
    let served = app.get("/openapi.yaml").await;
    assert_eq!(served.status, 200);
    assert!(
        served.text == tasks_api::api::service().spec_yaml(),
        "GET /openapi.yaml differs from the generated document"
    );
    let json = app.get("/openapi.json").await;
    assert_eq!(json.status, 200);
    assert_eq!(json.json(), spec());
}

/// The media-type keys under every `content:` of a YAML document, as text.
fn content_keys(yaml: &str) -> Vec<String> {
    let indent = |line: &str| line.len() - line.trim_start().len();
    let mut keys = Vec::new();
    let mut content_at: Option<usize> = None;
    for line in yaml.lines().filter(|l| !l.trim().is_empty()) {
        let depth = indent(line);
        match content_at {
            Some(at) if depth <= at => content_at = None,
            Some(at) if depth == at + 2 => {
                keys.push(line.trim().trim_end_matches(':').to_owned());
            }
            _ => {}
        }
        if line.trim() == "content:" {
            content_at = Some(depth);
        }
    }
    keys
}

/// RFC 8259 defines no parameters for `application/json`; tools that match
/// media types exactly (generators, mock servers, contract testers) miss a
/// key such as `application/json; charset=utf-8`.
#[test]
fn every_content_key_in_the_committed_spec_is_a_bare_media_type() {
    let committed = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/openapi.yaml"))
        .expect("openapi.yaml");
    let keys = content_keys(&committed);
    assert!(keys.len() > 20, "too few content keys found: {keys:?}");
    let allowed = [
        "application/json",
        "application/problem+json",
        "application/merge-patch+json",
    ];
    for key in &keys {
        assert!(allowed.contains(&key.as_str()), "content key {key:?}");
    }
    for key in allowed {
        assert!(keys.iter().any(|k| k == key), "{key} is never used");
    }
}

#[test]
fn every_operation_has_its_operation_id() {
    let spec = spec();
    let mut ids = Vec::new();
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("ops") {
            let id = op["operationId"].as_str();
            assert!(id.is_some(), "{method} {path} has no operationId");
            ids.push(id.unwrap_or_default().to_owned());
        }
    }
    ids.sort();
    assert_eq!(
        ids,
        [
            "batch_tasks",
            "create_key",
            "create_list",
            "create_owner",
            "create_owner_key",
            "create_task",
            "delete_list",
            "delete_task",
            "disable_owner",
            "enable_owner",
            "get_health",
            "get_list",
            "get_me",
            "get_readiness",
            "get_task",
            "list_changes",
            "list_keys",
            "list_labels",
            "list_list_changes",
            "list_lists",
            "list_members",
            "list_owners",
            "list_tasks",
            "move_task",
            "remove_member",
            "replace_task",
            "revoke_key",
            "set_member",
            "undelete_list",
            "undelete_task",
            "update_list",
            "update_task",
        ]
    );
    assert!(
        spec["openapi"]
            .as_str()
            .is_some_and(|v| v.starts_with("3.0"))
    );
}

#[test]
fn task_schemas_state_the_rules() {
    let spec = spec();
    let schemas = &spec["components"]["schemas"];
    let task = &schemas["Task"]["properties"];
    for field in ["id", "created_at", "updated_at"] {
        assert_eq!(task[field]["readOnly"], true, "Task.{field} readOnly");
    }
    for field in ["description", "due_at"] {
        assert_eq!(task[field]["nullable"], true, "Task.{field} nullable");
    }
    for schema in ["TaskInput", "TaskPatch"] {
        let props = &schemas[schema]["properties"];
        let title = &props["title"];
        assert_eq!(title["minLength"], 1, "{schema}.title");
        assert_eq!(title["maxLength"], 200, "{schema}.title");
        assert_eq!(title["pattern"], TITLE_PATTERN, "{schema}.title");
        assert_eq!(props["description"]["maxLength"], 10000, "{schema}");
        assert_eq!(props["description"]["pattern"], NO_NUL_PATTERN, "{schema}");
        assert_eq!(props["description"]["nullable"], true, "{schema}");
        assert_eq!(props["due_at"]["nullable"], true, "{schema}");
        assert_eq!(props["due_at"]["format"], "date-time", "{schema}");
        assert!(props["title"].get("nullable").is_none(), "{schema}");
        assert!(props["done"].get("nullable").is_none(), "{schema}");
    }
    assert_eq!(
        schemas["TaskInput"]["required"],
        serde_json::json!(["title"])
    );
}

#[test]
fn list_parameters_state_their_limits() {
    let spec = spec();
    let params = spec["paths"]["/api/tasks"]["get"]["parameters"]
        .as_array()
        .expect("parameters")
        .clone();
    let find = |name: &str| {
        params
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("no parameter {name}"))
            .clone()
    };
    let per_page = find("per_page");
    assert_eq!(per_page["schema"]["minimum"], 1.0);
    assert_eq!(per_page["schema"]["maximum"], 100.0);
    assert_eq!(find("page")["schema"]["minimum"], 1.0);
    let sort = &spec["components"]["schemas"]["Sort"]["enum"];
    assert_eq!(sort.as_array().map(Vec::len), Some(12), "{sort}");
}

#[test]
fn every_error_response_is_a_problem() {
    let spec = spec();
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("ops") {
            for (status, response) in op["responses"].as_object().expect("responses") {
                if status.starts_with('4') || status.starts_with('5') {
                    let schema = &response["content"]["application/problem+json"]["schema"];
                    assert_eq!(
                        schema["$ref"], "#/components/schemas/Problem",
                        "{method} {path} {status}"
                    );
                }
            }
        }
    }
}

#[tokio::test]
async fn swagger_ui_is_served_with_no_external_urls() {
    let app = spawn_app().await;
    let page = app.get("/docs").await;
    assert_eq!(page.status, 200);
    assert!(page.text.contains("swagger"), "not Swagger UI");
    // Assets the page loads (not URLs that merely appear in script text).
    let lower = page.text.to_lowercase();
    for attribute in [
        "src=\"http",
        "src='http",
        "src=\"//",
        "href=\"http",
        "href=\"//",
        "url(http",
    ] {
        assert!(
            !lower.contains(attribute),
            "the page loads something from another host: {attribute}"
        );
    }
}

/// The schema `schema` refers to, or `schema` itself.
fn resolved<'a>(spec: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(reference) => spec
            .pointer(reference.trim_start_matches('#'))
            .unwrap_or(&Value::Null),
        None => schema,
    }
}

/// Whether `schema` shows an example: its own, or one on each of its
/// `oneOf` shapes.
fn has_example(spec: &Value, schema: &Value) -> bool {
    let schema = resolved(spec, schema);
    if schema.get("example").is_some() {
        return true;
    }
    match schema["oneOf"].as_array() {
        Some(shapes) => shapes.iter().all(|shape| has_example(spec, shape)),
        None => false,
    }
}

/// Swagger UI's "Try it out" and schemathesis' examples phase start from
/// these; Redocly (`scripts/lint-spec.sh`, `no-invalid-schema-examples`)
/// holds each to its schema, and the test below sends the request ones.
#[test]
fn every_request_and_response_body_has_an_example() {
    let spec = spec();
    let (mut missing, mut checked) = (Vec::new(), 0);
    for (path, ops) in spec["paths"].as_object().expect("paths") {
        for (method, op) in ops.as_object().expect("ops") {
            let request = op["requestBody"]["content"].as_object();
            let responses = op["responses"].as_object().expect("responses");
            let bodies = request.into_iter().flatten().map(|b| ("request", b));
            let answers = responses.iter().flat_map(|(status, response)| {
                let content = response["content"].as_object().into_iter().flatten();
                content.map(move |b| (status.as_str(), b))
            });
            for (what, (media_type, body)) in bodies.chain(answers) {
                checked += 1;
                if !has_example(&spec, &body["schema"]) {
                    missing.push(format!("{method} {path} {what} {media_type}"));
                }
            }
        }
    }
    assert!(checked > 80, "only {checked} bodies found");
    assert!(
        missing.is_empty(),
        "bodies without an example: {missing:#?}"
    );
}

/// The example of the schema `name`.
fn example(spec: &Value, name: &str) -> Value {
    spec["components"]["schemas"][name]["example"].clone()
}

/// The request examples tell one story on a fresh database (tasks 41–43
/// under task 7, task 42 changed twice: at version 3); sent in order, each is accepted,
/// so "Try it out" starts from bodies that work.
#[tokio::test]
async fn the_request_examples_are_accepted_by_the_server() {
    use reqwest::Method;
    let spec = spec();
    let app = spawn_app().await;
    for id in 1..=43 {
        let parent = if id > 40 { json!(7) } else { json!(null) };
        let created = app
            .post_task(&json!({ "title": format!("Task {id}"), "parent_id": parent }))
            .await;
        assert_eq!(created.json()["id"], id);
    }

    let created = app.post_task(&example(&spec, "TaskInput")).await;
    assert_eq!(created.status, 201, "{}", created.text);
    let replaced = app.put_task(44, &example(&spec, "TaskInput")).await;
    assert_eq!(replaced.status, 200, "{}", replaced.text);
    for shape in ["MoveAfter", "MoveBefore", "MoveLast"] {
        let moved = app
            .send_json(Method::POST, "/api/tasks/41/move", &example(&spec, shape))
            .await;
        assert_eq!(moved.status, 200, "{shape}: {}", moved.text);
    }
    let renamed = app.patch_task(42, &json!({ "title": "Renamed" })).await;
    assert_eq!(renamed.status, 200, "{}", renamed.text);
    let patched = app.patch_task(42, &example(&spec, "TaskPatch")).await;
    assert_eq!(patched.status, 200, "{}", patched.text);
    assert_eq!(patched.json()["done"], true);
    let batch = app
        .send_json(
            Method::POST,
            "/api/tasks/batch",
            &example(&spec, "BatchRequest"),
        )
        .await;
    assert_eq!(batch.status, 200, "{}", batch.text);
    let statuses: Vec<Value> = batch.json()["results"]
        .as_array()
        .map(|results| results.iter().map(|r| r["status"].clone()).collect())
        .unwrap_or_default();
    assert_eq!(statuses, [json!(201), json!(200), json!(204)]);
}
