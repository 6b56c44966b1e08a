//! Atomic batches: the operations in order on one transaction, all or
//! nothing.

use sea_orm::{ConnectionTrait, TransactionTrait};

use super::super::changes::{self, Counts};
use super::super::group::work;
use super::super::write::{Expect, Outcome, Refusal};
use super::super::{Db, DbError};
use super::create::{Places, insert_numbered};
use super::trash::trash_in;
use super::update::update_in;
use crate::domain::{OwnerId, Task, TaskChanges, TaskDraft, Timestamp};

/// One operation of a batch.
#[derive(Clone, Debug)]
pub enum BatchOp {
    Create(TaskDraft),
    Update {
        id: i64,
        changes: TaskChanges,
        expect: Option<Expect>,
    },
    Delete {
        id: i64,
        expect: Option<Expect>,
    },
}

/// What one operation of a batch did: the task as it now is, or `None`
/// for a delete.
pub type BatchResult = Option<Task>;

/// The operation that failed a batch (nothing was changed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchFailure {
    pub index: usize,
    pub id: i64,
    /// Whether it carried an expectation of the version.
    pub expected: bool,
    /// Whether the task exists but has another version (else it is missing).
    pub stale: bool,
    /// Why the tree refused it, when it did.
    pub refusal: Option<Refusal>,
}

/// Runs every operation in one write transaction (on SQLite, in a group of
/// writes, under a savepoint), all or nothing: the results in order, or the
/// first operation that failed.
pub async fn batch(
    db: &Db,
    owner: OwnerId,
    ops: Vec<BatchOp>,
    now: Timestamp,
) -> Result<Result<Vec<BatchResult>, BatchFailure>, DbError> {
    let write = work(move |txn| {
        let ops = ops.clone();
        Box::pin(async move {
            // A savepoint of its own: a failing operation undoes the
            // batch's writes, and only those (on SQLite, in a group).
            let own = txn.begin().await?;
            let results = batch_in(&own, owner, ops, now).await?;
            if results.is_ok() {
                own.commit().await?;
            } else {
                own.rollback().await?;
            }
            Ok(results)
        })
    });
    db.timed("batch", db.write(write)).await
}

/// The operations on `conn` (a write transaction that has not written
/// yet), in order, stopping at the first that fails; the caller commits or
/// rolls back.
pub async fn batch_in(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    ops: Vec<BatchOp>,
    now: Timestamp,
) -> Result<Result<Vec<BatchResult>, BatchFailure>, DbError> {
    let mut results = Vec::with_capacity(ops.len());
    let mut numbers = changes::reserve(conn, owner, ops.len(), Counts::default()).await?;
    let numbers = &mut numbers;
    let places = &mut Places::default();
    // Consecutive top-level creates wait here and are stored together
    // before the next operation of another kind (and at the end), so the
    // operations still take their change numbers in order.
    let mut appending = Vec::new();
    for (index, op) in ops.into_iter().enumerate() {
        let op = match op {
            BatchOp::Create(draft) if draft.parent_id.flatten().is_none() => {
                appending.push(draft);
                continue;
            }
            op => op,
        };
        let appended = std::mem::take(&mut appending);
        let stored = places.append(conn, owner, appended, now, numbers).await?;
        results.extend(stored.into_iter().map(Some));
        let (id, expected, outcome) = match op {
            BatchOp::Create(draft) => {
                let done = draft.done;
                let outcome =
                    match insert_numbered(conn, owner, draft, now, numbers, places).await? {
                        Ok(task) => {
                            numbers.count(Counts::added(done));
                            Outcome::Done(Some(task))
                        }
                        Err(refusal) => Outcome::Refused(refusal),
                    };
                (0, false, outcome)
            }
            BatchOp::Update {
                id,
                changes,
                expect,
            } => {
                let outcome =
                    update_in(conn, owner, id, changes, expect.as_ref(), now, numbers).await?;
                (id, expect.is_some(), outcome.map(Some))
            }
            BatchOp::Delete { id, expect } => {
                let outcome = trash_in(conn, owner, id, expect.as_ref(), now, numbers).await?;
                (id, expect.is_some(), outcome.map(|()| None))
            }
        };
        match outcome {
            Outcome::Done(result) => results.push(result),
            failed => {
                let stale = failed == Outcome::Stale;
                let refusal = match failed {
                    Outcome::Refused(refusal) => Some(refusal),
                    _ => None,
                };
                return Ok(Err(BatchFailure {
                    index,
                    id,
                    expected,
                    stale,
                    refusal,
                }));
            }
        }
    }
    let stored = places.append(conn, owner, appending, now, numbers).await?;
    results.extend(stored.into_iter().map(Some));
    changes::settle(conn, owner, numbers).await?;
    Ok(Ok(results))
}
