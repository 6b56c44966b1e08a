//! Queries on the `tasks` table.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, NullOrdering};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect, Select, TransactionTrait,
};

use super::entity::{self, ActiveModel, Column, Entity, idempotency_key};
use super::{Db, DbError};
use crate::domain::{
    ListQuery, Position, SortField, SortKey, SortOrder, Task, TaskChanges, TaskDraft, Timestamp,
    Window,
};

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

/// What a client's `If-Match` asks of the current task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// `*`: any current version (the task must exist).
    Any,
    /// One of these versions (an empty list matches nothing).
    OneOf(Vec<i64>),
}

impl Expect {
    fn allows(&self, version: i64) -> bool {
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
    /// No task with that id (and nothing was expected of it).
    Missing,
    /// The expectation failed: nothing was changed.
    Stale,
}

impl TryFrom<entity::Model> for Task {
    type Error = DbError;

    fn try_from(row: entity::Model) -> Result<Self, DbError> {
        let instant = |micros: i64, what: &'static str| {
            Timestamp::from_micros(micros).ok_or(DbError::Corrupt {
                id: row.id,
                reason: what,
            })
        };
        Ok(Task {
            id: row.id,
            due_at: row
                .due_at
                .map(|m| instant(m, "due_at out of range"))
                .transpose()?,
            created_at: instant(row.created_at, "created_at out of range")?,
            updated_at: instant(row.updated_at, "updated_at out of range")?,
            title: row.title,
            description: row.description,
            done: row.done,
            version: row.version,
        })
    }
}

/// Every column of `task` except `id`, as values to write.
fn columns(task: &Task) -> ActiveModel {
    ActiveModel {
        id: NotSet,
        title: Set(task.title.clone()),
        description: Set(task.description.clone()),
        done: Set(task.done),
        due_at: Set(task.due_at.map(Timestamp::as_micros)),
        created_at: Set(task.created_at.as_micros()),
        updated_at: Set(task.updated_at.as_micros()),
        version: Set(task.version),
    }
}

/// Stores a new task and returns it with its id.
pub async fn insert(db: &Db, draft: TaskDraft, now: Timestamp) -> Result<Task, DbError> {
    insert_with(db.writer(), draft, now).await
}

async fn insert_with(
    conn: &impl ConnectionTrait,
    draft: TaskDraft,
    now: Timestamp,
) -> Result<Task, DbError> {
    let mut task = Task {
        id: 0,
        title: draft.title.into_inner(),
        description: draft.description.map(|d| d.into_inner()),
        done: draft.done,
        due_at: draft.due_at,
        created_at: now,
        updated_at: now,
        version: 1,
    };
    // A plain INSERT and last_insert_rowid(), not INSERT … RETURNING, which
    // sqlx has been seen to leave unstepped (holding back WAL checkpoints).
    let result = Entity::insert(columns(&task)).exec(conn).await?;
    task.id = result.last_insert_id;
    Ok(task)
}

/// The task with this id, if there is one.
pub async fn find(db: &Db, id: i64) -> Result<Option<Task>, DbError> {
    Entity::find_by_id(id)
        .one(db.reader())
        .await?
        .map(Task::try_from)
        .transpose()
}

/// Applies `changes` to the task with this id, if `expect` (when given)
/// holds for it. The write is conditional on the version that was read, so
/// no concurrent change is overwritten even where the transaction does not
/// hold a write lock (PostgreSQL); on SQLite `BEGIN IMMEDIATE` serialises it.
pub async fn update(
    db: &Db,
    id: i64,
    changes: TaskChanges,
    expect: Option<Expect>,
    now: Timestamp,
) -> Result<Outcome<Task>, DbError> {
    // Without If-Match a lost race is retried; with it, it is a 412.
    for _ in 0..3 {
        let txn = db.begin_write().await?;
        let current = match Entity::find_by_id(id).one(&txn).await? {
            Some(row) => Task::try_from(row)?,
            // RFC 9110 §13.1.1: If-Match on a missing resource fails.
            None if expect.is_some() => return Ok(Outcome::Stale),
            None => return Ok(Outcome::Missing),
        };
        if expect.as_ref().is_some_and(|e| !e.allows(current.version)) {
            return Ok(Outcome::Stale);
        }
        let next = current.with_changes(changes.clone(), now);
        if next == current {
            return Ok(Outcome::Done(current));
        }
        let written = Entity::update_many()
            .set(columns(&next))
            .filter(Column::Id.eq(id))
            .filter(Column::Version.eq(current.version))
            .exec(&txn)
            .await?;
        if written.rows_affected == 1 {
            txn.commit().await?;
            return Ok(Outcome::Done(next));
        }
        if expect.is_some() {
            return Ok(Outcome::Stale);
        }
    }
    Err(DbError::Contended)
}

/// Deletes the task with this id if `expect` (when given) holds for it, in
/// one conditional DELETE.
pub async fn delete(db: &Db, id: i64, expect: Option<Expect>) -> Result<Outcome<()>, DbError> {
    let mut delete = Entity::delete_many().filter(Column::Id.eq(id));
    if let Some(Expect::OneOf(versions)) = &expect {
        delete = delete.filter(Column::Version.is_in(versions.iter().copied()));
    }
    let result = delete.exec(db.writer()).await?;
    Ok(match (result.rows_affected, expect) {
        (0, Some(_)) => Outcome::Stale,
        (0, None) => Outcome::Missing,
        _ => Outcome::Done(()),
    })
}

/// A response kept for replays of an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub body: String,
    pub location: Option<String>,
    pub etag: Option<String>,
}

/// What became of a create that carried an idempotency key.
#[derive(Debug)]
pub enum Keyed {
    /// Performed now; its response is stored under the key.
    Created(StoredResponse),
    /// Performed before with the same request: its response.
    Replayed(StoredResponse),
    /// The key was used before with a different request.
    KeyReused,
}

/// Creates a task once per `key`. In one write transaction: a stored
/// response for the key is replayed (same `request_hash`) or refused
/// (different); otherwise the task is inserted and `render`ed, and the
/// response stored with the key. Retries that arrive together queue on the
/// write lock, so exactly one performs the insert.
pub async fn insert_once(
    db: &Db,
    key: &str,
    request_hash: &str,
    draft: TaskDraft,
    now: Timestamp,
    render: impl Fn(&Task) -> StoredResponse,
) -> Result<Keyed, DbError> {
    // On PostgreSQL two first attempts can both find no key; the second to
    // insert it waits for the first to commit and then violates the primary
    // key. Its transaction (task included) rolls back, and the retry finds
    // the stored response. (SQLite's BEGIN IMMEDIATE serialises them.)
    let mut retried = false;
    loop {
        match insert_once_attempt(db, key, request_hash, draft.clone(), now, &render).await {
            Err(DbError::Other(err))
                if !retried
                    && matches!(
                        err.sql_err(),
                        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
                    ) =>
            {
                retried = true;
            }
            result => return result,
        }
    }
}

async fn insert_once_attempt(
    db: &Db,
    key: &str,
    request_hash: &str,
    draft: TaskDraft,
    now: Timestamp,
    render: &impl Fn(&Task) -> StoredResponse,
) -> Result<Keyed, DbError> {
    let txn = db.begin_write().await?;
    if let Some(stored) = idempotency_key::Entity::find_by_id(key.to_owned())
        .one(&txn)
        .await?
    {
        return Ok(if stored.request_hash == request_hash {
            Keyed::Replayed(StoredResponse {
                status: u16::try_from(stored.status).unwrap_or(201),
                body: stored.body,
                location: stored.location,
                etag: stored.etag,
            })
        } else {
            Keyed::KeyReused
        });
    }
    let task = insert_with(&txn, draft, now).await?;
    let response = render(&task);
    idempotency_key::Entity::insert(idempotency_key::ActiveModel {
        key: Set(key.to_owned()),
        request_hash: Set(request_hash.to_owned()),
        status: Set(i32::from(response.status)),
        body: Set(response.body.clone()),
        location: Set(response.location.clone()),
        etag: Set(response.etag.clone()),
        created_at: Set(now.as_micros()),
    })
    .exec(&txn)
    .await?;
    txn.commit().await?;
    Ok(Keyed::Created(response))
}

/// Forgets idempotency keys stored before `cutoff`; returns how many.
pub async fn purge_idempotency_keys(db: &Db, cutoff: Timestamp) -> Result<u64, DbError> {
    let result = idempotency_key::Entity::delete_many()
        .filter(idempotency_key::Column::CreatedAt.lt(cutoff.as_micros()))
        .exec(db.writer())
        .await?;
    Ok(result.rows_affected)
}

/// The tasks that match `query` in its window and order.
pub async fn list(db: &Db, query: &ListQuery) -> Result<Page, DbError> {
    let (rows, total, has_more) = match &query.window {
        Window::Page(page) => {
            // COUNT and page in one transaction, so they agree.
            let txn = db.reader().begin().await?;
            let filtered = filter(Entity::find(), query);
            let total = filtered.clone().count(&txn).await?;
            let rows = match ListQuery::offset(*page, query.per_page) {
                Some(offset) if offset < total => {
                    order(filtered, query.sort, query.order)
                        .offset(offset)
                        .limit(query.per_page)
                        .all(&txn)
                        .await?
                }
                // Past the end: nothing to read.
                _ => Vec::new(),
            };
            txn.commit().await?;
            let seen = ListQuery::offset(*page, query.per_page)
                .map_or(total, |offset| offset.saturating_add(rows.len() as u64));
            (rows, Some(total), seen < total)
        }
        Window::After(position) => {
            let mut rows = after(db, query, position).await?;
            let has_more = rows.len() as u64 > query.per_page;
            rows.truncate(query.per_page as usize);
            (rows, None, has_more)
        }
    };
    let items = rows
        .into_iter()
        .map(Task::try_from)
        .collect::<Result<_, _>>()?;
    Ok(Page {
        items,
        total,
        has_more,
    })
}

/// Keyset paging: up to `per_page + 1` tasks strictly after `position`,
/// each read an index walk from the position, whatever its depth.
async fn after(
    db: &Db,
    query: &ListQuery,
    position: &Position,
) -> Result<Vec<entity::Model>, DbError> {
    let limit = query.per_page + 1;
    let base = filter(Entity::find(), query);
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

fn filter(mut select: Select<Entity>, query: &ListQuery) -> Select<Entity> {
    if let Some(done) = query.done {
        select = select.filter(Column::Done.eq(done));
    }
    if let Some(q) = &query.q {
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
    use super::escape_like;

    #[test]
    fn like_metacharacters_are_escaped() {
        assert_eq!(escape_like(r"50%_a\b"), r"50\%\_a\\b");
    }
}
