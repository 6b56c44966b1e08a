//! What a client may ask of the task list: paging, filters and order.

use super::task::{NO_NUL_PATTERN, TITLE_MAX_CHARS, check_text};
use super::{Invalid, Label, Timestamp};

/// The `q` filter: a case-insensitive substring of the title, so no longer
/// than a title can be, and with no NUL.
pub struct SearchText;

impl SearchText {
    pub const MAX_CHARS: usize = TITLE_MAX_CHARS;
    pub const PATTERN: &'static str = NO_NUL_PATTERN;

    pub fn check(text: String) -> Result<String, Invalid> {
        check_text(&text, Self::MAX_CHARS)?;
        Ok(text)
    }
}

/// The column a list is ordered by; ties are always broken by id.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortField {
    Id,
    CreatedAt,
    UpdatedAt,
    DueAt,
    Title,
    /// The manual order among siblings (`position`).
    Position,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SortOrder {
    Ascending,
    Descending,
}

/// A task's value in the sort column: the first half of its position.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SortKey {
    Int(i64),
    Text(String),
    /// Only `due_at` has nulls; they come after every value, either way.
    Null,
}

/// Where a keyset page starts: just after the task with this key and id.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Position {
    pub key: SortKey,
    pub id: i64,
}

/// Which part of the ordered list to return.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Window {
    /// A 1-based page number: OFFSET paging, with a total count.
    Page(u64),
    /// The tasks after a position: keyset paging, no count.
    After(Position),
}

/// What a list is narrowed to. Ranges are half-open, so consecutive ranges
/// never overlap: lower bounds are inclusive, upper bounds exclusive; a
/// task with no `due_at` matches no due-date bound.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Filters {
    pub done: Option<bool>,
    /// Case-insensitive substring of the title, matched literally.
    pub q: Option<String>,
    /// `updated_at >= updated_since`
    pub updated_since: Option<Timestamp>,
    /// `updated_at < updated_before`
    pub updated_before: Option<Timestamp>,
    /// `due_at >= due_after`
    pub due_after: Option<Timestamp>,
    /// `due_at < due_before`
    pub due_before: Option<Timestamp>,
    /// Tasks in the trash too (they carry `deleted_at`).
    pub show_deleted: bool,
    /// Only the subtasks of one task, or only top-level tasks.
    pub parent: Option<Parent>,
    /// Only tasks that carry every one of these labels.
    pub labels: Vec<Label>,
    /// Only the tasks of this list (else of every list the caller sees).
    pub list: Option<i64>,
}

/// The `parent_id` filter.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Parent {
    /// Tasks with no parent.
    Top,
    /// The subtasks of this task.
    Of(i64),
}

impl Parent {
    /// The parent id a task under this has.
    pub fn id(self) -> Option<i64> {
        match self {
            Parent::Top => None,
            Parent::Of(id) => Some(id),
        }
    }
}

impl Filters {
    /// `Some(done)` when these filters select all live tasks (`None`) or
    /// the live ones done or not (`Some(done)`): totals the database keeps
    /// counted. `None` for any other filter, whose total is counted.
    pub fn counted(&self) -> Option<Option<bool>> {
        let ranged = self.updated_since.is_some()
            || self.updated_before.is_some()
            || self.due_after.is_some()
            || self.due_before.is_some();
        let narrowed = self.parent.is_some() || !self.labels.is_empty();
        (self.q.is_none() && !ranged && !self.show_deleted && !narrowed).then_some(self.done)
    }
}

/// A validated list request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ListQuery {
    pub window: Window,
    pub per_page: u64,
    pub filters: Filters,
    pub sort: SortField,
    pub order: SortOrder,
}

impl ListQuery {
    pub const DEFAULT_PAGE: u64 = 1;
    pub const DEFAULT_PER_PAGE: u64 = 10;
    pub const MAX_PER_PAGE: u64 = 100;

    pub fn check_page(page: i64) -> Result<u64, &'static str> {
        u64::try_from(page)
            .ok()
            .filter(|&p| p >= 1)
            .ok_or("must be at least 1")
    }

    pub fn check_per_page(per_page: i64) -> Result<u64, Invalid> {
        u64::try_from(per_page)
            .ok()
            .filter(|p| (1..=Self::MAX_PER_PAGE).contains(p))
            .ok_or_else(|| format!("must be between 1 and {}", Self::MAX_PER_PAGE).into())
    }

    /// Rows to skip in page mode, or `None` when the page starts beyond
    /// any table a database can hold (the offset does not fit an i64).
    pub fn offset(page: u64, per_page: u64) -> Option<u64> {
        page.saturating_sub(1)
            .checked_mul(per_page)
            .filter(|&o| i64::try_from(o).is_ok())
    }

    /// Pages needed for `total` rows (0 for an empty result).
    pub fn total_pages(&self, total: u64) -> u64 {
        total.div_ceil(self.per_page)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn query(page: u64, per_page: u64) -> ListQuery {
        ListQuery {
            window: Window::Page(page),
            per_page,
            filters: Filters::default(),
            sort: SortField::Id,
            order: SortOrder::Ascending,
        }
    }

    #[test]
    fn offset_never_overflows() {
        assert_eq!(ListQuery::offset(2, 5), Some(5));
        assert_eq!(ListQuery::offset(u64::MAX, 100), None);
        assert_eq!(
            ListQuery::offset(i64::MAX as u64, 1),
            Some(i64::MAX as u64 - 1)
        );
    }

    #[test]
    fn total_pages_rounds_up() {
        assert_eq!(query(1, 5).total_pages(12), 3);
        assert_eq!(query(1, 5).total_pages(0), 0);
    }

    #[test]
    fn page_and_per_page_bounds() {
        assert_eq!(ListQuery::check_page(0), Err("must be at least 1"));
        assert_eq!(ListQuery::check_page(-3), Err("must be at least 1"));
        assert_eq!(
            ListQuery::check_per_page(101),
            Err("must be between 1 and 100".into())
        );
        assert_eq!(ListQuery::check_per_page(100), Ok(100));
    }
}
