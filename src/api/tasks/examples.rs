//! The examples the contract shows for the task objects: one trip-planning
//! task seen through every body, so Swagger UI's "Try it out" and
//! schemathesis' examples phase start from bodies the server accepts. The
//! spec test and Redocly (`no-invalid-schema-examples`) check each against
//! its schema.

use poem_openapi::types::Example;

use super::changes::{
    Change, ChangePage, ChangedList, ChangedTask, ListChange, ListTombstone, Tombstone,
};
use super::paging::TaskPage;
use super::{Task, TaskInput, TaskPatch};
use crate::api::params::Lenient;
use crate::api::types::{Literal, Nullable};
use crate::domain::{Description, Label, Timestamp, Title};

/// The example task's id; its parent's is `PARENT`.
pub(super) const ID: i64 = 42;
pub(super) const PARENT: i64 = 7;
/// The example task's list.
pub(crate) const LIST: i64 = 3;
/// The example task's strong ETag.
pub(super) const ETAG: &str = "\"42-3\"";

/// The example of an `id` path parameter: the example task's.
pub(super) fn task_id() -> Lenient<i64> {
    Lenient::of(ID)
}

/// The example of a `per_page` parameter.
pub(super) fn per_page() -> Lenient<i64> {
    Lenient::of(20)
}

/// 2027-01-15T09:00:00Z plus `hours`.
pub(crate) fn instant(hours: i64) -> Timestamp {
    const JAN_15_2027_9AM: i64 = 1_800_003_600_000_000;
    Timestamp::from_micros(JAN_15_2027_9AM + hours * 3_600_000_000).unwrap_or_default()
}

fn title() -> Title {
    Title::from_stored("Book flights".to_owned())
}

fn description() -> Description {
    Description::from_stored("Window seat; leave before 10:00.".to_owned())
}

fn labels() -> Vec<Label> {
    vec![Label::from_stored("travel")]
}

impl Example for Task {
    fn example() -> Self {
        Self {
            id: ID,
            list_id: LIST,
            title: title(),
            description: Nullable(Some(description())),
            done: false,
            due_at: Nullable(Some(instant(24 * 14))),
            created_at: instant(0),
            updated_at: instant(2),
            deleted_at: Nullable(None),
            parent_id: Nullable(Some(PARENT)),
            position: "a3".to_owned(),
            labels: labels(),
        }
    }
}

impl Example for TaskInput {
    fn example() -> Self {
        Self {
            title: title(),
            description: Some(description()),
            done: false,
            due_at: Some(instant(24 * 14)),
            labels: Some(labels()),
            list_id: None,
            parent_id: None,
        }
    }
}

impl Example for TaskPatch {
    /// Marks the task done, moves its due date and clears its notes.
    fn example() -> Self {
        Self {
            title: None,
            description: None,
            done: Some(true),
            due_at: Some(instant(24 * 15)),
            labels: None,
            parent_id: None,
            list_id: None,
        }
    }
}

impl Example for TaskPage {
    fn example() -> Self {
        Self {
            items: vec![Task::example()],
            per_page: 20,
            next_cursor: Nullable(Some("eyJrIjoiYTMiLCJpZCI6NDJ9".to_owned())),
            page: None,
            total: None,
            total_pages: None,
        }
    }
}

impl Example for ChangedTask {
    fn example() -> Self {
        Self {
            id: ID,
            deleted: Literal,
            etag: ETAG.to_owned(),
            task: Task::example(),
        }
    }
}

impl Example for Tombstone {
    fn example() -> Self {
        Self {
            id: ID + 1,
            list_id: LIST,
            deleted: Literal,
            deleted_at: instant(3),
            etag: Some("\"43-2\"".to_owned()),
        }
    }
}

impl Example for ChangePage {
    fn example() -> Self {
        Self {
            lists: vec![ListChange::Changed(ChangedList::example())],
            changes: vec![
                Change::Changed(ChangedTask::example()),
                Change::Deleted(Tombstone::example()),
            ],
            next_since: "AgEAAQcqAA".to_owned(),
            has_more: false,
        }
    }
}

impl Example for ChangedList {
    fn example() -> Self {
        Self {
            id: LIST,
            deleted: Literal,
            list: crate::api::lists::TaskList::example(),
        }
    }
}

impl Example for ListTombstone {
    fn example() -> Self {
        Self {
            id: LIST + 1,
            deleted: Literal,
        }
    }
}
