//! `/api/me` and `/api/keys`: who is calling, and the caller's own API
//! keys (listed without their secrets, made with scopes it holds and no
//! later expiry than its own, revoked). The objects are in [`objects`],
//! the key request and its rules in [`request`].

mod objects;
mod request;

pub use self::objects::{Account, ApiKey, CreatedApiKey, Credential, CredentialKind, KeyList, Me};
pub use self::request::{KeyAsked, KeyRequest, key_error, name_member};

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::{ApiResponse, OpenApi, Tags};

use crate::api::body::JsonBody;
use crate::api::params::{Lenient, path_id};
use crate::api::types::Nullable;
use crate::auth::audit::{self, Event};
use crate::auth::scope::Scope;
use crate::auth::store::{self, Credential as How, MadeKey};
use crate::auth::{Auth, Caller, RateLimited};
use crate::db::Db;
use crate::domain::OwnerId;
use crate::error::{AccountErrors, ApiError, CreateKeyErrors, Errors, RevokeKeyErrors};
use crate::payload::Json;

#[derive(Tags)]
enum ApiTags {
    /// Who is calling, and API keys.
    Account,
}

#[derive(ApiResponse)]
enum MeResponse {
    /// The caller's owner and credential.
    #[oai(status = 200)]
    Ok(Json<Me>),
}

#[derive(ApiResponse)]
enum KeyListResponse {
    /// The caller's keys.
    #[oai(status = 200)]
    Ok(Json<KeyList>),
}

#[derive(ApiResponse)]
pub enum CreatedKeyResponse {
    /// The key, shown this once.
    #[oai(status = 201)]
    Created(
        Json<CreatedApiKey>,
        /// Where the key is listed: `/api/keys/{id}` for `DELETE`.
        #[oai(header = "Location")]
        String,
    ),
}

impl CreatedKeyResponse {
    pub fn of(made: MadeKey) -> Self {
        let location = format!("/api/keys/{}", made.info.id);
        Self::Created(Json(made.into()), location)
    }
}

#[derive(ApiResponse)]
enum RevokedResponse {
    /// Revoked: every process refuses the key within `--key-cache-secs`
    /// (this one at once).
    #[oai(status = 204)]
    NoContent,
}

/// `GET /api/me` and `/api/keys`.
#[derive(Default)]
pub struct AccountApi;

#[OpenApi(tag = "ApiTags::Account")]
impl AccountApi {
    /// Who am I
    ///
    /// The caller's owner and the credential of this request: its kind,
    /// scopes and expiry. Any valid credential may ask.
    #[oai(path = "/api/me", method = "get", operation_id = "get_me")]
    async fn get_me(
        &self,
        db: Data<&Db>,
        caller: Caller,
    ) -> Result<RateLimited<MeResponse>, Errors<AccountErrors>> {
        let principal = caller.0;
        let owner = store::find_owner(&db, principal.owner)
            .await?
            .ok_or_else(|| ApiError::owner_not_found(principal.owner.0))?;
        let kind = match principal.credential {
            How::Key(_) => CredentialKind::ApiKey,
            How::Token => CredentialKind::Token,
            How::Anonymous => CredentialKind::None,
        };
        Ok(RateLimited(MeResponse::Ok(Json(Me {
            owner: owner.into(),
            credential: Credential {
                kind,
                key_id: Nullable(principal.key_id()),
                scopes: principal.scopes.iter().collect(),
                expires_at: Nullable(principal.expires_at),
            },
        }))))
    }

    /// List my keys
    ///
    /// The caller's owner's keys that are not revoked, never their secrets.
    #[oai(path = "/api/keys", method = "get", operation_id = "list_keys")]
    async fn list_keys(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::KeysManage")] caller: Caller,
    ) -> Result<RateLimited<KeyListResponse>, Errors<AccountErrors>> {
        let keys = store::keys_of(&db, caller.0.owner).await?;
        Ok(RateLimited(KeyListResponse::Ok(Json(KeyList {
            keys: keys.into_iter().map(ApiKey::from).collect(),
        }))))
    }

    /// Make a key
    ///
    /// A new key for the caller's owner, shown once. It can hold only
    /// scopes the calling key holds (else 403 `insufficient_scope`) and
    /// expire no later than it (else 400 naming `expires_at`).
    #[oai(path = "/api/keys", method = "post", operation_id = "create_key")]
    async fn create_key(
        &self,
        db: Data<&Db>,
        auth: Data<&Arc<Auth>>,
        #[oai(scope = "Scope::KeysManage")] caller: Caller,
        body: JsonBody<KeyRequest>,
    ) -> Result<RateLimited<CreatedKeyResponse>, Errors<CreateKeyErrors>> {
        let grant = body
            .value
            .grant(&caller.0, auth.max_key_lifetime(), false)?;
        let made = store::insert_key(&db, caller.0.owner, &body.value.name, grant)
            .await
            .map_err(key_error)?;
        let target = format!("key {} of owner {}", made.info.id, caller.0.owner.0);
        audit::record(&db, Event::KeyCreated, &caller.0, &target);
        Ok(RateLimited(CreatedKeyResponse::of(made)))
    }

    /// Revoke a key
    ///
    /// Revokes one of the caller's owner's keys (the calling one too).
    #[oai(path = "/api/keys/:id", method = "delete", operation_id = "revoke_key")]
    async fn revoke_key(
        &self,
        db: Data<&Db>,
        auth: Data<&Arc<Auth>>,
        #[oai(scope = "Scope::KeysManage")] caller: Caller,
        /// The key's id, as listed.
        #[oai(example = "example_key_id")]
        id: Path<Lenient<i64>>,
    ) -> Result<RateLimited<RevokedResponse>, Errors<RevokeKeyErrors>> {
        let id = path_id(id.0)?;
        let owner: OwnerId = caller.0.owner;
        if !store::revoke_owned(&db, owner, id).await? {
            return Err(ApiError::key_not_found(id).into());
        }
        auth.forget_owner(owner);
        audit::record(
            &db,
            Event::KeyRevoked,
            &caller.0,
            &format!("key {id} of owner {}", owner.0),
        );
        Ok(RateLimited(RevokedResponse::NoContent))
    }
}

fn example_key_id() -> Lenient<i64> {
    Lenient::of(12)
}
