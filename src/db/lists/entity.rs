//! The `task_lists` and `list_members` tables.

use sea_orm::DeriveIden;

/// The `task_lists` table's columns, for statements built by hand.
#[derive(DeriveIden)]
pub(crate) enum Lists {
    #[sea_orm(iden = "task_lists")]
    Table,
    Id,
    ChangeSeq,
    HistoryFloor,
    LiveTasks,
    LiveDone,
    EventSeq,
    InboxOf,
    /// Whether its tasks are in the sort indexes (`db::sorted`).
    Sorted,
}

/// A list: its title and version, the history of its tasks (`change_seq`,
/// `history_floor`; `event_seq` is the number of the list's own last
/// change: made, renamed, its members changed), its live counts and how
/// many members it has.
pub mod task_list {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "task_lists")]
    pub struct Model {
        #[sea_orm(primary_key)]
        pub id: i64,
        pub title: String,
        pub created_at: i64,
        pub updated_at: i64,
        pub version: i64,
        pub deleted_at: Option<i64>,
        /// The owner whose inbox it is, if it is one.
        pub inbox_of: Option<i64>,
        pub change_seq: i64,
        pub history_floor: i64,
        pub live_tasks: i64,
        pub live_done: i64,
        pub event_seq: i64,
        pub members: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A member of a list and its role (`owner`, `editor`, `viewer`).
pub mod list_member {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "list_members")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub list_id: i64,
        #[sea_orm(primary_key, auto_increment = false)]
        pub owner_id: i64,
        pub role: String,
        pub added_at: i64,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
