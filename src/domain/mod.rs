//! Validated domain types: they know nothing of HTTP or SQL.

pub mod changes;
pub mod labels;
pub mod list;
pub mod order;
pub mod task;
pub mod timestamp;

pub use changes::{Change, FeedPosition, History};
pub use labels::{Label, Labels};
pub use list::{Filters, ListQuery, Parent, Position, SortField, SortKey, SortOrder, Window};
pub use order::{Anchor, OrderKey, Placement};
pub use task::{Description, Task, TaskChanges, TaskDraft, Title};

/// Who owns a task: a user or a service account, identified by its API keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OwnerId(pub i64);

/// Why a value is invalid, said to the client: "must be at most 200
/// characters". Fixed text where it can be, formatted where it names a limit.
pub type Invalid = std::borrow::Cow<'static, str>;
pub use timestamp::Timestamp;
