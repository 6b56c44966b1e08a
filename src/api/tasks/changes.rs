//! `/api/tasks/changes`: the change feed, for clients that sync.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem::web::Data;
use poem_openapi::param::Query;
use poem_openapi::{ApiResponse, Object, OpenApi, Union};

use super::{ApiTags, Task};
use crate::api::conditional::{self, etag, etag_of};
use crate::api::params::{Lenient, RawHeader};
use crate::api::types::Literal;
use crate::auth::scope::Scope;
use crate::auth::{Owner, RateLimited};
use crate::db::changes::Feed;
use crate::db::{self, Db};
use crate::domain::changes::{FEED_DEFAULT_PER_PAGE, check_feed_per_page};
use crate::domain::{self, FeedPosition, History, OwnerId, Timestamp};
use crate::error::{ApiError, Errors, FeedErrors, FieldError};
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

/// A task that was deleted (moved to the trash or removed for good): drop
/// it.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct Tombstone {
    /// The task's id.
    pub id: i64,
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
                deleted_at,
                version,
            } => Self::Deleted(Tombstone {
                id,
                deleted: Literal,
                deleted_at,
                etag: version.map(|version| etag_of(id, version)),
            }),
        }
    }
}

/// One page of the change feed.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct ChangePage {
    /// In the order they were committed; each task at most once per page,
    /// as it was when the page was read.
    pub changes: Vec<Change>,
    /// Send as `since` to continue exactly after this page, or, when
    /// `has_more` is `false`, to ask later for what has changed since.
    pub next_since: String,
    /// Whether more changes follow already: ask again at once with
    /// `next_since`.
    pub has_more: bool,
}

#[derive(ApiResponse)]
enum ChangesResponse {
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

/// The version byte that starts every token.
const TOKEN_VERSION: u8 = 1;
const TOKEN_BYTES: usize = 1 + 3 * 8;

/// The opaque `since` token of a feed position.
fn encode(position: &FeedPosition) -> String {
    let mut bytes = Vec::with_capacity(TOKEN_BYTES);
    bytes.push(TOKEN_VERSION);
    for n in [position.owner.0, position.after, position.origin] {
        bytes.extend_from_slice(&n.to_be_bytes());
    }
    URL_SAFE_NO_PAD.encode(bytes)
}

/// The position a `since` token names, if this server issued it.
fn decode(token: &str) -> Option<FeedPosition> {
    let bytes = URL_SAFE_NO_PAD.decode(token).ok()?;
    let (&version, numbers) = bytes.split_first()?;
    if version != TOKEN_VERSION || bytes.len() != TOKEN_BYTES {
        return None;
    }
    let mut n = numbers
        .chunks_exact(8)
        .map(|c| c.try_into().map(i64::from_be_bytes).unwrap_or(-1));
    let (owner, after, origin) = (n.next()?, n.next()?, n.next()?);
    let valid = owner > 0 && after >= 0 && origin >= 0;
    valid.then(|| FeedPosition::at(OwnerId(owner), after, origin))
}

/// The `since` position for `owner` (`None`: a full sync); a bad token is
/// pushed onto `errors`.
fn since_position(
    token: Option<&str>,
    owner: OwnerId,
    errors: &mut Vec<FieldError>,
) -> Option<FeedPosition> {
    let position = decode(token?);
    let reason = match position {
        None => "is not a token this feed issued",
        Some(p) if p.owner != owner => "was issued to another owner's API key",
        Some(p) => return Some(p),
    };
    errors.push(FieldError::parameter("since", reason));
    None
}

/// The ETag of the answer for `since` and `per_page` while the history
/// stands at `history`: the answer is a function of these.
fn feed_etag(history: &History, since: Option<&str>, per_page: u64) -> String {
    format!(
        "\"{}.{}.{per_page}.{}\"",
        history.seq,
        history.floor,
        since.unwrap_or("")
    )
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
        #[oai(validator(max_length = 64))]
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
        let mut errors = Vec::new();
        let per_page = per_page.0.check(
            "per_page",
            "must be an integer",
            &mut errors,
            check_feed_per_page,
        );
        let since_text = since.0.as_deref();
        let position = since_position(since_text, owner.0, &mut errors);
        let (Some(per_page), true) = (per_page, errors.is_empty()) else {
            return Err(ApiError::validation(errors).into());
        };
        let tag = |history: &History| feed_etag(history, since_text, per_page);
        let unchanged =
            |history: &History| conditional::none_match_tag(&if_none_match, &tag(history));
        match db::changes::feed(&db, owner.0, position, per_page, unchanged).await? {
            Feed::Gone => Err(ApiError::feed_history_gone().into()),
            Feed::Unchanged(history) => {
                Ok(RateLimited(ChangesResponse::NotModified(tag(&history))))
            }
            Feed::Page(page) => {
                let etag = tag(&page.history);
                let next_since = encode(&page.next);
                let body = super::render::feed(&page.changes, &next_since, page.has_more)?;
                Ok(RateLimited(ChangesResponse::Ok(body, etag)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_anything_else() {
        let position = FeedPosition::at(OwnerId(3), 17, 40);
        assert_eq!(decode(&encode(&position)), Some(position));
        for bad in ["", "x", "AQ", &encode(&position)[1..]] {
            assert_eq!(decode(bad), None, "{bad:?}");
        }
        let negative = FeedPosition {
            owner: OwnerId(3),
            after: -1,
            origin: 0,
        };
        assert_eq!(decode(&encode(&negative)), None);
    }
}
