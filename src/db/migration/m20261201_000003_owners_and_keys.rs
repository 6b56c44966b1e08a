//! Owners and their API keys. Every task and every idempotency key belongs
//! to an owner: existing ones to the first owner (`default`), which this
//! migration creates. The sort indexes lead with the owner, since every
//! list is one owner's.

use sea_orm_migration::prelude::*;

use super::m20261125_000001_create_tasks::Tasks;
use super::m20261125_000002_versions_and_idempotency::IdempotencyKeys;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
pub(super) enum Owners {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
pub(super) enum ApiKeys {
    Table,
    Id,
    OwnerId,
    Name,
    Prefix,
    Hash,
    CreatedAt,
    LastUsedAt,
    RevokedAt,
}

#[derive(DeriveIden)]
enum Owned {
    OwnerId,
}

#[derive(DeriveIden)]
enum OldIdempotencyKeys {
    #[sea_orm(iden = "idempotency_keys_before_owners")]
    Table,
}

/// The name of the owner that existing data is given to.
const FIRST_OWNER: &str = "default";

/// The sort indexes of the previous schema, replaced by ones that lead with
/// the owner.
const OLD_INDEXES: [&str; 5] = [
    "idx_tasks_created_at_id",
    "idx_tasks_updated_at_id",
    "idx_tasks_due_at_id",
    "idx_tasks_title_id",
    "idx_tasks_done_id",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        create_owners_and_keys(manager).await?;
        let now = chrono::Utc::now().timestamp_micros();
        let mut first_owner = Query::insert();
        first_owner
            .into_table(Owners::Table)
            .columns([Owners::Name, Owners::CreatedAt])
            .values([FIRST_OWNER.into(), now.into()])
            .map_err(|err| DbErr::Migration(err.to_string()))?;
        manager.exec_stmt(first_owner).await?;
        own_tasks(manager).await?;
        own_idempotency_keys(manager).await
    }

    async fn down(&self, _manager: &SchemaManager) -> Result<(), DbErr> {
        Err(DbErr::Migration(
            "owners cannot be removed without losing who owns what".to_owned(),
        ))
    }
}

/// An auto-incremented id: never reused after a delete.
fn id(name: impl IntoIden) -> ColumnDef {
    let mut column = ColumnDef::new(name);
    column
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key();
    column
}

async fn create_owners_and_keys(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .create_table(
            Table::create()
                .table(Owners::Table)
                .col(id(Owners::Id))
                .col(
                    ColumnDef::new(Owners::Name)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(Owners::CreatedAt).big_integer().not_null())
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(ApiKeys::Table)
                .col(id(ApiKeys::Id))
                .col(ColumnDef::new(ApiKeys::OwnerId).big_integer().not_null())
                .col(ColumnDef::new(ApiKeys::Name).string().not_null())
                .col(ColumnDef::new(ApiKeys::Prefix).string().not_null())
                .col(
                    ColumnDef::new(ApiKeys::Hash)
                        .string()
                        .not_null()
                        .unique_key(),
                )
                .col(ColumnDef::new(ApiKeys::CreatedAt).big_integer().not_null())
                .col(ColumnDef::new(ApiKeys::LastUsedAt).big_integer().null())
                .col(ColumnDef::new(ApiKeys::RevokedAt).big_integer().null())
                .foreign_key(
                    ForeignKey::create()
                        .from(ApiKeys::Table, ApiKeys::OwnerId)
                        .to(Owners::Table, Owners::Id),
                )
                .to_owned(),
        )
        .await?;
    index_keys(manager).await
}

async fn index_keys(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    for (name, columns) in [
        ("idx_api_keys_prefix", vec![ApiKeys::Prefix]),
        (
            "idx_api_keys_owner_name",
            vec![ApiKeys::OwnerId, ApiKeys::Name],
        ),
    ] {
        let mut index = Index::create();
        index.name(name).table(ApiKeys::Table);
        if name == "idx_api_keys_owner_name" {
            // Key names are unique per owner (which also makes a first-start
            // key, created by several processes at once, exist only once).
            index.unique();
        }
        for column in columns {
            index.col(column);
        }
        manager.create_index(index.to_owned()).await?;
    }
    Ok(())
}

/// Every task gets an owner: existing tasks the first one.
async fn own_tasks(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    // SQLite cannot add a NOT NULL column without a default, nor a foreign
    // key with a non-null default: the owner is set by every insert.
    manager
        .alter_table(
            Table::alter()
                .table(Tasks::Table)
                .add_column(
                    ColumnDef::new(Owned::OwnerId)
                        .big_integer()
                        .not_null()
                        .default(0),
                )
                .to_owned(),
        )
        .await?;
    manager
        .get_connection()
        .execute_unprepared(
            "UPDATE tasks SET owner_id = (SELECT MIN(id) FROM owners) WHERE owner_id = 0",
        )
        .await?;
    for name in OLD_INDEXES {
        manager
            .drop_index(Index::drop().name(name).table(Tasks::Table).to_owned())
            .await?;
    }
    // One index per sort key, each led by the owner and ending in id (the
    // tie-breaker), so every supported order of one owner's tasks is an
    // index walk.
    for (name, column) in [
        ("idx_tasks_owner_id", None),
        ("idx_tasks_owner_created_at_id", Some(Tasks::CreatedAt)),
        ("idx_tasks_owner_updated_at_id", Some(Tasks::UpdatedAt)),
        ("idx_tasks_owner_due_at_id", Some(Tasks::DueAt)),
        ("idx_tasks_owner_title_id", Some(Tasks::Title)),
        ("idx_tasks_owner_done_id", Some(Tasks::Done)),
    ] {
        let mut index = Index::create();
        index.name(name).table(Tasks::Table).col(Owned::OwnerId);
        if let Some(column) = column {
            index.col(column);
        }
        manager
            .create_index(index.col(Tasks::Id).to_owned())
            .await?;
    }
    Ok(())
}

/// Idempotency keys are per owner: the table is rebuilt with the owner in
/// its primary key, and the stored responses kept (given to the first owner).
async fn own_idempotency_keys(manager: &SchemaManager<'_>) -> Result<(), DbErr> {
    manager
        .rename_table(
            Table::rename()
                .table(IdempotencyKeys::Table, OldIdempotencyKeys::Table)
                .to_owned(),
        )
        .await?;
    manager
        .create_table(
            Table::create()
                .table(IdempotencyKeys::Table)
                .col(ColumnDef::new(Owned::OwnerId).big_integer().not_null())
                .col(ColumnDef::new(IdempotencyKeys::Key).string().not_null())
                .col(
                    ColumnDef::new(IdempotencyKeys::RequestHash)
                        .string()
                        .not_null(),
                )
                .col(ColumnDef::new(IdempotencyKeys::Status).integer().not_null())
                .col(ColumnDef::new(IdempotencyKeys::Body).text().not_null())
                .col(ColumnDef::new(IdempotencyKeys::Location).string().null())
                .col(ColumnDef::new(IdempotencyKeys::Etag).string().null())
                .col(
                    ColumnDef::new(IdempotencyKeys::CreatedAt)
                        .big_integer()
                        .not_null(),
                )
                .primary_key(
                    Index::create()
                        .col(Owned::OwnerId)
                        .col(IdempotencyKeys::Key),
                )
                .to_owned(),
        )
        .await?;
    manager
        .get_connection()
        .execute_unprepared(
            "INSERT INTO idempotency_keys \
             (owner_id, \"key\", request_hash, status, body, location, etag, created_at) \
             SELECT (SELECT MIN(id) FROM owners), \"key\", request_hash, status, body, \
             location, etag, created_at FROM idempotency_keys_before_owners",
        )
        .await?;
    manager
        .drop_table(Table::drop().table(OldIdempotencyKeys::Table).to_owned())
        .await?;
    manager
        .create_index(
            Index::create()
                .name("idx_idempotency_keys_created_at")
                .table(IdempotencyKeys::Table)
                .col(IdempotencyKeys::CreatedAt)
                .to_owned(),
        )
        .await
}
