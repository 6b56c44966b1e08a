//! The RFC 9457 problem body and the invalid-field entries it carries.

use poem::http::StatusCode;
use poem_openapi::Object;

/// An error response body as defined by RFC 9457 (Problem Details for HTTP APIs).
#[derive(Object, Debug, Clone, PartialEq)]
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
    /// For validation failures: every invalid field, each named once.
    #[oai(default, skip_serializing_if_is_empty)]
    pub errors: Vec<FieldError>,
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
            errors: Vec::new(),
            request_id: crate::observe::current_request_id(),
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
