//! What a key may do and until when, and owners that can be disabled:
//! `api_keys.scopes` (space-separated scope names; `NULL` on keys made
//! before scopes existed, which keep full access), `api_keys.expires_at`
//! and `owners.disabled_at` (microseconds since the Unix epoch, or `NULL`).

use sea_orm_migration::prelude::*;

use super::m20261201_000003_owners_and_keys::{ApiKeys, Owners};

#[derive(DeriveMigrationName)]
pub(super) struct Migration;

#[derive(DeriveIden)]
enum Added {
    Scopes,
    ExpiresAt,
    DisabledAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut scopes = Table::alter();
        scopes
            .table(ApiKeys::Table)
            .add_column(ColumnDef::new(Added::Scopes).text().null().to_owned());
        manager.alter_table(scopes.to_owned()).await?;
        let mut expires = Table::alter();
        expires.table(ApiKeys::Table).add_column(
            ColumnDef::new(Added::ExpiresAt)
                .big_integer()
                .null()
                .to_owned(),
        );
        manager.alter_table(expires.to_owned()).await?;
        let mut disabled = Table::alter();
        disabled.table(Owners::Table).add_column(
            ColumnDef::new(Added::DisabledAt)
                .big_integer()
                .null()
                .to_owned(),
        );
        manager.alter_table(disabled.to_owned()).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, column) in [
            (ApiKeys::Table.into_iden(), Added::Scopes),
            (ApiKeys::Table.into_iden(), Added::ExpiresAt),
            (Owners::Table.into_iden(), Added::DisabledAt),
        ] {
            let mut alter = Table::alter();
            alter.table(table).drop_column(column);
            manager.alter_table(alter.to_owned()).await?;
        }
        Ok(())
    }
}
