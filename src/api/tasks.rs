//! The task resource: `/api/tasks` and `/api/tasks/{id}`.

use poem::Request;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::types::ToJSON;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};
use serde_json::{Map, Value};

use super::body::{Field, JsonBody, JsonInput, boolean, member, string};
use super::conditional::{self, etag};
use super::cursor::Cursor;
use super::params::{Lenient, RawHeader};
use super::payload::JsonText;
use crate::db::tasks::{Keyed, Outcome, StoredResponse};
use crate::db::{self, Db};
use crate::domain::{
    self, Description, ListQuery, SortField, SortOrder, TaskChanges, TaskDraft, Timestamp, Title,
    Window,
};
use crate::error::{
    ApiError, CreateErrors, DeleteErrors, Errors, FieldError, ListErrors, ReadErrors, WriteErrors,
};

#[derive(Tags)]
enum ApiTags {
    /// Create, read, update, delete and list tasks.
    Tasks,
}

/// A task.
#[derive(Object, Debug, Clone, PartialEq)]
pub struct Task {
    /// Assigned by the server; never reused.
    #[oai(read_only)]
    pub id: i64,
    /// What to do: 1–200 characters, stored with surrounding whitespace trimmed.
    #[oai(validator(max_length = 200, min_length = 1))]
    pub title: String,
    /// Longer notes, or `null`.
    #[oai(nullable)]
    pub description: Option<String>,
    /// Whether the task is finished.
    pub done: bool,
    /// When the task is due (UTC), or `null`.
    #[oai(nullable)]
    pub due_at: Option<Timestamp>,
    /// When the task was created (UTC, set by the server).
    #[oai(read_only)]
    pub created_at: Timestamp,
    /// When the task last changed (UTC, set by the server).
    #[oai(read_only)]
    pub updated_at: Timestamp,
}

impl From<domain::Task> for Task {
    fn from(task: domain::Task) -> Self {
        Self {
            id: task.id,
            title: task.title,
            description: task.description,
            done: task.done,
            due_at: task.due_at,
            created_at: task.created_at,
            updated_at: task.updated_at,
        }
    }
}

/// The fields a client sets when it creates or replaces a task. Read-only
/// and unknown members are ignored.
#[derive(Object)]
pub struct TaskInput {
    /// What to do: 1–200 characters (Unicode code points, as sent), with at
    /// least one that is not whitespace; surrounding whitespace is trimmed.
    #[oai(validator(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*[^\u0000\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000\ufeff][^\u0000]*$"
    ))]
    title: String,
    /// Longer notes: at most 10,000 characters, or `null` (the default).
    #[oai(nullable, validator(max_length = 10000, pattern = r"^[^\u0000]*$"))]
    description: Option<String>,
    /// Whether the task is finished (default `false`).
    #[oai(default)]
    done: bool,
    /// When the task is due: an RFC 3339 date-time with an offset, or `null`
    /// (the default). Returned in UTC.
    #[oai(nullable)]
    due_at: Option<Timestamp>,
}

impl JsonInput for TaskInput {
    type Output = TaskDraft;
    const MEDIA_TYPES: &'static [&'static str] = &["application/json"];

    fn from_json(object: &Map<String, Value>) -> Result<TaskDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let changes = read_changes(object, &mut errors);
        let title = match changes.title {
            Field::Value(title) => Some(title),
            Field::Absent => {
                errors.push(FieldError::body("title", "is required"));
                None
            }
            Field::Null | Field::Invalid => None,
        };
        match (title, errors.is_empty()) {
            (Some(title), true) => Ok(TaskDraft {
                title,
                description: changes.description.into_option(),
                done: changes.done.into_option().unwrap_or(false),
                due_at: changes.due_at.into_option(),
            }),
            _ => Err(errors),
        }
    }
}

/// A JSON Merge Patch (RFC 7396) of a task: members left out stay as they
/// are; `null` clears `description` or `due_at`. Read-only and unknown
/// members are ignored.
#[derive(Object)]
pub struct TaskPatch {
    /// A new title (not `null`): 1–200 characters with at least one that is
    /// not whitespace; surrounding whitespace is trimmed.
    #[oai(validator(
        min_length = 1,
        max_length = 200,
        pattern = r"^[^\u0000]*[^\u0000\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000\ufeff][^\u0000]*$"
    ))]
    title: Option<String>,
    /// New notes (at most 10,000 characters), or `null` to clear them.
    #[oai(nullable, validator(max_length = 10000, pattern = r"^[^\u0000]*$"))]
    description: Option<String>,
    /// Whether the task is finished (not `null`).
    done: Option<bool>,
    /// A new due date (RFC 3339 with an offset), or `null` to clear it.
    #[oai(nullable)]
    due_at: Option<Timestamp>,
}

impl JsonInput for TaskPatch {
    type Output = TaskChanges;
    const MEDIA_TYPES: &'static [&'static str] =
        &["application/merge-patch+json", "application/json"];

    fn from_json(object: &Map<String, Value>) -> Result<TaskChanges, Vec<FieldError>> {
        let mut errors = Vec::new();
        let changes = read_changes(object, &mut errors);
        if !errors.is_empty() {
            return Err(errors);
        }
        Ok(TaskChanges {
            title: changes.title.into_option(),
            description: changes.description.into_patch(),
            done: changes.done.into_option(),
            due_at: changes.due_at.into_patch(),
        })
    }
}

/// The writable members of a task body, each parsed and validated; errors
/// (including `null` where it is not allowed) are pushed onto `errors`.
struct RawChanges {
    title: Field<Title>,
    description: Field<Description>,
    done: Field<bool>,
    due_at: Field<Timestamp>,
}

fn read_changes(object: &Map<String, Value>, errors: &mut Vec<FieldError>) -> RawChanges {
    let changes = RawChanges {
        title: member(object, "title", errors, |v| {
            string(v).and_then(Title::parse)
        }),
        description: member(object, "description", errors, |v| {
            string(v).and_then(Description::parse)
        }),
        done: member(object, "done", errors, boolean),
        due_at: member(object, "due_at", errors, |v| {
            string(v).and_then(|text| {
                Timestamp::parse_rfc3339(text).ok_or(
                    "must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T17:00:00Z",
                )
            })
        }),
    };
    for (name, is_null) in [
        ("title", matches!(changes.title, Field::Null)),
        ("done", matches!(changes.done, Field::Null)),
    ] {
        if is_null {
            errors.push(FieldError::body(name, "must not be null"));
        }
    }
    changes
}

impl<T> Field<T> {
    /// The value if one was given (absent and null read as `None`).
    fn into_option(self) -> Option<T> {
        match self {
            Field::Value(value) => Some(value),
            _ => None,
        }
    }

    /// For a merge patch: absent means "unchanged", null means "clear".
    fn into_patch(self) -> Option<Option<T>> {
        match self {
            Field::Value(value) => Some(Some(value)),
            Field::Null => Some(None),
            Field::Absent | Field::Invalid => None,
        }
    }
}

/// The order of a list: a field, with a leading `-` for descending. Ties are
/// broken by `id` in the same direction; tasks with no `due_at` come last in
/// both directions.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    #[oai(rename = "id")]
    Id,
    #[oai(rename = "-id")]
    IdDesc,
    #[oai(rename = "created_at")]
    CreatedAt,
    #[oai(rename = "-created_at")]
    CreatedAtDesc,
    #[oai(rename = "updated_at")]
    UpdatedAt,
    #[oai(rename = "-updated_at")]
    UpdatedAtDesc,
    #[oai(rename = "due_at")]
    DueAt,
    #[oai(rename = "-due_at")]
    DueAtDesc,
    #[oai(rename = "title")]
    Title,
    #[oai(rename = "-title")]
    TitleDesc,
}

impl From<Sort> for (SortField, SortOrder) {
    fn from(sort: Sort) -> Self {
        use SortOrder::{Ascending, Descending};
        match sort {
            Sort::Id => (SortField::Id, Ascending),
            Sort::IdDesc => (SortField::Id, Descending),
            Sort::CreatedAt => (SortField::CreatedAt, Ascending),
            Sort::CreatedAtDesc => (SortField::CreatedAt, Descending),
            Sort::UpdatedAt => (SortField::UpdatedAt, Ascending),
            Sort::UpdatedAtDesc => (SortField::UpdatedAt, Descending),
            Sort::DueAt => (SortField::DueAt, Ascending),
            Sort::DueAtDesc => (SortField::DueAt, Descending),
            Sort::Title => (SortField::Title, Ascending),
            Sort::TitleDesc => (SortField::Title, Descending),
        }
    }
}

/// One page of tasks.
#[derive(Object, Debug, Clone, PartialEq)]
pub struct TaskPage {
    /// The tasks on this page, in the requested order.
    pub items: Vec<Task>,
    /// The page size used.
    pub per_page: u64,
    /// Pass as `cursor` (with the same `sort`, `done` and `q`) for the tasks
    /// after this page; `null` on the last page. Opaque.
    #[oai(nullable)]
    pub next_cursor: Option<String>,
    /// This page's number (page mode only).
    #[oai(skip_serializing_if_is_none)]
    pub page: Option<u64>,
    /// How many tasks match the filters on all pages (page mode only).
    #[oai(skip_serializing_if_is_none)]
    pub total: Option<u64>,
    /// How many pages there are at this page size, 0 when nothing matches
    /// (page mode only).
    #[oai(skip_serializing_if_is_none)]
    pub total_pages: Option<u64>,
}

#[derive(ApiResponse)]
enum ListTasksResponse {
    /// One page of tasks.
    #[oai(status = 200)]
    Ok(
        Json<TaskPage>,
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
    ),
}

#[derive(ApiResponse)]
enum GetTaskResponse {
    /// The task.
    #[oai(status = 200)]
    Ok(
        Json<Task>,
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
        Json<Task>,
        /// The task's strong entity tag.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(ApiResponse)]
enum DeleteTaskResponse {
    /// The task was deleted.
    #[oai(status = 204)]
    Deleted,
}

impl WriteTaskResponse {
    fn of(task: domain::Task) -> Self {
        let tag = etag(&task);
        Self::Ok(Json(task.into()), tag)
    }
}

fn default_page() -> Lenient<i64> {
    Lenient::of(ListQuery::DEFAULT_PAGE as i64)
}

fn default_per_page() -> Lenient<i64> {
    Lenient::of(ListQuery::DEFAULT_PER_PAGE as i64)
}

const SORT_VALUES: &str = "must be one of id, created_at, updated_at, due_at, title, \
                           each optionally prefixed with - for descending order";

fn check_q(q: String) -> Result<String, &'static str> {
    if q.chars().count() > domain::task::TITLE_MAX_CHARS {
        return Err("must be at most 200 characters");
    }
    if q.contains('\0') {
        return Err("must not contain the NUL character (U+0000)");
    }
    Ok(q)
}

/// An Idempotency-Key: 1–255 printable ASCII characters, not starting or
/// ending with a space.
fn check_idempotency_key(key: &str) -> Result<&str, &'static str> {
    let printable = key.bytes().all(|b| (0x20..=0x7e).contains(&b));
    let trimmed = !key.starts_with(' ') && !key.ends_with(' ');
    if key.is_empty() || key.len() > 255 || !printable || !trimmed {
        return Err(
            "must be 1-255 printable ASCII characters, not starting or ending with a space",
        );
    }
    Ok(key)
}

/// The path parameter `id`, or a 400 naming it.
fn task_id(id: Lenient<i64>) -> Result<i64, ApiError> {
    let mut errors = Vec::new();
    id.check("id", "must be an integer (int64)", &mut errors, Ok)
        .ok_or_else(|| ApiError::validation(errors))
}

/// The name of a sort, as the `sort` parameter spells it.
fn sort_name(sort: Sort) -> String {
    match sort.to_json() {
        Some(Value::String(name)) => name,
        _ => String::new(),
    }
}

/// Whether the raw query string carries parameter `name` at all.
fn query_has(req: &Request, name: &str) -> bool {
    req.uri().query().is_some_and(|q| {
        q.split('&')
            .any(|pair| pair.split('=').next() == Some(name))
    })
}

/// The RFC 8288 `Link` value for `rels` (relation, parameter, value), each
/// URL keeping the request's other query parameters.
fn link_header(req: &Request, rels: &[(&str, &str, String)]) -> Option<String> {
    let kept: Vec<&str> = req
        .uri()
        .query()
        .unwrap_or_default()
        .split('&')
        .filter(|pair| {
            let name = pair.split('=').next().unwrap_or_default();
            !pair.is_empty() && name != "page" && name != "cursor"
        })
        .collect();
    let links: Vec<String> = rels
        .iter()
        .map(|(rel, name, value)| {
            let mut query = kept.clone();
            let param = format!("{name}={value}");
            query.push(&param);
            format!("</api/tasks?{}>; rel=\"{rel}\"", query.join("&"))
        })
        .collect();
    (!links.is_empty()).then(|| links.join(", "))
}

pub struct TasksApi;

#[OpenApi(tag = "ApiTags::Tasks")]
impl TasksApi {
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
        req: &Request,
        /// The page number, from 1. Not with `cursor`.
        #[oai(default = "default_page", validator(minimum(value = "1")))]
        page: Query<Lenient<i64>>,
        /// Tasks per page, 1–100. May change from one cursor page to the next.
        #[oai(
            default = "default_per_page",
            validator(minimum(value = "1"), maximum(value = "100"))
        )]
        per_page: Query<Lenient<i64>>,
        /// Only tasks that are (`true`) or are not (`false`) done.
        done: Query<Option<Lenient<bool>>>,
        /// Only tasks whose title contains this text, ignoring ASCII letter
        /// case. `%`, `_` and `\` match only themselves. At most 200
        /// characters (no longer text can match a title).
        #[oai(validator(max_length = 200))]
        q: Query<Option<Lenient<String>>>,
        /// The order: `id`, `created_at`, `updated_at`, `due_at` or `title`,
        /// with a leading `-` for descending. Ties are broken by `id`; tasks
        /// with no `due_at` come last either way. Default: `id`.
        // No `default` attribute: poem-openapi would wrap the `$ref` in an
        // `allOf`, which openapi-python-client cannot read. The default is
        // stated in the description instead.
        sort: Query<Option<Lenient<Sort>>>,
        /// The `next_cursor` of the previous page, sent with the same `sort`,
        /// `done` and `q`. Not with `page`.
        cursor: Query<Option<String>>,
    ) -> Result<ListTasksResponse, Errors<ListErrors>> {
        let mut errors = Vec::new();
        let page = page.0.check(
            "page",
            "must be an integer",
            &mut errors,
            ListQuery::check_page,
        );
        let per_page = per_page.0.check(
            "per_page",
            "must be an integer",
            &mut errors,
            ListQuery::check_per_page,
        );
        let done = done
            .0
            .and_then(|d| d.check("done", "must be true or false", &mut errors, Ok));
        let q =
            q.0.and_then(|q| q.check("q", "must be text", &mut errors, check_q));
        let sort =
            sort.0
                .unwrap_or(Lenient::of(Sort::Id))
                .check("sort", SORT_VALUES, &mut errors, Ok);
        let window = match (cursor.0, sort) {
            (None, _) => page.map(Window::Page),
            (Some(_), _) if query_has(req, "page") => {
                errors.push(FieldError::parameter(
                    "cursor",
                    "cannot be combined with page",
                ));
                None
            }
            (Some(_), None) => None,
            (Some(text), Some(sort)) => {
                let position = Cursor::decode(&text).ok_or("is not a cursor this server issued").and_then(
                    |c| {
                        if c.sort != sort_name(sort) || c.done != done || c.q != q {
                            return Err("belongs to another list: send it with the sort, done and q it was issued for");
                        }
                        let (field, _) = sort.into();
                        c.position(field).ok_or("is not a cursor this server issued")
                    },
                );
                position
                    .map_err(|reason| errors.push(FieldError::parameter("cursor", reason)))
                    .ok()
                    .map(Window::After)
            }
        };
        let (Some(window), Some(per_page), Some(sort), true) =
            (window, per_page, sort, errors.is_empty())
        else {
            return Err(ApiError::validation(errors).into());
        };
        let (field, order) = sort.into();
        let query = ListQuery {
            window,
            per_page,
            done,
            q,
            sort: field,
            order,
        };
        let result = db::tasks::list(&db, &query).await?;
        let next_cursor = match result.items.last() {
            Some(last) if result.has_more => Some(
                Cursor::new(
                    sort_name(sort),
                    query.done,
                    query.q.clone(),
                    &last.position(field),
                )
                .encode(),
            ),
            _ => None,
        };
        let mut rels = Vec::new();
        let (page, total_pages) = match (&query.window, result.total) {
            (Window::Page(page), Some(total)) => {
                let pages = query.total_pages(total);
                let last = pages.max(1);
                rels.push(("first", "page", "1".to_owned()));
                if *page > 1 {
                    rels.push(("prev", "page", (page - 1).min(last).to_string()));
                }
                if *page < pages {
                    rels.push(("next", "page", (page + 1).to_string()));
                }
                rels.push(("last", "page", last.to_string()));
                (Some(*page), Some(pages))
            }
            _ => {
                if let Some(cursor) = &next_cursor {
                    rels.push(("next", "cursor", cursor.clone()));
                }
                (None, None)
            }
        };
        let body = TaskPage {
            items: result.items.into_iter().map(Task::from).collect(),
            per_page: query.per_page,
            next_cursor,
            page,
            total: result.total,
            total_pages,
        };
        Ok(ListTasksResponse::Ok(Json(body), link_header(req, &rels)))
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
        /// Makes retries safe: 1–255 printable ASCII characters, unique per
        /// intended task (a UUID, say).
        #[oai(
            name = "Idempotency-Key",
            validator(min_length = 1, max_length = 255, pattern = r"^[!-~]([ -~]*[!-~])?$")
        )]
        idempotency_key: RawHeader,
        body: JsonBody<TaskInput>,
    ) -> Result<CreateTaskResponse, Errors<CreateErrors>> {
        let key = idempotency_key
            .text("Idempotency-Key")?
            .map(|key| {
                check_idempotency_key(key).map_err(|reason| {
                    ApiError::validation(vec![FieldError::parameter("Idempotency-Key", reason)])
                })
            })
            .transpose()?;
        let now = Timestamp::now();
        let stored = match key {
            None => render_created(&db::tasks::insert(&db, body.value, now).await?),
            Some(key) => {
                let fingerprint = body.fingerprint();
                let keyed =
                    db::tasks::insert_once(&db, key, &fingerprint, body.value, now, render_created)
                        .await?;
                match keyed {
                    Keyed::Created(stored) | Keyed::Replayed(stored) => stored,
                    Keyed::KeyReused => return Err(ApiError::idempotency_key_reused().into()),
                }
            }
        };
        Ok(CreateTaskResponse::Created(
            JsonText::new(stored.body),
            stored.location.unwrap_or_default(),
            stored.etag.unwrap_or_default(),
        ))
    }

    /// Get a task
    ///
    /// With `If-None-Match` naming its current ETag (or `*`), the answer is
    /// 304 with no body.
    #[oai(path = "/api/tasks/:id", method = "get", operation_id = "get_task")]
    async fn get_task(
        &self,
        db: Data<&Db>,
        /// The task's id.
        id: Path<Lenient<i64>>,
        /// ETags the client already has: `*` or a list such as `"3-1", "3-2"`
        /// (a value that is neither matches nothing).
        #[oai(name = "If-None-Match")]
        if_none_match: RawHeader,
    ) -> Result<GetTaskResponse, Errors<ReadErrors>> {
        let id = task_id(id.0)?;
        let task = db::tasks::find(&db, id)
            .await?
            .ok_or_else(|| ApiError::task_not_found(id))?;
        let tag = etag(&task);
        if conditional::none_match(&if_none_match, &task) {
            return Ok(GetTaskResponse::NotModified(tag));
        }
        Ok(GetTaskResponse::Ok(Json(task.into()), tag))
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
        /// The task's id.
        id: Path<Lenient<i64>>,
        /// Write only if the task's current ETag is one of these (or `*`); a
        /// value that is neither matches nothing, so the write is refused.
        #[oai(name = "If-Match")]
        if_match: RawHeader,
        body: JsonBody<TaskInput>,
    ) -> Result<WriteTaskResponse, Errors<WriteErrors>> {
        let id = task_id(id.0)?;
        let changes = TaskChanges::from(body.value);
        write(&db, id, changes, &if_match).await
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
        /// The task's id.
        id: Path<Lenient<i64>>,
        /// Write only if the task's current ETag is one of these (or `*`); a
        /// value that is neither matches nothing, so the write is refused.
        #[oai(name = "If-Match")]
        if_match: RawHeader,
        body: JsonBody<TaskPatch>,
    ) -> Result<WriteTaskResponse, Errors<WriteErrors>> {
        let id = task_id(id.0)?;
        write(&db, id, body.value, &if_match).await
    }

    /// Delete a task
    ///
    /// With `If-Match`, deletes only if the task still has that ETag.
    #[oai(
        path = "/api/tasks/:id",
        method = "delete",
        operation_id = "delete_task"
    )]
    async fn delete_task(
        &self,
        db: Data<&Db>,
        /// The task's id.
        id: Path<Lenient<i64>>,
        /// Delete only if the task's current ETag is one of these (or `*`); a
        /// value that is neither matches nothing, so the delete is refused.
        #[oai(name = "If-Match")]
        if_match: RawHeader,
    ) -> Result<DeleteTaskResponse, Errors<DeleteErrors>> {
        let id = task_id(id.0)?;
        let expect = conditional::expect(&if_match, id);
        match db::tasks::delete(&db, id, expect).await? {
            Outcome::Done(()) => Ok(DeleteTaskResponse::Deleted),
            Outcome::Missing => Err(ApiError::task_not_found(id).into()),
            Outcome::Stale => Err(ApiError::precondition_failed(id).into()),
        }
    }
}

/// The 201 of a create, as stored for replays.
fn render_created(task: &domain::Task) -> StoredResponse {
    let tag = etag(task);
    let body = Task::from(task.clone())
        .to_json()
        .unwrap_or_default()
        .to_string();
    StoredResponse {
        status: 201,
        body,
        location: Some(format!("/api/tasks/{}", task.id)),
        etag: Some(tag),
    }
}

/// A PUT or PATCH: the change, guarded by `If-Match` when sent.
async fn write(
    db: &Db,
    id: i64,
    changes: TaskChanges,
    if_match: &RawHeader,
) -> Result<WriteTaskResponse, Errors<WriteErrors>> {
    let expect = conditional::expect(if_match, id);
    match db::tasks::update(db, id, changes, expect, Timestamp::now()).await? {
        Outcome::Done(task) => Ok(WriteTaskResponse::of(task)),
        Outcome::Missing => Err(ApiError::task_not_found(id).into()),
        Outcome::Stale => Err(ApiError::precondition_failed(id).into()),
    }
}
