//! Validated domain types: they know nothing of HTTP or SQL.

pub mod changes;
pub mod labels;
pub mod list;
pub mod order;
pub mod sharing;
pub mod task;
pub mod timestamp;

pub use changes::{Change, FeedPosition, FeedToken, History};
pub use labels::{Label, Labels};
pub use list::{Filters, ListQuery, Parent, Position, SortField, SortKey, SortOrder, Window};
pub use order::{Anchor, OrderKey, Placement};
pub use sharing::Role;
pub use task::{Description, Task, TaskChanges, TaskDraft, Title};

/// Who owns a task: a user or a service account, identified by its API keys.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct OwnerId(pub i64);

/// A list of tasks: the scope of every task's history, counts and access.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ListId(pub i64);

/// Why a value is invalid, said to the client: "must be at most 200
/// characters". Fixed text where it can be, formatted where it names a limit.
pub type Invalid = std::borrow::Cow<'static, str>;
pub use timestamp::Timestamp;

/// Arbitrary text for property tests, weighted towards the characters whose
/// case mapping or class is special: lower cases that lengthen (`İ`), upper
/// cases only (`ẞ`, `ß`), final sigma, ligatures, combining marks, every C0
/// and C1 control, whitespace of every kind and the label separator.
#[cfg(test)]
pub(crate) fn tricky_text(max: usize) -> impl proptest::strategy::Strategy<Value = String> {
    use proptest::prelude::*;
    const TRICKY: &[char] = &[
        'İ', 'ẞ', 'ß', 'Σ', 'ς', 'σ', 'ﬃ', 'ﬀ', 'ŉ', 'ǰ', '\u{0307}', '\u{0301}', '\u{212a}',
        '\u{2126}', '\u{212b}', '\u{0000}', '\u{0009}', '\u{001f}', '\u{007f}', '\u{0080}',
        '\u{0085}', '\u{0090}', '\u{009f}', '\u{00a0}', '\u{2028}', '\u{3000}', '\u{feff}', ' ',
        ',', 'a', 'Z',
    ];
    let char = prop_oneof![
        3 => proptest::sample::select(TRICKY),
        1 => any::<char>(),
    ];
    proptest::collection::vec(char, 0..=max).prop_map(|chars| chars.into_iter().collect())
}
