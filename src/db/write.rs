//! The vocabulary of writes, shared by every use case: what a conditional
//! write expects of the task's version (`Expect`), what it did (`Outcome`),
//! and why the tree refused it (`Refusal`).

use sea_orm::ColumnTrait;

use super::entity::Column;
use crate::domain::Invalid;

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
