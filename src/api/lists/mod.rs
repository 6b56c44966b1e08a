//! `/api/lists`: lists of tasks, their trash, their feed, and their
//! members (`members.rs`).

mod members;
mod objects;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use poem::web::Data;
use poem_openapi::param::{Path, Query};
use poem_openapi::{ApiResponse, OpenApi, Tags};

pub use self::members::MembersApi;
pub use self::objects::{
    ListInput, ListPage, ListPatch, Member, MemberList, Role, RoleInput, TaskList,
};
use crate::api::body::JsonBody;
use crate::api::conditional::{self, list_etag};
use crate::api::params::{Lenient, RawHeader, path_id_named, purge_flag};
use crate::api::tasks::changes::{ChangesResponse, answer_feed};
use crate::auth::scope::Scope;
use crate::auth::{Owner, RateLimited};
use crate::db::lists::manage::{self, Refused};
use crate::db::tasks::Expect;
use crate::db::{self, Db};
use crate::domain::changes::FEED_DEFAULT_PER_PAGE;
use crate::domain::{ListId, Timestamp};
use crate::error::{
    ApiError, CreateListErrors, Errors, ListErrors, ListFeedErrors, ListWriteErrors, ReadListErrors,
};
use crate::payload::Json;

#[derive(Tags)]
enum ApiTags {
    /// Lists of tasks, shared with other owners by role.
    Lists,
}

/// Lists per page when the client does not say, and at most.
const DEFAULT_PER_PAGE: i64 = 50;
const MAX_PER_PAGE: i64 = 200;

#[derive(ApiResponse)]
enum ListResponse {
    /// The list.
    #[oai(status = 200)]
    Ok(
        Json<TaskList>,
        /// The list's strong entity tag.
        #[oai(header = "ETag")]
        String,
    ),
    /// The list still has the ETag given in `If-None-Match`.
    #[oai(status = 304)]
    NotModified(
        /// The list's strong entity tag.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(ApiResponse)]
enum CreatedListResponse {
    /// The list was made; the caller is its owner.
    #[oai(status = 201)]
    Created(
        Json<TaskList>,
        /// The new list's URL.
        #[oai(header = "Location")]
        String,
        /// The list's strong entity tag.
        #[oai(header = "ETag")]
        String,
    ),
}

#[derive(ApiResponse)]
enum ListPageResponse {
    /// The lists the caller sees.
    #[oai(status = 200)]
    Ok(Json<ListPage>),
}

#[derive(ApiResponse)]
enum DeletedListResponse {
    /// The list is in the trash with its tasks (or, with `purge=true`,
    /// gone for good).
    #[oai(status = 204)]
    Deleted,
}

fn answered(list: db::lists::TaskList) -> ListResponse {
    let tag = list_etag(list.id.0, list.version);
    ListResponse::Ok(Json(list.into()), tag)
}

/// The versions a list write expects (`None`: any).
pub(crate) fn versions(expect: Option<Expect>) -> Option<Vec<i64>> {
    match expect {
        Some(Expect::OneOf(versions)) => Some(versions),
        Some(Expect::Any) | None => None,
    }
}

/// The problem of a refused change of list `id`; a stale `If-Match` (or
/// one on a list that is missing) is a 412.
pub(crate) fn refused(refused: Refused, id: i64, expect: Option<&Expect>) -> ApiError {
    match refused {
        Refused::Missing if expect.is_some() => ApiError::list_precondition_failed(id),
        Refused::Missing => ApiError::list_not_found(id),
        Refused::NoSuchOwner => ApiError::conflict(
            "not-a-member",
            "Not a member",
            format!("that owner is not a member of list {id}"),
        ),
        Refused::Denied(role) => ApiError::role_needed(role, id),
        Refused::Stale => ApiError::list_precondition_failed(id),
        Refused::LastOwner => ApiError::conflict(
            "last-owner",
            "Last owner",
            format!("list {id} must keep at least one owner: make another member owner first"),
        ),
        Refused::Inbox(why) => ApiError::conflict("inbox", "Inbox", why),
        Refused::Limit(why) => ApiError::conflict("limit-reached", "Limit reached", why),
    }
}

fn default_per_page() -> Lenient<i64> {
    Lenient::of(DEFAULT_PER_PAGE)
}

fn default_feed_per_page() -> Lenient<i64> {
    Lenient::of(FEED_DEFAULT_PER_PAGE as i64)
}

fn path_list(id: Lenient<i64>) -> Result<ListId, ApiError> {
    path_id_named("list_id", id).map(ListId)
}

/// `/api/lists` and `/api/lists/{list_id}`.
#[derive(Default)]
pub struct ListsApi;

#[OpenApi(tag = "ApiTags::Lists")]
impl ListsApi {
    /// List lists
    ///
    /// Every list the caller sees (its own and those shared with it, not
    /// in the trash), in id order, with the caller's role on each.
    #[oai(path = "/api/lists", method = "get", operation_id = "list_lists")]
    async fn list_lists(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksRead")] owner: Owner,
        /// Lists per page, 1–200.
        #[oai(
            default = "default_per_page",
            validator(minimum(value = "1"), maximum(value = "200"))
        )]
        per_page: Query<Lenient<i64>>,
        /// The `next_cursor` of the previous page.
        #[oai(validator(max_length = 64))]
        cursor: Query<Option<String>>,
    ) -> Result<RateLimited<ListPageResponse>, Errors<ListErrors>> {
        let mut errors = Vec::new();
        let per_page =
            per_page
                .0
                .check("per_page", "must be between 1 and 200", &mut errors, |n| {
                    u64::try_from(n)
                        .ok()
                        .filter(|n| (1..=MAX_PER_PAGE as u64).contains(n))
                        .ok_or("must be between 1 and 200")
                });
        let after = match cursor.0.as_deref() {
            None => Some(0),
            Some(text) => {
                let after = URL_SAFE_NO_PAD
                    .decode(text)
                    .ok()
                    .and_then(|b| String::from_utf8(b).ok())
                    .and_then(|s| s.parse::<i64>().ok())
                    .filter(|&n| n > 0);
                if after.is_none() {
                    errors.push(crate::error::FieldError::parameter(
                        "cursor",
                        "is not a cursor this list issued",
                    ));
                }
                after
            }
        };
        let (Some(per_page), Some(after), true) = (per_page, after, errors.is_empty()) else {
            return Err(ApiError::validation(errors).into());
        };
        // The inbox exists before the first list is read.
        db::lists::inbox(&db, owner.0).await?;
        let mut lists = manage::page(&db, owner.0, after, per_page + 1).await?;
        let more = lists.len() as u64 > per_page;
        lists.truncate(per_page as usize);
        let next_cursor = lists
            .last()
            .filter(|_| more)
            .map(|l| URL_SAFE_NO_PAD.encode(l.id.0.to_string()));
        Ok(RateLimited(ListPageResponse::Ok(Json(ListPage {
            items: lists.into_iter().map(TaskList::from).collect(),
            next_cursor: crate::api::types::Nullable(next_cursor),
        }))))
    }

    /// Create a list
    ///
    /// Makes a list with the caller as its owner.
    #[oai(path = "/api/lists", method = "post", operation_id = "create_list")]
    async fn create_list(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        body: JsonBody<ListInput>,
    ) -> Result<RateLimited<CreatedListResponse>, Errors<CreateListErrors>> {
        let made = manage::create(&db, owner.0, body.value, Timestamp::now()).await?;
        let list = made.map_err(|r| refused(r, 0, None))?;
        let tag = list_etag(list.id.0, list.version);
        let location = format!("/api/lists/{}", list.id.0);
        Ok(RateLimited(CreatedListResponse::Created(
            Json(list.into()),
            location,
            tag,
        )))
    }

    /// Get a list
    #[oai(
        path = "/api/lists/:list_id",
        method = "get",
        operation_id = "get_list"
    )]
    async fn get_list(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksRead")] owner: Owner,
        /// The list's id.
        list_id: Path<Lenient<i64>>,
        /// ETags the client already has.
        #[oai(name = "If-None-Match")]
        if_none_match: RawHeader,
    ) -> Result<RateLimited<ListResponse>, Errors<ReadListErrors>> {
        let id = path_list(list_id.0)?;
        let list = manage::find(&db, owner.0, id)
            .await?
            .ok_or_else(|| ApiError::list_not_found(id.0))?;
        let tag = list_etag(id.0, list.version);
        if conditional::none_match_tag(&if_none_match, &tag) {
            return Ok(RateLimited(ListResponse::NotModified(tag)));
        }
        Ok(RateLimited(answered(list)))
    }

    /// Rename a list
    ///
    /// A JSON Merge Patch of the list's `title` (its owners only). With
    /// `If-Match`, only if the list still has that ETag.
    #[oai(
        path = "/api/lists/:list_id",
        method = "patch",
        operation_id = "update_list"
    )]
    async fn update_list(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// The list's id.
        list_id: Path<Lenient<i64>>,
        /// Write only if the list's current ETag is one of these (or `*`).
        #[oai(name = "If-Match")]
        if_match: RawHeader,
        body: JsonBody<ListPatch>,
    ) -> Result<RateLimited<ListResponse>, Errors<ListWriteErrors>> {
        let id = path_list(list_id.0)?;
        let expect = conditional::expect_list(&if_match, id.0);
        let done = manage::rename(
            &db,
            owner.0,
            id,
            body.value,
            versions(expect.clone()),
            Timestamp::now(),
        )
        .await?;
        let list = done.map_err(|r| refused(r, id.0, expect.as_ref()))?;
        Ok(RateLimited(answered(list)))
    }

    /// Delete a list
    ///
    /// Moves the list to the trash with its tasks (its owners only; not an
    /// inbox): it and its tasks are then gone for every member until
    /// `POST /api/lists/{list_id}/undelete`, and removed for good after
    /// the retention. `purge=true` removes it and its tasks for good at
    /// once, also from the trash.
    #[oai(
        path = "/api/lists/:list_id",
        method = "delete",
        operation_id = "delete_list"
    )]
    async fn delete_list(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// The list's id.
        list_id: Path<Lenient<i64>>,
        /// Delete only if the list's current ETag is one of these (or `*`).
        #[oai(name = "If-Match")]
        if_match: RawHeader,
        /// `true`: remove the list and its tasks for good now.
        purge: Query<Option<Lenient<bool>>>,
    ) -> Result<RateLimited<DeletedListResponse>, Errors<ListWriteErrors>> {
        let mut errors = Vec::new();
        let purge = purge_flag(purge.0, &mut errors);
        let id = path_list(list_id.0)?;
        if !errors.is_empty() {
            return Err(ApiError::validation(errors).into());
        }
        let expect = conditional::expect_list(&if_match, id.0);
        let done = manage::trash(
            &db,
            owner.0,
            id,
            versions(expect.clone()),
            purge,
            Timestamp::now(),
        )
        .await?;
        done.map_err(|r| refused(r, id.0, expect.as_ref()))?;
        Ok(RateLimited(DeletedListResponse::Deleted))
    }

    /// Undelete a list
    ///
    /// Takes a list out of the trash with its tasks (its owners only).
    #[oai(
        path = "/api/lists/:list_id/undelete",
        method = "post",
        operation_id = "undelete_list"
    )]
    async fn undelete_list(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] owner: Owner,
        /// The list's id.
        list_id: Path<Lenient<i64>>,
        /// Undelete only if the list's current ETag is one of these.
        #[oai(name = "If-Match")]
        if_match: RawHeader,
    ) -> Result<RateLimited<ListResponse>, Errors<ListWriteErrors>> {
        let id = path_list(list_id.0)?;
        let expect = conditional::expect_list(&if_match, id.0);
        let done =
            manage::undelete(&db, owner.0, id, versions(expect.clone()), Timestamp::now()).await?;
        let list = done.map_err(|r| refused(r, id.0, expect.as_ref()))?;
        Ok(RateLimited(answered(list)))
    }

    /// List one list's changes since a token
    ///
    /// The change feed of one list, for a client that syncs only it: as
    /// `GET /api/tasks/changes`, with tokens of its own.
    #[oai(
        path = "/api/lists/:list_id/changes",
        method = "get",
        operation_id = "list_list_changes"
    )]
    async fn list_list_changes(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksRead")] owner: Owner,
        /// The list's id.
        list_id: Path<Lenient<i64>>,
        /// The `next_since` of the previous page; omitted for a full sync.
        #[oai(validator(max_length = 8192, pattern = "^[A-Za-z0-9_-]*$"))]
        since: Query<Option<String>>,
        /// Changes per page, 1–1000.
        #[oai(
            default = "default_feed_per_page",
            validator(minimum(value = "1"), maximum(value = "1000"))
        )]
        per_page: Query<Lenient<i64>>,
        /// The ETag of an earlier answer to this same request.
        #[oai(name = "If-None-Match")]
        if_none_match: RawHeader,
    ) -> Result<RateLimited<ChangesResponse>, Errors<ListFeedErrors>> {
        let id = path_list(list_id.0)?;
        let since = since.0.as_deref();
        let answer = answer_feed(&db, owner.0, Some(id), since, per_page.0, &if_none_match);
        Ok(RateLimited(answer.await?))
    }
}
