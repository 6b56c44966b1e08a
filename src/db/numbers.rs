//! Each list's change numbers and live counts, kept in the list's row:
//! the numbers writes take (`reserve`, `Numbers`), the counts they change
//! (`Counts`, written by `settle`), and the counts a list's total reads.
//!
//! A write transaction takes its numbers first (`reserve`): an `UPDATE` of
//! the list's row, which PostgreSQL keeps locked until the transaction
//! ends (SQLite has one writer at a time anyway). So an list's writes take
//! numbers in the order they commit, also across processes: no change can
//! commit with a number lower than one a reader has already seen.

use sea_orm::ConnectionTrait;
use sea_orm::sea_query::{Expr, ExprTrait, Func, Query};

use super::DbError;
use super::entity;
use super::lists::entity::Lists;
use super::sorted;
use crate::domain::ListId;

/// How a write changes its list's counts of live tasks (`lists.live_tasks`
/// and, of those, `live_done`), kept in the write's transaction so a list's
/// total is one row's read.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Counts {
    pub live: i64,
    pub done: i64,
}

impl Counts {
    /// One more live task (created or undeleted), done or not.
    pub(crate) fn added(done: bool) -> Self {
        Self {
            live: 1,
            done: i64::from(done),
        }
    }

    /// One live task fewer (trashed or purged), done or not.
    pub(crate) fn removed(done: bool) -> Self {
        Self {
            live: -1,
            done: -i64::from(done),
        }
    }

    /// A live task marked done (or, with `false`, not done any more).
    pub(crate) fn marked(done: bool) -> Self {
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
    pub(crate) fn plus(mut self, other: Self) -> Self {
        self.add(other);
        self
    }
}

/// Numbers reserved in an list's history by a write transaction; its
/// changes take them in order, and note how they change the list's counts
/// (`settle` writes those). (Numbers a rolled-back transaction reserved
/// are given back; ones a committed write did not use leave a gap, which
/// the feed does not mind.)
#[derive(Debug)]
pub(crate) struct Numbers {
    list: ListId,
    /// How many to reserve when the first is taken (`later`).
    wanted: usize,
    /// (next, last) once reserved.
    range: Option<(i64, i64)>,
    /// Whether the list is sorted (`db::sorted`), once reserved.
    sorted: bool,
    pending: Counts,
}

impl Numbers {
    /// Numbers of `list` reserved by the first `take`: for a write that
    /// reads before it writes, so that a write refused on what it read
    /// (a missing task, a stale `If-Match`) writes nothing at all. Its
    /// reads take no lock, so the list's row is still the first it locks.
    pub(crate) fn later(list: ListId, count: usize) -> Self {
        Self {
            list,
            wanted: count,
            range: None,
            sorted: false,
            pending: Counts::default(),
        }
    }

    /// The numbers just reserved for `list`.
    fn reserved(list: ListId, count: usize, bumped: Bumped) -> Self {
        Self {
            list,
            wanted: count,
            range: Some(bumped.range),
            sorted: bumped.sorted,
            pending: Counts::default(),
        }
    }

    /// Whether the list keeps its tasks in the sort indexes, so that the
    /// tasks it takes must be stored `sorted` (known once reserved).
    pub(crate) fn sorted(&self) -> bool {
        self.sorted
    }

    /// The list, if it is sorted: what `tasks::create::store` takes.
    pub(crate) fn sorted_list(&self) -> Vec<ListId> {
        if self.sorted {
            vec![self.list]
        } else {
            Vec::new()
        }
    }

    /// Notes a change of the list's counts, written by `settle`.
    pub(crate) fn count(&mut self, delta: Counts) {
        self.pending.add(delta);
    }

    /// Reserves `count` more numbers (the list's row is already locked
    /// by this transaction, so they follow the ones it has).
    pub(crate) async fn more(
        &mut self,
        conn: &impl ConnectionTrait,
        count: usize,
    ) -> Result<(), DbError> {
        if count == 0 {
            return Ok(());
        }
        let bumped = bump(conn, self.list, count, Counts::default()).await?;
        let (first, last) = bumped.range;
        self.sorted = bumped.sorted;
        self.range = Some(match self.range {
            Some((next, end)) if next <= end && end + 1 == first => (next, last),
            _ => (first, last),
        });
        Ok(())
    }

    /// The next reserved number, reserving them first if need be.
    pub(crate) async fn take(&mut self, conn: &impl ConnectionTrait) -> Result<i64, DbError> {
        let (next, last) = match self.range {
            // The list's row is locked by this transaction already: more
            // numbers follow the ones it has.
            Some((next, last)) if next > last => {
                let bumped = bump(conn, self.list, 1, Counts::default()).await?;
                self.sorted = bumped.sorted;
                bumped.range
            }
            Some(range) => range,
            None => {
                let bumped = bump(conn, self.list, self.wanted, Counts::default()).await?;
                self.sorted = bumped.sorted;
                bumped.range
            }
        };
        self.range = Some((next + 1, last));
        Ok(next)
    }
}

/// Reserves `count` numbers of `list`'s history, and changes its counts by
/// `counts` (when the write knows them beforehand, as a create does): the
/// first write of a write transaction (or `Numbers::later`'s first take),
/// so that the list's writes commit in the order of their numbers and lock
/// the list's row before any task's.
pub(super) async fn reserve(
    conn: &impl ConnectionTrait,
    list: ListId,
    count: usize,
    counts: Counts,
) -> Result<Numbers, DbError> {
    let bumped = bump(conn, list, count, counts).await?;
    Ok(Numbers::reserved(list, count, bumped))
}

/// The position of `list`'s last top-level task: `list` a value, or on
/// SQLite the updated list row's id (in a RETURNING clause).
fn last_top_level(list: Expr) -> sea_orm::sea_query::SelectStatement {
    Query::select()
        .column(entity::Column::Position)
        .from(entity::Entity)
        .and_where(Expr::col((entity::Entity, entity::Column::ListId)).eq(list))
        .and_where(Expr::col(entity::Column::ParentId).is_null())
        .order_by(entity::Column::Position, sea_orm::Order::Desc)
        .limit(1)
        .to_owned()
}

/// New top-level tasks of one list a write appends: how many, and how
/// they change its counts.
pub(super) struct Appending {
    pub list: ListId,
    pub count: usize,
    pub counts: Counts,
}

/// Reserves each list's numbers for new top-level tasks and changes its
/// counts, and reads the position of its last top-level task (if any): the
/// first statement of a write that appends (in the order given; each list
/// once).
///
/// On SQLite one statement does it for every list (an UPDATE of their rows
/// whose RETURNING reads each last position), so a group's creates cost as
/// many statements whatever the number of lists they go to: the
/// transaction has held the write lock since its BEGIN, so it reads the
/// latest. On PostgreSQL each list is an UPDATE and a read of its own,
/// lists in id order (so two writers lock them in one order), the read
/// after the list's row is locked: in `READ COMMITTED` a statement reads
/// from the snapshot it started with, so a subquery of the UPDATE that
/// waited for the lock would miss the task the lock's previous holder just
/// added (two creates would take one position).
pub(super) async fn reserve_appending(
    conn: &impl ConnectionTrait,
    lists: &[Appending],
) -> Result<Vec<(Numbers, Option<String>)>, DbError> {
    let reserved = if conn.get_database_backend() == sea_orm::DbBackend::Sqlite {
        reserve_appending_at_once(conn, lists).await?
    } else {
        let mut by_id: Vec<&Appending> = lists.iter().collect();
        by_id.sort_by_key(|a| a.list);
        let mut reserved = Vec::with_capacity(lists.len());
        for a in by_id {
            let bumped = bump(conn, a.list, a.count, a.counts).await?;
            let last = match conn.query_one(&last_top_level(Expr::val(a.list.0))).await? {
                Some(row) => row.try_get_by_index::<Option<String>>(0)?,
                None => None,
            };
            reserved.push((a.list, bumped, last));
        }
        reserved
    };
    lists
        .iter()
        .map(|a| {
            let (_, bumped, last) = reserved
                .iter()
                .find(|(list, ..)| *list == a.list)
                .ok_or_else(|| no_list(a.list))?;
            Ok((Numbers::reserved(a.list, a.count, *bumped), last.clone()))
        })
        .collect()
}

/// SQLite: `reserve_appending` in one statement, each list's row once:
/// `change_seq = change_seq + CASE id WHEN … END` (and the counts alike)
/// `WHERE id IN (…) RETURNING id, change_seq, sorted, live_tasks, (its last
/// position)`.
async fn reserve_appending_at_once(
    conn: &impl ConnectionTrait,
    lists: &[Appending],
) -> Result<Vec<(ListId, Bumped, Option<String>)>, DbError> {
    let by_list = |value: fn(&Appending) -> i64| -> Expr {
        let mut case = sea_orm::sea_query::CaseStatement::new();
        for a in lists {
            case = case.case(Expr::col(Lists::Id).eq(a.list.0), Expr::val(value(a)));
        }
        case.finally(Expr::val(0)).into()
    };
    let count = |a: &Appending| i64::try_from(a.count.max(1)).unwrap_or(i64::MAX);
    let mut update = Query::update();
    update
        .table(Lists::Table)
        .value(
            Lists::ChangeSeq,
            Expr::col(Lists::ChangeSeq).add(by_list(count)),
        )
        .and_where(Expr::col(Lists::Id).is_in(lists.iter().map(|a| a.list.0)))
        .returning(Query::returning().exprs([
            Expr::col(Lists::Id),
            Expr::col(Lists::ChangeSeq),
            Expr::col(Lists::Sorted),
            Expr::col(Lists::LiveTasks),
            Expr::SubQuery(
                None,
                Box::new(last_top_level(Expr::col((Lists::Table, Lists::Id))).into()),
            ),
        ]));
    if lists.iter().any(|a| a.counts.live != 0) {
        update.value(
            Lists::LiveTasks,
            Expr::col(Lists::LiveTasks).add(by_list(|a| a.counts.live)),
        );
    }
    if lists.iter().any(|a| a.counts.done != 0) {
        update.value(
            Lists::LiveDone,
            Expr::col(Lists::LiveDone).add(by_list(|a| a.counts.done)),
        );
    }
    // query_all steps the statement to its end on SQLite.
    let mut reserved = Vec::with_capacity(lists.len());
    for row in conn.query_all(&update).await? {
        let list = ListId(row.try_get_by_index(0)?);
        let last: i64 = row.try_get_by_index(1)?;
        let position = row.try_get_by_index::<Option<String>>(4)?;
        let count = lists
            .iter()
            .find(|a| a.list == list)
            .map(count)
            .ok_or_else(|| no_list(list))?;
        let (sorted, live) = (row.try_get_by_index(2)?, row.try_get_by_index(3)?);
        reserved.push((list, (last - count + 1, last), sorted, live, position));
    }
    // The statement has ended: the tasks of a list it took past the mark
    // can be sorted now.
    let mut bumped = Vec::with_capacity(reserved.len());
    for (list, numbers, sorted, live, position) in reserved {
        let seen = sorted::Reserved {
            sorted,
            live,
            numbers,
        };
        let sorted = sorted::sort_if_big(conn, list, seen).await?;
        bumped.push((
            list,
            Bumped {
                range: numbers,
                sorted,
            },
            position,
        ));
    }
    Ok(bumped)
}

fn no_list(list: ListId) -> DbError {
    DbError::Corrupt {
        row: format!("list {}", list.0),
        reason: "the list of a write does not exist",
    }
}

/// Numbers just given out: (first, last), and whether the list is sorted.
#[derive(Clone, Copy, Debug)]
struct Bumped {
    range: (i64, i64),
    sorted: bool,
}

/// Moves `list`'s counter on by `count` (and its counts by `counts`), and
/// sorts the list if that takes it to `sorted::SORTED_FROM` live tasks.
async fn bump(
    conn: &impl ConnectionTrait,
    list: ListId,
    count: usize,
    counts: Counts,
) -> Result<Bumped, DbError> {
    let count = i64::try_from(count.max(1)).unwrap_or(i64::MAX);
    let mut bump = Query::update();
    bump.table(Lists::Table)
        .value(Lists::ChangeSeq, Expr::col(Lists::ChangeSeq).add(count))
        .and_where(Expr::col(Lists::Id).eq(list.0))
        .returning(Query::returning().exprs([
            Expr::col(Lists::ChangeSeq),
            Expr::col(Lists::Sorted),
            Expr::col(Lists::LiveTasks),
        ]));
    counted(&mut bump, counts);
    // query_all steps the statement to its end on SQLite.
    let row = conn
        .query_all(&bump)
        .await?
        .into_iter()
        .next()
        .ok_or_else(|| no_list(list))?;
    let last: i64 = row.try_get_by_index(0)?;
    let seen = sorted::Reserved {
        sorted: row.try_get_by_index(1)?,
        live: row.try_get_by_index(2)?,
        numbers: (last - count + 1, last),
    };
    Ok(Bumped {
        range: seen.numbers,
        sorted: sorted::sort_if_big(conn, list, seen).await?,
    })
}

/// Adds `counts` to the list's counts in `update`.
fn counted(update: &mut sea_orm::sea_query::UpdateStatement, counts: Counts) {
    if counts.live != 0 {
        update.value(
            Lists::LiveTasks,
            Expr::col(Lists::LiveTasks).add(counts.live),
        );
    }
    if counts.done != 0 {
        update.value(Lists::LiveDone, Expr::col(Lists::LiveDone).add(counts.done));
    }
}

/// Writes the count changes the transaction's writes noted in `numbers`
/// (nothing when there are none): the last statement before its commit.
pub(super) async fn settle(
    conn: &impl ConnectionTrait,
    list: ListId,
    numbers: &Numbers,
) -> Result<(), DbError> {
    if numbers.pending.is_zero() {
        return Ok(());
    }
    let mut update = Query::update();
    update
        .table(Lists::Table)
        .and_where(Expr::col(Lists::Id).eq(list.0));
    counted(&mut update, numbers.pending);
    conn.execute(&update).await?;
    Ok(())
}

/// The SQL expression of the count of live tasks of `lists`, of those done
/// (`Some(true)`) or not done (`Some(false)`): a scalar subquery over their
/// rows.
pub(super) fn live_count(lists: &[ListId], done: Option<bool>) -> Expr {
    let count = match done {
        None => Expr::col(Lists::LiveTasks),
        Some(true) => Expr::col(Lists::LiveDone),
        Some(false) => Expr::col(Lists::LiveTasks).sub(Expr::col(Lists::LiveDone)),
    };
    // One list's row as it is (the common case, as before lists); the sum
    // of several as a BIGINT (PostgreSQL's SUM of BIGINTs is a NUMERIC).
    let count: Expr = if lists.len() == 1 {
        count
    } else {
        Func::cast_as(
            Func::coalesce([Expr::expr(Func::sum(count)), Expr::val(0)]),
            sea_orm::sea_query::Alias::new("BIGINT"),
        )
        .into()
    };
    let select = Query::select()
        .expr(count)
        .from(Lists::Table)
        .and_where(super::rows::among(Expr::col(Lists::Id), lists))
        .to_owned();
    Expr::SubQuery(None, Box::new(select.into()))
}
