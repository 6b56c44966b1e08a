//! The sort indexes only for big lists (`db::sorted`): `tasks.sorted` and
//! `task_lists.sorted`, set for each list with 1,000 live tasks or more and
//! all its tasks; the indexes by created, updated and due time, by title,
//! and of live tasks by done become partial indexes over sorted tasks. The
//! index by time trashed (the retention's) keeps only trashed tasks, so a
//! create or change of a live task writes neither.

use sea_orm_migration::prelude::*;

use super::m20261125_000001_create_tasks::Tasks;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
enum Sorting {
    Sorted,
    ListId,
    DeletedAt,
    Done,
}

#[derive(DeriveIden)]
enum TaskLists {
    Table,
}

/// `db::sorted::SORTED_FROM` when this migration was written.
const SORTED_FROM: i64 = 1_000;

fn flag() -> ColumnDef {
    ColumnDef::new(Sorting::Sorted)
        .boolean()
        .not_null()
        .default(false)
        .to_owned()
}

/// Each index made partial: (old name, new name, columns after `list_id`).
fn indexes() -> [(&'static str, &'static str, Vec<DynIden>); 5] {
    let id = || Tasks::Id.into_iden();
    [
        (
            "idx_tasks_owner_created_at_id",
            "idx_tasks_sorted_created_at_id",
            vec![Tasks::CreatedAt.into_iden(), id()],
        ),
        (
            "idx_tasks_owner_updated_at_id",
            "idx_tasks_sorted_updated_at_id",
            vec![Tasks::UpdatedAt.into_iden(), id()],
        ),
        (
            "idx_tasks_owner_due_at_id",
            "idx_tasks_sorted_due_at_id",
            vec![Tasks::DueAt.into_iden(), id()],
        ),
        (
            "idx_tasks_owner_title_id",
            "idx_tasks_sorted_title_id",
            vec![Tasks::Title.into_iden(), id()],
        ),
        (
            "idx_tasks_owner_live_done_id",
            "idx_tasks_sorted_live_done_id",
            vec![
                Sorting::DeletedAt.into_iden(),
                Sorting::Done.into_iden(),
                id(),
            ],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [Tasks::Table.into_iden(), TaskLists::Table.into_iden()] {
            let alter = Table::alter().table(table).add_column(flag()).to_owned();
            manager.alter_table(alter).await?;
        }
        let conn = manager.get_connection();
        conn.execute_unprepared(&format!(
            "UPDATE task_lists SET sorted = TRUE WHERE live_tasks >= {SORTED_FROM}"
        ))
        .await?;
        conn.execute_unprepared(
            "UPDATE tasks SET sorted = TRUE \
             WHERE list_id IN (SELECT id FROM task_lists WHERE sorted)",
        )
        .await?;
        for (old, new, columns) in indexes() {
            manager
                .drop_index(Index::drop().name(old).table(Tasks::Table).to_owned())
                .await?;
            let mut index = Index::create();
            index
                .name(new)
                .table(Tasks::Table)
                .col(Sorting::ListId)
                .and_where(Expr::col(Sorting::Sorted));
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        manager
            .drop_index(
                Index::drop()
                    .name("idx_tasks_deleted_at")
                    .table(Tasks::Table)
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_tasks_trashed_at")
                    .table(Tasks::Table)
                    .col(Sorting::DeletedAt)
                    .and_where(Expr::col(Sorting::DeletedAt).is_not_null())
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
