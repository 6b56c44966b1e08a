//! Replacing and merge-patching a task, conditional on the version read.

use sea_orm::{ColumnTrait, ConnectionTrait, QueryFilter};

use super::super::changes::{self, Counts, Numbers};
use super::super::entity::Column;
use super::super::group::work;
use super::super::labels::{self};
use super::super::rows::{columns, live, owned_update};
use super::super::write::{Expect, Outcome, Refusal};
use super::super::{Db, DbError};
use crate::domain::{OwnerId, Task, TaskChanges, Timestamp};

/// How often an unconditional update is tried when another writer changes
/// the task between its read and its write (only PostgreSQL, where the read
/// takes no lock), before giving up with `DbError::Contended`.
const UPDATE_ATTEMPTS: usize = 3;

/// Applies `changes` to the task with this id, if `expect` (when given)
/// holds for it. The write is conditional on the version that was read, so
/// no concurrent change is overwritten even where the transaction does not
/// hold a write lock (PostgreSQL); on SQLite `BEGIN IMMEDIATE` serialises it.
/// A lost race is retried when nothing was expected, and `Stale` otherwise.
pub async fn update(
    db: &Db,
    owner: OwnerId,
    id: i64,
    changes: TaskChanges,
    expect: Option<Expect>,
    now: Timestamp,
) -> Result<Outcome<Task>, DbError> {
    db.timed("update", async move {
        let unconditional = expect.is_none();
        for _ in 0..UPDATE_ATTEMPTS {
            let (changes, expect) = (changes.clone(), expect.clone());
            let write = work(move |txn| {
                let (changes, expect) = (changes.clone(), expect.clone());
                Box::pin(async move {
                    let mut numbers = Numbers::later(owner, 1);
                    let outcome =
                        update_in(txn, owner, id, changes, expect.as_ref(), now, &mut numbers)
                            .await?;
                    if matches!(outcome, Outcome::Done(_)) {
                        changes::settle(txn, owner, &numbers).await?;
                    }
                    Ok(outcome)
                })
            });
            match db.write(write).await? {
                // Without If-Match, a lost race (PostgreSQL) is tried again.
                Outcome::Stale if unconditional => continue,
                outcome => return Ok(outcome),
            }
        }
        Err(DbError::Contended)
    })
    .await
}

/// The update on `conn` (a write transaction), conditional on the version
/// read; `Stale` also when another writer won the race.
pub(super) async fn update_in(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    id: i64,
    changes: TaskChanges,
    expect: Option<&Expect>,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<Outcome<Task>, DbError> {
    let current = match live(owner).filter(Column::Id.eq(id)).one(conn).await? {
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
    let next = current.with_changes(changes, now);
    if next == current {
        return Ok(Outcome::Done(current));
    }
    if next.done != current.done {
        numbers.count(Counts::marked(next.done));
    }
    let written = owned_update(owner)
        .set(columns(&next, numbers.take(conn).await?))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if written.rows_affected != 1 {
        return Ok(Outcome::Stale);
    }
    labels::replace(conn, owner, id, &current.labels, &next.labels).await?;
    Ok(Outcome::Done(next))
}
