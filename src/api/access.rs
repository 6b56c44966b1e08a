//! The caller's access to a task's or a list's list, as the task
//! operations need it: a list the caller is not a member of answers as a
//! task or list that never existed (404, or 400 naming the member that
//! refers to it), a role too low for the operation 403 naming the role.

use std::future::Future;

use crate::db::lists::{self, Access, Scope};
use crate::db::tasks::{BatchOp, Expect, Outcome};
use crate::db::{Db, DbError};
use crate::domain::{ListId, OwnerId, Role, TaskDraft};
use crate::error::{ApiError, FieldError};

/// The scope of a write on task `id` by `owner` (live or in the trash),
/// which needs `needed` on its list. Not a member: 404 (412 with
/// `If-Match`, as for a task that does not exist).
pub async fn task_scope(
    db: &Db,
    owner: OwnerId,
    id: i64,
    needed: Role,
    expect: Option<&Expect>,
) -> Result<Scope, ApiError> {
    match lists::of_task(db, owner, id).await? {
        Some(access) => allowed(access, needed).map(|a| a.scope(owner)),
        None if expect.is_some() => Err(ApiError::precondition_failed(id)),
        None => Err(ApiError::task_not_found(id)),
    }
}

/// Performs `write` on task `id` for `owner`: first in the caller's inbox
/// (no lookup at all: the common case, and the inbox is only its owner's),
/// and, when the task is not there (`Missing`, or `Stale` under `If-Match`),
/// in the task's own list once the caller's role there allows editing (as
/// `task_scope`: else 404, 412 or 403). The first attempt wrote nothing.
pub async fn on_task<T, F, Fut>(
    db: &Db,
    owner: OwnerId,
    id: i64,
    expect: Option<&Expect>,
    write: F,
) -> Result<Outcome<T>, ApiError>
where
    F: Fn(Scope) -> Fut,
    Fut: Future<Output = Result<Outcome<T>, DbError>>,
{
    let inbox = Scope::inbox(owner, lists::inbox(db, owner).await?);
    let first = write(inbox).await?;
    if !matches!(first, Outcome::Missing | Outcome::Stale) {
        return Ok(first);
    }
    let scope = task_scope(db, owner, id, Role::Editor, expect).await?;
    if scope.list == inbox.list {
        return Ok(first);
    }
    Ok(write(scope).await?)
}

/// The caller's access as it allows `needed`, or the 403 naming it.
pub fn allowed(access: Access, needed: Role) -> Result<Access, ApiError> {
    if access.role.allows(needed) {
        Ok(access)
    } else {
        Err(ApiError::role_needed(needed, access.list.0))
    }
}

/// The list a new task goes to: `list_id` as sent (a list the caller may
/// edit: else 400 naming it, or 403), else its parent's, else the caller's
/// inbox. (A parent the caller does not see is refused by the create,
/// naming `parent_id`.)
pub async fn create_scope(db: &Db, owner: OwnerId, draft: &TaskDraft) -> Result<Scope, ApiError> {
    let Some(id) = draft.list_id else {
        if let Some(Some(parent)) = draft.parent_id
            && let Some(access) = lists::of_task(db, owner, parent).await?
        {
            return allowed(access, Role::Editor).map(|a| a.scope(owner));
        }
        return Ok(Scope::inbox(owner, lists::inbox(db, owner).await?));
    };
    let access = lists::of_list(db.reader(), owner, ListId(id), false).await?;
    match access {
        Some(access) => allowed(access, Role::Editor).map(|a| a.scope(owner)),
        None => Err(no_such_list("list_id", id, true)),
    }
}

/// The lists a read spans: every list the caller sees, or `list_id` (400
/// naming the parameter when the caller sees no such list).
pub async fn read_lists(
    db: &Db,
    owner: OwnerId,
    list_id: Option<i64>,
) -> Result<Vec<ListId>, ApiError> {
    let lists = lists::visible_ids(db, owner, list_id.map(ListId)).await?;
    match list_id {
        Some(id) if lists.is_empty() => Err(no_such_list("list_id", id, false)),
        _ => Ok(lists),
    }
}

/// A 400 naming the member or parameter `name` that refers to list `id`,
/// which the caller does not see.
pub fn no_such_list(name: &str, id: i64, in_body: bool) -> ApiError {
    let detail = format!("names no list you can see (list {id})");
    let error = if in_body {
        FieldError::body(name, detail)
    } else {
        FieldError::parameter(name, detail)
    };
    ApiError::validation(vec![error])
}

/// Each operation with the scope of its list, checked as the single
/// request would be (a task of a list the caller is not a member of is
/// missing; a role too low is a 403), naming the operation.
pub async fn batch_scopes(
    db: &Db,
    owner: OwnerId,
    ops: Vec<BatchOp>,
) -> Result<Vec<(Scope, BatchOp)>, ApiError> {
    let mut scoped = Vec::with_capacity(ops.len());
    for (index, op) in ops.into_iter().enumerate() {
        let scope = match &op {
            BatchOp::Create(draft) => create_scope(db, owner, draft).await,
            BatchOp::Update { id, expect, .. } | BatchOp::Delete { id, expect } => {
                task_scope(db, owner, *id, Role::Editor, expect.as_ref()).await
            }
        };
        scoped.push((scope.map_err(|e| e.at_operation(index))?, op));
    }
    Ok(scoped)
}
