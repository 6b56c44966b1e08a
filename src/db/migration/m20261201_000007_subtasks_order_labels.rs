//! Subtasks, manual order and labels: `tasks.parent_id` (null: top level),
//! `tasks.position` (the task's key among its siblings, compared as bytes:
//! `COLLATE "C"` on PostgreSQL, SQLite's default), `tasks.labels` (the
//! task's labels joined by commas, for reading it in one row) and the
//! `task_labels` table the label filter reads through its index. Existing
//! tasks become top-level, in id order, unlabelled.

use sea_orm::DbBackend;
use sea_orm_migration::prelude::*;

use super::m20261125_000001_create_tasks::Tasks;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
enum Tree {
    ParentId,
    Position,
    Labels,
    OwnerId,
}

#[derive(DeriveIden)]
enum TaskLabels {
    Table,
    TaskId,
    OwnerId,
    Label,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let postgres = manager.get_database_backend() == DbBackend::Postgres;
        let mut position = ColumnDef::new(Tree::Position);
        position.string().not_null().default("");
        if postgres {
            position.extra("COLLATE \"C\"");
        }
        let columns = [
            ColumnDef::new(Tree::ParentId)
                .big_integer()
                .null()
                .to_owned(),
            position,
            ColumnDef::new(Tree::Labels)
                .string()
                .not_null()
                .default("")
                .to_owned(),
        ];
        for mut column in columns {
            let alter = Table::alter()
                .table(Tasks::Table)
                .add_column(&mut column)
                .to_owned();
            manager.alter_table(alter).await?;
        }
        // The key of number n: a head letter for its length, then its
        // digits (`OrderKey::of_number`).
        let number_keys = if postgres {
            "UPDATE tasks SET position = chr(96 + length(id::text)) || id::text"
        } else {
            "UPDATE tasks SET position = char(96 + length(id)) || id"
        };
        manager
            .get_connection()
            .execute_unprepared(number_keys)
            .await?;
        // Siblings in order (moves, creates reading the last key,
        // `sort=position` lists, subtree queries), in two partial indexes
        // so that a task is in one of them: subtasks by parent, and the top
        // level on its own, since PostgreSQL reads an index in `position`
        // order only under `parent_id = x` (`IS NULL` is no equality to its
        // planner: with one index, every top-level create or move sorted
        // all of the owner's top-level tasks).
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_owner_parent_position")
                    .table(Tasks::Table)
                    .col(Tree::OwnerId)
                    .col(Tree::ParentId)
                    .col(Tree::Position)
                    .col(Tasks::Id)
                    .and_where(Expr::col(Tree::ParentId).is_not_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_owner_top_position")
                    .table(Tasks::Table)
                    .col(Tree::OwnerId)
                    .col(Tree::Position)
                    .col(Tasks::Id)
                    .and_where(Expr::col(Tree::ParentId).is_null())
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TaskLabels::Table)
                    .col(ColumnDef::new(TaskLabels::TaskId).big_integer().not_null())
                    .col(ColumnDef::new(TaskLabels::Label).string().not_null())
                    .col(ColumnDef::new(TaskLabels::OwnerId).big_integer().not_null())
                    .primary_key(
                        Index::create()
                            .col(TaskLabels::TaskId)
                            .col(TaskLabels::Label),
                    )
                    .foreign_key(
                        ForeignKey::create()
                            .from(TaskLabels::Table, TaskLabels::TaskId)
                            .to(Tasks::Table, Tasks::Id)
                            .on_delete(ForeignKeyAction::Cascade),
                    )
                    .to_owned(),
            )
            .await?;
        // The label filter and the label counts read this index.
        manager
            .create_index(
                Index::create()
                    .name("idx_task_labels_owner_label_task")
                    .table(TaskLabels::Table)
                    .col(TaskLabels::OwnerId)
                    .col(TaskLabels::Label)
                    .col(TaskLabels::TaskId)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(TaskLabels::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tasks_owner_top_position")
                    .table(Tasks::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tasks_owner_parent_position")
                    .table(Tasks::Table)
                    .to_owned(),
            )
            .await?;
        for column in [Tree::ParentId, Tree::Position, Tree::Labels] {
            let alter = Table::alter()
                .table(Tasks::Table)
                .drop_column(column)
                .to_owned();
            manager.alter_table(alter).await?;
        }
        Ok(())
    }
}
