//! `/api/owners`: provisioning for operators (the `admin` scope): make and
//! list owners, make keys for them, disable and enable them, so a sign-up
//! service needs no access to the database.

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::types::Example;
use poem_openapi::{ApiResponse, Object, OpenApi, Tags};
use serde_json::{Map, Value};

use crate::api::account::{Account, CreatedKeyResponse, KeyRequest, key_error, name_member};
use crate::api::body::{JsonBody, JsonInput};
use crate::api::params::{Lenient, path_id};
use crate::auth::audit::{self, Event};
use crate::auth::scope::Scope;
use crate::auth::store::{self, KeyError};
use crate::auth::{Auth, Caller, RateLimited};
use crate::db::Db;
use crate::domain::OwnerId;
use crate::error::{AccountErrors, ApiError, CreateKeyErrors, Errors, FieldError, OwnerErrors};
use crate::payload::{JSON, Json};

#[derive(Tags)]
enum ApiTags {
    /// Provisioning owners and their keys (the `admin` scope).
    Owners,
}

/// An owner to make.
#[derive(Object)]
#[oai(example)]
pub struct OwnerRequest {
    /// 1–100 characters (no control characters, Unicode `Cc`), unique.
    #[oai(validator(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    name: String,
}

impl Example for OwnerRequest {
    fn example() -> Self {
        Self {
            name: "ali".to_owned(),
        }
    }
}

impl JsonInput for OwnerRequest {
    type Output = String;
    const MEDIA_TYPES: &'static [&'static str] = &[JSON];

    fn from_json(object: &Map<String, Value>) -> Result<String, Vec<FieldError>> {
        let mut errors = Vec::new();
        match name_member(object, &mut errors) {
            Some(name) if errors.is_empty() => Ok(name),
            _ => Err(errors),
        }
    }
}

/// Every owner.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct OwnerList {
    /// Oldest first.
    pub owners: Vec<Account>,
}

impl Example for OwnerList {
    fn example() -> Self {
        Self {
            owners: vec![Account::example()],
        }
    }
}

#[derive(ApiResponse)]
enum OwnerCreated {
    /// The owner.
    #[oai(status = 201)]
    Created(Json<Account>),
}

#[derive(ApiResponse)]
enum OwnerListResponse {
    /// Every owner.
    #[oai(status = 200)]
    Ok(Json<OwnerList>),
}

#[derive(ApiResponse)]
enum OwnerResponse {
    /// The owner as it now is.
    #[oai(status = 200)]
    Ok(Json<Account>),
}

/// `/api/owners`.
#[derive(Default)]
pub struct OwnersApi;

#[OpenApi(tag = "ApiTags::Owners")]
impl OwnersApi {
    /// Make an owner
    ///
    /// A new owner (a user or a service account) with no tasks and no key:
    /// make it one with `POST /api/owners/{id}/keys`.
    #[oai(path = "/api/owners", method = "post", operation_id = "create_owner")]
    async fn create_owner(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::Admin")] caller: Caller,
        body: JsonBody<OwnerRequest>,
    ) -> Result<RateLimited<OwnerCreated>, Errors<CreateKeyErrors>> {
        let owner = store::create_owner(&db, &body.value)
            .await
            .map_err(|err| match err {
                KeyError::OwnerExists(name) => ApiError::conflict(
                    "name-taken",
                    "Name taken",
                    format!("an owner named {name:?} exists already"),
                ),
                other => key_error(other),
            })?;
        audit::record(
            &db,
            Event::OwnerCreated,
            &caller.0,
            &format!("owner {}", owner.id.0),
        );
        Ok(RateLimited(OwnerCreated::Created(Json(owner.into()))))
    }

    /// List owners
    #[oai(path = "/api/owners", method = "get", operation_id = "list_owners")]
    async fn list_owners(
        &self,
        db: Data<&Db>,
        #[oai(scope = "Scope::Admin")] _caller: Caller,
    ) -> Result<RateLimited<OwnerListResponse>, Errors<AccountErrors>> {
        let owners = store::list_owners(&db).await?;
        Ok(RateLimited(OwnerListResponse::Ok(Json(OwnerList {
            owners: owners.into_iter().map(Account::from).collect(),
        }))))
    }

    /// Make a key for an owner
    ///
    /// As `POST /api/keys`, for the owner `id`, with any scopes (`admin`
    /// too) and no bound but the server's `--max-key-lifetime-days`.
    #[oai(
        path = "/api/owners/:id/keys",
        method = "post",
        operation_id = "create_owner_key"
    )]
    async fn create_owner_key(
        &self,
        db: Data<&Db>,
        auth: Data<&Arc<Auth>>,
        #[oai(scope = "Scope::Admin")] caller: Caller,
        /// The owner's id.
        #[oai(example = "example_owner_id")]
        id: Path<Lenient<i64>>,
        body: JsonBody<KeyRequest>,
    ) -> Result<RateLimited<CreatedKeyResponse>, Errors<OwnerErrors>> {
        let owner = existing(&db, path_id(id.0)?).await?;
        let grant = body.value.grant(&caller.0, auth.max_key_lifetime(), true)?;
        let made = store::insert_key(&db, owner, &body.value.name, grant)
            .await
            .map_err(key_error)?;
        let target = format!("key {} of owner {}", made.info.id, owner.0);
        audit::record(&db, Event::KeyCreated, &caller.0, &target);
        Ok(RateLimited(CreatedKeyResponse::of(made)))
    }

    /// Disable an owner
    ///
    /// Every credential of the owner is refused (401) from now on: at once
    /// by this process, by others within `--key-cache-secs`. Its tasks are
    /// kept; `…/enable` undoes it. An owner cannot disable itself (409).
    #[oai(
        path = "/api/owners/:id/disable",
        method = "post",
        operation_id = "disable_owner"
    )]
    async fn disable_owner(
        &self,
        db: Data<&Db>,
        auth: Data<&Arc<Auth>>,
        #[oai(scope = "Scope::Admin")] caller: Caller,
        /// The owner's id.
        #[oai(example = "example_owner_id")]
        id: Path<Lenient<i64>>,
    ) -> Result<RateLimited<OwnerResponse>, Errors<OwnerErrors>> {
        let owner = existing(&db, path_id(id.0)?).await?;
        if owner == caller.0.owner {
            return Err(ApiError::conflict(
                "disabling-yourself",
                "Cannot disable yourself",
                "the calling credential's owner cannot be disabled with it",
            )
            .into());
        }
        set_disabled(&db, &auth, &caller, owner, true).await
    }

    /// Enable an owner
    ///
    /// Undoes `…/disable`: the owner's keys that are not revoked or
    /// expired work again.
    #[oai(
        path = "/api/owners/:id/enable",
        method = "post",
        operation_id = "enable_owner"
    )]
    async fn enable_owner(
        &self,
        db: Data<&Db>,
        auth: Data<&Arc<Auth>>,
        #[oai(scope = "Scope::Admin")] caller: Caller,
        /// The owner's id.
        #[oai(example = "example_owner_id")]
        id: Path<Lenient<i64>>,
    ) -> Result<RateLimited<OwnerResponse>, Errors<OwnerErrors>> {
        let owner = existing(&db, path_id(id.0)?).await?;
        set_disabled(&db, &auth, &caller, owner, false).await
    }
}

/// The owner `id`, or a 404.
async fn existing(db: &Db, id: i64) -> Result<OwnerId, ApiError> {
    match store::find_owner(db, OwnerId(id)).await? {
        Some(owner) => Ok(owner.id),
        None => Err(ApiError::owner_not_found(id)),
    }
}

async fn set_disabled(
    db: &Db,
    auth: &Auth,
    caller: &Caller,
    owner: OwnerId,
    disabled: bool,
) -> Result<RateLimited<OwnerResponse>, Errors<OwnerErrors>> {
    let info = store::set_disabled(db, owner, disabled)
        .await?
        .ok_or_else(|| ApiError::owner_not_found(owner.0))?;
    auth.forget_owner(owner);
    let event = if disabled {
        Event::OwnerDisabled
    } else {
        Event::OwnerEnabled
    };
    audit::record(db, event, &caller.0, &format!("owner {}", owner.0));
    Ok(RateLimited(OwnerResponse::Ok(Json(info.into()))))
}

fn example_owner_id() -> Lenient<i64> {
    Lenient::of(3)
}
