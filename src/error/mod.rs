//! Every HTTP error: the one `ApiError` type, whose variants are the problem
//! kinds, each defined and rendered here ([RFC 9457](https://www.rfc-editor.org/rfc/rfc9457)),
//! including those the framework raises before an operation runs
//! ([`framework`]).

pub mod framework;
mod lists;
mod problem;
mod sets;

use std::time::Duration;

use poem::http::StatusCode;
use poem_openapi::ApiResponse;

pub use self::problem::{FieldError, Problem, ProblemBody};
pub use self::sets::*;
use crate::db::DbError;
use crate::db::tasks::Refusal;
use crate::telemetry::error_chain;

/// Seconds a client is asked to wait after a 503.
const RETRY_AFTER_SECONDS: u32 = 1;

/// Every error an operation can answer with, each a problem+json body.
#[derive(ApiResponse, Debug)]
pub enum ApiError {
    /// The request is invalid: `errors` names every bad field or parameter.
    #[oai(status = 400, content_type = "application/problem+json")]
    BadRequest(ProblemBody),
    /// No valid API key: none was sent, or it is malformed, unknown or
    /// revoked. `WWW-Authenticate` says how to authenticate.
    #[oai(status = 401, content_type = "application/problem+json")]
    Unauthorized(
        ProblemBody,
        /// `Bearer`, with an RFC 6750 error code when a key was sent.
        #[oai(header = "WWW-Authenticate")]
        String,
    ),
    /// The credential lacks the scope this operation needs
    /// (`insufficient_scope`: `WWW-Authenticate` and the problem name it);
    /// or a cross-origin request (CORS) from an origin, or with a method
    /// or headers, that is not allowed.
    #[oai(status = 403, content_type = "application/problem+json")]
    Forbidden(
        ProblemBody,
        /// For a missing scope: `Bearer` with `error="insufficient_scope"`
        /// and the `scope` needed (RFC 6750 §3.1).
        #[oai(header = "WWW-Authenticate")]
        Option<String>,
    ),
    /// No task (or, for the key and owner operations, no key or owner) has
    /// this id.
    #[oai(status = 404, content_type = "application/problem+json")]
    NotFound(ProblemBody),
    /// The task is not in the trash, so there is nothing to undelete; or
    /// its parent task is in the trash, so undelete that first. (For keys
    /// and owners: the name is taken, or an owner would disable itself.)
    #[oai(status = 409, content_type = "application/problem+json")]
    Conflict(ProblemBody),
    /// The `since` token is older than the history the server keeps: sync
    /// again from the beginning (without `since`).
    #[oai(status = 410, content_type = "application/problem+json")]
    Gone(ProblemBody),
    /// The `If-Match` ETag is not the task's current one (or the task no
    /// longer exists): nothing was changed. GET the task for its ETag.
    #[oai(status = 412, content_type = "application/problem+json")]
    PreconditionFailed(ProblemBody),
    /// The path does not support this method; `Allow` lists those it does.
    /// (Raised by the router: in no operation's contract.)
    #[oai(status = 405, content_type = "application/problem+json")]
    MethodNotAllowed(
        ProblemBody,
        /// The methods the path supports.
        #[oai(header = "Allow")]
        String,
    ),
    /// The request was not completed in time; the connection is closed.
    /// (Raised by the request timeout: in no operation's contract.)
    #[oai(status = 408, content_type = "application/problem+json")]
    RequestTimeout(
        ProblemBody,
        /// Always `close`.
        #[oai(header = "Connection")]
        String,
    ),
    /// The request body is larger than the limit (1 MiB by default).
    #[oai(status = 413, content_type = "application/problem+json")]
    PayloadTooLarge(ProblemBody),
    /// The request body is not `application/json` (or, for PATCH,
    /// `application/merge-patch+json`).
    #[oai(status = 415, content_type = "application/problem+json")]
    UnsupportedMediaType(ProblemBody),
    /// The `Idempotency-Key` was already used with a different request body.
    #[oai(status = 422, content_type = "application/problem+json")]
    UnprocessableContent(ProblemBody),
    /// Another client error the HTTP layer found before any operation ran.
    /// (In no operation's contract.)
    #[oai(status_range = "4XX", content_type = "application/problem+json")]
    OtherClientError(StatusCode, ProblemBody),
    /// Over the rate limit of this API key (see the `RateLimit` fields), or
    /// too many failed authentications from this address.
    #[oai(status = 429, content_type = "application/problem+json")]
    TooManyRequests(
        ProblemBody,
        /// Seconds until a request may succeed.
        #[oai(header = "Retry-After")]
        u32,
    ),
    /// An unexpected error; the details are in the server log, not here.
    #[oai(status = 500, content_type = "application/problem+json")]
    Internal(ProblemBody),
    /// The database is busy or unreachable; retry after `Retry-After` seconds.
    #[oai(status = 503, content_type = "application/problem+json")]
    Unavailable(
        ProblemBody,
        /// Seconds to wait before retrying.
        #[oai(header = "Retry-After")]
        u32,
    ),
}

fn problem(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> ProblemBody {
    ProblemBody(Box::new(Problem::new(status, kind, title, detail)))
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
        body.0.errors = Some(errors);
        Self::BadRequest(body)
    }

    /// A body that is not JSON at all, or not the shape of any valid input.
    pub fn malformed_body(detail: impl Into<String>) -> Self {
        Self::BadRequest(problem(
            StatusCode::BAD_REQUEST,
            "malformed-body",
            "Malformed request body",
            detail,
        ))
    }

    /// No route at this path.
    pub fn route_not_found(path: &str) -> Self {
        Self::NotFound(problem(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            format!("there is nothing at {path}"),
        ))
    }

    /// The path exists, but not with this method; `allowed` are its methods.
    pub fn method_not_allowed(path: &str, method: &str, allowed: String) -> Self {
        let body = problem(
            StatusCode::METHOD_NOT_ALLOWED,
            "method-not-allowed",
            "Method not allowed",
            format!("{path} does not support {method}; it supports {allowed}"),
        );
        Self::MethodNotAllowed(body, allowed)
    }

    /// A request not completed within `limit`: almost always a client too
    /// slow to send its body (the database gives up sooner, with a 503).
    pub fn request_timeout(limit: Duration) -> Self {
        let body = problem(
            StatusCode::REQUEST_TIMEOUT,
            "request-timeout",
            "Request timeout",
            format!("the request was not completed within {} s", limit.as_secs()),
        );
        Self::RequestTimeout(body, "close".to_owned())
    }

    /// A client error the framework raised, with its own status and message.
    pub fn other_client_error(status: StatusCode, detail: impl Into<String>) -> Self {
        let title = status.canonical_reason().unwrap_or("Bad request");
        let body = problem(status, "bad-request", title, detail);
        Self::OtherClientError(status, body)
    }

    /// No valid API key; `challenge` is the `WWW-Authenticate` value.
    pub fn unauthorized(detail: &str, challenge: &str) -> Self {
        let body = problem(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Unauthorized",
            detail,
        );
        Self::Unauthorized(body, challenge.to_owned())
    }

    /// A CORS request the configuration does not allow; `why` says what.
    pub fn cross_origin_refused(why: &str) -> Self {
        Self::Forbidden(
            problem(
                StatusCode::FORBIDDEN,
                "cross-origin-refused",
                "Cross-origin request refused",
                format!("{why}: see the server's --cors-origin"),
            ),
            None,
        )
    }

    /// The credential does not hold `scope`, which the operation needs.
    pub fn insufficient_scope(scope: &str) -> Self {
        Self::Forbidden(
            problem(
                StatusCode::FORBIDDEN,
                "insufficient-scope",
                "Insufficient scope",
                format!(
                    "this operation needs the scope {scope}, which the credential does not hold"
                ),
            ),
            Some(format!(
                "Bearer realm=\"tasks-api\", error=\"insufficient_scope\", scope=\"{scope}\""
            )),
        )
    }

    /// A rate limit of `what` is spent for `retry_after` seconds.
    pub fn too_many_requests(retry_after: u64, what: &str) -> Self {
        let retry_after = u32::try_from(retry_after).unwrap_or(u32::MAX);
        let body = problem(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-requests",
            "Too many requests",
            format!("the rate limit of {what} is spent; retry in {retry_after} s"),
        );
        Self::TooManyRequests(body, retry_after)
    }

    pub fn task_not_found(id: i64) -> Self {
        Self::NotFound(problem(
            StatusCode::NOT_FOUND,
            "task-not-found",
            "Task not found",
            format!("there is no task with id {id}"),
        ))
    }

    /// This problem, as the failure of operation `index` of a batch.
    pub fn at_operation(mut self, index: usize) -> Self {
        if let Self::NotFound(body) | Self::PreconditionFailed(body) | Self::Conflict(body) =
            &mut self
        {
            let pointer = format!("#/operations/{index}");
            body.0
                .errors
                .get_or_insert_with(Vec::new)
                .push(FieldError::at(pointer, body.0.detail.clone()));
            body.0.detail = format!(
                "operation {index} failed, so none was done: {}",
                body.0.detail
            );
        }
        self
    }

    /// No key of the caller's has this id.
    pub fn key_not_found(id: i64) -> Self {
        Self::NotFound(problem(
            StatusCode::NOT_FOUND,
            "key-not-found",
            "Key not found",
            format!("you have no active key with id {id}"),
        ))
    }

    /// No owner has this id.
    pub fn owner_not_found(id: i64) -> Self {
        Self::NotFound(problem(
            StatusCode::NOT_FOUND,
            "owner-not-found",
            "Owner not found",
            format!("there is no owner with id {id}"),
        ))
    }

    /// A name that is taken, or another state conflict of keys and owners.
    pub fn conflict(kind: &str, title: &str, detail: impl Into<String>) -> Self {
        Self::Conflict(problem(StatusCode::CONFLICT, kind, title, detail))
    }

    pub fn task_not_deleted(id: i64) -> Self {
        Self::Conflict(problem(
            StatusCode::CONFLICT,
            "task-not-deleted",
            "Task not in the trash",
            format!("task {id} is not in the trash; there is nothing to undelete"),
        ))
    }

    /// An undelete of a subtask whose parent is in the trash.
    pub fn parent_deleted(id: i64, parent: i64) -> Self {
        Self::Conflict(problem(
            StatusCode::CONFLICT,
            "parent-deleted",
            "Parent task in the trash",
            format!(
                "task {id} is a subtask of task {parent}, which is in the trash (or gone); \
                 undelete task {parent} first, which restores the subtasks trashed with it"
            ),
        ))
    }

    /// A write the task tree does not allow: a 400 naming the member, at
    /// `prefix` (`#/operations/2/task`) in a batch.
    pub fn refused(refusal: &Refusal, prefix: Option<&str>) -> Self {
        let error = FieldError::body(refusal.field, refusal.reason.clone());
        let error = match prefix {
            Some(prefix) => error.nested_in(prefix),
            None => error,
        };
        Self::validation(vec![error])
    }

    /// A feed token whose changes are no longer all kept.
    pub fn feed_history_gone() -> Self {
        Self::Gone(problem(
            StatusCode::GONE,
            "sync-token-expired",
            "Sync token expired",
            "the changes since this token are no longer all kept (or the token is from \
             another copy of the database): sync again from the beginning, without `since`",
        ))
    }

    pub fn precondition_failed(id: i64) -> Self {
        Self::PreconditionFailed(problem(
            StatusCode::PRECONDITION_FAILED,
            "precondition-failed",
            "Precondition failed",
            format!("task {id} does not have the ETag given in If-Match; nothing was changed"),
        ))
    }

    pub fn idempotency_key_reused() -> Self {
        Self::UnprocessableContent(problem(
            StatusCode::UNPROCESSABLE_ENTITY,
            "idempotency-key-reused",
            "Idempotency key reused",
            "this Idempotency-Key was already used with a different request body",
        ))
    }

    pub fn payload_too_large(limit: usize) -> Self {
        Self::PayloadTooLarge(problem(
            StatusCode::PAYLOAD_TOO_LARGE,
            "payload-too-large",
            "Request body too large",
            format!("the request body must be at most {limit} bytes"),
        ))
    }

    pub fn unsupported_media_type(accepted: &[&str]) -> Self {
        Self::UnsupportedMediaType(problem(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "Unsupported media type",
            format!("the request body must be sent as {}", accepted.join(" or ")),
        ))
    }

    /// A server fault. `cause` is logged here with its whole chain, once;
    /// the client sees nothing of it.
    pub fn internal(cause: &(dyn std::error::Error + 'static)) -> Self {
        tracing::error!(error = %error_chain(cause), "request failed");
        Self::internal_logged()
    }

    /// A server fault whose cause has already been logged.
    pub fn internal_logged() -> Self {
        Self::Internal(problem(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal-error",
            "Internal server error",
            "the server failed to handle this request; it has been logged",
        ))
    }

    pub fn unavailable(cause: &(dyn std::error::Error + 'static)) -> Self {
        tracing::warn!(error = %error_chain(cause), "database unavailable");
        Self::Unavailable(
            problem(
                StatusCode::SERVICE_UNAVAILABLE,
                "service-unavailable",
                "Service unavailable",
                "the database is busy or unreachable; retry later",
            ),
            RETRY_AFTER_SECONDS,
        )
    }
}

impl From<Refusal> for ApiError {
    fn from(refusal: Refusal) -> Self {
        Self::refused(&refusal, None)
    }
}

impl From<DbError> for ApiError {
    fn from(err: DbError) -> Self {
        match &err {
            DbError::Unavailable(_) | DbError::Contended => Self::unavailable(&err),
            DbError::Corrupt { .. } | DbError::Other(_) => Self::internal(&err),
            DbError::Denied {
                list, role: None, ..
            } => Self::list_not_found(list.0),
            DbError::Denied {
                list,
                role: Some(_),
                needed,
            } => Self::role_needed(*needed, list.0),
        }
    }
}
