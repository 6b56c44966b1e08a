//! Queries on the `tasks` table.

use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr, NullOrdering};
use sea_orm::{
    ActiveValue::{NotSet, Set},
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, Select,
    TransactionTrait,
};

use super::entity::{self, ActiveModel, Column, Entity};
use super::{Db, DbError};
use crate::domain::{ListQuery, SortField, SortOrder, Task, TaskChanges, TaskDraft, Timestamp};

/// One page of tasks and the number of tasks that match the filters.
#[derive(Debug)]
pub struct Page {
    pub items: Vec<Task>,
    pub total: u64,
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
    }
}

/// Stores a new task and returns it with its id.
pub async fn insert(db: &Db, draft: TaskDraft, now: Timestamp) -> Result<Task, DbError> {
    let mut task = Task {
        id: 0,
        title: draft.title.into_inner(),
        description: draft.description.map(|d| d.into_inner()),
        done: draft.done,
        due_at: draft.due_at,
        created_at: now,
        updated_at: now,
    };
    // A plain INSERT and last_insert_rowid(), not INSERT … RETURNING, which
    // sqlx has been seen to leave unstepped (holding back WAL checkpoints).
    let result = Entity::insert(columns(&task)).exec(db.writer()).await?;
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

/// Applies `changes` to the task with this id in one write transaction and
/// returns the result, or `None` when there is no such task.
pub async fn update(
    db: &Db,
    id: i64,
    changes: TaskChanges,
    now: Timestamp,
) -> Result<Option<Task>, DbError> {
    let txn = db.begin_write().await?;
    let Some(row) = Entity::find_by_id(id).one(&txn).await? else {
        return Ok(None);
    };
    let current = Task::try_from(row)?;
    let next = current.with_changes(changes, now);
    if next != current {
        Entity::update_many()
            .set(columns(&next))
            .filter(Column::Id.eq(id))
            .exec(&txn)
            .await?;
    }
    txn.commit().await?;
    Ok(Some(next))
}

/// Deletes the task with this id; `false` when there was none.
pub async fn delete(db: &Db, id: i64) -> Result<bool, DbError> {
    let result = Entity::delete_by_id(id).exec(db.writer()).await?;
    Ok(result.rows_affected > 0)
}

/// One page of the tasks that match `query`, in its order, with the count of
/// all matches. Both are read in one transaction, so they agree.
pub async fn list(db: &Db, query: &ListQuery) -> Result<Page, DbError> {
    let txn = db.reader().begin().await?;
    let filtered = filter(Entity::find(), query);
    let total = filtered.clone().count(&txn).await?;
    let items = match query.offset() {
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
    let items = items
        .into_iter()
        .map(Task::try_from)
        .collect::<Result<_, _>>()?;
    Ok(Page { items, total })
}

fn filter(mut select: Select<Entity>, query: &ListQuery) -> Select<Entity> {
    if let Some(done) = query.done {
        select = select.filter(Column::Done.eq(done));
    }
    if let Some(q) = &query.q {
        let pattern = format!("%{}%", escape_like(&q.to_lowercase()));
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

fn order(select: Select<Entity>, field: SortField, order: SortOrder) -> Select<Entity> {
    let direction = match order {
        SortOrder::Ascending => sea_orm::Order::Asc,
        SortOrder::Descending => sea_orm::Order::Desc,
    };
    let select = match field {
        SortField::Id => select,
        SortField::CreatedAt => select.order_by(Column::CreatedAt, direction.clone()),
        SortField::UpdatedAt => select.order_by(Column::UpdatedAt, direction.clone()),
        // Tasks with no due date come last in both directions.
        SortField::DueAt => {
            select.order_by_with_nulls(Column::DueAt, direction.clone(), NullOrdering::Last)
        }
        SortField::Title => select.order_by(Column::Title, direction.clone()),
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
