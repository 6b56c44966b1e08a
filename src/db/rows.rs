//! Task rows: reading one as a `Task` (as stored, never refused for a
//! rule written later), writing a `Task`'s columns, and the list's scope
//! every statement on `tasks` starts from.

use std::sync::OnceLock;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, Query, SimpleExpr};
use sea_orm::{
    ColumnTrait, DbBackend, DeleteMany, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    QueryTrait, Select, Statement, UpdateMany,
};

use super::DbError;
use super::entity::{self, ActiveModel, Column, Entity};
use crate::domain::{Description, Labels, ListId, OrderKey, OwnerId, Task, Timestamp, Title};

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
            list: ListId(row.list_id),
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
/// `seq` of its list's history.
pub(super) fn columns(task: &Task, seq: i64) -> ActiveModel {
    ActiveModel {
        id: NotSet,
        list_id: Set(task.list.0),
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
        // The list's: set on insert and move (`db::sorted`), never changed
        // by an update.
        sorted: NotSet,
    }
}

/// Task rows read by a raw statement (a `SELECT` with extra columns, or
/// `RETURNING *`).
pub(super) fn task_rows(rows: &[sea_orm::QueryResult]) -> Result<Vec<entity::Model>, DbError> {
    rows.iter()
        .map(|row| entity::Model::from_query_result(row, "").map_err(DbError::from))
        .collect()
}

/// The tasks of `list`: every query starts here, so no query can see or
/// touch another list's task.
pub(crate) fn listed(list: ListId) -> Select<Entity> {
    Entity::find().filter(Column::ListId.eq(list.0))
}

/// An UPDATE of `list`'s tasks: every UPDATE on `tasks` starts here, so
/// none can change another list's task, whatever ids it is given.
pub(super) fn listed_update(list: ListId) -> UpdateMany<Entity> {
    Entity::update_many().filter(Column::ListId.eq(list.0))
}

/// A DELETE of `list`'s tasks (see `listed_update`).
pub(super) fn listed_delete(list: ListId) -> DeleteMany<Entity> {
    Entity::delete_many().filter(Column::ListId.eq(list.0))
}

/// A DELETE of tasks of every list: only the trash retention, which purges
/// what every list trashed long enough ago, is cross-list by design.
pub(super) fn every_owners_delete() -> DeleteMany<Entity> {
    Entity::delete_many()
}

/// `column` names one of `lists`: `=` for one (so an index on the list
/// and a sort column walks in order), `IN` for several, nothing for none.
pub(crate) fn among(column: Expr, lists: &[ListId]) -> SimpleExpr {
    match lists {
        [list] => column.eq(list.0),
        _ => column.is_in(lists.iter().map(|l| l.0)),
    }
}

/// The tasks of `lists` (a caller's visible lists, or one of them).
pub(crate) fn listed_in(lists: &[ListId]) -> Select<Entity> {
    Entity::find().filter(among(Expr::col(Column::ListId), lists))
}

/// The tasks of `lists` that are not in the trash.
pub(super) fn live_in(lists: &[ListId]) -> Select<Entity> {
    listed_in(lists).filter(Column::DeletedAt.is_null())
}

/// The tasks of `list` that are not in the trash.
pub(super) fn live(list: ListId) -> Select<Entity> {
    listed(list).filter(Column::DeletedAt.is_null())
}

/// The task with this id, not in the trash, if it is in `owner`'s `inbox`
/// or `owner` is a member of its list and the list is not in the trash:
/// the query `find` runs. The check of membership is part of the same
/// statement, and is not made for a task of the inbox (which only its
/// owner sees, and which is never trashed).
pub(super) fn one_visible(owner: OwnerId, inbox: ListId, id: i64) -> Select<Entity> {
    Entity::find()
        .filter(Column::Id.eq(id))
        .filter(Column::DeletedAt.is_null())
        .filter(
            Expr::col(Column::ListId)
                .eq(inbox.0)
                .or(Expr::exists(member_of_list(owner))),
        )
        .limit(1)
}

/// A row when `owner` is a member of the list of the task the outer
/// query reads, and the list is not in the trash.
fn member_of_list(owner: OwnerId) -> sea_orm::sea_query::SelectStatement {
    let (m, l) = (Alias::new("m"), Alias::new("l"));
    Query::select()
        .expr(Expr::val(1))
        .from_as(Alias::new("list_members"), m.clone())
        .join_as(
            sea_orm::sea_query::JoinType::InnerJoin,
            Alias::new("task_lists"),
            l.clone(),
            Expr::col((l.clone(), Alias::new("id"))).equals((m.clone(), Alias::new("list_id"))),
        )
        .and_where(Expr::col((m.clone(), Alias::new("list_id"))).equals((Entity, Column::ListId)))
        .and_where(Expr::col((m, Alias::new("owner_id"))).eq(owner.0))
        .and_where(Expr::col((l, Alias::new("deleted_at"))).is_null())
        .to_owned()
}

/// `one_visible`'s statement. Its text is the same for every owner and id,
/// so sea-query builds it once per backend and each call only binds the
/// values (building it was ~5 % of a GET by id's cycles; without it, GETs
/// by id measured +6 to +13 %); a unit test holds this equal to
/// `one_visible` built, values and their order included.
pub(super) fn one_visible_statement(
    backend: DbBackend,
    owner: OwnerId,
    inbox: ListId,
    id: i64,
) -> Statement {
    static TEXT: [OnceLock<String>; 3] = [OnceLock::new(), OnceLock::new(), OnceLock::new()];
    let slot = match backend {
        DbBackend::Sqlite => 0,
        DbBackend::Postgres => 1,
        _ => 2,
    };
    let sql = TEXT[slot].get_or_init(|| one_visible(owner, inbox, id).build(backend).sql);
    Statement::from_sql_and_values(
        backend,
        sql.as_str(),
        [
            id.into(),
            inbox.0.into(),
            1i32.into(),
            owner.0.into(),
            1u64.into(),
        ],
    )
}

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, QueryTrait};

    use super::{ListId, OwnerId, one_visible, one_visible_statement};

    #[test]
    fn the_stored_text_of_a_get_by_id_is_the_query_built_anew() {
        for backend in [DbBackend::Sqlite, DbBackend::Postgres] {
            for (owner, id) in [(OwnerId(1), 7), (OwnerId(42), i64::MAX)] {
                let inbox = ListId(owner.0 + 3);
                let built = one_visible(owner, inbox, id).build(backend);
                let stored = one_visible_statement(backend, owner, inbox, id);
                assert_eq!(stored.sql, built.sql, "{backend:?}");
                assert_eq!(stored.values, built.values, "{backend:?}");
            }
        }
    }
}
