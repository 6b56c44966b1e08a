//! Lists: the parameters as sent → a validated `ListQuery`, and a page of
//! results → the response body, its `next_cursor` and its `Link` header.

use poem::Request;
use poem_openapi::types::ToJSON;
use poem_openapi::{Enum, Object};
use serde_json::Value;

use super::Task;
use super::render::PageInfo;
use crate::api::cursor::Cursor;
use crate::api::params::Lenient;
use crate::api::types::{Nullable, ParentParam, SearchParam};
use crate::db::tasks::Page;
use crate::domain::list::SearchText;
use crate::domain::{
    Filters, Label, Labels, ListQuery, Parent, SortField, SortOrder, Timestamp, Window,
};
use crate::error::{ApiError, FieldError};
use crate::payload::JsonText;

/// The order of a list: a field, with a leading `-` for descending. Ties are
/// broken by `id` in the same direction; tasks with no `due_at` come last in
/// both directions.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Sort {
    #[oai(rename = "id")]
    Id,
    #[oai(rename = "-id")]
    IdDesc,
    #[oai(rename = "created_at")]
    CreatedAt,
    #[oai(rename = "-created_at")]
    CreatedAtDesc,
    #[oai(rename = "updated_at")]
    UpdatedAt,
    #[oai(rename = "-updated_at")]
    UpdatedAtDesc,
    #[oai(rename = "due_at")]
    DueAt,
    #[oai(rename = "-due_at")]
    DueAtDesc,
    #[oai(rename = "title")]
    Title,
    #[oai(rename = "-title")]
    TitleDesc,
    #[oai(rename = "position")]
    Position,
    #[oai(rename = "-position")]
    PositionDesc,
}

impl From<Sort> for (SortField, SortOrder) {
    fn from(sort: Sort) -> Self {
        use SortOrder::{Ascending, Descending};
        match sort {
            Sort::Id => (SortField::Id, Ascending),
            Sort::IdDesc => (SortField::Id, Descending),
            Sort::CreatedAt => (SortField::CreatedAt, Ascending),
            Sort::CreatedAtDesc => (SortField::CreatedAt, Descending),
            Sort::UpdatedAt => (SortField::UpdatedAt, Ascending),
            Sort::UpdatedAtDesc => (SortField::UpdatedAt, Descending),
            Sort::DueAt => (SortField::DueAt, Ascending),
            Sort::DueAtDesc => (SortField::DueAt, Descending),
            Sort::Title => (SortField::Title, Ascending),
            Sort::TitleDesc => (SortField::Title, Descending),
            Sort::Position => (SortField::Position, Ascending),
            Sort::PositionDesc => (SortField::Position, Descending),
        }
    }
}

impl Sort {
    /// The name the `sort` parameter spells it with, e.g. `-due_at`.
    fn name(self) -> Option<String> {
        match self.to_json() {
            Some(Value::String(name)) => Some(name),
            _ => None,
        }
    }
}

const SORT_VALUES: &str = "must be one of id, created_at, updated_at, due_at, title, position, \
                           each optionally prefixed with - for descending order";

/// One page of tasks.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct TaskPage {
    /// The tasks on this page, in the requested order.
    pub items: Vec<Task>,
    /// The page size used.
    pub per_page: u64,
    /// Pass as `cursor` (with the same `sort` and filters) for the tasks
    /// after this page; `null` on the last page. Opaque.
    #[oai(nullable)]
    pub next_cursor: Nullable<String>,
    /// This page's number (page mode only).
    #[oai(skip_serializing_if_is_none)]
    pub page: Option<u64>,
    /// How many tasks match the filters on all pages (page mode only).
    #[oai(skip_serializing_if_is_none)]
    pub total: Option<u64>,
    /// How many pages there are at this page size, 0 when nothing matches
    /// (page mode only).
    #[oai(skip_serializing_if_is_none)]
    pub total_pages: Option<u64>,
}

/// The list parameters as sent, each parsed leniently.
pub(super) struct ListParams {
    pub page: Lenient<i64>,
    pub per_page: Lenient<i64>,
    pub filters: FilterParams,
    pub sort: Option<Lenient<Sort>>,
    pub cursor: Option<String>,
}

/// The filter parameters as sent.
pub(super) struct FilterParams {
    pub done: Option<Lenient<bool>>,
    pub q: Option<Lenient<SearchParam>>,
    pub updated_since: Option<Lenient<Timestamp>>,
    pub updated_before: Option<Lenient<Timestamp>>,
    pub due_after: Option<Lenient<Timestamp>>,
    pub due_before: Option<Lenient<Timestamp>>,
    pub show_deleted: Option<Lenient<bool>>,
    pub parent_id: Option<Lenient<ParentParam>>,
    pub labels: Vec<Lenient<Label>>,
    pub list_id: Option<Lenient<i64>>,
}

const NOT_A_PARENT: &str = "must be a task id or null";
const LABEL_RULES: &str = "must be 1–32 characters, not all whitespace, with no control \
                           characters or commas";

/// The `parent_id` filter: a task id, or `null` for the top level.
fn parent_filter(raw: &str) -> Result<Parent, &'static str> {
    if raw == "null" {
        return Ok(Parent::Top);
    }
    raw.parse::<i64>()
        .ok()
        .filter(|id| *id >= 0 && !raw.starts_with('+'))
        .map(Parent::Of)
        .ok_or(NOT_A_PARENT)
}

const NOT_A_TIMESTAMP: &str =
    "must be an RFC 3339 date-time with an offset, e.g. 2026-01-31T17:00:00Z";

impl FilterParams {
    /// The filters; each invalid one is pushed onto `errors`.
    fn validate(self, e: &mut Vec<FieldError>) -> Filters {
        let mut instant = |name: &str, value: Option<Lenient<Timestamp>>| {
            value.and_then(|v| v.check(name, NOT_A_TIMESTAMP, e, Ok::<_, String>))
        };
        let updated_since = instant("updated_since", self.updated_since);
        let updated_before = instant("updated_before", self.updated_before);
        let due_after = instant("due_after", self.due_after);
        let due_before = instant("due_before", self.due_before);
        Filters {
            done: self
                .done
                .and_then(|d| d.check("done", "must be true or false", e, Ok::<_, String>)),
            q: self
                .q
                .and_then(|q| q.check("q", "must be text", e, |q| SearchText::check(q.0))),
            updated_since,
            updated_before,
            due_after,
            due_before,
            show_deleted: self
                .show_deleted
                .and_then(|s| s.check("show_deleted", "must be true or false", e, Ok::<_, String>))
                .unwrap_or(false),
            parent: self
                .parent_id
                .and_then(|p| p.check("parent_id", NOT_A_PARENT, e, |p| parent_filter(&p.0))),
            list: self.list_id.and_then(|l| {
                l.check("list_id", "must be a list id", e, |id| {
                    (id > 0).then_some(id).ok_or("must be a list id")
                })
            }),
            labels: {
                let mut labels: Vec<Label> = self
                    .labels
                    .into_iter()
                    .filter_map(|label| label.check("label", LABEL_RULES, e, Ok::<_, String>))
                    .collect();
                // One list however they are spelled or ordered (cursors).
                labels.sort_unstable();
                labels.dedup();
                if labels.len() > Labels::MAX {
                    let reason = format!("may be given at most {} times", Labels::MAX);
                    e.push(FieldError::parameter("label", reason));
                }
                labels
            },
        }
    }
}

/// A valid list request: what to read, and the `sort` it was asked in.
pub(super) struct ListRequest {
    pub query: ListQuery,
    sort: Sort,
}

/// Why a cursor is refused.
const NOT_OUR_CURSOR: &str = "is not a cursor this server issued";
const OTHER_LIST: &str =
    "belongs to another list: send it with the sort and filters it was issued for";

impl ListParams {
    /// The request, or a 400 naming every invalid parameter.
    pub(super) fn validate(self, req: &Request) -> Result<ListRequest, ApiError> {
        let mut errors = Vec::new();
        let e = &mut errors;
        let page = self
            .page
            .check("page", "must be an integer", e, ListQuery::check_page);
        let per_page = self.per_page.check(
            "per_page",
            "must be an integer",
            e,
            ListQuery::check_per_page,
        );
        let filters = self.filters.validate(e);
        let sort = self.sort.unwrap_or(Lenient::of(Sort::Id)).check(
            "sort",
            SORT_VALUES,
            e,
            Ok::<_, String>,
        );
        let window = match (self.cursor, sort) {
            (None, _) => page.map(Window::Page),
            (Some(_), _) if query_has(req, "page") => {
                e.push(FieldError::parameter(
                    "cursor",
                    "cannot be combined with page",
                ));
                None
            }
            (Some(_), None) => None,
            (Some(text), Some(sort)) => after_cursor(&text, sort, &filters)
                .map_err(|reason| e.push(FieldError::parameter("cursor", reason)))
                .ok(),
        };
        let (Some(window), Some(per_page), Some(sort), true) =
            (window, per_page, sort, errors.is_empty())
        else {
            return Err(ApiError::validation(errors));
        };
        let (field, order) = sort.into();
        let query = ListQuery {
            window,
            per_page,
            filters,
            sort: field,
            order,
        };
        Ok(ListRequest { query, sort })
    }
}

/// The window a cursor continues from, if it was issued for this list.
fn after_cursor(text: &str, sort: Sort, filters: &Filters) -> Result<Window, &'static str> {
    let cursor = Cursor::decode(text).ok_or(NOT_OUR_CURSOR)?;
    if cursor.sort != sort.name().ok_or(NOT_OUR_CURSOR)? || !cursor.is_for(filters) {
        return Err(OTHER_LIST);
    }
    let (field, _) = sort.into();
    cursor
        .position(field)
        .map(Window::After)
        .ok_or(NOT_OUR_CURSOR)
}

/// A `sort` with no name: a bug in the `Sort` enum, reported as one.
#[derive(Debug, thiserror::Error)]
#[error("sort {0:?} has no name")]
struct UnnamedSort(Sort);

impl ListRequest {
    /// The response body and `Link` header for `page`, the result of
    /// reading `self.query`.
    pub(super) fn respond(
        &self,
        req: &Request,
        page: Page,
    ) -> Result<(JsonText<TaskPage>, Option<String>), ApiError> {
        let query = &self.query;
        let next_cursor = match page.items.last() {
            Some(last) if page.has_more => Some(self.cursor_after(last)?),
            _ => None,
        };
        let (number, total_pages, rels) = match (&query.window, page.total) {
            (Window::Page(number), Some(total)) => {
                let pages = query.total_pages(total);
                (Some(*number), Some(pages), page_links(*number, pages))
            }
            _ => {
                let next = next_cursor.iter().map(|c| ("next", "cursor", c.clone()));
                (None, None, next.collect())
            }
        };
        let info = PageInfo {
            next_cursor,
            page: number,
            per_page: query.per_page,
            total: page.total,
            total_pages,
        };
        let body = super::render::page(&page.items, &info)?;
        Ok((body, link_header(req, &rels)))
    }

    /// The cursor that continues after `last`.
    fn cursor_after(&self, last: &crate::domain::Task) -> Result<String, ApiError> {
        let sort = self
            .sort
            .name()
            .ok_or_else(|| ApiError::internal(&UnnamedSort(self.sort)))?;
        let position = last.position(self.query.sort);
        let cursor = Cursor::new(sort, &self.query.filters, &position);
        cursor.encode().map_err(|err| ApiError::internal(&err))
    }
}

/// A link relation, the parameter it sets and its value.
type Rel = (&'static str, &'static str, String);

/// `first`, `prev`, `next` and `last` (as they apply) for page `page` of
/// `pages`.
fn page_links(page: u64, pages: u64) -> Vec<Rel> {
    let last = pages.max(1);
    let mut rels = vec![("first", "page", "1".to_owned())];
    if page > 1 {
        rels.push(("prev", "page", (page - 1).min(last).to_string()));
    }
    if page < pages {
        rels.push(("next", "page", (page + 1).to_string()));
    }
    rels.push(("last", "page", last.to_string()));
    rels
}

/// The name of a `name=value` query pair.
fn pair_name(pair: &str) -> &str {
    pair.split_once('=').map_or(pair, |(name, _)| name)
}

/// Whether the raw query string carries parameter `name` at all.
fn query_has(req: &Request, name: &str) -> bool {
    req.uri()
        .query()
        .is_some_and(|q| q.split('&').any(|pair| pair_name(pair) == name))
}

/// The RFC 8288 `Link` value for `rels`, each URL keeping the request's
/// other query parameters.
fn link_header(req: &Request, rels: &[Rel]) -> Option<String> {
    let kept: Vec<&str> = req
        .uri()
        .query()
        .into_iter()
        .flat_map(|q| q.split('&'))
        .filter(|pair| !pair.is_empty() && !matches!(pair_name(pair), "page" | "cursor"))
        .collect();
    let links: Vec<String> = rels
        .iter()
        .map(|(rel, name, value)| {
            let mut query = kept.clone();
            let param = format!("{name}={value}");
            query.push(&param);
            format!("</api/tasks?{}>; rel=\"{rel}\"", query.join("&"))
        })
        .collect();
    (!links.is_empty()).then(|| links.join(", "))
}
