//! Schema migrations, written with sea-orm's schema builder so SQLite and
//! PostgreSQL get the same schema.

use sea_orm_migration::prelude::*;

mod m20261125_000001_create_tasks;
mod m20261125_000002_versions_and_idempotency;
mod m20261201_000003_owners_and_keys;
mod m20261201_000004_trash;
mod m20261201_000005_change_feed;
mod m20261201_000006_live_counts;
mod m20261201_000007_subtasks_order_labels;
mod m20261207_000008_scopes_and_expiry;
mod m20261207_000009_task_lists;
mod m20261207_000010_sorted_lists;
mod m20261207_000011_live_walk_for_big_lists;
mod m20261207_000012_live_walks_without_trash;

pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261125_000001_create_tasks::Migration),
            Box::new(m20261125_000002_versions_and_idempotency::Migration),
            Box::new(m20261201_000003_owners_and_keys::Migration),
            Box::new(m20261201_000004_trash::Migration),
            Box::new(m20261201_000005_change_feed::Migration),
            Box::new(m20261201_000006_live_counts::Migration),
            Box::new(m20261201_000007_subtasks_order_labels::Migration),
            Box::new(m20261207_000008_scopes_and_expiry::Migration),
            Box::new(m20261207_000009_task_lists::Migration),
            Box::new(m20261207_000010_sorted_lists::Migration),
            Box::new(m20261207_000011_live_walk_for_big_lists::Migration),
            Box::new(m20261207_000012_live_walks_without_trash::Migration),
        ]
    }
}
