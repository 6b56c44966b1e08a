//! Atomic batches: the operations in order on one transaction, all or
//! nothing.

use super::super::lists::Scope;
use super::super::numbers::Counts;
use super::super::write::{self, Expect, Outcome, Refusal, Reserve, UseCase, Write};
use super::super::{Db, DbError};
use super::create::{Places, insert_numbered};
use super::trash::trash_in;
use super::update::update_in;
use crate::domain::{ListId, Task, TaskChanges, TaskDraft, Timestamp};

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
    scope: Scope,
    ops: Vec<(ListId, BatchOp)>,
    now: Timestamp,
) -> Result<Result<Vec<BatchResult>, BatchFailure>, DbError> {
    write::run(db, scope, now, Batch::new(ops)).await
}

/// A batch: its operations in order, under a savepoint of its own, so a
/// failing one undoes the batch's writes and only those (on SQLite, in a
/// group).
#[derive(Clone, Debug)]
pub struct Batch {
    /// Each operation with the list it is on (a batch may span lists;
    /// each list is checked as the batch enters it).
    ops: Vec<(ListId, BatchOp)>,
}

impl Batch {
    pub fn new(ops: Vec<(ListId, BatchOp)>) -> Self {
        Self { ops }
    }
}

impl UseCase for Batch {
    type Output = Result<Vec<BatchResult>, BatchFailure>;

    fn name(&self) -> &'static str {
        "batch"
    }

    fn reserve(&self) -> Reserve {
        Reserve::Now(self.ops.len())
    }

    fn undone_on_failure(&self) -> bool {
        true
    }

    async fn perform<'w, 't: 'w>(&'w self, w: &'w mut Write<'t>) -> Result<Self::Output, DbError> {
        batch_in(w, self.ops.clone()).await
    }
}

/// The operations in order, stopping at the first that fails.
async fn batch_in(
    w: &mut Write<'_>,
    ops: Vec<(ListId, BatchOp)>,
) -> Result<Result<Vec<BatchResult>, BatchFailure>, DbError> {
    let mut results = Vec::with_capacity(ops.len());
    let places = &mut Places::default();
    // Consecutive top-level creates in one list wait here and are stored
    // together before the next operation of another kind or list (and at
    // the end), so the operations still take their change numbers in order.
    let mut appending = Vec::new();
    for (index, (list, op)) in ops.into_iter().enumerate() {
        if list != w.list {
            let appended = std::mem::take(&mut appending);
            let stored = places.append(w, appended).await?;
            results.extend(stored.into_iter().map(Some));
            w.enter(list).await?;
        }
        let op = match op {
            BatchOp::Create(draft) if draft.parent_id.flatten().is_none() => {
                appending.push(draft);
                continue;
            }
            op => op,
        };
        let appended = std::mem::take(&mut appending);
        let stored = places.append(w, appended).await?;
        results.extend(stored.into_iter().map(Some));
        let (id, expected, outcome) = match op {
            BatchOp::Create(draft) => {
                let done = draft.done;
                let outcome = match insert_numbered(w, draft, places).await? {
                    Ok(task) => {
                        w.numbers.count(Counts::added(done));
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
                let outcome = update_in(w, id, changes, expect.as_ref()).await?;
                (id, expect.is_some(), outcome.map(Some))
            }
            BatchOp::Delete { id, expect } => {
                let outcome = trash_in(w, id, expect.as_ref()).await?;
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
    let stored = places.append(w, appending).await?;
    results.extend(stored.into_iter().map(Some));
    Ok(Ok(results))
}
