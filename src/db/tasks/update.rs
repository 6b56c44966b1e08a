//! Replacing and merge-patching a task, conditional on the version read.

use sea_orm::{ColumnTrait, QueryFilter};

use super::super::entity::Column;
use super::super::labels;
use super::super::lists::Scope;
use super::super::numbers::Counts;
use super::super::rows::{columns, listed_update, live};
use super::super::write::{self, Expect, Outcome, Refusal, Reserve, UseCase, Write};
use super::super::{Db, DbError};
use crate::domain::{Task, TaskChanges, Timestamp};

/// Applies `changes` to the task with this id, if `expect` (when given)
/// holds for it. The write is conditional on the version that was read, so
/// no concurrent change is overwritten even where the transaction does not
/// hold a write lock (PostgreSQL); on SQLite `BEGIN IMMEDIATE` serialises it.
/// A lost race is retried when nothing was expected, and `Stale` otherwise.
pub async fn update(
    db: &Db,
    scope: Scope,
    id: i64,
    changes: TaskChanges,
    expect: Option<Expect>,
    now: Timestamp,
) -> Result<Outcome<Task>, DbError> {
    let case = Update {
        id,
        changes,
        expect,
    };
    write::run(db, scope, now, case).await
}

/// An update of one task.
#[derive(Clone, Debug)]
pub(super) struct Update {
    pub(super) id: i64,
    pub(super) changes: TaskChanges,
    pub(super) expect: Option<Expect>,
}

impl UseCase for Update {
    type Output = Outcome<Task>;

    fn name(&self) -> &'static str {
        "update"
    }

    fn reserve(&self) -> Reserve {
        Reserve::OnFirstTake(1)
    }

    fn retries(&self) -> bool {
        self.expect.is_none()
    }

    async fn perform<'w, 't: 'w>(&'w self, w: &'w mut Write<'t>) -> Result<Outcome<Task>, DbError> {
        update_in(w, self.id, self.changes.clone(), self.expect.as_ref()).await
    }
}

/// The update, conditional on the version read; `Stale` also when another
/// writer won the race.
pub(super) async fn update_in(
    w: &mut Write<'_>,
    id: i64,
    changes: TaskChanges,
    expect: Option<&Expect>,
) -> Result<Outcome<Task>, DbError> {
    let (conn, list) = (w.conn, w.list);
    let current = match live(list).filter(Column::Id.eq(id)).one(conn).await? {
        Some(row) => Task::try_from(row)?,
        None => return Ok(Outcome::Missing),
    };
    if expect.is_some_and(|e| !e.allows(current.version)) {
        return Ok(Outcome::Stale);
    }
    if let Some(parent) = changes.parent_id
        && parent != current.parent_id
    {
        let reason = match current.parent_id {
            Some(id) => format!("is {id} for this task; POST /api/tasks/{{id}}/move changes it"),
            None => "is null for this task; POST /api/tasks/{id}/move changes it".to_owned(),
        };
        return Ok(Outcome::Refused(Refusal::new("parent_id", reason)));
    }
    let next = current.with_changes(changes, w.now);
    if next == current {
        return Ok(Outcome::Done(current));
    }
    if next.done != current.done {
        w.numbers.count(Counts::marked(next.done));
    }
    let written = listed_update(list)
        .set(columns(&next, w.numbers.take(conn).await?))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if written.rows_affected != 1 {
        return Ok(Outcome::Stale);
    }
    labels::replace(conn, list, id, &current.labels, &next.labels).await?;
    Ok(Outcome::Done(next))
}
