//! The trash: a deleted task keeps its row, with `deleted_at` set, until it
//! is undeleted or purged. Lists read only live tasks, so the indexes their
//! COUNT walks include `deleted_at` (and stay covering).

use sea_orm_migration::prelude::*;

use super::m20261125_000001_create_tasks::Tasks;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
enum Trash {
    DeletedAt,
    OwnerId,
}

/// The owner-led indexes a COUNT walks, replaced by ones with `deleted_at`
/// after the owner: (old name, new name, with `done`).
const COUNTED: [(&str, &str, bool); 2] = [
    ("idx_tasks_owner_id", "idx_tasks_owner_live_id", false),
    (
        "idx_tasks_owner_done_id",
        "idx_tasks_owner_live_done_id",
        true,
    ),
];

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
        for (old, new, with_done) in COUNTED {
            manager
                .drop_index(Index::drop().name(old).table(Tasks::Table).to_owned())
                .await?;
            let mut index = Index::create();
            index
                .name(new)
                .table(Tasks::Table)
                .col(Trash::OwnerId)
                .col(Trash::DeletedAt);
            if with_done {
                index.col(Tasks::Done);
            }
            manager
                .create_index(index.col(Tasks::Id).to_owned())
                .await?;
        }
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
