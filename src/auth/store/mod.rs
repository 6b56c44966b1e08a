//! Owners and API keys in the database, and the in-process cache that spares
//! a lookup per request: the tables and the cache here, making and listing
//! keys in [`keys`], owners in [`owners`].

mod keys;
mod owners;

pub use self::keys::{
    Grant, KeyError, KeyInfo, MadeKey, create_key, first_key, insert_key, keys_of, list_keys,
    revoke, revoke_owned,
};
pub use self::owners::{
    OwnerInfo, create_owner, find_owner, find_owner_named, list_owners, owner_named, set_disabled,
};

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};

use super::key::{KeyHash, PresentedKey};
use super::scope::Scopes;
use crate::db::{Db, DbError};
use crate::domain::{OwnerId, Timestamp};
use crate::telemetry::error_chain;

/// The `owners` and `api_keys` tables.
pub mod entity {
    /// A user or a service account: what tasks belong to.
    pub mod owner {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "owners")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            #[sea_orm(unique)]
            pub name: String,
            /// Microseconds since the Unix epoch.
            pub created_at: i64,
            /// When it was disabled: every credential refused, data kept.
            pub disabled_at: Option<i64>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }

    /// An API key of an owner: its hash, never the key.
    pub mod api_key {
        use sea_orm::entity::prelude::*;

        #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
        #[sea_orm(table_name = "api_keys")]
        pub struct Model {
            #[sea_orm(primary_key)]
            pub id: i64,
            pub owner_id: i64,
            pub name: String,
            /// The first characters of the key, in the clear.
            pub prefix: String,
            /// SHA-256 of the key (hex).
            pub hash: String,
            /// Microseconds since the Unix epoch, as are the others.
            pub created_at: i64,
            pub last_used_at: Option<i64>,
            pub revoked_at: Option<i64>,
            /// Space-separated scope names; `None` on keys made before
            /// scopes existed, which hold every scope.
            pub scopes: Option<String>,
            pub expires_at: Option<i64>,
        }

        #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
        pub enum Relation {}

        impl ActiveModelBehavior for ActiveModel {}
    }
}

use entity::{api_key, owner};

/// How a request was authenticated.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Credential {
    /// The API key with this id.
    Key(i64),
    /// An identity provider's token (`--oidc-issuer`).
    Token,
    /// None: `--auth none`.
    Anonymous,
}

/// Whose quota a request spends: a key's own, or, for identity-provider
/// tokens, the owner's (so minting more tokens buys no more).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RateKey {
    Key(i64),
    Owner(i64),
}

/// Who a valid credential speaks for, and what it may do until when.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Principal {
    pub owner: OwnerId,
    pub credential: Credential,
    pub scopes: Scopes,
    pub expires_at: Option<Timestamp>,
}

impl Principal {
    pub fn rate_key(&self) -> RateKey {
        match self.credential {
            Credential::Key(id) => RateKey::Key(id),
            Credential::Token | Credential::Anonymous => RateKey::Owner(self.owner.0),
        }
    }

    /// The API key's id, for a key.
    pub fn key_id(&self) -> Option<i64> {
        match self.credential {
            Credential::Key(id) => Some(id),
            _ => None,
        }
    }
}

/// What a presented key turned out to be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    Valid(Principal),
    /// A key that was valid until then.
    Expired(Timestamp),
    /// Its owner is disabled.
    Disabled,
    /// Unknown or revoked.
    Unknown,
}

/// How often, at most, a key's `last_used_at` is written.
const LAST_USED_EVERY: Duration = Duration::from_secs(60);

/// Keys verified recently, so a request costs no lookup: a revoked key is
/// refused within `ttl` by every process.
pub struct KeyStore {
    db: Db,
    ttl: Duration,
    verified: Mutex<HashMap<KeyHash, Verified>>,
}

#[derive(Clone, Copy)]
struct Verified {
    principal: Principal,
    checked: Instant,
    used_noted: Instant,
}

impl KeyStore {
    pub fn new(db: Db, ttl: Duration) -> Self {
        Self {
            db,
            ttl,
            verified: Mutex::new(HashMap::new()),
        }
    }

    /// What `presented` is: a valid key and whom it speaks for, an expired
    /// one, one of a disabled owner, or none.
    pub async fn verify(&self, presented: &PresentedKey<'_>) -> Result<Verdict, DbError> {
        let hash = presented.hash();
        let now = Instant::now();
        if let Some(hit) = self.cached(&hash, now) {
            return Ok(expiry(hit, Timestamp::now()));
        }
        let lookup = async {
            let keys = api_key::Entity::find()
                .filter(api_key::Column::Prefix.eq(presented.prefix()))
                .filter(api_key::Column::RevokedAt.is_null())
                .all(self.db.reader())
                .await?;
            let Some(key) = keys.into_iter().find(|row| hash.matches(&row.hash)) else {
                return Ok(None);
            };
            let owner = owner::Entity::find_by_id(key.owner_id)
                .one(self.db.reader())
                .await?;
            Ok(Some((key, owner)))
        };
        let found: Option<(api_key::Model, Option<owner::Model>)> =
            self.db.timed("verify_key", lookup).await?;
        let Some((row, owner)) = found else {
            self.forget(&hash);
            return Ok(Verdict::Unknown);
        };
        if owner.is_none_or(|o| o.disabled_at.is_some()) {
            self.forget(&hash);
            return Ok(Verdict::Disabled);
        }
        let principal = principal_of(&row)?;
        let verified = Verified {
            principal,
            checked: now,
            used_noted: now,
        };
        if let Ok(mut map) = self.verified.lock() {
            // A key seen for the first time (or again after its entry
            // expired) notes its use; cached hits note it once a minute.
            map.insert(hash, verified);
        }
        self.note_use(row.id);
        Ok(expiry(principal, Timestamp::now()))
    }

    /// A fresh cache entry for `hash`; notes the key's use now and then.
    fn cached(&self, hash: &KeyHash, now: Instant) -> Option<Principal> {
        let mut map = self.verified.lock().ok()?;
        let entry = map.get_mut(hash)?;
        if now.duration_since(entry.checked) >= self.ttl {
            return None;
        }
        if now.duration_since(entry.used_noted) >= LAST_USED_EVERY
            && let Some(key_id) = entry.principal.key_id()
        {
            entry.used_noted = now;
            self.note_use(key_id);
        }
        Some(entry.principal)
    }

    /// Forgets every cached key of `owner` (disabled, or a key revoked):
    /// this process refuses them at once, others within the cache time.
    pub fn forget_owner(&self, owner: OwnerId) {
        if let Ok(mut map) = self.verified.lock() {
            map.retain(|_, entry| entry.principal.owner != owner);
        }
    }

    fn forget(&self, hash: &KeyHash) {
        if let Ok(mut map) = self.verified.lock() {
            map.remove(hash);
        }
    }

    /// Writes `last_used_at` in the background: best effort, never in the
    /// way of the request.
    fn note_use(&self, key_id: i64) {
        let db = self.db.clone();
        tokio::spawn(async move {
            let result = api_key::Entity::update_many()
                .col_expr(
                    api_key::Column::LastUsedAt,
                    sea_orm::sea_query::Expr::value(Timestamp::now().as_micros()),
                )
                .filter(api_key::Column::Id.eq(key_id))
                .exec(db.writer())
                .await;
            if let Err(err) = result {
                tracing::debug!(error = %error_chain(&err), key_id, "could not note a key's use");
            }
        });
    }
}

/// `principal`, unless it has expired by `now`.
fn expiry(principal: Principal, now: Timestamp) -> Verdict {
    match principal.expires_at {
        Some(at) if at <= now => Verdict::Expired(at),
        _ => Verdict::Valid(principal),
    }
}

/// An instant stored in `row`'s column `what`.
fn stored_instant(micros: i64, row: &str, what: &'static str) -> Result<Timestamp, DbError> {
    Timestamp::from_micros(micros).ok_or_else(|| DbError::Corrupt {
        row: row.to_owned(),
        reason: what,
    })
}

/// The scopes stored for a key: `NULL` (a key from before scopes) is all.
fn stored_scopes(row: &api_key::Model) -> Result<Scopes, DbError> {
    match &row.scopes {
        None => Ok(Scopes::all()),
        Some(text) => Scopes::parse_text(text).map_err(|_| DbError::Corrupt {
            row: format!("API key {}", row.id),
            reason: "an unknown scope",
        }),
    }
}

fn principal_of(row: &api_key::Model) -> Result<Principal, DbError> {
    let name = format!("API key {}", row.id);
    Ok(Principal {
        owner: OwnerId(row.owner_id),
        credential: Credential::Key(row.id),
        scopes: stored_scopes(row)?,
        expires_at: row
            .expires_at
            .map(|m| stored_instant(m, &name, "expires_at out of range"))
            .transpose()?,
    })
}

/// The first owner: the one existing data and `--auth none` belong to.
pub async fn first_owner(db: &Db) -> Result<OwnerId, DbError> {
    let first = owner::Entity::find()
        .order_by_asc(owner::Column::Id)
        .one(db.reader())
        .await?;
    first
        .map(|row| OwnerId(row.id))
        .ok_or_else(|| DbError::Corrupt {
            row: "owners".to_owned(),
            reason: "the table is empty (the migration creates the first owner)",
        })
}
