//! A sorted list's walks of its live tasks by id, and of its live tasks
//! done or not by id, are indexes of its live tasks only: `(list_id, id)`
//! and `(list_id, done, id)` over sorted tasks not in the trash, instead of
//! `(list_id, deleted_at, id)` and `(list_id, deleted_at, done, id)`.
//! PostgreSQL does not count `deleted_at IS NULL` as an equality when it
//! orders by an index, so it sorted every live task of a big list for one
//! page of it (SQLite did not); and trashed tasks are not walked by these.

use sea_orm_migration::prelude::*;

use super::m20261125_000001_create_tasks::Tasks;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
enum Walk {
    Sorted,
    ListId,
    DeletedAt,
    Done,
}

/// (old index, new index, its columns after `list_id`).
fn walks() -> [(&'static str, &'static str, Vec<DynIden>); 2] {
    [
        (
            "idx_tasks_sorted_live_id",
            "idx_tasks_sorted_live",
            vec![Tasks::Id.into_iden()],
        ),
        (
            "idx_tasks_sorted_live_done_id",
            "idx_tasks_sorted_live_done",
            vec![Walk::Done.into_iden(), Tasks::Id.into_iden()],
        ),
    ]
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (old, new, columns) in walks() {
            manager
                .drop_index(Index::drop().name(old).table(Tasks::Table).to_owned())
                .await?;
            let mut index = Index::create();
            index
                .name(new)
                .table(Tasks::Table)
                .col(Walk::ListId)
                .and_where(Expr::col(Walk::Sorted))
                .and_where(Expr::col(Walk::DeletedAt).is_null());
            for column in columns {
                index.col(column);
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "the sort indexes are rebuilt by a newer version only".to_owned(),
        ))
    }
}
