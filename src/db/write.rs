//! The one write path. A write use case (create, update, trash, purge,
//! undelete, move, batch) is a `UseCase`: its inputs, how it takes its
//! list's change numbers (`Reserve`), and one function over a `Write` (the
//! transaction, the list, `now` and the change numbers). `run` runs any of
//! them the same way: timed, in the next SQLite group or a PostgreSQL
//! transaction, reserving as the use case declares, settling the list's
//! counts only on success, under a savepoint of its own when it undoes its
//! writes on failure (a batch), and trying a lost race again when the use
//! case asks (an update without `If-Match`, on PostgreSQL). With an
//! `Idempotency-Key`, `crate::idempotency::perform_once` runs the same
//! `on_transaction` under the key's savepoint.
//!
//! Also the vocabulary every use case shares: what a conditional write
//! expects of the task's version (`Expect`), what it did (`Outcome`), and why
//! the tree refused it (`Refusal`).

use std::future::Future;

use sea_orm::{ColumnTrait, DatabaseTransaction, TransactionTrait};

use super::entity::Column;
use super::group::work;
use super::lists::{self, Scope};
use super::numbers::{self, Counts, Numbers};
use super::{Db, DbError};
use crate::domain::{Invalid, ListId, OwnerId, Role, Timestamp};

/// How often a use case that asks for it is tried when another writer
/// changed its task between its read and its write (only PostgreSQL, where
/// the read takes no lock), before giving up with `DbError::Contended`.
const ATTEMPTS: usize = 3;

/// What a write use case works on: its transaction (or savepoint), its
/// list, the request's time and the list's change numbers.
pub(crate) struct Write<'t> {
    pub(crate) conn: &'t DatabaseTransaction,
    /// The list the write is on now (`enter` moves it to another).
    pub(crate) list: ListId,
    /// Who writes.
    pub(crate) owner: OwnerId,
    pub(crate) now: Timestamp,
    /// The current list's numbers.
    pub(crate) numbers: Numbers,
    /// The numbers of the other lists this write has entered.
    others: Vec<(ListId, Numbers)>,
}

impl Write<'_> {
    /// Moves the write to `list` (a batch's operation on another list, a
    /// move's target), checking first that the writer may edit it there:
    /// its numbers are taken from here on, and settled with the others.
    pub(crate) async fn enter(&mut self, list: ListId) -> Result<(), DbError> {
        if list == self.list {
            return Ok(());
        }
        let next = match self.others.iter().position(|(l, _)| *l == list) {
            Some(at) => self.others.swap_remove(at).1,
            None => {
                lists::check(self.conn, self.owner, list, Role::Editor).await?;
                Numbers::later(list, 1)
            }
        };
        let previous = std::mem::replace(&mut self.numbers, next);
        self.others.push((self.list, previous));
        self.list = list;
        Ok(())
    }
}

/// How a use case takes its list's change numbers. Whichever it is, the
/// list's row is the first thing it locks, so an list's writes commit in
/// the order of their numbers (docs/sync.md).
#[derive(Clone, Copy, Debug)]
pub(crate) enum Reserve {
    /// These many, before the use case runs.
    Now(usize),
    /// These many, on the first number taken: for a write that reads before
    /// it decides, so that a refusal writes nothing at all.
    OnFirstTake(usize),
    /// The use case reserves them itself (a create of top-level tasks
    /// reserves and reads the last key in one statement).
    ByUseCase,
}

/// Whether a use case's result is a success (its counts are settled, its
/// writes kept) and whether it lost a race it may try again.
pub(crate) trait Succeeds {
    fn succeeded(&self) -> bool;
    fn lost_race(&self) -> bool {
        false
    }
}

impl<T> Succeeds for Outcome<T> {
    fn succeeded(&self) -> bool {
        matches!(self, Outcome::Done(_))
    }
    fn lost_race(&self) -> bool {
        matches!(self, Outcome::Stale)
    }
}

impl<T, E> Succeeds for Result<T, E> {
    fn succeeded(&self) -> bool {
        self.is_ok()
    }
}

/// A write use case: its inputs and the one function that performs it.
pub(crate) trait UseCase: Clone + Send + Sync + 'static {
    type Output: Succeeds + Send + 'static;
    /// Its name in the metrics (`db_query_duration_seconds{operation}`).
    fn name(&self) -> &'static str;
    fn reserve(&self) -> Reserve;
    /// Whether a lost race is tried again (only when nothing was expected
    /// of the task's version).
    fn retries(&self) -> bool {
        false
    }
    /// Whether its writes are undone when it does not succeed: it then
    /// runs under a savepoint of its own (a batch's failing operation).
    /// The others write nothing before they know they succeed.
    fn undone_on_failure(&self) -> bool {
        false
    }
    fn perform<'w, 't: 'w>(
        &'w self,
        write: &'w mut Write<'t>,
    ) -> impl Future<Output = Result<Self::Output, DbError>> + Send + 'w;
}

/// Runs `case` for `list` at `now` and returns its result once it has
/// committed.
pub(crate) async fn run<U: UseCase>(
    db: &Db,
    scope: Scope,
    now: Timestamp,
    case: U,
) -> Result<U::Output, DbError> {
    db.timed(case.name(), async move {
        for attempt in 1..=ATTEMPTS {
            let retries = case.retries();
            let done = if retries && attempt == ATTEMPTS {
                // The last try cannot lose: it locks the list's row before
                // it reads, so no writer of the list comes in between.
                write_once(db, scope, now, LockFirst(case.clone())).await?
            } else {
                write_once(db, scope, now, case.clone()).await?
            };
            match done {
                lost if retries && lost.lost_race() => continue,
                done => return Ok(done),
            }
        }
        Err(DbError::Contended)
    })
    .await
}

/// `case` once, in the next group or a transaction of its own.
async fn write_once<U: UseCase>(
    db: &Db,
    scope: Scope,
    now: Timestamp,
    case: U,
) -> Result<U::Output, DbError> {
    let job = work(move |txn| {
        let case = case.clone();
        Box::pin(async move { on_transaction(txn, scope, now, &case).await })
    });
    db.write(job).await
}

/// A use case that reads before it takes its numbers, made to take them
/// (and so lock its list's row) first: it then reads what no other writer
/// of the list can change before it commits. Its refusals leave a gap in
/// the list's numbers, which the feed does not mind.
#[derive(Clone)]
struct LockFirst<U>(U);

impl<U: UseCase> UseCase for LockFirst<U> {
    type Output = U::Output;

    fn name(&self) -> &'static str {
        self.0.name()
    }

    fn reserve(&self) -> Reserve {
        match self.0.reserve() {
            Reserve::OnFirstTake(count) => Reserve::Now(count),
            other => other,
        }
    }

    fn undone_on_failure(&self) -> bool {
        self.0.undone_on_failure()
    }

    fn perform<'w, 't: 'w>(
        &'w self,
        write: &'w mut Write<'t>,
    ) -> impl Future<Output = Result<Self::Output, DbError>> + Send + 'w {
        self.0.perform(write)
    }
}

/// `case` on `txn`, a write transaction that has not written for `list`
/// yet: its reservation, its work, and the counts settled on success.
pub(crate) async fn on_transaction<U: UseCase>(
    txn: &DatabaseTransaction,
    scope: Scope,
    now: Timestamp,
    case: &U,
) -> Result<U::Output, DbError> {
    if !case.undone_on_failure() {
        return performed(txn, scope, now, case).await;
    }
    let own = txn.begin().await?;
    let done = performed(&own, scope, now, case).await?;
    if done.succeeded() {
        own.commit().await?;
    } else {
        own.rollback().await?;
    }
    Ok(done)
}

async fn performed<U: UseCase>(
    conn: &DatabaseTransaction,
    scope: Scope,
    now: Timestamp,
    case: &U,
) -> Result<U::Output, DbError> {
    let list = scope.list;
    if scope.checked {
        lists::check(conn, scope.owner, list, Role::Editor).await?;
    }
    let numbers = match case.reserve() {
        Reserve::Now(count) => numbers::reserve(conn, list, count, Counts::default()).await?,
        Reserve::OnFirstTake(count) => Numbers::later(list, count),
        Reserve::ByUseCase => Numbers::later(list, 0),
    };
    let mut write = Write {
        conn,
        list,
        owner: scope.owner,
        now,
        numbers,
        others: Vec::new(),
    };
    let done = case.perform(&mut write).await?;
    if done.succeeded() {
        numbers::settle(conn, write.list, &write.numbers).await?;
        for (list, numbers) in &write.others {
            numbers::settle(conn, *list, numbers).await?;
        }
    }
    Ok(done)
}

/// What a conditional write requires of the task's current version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Any version: the task must exist.
    Any,
    /// One of these versions (an empty list matches nothing).
    OneOf(Vec<i64>),
}

impl Expect {
    pub(super) fn allows(&self, version: i64) -> bool {
        match self {
            Expect::Any => true,
            Expect::OneOf(versions) => versions.contains(&version),
        }
    }
}

/// The result of a write guarded by an optional `Expect`.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    Done(T),
    /// No task with that id.
    Missing,
    /// No task with that id has an expected version: nothing was changed.
    /// (A conditional delete cannot tell this from `Missing`.)
    Stale,
    /// An undelete of a task that is not in the trash.
    NotDeleted,
    /// An undelete of a task whose parent is in the trash (or gone).
    ParentDeleted(i64),
    /// A write the tree does not allow (a parent or sibling that is
    /// missing, a cycle, too deep): nothing was changed.
    Refused(Refusal),
}

impl<T> Outcome<T> {
    pub(super) fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Done(value) => Outcome::Done(f(value)),
            Outcome::Missing => Outcome::Missing,
            Outcome::Stale => Outcome::Stale,
            Outcome::NotDeleted => Outcome::NotDeleted,
            Outcome::ParentDeleted(id) => Outcome::ParentDeleted(id),
            Outcome::Refused(refusal) => Outcome::Refused(refusal),
        }
    }
}

/// Why a write was refused, naming the member of the request at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub reason: Invalid,
}

impl Refusal {
    pub fn new(field: &'static str, reason: impl Into<Invalid>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

/// `version IN (…)` for an expectation of some versions.
pub(super) fn version_in(expect: Option<&Expect>) -> Option<sea_orm::sea_query::SimpleExpr> {
    match expect {
        Some(Expect::OneOf(versions)) => Some(Column::Version.is_in(versions.iter().copied())),
        _ => None,
    }
}

/// What a conditional statement that touched `rows` rows did.
pub(super) fn outcome_of(rows: u64, expect: Option<&Expect>) -> Outcome<()> {
    match (rows, expect) {
        (0, Some(_)) => Outcome::Stale,
        (0, None) => Outcome::Missing,
        _ => Outcome::Done(()),
    }
}
