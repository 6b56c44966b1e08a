//! The sea-orm entity of the `tasks` table (the `idempotency_keys` table
//! belongs to `crate::idempotency`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tasks")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    /// The list's id (`lists.id`).
    pub list_id: i64,
    pub title: String,
    pub description: Option<String>,
    pub done: bool,
    /// Microseconds since the Unix epoch.
    pub due_at: Option<i64>,
    /// Microseconds since the Unix epoch.
    pub created_at: i64,
    /// Microseconds since the Unix epoch.
    pub updated_at: i64,
    /// 1 when created, incremented by every change: the ETag.
    pub version: i64,
    /// When the task was moved to the trash (microseconds), or null.
    pub deleted_at: Option<i64>,
    /// The number of the task's last change in its list's history (the
    /// change feed's order).
    pub change_seq: i64,
    /// The task this one is a subtask of, or null (top level).
    pub parent_id: Option<i64>,
    /// Its key among its siblings (`OrderKey`), compared as bytes.
    pub position: String,
    /// Its labels joined by commas (`task_labels` has one row each, for
    /// the filter).
    pub labels: String,
    /// Whether it is in the sort indexes: set for every task of a list
    /// with many (`db::sorted`).
    pub sorted: bool,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
