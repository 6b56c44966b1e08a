//! Creating tasks: one at a time, the top-level creates of one list
//! merged (the group commit's and a batch's), and subtasks under a parent.

use futures_util::future::BoxFuture;
use sea_orm::{ActiveValue::Set, ConnectionTrait, DatabaseTransaction, EntityTrait, QueryTrait};

use super::super::entity::{Column, Entity};
use super::super::group::Merge;
use super::super::labels::{self};
use super::super::lists::{self, Scope};
use super::super::numbers::{self, Counts, Numbers};
use super::super::rows::columns;
use super::super::write::{self, Refusal, Reserve, UseCase, Write};
use super::super::{Db, DbError, tree};
use crate::domain::{Labels, ListId, OrderKey, OwnerId, Role, Task, TaskDraft, Timestamp};

/// Stores a new task of `list` and returns it with its id (last among
/// its siblings), or why its parent cannot take it.
///
/// The fast path: on SQLite a new top-level task joins the next group of
/// writes as an `Append`, and the group stores all its appends together
/// (one reservation, one INSERT, whatever their lists): creates 5,665 →
/// 12,498/s when it came (docs/performance.md). Everything else is the
/// `Create` use case, run as every write is.
pub async fn insert(
    db: &Db,
    scope: Scope,
    draft: TaskDraft,
    now: Timestamp,
) -> Result<Result<Task, Refusal>, DbError> {
    if draft.parent_id.flatten().is_none()
        && let Some(group) = db.group()
    {
        let append = Append { scope, draft, now };
        return db.timed("insert", group.merged(append)).await.map(Ok);
    }
    write::run(db, scope, now, Create { draft }).await
}

/// A create of one task. A top-level task cannot be refused, so its count
/// is written with its reservation; a subtask's once its parent took it.
#[derive(Clone, Debug)]
pub struct Create {
    draft: TaskDraft,
}

impl Create {
    pub fn new(draft: TaskDraft) -> Self {
        Self { draft }
    }

    fn top_level(&self) -> bool {
        self.draft.parent_id.flatten().is_none()
    }
}

impl UseCase for Create {
    type Output = Result<Task, Refusal>;

    fn name(&self) -> &'static str {
        "insert"
    }

    fn reserve(&self) -> Reserve {
        if self.top_level() {
            // One statement reserves, counts and reads the last key.
            Reserve::ByUseCase
        } else {
            Reserve::Now(1)
        }
    }

    async fn perform<'w, 't: 'w>(
        &'w self,
        w: &'w mut Write<'t>,
    ) -> Result<Result<Task, Refusal>, DbError> {
        let draft = &self.draft;
        if self.top_level() {
            let new = [(draft, w.now)];
            return only(append_all(w.conn, w.list, &new).await?).map(Ok);
        }
        let task = insert_numbered(w, draft.clone(), &mut Places::default()).await?;
        if task.is_ok() {
            w.numbers.count(Counts::added(draft.done));
        }
        Ok(task)
    }
}

/// A create of a top-level task waiting in a SQLite group: the group
/// stores all its appends together, whatever their lists
/// (`append_to_lists`), once it has checked that each writer still edits
/// each list it writes to (but its inbox, whose members never change).
/// A writer that lost its role fails the group's try, and so fails alone.
struct Append {
    scope: Scope,
    draft: TaskDraft,
    now: Timestamp,
}

impl Merge for Append {
    type Output = Task;

    /// One key: the appends of every list (and owner) in a group are
    /// stored together.
    fn key(&self) -> i64 {
        0
    }

    fn store_all<'a>(
        txn: &'a DatabaseTransaction,
        all: Vec<&'a Self>,
    ) -> BoxFuture<'a, Result<Vec<Task>, DbError>> {
        Box::pin(async move {
            let mut checked: Vec<(OwnerId, ListId)> = Vec::new();
            for a in &all {
                let who = (a.scope.owner, a.scope.list);
                if a.scope.checked && !checked.contains(&who) {
                    lists::check(txn, who.0, who.1, Role::Editor).await?;
                    checked.push(who);
                }
            }
            let new: Vec<_> = all
                .iter()
                .map(|a| (a.scope.list, &a.draft, a.now))
                .collect();
            append_to_lists(txn, &new).await
        })
    }
}

/// Stores new top-level tasks, each of its list (a draft and its
/// request's time), in `conn`, a write transaction that has not written
/// for these lists yet, each last among its list's top-level tasks, in
/// order: one statement reserves every list's change numbers, adds to its
/// counts and reads its last key (`numbers::reserve_appending`); one
/// INSERT stores every task of every list (and one more per task with
/// labels). Top-level tasks cannot be refused. The tasks come back in the
/// order given.
async fn append_to_lists(
    conn: &impl ConnectionTrait,
    new: &[(ListId, &TaskDraft, Timestamp)],
) -> Result<Vec<Task>, DbError> {
    // Each list's creates, in the order they came, by where they were.
    let mut by_list: Vec<(ListId, Vec<usize>)> = Vec::new();
    for (at, (list, _, _)) in new.iter().enumerate() {
        match by_list.iter_mut().find(|(l, _)| l == list) {
            Some((_, ats)) => ats.push(at),
            None => by_list.push((*list, vec![at])),
        }
    }
    let appending: Vec<_> = by_list
        .iter()
        .map(|(list, ats)| numbers::Appending {
            list: *list,
            count: ats.len(),
            counts: ats
                .iter()
                .map(|&at| Counts::added(new[at].1.done))
                .fold(Counts::default(), Counts::plus),
        })
        .collect();
    let reserved = numbers::reserve_appending(conn, &appending).await?;
    let mut numbered = Vec::with_capacity(new.len());
    let mut order = Vec::with_capacity(new.len());
    let mut sorted = Vec::new();
    for ((list, ats), (mut numbers, last)) in by_list.into_iter().zip(reserved) {
        let last = last.map(|raw| tree::stored_key(0, &raw)).transpose()?;
        let drafts = ats.iter().map(|&at| (new[at].1.clone(), new[at].2));
        let (tasks, _) = appended(conn, list, drafts, last, &mut numbers).await?;
        if numbers.sorted() {
            sorted.push(list);
        }
        numbered.extend(tasks);
        order.extend(ats);
    }
    let stored = store(conn, numbered, &sorted).await?;
    let mut in_order: Vec<Option<Task>> = vec![None; new.len()];
    for (at, task) in order.into_iter().zip(stored) {
        in_order[at] = Some(task);
    }
    in_order
        .into_iter()
        .map(|task| {
            task.ok_or(DbError::Corrupt {
                row: "an INSERT".to_owned(),
                reason: "it stored fewer tasks than it was given",
            })
        })
        .collect()
}

/// `append_to_lists` for new top-level tasks of one list.
pub async fn append_all(
    conn: &impl ConnectionTrait,
    list: ListId,
    new: &[(&TaskDraft, Timestamp)],
) -> Result<Vec<Task>, DbError> {
    let new: Vec<_> = new
        .iter()
        .map(|(draft, now)| (list, *draft, *now))
        .collect();
    append_to_lists(conn, &new).await
}

/// New top-level tasks of `list` from `drafts` (each with its request's
/// time), in order after the one keyed `last`, each with the next of
/// `numbers`; and the last key they take.
pub(super) async fn appended(
    conn: &impl ConnectionTrait,
    list: ListId,
    drafts: impl ExactSizeIterator<Item = (TaskDraft, Timestamp)>,
    mut last: Option<OrderKey>,
    numbers: &mut Numbers,
) -> Result<(Vec<(i64, Task)>, Option<OrderKey>), DbError> {
    let mut tasks = Vec::with_capacity(drafts.len());
    for (draft, now) in drafts {
        let position = next_key(last.as_ref())?;
        last = Some(position.clone());
        tasks.push((
            numbers.take(conn).await?,
            new_task(list, draft, now, None, position),
        ));
    }
    Ok((tasks, last))
}

/// A task `list` creates from `draft` at `now`, at `position` under
/// `parent_id` (its id is given when it is stored).
pub(super) fn new_task(
    list: ListId,
    draft: TaskDraft,
    now: Timestamp,
    parent_id: Option<i64>,
    position: OrderKey,
) -> Task {
    Task {
        id: 0,
        list,
        title: draft.title,
        description: draft.description,
        done: draft.done,
        due_at: draft.due_at,
        created_at: now,
        updated_at: now,
        version: 1,
        deleted_at: None,
        parent_id,
        position,
        labels: draft.labels,
    }
}

/// The key of a task placed after the one keyed `last` (first if `None`).
pub(super) fn next_key(last: Option<&OrderKey>) -> Result<OrderKey, DbError> {
    OrderKey::between(last, None).ok_or(DbError::Corrupt {
        row: "the last sibling".to_owned(),
        reason: "no key follows its position",
    })
}

/// Stores new tasks, each with its change number, in one INSERT (and one
/// more per task with labels), and returns them with their ids: those of
/// the `sorted` lists in the sort indexes (`db::sorted`).
pub(super) async fn store(
    conn: &impl ConnectionTrait,
    tasks: Vec<(i64, Task)>,
    sorted: &[ListId],
) -> Result<Vec<Task>, DbError> {
    let rows = tasks.iter().map(|(seq, task)| {
        let mut row = columns(task, *seq);
        row.sorted = Set(sorted.contains(&task.list));
        row
    });
    // RETURNING names each row's id by its list and change number (the
    // order of RETURNING rows is not promised); query_all steps it to its
    // end.
    let mut insert = Entity::insert_many(rows).into_query();
    insert.returning(sea_orm::sea_query::Query::returning().columns([
        Column::Id,
        Column::ListId,
        Column::ChangeSeq,
    ]));
    let mut ids = std::collections::HashMap::with_capacity(tasks.len());
    for row in conn.query_all(&insert).await? {
        let id: i64 = row.try_get_by_index(0)?;
        let list: i64 = row.try_get_by_index(1)?;
        let seq: i64 = row.try_get_by_index(2)?;
        ids.insert((list, seq), id);
    }
    let mut stored = Vec::with_capacity(tasks.len());
    for (seq, mut task) in tasks {
        task.id = ids
            .get(&(task.list.0, seq))
            .copied()
            .ok_or(DbError::Corrupt {
                row: "an INSERT".to_owned(),
                reason: "it returned no id for a task",
            })?;
        labels::replace(conn, task.list, task.id, &Labels::default(), &task.labels).await?;
        stored.push(task);
    }
    Ok(stored)
}

/// The one task stored.
pub(super) fn only(stored: Vec<Task>) -> Result<Task, DbError> {
    stored.into_iter().next().ok_or(DbError::Corrupt {
        row: "an INSERT".to_owned(),
        reason: "it stored no task",
    })
}

/// The last key under each parent as far as a write transaction knows
/// (it holds its list's row, so no one else adds siblings): a batch of
/// creates reads each parent's last key once.
#[derive(Debug, Default)]
pub(super) struct Places {
    /// Per list and parent (`None`: top level): the last key (`None`: no
    /// siblings).
    last: std::collections::HashMap<(ListId, Option<i64>), Option<OrderKey>>,
}

impl Places {
    /// The key of the last task under `parent`: as this transaction's
    /// earlier creates left it, or else read.
    async fn last_key(
        &self,
        conn: &impl ConnectionTrait,
        list: ListId,
        parent: Option<i64>,
    ) -> Result<Option<OrderKey>, DbError> {
        match self.last.get(&(list, parent)) {
            Some(known) => Ok(known.clone()),
            None => tree::last_key(conn, list, parent).await,
        }
    }

    /// Stores `drafts`, consecutive top-level creates of a batch, last
    /// among the list's top-level tasks in order, in one INSERT, each
    /// taking the next of the write's numbers and counted in them.
    /// Top-level tasks cannot be refused.
    pub(super) async fn append(
        &mut self,
        w: &mut Write<'_>,
        drafts: Vec<TaskDraft>,
    ) -> Result<Vec<Task>, DbError> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        for draft in &drafts {
            w.numbers.count(Counts::added(draft.done));
        }
        let (conn, list, now) = (w.conn, w.list, w.now);
        let last = self.last_key(conn, list, None).await?;
        let drafts = drafts.into_iter().map(|draft| (draft, now));
        let (tasks, last) = appended(conn, list, drafts, last, &mut w.numbers).await?;
        self.last.insert((list, None), last);
        store(conn, tasks, &w.numbers.sorted_list()).await
    }
}

/// Stores a new task, last under its parent, taking one of the write's
/// numbers (the caller counts it); refused (writing nothing) when the
/// parent cannot take it.
pub(super) async fn insert_numbered(
    w: &mut Write<'_>,
    draft: TaskDraft,
    places: &mut Places,
) -> Result<Result<Task, Refusal>, DbError> {
    let (conn, list, now) = (w.conn, w.list, w.now);
    let parent_id = draft.parent_id.flatten();
    if let Some(parent) = parent_id
        && let Err(refusal) = tree::check_parent(conn, list, parent, None, 1).await?
    {
        return Ok(Err(refusal));
    }
    let last = places.last_key(conn, list, parent_id).await?;
    let position = next_key(last.as_ref())?;
    places
        .last
        .insert((list, parent_id), Some(position.clone()));
    let task = new_task(list, draft, now, parent_id, position);
    let seq = w.numbers.take(conn).await?;
    let sorted = w.numbers.sorted_list();
    Ok(Ok(only(store(conn, vec![(seq, task)], &sorted).await?)?))
}
