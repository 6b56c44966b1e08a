//! Each owner's history of changes, read by the change feed: the numbers
//! writes take, tombstones of tasks removed for good, and the end of their
//! retention.
//!
//! A write transaction takes its numbers first (`reserve`): an `UPDATE` of
//! the owner's row, which PostgreSQL keeps locked until the transaction
//! ends (SQLite has one writer at a time anyway). So an owner's writes take
//! numbers in the order they commit, also across processes: no change can
//! commit with a number lower than one a reader has already seen.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DbErr, DeriveIden, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, QueryTrait,
};

use super::entity::{self, Column};
use super::rows::{owned, readable};
use super::{Db, DbError};
use crate::domain::{Change, FeedPosition, History, OwnerId, Task, Timestamp};

/// The tombstones of tasks removed for good, kept for the feed's retention.
pub mod tombstone {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tombstones")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub owner_id: i64,
        /// The number of the task's deletion in its owner's history.
        #[sea_orm(primary_key, auto_increment = false)]
        pub change_seq: i64,
        pub task_id: i64,
        /// When the task was deleted (microseconds since the Unix epoch).
        pub deleted_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

#[derive(DeriveIden)]
enum Owners {
    Table,
    Id,
    ChangeSeq,
    HistoryFloor,
    LiveTasks,
    LiveDone,
}

/// How a write changes its owner's counts of live tasks (`owners.live_tasks`
/// and, of those, `live_done`), kept in the write's transaction so a list's
/// total is one row's read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub live: i64,
    pub done: i64,
}

impl Counts {
    /// One more live task (created or undeleted), done or not.
    pub fn added(done: bool) -> Self {
        Self {
            live: 1,
            done: i64::from(done),
        }
    }

    /// One live task fewer (trashed or purged), done or not.
    pub fn removed(done: bool) -> Self {
        Self {
            live: -1,
            done: -i64::from(done),
        }
    }

    /// A live task marked done (or, with `false`, not done any more).
    pub fn marked(done: bool) -> Self {
        Self {
            live: 0,
            done: if done { 1 } else { -1 },
        }
    }

    fn is_zero(self) -> bool {
        self == Self::default()
    }

    fn add(&mut self, other: Self) {
        self.live += other.live;
        self.done += other.done;
    }

    /// Both changes together.
    pub fn plus(mut self, other: Self) -> Self {
        self.add(other);
        self
    }
}

/// Numbers reserved in an owner's history by a write transaction; its
/// changes take them in order, and note how they change the owner's counts
/// (`settle` writes those). (Numbers a rolled-back transaction reserved
/// are given back; ones a committed write did not use leave a gap, which
/// the feed does not mind.)
#[derive(Debug)]
pub struct Numbers {
    owner: OwnerId,
    /// How many to reserve when the first is taken (`later`).
    wanted: usize,
    /// (next, last) once reserved.
    range: Option<(i64, i64)>,
    pending: Counts,
}

impl Numbers {
    /// Numbers of `owner` reserved by the first `take`: for a write that
    /// reads before it writes, so that a write refused on what it read
    /// (a missing task, a stale `If-Match`) writes nothing at all. Its
    /// reads take no lock, so the owner's row is still the first it locks.
    pub fn later(owner: OwnerId, count: usize) -> Self {
        Self {
            owner,
            wanted: count,
            range: None,
            pending: Counts::default(),
        }
    }

    /// The numbers `range` (first, last) just reserved for `owner`.
    fn reserved(owner: OwnerId, count: usize, range: (i64, i64)) -> Self {
        Self {
            owner,
            wanted: count,
            range: Some(range),
            pending: Counts::default(),
        }
    }

    /// Notes a change of the owner's counts, written by `settle`.
    pub fn count(&mut self, delta: Counts) {
        self.pending.add(delta);
    }

    /// Reserves `count` more numbers (the owner's row is already locked
    /// by this transaction, so they follow the ones it has).
    pub async fn more(&mut self, conn: &impl ConnectionTrait, count: usize) -> Result<(), DbError> {
        if count == 0 {
            return Ok(());
        }
        let (first, last) = bump(conn, self.owner, count, Counts::default()).await?;
        self.range = Some(match self.range {
            Some((next, end)) if next <= end && end + 1 == first => (next, last),
            _ => (first, last),
        });
        Ok(())
    }

    /// The next reserved number, reserving them first if need be.
    pub async fn take(&mut self, conn: &impl ConnectionTrait) -> Result<i64, DbError> {
        let (next, last) = match self.range {
            Some(range) => range,
            None => bump(conn, self.owner, self.wanted, Counts::default()).await?,
        };
        if next > last {
            return Err(DbError::Other(DbErr::Custom(
                "a write took more change numbers than it reserved".to_owned(),
            )));
        }
        self.range = Some((next + 1, last));
        Ok(next)
    }
}

/// Reserves `count` numbers of `owner`'s history, and changes its counts by
/// `counts` (when the write knows them beforehand, as a create does): the
/// first write of a write transaction (or `Numbers::later`'s first take),
/// so that the owner's writes commit in the order of their numbers and lock
/// the owner's row before any task's.
pub async fn reserve(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    count: usize,
    counts: Counts,
) -> Result<Numbers, DbError> {
    let range = bump(conn, owner, count, counts).await?;
    Ok(Numbers::reserved(owner, count, range))
}

/// Reserves `count` numbers of `owner`'s history for new top-level tasks
/// and changes its counts by `counts`, and reads the position of the
/// owner's last top-level task (if any): a create's first statement. On
/// SQLite the read is part of the same statement, so appending costs no
/// read of its own (the transaction has held the write lock since its
/// BEGIN, so it reads the latest). On PostgreSQL it is a statement of its
/// own, after the owner's row is locked: in `READ COMMITTED` a statement
/// reads from the snapshot it started with, so a subquery of the UPDATE
/// that waited for the lock would miss the task the lock's previous holder
/// just added (two creates would take one position).
pub async fn reserve_appending(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    count: usize,
    counts: Counts,
) -> Result<(Numbers, Option<String>), DbError> {
    let last = Query::select()
        .column(entity::Column::Position)
        .from(entity::Entity)
        .and_where(Expr::col(entity::Column::OwnerId).eq(owner.0))
        .and_where(Expr::col(entity::Column::ParentId).is_null())
        .order_by(entity::Column::Position, sea_orm::Order::Desc)
        .limit(1)
        .to_owned();
    if conn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        let (range, row) = bump_reading(conn, owner, count, counts, Some(last)).await?;
        let last = row.try_get_by_index::<Option<String>>(1)?;
        return Ok((Numbers::reserved(owner, count, range), last));
    }
    let range = bump(conn, owner, count, counts).await?;
    let last = match conn.query_one(&last).await? {
        Some(row) => row.try_get_by_index::<Option<String>>(0)?,
        None => None,
    };
    Ok((Numbers::reserved(owner, count, range), last))
}

/// Moves `owner`'s counter on by `count` (and its counts by `counts`):
/// (first, last) of the numbers given out.
async fn bump(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    count: usize,
    counts: Counts,
) -> Result<(i64, i64), DbError> {
    Ok(bump_reading(conn, owner, count, counts, None).await?.0)
}

/// `bump`, also returning the value of `extra` (a one-value query) as the
/// row's second column.
async fn bump_reading(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    count: usize,
    counts: Counts,
    extra: Option<sea_orm::sea_query::SelectStatement>,
) -> Result<((i64, i64), sea_orm::QueryResult), DbError> {
    let count = i64::try_from(count.max(1)).unwrap_or(i64::MAX);
    let mut returned = vec![Expr::col(Owners::ChangeSeq)];
    if let Some(extra) = extra {
        returned.push(Expr::SubQuery(None, Box::new(extra.into())));
    }
    let mut bump = Query::update();
    bump.table(Owners::Table)
        .value(Owners::ChangeSeq, Expr::col(Owners::ChangeSeq).add(count))
        .and_where(Expr::col(Owners::Id).eq(owner.0))
        .returning(Query::returning().exprs(returned));
    counted(&mut bump, counts);
    // query_all steps the statement to its end on SQLite.
    let mut rows = conn.query_all(&bump).await?;
    if rows.is_empty() {
        return Err(DbError::Corrupt {
            row: format!("owner {}", owner.0),
            reason: "the owner of a write does not exist",
        });
    }
    let row = rows.swap_remove(0);
    let last: i64 = row.try_get_by_index(0)?;
    Ok(((last - count + 1, last), row))
}

/// Adds `counts` to the owner's counts in `update`.
fn counted(update: &mut sea_orm::sea_query::UpdateStatement, counts: Counts) {
    if counts.live != 0 {
        update.value(
            Owners::LiveTasks,
            Expr::col(Owners::LiveTasks).add(counts.live),
        );
    }
    if counts.done != 0 {
        update.value(
            Owners::LiveDone,
            Expr::col(Owners::LiveDone).add(counts.done),
        );
    }
}

/// Writes the count changes the transaction's writes noted in `numbers`
/// (nothing when there are none): the last statement before its commit.
pub async fn settle(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    numbers: &Numbers,
) -> Result<(), DbError> {
    if numbers.pending.is_zero() {
        return Ok(());
    }
    let mut update = Query::update();
    update
        .table(Owners::Table)
        .and_where(Expr::col(Owners::Id).eq(owner.0));
    counted(&mut update, numbers.pending);
    conn.execute(&update).await?;
    Ok(())
}

/// The SQL expression of `owner`'s count of live tasks, of those done
/// (`Some(true)`) or not done (`Some(false)`): a scalar subquery of one row.
pub fn live_count(owner: OwnerId, done: Option<bool>) -> Expr {
    let count = match done {
        None => Expr::col(Owners::LiveTasks),
        Some(true) => Expr::col(Owners::LiveDone),
        Some(false) => Expr::col(Owners::LiveTasks).sub(Expr::col(Owners::LiveDone)),
    };
    let select = Query::select()
        .expr(count)
        .from(Owners::Table)
        .and_where(Expr::col(Owners::Id).eq(owner.0))
        .to_owned();
    Expr::SubQuery(None, Box::new(select.into()))
}

/// Where `owner`'s history stands, read on `conn`.
async fn history(conn: &impl ConnectionTrait, owner: OwnerId) -> Result<History, DbError> {
    let select = Query::select()
        .columns([Owners::ChangeSeq, Owners::HistoryFloor])
        .from(Owners::Table)
        .and_where(Expr::col(Owners::Id).eq(owner.0))
        .to_owned();
    match conn.query_one(&select).await? {
        Some(row) => Ok(History {
            seq: row.try_get("", "change_seq")?,
            floor: row.try_get("", "history_floor")?,
        }),
        // An owner with no row has no history (only a deleted owner).
        None => Ok(History { seq: 0, floor: 0 }),
    }
}

/// Records that `owner`'s task `task_id` was removed for good, as change
/// `seq` (deleted at `deleted_at`).
pub async fn tombstone_in(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    task_id: i64,
    seq: i64,
    deleted_at: i64,
) -> Result<(), DbError> {
    tombstone::Entity::insert(tombstone::ActiveModel {
        owner_id: sea_orm::ActiveValue::Set(owner.0),
        change_seq: sea_orm::ActiveValue::Set(seq),
        task_id: sea_orm::ActiveValue::Set(task_id),
        deleted_at: sea_orm::ActiveValue::Set(deleted_at),
    })
    .exec_without_returning(conn)
    .await?;
    Ok(())
}

/// What a read of the feed found.
#[derive(Debug)]
pub enum Feed {
    /// The history no longer serves the position: the client must sync
    /// from the beginning.
    Gone,
    /// The history is as the client last saw it (the `unchanged` test).
    Unchanged(History),
    /// The changes after the position.
    Page(FeedPage),
}

/// One page of the feed.
#[derive(Debug)]
pub struct FeedPage {
    /// Where the history stood when the page was read.
    pub history: History,
    /// In the order of their numbers.
    pub changes: Vec<Change>,
    /// Where the next page starts.
    pub next: FeedPosition,
    /// Whether changes follow this page already.
    pub has_more: bool,
}

/// Up to `per_page` changes of `owner`'s tasks after `since` (a full sync
/// when `None`), read in one snapshot. `unchanged` is asked first, with the
/// history as it stands, whether the client already has this answer.
pub async fn feed(
    db: &Db,
    owner: OwnerId,
    since: Option<FeedPosition>,
    per_page: u64,
    unchanged: impl FnOnce(&History) -> bool + Send,
) -> Result<Feed, DbError> {
    db.timed("feed", async move {
        let txn = db.begin_snapshot().await?;
        let history = history(&txn, owner).await?;
        let position = since.unwrap_or_else(|| FeedPosition::full_sync(owner, history));
        if !history.serves(&position) {
            return Ok(Feed::Gone);
        }
        if unchanged(&history) {
            return Ok(Feed::Unchanged(history));
        }
        let limit = per_page + 1;
        let deletions_after = position.deletions_after();
        // Trashed tasks are tombstones too: left out where the client
        // never saw them alive.
        let tasks = owned(owner)
            .filter(Column::ChangeSeq.gt(position.after))
            .filter(
                Condition::any()
                    .add(Column::DeletedAt.is_null())
                    .add(Column::ChangeSeq.gt(deletions_after)),
            )
            .order_by_asc(Column::ChangeSeq)
            .limit(limit)
            .all(&txn)
            .await?;
        let removed = tombstone::Entity::find()
            .filter(tombstone::Column::OwnerId.eq(owner.0))
            .filter(tombstone::Column::ChangeSeq.gt(deletions_after))
            .order_by_asc(tombstone::Column::ChangeSeq)
            .limit(limit)
            .all(&txn)
            .await?;
        txn.commit().await?;
        let mut changes = readable(tasks, |row| Ok((row.change_seq, change_of(row)?)));
        changes.extend(readable(removed, |row| {
            let deleted_at = instant(row.task_id, row.deleted_at)?;
            let id = row.task_id;
            let version = None;
            Ok((
                row.change_seq,
                Change::Deleted {
                    id,
                    deleted_at,
                    version,
                },
            ))
        }));
        changes.sort_unstable_by_key(|&(seq, _)| seq);
        let has_more = changes.len() as u64 > per_page;
        changes.truncate(per_page as usize);
        let after = match changes.last() {
            Some(&(seq, _)) if has_more => seq,
            // Everything up to where the history stands has been read.
            _ => history.seq,
        };
        Ok(Feed::Page(FeedPage {
            history,
            changes: changes.into_iter().map(|(_, change)| change).collect(),
            next: FeedPosition::at(owner, after, position.origin),
            has_more,
        }))
    })
    .await
}

fn instant(task_id: i64, micros: i64) -> Result<Timestamp, DbError> {
    Timestamp::from_micros(micros).ok_or_else(|| DbError::Corrupt {
        row: format!("tombstone of task {task_id}"),
        reason: "deleted_at out of range",
    })
}

/// A task row as a change: a trashed task is a tombstone.
fn change_of(row: entity::Model) -> Result<Change, DbError> {
    match row.deleted_at {
        Some(micros) => Ok(Change::Deleted {
            id: row.id,
            deleted_at: instant(row.id, micros)?,
            version: Some(row.version),
        }),
        None => Ok(Change::Live(Task::try_from(row)?)),
    }
}

/// Forgets the tombstones of tasks deleted before `cutoff`, raising each
/// owner's floor to the highest number forgotten; returns how many.
pub async fn prune_every_owners_history(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    db.timed("prune_history", async move {
        let txn = db.begin_write().await?;
        let delete = tombstone::Entity::delete_many()
            .filter(tombstone::Column::DeletedAt.lt(cutoff.as_micros()))
            .into_query()
            .returning(
                Query::returning()
                    .columns([tombstone::Column::OwnerId, tombstone::Column::ChangeSeq]),
            )
            .to_owned();
        // Exactly the rows this statement removed, whatever another
        // process inserts meanwhile.
        let rows = txn.query_all(&delete).await?;
        let mut floors = BTreeMap::new();
        for row in &rows {
            let owner: i64 = row.try_get("", "owner_id")?;
            let seq: i64 = row.try_get("", "change_seq")?;
            let floor = floors.entry(owner).or_insert(seq);
            *floor = std::cmp::max(seq, *floor);
        }
        // In owner order, so concurrent prunes lock rows in one order.
        for (owner, floor) in floors {
            let raise = Query::update()
                .table(Owners::Table)
                .value(Owners::HistoryFloor, floor)
                .and_where(Expr::col(Owners::Id).eq(owner))
                .and_where(Expr::col(Owners::HistoryFloor).lt(floor))
                .to_owned();
            txn.execute(&raise).await?;
        }
        txn.commit().await?;
        Ok(rows.len() as u64)
    })
    .await
}
