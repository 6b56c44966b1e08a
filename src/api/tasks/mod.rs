//! The task resource: its objects, shared by the operations on
//! `/api/tasks` ([`collection`]) and `/api/tasks/{id}` ([`item`]); list
//! parameters, cursors and links are in [`paging`].

mod batch;
mod changes;
mod collection;
mod item;
mod paging;
mod trash;

use poem_openapi::{Object, Tags};
use serde_json::{Map, Value};

pub use self::batch::BatchApi;
pub use self::changes::{ChangePage, ChangesApi};
pub use self::collection::CollectionApi;
pub use self::item::ItemApi;
pub use self::paging::{Sort, TaskPage};
pub use self::trash::TrashApi;
use super::body::{Field, JsonInput, boolean, member, string};
use super::params::Lenient;
use super::payload::JSON;
use crate::domain::{self, Description, TaskChanges, TaskDraft, Timestamp, Title};
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
    pub title: Title,
    /// Longer notes, or `null`.
    #[oai(nullable)]
    pub description: Option<Description>,
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
    /// When the task was moved to the trash, or `null` (only trashed tasks,
    /// listed with `show_deleted=true`, have one).
    #[oai(read_only, nullable)]
    pub deleted_at: Option<Timestamp>,
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
            deleted_at: task.deleted_at,
        }
    }
}

/// The fields a client sets when it creates or replaces a task. Read-only
/// and unknown members are ignored.
#[derive(Object)]
pub struct TaskInput {
    /// What to do: 1–200 characters (Unicode code points, as sent), with at
    /// least one that is not whitespace; surrounding whitespace is trimmed.
    title: Title,
    /// Longer notes: at most 10,000 characters, or `null` (the default).
    #[oai(nullable)]
    description: Option<Description>,
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
    const MEDIA_TYPES: &'static [&'static str] = &[JSON];

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
    title: Option<Title>,
    /// New notes (at most 10,000 characters), or `null` to clear them.
    #[oai(nullable)]
    description: Option<Description>,
    /// Whether the task is finished (not `null`).
    done: Option<bool>,
    /// A new due date (RFC 3339 with an offset), or `null` to clear it.
    #[oai(nullable)]
    due_at: Option<Timestamp>,
}

impl JsonInput for TaskPatch {
    type Output = TaskChanges;
    const MEDIA_TYPES: &'static [&'static str] = &["application/merge-patch+json", JSON];

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
                    "must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T17:00:00Z"
                        .into(),
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

/// The path parameter `id`, or a 400 naming it.
fn task_id(id: Lenient<i64>) -> Result<i64, ApiError> {
    let mut errors = Vec::new();
    id.check(
        "id",
        "must be an integer (int64)",
        &mut errors,
        Ok::<_, String>,
    )
    .ok_or_else(|| ApiError::validation(errors))
}
