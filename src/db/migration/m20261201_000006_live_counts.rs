//! Each owner's live tasks counted as they change (`owners.live_tasks`,
//! and of those `live_done`), so a page-mode list of all, done or not-done
//! tasks reads its total from one row instead of counting index entries.
//! Initialised here from the tasks as they are.

use sea_orm_migration::prelude::*;

use super::m20261201_000003_owners_and_keys::Owners;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
enum Counts {
    LiveTasks,
    LiveDone,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Counts::LiveTasks, Counts::LiveDone] {
            let mut owners = Table::alter();
            owners.table(Owners::Table).add_column(
                ColumnDef::new(column)
                    .big_integer()
                    .not_null()
                    .default(0)
                    .to_owned(),
            );
            manager.alter_table(owners.to_owned()).await?;
        }
        manager
            .get_connection()
            .execute_unprepared(
                "UPDATE owners SET \
                 live_tasks = (SELECT COUNT(*) FROM tasks \
                   WHERE tasks.owner_id = owners.id AND tasks.deleted_at IS NULL), \
                 live_done = (SELECT COUNT(*) FROM tasks \
                   WHERE tasks.owner_id = owners.id AND tasks.deleted_at IS NULL AND tasks.done)",
            )
            .await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in [Counts::LiveTasks, Counts::LiveDone] {
            let mut owners = Table::alter();
            owners.table(Owners::Table).drop_column(column);
            manager.alter_table(owners.to_owned()).await?;
        }
        Ok(())
    }
}
