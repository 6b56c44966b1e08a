//! The change feed: every write takes the next number of its owner's
//! history (`owners.change_seq`), the task row keeps the number of its last
//! change, and a task removed for good leaves a tombstone with its number
//! until the feed's retention ends, when `owners.history_floor` records
//! that older positions can no longer be served. Existing tasks are
//! numbered by id.

use sea_orm_migration::prelude::*;

use super::m20261125_000001_create_tasks::Tasks;
use super::m20261201_000003_owners_and_keys::Owners;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
enum Feed {
    ChangeSeq,
    HistoryFloor,
    OwnerId,
    TaskId,
    DeletedAt,
}

#[derive(DeriveIden)]
enum Tombstones {
    Table,
}

/// A `BIGINT NOT NULL DEFAULT 0` column.
fn counter(name: Feed) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Feed::ChangeSeq, Feed::HistoryFloor] {
            let mut owners = Table::alter();
            owners.table(Owners::Table).add_column(counter(column));
            manager.alter_table(owners.to_owned()).await?;
        }
        manager
            .alter_table(
                Table::alter()
                    .table(Tasks::Table)
                    .add_column(counter(Feed::ChangeSeq))
                    .to_owned(),
            )
            .await?;
        let conn = manager.get_connection();
        // Ids are unique, so they number each owner's tasks uniquely too.
        conn.execute_unprepared("UPDATE tasks SET change_seq = id")
            .await?;
        conn.execute_unprepared(
            "UPDATE owners SET change_seq = COALESCE(\
             (SELECT MAX(change_seq) FROM tasks WHERE tasks.owner_id = owners.id), 0)",
        )
        .await?;
        // The feed reads in this order; unique, so a number given twice is
        // an error rather than a change a client never sees.
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_owner_change_seq")
                    .table(Tasks::Table)
                    .col(Feed::OwnerId)
                    .col(Feed::ChangeSeq)
                    .unique()
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Tombstones::Table)
                    .col(ColumnDef::new(Feed::OwnerId).big_integer().not_null())
                    .col(ColumnDef::new(Feed::ChangeSeq).big_integer().not_null())
                    .col(ColumnDef::new(Feed::TaskId).big_integer().not_null())
                    .col(ColumnDef::new(Feed::DeletedAt).big_integer().not_null())
                    .primary_key(Index::create().col(Feed::OwnerId).col(Feed::ChangeSeq))
                    .foreign_key(
                        ForeignKey::create()
                            .from(Tombstones::Table, Feed::OwnerId)
                            .to(Owners::Table, Owners::Id),
                    )
                    .to_owned(),
            )
            .await?;
        // For the end of the retention.
        manager
            .create_index(
                Index::create()
                    .name("idx_tombstones_deleted_at")
                    .table(Tombstones::Table)
                    .col(Feed::DeletedAt)
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Tombstones::Table).to_owned())
            .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tasks_owner_change_seq")
                    .table(Tasks::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .alter_table(
                Table::alter()
                    .table(Tasks::Table)
                    .drop_column(Feed::ChangeSeq)
                    .to_owned(),
            )
            .await?;
        for column in [Feed::ChangeSeq, Feed::HistoryFloor] {
            let mut owners = Table::alter();
            owners.table(Owners::Table).drop_column(column);
            manager.alter_table(owners.to_owned()).await?;
        }
        Ok(())
    }
}
