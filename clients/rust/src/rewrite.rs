//! The mechanical rewrite of a copy of `openapi.yaml` that progenitor 0.15
//! needs; the committed contract and the server are unchanged.
//!
//! - Error bodies are declared `application/problem+json`; progenitor types
//!   only `application/json` ones (others arrive as raw bytes). Declaring
//!   them `application/json` in the copy makes every error an
//!   `Error<types::Problem>`; the client parses bodies as JSON whatever
//!   their `Content-Type`, so the server keeps sending problem+json.
//! - `application/json; charset=utf-8` becomes `application/json`.
//! - A request body with several media types (PATCH takes
//!   `application/merge-patch+json` and `application/json`) makes
//!   progenitor panic: the copy keeps `application/json` only, which the
//!   server accepts as well.
//! - A merge patch must be able to send `null` (clear `description` or
//!   `due_at`) as well as leave a member out; progenitor folds "optional"
//!   and "nullable" into one `Option`, which can only leave it out. Each
//!   nullable member of a merge-patch body becomes a schema of its own
//!   that `build.rs` replaces with `Option<T>`, so the member is
//!   `Option<Option<T>>`: `None` leaves it out, `Some(None)` sends `null`.

use serde_json::{Map, Value};

const JSON: &str = "application/json";

const MERGE_PATCH: &str = "application/merge-patch+json";

/// A schema that progenitor is told to replace with a Rust type.
pub struct Replacement {
    /// The schema's name in `components/schemas`.
    pub schema: String,
    /// The Rust type that stands for it.
    pub rust_type: String,
}

/// Rewrites `spec` (an OpenAPI document as JSON) in place; returns the
/// schemas progenitor must replace.
pub fn for_progenitor(spec: &mut Value) -> Vec<Replacement> {
    let replacements = clearable_members(spec);
    one_json_media_type(spec);
    replacements
}

fn one_json_media_type(spec: &mut Value) {
    let Some(paths) = spec.get_mut("paths").and_then(Value::as_object_mut) else {
        return;
    };
    for operation in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in operation.values_mut() {
            if let Some(content) = op
                .pointer_mut("/requestBody/content")
                .and_then(Value::as_object_mut)
            {
                keep_only_json(content);
            }
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else {
                continue;
            };
            for response in responses.values_mut() {
                if let Some(content) = response.get_mut("content").and_then(Value::as_object_mut) {
                    rename_json_types(content);
                }
            }
        }
    }
}

fn is_json(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or_default().trim();
    essence == JSON || essence.ends_with("+json")
}

/// Declares every JSON-like media type of a response as `application/json`.
fn rename_json_types(content: &mut Map<String, Value>) {
    let json_types: Vec<String> = content.keys().filter(|k| is_json(k)).cloned().collect();
    for media_type in json_types {
        if let Some(schema) = content.remove(&media_type) {
            content.insert(JSON.to_owned(), schema);
        }
    }
}

/// Keeps one JSON media type for a request body, named `application/json`.
fn keep_only_json(content: &mut Map<String, Value>) {
    let chosen = content.get(JSON).cloned().or_else(|| {
        content
            .iter()
            .find(|(k, _)| is_json(k))
            .map(|(_, v)| v.clone())
    });
    if let Some(chosen) = chosen {
        content.clear();
        content.insert(JSON.to_owned(), chosen);
    }
}

/// The names of the schemas of merge-patch request bodies.
fn merge_patch_schemas(spec: &Value) -> Vec<String> {
    let Some(paths) = spec.get("paths").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut names: Vec<String> = paths
        .values()
        .filter_map(Value::as_object)
        .flat_map(|operations| operations.values())
        .filter_map(|op| {
            op.pointer(&format!(
                "/requestBody/content/{}/schema/$ref",
                MERGE_PATCH.replace('/', "~1")
            ))
        })
        .filter_map(Value::as_str)
        .filter_map(|r| r.strip_prefix("#/components/schemas/"))
        .map(str::to_owned)
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The Rust type of a nullable member's values, if it is one this client
/// can send as `null`.
fn rust_type(schema: &Value) -> Option<&'static str> {
    let ty = schema.get("type").and_then(Value::as_str)?;
    let format = schema.get("format").and_then(Value::as_str);
    let items = schema.pointer("/items/type").and_then(Value::as_str);
    match (ty, format, items) {
        ("string", Some("date-time"), _) => Some("::chrono::DateTime<::chrono::offset::Utc>"),
        ("string", _, _) => Some("::std::string::String"),
        ("integer", _, _) => Some("i64"),
        ("boolean", _, _) => Some("bool"),
        ("array", _, Some("string")) => Some("::std::vec::Vec<::std::string::String>"),
        _ => None,
    }
}

/// Moves every nullable member of a merge-patch body's schema to a schema
/// of its own (`TaskPatchDescriptionClearable`) and returns them.
fn clearable_members(spec: &mut Value) -> Vec<Replacement> {
    let mut replacements = Vec::new();
    for name in merge_patch_schemas(spec) {
        let Some(properties) = spec
            .pointer_mut(&format!("/components/schemas/{name}/properties"))
            .and_then(Value::as_object_mut)
        else {
            continue;
        };
        let mut moved = Vec::new();
        for (member, schema) in properties.iter_mut() {
            let nullable = schema.get("nullable").and_then(Value::as_bool) == Some(true);
            let Some(rust_type) = rust_type(schema).filter(|_| nullable) else {
                continue;
            };
            let component = format!("{name}{}Clearable", pascal(member));
            let reference =
                serde_json::json!({ "$ref": format!("#/components/schemas/{component}") });
            moved.push((component.clone(), std::mem::replace(schema, reference)));
            replacements.push(Replacement {
                schema: component,
                rust_type: format!("::std::option::Option<{rust_type}>"),
            });
        }
        if let Some(schemas) = spec
            .pointer_mut("/components/schemas")
            .and_then(Value::as_object_mut)
        {
            schemas.extend(moved);
        }
    }
    replacements
}

/// `due_at` → `DueAt`.
fn pascal(name: &str) -> String {
    name.split('_')
        .map(|word| {
            let mut chars = word.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect()
}
