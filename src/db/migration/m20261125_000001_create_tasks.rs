//! Creates the `tasks` table and an index for every sort key.

use sea_orm_migration::prelude::*;

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
pub(super) enum Tasks {
    Table,
    Id,
    Title,
    Description,
    Done,
    DueAt,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Tasks::Table)
                    .if_not_exists()
                    // AUTOINCREMENT on SQLite: ids are never reused after a
                    // delete, so a stale id or ETag never names a new task.
                    .col(
                        ColumnDef::new(Tasks::Id)
                            .big_integer()
                            .not_null()
                            .auto_increment()
                            .primary_key(),
                    )
                    .col(title_column(manager))
                    .col(ColumnDef::new(Tasks::Description).text().null())
                    .col(
                        ColumnDef::new(Tasks::Done)
                            .boolean()
                            .not_null()
                            .default(false),
                    )
                    // Instants are microseconds since the Unix epoch: one
                    // precision and one ordering on every backend.
                    .col(ColumnDef::new(Tasks::DueAt).big_integer().null())
                    .col(ColumnDef::new(Tasks::CreatedAt).big_integer().not_null())
                    .col(ColumnDef::new(Tasks::UpdatedAt).big_integer().not_null())
                    .to_owned(),
            )
            .await?;
        // One index per sort key, each ending in id (the tie-breaker), so
        // every supported order is an index walk.
        for (name, column) in [
            ("idx_tasks_created_at_id", Tasks::CreatedAt),
            ("idx_tasks_updated_at_id", Tasks::UpdatedAt),
            ("idx_tasks_due_at_id", Tasks::DueAt),
            ("idx_tasks_title_id", Tasks::Title),
            ("idx_tasks_done_id", Tasks::Done),
        ] {
            manager
                .create_index(
                    Index::create()
                        .if_not_exists()
                        .name(name)
                        .table(Tasks::Table)
                        .col(column)
                        .col(Tasks::Id)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table(Tasks::Table).to_owned())
            .await
    }
}

/// `title` orders by Unicode code point on every backend: SQLite's default
/// BINARY collation does; PostgreSQL needs the "C" collation (its default
/// follows the cluster's locale). "C" also makes `lower()` ASCII-only there,
/// as SQLite's is, so `q` matches alike.
fn title_column(manager: &SchemaManager) -> ColumnDef {
    let mut column = ColumnDef::new(Tasks::Title);
    column.string().not_null();
    if manager.get_database_backend() == sea_orm::DatabaseBackend::Postgres {
        column.extra("COLLATE \"C\"");
    }
    column
}
