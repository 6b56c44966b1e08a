//! `/api/me` and `/api/keys`: who is calling, and the caller's own API
//! keys (listed without their secrets, made with scopes it holds and no
//! later expiry than its own, revoked).

use std::sync::Arc;

use poem::web::Data;
use poem_openapi::param::Path;
use poem_openapi::types::Example;
use poem_openapi::{ApiResponse, Enum, Object, OpenApi, Tags};
use serde_json::{Map, Value};

use crate::api::body::{Field, JsonBody, JsonInput, member, string};
use crate::api::params::{Lenient, path_id};
use crate::api::types::Nullable;
use crate::auth::audit::{self, Event};
use crate::auth::scope::{Scope, Scopes};
use crate::auth::store::{
    self, Credential as How, Grant, KeyError, KeyInfo, MadeKey, OwnerInfo, Principal,
};
use crate::auth::{Auth, Caller, RateLimited};
use crate::db::Db;
use crate::domain::{OwnerId, Timestamp};
use crate::error::{AccountErrors, ApiError, CreateKeyErrors, Errors, FieldError, RevokeKeyErrors};
use crate::payload::{JSON, Json};

#[derive(Tags)]
enum ApiTags {
    /// Who is calling, and API keys.
    Account,
}

/// An owner: a user or a service account, what tasks belong to.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct Account {
    pub id: i64,
    /// Unique: 1–100 characters.
    pub name: String,
    pub created_at: Timestamp,
    /// When it was disabled (every credential refused, data kept), or
    /// `null`.
    #[oai(nullable)]
    pub disabled_at: Nullable<Timestamp>,
}

impl From<OwnerInfo> for Account {
    fn from(owner: OwnerInfo) -> Self {
        Self {
            id: owner.id.0,
            name: owner.name,
            created_at: owner.created_at,
            disabled_at: Nullable(owner.disabled_at),
        }
    }
}

impl Example for Account {
    fn example() -> Self {
        Self {
            id: 3,
            name: "ali".to_owned(),
            created_at: Timestamp::from_micros(1_798_761_600_000_000).unwrap_or_default(),
            disabled_at: Nullable(None),
        }
    }
}

/// How the caller authenticated.
#[derive(Enum, Clone, Copy, Debug, PartialEq, Eq)]
#[oai(rename_all = "snake_case")]
pub enum CredentialKind {
    /// An API key (`tsk_…`).
    ApiKey,
    /// A token of the identity provider (`--oidc-issuer`).
    Token,
    /// None: the server runs with `--auth none`.
    None,
}

/// The credential of this request.
#[derive(Object, Debug, Clone, PartialEq)]
pub struct Credential {
    pub kind: CredentialKind,
    /// The key's id (as `GET /api/keys` lists it), or `null`.
    #[oai(nullable)]
    pub key_id: Nullable<i64>,
    /// What it may do.
    pub scopes: Vec<Scope>,
    /// When it stops working, or `null`.
    #[oai(nullable)]
    pub expires_at: Nullable<Timestamp>,
}

/// Who is calling, and with what.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct Me {
    pub owner: Account,
    pub credential: Credential,
}

impl Example for Me {
    fn example() -> Self {
        Self {
            owner: Account::example(),
            credential: Credential {
                kind: CredentialKind::ApiKey,
                key_id: Nullable(Some(12)),
                scopes: vec![Scope::TasksRead, Scope::TasksWrite],
                expires_at: Nullable(Some(example_expiry())),
            },
        }
    }
}

fn example_expiry() -> Timestamp {
    Timestamp::from_micros(1_830_297_600_000_000).unwrap_or_default()
}

/// An API key, never its secret.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct ApiKey {
    pub id: i64,
    /// Unique among the owner's keys.
    pub name: String,
    /// The key's first characters (`tsk_` and 8 more), to recognise it.
    pub prefix: String,
    pub scopes: Vec<Scope>,
    pub created_at: Timestamp,
    /// When it was last used (to within a minute), or `null`.
    #[oai(nullable)]
    pub last_used_at: Nullable<Timestamp>,
    /// When it stops working, or `null`: until revoked.
    #[oai(nullable)]
    pub expires_at: Nullable<Timestamp>,
}

impl From<KeyInfo> for ApiKey {
    fn from(key: KeyInfo) -> Self {
        Self {
            id: key.id,
            name: key.name,
            prefix: key.prefix,
            scopes: key.scopes.iter().collect(),
            created_at: key.created_at,
            last_used_at: Nullable(key.last_used_at),
            expires_at: Nullable(key.expires_at),
        }
    }
}

impl Example for ApiKey {
    fn example() -> Self {
        Self {
            id: 12,
            name: "phone".to_owned(),
            prefix: "tsk_Fc0an3uk".to_owned(),
            scopes: vec![Scope::TasksRead, Scope::TasksWrite],
            created_at: Timestamp::from_micros(1_798_761_600_000_000).unwrap_or_default(),
            last_used_at: Nullable(None),
            expires_at: Nullable(Some(example_expiry())),
        }
    }
}

/// The caller's keys.
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct KeyList {
    /// Every key not revoked, oldest first.
    pub keys: Vec<ApiKey>,
}

impl Example for KeyList {
    fn example() -> Self {
        Self {
            keys: vec![ApiKey::example()],
        }
    }
}

/// A key just made: `key` is the secret, shown this once (only its hash
/// is kept).
#[derive(Object, Debug, Clone, PartialEq)]
#[oai(example)]
pub struct CreatedApiKey {
    /// The key: send it as `Authorization: Bearer <key>`.
    pub key: String,
    #[oai(flatten)]
    pub api_key: ApiKey,
}

impl From<MadeKey> for CreatedApiKey {
    fn from(made: MadeKey) -> Self {
        Self {
            key: made.secret,
            api_key: made.info.into(),
        }
    }
}

impl Example for CreatedApiKey {
    fn example() -> Self {
        Self {
            key: "tsk_Fc0an3ukQ2m9_hZr1xYc4WvK8pTt0sLe".to_owned(),
            api_key: ApiKey::example(),
        }
    }
}

/// A key to make.
#[derive(Object)]
#[oai(example)]
pub struct KeyRequest {
    /// 1–100 characters (no control characters, Unicode `Cc`), unique
    /// among the owner's keys.
    #[oai(validator(
        min_length = 1,
        max_length = 100,
        pattern = r"^[^\u0000-\u001f\u007f-\u009f]*$"
    ))]
    name: String,
    /// What it may do: at least one scope, each held by the caller (one
    /// sent twice counts once).
    #[oai(validator(min_items = 1))]
    scopes: Vec<Scope>,
    /// When it stops working: in the future, and no later than the
    /// caller's own key (nor than the server's `--max-key-lifetime-days`).
    /// Left out or `null`: the latest of those, or never.
    #[oai(nullable, skip_serializing_if_is_none)]
    expires_at: Option<Timestamp>,
}

impl Example for KeyRequest {
    fn example() -> Self {
        Self {
            name: "phone".to_owned(),
            scopes: vec![Scope::TasksRead, Scope::TasksWrite],
            expires_at: Some(example_expiry()),
        }
    }
}

/// A parsed `KeyRequest`.
pub struct KeyAsked {
    pub name: String,
    pub scopes: Scopes,
    pub expires_at: Option<Timestamp>,
}

/// Most characters in a key's or an owner's name.
pub const MAX_NAME_CHARS: usize = 100;

/// A name member: 1–100 characters, no control characters.
pub fn name_member(object: &Map<String, Value>, errors: &mut Vec<FieldError>) -> Option<String> {
    match member(object, "name", errors, |v| string(v).map(str::to_owned)) {
        Field::Value(name) => {
            let chars = name.chars().count();
            if !(1..=MAX_NAME_CHARS).contains(&chars) || name.chars().any(char::is_control) {
                errors.push(FieldError::body(
                    "name",
                    "must be 1-100 characters, with no control characters",
                ));
                None
            } else {
                Some(name)
            }
        }
        Field::Absent => {
            errors.push(FieldError::body("name", "is required"));
            None
        }
        Field::Null => {
            errors.push(FieldError::body("name", "must be a string"));
            None
        }
        Field::Invalid => None,
    }
}

impl JsonInput for KeyRequest {
    type Output = KeyAsked;
    const MEDIA_TYPES: &'static [&'static str] = &[JSON];

    fn from_json(object: &Map<String, Value>) -> Result<KeyAsked, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = name_member(object, &mut errors);
        let scopes = match object.get("scopes") {
            Some(Value::Array(items)) if !items.is_empty() => {
                let mut scopes = Vec::new();
                for (i, item) in items.iter().enumerate() {
                    match item.as_str().and_then(Scope::named) {
                        Some(scope) => scopes.push(scope),
                        None => errors.push(FieldError::at(
                            format!("#/scopes/{i}"),
                            "must be tasks:read, tasks:write, keys:manage or admin",
                        )),
                    }
                }
                Some(scopes.into_iter().collect::<Scopes>())
            }
            _ => {
                errors.push(FieldError::body(
                    "scopes",
                    "must be an array of at least one scope",
                ));
                None
            }
        };
        let expires_at = match member(object, "expires_at", &mut errors, |v| {
            Timestamp::parse_rfc3339(string(v)?)
        }) {
            Field::Value(at) => Some(at),
            _ => None,
        };
        match (name, scopes) {
            (Some(name), Some(scopes)) if errors.is_empty() => Ok(KeyAsked {
                name,
                scopes,
                expires_at,
            }),
            _ => Err(errors),
        }
    }
}

impl KeyAsked {
    /// What the new key is granted, made by `maker`: scopes `maker` holds
    /// (any, for an admin making another owner's key) and an expiry no
    /// later than `maker`'s nor than `max_lifetime` from now.
    pub fn grant(
        &self,
        maker: &Principal,
        max_lifetime: Option<std::time::Duration>,
        any_scope: bool,
    ) -> Result<Grant, ApiError> {
        if !any_scope && let Some(beyond) = self.scopes.iter().find(|s| !maker.scopes.contains(*s))
        {
            return Err(ApiError::insufficient_scope(
                poem_openapi::OAuthScopes::name(&beyond),
            ));
        }
        let now = Timestamp::now();
        let operator_bound = max_lifetime.and_then(|lifetime| now.plus(lifetime));
        let bound = [maker.expires_at.filter(|_| !any_scope), operator_bound]
            .into_iter()
            .flatten()
            .min();
        let expires_at = match (self.expires_at, bound) {
            (Some(at), _) if at <= now => {
                return Err(ApiError::validation(vec![FieldError::body(
                    "expires_at",
                    "must be in the future",
                )]));
            }
            (Some(at), Some(bound)) if at > bound => {
                return Err(ApiError::validation(vec![FieldError::body(
                    "expires_at",
                    format!(
                        "must be no later than {} (the calling key's expiry or the server's maximum)",
                        bound.to_rfc3339()
                    ),
                )]));
            }
            (Some(at), _) => Some(at),
            (None, bound) => bound,
        };
        Ok(Grant {
            scopes: self.scopes,
            expires_at,
        })
    }
}

/// The problem for a key that could not be made.
pub fn key_error(err: KeyError) -> ApiError {
    match err {
        KeyError::NameTaken { name, .. } => ApiError::conflict(
            "name-taken",
            "Name taken",
            format!("the owner already has a key named {name:?}"),
        ),
        KeyError::Db(err) => err.into(),
        other => ApiError::internal(&other),
    }
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
