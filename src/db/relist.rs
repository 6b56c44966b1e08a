//! Moving a task with its subtree to another list: each task of the
//! subtree leaves a tombstone in the list it left (for that list's
//! readers) and comes as a change, a new version, in the list it joined;
//! the counts of both lists follow. The writer must be an editor of both:
//! the target is checked as the write enters it.

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, QueryFilter};

use super::DbError;
use super::changes::tombstone_in;
use super::entity::Column;
use super::labels::task_label;
use super::numbers::Counts;
use super::rows::{columns, listed_update};
use super::subtree::{Reach, descendants, height};
use super::tree::{check_parent, gap, respace};
use super::write::{Outcome, Write};
use crate::domain::{ListId, OrderKey, Placement, Task};

/// Moves `current` (a task of the write's list) with its subtree to
/// `target`, under `placement.parent` there (the top level when not
/// given), at `placement.anchor`.
pub(super) async fn move_to_list(
    w: &mut Write<'_>,
    current: Task,
    target: ListId,
    placement: Placement,
) -> Result<Outcome<Task>, DbError> {
    let (conn, source, now) = (w.conn, w.list, w.now);
    let id = current.id;
    let below = descendants(conn, source, id, Reach::All).await?;
    let levels = height(conn, source, id).await?;
    w.enter(target).await?;
    let parent = placement.parent.flatten();
    if let Some(parent) = parent
        && let Err(refusal) = check_parent(conn, target, parent, Some(id), levels).await?
    {
        return Ok(Outcome::Refused(refusal));
    }
    let (lower, upper) = match gap(w, parent, placement.anchor, id).await? {
        Ok(gap) => gap,
        Err(refusal) => return Ok(Outcome::Refused(refusal)),
    };
    let key = match OrderKey::between(lower.as_ref(), upper.as_ref()) {
        Some(key) if !key.needs_rebalance() => key,
        _ => respace(w, parent, id, lower, upper).await?,
    };
    let moved = Task {
        list: target,
        parent_id: parent,
        position: key,
        updated_at: now.max(current.updated_at),
        version: current.version + 1,
        ..current.clone()
    };
    let mut all = vec![(current, moved.clone())];
    for (row, _) in below {
        let task = Task::try_from(row)?;
        let next = Task {
            list: target,
            updated_at: now.max(task.updated_at),
            version: task.version + 1,
            ..task.clone()
        };
        all.push((task, next));
    }
    // In the target: each task a change of its own, counted there.
    for (before, after) in &all {
        let mut row = columns(after, w.numbers.take(conn).await?);
        // The target's (db::sorted): known once its numbers are taken.
        row.sorted = Set(w.numbers.sorted());
        let written = listed_update(source)
            .set(row)
            .filter(Column::Id.eq(after.id))
            .filter(Column::Version.eq(before.version))
            .exec(conn)
            .await?;
        if written.rows_affected != 1 {
            // Both lists' rows are held: no other write of these tasks ran.
            return Err(DbError::Contended);
        }
        if before.deleted_at.is_none() {
            w.numbers.count(Counts::added(before.done));
        }
    }
    let ids: Vec<i64> = all.iter().map(|(task, _)| task.id).collect();
    let relabel = Query::update()
        .table(task_label::Entity)
        .value(task_label::Column::ListId, target.0)
        .and_where(Expr::col(task_label::Column::TaskId).is_in(ids))
        .to_owned();
    conn.execute(&relabel).await?;
    // In the source: a tombstone each, and the counts.
    w.enter(source).await?;
    for (before, _) in &all {
        let seq = w.numbers.take(conn).await?;
        tombstone_in(conn, source, before.id, seq, now.as_micros()).await?;
        if before.deleted_at.is_none() {
            w.numbers.count(Counts::removed(before.done));
        }
    }
    Ok(Outcome::Done(moved))
}
