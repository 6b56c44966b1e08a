//! The one HTTP error type: every failure becomes an RFC 9457 problem.

use std::marker::PhantomData;

use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use poem_openapi::registry::{MetaResponses, Registry};
use poem_openapi::{ApiResponse, Object, payload::Json};

use crate::db::DbError;

/// The media type of every error body ([RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)).
pub const PROBLEM_JSON: &str = "application/problem+json";

/// Seconds a client is asked to wait after a 503.
const RETRY_AFTER_SECONDS: u32 = 1;

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

    /// An invalid query, path or header parameter.
    pub fn parameter(name: &str, detail: impl Into<String>) -> Self {
        Self {
            pointer: None,
            parameter: Some(name.to_owned()),
            detail: detail.into(),
        }
    }
}

/// Every error an operation can answer with, each a problem+json body.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request is invalid: `errors` names every bad field or parameter.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(Json<Problem>),
    /// No task has this id.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(Json<Problem>),
    /// The `If-Match` ETag is not the task's current one (or the task no
    /// longer exists): nothing was changed. GET the task for its ETag.
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(Json<Problem>),
    /// The request body is larger than the limit (1 MiB by default).
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(Json<Problem>),
    /// The request body is not `application/json` (or, for PATCH,
    /// `application/merge-patch+json`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(Json<Problem>),
    /// The `Idempotency-Key` was already used with a different request body.
    #[oai(status = 422, content_type = "application/problem+json")]
    UnprocessableContent(Json<Problem>),
    /// An unexpected error; the details are in the server log, not here.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(Json<Problem>),
    /// The database is busy or unreachable; retry after `Retry-After` seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(
        Json<Problem>,
        /// Seconds to wait before retrying.
        #[oai(header = "Retry-After")]
        u32,
    ),
}

/// Builds a problem body; `kind` is the last part of its type URI.
pub fn problem(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Problem {
    Problem {
        kind: format!("urn:tasks-api:problem:{kind}"),
        title: title.to_owned(),
        status: status.as_u16(),
        detail: detail.into(),
        errors: Vec::new(),
    }
}

impl ApiError {
    /// Invalid input; `errors` lists every field that failed.
    pub fn validation(errors: Vec<FieldError>) -> Self {
        let detail = match errors.len() {
            1 => "1 field is invalid".to_owned(),
            n => format!("{n} fields are invalid"),
        };
        let mut body = problem(
            StatusCode::BAD_REQUEST,
            "validation-error",
            "Invalid request",
            detail,
        );
        body.errors = errors;
        Self::BadRequest(Json(body))
    }

    /// A body that is not JSON at all, or not the shape of any valid input.
    pub fn malformed_body(detail: impl Into<String>) -> Self {
        Self::BadRequest(Json(problem(
            StatusCode::BAD_REQUEST,
            "malformed-body",
            "Malformed request body",
            detail,
        )))
    }

    pub fn task_not_found(id: i64) -> Self {
        Self::NotFound(Json(problem(
            StatusCode::NOT_FOUND,
            "task-not-found",
            "Task not found",
            format!("there is no task with id {id}"),
        )))
    }

    pub fn precondition_failed(id: i64) -> Self {
        Self::PreconditionFailed(Json(problem(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "Precondition failed",
            format!("task {id} does not have the ETag given in If-Match; nothing was changed"),
        )))
    }

    pub fn idempotency_key_reused() -> Self {
        Self::UnprocessableContent(Json(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "Idempotency key reused",
            "this Idempotency-Key was already used with a different request body",
        )))
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::PayloadTooLarge(Json(problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request body too large",
            format!("the request body must be at most {limit} bytes"),
        )))
    }

    pub fn unsupported_media_type(accepted: &[&str]) -> Self {
        Self::UnsupportedMediaType(Json(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!("the request body must be sent as {}", accepted.join(" or ")),
        )))
    }

    /// A server fault. `cause` is logged here with its whole chain, once;
    /// the client sees nothing of it.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %error_chain(cause), "request failed");
        Self::Internal(Json(internal_problem()))
    }

    pub fn unavailable(cause: &(dyn std::error::Error + 'static)) -> Self {
        tracing::warn!(error = %error_chain(cause), "database unavailable");
        Self::Unavailable(
            Json(problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "service-unavailable",
                "Service unavailable",
                "the database is busy or unreachable; retry later",
            )),
            RETRY_AFTER_SECONDS,
        )
    }
}

/// The statuses an operation can answer with, for its part of the contract.
pub trait ErrorSet: Send + Sync + 'static {
    const STATUSES: &'static [u16];
}

/// An `ApiError` documented, for one operation, with only the statuses of
/// `S`: each operation's contract lists exactly the errors it can return.
#[derive(Debug)]
pub struct Errors<S: ErrorSet>(pub ApiError, PhantomData<S>);

impl<S: ErrorSet> From<ApiError> for Errors<S> {
    fn from(err: ApiError) -> Self {
        Self(err, PhantomData)
    }
}

impl<S: ErrorSet> From<DbError> for Errors<S> {
    fn from(err: DbError) -> Self {
        ApiError::from(err).into()
    }
}

impl<S: ErrorSet> From<Errors<S>> for poem::Error {
    fn from(err: Errors<S>) -> Self {
        err.0.into()
    }
}

impl<S: ErrorSet> IntoResponse for Errors<S> {
    fn into_response(self) -> Response {
        self.0.into_response()
    }
}

impl<S: ErrorSet> ApiResponse for Errors<S> {
    fn meta() -> MetaResponses {
        let mut meta = ApiError::meta();
        meta.responses
            .retain(|r| r.status.is_some_and(|status| S::STATUSES.contains(&status)));
        meta
    }

    fn register(registry: &mut Registry) {
        ApiError::register(registry);
    }
}

/// Declares an `ErrorSet`.
macro_rules! error_set {
    ($(#[$doc:meta])* $name:ident = [$($status:literal),*]) => {
        $(#[$doc])*
        #[derive(Debug)]
        pub struct $name;
        impl ErrorSet for $name {
            const STATUSES: &'static [u16] = &[$($status),*];
        }
    };
}

error_set!(
    /// Reading a list.
    ListErrors = [400, 500, 503]
);
error_set!(
    /// Reading one task.
    ReadErrors = [400, 404, 500, 503]
);
error_set!(
    /// Creating a task.
    CreateErrors = [400, 413, 415, 422, 500, 503]
);
error_set!(
    /// Replacing or patching a task.
    WriteErrors = [400, 404, 412, 413, 415, 500, 503]
);
error_set!(
    /// Deleting a task.
    DeleteErrors = [400, 404, 412, 500, 503]
);
error_set!(
    /// Readiness.
    ReadyErrors = [503]
);

/// The body of every 500: nothing about the cause.
pub fn internal_problem() -> Problem {
    problem(
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal-error",
        "Internal server error",
        "the server failed to handle this request; it has been logged",
    )
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match &err {
            DbError::Unavailable(_) | DbError::Contended => Self::unavailable(&err),
            DbError::Corrupt { .. } | DbError::Other(_) => Self::internal(&err),
        }
    }
}

/// `error: cause: cause of cause …`, for logs.
pub fn error_chain(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let next = cause.to_string();
        // Error types often repeat their source in their own message.
        if !text.ends_with(&next) {
            text.push_str(": ");
            text.push_str(&next);
        }
        source = cause.source();
    }
    text
}
