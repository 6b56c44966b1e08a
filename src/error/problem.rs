//! The RFC 9457 problem body and the invalid-field entries it carries.

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::Object;
use poem_openapi::payload::Payload;
use poem_openapi::registry::{MetaSchemaRef, Registry};
use poem_openapi::types::Example;
use poem_openapi::types::Type;
use serde::Serialize;

use crate::payload::{JSON, Json, JsonText};

/// An error response body as defined by RFC 9457 (Problem Details for HTTP APIs).
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct Problem {
    /// A URI that identifies the kind of problem; stable, suitable for matching
    /// in code (for example `urn:tasks-api:problem:validation-error`).
    #[oai(rename = "type")]
    pub kind: String,
    /// A short, human-readable summary of the kind of problem.
    pub title: String,
    /// The HTTP status code of this response.
    pub status: u16,
    /// A human-readable explanation of this occurrence of the problem.
    pub detail: String,
    /// Every invalid field, each named once: on a validation failure
    /// (`validation-error`, and the failed operation of a batch); left out
    /// on every other problem.
    #[oai(skip_serializing_if_is_none)]
    pub errors: Option<Vec<FieldError>>,
    /// The id of the request this answers (its `X-Request-Id`): quote it
    /// when reporting a problem; the server's log lines carry it too.
    #[oai(skip_serializing_if_is_none)]
    pub request_id: Option<String>,
}

impl Problem {
    /// A problem of `kind` (the last part of its type URI).
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("urn:tasks-api:problem:{kind}"),
            title: title.to_owned(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: None,
            request_id: crate::observe::current_request_id(),
        }
    }
}

/// A validation failure, the one kind of problem with `errors`.
impl Example for Problem {
    fn example() -> Self {
        Self {
            kind: "urn:tasks-api:problem:validation-error".to_owned(),
            title: "Invalid request".to_owned(),
            status: 400,
            detail: "2 fields are invalid".to_owned(),
            errors: Some(vec![
                FieldError::body("title", "must not be blank"),
                FieldError::parameter("per_page", "must be at most 100"),
            ]),
            request_id: Some("01JF2V8K3W9Q4XH7M5RZC6NBTD".to_owned()),
        }
    }
}

/// One invalid input: a body member (`pointer`) or a parameter (`parameter`).
#[derive(Object, Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// A JSON Pointer (RFC 6901) into the request body, as a URI fragment,
    /// for example `#/title`.
    #[oai(skip_serializing_if_is_none)]
    pub pointer: Option<String>,
    /// The name of the invalid query, path or header parameter.
    #[oai(skip_serializing_if_is_none)]
    pub parameter: Option<String>,
    /// What is wrong with it.
    pub detail: String,
}

impl FieldError {
    /// An invalid member of the JSON body (`name` is a top-level member).
    pub fn body(name: &str, detail: impl Into<String>) -> Self {
        Self {
            pointer: Some(format!("#/{name}")),
            parameter: None,
            detail: detail.into(),
        }
    }

    /// An invalid part of the body at `pointer` (`#/operations/3/task/title`).
    pub fn at(pointer: String, detail: impl Into<String>) -> Self {
        Self {
            pointer: Some(pointer),
            parameter: None,
            detail: detail.into(),
        }
    }

    /// The same error, for a body nested at `prefix` (`#/operations/3/task`).
    pub fn nested_in(mut self, prefix: &str) -> Self {
        self.pointer = self
            .pointer
            .map(|p| format!("{prefix}{}", p.strip_prefix('#').unwrap_or(&p)));
        self
    }

    /// An invalid query, path or header parameter.
    pub fn parameter(name: &str, detail: impl Into<String>) -> Self {
        Self {
            pointer: None,
            parameter: Some(name.to_owned()),
            detail: detail.into(),
        }
    }
}

/// A problem as a response body: boxed (errors are rare, and a small
/// `ApiError` keeps every `Result` that may hold one small), documented as
/// the `Problem` object, written straight to JSON text with serde rather
/// than through poem-openapi's `ToJSON` (a `serde_json::Value` map, every
/// member name allocated, then printed: 6 % of the server's cycles on a
/// 400). The text is the same, byte for byte; a unit test holds it there.
#[derive(Debug)]
pub struct ProblemBody(pub Box<Problem>);

impl Payload for ProblemBody {
    const CONTENT_TYPE: &'static str = JSON;

    fn schema_ref() -> MetaSchemaRef {
        Problem::schema_ref()
    }

    fn register(registry: &mut Registry) {
        Problem::register(registry);
    }
}

impl IntoResponse for ProblemBody {
    fn into_response(self) -> Response {
        match serde_json::to_string(&ProblemJson::from(&*self.0)) {
            Ok(text) => JsonText::<Problem>::new(text).into_response(),
            // Not reached (strings and numbers always serialize); the
            // general path still answers.
            Err(_) => Json(self.0).into_response(),
        }
    }
}

/// A problem as the `Problem` object renders it: its members in the order
/// `serde_json`'s map prints them (alphabetical), empty ones left out.
#[derive(Serialize)]
struct ProblemJson<'a> {
    detail: &'a str,
    #[serde(skip_serializing_if = "<[_]>::is_empty")]
    errors: &'a [FieldError],
    #[serde(skip_serializing_if = "Option::is_none")]
    request_id: Option<&'a str>,
    status: u16,
    title: &'a str,
    #[serde(rename = "type")]
    kind: &'a str,
}

impl<'a> From<&'a Problem> for ProblemJson<'a> {
    fn from(problem: &'a Problem) -> Self {
        Self {
            detail: &problem.detail,
            errors: problem.errors.as_deref().unwrap_or_default(),
            request_id: problem.request_id.as_deref(),
            status: problem.status,
            title: &problem.title,
            kind: &problem.kind,
        }
    }
}

impl Serialize for FieldError {
    /// As the `FieldError` object renders it (members alphabetical, absent
    /// ones left out).
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        #[derive(Serialize)]
        struct FieldErrorJson<'a> {
            detail: &'a str,
            #[serde(skip_serializing_if = "Option::is_none")]
            parameter: Option<&'a str>,
            #[serde(skip_serializing_if = "Option::is_none")]
            pointer: Option<&'a str>,
        }
        FieldErrorJson {
            detail: &self.detail,
            parameter: self.parameter.as_deref(),
            pointer: self.pointer.as_deref(),
        }
        .serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;

    use super::*;

    fn problems() -> Vec<Problem> {
        let mut bare = Problem::new(
            StatusCode::NOT_FOUND,
            "task-not-found",
            "Task not found",
            "no \"7\"",
        );
        bare.request_id = None;
        let mut full = Problem::new(
            StatusCode::BAD_REQUEST,
            "validation-error",
            "Invalid request",
            "3 fields are invalid: ü\n",
        );
        full.request_id = Some("abc-1".to_owned());
        full.errors = Some(vec![
            FieldError::body("title", "must not be empty"),
            FieldError::parameter("per_page", "must be at most 100"),
            FieldError::at("#/operations/3/task/title".to_owned(), "too long"),
        ]);
        vec![bare, full]
    }

    #[test]
    fn a_problem_body_is_the_text_its_object_renders_byte_for_byte() {
        for problem in problems() {
            let Some(object) = problem.to_json() else {
                panic!("a problem renders as JSON")
            };
            let body = ProblemBody(Box::new(problem)).into_response().into_body();
            let text = futures_util::FutureExt::now_or_never(body.into_string());
            assert_eq!(text.and_then(Result::ok), Some(object.to_string()));
        }
    }
}
