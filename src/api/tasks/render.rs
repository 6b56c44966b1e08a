//! Task bodies written straight to JSON text with serde, instead of
//! through poem-openapi's `ToJSON` (a `serde_json::Value` map per task,
//! every member name and value allocated, then printed). The hot responses
//! (a task, a page of tasks) are sent as `JsonText`; their members, names
//! and order are the `Task` and `TaskPage` objects' (alphabetical, as
//! `serde_json`'s map prints them), which unit tests hold them to.

use serde::Serialize;

use super::paging::TaskPage;
use super::{ChangePage, Task};
use crate::api::conditional::{etag, etag_of};
use crate::db::changes::ListChange;
use crate::domain;
use crate::error::ApiError;
use crate::payload::JsonText;

/// A task as the `Task` object renders it.
#[derive(Serialize)]
struct TaskJson<'a> {
    created_at: String,
    deleted_at: Option<String>,
    description: Option<&'a str>,
    done: bool,
    due_at: Option<String>,
    id: i64,
    labels: Vec<&'a str>,
    list_id: i64,
    parent_id: Option<i64>,
    position: &'a str,
    title: &'a str,
    updated_at: String,
}

impl<'a> From<&'a domain::Task> for TaskJson<'a> {
    fn from(task: &'a domain::Task) -> Self {
        let instant = |t: domain::Timestamp| t.to_rfc3339();
        Self {
            created_at: instant(task.created_at),
            deleted_at: task.deleted_at.map(instant),
            description: task.description.as_ref().map(|d| d.as_str()),
            done: task.done,
            due_at: task.due_at.map(instant),
            id: task.id,
            labels: task.labels.iter().map(|l| l.as_str()).collect(),
            list_id: task.list.0,
            parent_id: task.parent_id,
            position: task.position.as_str(),
            title: task.title.as_str(),
            updated_at: instant(task.updated_at),
        }
    }
}

/// A page as the `TaskPage` object renders it.
#[derive(Serialize)]
struct PageJson<'a> {
    items: Vec<TaskJson<'a>>,
    next_cursor: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    page: Option<u64>,
    per_page: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    total: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    total_pages: Option<u64>,
}

/// A change as the `Change` object renders it.
#[derive(Serialize)]
struct ChangeJson<'a> {
    deleted: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    deleted_at: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    etag: Option<String>,
    id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    list_id: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    task: Option<TaskJson<'a>>,
}

#[derive(Serialize)]
struct ListJson<'a> {
    created_at: String,
    deleted_at: Option<String>,
    id: i64,
    inbox: bool,
    role: &'static str,
    title: &'a str,
    updated_at: String,
}

#[derive(Serialize)]
struct ListChangeJson<'a> {
    deleted: bool,
    id: i64,
    #[serde(skip_serializing_if = "Option::is_none")]
    list: Option<ListJson<'a>>,
}

impl<'a> From<&'a ListChange> for ListChangeJson<'a> {
    fn from(change: &'a ListChange) -> Self {
        match change {
            ListChange::Live(list) => Self {
                deleted: false,
                id: list.id.0,
                list: Some(ListJson {
                    created_at: list.created_at.to_rfc3339(),
                    deleted_at: list.deleted_at.map(|t| t.to_rfc3339()),
                    id: list.id.0,
                    inbox: list.inbox,
                    role: list.role.as_str(),
                    title: list.title.as_str(),
                    updated_at: list.updated_at.to_rfc3339(),
                }),
            },
            ListChange::Gone(id) => Self {
                deleted: true,
                id: id.0,
                list: None,
            },
        }
    }
}

impl<'a> From<&'a domain::Change> for ChangeJson<'a> {
    fn from(change: &'a domain::Change) -> Self {
        match change {
            domain::Change::Live(task) => Self {
                deleted: false,
                deleted_at: None,
                etag: Some(etag(task)),
                id: task.id,
                list_id: None,
                task: Some(TaskJson::from(task)),
            },
            domain::Change::Deleted {
                id,
                list,
                deleted_at,
                version,
            } => Self {
                deleted: true,
                deleted_at: Some(deleted_at.to_rfc3339()),
                etag: version.map(|version| etag_of(*id, version)),
                id: *id,
                list_id: Some(list.0),
                task: None,
            },
        }
    }
}

/// A feed page as the `ChangePage` object renders it.
#[derive(Serialize)]
struct FeedJson<'a> {
    changes: Vec<ChangeJson<'a>>,
    has_more: bool,
    lists: Vec<ListChangeJson<'a>>,
    next_since: &'a str,
}

fn text<T: Serialize>(value: &T) -> Result<String, ApiError> {
    serde_json::to_string(value).map_err(|err| ApiError::internal(&err))
}

/// The body of a response that is one task.
pub(super) fn task(task: &domain::Task) -> Result<JsonText<Task>, ApiError> {
    text(&TaskJson::from(task)).map(JsonText::new)
}

/// The body of a page of the change feed.
pub(super) fn feed(
    lists: &[ListChange],
    changes: &[domain::Change],
    next_since: &str,
    has_more: bool,
) -> Result<JsonText<ChangePage>, ApiError> {
    let body = FeedJson {
        changes: changes.iter().map(ChangeJson::from).collect(),
        lists: lists.iter().map(ListChangeJson::from).collect(),
        has_more,
        next_since,
    };
    text(&body).map(JsonText::new)
}

/// What a page of tasks says besides its tasks.
pub(super) struct PageInfo {
    pub next_cursor: Option<String>,
    pub page: Option<u64>,
    pub per_page: u64,
    pub total: Option<u64>,
    pub total_pages: Option<u64>,
}

/// The body of a page of tasks.
pub(super) fn page(
    items: &[domain::Task],
    info: &PageInfo,
) -> Result<JsonText<TaskPage>, ApiError> {
    let body = PageJson {
        items: items.iter().map(TaskJson::from).collect(),
        next_cursor: info.next_cursor.as_deref(),
        page: info.page,
        per_page: info.per_page,
        total: info.total,
        total_pages: info.total_pages,
    };
    text(&body).map(JsonText::new)
}

#[cfg(test)]
mod tests {
    use poem_openapi::types::ToJSON;
    use serde_json::Value;

    use super::*;
    use crate::domain::{Description, Label, Labels, ListId, OrderKey, Timestamp, Title};

    fn tasks() -> Vec<domain::Task> {
        let at = |micros| Timestamp::from_micros(micros).unwrap_or_else(Timestamp::now);
        let (Ok(title), Ok(description), Ok(label)) = (
            Title::parse("a \"quoted\" title ü"),
            Description::parse("line\nbreak"),
            Label::parse("Work"),
        ) else {
            panic!("valid values")
        };
        let full = domain::Task {
            id: 7,
            list: ListId(1),
            title,
            description: Some(description),
            done: true,
            due_at: Some(at(3)),
            created_at: at(1),
            updated_at: at(2),
            version: 3,
            deleted_at: Some(at(4)),
            parent_id: Some(2),
            position: OrderKey::of_number(7),
            labels: Labels::new(vec![label]).unwrap_or_default(),
        };
        let bare = domain::Task {
            description: None,
            due_at: None,
            deleted_at: None,
            parent_id: None,
            labels: Labels::default(),
            ..full.clone()
        };
        vec![full, bare]
    }

    fn parsed<T>(text: JsonText<T>) -> Value {
        serde_json::from_str(text.as_str()).unwrap_or(Value::Null)
    }

    #[test]
    fn a_task_renders_as_its_object_does() {
        for task in tasks() {
            let object = Task::from(task.clone()).to_json();
            let Ok(fast) = super::task(&task) else {
                panic!("renders")
            };
            // The same text, byte for byte, as the object printed.
            assert_eq!(
                fast.as_str(),
                object.map(|v| v.to_string()).unwrap_or_default()
            );
        }
    }

    #[test]
    fn a_feed_page_renders_as_its_object_does() {
        let mut changes: Vec<domain::Change> =
            tasks().into_iter().map(domain::Change::Live).collect();
        for (id, version) in [(9, None), (10, Some(3))] {
            changes.push(domain::Change::Deleted {
                id,
                list: ListId(2),
                deleted_at: Timestamp::from_micros(5).unwrap_or_else(Timestamp::now),
                version,
            });
        }
        let lists = vec![
            ListChange::Live(crate::db::lists::TaskList {
                id: ListId(2),
                title: Title::from_stored("shared \"list\"".to_owned()),
                role: domain::Role::Editor,
                inbox: false,
                created_at: Timestamp::from_micros(1).unwrap_or_else(Timestamp::now),
                updated_at: Timestamp::from_micros(2).unwrap_or_else(Timestamp::now),
                version: 2,
                deleted_at: None,
            }),
            ListChange::Gone(ListId(5)),
        ];
        let object = ChangePage {
            lists: lists
                .iter()
                .cloned()
                .map(super::super::changes::ListChange::from)
                .collect(),
            changes: changes
                .iter()
                .cloned()
                .map(super::super::changes::Change::from)
                .collect(),
            next_since: "token".to_owned(),
            has_more: true,
        };
        let Ok(fast) = super::feed(&lists, &changes, "token", true) else {
            panic!("renders")
        };
        assert_eq!(
            object.to_json().map(|v| v.to_string()).unwrap_or_default(),
            fast.as_str()
        );
    }

    #[test]
    fn a_page_renders_as_its_object_does() {
        for (page, total) in [(Some(2), Some(12)), (None, None)] {
            let info = PageInfo {
                next_cursor: page.map(|_| "abc".to_owned()),
                page,
                per_page: 5,
                total,
                total_pages: total.map(|t: u64| t.div_ceil(5)),
            };
            let object = TaskPage {
                items: tasks().into_iter().map(Task::from).collect(),
                per_page: info.per_page,
                next_cursor: crate::api::types::Nullable(info.next_cursor.clone()),
                page: info.page,
                total: info.total,
                total_pages: info.total_pages,
            };
            let Ok(fast) = super::page(&tasks(), &info) else {
                panic!("renders")
            };
            assert_eq!(object.to_json().unwrap_or(Value::Null), parsed(fast));
        }
    }
}
