//! Labels: one row per (task, label) in `task_labels`, beside the task's
//! own `labels` column that reads return. The filter and the counts use the
//! index on `(owner_id, label, task_id)`; rows go with their task when it
//! is removed for good (`ON DELETE CASCADE`).

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entity;
use super::{Db, DbError};
use crate::domain::{Label, Labels, OwnerId};

pub mod task_label {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "task_labels")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub task_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub label: String,
        pub owner_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use task_label::{Column, Entity};

/// Gives task `task_id` of `owner` exactly `labels` (its rows; the task's
/// column is written with the task). `had` is the set it had.
pub async fn replace(
    conn: &impl ConnectionTrait,
    owner: OwnerId,
    task_id: i64,
    had: &Labels,
    labels: &Labels,
) -> Result<(), DbError> {
    if had == labels {
        return Ok(());
    }
    if !had.is_empty() {
        Entity::delete_many()
            .filter(Column::TaskId.eq(task_id))
            .exec(conn)
            .await?;
    }
    if labels.is_empty() {
        return Ok(());
    }
    let rows = labels.iter().map(|label| task_label::ActiveModel {
        task_id: sea_orm::ActiveValue::Set(task_id),
        label: sea_orm::ActiveValue::Set(label.as_str().to_owned()),
        owner_id: sea_orm::ActiveValue::Set(owner.0),
    });
    Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// `tasks.id IN (the ids of owner's tasks labelled label)`: an index range.
pub fn labelled(owner: OwnerId, label: &Label) -> sea_orm::sea_query::SimpleExpr {
    let ids = Query::select()
        .column(Column::TaskId)
        .from(Entity)
        .and_where(Expr::col(Column::OwnerId).eq(owner.0))
        .and_where(Expr::col(Column::Label).eq(label.as_str()))
        .to_owned();
    entity::Column::Id.in_subquery(ids)
}

/// One of an owner's labels and how many of its live tasks carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelCount {
    pub label: Label,
    pub tasks: u64,
}

/// Every label of `owner`'s live tasks with its count, by name.
pub async fn counts(db: &Db, owner: OwnerId) -> Result<Vec<LabelCount>, DbError> {
    db.timed("label_counts", async move {
        let select = Query::select()
            .column((Entity, Column::Label))
            .expr_as(Expr::cust("COUNT(*)"), "tasks")
            .from(Entity)
            .inner_join(
                entity::Entity,
                Expr::col((entity::Entity, entity::Column::Id)).equals((Entity, Column::TaskId)),
            )
            .and_where(Expr::col((Entity, Column::OwnerId)).eq(owner.0))
            .and_where(Expr::col((entity::Entity, entity::Column::DeletedAt)).is_null())
            .group_by_col((Entity, Column::Label))
            .order_by((Entity, Column::Label), sea_orm::Order::Asc)
            .to_owned();
        let rows = db.reader().query_all(&select).await?;
        rows.iter()
            .map(|row| {
                let name: String = row.try_get("", "label")?;
                let tasks: i64 = row.try_get("", "tasks")?;
                let label = Label::parse(&name).map_err(|_| DbError::Corrupt {
                    row: format!("label {name:?}"),
                    reason: "label breaks its rules",
                })?;
                Ok(LabelCount {
                    label,
                    tasks: u64::try_from(tasks).unwrap_or(0),
                })
            })
            .collect()
    })
    .await
}
