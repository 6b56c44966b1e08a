//! Each list's history of changes, read by the change feed: tombstones of
//! tasks removed for good, the feed itself, and the end of the history's
//! retention. The numbers writes take are in `numbers.rs`.

use std::collections::BTreeMap;

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};

use super::entity::{self, Column};
use super::lists::entity::Lists;
use super::lists::{self, TaskList};
use super::rows::readable;
use super::{Db, DbError};
use crate::domain::{Change, FeedPosition, FeedToken, History, ListId, OwnerId, Task, Timestamp};

/// The tombstones of tasks removed for good, kept for the feed's retention.
pub mod tombstone {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "tombstones")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub list_id: i64,
        /// The number of the task's deletion in its list's history.
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

/// Records that `list`'s task `task_id` was removed for good, as change
/// `seq` (deleted at `deleted_at`).
pub async fn tombstone_in(
    conn: &impl ConnectionTrait,
    list: ListId,
    task_id: i64,
    seq: i64,
    deleted_at: i64,
) -> Result<(), DbError> {
    tombstone::Entity::insert(tombstone::ActiveModel {
        list_id: sea_orm::ActiveValue::Set(list.0),
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
    /// The history no longer serves a position of the token: the client
    /// must sync from the beginning.
    Gone,
    /// The lists' histories are as the client last saw them (the
    /// `unchanged` test).
    Unchanged(Heads),
    /// The changes after the token.
    Page(FeedPage),
}

/// Where the histories of the lists a caller sees stand: (list, last
/// number, floor) each, in list order. The feed's answer is a function of
/// these, the token and the page size.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Heads(pub Vec<(i64, i64, i64)>);

/// A list's own change in the feed: made, renamed, its members changed,
/// access gained (the list as it now is), or access lost or the list
/// trashed or removed (drop it and its tasks).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ListChange {
    Live(TaskList),
    Gone(ListId),
}

/// One page of the feed.
#[derive(Debug)]
pub struct FeedPage {
    /// Where the histories stood when the page was read.
    pub heads: Heads,
    /// The lists' own changes, in list order.
    pub lists: Vec<ListChange>,
    /// The tasks' changes, list by list, each list's in the order of its
    /// numbers.
    pub changes: Vec<Change>,
    /// Where the next page starts.
    pub next: FeedToken,
    /// Whether changes follow this page already.
    pub has_more: bool,
}

/// A list the caller sees, with its history, as the feed reads it.
struct Seen {
    list: TaskList,
    history: History,
    event_seq: i64,
}

/// The lists `owner` sees (only `only`, if given), with their histories.
async fn seen(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    only: Option<ListId>,
) -> Result<Vec<Seen>, DbError> {
    let lists = match only {
        Some(list) => lists::manage::find_on(conn, owner, list)
            .await?
            .into_iter()
            .collect(),
        None => lists::manage::all_on(conn, owner).await?,
    };
    let ids: Vec<ListId> = lists.iter().map(|l| l.id).collect();
    let select = Query::select()
        .columns([
            Lists::Id,
            Lists::ChangeSeq,
            Lists::HistoryFloor,
            Lists::EventSeq,
        ])
        .from(Lists::Table)
        .and_where(super::rows::among(Expr::col(Lists::Id), &ids))
        .to_owned();
    let mut histories = BTreeMap::new();
    for row in conn.query_all(&select).await? {
        let id: i64 = row.try_get("", "id")?;
        let history = History {
            seq: row.try_get("", "change_seq")?,
            floor: row.try_get("", "history_floor")?,
        };
        histories.insert(id, (history, row.try_get::<i64>("", "event_seq")?));
    }
    Ok(lists
        .into_iter()
        .filter_map(|list| {
            let (history, event_seq) = histories.get(&list.id.0).copied()?;
            Some(Seen {
                list,
                history,
                event_seq,
            })
        })
        .collect())
}

/// Up to `per_page` changes after `since` (a full sync when `None`) of the
/// lists `owner` sees (or of `only`), read in one snapshot: list by list
/// in id order, each list's in the order of its numbers, with the lists'
/// own changes. `unchanged` is asked first, with the histories as they
/// stand, whether the client already has this answer.
pub async fn feed(
    db: &Db,
    owner: OwnerId,
    only: Option<ListId>,
    since: Option<FeedToken>,
    per_page: u64,
    unchanged: impl FnOnce(&Heads) -> bool + Send,
) -> Result<Feed, DbError> {
    db.timed("feed", async move {
        let txn = db.begin_snapshot().await?;
        let seen = seen(&txn, owner, only).await?;
        let heads = Heads(
            seen.iter()
                .map(|s| (s.list.id.0, s.history.seq, s.history.floor))
                .collect(),
        );
        let mut positions = Vec::with_capacity(seen.len());
        for s in &seen {
            let known = since.as_ref().and_then(|t| t.position(s.list.id));
            let position = known.unwrap_or_else(|| FeedPosition::full_sync(s.list.id, s.history));
            if !s.history.serves(&position) {
                return Ok(Feed::Gone);
            }
            positions.push((position, known.is_some()));
        }
        if unchanged(&heads) {
            return Ok(Feed::Unchanged(heads));
        }
        let limit = per_page + 1;
        let pending: Vec<(FeedPosition, i64)> = seen
            .iter()
            .zip(&positions)
            .filter(|(s, (p, _))| p.after < s.history.seq)
            .map(|(s, (p, _))| (*p, s.history.seq))
            .collect();
        let mut changes = Vec::new();
        if !pending.is_empty() {
            // Trashed tasks are tombstones too: left out where the client
            // never saw them alive.
            let mut tasks = Condition::any();
            let mut removed = Condition::any();
            for (p, _) in &pending {
                tasks = tasks.add(
                    Condition::all()
                        .add(Column::ListId.eq(p.list.0))
                        .add(Column::ChangeSeq.gt(p.after))
                        .add(
                            Condition::any()
                                .add(Column::DeletedAt.is_null())
                                .add(Column::ChangeSeq.gt(p.deletions_after())),
                        ),
                );
                removed = removed.add(
                    Condition::all()
                        .add(tombstone::Column::ListId.eq(p.list.0))
                        .add(tombstone::Column::ChangeSeq.gt(p.deletions_after())),
                );
            }
            let rows = entity::Entity::find()
                .filter(tasks)
                .order_by_asc(Column::ListId)
                .order_by_asc(Column::ChangeSeq)
                .limit(limit)
                .all(&txn)
                .await?;
            let stones = tombstone::Entity::find()
                .filter(removed)
                .order_by_asc(tombstone::Column::ListId)
                .order_by_asc(tombstone::Column::ChangeSeq)
                .limit(limit)
                .all(&txn)
                .await?;
            changes = readable(rows, |row| {
                Ok(((row.list_id, row.change_seq), change_of(row)?))
            });
            changes.extend(readable(stones, |row| {
                let deleted_at = instant(row.task_id, row.deleted_at)?;
                Ok((
                    (row.list_id, row.change_seq),
                    Change::Deleted {
                        id: row.task_id,
                        list: ListId(row.list_id),
                        deleted_at,
                        version: None,
                    },
                ))
            }));
        }
        txn.commit().await?;
        changes.sort_unstable_by_key(|&(key, _)| key);
        let has_more = changes.len() as u64 > per_page;
        changes.truncate(per_page as usize);
        // Where the page stops: every list before the last change's is
        // read to its head, that list to the change, the others not yet.
        let cut = changes.last().filter(|_| has_more).map(|&(key, _)| key);
        let mut next = Vec::with_capacity(seen.len());
        let mut events = Vec::new();
        for (s, (position, known)) in seen.into_iter().zip(positions) {
            let id = s.list.id.0;
            let after = match cut {
                Some((list, _)) if id > list => {
                    if known {
                        next.push(position);
                    }
                    continue;
                }
                Some((list, seq)) if id == list => seq,
                _ => s.history.seq,
            };
            if !known || s.event_seq > position.after {
                events.push(ListChange::Live(s.list));
            }
            next.push(FeedPosition::at(ListId(id), after, position.origin));
        }
        if let Some(token) = &since {
            for gone in &token.lists {
                if !heads.0.iter().any(|&(id, _, _)| id == gone.list.0) {
                    events.push(ListChange::Gone(gone.list));
                }
            }
        }
        Ok(Feed::Page(FeedPage {
            heads,
            lists: events,
            changes: changes.into_iter().map(|(_, change)| change).collect(),
            next: FeedToken {
                owner,
                scope: only,
                lists: next,
            },
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
            list: ListId(row.list_id),
            deleted_at: instant(row.id, micros)?,
            version: Some(row.version),
        }),
        None => Ok(Change::Live(Task::try_from(row)?)),
    }
}

/// Forgets the tombstones of tasks deleted before `cutoff`, raising each
/// list's floor to the highest number forgotten; returns how many.
pub async fn prune_every_owners_history(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    db.timed("prune_history", async move {
        let txn = db.begin_write().await?;
        let delete = tombstone::Entity::delete_many()
            .filter(tombstone::Column::DeletedAt.lt(cutoff.as_micros()))
            .into_query()
            .returning(
                Query::returning()
                    .columns([tombstone::Column::ListId, tombstone::Column::ChangeSeq]),
            )
            .to_owned();
        // Exactly the rows this statement removed, whatever another
        // process inserts meanwhile.
        let rows = txn.query_all(&delete).await?;
        let mut floors = BTreeMap::new();
        for row in &rows {
            let list: i64 = row.try_get("", "list_id")?;
            let seq: i64 = row.try_get("", "change_seq")?;
            let floor = floors.entry(list).or_insert(seq);
            *floor = std::cmp::max(seq, *floor);
        }
        // In list order, so concurrent prunes lock rows in one order.
        for (list, floor) in floors {
            let raise = Query::update()
                .table(Lists::Table)
                .value(Lists::HistoryFloor, floor)
                .and_where(Expr::col(Lists::Id).eq(list))
                .and_where(Expr::col(Lists::HistoryFloor).lt(floor))
                .to_owned();
            txn.execute(&raise).await?;
        }
        txn.commit().await?;
        Ok(rows.len() as u64)
    })
    .await
}
