//! Task rows: reading one as a `Task` (as stored, never refused for a
//! rule written later), writing a `Task`'s columns, and the owner's scope
//! every statement on `tasks` starts from.

use std::sync::OnceLock;

use sea_orm::ActiveValue::{NotSet, Set};
use sea_orm::{
    ColumnTrait, DbBackend, DeleteMany, EntityTrait, FromQueryResult, QueryFilter, QuerySelect,
    QueryTrait, Select, Statement, UpdateMany,
};

use super::DbError;
use super::entity::{self, ActiveModel, Column, Entity};
use crate::domain::{Description, Labels, OrderKey, OwnerId, Task, Timestamp, Title};

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

/// Task rows read by a raw statement (a `SELECT` with extra columns, or
/// `RETURNING *`).
pub(super) fn task_rows(rows: &[sea_orm::QueryResult]) -> Result<Vec<entity::Model>, DbError> {
    rows.iter()
        .map(|row| entity::Model::from_query_result(row, "").map_err(DbError::from))
        .collect()
}

/// The tasks of `owner`: every query starts here, so no query can see or
/// touch another owner's task.
pub(crate) fn owned(owner: OwnerId) -> Select<Entity> {
    Entity::find().filter(Column::OwnerId.eq(owner.0))
}

/// An UPDATE of `owner`'s tasks: every UPDATE on `tasks` starts here, so
/// none can change another owner's task, whatever ids it is given.
pub(super) fn owned_update(owner: OwnerId) -> UpdateMany<Entity> {
    Entity::update_many().filter(Column::OwnerId.eq(owner.0))
}

/// A DELETE of `owner`'s tasks (see `owned_update`).
pub(super) fn owned_delete(owner: OwnerId) -> DeleteMany<Entity> {
    Entity::delete_many().filter(Column::OwnerId.eq(owner.0))
}

/// A DELETE of tasks of every owner: only the trash retention, which purges
/// what every owner trashed long enough ago, is cross-owner by design.
pub(super) fn every_owners_delete() -> DeleteMany<Entity> {
    Entity::delete_many()
}

/// The tasks of `owner` that are not in the trash.
pub(super) fn live(owner: OwnerId) -> Select<Entity> {
    owned(owner).filter(Column::DeletedAt.is_null())
}

/// `owner`'s task with this id: the query `find` runs.
pub(super) fn one_live(owner: OwnerId, id: i64) -> Select<Entity> {
    live(owner).filter(Column::Id.eq(id)).limit(1)
}

/// `one_live`'s statement. Its text is the same for every owner and id, so
/// sea-query builds it once per backend and each call only binds the values
/// (building it was ~5 % of a GET by id's cycles; without it, GETs by id
/// measured +6 to +13 %); a unit test holds this equal to `one_live` built,
/// values and their order included.
pub(super) fn one_live_statement(backend: DbBackend, owner: OwnerId, id: i64) -> Statement {
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

#[cfg(test)]
mod tests {
    use sea_orm::{DbBackend, QueryTrait};

    use super::{OwnerId, one_live, one_live_statement};

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
}
