//! Subtasks and manual order: parents checked (existence, cycles, depth,
//! child count), subtrees found with one recursive query, keys among
//! siblings, and moves.
//!
//! Every write here runs after its transaction reserved a change number,
//! so it holds its owner's row: an owner's tree changes one write at a time
//! (on PostgreSQL across processes too), and what a write reads of the tree
//! stays true until it commits.

use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ColumnTrait, ConnectionTrait, DbBackend, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    Select, Statement, Value,
};

use super::changes::{self, Counts, Numbers};
use super::entity::{self, Column, Entity};
use super::rows::{columns, owned, owned_delete, owned_update, task_rows};
use super::write::{self, Expect, Outcome, Refusal, Reserve, UseCase, Write};
use super::{Db, DbError};
use crate::domain::task::{MAX_CHILDREN, MAX_DEPTH};
use crate::domain::{Anchor, OrderKey, OwnerId, Placement, Task, Timestamp};

/// Siblings re-spaced at first on each side of a gap whose key got too
/// long; the window grows eightfold until short keys fit.
const FIRST_REACH: u64 = 8;

/// The tasks of `owner` under `parent` (`None`: top level), in the trash
/// or not.
pub(super) fn siblings(owner: OwnerId, parent: Option<i64>) -> Select<Entity> {
    let select = owned(owner);
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
    owner: OwnerId,
    parent: Option<i64>,
    bound: Option<&OrderKey>,
    below: bool,
    except: Option<i64>,
) -> Result<Option<OrderKey>, DbError> {
    let mut select = siblings(owner, parent);
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
    owner: OwnerId,
    parent: Option<i64>,
) -> Result<Option<OrderKey>, DbError> {
    neighbour(conn, owner, parent, None, true, None).await
}

/// Whether `parent` can take a subtask of `height` levels (1 for a new
/// task): a live task of `owner`, not `moving` nor below it, no deeper than
/// the limit allows, and with room for one more subtask.
pub(super) async fn check_parent(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
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
        let row: Option<Option<i64>> = owned(owner)
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
    let children = siblings(owner, Some(parent)).count(conn).await?;
    if children >= MAX_CHILDREN {
        return refuse(format!(
            "task {parent} already has {MAX_CHILDREN} subtasks (the most a task may have, counting the trash)"
        ));
    }
    Ok(Ok(()))
}

/// Which descendants a subtree query follows.
#[derive(Clone, Copy, Debug)]
pub(super) enum Reach {
    /// Live tasks only (a trashed task's subtree is all in the trash).
    Live,
    /// Tasks trashed at this instant (micros): trashed with their parent.
    TrashedAt(i64),
    /// Every task, in the trash or not.
    All,
}

/// A statement with its parameters, written for one backend.
struct Sql {
    backend: DbBackend,
    values: Vec<Value>,
}

impl Sql {
    /// The placeholder of a new parameter.
    fn bind(&mut self, value: impl Into<Value>) -> String {
        self.values.push(value.into());
        match self.backend {
            DbBackend::Postgres => format!("${}", self.values.len()),
            _ => "?".to_owned(),
        }
    }
}

/// The descendants of `owner`'s task `root` that `reach` follows, each with
/// its depth below `root` (1 for a child), shallowest first: one recursive
/// query over the `(owner_id, parent_id, …)` index.
pub(super) async fn descendants(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    root: i64,
    reach: Reach,
) -> Result<Vec<(entity::Model, i64)>, DbError> {
    let statement = subtree_statement(conn.get_database_backend(), owner, root, reach);
    let rows = conn.query_all_raw(statement).await?;
    let models = task_rows(&rows)?;
    let depths = rows
        .iter()
        .map(|row| row.try_get::<i64>("", "depth"))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(models.into_iter().zip(depths).collect())
}

/// The statement of `descendants`.
fn subtree_statement(backend: DbBackend, owner: OwnerId, root: i64, reach: Reach) -> Statement {
    let mut sql = Sql {
        backend,
        values: Vec::new(),
    };
    let condition = |sql: &mut Sql, table: &str| match reach {
        Reach::Live => format!(" AND {table}deleted_at IS NULL"),
        Reach::TrashedAt(at) => format!(" AND {table}deleted_at = {}", sql.bind(at)),
        Reach::All => String::new(),
    };
    let (o1, r) = (sql.bind(owner.0), sql.bind(root));
    let c1 = condition(&mut sql, "");
    let o2 = sql.bind(owner.0);
    let c2 = condition(&mut sql, "t.");
    // The depth bound only guards against a cycle a bug could have stored.
    // `CROSS JOIN` is SQLite's way of fixing the order of a join (the left
    // side is the outer loop; PostgreSQL plans it as any inner join): the
    // subtree found so far drives each step, which reads a node's children
    // from the `(owner_id, parent_id, …)` index, and the rows are read by
    // id. Left to itself, SQLite 3.51 planning without the values (QPSG)
    // walked the owner's live tasks at each step and every task in the
    // database (the `deleted_at` index) for the final join: 42 ms to trash
    // a task in a database of 1,000,000 (`scripts/bench/trash.py`).
    let text = format!(
        "WITH RECURSIVE subtree(id, depth) AS (\
         SELECT id, CAST(1 AS BIGINT) FROM tasks WHERE owner_id = {o1} AND parent_id = {r}{c1} \
         UNION ALL \
         SELECT t.id, s.depth + 1 FROM subtree s CROSS JOIN tasks t \
         WHERE t.owner_id = {o2} AND t.parent_id = s.id{c2} AND s.depth < 64) \
         SELECT tasks.*, subtree.depth AS depth FROM subtree CROSS JOIN tasks \
         WHERE tasks.id = subtree.id \
         ORDER BY subtree.depth, tasks.id"
    );
    Statement::from_sql_and_values(sql.backend, text, sql.values)
}

/// How many levels `owner`'s task `id` spans with its subtasks (1 alone),
/// counting those in the trash (which an undelete may bring back).
async fn height(conn: &impl ConnectionTrait, owner: OwnerId, id: i64) -> Result<usize, DbError> {
    let below = descendants(conn, owner, id, Reach::All).await?;
    let deepest = below.iter().map(|&(_, depth)| depth).max().unwrap_or(0);
    Ok(usize::try_from(deepest)
        .unwrap_or(usize::MAX)
        .saturating_add(1))
}

/// Moves `owner`'s task `id` to `placement`, if `expect` (when given) holds
/// for it: one write of the task (and, rarely, of a few neighbours whose
/// keys are re-spaced). A move to where the task already is changes
/// nothing.
pub async fn move_task(
    db: &Db,
    owner: OwnerId,
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
    write::run(db, owner, now, case).await
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
        // The owner's row first: the siblings read next stay as read.
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
    let (conn, owner, now) = (w.conn, w.owner, w.now);
    let numbers = &mut w.numbers;
    let row = owned(owner)
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
    let parent = placement.parent.unwrap_or(current.parent_id);
    if parent != current.parent_id
        && let Some(parent) = parent
    {
        let levels = height(conn, owner, id).await?;
        if let Err(refusal) = check_parent(conn, owner, parent, Some(id), levels).await? {
            return Ok(Outcome::Refused(refusal));
        }
    }
    let (lower, upper) = match placement.anchor {
        Anchor::Last => {
            let last = neighbour(conn, owner, parent, None, true, Some(id)).await?;
            (last, None)
        }
        Anchor::After(anchor) | Anchor::Before(anchor) => {
            let field = match placement.anchor {
                Anchor::After(_) => "after_id",
                _ => "before_id",
            };
            let key = match sibling_key(conn, owner, parent, anchor, id).await? {
                Ok(key) => key,
                Err(reason) => return Ok(Outcome::Refused(Refusal::new(field, reason))),
            };
            if matches!(placement.anchor, Anchor::After(_)) {
                let next = neighbour(conn, owner, parent, Some(&key), false, Some(id)).await?;
                (Some(key), next)
            } else {
                let previous = neighbour(conn, owner, parent, Some(&key), true, Some(id)).await?;
                (previous, Some(key))
            }
        }
    };
    let in_place = parent == current.parent_id
        && lower.as_ref().is_none_or(|l| *l < current.position)
        && upper.as_ref().is_none_or(|u| current.position < *u);
    if in_place {
        return Ok(Outcome::Done(current));
    }
    let key = match OrderKey::between(lower.as_ref(), upper.as_ref()) {
        Some(key) if !key.needs_rebalance() => key,
        _ => respace(conn, owner, parent, id, lower, upper, now, numbers).await?,
    };
    let next = Task {
        parent_id: parent,
        position: key,
        updated_at: now.max(current.updated_at),
        version: current.version + 1,
        ..current.clone()
    };
    let written = owned_update(owner)
        .set(columns(&next, numbers.take(conn).await?))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if written.rows_affected != 1 {
        // The owner's row is held, so no other write of its tasks ran.
        return Err(DbError::Contended);
    }
    Ok(Outcome::Done(next))
}

/// The key of `anchor` if it is a live task under `parent` other than the
/// moving task; else why not.
async fn sibling_key(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    parent: Option<i64>,
    anchor: i64,
    moving: i64,
) -> Result<Result<OrderKey, String>, DbError> {
    if anchor == moving {
        return Ok(Err("must be another task than the one moved".to_owned()));
    }
    let row: Option<(i64, String)> = siblings(owner, parent)
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
#[allow(clippy::too_many_arguments)]
async fn respace(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    parent: Option<i64>,
    moving: i64,
    lower: Option<OrderKey>,
    upper: Option<OrderKey>,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<OrderKey, DbError> {
    let mut reach = FIRST_REACH;
    loop {
        let side = |bound: &Option<OrderKey>, below: bool| {
            let bound = bound.clone();
            async move {
                let Some(bound) = bound else {
                    return Ok::<_, DbError>(Vec::new());
                };
                let key = Expr::col(Column::Position);
                let (filter, order) = if below {
                    (key.lte(bound.as_str()), sea_orm::Order::Desc)
                } else {
                    (key.gte(bound.as_str()), sea_orm::Order::Asc)
                };
                let rows: Vec<(i64, String)> = siblings(owner, parent)
                    .filter(filter)
                    .filter(Column::Id.ne(moving))
                    .select_only()
                    .column(Column::Id)
                    .column(Column::Position)
                    .order_by(Column::Position, order.clone())
                    .order_by(Column::Id, order)
                    .limit(reach + 1)
                    .into_tuple()
                    .all(conn)
                    .await?;
                Ok(rows)
            }
        };
        let mut below = side(&lower, true).await?;
        let mut above = side(&upper, false).await?;
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
        numbers.more(conn, count - 1).await?;
        for (index, key) in keys.into_iter().enumerate() {
            let id = match index.checked_sub(below.len()) {
                None => below[index].0,
                Some(0) => {
                    mine = Some(key);
                    continue;
                }
                Some(k) => above[k - 1].0,
            };
            let seq = numbers.take(conn).await?;
            owned_update(owner)
                .col_expr(Column::Position, Expr::value(key.into_inner()))
                .col_expr(Column::Version, Expr::col(Column::Version).add(1))
                .col_expr(Column::UpdatedAt, Expr::value(now.as_micros()))
                .col_expr(Column::ChangeSeq, Expr::value(seq))
                .filter(Column::Id.eq(id))
                .exec(conn)
                .await?;
        }
        return mine.ok_or(DbError::Corrupt {
            row: format!("the siblings of task {moving}"),
            reason: "their keys could not be re-spaced",
        });
    }
}

/// Trashes the live subtasks of `owner`'s task `root` (just trashed) with
/// it: each a new version and change, the same `deleted_at`.
pub(super) async fn trash_below(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    root: i64,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    let below = descendants(conn, owner, root, Reach::Live).await?;
    set_trashed(conn, owner, below, Some(now.as_micros()), now, numbers).await
}

/// Restores the subtasks trashed with `owner`'s task `root` (at
/// `trashed_at`, micros): each a new version and change.
pub(super) async fn restore_below(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    root: i64,
    trashed_at: i64,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    let below = descendants(conn, owner, root, Reach::TrashedAt(trashed_at)).await?;
    set_trashed(conn, owner, below, None, now, numbers).await
}

/// Moves each task of `rows` into the trash (`deleted_at` set) or out of
/// it (`None`), each a new version and change, counted.
async fn set_trashed(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    rows: Vec<(entity::Model, i64)>,
    deleted_at: Option<i64>,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    numbers.more(conn, rows.len()).await?;
    for (row, _) in rows {
        numbers.count(match deleted_at {
            Some(_) => Counts::removed(row.done),
            None => Counts::added(row.done),
        });
        let seq = numbers.take(conn).await?;
        owned_update(owner)
            .col_expr(Column::ChangeSeq, Expr::value(seq))
            .col_expr(Column::DeletedAt, Expr::value(deleted_at))
            .col_expr(
                Column::UpdatedAt,
                Expr::value(std::cmp::max(now.as_micros(), row.updated_at)),
            )
            .col_expr(Column::Version, Expr::col(Column::Version).add(1))
            .filter(Column::Id.eq(row.id))
            .exec(conn)
            .await?;
    }
    Ok(())
}

/// Removes for good every subtask of `owner`'s task `root` (just removed),
/// in the trash or not, each leaving a tombstone: a trashed one keeps the
/// number of its trashing, a live one takes a new number.
pub(super) async fn purge_below(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    root: i64,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    let below = descendants(conn, owner, root, Reach::All).await?;
    if below.is_empty() {
        return Ok(());
    }
    let ids: Vec<i64> = below.iter().map(|(row, _)| row.id).collect();
    let delete = sea_orm::QueryTrait::into_query(owned_delete(owner).filter(Column::Id.is_in(ids)))
        .returning_all()
        .to_owned();
    let removed = task_rows(&conn.query_all(&delete).await?)?;
    let live = removed
        .iter()
        .filter(|row| row.deleted_at.is_none())
        .count();
    numbers.more(conn, live).await?;
    for row in &removed {
        entomb(conn, owner, row, now, numbers).await?;
    }
    Ok(())
}

/// The tombstone of `row`, just removed for good: a trashed task's keeps
/// the number (and time) of its trashing, which the feed already showed as
/// its deletion; a live one's takes a new number (and is counted).
pub(super) async fn entomb(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    row: &entity::Model,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<(), DbError> {
    let (seq, deleted_at) = match row.deleted_at {
        Some(trashed_at) => (row.change_seq, trashed_at),
        None => {
            numbers.count(Counts::removed(row.done));
            (numbers.take(conn).await?, now.as_micros())
        }
    };
    changes::tombstone_in(conn, owner, row.id, seq, deleted_at).await
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;
    use crate::db::{Db, Durability, Settings};

    /// SQLite's plan of the subtree statement, as the server's own SQLite
    /// makes it (the bundled build, planning without the values).
    #[tokio::test]
    async fn the_subtree_statement_reads_only_the_subtree() {
        let dir = tempfile::tempdir().expect("dir");
        let settings = Settings {
            url: format!("sqlite://{}", dir.path().join("t.db").display()),
            durability: Durability::Normal,
            busy_timeout: Duration::from_secs(1),
            read_connections: 1,
            max_connections: 1,
            connect_timeout: Duration::from_secs(5),
            statement_timeout: Duration::from_secs(5),
        };
        let db = Db::connect(&settings, None).await.expect("connect");
        for reach in [Reach::Live, Reach::TrashedAt(5), Reach::All] {
            let statement = subtree_statement(DbBackend::Sqlite, OwnerId(1), 7, reach);
            let explain = Statement::from_sql_and_values(
                DbBackend::Sqlite,
                format!("EXPLAIN QUERY PLAN {}", statement.sql),
                statement.values.map(|v| v.0).unwrap_or_default(),
            );
            let rows = db.writer().query_all_raw(explain).await.expect("plan");
            let plan: Vec<String> = rows
                .iter()
                .map(|row| row.try_get::<String>("", "detail").expect("detail"))
                .map(|line| line.replace("COVERING INDEX", "INDEX"))
                .collect();
            let reads_of_tasks: Vec<&String> = plan
                .iter()
                .filter(|line| line.starts_with("SCAN") || line.starts_with("SEARCH"))
                .filter(|line| !line.starts_with("SCAN s") && !line.contains(" subtree"))
                .collect();
            // The first level and each step by the subtree index; the rows
            // by id. Nothing walks the owner's tasks or the whole table.
            assert_eq!(
                reads_of_tasks,
                [
                    "SEARCH tasks USING INDEX idx_tasks_owner_parent_position (owner_id=? AND parent_id=?)",
                    "SEARCH t USING INDEX idx_tasks_owner_parent_position (owner_id=? AND parent_id=?)",
                    "SEARCH tasks USING INTEGER PRIMARY KEY (rowid=?)",
                ],
                "{reach:?}: {plan:#?}"
            );
        }
    }
}
