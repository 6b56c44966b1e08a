//! Validated domain types: they know nothing of HTTP or SQL.

pub mod list;
pub mod task;
pub mod timestamp;

pub use list::{ListQuery, Position, SortField, SortKey, SortOrder, Window};
pub use task::{Description, Task, TaskChanges, TaskDraft, Title};
pub use timestamp::Timestamp;
