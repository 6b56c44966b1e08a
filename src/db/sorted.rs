//! Which lists keep their tasks in the sort indexes.
//!
//! Six of the indexes on `tasks` (by created, updated and due time, by
//! title, live tasks by id and by done) serve only pages of a big list.
//! Kept for every task, they made each create and change write six more
//! index pages, one per list a group of writes touched: from many owners,
//! creates ran at a third of one owner's (issue 28). So they are partial
//! indexes over the tasks whose `sorted` is set, and a list's tasks are
//! set all at once (`sort_if_big`, in the write's transaction) by the
//! write that takes the list to `SORTED_FROM` live tasks, or that finds it
//! holds as many with those in the trash (counted each time the list's
//! history passes a multiple of `SORTED_FROM` changes: every task a list
//! takes takes a change number, so an unsorted list never holds twice as
//! many). From then on every task the list takes is stored with it
//! (`Numbers::sorted`): a sorted list's tasks are all in the indexes. A
//! smaller list's page reads its tasks by the feed's index (list, change
//! number) and sorts them in memory: under `SORTED_FROM` tasks that adds
//! at most ~0.4 ms to a page (docs/performance.md). A list never stops
//! being sorted. The two walks by id index a sorted list's live tasks only
//! (`… WHERE sorted AND deleted_at IS NULL`): PostgreSQL does not take
//! `deleted_at IS NULL` as an equality when it orders by an index, so with
//! `deleted_at` among their columns it sorted a big list for every page.
//!
//! A read adds `sorted` to its statement only when every list it reads is
//! sorted, as this process last saw (`Known`): a list seen sorted stays so;
//! one seen unsorted is looked at again after `RECHECK`, so a list another
//! process sorted is read by the indexes soon after. The statement is right
//! either way: the flag only lets it use the indexes.

use std::collections::HashMap;
use std::sync::RwLock;
use std::time::{Duration, Instant};

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ConnectionTrait, QueryFilter, Select};

use super::entity::{Column, Entity};
use super::lists::entity::Lists;
use super::rows::among;
use super::{Db, DbError};
use crate::domain::ListId;

/// The live tasks from which a list keeps its tasks in the sort indexes.
pub(crate) const SORTED_FROM: i64 = 1_000;

/// How long a list seen unsorted is taken to be so without looking again.
const RECHECK: Duration = Duration::from_secs(1);

/// At most this many lists remembered (then forgotten, and looked up again).
const REMEMBERED: usize = 100_000;

/// What this process last saw of lists' flags.
#[derive(Debug, Default)]
pub(crate) struct Known {
    lists: RwLock<HashMap<ListId, Option<Instant>>>,
}

impl Known {
    /// `Some(true)` for a list seen sorted, `Some(false)` for one seen
    /// unsorted less than `RECHECK` ago, `None` to look.
    fn get(&self, list: ListId) -> Option<bool> {
        let lists = self.lists.read().ok()?;
        match lists.get(&list)? {
            None => Some(true),
            Some(seen) if seen.elapsed() < RECHECK => Some(false),
            Some(_) => None,
        }
    }

    fn remember(&self, seen: impl IntoIterator<Item = (ListId, bool)>) {
        if let Ok(mut lists) = self.lists.write() {
            if lists.len() >= REMEMBERED {
                lists.clear();
            }
            let now = Instant::now();
            for (list, sorted) in seen {
                lists.insert(list, (!sorted).then_some(now));
            }
        }
    }
}

/// Whether every one of `lists` is sorted (false for none): from what this
/// process knows, looking up the lists it does not know in one statement.
pub(super) async fn all_sorted(db: &Db, lists: &[ListId]) -> Result<bool, DbError> {
    let known = db.sorted_lists();
    let mut unknown = Vec::new();
    for &list in lists {
        match known.get(list) {
            Some(false) => return Ok(false),
            Some(true) => {}
            None => unknown.push(list),
        }
    }
    if lists.is_empty() {
        return Ok(false);
    }
    if unknown.is_empty() {
        return Ok(true);
    }
    let select = Query::select()
        .columns([Lists::Id, Lists::Sorted])
        .from(Lists::Table)
        .and_where(among(Expr::col(Lists::Id), &unknown))
        .to_owned();
    let mut seen = Vec::with_capacity(unknown.len());
    for row in db.reader().query_all(&select).await? {
        seen.push((ListId(row.try_get_by_index(0)?), row.try_get_by_index(1)?));
    }
    let all = seen.len() == unknown.len() && seen.iter().all(|(_, sorted)| *sorted);
    known.remember(seen);
    Ok(all)
}

/// `select` (tasks of `lists`) limited to sorted tasks when the lists are
/// sorted (which selects the same rows), so that it can walk a sort index.
pub(super) fn indexed(select: Select<Entity>, sorted: bool) -> Select<Entity> {
    if sorted {
        select.filter(Expr::col((Entity, Column::Sorted)))
    } else {
        select
    }
}

/// A list's row as a write's reservation just read it (with the row
/// locked): whether it is sorted, its live tasks, and the change numbers
/// (first, last) the reservation took.
#[derive(Clone, Copy, Debug)]
pub(super) struct Reserved {
    pub sorted: bool,
    pub live: i64,
    pub numbers: (i64, i64),
}

/// Sorts `list` if it is big and not sorted yet (see the module's doc).
/// Returns whether it is sorted now.
pub(super) async fn sort_if_big(
    conn: &impl ConnectionTrait,
    list: ListId,
    seen: Reserved,
) -> Result<bool, DbError> {
    if seen.sorted {
        return Ok(true);
    }
    let big = seen.live >= SORTED_FROM
        || (passes_a_mark(seen.numbers) && rows(conn, list).await? >= SORTED_FROM);
    if !big {
        return Ok(false);
    }
    let tasks = Query::update()
        .table(Entity)
        .value(Column::Sorted, true)
        .and_where(Expr::col(Column::ListId).eq(list.0))
        .to_owned();
    conn.execute(&tasks).await?;
    let row = Query::update()
        .table(Lists::Table)
        .value(Lists::Sorted, true)
        .and_where(Expr::col(Lists::Id).eq(list.0))
        .to_owned();
    conn.execute(&row).await?;
    tracing::info!(
        list = list.0,
        live = seen.live,
        "list sorted: its tasks are now in the sort indexes"
    );
    Ok(true)
}

/// Whether change numbers `first..=last` include a multiple of `SORTED_FROM`.
fn passes_a_mark((first, last): (i64, i64)) -> bool {
    (first - 1).div_euclid(SORTED_FROM) != last.div_euclid(SORTED_FROM)
}

/// How many tasks `list` holds, the trash's included (fewer than twice
/// `SORTED_FROM` while it is not sorted: a walk of the feed's index).
async fn rows(conn: &impl ConnectionTrait, list: ListId) -> Result<i64, DbError> {
    let count = Query::select()
        .expr(Expr::cust("COUNT(*)"))
        .from(Entity)
        .and_where(Expr::col(Column::ListId).eq(list.0))
        .to_owned();
    match conn.query_one(&count).await? {
        Some(row) => Ok(row.try_get_by_index(0)?),
        None => Ok(0),
    }
}

#[cfg(test)]
mod tests {
    use super::{SORTED_FROM, passes_a_mark};

    #[test]
    fn a_reservation_passes_a_mark_when_its_numbers_hold_a_multiple() {
        assert!(passes_a_mark((SORTED_FROM, SORTED_FROM)));
        assert!(passes_a_mark((SORTED_FROM - 5, SORTED_FROM + 5)));
        assert!(passes_a_mark((1, 3 * SORTED_FROM)));
        assert!(!passes_a_mark((1, SORTED_FROM - 1)));
        assert!(!passes_a_mark((SORTED_FROM + 1, 2 * SORTED_FROM - 1)));
    }
}
