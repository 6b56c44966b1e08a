//! The trash (AIP-164): trashing with the subtree, undeleting what went
//! with it, purging for good, and the retention's purge of every list.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QuerySelect, QueryTrait,
};

use super::super::changes;
use super::super::entity::{Column, Entity};
use super::super::lists::Scope;
use super::super::numbers::Counts;
use super::super::rows::{
    columns, every_owners_delete, listed, listed_delete, listed_update, live, task_rows,
};
use super::super::write::{self, Expect, Outcome, Reserve, UseCase, Write, outcome_of, version_in};
use super::super::{Db, DbError, subtree};
use crate::domain::{ListId, Task, Timestamp};

/// Moves the task with this id to the trash (or, with `purge`, removes it
/// for good, also from the trash, leaving a tombstone) if `expect` (when
/// given) holds for it, in one conditional statement. Trashing changes the
/// version and `updated_at`.
pub async fn delete(
    db: &Db,
    scope: Scope,
    id: i64,
    expect: Option<Expect>,
    purge: bool,
    now: Timestamp,
) -> Result<Outcome<()>, DbError> {
    write::run(db, scope, now, Delete { id, expect, purge }).await
}

/// A trash (or, with `purge`, a purge) of one task and its subtree.
#[derive(Clone, Debug)]
struct Delete {
    id: i64,
    expect: Option<Expect>,
    purge: bool,
}

impl UseCase for Delete {
    type Output = Outcome<()>;

    fn name(&self) -> &'static str {
        if self.purge { "purge" } else { "trash" }
    }

    fn reserve(&self) -> Reserve {
        Reserve::Now(1)
    }

    async fn perform<'w, 't: 'w>(&'w self, w: &'w mut Write<'t>) -> Result<Outcome<()>, DbError> {
        let expect = self.expect.as_ref();
        if self.purge {
            purge_in(w, self.id, expect).await
        } else {
            trash_in(w, self.id, expect).await
        }
    }
}

/// Removes the task and its subtasks for good (the task in one conditional
/// statement), and leaves their tombstones: a trashed task's keeps the
/// number (and time) of its trashing, which the feed already showed as its
/// deletion.
async fn purge_in(
    w: &mut Write<'_>,
    id: i64,
    expect: Option<&Expect>,
) -> Result<Outcome<()>, DbError> {
    let (conn, list, now) = (w.conn, w.list, w.now);
    let mut delete = listed_delete(list).filter(Column::Id.eq(id));
    if let Some(version) = version_in(expect) {
        delete = delete.filter(version);
    }
    let statement = delete.into_query().returning_all().to_owned();
    let removed = task_rows(&conn.query_all(&statement).await?)?;
    let Some(row) = removed.first() else {
        return Ok(outcome_of(0, expect));
    };
    subtree::entomb(conn, list, row, now, &mut w.numbers).await?;
    subtree::purge_below(conn, list, row.id, now, &mut w.numbers).await?;
    Ok(Outcome::Done(()))
}

/// Moves the task to the trash, in one conditional statement, and its live
/// subtasks with it.
pub(super) async fn trash_in(
    w: &mut Write<'_>,
    id: i64,
    expect: Option<&Expect>,
) -> Result<Outcome<()>, DbError> {
    let (conn, list, now) = (w.conn, w.list, w.now);
    let mut trash = listed_update(list)
        .col_expr(Column::ChangeSeq, Expr::value(w.numbers.take(conn).await?))
        .col_expr(Column::DeletedAt, Expr::value(now.as_micros()))
        .col_expr(Column::UpdatedAt, Expr::value(now.as_micros()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::Id.eq(id))
        .filter(Column::DeletedAt.is_null());
    if let Some(version) = version_in(expect) {
        trash = trash.filter(version);
    }
    let statement = trash.into_query().returning_col(Column::Done).to_owned();
    let rows = conn.query_all(&statement).await?;
    if let Some(row) = rows.first() {
        let done: bool = row.try_get("", "done")?;
        w.numbers.count(Counts::removed(done));
        subtree::trash_below(conn, list, id, now, &mut w.numbers).await?;
    }
    Ok(outcome_of(rows.len() as u64, expect))
}

/// Takes the task with this id out of the trash (a new version) if
/// `expect` (when given) holds for it; `NotDeleted` if it is not there.
pub async fn undelete(
    db: &Db,
    scope: Scope,
    id: i64,
    expect: Option<Expect>,
    now: Timestamp,
) -> Result<Outcome<Task>, DbError> {
    write::run(db, scope, now, Undelete { id, expect }).await
}

/// An undelete of one task, with what was trashed with it.
#[derive(Clone, Debug)]
struct Undelete {
    id: i64,
    expect: Option<Expect>,
}

impl UseCase for Undelete {
    type Output = Outcome<Task>;

    fn name(&self) -> &'static str {
        "undelete"
    }

    fn reserve(&self) -> Reserve {
        Reserve::OnFirstTake(1)
    }

    async fn perform<'w, 't: 'w>(&'w self, w: &'w mut Write<'t>) -> Result<Outcome<Task>, DbError> {
        undelete_in(w, self.id, self.expect.as_ref()).await
    }
}

/// The undelete, with the subtasks trashed with it: nothing is written
/// when it is missing, stale or not in the trash; a parent in the trash
/// refuses it after the reservation.
async fn undelete_in(
    w: &mut Write<'_>,
    id: i64,
    expect: Option<&Expect>,
) -> Result<Outcome<Task>, DbError> {
    let (txn, list, now) = (w.conn, w.list, w.now);
    // Checked once without a lock (a refusal writes nothing), then again
    // under the list's row: on PostgreSQL another process may have
    // restored, purged or changed the task (or its parent) in between.
    let mut seq = None;
    let (current, trashed_at) = loop {
        let Some(row) = listed(list).filter(Column::Id.eq(id)).one(txn).await? else {
            return Ok(Outcome::Missing);
        };
        let current = Task::try_from(row)?;
        if expect.is_some_and(|e| !e.allows(current.version)) {
            return Ok(Outcome::Stale);
        }
        let Some(trashed_at) = current.deleted_at else {
            return Ok(Outcome::NotDeleted);
        };
        if seq.is_some() {
            break (current, trashed_at);
        }
        seq = Some(w.numbers.take(txn).await?);
    };
    let seq = seq.unwrap_or_default();
    if let Some(parent) = current.parent_id {
        let live = live(list).filter(Column::Id.eq(parent)).count(txn).await?;
        if live == 0 {
            return Ok(Outcome::ParentDeleted(parent));
        }
    }
    let restored = Task {
        deleted_at: None,
        updated_at: now.max(current.updated_at),
        version: current.version + 1,
        ..current
    };
    // Conditional on the version read: a bug, not a race, if it fails
    // (every write of this list's tasks waits for its row).
    let written = listed_update(list)
        .set(columns(&restored, seq))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(current.version))
        .exec(txn)
        .await?;
    if written.rows_affected != 1 {
        return Err(DbError::Contended);
    }
    w.numbers.count(Counts::added(restored.done));
    let trashed_at = trashed_at.as_micros();
    subtree::restore_below(txn, list, id, trashed_at, now, &mut w.numbers).await?;
    Ok(Outcome::Done(restored))
}

/// How many trashed tasks one transaction of the purge removes.
const PURGE_CHUNK: u64 = 500;

/// Removes for good the tasks trashed before `cutoff`, each leaving a
/// tombstone with the number of its trashing; returns how many.
pub async fn purge_trash_of_every_owner(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    let mut purged = 0;
    loop {
        let chunk = purge_chunk_of_every_owner(db, cutoff);
        let removed = db.timed("purge_trash", chunk).await?;
        purged += removed;
        if removed < PURGE_CHUNK {
            return Ok(purged);
        }
    }
}

/// Up to `PURGE_CHUNK` of the trashed tasks past `cutoff`, in one write
/// transaction (short, so writers queue behind it briefly).
async fn purge_chunk_of_every_owner(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    let txn = db.begin_write().await?;
    let expired = || Column::DeletedAt.lt(cutoff.as_micros());
    let ids: Vec<i64> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(expired())
        .limit(PURGE_CHUNK)
        .into_tuple()
        .all(&txn)
        .await?;
    // Still past the cutoff (not undeleted meanwhile): exactly the rows
    // this statement removes get tombstones.
    let delete = every_owners_delete()
        .filter(Column::Id.is_in(ids))
        .filter(expired())
        .into_query()
        .returning_all()
        .to_owned();
    let removed = task_rows(&txn.query_all(&delete).await?)?;
    for row in &removed {
        let deleted_at = row.deleted_at.unwrap_or(row.updated_at);
        let list = ListId(row.list_id);
        changes::tombstone_in(&txn, list, row.id, row.change_seq, deleted_at).await?;
    }
    txn.commit().await?;
    Ok(removed.len() as u64)
}
