//! Labels: one row per (task, label) in `task_labels`, beside the task's
//! own `labels` column that reads return. The filter and the counts use the
//! index on `(list_id, label, task_id)`; rows go with their task when it
//! is removed for good (`ON DELETE CASCADE`).

use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};

use super::entity;
use super::rows::among;
use super::{Db, DbError};
use crate::domain::{Label, Labels, ListId};

pub mod task_label {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "task_labels")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub task_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub label: String,
        pub list_id: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

use task_label::{Column, Entity};

/// Gives task `task_id` of `list` exactly `labels` (its rows; the task's
/// column is written with the task). `had` is the set it had.
pub async fn replace(
    conn: &impl ConnectionTrait,
    list: ListId,
    task_id: i64,
    had: &Labels,
    labels: &Labels,
) -> Result<(), DbError> {
    if had == labels {
        return Ok(());
    }
    if !had.is_empty() {
        Entity::delete_many()
            .filter(Column::ListId.eq(list.0))
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
        list_id: sea_orm::ActiveValue::Set(list.0),
    });
    Entity::insert_many(rows)
        .exec_without_returning(conn)
        .await?;
    Ok(())
}

/// `EXISTS (task_labels row of this task and label)`: one primary-key
/// lookup per task the query walks.
pub fn carried(label: &Label) -> sea_orm::sea_query::SimpleExpr {
    let row = Query::select()
        .expr(Expr::val(1))
        .from(Entity)
        .and_where(Expr::col((Entity, Column::TaskId)).equals((entity::Entity, entity::Column::Id)))
        .and_where(Expr::col((Entity, Column::Label)).eq(label.as_str()))
        .to_owned();
    Expr::exists(row)
}

/// `tasks.id IN (the ids of list's tasks labelled label)`: an index range.
pub fn labelled(lists: &[ListId], label: &Label) -> sea_orm::sea_query::SimpleExpr {
    let ids = Query::select()
        .column(Column::TaskId)
        .from(Entity)
        .and_where(among(Expr::col(Column::ListId), lists))
        .and_where(Expr::col(Column::Label).eq(label.as_str()))
        .to_owned();
    entity::Column::Id.in_subquery(ids)
}

/// Labels with at most this many entries are read whole (an `IN` list);
/// more common ones are looked up task by task. Reading a list costs its
/// length; probing costs about `per_page × tasks ÷ entries` lookups; they
/// meet near √(per_page × tasks), a few thousand at a million tasks; the
/// threshold stays below that so the count that decides stays cheap.
const LISTED_AT_MOST: u64 = 1_024;

/// How each label filter of a list is written, since SQLite's planner
/// runs an `IN (subquery)` and an `EXISTS` as written: `IN` reads the
/// label's entries whole (cheap for a rare label), `EXISTS` looks each
/// task up as the list walks its order (cheap for a common label, as the
/// page fills soon).
#[derive(Clone, Debug, Default)]
pub struct LabelPlan {
    listed: Vec<bool>,
    /// Every label as a list (a COUNT reads every entry anyway).
    all: bool,
}

impl LabelPlan {
    /// The plan of a COUNT: every label's entries read from its index.
    pub fn counting() -> Self {
        Self {
            listed: Vec::new(),
            all: true,
        }
    }

    /// Whether label `index` is read as a list.
    pub fn listed(&self, index: usize) -> bool {
        self.all || self.listed.get(index).copied().unwrap_or(false)
    }
}

/// The plan of a list filtered by `labels`: one statement counting each
/// label's entries up to the threshold (none without labels).
pub async fn plan(db: &Db, lists: &[ListId], labels: &[Label]) -> Result<LabelPlan, DbError> {
    if labels.is_empty() {
        return Ok(LabelPlan::default());
    }
    let mut select = Query::select();
    for (index, label) in labels.iter().enumerate() {
        let entries = Query::select()
            .expr(Expr::val(1))
            .from(Entity)
            .and_where(among(Expr::col(Column::ListId), lists))
            .and_where(Expr::col(Column::Label).eq(label.as_str()))
            .limit(LISTED_AT_MOST + 1)
            .to_owned();
        let count = Query::select()
            .expr(Expr::cust("COUNT(*)"))
            .from_subquery(entries, sea_orm::sea_query::Alias::new("entries"))
            .to_owned();
        select.expr_as(
            Expr::SubQuery(None, Box::new(count.into())),
            sea_orm::sea_query::Alias::new(format!("c{index}")),
        );
    }
    let row = db.reader().query_one(&select).await?;
    let mut listed = Vec::with_capacity(labels.len());
    for index in 0..labels.len() {
        let entries: i64 = match &row {
            Some(row) => row.try_get("", &format!("c{index}"))?,
            None => 0,
        };
        listed.push(u64::try_from(entries).unwrap_or(0) <= LISTED_AT_MOST);
    }
    Ok(LabelPlan { listed, all: false })
}

/// One of an list's labels and how many of its live tasks carry it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelCount {
    pub label: Label,
    pub tasks: u64,
}

/// Every label of the live tasks of `lists` with its count, by name.
pub async fn counts(db: &Db, lists: &[ListId]) -> Result<Vec<LabelCount>, DbError> {
    let lists = lists.to_vec();
    db.timed("label_counts", async move {
        let lists = &lists[..];
        let select = Query::select()
            .column((Entity, Column::Label))
            .expr_as(Expr::cust("COUNT(*)"), "tasks")
            .from(Entity)
            .inner_join(
                entity::Entity,
                Expr::col((entity::Entity, entity::Column::Id)).equals((Entity, Column::TaskId)),
            )
            .and_where(among(Expr::col((Entity, Column::ListId)), lists))
            .and_where(Expr::col((entity::Entity, entity::Column::DeletedAt)).is_null())
            .group_by_col((Entity, Column::Label))
            .order_by((Entity, Column::Label), sea_orm::Order::Asc)
            .to_owned();
        let rows = db.reader().query_all(&select).await?;
        rows.iter()
            .map(|row| {
                let name: String = row.try_get("", "label")?;
                let tasks: i64 = row.try_get("", "tasks")?;
                Ok(LabelCount {
                    label: Label::from_stored(&name),
                    tasks: u64::try_from(tasks).unwrap_or(0),
                })
            })
            .collect()
    })
    .await
}
