//! The task resource: its objects, shared by the operations on
//! `/api/tasks` ([`collection`]) and `/api/tasks/{id}` ([`item`]); list
//! parameters, cursors and links are in [`paging`].

mod batch;
pub(crate) mod changes;
mod collection;
pub(crate) mod examples;
mod item;
mod paging;
mod render;
mod token;
mod trash;
mod tree;

use poem_openapi::{Object, Tags};
use serde_json::{Map, Value};

pub use self::batch::BatchApi;
pub use self::changes::{ChangePage, ChangesApi};
pub use self::collection::CollectionApi;
pub use self::item::ItemApi;
pub use self::paging::{Sort, TaskPage};
pub use self::trash::TrashApi;
pub use self::tree::TreeApi;
use super::body::{Field, JsonInput, Member, boolean, member, string};
use super::params::Lenient;
use super::types::Nullable;
use crate::domain::{self, Description, Label, Labels, TaskChanges, TaskDraft, Timestamp, Title};
use crate::error::{ApiError, FieldError};
use crate::payload::JSON;

#[derive(Tags)]
enum ApiTags {
    /// Create, read, update, delete and list tasks.
    Tasks,
}

/// A task.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct Task {
    /// Assigned by the server; never reused.
    #[oai(read_only)]
    pub id: i64,
    /// The list it is in (a subtask is in its parent's); `POST
    /// /api/tasks/{id}/move` changes it.
    #[oai(read_only)]
    pub list_id: i64,
    /// What to do: 1–200 characters, stored with surrounding whitespace trimmed.
    pub title: Title,
    /// Longer notes, or `null`.
    #[oai(nullable)]
    pub description: Nullable<Description>,
    /// Whether the task is finished. A parent's `done` is its own: marking
    /// it leaves its subtasks as they are.
    pub done: bool,
    /// When the task is due (UTC), or `null`.
    #[oai(nullable)]
    pub due_at: Nullable<Timestamp>,
    /// When the task was created (UTC, set by the server).
    #[oai(read_only)]
    pub created_at: Timestamp,
    /// When the task last changed (UTC, set by the server).
    #[oai(read_only)]
    pub updated_at: Timestamp,
    /// When the task was moved to the trash, or `null` (only trashed tasks,
    /// listed with `show_deleted=true`, have one).
    #[oai(read_only, nullable)]
    pub deleted_at: Nullable<Timestamp>,
    /// The task this one is a subtask of, or `null` for a top-level task.
    /// Set on create; `POST /api/tasks/{id}/move` changes it.
    #[oai(nullable)]
    pub parent_id: Nullable<i64>,
    /// The task's place among its siblings (the tasks with the same
    /// parent): an opaque string that sorts in that order, byte by byte.
    /// `sort=position` lists in this order; `POST /api/tasks/{id}/move`
    /// changes it.
    #[oai(read_only)]
    pub position: String,
    /// The task's labels, in lower case and sorted.
    #[oai(validator(max_items = 20))]
    pub labels: Vec<Label>,
}

impl From<domain::Task> for Task {
    fn from(task: domain::Task) -> Self {
        Self {
            id: task.id,
            list_id: task.list.0,
            title: task.title,
            description: Nullable(task.description),
            done: task.done,
            due_at: Nullable(task.due_at),
            created_at: task.created_at,
            updated_at: task.updated_at,
            deleted_at: Nullable(task.deleted_at),
            parent_id: Nullable(task.parent_id),
            position: task.position.into_inner(),
            labels: task.labels.iter().cloned().collect(),
        }
    }
}

/// The fields a client sets when it creates or replaces a task. Read-only
/// and unknown members are ignored.
#[derive(Object)]
#[oai(example)]
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
    /// (the default). Returned in UTC, so it must fall in the years
    /// 0000–9999 in UTC (`9999-12-31T23:59:59-01:00` does not).
    #[oai(nullable)]
    due_at: Option<Timestamp>,
    /// Up to 20 labels, each 1–32 characters as sent and in lower case (no
    /// control characters, Unicode `Cc`, or commas), trimmed and matched
    /// without regard to case: stored in lower case, duplicates merged.
    /// Default: none.
    #[oai(validator(max_items = 20))]
    labels: Option<Vec<Label>>,
    /// On create: the list the task goes to (one the caller may edit), or
    /// the caller's inbox when left out; a subtask goes to its parent's
    /// list. On replace: if sent, it must be the task's list (moves
    /// between lists are `POST /api/tasks/{id}/move`).
    #[oai(skip_serializing_if_is_none)]
    list_id: Option<i64>,
    /// On create: the task to make this one a subtask of (the new task
    /// comes last among its subtasks), or `null` for a top-level task (the
    /// default). It must be the owner's task, not in the trash, at most 4
    /// levels deep, with fewer than 1,000 subtasks. On replace: if sent, it
    /// must be the task's parent (moves are `POST /api/tasks/{id}/move`).
    #[oai(nullable)]
    parent_id: Option<i64>,
}

impl JsonInput for TaskInput {
    type Output = TaskDraft;
    const MEDIA_TYPES: &'static [&'static str] = &[JSON];

    fn from_json(object: &Map<String, Value>) -> Result<TaskDraft, Vec<FieldError>> {
        let mut errors = Vec::new();
        let changes = read_changes(object, &mut errors);
        if let Field::Null = changes.labels {
            errors.push(FieldError::body(
                "labels",
                "must not be null (send [] for no labels)",
            ));
        }
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
                labels: changes.labels.into_option().unwrap_or_default(),
                parent_id: changes.parent_id.into_patch(),
                list_id: changes.list_id.into_option(),
            }),
            _ => Err(errors),
        }
    }
}

/// A JSON Merge Patch (RFC 7396) of a task: members left out stay as they
/// are; `null` clears `description` or `due_at`. Read-only and unknown
/// members are ignored.
#[derive(Object)]
#[oai(example)]
pub struct TaskPatch {
    /// A new title (not `null`): 1–200 characters with at least one that is
    /// not whitespace; surrounding whitespace is trimmed.
    #[oai(skip_serializing_if_is_none)]
    title: Option<Title>,
    /// New notes (at most 10,000 characters), or `null` to clear them.
    #[oai(nullable)]
    description: Option<Description>,
    /// Whether the task is finished (not `null`).
    #[oai(skip_serializing_if_is_none)]
    done: Option<bool>,
    /// A new due date (RFC 3339 with an offset, in the years 0000–9999 in
    /// UTC), or `null` to clear it.
    #[oai(nullable)]
    due_at: Option<Timestamp>,
    /// The new set of labels, replacing the old (`null` or `[]`: none).
    #[oai(validator(max_items = 20), nullable, skip_serializing_if_is_none)]
    labels: Option<Vec<Label>>,
    /// If sent, it must be the task's parent (`null`: top level); moves
    /// are `POST /api/tasks/{id}/move`.
    #[oai(nullable, skip_serializing_if_is_none)]
    parent_id: Option<i64>,
    /// If sent, it must be the task's list; moves between lists are
    /// `POST /api/tasks/{id}/move`.
    #[oai(skip_serializing_if_is_none)]
    list_id: Option<i64>,
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
            labels: changes.labels.into_patch().map(Option::unwrap_or_default),
            parent_id: changes.parent_id.into_patch(),
            list_id: changes.list_id.into_option(),
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
    labels: Field<Labels>,
    parent_id: Field<i64>,
    list_id: Field<i64>,
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
            string(v).and_then(Timestamp::parse_rfc3339)
        }),
        labels: labels_member(object, errors),
        parent_id: member(object, "parent_id", errors, |v| {
            v.as_i64()
                .ok_or("must be an integer (int64) or null".into())
        }),
        list_id: member(object, "list_id", errors, |v| {
            v.as_i64().ok_or("must be an integer (int64)".into())
        }),
    };
    for (name, is_null) in [
        ("title", matches!(changes.title, Field::Null)),
        ("done", matches!(changes.done, Field::Null)),
        ("list_id", matches!(changes.list_id, Field::Null)),
    ] {
        if is_null {
            errors.push(FieldError::body(name, "must not be null"));
        }
    }
    changes
}

/// The `labels` member: a JSON array of labels, read as a set. Each
/// invalid label is named on its own (`#/labels/2`).
fn labels_member(object: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Field<Labels> {
    let items = match Member::of(object, "labels") {
        Member::Absent => return Field::Absent,
        Member::Null => return Field::Null,
        Member::Value(Value::Array(items)) => items,
        Member::Value(_) => {
            errors.push(FieldError::body("labels", "must be an array of strings"));
            return Field::Invalid;
        }
    };
    let before = errors.len();
    let mut labels = Vec::with_capacity(items.len());
    for (index, item) in items.iter().enumerate() {
        match string(item).and_then(Label::parse) {
            Ok(label) => labels.push(label),
            Err(reason) => errors.push(FieldError::body(&format!("labels/{index}"), reason)),
        }
    }
    if errors.len() > before {
        return Field::Invalid;
    }
    match Labels::new(labels) {
        Ok(labels) => Field::Value(labels),
        Err(reason) => {
            errors.push(FieldError::body("labels", reason));
            Field::Invalid
        }
    }
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
    crate::api::params::path_id(id)
}
