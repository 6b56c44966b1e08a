//! Which lists keep their tasks in the sort indexes.
//!
//! Five of the indexes on `tasks` (by created, updated and due time, by
//! title, and live tasks by done) serve only sorted and filtered pages of a
//! big list. Kept for every task, they made each create and change write
//! five more index pages, one per list a group of writes touched: from many
//! owners, creates ran at a third of one owner's (issue 28). So they are
//! partial indexes over the tasks whose `sorted` is set, and a list's tasks
//! are set all at once, by the write that takes the list to
//! `SORTED_FROM` live tasks (`flip`, in the write's transaction). From
//! then on every task the list takes is stored with it (`Numbers::sorted`):
//! a sorted list's tasks are all in the indexes. A smaller list's page
//! reads its live tasks by the index on (list, trashed, id) and sorts them
//! in memory: under `SORTED_FROM` tasks that adds at most ~0.4 ms to a page
//! (docs/performance.md). A list never stops being sorted.
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

/// Sorts `list` if it has reached `SORTED_FROM` live tasks and is not yet:
/// `sorted` and `live` are its row's, as the write's reservation just
/// read them (with the row locked). Returns whether it is sorted now.
pub(super) async fn sort_if_big(
    conn: &impl ConnectionTrait,
    list: ListId,
    sorted: bool,
    live: i64,
) -> Result<bool, DbError> {
    if sorted || live < SORTED_FROM {
        return Ok(sorted);
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
        live,
        "list sorted: its tasks are now in the sort indexes"
    );
    Ok(true)
}
