//! The trash: a deleted task keeps its row, with `deleted_at` set, until it
//! is undeleted or purged.

use sea_orm_migration::prelude::*;

use super::m20261125_000001_create_tasks::Tasks;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Trash {
    DeletedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .alter_table(
                Table::alter()
                    .table(Tasks::Table)
                    .add_column(ColumnDef::new(Trash::DeletedAt).big_integer().null())
                    .to_owned(),
            )
            .await?;
        // For the purge of tasks past the retention.
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_deleted_at")
                    .table(Tasks::Table)
                    .col(Trash::DeletedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tasks_deleted_at")
                    .table(Tasks::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tasks::Table)
                    .drop_column(Trash::DeletedAt)
                    .to_owned(),
            )
            .await
    }
}
