//! The list objects: a list as a member sees it, the bodies that make and
//! rename one, a member and the body that gives a role, and their
//! examples.

use poem_openapi::types::Example;
use poem_openapi::{Enum, Object};
use serde_json::{Map, Value};

use crate::api::body::{Field, JsonInput, member, string};
use crate::api::tasks::examples::{LIST, instant};
use crate::api::types::Nullable;
use crate::db::lists::TaskList as StoredList;
use crate::db::lists::manage::Member as StoredMember;
use crate::domain::{self, Timestamp, Title};
use crate::error::FieldError;
use crate::payload::JSON;

/// A member's role on a list: `owner` (everything, including members and
/// deleting the list), `editor` (read and write the list's tasks),
/// `viewer` (read only).
#[derive(Enum, Debug, Clone, Copy, PartialEq, Eq, Default)]
#[oai(rename_all = "lowercase")]
pub enum Role {
    Owner,
    Editor,
    #[default]
    Viewer,
}

impl From<domain::Role> for Role {
    fn from(role: domain::Role) -> Self {
        match role {
            domain::Role::Owner => Role::Owner,
            domain::Role::Editor => Role::Editor,
            domain::Role::Viewer => Role::Viewer,
        }
    }
}

impl From<Role> for domain::Role {
    fn from(role: Role) -> Self {
        match role {
            Role::Owner => domain::Role::Owner,
            Role::Editor => domain::Role::Editor,
            Role::Viewer => domain::Role::Viewer,
        }
    }
}

/// A list of tasks, as the caller sees it: `role` is the caller's role on
/// it.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct TaskList {
    /// Assigned by the server; never reused.
    #[oai(read_only)]
    pub id: i64,
    /// 1–200 characters, as a task's title.
    pub title: Title,
    pub role: Role,
    /// Whether it is the caller's inbox: the list tasks go to when no
    /// `list_id` is given; it cannot be shared or deleted.
    #[oai(read_only)]
    pub inbox: bool,
    #[oai(read_only)]
    pub created_at: Timestamp,
    /// When the list itself (its title, members) last changed.
    #[oai(read_only)]
    pub updated_at: Timestamp,
    /// When it was moved to the trash, or `null`.
    #[oai(read_only, nullable)]
    pub deleted_at: Nullable<Timestamp>,
}

impl From<StoredList> for TaskList {
    fn from(list: StoredList) -> Self {
        Self {
            id: list.id.0,
            title: list.title,
            role: list.role.into(),
            inbox: list.inbox,
            created_at: list.created_at,
            updated_at: list.updated_at,
            deleted_at: Nullable(list.deleted_at),
        }
    }
}

impl Example for TaskList {
    fn example() -> Self {
        Self {
            id: LIST,
            title: Title::from_stored("Trip to Lisbon".to_owned()),
            role: Role::Owner,
            inbox: false,
            created_at: instant(0),
            updated_at: instant(1),
            deleted_at: Nullable(None),
        }
    }
}

/// A page of lists.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct ListPage {
    /// In id order.
    pub items: Vec<TaskList>,
    /// Send as `cursor` for the next page; `null` on the last.
    #[oai(nullable)]
    pub next_cursor: Nullable<String>,
}

impl Example for ListPage {
    fn example() -> Self {
        Self {
            items: vec![TaskList::example()],
            next_cursor: Nullable(None),
        }
    }
}

/// The body that makes or renames a list.
#[derive(Object)]
#[oai(example)]
pub struct ListInput {
    /// 1–200 characters with at least one that is not whitespace;
    /// surrounding whitespace is trimmed.
    pub title: Title,
}

impl Example for ListInput {
    fn example() -> Self {
        Self {
            title: Title::from_stored("Trip to Lisbon".to_owned()),
        }
    }
}

impl JsonInput for ListInput {
    type Output = Title;
    const MEDIA_TYPES: &'static [&'static str] = &[JSON];

    fn from_json(object: &Map<String, Value>) -> Result<Title, Vec<FieldError>> {
        title_member(object)
    }
}

/// A JSON Merge Patch of a list: its new `title`.
#[derive(Object)]
#[oai(example)]
pub struct ListPatch {
    /// 1–200 characters with at least one that is not whitespace;
    /// surrounding whitespace is trimmed.
    pub title: Title,
}

impl Example for ListPatch {
    fn example() -> Self {
        Self {
            title: Title::from_stored("Lisbon, May".to_owned()),
        }
    }
}

impl JsonInput for ListPatch {
    type Output = Title;
    const MEDIA_TYPES: &'static [&'static str] = &["application/merge-patch+json", JSON];

    fn from_json(object: &Map<String, Value>) -> Result<Title, Vec<FieldError>> {
        title_member(object)
    }
}

/// The `title` member of a list body, required and valid.
fn title_member(object: &Map<String, Value>) -> Result<Title, Vec<FieldError>> {
    let mut errors = Vec::new();
    let title = member(object, "title", &mut errors, |v| {
        string(v).and_then(Title::parse)
    });
    match title {
        Field::Value(title) if errors.is_empty() => Ok(title),
        Field::Absent => Err(vec![FieldError::body("title", "is required")]),
        Field::Null => Err(vec![FieldError::body("title", "must not be null")]),
        _ => Err(errors),
    }
}

/// A member of a list.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct Member {
    /// The member's owner id.
    pub owner_id: i64,
    /// The member's owner name.
    pub name: String,
    pub role: Role,
    pub added_at: Timestamp,
}

impl From<StoredMember> for Member {
    fn from(member: StoredMember) -> Self {
        Self {
            owner_id: member.owner.0,
            name: member.name,
            role: member.role.into(),
            added_at: member.added_at,
        }
    }
}

impl Example for Member {
    fn example() -> Self {
        Self {
            owner_id: 2,
            name: "ana".to_owned(),
            role: Role::Editor,
            added_at: instant(1),
        }
    }
}

/// The members of a list.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct MemberList {
    /// By owner id.
    pub members: Vec<Member>,
}

impl Example for MemberList {
    fn example() -> Self {
        Self {
            members: vec![Member::example()],
        }
    }
}

/// The body that gives a member its role.
#[derive(Object)]
#[oai(example)]
pub struct RoleInput {
    pub role: Role,
}

impl Example for RoleInput {
    fn example() -> Self {
        Self { role: Role::Editor }
    }
}

impl JsonInput for RoleInput {
    type Output = domain::Role;
    const MEDIA_TYPES: &'static [&'static str] = &[JSON];

    fn from_json(object: &Map<String, Value>) -> Result<domain::Role, Vec<FieldError>> {
        let mut errors = Vec::new();
        let role = member(object, "role", &mut errors, |v| {
            string(v).and_then(domain::Role::parse)
        });
        match role {
            Field::Value(role) if errors.is_empty() => Ok(role),
            Field::Absent => Err(vec![FieldError::body("role", "is required")]),
            Field::Null => Err(vec![FieldError::body("role", "must not be null")]),
            _ => Err(errors),
        }
    }
}
