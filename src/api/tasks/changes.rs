//! `/api/tasks/changes`: the change feed, for clients that sync.

use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{ApiResponse, Object, OpenApi, Union};

use super::{ApiTags, Task};
use crate::api::conditional::{self, etag, etag_of};
use crate::api::params::{Lenient, RawHeader};
use crate::api::types::Literal;
use crate::auth::scope::Scope;
use crate::auth::{Owner, RateLimited};
use std::hash::{Hash, Hasher};

use super::token::{encode, since_token};
use crate::api::lists::TaskList;
use crate::db::changes::{Feed, Heads};
use crate::db::{self, Db};
use crate::domain::changes::{FEED_DEFAULT_PER_PAGE, check_feed_per_page};
use crate::domain::{self, ListId, OwnerId, Timestamp};
use crate::error::{ApiError, Errors, FeedErrors};
use crate::payload::JsonText;

/// One entry of the change feed, told apart by `deleted`: a task as it
/// now is (`false`), or a tombstone (`true`).
#[derive(Union, Debug, Clone, PartialEq)]
#[oai(one_of)]
pub enum Change {
    Changed(ChangedTask),
    Deleted(Tombstone),
}

/// A task that was created or changed: its current state.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct ChangedTask {
    /// The task's id.
    pub id: i64,
    /// `false`: `task` is the task's current state.
    pub deleted: Literal<false>,
    /// The task's strong ETag, as `GET` sends it, for a later `If-Match`.
    pub etag: String,
    pub task: Task,
}

/// A task that was deleted from a list (moved to the trash, removed for
/// good, or moved to another list): drop it if the copy you have is in
/// that list (a task moved comes again as a change in its new list, which
/// may come first).
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct Tombstone {
    /// The task's id.
    pub id: i64,
    /// The list it left.
    pub list_id: i64,
    /// `true`: the task was deleted.
    pub deleted: Literal<true>,
    /// When the task was deleted.
    pub deleted_at: Timestamp,
    /// The task's strong ETag while it is in the trash (for a conditional
    /// `POST /api/tasks/{id}/undelete`); left out once it is removed for
    /// good.
    #[oai(skip_serializing_if_is_none)]
    pub etag: Option<String>,
}

impl From<domain::Change> for Change {
    fn from(change: domain::Change) -> Self {
        match change {
            domain::Change::Live(task) => Self::Changed(ChangedTask {
                id: task.id,
                deleted: Literal,
                etag: etag(&task),
                task: task.into(),
            }),
            domain::Change::Deleted {
                id,
                list,
                deleted_at,
                version,
            } => Self::Deleted(Tombstone {
                id,
                list_id: list.0,
                deleted: Literal,
                deleted_at,
                etag: version.map(|version| etag_of(id, version)),
            }),
        }
    }
}

/// A list's own change in the feed, told apart by `deleted`: the list as
/// it now is (made, renamed, its members changed, or newly shared with
/// you: its tasks all come as changes), or a tombstone (you lost access,
/// or it was trashed or removed): drop the list and its tasks.
#[derive(Union, Debug, Clone, PartialEq)]
#[oai(one_of)]
pub enum ListChange {
    Changed(ChangedList),
    Deleted(ListTombstone),
}

impl From<db::changes::ListChange> for ListChange {
    fn from(change: db::changes::ListChange) -> Self {
        match change {
            db::changes::ListChange::Live(list) => Self::Changed(ChangedList {
                id: list.id.0,
                deleted: Literal,
                list: list.into(),
            }),
            db::changes::ListChange::Gone(id) => Self::Deleted(ListTombstone {
                id: id.0,
                deleted: Literal,
            }),
        }
    }
}

/// A list that was made or changed, or that you gained access to.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct ChangedList {
    /// The list's id.
    pub id: i64,
    /// `false`: `list` is the list as it now is.
    pub deleted: Literal<false>,
    pub list: TaskList,
}

/// A list you no longer see: drop it and every task you have of it.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct ListTombstone {
    /// The list's id.
    pub id: i64,
    /// `true`: the list is gone for you.
    pub deleted: Literal<true>,
}

/// One page of the change feed.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct ChangePage {
    /// The lists' own changes in this page, in list order: apply them
    /// before the tasks' changes.
    pub lists: Vec<ListChange>,
    /// List by list (in id order), each list's in the order they were
    /// committed; each task at most once per list per page, as it was when
    /// the page was read.
    pub changes: Vec<Change>,
    /// Send as `since` to continue exactly after this page, or, when
    /// `has_more` is `false`, to ask later for what has changed since.
    pub next_since: String,
    /// Whether more changes follow already: ask again at once with
    /// `next_since`.
    pub has_more: bool,
}

#[derive(ApiResponse)]
pub(crate) enum ChangesResponse {
    /// The changes after `since`.
    #[oai(status = 200)]
    Ok(
        JsonText<ChangePage>,
        /// The tag of this answer: send it as `If-None-Match` with the same
        /// `since` and `per_page` to get a 304 while nothing has changed.
        #[oai(header = "ETag")]
        String,
    ),
    /// Nothing has changed since the answer with this ETag.
    #[oai(status = 304)]
    NotModified(
        /// The tag of the answer the client has.
        #[oai(header = "ETag")]
        String,
    ),
}

/// The ETag of the answer for `since` and `per_page` while the histories
/// stand at `heads`: the answer is a function of these.
fn feed_etag(heads: &Heads, since: Option<&str>, per_page: u64) -> String {
    let mut hasher = std::hash::DefaultHasher::new();
    heads.hash(&mut hasher);
    since.hash(&mut hasher);
    per_page.hash(&mut hasher);
    format!("\"{:016x}\"", hasher.finish())
}

fn default_per_page() -> Lenient<i64> {
    Lenient::of(FEED_DEFAULT_PER_PAGE as i64)
}

/// `GET` on `/api/tasks/changes`.
#[derive(Default)]
pub struct ChangesApi;

#[OpenApi(tag = "ApiTags::Tasks")]
impl ChangesApi {
    /// List changes since a token
    ///
    /// The change feed, for clients that keep a copy of the tasks. Without
    /// `since`, a full sync: every task (from the beginning of the owner's
    /// history). With the `next_since` of a previous page, every task
    /// created, changed or undeleted since, and a tombstone for every task
    /// moved to the trash or removed for good since, in commit order, each
    /// task once, as it now is. A client that applies the pages in order
    /// ends with exactly the server's tasks, also while others write.
    /// A token older than the kept history (`--feed-retention-days` of
    /// tombstones) is 410 Gone: sync again without `since`.
    #[oai(
        path = "/api/tasks/changes",
        method = "get",
        operation_id = "list_changes"
    )]
    async fn list_changes(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksRead")] owner: Owner,
        /// The `next_since` of the previous page; omitted for a full sync.
        #[oai(validator(max_length = 8192, pattern = "^[A-Za-z0-9_-]*$"))]
        since: Query<Option<String>>,
        /// Changes per page, 1–1000.
        #[oai(
            default = "default_per_page",
            example = "super::examples::per_page",
            validator(minimum(value = "1"), maximum(value = "1000"))
        )]
        per_page: Query<Lenient<i64>>,
        /// The ETag of an earlier answer to this same request: a 304 while
        /// nothing has changed since.
        #[oai(name = "If-None-Match")]
        if_none_match: RawHeader,
    ) -> Result<RateLimited<ChangesResponse>, Errors<FeedErrors>> {
        let since = since.0.as_deref();
        let answer = answer_feed(&db, owner.0, None, since, per_page.0, &if_none_match);
        Ok(RateLimited(answer.await?))
    }
}

/// The answer of the feed of every list `owner` sees (`scope` `None`) or
/// of one (which the caller must see: else 404), after the token `since`,
/// `per_page` changes a page (both as sent: a bad one is a 400 naming it).
pub(crate) async fn answer_feed(
    db: &Db,
    owner: OwnerId,
    scope: Option<ListId>,
    since: Option<&str>,
    per_page: Lenient<i64>,
    if_none_match: &RawHeader,
) -> Result<ChangesResponse, ApiError> {
    let mut errors = Vec::new();
    let per_page = per_page.check(
        "per_page",
        "must be an integer",
        &mut errors,
        check_feed_per_page,
    );
    let token = since_token(since, owner, scope, &mut errors)?;
    let (Some(per_page), true) = (per_page, errors.is_empty()) else {
        return Err(ApiError::validation(errors));
    };
    match scope {
        Some(list) => {
            if db::lists::of_list(db.reader(), owner, list, false)
                .await?
                .is_none()
            {
                return Err(ApiError::list_not_found(list.0));
            }
        }
        // A full sync shows the caller's inbox even before its first task.
        None => {
            db::lists::inbox(db, owner).await?;
        }
    }
    let tag = |heads: &Heads| feed_etag(heads, since, per_page);
    let unchanged = |heads: &Heads| conditional::none_match_tag(if_none_match, &tag(heads));
    match db::changes::feed(db, owner, scope, token, per_page, unchanged).await? {
        Feed::Gone => Err(ApiError::feed_history_gone()),
        Feed::Unchanged(heads) => Ok(ChangesResponse::NotModified(tag(&heads))),
        Feed::Page(page) => {
            let etag = tag(&page.heads);
            let next_since = encode(&page.next);
            let body = super::render::feed(&page.lists, &page.changes, &next_since, page.has_more)?;
            Ok(ChangesResponse::Ok(body, etag))
        }
    }
}
