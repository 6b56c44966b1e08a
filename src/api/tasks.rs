//! The task resource: `/api/tasks` and `/api/tasks/{id}`.

use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::payload::Json;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};
use serde_json::{Map, Value};

use super::body::{Field, JsonBody, JsonInput, boolean, member, string};
use super::params::Lenient;
use crate::db::{self, Db};
use crate::domain::{
    self, Description, ListQuery, SortField, SortOrder, TaskChanges, TaskDraft, Timestamp, Title,
};
use crate::error::{ApiError, FieldError};

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
        pattern = r"[^\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000\ufeff]"
    ))]
    title: String,
    /// Longer notes: at most 10,000 characters, or `null` (the default).
    #[oai(nullable, validator(max_length = 10000))]
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
        pattern = r"[^\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000\ufeff]"
    ))]
    title: Option<String>,
    /// New notes (at most 10,000 characters), or `null` to clear them.
    #[oai(nullable, validator(max_length = 10000))]
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
    /// This page's number (from 1).
    pub page: u64,
    /// The page size used.
    pub per_page: u64,
    /// How many tasks match the filters, on all pages.
    pub total: u64,
    /// How many pages there are at this page size (0 when nothing matches).
    pub total_pages: u64,
}

#[derive(ApiResponse)]
enum CreateTaskResponse {
    /// The task was created.
    #[oai(status = 201)]
    Created(
        Json<Task>,
        /// The URL of the new task.
        #[oai(header = "Location")]
        String,
    ),
}

#[derive(ApiResponse)]
enum DeleteTaskResponse {
    /// The task was deleted.
    #[oai(status = 204)]
    Deleted,
}

fn default_page() -> Lenient<i64> {
    Lenient::of(ListQuery::DEFAULT_PAGE as i64)
}

fn default_per_page() -> Lenient<i64> {
    Lenient::of(ListQuery::DEFAULT_PER_PAGE as i64)
}

fn default_sort() -> Lenient<Sort> {
    Lenient::of(Sort::Id)
}

const SORT_VALUES: &str = "must be one of id, created_at, updated_at, due_at, title, \
                           each optionally prefixed with - for descending order";

fn check_q(q: String) -> Result<String, &'static str> {
    if q.chars().count() > domain::task::TITLE_MAX_CHARS {
        return Err("must be at most 200 characters");
    }
    Ok(q)
}

/// The path parameter `id`, or a 400 naming it.
fn task_id(id: Lenient<i64>) -> Result<i64, ApiError> {
    let mut errors = Vec::new();
    id.check("id", "must be an integer (int64)", &mut errors, Ok)
        .ok_or_else(|| ApiError::validation(errors))
}

pub struct TasksApi;

#[OpenApi(tag = "ApiTags::Tasks")]
impl TasksApi {
    /// List tasks
    ///
    /// Returns one page of tasks, filtered and ordered as asked. A page past
    /// the end is an empty page, not an error.
    #[oai(path = "/api/tasks", method = "get", operation_id = "list_tasks")]
    async fn list_tasks(
        &self,
        db: Data<&Db>,
        /// The page number, from 1.
        #[oai(default = "default_page", validator(minimum(value = "1")))]
        page: Query<Lenient<i64>>,
        /// Tasks per page, 1–100.
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
        /// with no `due_at` come last either way.
        #[oai(default = "default_sort")]
        sort: Query<Lenient<Sort>>,
    ) -> Result<Json<TaskPage>, ApiError> {
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
        let sort = sort.0.check("sort", SORT_VALUES, &mut errors, Ok);
        let (Some(page), Some(per_page), Some(sort), true) =
            (page, per_page, sort, errors.is_empty())
        else {
            return Err(ApiError::validation(errors));
        };
        let (sort, order) = sort.into();
        let query = ListQuery {
            page,
            per_page,
            done,
            q,
            sort,
            order,
        };
        let result = db::tasks::list(&db, &query).await?;
        Ok(Json(TaskPage {
            items: result.items.into_iter().map(Task::from).collect(),
            page: query.page,
            per_page: query.per_page,
            total: result.total,
            total_pages: query.total_pages(result.total),
        }))
    }

    /// Create a task
    ///
    /// Stores a new task and returns it with its `Location`.
    #[oai(path = "/api/tasks", method = "post", operation_id = "create_task")]
    async fn create_task(
        &self,
        db: Data<&Db>,
        body: JsonBody<TaskInput>,
    ) -> Result<CreateTaskResponse, ApiError> {
        let task = db::tasks::insert(&db, body.0, Timestamp::now()).await?;
        let location = format!("/api/tasks/{}", task.id);
        Ok(CreateTaskResponse::Created(Json(task.into()), location))
    }

    /// Get a task
    #[oai(path = "/api/tasks/:id", method = "get", operation_id = "get_task")]
    async fn get_task(
        &self,
        db: Data<&Db>,
        /// The task's id.
        id: Path<Lenient<i64>>,
    ) -> Result<Json<Task>, ApiError> {
        let id = task_id(id.0)?;
        let task = db::tasks::find(&db, id)
            .await?
            .ok_or_else(|| ApiError::task_not_found(id))?;
        Ok(Json(task.into()))
    }

    /// Replace a task
    ///
    /// Sets every writable field: those left out become `null` (`done`:
    /// `false`). Validation is the same as for create.
    #[oai(path = "/api/tasks/:id", method = "put", operation_id = "replace_task")]
    async fn replace_task(
        &self,
        db: Data<&Db>,
        /// The task's id.
        id: Path<Lenient<i64>>,
        body: JsonBody<TaskInput>,
    ) -> Result<Json<Task>, ApiError> {
        let id = task_id(id.0)?;
        let changes = TaskChanges::from(body.0);
        let task = db::tasks::update(&db, id, changes, Timestamp::now())
            .await?
            .ok_or_else(|| ApiError::task_not_found(id))?;
        Ok(Json(task.into()))
    }

    /// Update a task
    ///
    /// Applies a JSON Merge Patch (RFC 7396): members left out stay as they
    /// are, `null` clears `description` or `due_at`. A patch that changes
    /// nothing leaves `updated_at` as it was.
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
        body: JsonBody<TaskPatch>,
    ) -> Result<Json<Task>, ApiError> {
        let id = task_id(id.0)?;
        let task = db::tasks::update(&db, id, body.0, Timestamp::now())
            .await?
            .ok_or_else(|| ApiError::task_not_found(id))?;
        Ok(Json(task.into()))
    }

    /// Delete a task
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
    ) -> Result<DeleteTaskResponse, ApiError> {
        let id = task_id(id.0)?;
        if db::tasks::delete(&db, id).await? {
            Ok(DeleteTaskResponse::Deleted)
        } else {
            Err(ApiError::task_not_found(id))
        }
    }
}
