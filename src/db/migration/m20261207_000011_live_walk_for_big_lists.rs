//! The live walk `(list_id, deleted_at, id)` kept only for sorted lists,
//! like the sort indexes (`db::sorted`): a small list's pages read its
//! tasks by the feed's index. A list is now sorted from 1,000 tasks with
//! those in the trash too (a small list's page reads its trashed tasks as
//! well), so every such list and its tasks are sorted here.

use sea_orm_migration::prelude::*;

use super::m20261125_000001_create_tasks::Tasks;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
enum Walk {
    Sorted,
    ListId,
    DeletedAt,
}

/// `db::sorted::SORTED_FROM` when this migration was written.
const SORTED_FROM: i64 = 1_000;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let conn = manager.get_connection();
        conn.execute_unprepared(&format!(
            "UPDATE task_lists SET sorted = TRUE WHERE NOT sorted AND id IN \
             (SELECT list_id FROM tasks GROUP BY list_id HAVING COUNT(*) >= {SORTED_FROM})"
        ))
        .await?;
        conn.execute_unprepared(
            "UPDATE tasks SET sorted = TRUE \
             WHERE NOT sorted AND list_id IN (SELECT id FROM task_lists WHERE sorted)",
        )
        .await?;
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tasks_owner_live_id")
                    .table(Tasks::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_sorted_live_id")
                    .table(Tasks::Table)
                    .col(Walk::ListId)
                    .col(Walk::DeletedAt)
                    .col(Tasks::Id)
                    .and_where(Expr::col(Walk::Sorted))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the sort indexes are rebuilt by a newer version only".to_owned(),
        ))
    }
}
