//! Each owner's history of changes, read by the change feed: tombstones of
//! tasks removed for good, the feed itself, and the end of the history's
//! retention. The numbers writes take are in `numbers.rs`.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use super::entity::{self, Column};
use super::numbers::Owners;
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
