//! `/api/tasks/batch`: up to 100 creates, updates and deletes in one
//! transaction, all or nothing (Google AIP-233's spirit, for mixed writes).

use poem::web::Data;
use poem_openapi::types::Example;
use poem_openapi::{ApiResponse, Object, OpenApi, Union};
use serde_json::{Map, Value};

use super::{ApiTags, Task, TaskInput, TaskPatch, examples};
use crate::api::access::batch_scopes;
use crate::api::body::{JsonBody, JsonInput};
use crate::api::conditional::{etag, expect_value};
use crate::api::params::RawHeader;
use crate::auth::scope::Scope;
use crate::auth::{Owner, RateLimited};
use crate::db::lists::Scope as ListScope;
use crate::db::tasks::{BatchFailure, BatchOp, BatchResult};
use crate::db::{self, Db};
use crate::domain::{self, Timestamp};
use crate::error::{ApiError, BatchErrors, Errors, FieldError};
use crate::idempotency::{self, IdempotencyKey, Keyed, StoredResponse};
use crate::payload::{JSON, JsonText, to_json_text};

/// Most operations in one batch.
pub(super) const MAX_OPERATIONS: usize = 100;

/// What an operation does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum BatchOpKind {
    Create,
    Update,
    Delete,
}

/// One operation of a batch, by its `op`: `create`, `update` or `delete`.
#[derive(Union)]
#[oai(discriminator_name = "op", one_of)]
pub(super) enum BatchOperation {
    #[oai(mapping = "create")]
    Create(BatchCreate),
    #[oai(mapping = "update")]
    Update(BatchUpdate),
    #[oai(mapping = "delete")]
    Delete(BatchDelete),
}

/// `create`: as `POST /api/tasks`, with `task` the new task.
// Members that refer to other schemas carry no doc comment: poem-openapi
// would wrap the reference in an `allOf`, which code generators reject.
#[derive(Object)]
pub(super) struct BatchCreate {
    task: TaskInput,
}

/// `update`: as `PATCH /api/tasks/{id}`, with `task` the merge patch.
#[derive(Object)]
pub(super) struct BatchUpdate {
    /// The task's id.
    id: i64,
    /// As the `If-Match` header: the operation (and so the batch) fails
    /// unless the task still has this ETag.
    #[oai(skip_serializing_if_is_none)]
    if_match: Option<String>,
    task: TaskPatch,
}

/// `delete`: as `DELETE /api/tasks/{id}`, to the trash.
#[derive(Object)]
pub(super) struct BatchDelete {
    /// The task's id.
    id: i64,
    /// As the `If-Match` header: the operation (and so the batch) fails
    /// unless the task still has this ETag.
    #[oai(skip_serializing_if_is_none)]
    if_match: Option<String>,
}

/// A batch: 1–100 operations, performed in order, all or nothing.
#[derive(Object)]
#[oai(example)]
pub(super) struct BatchRequest {
    #[oai(validator(min_items = 1, max_items = 100))]
    operations: Vec<BatchOperation>,
}

/// What one operation did: `status` as the single request would have
/// answered (201 created, 200 updated, 204 deleted) and, but for a delete,
/// the `task` as it now is and its `etag`.
#[derive(Object)]
pub(super) struct BatchItemResult {
    status: u16,
    #[oai(skip_serializing_if_is_none)]
    task: Option<Task>,
    /// The task's strong ETag (not for a delete).
    #[oai(skip_serializing_if_is_none)]
    etag: Option<String>,
}

/// The results, in the order of the operations.
#[derive(Object)]
#[oai(example)]
pub(super) struct BatchResponseBody {
    results: Vec<BatchItemResult>,
}

/// Creates a task, marks the example task done and trashes another.
impl Example for BatchRequest {
    fn example() -> Self {
        Self {
            operations: vec![
                BatchOperation::Create(BatchCreate {
                    task: TaskInput::example(),
                }),
                BatchOperation::Update(BatchUpdate {
                    id: examples::ID,
                    if_match: Some(examples::ETAG.to_owned()),
                    task: TaskPatch::example(),
                }),
                BatchOperation::Delete(BatchDelete {
                    id: examples::ID + 1,
                    if_match: None,
                }),
            ],
        }
    }
}

impl Example for BatchResponseBody {
    fn example() -> Self {
        let task = Task::example();
        let created = Task {
            id: examples::ID + 2,
            ..task.clone()
        };
        Self {
            results: vec![
                BatchItemResult {
                    status: 201,
                    etag: Some(format!("\"{}-1\"", created.id)),
                    task: Some(created),
                },
                BatchItemResult {
                    status: 200,
                    etag: Some("\"42-4\"".to_owned()),
                    task: Some(Task { done: true, ..task }),
                },
                BatchItemResult {
                    status: 204,
                    etag: None,
                    task: None,
                },
            ],
        }
    }
}

#[derive(ApiResponse)]
enum BatchResponse {
    /// Every operation was performed (or, for a retried `Idempotency-Key`,
    /// the first response is repeated).
    #[oai(status = 200)]
    Ok(
        JsonText<BatchResponseBody>,
        /// `true` when this is the stored response of an earlier request
        /// with the same `Idempotency-Key` (nothing was performed now);
        /// absent otherwise.
        #[oai(header = "Idempotent-Replayed")]
        Option<bool>,
    ),
}

/// The status of a performed batch.
const PERFORMED: u16 = 200;

impl BatchResponse {
    /// The response to `results`, as it is stored for replays.
    fn render(results: Vec<BatchResult>, creates: &[bool]) -> Result<StoredResponse, ApiError> {
        let results = results
            .into_iter()
            .zip(creates)
            .map(|(task, &created)| item_result(task, created))
            .collect();
        let body =
            to_json_text(&BatchResponseBody { results }).map_err(|e| ApiError::internal(&e))?;
        Ok(StoredResponse {
            status: PERFORMED,
            body,
            location: None,
            etag: None,
        })
    }

    /// The response `stored`, marked as a replay when `replayed`.
    fn replay(stored: StoredResponse, replayed: bool) -> Result<Self, ApiError> {
        match stored.status {
            PERFORMED => Ok(Self::Ok(
                JsonText::new(stored.body),
                replayed.then_some(true),
            )),
            status => Err(ApiError::internal(&NotABatch(status))),
        }
    }
}

/// A stored response that is not a batch's.
#[derive(Debug, thiserror::Error)]
#[error("the stored response for this idempotency key is not a batch's (status {0})")]
struct NotABatch(u16);

impl JsonInput for BatchRequest {
    type Output = Vec<BatchOp>;
    const MEDIA_TYPES: &'static [&'static str] = &[JSON];

    fn from_json(object: &Map<String, Value>) -> Result<Vec<BatchOp>, Vec<FieldError>> {
        let items = match object.get("operations") {
            Some(Value::Array(items)) if (1..=MAX_OPERATIONS).contains(&items.len()) => items,
            Some(Value::Array(_)) => {
                return Err(vec![FieldError::body(
                    "operations",
                    format!("must have 1-{MAX_OPERATIONS} operations"),
                )]);
            }
            _ => return Err(vec![FieldError::body("operations", "must be an array")]),
        };
        let mut errors = Vec::new();
        let mut ops = Vec::with_capacity(items.len());
        for (index, item) in items.iter().enumerate() {
            match operation(item, &format!("#/operations/{index}")) {
                Ok(op) => ops.push(op),
                Err(mut failed) => errors.append(&mut failed),
            }
        }
        if errors.is_empty() {
            Ok(ops)
        } else {
            Err(errors)
        }
    }
}

/// The members of one operation, each of its type (else an error).
struct Members<'a> {
    kind: Option<BatchOpKind>,
    id: Option<i64>,
    if_match: Option<&'a str>,
    task: Option<&'a Map<String, Value>>,
}

/// The members of `object`: a member that is sent must have its type,
/// whatever the `op`; errors are pushed with pointers from `field`.
fn members<'a>(
    object: &'a Map<String, Value>,
    field: &dyn Fn(&str) -> String,
    errors: &mut Vec<FieldError>,
) -> Members<'a> {
    let mut wrong = |name: &str, detail: &str| errors.push(FieldError::at(field(name), detail));
    let kind = match object.get("op").and_then(Value::as_str) {
        Some("create") => Some(BatchOpKind::Create),
        Some("update") => Some(BatchOpKind::Update),
        Some("delete") => Some(BatchOpKind::Delete),
        _ => {
            wrong("op", "must be create, update or delete");
            None
        }
    };
    let id = object.get("id").and_then(|value| {
        if value.as_i64().is_none() {
            wrong("id", "must be an integer (int64)");
        }
        value.as_i64()
    });
    let if_match = object.get("if_match").and_then(|value| {
        if value.as_str().is_none() {
            wrong("if_match", "must be a string");
        }
        value.as_str()
    });
    let task = object.get("task").and_then(|value| {
        if value.as_object().is_none() {
            wrong("task", "must be an object");
        }
        value.as_object()
    });
    let needs_id = matches!(kind, Some(BatchOpKind::Update | BatchOpKind::Delete));
    if needs_id && !object.contains_key("id") {
        wrong("id", "is required for update and delete");
    }
    let needs_task = matches!(kind, Some(BatchOpKind::Create | BatchOpKind::Update));
    if needs_task && !object.contains_key("task") {
        wrong("task", "is required for create and update");
    }
    Members {
        kind,
        id,
        if_match,
        task,
    }
}

/// One operation, or every error in it (pointers under `at`).
fn operation(item: &Value, at: &str) -> Result<BatchOp, Vec<FieldError>> {
    let Some(object) = item.as_object() else {
        return Err(vec![FieldError::at(at.to_owned(), "must be an object")]);
    };
    let field = |name: &str| format!("{at}/{name}");
    let mut errors = Vec::new();
    let m = members(object, &field, &mut errors);
    let expect = |id| m.if_match.map(|v| expect_value(Some(v), id));
    let nest = |e: Vec<FieldError>| e.into_iter().map(|e| e.nested_in(&field("task")));
    let op = match (m.kind, m.id, m.task) {
        (Some(BatchOpKind::Create), _, Some(task)) => TaskInput::from_json(task)
            .map_err(|e| errors.extend(nest(e)))
            .ok()
            .map(BatchOp::Create),
        (Some(BatchOpKind::Update), Some(id), Some(task)) => TaskPatch::from_json(task)
            .map_err(|e| errors.extend(nest(e)))
            .ok()
            .map(|changes| BatchOp::Update {
                id,
                changes,
                expect: expect(id),
            }),
        (Some(BatchOpKind::Delete), Some(id), _) => Some(BatchOp::Delete {
            id,
            expect: expect(id),
        }),
        _ => None,
    };
    match op {
        Some(op) if errors.is_empty() => Ok(op),
        _ => Err(errors),
    }
}

/// `POST` on `/api/tasks/batch`.
#[derive(Default)]
pub struct BatchApi;

#[OpenApi(tag = "ApiTags::Tasks")]
impl BatchApi {
    /// Run a batch of writes
    ///
    /// Performs up to 100 creates, updates and deletes in order, in one
    /// transaction: all of them, or none. Invalid input is a 400 naming every
    /// bad member by its JSON pointer (`#/operations/3/task/title`); an
    /// operation that cannot be done (a missing task: 404; an `if_match`
    /// that is not the task's ETag: 412) fails the whole batch and the
    /// problem names it (`#/operations/3`). With an `Idempotency-Key`, the
    /// batch is performed once: a retry gets the first response again.
    #[oai(
        path = "/api/tasks/batch",
        method = "post",
        operation_id = "batch_tasks"
    )]
    async fn batch_tasks(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// Makes retries safe: the whole batch is performed once per key (as
        /// for `POST /api/tasks`); the same key with another body is a 422.
        #[oai(name = "Idempotency-Key")]
        idempotency_key: RawHeader<IdempotencyKey>,
        body: JsonBody<BatchRequest>,
    ) -> Result<RateLimited<BatchResponse>, Errors<BatchErrors>> {
        let key = idempotency_key.parse("Idempotency-Key", IdempotencyKey::parse)?;
        let creates: Vec<bool> = body
            .value
            .iter()
            .map(|op| matches!(op, BatchOp::Create(_)))
            .collect();
        let now = Timestamp::now();
        // Not the create's fingerprint: a key never replays the other kind
        // of request.
        let fingerprint = format!("batch:{}", body.fingerprint());
        let ops = batch_scopes(&db, owner.0, body.value).await?;
        let scope = match ops.first() {
            Some((scope, _)) => *scope,
            None => ListScope::inbox(owner.0, db::lists::inbox(&db, owner.0).await?),
        };
        let ops: Vec<_> = ops.into_iter().map(|(s, op)| (s.list, op)).collect();
        let (stored, replayed) = match key {
            None => match db::tasks::batch(&db, scope, ops, now).await? {
                Ok(results) => (BatchResponse::render(results, &creates)?, false),
                Err(failure) => return Err(failed(failure).into()),
            },
            Some(key) => {
                let render = move |done| match done {
                    Ok(results) => BatchResponse::render(results, &creates),
                    Err(failure) => Err(failed(failure)),
                };
                let case = db::tasks::Batch::new(ops);
                let keyed =
                    idempotency::run_once(&db, scope, now, &key, &fingerprint, case, render);
                match keyed.await? {
                    Keyed::Created(stored) => (stored, false),
                    Keyed::Replayed(stored) => (stored, true),
                    Keyed::KeyReused => return Err(ApiError::idempotency_key_reused().into()),
                }
            }
        };
        Ok(RateLimited(BatchResponse::replay(stored, replayed)?))
    }
}

fn item_result(task: Option<domain::Task>, created: bool) -> BatchItemResult {
    match task {
        Some(task) => BatchItemResult {
            status: if created { 201 } else { 200 },
            etag: Some(etag(&task)),
            task: Some(task.into()),
        },
        None => BatchItemResult {
            status: 204,
            task: None,
            etag: None,
        },
    }
}

/// The problem for the operation that failed the batch: as the single
/// request would have answered (RFC 9110 §13.1.1: `if_match` on a missing
/// task is a 412), naming the operation.
fn failed(failure: BatchFailure) -> ApiError {
    if let Some(refusal) = &failure.refusal {
        let at = format!("#/operations/{}/task", failure.index);
        return ApiError::refused(refusal, Some(&at));
    }
    let problem = if failure.stale || failure.expected {
        ApiError::precondition_failed(failure.id)
    } else {
        ApiError::task_not_found(failure.id)
    };
    problem.at_operation(failure.index)
}
