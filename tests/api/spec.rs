//! The contract: `openapi.yaml` is exactly what the server serves and says
//! what PRODUCT.md promises.

use serde_json::Value;
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
            "create_task",
            "delete_task",
            "get_health",
            "get_readiness",
            "get_task",
            "list_changes",
            "list_labels",
            "list_tasks",
            "move_task",
            "replace_task",
            "undelete_task",
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
