//! `/api/tasks`: list tasks, create a task.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{ApiResponse, OpenApi};

use super::paging::{FilterParams, ListParams, Sort, TaskPage};
use super::{ApiTags, Task, TaskInput};
use crate::api::access::{create_scope, read_lists};
use crate::api::body::JsonBody;
use crate::api::conditional::etag;
use crate::api::params::{Lenient, RawHeader};
use crate::api::types::{ParentParam, SearchParam};
use crate::auth::scope::Scope;
use crate::auth::{Owner, RateLimited};
use crate::db::{self, Db};
use crate::domain::{self, Label, ListQuery, Timestamp};
use crate::error::{ApiError, CreateErrors, Errors, ListErrors};
use crate::idempotency::{self, IdempotencyKey, Keyed, StoredResponse};
use crate::payload::JsonText;

#[derive(ApiResponse)]
enum ListTasksResponse {
    /// One page of tasks.
    #[oai(status = 200)]
    Ok(
        JsonText<TaskPage>,
        /// RFC 8288 links to the `first`, `prev`, `next` and `last` pages
        /// (page mode, as they apply) or the `next` page (cursor mode), as
        /// relative references that keep the other query parameters.
        #[oai(header = "Link")]
        Option<String>,
    ),
}

#[derive(ApiResponse)]
enum CreateTaskResponse {
    /// The task was created (or, for a retried `Idempotency-Key`, the first
    /// response is repeated).
    #[oai(status = 201)]
    Created(
        JsonText<Task>,
        /// The URL of the new task.
        #[oai(header = "Location")]
        String,
        /// The task's strong entity tag.
        #[oai(header = "ETag")]
        String,
        /// `true` when this is the stored response of an earlier request
        /// with the same `Idempotency-Key` (nothing was performed now);
        /// absent otherwise.
        #[oai(header = "Idempotent-Replayed")]
        Option<bool>,
    ),
}

/// The status of a created task's response.
const CREATED: u16 = 201;

impl CreateTaskResponse {
    /// The 201 of a create, as it is stored for replays.
    fn render(task: &domain::Task) -> Result<StoredResponse, ApiError> {
        let body = super::render::task(task)?.into_string();
        Ok(StoredResponse {
            status: CREATED,
            body,
            location: Some(format!("/api/tasks/{}", task.id)),
            etag: Some(etag(task)),
        })
    }

    /// The 201 of a create just performed.
    fn created(task: &domain::Task) -> Result<Self, ApiError> {
        let body = super::render::task(task)?;
        let location = format!("/api/tasks/{}", task.id);
        Ok(Self::Created(body, location, etag(task), None))
    }

    /// The response `stored`, marked as a replay when `replayed`.
    fn replay(stored: StoredResponse, replayed: bool) -> Result<Self, ApiError> {
        match (stored.status, stored.location, stored.etag) {
            (CREATED, Some(location), Some(etag)) => Ok(Self::Created(
                JsonText::new(stored.body),
                location,
                etag,
                replayed.then_some(true),
            )),
            (status, ..) => Err(ApiError::internal(&NotACreate(status))),
        }
    }
}

/// A stored response that is not a create's (a 201 with `Location` and
/// `ETag`): its key was used for another kind of request.
#[derive(Debug, thiserror::Error)]
#[error("the stored response for this idempotency key is not a create's (status {0})")]
struct NotACreate(u16);

fn default_page() -> Lenient<i64> {
    Lenient::of(ListQuery::DEFAULT_PAGE as i64)
}

fn default_per_page() -> Lenient<i64> {
    Lenient::of(ListQuery::DEFAULT_PER_PAGE as i64)
}

/// `GET` and `POST` on `/api/tasks`.
#[derive(Default)]
pub struct CollectionApi;

#[OpenApi(tag = "ApiTags::Tasks")]
impl CollectionApi {
    /// List tasks
    ///
    /// Returns one page of tasks, filtered and ordered as asked. Page mode
    /// (`page`) counts the matches and may skip to any page; a page past the
    /// end is empty, not an error. Cursor mode (`cursor`, from a previous
    /// `next_cursor`) continues after the previous page at the same cost at
    /// any depth, without counting, and never shows a task twice or skips
    /// one that existed throughout, even while tasks are added or deleted.
    #[allow(clippy::too_many_arguments)]
    #[oai(path = "/api/tasks", method = "get", operation_id = "list_tasks")]
    async fn list_tasks(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksRead")] owner: Owner,
        req: &Request,
        /// The page number, from 1. Not with `cursor`.
        #[oai(default = "default_page", validator(minimum(value = "1")))]
        page: Query<Lenient<i64>>,
        /// Tasks per page, 1–100. May change from one cursor page to the next.
        #[oai(
            default = "default_per_page",
            example = "super::examples::per_page",
            validator(minimum(value = "1"), maximum(value = "100"))
        )]
        per_page: Query<Lenient<i64>>,
        /// Only tasks that are (`true`) or are not (`false`) done.
        done: Query<Option<Lenient<bool>>>,
        /// Only tasks whose title contains this text, ignoring ASCII letter
        /// case. `%`, `_` and `\` match only themselves. At most 200
        /// characters (no longer text can match a title).
        q: Query<Option<Lenient<SearchParam>>>,
        /// The order: `id`, `created_at`, `updated_at`, `due_at`, `title` or
        /// `position` (the manual order among siblings: use it with
        /// `parent_id`), with a leading `-` for descending. Ties are broken by `id`; tasks
        /// with no `due_at` come last either way. Default: `id`.
        // No `default` attribute: poem-openapi would wrap the `$ref` in an
        // `allOf`, which openapi-python-client cannot read. The default is
        // stated in the description instead.
        sort: Query<Option<Lenient<Sort>>>,
        /// The `next_cursor` of the previous page, sent with the same `sort`
        /// and filters. Not with `page`.
        cursor: Query<Option<String>>,
        /// Only tasks changed at or after this instant (inclusive; RFC 3339
        /// with an offset, e.g. `2026-01-31T17:00:00Z`; send `+` as `%2B`).
        updated_since: Query<Option<Lenient<Timestamp>>>,
        /// Only tasks last changed before this instant (exclusive).
        updated_before: Query<Option<Lenient<Timestamp>>>,
        /// Only tasks due at or after this instant (inclusive); tasks with no
        /// `due_at` never match a due-date bound.
        due_after: Query<Option<Lenient<Timestamp>>>,
        /// Only tasks due before this instant (exclusive).
        due_before: Query<Option<Lenient<Timestamp>>>,
        /// `true`: tasks in the trash too, with their `deleted_at`.
        show_deleted: Query<Option<Lenient<bool>>>,
        /// Only the subtasks of this task (`parent_id=7`), or only
        /// top-level tasks (`parent_id=null`).
        parent_id: Query<Option<Lenient<ParentParam>>>,
        /// Only tasks with this label (matched without regard to case);
        /// repeat it (up to 20 times) for tasks that carry all of them:
        /// `label=work&label=urgent`.
        #[oai(explode = true)]
        label: Query<Option<Vec<Lenient<Label>>>>,
        /// Only the tasks of this list (else those of every list the
        /// caller sees). `sort=position` is the manual order of one list:
        /// across lists, each list's tasks keep their order, interleaved
        /// by key.
        list_id: Query<Option<Lenient<i64>>>,
    ) -> Result<RateLimited<ListTasksResponse>, Errors<ListErrors>> {
        let params = ListParams {
            page: page.0,
            per_page: per_page.0,
            filters: FilterParams {
                done: done.0,
                q: q.0,
                updated_since: updated_since.0,
                updated_before: updated_before.0,
                due_after: due_after.0,
                due_before: due_before.0,
                show_deleted: show_deleted.0,
                parent_id: parent_id.0,
                labels: label.0.unwrap_or_default(),
                list_id: list_id.0,
            },
            sort: sort.0,
            cursor: cursor.0,
        };
        let request = params.validate(req)?;
        let page = match request.query.filters.list {
            Some(_) => {
                let lists = read_lists(&db, owner.0, request.query.filters.list).await?;
                db::tasks::list(&db, &lists, &request.query).await?
            }
            None => db::tasks::list_visible(&db, owner.0, &request.query).await?,
        };
        let (body, link) = request.respond(req, page)?;
        Ok(RateLimited(ListTasksResponse::Ok(body, link)))
    }

    /// Create a task
    ///
    /// Stores a new task and returns it with its `Location` and `ETag`. With
    /// an `Idempotency-Key`, the request is performed once: a retry with the
    /// same key and the same body gets the first response again (also when
    /// it arrives while the first is running, or at another process); the
    /// same key with a different body is a 422. Keys are kept 24 hours.
    #[oai(path = "/api/tasks", method = "post", operation_id = "create_task")]
    async fn create_task(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// Makes retries safe: 1–255 printable ASCII characters, unique per
        /// intended task (a UUID, say).
        #[oai(name = "Idempotency-Key")]
        idempotency_key: RawHeader<IdempotencyKey>,
        body: JsonBody<TaskInput>,
    ) -> Result<RateLimited<CreateTaskResponse>, Errors<CreateErrors>> {
        let key = idempotency_key.parse("Idempotency-Key", IdempotencyKey::parse)?;
        let now = Timestamp::now();
        let scope = create_scope(&db, owner.0, &body.value).await?;
        let Some(key) = key else {
            let task = db::tasks::insert(&db, scope, body.value, now)
                .await?
                .map_err(|refusal| ApiError::refused(&refusal, None))?;
            return Ok(RateLimited(CreateTaskResponse::created(&task)?));
        };
        let fingerprint = body.fingerprint();
        let case = db::tasks::Create::new(body.value);
        let render = |done: Result<domain::Task, db::tasks::Refusal>| match done {
            Ok(task) => CreateTaskResponse::render(&task),
            Err(refusal) => Err(ApiError::refused(&refusal, None)),
        };
        let keyed = idempotency::run_once(&db, scope, now, &key, &fingerprint, case, render);
        let (stored, replayed) = match keyed.await? {
            Keyed::Created(stored) => (stored, false),
            Keyed::Replayed(stored) => (stored, true),
            Keyed::KeyReused => return Err(ApiError::idempotency_key_reused().into()),
        };
        Ok(RateLimited(CreateTaskResponse::replay(stored, replayed)?))
    }
}
