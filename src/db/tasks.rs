//! Queries on the `tasks` table.

use std::sync::OnceLock;

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, NullOrdering};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, DatabaseTransaction, DbBackend, EntityTrait, FromQueryResult,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Select, Statement,
    TransactionTrait,
};

use super::changes::{self, Counts, Numbers};
use super::entity::{self, ActiveModel, Column, Entity};
use super::group::work;
use super::labels::{self, LabelPlan};
use super::{Db, DbError, tree};
use crate::domain::{
    Description, Invalid, Labels, ListQuery, OrderKey, OwnerId, Parent, Position, SortField,
    SortKey, SortOrder, Task, TaskChanges, TaskDraft, Timestamp, Title, Window,
};

/// How often an unconditional update is tried when another writer changes
/// the task between its read and its write (only PostgreSQL, where the read
/// takes no lock), before giving up with `DbError::Contended`.
const UPDATE_ATTEMPTS: usize = 3;

/// One page of tasks.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Task>,
    /// How many tasks match the filters (page mode only: keyset pages run
    /// no COUNT).
    pub total: Option<u64>,
    /// Whether tasks follow the last one on this page.
    pub has_more: bool,
}

/// What a conditional write requires of the task's current version.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Any version: the task must exist.
    Any,
    /// One of these versions (an empty list matches nothing).
    OneOf(Vec<i64>),
}

impl Expect {
    pub(super) fn allows(&self, version: i64) -> bool {
        match self {
            Expect::Any => true,
            Expect::OneOf(versions) => versions.contains(&version),
        }
    }
}

/// The result of a write guarded by an optional `Expect`.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome<T> {
    Done(T),
    /// No task with that id.
    Missing,
    /// No task with that id has an expected version: nothing was changed.
    /// (A conditional delete cannot tell this from `Missing`.)
    Stale,
    /// An undelete of a task that is not in the trash.
    NotDeleted,
    /// An undelete of a task whose parent is in the trash (or gone).
    ParentDeleted(i64),
    /// A write the tree does not allow (a parent or sibling that is
    /// missing, a cycle, too deep): nothing was changed.
    Refused(Refusal),
}

/// Why a write was refused, naming the member of the request at fault.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    pub field: &'static str,
    pub reason: Invalid,
}

impl Refusal {
    pub fn new(field: &'static str, reason: impl Into<Invalid>) -> Self {
        Self {
            field,
            reason: reason.into(),
        }
    }
}

impl TryFrom<entity::Model> for Task {
    type Error = DbError;

    fn try_from(row: entity::Model) -> Result<Self, DbError> {
        let corrupt = |reason| DbError::Corrupt {
            row: format!("task {}", row.id),
            reason,
        };
        let instant =
            |micros: i64, what| Timestamp::from_micros(micros).ok_or_else(|| corrupt(what));
        Ok(Task {
            id: row.id,
            owner: OwnerId(row.owner_id),
            due_at: row
                .due_at
                .map(|m| instant(m, "due_at out of range"))
                .transpose()?,
            created_at: instant(row.created_at, "created_at out of range")?,
            updated_at: instant(row.updated_at, "updated_at out of range")?,
            title: Title::from_stored(row.title),
            description: row.description.map(Description::from_stored),
            done: row.done,
            version: row.version,
            deleted_at: row
                .deleted_at
                .map(|m| instant(m, "deleted_at out of range"))
                .transpose()?,
            parent_id: row.parent_id,
            position: OrderKey::parse(&row.position)
                .map_err(|_| corrupt("position breaks its rules"))?,
            labels: Labels::from_joined(&row.labels),
        })
    }
}

/// The rows that read as tasks, in their order. A row that cannot be read
/// (real corruption: an instant or a position no release writes) is left
/// out and logged as an error, so one row never takes a whole list, feed or
/// count down; reading that task alone reports it.
pub(super) fn readable<R, T>(
    rows: impl IntoIterator<Item = R>,
    read: impl Fn(R) -> Result<T, DbError>,
) -> Vec<T> {
    rows.into_iter()
        .filter_map(|row| {
            read(row)
                .map_err(|err| tracing::error!(error = %err, "left out of a read"))
                .ok()
        })
        .collect()
}

/// Every column of `task` except `id`, as values to write, as change
/// `seq` of its owner's history.
pub(super) fn columns(task: &Task, seq: i64) -> ActiveModel {
    ActiveModel {
        id: NotSet,
        owner_id: Set(task.owner.0),
        title: Set(task.title.as_str().to_owned()),
        description: Set(task.description.as_ref().map(|d| d.as_str().to_owned())),
        done: Set(task.done),
        due_at: Set(task.due_at.map(Timestamp::as_micros)),
        created_at: Set(task.created_at.as_micros()),
        updated_at: Set(task.updated_at.as_micros()),
        version: Set(task.version),
        deleted_at: Set(task.deleted_at.map(Timestamp::as_micros)),
        change_seq: Set(seq),
        parent_id: Set(task.parent_id),
        position: Set(task.position.as_str().to_owned()),
        labels: Set(task.labels.joined()),
    }
}

/// Stores a new task of `owner` and returns it with its id (last among
/// its siblings), or why its parent cannot take it. On SQLite a new
/// top-level task joins the next group of writes, where the group's other
/// top-level creates of its owner are stored with it (`append_all`).
pub async fn insert(
    db: &Db,
    owner: OwnerId,
    draft: TaskDraft,
    now: Timestamp,
) -> Result<Result<Task, Refusal>, DbError> {
    if draft.parent_id.flatten().is_none()
        && let Some(group) = db.group()
    {
        return db
            .timed("insert", group.append(owner, draft, now))
            .await
            .map(Ok);
    }
    let write = work(move |txn| {
        let draft = draft.clone();
        Box::pin(insert_in(txn, owner, draft, now))
    });
    db.timed("insert", db.write(write)).await
}

/// Stores a new task in `conn`, a write transaction that has not written
/// yet (it takes the change number first). A top-level task cannot be
/// refused, so its count is written with the reservation; a subtask's is
/// written once its parent took it.
pub async fn insert_in(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    draft: TaskDraft,
    now: Timestamp,
) -> Result<Result<Task, Refusal>, DbError> {
    let counts = Counts::added(draft.done);
    if draft.parent_id.flatten().is_none() {
        return only(append_all(conn, owner, &[(&draft, now)]).await?).map(Ok);
    }
    let mut numbers = changes::reserve(conn, owner, 1, Counts::default()).await?;
    let places = &mut Places::default();
    let task = insert_numbered(conn, owner, draft, now, &mut numbers, places).await?;
    if task.is_ok() {
        numbers.count(counts);
        changes::settle(conn, owner, &numbers).await?;
    }
    Ok(task)
}

/// Stores new top-level tasks of `owner` (each a draft and its request's
/// time) in `conn`, a write transaction that has not written for this
/// owner yet, each last among the owner's top-level tasks, in order: one
/// statement reserves their change numbers, adds them to the counts and
/// reads the last key; one INSERT stores them all (and one more per task
/// with labels). Top-level tasks cannot be refused.
pub async fn append_all(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    new: &[(&TaskDraft, Timestamp)],
) -> Result<Vec<Task>, DbError> {
    let counts = new
        .iter()
        .map(|(draft, _)| Counts::added(draft.done))
        .fold(Counts::default(), Counts::plus);
    let (mut numbers, last) = changes::reserve_appending(conn, owner, new.len(), counts).await?;
    let last = last.map(|raw| tree::stored_key(0, &raw)).transpose()?;
    let drafts = new.iter().map(|(draft, now)| ((*draft).clone(), *now));
    let (tasks, _) = appended(conn, owner, drafts, last, &mut numbers).await?;
    store(conn, owner, tasks).await
}

/// New top-level tasks of `owner` from `drafts` (each with its request's
/// time), in order after the one keyed `last`, each with the next of
/// `numbers`; and the last key they take.
async fn appended(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
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
            new_task(owner, draft, now, None, position),
        ));
    }
    Ok((tasks, last))
}

/// A task `owner` creates from `draft` at `now`, at `position` under
/// `parent_id` (its id is given when it is stored).
fn new_task(
    owner: OwnerId,
    draft: TaskDraft,
    now: Timestamp,
    parent_id: Option<i64>,
    position: OrderKey,
) -> Task {
    Task {
        id: 0,
        owner,
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
fn next_key(last: Option<&OrderKey>) -> Result<OrderKey, DbError> {
    OrderKey::between(last, None).ok_or(DbError::Corrupt {
        row: "the last sibling".to_owned(),
        reason: "no key follows its position",
    })
}

/// Stores new tasks of `owner`, each with its change number, in one INSERT
/// (and one more per task with labels), and returns them with their ids.
async fn store(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    tasks: Vec<(i64, Task)>,
) -> Result<Vec<Task>, DbError> {
    let rows = tasks.iter().map(|(seq, task)| columns(task, *seq));
    // RETURNING names each row's id by its change number (the order of
    // RETURNING rows is not promised); query_all steps it to its end.
    let mut insert = Entity::insert_many(rows).into_query();
    insert
        .returning(sea_orm::sea_query::Query::returning().columns([Column::Id, Column::ChangeSeq]));
    let mut ids = std::collections::HashMap::with_capacity(tasks.len());
    for row in conn.query_all(&insert).await? {
        let id: i64 = row.try_get_by_index(0)?;
        let seq: i64 = row.try_get_by_index(1)?;
        ids.insert(seq, id);
    }
    let mut stored = Vec::with_capacity(tasks.len());
    for (seq, mut task) in tasks {
        task.id = ids.get(&seq).copied().ok_or(DbError::Corrupt {
            row: "an INSERT".to_owned(),
            reason: "it returned no id for a task",
        })?;
        labels::replace(conn, owner, task.id, &Labels::default(), &task.labels).await?;
        stored.push(task);
    }
    Ok(stored)
}

/// The one task stored.
fn only(stored: Vec<Task>) -> Result<Task, DbError> {
    stored.into_iter().next().ok_or(DbError::Corrupt {
        row: "an INSERT".to_owned(),
        reason: "it stored no task",
    })
}

/// The last key under each parent as far as a write transaction knows
/// (it holds its owner's row, so no one else adds siblings): a batch of
/// creates reads each parent's last key once.
#[derive(Debug, Default)]
struct Places {
    /// Per parent (`None`: top level): the last key (`None`: no siblings).
    last: std::collections::HashMap<Option<i64>, Option<OrderKey>>,
}

impl Places {
    /// The key of the last task under `parent`: as this transaction's
    /// earlier creates left it, or else read.
    async fn last_key(
        &self,
        conn: &impl ConnectionTrait,
        owner: OwnerId,
        parent: Option<i64>,
    ) -> Result<Option<OrderKey>, DbError> {
        match self.last.get(&parent) {
            Some(known) => Ok(known.clone()),
            None => tree::last_key(conn, owner, parent).await,
        }
    }

    /// Stores `drafts`, consecutive top-level creates of a batch, last
    /// among `owner`'s top-level tasks in order, in one INSERT, each taking
    /// the next of `numbers` and counted in them. Top-level tasks cannot
    /// be refused.
    async fn append(
        &mut self,
        conn: &impl ConnectionTrait,
        owner: OwnerId,
        drafts: Vec<TaskDraft>,
        now: Timestamp,
        numbers: &mut Numbers,
    ) -> Result<Vec<Task>, DbError> {
        if drafts.is_empty() {
            return Ok(Vec::new());
        }
        for draft in &drafts {
            numbers.count(Counts::added(draft.done));
        }
        let last = self.last_key(conn, owner, None).await?;
        let drafts = drafts.into_iter().map(|draft| (draft, now));
        let (tasks, last) = appended(conn, owner, drafts, last, numbers).await?;
        self.last.insert(None, last);
        store(conn, owner, tasks).await
    }
}

/// Stores a new task on `conn`, last under its parent, taking one of
/// `numbers` (the caller counts it); refused (writing nothing) when the
/// parent cannot take it.
async fn insert_numbered(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    draft: TaskDraft,
    now: Timestamp,
    numbers: &mut Numbers,
    places: &mut Places,
) -> Result<Result<Task, Refusal>, DbError> {
    let parent_id = draft.parent_id.flatten();
    if let Some(parent) = parent_id
        && let Err(refusal) = tree::check_parent(conn, owner, parent, None, 1).await?
    {
        return Ok(Err(refusal));
    }
    let last = places.last_key(conn, owner, parent_id).await?;
    let position = next_key(last.as_ref())?;
    places.last.insert(parent_id, Some(position.clone()));
    let task = new_task(owner, draft, now, parent_id, position);
    let seq = numbers.take(conn).await?;
    Ok(Ok(only(store(conn, owner, vec![(seq, task)]).await?)?))
}

/// The tasks of `owner`: every query starts here, so no query can see or
/// touch another owner's task.
pub(crate) fn owned(owner: OwnerId) -> Select<Entity> {
    Entity::find().filter(Column::OwnerId.eq(owner.0))
}

/// The tasks of `owner` that are not in the trash.
fn live(owner: OwnerId) -> Select<Entity> {
    owned(owner).filter(Column::DeletedAt.is_null())
}

/// `owner`'s task with this id: the query `find` runs.
fn one_live(owner: OwnerId, id: i64) -> Select<Entity> {
    live(owner).filter(Column::Id.eq(id)).limit(1)
}

/// `one_live`'s statement. Its text is the same for every owner and id, so
/// sea-query builds it once per backend and each call only binds the values
/// (building it was ~5 % of a GET by id's cycles; without it, GETs by id
/// measured +6 to +13 %); a unit test holds this equal to `one_live` built,
/// values and their order included.
fn one_live_statement(backend: DbBackend, owner: OwnerId, id: i64) -> Statement {
    static TEXT: [OnceLock<String>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = match backend {
        DbBackend::Sqlite => 0,
        DbBackend::Postgres => 1,
        _ => 2,
    };
    let sql = TEXT[slot].get_or_init(|| one_live(owner, id).build(backend).sql);
    Statement::from_sql_and_values(
        backend,
        sql.as_str(),
        [owner.0.into(), id.into(), 1u64.into()],
    )
}

/// `owner`'s task with this id, if there is one (not in the trash).
pub async fn find(db: &Db, owner: OwnerId, id: i64) -> Result<Option<Task>, DbError> {
    db.timed("find", async {
        let reader = db.reader();
        let statement = one_live_statement(reader.get_database_backend(), owner, id);
        Entity::find()
            .from_raw_sql(statement)
            .one(reader)
            .await?
            .map(Task::try_from)
            .transpose()
    })
    .await
}

/// Applies `changes` to the task with this id, if `expect` (when given)
/// holds for it. The write is conditional on the version that was read, so
/// no concurrent change is overwritten even where the transaction does not
/// hold a write lock (PostgreSQL); on SQLite `BEGIN IMMEDIATE` serialises it.
/// A lost race is retried when nothing was expected, and `Stale` otherwise.
pub async fn update(
    db: &Db,
    owner: OwnerId,
    id: i64,
    changes: TaskChanges,
    expect: Option<Expect>,
    now: Timestamp,
) -> Result<Outcome<Task>, DbError> {
    db.timed("update", async move {
        let unconditional = expect.is_none();
        for _ in 0..UPDATE_ATTEMPTS {
            let (changes, expect) = (changes.clone(), expect.clone());
            let write = work(move |txn| {
                let (changes, expect) = (changes.clone(), expect.clone());
                Box::pin(async move {
                    let mut numbers = Numbers::later(owner, 1);
                    let outcome =
                        update_in(txn, owner, id, changes, expect.as_ref(), now, &mut numbers)
                            .await?;
                    if matches!(outcome, Outcome::Done(_)) {
                        changes::settle(txn, owner, &numbers).await?;
                    }
                    Ok(outcome)
                })
            });
            match db.write(write).await? {
                // Without If-Match, a lost race (PostgreSQL) is tried again.
                Outcome::Stale if unconditional => continue,
                outcome => return Ok(outcome),
            }
        }
        Err(DbError::Contended)
    })
    .await
}

/// The update on `conn` (a write transaction), conditional on the version
/// read; `Stale` also when another writer won the race.
async fn update_in(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    id: i64,
    changes: TaskChanges,
    expect: Option<&Expect>,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<Outcome<Task>, DbError> {
    let current = match live(owner).filter(Column::Id.eq(id)).one(conn).await? {
        Some(row) => Task::try_from(row)?,
        None => return Ok(Outcome::Missing),
    };
    if expect.is_some_and(|e| !e.allows(current.version)) {
        return Ok(Outcome::Stale);
    }
    if let Some(parent) = changes.parent_id
        && parent != current.parent_id
    {
        let reason = match current.parent_id {
            Some(id) => format!("is {id} for this task; POST /api/tasks/{{id}}/move changes it"),
            None => "is null for this task; POST /api/tasks/{id}/move changes it".to_owned(),
        };
        return Ok(Outcome::Refused(Refusal::new("parent_id", reason)));
    }
    let next = current.with_changes(changes, now);
    if next == current {
        return Ok(Outcome::Done(current));
    }
    if next.done != current.done {
        numbers.count(Counts::marked(next.done));
    }
    let written = Entity::update_many()
        .set(columns(&next, numbers.take(conn).await?))
        .filter(Column::Id.eq(id))
        .filter(Column::OwnerId.eq(owner.0))
        .filter(Column::Version.eq(current.version))
        .exec(conn)
        .await?;
    if written.rows_affected != 1 {
        return Ok(Outcome::Stale);
    }
    labels::replace(conn, owner, id, &current.labels, &next.labels).await?;
    Ok(Outcome::Done(next))
}

/// Moves the task with this id to the trash (or, with `purge`, removes it
/// for good, also from the trash, leaving a tombstone) if `expect` (when
/// given) holds for it, in one conditional statement. Trashing changes the
/// version and `updated_at`.
pub async fn delete(
    db: &Db,
    owner: OwnerId,
    id: i64,
    expect: Option<Expect>,
    purge: bool,
    now: Timestamp,
) -> Result<Outcome<()>, DbError> {
    let operation = if purge { "purge" } else { "trash" };
    let write = work(move |txn| {
        let expect = expect.clone();
        Box::pin(async move {
            let mut numbers = changes::reserve(txn, owner, 1, Counts::default()).await?;
            let expect = expect.as_ref();
            let outcome = if purge {
                purge_in(txn, owner, id, expect, now, &mut numbers).await?
            } else {
                trash_in(txn, owner, id, expect, now, &mut numbers).await?
            };
            if matches!(outcome, Outcome::Done(())) {
                changes::settle(txn, owner, &numbers).await?;
            }
            Ok(outcome)
        })
    });
    db.timed(operation, db.write(write)).await
}

/// Removes the task and its subtasks for good on `conn` (the task in one
/// conditional statement), and leaves their tombstones: a trashed task's keeps the number (and time) of
/// its trashing, which the feed already showed as its deletion.
async fn purge_in(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    id: i64,
    expect: Option<&Expect>,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<Outcome<()>, DbError> {
    let mut delete = Entity::delete_many()
        .filter(Column::Id.eq(id))
        .filter(Column::OwnerId.eq(owner.0));
    if let Some(version) = version_in(expect) {
        delete = delete.filter(version);
    }
    let statement = delete.into_query().returning_all().to_owned();
    let removed = task_rows(&conn.query_all(&statement).await?)?;
    let Some(row) = removed.first() else {
        return Ok(outcome_of(0, expect));
    };
    tree::entomb(conn, owner, row, now, numbers).await?;
    tree::purge_below(conn, owner, row.id, now, numbers).await?;
    Ok(Outcome::Done(()))
}

/// `version IN (…)` for an expectation of some versions.
fn version_in(expect: Option<&Expect>) -> Option<sea_orm::sea_query::SimpleExpr> {
    match expect {
        Some(Expect::OneOf(versions)) => Some(Column::Version.is_in(versions.iter().copied())),
        _ => None,
    }
}

/// What a conditional statement that touched `rows` rows did.
fn outcome_of(rows: u64, expect: Option<&Expect>) -> Outcome<()> {
    match (rows, expect) {
        (0, Some(_)) => Outcome::Stale,
        (0, None) => Outcome::Missing,
        _ => Outcome::Done(()),
    }
}

/// Moves the task to the trash on `conn`, in one conditional statement,
/// and its live subtasks with it.
async fn trash_in(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    id: i64,
    expect: Option<&Expect>,
    now: Timestamp,
    numbers: &mut Numbers,
) -> Result<Outcome<()>, DbError> {
    let mut trash = Entity::update_many()
        .col_expr(Column::ChangeSeq, Expr::value(numbers.take(conn).await?))
        .col_expr(Column::DeletedAt, Expr::value(now.as_micros()))
        .col_expr(Column::UpdatedAt, Expr::value(now.as_micros()))
        .col_expr(Column::Version, Expr::col(Column::Version).add(1))
        .filter(Column::Id.eq(id))
        .filter(Column::OwnerId.eq(owner.0))
        .filter(Column::DeletedAt.is_null());
    if let Some(version) = version_in(expect) {
        trash = trash.filter(version);
    }
    let statement = trash.into_query().returning_col(Column::Done).to_owned();
    let rows = conn.query_all(&statement).await?;
    if let Some(row) = rows.first() {
        let done: bool = row.try_get("", "done")?;
        numbers.count(Counts::removed(done));
        tree::trash_below(conn, owner, id, now, numbers).await?;
    }
    Ok(outcome_of(rows.len() as u64, expect))
}

/// One operation of a batch.
#[derive(Clone, Debug)]
pub enum BatchOp {
    Create(TaskDraft),
    Update {
        id: i64,
        changes: TaskChanges,
        expect: Option<Expect>,
    },
    Delete {
        id: i64,
        expect: Option<Expect>,
    },
}

/// What one operation of a batch did: the task as it now is, or `None`
/// for a delete.
pub type BatchResult = Option<Task>;

/// The operation that failed a batch (nothing was changed).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BatchFailure {
    pub index: usize,
    pub id: i64,
    /// Whether it carried an expectation of the version.
    pub expected: bool,
    /// Whether the task exists but has another version (else it is missing).
    pub stale: bool,
    /// Why the tree refused it, when it did.
    pub refusal: Option<Refusal>,
}

/// Runs every operation in one write transaction (on SQLite, in a group of
/// writes, under a savepoint), all or nothing: the results in order, or the
/// first operation that failed.
pub async fn batch(
    db: &Db,
    owner: OwnerId,
    ops: Vec<BatchOp>,
    now: Timestamp,
) -> Result<Result<Vec<BatchResult>, BatchFailure>, DbError> {
    let write = work(move |txn| {
        let ops = ops.clone();
        Box::pin(async move {
            // A savepoint of its own: a failing operation undoes the
            // batch's writes, and only those (on SQLite, in a group).
            let own = txn.begin().await?;
            let results = batch_in(&own, owner, ops, now).await?;
            if results.is_ok() {
                own.commit().await?;
            } else {
                own.rollback().await?;
            }
            Ok(results)
        })
    });
    db.timed("batch", db.write(write)).await
}

/// The operations on `conn` (a write transaction that has not written
/// yet), in order, stopping at the first that fails; the caller commits or
/// rolls back.
pub async fn batch_in(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    ops: Vec<BatchOp>,
    now: Timestamp,
) -> Result<Result<Vec<BatchResult>, BatchFailure>, DbError> {
    let mut results = Vec::with_capacity(ops.len());
    let mut numbers = changes::reserve(conn, owner, ops.len(), Counts::default()).await?;
    let numbers = &mut numbers;
    let places = &mut Places::default();
    // Consecutive top-level creates wait here and are stored together
    // before the next operation of another kind (and at the end), so the
    // operations still take their change numbers in order.
    let mut appending = Vec::new();
    for (index, op) in ops.into_iter().enumerate() {
        let op = match op {
            BatchOp::Create(draft) if draft.parent_id.flatten().is_none() => {
                appending.push(draft);
                continue;
            }
            op => op,
        };
        let appended = std::mem::take(&mut appending);
        let stored = places.append(conn, owner, appended, now, numbers).await?;
        results.extend(stored.into_iter().map(Some));
        let (id, expected, outcome) = match op {
            BatchOp::Create(draft) => {
                let done = draft.done;
                let outcome =
                    match insert_numbered(conn, owner, draft, now, numbers, places).await? {
                        Ok(task) => {
                            numbers.count(Counts::added(done));
                            Outcome::Done(Some(task))
                        }
                        Err(refusal) => Outcome::Refused(refusal),
                    };
                (0, false, outcome)
            }
            BatchOp::Update {
                id,
                changes,
                expect,
            } => {
                let outcome =
                    update_in(conn, owner, id, changes, expect.as_ref(), now, numbers).await?;
                (id, expect.is_some(), outcome.map(Some))
            }
            BatchOp::Delete { id, expect } => {
                let outcome = trash_in(conn, owner, id, expect.as_ref(), now, numbers).await?;
                (id, expect.is_some(), outcome.map(|()| None))
            }
        };
        match outcome {
            Outcome::Done(result) => results.push(result),
            failed => {
                let stale = failed == Outcome::Stale;
                let refusal = match failed {
                    Outcome::Refused(refusal) => Some(refusal),
                    _ => None,
                };
                return Ok(Err(BatchFailure {
                    index,
                    id,
                    expected,
                    stale,
                    refusal,
                }));
            }
        }
    }
    let stored = places.append(conn, owner, appending, now, numbers).await?;
    results.extend(stored.into_iter().map(Some));
    changes::settle(conn, owner, numbers).await?;
    Ok(Ok(results))
}

impl<T> Outcome<T> {
    fn map<U>(self, f: impl FnOnce(T) -> U) -> Outcome<U> {
        match self {
            Outcome::Done(value) => Outcome::Done(f(value)),
            Outcome::Missing => Outcome::Missing,
            Outcome::Stale => Outcome::Stale,
            Outcome::NotDeleted => Outcome::NotDeleted,
            Outcome::ParentDeleted(id) => Outcome::ParentDeleted(id),
            Outcome::Refused(refusal) => Outcome::Refused(refusal),
        }
    }
}

/// Takes the task with this id out of the trash (a new version) if
/// `expect` (when given) holds for it; `NotDeleted` if it is not there.
pub async fn undelete(
    db: &Db,
    owner: OwnerId,
    id: i64,
    expect: Option<Expect>,
    now: Timestamp,
) -> Result<Outcome<Task>, DbError> {
    let write = work(move |txn| {
        let expect = expect.clone();
        Box::pin(undelete_in(txn, owner, id, expect, now))
    });
    db.timed("undelete", db.write(write)).await
}

/// The undelete on `txn` (a write transaction), with the subtasks trashed
/// with it: nothing is written when it is missing, stale or not in the
/// trash; a parent in the trash refuses it after the reservation.
async fn undelete_in(
    txn: &DatabaseTransaction,
    owner: OwnerId,
    id: i64,
    expect: Option<Expect>,
    now: Timestamp,
) -> Result<Outcome<Task>, DbError> {
    let mut numbers = Numbers::later(owner, 1);
    // Checked once without a lock (a refusal writes nothing), then again
    // under the owner's row: on PostgreSQL another process may have
    // restored, purged or changed the task (or its parent) in between.
    let mut seq = None;
    let (current, trashed_at) = loop {
        let Some(row) = owned(owner).filter(Column::Id.eq(id)).one(txn).await? else {
            return Ok(Outcome::Missing);
        };
        let current = Task::try_from(row)?;
        if expect.as_ref().is_some_and(|e| !e.allows(current.version)) {
            return Ok(Outcome::Stale);
        }
        let Some(trashed_at) = current.deleted_at else {
            return Ok(Outcome::NotDeleted);
        };
        if seq.is_some() {
            break (current, trashed_at);
        }
        seq = Some(numbers.take(txn).await?);
    };
    let seq = seq.unwrap_or_default();
    if let Some(parent) = current.parent_id {
        let live = live(owner).filter(Column::Id.eq(parent)).count(txn).await?;
        if live == 0 {
            return Ok(Outcome::ParentDeleted(parent));
        }
    }
    let restored = Task {
        deleted_at: None,
        updated_at: now.max(current.updated_at),
        version: current.version + 1,
        ..current
    };
    // Conditional on the version read: a bug, not a race, if it fails
    // (every write of this owner's tasks waits for its row).
    let written = Entity::update_many()
        .set(columns(&restored, seq))
        .filter(Column::Id.eq(id))
        .filter(Column::Version.eq(current.version))
        .exec(txn)
        .await?;
    if written.rows_affected != 1 {
        return Err(DbError::Contended);
    }
    numbers.count(Counts::added(restored.done));
    tree::restore_below(txn, owner, id, trashed_at.as_micros(), now, &mut numbers).await?;
    changes::settle(txn, owner, &numbers).await?;
    Ok(Outcome::Done(restored))
}

/// Task rows read by a raw statement (a `SELECT` with extra columns, or
/// `RETURNING *`).
pub(super) fn task_rows(rows: &[sea_orm::QueryResult]) -> Result<Vec<entity::Model>, DbError> {
    rows.iter()
        .map(|row| entity::Model::from_query_result(row, "").map_err(DbError::from))
        .collect()
}

/// How many trashed tasks one transaction of the purge removes.
const PURGE_CHUNK: u64 = 500;

/// Removes for good the tasks trashed before `cutoff`, each leaving a
/// tombstone with the number of its trashing; returns how many.
pub async fn purge_trash(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    let mut purged = 0;
    loop {
        let removed = db.timed("purge_trash", purge_chunk(db, cutoff)).await?;
        purged += removed;
        if removed < PURGE_CHUNK {
            return Ok(purged);
        }
    }
}

/// Up to `PURGE_CHUNK` of the trashed tasks past `cutoff`, in one write
/// transaction (short, so writers queue behind it briefly).
async fn purge_chunk(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    let txn = db.begin_write().await?;
    let expired = || Column::DeletedAt.lt(cutoff.as_micros());
    let ids: Vec<i64> = Entity::find()
        .select_only()
        .column(Column::Id)
        .filter(expired())
        .limit(PURGE_CHUNK)
        .into_tuple()
        .all(&txn)
        .await?;
    // Still past the cutoff (not undeleted meanwhile): exactly the rows
    // this statement removes get tombstones.
    let delete = Entity::delete_many()
        .filter(Column::Id.is_in(ids))
        .filter(expired())
        .into_query()
        .returning_all()
        .to_owned();
    let removed = task_rows(&txn.query_all(&delete).await?)?;
    for row in &removed {
        let deleted_at = row.deleted_at.unwrap_or(row.updated_at);
        let owner = OwnerId(row.owner_id);
        changes::tombstone_in(&txn, owner, row.id, row.change_seq, deleted_at).await?;
    }
    txn.commit().await?;
    Ok(removed.len() as u64)
}

/// `owner`'s tasks that match `query`, in its window and order.
pub async fn list(db: &Db, owner: OwnerId, query: &ListQuery) -> Result<Page, DbError> {
    db.timed("list", async move {
        let plan = labels::plan(db, owner, &query.filters.labels).await?;
        let (rows, total, has_more) = match &query.window {
            Window::Page(page) => {
                let (rows, total) = counted_page(db, owner, query, *page, &plan).await?;
                let seen = ListQuery::offset(*page, query.per_page)
                    .map_or(total, |offset| offset.saturating_add(rows.len() as u64));
                (rows, Some(total), seen < total)
            }
            Window::After(position) => {
                let mut rows = after(db, owner, query, position, &plan).await?;
                let has_more = rows.len() as u64 > query.per_page;
                rows.truncate(query.per_page as usize);
                (rows, None, has_more)
            }
        };
        let items = readable(rows, Task::try_from);
        Ok(Page {
            items,
            total,
            has_more,
        })
    })
    .await
}

/// Page `page` of the tasks that match `query`, and how many match: one
/// statement (a deferred join for the page), each row carrying the total as an uncorrelated scalar
/// subquery (evaluated once), so the page and the total come from one
/// snapshot without a transaction. The total of all, done or not-done live
/// tasks is the owner's count (one row); with any other filter it is a
/// COUNT over the covering index. Only a page with no rows (past the end)
/// needs the total on its own.
async fn counted_page(
    db: &Db,
    owner: OwnerId,
    query: &ListQuery,
    page: u64,
    plan: &LabelPlan,
) -> Result<(Vec<entity::Model>, u64), DbError> {
    let filtered = filter(owner, query, plan);
    let total = match query.filters.counted() {
        Some(done) => changes::live_count(owner, done),
        None => {
            let count = filter(owner, query, &LabelPlan::counting())
                .select_only()
                .expr(Expr::cust("COUNT(*)"))
                .into_query();
            Expr::SubQuery(None, Box::new(count.into()))
        }
    };
    let read_total = |row: &sea_orm::QueryResult| -> Result<u64, DbError> {
        let total: i64 = row.try_get("", "total")?;
        Ok(u64::try_from(total).unwrap_or(0))
    };
    if let Some(offset) = ListQuery::offset(page, query.per_page) {
        // A deferred join: the rows skipped are walked in an index, ids
        // only; just the page's rows are read whole, by rowid. (The ids
        // come from the owner's tasks; an owner filter out here would make
        // SQLite walk all of the owner's rows instead.)
        let ids = order(filtered, query.sort, query.order)
            .select_only()
            .column(Column::Id)
            .offset(offset)
            .limit(query.per_page)
            .into_query();
        let page_rows = Entity::find().filter(Column::Id.in_subquery(ids));
        let statement = order(page_rows, query.sort, query.order)
            .expr_as(total.clone(), "total")
            .into_query();
        let rows = db.reader().query_all(&statement).await?;
        if let Some(first) = rows.first() {
            return Ok((task_rows(&rows)?, read_total(first)?));
        }
    }
    // Past the end: only the total.
    let alone = sea_orm::sea_query::Query::select()
        .expr_as(total, "total")
        .to_owned();
    match db.reader().query_one(&alone).await? {
        Some(row) => Ok((Vec::new(), read_total(&row)?)),
        None => Ok((Vec::new(), 0)),
    }
}

/// Keyset paging: up to `per_page + 1` tasks strictly after `position`,
/// each read an index walk from the position, whatever its depth.
async fn after(
    db: &Db,
    owner: OwnerId,
    query: &ListQuery,
    position: &Position,
    plan: &LabelPlan,
) -> Result<Vec<entity::Model>, DbError> {
    let limit = query.per_page + 1;
    let base = filter(owner, query, plan);
    let direction = direction(query.order);
    let beyond = |left: Expr, right: Expr| match query.order {
        SortOrder::Ascending => left.gt(right),
        SortOrder::Descending => left.lt(right),
    };
    let by_id = |select: Select<Entity>| select.order_by(Column::Id, direction.clone());
    let after_id = beyond(Expr::col(Column::Id), Expr::val(position.id));
    let key = match &position.key {
        SortKey::Int(v) => Expr::val(*v),
        SortKey::Text(v) => Expr::val(v.clone()),
        // Past the last non-null due date: only null ones remain, by id.
        SortKey::Null => {
            let nulls = base.filter(Column::DueAt.is_null()).filter(after_id);
            return Ok(by_id(nulls).limit(limit).all(db.reader()).await?);
        }
    };
    // Manual order: a re-spacing rewrites siblings' keys but never their
    // order, so the page starts right after the anchor task where it
    // stands now; the key it had when the cursor was issued serves only
    // when the anchor is gone or no longer among the listed siblings.
    let key = match query.sort {
        SortField::Position => anchored(owner, query, position.id, key),
        _ => key,
    };
    let Some(column) = sort_column(query.sort) else {
        return Ok(by_id(base.filter(after_id))
            .limit(limit)
            .all(db.reader())
            .await?);
    };
    let tuple = |a: Expr, b: Expr| Expr::tuple([a, b]);
    let keyed = base
        .clone()
        .filter(Expr::col(column).is_not_null())
        .filter(beyond(
            tuple(Expr::col(column), Expr::col(Column::Id)),
            tuple(key, Expr::val(position.id)),
        ))
        .order_by(column, direction.clone());
    let mut rows = by_id(keyed).limit(limit).all(db.reader()).await?;
    // Null due dates come after every value, in either direction.
    if query.sort == SortField::DueAt && (rows.len() as u64) < limit {
        let nulls = base.filter(Column::DueAt.is_null());
        let rest = limit - rows.len() as u64;
        rows.extend(by_id(nulls).limit(rest).all(db.reader()).await?);
    }
    Ok(rows)
}

/// The anchor task's position now (one indexed row, in the page's own
/// statement and snapshot), or `issued` when it has none among the siblings
/// the query lists.
fn anchored(owner: OwnerId, query: &ListQuery, anchor: i64, issued: Expr) -> Expr {
    let mut now = owned(owner)
        .select_only()
        .column(Column::Position)
        .filter(Column::Id.eq(anchor));
    match query.filters.parent.map(Parent::id) {
        None => {}
        Some(Some(parent)) => now = now.filter(Column::ParentId.eq(parent)),
        Some(None) => now = now.filter(Column::ParentId.is_null()),
    }
    let now = Expr::SubQuery(None, Box::new(now.into_query().into()));
    Func::coalesce([now, issued]).into()
}

fn filter(owner: OwnerId, query: &ListQuery, plan: &LabelPlan) -> Select<Entity> {
    let filters = &query.filters;
    let mut select = if filters.show_deleted {
        owned(owner)
    } else {
        live(owner)
    };
    if let Some(done) = filters.done {
        select = select.filter(Column::Done.eq(done));
    }
    match filters.parent.map(Parent::id) {
        None => {}
        Some(Some(parent)) => select = select.filter(Column::ParentId.eq(parent)),
        Some(None) => select = select.filter(Column::ParentId.is_null()),
    }
    for (index, label) in filters.labels.iter().enumerate() {
        select = select.filter(if plan.listed(index) {
            labels::labelled(owner, label)
        } else {
            labels::carried(label)
        });
    }
    let micros = |t: Option<Timestamp>| t.map(Timestamp::as_micros);
    if let Some(since) = micros(filters.updated_since) {
        select = select.filter(Column::UpdatedAt.gte(since));
    }
    if let Some(before) = micros(filters.updated_before) {
        select = select.filter(Column::UpdatedAt.lt(before));
    }
    if let Some(after) = micros(filters.due_after) {
        select = select.filter(Column::DueAt.gte(after));
    }
    if let Some(before) = micros(filters.due_before) {
        select = select.filter(Column::DueAt.lt(before));
    }
    if let Some(q) = &filters.q {
        let pattern = format!("%{}%", escape_like(&q.to_ascii_lowercase()));
        select = select.filter(
            Expr::expr(Func::lower(Expr::col(Column::Title)))
                .like(LikeExpr::new(pattern).escape('\\')),
        );
    }
    select
}

/// Makes `%`, `_` and `\` match only themselves in a LIKE pattern.
fn escape_like(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(c, '%' | '_' | '\\') {
            escaped.push('\\');
        }
        escaped.push(c);
    }
    escaped
}

fn direction(order: SortOrder) -> sea_orm::Order {
    match order {
        SortOrder::Ascending => sea_orm::Order::Asc,
        SortOrder::Descending => sea_orm::Order::Desc,
    }
}

/// The column a sort orders by before the id (`None` for the id itself).
fn sort_column(field: SortField) -> Option<Column> {
    match field {
        SortField::Id => None,
        SortField::CreatedAt => Some(Column::CreatedAt),
        SortField::UpdatedAt => Some(Column::UpdatedAt),
        SortField::DueAt => Some(Column::DueAt),
        SortField::Title => Some(Column::Title),
        SortField::Position => Some(Column::Position),
    }
}

fn order(select: Select<Entity>, field: SortField, order: SortOrder) -> Select<Entity> {
    let direction = direction(order);
    let select = match sort_column(field) {
        None => select,
        // Tasks with no due date come last in both directions.
        Some(Column::DueAt) => {
            select.order_by_with_nulls(Column::DueAt, direction.clone(), NullOrdering::Last)
        }
        Some(column) => select.order_by(column, direction.clone()),
    };
    select.order_by(Column::Id, direction)
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, QueryTrait};

    use super::{OwnerId, escape_like, one_live, one_live_statement};

    #[test]
    fn the_stored_text_of_a_get_by_id_is_the_query_built_anew() {
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            for (owner, id) in [(OwnerId(1), 7), (OwnerId(42), i64::MAX)] {
                let built = one_live(owner, id).build(backend);
                let stored = one_live_statement(backend, owner, id);
                assert_eq!(stored.sql, built.sql, "{backend:?}");
                assert_eq!(stored.values, built.values, "{backend:?}");
            }
        }
    }

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
