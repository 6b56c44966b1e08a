//! The task and the rules a valid task obeys.

use super::{Invalid, Labels, ListId, OrderKey, Position, SortField, SortKey, Timestamp};

/// Most characters a title may have, counted as Unicode code points as sent.
pub const TITLE_MAX_CHARS: usize = 200;
/// Most characters a description may have, counted as Unicode code points.
pub const DESCRIPTION_MAX_CHARS: usize = 10_000;
/// How deep subtasks nest: a top-level task is at depth 1, its subtasks at
/// depth 2, and so on to this depth.
pub const MAX_DEPTH: usize = 5;
/// Most subtasks one task may have, counting those in the trash (so an
/// undelete never exceeds it).
pub const MAX_CHILDREN: u64 = 1_000;

/// The characters a title may not consist of alone, and which are trimmed
/// from its ends. It is the union of Unicode `White_Space`, ECMAScript's `\s`
/// and Python's `str.isspace`, so every regex engine that reads the published
/// pattern agrees with the server on every character.
pub(crate) const WHITESPACE: &[(char, char)] = &[
    ('\u{0009}', '\u{000d}'),
    ('\u{001c}', '\u{0020}'),
    ('\u{0085}', '\u{0085}'),
    ('\u{00a0}', '\u{00a0}'),
    ('\u{1680}', '\u{1680}'),
    ('\u{2000}', '\u{200a}'),
    ('\u{2028}', '\u{2029}'),
    ('\u{202f}', '\u{202f}'),
    ('\u{205f}', '\u{205f}'),
    ('\u{3000}', '\u{3000}'),
    ('\u{feff}', '\u{feff}'),
];

/// The published `pattern` of `title`: no NUL anywhere, and at least one
/// character outside [`WHITESPACE`], spelled with `\u` escapes that
/// ECMAScript and Python read alike. A unit test derives it from the table,
/// and an API test checks the spec carries it.
pub const TITLE_PATTERN: &str = r"^[^\u0000]*[^\u0000\u0009-\u000d\u001c-\u0020\u0085\u00a0\u1680\u2000-\u200a\u2028-\u2029\u202f\u205f\u3000\ufeff][^\u0000]*$";

/// The published `pattern` of every other text (`description`, the `q`
/// filter): no NUL character. PostgreSQL cannot store or compare one in
/// text, so no backend accepts it.
pub const NO_NUL_PATTERN: &str = r"^[^\u0000]*$";

const NO_NUL: &str = "must not contain the NUL character (U+0000)";

/// Text with no NUL and at most `max` characters (Unicode code points).
pub(crate) fn check_text(raw: &str, max: usize) -> Result<(), Invalid> {
    if raw.chars().count() > max {
        return Err(format!("must be at most {max} characters").into());
    }
    if raw.contains('\0') {
        return Err(NO_NUL.into());
    }
    Ok(())
}

pub(crate) fn is_blank_char(c: char) -> bool {
    WHITESPACE.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// A task title: 1–200 characters as sent, at least one not whitespace,
/// stored with surrounding whitespace trimmed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    /// Most characters a title may have, counted as sent.
    pub const MAX_CHARS: usize = TITLE_MAX_CHARS;
    pub const PATTERN: &'static str = TITLE_PATTERN;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        if raw.is_empty() {
            return Err("must not be empty".into());
        }
        check_text(raw, Self::MAX_CHARS)?;
        let trimmed = raw.trim_matches(is_blank_char);
        if trimmed.is_empty() {
            return Err("must not be blank".into());
        }
        Ok(Self(trimmed.to_owned()))
    }

    /// A title as it was stored, taken as it is: rules are enforced when
    /// writing, so one tightened later never makes stored data unreadable.
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// A task description: at most 10,000 characters, kept exactly as sent.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub const MAX_CHARS: usize = DESCRIPTION_MAX_CHARS;
    pub const PATTERN: &'static str = NO_NUL_PATTERN;

    pub fn parse(raw: &str) -> Result<Self, Invalid> {
        check_text(raw, Self::MAX_CHARS)?;
        Ok(Self(raw.to_owned()))
    }

    /// A description as it was stored, taken as it is (see `Title::from_stored`).
    pub fn from_stored(stored: String) -> Self {
        Self(stored)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn into_inner(self) -> String {
        self.0
    }
}

/// Everything a client decides about a task: the body of a create or a
/// full replacement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaskDraft {
    pub title: Title,
    pub description: Option<Description>,
    pub done: bool,
    pub due_at: Option<Timestamp>,
    pub labels: Labels,
    /// The parent as sent: `None` when not sent, `Some(None)` for the top
    /// level. A create places the task last under it; a replacement only
    /// checks that it is the task's parent (moves are their own write).
    pub parent_id: Option<Option<i64>>,
    /// The list as sent: on create, where the task goes (`None`: the
    /// caller's inbox); on replace, if sent, it must be the task's list.
    pub list_id: Option<i64>,
}

/// A partial change (RFC 7396 merge patch): `None` leaves a field as it is;
/// `Some(None)` clears a nullable field.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TaskChanges {
    pub title: Option<Title>,
    pub description: Option<Option<Description>>,
    pub done: Option<bool>,
    pub due_at: Option<Option<Timestamp>>,
    pub labels: Option<Labels>,
    /// The parent the client says the task has (`Some(None)`: top level);
    /// a write where it is not is refused, naming `parent_id`.
    pub parent_id: Option<Option<i64>>,
    /// The list the client says the task is in; a write where it is not
    /// is refused, naming `list_id` (moves between lists are their own).
    pub list_id: Option<i64>,
}

impl From<TaskDraft> for TaskChanges {
    /// A full replacement is a change of every field.
    fn from(draft: TaskDraft) -> Self {
        Self {
            title: Some(draft.title),
            description: Some(draft.description),
            done: Some(draft.done),
            due_at: Some(draft.due_at),
            labels: Some(draft.labels),
            parent_id: draft.parent_id,
            list_id: draft.list_id,
        }
    }
}

/// A stored task.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Task {
    pub id: i64,
    /// The list it is in.
    pub list: ListId,
    pub title: Title,
    pub description: Option<Description>,
    pub done: bool,
    pub due_at: Option<Timestamp>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// 1 when created; every change adds one.
    pub version: i64,
    /// When it was moved to the trash, if it is there.
    pub deleted_at: Option<Timestamp>,
    /// The task it is a subtask of, if any.
    pub parent_id: Option<i64>,
    /// Its place among its siblings.
    pub position: OrderKey,
    pub labels: Labels,
}

impl Task {
    /// This task's value in the column `field`.
    pub fn sort_key(&self, field: SortField) -> SortKey {
        match field {
            SortField::Id => SortKey::Int(self.id),
            SortField::CreatedAt => SortKey::Int(self.created_at.as_micros()),
            SortField::UpdatedAt => SortKey::Int(self.updated_at.as_micros()),
            SortField::DueAt => self
                .due_at
                .map_or(SortKey::Null, |due| SortKey::Int(due.as_micros())),
            SortField::Title => SortKey::Text(self.title.as_str().to_owned()),
            SortField::Position => SortKey::Text(self.position.as_str().to_owned()),
        }
    }

    /// Where a page that ends with this task leaves off.
    pub fn position(&self, field: SortField) -> Position {
        Position {
            key: self.sort_key(field),
            id: self.id,
        }
    }

    /// The task with `changes` applied. `updated_at` moves to `now` only when
    /// a field actually changed, so a no-op write keeps the task identical.
    pub fn with_changes(&self, changes: TaskChanges, now: Timestamp) -> Task {
        let mut next = self.clone();
        if let Some(title) = changes.title {
            next.title = title;
        }
        if let Some(description) = changes.description {
            next.description = description;
        }
        if let Some(done) = changes.done {
            next.done = done;
        }
        if let Some(due_at) = changes.due_at {
            next.due_at = due_at;
        }
        if let Some(labels) = changes.labels {
            next.labels = labels;
        }
        if next != *self {
            next.updated_at = now.max(self.updated_at);
            next.version = self.version + 1;
        }
        next
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_pattern_is_derived_from_the_whitespace_table() {
        let mut class = String::new();
        for &(lo, hi) in WHITESPACE {
            class.push_str(&format!("\\u{:04x}", lo as u32));
            if hi != lo {
                class.push_str(&format!("-\\u{:04x}", hi as u32));
            }
        }
        assert_eq!(
            TITLE_PATTERN,
            format!("^[^\\u0000]*[^\\u0000{class}][^\\u0000]*$")
        );
    }

    #[test]
    fn titles_are_trimmed_of_every_published_whitespace() {
        let title = Title::parse("\u{feff}\u{3000} Buy milk\u{85}\t").map(Title::into_inner);
        assert_eq!(title.as_deref(), Ok("Buy milk"));
    }

    #[test]
    fn invalid_titles_are_rejected_with_a_reason() {
        let long = "x".repeat(201);
        let cases = [
            ("", "must not be empty"),
            ("   ", "must not be blank"),
            ("\u{2028}\u{00a0}\u{1c}", "must not be blank"),
            ("a\0", "must not contain the NUL character (U+0000)"),
            (&long, "must be at most 200 characters"),
        ];
        for (raw, reason) in cases {
            assert_eq!(Title::parse(raw), Err(reason.into()), "title {raw:?}");
        }
    }

    proptest::proptest! {
        /// What a title or description is accepted as is what a later
        /// parse of its stored form accepts, unchanged.
        #[test]
        fn accepted_texts_are_stored_within_their_rules(raw in crate::domain::tricky_text(210)) {
            if let Ok(title) = Title::parse(&raw) {
                proptest::prop_assert!(title.as_str().chars().count() <= Title::MAX_CHARS);
                let again = Title::parse(title.as_str());
                proptest::prop_assert_eq!(again.as_ref(), Ok(&title));
            }
            if let Ok(description) = Description::parse(&raw) {
                let again = Description::parse(description.as_str());
                proptest::prop_assert_eq!(again.as_ref(), Ok(&description));
            }
        }
    }

    #[test]
    fn title_length_counts_code_points_as_sent() {
        assert!(Title::parse(&"é".repeat(200)).is_ok());
        // 199 letters plus surrounding spaces is 201 characters as sent.
        assert!(Title::parse(&format!(" {} ", "a".repeat(199))).is_err());
    }

    #[test]
    fn a_change_that_changes_nothing_keeps_updated_at() {
        let t0 = Timestamp::from_micros(1_000_000).unwrap_or_else(Timestamp::now);
        let t1 = Timestamp::from_micros(2_000_000).unwrap_or_else(Timestamp::now);
        let Ok(title) = Title::parse("a") else {
            panic!("a valid title")
        };
        let task = Task {
            id: 1,
            list: ListId(1),
            title,
            description: None,
            done: false,
            due_at: None,
            created_at: t0,
            updated_at: t0,
            version: 1,
            deleted_at: None,
            parent_id: None,
            position: OrderKey::of_number(1),
            labels: Labels::default(),
        };
        let same = TaskChanges {
            done: Some(false),
            ..TaskChanges::default()
        };
        assert_eq!(task.with_changes(same, t1), task);
        let done = TaskChanges {
            done: Some(true),
            ..TaskChanges::default()
        };
        let changed = task.with_changes(done, t1);
        assert_eq!((changed.updated_at, changed.version), (t1, 2));
    }
}
