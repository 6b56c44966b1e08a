//! Task lists and their members. Every owner gets a default list, its
//! inbox, with the id of the owner (so every existing task, whose
//! `owner_id` named its owner, names its inbox once the column is renamed
//! `list_id`); the history's numbers and the live counts move from the
//! owner's row to the list's (`owners.change_seq`, `history_floor`,
//! `live_tasks`, `live_done` stay, unused); tombstones are kept per list.
//! Tokens of the feed issued before are refused by their version (410).

use sea_orm_migration::prelude::*;

use super::m20261125_000001_create_tasks::Tasks;
use super::m20261201_000003_owners_and_keys::Owners;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
pub(super) enum TaskLists {
    Table,
    Id,
    Title,
    CreatedAt,
    UpdatedAt,
    Version,
    DeletedAt,
    InboxOf,
    ChangeSeq,
    HistoryFloor,
    LiveTasks,
    LiveDone,
    EventSeq,
    Members,
}

#[derive(DeriveIden)]
enum ListMembers {
    Table,
    ListId,
    OwnerId,
    Role,
    AddedAt,
}

#[derive(DeriveIden)]
enum Renamed {
    OwnerId,
    ListId,
}

#[derive(DeriveIden)]
enum TaskLabels {
    Table,
}

#[derive(DeriveIden)]
enum Tombstones {
    Table,
    ChangeSeq,
    TaskId,
    DeletedAt,
}

#[derive(DeriveIden)]
enum OldTombstones {
    #[sea_orm(iden = "tombstones_before_lists")]
    Table,
}

fn big(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name).big_integer().not_null().to_owned()
}

fn counter(name: impl IntoIden) -> ColumnDef {
    ColumnDef::new(name)
        .big_integer()
        .not_null()
        .default(0)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_lists(manager).await?;
        let conn = manager.get_connection();
        // Each owner's inbox, with the owner's id, history and counts.
        conn.execute_unprepared(
            "INSERT INTO task_lists (id, title, created_at, updated_at, version, inbox_of, \
             change_seq, history_floor, live_tasks, live_done, event_seq, members) \
             SELECT id, 'Inbox', created_at, created_at, 1, id, \
             change_seq, history_floor, live_tasks, live_done, 0, 1 FROM owners",
        )
        .await?;
        conn.execute_unprepared(
            "INSERT INTO list_members (list_id, owner_id, role, added_at) \
             SELECT id, id, 'owner', created_at FROM owners",
        )
        .await?;
        if manager.get_database_backend() == sea_orm::DbBackend::Postgres {
            conn.execute_unprepared(
                "SELECT setval(pg_get_serial_sequence('task_lists', 'id'), \
                 GREATEST((SELECT MAX(id) FROM task_lists), (SELECT MAX(id) FROM owners), 1))",
            )
            .await?;
        }
        for table in [Tasks::Table.into_iden(), TaskLabels::Table.into_iden()] {
            let mut rename = Table::alter();
            rename
                .table(table)
                .rename_column(Renamed::OwnerId, Renamed::ListId);
            manager.alter_table(rename.to_owned()).await?;
        }
        rebuild_tombstones(manager).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "lists cannot be removed without losing which task is in which".to_owned(),
        ))
    }
}

async fn create_lists(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(TaskLists::Table)
                .col(
                    ColumnDef::new(TaskLists::Id)
                        .big_integer()
                        .not_null()
                        .auto_increment()
                        .primary_key(),
                )
                .col(ColumnDef::new(TaskLists::Title).string().not_null())
                .col(big(TaskLists::CreatedAt))
                .col(big(TaskLists::UpdatedAt))
                .col(big(TaskLists::Version))
                .col(ColumnDef::new(TaskLists::DeletedAt).big_integer().null())
                .col(
                    ColumnDef::new(TaskLists::InboxOf)
                        .big_integer()
                        .null()
                        .unique_key(),
                )
                .col(counter(TaskLists::ChangeSeq))
                .col(counter(TaskLists::HistoryFloor))
                .col(counter(TaskLists::LiveTasks))
                .col(counter(TaskLists::LiveDone))
                .col(counter(TaskLists::EventSeq))
                .col(counter(TaskLists::Members))
                .foreign_key(
                    ForeignKey::create()
                        .from(TaskLists::Table, TaskLists::InboxOf)
                        .to(Owners::Table, Owners::Id),
                )
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(ListMembers::Table)
                .col(big(ListMembers::ListId))
                .col(big(ListMembers::OwnerId))
                .col(ColumnDef::new(ListMembers::Role).string().not_null())
                .col(big(ListMembers::AddedAt))
                .primary_key(
                    Index::create()
                        .col(ListMembers::ListId)
                        .col(ListMembers::OwnerId),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ListMembers::Table, ListMembers::ListId)
                        .to(TaskLists::Table, TaskLists::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(ListMembers::Table, ListMembers::OwnerId)
                        .to(Owners::Table, Owners::Id),
                )
                .to_owned(),
        )
        .await?;
    // The lists an owner sees, in list order.
    manager
        .create_index(
            Index::create()
                .name("idx_list_members_owner_list")
                .table(ListMembers::Table)
                .col(ListMembers::OwnerId)
                .col(ListMembers::ListId)
                .to_owned(),
        )
        .await
}

/// Tombstones named their owner, with a foreign key to `owners`: the table
/// is made again with the list, and a foreign key to `task_lists` that
/// removes a purged list's tombstones with it.
async fn rebuild_tombstones(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .drop_index(
            Index::drop()
                .name("idx_tombstones_deleted_at")
                .table(Tombstones::Table)
                .to_owned(),
        )
        .await?;
    manager
        .rename_table(
            Table::rename()
                .table(Tombstones::Table, OldTombstones::Table)
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(Tombstones::Table)
                .col(big(Renamed::ListId))
                .col(big(Tombstones::ChangeSeq))
                .col(big(Tombstones::TaskId))
                .col(big(Tombstones::DeletedAt))
                .primary_key(
                    Index::create()
                        .col(Renamed::ListId)
                        .col(Tombstones::ChangeSeq),
                )
                .foreign_key(
                    ForeignKey::create()
                        .from(Tombstones::Table, Renamed::ListId)
                        .to(TaskLists::Table, TaskLists::Id)
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
    manager
        .get_connection()
        .execute_unprepared(
            "INSERT INTO tombstones (list_id, change_seq, task_id, deleted_at) \
             SELECT owner_id, change_seq, task_id, deleted_at FROM tombstones_before_lists",
        )
        .await?;
    manager
        .drop_table(Table::drop().table(OldTombstones::Table).to_owned())
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_tombstones_deleted_at")
                .table(Tombstones::Table)
                .col(Tombstones::DeletedAt)
                .to_owned(),
        )
        .await
}
