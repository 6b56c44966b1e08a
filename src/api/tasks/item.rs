//! `/api/tasks/{id}`: read, replace, update and delete one task, each
//! guarded by the conditional headers (RFC 9110 §13).

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, OpenApi};

use super::{ApiTags, Task, TaskInput, TaskPatch, task_id};
use crate::api::access::on_task;
use crate::api::body::JsonBody;
use crate::api::conditional::{self, etag};
use crate::api::params::{Lenient, RawHeader, purge_flag};
use crate::auth::scope::Scope;
use crate::auth::{Owner, RateLimited};
use crate::db::tasks::{Expect, Outcome};
use crate::db::{self, Db};
use crate::domain::{self, TaskChanges, Timestamp};
use crate::error::{ApiError, DeleteErrors, Errors, FieldError, ReadErrors, WriteErrors};
use crate::payload::JsonText;

#[derive(ApiResponse)]
enum GetTaskResponse {
    /// The task.
    #[oai(status = 200)]
    Ok(
        JsonText<Task>,
        /// The task's strong entity tag.
        #[oai(header = "ETag")]
        String,
    ),
    /// The task still has the ETag given in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(
        /// The task's strong entity tag.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(ApiResponse)]
enum WriteTaskResponse {
    /// The task as it now is.
    #[oai(status = 200)]
    Ok(
        JsonText<Task>,
        /// The task's strong entity tag.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(ApiResponse)]
enum DeleteTaskResponse {
    /// The task is in the trash (or, with `purge=true`, gone for good).
    #[oai(status = 204)]
    Deleted,
}

/// A conditional write's outcome as the client sees it. RFC 9110 §13.1.1:
/// `If-Match` on a task that does not exist fails (412), like a stale one.
pub(super) fn answer<T>(
    id: i64,
    expect: Option<&Expect>,
    outcome: Outcome<T>,
) -> Result<T, ApiError> {
    match outcome {
        Outcome::Done(value) => Ok(value),
        Outcome::NotDeleted => Err(ApiError::task_not_deleted(id)),
        Outcome::ParentDeleted(parent) => Err(ApiError::parent_deleted(id, parent)),
        Outcome::Refused(refusal) => Err(refusal.into()),
        Outcome::Missing if expect.is_none() => Err(ApiError::task_not_found(id)),
        Outcome::Missing | Outcome::Stale => Err(ApiError::precondition_failed(id)),
    }
}

/// The body and ETag of a conditional write that gives back the task (PUT,
/// PATCH, undelete, move), or its problem.
pub(super) fn answered(
    id: i64,
    expect: Option<&Expect>,
    outcome: Outcome<domain::Task>,
) -> Result<(JsonText<Task>, String), ApiError> {
    let task = answer(id, expect, outcome)?;
    Ok((super::render::task(&task)?, etag(&task)))
}

/// A PUT or PATCH: the change, guarded by `If-Match` when sent.
async fn write(
    db: &Db,
    owner: Owner,
    id: i64,
    changes: TaskChanges,
    if_match: &RawHeader,
) -> Result<RateLimited<WriteTaskResponse>, Errors<WriteErrors>> {
    let expect = conditional::expect(if_match, id);
    let now = Timestamp::now();
    let outcome = on_task(db, owner.0, id, expect.as_ref(), |scope| {
        let (changes, expect) = (changes.clone(), expect.clone());
        async move {
            if let Some(sent) = changes.list_id
                && sent != scope.list.0
            {
                // Not this list: the task is elsewhere, or `list_id` is wrong.
                return Ok(match expect {
                    Some(_) => Outcome::Stale,
                    None => Outcome::Missing,
                });
            }
            db::tasks::update(db, scope, id, changes, expect, now).await
        }
    })
    .await?;
    if let (Some(sent), Outcome::Missing | Outcome::Stale) = (changes.list_id, &outcome) {
        // The task may be in another list than the one sent.
        if let Some(access) = db::lists::of_task(db, owner.0, id).await?
            && access.list.0 != sent
        {
            return Err(ApiError::validation(vec![FieldError::body(
                "list_id",
                format!(
                    "must be the task's list ({}): a task moves to another list by POST /api/tasks/{id}/move",
                    access.list.0
                ),
            )])
            .into());
        }
    }
    let (body, tag) = answered(id, expect.as_ref(), outcome)?;
    Ok(RateLimited(WriteTaskResponse::Ok(body, tag)))
}

/// `GET`, `PUT`, `PATCH` and `DELETE` on `/api/tasks/{id}`.
#[derive(Default)]
pub struct ItemApi;

#[OpenApi(tag = "ApiTags::Tasks")]
impl ItemApi {
    /// Get a task
    ///
    /// With `If-None-Match` naming its current ETag (or `*`), the answer is
    /// 304 with no body.
    #[oai(path = "/api/tasks/:id", method = "get", operation_id = "get_task")]
    async fn get_task(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksRead")] owner: Owner,
        /// The task's id.
        #[oai(example = "super::examples::task_id")]
        id: Path<Lenient<i64>>,
        /// ETags the client already has: `*` or a list such as `"3-1", "3-2"`
        /// (a value that is neither matches nothing).
        #[oai(name = "If-None-Match")]
        if_none_match: RawHeader,
    ) -> Result<RateLimited<GetTaskResponse>, Errors<ReadErrors>> {
        let id = task_id(id.0)?;
        let task = db::tasks::find(&db, owner.0, id)
            .await?
            .ok_or_else(|| ApiError::task_not_found(id))?;
        let tag = etag(&task);
        if conditional::none_match(&if_none_match, &task) {
            return Ok(RateLimited(GetTaskResponse::NotModified(tag)));
        }
        Ok(RateLimited(GetTaskResponse::Ok(
            super::render::task(&task)?,
            tag,
        )))
    }

    /// Replace a task
    ///
    /// Sets every writable field: those left out become `null` (`done`:
    /// `false`). Validation is the same as for create. With `If-Match`, the
    /// write happens only if the task still has that ETag (else 412).
    #[oai(path = "/api/tasks/:id", method = "put", operation_id = "replace_task")]
    async fn replace_task(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// The task's id.
        #[oai(example = "super::examples::task_id")]
        id: Path<Lenient<i64>>,
        /// Write only if the task's current ETag is one of these (or `*`); a
        /// value that is neither matches nothing, so the write is refused.
        #[oai(name = "If-Match")]
        if_match: RawHeader,
        body: JsonBody<TaskInput>,
    ) -> Result<RateLimited<WriteTaskResponse>, Errors<WriteErrors>> {
        let id = task_id(id.0)?;
        let changes = TaskChanges::from(body.value);
        write(&db, owner, id, changes, &if_match).await
    }

    /// Update a task
    ///
    /// Applies a JSON Merge Patch (RFC 7396): members left out stay as they
    /// are, `null` clears `description` or `due_at`. A patch that changes
    /// nothing leaves `updated_at` and the ETag as they were. With
    /// `If-Match`, the write happens only if the task still has that ETag.
    #[oai(
        path = "/api/tasks/:id",
        method = "patch",
        operation_id = "update_task"
    )]
    async fn update_task(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// The task's id.
        #[oai(example = "super::examples::task_id")]
        id: Path<Lenient<i64>>,
        /// Write only if the task's current ETag is one of these (or `*`); a
        /// value that is neither matches nothing, so the write is refused.
        #[oai(name = "If-Match")]
        if_match: RawHeader,
        body: JsonBody<TaskPatch>,
    ) -> Result<RateLimited<WriteTaskResponse>, Errors<WriteErrors>> {
        let id = task_id(id.0)?;
        write(&db, owner, id, body.value, &if_match).await
    }

    /// Delete a task
    ///
    /// Moves the task to the trash: it is then 404 here and left out of
    /// lists (unless `show_deleted=true`), `POST /api/tasks/{id}/undelete`
    /// restores it, and it is removed for good after the retention (30 days
    /// by default). `purge=true` removes it for good at once, also from the
    /// trash. With `If-Match`, only if the task still has that ETag.
    #[oai(
        path = "/api/tasks/:id",
        method = "delete",
        operation_id = "delete_task"
    )]
    async fn delete_task(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// The task's id.
        #[oai(example = "super::examples::task_id")]
        id: Path<Lenient<i64>>,
        /// Delete only if the task's current ETag is one of these (or `*`); a
        /// value that is neither matches nothing, so the delete is refused.
        #[oai(name = "If-Match")]
        if_match: RawHeader,
        /// `true`: remove the task for good now (from the trash too)
        /// instead of moving it to the trash.
        purge: Query<Option<Lenient<bool>>>,
    ) -> Result<RateLimited<DeleteTaskResponse>, Errors<DeleteErrors>> {
        let mut errors = Vec::new();
        let purge = purge_flag(purge.0, &mut errors);
        let id = task_id(id.0)?;
        if !errors.is_empty() {
            return Err(ApiError::validation(errors).into());
        }
        let expect = conditional::expect(&if_match, id);
        let now = Timestamp::now();
        let outcome = on_task(&db, owner.0, id, expect.as_ref(), |scope| {
            db::tasks::delete(&db, scope, id, expect.clone(), purge, now)
        })
        .await?;
        answer(id, expect.as_ref(), outcome)?;
        Ok(RateLimited(DeleteTaskResponse::Deleted))
    }
}
