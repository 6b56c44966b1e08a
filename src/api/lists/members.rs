//! `/api/lists/{list_id}/members`: who may do what on a list. Members are
//! named as owners are elsewhere: by id, or by name (an identity
//! provider's user by its `oidc:…` name, once it has signed in).

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, OpenApi};

use super::{ApiTags, MemberList, RoleInput, path_list, refused};
use crate::api::body::JsonBody;
use crate::api::params::Lenient;
use crate::auth::scope::Scope;
use crate::auth::store;
use crate::auth::{Owner, RateLimited};
use crate::db::lists::manage::{self, MemberSet};
use crate::db::{Db, DbError};
use crate::domain::{OwnerId, Timestamp};
use crate::error::{ApiError, Errors, FieldError, ListWriteErrors, ReadListErrors};
use crate::payload::Json;

#[derive(ApiResponse)]
enum MembersResponse {
    /// The members, by owner id.
    #[oai(status = 200)]
    Ok(Json<MemberList>),
}

#[derive(ApiResponse)]
enum SetMemberResponse {
    /// The member's role was changed (or already was this one).
    #[oai(status = 200)]
    Changed(Json<MemberList>),
    /// The owner was added as a member.
    #[oai(status = 201)]
    Added(Json<MemberList>),
}

#[derive(ApiResponse)]
enum RemovedMemberResponse {
    /// The member was removed (or left).
    #[oai(status = 204)]
    Removed,
}

/// The owner a path names: digits are an id, anything else a name.
async fn named(db: &Db, owner: &str) -> Result<Option<OwnerId>, DbError> {
    if let Ok(id) = owner.parse::<i64>() {
        return Ok(store::find_owner(db, OwnerId(id)).await?.map(|o| o.id));
    }
    Ok(store::find_owner_named(db, owner).await?.map(|o| o.id))
}

fn owner_param(owner: &str) -> Result<&str, ApiError> {
    if owner.is_empty() || owner.len() > 200 {
        return Err(ApiError::validation(vec![FieldError::parameter(
            "owner",
            "must be an owner's id or name (1–200 characters)",
        )]));
    }
    Ok(owner)
}

/// The members of `list` as `caller` sees them.
async fn listed(db: &Db, caller: OwnerId, list: i64) -> Result<MemberList, ApiError> {
    let members = manage::members(db, caller, crate::domain::ListId(list))
        .await?
        .ok_or_else(|| ApiError::list_not_found(list))?;
    Ok(MemberList {
        members: members.into_iter().map(Into::into).collect(),
    })
}

/// `GET` on `/api/lists/{list_id}/members`, `PUT` and `DELETE` on
/// `/api/lists/{list_id}/members/{owner}`.
#[derive(Default)]
pub struct MembersApi;

#[OpenApi(tag = "ApiTags::Lists")]
impl MembersApi {
    /// List a list's members
    ///
    /// Every member of the list with its role (any member may read them).
    #[oai(
        path = "/api/lists/:list_id/members",
        method = "get",
        operation_id = "list_members"
    )]
    async fn list_members(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksRead")] owner: Owner,
        /// The list's id.
        list_id: Path<Lenient<i64>>,
    ) -> Result<RateLimited<MembersResponse>, Errors<ReadListErrors>> {
        let id = path_list(list_id.0)?;
        let members = listed(&db, owner.0, id.0).await?;
        Ok(RateLimited(MembersResponse::Ok(Json(members))))
    }

    /// Add a member or change its role
    ///
    /// Gives the owner `owner` (an id or a name) `role` on the list (the
    /// list's owners only): 201 when it was added, 200 when its role was
    /// changed. In force for that member's very next request, on every
    /// process. Demoting the last owner is a 409; an inbox is not shared.
    #[oai(
        path = "/api/lists/:list_id/members/:owner",
        method = "put",
        operation_id = "set_member"
    )]
    async fn set_member(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] caller: Owner,
        /// The list's id.
        list_id: Path<Lenient<i64>>,
        /// The member: an owner's id or name.
        owner: Path<String>,
        body: JsonBody<RoleInput>,
    ) -> Result<RateLimited<SetMemberResponse>, Errors<ListWriteErrors>> {
        let id = path_list(list_id.0)?;
        let name = owner_param(&owner.0)?;
        let Some(member) = named(&db, name).await? else {
            return Err(ApiError::owner_named_not_found(name).into());
        };
        let done = manage::set_member(&db, caller.0, id, member, body.value, Timestamp::now())
            .await?
            .map_err(|r| refused(r, id.0, None))?;
        let members = Json(listed(&db, caller.0, id.0).await?);
        Ok(RateLimited(match done {
            MemberSet::Added => SetMemberResponse::Added(members),
            MemberSet::Changed => SetMemberResponse::Changed(members),
        }))
    }

    /// Remove a member
    ///
    /// Removes the owner `owner` (an id or a name) from the list: by one
    /// of the list's owners, or by the member itself to leave. In force
    /// for that member's very next request, on every process. The last
    /// owner cannot be removed (409).
    #[oai(
        path = "/api/lists/:list_id/members/:owner",
        method = "delete",
        operation_id = "remove_member"
    )]
    async fn remove_member(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::TasksWrite")] caller: Owner,
        /// The list's id.
        list_id: Path<Lenient<i64>>,
        /// The member: an owner's id or name.
        owner: Path<String>,
    ) -> Result<RateLimited<RemovedMemberResponse>, Errors<ListWriteErrors>> {
        let id = path_list(list_id.0)?;
        let name = owner_param(&owner.0)?;
        let Some(member) = named(&db, name).await? else {
            return Err(ApiError::owner_named_not_found(name).into());
        };
        manage::remove_member(&db, caller.0, id, member, Timestamp::now())
            .await?
            .map_err(|r| refused(r, id.0, None))?;
        Ok(RateLimited(RemovedMemberResponse::Removed))
    }
}
