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

use serde_json::{Map, Value};

const JSON: &str = "application/json";

/// Rewrites `spec` (an OpenAPI document as JSON) in place.
pub fn for_progenitor(spec: &mut Value) {
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
