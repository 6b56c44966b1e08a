//! The objects of `/api/me`, `/api/keys` and `/api/owners`, with their
//! examples.

use poem_openapi::types::Example;
use poem_openapi::{Enum, Object};

use crate::api::types::Nullable;
use crate::auth::scope::Scope;
use crate::auth::store::{KeyInfo, MadeKey, OwnerInfo};
use crate::domain::Timestamp;

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

pub(super) fn example_expiry() -> Timestamp {
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
