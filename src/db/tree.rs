//! Subtasks and manual order: parents checked (existence, cycles, depth,
//! child count), keys among siblings, and moves (subtrees: `subtree.rs`).
//!
//! Every write here runs after its transaction reserved a change number,
//! so it holds its list's row: an list's tree changes one write at a time
//! (on PostgreSQL across processes too), and what a write reads of the tree
//! stays true until it commits.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
};

use super::entity::{Column, Entity};
use super::lists::Scope;
use super::rows::{columns, listed, listed_update};
use super::subtree::height;
use super::write::{self, Expect, Outcome, Refusal, Reserve, UseCase, Write};
use super::{Db, DbError};
use crate::domain::task::{MAX_CHILDREN, MAX_DEPTH};
use crate::domain::{Anchor, ListId, OrderKey, Placement, Task, Timestamp};

/// Siblings re-spaced at first on each side of a gap whose key got too
/// long; the window grows eightfold until short keys fit.
const FIRST_REACH: u64 = 8;

/// The tasks of `list` under `parent` (`None`: top level), in the trash
/// or not.
pub(super) fn siblings(list: ListId, parent: Option<i64>) -> Select<Entity> {
    let select = listed(list);
    match parent {
        Some(id) => select.filter(Column::ParentId.eq(id)),
        None => select.filter(Column::ParentId.is_null()),
    }
}

pub(super) fn stored_key(id: i64, raw: &str) -> Result<OrderKey, DbError> {
    OrderKey::parse(raw).map_err(|_| DbError::Corrupt {
        row: format!("task {id}"),
        reason: "position breaks its rules",
    })
}

/// The first (`last == false`) or last key under `parent` beyond `bound`
/// (below it when looking for the last, above it otherwise), leaving out
/// task `except`.
async fn neighbour(
    conn: &impl ConnectionTrait,
    list: ListId,
    parent: Option<i64>,
    bound: Option<&OrderKey>,
    below: bool,
    except: Option<i64>,
) -> Result<Option<OrderKey>, DbError> {
    let mut select = siblings(list, parent);
    if let Some(bound) = bound {
        let key = Expr::col(Column::Position);
        select = select.filter(if below {
            key.lt(bound.as_str())
        } else {
            key.gt(bound.as_str())
        });
    }
    if let Some(id) = except {
        select = select.filter(Column::Id.ne(id));
    }
    let order = if below {
        sea_orm::Order::Desc
    } else {
        sea_orm::Order::Asc
    };
    let row: Option<(i64, String)> = select
        .select_only()
        .column(Column::Id)
        .column(Column::Position)
        .order_by(Column::Position, order)
        .limit(1)
        .into_tuple()
        .one(conn)
        .await?;
    row.map(|(id, raw)| stored_key(id, &raw)).transpose()
}

/// The key of the last task under `parent`, if it has any.
pub(super) async fn last_key(
    conn: &impl ConnectionTrait,
    list: ListId,
    parent: Option<i64>,
) -> Result<Option<OrderKey>, DbError> {
    neighbour(conn, list, parent, None, true, None).await
}

/// Whether `parent` can take a subtask of `height` levels (1 for a new
/// task): a live task of `list`, not `moving` nor below it, no deeper than
/// the limit allows, and with room for one more subtask.
pub(super) async fn check_parent(
    conn: &impl ConnectionTrait,
    list: ListId,
    parent: i64,
    moving: Option<i64>,
    height: usize,
) -> Result<Result<(), Refusal>, DbError> {
    let refuse = |reason: String| Ok(Err(Refusal::new("parent_id", reason)));
    // Up from the parent: its depth, and whether the moving task is above.
    let mut depth = 0;
    let mut at = Some(parent);
    while let Some(id) = at {
        if Some(id) == moving {
            return refuse("must not be the task itself or one of its subtasks".to_owned());
        }
        let row: Option<Option<i64>> = listed(list)
            .filter(Column::Id.eq(id))
            .filter(Column::DeletedAt.is_null())
            .select_only()
            .column(Column::ParentId)
            .into_tuple()
            .one(conn)
            .await?;
        let Some(up) = row else {
            return refuse(format!("there is no task with id {id}"));
        };
        depth += 1;
        // No stored chain is deeper than the limit; this only ends a
        // cycle a bug could have stored.
        at = if depth > MAX_DEPTH { None } else { up };
    }
    if depth + height > MAX_DEPTH {
        return refuse(format!(
            "would nest subtasks deeper than {MAX_DEPTH} levels"
        ));
    }
    let children = siblings(list, Some(parent)).count(conn).await?;
    if children >= MAX_CHILDREN {
        return refuse(format!(
            "task {parent} already has {MAX_CHILDREN} subtasks (the most a task may have, counting the trash)"
        ));
    }
    Ok(Ok(()))
}

/// Moves `list`'s task `id` to `placement`, if `expect` (when given) holds
/// for it: one write of the task (and, rarely, of a few neighbours whose
/// keys are re-spaced). A move to where the task already is changes
/// nothing.
pub async fn move_task(
    db: &Db,
    scope: Scope,
    id: i64,
    placement: Placement,
    expect: Option<Expect>,
    now: Timestamp,
) -> Result<Outcome<Task>, DbError> {
    let case = Move {
        id,
        placement,
        expect,
    };
    write::run(db, scope, now, case).await
}

/// A move of one task (with its subtree) under a parent, among siblings.
#[derive(Clone, Debug)]
struct Move {
    id: i64,
    placement: Placement,
    expect: Option<Expect>,
}

impl UseCase for Move {
    type Output = Outcome<Task>;

    fn name(&self) -> &'static str {
        "move"
    }

    fn reserve(&self) -> Reserve {
        // The list's row first: the siblings read next stay as read.
        Reserve::Now(1)
    }

    async fn perform<'w, 't: 'w>(&'w self, w: &'w mut Write<'t>) -> Result<Outcome<Task>, DbError> {
        move_in(w, self.id, self.placement, self.expect.as_ref()).await
    }
}

async fn move_in(
    w: &mut Write<'_>,
    id: i64,
    placement: Placement,
    expect: Option<&Expect>,
) -> Result<Outcome<Task>, DbError> {
    let (conn, list, now) = (w.conn, w.list, w.now);
    let row = listed(list)
        .filter(Column::Id.eq(id))
        .filter(Column::DeletedAt.is_null())
        .one(conn)
        .await?;
    let Some(row) = row else {
        return Ok(Outcome::Missing);
    };
    let current = Task::try_from(row)?;
    if expect.is_some_and(|e| !e.allows(current.version)) {
        return Ok(Outcome::Stale);
    }
    if let Some(target) = placement.list
        && target != list
    {
        return super::relist::move_to_list(w, current, target, placement).await;
    }
    let parent = placement.parent.unwrap_or(current.parent_id);
    if parent != current.parent_id
        && let Some(parent) = parent
    {
        let levels = height(conn, list, id).await?;
        if let Err(refusal) = check_parent(conn, list, parent, Some(id), levels).await? {
            return Ok(Outcome::Refused(refusal));
        }
    }
    let (lower, upper) = match gap(w, parent, placement.anchor, id).await? {
        Ok(gap) => gap,
        Err(refusal) => return Ok(Outcome::Refused(refusal)),
    };
    let in_place = parent == current.parent_id
        && lower.as_ref().is_none_or(|l| *l < current.position)
        && upper.as_ref().is_none_or(|u| current.position < *u);
    if in_place {
        return Ok(Outcome::Done(current));
    }
    let key = match OrderKey::between(lower.as_ref(), upper.as_ref()) {
        Some(key) if !key.needs_rebalance() => key,
        _ => respace(w, parent, id, lower, upper).await?,
    };
    let next = Task {
        parent_id: parent,
        position: key,
        updated_at: now.max(current.updated_at),
        version: current.version + 1,
        ..current.clone()
    };
    let written = listed_update(list)
        .set(columns(&next, w.numbers.take(conn).await?))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if written.rows_affected != 1 {
        // The list's row is held, so no other write of its tasks ran.
        return Err(DbError::Contended);
    }
    Ok(Outcome::Done(next))
}

/// The keys the moved task goes between under `parent` for `anchor` (the
/// moving task itself left out), or why the anchor is refused.
pub(super) async fn gap(
    w: &Write<'_>,
    parent: Option<i64>,
    anchor: Anchor,
    id: i64,
) -> Result<Result<(Option<OrderKey>, Option<OrderKey>), Refusal>, DbError> {
    let (conn, list) = (w.conn, w.list);
    let (sibling, after) = match anchor {
        Anchor::Last => {
            let last = neighbour(conn, list, parent, None, true, Some(id)).await?;
            return Ok(Ok((last, None)));
        }
        Anchor::After(sibling) => (sibling, true),
        Anchor::Before(sibling) => (sibling, false),
    };
    let key = match sibling_key(conn, list, parent, sibling, id).await? {
        Ok(key) => key,
        Err(reason) => {
            let field = if after { "after_id" } else { "before_id" };
            return Ok(Err(Refusal::new(field, reason)));
        }
    };
    let other = neighbour(conn, list, parent, Some(&key), !after, Some(id)).await?;
    Ok(Ok(if after {
        (Some(key), other)
    } else {
        (other, Some(key))
    }))
}

/// The key of `anchor` if it is a live task under `parent` other than the
/// moving task; else why not.
async fn sibling_key(
    conn: &impl ConnectionTrait,
    list: ListId,
    parent: Option<i64>,
    anchor: i64,
    moving: i64,
) -> Result<Result<OrderKey, String>, DbError> {
    if anchor == moving {
        return Ok(Err("must be another task than the one moved".to_owned()));
    }
    let row: Option<(i64, String)> = siblings(list, parent)
        .filter(Column::Id.eq(anchor))
        .filter(Column::DeletedAt.is_null())
        .select_only()
        .column(Column::Id)
        .column(Column::Position)
        .into_tuple()
        .one(conn)
        .await?;
    match row {
        Some((id, raw)) => Ok(Ok(stored_key(id, &raw)?)),
        None => Ok(Err(match parent {
            Some(parent) => format!("there is no task with id {anchor} under task {parent}"),
            None => format!("there is no top-level task with id {anchor}"),
        })),
    }
}

/// A key for the moving task between `lower` and `upper` when the gap has
/// no short one left: re-spaces the siblings around the gap (each a new
/// version and change; their order stays), widening the window until
/// short keys fit. Rare: placing again and again in one gap takes about
/// 200 moves to get there.
pub(super) async fn respace(
    w: &mut Write<'_>,
    parent: Option<i64>,
    moving: i64,
    lower: Option<OrderKey>,
    upper: Option<OrderKey>,
) -> Result<OrderKey, DbError> {
    let mut reach = FIRST_REACH;
    loop {
        let mut below = around(w, parent, moving, lower.as_ref(), true, reach).await?;
        let mut above = around(w, parent, moving, upper.as_ref(), false, reach).await?;
        let outer = |rows: &mut Vec<(i64, String)>| -> Result<Option<OrderKey>, DbError> {
            if rows.len() as u64 > reach {
                let (id, raw) = rows.remove(rows.len() - 1);
                Ok(Some(stored_key(id, &raw)?))
            } else {
                Ok(None)
            }
        };
        let (floor, ceiling) = (outer(&mut below)?, outer(&mut above)?);
        below.reverse();
        let count = below.len() + 1 + above.len();
        let keys = OrderKey::spread(floor.as_ref(), ceiling.as_ref(), count);
        let whole = floor.is_none() && ceiling.is_none();
        let fits = keys.len() == count && keys.iter().all(|k| !k.needs_rebalance());
        if !fits && !whole {
            reach = reach.saturating_mul(8);
            continue;
        }
        let mut mine = None;
        w.numbers.more(w.conn, count - 1).await?;
        for (index, key) in keys.into_iter().enumerate() {
            let id = match index.checked_sub(below.len()) {
                None => below[index].0,
                Some(0) => {
                    mine = Some(key);
                    continue;
                }
                Some(k) => above[k - 1].0,
            };
            rekey(w, id, key).await?;
        }
        return mine.ok_or(DbError::Corrupt {
            row: format!("the siblings of task {moving}"),
            reason: "their keys could not be re-spaced",
        });
    }
}

/// Up to `reach + 1` siblings of the moving task on one side of the gap:
/// from `bound` down (`below`) or up, nearest first; none without a bound.
async fn around(
    w: &Write<'_>,
    parent: Option<i64>,
    moving: i64,
    bound: Option<&OrderKey>,
    below: bool,
    reach: u64,
) -> Result<Vec<(i64, String)>, DbError> {
    let Some(bound) = bound else {
        return Ok(Vec::new());
    };
    let key = Expr::col(Column::Position);
    let (filter, order) = if below {
        (key.lte(bound.as_str()), sea_orm::Order::Desc)
    } else {
        (key.gte(bound.as_str()), sea_orm::Order::Asc)
    };
    Ok(siblings(w.list, parent)
        .filter(filter)
        .filter(Column::Id.ne(moving))
        .select_only()
        .column(Column::Id)
        .column(Column::Position)
        .order_by(Column::Position, order.clone())
        .order_by(Column::Id, order)
        .limit(reach + 1)
        .into_tuple()
        .all(w.conn)
        .await?)
}

/// Gives a re-spaced sibling its new key: a new version and change.
async fn rekey(w: &mut Write<'_>, id: i64, key: OrderKey) -> Result<(), DbError> {
    let seq = w.numbers.take(w.conn).await?;
    listed_update(w.list)
        .col_expr(Column::Position, Expr::value(key.into_inner()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .col_expr(Column::UpdatedAt, Expr::value(w.now.as_micros()))
        .col_expr(Column::ChangeSeq, Expr::value(seq))
        .filter(Column::Id.eq(id))
        .exec(w.conn)
        .await?;
    Ok(())
}
